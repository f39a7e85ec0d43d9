/* decode: the generic, table-driven half of check. Walks a Node tree against a
 * Shape (schema.h) and fills the model struct: types, required keys, unknown
 * keys with suggestions, ranges, enums and defaults. No cross-references here. */
#ifndef LAKEC_DECODE_H
#define LAKEC_DECODE_H

#include "node.h"
#include "schema.h"

struct Ctx;

/* Fills dst (a zeroed struct of shape->size) from node; reports every problem
 * found. `where` names the thing in messages ("stage", "function 'ingest'"). */
void decode_struct(struct Ctx *ctx, const Shape *shape, const Node *node, void *dst,
                   const char *where);

/* The position of key's value in a map node, else of the key-less map itself. */
Pos decode_value_pos(const Node *map, const char *key);

#endif
