/* coltype: see coltype.h. A recursive-descent parser over the type text
 * that writes Hive's spelling as it goes; Iceberg's spelling is that of the
 * outermost type, since CloudFormation gives an Iceberg field's type as one
 * string and only primitive types fit in one. */
#include "coltype.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every name, in ColKind order up to fixed, then the complex ones and the
 * alias. Hive's and Iceberg's spellings of each primitive (NULL: none). */
static const struct {
  const char *name, *hive, *iceberg;
} PRIMITIVES[] = {
    {"string", "string", "string"},         {"boolean", "boolean", "boolean"},
    {"int", "int", "int"},                  {"long", "bigint", "long"},
    {"float", "float", "float"},            {"double", "double", "double"},
    {"decimal", NULL, NULL},                {"date", "date", "date"},
    {"timestamp", "timestamp", "timestamp"}, {"timestamptz", NULL, "timestamptz"},
    {"binary", "binary", "binary"},         {"uuid", NULL, "uuid"},
    {"time", NULL, "time"},                 {"fixed", NULL, NULL},
};

const char *const COLTYPE_NAMES[] = {"string", "boolean", "int",    "long",  "float",
                                     "double", "decimal", "date",   "timestamp",
                                     "timestamptz", "binary", "uuid", "time", "fixed",
                                     "array",  "map",     "struct", "bigint", NULL};

enum { DECIMAL_MAX_PRECISION = 38 };

typedef struct Parser {
  const char *text;
  size_t i;
  ColType *out;
  size_t hive_len;
  bool too_long; /* Hive's spelling did not fit in out->hive */
  ColTypeError *err;
} Parser;

static bool fail(Parser *p, size_t at, size_t len, const char *why) {
  if (!p->err->why)
    *p->err = (ColTypeError){.why = why, .at = at, .len = len ? len : 1};
  return false;
}

static void emit(Parser *p, const char *s) {
  size_t n = strlen(s);
  if (p->hive_len + n < sizeof p->out->hive) {
    memcpy(p->out->hive + p->hive_len, s, n + 1);
    p->hive_len += n;
  } else {
    p->too_long = true;
  }
}

static void skip_spaces(Parser *p) {
  while (p->text[p->i] == ' ')
    p->i++;
}

static bool expect(Parser *p, char c, const char *why) {
  skip_spaces(p);
  if (p->text[p->i] != c)
    return fail(p, p->i, 1, why);
  p->i++;
  skip_spaces(p);
  return true;
}

/* [a-z_][a-z0-9_]*: a type name or a struct field's. */
static size_t word_at(const char *s) {
  size_t n = 0;
  while (islower((unsigned char)s[n]) || s[n] == '_' || (n && isdigit((unsigned char)s[n])))
    n++;
  return n;
}

static bool number(Parser *p, long *v, long min, long max, const char *why) {
  skip_spaces(p);
  size_t start = p->i;
  if (!isdigit((unsigned char)p->text[p->i]))
    return fail(p, p->i, 1, why);
  char *end;
  *v = strtol(p->text + p->i, &end, 10);
  p->i = (size_t)(end - p->text);
  if (*v < min || *v > max)
    return fail(p, start, p->i - start, why);
  skip_spaces(p);
  return true;
}

static bool type(Parser *p, ColKind *kind, int depth);

/* decimal(P,S): 1 <= P <= 38, 0 <= S <= P. */
static bool decimal(Parser *p, bool outer) {
  long precision, scale;
  if (!expect(p, '(', "decimal needs its precision and scale: decimal(P,S)") ||
      !number(p, &precision, 1, DECIMAL_MAX_PRECISION,
              "a decimal's precision is 1 to 38 digits") ||
      !expect(p, ',', "decimal needs its precision and scale: decimal(P,S)") ||
      !number(p, &scale, 0, precision, "a decimal's scale is 0 to its precision") ||
      !expect(p, ')', "decimal(P,S) is closed by ')'"))
    return false;
  char spelled[32];
  snprintf(spelled, sizeof spelled, "decimal(%ld,%ld)", precision, scale);
  emit(p, spelled);
  if (outer) {
    p->out->precision = (int)precision, p->out->scale = (int)scale;
    snprintf(p->out->iceberg, sizeof p->out->iceberg, "%s", spelled);
  }
  return true;
}

/* fixed(L): Iceberg's fixed[L], L bytes. */
static bool fixed(Parser *p, bool outer) {
  long length;
  if (!expect(p, '(', "fixed needs its length in bytes: fixed(L)") ||
      !number(p, &length, 1, 1L << 30, "a fixed type's length is at least 1 byte") ||
      !expect(p, ')', "fixed(L) is closed by ')'"))
    return false;
  p->out->iceberg_only = true;
  if (outer) {
    p->out->length = length;
    snprintf(p->out->iceberg, sizeof p->out->iceberg, "fixed[%ld]", length);
  }
  return true;
}

static bool array(Parser *p, int depth) {
  ColKind element;
  emit(p, "array<");
  if (!expect(p, '<', "array needs its element type: array<T>") || !type(p, &element, depth + 1))
    return false;
  emit(p, ">");
  return expect(p, '>', "array<T> is closed by '>'");
}

static bool map(Parser *p, int depth) {
  ColKind key, value;
  emit(p, "map<");
  if (!expect(p, '<', "map needs its key and value types: map<K,V>"))
    return false;
  size_t key_at = p->i;
  if (!type(p, &key, depth + 1))
    return false;
  if (coltype_is_complex(key))
    return fail(p, key_at, p->i - key_at, "a map's key is a primitive type");
  emit(p, ",");
  if (!expect(p, ',', "map needs its key and value types: map<K,V>") ||
      !type(p, &value, depth + 1))
    return false;
  emit(p, ">");
  return expect(p, '>', "map<K,V> is closed by '>'");
}

/* struct<name:T, ...>: at least one field. */
static bool structure(Parser *p, int depth) {
  emit(p, "struct<");
  if (!expect(p, '<', "struct needs its fields: struct<name:T,...>"))
    return false;
  for (bool first = true;; first = false) {
    size_t n = word_at(p->text + p->i);
    if (!n)
      return fail(p, p->i, 1, "a struct field is name:type, the name in lowercase");
    if (n > 255) /* Glue's limit for a column name */
      return fail(p, p->i, n, "a struct field name has at most 255 characters");
    char name[260];
    snprintf(name, sizeof name, "%s%.*s:", first ? "" : ",", (int)n, p->text + p->i);
    emit(p, name);
    p->i += n;
    ColKind k;
    if (!expect(p, ':', "a struct field is name:type") || !type(p, &k, depth + 1))
      return false;
    skip_spaces(p);
    if (p->text[p->i] != ',')
      break;
    p->i++;
    skip_spaces(p);
  }
  emit(p, ">");
  return expect(p, '>', "struct<...> is closed by '>'");
}

static bool primitive(Parser *p, size_t at, size_t n, ColKind *kind, bool outer) {
  for (size_t k = 0; k < sizeof PRIMITIVES / sizeof *PRIMITIVES; k++) {
    if (strlen(PRIMITIVES[k].name) != n || strncmp(PRIMITIVES[k].name, p->text + at, n))
      continue;
    *kind = (ColKind)k;
    if (*kind == COL_DECIMAL)
      return decimal(p, outer);
    if (*kind == COL_FIXED)
      return fixed(p, outer);
    if (PRIMITIVES[k].hive)
      emit(p, PRIMITIVES[k].hive);
    p->out->iceberg_only |= !PRIMITIVES[k].hive && *kind != COL_TIMESTAMPTZ;
    p->out->zoned |= *kind == COL_TIMESTAMPTZ;
    if (outer)
      snprintf(p->out->iceberg, sizeof p->out->iceberg, "%s", PRIMITIVES[k].iceberg);
    return true;
  }
  if (n == 6 && !strncmp(p->text + at, "bigint", 6)) {
    *kind = COL_LONG;
    emit(p, "bigint");
    if (outer)
      snprintf(p->out->iceberg, sizeof p->out->iceberg, "long");
    return true;
  }
  fail(p, at, n, "unknown type");
  snprintf(p->err->word, sizeof p->err->word, "%.*s", (int)n, p->text + at);
  return false;
}

enum { DEPTH_MAX = 16 };

static bool type(Parser *p, ColKind *kind, int depth) {
  skip_spaces(p);
  size_t at = p->i, n = word_at(p->text + at);
  if (!n)
    return fail(p, at, 1, "a type is expected here");
  if (depth > DEPTH_MAX)
    return fail(p, at, n, "types nest at most 16 deep");
  p->i += n;
  if (n == 5 && !strncmp(p->text + at, "array", 5))
    return *kind = COL_ARRAY, array(p, depth);
  if (n == 3 && !strncmp(p->text + at, "map", 3))
    return *kind = COL_MAP, map(p, depth);
  if (n == 6 && !strncmp(p->text + at, "struct", 6))
    return *kind = COL_STRUCT, structure(p, depth);
  return primitive(p, at, n, kind, depth == 0);
}

bool coltype_parse(const char *text, ColType *out, ColTypeError *err) {
  memset(out, 0, sizeof *out);
  memset(err, 0, sizeof *err);
  Parser p = {text, 0, out, 0, false, err};
  if (!type(&p, &out->kind, 0))
    return false;
  skip_spaces(&p);
  if (text[p.i])
    return fail(&p, p.i, strlen(text + p.i), "unexpected text after the type");
  if (p.too_long)
    return fail(&p, 0, strlen(text), "the type is longer than lakec writes a column type (511 "
                                     "characters in Hive's spelling)");
  if (out->iceberg_only || out->zoned)
    out->hive[0] = '\0';
  return true;
}

bool coltype_is_complex(ColKind k) {
  return k == COL_ARRAY || k == COL_MAP || k == COL_STRUCT;
}
