/* compile: the pipeline of one stage file, phase after phase (main.c's and
 * the tests' single way in). */
#ifndef LAKEC_COMPILE_H
#define LAKEC_COMPILE_H

#include "ir.h"
#include "link.h"
#include "model.h"

struct Ctx;

typedef struct Compiled {
  const char *path;
  Model *model; /* NULL when the file could not be loaded at all */
  Ir *ir;       /* NULL when the file has errors */
  Linked *linked; /* its stacks' templates; NULL when the file has errors */
} Compiled;

/* load -> merge -> check -> lower -> link, stopping between phases when
 * errors were reported (diagnostics are in ctx). Free with compiled_free. */
Compiled compile_stage(struct Ctx *ctx, const char *path);
void compiled_free(Compiled *c);

/* Checks that need every file of a run: two files building one stage (their
 * outputs would overwrite each other: only when the command writes, or, for
 * validate, would), and two stages creating the same globally unique name,
 * or the same regional name in one account and region. */
void compile_across_stages(struct Ctx *ctx, Compiled *files, size_t n, bool writes_output);

/* Each construct's against_previous check, given the resources of the
 * stage's templates in out_dir (DIR/<project>/<stage>/, as the manifest
 * lists them), when an earlier build wrote them. */
void compile_against_previous(struct Ctx *ctx, Compiled *c, const char *out_dir);

#endif
