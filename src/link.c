/* link: phase 4b (see link.h). The idea: every reference in a template is a
 * Ref, a Fn::GetAtt or a ${...} inside Fn::Sub naming a logical id; the IR
 * knows which stack holds each id and, for ids whose value lakec fixed itself
 * (recorded when lowering asked for a typed reference), the literal value.
 * So each stack's resources are copied with their references to other stacks
 * rewritten, and the edges "S uses T" give the deploy order. */
#include "link.h"
#include "codes.h"
#include "ctx.h"
#include "node.h"

#include <stdlib.h>
#include <string.h>

typedef struct Edge {
  const IrResource *user, *used; /* one reference that made the edge, for messages */
} Edge;

typedef struct Linker {
  Ctx *ctx;
  const Ir *ir;
  size_t n;      /* stacks */
  Edge *edges;   /* n * n: edges[s * n + t].user set when s uses t */
  json_t **exports; /* per stack: output id -> output body */
  const IrStack *stack; /* the one being copied */
  const IrResource *resource;
} Linker;

/* ---- names ---- */

static const char *export_name(Linker *lk, const IrStack *t, const char *id, const char *attr) {
  char *s = attr ? arena_printf(&lk->ctx->arena, "%s-%s-%s-%s-%s", lk->ir->project, lk->ir->stage,
                                t->key, id, attr)
                 : arena_printf(&lk->ctx->arena, "%s-%s-%s-%s", lk->ir->project, lk->ir->stage,
                                t->key, id);
  for (char *p = s; *p; p++) /* export names: letters, digits, '-' and ':' */
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
          *p == ':'))
      *p = '-';
  return s;
}

static const char *export_output_id(Linker *lk, const char *id, const char *attr) {
  char *s = arena_printf(&lk->ctx->arena, "Export%s%s", id, attr ? attr : "");
  size_t k = 0;
  for (char *p = s; *p; p++)
    if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9'))
      s[k++] = *p;
  s[k] = '\0';
  return s;
}

/* ---- references ---- */

/* The resource `id` names when it lives in another stack than the one being
 * copied, recording the edge; NULL for ours, parameters and pseudo parameters. */
static const IrResource *foreign(Linker *lk, const char *id) {
  const IrResource *r = ir_find(lk->ir, id);
  if (!r || !r->stack || r->stack == lk->stack)
    return NULL;
  Edge *e = &lk->edges[lk->stack->index * lk->n + r->stack->index];
  if (!e->user)
    *e = (Edge){lk->resource, r};
  return r;
}

/* Fn::ImportValue of an export the producing stack gets for id / attr. */
static json_t *import_of(Linker *lk, const IrResource *r, const char *attr) {
  const char *name = export_name(lk, r->stack, r->id, attr);
  json_t *outputs = lk->exports[r->stack->index];
  const char *oid = export_output_id(lk, r->id, attr);
  if (!json_object_get(outputs, oid)) {
    json_t *value = attr ? J("{s:[s,s]}", "Fn::GetAtt", r->id, attr) : J("{s:s}", "Ref", r->id);
    json_object_set_new(outputs, oid,
                        J("{s:s, s:o, s:{s:s}}", "Description",
                          "used by another stack of this stage (lakec)", "Value", value,
                          "Export", "Name", name));
  }
  return J("{s:s}", "Fn::ImportValue", name);
}

static json_t *replacement(Linker *lk, const IrResource *r, const char *attr) {
  json_t *known = ir_known(lk->ir, r->id, attr);
  return known ? json_deep_copy(known) : import_of(lk, r, attr);
}

/* What replaces ${X} / ${X.A} of another stack: a known literal inlined (a
 * Sub text as it is; a plain string is a name lakec checked, with no "${"
 * in it), else a variable bound to its import in `vars`. */
static const char *foreign_piece(Linker *lk, const IrResource *r, const char *attr, json_t *vars) {
  json_t *known = ir_known(lk->ir, r->id, attr);
  json_t *sub = known && json_is_object(known) ? json_object_get(known, "Fn::Sub") : NULL;
  if (json_is_string(sub))
    return json_string_value(sub);
  if (json_is_string(known))
    return json_string_value(known);
  const char *var = arena_printf(&lk->ctx->arena, "Imported%s",
                                 export_output_id(lk, r->id, attr) + 6 /* "Export" */);
  json_object_set_new(vars, var, import_of(lk, r, attr));
  return arena_printf(&lk->ctx->arena, "${%s}", var);
}

/* Fn::Sub text with the ${X} / ${X.A} of other stacks replaced; NULL when
 * it names none (the text stays as it is). */
static char *rewrite_sub_text(Linker *lk, const char *text, json_t *vars) {
  Text out = {0};
  const char *p = text, *open;
  bool changed = false;
  while ((open = strstr(p, "${")) != NULL) {
    const char *close = strchr(open, '}');
    if (!close)
      break;
    char name[256];
    size_t n = (size_t)(close - open - 2);
    const IrResource *r = NULL;
    const char *attr = NULL;
    if (n < sizeof name && open[2] != '!') {
      memcpy(name, open + 2, n);
      name[n] = '\0';
      char *dot = strchr(name, '.');
      if (dot)
        *dot = '\0', attr = dot + 1;
      /* a name the Fn::Sub's own map defines is its, not a logical id */
      r = json_object_get(vars, name) ? NULL : foreign(lk, name);
    }
    text_add(&out, p, (size_t)(open - p));
    if (r) {
      const char *piece = foreign_piece(lk, r, attr ? arena_strdup(&lk->ctx->arena, attr) : NULL, vars);
      text_add(&out, piece, strlen(piece));
      changed = true;
    } else {
      text_add(&out, open, (size_t)(close - open + 1));
    }
    p = close + 1;
  }
  text_add(&out, p, strlen(p));
  char *result = changed ? arena_strdup(&lk->ctx->arena, out.s) : NULL;
  free(out.s);
  return result;
}

static json_t *rewrite(Linker *lk, json_t *v);

/* The Fn::Sub with its references to other stacks resolved, or NULL when it
 * has none (then the caller shares the original). */
static json_t *rewrite_sub(Linker *lk, json_t *arg) {
  json_t *text = json_is_array(arg) ? json_array_get(arg, 0) : arg;
  json_t *given = json_is_array(arg) ? json_array_get(arg, 1) : NULL;
  json_t *rewritten = given ? rewrite(lk, given) : json_object();
  if (!json_is_string(text) || !json_is_object(rewritten)) {
    json_decref(rewritten);
    return NULL;
  }
  bool vars_changed = given && rewritten != given;
  json_t *vars = json_copy(rewritten); /* imports are added to it: never to the IR's own map */
  json_decref(rewritten);
  const char *out = rewrite_sub_text(lk, json_string_value(text), vars);
  if (!out && !vars_changed) {
    json_decref(vars);
    return NULL;
  }
  if (!out)
    out = json_string_value(text);
  if (json_object_size(vars) == 0) {
    json_decref(vars);
    /* every reference became a literal: the text is the value */
    return strstr(out, "${") ? J("{s:s}", "Fn::Sub", out) : json_string(out);
  }
  return J("{s:[s,o]}", "Fn::Sub", out, vars);
}

/* The references to other stacks in a one-key object (Ref, Fn::GetAtt,
 * Fn::Sub) resolved, or NULL when it is none of those or names none. */
static json_t *rewrite_intrinsic(Linker *lk, json_t *v) {
  json_t *ref = json_object_get(v, "Ref"), *att = json_object_get(v, "Fn::GetAtt");
  json_t *sub = json_object_get(v, "Fn::Sub");
  const IrResource *r;
  if (json_is_string(ref) && (r = foreign(lk, json_string_value(ref))))
    return replacement(lk, r, NULL);
  if (json_is_array(att) && json_array_size(att) == 2 && json_is_string(json_array_get(att, 0)) &&
      json_is_string(json_array_get(att, 1)) &&
      (r = foreign(lk, json_string_value(json_array_get(att, 0)))))
    return replacement(lk, r, json_string_value(json_array_get(att, 1)));
  return sub ? rewrite_sub(lk, sub) : NULL;
}

static json_t *rewrite_array(Linker *lk, json_t *v) {
  json_t *out = NULL;
  size_t i;
  json_t *x;
  json_array_foreach(v, i, x) {
    json_t *y = rewrite(lk, x);
    if (y != x && !out) { /* the first change: copy what came before */
      out = json_array();
      for (size_t k = 0; k < i; k++)
        json_array_append(out, json_array_get(v, k));
    }
    if (out)
      json_array_append(out, y);
    json_decref(y);
  }
  return out ? out : json_incref(v);
}

static json_t *rewrite_object(Linker *lk, json_t *v) {
  json_t *out = NULL;
  const char *key;
  json_t *x;
  json_object_foreach(v, key, x) {
    json_t *y = rewrite(lk, x);
    if (y != x && !out) {
      out = json_object();
      const char *k2;
      json_t *x2;
      json_object_foreach(v, k2, x2) {
        if (!strcmp(k2, key))
          break;
        json_object_set(out, k2, x2);
      }
    }
    if (out)
      json_object_set(out, key, y);
    json_decref(y);
  }
  return out ? out : json_incref(v);
}

/* v with its references to other stacks resolved (a new reference): what
 * names none is shared, not copied, so a stack costs what it references. */
static json_t *rewrite(Linker *lk, json_t *v) {
  if (json_is_array(v))
    return rewrite_array(lk, v);
  if (!json_is_object(v))
    return json_incref(v);
  json_t *done = json_object_size(v) == 1 ? rewrite_intrinsic(lk, v) : NULL;
  return done ? done : rewrite_object(lk, v);
}

/* ---- one stack's template ---- */

static json_t *resource_json(Linker *lk, const IrResource *r) {
  json_t *deps = json_array();
  for (size_t i = 0; i < r->depends_on.len; i++)
    if (!foreign(lk, r->depends_on.items[i])) /* across stacks: the deploy order does it */
      json_array_append_new(deps, json_string(r->depends_on.items[i]));
  /* one stack: nothing refers elsewhere, so the properties are shared as they are */
  return ir_resource_json(r, deps,
                          lk->n == 1 ? json_incref(r->properties) : rewrite(lk, r->properties));
}

/* Marks in `used` the parameters (keys of `params`) that v refers to: a
 * Ref's target, or a ${Name} of a string (Fn::Sub text). One walk per
 * stack, with no allocation per name, so it stays linear. */
static void mark_parameters(Linker *lk, json_t *v, StrIndex *params, StrIndex *used) {
  if (json_is_array(v)) {
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x) mark_parameters(lk, x, params, used);
    return;
  }
  if (json_is_string(v)) {
    for (const char *p = strstr(json_string_value(v), "${"); p; p = strstr(p + 2, "${")) {
      char name[256];
      size_t n = strcspn(p + 2, "}.");
      if (n >= sizeof name || !p[2 + n])
        continue;
      memcpy(name, p + 2, n);
      name[n] = '\0';
      const char *id = strindex_get(params, name);
      if (id)
        strindex_put(lk->ctx, used, id, (void *)id);
    }
    return;
  }
  if (!json_is_object(v))
    return;
  json_t *ref = json_object_get(v, "Ref");
  const char *id = json_is_string(ref) ? strindex_get(params, json_string_value(ref)) : NULL;
  if (id)
    strindex_put(lk->ctx, used, id, (void *)id);
  const char *key;
  json_t *x;
  json_object_foreach(v, key, x) mark_parameters(lk, x, params, used);
}

static json_t *stack_template(Linker *lk, const IrStack *s) {
  lk->stack = s;
  json_t *res = json_object(), *outputs = json_object();
  for (size_t i = 0; i < lk->ir->resources.len; i++) {
    const IrResource *r = lk->ir->resources.items[i];
    lk->resource = r;
    if (r->stack == s)
      json_object_set_new(res, r->id, resource_json(lk, r));
  }
  for (size_t i = 0; i < lk->ir->outputs.len; i++) {
    const IrEntry *e = lk->ir->outputs.items[i];
    if (e->stack == s)
      json_object_set_new(outputs, e->id, lk->n == 1 ? json_incref(e->value) : rewrite(lk, e->value));
  }
  /* The parameters the stack uses, shared with the IR: packaging sets their
   * defaults (the code keys) after linking. */
  json_t *params = json_object();
  StrIndex used = {0}, ids = {0};
  for (size_t i = 0; lk->n > 1 && i < lk->ir->parameters.len; i++) {
    const char *id = ((const IrEntry *)lk->ir->parameters.items[i])->id;
    strindex_put(lk->ctx, &ids, id, (void *)id);
  }
  if (lk->n > 1) {
    mark_parameters(lk, res, &ids, &used);
    mark_parameters(lk, outputs, &ids, &used);
  }
  for (size_t i = 0; i < lk->ir->parameters.len; i++) {
    const IrEntry *e = lk->ir->parameters.items[i];
    if (lk->n == 1 || strindex_get(&used, e->id))
      json_object_set(params, e->id, e->value);
  }
  json_t *t = J("{s:s, s:s}", "AWSTemplateFormatVersion", "2010-09-09", "Description",
                s->description);
  if (json_object_size(params))
    json_object_set(t, "Parameters", params);
  json_decref(params);
  json_object_set_new(t, "Resources", res);
  json_object_set_new(t, "Outputs", outputs);
  return t;
}

/* ---- order, limits ---- */

static bool uses(const Linker *lk, size_t s, size_t t) { return lk->edges[s * lk->n + t].user; }

/* Depth-first search from s: true with the cycle in path[0..*len) when one
 * is reachable. */
static bool on_cycle(const Linker *lk, size_t s, int *state, size_t *path, size_t depth,
                     size_t *len) {
  state[s] = 1;
  path[depth] = s;
  for (size_t t = 0; t < lk->n; t++) {
    if (!uses(lk, s, t) || state[t] == 2)
      continue;
    if (state[t] == 1) {
      size_t k = 0; /* the cycle is path[from t .. depth] */
      while (path[k] != t)
        k++;
      memmove(path, path + k, (depth - k + 1) * sizeof *path);
      *len = depth - k + 1;
      return true;
    }
    if (on_cycle(lk, t, state, path, depth + 1, len))
      return true;
  }
  state[s] = 2;
  return false;
}

static Pos origin_pos(const IrResource *r) { return r->origin ? r->origin->pos : (Pos){0}; }

/* "a -> b -> a" at the construct that makes the first step, a note per step. */
static void report_cycle(Linker *lk, const size_t *path, size_t len) {
  char *chain = arena_strdup(&lk->ctx->arena, "");
  for (size_t i = 0; i <= len; i++)
    chain = arena_printf(&lk->ctx->arena, "%s%s'%s'", chain, i ? " -> " : "",
                         ((const IrStack *)lk->ir->stacks.items[path[i % len]])->key);
  const Edge *first = &lk->edges[path[0] * lk->n + path[1 % len]];
  Diag *d = diag_error(lk->ctx, origin_pos(first->user), LK_STACK_CYCLE,
                       "stacks use each other in a cycle (%s), so none can be deployed first",
                       chain);
  for (size_t i = 0; i < len; i++) {
    const Edge *e = &lk->edges[path[i] * lk->n + path[(i + 1) % len]];
    diag_note(lk->ctx, d, origin_pos(e->user), "'%s' of stack '%s' uses '%s' of stack '%s'",
              e->user->id, e->user->stack->key, e->used->id, e->used->stack->key);
  }
}

/* A topological order, taking at each step the first stack (in the order
 * written) whose stacks are all placed: quadratic per step, and stages have
 * a handful of stacks. False when none is ready: a cycle. */
static bool deploy_order(Linker *lk, size_t *order) {
  bool *done = calloc(lk->n, sizeof *done);
  for (size_t k = 0; k < lk->n; k++) {
    size_t s = 0;
    for (; s < lk->n; s++) {
      if (done[s])
        continue;
      bool ready = true;
      for (size_t t = 0; t < lk->n && ready; t++)
        ready = t == s || done[t] || !uses(lk, s, t);
      if (ready)
        break;
    }
    if (s == lk->n) {
      free(done);
      return false;
    }
    done[s] = true;
    order[k] = s;
  }
  free(done);
  return true;
}

static Pos stack_pos(const IrStack *s) { return s->node ? s->node->pos : (Pos){0}; }

static void check_limit(Ctx *ctx, const IrStack *s, size_t have, size_t max, const char *what) {
  if (have <= max)
    return;
  diag_error(ctx, stack_pos(s), LK_STACK_LIMIT,
             "stack '%s' has %zu %s, but CloudFormation allows %zu in a template: place some "
             "constructs in another stack ('stacks:' and their 'stack:' key)",
             s->key ? s->key : s->name, have, what, max);
}

static void check_limits(Ctx *ctx, const LinkedStack *ls) {
  json_t *t = ls->template;
  check_limit(ctx, ls->stack, json_object_size(json_object_get(t, "Resources")),
              LINK_MAX_RESOURCES, "resources");
  check_limit(ctx, ls->stack, json_object_size(json_object_get(t, "Parameters")),
              LINK_MAX_PARAMETERS, "parameters");
  check_limit(ctx, ls->stack, json_object_size(json_object_get(t, "Outputs")), LINK_MAX_OUTPUTS,
              "outputs");
  if (json_object_size(json_object_get(t, "Resources")) > 0)
    return;
  if (ls->stack->key)
    diag_error(ctx, stack_pos(ls->stack), LK_EMPTY_STAGE,
               "stack '%s' has no resources, and CloudFormation rejects an empty template",
               ls->stack->key);
  else
    diag_error(ctx, stack_pos(ls->stack), LK_EMPTY_STAGE,
               "the stage creates no resources, and CloudFormation rejects an empty template: "
               "add a construct (buckets, functions, ...)");
}

/* ---- the phase ---- */

static void finish_template(json_t *t, json_t *exports) {
  json_t *outputs = json_object_get(t, "Outputs");
  json_object_update(outputs, exports);
  if (json_object_size(outputs) == 0)
    json_object_del(t, "Outputs");
}

static Linked *assemble(Linker *lk, json_t **templates, const size_t *order) {
  Linked *l = calloc(1, sizeof *l);
  l->stacks = calloc(lk->n, sizeof *l->stacks);
  l->len = lk->n;
  for (size_t k = 0; k < lk->n; k++) {
    size_t s = order[k];
    LinkedStack *ls = calloc(1, sizeof *ls);
    ls->stack = lk->ir->stacks.items[s];
    ls->template = templates[s];
    finish_template(ls->template, lk->exports[s]);
    for (size_t t = 0; t < lk->n; t++)
      if (uses(lk, s, t))
        ptrvec_push(&lk->ctx->arena, &ls->depends_on, lk->ir->stacks.items[t]);
    l->stacks[k] = ls;
  }
  return l;
}

Linked *link_stacks(Ctx *ctx, const Ir *ir) {
  Linker lk = {ctx, ir, ir->stacks.len, NULL, NULL, NULL, NULL};
  if (lk.n == 0)
    BUG("an IR without stacks");
  unsigned before = ctx->diags.errors;
  lk.edges = calloc(lk.n * lk.n, sizeof *lk.edges);
  lk.exports = calloc(lk.n, sizeof *lk.exports);
  json_t **templates = calloc(lk.n, sizeof *templates);
  size_t *order = calloc(lk.n, sizeof *order);
  if (!lk.edges || !lk.exports || !templates || !order)
    BUG("out of memory");
  for (size_t s = 0; s < lk.n; s++)
    lk.exports[s] = json_object();
  for (size_t s = 0; s < lk.n; s++)
    templates[s] = stack_template(&lk, ir->stacks.items[s]);
  Linked *l = NULL;
  if (deploy_order(&lk, order)) {
    l = assemble(&lk, templates, order);
    for (size_t k = 0; k < l->len; k++)
      check_limits(ctx, l->stacks[k]);
  } else {
    int *state = calloc(lk.n, sizeof *state);
    size_t *path = calloc(lk.n, sizeof *path), len = 0;
    for (size_t s = 0; s < lk.n && !len; s++)
      if (!state[s])
        on_cycle(&lk, s, state, path, 0, &len);
    report_cycle(&lk, path, len ? len : 1);
    free(state), free(path);
    for (size_t s = 0; s < lk.n; s++)
      json_decref(templates[s]);
  }
  for (size_t s = 0; s < lk.n; s++)
    json_decref(lk.exports[s]);
  free(lk.edges), free(lk.exports), free(templates), free(order);
  if (ctx->diags.errors != before) {
    linked_free(l);
    return NULL;
  }
  return l;
}

/* The body's size needs the text, which emit makes anyway (build) and
 * validate makes for this alone; diff does not need it. */
void link_check_body(Ctx *ctx, const LinkedStack *ls, size_t bytes) {
  check_limit(ctx, ls->stack, bytes, LINK_MAX_BODY, "bytes of template body");
}

void link_check_bodies(Ctx *ctx, const Linked *l) {
  for (size_t i = 0; l && i < l->len; i++)
    link_check_body(ctx, l->stacks[i],
                    json_dumpb(l->stacks[i]->template, NULL, 0, JSON_INDENT(2) | JSON_ENSURE_ASCII));
}

void linked_free(Linked *l) {
  if (!l)
    return;
  for (size_t i = 0; i < l->len; i++) {
    json_decref(l->stacks[i]->template);
    free(l->stacks[i]);
  }
  free(l->stacks);
  free(l);
}
