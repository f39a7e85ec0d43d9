/* runtime: the Lambda custom runtime (provided.al2023) for the handler
 * programs. `bootstrap` loops on the Runtime API named by
 * AWS_LAMBDA_RUNTIME_API (next invocation, response or error, init error);
 * `bootstrap --event FILE` runs the handler once on a JSON event file, as the
 * seeds' test.py did, and prints the response. */
#ifndef LAKEC_HANDLERS_RUNTIME_H
#define LAKEC_HANDLERS_RUNTIME_H

#include "aws.h"
#include <jansson.h>
#include <stdarg.h>

typedef struct Invocation {
  const char *request_id;
  long long deadline_ms; /* wall clock, ms since the epoch */
  json_t *event;         /* borrowed */
} Invocation;

typedef struct HandlerError {
  char type[64];     /* "InvalidEvent", "S3Error", ... */
  char message[512];
} HandlerError;

/* A handler returns its response (a new reference), or NULL with err filled. */
typedef json_t *(*HandlerFn)(AwsClient *aws, const Invocation *inv, HandlerError *err);

/* The whole program: parses argv, sets up the AWS client, runs the loop or
 * the local event. Returns the process exit status. */
int runtime_main(int argc, char **argv, const char *name, HandlerFn handler);

/* Fills err and returns NULL: `return handler_fail(err, "InvalidEvent", "...")`. */
json_t *handler_fail(HandlerError *err, const char *type, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The Runtime API's error document for err: {"errorMessage", "errorType"} (malloc'd). */
char *handler_error_body(const HandlerError *err);

/* printf into a string of exactly the size it needs (malloc'd; free it):
 * no fixed buffer can cut a key or a body short. Aborts when out of memory. */
char *handler_strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *handler_vstrf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

#endif
