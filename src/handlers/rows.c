#include "rows.h"

#include "convert.h"
#include "csv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct Rows {
  const Dataset *dataset;
  CsvReader *csv;
  PqWriter *writer;
  bool header_pending; /* the next record must be the column names */
  uint64_t rows;
  RowsStatus status;
  RowsProblem problem;
};

/* Refuses the CSV: the first fault is the one reported. Returns nonzero, to
 * stop the CSV reader. */
static int refuse(Rows *r, uint64_t line, const char *column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int refuse(Rows *r, uint64_t line, const char *column, const char *fmt, ...) {
  if (r->status != ROWS_OK)
    return 1;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(r->problem.reason, sizeof r->problem.reason, fmt, ap);
  va_end(ap);
  utf8_scrub(r->problem.reason);
  r->problem.line = line;
  r->problem.column = column;
  r->status = ROWS_REFUSED;
  return 1;
}

static int writer_failed(Rows *r) {
  r->status = ROWS_FAILED;
  return 1;
}

/* The column names in order, exactly (a quoted name is the same name). */
static int check_header(Rows *r, const CsvField *fields, size_t count, uint64_t line) {
  const Dataset *d = r->dataset;
  bool same = count == d->count;
  for (size_t i = 0; same && i < count; i++)
    same = fields[i].len == strlen(d->columns[i].name) &&
           !memcmp(fields[i].data, d->columns[i].name, fields[i].len);
  if (same)
    return 0;
  char expected[160] = "";
  for (size_t i = 0, n = 0; i < d->count && n < sizeof expected; i++)
    n += (size_t)snprintf(expected + n, sizeof expected - n, "%s%s", i ? "," : "",
                          d->columns[i].name);
  return refuse(r, line, NULL, "the first line is not the header '%s'", expected);
}

static int on_record(void *user, const CsvField *fields, size_t count, uint64_t line) {
  Rows *r = user;
  const Dataset *d = r->dataset;
  if (r->header_pending) {
    r->header_pending = false;
    return check_header(r, fields, count, line);
  }
  if (count != d->count)
    return refuse(r, line, NULL, "%zu fields where the data set has %zu columns", count, d->count);
  for (size_t i = 0; i < count; i++) {
    const char *why = NULL;
    int rc = pq_write_text(r->writer, i, &d->columns[i], fields[i].data, fields[i].len,
                           fields[i].quoted, d->list_separator, &why);
    if (rc == -1)
      return refuse(r, line, d->columns[i].name, "%s", why);
    if (rc)
      return writer_failed(r);
  }
  if (pq_end_row(r->writer))
    return writer_failed(r);
  r->rows++;
  return 0;
}

Rows *rows_open(const Dataset *d, const PqOptions *options, PqSink sink, void *user,
                const char **why) {
  Rows *r = calloc(1, sizeof *r);
  if (!r)
    abort();
  PqSchema schema = {d->columns, d->count};
  r->dataset = d;
  r->header_pending = d->header;
  r->writer = pq_writer_open(&schema, options, sink, user, why);
  r->csv = csv_open(on_record, r, 0);
  if (!r->writer || !r->csv) {
    rows_free(r);
    return NULL;
  }
  return r;
}

/* After the CSV reader failed: our own refusal, or its syntax error. */
static RowsStatus reader_failed(Rows *r) {
  if (r->status == ROWS_OK)
    refuse(r, csv_error_line(r->csv), NULL, "%s", csv_error(r->csv));
  return r->status;
}

RowsStatus rows_feed(Rows *r, const char *data, size_t len) {
  if (r->status != ROWS_OK)
    return r->status;
  return csv_feed(r->csv, data, len) ? reader_failed(r) : ROWS_OK;
}

RowsStatus rows_finish(Rows *r) {
  if (r->status != ROWS_OK)
    return r->status;
  if (csv_finish(r->csv))
    return reader_failed(r);
  if (r->rows == 0) {
    refuse(r, 0, NULL, "there is no data row");
    return r->status;
  }
  if (pq_writer_close(r->writer))
    writer_failed(r);
  return r->status;
}

const RowsProblem *rows_problem(const Rows *r) { return &r->problem; }

const char *rows_failure(const Rows *r) { return r->writer ? pq_error(r->writer) : "no writer"; }

uint64_t rows_count(const Rows *r) { return r->rows; }

void rows_free(Rows *r) {
  if (!r)
    return;
  csv_free(r->csv);
  pq_writer_free(r->writer);
  free(r);
}
