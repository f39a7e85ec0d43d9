/* lower: phase 4. Typed Model -> IR (one CloudFormation template). */
#ifndef LAKEC_LOWER_H
#define LAKEC_LOWER_H

#include "ir.h"
#include "model.h"

struct Ctx;

/* Lowers a model that check accepted (no errors). Security defaults live in
 * the lowering files and nowhere else. The caller frees with ir_free. */
Ir *lower(struct Ctx *ctx, const Model *m);

#endif
