/* rows: a raw object's CSV, fed in pieces as it is read, each record checked
 * against the data set and written as one Parquet row. What process does
 * between S3's ranged GETs and the upload, apart from them so that
 * tests/fuzz/ can drive it without a network.
 *
 * A CSV that does not fit the data set is refused at its first fault, and
 * the problem says where for the quarantine metadata: a first record that
 * is not the header (when the data set has one), a record with another
 * number of fields than the data set has columns, a value its column's type
 * does not take (src/parquet/convert.h), a CSV syntax error, no data row. */
#ifndef LAKEC_HANDLERS_ROWS_H
#define LAKEC_HANDLERS_ROWS_H

#include "parse.h"

#include <stdint.h>

typedef enum {
  ROWS_OK = 0,
  ROWS_REFUSED = -1, /* the CSV does not fit: rows_problem says why */
  ROWS_FAILED = -2   /* the writer or its sink failed: rows_failure */
} RowsStatus;

typedef struct RowsProblem {
  char reason[200];   /* printable UTF-8 */
  uint64_t line;      /* the record's physical line (from 1), 0 when no line is at fault */
  const char *column; /* the column at fault (the data set's name), or NULL */
} RowsProblem;

typedef struct Rows Rows;

/* A writer on sink with the data set's schema and options; NULL with *why
 * when the writer refuses them. d must outlive the Rows. */
Rows *rows_open(const Dataset *d, const PqOptions *options, PqSink sink, void *user,
                const char **why);
/* The next len bytes of the CSV. After anything but ROWS_OK every call fails
 * the same way. */
RowsStatus rows_feed(Rows *r, const char *data, size_t len);
/* The end of the CSV: the last record, then the Parquet footer. */
RowsStatus rows_finish(Rows *r);
const RowsProblem *rows_problem(const Rows *r);
const char *rows_failure(const Rows *r);
/* Data rows written so far. */
uint64_t rows_count(const Rows *r);
void rows_free(Rows *r);

#endif
