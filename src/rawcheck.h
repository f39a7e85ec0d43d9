/* rawcheck: what raw CloudFormation (the `resources:` and `outputs:` of a
 * stage) names, checked before AWS sees it, at the YAML that names it.
 *
 * lakec's references (${KEY.ITEM.ATTR}) are checked with the model, like any
 * key's (rawcheck_refs). CloudFormation's own (Ref, Fn::GetAtt, the
 * variables of Fn::Sub, DependsOn) are checked once the constructs are
 * lowered, against the logical ids the stage's templates will hold: those
 * lakec generates, the raw resources and the pseudo parameters; a GetAtt's
 * attribute against its type (rawcheck_targets). */
#ifndef LAKEC_RAWCHECK_H
#define LAKEC_RAWCHECK_H

#include "construct.h"

#define LK_RAW_ID "LK394"
#define LK_RAW_TARGET "LK395"
#define LK_RAW_ATTRIBUTE "LK396"
#define LK_RAW_COLLISION "LK397"
#define LK_RAW_STATEMENT "LK398"
#define LK_RAW_UNSUPPORTED "LK399"

extern const Construct construct_resource, construct_output;

/* Checks every ${KEY.ITEM.ATTR} in the scalars of n. */
void rawcheck_refs(Ctx *ctx, const Model *m, const Node *n);

/* Checks the targets of the intrinsic functions in n (see above). */
void rawcheck_targets(Ctx *ctx, const Ir *ir, const Model *m, const Node *n);

/* A logical id (or pseudo parameter) the stage has; false, reported at
 * `at` as "HOW 'id', which the stage does not have", when not. */
bool rawcheck_id(Ctx *ctx, const Ir *ir, const Model *m, const char *id, Pos at,
                 const char *how);

/* A raw resource's logical id or output's name is letters and digits
 * only; false, reported at `at` with a fix, when not. `what`: "a logical
 * id", "an output name". */
bool rawcheck_name(Ctx *ctx, const char *name, Pos at, const char *what);

/* The Type of an item of construct_resource. */
const char *rawcheck_item_type(const void *item);

/* The resource type of a logical id of the stage, raw or generated, or NULL. */
const char *rawcheck_type_of(const Ir *ir, const Model *m, const char *id);

#endif
