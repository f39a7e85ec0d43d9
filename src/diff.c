/* diff: phase 6. Matches resources by logical id (a hash index, so the whole
 * comparison is linear in the number of resources), then walks each pair of
 * property trees. Maps are compared key by key; lists whose order carries no
 * meaning (tags, policy statements, actions, ...) are compared as sets, tags
 * by key and statements by Sid, so reordering is not a change. Each change is
 * then classified: does CloudFormation replace the resource for it (from the
 * table generated from the resource schemas), does that lose data, does it
 * touch IAM or API auth, is it only new handler code. */
#include "diff.h"
#include "ctx.h"
#include "replace_table.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

/* ---- what the rules know about types and properties ---- */

/* Types whose replacement or removal deletes data. */
static const char *const DATA_TYPES[] = {
    "AWS::S3::Bucket",         "AWS::DynamoDB::Table",       "AWS::DynamoDB::GlobalTable",
    "AWS::Cognito::UserPool",  "AWS::Glue::Database",        "AWS::Glue::Table",
    "AWS::Logs::LogGroup",     "AWS::RDS::DBInstance",       "AWS::RDS::DBCluster",
    "AWS::EFS::FileSystem",    "AWS::Kinesis::Stream",       "AWS::SQS::Queue",
    "AWS::MSK::Cluster",       "AWS::OpenSearchService::Domain", "AWS::Redshift::Cluster",
    "AWS::S3Tables::TableBucket", "AWS::Timestream::Table",  "AWS::KMS::Key",
};

/* Types that are all about who may do what. */
static const char *const SECURITY_TYPE_PREFIXES[] = {
    "AWS::IAM::",
    "AWS::S3::BucketPolicy",
    "AWS::SQS::QueuePolicy",
    "AWS::SNS::TopicPolicy",
    "AWS::Lambda::Permission",
    "AWS::ApiGateway::Authorizer",
    "AWS::Cognito::",
    "AWS::LakeFormation::",
    "AWS::KMS::",
};

/* Properties of other types that decide access. */
static const char *const SECURITY_PROPERTIES[] = {
    "AuthorizationType", "AuthorizerId",   "ApiKeyRequired",        "AuthorizationScopes",
    "Policies",          "PolicyDocument", "AssumeRolePolicyDocument", "ManagedPolicyArns",
    "PermissionsBoundary", "Role",         "Principal",             "SourceArn",
    "PublicAccessBlockConfiguration",
};

/* Lists compared as sets: their order means nothing to CloudFormation. */
static const char *const UNORDERED_LISTS[] = {
    "Tags",      "Statement",      "Action",     "NotAction",  "Resource",
    "NotResource", "ManagedPolicyArns", "Policies", "DependsOn", "Targets",
    "AutoVerifiedAttributes", "UsernameAttributes", "ExplicitAuthFlows", "ProviderARNs",
    "SecurityGroupIds", "SubnetIds", "Layers",   "Types",      "S3Targets",
};

static bool in_list(const char *s, const char *const *list, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!strcmp(s, list[i]))
      return true;
  return false;
}
#define IN(s, list) in_list((s), (list), sizeof(list) / sizeof *(list))

static bool is_data_type(const char *type) { return type && IN(type, DATA_TYPES); }

bool diff_holds_data(const char *type) { return is_data_type(type); }

static bool is_security_type(const char *type) {
  for (size_t i = 0; i < sizeof SECURITY_TYPE_PREFIXES / sizeof *SECURITY_TYPE_PREFIXES; i++)
    if (!strncmp(type, SECURITY_TYPE_PREFIXES[i], strlen(SECURITY_TYPE_PREFIXES[i])))
      return true;
  return false;
}

/* ---- replacement rules ---- */

/* Segment-wise prefix match; a '*' in the rule matches any one segment. */
static bool rule_covers(const char *rule, const char *path) {
  while (*rule) {
    const char *rend = strchr(rule, '.'), *pend = strchr(path, '.');
    size_t rn = rend ? (size_t)(rend - rule) : strlen(rule);
    size_t pn = pend ? (size_t)(pend - path) : strlen(path);
    if (!*path)
      return false;
    if (!(rn == 1 && rule[0] == '*') && (rn != pn || strncmp(rule, path, rn) != 0))
      return false;
    rule += rn + (rend ? 1 : 0);
    path += pn + (pend ? 1 : 0);
    if (!rend)
      return true;
  }
  return true;
}

static int compare_rule_type(const void *key, const void *elem) {
  return strcmp(key, ((const ReplaceRule *)elem)->type);
}

int diff_replacement(const char *type, const char *path) {
  const ReplaceRule *hit =
      bsearch(type, REPLACE_RULES, REPLACE_RULES_COUNT, sizeof *REPLACE_RULES, compare_rule_type);
  if (!hit)
    return 0;
  while (hit > REPLACE_RULES && !strcmp(hit[-1].type, type))
    hit--;
  int kind = 0;
  for (; hit < REPLACE_RULES + REPLACE_RULES_COUNT && !strcmp(hit->type, type); hit++)
    if (rule_covers(hit->path, path) && (kind == 0 || hit->kind == REPLACES))
      kind = hit->kind;
  return kind;
}

/* ---- structural comparison ---- */

typedef struct Walk {
  Ctx *ctx;
  const DiffOptions *opts;
  const char *prefix; /* "Resources.DataBucket." for ignore patterns */
  PtrVec *out;
} Walk;

static bool ignored(const Walk *w, const char *path) {
  if (!w->opts)
    return false;
  const char *full = arena_printf(&w->ctx->arena, "%s%s", w->prefix, path);
  for (size_t i = 0; i < w->opts->nignore; i++)
    if (fnmatch(w->opts->ignore[i], full, 0) == 0)
      return true;
  return false;
}

static void add_change(Walk *w, const char *path, json_t *old, json_t *new_) {
  if (ignored(w, path))
    return;
  PropChange *c = arena_alloc(&w->ctx->arena, sizeof *c);
  c->path = path;
  c->old = old ? json_incref(old) : NULL;
  c->new_ = new_ ? json_incref(new_) : NULL;
  ptrvec_push(&w->ctx->arena, w->out, c);
}

static void compare(Walk *w, const char *path, json_t *a, json_t *b);

static const char *child(Walk *w, const char *path, const char *key) {
  return *path ? arena_printf(&w->ctx->arena, "%s.%s", path, key) : key;
}

static const char *last_segment(const char *path) {
  const char *dot = strrchr(path, '.');
  return dot ? dot + 1 : path;
}

static void compare_objects(Walk *w, const char *path, json_t *a, json_t *b) {
  const char *key;
  json_t *va;
  json_object_foreach(a, key, va) {
    json_t *vb = json_object_get(b, key);
    if (vb)
      compare(w, child(w, path, key), va, vb);
    else
      add_change(w, child(w, path, key), va, NULL);
  }
  json_t *vb;
  json_object_foreach(b, key, vb) {
    if (!json_object_get(a, key))
      add_change(w, child(w, path, key), NULL, vb);
  }
}

/* Sets whose items have a name: compared item by item, by that name. */
static const struct {
  const char *list, *field;
} NAMED_ITEMS[] = {
    {"Tags", "Key"}, {"Statement", "Sid"}, {"Policies", "PolicyName"}, {"Targets", "Id"},
};

static const char *name_field(const char *list) {
  for (size_t i = 0; i < sizeof NAMED_ITEMS / sizeof *NAMED_ITEMS; i++)
    if (!strcmp(NAMED_ITEMS[i].list, list))
      return NAMED_ITEMS[i].field;
  return NULL;
}

/* A list as a map by its items' name field, if every item has it as a string
 * and no two share it. Tags map to their Value, other items to themselves. */
static json_t *keyed(json_t *list, const char *field) {
  if (!field)
    return NULL;
  json_t *map = json_object();
  size_t i;
  json_t *item;
  json_array_foreach(list, i, item) {
    json_t *k = json_object_get(item, field);
    if (!json_is_string(k) || json_object_get(map, json_string_value(k))) {
      json_decref(map);
      return NULL;
    }
    bool tag = !strcmp(field, "Key");
    json_object_set(map, json_string_value(k), tag ? json_object_get(item, "Value") : item);
  }
  return map;
}

/* Canonical text of each item: the set's membership test, hashed by jansson. */
static json_t *as_set(json_t *list) {
  json_t *set = json_object();
  size_t i;
  json_t *item;
  json_array_foreach(list, i, item) {
    char *text = ir_json_text(item, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    json_object_set(set, text, item);
    free(text);
  }
  return set;
}

static void compare_sets(Walk *w, const char *path, json_t *a, json_t *b) {
  const char *field = name_field(last_segment(path));
  json_t *ka = keyed(a, field), *kb = keyed(b, field);
  if (ka && kb) { /* tags by key, statements by Sid, ...: changes show inside the item */
    compare_objects(w, path, ka, kb);
  } else {
    json_t *sa = as_set(a), *sb = as_set(b);
    const char *text;
    json_t *item;
    json_object_foreach(sa, text, item) {
      if (!json_object_get(sb, text))
        add_change(w, path, item, NULL);
    }
    json_object_foreach(sb, text, item) {
      if (!json_object_get(sa, text))
        add_change(w, path, NULL, item);
    }
    json_decref(sa);
    json_decref(sb);
  }
  json_decref(ka);
  json_decref(kb);
}

static void compare_arrays(Walk *w, const char *path, json_t *a, json_t *b) {
  if (IN(last_segment(path), UNORDERED_LISTS)) {
    compare_sets(w, path, a, b);
    return;
  }
  size_t na = json_array_size(a), nb = json_array_size(b);
  for (size_t i = 0; i < na || i < nb; i++) {
    const char *p = arena_printf(&w->ctx->arena, "%s.%zu", path, i);
    if (i < na && i < nb)
      compare(w, p, json_array_get(a, i), json_array_get(b, i));
    else
      add_change(w, p, i < na ? json_array_get(a, i) : NULL, i < nb ? json_array_get(b, i) : NULL);
  }
}

static void compare(Walk *w, const char *path, json_t *a, json_t *b) {
  if (json_equal(a, b)) /* the common case: no path strings are built below here */
    return;
  if (json_is_object(a) && json_is_object(b))
    compare_objects(w, path, a, b);
  else if (json_is_array(a) && json_is_array(b))
    compare_arrays(w, path, a, b);
  else
    add_change(w, path, a, b);
}

/* ---- resources ---- */

static json_t *string_list(const PtrVec *v) {
  json_t *a = json_array();
  for (size_t i = 0; i < v->len; i++)
    json_array_append_new(a, json_string(v->items[i]));
  return a;
}

static json_t *maybe_string(const char *s) { return s ? json_string(s) : json_null(); }

/* Everything CloudFormation knows of a resource besides its properties. */
static void compare_attributes(Walk *w, const IrResource *a, const IrResource *b) {
  json_t *da = string_list(&a->depends_on), *db = string_list(&b->depends_on);
  compare(w, "DependsOn", da, db);
  json_decref(da);
  json_decref(db);
  const char *names[] = {"DeletionPolicy", "UpdateReplacePolicy", "Condition"};
  const char *va[] = {a->deletion_policy, a->update_replace_policy, a->condition};
  const char *vb[] = {b->deletion_policy, b->update_replace_policy, b->condition};
  for (int i = 0; i < 3; i++) {
    json_t *x = maybe_string(va[i]), *y = maybe_string(vb[i]);
    if (!json_equal(x, y))
      add_change(w, names[i], json_is_null(x) ? NULL : x, json_is_null(y) ? NULL : y);
    json_decref(x);
    json_decref(y);
  }
  if (a->metadata || b->metadata) {
    json_t *ma = a->metadata ? json_incref(a->metadata) : json_object();
    json_t *mb = b->metadata ? json_incref(b->metadata) : json_object();
    compare(w, "Metadata", ma, mb);
    json_decref(ma);
    json_decref(mb);
  }
}

/* Is path at or below prefix, segment-wise? */
static bool within(const char *path, const char *prefix) {
  size_t n = strlen(prefix);
  return !strncmp(path, prefix, n) && (path[n] == '\0' || path[n] == '.');
}

/* The first property name of a "Properties.X.Y" path, or NULL. */
static const char *property_of(Ctx *ctx, const char *path, const char **below) {
  if (strncmp(path, "Properties.", 11) != 0)
    return NULL;
  *below = path + 11;
  const char *dot = strchr(*below, '.');
  return dot ? arena_strndup(&ctx->arena, *below, (size_t)(dot - *below)) : *below;
}

static bool is_retained(const IrResource *old) {
  return old->update_replace_policy && !strcmp(old->update_replace_policy, "Retain");
}

/* The flags of one change, and what they make of its resource. The
 * replacement flags of a reference change are the cascade's to set. */
static void classify_change(Ctx *ctx, ResourceDiff *rd, PropChange *c) {
  const char *below = NULL;
  const char *prop = property_of(ctx, c->path, &below);
  if (!c->refers_to) {
    int rule = prop ? diff_replacement(rd->type, below) : 0;
    c->replaces = rule == REPLACES;
    c->may_replace = rule == MAY_REPLACE;
  }
  /* Tags and descriptions of a role decide nothing. */
  bool neutral = prop && (!strcmp(prop, "Tags") || !strcmp(prop, "Description"));
  c->security = (is_security_type(rd->type) && !neutral) || (prop && IN(prop, SECURITY_PROPERTIES));
  rd->replacement |= c->replaces;
  rd->security |= c->security;
}

/* Below "Properties.Code": new code, unless the reference of a replacement. */
static bool is_code_change(const PropChange *c) {
  return !c->refers_to && within(c->path, "Properties.Code");
}

static void classify(Ctx *ctx, ResourceDiff *rd, const IrResource *old) {
  bool code_only = rd->changes.len > 0 && !strcmp(rd->type, "AWS::Lambda::Function");
  for (size_t i = 0; i < rd->changes.len; i++) {
    classify_change(ctx, rd, rd->changes.items[i]);
    code_only &= is_code_change(rd->changes.items[i]);
  }
  rd->code_only = code_only;
  rd->destructive = rd->replacement && is_data_type(rd->type) && !is_retained(old);
}

static ResourceDiff *new_resource_diff(Ctx *ctx, const IrResource *r, ChangeKind kind) {
  ResourceDiff *rd = arena_alloc(&ctx->arena, sizeof *rd);
  rd->id = r->id;
  rd->type = r->type;
  rd->kind = kind;
  return rd;
}

static ResourceDiff *diff_resource(Ctx *ctx, const DiffOptions *opts, const IrResource *a,
                                   const IrResource *b) {
  ResourceDiff *rd = new_resource_diff(ctx, b, CHANGE_MODIFIED);
  Walk w = {ctx, opts, arena_printf(&ctx->arena, "Resources.%s.", b->id), &rd->changes};
  if (strcmp(a->type, b->type) != 0) { /* a new type is a new resource */
    rd->old_type = a->type;
    json_t *ta = json_string(a->type), *tb = json_string(b->type);
    add_change(&w, "Type", ta, tb);
    json_decref(ta);
    json_decref(tb);
  }
  compare(&w, "Properties", a->properties, b->properties);
  compare_attributes(&w, a, b);
  if (rd->changes.len == 0)
    return NULL;
  classify(ctx, rd, a);
  if (rd->old_type) {
    rd->replacement = true;
    rd->destructive |= is_data_type(a->type);
  }
  return rd;
}

static bool resource_ignored(Ctx *ctx, const DiffOptions *opts, const char *id) {
  Walk w = {ctx, opts, "", NULL};
  return ignored(&w, arena_printf(&ctx->arena, "Resources.%s", id));
}

static void count(Diff *d, const ResourceDiff *rd) {
  d->added += rd->kind == CHANGE_ADDED;
  d->removed += rd->kind == CHANGE_REMOVED;
  d->modified += rd->kind == CHANGE_MODIFIED;
  d->replaced += rd->replacement;
  d->destructive += rd->destructive;
  d->security += rd->security;
  d->code += rd->code_only;
}

/* ---- the replacement cascade ----
 *
 * A replaced resource is a new physical resource: a new physical id (what Ref
 * gives) and new ARNs. A resource whose create-only property refers to it is
 * then replaced as well, even if its own text is the same, and so on down the
 * chain; CloudFormation's change sets show these as ResourceReference and
 * ResourceAttribute changes. The references of the new template are indexed
 * once by target, then replacements spread over a worklist in which each
 * resource enters once at most: linear, and cycles end. */

/* One place where a resource refers to another. */
typedef struct Referrer {
  const IrResource *from; /* B's */
  const char *path;       /* of the intrinsic: "Properties.Targets.0.Arn" */
  json_t *expr;           /* the intrinsic (B's, borrowed): {"Ref": "X"}, ... */
  bool certain;           /* its value surely changes when the target is replaced */
} Referrer;

typedef struct Cascade {
  Ctx *ctx;
  const Ir *a;
  const DiffOptions *opts;
  StrIndex *slots;    /* id on both sides -> ResourceDiff ** (NULL: unchanged so far) */
  StrIndex referrers; /* target id -> PtrVec * of Referrer * */
  json_t *expr;       /* the intrinsic being scanned */
  PtrVec work;        /* ResourceDiff * replaced, whose referrers are still to see */
} Cascade;

/* Where the walk is in a property tree, materialized only at a reference. */
typedef struct Seg {
  const struct Seg *up;
  const char *key; /* NULL: the i-th item of a list */
  size_t i;
} Seg;

static const char *seg_path(Ctx *ctx, const Seg *s) {
  const char *me = s->key ? s->key : arena_printf(&ctx->arena, "%zu", s->i);
  return s->up ? arena_printf(&ctx->arena, "%s.%s", seg_path(ctx, s->up), me) : me;
}

static bool ends_with(const char *s, const char *tail) {
  size_t n = strlen(s), m = strlen(tail);
  return n >= m && !strcmp(s + n - m, tail);
}

/* A new resource surely has a new ARN and new ids; other attributes (an
 * endpoint's port, a VPC's CIDR block, ...) may come out the same. */
static bool attribute_changes(const char *attr) {
  return attr && (ends_with(attr, "Arn") || ends_with(attr, "Id"));
}

static void add_referrer(Cascade *c, const IrResource *from, const Seg *at, const char *target,
                         bool certain) {
  ResourceDiff **slot = strindex_get(c->slots, target);
  if (!slot || !strcmp(target, from->id) || !at->up)
    return; /* a parameter, a pseudo parameter, or a resource not on both sides */
  PtrVec *list = strindex_get(&c->referrers, target);
  if (!list) {
    list = arena_alloc(&c->ctx->arena, sizeof *list);
    strindex_put(c->ctx, &c->referrers, arena_strdup(&c->ctx->arena, target), list);
  }
  Referrer *r = arena_alloc(&c->ctx->arena, sizeof *r);
  r->from = from;
  r->path = seg_path(c->ctx, at);
  r->expr = c->expr;
  r->certain = certain;
  ptrvec_push(&c->ctx->arena, list, r);
}

/* "X.Attr" (also a GetAtt's string form): the resource and its attribute. */
static void add_attribute_referrer(Cascade *c, const IrResource *from, const Seg *at,
                                   const char *name) {
  const char *dot = strchr(name, '.');
  if (!dot) {
    add_referrer(c, from, at, name, true); /* ${X} is a Ref */
    return;
  }
  const char *target = arena_strndup(&c->ctx->arena, name, (size_t)(dot - name));
  add_referrer(c, from, at, target, attribute_changes(dot + 1));
}

/* The ${X} and ${X.Attr} of a Fn::Sub string, less its own variables and
 * the ${!Literal} escapes. */
static void scan_sub_string(Cascade *c, const IrResource *from, const Seg *at, const char *s,
                            json_t *vars) {
  for (const char *p = strstr(s, "${"); p; p = strstr(p, "${")) {
    const char *end = strchr(p + 2, '}');
    if (!end)
      return;
    if (p[2] != '!') {
      const char *name = arena_strndup(&c->ctx->arena, p + 2, (size_t)(end - p - 2));
      if (!json_object_get(vars, name))
        add_attribute_referrer(c, from, at, name);
    }
    p = end + 1;
  }
}

static void scan_value(Cascade *c, const IrResource *from, const Seg *at, json_t *v);

static void scan_getatt(Cascade *c, const IrResource *from, const Seg *at, json_t *args) {
  if (json_is_string(args)) {
    add_attribute_referrer(c, from, at, json_string_value(args));
  } else if (json_is_string(json_array_get(args, 0))) {
    json_t *attr = json_array_get(args, 1);
    add_referrer(c, from, at, json_string_value(json_array_get(args, 0)),
                 attribute_changes(json_string_value(attr)));
  }
}

static void scan_sub(Cascade *c, const IrResource *from, const Seg *at, json_t *args) {
  if (json_is_string(args)) {
    scan_sub_string(c, from, at, json_string_value(args), NULL);
    return;
  }
  json_t *text = json_array_get(args, 0), *vars = json_array_get(args, 1);
  if (!json_is_object(vars))
    vars = NULL;
  if (json_is_string(text))
    scan_sub_string(c, from, at, json_string_value(text), vars);
  const char *key;
  json_t *value;
  json_object_foreach(vars, key, value) {
    scan_value(c, from, at, value); /* a variable's Ref is the Sub's */
  }
}

/* Ref, Fn::GetAtt and Fn::Sub; other intrinsics are walked like any value. */
static bool scan_intrinsic(Cascade *c, const IrResource *from, const Seg *at, json_t *v) {
  json_t *args;
  c->expr = v; /* the innermost intrinsic naming the target */
  if ((args = json_object_get(v, "Ref"))) {
    if (json_is_string(args))
      add_referrer(c, from, at, json_string_value(args), true);
  } else if ((args = json_object_get(v, "Fn::GetAtt"))) {
    scan_getatt(c, from, at, args);
  } else if ((args = json_object_get(v, "Fn::Sub"))) {
    scan_sub(c, from, at, args);
  } else {
    return false;
  }
  return true;
}

static void scan_value(Cascade *c, const IrResource *from, const Seg *at, json_t *v) {
  if (json_is_array(v)) {
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item) {
      Seg s = {at, NULL, i};
      scan_value(c, from, &s, item);
    }
  } else if (json_is_object(v) && !(json_object_size(v) == 1 && scan_intrinsic(c, from, at, v))) {
    const char *key;
    json_t *item;
    json_object_foreach(v, key, item) {
      Seg s = {at, key, 0};
      scan_value(c, from, &s, item);
    }
  }
}

/* Does a change of rd's own text cover path? Then it says it all already. */
static bool text_changed(const ResourceDiff *rd, const char *path) {
  for (size_t i = 0; i < rd->changes.len; i++) {
    const PropChange *p = rd->changes.items[i];
    if (!p->refers_to && (within(path, p->path) || within(p->path, path)))
      return true;
  }
  return false;
}

/* "Properties.X" of a path below it. */
static const char *top_property(Ctx *ctx, const char *path) {
  const char *dot = strchr(path + 11, '.');
  return dot ? arena_strndup(&ctx->arena, path, (size_t)(dot - path)) : path;
}

/* The reference change of rd's property to target, made on first use. */
static PropChange *reference_change(Cascade *c, ResourceDiff *rd, const Referrer *r,
                                    const char *prop_path, const char *target) {
  for (size_t i = 0; i < rd->changes.len; i++) {
    PropChange *p = rd->changes.items[i];
    if (p->refers_to && !strcmp(p->refers_to, target) && !strcmp(p->path, prop_path))
      return p;
  }
  PropChange *p = arena_alloc(&c->ctx->arena, sizeof *p);
  p->path = prop_path;
  p->refers_to = target;
  p->old = json_incref(r->expr); /* the first reference in the property */
  p->new_ = json_incref(r->expr);
  ptrvec_push(&c->ctx->arena, &rd->changes, p);
  rd->code_only = false;
  return p;
}

static bool path_ignored(Cascade *c, const char *id, const char *path) {
  Walk w = {c->ctx, c->opts, arena_printf(&c->ctx->arena, "Resources.%s.", id), NULL};
  return ignored(&w, path);
}

/* What x's replacement does to the resource that refers to it from r: a
 * create-only property replaces it (and it spreads on), a conditionally
 * create-only one may (which spreads no further: nothing says it happens),
 * another one is an update with a new value. */
static void spread_to(Cascade *c, const ResourceDiff *x, const Referrer *r) {
  ResourceDiff **slot = strindex_get(c->slots, r->from->id);
  ResourceDiff *y = *slot;
  if (y && y->replacement && !y->replaced_because)
    return; /* replaced for its own changes: new from top to bottom anyway */
  int rule = diff_replacement(r->from->type, r->path + 11);
  bool replaces = rule == REPLACES && r->certain;
  bool may = !replaces && rule != 0;
  /* An updatable property whose value may stay the same: no claim to make. */
  if ((!replaces && !may && !r->certain) || (y && text_changed(y, r->path)))
    return;
  const char *prop_path = top_property(c->ctx, r->path);
  if (path_ignored(c, r->from->id, prop_path))
    return;
  if (!y)
    y = *slot = new_resource_diff(c->ctx, r->from, CHANGE_MODIFIED);
  PropChange *p = reference_change(c, y, r, prop_path, x->id);
  p->replaces = p->replaces || replaces;
  p->may_replace = !p->replaces && (p->may_replace || may);
  bool was_replaced = y->replacement;
  classify_change(c->ctx, y, p);
  if (y->replacement && !was_replaced) {
    y->replaced_because = x->id;
    y->because_path = prop_path;
    y->destructive = is_data_type(y->type) && !is_retained(ir_find(c->a, y->id));
    ptrvec_push(&c->ctx->arena, &c->work, y);
  }
}

static void cascade_replacements(Ctx *ctx, const Ir *a, const Ir *b, const DiffOptions *opts,
                                 StrIndex *slots, ResourceDiff **by_b) {
  Cascade c = {.ctx = ctx, .a = a, .opts = opts, .slots = slots};
  for (size_t i = 0; i < b->resources.len; i++)
    if (by_b[i] && by_b[i]->replacement)
      ptrvec_push(&ctx->arena, &c.work, by_b[i]);
  if (c.work.len == 0)
    return; /* the common case: no index to build */
  for (size_t i = 0; i < b->resources.len; i++) {
    const IrResource *r = b->resources.items[i];
    Seg root = {NULL, "Properties", 0};
    if (strindex_get(slots, r->id))
      scan_value(&c, r, &root, r->properties);
  }
  for (size_t k = 0; k < c.work.len; k++) {
    const ResourceDiff *x = c.work.items[k];
    const PtrVec *refs = strindex_get(&c.referrers, x->id);
    for (size_t i = 0; refs && i < refs->len; i++)
      spread_to(&c, x, refs->items[i]);
  }
}

static void diff_resources(Ctx *ctx, Diff *d, const Ir *a, const Ir *b, const DiffOptions *opts) {
  ResourceDiff **by_b = arena_alloc(&ctx->arena, (b->resources.len + 1) * sizeof *by_b);
  StrIndex slots = {0}; /* resources on both sides, not ignored */
  for (size_t i = 0; i < b->resources.len; i++) {
    const IrResource *rb = b->resources.items[i];
    if (resource_ignored(ctx, opts, rb->id))
      continue;
    const IrResource *ra = ir_find(a, rb->id);
    if (!ra) {
      by_b[i] = new_resource_diff(ctx, rb, CHANGE_ADDED);
      by_b[i]->security = is_security_type(rb->type);
    } else {
      by_b[i] = diff_resource(ctx, opts, ra, rb);
      strindex_put(ctx, &slots, rb->id, &by_b[i]);
    }
  }
  cascade_replacements(ctx, a, b, opts, &slots, by_b);
  for (size_t i = 0; i < b->resources.len; i++) {
    if (by_b[i]) {
      ptrvec_push(&ctx->arena, &d->resources, by_b[i]);
      count(d, by_b[i]);
    }
  }
  for (size_t i = 0; i < a->resources.len; i++) {
    const IrResource *ra = a->resources.items[i];
    if (ir_find(b, ra->id) || resource_ignored(ctx, opts, ra->id))
      continue;
    ResourceDiff *rd = new_resource_diff(ctx, ra, CHANGE_REMOVED);
    rd->security = is_security_type(ra->type);
    rd->destructive = is_data_type(ra->type) &&
                      !(ra->deletion_policy && !strcmp(ra->deletion_policy, "Retain"));
    ptrvec_push(&ctx->arena, &d->resources, rd);
    count(d, rd);
  }
}

/* ---- parameters, outputs, conditions ---- */

/* lakec names the parameter holding a handler's zip key <Handler>CodeKey; a
 * new default there is new code, not new infrastructure. */
static bool is_code_key_default(Ctx *ctx, const char *section, const char *id, const PtrVec *changes) {
  size_t n = strlen(id);
  if (strcmp(section, "Parameters") != 0 || n < 8 || strcmp(id + n - 7, "CodeKey") != 0)
    return false;
  const char *path = arena_printf(&ctx->arena, "%s.Default", id);
  for (size_t i = 0; i < changes->len; i++)
    if (strcmp(((const PropChange *)changes->items[i])->path, path) != 0)
      return false;
  return true;
}

static void add_entry(Ctx *ctx, Diff *d, const DiffOptions *opts, const char *section,
                      const char *id, ChangeKind kind, json_t *old, json_t *new_) {
  EntryDiff *e = arena_alloc(&ctx->arena, sizeof *e);
  e->section = section;
  e->id = id;
  e->kind = kind;
  e->old = old ? json_incref(old) : NULL;
  e->new_ = new_ ? json_incref(new_) : NULL;
  if (kind == CHANGE_MODIFIED) {
    Walk w = {ctx, opts, arena_printf(&ctx->arena, "%s.", section), &e->changes};
    compare(&w, id, old, new_);
    if (e->changes.len == 0) /* every difference was ignored */
      return;
    e->code_only = is_code_key_default(ctx, section, id, &e->changes);
    d->code += e->code_only;
  }
  ptrvec_push(&ctx->arena, &d->entries, e);
}

static void diff_section(Ctx *ctx, Diff *d, const DiffOptions *opts, const char *section,
                         json_t *a, json_t *b) {
  Walk w = {ctx, opts, arena_printf(&ctx->arena, "%s.", section), NULL};
  const char *key;
  json_t *va, *vb;
  json_object_foreach(b, key, vb) {
    va = json_object_get(a, key);
    if (ignored(&w, key) || (va && json_equal(va, vb)))
      continue;
    add_entry(ctx, d, opts, section, arena_strdup(&ctx->arena, key),
              va ? CHANGE_MODIFIED : CHANGE_ADDED, va, vb);
  }
  json_object_foreach(a, key, va) {
    if (!json_object_get(b, key) && !ignored(&w, key))
      add_entry(ctx, d, opts, section, arena_strdup(&ctx->arena, key), CHANGE_REMOVED, va, NULL);
  }
}

static json_t *entries_object(const PtrVec *v) {
  json_t *o = json_object();
  for (size_t i = 0; i < v->len; i++) {
    const IrEntry *e = v->items[i];
    json_object_set(o, e->id, e->value);
  }
  return o;
}

static void diff_entries(Ctx *ctx, Diff *d, const Ir *a, const Ir *b, const DiffOptions *opts) {
  const PtrVec *sections_a[] = {&a->parameters, &a->outputs};
  const PtrVec *sections_b[] = {&b->parameters, &b->outputs};
  const char *names[] = {"Parameters", "Outputs"};
  for (int i = 0; i < 2; i++) {
    json_t *x = entries_object(sections_a[i]), *y = entries_object(sections_b[i]);
    diff_section(ctx, d, opts, names[i], x, y);
    json_decref(x);
    json_decref(y);
  }
  json_t *ca = a->conditions ? json_incref(a->conditions) : json_object();
  json_t *cb = b->conditions ? json_incref(b->conditions) : json_object();
  diff_section(ctx, d, opts, "Conditions", ca, cb);
  json_decref(ca);
  json_decref(cb);
}

Diff *diff_irs(Ctx *ctx, const Ir *a, const Ir *b, const DiffOptions *opts) {
  Diff *d = arena_alloc(&ctx->arena, sizeof *d);
  diff_resources(ctx, d, a, b, opts);
  diff_entries(ctx, d, a, b, opts);
  return d;
}

bool diff_is_empty(const Diff *d) { return d->resources.len == 0 && d->entries.len == 0; }

void diff_free(Diff *d) {
  if (!d)
    return;
  for (size_t i = 0; i < d->resources.len; i++) {
    ResourceDiff *rd = d->resources.items[i];
    for (size_t k = 0; k < rd->changes.len; k++) {
      PropChange *c = rd->changes.items[k];
      json_decref(c->old);
      json_decref(c->new_);
    }
  }
  for (size_t i = 0; i < d->entries.len; i++) {
    EntryDiff *e = d->entries.items[i];
    json_decref(e->old);
    json_decref(e->new_);
    for (size_t k = 0; k < e->changes.len; k++) {
      PropChange *c = e->changes.items[k];
      json_decref(c->old);
      json_decref(c->new_);
    }
  }
}
