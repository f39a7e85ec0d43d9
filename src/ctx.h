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
  const char *host_arch; /* default Lambda architecture: "x86_64" or "arm64" */
} Ctx;

void ctx_init(Ctx *ctx);
void ctx_release(Ctx *ctx);

#endif
