/* ctx: set-up and tear-down of the context shared by all phases. */
#include "ctx.h"

#include <string.h>

void ctx_init(Ctx *ctx) {
  memset(ctx, 0, sizeof *ctx);
  arena_init(&ctx->arena);
#if defined(__aarch64__)
  ctx->host_arch = "arm64";
#else
  ctx->host_arch = "x86_64";
#endif
}

void ctx_release(Ctx *ctx) { arena_release(&ctx->arena); }
