/* ir: a small container; the interesting work happens in lower/ and emit.c. */
#include "ir.h"
#include "ctx.h"
#include "nag.h"
#include "node.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

json_t *ir_pack(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  json_error_t err;
  json_t *v = json_vpack_ex(&err, 0, fmt, ap);
  va_end(ap);
  if (!v)
    BUG("json_pack(\"%s\"): %s", fmt, err.text);
  return v;
}

char *ir_json_text(json_t *v, size_t flags) {
  size_t n = json_dumpb(v, NULL, 0, flags);
  char *s = malloc(n + 1);
  if (!s || (n && json_dumpb(v, s, n, flags) != n))
    BUG("cannot render JSON");
  s[n] = '\0';
  return s;
}

Ir *ir_new(Ctx *ctx) { return arena_alloc(&ctx->arena, sizeof(Ir)); }

IrResource *ir_find(const Ir *ir, const char *id) { return strindex_get(&ir->by_id, id); }

/* Two keys whose ids collide ("jobs" and "jobs-dead-letter" both give
 * JobsDeadLetterQueue) are the user's to rename: reported at the second, and
 * its resource kept aside (freed with the IR, never emitted). */
static void report_duplicate(Ctx *ctx, Ir *ir, const IrResource *first, const char *id) {
  if (!ir->current_origin || !first->origin)
    BUG("logical id '%s' lowered twice", id);
  if (ir->reported_origin == ir->current_origin)
    return; /* one message per construct item: its other ids follow from the same key */
  ir->reported_origin = ir->current_origin;
  Diag *d = diag_error(ctx, ir->current_origin->pos, LK_DUPLICATE,
                       "this gives the logical id '%s', which another key gives too: rename "
                       "one of them",
                       id);
  diag_note(ctx, d, first->origin->pos, "'%s' comes from here first", id);
}

IrResource *ir_add(Ctx *ctx, Ir *ir, const char *id, const char *type, json_t *props) {
  IrResource *first = ir_find(ir, id);
  if (first)
    report_duplicate(ctx, ir, first, id);
  IrResource *r = arena_alloc(&ctx->arena, sizeof *r);
  r->id = id;
  r->type = type;
  r->properties = props;
  r->stack = ir->current_stack;
  r->origin = ir->current_origin;
  ptrvec_push(&ctx->arena, first ? &ir->discarded : &ir->resources, r);
  if (!first)
    strindex_put(ctx, &ir->by_id, r->id, r);
  return r;
}

static const char *known_key(Ctx *ctx, const char *id, const char *attr) {
  return attr ? arena_printf(&ctx->arena, "%s.%s", id, attr) : id;
}

void ir_known_value(Ctx *ctx, Ir *ir, const char *id, const char *attr, json_t *literal) {
  const char *key = known_key(ctx, id, attr);
  if (strindex_get(&ir->known, key)) {
    json_decref(literal);
    return;
  }
  strindex_put(ctx, &ir->known, key, literal);
  ptrvec_push(&ctx->arena, &ir->known_values, literal);
}

json_t *ir_known(const Ir *ir, const char *id, const char *attr) {
  char buf[512];
  if (!attr)
    return strindex_get(&ir->known, id);
  if ((size_t)snprintf(buf, sizeof buf, "%s.%s", id, attr) >= sizeof buf)
    return NULL;
  return strindex_get(&ir->known, buf);
}

IrStack *ir_stack_add(Ctx *ctx, Ir *ir, const char *key, const char *name,
                      const char *description, const struct Node *node) {
  IrStack *s = arena_alloc(&ctx->arena, sizeof *s);
  *s = (IrStack){key, name, description, node, ir->stacks.len};
  ptrvec_push(&ctx->arena, &ir->stacks, s);
  return s;
}

void ir_suppress(IrResource *r, const char *rule, const char *reason, json_t *applies_to) {
  r->metadata = nag_suppress(r->metadata, rule, reason, applies_to);
}

void ir_set_policy(IrResource *r, const char *policy) {
  r->deletion_policy = policy;
  r->update_replace_policy = policy;
}

void ir_depends_on(Ctx *ctx, IrResource *r, const char *id) {
  ptrvec_push(&ctx->arena, &r->depends_on, (void *)id);
}

static void ir_entry(Ctx *ctx, PtrVec *v, const char *id, json_t *value) {
  IrEntry *e = arena_alloc(&ctx->arena, sizeof *e);
  e->id = id;
  e->value = value;
  ptrvec_push(&ctx->arena, v, e);
}

void ir_parameter(Ctx *ctx, Ir *ir, const char *id, json_t *value) {
  ir_entry(ctx, &ir->parameters, id, value);
}

void ir_output(Ctx *ctx, Ir *ir, const char *id, json_t *value, const char *description) {
  ir_entry(ctx, &ir->outputs, id, J("{s:s, s:o}", "Description", description, "Value", value));
  IrEntry *e = ir->outputs.items[ir->outputs.len - 1];
  e->stack = ir->current_stack;
  e->origin = ir->current_origin;
}

json_t *ir_resource_json(const IrResource *r, json_t *depends_on, json_t *properties) {
  json_t *o = J("{s:s}", "Type", r->type);
  if (json_array_size(depends_on))
    json_object_set(o, "DependsOn", depends_on);
  json_decref(depends_on);
  if (r->condition)
    json_object_set_new(o, "Condition", json_string(r->condition));
  if (r->deletion_policy)
    json_object_set_new(o, "DeletionPolicy", json_string(r->deletion_policy));
  if (r->update_replace_policy)
    json_object_set_new(o, "UpdateReplacePolicy", json_string(r->update_replace_policy));
  if (r->metadata)
    json_object_set_new(o, "Metadata", nag_finish_metadata(r->metadata, properties));
  json_object_set_new(o, "Properties", properties);
  return o;
}

static json_t *resource_to_json(const IrResource *r) {
  json_t *deps = json_array();
  for (size_t i = 0; i < r->depends_on.len; i++)
    json_array_append_new(deps, json_string(r->depends_on.items[i]));
  return ir_resource_json(r, deps, json_incref(r->properties));
}

static json_t *entries_to_json(const PtrVec *v) {
  json_t *o = json_object();
  for (size_t i = 0; i < v->len; i++) {
    const IrEntry *e = v->items[i];
    json_object_set(o, e->id, e->value);
  }
  return o;
}

json_t *ir_to_template(const Ir *ir) {
  json_t *t = J("{s:s}", "AWSTemplateFormatVersion", "2010-09-09");
  if (ir->description)
    json_object_set_new(t, "Description", json_string(ir->description));
  if (ir->parameters.len)
    json_object_set_new(t, "Parameters", entries_to_json(&ir->parameters));
  if (ir->conditions)
    json_object_set(t, "Conditions", ir->conditions);
  json_t *res = json_object();
  for (size_t i = 0; i < ir->resources.len; i++) {
    const IrResource *r = ir->resources.items[i];
    json_object_set_new(res, r->id, resource_to_json(r));
  }
  json_object_set_new(t, "Resources", res);
  if (ir->outputs.len)
    json_object_set_new(t, "Outputs", entries_to_json(&ir->outputs));
  return t;
}

void ir_free(Ir *ir) {
  if (!ir)
    return;
  json_decref(ir->conditions);
  for (size_t i = 0; i < ir->resources.len; i++) {
    json_decref(((IrResource *)ir->resources.items[i])->properties);
    json_decref(((IrResource *)ir->resources.items[i])->metadata);
  }
  for (size_t i = 0; i < ir->parameters.len; i++)
    json_decref(((IrEntry *)ir->parameters.items[i])->value);
  for (size_t i = 0; i < ir->outputs.len; i++)
    json_decref(((IrEntry *)ir->outputs.items[i])->value);
  for (size_t i = 0; i < ir->known_values.len; i++)
    json_decref(ir->known_values.items[i]);
  for (size_t i = 0; i < ir->discarded.len; i++) {
    json_decref(((IrResource *)ir->discarded.items[i])->properties);
    json_decref(((IrResource *)ir->discarded.items[i])->metadata);
  }
}

/* ---- templates read from disk ---- */

static const char *json_str(Ctx *ctx, json_t *v) {
  return json_is_string(v) ? arena_strdup(&ctx->arena, json_string_value(v)) : NULL;
}

static bool read_entries(Ctx *ctx, json_t *section, PtrVec *out) {
  if (!section)
    return true;
  if (!json_is_object(section))
    return false;
  const char *key;
  json_t *value;
  json_object_foreach(section, key, value) {
    ir_entry(ctx, out, arena_strdup(&ctx->arena, key), json_incref(value));
  }
  return true;
}

static IrResource *read_resource(Ctx *ctx, const char *id, json_t *body, const char **why) {
  json_t *type = json_object_get(body, "Type");
  if (!json_is_object(body) || !json_is_string(type)) {
    *why = arena_printf(&ctx->arena, "resource '%s' has no \"Type\"", id);
    return NULL;
  }
  IrResource *r = arena_alloc(&ctx->arena, sizeof *r);
  r->id = arena_strdup(&ctx->arena, id);
  r->type = json_str(ctx, type);
  json_t *props = json_object_get(body, "Properties");
  r->properties = props ? json_incref(props) : json_object(); /* shared, never changed */
  json_t *deps = json_object_get(body, "DependsOn");
  if (json_is_string(deps))
    ptrvec_push(&ctx->arena, &r->depends_on, (void *)json_str(ctx, deps));
  size_t i;
  json_t *dep;
  json_array_foreach(deps, i, dep) {
    if (json_is_string(dep))
      ptrvec_push(&ctx->arena, &r->depends_on, (void *)json_str(ctx, dep));
  }
  r->deletion_policy = json_str(ctx, json_object_get(body, "DeletionPolicy"));
  r->update_replace_policy = json_str(ctx, json_object_get(body, "UpdateReplacePolicy"));
  r->condition = json_str(ctx, json_object_get(body, "Condition"));
  json_t *meta = json_object_get(body, "Metadata");
  r->metadata = meta ? json_incref(meta) : NULL;
  return r;
}

Ir *ir_from_template(Ctx *ctx, json_t *t, const char **why) {
  json_t *resources = json_object_get(t, "Resources");
  if (!json_is_object(t) || !json_is_object(resources)) {
    *why = "not a CloudFormation template: no \"Resources\" object";
    return NULL;
  }
  Ir *ir = ir_new(ctx);
  ir->description = json_str(ctx, json_object_get(t, "Description"));
  const char *id;
  json_t *body;
  json_object_foreach(resources, id, body) {
    IrResource *r = read_resource(ctx, id, body, why);
    if (!r) {
      ir_free(ir);
      return NULL;
    }
    ptrvec_push(&ctx->arena, &ir->resources, r);
    strindex_put(ctx, &ir->by_id, r->id, r);
  }
  if (!read_entries(ctx, json_object_get(t, "Parameters"), &ir->parameters) ||
      !read_entries(ctx, json_object_get(t, "Outputs"), &ir->outputs)) {
    *why = "not a CloudFormation template: \"Parameters\" or \"Outputs\" is not an object";
    ir_free(ir);
    return NULL;
  }
  json_t *conditions = json_object_get(t, "Conditions");
  ir->conditions = conditions ? json_incref(conditions) : NULL;
  return ir;
}
