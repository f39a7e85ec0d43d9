/* coltype: the column types of catalog tables, one vocabulary for Hive
 * (Parquet, JSON, CSV tables) and Iceberg tables, parsed once and spelled
 * for each format: `long` is Hive's `bigint`, `fixed(16)` is Iceberg's
 * `fixed[16]`. The parser knows nothing of the stage file: it says what is
 * wrong and where in the text, and the caller reports it. */
#ifndef LAKEC_COLTYPE_H
#define LAKEC_COLTYPE_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
  COL_STRING,
  COL_BOOLEAN,
  COL_INT,
  COL_LONG,
  COL_FLOAT,
  COL_DOUBLE,
  COL_DECIMAL,
  COL_DATE,
  COL_TIMESTAMP,
  COL_TIMESTAMPTZ,
  COL_BINARY,
  COL_UUID, /* Iceberg only, like time and fixed */
  COL_TIME,
  COL_FIXED,
  COL_ARRAY,
  COL_MAP,
  COL_STRUCT,
} ColKind;

/* The names a type may start with, for did-you-mean (NULL-terminated). */
extern const char *const COLTYPE_NAMES[];

typedef struct ColType {
  ColKind kind;        /* the outermost type */
  int precision, scale; /* decimal */
  long length;         /* fixed */
  bool iceberg_only;   /* uuid, time or fixed anywhere in it */
  bool zoned;          /* timestamptz anywhere in it */
  char hive[512];      /* Hive's spelling (empty when iceberg_only or zoned) */
  char iceberg[64];    /* Iceberg's spelling (empty for a complex type) */
} ColType;

typedef struct ColTypeError {
  const char *why;  /* NULL: parsed */
  size_t at, len;   /* the part of the text that is wrong */
  char word[32];    /* an unknown type name, for did-you-mean ("" otherwise) */
} ColTypeError;

/* Parses text into *out; false (with *err) when it is not a type of the
 * vocabulary. */
bool coltype_parse(const char *text, ColType *out, ColTypeError *err);
/* A primitive type of a kind Iceberg requires identifier fields not to be
 * (float, double) or a complex one. */
bool coltype_is_complex(ColKind k);

#endif
