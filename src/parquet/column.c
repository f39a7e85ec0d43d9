/* column: one column's state while a row group fills. */
#include "column.h"

#include <stdlib.h>
#include <string.h>

static char *copy_string(const char *s) {
  size_t len = strlen(s) + 1;
  char *copy = pq_calloc(len, 1);
  memcpy(copy, s, len);
  return copy;
}

bool pq_is_string_type(PqType type) {
  return type == PQ_STRING || type == PQ_STRING_LIST;
}

int pq_physical_type(PqType type) {
  switch (type) {
  case PQ_BOOLEAN: return 0;
  case PQ_INT32:
  case PQ_DATE: return 1;
  case PQ_INT64:
  case PQ_TIMESTAMP_MILLIS:
  case PQ_TIMESTAMP_MICROS: return 2;
  case PQ_DOUBLE: return 5;
  case PQ_STRING:
  case PQ_STRING_LIST: return 6;
  }
  return 6;
}

void pq_column_init(PqColumnState *c, const PqColumn *spec, bool dictionary) {
  memset(c, 0, sizeof *c);
  c->name = copy_string(spec->name);
  c->type = spec->type;
  c->optional = spec->optional;
  /* A list adds its repeated level; its elements are required. */
  bool list = spec->type == PQ_STRING_LIST;
  c->max_def = (spec->optional ? 1 : 0) + (list ? 1 : 0);
  c->max_rep = list ? 1 : 0;
  c->dictionary_mode = dictionary && pq_is_string_type(spec->type);
}

void pq_column_free(PqColumnState *c) {
  free(c->name);
  pq_buf_free(&c->values);
  pq_buf_free(&c->indices);
  pq_buf_free(&c->defs);
  pq_buf_free(&c->reps);
  pq_buf_free(&c->pages);
  pq_dict_free(&c->dict);
  pq_stats_free(&c->stats);
}

void pq_column_level(PqColumnState *c, int def, int rep) {
  if (c->max_def > 0) pq_buf_byte(&c->defs, (uint8_t)def);
  if (c->max_rep > 0) pq_buf_byte(&c->reps, (uint8_t)rep);
  c->page_levels++;
}

void pq_column_string(PqColumnState *c, const char *data, size_t len) {
  pq_stats_string(&c->stats, data, len);
  if (c->dictionary_mode) {
    uint32_t index = pq_dict_index(&c->dict, data, len);
    pq_buf_append(&c->indices, &index, sizeof index);
    return;
  }
  pq_buf_u32le(&c->values, (uint32_t)len);
  pq_buf_append(&c->values, data, len);
}

void pq_column_fixed(PqColumnState *c, const void *le_bytes, size_t size) {
  pq_buf_append(&c->values, le_bytes, size);
}

size_t pq_column_page_size(const PqColumnState *c) {
  return c->values.len + c->indices.len + c->defs.len + c->reps.len;
}

size_t pq_column_chunk_size(const PqColumnState *c) {
  return c->pages.len + c->dict.plain.len + pq_column_page_size(c);
}

void pq_column_reset_chunk(PqColumnState *c, bool dictionary) {
  c->pages.len = 0;
  pq_dict_reset(&c->dict);
  pq_stats_reset(&c->stats);
  c->dictionary_mode = dictionary && pq_is_string_type(c->type);
  c->dictionary_used = c->plain_used = false;
  c->chunk_values = c->chunk_uncompressed = c->chunk_compressed = 0;
}
