/* ir: a small container; the interesting work happens in lower/ and emit.c. */
#include "ir.h"
#include "ctx.h"

#include <stdarg.h>
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

Ir *ir_new(Ctx *ctx) { return arena_alloc(&ctx->arena, sizeof(Ir)); }

IrResource *ir_find(const Ir *ir, const char *id) {
  for (size_t i = 0; i < ir->resources.len; i++) {
    IrResource *r = ir->resources.items[i];
    if (!strcmp(r->id, id))
      return r;
  }
  return NULL;
}

IrResource *ir_add(Ctx *ctx, Ir *ir, const char *id, const char *type, json_t *props) {
  if (ir_find(ir, id))
    BUG("logical id '%s' lowered twice", id);
  IrResource *r = arena_alloc(&ctx->arena, sizeof *r);
  r->id = id;
  r->type = type;
  r->properties = props;
  ptrvec_push(&ctx->arena, &ir->resources, r);
  return r;
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
}

static json_t *resource_to_json(const IrResource *r) {
  json_t *o = J("{s:s}", "Type", r->type);
  if (r->depends_on.len) {
    json_t *deps = json_array();
    for (size_t i = 0; i < r->depends_on.len; i++)
      json_array_append_new(deps, json_string(r->depends_on.items[i]));
    json_object_set_new(o, "DependsOn", deps);
  }
  if (r->deletion_policy) {
    json_object_set_new(o, "DeletionPolicy", json_string(r->deletion_policy));
    json_object_set_new(o, "UpdateReplacePolicy", json_string(r->deletion_policy));
  }
  json_object_set(o, "Properties", r->properties);
  return o;
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
  for (size_t i = 0; i < ir->resources.len; i++)
    json_decref(((IrResource *)ir->resources.items[i])->properties);
  for (size_t i = 0; i < ir->parameters.len; i++)
    json_decref(((IrEntry *)ir->parameters.items[i])->value);
  for (size_t i = 0; i < ir->outputs.len; i++)
    json_decref(((IrEntry *)ir->outputs.items[i])->value);
}
