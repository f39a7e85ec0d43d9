/* schedule: EventBridge schedule expressions, parsed and checked field by field. */
#ifndef LAKEC_SCHEDULE_H
#define LAKEC_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct ScheduleError {
  char message[160];
  size_t offset, len; /* the offending part, in bytes from the start of the expression */
  char fix[8]; /* what the offending part should read, when that is clear; else "" */
} ScheduleError;

/* rate(1 minute), rate(5 minutes), cron(0 12 * * ? *) ... True if valid. */
bool schedule_check(const char *expr, ScheduleError *err);

#endif
