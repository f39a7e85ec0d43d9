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

/* The stages of a run, written all-or-nothing and each in one step: every
 * stage's whole folder (templates, manifest, assets/) is first written into
 * a fresh temporary folder beside it, DIR/<project>/.lakec-tmp.<pid>.XXXXXX;
 * only when every stage of the run is written is each swapped into place
 * (outdir_replace_folder), so a reader of a stage folder sees all of the old
 * build or all of the new one. */
typedef struct EmitBatch {
  PtrVec stages; /* EmitStage * (emit.c) */
  PtrVec files;  /* EmitFile *, every stage's, in the order they are written */
} EmitBatch;

void emit_stage(struct Ctx *ctx, EmitBatch *batch, const Ir *ir, const Linked *l,
                const char *source, const char *out_dir);
/* Writes every stage's folder and swaps each into place. What a stage
 * folder holds that lakec did not write (other files, links) is carried into
 * the new folder by hard link; templates of stacks no longer built, zips of
 * older code and temporaries of earlier versions are not. Temporaries that
 * killed builds left beside the stage folders and in the deflate cache are
 * removed first. On failure removes what it wrote, changes nothing, and
 * returns false with *why naming the failing path. */
bool emit_commit(struct Ctx *ctx, EmitBatch *batch, const char **why);
/* emit_commit in its two halves, for the tests (which kill a build between
 * them): emit_prepare writes the temporary folders and swaps nothing;
 * emit_swap puts them in place. emit_abandon removes them. */
bool emit_prepare(struct Ctx *ctx, EmitBatch *batch, const char **why);
bool emit_swap(struct Ctx *ctx, EmitBatch *batch, const char **why);
void emit_abandon(EmitBatch *batch);
/* Compares the batch with what is on disk, writing nothing; names on
 * `report` each file that is missing, differs or would be removed, what a
 * build would refuse (a link or a folder where lakec writes), and the
 * temporaries an interrupted build left (which the next build removes).
 * Returns how many. */
size_t emit_check(struct Ctx *ctx, EmitBatch *batch, FILE *report);
void emit_batch_release(EmitBatch *batch);

#endif
