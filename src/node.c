/* node: constructors and the YAML 1.2 core-schema reading of plain scalars. */
#include "node.h"
#include "ctx.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static Node *node_new(Ctx *ctx, NodeKind kind, Pos pos) {
  Node *n = arena_alloc(&ctx->arena, sizeof *n);
  n->kind = kind;
  n->pos = pos;
  return n;
}

Node *node_new_scalar(Ctx *ctx, Pos pos, const char *str, bool quoted) {
  Node *n = node_new(ctx, NODE_SCALAR, pos);
  n->str = str;
  n->quoted = quoted;
  return n;
}

Node *node_new_map(Ctx *ctx, Pos pos, size_t cap) {
  Node *n = node_new(ctx, NODE_MAP, pos);
  n->pairs = cap ? arena_alloc(&ctx->arena, cap * sizeof *n->pairs) : NULL;
  return n;
}

Node *node_new_seq(Ctx *ctx, Pos pos, size_t cap) {
  Node *n = node_new(ctx, NODE_SEQ, pos);
  n->items = cap ? arena_alloc(&ctx->arena, cap * sizeof *n->items) : NULL;
  return n;
}

NodePair *node_get_pair(const Node *map, const char *key) {
  if (!map || map->kind != NODE_MAP)
    return NULL;
  for (size_t i = 0; i < map->count; i++)
    if (strcmp(map->pairs[i].key->str, key) == 0)
      return &map->pairs[i];
  return NULL;
}

Node *node_get(const Node *map, const char *key) {
  NodePair *p = node_get_pair(map, key);
  return p ? p->value : NULL;
}

bool node_is_null(const Node *n) {
  if (!n || n->kind != NODE_SCALAR || n->quoted)
    return false;
  const char *s = n->str;
  return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
         !strcmp(s, "NULL");
}

bool node_scalar_bool(const Node *n, bool *out) {
  if (!n || n->kind != NODE_SCALAR || n->quoted)
    return false;
  const char *s = n->str;
  if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE")) {
    *out = true;
    return true;
  }
  if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE")) {
    *out = false;
    return true;
  }
  return false;
}

bool node_scalar_int(const Node *n, long long *out) {
  if (!n || n->kind != NODE_SCALAR || n->quoted)
    return false;
  const char *s = n->str;
  const char *digits = (*s == '-' || *s == '+') ? s + 1 : s;
  if (!*digits)
    return false;
  for (const char *p = digits; *p; p++)
    if (*p < '0' || *p > '9')
      return false;
  errno = 0;
  long long v = strtoll(s, NULL, 10);
  if (errno == ERANGE)
    return false;
  *out = v;
  return true;
}

const char *node_describe(const Node *n) {
  if (!n)
    return "nothing";
  switch (n->kind) {
  case NODE_MAP:
    return "a map";
  case NODE_SEQ:
    return "a sequence";
  case NODE_SCALAR:
    break;
  }
  bool b;
  long long i;
  if (node_is_null(n))
    return "null";
  if (node_scalar_bool(n, &b))
    return "a boolean";
  if (node_scalar_int(n, &i))
    return "a number";
  return "a string";
}

Pos node_pos_within(const Node *n, size_t at, size_t len) {
  Pos p = n->pos;
  if (p.len && at + len <= strlen(n->str)) {
    p.col += (unsigned)at + (n->quoted ? 1u : 0u);
    p.len = (unsigned)len;
  }
  return p;
}

const char *node_intrinsic(const Node *n) {
  if (n->kind != NODE_MAP || n->count != 1)
    return NULL;
  const char *k = n->pairs[0].key->str;
  return !strcmp(k, "Ref") || !strncmp(k, "Fn::", 4) ? k : NULL;
}
