/* schema: the stage language as data. One table per construct says which keys
 * exist, their types, defaults, ranges and allowed values, and where the
 * decoded value lands in the model. decode.c reads these tables to build the
 * model; the README reference and (later) the JSON Schema come from them too,
 * so the language has one source of truth. Adding a construct = a Shape here,
 * a struct in model.h, and a lowering file. */
#ifndef LAKEC_SCHEMA_H
#define LAKEC_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
  F_STR,     /* const char *; any scalar but null is read as its text */
  F_INT,     /* long long within [min, max] */
  F_BOOL,    /* int: 0 / 1, TRI_UNSET when absent and no default */
  F_ENUM,    /* int: index into values */
  F_STRMAP,  /* StrMap: map of name -> scalar */
  F_STRLIST, /* StrList: sequence of scalars */
  F_STRUCT,  /* a nested Shape, in place */
  F_MAP_OF,  /* LIST(T): map of name -> Shape, name stored at shape->key_offset */
  F_LIST_OF, /* LIST(T): sequence of Shape */
} FieldType;

typedef struct Shape Shape;

typedef struct Field {
  const char *key;
  FieldType type;
  size_t offset;
  bool required;
  const char *def; /* default, as documented; decode applies it unless computed */
  bool computed;   /* the default depends on other values: check fills it in */
  long long min, max;
  const char *const *values; /* F_ENUM: NULL-terminated */
  const Shape *shape;        /* F_STRUCT, F_MAP_OF, F_LIST_OF */
  const char *doc;
} Field;

struct Shape {
  const char *name; /* "function", "bucket", ... used in messages */
  size_t size;      /* sizeof the model struct */
  size_t node_offset;
  size_t key_offset; /* F_MAP_OF elements: where the map key goes; (size_t)-1 if none */
  const char *shorthand; /* a scalar written in place of the map sets this key */
  bool exactly_one;      /* exactly one of the keys must be written (grants) */
  const Field *fields;
  size_t nfields;
};

extern const Shape SHAPE_STAGE;
extern const char *const ENUM_ARCH[];
extern const char *const ENUM_AUTH[];

#endif
