/* load: phase 1. YAML bytes -> generic Node tree with positions. */
#ifndef LAKEC_LOAD_H
#define LAKEC_LOAD_H

#include "node.h"

struct Ctx;

#define LOAD_MAX_DEPTH 64
#define LOAD_MAX_NODES 200000 /* counting every alias as a copy of what it names */

/* Parses one YAML document. On any error, reports it and returns NULL. Syntax
 * errors, duplicate keys, tags, several documents, NUL bytes, invalid UTF-8,
 * nesting deeper than LOAD_MAX_DEPTH and alias bombs are all diagnostics. */
Node *load(struct Ctx *ctx, const SourceFile *file);

#endif
