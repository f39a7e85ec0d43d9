/* refs: see refs.h. */
#include "refs.h"
#include "rawcheck.h"
#include "lower/lower_internal.h"
#include "suggest.h"

#include <string.h>

/* One ${KEY.ITEM.ATTR} found in a text: where, and its three parts. */
typedef struct Ref {
  size_t at, len; /* of the whole ${...} */
  const char *key, *item, *attr;
} Ref;

/* Splits "KEY.ITEM.ATTR" (ITEM may hold dots: ATTR is after the last one). */
static bool split(Ctx *ctx, const char *name, size_t n, Ref *r) {
  const char *dot = memchr(name, '.', n), *last = NULL;
  for (const char *p = name; p < name + n; p++)
    if (*p == '.')
      last = p;
  if (!dot || last == dot || last + 1 == name + n || dot + 1 == last)
    return false;
  r->key = arena_strndup(&ctx->arena, name, (size_t)(dot - name));
  const Construct *c = construct_named(r->key);
  /* A raw resource's id has no dot, and its attribute may have some
   * (${resources.Db.Endpoint.Address}). */
  if (c == &construct_resource)
    last = memchr(dot + 1, '.', (size_t)(name + n - dot - 1));
  r->item = arena_strndup(&ctx->arena, dot + 1, (size_t)(last - dot - 1));
  r->attr = arena_strndup(&ctx->arena, last + 1, (size_t)(name + n - last - 1));
  return c != NULL;
}

bool refs_named(const char *name) {
  const char *dot = strchr(name, '.'), *last = strrchr(name, '.');
  char key[64];
  size_t n = dot ? (size_t)(dot - name) : 0;
  if (!n || n >= sizeof key || last == dot || dot + 1 == last || !last[1])
    return false;
  memcpy(key, name, n);
  key[n] = '\0';
  return construct_named(key) != NULL;
}

/* The next reference in text from `from`, or false. */
static bool next_ref(Ctx *ctx, const char *text, size_t from, Ref *r) {
  for (const char *open = strstr(text + from, "${"); open; open = strstr(open + 2, "${")) {
    const char *close = strchr(open + 2, '}');
    if (!close)
      return false;
    if (split(ctx, open + 2, (size_t)(close - open - 2), r)) {
      r->at = (size_t)(open - text);
      r->len = (size_t)(close - open) + 1;
      return true;
    }
  }
  return false;
}

/* What references commonly ask for, for a did-you-mean. */
static const char *const ATTRIBUTES[] = {"name", "arn", "url", "database", "location"};

/* True when the construct's item offers attr (its ref says so). */
static bool offers(Ctx *ctx, const Construct *c, const void *item, const char *attr) {
  RefSpec probe = {0};
  bool yes = c->ref && c->ref(ctx, item, attr, &probe) && (probe.id || probe.literal);
  json_decref(probe.literal);
  return yes;
}

static void check_attribute(Ctx *ctx, const Construct *c, const void *item, const Ref *r, Pos at,
                            RefVisit *each, void *arg) {
  if (offers(ctx, c, item, r->attr)) {
    each(ctx, arg, c, item, r->attr, at);
    return;
  }
  Diag *d = diag_error(ctx, at, LK_UNDEFINED_REF, "%s '%s' has no attribute '%s' to refer to",
                       c->kind, r->item, r->attr);
  const char *offered[COUNT(ATTRIBUTES)];
  size_t n = 0;
  for (size_t i = 0; i < COUNT(ATTRIBUTES); i++)
    if (offers(ctx, c, item, ATTRIBUTES[i]))
      offered[n++] = ATTRIBUTES[i];
  const char *best = suggest_closest(r->attr, offered, n);
  if (best)
    diag_fixit(ctx, d, arena_printf(&ctx->arena, "${%s.%s.%s}", r->key, r->item, best));
}

/* The item a reference names, or NULL reported with the reference corrected. */
static const void *find_item(Ctx *ctx, const Model *m, const Construct *c, const Ref *r, Pos at) {
  const void *item = construct_find(m, c, r->item);
  if (item)
    return item;
  Diag *d = diag_error(ctx, at, LK_UNDEFINED_REF, "no %s named '%s' in '%s'", c->kind, r->item,
                       c->key);
  size_t n = construct_count(m, c);
  const char **keys = arena_alloc(&ctx->arena, (n ? n : 1) * sizeof *keys);
  for (size_t i = 0; i < n; i++)
    keys[i] = ((const Item *)construct_item(m, c, i))->key;
  const char *best = suggest_closest(r->item, keys, n);
  if (best)
    diag_fixit(ctx, d, arena_printf(&ctx->arena, "${%s.%s.%s}", r->key, best, r->attr));
  return NULL;
}

void refs_check(Ctx *ctx, const Model *m, const Node *n, RefVisit *each, void *arg) {
  if (!n || n->kind != NODE_SCALAR || n->unresolved)
    return;
  ptrvec_push(&ctx->arena, &ctx->resolved_refs, (void *)n);
  Ref r;
  for (size_t from = 0; next_ref(ctx, n->str, from, &r); from = r.at + r.len) {
    Pos at = node_pos_within(n, r.at, r.len);
    const Construct *c = construct_named(r.key);
    const void *item = find_item(ctx, m, c, &r, at);
    if (item)
      check_attribute(ctx, c, item, &r, at, each, arg);
  }
}

/* Appends text[from, to) to out, with each "${" as "${!" when the result is
 * Fn::Sub text (so it stays literal). */
static const char *add_plain(Ctx *ctx, const char *out, const char *text, size_t from, size_t to,
                             bool sub) {
  size_t n = to - from, k = 0;
  char *piece = arena_alloc(&ctx->arena, 2 * n + 1);
  for (size_t i = from; i < to; i++) {
    piece[k++] = text[i];
    if (sub && text[i] == '$' && i + 1 < to && text[i + 1] == '{')
      piece[k++] = '{', piece[k++] = '!', i++;
  }
  piece[k] = '\0';
  return arena_printf(&ctx->arena, "%s%s", out, piece);
}

/* The value's text when lakec fixed it (a name, or an ARN of known names as
 * Fn::Sub text), else NULL. A string needs no CloudFormation reference, and
 * one to a type some implementations skip (moto's Glue) would break there. */
static const char *known_text(Ctx *ctx, const Construct *c, const void *item, const char *attr) {
  RefSpec r = {0};
  if (!c->ref(ctx, item, attr, &r) || !r.literal)
    return NULL;
  json_t *sub = json_is_object(r.literal) ? json_object_get(r.literal, "Fn::Sub") : r.literal;
  const char *text = json_is_string(sub) ? arena_strdup(&ctx->arena, json_string_value(sub)) : NULL;
  json_decref(r.literal);
  return text;
}

/* The text with its references replaced; *sub set when a piece is Fn::Sub
 * text. Plain "${" is escaped as "${!" when the whole becomes Fn::Sub text,
 * unless the text is Fn::Sub text already (escape false). */
static const char *expand_text(Ctx *ctx, Ir *ir, const Model *m, const char *text, bool escape,
                               bool *sub_out) {
  Ref r;
  const char *pieces[64];
  size_t starts[64], ends[64], n = 0;
  bool sub = false;
  for (size_t from = 0; n < COUNT(pieces) && next_ref(ctx, text, from, &r); from = r.at + r.len) {
    const Construct *c = construct_named(r.key);
    const void *item = construct_find(m, c, r.item);
    if (!item)
      BUG("reference ${%s.%s.%s} was not checked", r.key, r.item, r.attr);
    pieces[n] = known_text(ctx, c, item, r.attr);
    if (!pieces[n])
      pieces[n] = construct_sub(ctx, ir, c, item, r.attr);
    sub |= strstr(pieces[n], "${") != NULL;
    starts[n] = r.at, ends[n++] = r.at + r.len;
  }
  const char *out = "";
  size_t from = 0;
  for (size_t i = 0; i < n; i++) {
    out = add_plain(ctx, out, text, from, starts[i], sub && escape);
    out = arena_printf(&ctx->arena, "%s%s", out, pieces[i]);
    from = ends[i];
  }
  *sub_out = sub;
  return add_plain(ctx, out, text, from, strlen(text), sub && escape);
}

json_t *refs_expand(Ctx *ctx, Ir *ir, const Model *m, const char *text) {
  bool sub = false;
  const char *out = expand_text(ctx, ir, m, text, true, &sub);
  return sub ? cfn_sub(out) : json_string(out);
}

const char *refs_expand_in_sub(Ctx *ctx, Ir *ir, const Model *m, const char *text) {
  bool sub = false;
  return expand_text(ctx, ir, m, text, false, &sub);
}

bool refs_whole(Ctx *ctx, const char *text, const Construct **c, const char **item,
                const char **attr) {
  Ref r;
  if (!next_ref(ctx, text, 0, &r) || r.at != 0 || r.len != strlen(text))
    return false;
  *c = construct_named(r.key), *item = r.item, *attr = r.attr;
  return true;
}

static bool taken(const Ctx *ctx, const Node *n) {
  for (size_t i = 0; i < ctx->resolved_refs.len; i++)
    if (ctx->resolved_refs.items[i] == n)
      return true;
  return false;
}

static void report(Ctx *ctx, const Node *n) {
  switch (n->kind) {
  case NODE_SCALAR: {
    Ref r;
    if (n->unresolved || taken(ctx, n) || !next_ref(ctx, n->str, 0, &r))
      return;
    diag_error(ctx, node_pos_within(n, r.at, r.len), LK_BAD_INTERPOLATION,
               "'%.*s' refers to another item, which lakec resolves only where the README "
               "says a key takes references (job arguments, function environment, iam "
               "grants, raw CloudFormation)",
               (int)r.len, n->str + r.at);
    return;
  }
  case NODE_SEQ:
    for (size_t i = 0; i < n->count; i++)
      report(ctx, n->items[i]);
    return;
  case NODE_MAP:
    for (size_t i = 0; i < n->count; i++)
      report(ctx, n->pairs[i].value);
    return;
  }
}

void refs_report_unresolved(Ctx *ctx, const Node *root) {
  if (!root || root->kind != NODE_MAP)
    return;
  for (size_t i = 0; i < root->count; i++)
    if (strcmp(root->pairs[i].key->str, "vars") != 0) /* used elsewhere, checked there */
      report(ctx, root->pairs[i].value);
}
