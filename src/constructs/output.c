/* outputs: raw CloudFormation Outputs: a value the stack shows after a
 * deploy (`lakec outputs` prints them), written with the same intrinsic
 * functions and references as raw resources and checked the same way. A
 * reference to another stack's value becomes an export like any other. */
#include "../check_util.h"
#include "../lower/lower_internal.h"
#include "../rawcheck.h"
#include "../rawjson.h"

#include <string.h>

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

/* Text, or one intrinsic function ({Ref: X}, {Fn::GetAtt: ...}). */
static void check_value(Ctx *ctx, const Node *v) {
  if (v->kind == NODE_SCALAR || node_intrinsic(v))
    return;
  diag_error(ctx, v->pos, LK_WRONG_TYPE,
             "an output's Value is text or an intrinsic function (Ref, Fn::GetAtt, Fn::Sub ...), "
             "not %s", node_describe(v));
}

static void output_check(Ctx *ctx, Model *m, const Construct *self) {
  const Node *map = node_get(m->node, self->key);
  for (size_t i = 0; map && map->kind == NODE_MAP && i < map->count; i++)
    rawcheck_name(ctx, map->pairs[i].key->str, map->pairs[i].key->pos, "an output name");
  for (size_t i = 0; i < construct_count(m, self); i++) {
    const RawOutput *o = construct_item(m, self, i);
    if (o->value)
      check_value(ctx, o->value);
    rawcheck_refs(ctx, m, o->value);
  }
}

/* lakec's own outputs (a bucket's name ...) and exports (Export...) keep
 * their names: a raw output may not take one. */
static bool output_collides(Ctx *ctx, const Ir *ir, const Model *m, const RawOutput *o) {
  const NodePair *p = node_get_pair(node_get(m->node, "outputs"), o->key);
  Pos at = p ? p->key->pos : o->node->pos;
  if (!strncmp(o->key, "Export", 6)) {
    diag_error(ctx, at, LK_RAW_COLLISION,
               "'%s': output names starting with 'Export' are lakec's (the exports it writes "
               "for other stacks)", o->key);
    return true;
  }
  for (size_t i = 0; i < ir->outputs.len; i++) {
    const IrEntry *e = ir->outputs.items[i];
    if (strcmp(e->id, o->key))
      continue;
    Diag *d = diag_error(ctx, at, LK_RAW_COLLISION, "'%s' is an output lakec writes: rename this one",
                         o->key);
    if (e->origin)
      diag_note(ctx, d, e->origin->pos, "it comes from here");
    return true;
  }
  return false;
}

static void output_lower(Ctx *ctx, Ir *ir, const Model *m, const void *item) {
  const RawOutput *o = item;
  if (output_collides(ctx, ir, m, o))
    return;
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
