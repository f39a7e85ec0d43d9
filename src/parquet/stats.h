/* stats: a column chunk's statistics (min, max, null count), written as
 * Parquet's Statistics struct. */
#ifndef LAKEC_PARQUET_STATS_H
#define LAKEC_PARQUET_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "parquet.h"
#include "thrift.h"

/* Strings longer than this give no min/max: the footer stays small (Athena
 * then reads the row group rather than skip it). */
#define PQ_STATS_MAX_STRING 1024

typedef struct {
  bool has_value; /* min/max below are set */
  int64_t null_count;
  int64_t int_min, int_max;
  double double_min, double_max;
  PqBuf string_min, string_max;
} PqStats;

void pq_stats_null(PqStats *s);
void pq_stats_int(PqStats *s, int64_t v);    /* INT32, INT64, BOOLEAN, DATE, TIMESTAMP */
void pq_stats_double(PqStats *s, double v);  /* NaN takes no part */
void pq_stats_string(PqStats *s, const char *data, size_t len);
/* The Statistics struct as field `id` of the open struct. */
void pq_stats_write(const PqStats *s, PqType type, Thrift *t, int16_t id);
void pq_stats_reset(PqStats *s);
void pq_stats_free(PqStats *s);

#endif
