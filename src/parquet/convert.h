/* convert: a CSV field's text as a value of its column's type, written to a
 * Parquet writer. What process needs between the CSV reader and the writer:
 * the declared schema says the type, the text must be exactly one value of
 * it, and a field that is not is refused with the reason (the file then
 * goes to quarantine with row, column and reason).
 *
 * The forms accepted, strictly (no spaces around a value):
 * - null: an empty field that was not quoted (`""` is the empty string, and
 *   an error for every other type); refused for a required column;
 * - int32 / int64: optional sign, decimal digits, in range;
 * - double: what strtod reads, whole, finite;
 * - boolean: true / false (any case), 1 / 0;
 * - date: YYYY-MM-DD, a real day, years 0001-9999;
 * - timestamp: YYYY-MM-DD, 'T' or a space, HH:MM:SS, optionally a fraction
 *   of 1 to 9 digits (cut to the column's unit), then Z or +HH:MM / -HH:MM
 *   (no zone: UTC); stored as UTC;
 * - string: valid UTF-8;
 * - list of strings: items split at the separator, each valid UTF-8; a
 *   quoted empty field is the empty list. */
#ifndef LAKEC_PARQUET_CONVERT_H
#define LAKEC_PARQUET_CONVERT_H

#include "parquet.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Writes text (len bytes, not NUL-terminated) as column's value. Returns 0;
 * -1 with *why when the text is not a value of the type (the writer is
 * unchanged and the row can be abandoned); -2 when the writer failed
 * (pq_error). */
int pq_write_text(PqWriter *w, size_t column, const PqColumn *type, const char *text, size_t len,
                  bool quoted, char list_separator, const char **why);

/* The parsers, for tests and fuzzers: 0 or -1 with *why. */
int pq_parse_int64(const char *text, size_t len, int64_t min, int64_t max, int64_t *out,
                   const char **why);
int pq_parse_double(const char *text, size_t len, double *out, const char **why);
int pq_parse_boolean(const char *text, size_t len, bool *out, const char **why);
int pq_parse_date(const char *text, size_t len, int32_t *days, const char **why);
/* micros: true for microseconds since the epoch, false for milliseconds. */
int pq_parse_timestamp(const char *text, size_t len, bool micros, int64_t *out, const char **why);
bool pq_utf8_valid(const char *text, size_t len);

#endif
