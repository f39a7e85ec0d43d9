/* node: the generic YAML tree (map / sequence / scalar) that load builds and
 * merge rewrites; every node carries the position it was written at. */
#ifndef LAKEC_NODE_H
#define LAKEC_NODE_H

#include "source.h"
#include <stdbool.h>
#include <stddef.h>

typedef enum { NODE_SCALAR, NODE_MAP, NODE_SEQ } NodeKind;

typedef struct Node Node;
typedef struct NodePair {
  Node *key; /* always a scalar */
  Node *value;
} NodePair;

struct Node {
  NodeKind kind;
  Pos pos;
  /* scalars */
  const char *str; /* NUL-terminated; YAML escapes cannot smuggle a NUL (load refuses) */
  bool quoted;     /* written quoted or as a block: never null, bool or number */
  /* Already reported, spare it the checks that would only repeat that: a
   * scalar whose ${...} could not be expanded, or a stage file's map whose
   * extends: could not be read (the keys it lacks may be in that file). */
  bool unresolved;
  /* maps and sequences, in source order */
  NodePair *pairs;
  Node **items;
  size_t count;
};

struct Ctx;
Node *node_new_scalar(struct Ctx *ctx, Pos pos, const char *str, bool quoted);
Node *node_new_map(struct Ctx *ctx, Pos pos, size_t cap);
Node *node_new_seq(struct Ctx *ctx, Pos pos, size_t cap);

/* The pair for key in a map node, or NULL. */
NodePair *node_get_pair(const Node *map, const char *key);
/* The value under key in a map node, or NULL (also NULL for a non-map). */
Node *node_get(const Node *map, const char *key);
/* A plain null: `~`, `null`, `Null`, `NULL` or nothing at all. */
bool node_is_null(const Node *n);
/* "a map", "a sequence", "a string", "a number", "a boolean", "null". */
const char *node_describe(const Node *n);
/* Where characters [at, at+len) of a one-line scalar are (the scalar's own
 * position when it spans lines). */
Pos node_pos_within(const Node *n, size_t at, size_t len);
/* The function's name when n is a one-key map {Ref: X} or {Fn::...: ...}
 * (a CloudFormation intrinsic function, or its short form !Ref X), else NULL. */
const char *node_intrinsic(const Node *n);
bool node_scalar_bool(const Node *n, bool *out);
bool node_scalar_int(const Node *n, long long *out);

#endif
