/* check: phase 3. Merged Node tree -> typed Model, with every error reported. */
#ifndef LAKEC_CHECK_H
#define LAKEC_CHECK_H

#include "model.h"

struct Ctx;

/* Decodes root against the language tables (decode.c), fills computed
 * defaults, then checks names, schedules, references and stage policy.
 * Returns the model even when errors were reported; callers look at the
 * context's error count before lowering it. */
Model *check(struct Ctx *ctx, const Node *root);

#endif
