/* outputs: raw CloudFormation Outputs: a value the stack shows after a
 * deploy (`lakec outputs` prints them), written with the same intrinsic
 * functions and references as raw resources and checked the same way. A
 * reference to another stack's value becomes an export like any other. */
#include "../check_util.h"
#include "../lower/lower_internal.h"
#include "../rawcheck.h"
#include "../rawjson.h"

typedef struct RawOutput {
  MODEL_ITEM_HEADER;
  const Node *value;
  const char *description;
} RawOutput;

static const Field OUTPUT_FIELDS[] = {
    {"Value", F_NODE, offsetof(RawOutput, value), .required = true,
     .doc = "its value: text, a Ref, a Fn::GetAtt, a Fn::Sub, a ${KEY.ITEM.ATTR}"},
    {"Description", F_STR, offsetof(RawOutput, description), .doc = "what it is"},
    {"stack", F_STR, offsetof(RawOutput, stack),
     .doc = "the stack (a key of `stacks`) that shows it; default: the first stack"},
};
static const Shape SHAPE_OUTPUT =
    SHAPE(RawOutput, "output", OUTPUT_FIELDS, .key_offset = offsetof(RawOutput, key));

static void output_check(Ctx *ctx, Model *m, const Construct *self) {
  check_keys(ctx, "output", node_get(m->node, self->key));
  for (size_t i = 0; i < construct_count(m, self); i++)
    rawcheck_refs(ctx, m, ((const RawOutput *)construct_item(m, self, i))->value);
}

static void output_lower(Ctx *ctx, Ir *ir, const Model *m, const void *item) {
  const RawOutput *o = item;
  rawcheck_targets(ctx, ir, m, o->value);
  ir_output(ctx, ir, o->key, rawjson(ctx, ir, m, o->value),
            o->description ? o->description : o->key);
}

static const TagRule NO_TAGS[] = {{NULL, NULL, 0}};

const Construct construct_output = {
    .key = "outputs",
    .kind = "output",
    .doc = "raw CloudFormation Outputs, by name",
    .shape = &SHAPE_OUTPUT,
    .check = output_check,
    .lower = output_lower,
    .tags = NO_TAGS,
};
