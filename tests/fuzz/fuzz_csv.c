/* libFuzzer target: the streaming CSV reader (src/parquet/csv.c). The first
 * byte chooses a chunk size, the rest is the CSV. Beyond "no crash, no
 * sanitizer report, no leak":
 * - the records (fields, quoting, line numbers) or the error are the same
 *   fed whole and fed in chunks: nothing depends on where a read ends;
 * - accepted records written back with every field quoted read back as the
 *   same fields: what the reader accepts, it understood. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REQUIRE(cond) ((cond) ? (void)0 : broken(#cond, __LINE__))

static void broken(const char *what, int line) {
  fprintf(stderr, "fuzz_csv.c:%d: invariant broken: %s\n", line, what);
  abort();
}

#define MAX_RECORD 4096

/* Records as one buffer: per field its quoted flag, length and bytes; per
 * record its line and field count. `quoted_csv` gets the records written
 * back as CSV with every field quoted. */
typedef struct {
  PqBuf seen, quoted_csv;
  int with_flags;
} Seen;

static int on_record(void *user, const CsvField *fields, size_t count, uint64_t line) {
  Seen *s = user;
  if (s->with_flags) pq_buf_append(&s->seen, &line, sizeof line);
  pq_buf_append(&s->seen, &count, sizeof count);
  for (size_t i = 0; i < count; i++) {
    REQUIRE(fields[i].data[fields[i].len] == '\0');
    if (s->with_flags) pq_buf_byte(&s->seen, (uint8_t)fields[i].quoted);
    pq_buf_append(&s->seen, &fields[i].len, sizeof fields[i].len);
    pq_buf_append(&s->seen, fields[i].data, fields[i].len);
    pq_buf_append(&s->quoted_csv, i ? ",\"" : "\"", i ? 2 : 1);
    for (size_t k = 0; k < fields[i].len; k++) {
      if (fields[i].data[k] == '"') pq_buf_byte(&s->quoted_csv, '"');
      pq_buf_byte(&s->quoted_csv, (uint8_t)fields[i].data[k]);
    }
    pq_buf_byte(&s->quoted_csv, '"');
  }
  pq_buf_byte(&s->quoted_csv, '\n');
  return 0;
}

/* Reads the input in chunks (0: whole); returns 0 or -1, the error in *error. */
static int read_csv(const uint8_t *data, size_t size, size_t chunk, Seen *s, PqBuf *error) {
  CsvReader *r = csv_open(on_record, s, MAX_RECORD);
  int rc = 0;
  for (size_t at = 0; at < size && rc == 0; at += chunk ? chunk : size) {
    size_t n = chunk && size - at > chunk ? chunk : size - at;
    rc = csv_feed(r, (const char *)data + at, n);
  }
  if (rc == 0) rc = csv_finish(r);
  if (rc) pq_buf_append(error, csv_error(r), strlen(csv_error(r)));
  csv_free(r);
  return rc;
}

static void free_seen(Seen *s) {
  pq_buf_free(&s->seen);
  pq_buf_free(&s->quoted_csv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) return 0;
  size_t chunk = 1 + data[0] % 16;
  data++, size--;
  Seen whole = {.with_flags = 1}, chunked = {.with_flags = 1};
  PqBuf whole_error = {0}, chunked_error = {0};
  int rc = read_csv(data, size, 0, &whole, &whole_error);
  REQUIRE(read_csv(data, size, chunk, &chunked, &chunked_error) == rc);
  REQUIRE(whole.seen.len == chunked.seen.len);
  REQUIRE(whole.seen.len == 0 || memcmp(whole.seen.data, chunked.seen.data, whole.seen.len) == 0);
  REQUIRE(whole_error.len == chunked_error.len);
  REQUIRE(whole_error.len == 0 || memcmp(whole_error.data, chunked_error.data, whole_error.len) == 0);
  if (rc == 0) {
    Seen plain = {0}, again = {0};
    PqBuf error = {0};
    REQUIRE(read_csv(whole.quoted_csv.data, whole.quoted_csv.len, 0, &again, &error) == 0);
    /* the fields without flags and lines: quoting and line numbers change */
    REQUIRE(read_csv(data, size, 0, &plain, &error) == 0);
    REQUIRE(plain.seen.len == again.seen.len);
    REQUIRE(plain.seen.len == 0 || memcmp(plain.seen.data, again.seen.data, plain.seen.len) == 0);
    free_seen(&plain);
    free_seen(&again);
    pq_buf_free(&error);
  }
  free_seen(&whole);
  free_seen(&chunked);
  pq_buf_free(&whole_error);
  pq_buf_free(&chunked_error);
  return 0;
}
