/* csv2parquet: a CSV file to Parquet through the streaming CSV reader and
 * the writer, every column an optional string named by the header. Reads in
 * 64 KiB chunks, so memory stays bounded whatever the file's size (the
 * tests measure it). A row with fewer fields than the header gets nulls for
 * the rest; one with more is refused. An empty unquoted field is null, a
 * quoted one ("") the empty string.
 * usage: csv2parquet IN.csv OUT.parquet */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "parquet.h"

typedef struct {
  PqColumn *columns;
  char **names;
  size_t count;
  PqWriter *writer;
  FILE *out;
  const char *error;
} Conversion;

static int file_sink(void *user, const void *data, size_t len) {
  return fwrite(data, 1, len, user) == len ? 0 : -1;
}

static int open_writer(Conversion *c, const CsvField *fields, size_t count) {
  c->count = count;
  c->columns = calloc(count, sizeof *c->columns);
  c->names = calloc(count, sizeof *c->names);
  for (size_t i = 0; i < count; i++) {
    c->names[i] = strdup(fields[i].data);
    c->columns[i] = (PqColumn){c->names[i], PQ_STRING, true};
  }
  PqSchema schema = {c->columns, count};
  PqOptions options = pq_default_options();
  c->writer = pq_writer_open(&schema, &options, file_sink, c->out, &c->error);
  return c->writer ? 0 : -1;
}

static int write_record(Conversion *c, const CsvField *fields, size_t count) {
  if (count > c->count) {
    c->error = "a row with more fields than the header";
    return -1;
  }
  for (size_t i = 0; i < c->count; i++) {
    int rc = i >= count || (fields[i].len == 0 && !fields[i].quoted)
                 ? pq_write_null(c->writer, i)
                 : pq_write_string(c->writer, i, fields[i].data, fields[i].len);
    if (rc) return -1;
  }
  return pq_end_row(c->writer);
}

static int on_record(void *user, const CsvField *fields, size_t count, uint64_t line) {
  (void)line;
  Conversion *c = user;
  return c->writer ? write_record(c, fields, count) : open_writer(c, fields, count);
}

static int convert(FILE *in, Conversion *c, CsvReader *r) {
  char chunk[1 << 16];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, in)) > 0)
    if (csv_feed(r, chunk, n)) return -1;
  if (ferror(in) || csv_finish(r)) return -1;
  if (!c->writer) {
    c->error = "no header";
    return -1;
  }
  return pq_writer_close(c->writer);
}

static const char *why(const Conversion *c, const CsvReader *r) {
  if (c->error) return c->error;
  if (c->writer && strcmp(pq_error(c->writer), "no error") != 0) return pq_error(c->writer);
  return csv_error(r);
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fputs("usage: csv2parquet IN.csv OUT.parquet\n", stderr);
    return 2;
  }
  FILE *in = fopen(argv[1], "rb");
  Conversion c = {0};
  c.out = fopen(argv[2], "wb");
  if (!in || !c.out) {
    fprintf(stderr, "csv2parquet: %s\n", strerror(errno));
    return 2;
  }
  CsvReader *r = csv_open(on_record, &c, 0);
  int rc = convert(in, &c, r);
  if (rc) fprintf(stderr, "csv2parquet: %s\n", why(&c, r));
  else printf("%llu rows\n", (unsigned long long)pq_rows(c.writer));
  csv_free(r);
  pq_writer_free(c.writer);
  for (size_t i = 0; i < c.count; i++) free(c.names[i]);
  free(c.names);
  free(c.columns);
  fclose(in);
  if (fclose(c.out) != 0) rc = -1;
  return rc ? 1 : 0;
}
