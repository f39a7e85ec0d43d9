/* schema: the stage language as data. One table per construct says which keys
 * exist, their types, defaults, ranges and allowed values, and where the
 * decoded value lands in the model. decode.c reads these tables to build the
 * model; the JSON Schema, the stage matrix and the README test read them too,
 * so the language has one source of truth. Each construct's table lives in
 * its own file (src/constructs/); this header holds the table types. */
#ifndef LAKEC_SCHEMA_H
#define LAKEC_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
  F_NODE,    /* const Node *: any YAML, kept as written (raw CloudFormation, patch values) */
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
  bool number; /* F_STR: a number written as one, or as text (a ${var.NAME}); check reads it */
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

#define NO_KEY ((size_t)-1)
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
/* A Shape literal for struct T whose node member is `node`. */
#define SHAPE(T, nm, fields_, ...)                                                       \
  {.name = nm, .size = sizeof(T), .node_offset = offsetof(T, node), .fields = fields_,   \
   .nfields = COUNT(fields_), __VA_ARGS__}

/* The stage's own keys (lakec, project, stage, tags, stacks, ...). */
extern const Field SCHEMA_STAGE_FIELDS[];
extern const size_t SCHEMA_STAGE_FIELDS_COUNT;

/* The whole stage: its own keys, then one key per construct of the registry
 * (built once, on first use). */
const Shape *schema_stage(void);
/* A function's grant: one key, a verb some construct offers (built with the
 * stage's shape). Referenced by the function's table. */
extern Shape schema_grant;

extern const char *const ENUM_ARCH[];
extern const char *const ENUM_AUTH[];

/* An API stage's default throttling, `throttle: {rate, burst}` (a Throttle). */
#define THROTTLE_DEFAULT_RATE "100"
#define THROTTLE_DEFAULT_BURST "200"
extern const Shape SCHEMA_THROTTLE;

#endif
