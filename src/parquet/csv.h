/* csv: a streaming CSV reader (RFC 4180 and what real files add to it).
 *
 * Bytes are pushed in chunks of any size (csv_feed), as they arrive from a
 * download; each complete record goes to a callback. Memory holds one
 * record at most (bounded by max_record_bytes), whatever the input's size.
 *
 * Read: fields separated by commas; records ended by LF, CRLF or a lone CR;
 * fields in double quotes may hold commas, quotes (doubled) and line ends; a
 * UTF-8 byte order mark at the very start is skipped; empty lines are
 * skipped; the last record needs no line end. Records may have different
 * numbers of fields ("ragged"): the callback sees each count and decides.
 * Refused: a quote inside an unquoted field, anything but a comma or a line
 * end after a closing quote, a quote left open at the end, a record longer
 * than max_record_bytes. */
#ifndef LAKEC_PARQUET_CSV_H
#define LAKEC_PARQUET_CSV_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  const char *data; /* NUL-terminated after len bytes (data may hold NULs) */
  size_t len;
  int quoted;       /* it was in quotes (so "" is an empty string, not absent) */
} CsvField;

/* A record: `count` fields (at least 1), starting on physical line `line`
 * (from 1). Returns 0 to go on, nonzero to stop (csv_feed then fails with
 * the error "stopped by the caller"). */
typedef int (*CsvRecordFn)(void *user, const CsvField *fields, size_t count, uint64_t line);

typedef struct CsvReader CsvReader;

#define CSV_DEFAULT_MAX_RECORD (16u << 20)

/* max_record_bytes: 0 for CSV_DEFAULT_MAX_RECORD. */
CsvReader *csv_open(CsvRecordFn on_record, void *user, size_t max_record_bytes);
/* 0, or -1 with csv_error saying why and where; after an error every call
 * fails. */
int csv_feed(CsvReader *r, const char *data, size_t len);
/* The end of the input: the last record if it had no line end. */
int csv_finish(CsvReader *r);
const char *csv_error(const CsvReader *r);
/* The physical line (from 1) the error was found on, 0 before any error. */
uint64_t csv_error_line(const CsvReader *r);
/* Records given to the callback so far. */
uint64_t csv_records(const CsvReader *r);
void csv_free(CsvReader *r);

#endif
