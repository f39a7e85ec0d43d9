/* schema: SchemaElements with both annotations, ConvertedType for older
 * readers and LogicalType for newer ones. */
#include "schema.h"

#include <stdbool.h>

/* SchemaElement field ids; FieldRepetitionType; ConvertedType values. */
enum { SE_TYPE = 1, SE_REPETITION = 3, SE_NAME = 4, SE_NUM_CHILDREN = 5, SE_CONVERTED = 6,
       SE_LOGICAL = 10 };
enum { REQUIRED = 0, OPTIONAL = 1, REPEATED = 2 };
enum { CT_UTF8 = 0, CT_LIST = 3, CT_DATE = 6, CT_TIMESTAMP_MILLIS = 9, CT_TIMESTAMP_MICROS = 10 };
/* LogicalType union members; TimestampType and TimeUnit fields. */
enum { LT_STRING = 1, LT_LIST = 3, LT_DATE = 6, LT_TIMESTAMP = 8 };
enum { TS_ADJUSTED_TO_UTC = 1, TS_UNIT = 2, UNIT_MILLIS = 1, UNIT_MICROS = 2 };

static void empty_struct(Thrift *t, int16_t id) {
  th_field_struct(t, id);
  th_struct_end(t);
}

static void timestamp_logical(Thrift *t, int16_t unit) {
  th_field_struct(t, LT_TIMESTAMP);
  th_field_bool(t, TS_ADJUSTED_TO_UTC, true);
  th_field_struct(t, TS_UNIT);
  empty_struct(t, unit);
  th_struct_end(t);
  th_struct_end(t);
}

/* A converted type and a logical type that has no parameters. */
static void annotations(Thrift *t, int converted, int16_t logical) {
  th_field_i32(t, SE_CONVERTED, converted);
  th_field_struct(t, SE_LOGICAL);
  empty_struct(t, logical);
  th_struct_end(t);
}

/* The converted type and logical type of a leaf, if it has them. */
static void leaf_annotations(Thrift *t, PqType type) {
  switch (type) {
  case PQ_STRING:
  case PQ_STRING_LIST: annotations(t, CT_UTF8, LT_STRING); break;
  case PQ_DATE: annotations(t, CT_DATE, LT_DATE); break;
  case PQ_TIMESTAMP_MILLIS:
  case PQ_TIMESTAMP_MICROS: {
    bool millis = type == PQ_TIMESTAMP_MILLIS;
    th_field_i32(t, SE_CONVERTED, millis ? CT_TIMESTAMP_MILLIS : CT_TIMESTAMP_MICROS);
    th_field_struct(t, SE_LOGICAL);
    timestamp_logical(t, millis ? UNIT_MILLIS : UNIT_MICROS);
    th_struct_end(t);
    break;
  }
  default: break; /* plain INT32, INT64, DOUBLE, BOOLEAN */
  }
}

static void leaf(Thrift *t, const char *name, PqType type, int repetition) {
  th_struct_begin(t);
  th_field_i32(t, SE_TYPE, pq_physical_type(type));
  th_field_i32(t, SE_REPETITION, repetition);
  th_field_string(t, SE_NAME, name);
  leaf_annotations(t, type);
  th_struct_end(t);
}

static void group(Thrift *t, const char *name, int repetition, bool list_annotated) {
  th_struct_begin(t);
  th_field_i32(t, SE_REPETITION, repetition);
  th_field_string(t, SE_NAME, name);
  th_field_i32(t, SE_NUM_CHILDREN, 1);
  if (list_annotated) annotations(t, CT_LIST, LT_LIST);
  th_struct_end(t);
}

static void column(Thrift *t, const PqColumnState *c) {
  int repetition = c->optional ? OPTIONAL : REQUIRED;
  if (c->type != PQ_STRING_LIST) {
    leaf(t, c->name, c->type, repetition);
    return;
  }
  /* <optional|required> group name (LIST) { repeated group list {
   *   required binary element (STRING); } } */
  group(t, c->name, repetition, true);
  group(t, "list", REPEATED, false);
  leaf(t, "element", PQ_STRING, REQUIRED);
}

void pq_schema_write(Thrift *t, int16_t id, const PqColumnState *columns, size_t count) {
  size_t elements = 1;
  for (size_t i = 0; i < count; i++) elements += columns[i].type == PQ_STRING_LIST ? 3 : 1;
  th_field_list(t, id, TH_STRUCT, (uint32_t)elements);
  th_struct_begin(t);
  th_field_string(t, SE_NAME, "schema");
  th_field_i32(t, SE_NUM_CHILDREN, (int32_t)count);
  th_struct_end(t);
  for (size_t i = 0; i < count; i++) column(t, &columns[i]);
}

void pq_column_orders_write(Thrift *t, int16_t id, size_t count) {
  enum { TYPE_ORDER = 1 };
  th_field_list(t, id, TH_STRUCT, (uint32_t)count);
  for (size_t i = 0; i < count; i++) {
    th_struct_begin(t);
    empty_struct(t, TYPE_ORDER);
    th_struct_end(t);
  }
}
