/* rawcheck: see rawcheck.h. */
#include "rawcheck.h"
#include "cfnspec.h"
#include "lower/lower_internal.h"
#include "refs.h"
#include "suggest.h"

#include <string.h>

static void no_visit(Ctx *ctx, void *arg, const Construct *c, const void *item, const char *attr,
                     Pos at) {
  (void)ctx, (void)arg, (void)c, (void)item, (void)attr, (void)at;
}

void rawcheck_refs(Ctx *ctx, const Model *m, const Node *n) {
  if (!n)
    return;
  if (n->kind == NODE_SCALAR && strstr(n->str, "${"))
    refs_check(ctx, m, n, no_visit, NULL);
  for (size_t i = 0; n->kind == NODE_MAP && i < n->count; i++)
    rawcheck_refs(ctx, m, n->pairs[i].value);
  for (size_t i = 0; n->kind == NODE_SEQ && i < n->count; i++)
    rawcheck_refs(ctx, m, n->items[i]);
}

static const char *const PSEUDO[] = {"AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue",
                                     "AWS::Partition", "AWS::Region",           "AWS::StackId",
                                     "AWS::StackName", "AWS::URLSuffix"};

static bool pseudo(const char *name) {
  for (size_t i = 0; i < COUNT(PSEUDO); i++)
    if (!strcmp(PSEUDO[i], name))
      return true;
  return false;
}

/* Every logical id the stage has, for a did-you-mean. */
static const char **all_ids(Ctx *ctx, const Ir *ir, const Model *m, size_t *n) {
  size_t raw = construct_count(m, &construct_resource);
  const char **ids = arena_alloc(&ctx->arena, (raw + ir->resources.len + COUNT(PSEUDO) + 1) *
                                                  sizeof *ids);
  *n = 0;
  for (size_t i = 0; i < raw; i++)
    ids[(*n)++] = ((const Item *)construct_item(m, &construct_resource, i))->key;
  for (size_t i = 0; i < ir->resources.len; i++)
    ids[(*n)++] = ((const IrResource *)ir->resources.items[i])->id;
  for (size_t i = 0; i < COUNT(PSEUDO); i++)
    ids[(*n)++] = PSEUDO[i];
  return ids;
}

bool rawcheck_id(Ctx *ctx, const Ir *ir, const Model *m, const char *id, Pos at,
                 const char *how) {
  if (pseudo(id) || rawcheck_type_of(ir, m, id))
    return true;
  Diag *d = diag_error(ctx, at, LK_RAW_TARGET, "%s '%s', which the stage does not have", how, id);
  size_t n;
  const char **ids = all_ids(ctx, ir, m, &n);
  const char *best = suggest_closest(id, ids, n);
  if (best)
    diag_fixit(ctx, d, best);
  else if (!strncmp(id, "AWS::", 5))
    diag_note(ctx, d, (Pos){0}, "the pseudo parameters are AWS::AccountId, AWS::Partition, "
                                "AWS::Region, AWS::StackName, AWS::URLSuffix ...");
  else
    diag_note(ctx, d, (Pos){0}, "name a construct with ${KEY.ITEM.ATTR} (${buckets.data.arn}), "
                                "a raw resource by its key");
  return false;
}

static void check_attribute(Ctx *ctx, const Ir *ir, const Model *m, const char *id,
                            const char *attr, Pos at) {
  const CfnType *t = cfnspec_type(rawcheck_type_of(ir, m, id));
  if (!t || cfnspec_attribute(t, attr))
    return;
  Diag *d = diag_error(ctx, at, LK_RAW_ATTRIBUTE, "%s '%s' has no attribute '%s' for Fn::GetAtt",
                       t->name, id, attr);
  size_t n = 0;
  while (t->attributes[n])
    n++;
  const char *best = suggest_closest(attr, t->attributes, n);
  if (best)
    diag_fixit(ctx, d, best);
  else if (n) {
    const char *list = t->attributes[0];
    for (size_t i = 1; i < n && i < 8; i++)
      list = arena_printf(&ctx->arena, "%s, %s", list, t->attributes[i]);
    diag_note(ctx, d, (Pos){0}, "its attributes: %s%s", list, n > 8 ? ", ..." : "");
  }
  else
    diag_note(ctx, d, (Pos){0}, "it has none: use Ref");
}

/* "Id.Attr" (Fn::GetAtt's short form, a Sub variable): the id before the
 * first dot, the attribute after it. */
static void check_dotted(Ctx *ctx, const Ir *ir, const Model *m, const Node *n, size_t at,
                         size_t len, const char *how) {
  const char *text = n->str + at, *dot = memchr(text, '.', len);
  const char *id = arena_strndup(&ctx->arena, text, dot ? (size_t)(dot - text) : len);
  if (!rawcheck_id(ctx, ir, m, id, node_pos_within(n, at, strlen(id)), how) || !dot)
    return;
  size_t id_len = (size_t)(dot - text);
  const char *attr = arena_strndup(&ctx->arena, dot + 1, len - id_len - 1);
  check_attribute(ctx, ir, m, id, attr, node_pos_within(n, at + id_len + 1, strlen(attr)));
}

static void check_getatt(Ctx *ctx, const Ir *ir, const Model *m, const Node *v) {
  if (v->kind == NODE_SCALAR) {
    if (!strchr(v->str, '.'))
      diag_error(ctx, v->pos, LK_RAW_UNSUPPORTED,
                 "Fn::GetAtt takes [ID, ATTRIBUTE] or 'ID.ATTRIBUTE', not '%s'", v->str);
    else
      check_dotted(ctx, ir, m, v, 0, strlen(v->str), "Fn::GetAtt names");
    return;
  }
  if (v->kind != NODE_SEQ || v->count != 2 || v->items[0]->kind != NODE_SCALAR) {
    diag_error(ctx, v->pos, LK_RAW_UNSUPPORTED, "Fn::GetAtt takes [ID, ATTRIBUTE]");
    return;
  }
  const Node *id = v->items[0], *attr = v->items[1];
  if (rawcheck_id(ctx, ir, m, id->str, id->pos, "Fn::GetAtt names") && attr->kind == NODE_SCALAR)
    check_attribute(ctx, ir, m, id->str, attr->str, attr->pos);
}

/* The variables of an Fn::Sub text: ${Name}, ${Id.Attr}; not ${!literal},
 * not lakec's ${KEY.ITEM.ATTR}, not those its own map defines. */
static void check_sub_text(Ctx *ctx, const Ir *ir, const Model *m, const Node *text,
                           const Node *defined) {
  if (text->kind != NODE_SCALAR)
    return;
  const char *s = text->str;
  for (const char *open = strstr(s, "${"); open; open = strstr(open + 2, "${")) {
    const char *close = strchr(open + 2, '}');
    if (!close)
      return;
    size_t at = (size_t)(open - s) + 2, len = (size_t)(close - open) - 2;
    const char *name = arena_strndup(&ctx->arena, s + at, len);
    if (name[0] == '!' || refs_named(name) || (defined && node_get(defined, name)))
      continue;
    check_dotted(ctx, ir, m, text, at, len, "Fn::Sub names");
  }
}

static void check_sub(Ctx *ctx, const Ir *ir, const Model *m, const Node *v) {
  if (v->kind == NODE_SCALAR)
    check_sub_text(ctx, ir, m, v, NULL);
  else if (v->kind == NODE_SEQ && v->count == 2 && v->items[0]->kind == NODE_SCALAR &&
           v->items[1]->kind == NODE_MAP)
    check_sub_text(ctx, ir, m, v->items[0], v->items[1]);
  else
    diag_error(ctx, v->pos, LK_RAW_UNSUPPORTED, "Fn::Sub takes TEXT or [TEXT, {NAME: VALUE}]");
}

/* Conditions are the stage files' own business: a value that differs by
 * stage is written in the stage that has it. */
static void refuse_condition(Ctx *ctx, const Node *key) {
  Diag *d = diag_error(ctx, key->pos, LK_RAW_UNSUPPORTED,
                       "%s needs CloudFormation conditions, which lakec does not write", key->str);
  diag_note(ctx, d, (Pos){0}, "write the value that differs in each stage file instead "
                              "(`extends:` keeps what they share)");
}

static void check_intrinsic(Ctx *ctx, const Ir *ir, const Model *m, const NodePair *p) {
  const char *fn = p->key->str;
  const Node *v = p->value;
  if (!strcmp(fn, "Ref")) {
    if (v->kind != NODE_SCALAR || strstr(v->str, "${"))
      diag_error(ctx, v->pos, LK_RAW_UNSUPPORTED,
                 "Ref takes a logical id as written (Ref: Sessions); a construct is named by "
                 "${KEY.ITEM.ATTR} alone, without Ref");
    else
      rawcheck_id(ctx, ir, m, v->str, v->pos, "Ref names");
  } else if (!strcmp(fn, "Fn::GetAtt")) {
    check_getatt(ctx, ir, m, v);
  } else if (!strcmp(fn, "Fn::Sub")) {
    check_sub(ctx, ir, m, v);
  } else if (!strcmp(fn, "Fn::If") || (!strcmp(fn, "Condition") && v->kind == NODE_SCALAR)) {
    refuse_condition(ctx, p->key);
  } else if (!strcmp(fn, "Fn::FindInMap") || !strcmp(fn, "Fn::Length") ||
             !strcmp(fn, "Fn::ToJsonString")) {
    diag_error(ctx, p->key->pos, LK_RAW_UNSUPPORTED,
               "%s needs what lakec does not write (a Mappings section, the "
               "AWS::LanguageExtensions transform): write the value itself",
               fn);
  }
}

/* A ${NAME} of CloudFormation's outside an Fn::Sub stays as written: said
 * (lakec's own ${KEY.ITEM.ATTR} work anywhere). */
static void check_plain_text(Ctx *ctx, const Node *n) {
  for (const char *open = strstr(n->str, "${"); open; open = strstr(open + 2, "${")) {
    const char *close = strchr(open + 2, '}');
    if (!close)
      return;
    size_t at = (size_t)(open - n->str), len = (size_t)(close - open) + 1;
    const char *name = arena_strndup(&ctx->arena, open + 2, len - 3);
    if (name[0] == '!' || refs_named(name))
      continue;
    Diag *d = diag_error(ctx, node_pos_within(n, at, len), LK_RAW_UNSUPPORTED,
                         "CloudFormation replaces '${%s}' only inside Fn::Sub; here it stays as "
                         "written", name);
    diag_note(ctx, d, (Pos){0}, "write {Fn::Sub: \"...\"} around the text");
    return;
  }
}

static void walk(Ctx *ctx, const Ir *ir, const Model *m, const Node *n, bool in_sub) {
  if (n->kind == NODE_SCALAR && !in_sub && !n->unresolved)
    check_plain_text(ctx, n);
  if (n->kind == NODE_MAP && n->count == 1)
    check_intrinsic(ctx, ir, m, &n->pairs[0]);
  for (size_t i = 0; n->kind == NODE_MAP && i < n->count; i++) {
    const Node *v = n->pairs[i].value;
    bool sub = !strcmp(n->pairs[i].key->str, "Fn::Sub");
    if (sub && v->kind == NODE_SEQ && v->count) { /* its text, then its variables' values */
      walk(ctx, ir, m, v->items[0], true);
      for (size_t k = 1; k < v->count; k++)
        walk(ctx, ir, m, v->items[k], false);
      continue;
    }
    walk(ctx, ir, m, v, sub);
  }
  for (size_t i = 0; n->kind == NODE_SEQ && i < n->count; i++)
    walk(ctx, ir, m, n->items[i], false);
}

void rawcheck_targets(Ctx *ctx, const Ir *ir, const Model *m, const Node *n) {
  if (n)
    walk(ctx, ir, m, n, false);
}

bool rawcheck_name(Ctx *ctx, const char *name, Pos at, const char *what) {
  size_t alnum = 0;
  for (const char *c = name; *c; c++)
    alnum += (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9');
  if (*name && alnum == strlen(name))
    return true;
  Diag *d = diag_error(ctx, at, LK_RAW_ID,
                       "'%s' is not %s: CloudFormation's are letters and digits only", name, what);
  diag_fixit(ctx, d, lid(ctx, name, ""));
  return false;
}
