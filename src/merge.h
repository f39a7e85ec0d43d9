/* merge: phase 2. A stage file and its extends: chain -> one tree, variables expanded. */
#ifndef LAKEC_MERGE_H
#define LAKEC_MERGE_H

#include "node.h"

struct Ctx;

#define MERGE_MAX_CHAIN 16

/* Loads path and every file it extends (paths relative to the extending file),
 * deep-merges them (the extending file wins; maps merge, sequences and scalars
 * are replaced, null removes a key), then expands ${stage}, ${project},
 * ${region}, ${account} and ${var.NAME} in string values ($${ is a literal ${).
 * Returns NULL when nothing could be loaded; otherwise the tree, with any
 * errors reported. */
Node *merge(struct Ctx *ctx, const char *path);

/* The two steps on their own, for tests and for inputs already in memory. */
Node *merge_trees(struct Ctx *ctx, const Node *base, const Node *over);
Node *merge_interpolate(struct Ctx *ctx, Node *root);

#endif
