/* emit: phase 5. IR + linked stacks -> files: DIR/<project>/<stage>/ holds
 * <stack>.template.json per stack, manifest.json and assets/. */
#ifndef LAKEC_EMIT_H
#define LAKEC_EMIT_H

#include "ir.h"
#include "link.h"
#include <stdio.h>

struct Ctx;

/* The template's text: two-space indent, keys in IR order, trailing newline.
 * Byte-identical for identical IR. Caller frees. */
char *emit_template_text(const Ir *ir);
/* Any JSON the same way. Caller frees. */
char *emit_json_text(json_t *v);
/* The manifest's text (README: "The manifest"); source is the stage file as
 * given on the command line. Caller frees. */
char *emit_manifest_text(const Ir *ir, const Linked *l, const char *source);
/* "<stack name>.template.json" (malloc'd). */
char *emit_template_file(const IrStack *s);
/* DIR/<project>/<stage>. */
const char *emit_stage_dir(struct Ctx *ctx, const Ir *ir, const char *out_dir);

/* A set of files to write all-or-nothing: each is written to a temporary name
 * in its final directory, and only when all are written are they renamed. */
typedef struct OwnedDir {
  const char *dir, *suffix; /* lakec owns the files of dir ending so */
} OwnedDir;

typedef struct EmitBatch {
  PtrVec files;      /* EmitFile * */
  PtrVec owned_dirs; /* OwnedDir *: stage folders (templates) and their assets (zips) */
} EmitBatch;

void emit_stage(struct Ctx *ctx, EmitBatch *batch, const Ir *ir, const Linked *l,
                const char *source, const char *out_dir);
/* Writes and renames everything, then removes the files of the owned
 * directories that it did not write (earlier builds' code and stacks); on failure
 * removes its temporaries and returns false with *why describing the
 * failing path. */
bool emit_commit(struct Ctx *ctx, EmitBatch *batch, const char **why);
/* Compares the batch with what is on disk, writing nothing; names each file
 * that is missing, differs or would be removed on `report`. Returns how many. */
size_t emit_check(struct Ctx *ctx, EmitBatch *batch, FILE *report);
void emit_batch_release(EmitBatch *batch);

#endif
