/* thrift: the Thrift compact protocol, write side, as much of it as the
 * Parquet footer and page headers use (doc/specs/thrift-compact-protocol.md
 * in apache/thrift). */
#ifndef LAKEC_PARQUET_THRIFT_H
#define LAKEC_PARQUET_THRIFT_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"

/* Compact protocol type ids. */
enum { TH_I32 = 5, TH_I64 = 6, TH_BINARY = 8, TH_LIST = 9, TH_STRUCT = 12 };

/* Structs nest no deeper than this in Parquet's metadata. */
#define TH_MAX_DEPTH 16

typedef struct {
  PqBuf *out;
  int depth;
  int16_t last_field[TH_MAX_DEPTH]; /* field ids are written as deltas */
} Thrift;

void th_init(Thrift *t, PqBuf *out);
/* A struct at the top level or as a list element; th_struct_end closes it. */
void th_struct_begin(Thrift *t);
void th_struct_end(Thrift *t);
/* Fields of the open struct, in increasing id order. */
void th_field_i32(Thrift *t, int16_t id, int32_t v);
void th_field_i64(Thrift *t, int16_t id, int64_t v);
void th_field_binary(Thrift *t, int16_t id, const void *data, size_t len);
void th_field_string(Thrift *t, int16_t id, const char *s);
void th_field_bool(Thrift *t, int16_t id, bool v);
/* A struct-valued field: then its fields, then th_struct_end. */
void th_field_struct(Thrift *t, int16_t id);
/* A list-valued field of `count` elements of `type`: then the elements. */
void th_field_list(Thrift *t, int16_t id, int type, uint32_t count);
/* List elements. */
void th_elem_i32(Thrift *t, int32_t v);
void th_elem_string(Thrift *t, const char *s);

#endif
