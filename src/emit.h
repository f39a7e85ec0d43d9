/* emit: phase 5. IR -> files: DIR/<stage>/template.json and assets.json. */
#ifndef LAKEC_EMIT_H
#define LAKEC_EMIT_H

#include "ir.h"
#include <stdio.h>

struct Ctx;

/* The template's text: two-space indent, keys in IR order, trailing newline.
 * Byte-identical for identical IR. Caller frees. */
char *emit_template_text(const Ir *ir);
/* The asset manifest's text. Caller frees. */
char *emit_manifest_text(const Ir *ir);

/* A set of files to write all-or-nothing: each is written to a temporary name
 * in its final directory, and only when all are written are they renamed. */
typedef struct EmitBatch {
  PtrVec files;      /* EmitFile * */
  PtrVec asset_dirs; /* DIR/<stage>/assets of packaged stages: lakec owns them */
} EmitBatch;

void emit_stage(struct Ctx *ctx, EmitBatch *batch, const Ir *ir, const char *out_dir);
/* Writes and renames everything, then removes the zips in the batch's asset
 * directories that it did not write (earlier builds' code); on failure
 * removes its temporaries and returns false with *why describing the
 * failing path. */
bool emit_commit(struct Ctx *ctx, EmitBatch *batch, const char **why);
/* Compares the batch with what is on disk, writing nothing; names each file
 * that is missing, differs or would be removed on `report`. Returns how many. */
size_t emit_check(struct Ctx *ctx, EmitBatch *batch, FILE *report);
void emit_batch_release(EmitBatch *batch);

#endif
