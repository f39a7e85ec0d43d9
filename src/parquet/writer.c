/* writer: the public API: values into columns, rows into row groups, row
 * groups to the sink, the footer at the end. */
#include "parquet.h"

#include <stdlib.h>
#include <string.h>

#include "chunk.h"
#include "column.h"
#include "page.h"
#include "schema.h"
#include "thrift.h"

#ifndef LAKEC_VERSION
#define LAKEC_VERSION "0"
#endif

/* FileMetaData and RowGroup field ids (parquet.thrift). */
enum { FM_VERSION = 1, FM_SCHEMA = 2, FM_NUM_ROWS = 3, FM_ROW_GROUPS = 4, FM_CREATED_BY = 6,
       FM_COLUMN_ORDERS = 7 };
enum { RG_COLUMNS = 1, RG_TOTAL_BYTE_SIZE = 2, RG_NUM_ROWS = 3, RG_FILE_OFFSET = 5,
       RG_TOTAL_COMPRESSED = 6 };

static const char MAGIC[4] = {'P', 'A', 'R', '1'};

struct PqWriter {
  PqOptions options;
  PqOut out;
  PqColumnState *columns;
  size_t column_count;
  uint64_t rows, group_rows;
  PqBuf row_groups; /* the footer's RowGroup structs so far */
  uint32_t row_group_count;
  PqScratch scratch;
  const char *error; /* set once: every later call fails with it */
};

PqOptions pq_default_options(void) {
  PqOptions o = {
    .codec = PQ_SNAPPY,
    .page_bytes = 1 << 20,
    .row_group_rows = 1000000,
    .row_group_bytes = 64 << 20,
    .dictionary_bytes = 1 << 20,
    .dictionary = true,
  };
  return o;
}

static const char *schema_problem(const PqSchema *schema) {
  if (!schema || schema->count == 0) return "the schema has no column";
  for (size_t i = 0; i < schema->count; i++) {
    const PqColumn *c = &schema->columns[i];
    if (!c->name || !c->name[0]) return "a column has no name";
    if ((unsigned)c->type > PQ_STRING_LIST) return "a column has an unknown type";
    for (size_t j = 0; j < i; j++)
      if (strcmp(schema->columns[j].name, c->name) == 0) return "two columns have the same name";
  }
  return NULL;
}

static const char *options_problem(const PqOptions *o) {
  if (!o->page_bytes || !o->row_group_rows || !o->row_group_bytes || !o->dictionary_bytes)
    return "a size limit is zero";
  if ((unsigned)o->codec > PQ_UNCOMPRESSED) return "an unknown codec";
  return NULL;
}

PqWriter *pq_writer_open(const PqSchema *schema, const PqOptions *options,
                         PqSink sink, void *user, const char **error) {
  const char *problem = schema_problem(schema);
  if (!problem) problem = options_problem(options);
  if (problem) {
    if (error) *error = problem;
    return NULL;
  }
  PqWriter *w = pq_calloc(1, sizeof *w);
  w->options = *options;
  w->out = (PqOut){sink, user, 0};
  w->column_count = schema->count;
  w->columns = pq_calloc(schema->count, sizeof *w->columns);
  for (size_t i = 0; i < schema->count; i++)
    pq_column_init(&w->columns[i], &schema->columns[i], options->dictionary);
  if (pq_out_write(&w->out, MAGIC, sizeof MAGIC) != 0) {
    if (error) *error = "the sink failed";
    pq_writer_free(w);
    return NULL;
  }
  return w;
}

static int fail(PqWriter *w, const char *error) {
  if (!w->error) w->error = error;
  return -1;
}

/* The column about to take this row's value, or NULL (w->error says why). */
static PqColumnState *value_column(PqWriter *w, size_t column) {
  if (w->error) return NULL;
  if (column >= w->column_count) {
    fail(w, "no such column");
    return NULL;
  }
  PqColumnState *c = &w->columns[column];
  if (c->row_has_value) {
    fail(w, "a second value for a column in one row");
    return NULL;
  }
  c->row_has_value = true;
  return c;
}

static PqColumnState *typed_column(PqWriter *w, size_t column, PqType a, PqType b, PqType c) {
  PqColumnState *col = value_column(w, column);
  if (col && col->type != a && col->type != b && col->type != c) {
    fail(w, "a value of the wrong type for its column");
    return NULL;
  }
  return col;
}

int pq_write_null(PqWriter *w, size_t column) {
  PqColumnState *c = value_column(w, column);
  if (!c) return -1;
  if (!c->optional) return fail(w, "a null in a required column");
  pq_column_level(c, 0, 0);
  pq_stats_null(&c->stats);
  return 0;
}

int pq_write_string(PqWriter *w, size_t column, const char *data, size_t len) {
  PqColumnState *c = typed_column(w, column, PQ_STRING, PQ_STRING, PQ_STRING);
  if (!c) return -1;
  if (len > UINT32_MAX) return fail(w, "a string longer than 4 GiB");
  pq_column_level(c, c->max_def, 0);
  pq_column_string(c, data, len);
  return 0;
}

/* A present value: its level, then its PLAIN bytes (little-endian). */
static void put_fixed(PqColumnState *c, uint64_t bits, size_t size) {
  uint8_t le[8];
  for (size_t i = 0; i < size; i++) le[i] = (uint8_t)(bits >> (8 * i));
  pq_column_level(c, c->max_def, 0);
  pq_column_fixed(c, le, size);
}

int pq_write_int32(PqWriter *w, size_t column, int32_t value) {
  PqColumnState *c = typed_column(w, column, PQ_INT32, PQ_DATE, PQ_DATE);
  if (!c) return -1;
  put_fixed(c, (uint32_t)value, 4);
  pq_stats_int(&c->stats, value);
  return 0;
}

int pq_write_int64(PqWriter *w, size_t column, int64_t value) {
  PqColumnState *c =
      typed_column(w, column, PQ_INT64, PQ_TIMESTAMP_MILLIS, PQ_TIMESTAMP_MICROS);
  if (!c) return -1;
  put_fixed(c, (uint64_t)value, 8);
  pq_stats_int(&c->stats, value);
  return 0;
}

int pq_write_double(PqWriter *w, size_t column, double value) {
  PqColumnState *c = typed_column(w, column, PQ_DOUBLE, PQ_DOUBLE, PQ_DOUBLE);
  if (!c) return -1;
  uint64_t bits;
  memcpy(&bits, &value, sizeof bits);
  put_fixed(c, bits, 8);
  pq_stats_double(&c->stats, value);
  return 0;
}

int pq_write_boolean(PqWriter *w, size_t column, bool value) {
  PqColumnState *c = typed_column(w, column, PQ_BOOLEAN, PQ_BOOLEAN, PQ_BOOLEAN);
  if (!c) return -1;
  put_fixed(c, value ? 1 : 0, 1); /* one byte until the page bit-packs it */
  pq_stats_int(&c->stats, value ? 1 : 0);
  return 0;
}

/* Levels of a list: an empty list is defined one level short of an item
 * (and counts as a null leaf, as Parquet's statistics count them); each
 * item after the first repeats at level 1. */
int pq_write_list(PqWriter *w, size_t column, const PqBytes *items, size_t count) {
  PqColumnState *c = typed_column(w, column, PQ_STRING_LIST, PQ_STRING_LIST, PQ_STRING_LIST);
  if (!c) return -1;
  if (count == 0) {
    pq_column_level(c, c->max_def - 1, 0);
    pq_stats_null(&c->stats);
    return 0;
  }
  for (size_t i = 0; i < count; i++) {
    if (items[i].len > UINT32_MAX) return fail(w, "a string longer than 4 GiB");
    pq_column_level(c, c->max_def, i == 0 ? 0 : 1);
    pq_column_string(c, items[i].data, items[i].len);
  }
  return 0;
}

/* Page and dictionary limits, checked at row ends so that a page never
 * splits a row (a list's items stay on one page). */
static int end_column_row(PqWriter *w, PqColumnState *c) {
  PqCodec codec = w->options.codec;
  const char *error = NULL;
  if (c->dictionary_mode && c->dict.plain.len > w->options.dictionary_bytes) {
    error = pq_page_flush(c, codec, &w->scratch);
    c->dictionary_mode = false; /* PLAIN for the rest of this row group */
  }
  if (!error && pq_column_page_size(c) >= w->options.page_bytes)
    error = pq_page_flush(c, codec, &w->scratch);
  return error ? fail(w, error) : 0;
}

static size_t row_group_size(const PqWriter *w) {
  size_t size = 0;
  for (size_t i = 0; i < w->column_count; i++) size += pq_column_chunk_size(&w->columns[i]);
  return size;
}

/* Writes the buffered row group and appends its RowGroup to the footer's. */
static int flush_row_group(PqWriter *w) {
  Thrift meta;
  th_init(&meta, &w->row_groups);
  th_struct_begin(&meta);
  th_field_list(&meta, RG_COLUMNS, TH_STRUCT, (uint32_t)w->column_count);
  int64_t start = (int64_t)w->out.offset;
  PqChunkSizes sizes = {0, 0};
  for (size_t i = 0; i < w->column_count; i++) {
    PqColumnState *c = &w->columns[i];
    const char *error = pq_page_flush(c, w->options.codec, &w->scratch);
    if (error) return fail(w, error);
    if (pq_chunk_write(c, w->options.codec, &w->scratch, &w->out, &meta, &sizes, &error))
      return fail(w, error);
    pq_column_reset_chunk(c, w->options.dictionary);
  }
  th_field_i64(&meta, RG_TOTAL_BYTE_SIZE, sizes.uncompressed);
  th_field_i64(&meta, RG_NUM_ROWS, (int64_t)w->group_rows);
  th_field_i64(&meta, RG_FILE_OFFSET, start);
  th_field_i64(&meta, RG_TOTAL_COMPRESSED, sizes.compressed);
  th_struct_end(&meta);
  w->row_group_count++;
  w->group_rows = 0;
  return 0;
}

int pq_end_row(PqWriter *w) {
  if (w->error) return -1;
  for (size_t i = 0; i < w->column_count; i++)
    if (!w->columns[i].row_has_value) return fail(w, "a row without a value for every column");
  for (size_t i = 0; i < w->column_count; i++) {
    w->columns[i].row_has_value = false;
    if (end_column_row(w, &w->columns[i]) != 0) return -1;
  }
  w->rows++;
  w->group_rows++;
  if (w->group_rows >= w->options.row_group_rows ||
      row_group_size(w) >= w->options.row_group_bytes)
    return flush_row_group(w);
  return 0;
}

static void write_footer(PqWriter *w, PqBuf *footer) {
  Thrift t;
  th_init(&t, footer);
  th_struct_begin(&t);
  th_field_i32(&t, FM_VERSION, 1);
  pq_schema_write(&t, FM_SCHEMA, w->columns, w->column_count);
  th_field_i64(&t, FM_NUM_ROWS, (int64_t)w->rows);
  th_field_list(&t, FM_ROW_GROUPS, TH_STRUCT, w->row_group_count);
  pq_buf_append(footer, w->row_groups.data, w->row_groups.len);
  th_field_string(&t, FM_CREATED_BY, "lakec version " LAKEC_VERSION);
  pq_column_orders_write(&t, FM_COLUMN_ORDERS, w->column_count);
  th_struct_end(&t);
}

int pq_writer_close(PqWriter *w) {
  if (w->error) return -1;
  for (size_t i = 0; i < w->column_count; i++)
    if (w->columns[i].row_has_value) return fail(w, "the last row was not ended");
  if (w->group_rows > 0 && flush_row_group(w) != 0) return -1;
  PqBuf footer = {0};
  write_footer(w, &footer);
  uint8_t length[4];
  for (int i = 0; i < 4; i++) length[i] = (uint8_t)(footer.len >> (8 * i));
  int rc = pq_out_write(&w->out, footer.data, footer.len) ||
           pq_out_write(&w->out, length, sizeof length) ||
           pq_out_write(&w->out, MAGIC, sizeof MAGIC);
  pq_buf_free(&footer);
  if (rc) return fail(w, "the sink failed");
  w->error = "the writer is closed"; /* every later call fails */
  return 0;
}

void pq_writer_free(PqWriter *w) {
  if (!w) return;
  for (size_t i = 0; i < w->column_count; i++) pq_column_free(&w->columns[i]);
  free(w->columns);
  pq_buf_free(&w->row_groups);
  pq_scratch_free(&w->scratch);
  free(w);
}

const char *pq_error(const PqWriter *w) {
  return w->error ? w->error : "no error";
}

uint64_t pq_rows(const PqWriter *w) {
  return w->rows;
}

uint64_t pq_bytes_written(const PqWriter *w) {
  return w->out.offset;
}
