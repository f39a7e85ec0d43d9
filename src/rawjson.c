/* rawjson: see rawjson.h. */
#include "rawjson.h"
#include "refs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

json_t *rawjson_plain_scalar(const Node *n) {
  if (n->kind != NODE_SCALAR || n->quoted)
    return NULL;
  if (node_is_null(n))
    return json_null();
  bool b;
  if (node_scalar_bool(n, &b))
    return json_boolean(b);
  long long i;
  const char *unsigned_text = n->str + (n->str[0] == '-' || n->str[0] == '+');
  if (node_scalar_int(n, &i) && !(unsigned_text[0] == '0' && unsigned_text[1])) /* an id */
    return json_integer(i);
  /* a decimal: digits with one '.', as YAML 1.2's core schema reads a float */
  const char *s = n->str, *p = (*s == '-' || *s == '+') ? s + 1 : s;
  size_t digits = strspn(p, "0123456789");
  if (p[digits] == '.' && (digits || p[digits + 1]) &&
      p[digits + 1 + strspn(p + digits + 1, "0123456789")] == '\0') {
    errno = 0;
    double v = strtod(s, NULL);
    if (!errno)
      return json_real(v);
  }
  return NULL;
}

/* A scalar: its typed value, or its text with lakec's references resolved
 * (in_sub: the text of an Fn::Sub, where they become Sub variables). */
static json_t *scalar(Ctx *ctx, Ir *ir, const Model *m, const Node *n, bool in_sub) {
  json_t *typed = rawjson_plain_scalar(n);
  if (typed)
    return typed;
  if (!strstr(n->str, "${"))
    return json_string(n->str);
  if (in_sub)
    return json_string(refs_expand_in_sub(ctx, ir, m, n->str));
  const Construct *c;
  const char *item, *attr;
  if (refs_whole(ctx, n->str, &c, &item, &attr))
    return construct_ref(ctx, ir, c, construct_find(m, c, item), attr);
  return refs_expand(ctx, ir, m, n->str);
}

static json_t *convert(Ctx *ctx, Ir *ir, const Model *m, const Node *n, bool in_sub);

/* Fn::Sub's text is its value, or the first item of its list form. */
static json_t *map(Ctx *ctx, Ir *ir, const Model *m, const Node *n) {
  json_t *out = json_object();
  for (size_t i = 0; i < n->count; i++) {
    const Node *value = n->pairs[i].value;
    bool sub = !strcmp(n->pairs[i].key->str, "Fn::Sub");
    json_t *v;
    const char *dot = value->kind == NODE_SCALAR ? strchr(value->str, '.') : NULL;
    if (!strcmp(n->pairs[i].key->str, "Fn::GetAtt") && dot) { /* !GetAtt A.B: JSON takes [A, B] */
      v = json_pack("[s#,s]", value->str, (int)(dot - value->str), dot + 1);
    } else if (sub && value->kind == NODE_SEQ) {
      v = json_array();
      for (size_t k = 0; k < value->count; k++)
        json_array_append_new(v, convert(ctx, ir, m, value->items[k], k == 0));
    } else {
      v = convert(ctx, ir, m, value, sub);
    }
    json_object_set_new(out, n->pairs[i].key->str, v);
  }
  return out;
}

static json_t *convert(Ctx *ctx, Ir *ir, const Model *m, const Node *n, bool in_sub) {
  switch (n->kind) {
  case NODE_SCALAR:
    return scalar(ctx, ir, m, n, in_sub);
  case NODE_MAP:
    return map(ctx, ir, m, n);
  case NODE_SEQ: {
    json_t *out = json_array();
    for (size_t i = 0; i < n->count; i++)
      json_array_append_new(out, convert(ctx, ir, m, n->items[i], false));
    return out;
  }
  }
  BUG("unknown node kind %d", (int)n->kind);
}

json_t *rawjson(Ctx *ctx, Ir *ir, const Model *m, const Node *n) {
  return n ? convert(ctx, ir, m, n, false) : json_null();
}
