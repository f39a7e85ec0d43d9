/* compile: runs the phases in order. A file that does not load stops there;
 * merge and check both run on a loaded file so that one run reports all of
 * its errors; lower only ever sees a model that check accepted. */
#include "compile.h"
#include "check.h"
#include "construct.h"
#include "ctx.h"
#include "lower.h"
#include "decode.h"
#include "merge.h"

#include <jansson.h>
#include <string.h>
#include <sys/stat.h>

Compiled compile_stage(Ctx *ctx, const char *path) {
  Compiled c = {path, NULL, NULL, NULL};
  unsigned before = ctx->diags.errors;
  Node *root = merge(ctx, path); /* load happens inside merge, once per file */
  if (!root)
    return c;
  c.model = check(ctx, root);
  if (ctx->diags.errors != before)
    return c;
  c.ir = lower(ctx, c.model);
  c.linked = ctx->diags.errors == before ? link_stacks(ctx, c.ir) : NULL;
  if (!c.linked) {
    ir_free(c.ir);
    c.ir = NULL;
  }
  return c;
}

void compiled_free(Compiled *c) {
  ir_free(c->ir);
  linked_free(c->linked);
  c->ir = NULL;
  c->linked = NULL;
}

/* ---- across stages ---- */

/* Every name the constructs of a stage claim (construct.h's NameClaim). */
static size_t named_things(Ctx *ctx, const Model *m, NameClaim ***out) {
  PtrVec claims = {0};
  for (size_t i = 0; i < m->stacks.len; i++) /* stacks named in the stage file */
    construct_claim(ctx, &claims, "stack", m->stacks.items[i].name, m->stacks.items[i].node,
                    "name", false);
  for (size_t i = 0; i < CONSTRUCTS_COUNT; i++) {
    const Construct *c = CONSTRUCTS[i];
    for (size_t k = 0; c->claim_names && k < construct_count(m, c); k++)
      c->claim_names(ctx, m, construct_item(m, c, k), &claims);
  }
  *out = (NameClaim **)claims.items;
  return claims.len;
}

static bool same_place(const Model *a, const Model *b) {
  bool same_account = (!a->account && !b->account) ||
                      (a->account && b->account && !strcmp(a->account, b->account));
  return same_account && a->region && b->region && !strcmp(a->region, b->region);
}

/* "kind name" -> index into a's things: a hash lookup keeps this linear. */
static void check_collisions(Ctx *ctx, const Model *a, const Model *b) {
  NameClaim **ta, **tb;
  size_t na = named_things(ctx, a, &ta), nb = named_things(ctx, b, &tb);
  bool regional = same_place(a, b);
  json_t *index = json_object();
  for (size_t i = 0; i < na; i++)
    if (ta[i]->name && (ta[i]->global || regional))
      json_object_set_new(index, arena_printf(&ctx->arena, "%s %s", ta[i]->kind, ta[i]->name),
                          json_integer((json_int_t)i));
  for (size_t j = 0; j < nb; j++) {
    if (!tb[j]->name)
      continue;
    json_t *hit = json_object_get(index, arena_printf(&ctx->arena, "%s %s", tb[j]->kind, tb[j]->name));
    if (!hit)
      continue;
    const NameClaim *t = ta[json_integer_value(hit)];
    Diag *d = diag_error(ctx, tb[j]->pos, LK_STAGE_COLLISION,
                         "stages '%s' and '%s' would both create the %s '%s'%s", a->stage,
                         b->stage, tb[j]->kind, tb[j]->name,
                         tb[j]->global ? "" : " in the same account and region");
    diag_note(ctx, d, t->pos, "stage '%s' names it here", a->stage);
  }
  json_decref(index);
}

static bool same_text(const char *a, const char *b) { return a && b && !strcmp(a, b); }

void compile_across_stages(Ctx *ctx, Compiled *c, size_t n, bool writes_output) {
  for (size_t j = 0; j < n; j++)
    for (size_t i = 0; i < j; i++) {
      const Model *a = c[i].model, *b = c[j].model;
      if (!a || !b || !a->stage || !b->stage)
        continue;
      bool same_stage = same_text(a->stage, b->stage) && same_text(a->project, b->project);
      if (!same_stage) {
        check_collisions(ctx, a, b);
        continue;
      }
      if (!writes_output) /* diff A A: nothing is written, nothing overwritten */
        continue;
      Diag *d = diag_error(ctx, decode_value_pos(b->node, "stage"), LK_DUPLICATE,
                           "stage '%s' of project '%s' is also built from '%s'; its output would "
                           "be overwritten",
                           b->stage, b->project, c[i].path);
      diag_note(ctx, d, decode_value_pos(a->node, "stage"), "'%s' is named here", a->stage);
    }
}

/* ---- the previous build ---- */

/* A previous build's file, parsed, when it is a regular file of a sane
 * size (a FIFO put there must not hang the build); else NULL. */
static json_t *load_regular(Ctx *ctx, const char *dir, const char *name) {
  const char *path = arena_printf(&ctx->arena, "%s/%s", dir, name);
  struct stat st;
  if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > (64 << 20))
    return NULL;
  return json_load_file(path, 0, NULL);
}

/* The Resources of every template the folder's manifest lists, merged into
 * one object (logical ids are unique across a stage's stacks); NULL when
 * there is no previous build there. */
static json_t *previous_resources(Ctx *ctx, const char *dir) {
  json_t *manifest = load_regular(ctx, dir, "manifest.json");
  json_t *stacks = json_object_get(manifest, "stacks");
  json_t *all = json_is_array(stacks) ? json_object() : NULL;
  size_t i;
  json_t *stack;
  json_array_foreach(stacks, i, stack) {
    const char *file = json_string_value(json_object_get(stack, "template"));
    if (!file || strchr(file, '/'))
      continue;
    json_t *t = load_regular(ctx, dir, file);
    json_object_update(all, json_object_get(t, "Resources"));
    json_decref(t);
  }
  json_decref(manifest);
  return all;
}

void compile_against_previous(Ctx *ctx, Compiled *c, const char *out_dir) {
  if (!c->model || !c->ir || !c->model->project || !c->model->stage)
    return;
  json_t *previous = previous_resources(
      ctx,
      arena_printf(&ctx->arena, "%s/%s/%s", out_dir, c->model->project, c->model->stage));
  if (!previous)
    return;
  for (size_t i = 0; i < CONSTRUCTS_COUNT; i++)
    if (CONSTRUCTS[i]->against_previous)
      CONSTRUCTS[i]->against_previous(ctx, c->model, previous);
  json_decref(previous);
}
