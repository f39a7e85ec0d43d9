/* compile: runs the phases in order. A file that does not load stops there;
 * merge and check both run on a loaded file so that one run reports all of
 * its errors; lower only ever sees a model that check accepted. */
#include "compile.h"
#include "check.h"
#include "ctx.h"
#include "lower.h"
#include "merge.h"

Compiled compile_stage(Ctx *ctx, const char *path) {
  Compiled c = {path, NULL, NULL};
  unsigned before = ctx->diags.errors;
  Node *root = merge(ctx, path); /* load happens inside merge, once per file */
  if (!root)
    return c;
  c.model = check(ctx, root);
  if (ctx->diags.errors != before)
    return c;
  c.ir = lower(ctx, c.model);
  return c;
}
