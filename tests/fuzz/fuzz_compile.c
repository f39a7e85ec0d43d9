/* libFuzzer target: any bytes through load -> merge (interpolation) -> check
 * -> lower -> link -> emit (every stack's template and the manifest). Every
 * input must end in diagnostics or templates, never in a crash, a sanitizer
 * report or a leak. */
#include "check.h"
#include "ctx.h"
#include "emit.h"
#include "load.h"
#include "link.h"
#include "lower.h"
#include "merge.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > SOURCE_MAX_BYTES)
    return 0;
  Ctx ctx;
  ctx_init(&ctx);
  SourceFile *f = source_from_memory(&ctx, "fuzz.yaml", (const char *)data, size);
  Node *root = load(&ctx, f);
  if (root) {
    Model *m = check(&ctx, merge_interpolate(&ctx, root));
    if (!ctx.diags.errors) {
      Ir *ir = lower(&ctx, m);
      Linked *l = ctx.diags.errors ? NULL : link_stacks(&ctx, ir);
      for (size_t i = 0; l && i < l->len; i++)
        free(emit_json_text(l->stacks[i]->template));
      if (l)
        free(emit_manifest_text(ir, l, "fuzz.yaml"));
      linked_free(l);
      ir_free(ir);
    }
  }
  FILE *sink = fopen("/dev/null", "w");
  if (sink) {
    diag_render(&ctx, sink, false);
    fclose(sink);
  }
  ctx_release(&ctx);
  return 0;
}
