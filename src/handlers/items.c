/* items: see items.h. Text goes through a Buffer that aborts when memory
 * runs out, like the handlers' other allocations. */
#include "items.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put(Buffer *b, const char *s, size_t n) {
  if (!buffer_append(b, s, n))
    abort();
}

static void put_text(Buffer *b, const char *s) { put(b, s, strlen(s)); }

static bool fail(char *why, size_t size, const char *message) {
  snprintf(why, size, "%s", message);
  return false;
}

/* ---- canonical JSON ---- */

static void put_json_string(Buffer *b, const char *s, size_t n) {
  put(b, "\"", 1);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    char esc[8];
    if (c == '"' || c == '\\') {
      esc[0] = '\\', esc[1] = (char)c;
      put(b, esc, 2);
    } else if (c < 0x20) {
      const char *named = c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t"
                          : c == '\b' ? "\\b" : c == '\f' ? "\\f" : NULL;
      if (!named)
        snprintf(esc, sizeof esc, "\\u%04x", c), named = esc;
      put_text(b, named);
    } else {
      put(b, s + i, 1);
    }
  }
  put(b, "\"", 1);
}

/* The one type of an attribute value ({"S": ...}), or NULL. */
static const char *type_of(json_t *value, json_t **inner) {
  if (!json_is_object(value) || json_object_size(value) != 1)
    return NULL;
  const char *type = json_object_iter_key(json_object_iter(value));
  *inner = json_object_iter_value(json_object_iter(value));
  return type;
}

static int compare_bytes(const void *a, const void *b) {
  json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
  size_t nx = json_string_length(x), ny = json_string_length(y);
  int c = memcmp(json_string_value(x), json_string_value(y), nx < ny ? nx : ny);
  return c ? c : (nx > ny) - (nx < ny);
}

static int compare_numbers(const void *a, const void *b) {
  double x = strtod(json_string_value(*(json_t *const *)a), NULL);
  double y = strtod(json_string_value(*(json_t *const *)b), NULL);
  return x < y ? -1 : x > y ? 1 : compare_bytes(a, b);
}

/* A set's members (strings), sorted, as a JSON array: numbers bare. */
static bool put_set(Buffer *b, json_t *members, bool numbers, char *why, size_t size) {
  if (!json_is_array(members))
    return fail(why, size, "a set that is not a list");
  size_t n = json_array_size(members);
  json_t **sorted = malloc((n ? n : 1) * sizeof *sorted);
  if (!sorted)
    abort();
  for (size_t i = 0; i < n; i++)
    if (!json_is_string(sorted[i] = json_array_get(members, i))) {
      free(sorted);
      return fail(why, size, "a set member that is not a string");
    }
  qsort(sorted, n, sizeof *sorted, numbers ? compare_numbers : compare_bytes);
  put(b, "[", 1);
  for (size_t i = 0; i < n; i++) {
    if (i)
      put(b, ",", 1);
    if (numbers)
      put(b, json_string_value(sorted[i]), json_string_length(sorted[i]));
    else
      put_json_string(b, json_string_value(sorted[i]), json_string_length(sorted[i]));
  }
  put(b, "]", 1);
  free(sorted);
  return true;
}

static bool put_value(Buffer *b, json_t *value, int depth, char *why, size_t size);

static int compare_keys(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool put_map(Buffer *b, json_t *map, int depth, char *why, size_t size) {
  if (!json_is_object(map))
    return fail(why, size, "an M that is not a map");
  size_t n = json_object_size(map), i = 0;
  const char **keys = malloc((n ? n : 1) * sizeof *keys);
  if (!keys)
    abort();
  const char *key;
  json_t *v;
  json_object_foreach(map, key, v)
    keys[i++] = key;
  qsort(keys, n, sizeof *keys, compare_keys);
  bool ok = true;
  put(b, "{", 1);
  for (i = 0; i < n && ok; i++) {
    if (i)
      put(b, ",", 1);
    put_json_string(b, keys[i], strlen(keys[i]));
    put(b, ":", 1);
    ok = put_value(b, json_object_get(map, keys[i]), depth + 1, why, size);
  }
  put(b, "}", 1);
  free(keys);
  return ok;
}

static bool put_list(Buffer *b, json_t *list, int depth, char *why, size_t size) {
  if (!json_is_array(list))
    return fail(why, size, "an L that is not a list");
  bool ok = true;
  put(b, "[", 1);
  for (size_t i = 0; i < json_array_size(list) && ok; i++) {
    if (i)
      put(b, ",", 1);
    ok = put_value(b, json_array_get(list, i), depth + 1, why, size);
  }
  put(b, "]", 1);
  return ok;
}

static const char *digits(const char *p) {
  while (isdigit((unsigned char)*p))
    p++;
  return p;
}

/* DynamoDB sends N as text (normalized: no leading zero, no '+', at most
 * 1e126); it goes into the JSON bare, so it must be a number by JSON's
 * grammar, -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, and one a reader
 * can hold (finite as a double). */
static bool number_text_ok(json_t *n) {
  const char *s = json_string_value(n), *p;
  if (!s || json_string_length(n) != strlen(s))
    return false;
  p = s + (*s == '-');
  if (*p == '0')
    p++;
  else if (isdigit((unsigned char)*p))
    p = digits(p);
  else
    return false;
  if (*p == '.' && isdigit((unsigned char)p[1]))
    p = digits(p + 1);
  if ((*p == 'e' || *p == 'E')) {
    p += p[1] == '+' || p[1] == '-' ? 2 : 1;
    if (!isdigit((unsigned char)*p))
      return false;
    p = digits(p);
  }
  return *p == '\0' && isfinite(strtod(s, NULL));
}

static bool put_value(Buffer *b, json_t *value, int depth, char *why, size_t size) {
  json_t *inner;
  const char *type = type_of(value, &inner);
  if (depth > ITEMS_MAX_NESTING)
    return fail(why, size, "attribute values nested too deep");
  if (!type)
    return fail(why, size, "not an attribute value (an object with one type)");
  if ((!strcmp(type, "S") || !strcmp(type, "B")) && json_is_string(inner))
    put_json_string(b, json_string_value(inner), json_string_length(inner));
  else if (!strcmp(type, "N") && number_text_ok(inner))
    put_text(b, json_string_value(inner));
  else if (!strcmp(type, "BOOL") && json_is_boolean(inner))
    put_text(b, json_is_true(inner) ? "true" : "false");
  else if (!strcmp(type, "NULL"))
    put_text(b, "null");
  else if (!strcmp(type, "M"))
    return put_map(b, inner, depth, why, size);
  else if (!strcmp(type, "L"))
    return put_list(b, inner, depth, why, size);
  else if (!strcmp(type, "SS") || !strcmp(type, "BS") || !strcmp(type, "NS")) {
    if (!strcmp(type, "NS"))
      for (size_t i = 0; i < json_array_size(inner); i++)
        if (!number_text_ok(json_array_get(inner, i)))
          return fail(why, size, "an NS member that is not a number");
    return put_set(b, inner, !strcmp(type, "NS"), why, size);
  } else
    return fail(why, size, "an attribute value of unknown type or shape");
  return true;
}

bool items_canonical_json(Buffer *out, json_t *value, char *why, size_t size) {
  size_t before = out->len;
  bool ok = put_value(out, value, 0, why, size);
  if (!ok && out->data)
    out->data[out->len = before] = '\0';
  return ok;
}

/* ---- CSV ---- */

static void put_field(Buffer *b, const char *s, size_t n) {
  bool quote = false;
  for (size_t i = 0; i < n && !quote; i++)
    quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
  if (!quote) {
    put(b, s, n);
    return;
  }
  put(b, "\"", 1);
  for (const char *p = s, *end = s + n; p < end;) {
    const char *q = memchr(p, '"', (size_t)(end - p));
    size_t run = q ? (size_t)(q - p) + 1 : (size_t)(end - p);
    put(b, p, run);
    if (q)
      put(b, "\"", 1); /* the quote doubled */
    p += run;
  }
  put(b, "\"", 1);
}

void items_append_header(Buffer *out, const NormalizeColumns *cols) {
  for (size_t i = 0; i < cols->count; i++) {
    if (i)
      put(out, ",", 1);
    put_text(out, cols->items[i].name);
  }
  put(out, "\n", 1);
}

/* The attribute value at the column's path, or NULL when any step is
 * missing or not a map. */
static json_t *value_at(json_t *item, const NormalizeColumn *c) {
  json_t *value = json_object_get(item, c->path[0]), *inner;
  for (size_t i = 1; i < c->depth && value; i++) {
    const char *type = type_of(value, &inner);
    value = type && !strcmp(type, "M") ? json_object_get(inner, c->path[i]) : NULL;
  }
  return value;
}

/* The column's field: scalars as their text, containers as canonical JSON. */
static bool put_column(Buffer *b, json_t *value, Buffer *scratch, char *why, size_t size) {
  json_t *inner;
  const char *type = value ? type_of(value, &inner) : "NULL";
  if (!type)
    return fail(why, size, "not an attribute value (an object with one type)");
  if ((!strcmp(type, "S") || !strcmp(type, "B")) && json_is_string(inner)) {
    put_field(b, json_string_value(inner), json_string_length(inner));
    return true;
  }
  if (!strcmp(type, "NULL"))
    return true;
  scratch->len = 0;
  if (!put_value(scratch, value, 0, why, size))
    return false;
  put_field(b, scratch->data, scratch->len);
  return true;
}

bool items_append_row(Buffer *out, json_t *item, const NormalizeColumns *cols, char *why,
                      size_t size) {
  if (!json_is_object(item))
    return fail(why, size, "an item that is not a map of attribute values");
  size_t before = out->len;
  Buffer scratch = {0};
  bool ok = true;
  for (size_t i = 0; i < cols->count && ok; i++) {
    if (i)
      put(out, ",", 1);
    ok = put_column(out, value_at(item, &cols->items[i]), &scratch, why, size);
  }
  /* one empty field alone would be a blank line, which readers skip */
  if (ok && cols->count == 1 && out->len == before)
    put(out, "\"\"", 2);
  put(out, "\n", 1);
  free(scratch.data);
  if (!ok && out->data)
    out->data[out->len = before] = '\0';
  return ok;
}
