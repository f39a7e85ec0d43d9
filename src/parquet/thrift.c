/* thrift: the Thrift compact protocol, write side. */
#include "thrift.h"

#include <assert.h>
#include <string.h>

enum { TH_BOOL_TRUE = 1, TH_BOOL_FALSE = 2 };

static uint64_t zigzag64(int64_t v) {
  return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

void th_init(Thrift *t, PqBuf *out) {
  t->out = out;
  t->depth = 0;
}

void th_struct_begin(Thrift *t) {
  assert(t->depth < TH_MAX_DEPTH);
  t->last_field[t->depth++] = 0;
}

void th_struct_end(Thrift *t) {
  assert(t->depth > 0);
  pq_buf_byte(t->out, 0); /* STOP */
  t->depth--;
}

/* The short form packs the id delta into the type byte; the long form
 * follows the type with the zigzag id. */
static void field_header(Thrift *t, int16_t id, int type) {
  int16_t *last = &t->last_field[t->depth - 1];
  int delta = id - *last;
  if (delta > 0 && delta <= 15) {
    pq_buf_byte(t->out, (uint8_t)(delta << 4 | type));
  } else {
    pq_buf_byte(t->out, (uint8_t)type);
    pq_buf_varint(t->out, zigzag64(id));
  }
  *last = id;
}

void th_field_i32(Thrift *t, int16_t id, int32_t v) {
  field_header(t, id, TH_I32);
  pq_buf_varint(t->out, zigzag64(v));
}

void th_field_i64(Thrift *t, int16_t id, int64_t v) {
  field_header(t, id, TH_I64);
  pq_buf_varint(t->out, zigzag64(v));
}

void th_field_binary(Thrift *t, int16_t id, const void *data, size_t len) {
  field_header(t, id, TH_BINARY);
  pq_buf_varint(t->out, len);
  pq_buf_append(t->out, data, len);
}

void th_field_string(Thrift *t, int16_t id, const char *s) {
  th_field_binary(t, id, s, strlen(s));
}

void th_field_bool(Thrift *t, int16_t id, bool v) {
  field_header(t, id, v ? TH_BOOL_TRUE : TH_BOOL_FALSE);
}

void th_field_struct(Thrift *t, int16_t id) {
  field_header(t, id, TH_STRUCT);
  th_struct_begin(t);
}

void th_field_list(Thrift *t, int16_t id, int type, uint32_t count) {
  field_header(t, id, TH_LIST);
  if (count < 15) {
    pq_buf_byte(t->out, (uint8_t)(count << 4 | (uint32_t)type));
  } else {
    pq_buf_byte(t->out, (uint8_t)(0xF0 | type));
    pq_buf_varint(t->out, count);
  }
}

void th_elem_i32(Thrift *t, int32_t v) {
  pq_buf_varint(t->out, zigzag64(v));
}

void th_elem_string(Thrift *t, const char *s) {
  size_t len = strlen(s);
  pq_buf_varint(t->out, len);
  pq_buf_append(t->out, s, len);
}
