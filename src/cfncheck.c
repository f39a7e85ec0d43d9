/* cfncheck: one raw CloudFormation resource (Type and Properties as the user
 * wrote them in YAML) against the generated table, so that a misspelt
 * property or a list where a string belongs is reported at its line before
 * a deployment fails on it (declared in cfnspec.h).
 *
 * The walk follows the value and the table's shape side by side. What the
 * table cannot judge is left alone: intrinsic functions (their value is
 * known only to CloudFormation), scalars holding ${...} (lakec resolves them
 * later), open shapes' extra names and values of unconstrained types. */
#include "cfnspec.h"
#include "ctx.h"
#include "suggest.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct Walk {
  Ctx *ctx;
  const CfnType *type;
} Walk;

/* What one value may be: its JSON types, and the shapes of a map value and
 * of the map items of a list value. */
typedef struct Expect {
  unsigned types, item_types;
  const CfnShape *shape, *item_shape;
} Expect;

static void check_value(const Walk *w, Expect e, const Node *value, const char *path);

static Expect expect_of_prop(const CfnProp *p) {
  bool object_items = p->item_types & CFN_T_OBJECT;
  return (Expect){p->types, p->item_types, object_items ? NULL : p->shape,
                  object_items ? p->shape : NULL};
}

static Expect expect_of_items(Expect e) {
  return (Expect){e.item_types, 0, e.item_shape, NULL};
}

/* {Ref: X}, {Condition: X} or {Fn::Anything: ...}: CloudFormation computes it. */
static bool is_intrinsic(const Node *n) {
  if (n->kind != NODE_MAP || n->count != 1)
    return false;
  const char *key = n->pairs[0].key->str;
  return !strcmp(key, "Ref") || !strcmp(key, "Condition") || !strncmp(key, "Fn::", 4);
}

/* A value the check cannot judge now: computed by CloudFormation, holding a
 * reference lakec resolves later, or already reported. */
static bool is_deferred(const Node *n) {
  return n->unresolved || is_intrinsic(n) || (n->kind == NODE_SCALAR && strstr(n->str, "${"));
}

/* "AttributeName" at the top, "KeySchema[0].AttributeName" below. */
static const char *child_path(const Walk *w, const char *path, const char *name) {
  return *path ? arena_printf(&w->ctx->arena, "%s.%s", path, name) : name;
}

static const char *item_path(const Walk *w, const char *path, size_t index) {
  return arena_printf(&w->ctx->arena, "%s[%zu]", path, index);
}

/* " in 'Rules[0]'" below the top, nothing at it. */
static const char *where(const Walk *w, const char *path) {
  return *path ? arena_printf(&w->ctx->arena, " in '%s'", path) : "";
}

/* "a string", "a whole number or true/false", "a list or a map". */
static const char *describe_types(const Walk *w, unsigned types) {
  static const struct { unsigned bit; const char *words; } WORDS[] = {
      {CFN_T_STRING, "a string"},  {CFN_T_INTEGER, "a whole number"}, {CFN_T_NUMBER, "a number"},
      {CFN_T_BOOLEAN, "true/false"}, {CFN_T_ARRAY, "a list"},          {CFN_T_OBJECT, "a map"},
  };
  if ((types & CFN_T_NUMBER) && (types & CFN_T_INTEGER))
    types &= ~(unsigned)CFN_T_INTEGER; /* a number includes the whole ones */
  const char *text = "";
  for (size_t i = 0; i < sizeof WORDS / sizeof *WORDS; i++)
    if (types & WORDS[i].bit)
      text = *text ? arena_printf(&w->ctx->arena, "%s or %s", text, WORDS[i].words) : WORDS[i].words;
  return text;
}

/* A short scalar quoted, a long or multi-line one (a script, a document) by kind. */
static const char *describe_value(const Walk *w, const Node *n) {
  enum { QUOTED_MAX = 40 };
  if (n->kind == NODE_SCALAR && strlen(n->str) <= QUOTED_MAX && !strchr(n->str, '\n'))
    return arena_printf(&w->ctx->arena, "'%s'", n->str);
  if (n->kind == NODE_SCALAR)
    return "a long string";
  return n->kind == NODE_MAP ? "a map" : "a list";
}

static void wrong_kind(const Walk *w, const Node *value, const char *path, unsigned types) {
  diag_error(w->ctx, value->pos, LK_CFN_VALUE, "'%s' of %s must be %s, not %s", path,
             w->type->name, describe_types(w, types), describe_value(w, value));
}

static bool is_whole_number(const char *s) {
  const char *digits = (*s == '-' || *s == '+') ? s + 1 : s;
  return *digits && strspn(digits, "0123456789") == strlen(digits);
}

/* A decimal number as JSON writes it (or with a '+', or '.5'): no hex, no inf or nan. */
static bool is_number(const char *s) {
  if (!*s || strspn(s, "+-0123456789.eE") != strlen(s))
    return false;
  char *end;
  double v = strtod(s, &end);
  return !*end && isfinite(v);
}

/* CloudFormation converts a scalar to the type a property wants when its
 * text is one: a number where a string belongs is fine, "5" for an integer too. */
static bool scalar_fits(const char *text, unsigned types) {
  if (types & CFN_T_STRING)
    return true;
  if ((types & CFN_T_INTEGER) && is_whole_number(text))
    return true;
  if ((types & CFN_T_NUMBER) && is_number(text))
    return true;
  return (types & CFN_T_BOOLEAN) && (!strcasecmp(text, "true") || !strcasecmp(text, "false"));
}

/* required_at: where missing required properties are reported (the map's
 * own position below the top, the Properties key at it). */
static void check_map(const Walk *w, const CfnShape *shape, const Node *map, const char *path,
                      Pos required_at);

static void check_list(const Walk *w, Expect e, const Node *list, const char *path) {
  for (size_t i = 0; i < list->count; i++)
    check_value(w, expect_of_items(e), list->items[i], item_path(w, path, i));
}

/* At the key of a map's entry: the position of `Key:` with nothing after it
 * is the end of its line. */
static void null_value(const Walk *w, Pos at, const char *path) {
  diag_error(w->ctx, at, LK_CFN_VALUE,
             "'%s' of %s is null: CloudFormation refuses null values (leave the property out)",
             path, w->type->name);
}

static void check_value(const Walk *w, Expect e, const Node *value, const char *path) {
  if (is_deferred(value))
    return;
  if (node_is_null(value)) {
    null_value(w, value->pos, path);
    return;
  }
  if (!e.types)
    return;
  switch (value->kind) {
  case NODE_MAP:
    if (!(e.types & CFN_T_OBJECT))
      wrong_kind(w, value, path, e.types);
    else if (e.shape)
      check_map(w, e.shape, value, path, value->pos);
    break;
  case NODE_SEQ:
    if (!(e.types & CFN_T_ARRAY))
      wrong_kind(w, value, path, e.types);
    else
      check_list(w, e, value, path);
    break;
  case NODE_SCALAR:
    if (!scalar_fits(value->str, e.types))
      wrong_kind(w, value, path, e.types);
    break;
  }
}

static void unknown_property(const Walk *w, const CfnShape *shape, const Node *key,
                             const char *path) {
  Diag *d = diag_error(w->ctx, key->pos, LK_CFN_PROPERTY, "unknown property '%s'%s of %s",
                       key->str, where(w, path), w->type->name);
  const char **names = arena_alloc(&w->ctx->arena, (shape->count + 1) * sizeof *names);
  for (size_t i = 0; i < shape->count; i++) /* NULL: not to be suggested */
    names[i] = shape->props[i].read_only ? NULL : shape->props[i].name;
  const char *best = suggest_closest(key->str, names, shape->count);
  if (best)
    diag_fixit(w->ctx, d, best);
}

/* CloudFormation would ignore it (the value is the resource's, after creation). */
static void read_only_property(const Walk *w, const Node *key) {
  diag_error(w->ctx, key->pos, LK_CFN_PROPERTY,
             "property '%s' of %s is read-only: CloudFormation sets it (read it with "
             "Fn::GetAtt), a template cannot",
             key->str, w->type->name);
}

/* The required properties a map lacks, as "'A', 'B'" (NULL: none). */
static const char *missing_required(const Walk *w, const CfnShape *shape, const Node *map,
                                    size_t *count) {
  const char *list = NULL;
  *count = 0;
  for (size_t i = 0; i < shape->count; i++) {
    const CfnProp *p = &shape->props[i];
    if (!p->required || node_get_pair(map, p->name))
      continue;
    list = list ? arena_printf(&w->ctx->arena, "%s, '%s'", list, p->name)
                : arena_printf(&w->ctx->arena, "'%s'", p->name);
    (*count)++;
  }
  return list;
}

/* map NULL: no Properties at all, reported at `at`. */
static void check_required(const Walk *w, const CfnShape *shape, const Node *map, Pos at,
                           const char *path) {
  size_t count;
  const char *missing = missing_required(w, shape, map, &count);
  if (missing)
    diag_error(w->ctx, at, LK_CFN_REQUIRED, "missing required propert%s %s%s of %s",
               count == 1 ? "y" : "ies", missing, where(w, path), w->type->name);
}

static void check_map(const Walk *w, const CfnShape *shape, const Node *map, const char *path,
                      Pos required_at) {
  for (size_t i = 0; i < map->count; i++) {
    const Node *key = map->pairs[i].key;
    const Node *value = map->pairs[i].value;
    const CfnProp *p = cfnspec_prop(shape, key->str);
    if (p && p->read_only)
      read_only_property(w, key);
    else if (p && node_is_null(value))
      null_value(w, key->pos, child_path(w, path, key->str));
    else if (p)
      check_value(w, expect_of_prop(p), value, child_path(w, path, key->str));
    else if (!shape->open)
      unknown_property(w, shape, key, path);
  }
  check_required(w, shape, map, required_at, path);
}

static const CfnType *check_type(Ctx *ctx, const Node *type, Pos resource) {
  if (!type) {
    diag_error(ctx, resource, LK_MISSING_KEY,
               "missing required key 'Type': the resource's CloudFormation type, e.g. "
               "AWS::S3::Bucket");
    return NULL;
  }
  if (type->kind != NODE_SCALAR) {
    diag_error(ctx, type->pos, LK_WRONG_TYPE, "'Type' must be a string, not %s",
               node_describe(type));
    return NULL;
  }
  if (type->unresolved)
    return NULL;
  const CfnType *t = cfnspec_type(type->str);
  if (t)
    return t;
  Diag *d = diag_error(ctx, type->pos, LK_CFN_TYPE, "unknown resource type '%s'", type->str);
  const char *best = cfnspec_closest_type(type->str);
  if (best)
    diag_fixit(ctx, d, best);
  return NULL;
}

/* required_at: where missing required properties are reported. */
static void check_properties(const Walk *w, const Node *properties, Pos required_at) {
  const CfnShape *shape = w->type->properties;
  if (!properties || node_is_null(properties)) {
    check_required(w, shape, NULL, required_at, "");
    return;
  }
  if (is_deferred(properties))
    return;
  if (properties->kind != NODE_MAP) {
    diag_error(w->ctx, properties->pos, LK_CFN_VALUE, "'Properties' of %s must be a map, not %s",
               w->type->name, describe_value(w, properties));
    return;
  }
  check_map(w, shape, properties, "", required_at);
}

static const CfnType *check_parts(Ctx *ctx, const Node *type, const Node *properties,
                                  Pos resource, Pos required_at) {
  const CfnType *t = check_type(ctx, type, resource);
  if (t) {
    Walk w = {ctx, t};
    check_properties(&w, properties, required_at);
  }
  return t;
}

const CfnType *cfnspec_check(Ctx *ctx, const Node *type, const Node *properties, Pos resource) {
  bool is_map = properties && properties->kind == NODE_MAP;
  return check_parts(ctx, type, properties, resource, is_map ? properties->pos : resource);
}

const CfnType *cfnspec_check_resource(Ctx *ctx, const Node *resource) {
  if (!resource || resource->kind != NODE_MAP)
    return NULL;
  const NodePair *properties = node_get_pair(resource, "Properties");
  return check_parts(ctx, node_get(resource, "Type"), properties ? properties->value : NULL,
                     resource->pos, properties ? properties->key->pos : resource->pos);
}
