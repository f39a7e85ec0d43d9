/* merge: phase 2. Follows extends: from the stage file up to the blueprint,
 * then folds the chain from the top down with merge_trees, so that each file
 * overrides the one it extends. Nodes are never changed in place (load may
 * share them through aliases): merging builds new maps and keeps the positions
 * of the nodes it takes, so a value is always reported in the file it came from. */
#include "merge.h"
#include "strindex.h"
#include "ctx.h"
#include "extends.h"
#include "load.h"
#include "refs.h"
#include "suggest.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* ---- deep merge ---- */

static void remember_override(Ctx *ctx, Pos at, Pos was) {
  Override *o = arena_alloc(&ctx->arena, sizeof *o);
  o->at = at;
  o->was = was;
  ptrvec_push(&ctx->arena, &ctx->overrides, o);
}

/* {Ref: X}, {Fn::...: ...} or {Condition: X}: a value, replaced whole,
 * never merged key by key. */
static bool intrinsic_function(const Node *n) {
  return node_intrinsic(n) ||
         (n->kind == NODE_MAP && n->count == 1 && !strcmp(n->pairs[0].key->str, "Condition"));
}

Node *merge_trees(Ctx *ctx, const Node *base, const Node *over) {
  if (!base || base->kind != NODE_MAP || !over || over->kind != NODE_MAP ||
      intrinsic_function(base) || intrinsic_function(over))
    return (Node *)over;
  Node *out = node_new_map(ctx, base->pos, base->count + over->count);
  StrIndex over_keys = {0}, base_keys = {0}; /* linear, whatever the size of the maps */
  for (size_t j = 0; j < over->count; j++)
    strindex_put(ctx, &over_keys, over->pairs[j].key->str, &over->pairs[j]);
  for (size_t i = 0; i < base->count; i++) {
    const NodePair *bp = &base->pairs[i];
    strindex_put(ctx, &base_keys, bp->key->str, (void *)bp);
    const NodePair *op = strindex_get(&over_keys, bp->key->str);
    if (!op) {
      out->pairs[out->count++] = *bp;
    } else if (!node_is_null(op->value)) {
      /* An overridden key is reported where the overriding file wrote it. */
      out->pairs[out->count].key = op->key;
      out->pairs[out->count++].value = merge_trees(ctx, bp->value, op->value);
      if (op->value->kind != NODE_MAP || bp->value->kind != NODE_MAP ||
          intrinsic_function(op->value) || intrinsic_function(bp->value))
        remember_override(ctx, op->value->pos, bp->value->pos);
    }
  }
  for (size_t j = 0; j < over->count; j++) {
    const NodePair *op = &over->pairs[j];
    if (!strindex_get(&base_keys, op->key->str))
      out->pairs[out->count++] = *op;
  }
  return out;
}

/* ---- extends ---- */

typedef struct Chain {
  ProjectRoot root; /* the top stage file's: every level of the chain stays in it */
  const char *real[MERGE_MAX_CHAIN];
  Pos at[MERGE_MAX_CHAIN];
  int len;
} Chain;

/* Cycle detection compares canonical paths, so "../x.yaml" and "x.yaml" agree. */
static bool chain_check(Ctx *ctx, Chain *ch, const char *shown, const char *real, Pos at) {
  for (int i = 0; i < ch->len; i++) {
    if (strcmp(ch->real[i], real) != 0)
      continue;
    Diag *d = diag_error(ctx, at, LK_EXTENDS_CYCLE, "'%s' extends itself through a cycle", shown);
    if (ch->at[i].file)
      diag_note(ctx, d, ch->at[i], "the cycle starts with this extends");
    return false;
  }
  if (ch->len == MERGE_MAX_CHAIN) {
    diag_error(ctx, at, LK_EXTENDS_CYCLE, "extends chain is longer than %d files",
               MERGE_MAX_CHAIN);
    return false;
  }
  ch->real[ch->len] = real;
  ch->at[ch->len++] = at;
  return true;
}

static Node *load_chain(Ctx *ctx, Chain *ch, SourceFile *f, const char *dir);

/* A copy of a map whose extends: failed, marked so (Node.unresolved). */
static Node *without_base(Ctx *ctx, const Node *map) {
  if (map->kind != NODE_MAP)
    return (Node *)map;
  Node *copy = node_new_map(ctx, map->pos, map->count);
  for (size_t i = 0; i < map->count; i++)
    copy->pairs[copy->count++] = map->pairs[i];
  copy->unresolved = true;
  return copy;
}

/* The file an extends: value of `from` (in the canonical directory dir) names,
 * checked (extends.c), loaded with what it extends in turn; NULL after a
 * diagnostic. A blueprint is a map, like the stage file it is merged into. */
static Node *load_base(Ctx *ctx, Chain *ch, const SourceFile *from, const char *dir,
                       const Node *value) {
  const char *shown = extends_shown_path(ctx, from->path, value->str);
  const char *named = NULL;
  const char *target = extends_target(ctx, &ch->root, dir, shown, value, &named);
  if (!target || !chain_check(ctx, ch, shown, target, value->pos))
    return NULL;
  SourceFile *f = extends_read(ctx, &ch->root, target, shown, value);
  if (!f)
    return NULL;
  f->included_from = value->pos;
  Node *base = load_chain(ctx, ch, f, extends_base_dir(ctx, named));
  if (base && base->kind != NODE_MAP) {
    diag_error(ctx, value->pos, LK_EXTENDS_REFUSED,
               "'%s' is not a stage file: it holds %s, not a map", shown, node_describe(base));
    return NULL;
  }
  return base;
}

/* Loads f and, recursively, what it extends (relative to dir, where f is);
 * returns the merged tree. */
static Node *load_chain(Ctx *ctx, Chain *ch, SourceFile *f, const char *dir) {
  Node *root = load(ctx, f);
  Node *ext = node_get(root, "extends");
  if (!ext)
    return root;
  if (ext->kind != NODE_SCALAR || node_is_null(ext) || !*ext->str)
    return root; /* check reports the type */
  Node *base = load_base(ctx, ch, f, dir, ext);
  if (!base)
    return without_base(ctx, root);
  Node *merged = merge_trees(ctx, base, root);
  if (merged != root && merged->kind == NODE_MAP) {
    merged->pos = root->pos; /* the stage is this file: what it lacks is reported here */
    merged->unresolved = base->unresolved; /* a blueprint's own extends: failed */
  }
  return merged;
}

/* ---- interpolation ---- */

typedef struct Vars {
  const char *builtin_values[4];
  const Node *vars; /* the merged vars: map, or NULL */
  /* Expanding raw CloudFormation: a ${NAME} that is not lakec's belongs to
   * Fn::Sub (${AWS::Region}, ${Bucket.Arn}) and is kept for its check. */
  bool cloudformation;
} Vars;

/* The stage keys written in CloudFormation's own terms. */
static const char *const RAW_KEYS[] = {"resources", "outputs", "patches"};

static bool raw_key(const char *key) {
  for (size_t i = 0; i < sizeof RAW_KEYS / sizeof *RAW_KEYS; i++)
    if (!strcmp(RAW_KEYS[i], key))
      return true;
  return false;
}

static const char *const BUILTINS[] = {"stage", "project", "region", "account"};

static Pos pos_in_scalar(const Node *n, size_t offset, size_t len) {
  Pos p = n->pos;
  if (p.len) { /* single-line token: point inside it */
    p.col += (unsigned)offset + (n->quoted ? 1u : 0u);
    p.len = (unsigned)len;
  }
  return p;
}

static const char *lookup_var(Ctx *ctx, const Vars *v, const char *name, Pos at) {
  if (!strncmp(name, "var.", 4)) {
    Node *val = node_get(v->vars, name + 4);
    if (val && val->kind == NODE_SCALAR)
      return val->str;
    Diag *d = diag_error(ctx, at, LK_UNDEFINED_VAR, "undefined variable '%s'", name);
    if (v->vars)
      diag_note(ctx, d, v->vars->pos, "the variables are defined here");
    return NULL;
  }
  for (int i = 0; i < 4; i++)
    if (!strcmp(name, BUILTINS[i])) {
      if (v->builtin_values[i])
        return v->builtin_values[i];
      /* stage and project are required: check reports them missing, once */
      if (i > 1)
        diag_error(ctx, at, LK_UNDEFINED_VAR, "'${%s}' is used but '%s' is not set", name, name);
      return NULL;
    }
  if (refs_named(name) || v->cloudformation) /* ${KEY.ITEM.ATTR}: kept for the check of the
                                                 key that takes it */
    return arena_printf(&ctx->arena, "${%s}", name);
  Diag *d = diag_error(ctx, at, LK_UNDEFINED_VAR, "unknown variable '%s'", name);
  const char *best = suggest_closest(name, BUILTINS, 4);
  if (best)
    diag_fixit(ctx, d, arena_printf(&ctx->arena, "${%s}", best));
  else
    diag_note(ctx, d, (Pos){0}, "use ${stage}, ${project}, ${region}, ${account} or ${var.NAME}");
  return NULL;
}

/* A plain scalar that is one ${var.NAME} alone takes the variable's value as
 * it is written, so a plain number or boolean stays one
 * (`retention: ${var.log_days}`); any other expansion is text. */
static bool is_plain_var(Ctx *ctx, const Vars *v, const Node *n) {
  const char *s = n->str;
  size_t len = strlen(s);
  if (n->quoted || strncmp(s, "${var.", 6) || strchr(s, '}') != s + len - 1)
    return false;
  const Node *val = node_get(v->vars, arena_strndup(&ctx->arena, s + 6, len - 7));
  return val && val->kind == NODE_SCALAR && !val->quoted;
}

/* Expands one string; returns the node itself when there is nothing to expand. */
static Node *expand_scalar(Ctx *ctx, const Vars *v, Node *n, bool allow_vars) {
  const char *s = n->str;
  if (!strchr(s, '$'))
    return n;
  size_t cap = strlen(s) + 1, len = 0;
  char *out = malloc(cap);
  bool ok = true, changed = false;
  for (size_t i = 0; s[i] && ok;) {
    const char *piece = NULL;
    size_t piece_len = 0, advance = 1;
    if (s[i] == '$' && s[i + 1] == '$' && s[i + 2] == '{') {
      piece = "${", piece_len = 2, advance = 3, changed = true;
    } else if (s[i] == '$' && s[i + 1] == '{') {
      const char *end = strchr(s + i + 2, '}');
      if (!end) {
        diag_error(ctx, pos_in_scalar(n, i, 2), LK_BAD_INTERPOLATION,
                   "'${' is not closed by '}' (write '$${' for a literal '${')");
        ok = false;
        break;
      }
      char *name = arena_strndup(&ctx->arena, s + i + 2, (size_t)(end - s - i - 2));
      Pos at = pos_in_scalar(n, i, (size_t)(end - s - i) + 1);
      if (!allow_vars && !strncmp(name, "var.", 4)) {
        diag_error(ctx, at, LK_BAD_INTERPOLATION, "a variable cannot refer to another variable");
        ok = false;
        break;
      }
      piece = lookup_var(ctx, v, name, at);
      ok = piece != NULL;
      piece_len = piece ? strlen(piece) : 0;
      advance = (size_t)(end - s - i) + 1;
      changed = true;
    } else {
      piece = s + i, piece_len = 1;
    }
    if (!ok)
      break;
    if (len + piece_len + 1 > cap) {
      cap = (len + piece_len + 1) * 2;
      char *grown = realloc(out, cap);
      if (!grown)
        BUG("out of memory");
      out = grown;
    }
    memcpy(out + len, piece, piece_len);
    len += piece_len;
    i += advance;
  }
  Node *result = n;
  if (ok && changed)
    result = node_new_scalar(ctx, n->pos, arena_strndup(&ctx->arena, out, len),
                             !is_plain_var(ctx, v, n));
  if (!ok) { /* keep the text, but spare it the checks that would only repeat the error */
    result = node_new_scalar(ctx, n->pos, n->str, n->quoted);
    result->unresolved = true;
  }
  free(out);
  return result;
}

/* Copies the tree, expanding scalars and dropping null-valued keys. */
static Node *expand_tree(Ctx *ctx, const Vars *v, Node *n, bool allow_vars) {
  switch (n->kind) {
  case NODE_SCALAR:
    return expand_scalar(ctx, v, n, allow_vars);
  case NODE_SEQ: {
    Node *out = node_new_seq(ctx, n->pos, n->count);
    for (size_t i = 0; i < n->count; i++)
      out->items[out->count++] = expand_tree(ctx, v, n->items[i], allow_vars);
    return out;
  }
  case NODE_MAP: {
    Node *out = node_new_map(ctx, n->pos, n->count);
    for (size_t i = 0; i < n->count; i++) {
      if (node_is_null(n->pairs[i].value))
        continue;
      out->pairs[out->count].key = n->pairs[i].key;
      out->pairs[out->count++].value = expand_tree(ctx, v, n->pairs[i].value, allow_vars);
    }
    return out;
  }
  }
  BUG("unknown node kind");
}

/* The built-ins are plain values: they may not themselves use ${...}. */
static const char *builtin_value(Ctx *ctx, const Node *root, const char *name) {
  Node *n = node_get(root, name);
  if (!n || n->kind != NODE_SCALAR || node_is_null(n))
    return NULL;
  if (strstr(n->str, "${")) {
    diag_error(ctx, n->pos, LK_BAD_INTERPOLATION, "'%s' cannot use ${...} itself", name);
    return NULL;
  }
  return n->str;
}

Node *merge_interpolate(Ctx *ctx, Node *root) {
  if (!root || root->kind != NODE_MAP)
    return root;
  Vars v;
  memset(&v, 0, sizeof v);
  for (int i = 0; i < 4; i++)
    v.builtin_values[i] = builtin_value(ctx, root, BUILTINS[i]);
  Node *vars = node_get(root, "vars");
  if (vars && vars->kind == NODE_MAP)
    v.vars = expand_tree(ctx, &v, vars, false);
  Node *out = node_new_map(ctx, root->pos, root->count);
  out->unresolved = root->unresolved;
  for (size_t i = 0; i < root->count; i++) {
    const NodePair *p = &root->pairs[i];
    if (node_is_null(p->value))
      continue;
    out->pairs[out->count].key = p->key;
    v.cloudformation = raw_key(p->key->str);
    out->pairs[out->count++].value =
        p->value == vars && v.vars ? (Node *)v.vars : expand_tree(ctx, &v, p->value, true);
  }
  return out;
}

Node *merge(Ctx *ctx, const char *path) {
  Chain ch;
  memset(&ch, 0, sizeof ch);
  ch.root = extends_project_root(ctx, path);
  const char *why = NULL;
  SourceFile *f = source_read(ctx, path, &why);
  if (!f) {
    Pos nowhere = {0};
    if (why == SOURCE_TOO_LARGE)
      diag_error(ctx, nowhere, LK_INPUT_LIMIT,
                 "'%s' is larger than 4 MiB, the limit for a stage file", path);
    else
      diag_error(ctx, nowhere, LK_EXTENDS_NOT_FOUND, "cannot read '%s': %s", path, why);
    return NULL;
  }
  char buf[PATH_MAX];
  const char *real = realpath(path, buf) ? arena_strdup(&ctx->arena, buf) : path;
  chain_check(ctx, &ch, path, real, (Pos){0});
  /* Relative paths are relative to a file as it is named: for a file that
   * is a link, from the link's directory, not its target's. */
  Node *root = load_chain(ctx, &ch, f, extends_base_dir(ctx, path));
  if (!root)
    return NULL;
  /* --as: the stage is named otherwise before anything (${stage} included)
   * reads its name; diagnostics still point at the file's `stage:`. */
  Node *stage = ctx->stage_as ? node_get(root, "stage") : NULL;
  if (stage && stage->kind == NODE_SCALAR)
    stage->str = arena_strdup(&ctx->arena, ctx->stage_as);
  return merge_interpolate(ctx, root);
}
