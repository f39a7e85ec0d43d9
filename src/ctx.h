/* ctx: the one context every phase takes first (arena, diagnostics, files). */
#ifndef LAKEC_CTX_H
#define LAKEC_CTX_H

#include "arena.h"
#include "diag.h"
#include <stdbool.h>

typedef struct Ctx {
  Arena arena;
  DiagList diags;
  PtrVec files; /* SourceFile * */
  PtrVec overrides; /* Override *: values a stage file wrote over its blueprint's */
  PtrVec resolved_refs; /* const Node *: scalars whose ${KEY.ITEM.ATTR} a check took (refs.h) */
  const char *host_arch; /* default Lambda architecture: "x86_64" or "arm64" */
  const char *root; /* --root, canonical: where extends: may read (NULL: per stage file) */
  const char *stage_as; /* --as NAME: the stage name a stage file takes instead of its own
                         * (a preview copy), or NULL */
} Ctx;

/* Where merge replaced a value: diagnostics at `at` get a note about `was`. */
typedef struct Override {
  Pos at, was;
} Override;

void ctx_init(Ctx *ctx);
void ctx_release(Ctx *ctx);

#endif
