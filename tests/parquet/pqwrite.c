/* pqwrite: writes a Parquet file with lakec's writer, for the tests that
 * read it back with DuckDB (verify.mjs) and for bench/parquet.sh.
 *
 * usage: pqwrite DESCRIPTION.json OUT.parquet
 *          the description: {"columns": [{"name", "type", "optional"}],
 *          "options": {"codec", "page_bytes", "row_group_rows",
 *          "row_group_bytes", "dictionary_bytes", "dictionary"},
 *          "rows": [[value, ...], ...]}; int64 and timestamp values may be
 *          strings (JSON numbers lose precision past 2^53 in the tests).
 *        pqwrite --generate ROWS [--codec C] [--row-group-rows N] OUT.parquet
 *          a synthetic table of every type whose values follow from the row
 *          number (see generate_row), so a reader can check them in SQL. */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parquet.h"

static int file_sink(void *user, const void *data, size_t len) {
  return fwrite(data, 1, len, user) == len ? 0 : -1;
}

static const struct { const char *name; PqType type; } TYPES[] = {
  {"string", PQ_STRING}, {"int32", PQ_INT32}, {"int64", PQ_INT64}, {"double", PQ_DOUBLE},
  {"boolean", PQ_BOOLEAN}, {"date", PQ_DATE}, {"timestamp_millis", PQ_TIMESTAMP_MILLIS},
  {"timestamp_micros", PQ_TIMESTAMP_MICROS}, {"string_list", PQ_STRING_LIST},
};

static int type_named(const char *name, PqType *type) {
  for (size_t i = 0; i < sizeof TYPES / sizeof TYPES[0]; i++)
    if (strcmp(TYPES[i].name, name) == 0) {
      *type = TYPES[i].type;
      return 0;
    }
  return -1;
}

static int codec_named(const char *name, PqCodec *codec) {
  if (strcmp(name, "snappy") == 0) *codec = PQ_SNAPPY;
  else if (strcmp(name, "gzip") == 0) *codec = PQ_GZIP;
  else if (strcmp(name, "none") == 0) *codec = PQ_UNCOMPRESSED;
  else return -1;
  return 0;
}

static size_t size_option(json_t *options, const char *key, size_t fallback) {
  json_t *v = json_object_get(options, key);
  return json_is_integer(v) ? (size_t)json_integer_value(v) : fallback;
}

static int read_options(json_t *o, PqOptions *options) {
  *options = pq_default_options();
  if (!o) return 0;
  json_t *codec = json_object_get(o, "codec");
  if (codec && codec_named(json_string_value(codec) ? json_string_value(codec) : "", &options->codec))
    return -1;
  options->page_bytes = size_option(o, "page_bytes", options->page_bytes);
  options->row_group_rows = size_option(o, "row_group_rows", options->row_group_rows);
  options->row_group_bytes = size_option(o, "row_group_bytes", options->row_group_bytes);
  options->dictionary_bytes = size_option(o, "dictionary_bytes", options->dictionary_bytes);
  json_t *dictionary = json_object_get(o, "dictionary");
  if (dictionary) options->dictionary = json_is_true(dictionary);
  return 0;
}

static int read_schema(json_t *columns, PqColumn **out, size_t *count) {
  *count = json_array_size(columns);
  *out = calloc(*count ? *count : 1, sizeof **out);
  for (size_t i = 0; i < *count; i++) {
    json_t *c = json_array_get(columns, i);
    const char *type = json_string_value(json_object_get(c, "type"));
    (*out)[i].name = json_string_value(json_object_get(c, "name"));
    (*out)[i].optional = json_is_true(json_object_get(c, "optional"));
    if (!type || type_named(type, &(*out)[i].type)) return -1;
  }
  return 0;
}

static int64_t int64_of(json_t *v) {
  if (json_is_string(v)) return strtoll(json_string_value(v), NULL, 10);
  return json_integer_value(v);
}

static int write_list(PqWriter *w, size_t column, json_t *items) {
  size_t count = json_array_size(items);
  PqBytes *bytes = calloc(count ? count : 1, sizeof *bytes);
  for (size_t i = 0; i < count; i++) {
    json_t *item = json_array_get(items, i);
    bytes[i].data = json_string_value(item);
    bytes[i].len = json_string_length(item);
  }
  int rc = pq_write_list(w, column, bytes, count);
  free(bytes);
  return rc;
}

static int write_value(PqWriter *w, size_t column, PqType type, json_t *v) {
  if (json_is_null(v)) return pq_write_null(w, column);
  switch (type) {
  case PQ_STRING: return pq_write_string(w, column, json_string_value(v), json_string_length(v));
  case PQ_INT32:
  case PQ_DATE: return pq_write_int32(w, column, (int32_t)json_integer_value(v));
  case PQ_INT64:
  case PQ_TIMESTAMP_MILLIS:
  case PQ_TIMESTAMP_MICROS: return pq_write_int64(w, column, int64_of(v));
  case PQ_DOUBLE: return pq_write_double(w, column, json_number_value(v));
  case PQ_BOOLEAN: return pq_write_boolean(w, column, json_is_true(v));
  case PQ_STRING_LIST: return write_list(w, column, v);
  }
  return -1;
}

static int write_rows(PqWriter *w, const PqColumn *columns, json_t *rows) {
  for (size_t r = 0; r < json_array_size(rows); r++) {
    json_t *row = json_array_get(rows, r);
    for (size_t c = 0; c < json_array_size(row); c++)
      if (write_value(w, c, columns[c].type, json_array_get(row, c))) return -1;
    if (pq_end_row(w)) return -1;
  }
  return 0;
}

static int finish(PqWriter *w, FILE *out, const char *path) {
  int rc = pq_writer_close(w);
  if (rc) fprintf(stderr, "pqwrite: %s\n", pq_error(w));
  pq_writer_free(w);
  if (fclose(out) != 0) {
    fprintf(stderr, "pqwrite: %s: %s\n", path, strerror(errno));
    return 1;
  }
  return rc ? 1 : 0;
}

static int from_description(const char *description, const char *path) {
  json_error_t error;
  json_t *root = json_load_file(description, 0, &error);
  if (!root) {
    fprintf(stderr, "pqwrite: %s:%d: %s\n", description, error.line, error.text);
    return 2;
  }
  PqColumn *columns = NULL;
  size_t count = 0;
  PqOptions options;
  int rc = 2;
  if (read_schema(json_object_get(root, "columns"), &columns, &count) ||
      read_options(json_object_get(root, "options"), &options)) {
    fprintf(stderr, "pqwrite: %s: a bad column type or codec\n", description);
    goto done;
  }
  FILE *out = fopen(path, "wb");
  if (!out) {
    fprintf(stderr, "pqwrite: %s: %s\n", path, strerror(errno));
    goto done;
  }
  PqSchema schema = {columns, count};
  const char *why = NULL;
  PqWriter *w = pq_writer_open(&schema, &options, file_sink, out, &why);
  if (!w) {
    fprintf(stderr, "pqwrite: %s\n", why);
    fclose(out);
    goto done;
  }
  if (write_rows(w, columns, json_object_get(root, "rows")) != 0) {
    fprintf(stderr, "pqwrite: %s\n", pq_error(w));
    pq_writer_free(w);
    fclose(out);
    goto done;
  }
  rc = finish(w, out, path);
done:
  free(columns);
  json_decref(root);
  return rc;
}

static const PqColumn GENERATED[] = {
  {"id", PQ_INT64, false},          {"category", PQ_STRING, false},
  {"unique_text", PQ_STRING, true}, {"score", PQ_DOUBLE, true},
  {"flag", PQ_BOOLEAN, false},      {"day", PQ_DATE, true},
  {"at", PQ_TIMESTAMP_MILLIS, false}, {"small", PQ_INT32, true},
  {"tags", PQ_STRING_LIST, true},
};

/* Row i's values: verify.mjs checks every one with the same formulas. */
static int generate_row(PqWriter *w, uint64_t i) {
  char text[64], tags[5][8];
  int rc = pq_write_int64(w, 0, (int64_t)i);
  int len = snprintf(text, sizeof text, "category-%" PRIu64, i % 100);
  rc |= pq_write_string(w, 1, text, (size_t)len);
  len = snprintf(text, sizeof text, "unique-%" PRIu64, i * 7919);
  rc |= i % 13 == 0 ? pq_write_null(w, 2) : pq_write_string(w, 2, text, (size_t)len);
  rc |= i % 17 == 0 ? pq_write_null(w, 3) : pq_write_double(w, 3, (double)i * 0.25);
  rc |= pq_write_boolean(w, 4, i % 3 == 0);
  rc |= i % 19 == 0 ? pq_write_null(w, 5) : pq_write_int32(w, 5, (int32_t)(i % 30000));
  rc |= pq_write_int64(w, 6, 1700000000000 + (int64_t)i);
  rc |= i % 7 == 0 ? pq_write_null(w, 7) : pq_write_int32(w, 7, (int32_t)(i % 1000) - 500);
  PqBytes items[5];
  for (size_t k = 0; k < i % 5; k++) {
    items[k].len = (size_t)snprintf(tags[k], sizeof tags[k], "t%zu", k);
    items[k].data = tags[k];
  }
  rc |= i % 11 == 0 ? pq_write_null(w, 8) : pq_write_list(w, 8, items, i % 5);
  return rc | pq_end_row(w);
}

static int generate(int argc, char **argv) {
  PqOptions options = pq_default_options();
  uint64_t rows = strtoull(argv[2], NULL, 10);
  int a = 3;
  for (; a + 1 < argc && strncmp(argv[a], "--", 2) == 0; a += 2) {
    if (strcmp(argv[a], "--codec") == 0 && codec_named(argv[a + 1], &options.codec) == 0) continue;
    if (strcmp(argv[a], "--row-group-rows") == 0) {
      options.row_group_rows = strtoull(argv[a + 1], NULL, 10);
      continue;
    }
    fprintf(stderr, "pqwrite: a bad option %s\n", argv[a]);
    return 2;
  }
  if (a != argc - 1) return 2;
  FILE *out = fopen(argv[a], "wb");
  if (!out) return 2;
  PqSchema schema = {GENERATED, sizeof GENERATED / sizeof GENERATED[0]};
  PqWriter *w = pq_writer_open(&schema, &options, file_sink, out, NULL);
  for (uint64_t i = 0; i < rows; i++)
    if (generate_row(w, i) != 0) break;
  return finish(w, out, argv[a]);
}

int main(int argc, char **argv) {
  if (argc >= 4 && strcmp(argv[1], "--generate") == 0) return generate(argc, argv);
  if (argc != 3) {
    fputs("usage: pqwrite DESCRIPTION.json OUT.parquet | --generate ROWS [options] OUT\n", stderr);
    return 2;
  }
  return from_description(argv[1], argv[2]);
}
