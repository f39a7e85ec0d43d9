/* patch: see patch.h. */
#include "patch.h"
#include "rawcheck.h"
#include "decode.h"
#include "rawjson.h"
#include "refs.h"
#include "suggest.h"

#include <stdlib.h>
#include <string.h>

static const char *const OP_NAMES[] = {"add", "replace", "remove", "test"};

/* The parts of a resource a patch may change, as its second segment. */
static const char *const PARTS[] = {"Properties", "DependsOn", "Metadata", "DeletionPolicy",
                                    "UpdateReplacePolicy"};
static const char *const POLICIES[] = {"Delete", "Retain", "RetainExceptOnCreate", "Snapshot"};

/* ---- JSON pointers (RFC 6901) ---- */

static bool pointer_fails(Pointer *out, const char *why, size_t at, size_t len) {
  out->why = why;
  out->bad_at = at;
  out->bad_len = len ? len : 1;
  return false;
}

bool patch_pointer_parse(Arena *a, const char *text, Pointer *out) {
  *out = (Pointer){0};
  if (*text != '/')
    return pointer_fails(out, "a JSON pointer starts with '/'", 0, strlen(text));
  size_t n = 0;
  for (const char *p = text; *p; p++)
    n += *p == '/';
  out->segments = arena_alloc(a, n * sizeof *out->segments);
  for (size_t at = 1;; at++) {
    size_t len = strcspn(text + at, "/");
    char *name = arena_alloc(a, len + 1), *w = name;
    for (size_t i = at; i < at + len; i++) {
      if (text[i] != '~') {
        *w++ = text[i];
        continue;
      }
      if (text[i + 1] != '0' && text[i + 1] != '1')
        return pointer_fails(out, "'~' must be followed by 0 or 1 ('~0' is '~', '~1' is '/')",
                             i, i + 1 < at + len ? 2 : 1);
      *w++ = text[++i] == '0' ? '~' : '/';
    }
    out->segments[out->count++] = (PointerSegment){name, at, len};
    at += len;
    if (!text[at])
      return true;
  }
}

bool patch_array_index(const char *segment, size_t *index) {
  size_t digits = strspn(segment, "0123456789");
  if (!digits || segment[digits] || (segment[0] == '0' && digits > 1) || digits > 9)
    return false;
  *index = 0;
  for (const char *p = segment; *p; p++)
    *index = *index * 10 + (size_t)(*p - '0');
  return true;
}

const char *patch_pointer_escape(Arena *a, const char *name) {
  char *out = arena_alloc(a, 2 * strlen(name) + 1), *w = out;
  for (const char *p = name; *p; p++) {
    if (*p == '~' || *p == '/')
      *w++ = '~', *w++ = *p == '~' ? '0' : '1';
    else
      *w++ = *p;
  }
  return out;
}

/* ---- positions ---- */

/* Where bytes [at, at + len) of the path's text are written, when the
 * scalar is written as its text is (plain, or quoted without escapes);
 * else the whole scalar. */
static Pos path_pos(const Patch *p, size_t at, size_t len) {
  const Node *n = node_get(p->node, "path");
  Pos pos = n->pos;
  size_t quotes = n->quoted ? 2 : 0;
  if (pos.len == strlen(n->str) + quotes && at + len <= strlen(n->str)) {
    pos.col += (unsigned)(at + quotes / 2);
    pos.len = (unsigned)(len ? len : 1);
  }
  return pos;
}

static Pos segment_pos(const Patch *p, const PointerSegment *s) {
  return path_pos(p, s->at, s->len);
}

/* The pointer's text up to (not including) segment i: "/DataBucket/Properties". */
static const char *prefix_text(Ctx *ctx, const Patch *p, const Pointer *ptr, size_t i) {
  return arena_strndup(&ctx->arena, p->path, ptr->segments[i].at - 1);
}

/* ---- check ---- */

static void take_no_reference(Ctx *ctx, void *arg, const Construct *c, const void *item,
                              const char *attr, Pos at) {
  (void)ctx, (void)arg, (void)c, (void)item, (void)attr, (void)at;
}

/* Every scalar of the value may hold ${KEY.ITEM.ATTR}: rawjson resolves them. */
static void check_references(Ctx *ctx, const Model *m, const Node *n) {
  if (n->kind == NODE_SCALAR)
    refs_check(ctx, m, n, take_no_reference, NULL);
  for (size_t i = 0; n->kind == NODE_MAP && i < n->count; i++)
    check_references(ctx, m, n->pairs[i].value);
  for (size_t i = 0; n->kind == NODE_SEQ && i < n->count; i++)
    check_references(ctx, m, n->items[i]);
}

static void check_value(Ctx *ctx, const Model *m, const Patch *p) {
  if (p->op != PATCH_REMOVE && !p->value) {
    Diag *d = diag_error(ctx, decode_value_pos(p->node, "op"), LK_PATCH_VALUE,
                         "'%s' needs a value: add 'value:' to this patch", OP_NAMES[p->op]);
    diag_note(ctx, d, decode_value_pos(p->node, "path"), "the value goes to '%s'", p->path);
  } else if (p->op == PATCH_REMOVE && p->value) {
    diag_error(ctx, node_get_pair(p->node, "value")->key->pos, LK_PATCH_VALUE,
               "'remove' takes no value: remove 'value:' or use 'replace'");
  }
  if (p->value)
    check_references(ctx, m, p->value);
}

static bool check_pointer(Ctx *ctx, const Patch *p, Pointer *ptr) {
  if (!patch_pointer_parse(&ctx->arena, p->path, ptr)) {
    diag_error(ctx, path_pos(p, ptr->bad_at, ptr->bad_len), LK_PATCH_POINTER,
               "'%s' is not a JSON pointer: %s", p->path, ptr->why);
    return false;
  }
  if (ptr->count < 2) {
    diag_error(ctx, path_pos(p, 0, strlen(p->path)), LK_PATCH_POINTER,
               "a patch changes a part of a resource: '/%s/Properties/...', or its DependsOn, "
               "Metadata, DeletionPolicy or UpdateReplacePolicy",
               ptr->segments[0].name);
    return false;
  }
  return true;
}

void patch_check(Ctx *ctx, const Model *m) {
  for (size_t i = 0; i < m->patches.len; i++) {
    const Patch *p = &m->patches.items[i];
    if (p->op == TRI_UNSET || !p->path) /* refused, and reported, by decode */
      continue;
    Pointer ptr;
    check_pointer(ctx, p, &ptr);
    check_value(ctx, m, p);
  }
}

/* ---- apply ---- */

/* One operation under way: the patch, its pointer, the resource's view. */
typedef struct Applying {
  Ctx *ctx;
  Ir *ir;
  const Model *m;
  const Patch *p;
  Pointer ptr;
  IrResource *r;
  json_t *view; /* {Properties, DependsOn, Metadata, DeletionPolicy, UpdateReplacePolicy} */
} Applying;

static const char *describe(const json_t *v) {
  switch (json_typeof(v)) {
  case JSON_OBJECT:
    return "a map";
  case JSON_ARRAY:
    return "a list";
  case JSON_STRING:
    return "a string";
  case JSON_INTEGER:
  case JSON_REAL:
    return "a number";
  case JSON_TRUE:
  case JSON_FALSE:
    return "a boolean";
  case JSON_NULL:
    return "null";
  }
  return "a value";
}

/* A value as compact JSON for a message, cut short when long. */
static const char *shown(Ctx *ctx, json_t *v) {
  char *text = ir_json_text(v, JSON_COMPACT | JSON_ENCODE_ANY);
  const char *out = strlen(text) > 100 ? arena_printf(&ctx->arena, "%.97s...", text)
                                       : arena_strdup(&ctx->arena, text);
  free(text);
  return out;
}

/* The stage's logical id nearest to a misspelt one, or NULL. */
static const char *closest_id(const Applying *a, const char *id) {
  size_t n = a->ir->resources.len;
  const char **ids = arena_alloc(&a->ctx->arena, (n ? n : 1) * sizeof *ids);
  for (size_t i = 0; i < n; i++)
    ids[i] = ((const IrResource *)a->ir->resources.items[i])->id;
  return suggest_closest(id, ids, n);
}

static IrResource *find_resource(Applying *a) {
  const PointerSegment *s = &a->ptr.segments[0];
  IrResource *r = ir_find(a->ir, s->name);
  if (r)
    return r;
  Diag *d = diag_error(a->ctx, segment_pos(a->p, s), LK_PATCH_ID,
                       "the stage makes no resource with the logical id '%s'", s->name);
  const char *best = closest_id(a, s->name);
  if (best)
    diag_fixit(a->ctx, d, patch_pointer_escape(&a->ctx->arena, best));
  return NULL;
}

static json_t *view_of(const IrResource *r) {
  json_t *deps = json_array();
  for (size_t i = 0; i < r->depends_on.len; i++)
    json_array_append_new(deps, json_string(r->depends_on.items[i]));
  json_t *view = json_object();
  json_object_set_new(view, "Properties",
                      r->properties ? json_deep_copy(r->properties) : json_object());
  json_object_set_new(view, "DependsOn", deps);
  if (r->metadata)
    json_object_set_new(view, "Metadata", json_deep_copy(r->metadata));
  if (r->deletion_policy)
    json_object_set_new(view, "DeletionPolicy", json_string(r->deletion_policy));
  if (r->update_replace_policy)
    json_object_set_new(view, "UpdateReplacePolicy", json_string(r->update_replace_policy));
  return view;
}

/* The names a map has, for a note and a did-you-mean. */
static const char **keys_of(Ctx *ctx, json_t *map, size_t *n) {
  *n = json_object_size(map);
  const char **keys = arena_alloc(&ctx->arena, (*n ? *n : 1) * sizeof *keys);
  const char *key;
  json_t *v;
  size_t i = 0;
  json_object_foreach(map, key, v) keys[i++] = key;
  return keys;
}

static const char *joined(Ctx *ctx, const char *const *words, size_t n) {
  const char *out = "";
  for (size_t i = 0; i < n && i < 12; i++)
    out = arena_printf(&ctx->arena, "%s%s%s", out, i ? ", " : "", words[i]);
  return n > 12 ? arena_printf(&ctx->arena, "%s, ... (%zu in all)", out, n) : out;
}

/* The second segment is none of PARTS. */
static void report_unknown_part(Applying *a) {
  const PointerSegment *s = &a->ptr.segments[1];
  Pos at = segment_pos(a->p, s);
  Diag *d = diag_error(a->ctx, at, LK_PATCH_PATH, "a patch cannot change '%s' of a resource",
                       s->name);
  diag_note(a->ctx, d, at, "it can change %s", joined(a->ctx, PARTS, COUNT(PARTS)));
  const char *best = suggest_closest(s->name, PARTS, COUNT(PARTS));
  if (best)
    diag_fixit(a->ctx, d, best);
}

/* Segment i names nothing in `parent`, the deepest part that exists. */
static void report_missing(Applying *a, size_t i, json_t *parent) {
  Ctx *ctx = a->ctx;
  const PointerSegment *s = &a->ptr.segments[i];
  const char *where = prefix_text(ctx, a->p, &a->ptr, i);
  Pos at = segment_pos(a->p, s);
  if (!json_is_object(parent)) {
    diag_error(ctx, at, LK_PATCH_PATH, "'%s' is %s, which has no '%s' in it", where,
               describe(parent), s->name);
    return;
  }
  Diag *d = diag_error(ctx, at, LK_PATCH_PATH, "'%s' has no key '%s'", where, s->name);
  size_t n;
  const char **keys = keys_of(ctx, parent, &n);
  Pos origin = a->r->origin ? a->r->origin->pos : at;
  if (n)
    diag_note(ctx, d, origin, "'%s' (generated from here) has: %s", where, joined(ctx, keys, n));
  else
    diag_note(ctx, d, origin, "'%s' (generated from here) is an empty map", where);
  const char *best = suggest_closest(s->name, keys, n);
  if (best)
    diag_fixit(ctx, d, patch_pointer_escape(&ctx->arena, best));
}

/* An index into a list of `size` items; `end` allows size itself (add). */
static bool list_index(Applying *a, size_t i, json_t *list, bool end, size_t *index) {
  const PointerSegment *s = &a->ptr.segments[i];
  Pos at = segment_pos(a->p, s);
  size_t size = json_array_size(list);
  if (!strcmp(s->name, "-")) {
    *index = size;
    if (!end)
      diag_error(a->ctx, at, LK_PATCH_POINTER,
                 "'-' names the end of the list '%s', after its last item: only add can put a "
                 "value there", prefix_text(a->ctx, a->p, &a->ptr, i));
    return end;
  }
  if (!patch_array_index(s->name, index)) {
    diag_error(a->ctx, at, LK_PATCH_POINTER,
               "'%s' is not an index into the list '%s': 0, 1, 2 ...%s", s->name,
               prefix_text(a->ctx, a->p, &a->ptr, i), end ? ", or - for its end" : "");
    return false;
  }
  if (*index < size + end)
    return true;
  diag_error(a->ctx, at, LK_PATCH_PATH, "the list '%s' has %zu item%s: no index %zu",
             prefix_text(a->ctx, a->p, &a->ptr, i), size, size == 1 ? "" : "s", *index);
  return false;
}

/* The value segment i names inside parent, or NULL reported. */
static json_t *step(Applying *a, size_t i, json_t *parent) {
  if (json_is_array(parent)) {
    size_t index;
    return list_index(a, i, parent, false, &index) ? json_array_get(parent, index) : NULL;
  }
  json_t *child = json_object_get(parent, a->ptr.segments[i].name);
  if (!child)
    report_missing(a, i, parent);
  return child;
}

/* A string the stage keeps (the arena's copy). */
static const char *kept(Ctx *ctx, json_t *s) { return arena_strdup(&ctx->arena, json_string_value(s)); }

/* The position a patched part's problem is shown at: its value as written. */
static Pos value_pos(const Applying *a) {
  return a->p->value ? a->p->value->pos : decode_value_pos(a->p->node, "path");
}

static bool valid_policy(Applying *a, const char *part) {
  json_t *v = json_object_get(a->view, part);
  if (!v)
    return true;
  for (size_t i = 0; json_is_string(v) && i < COUNT(POLICIES); i++)
    if (!strcmp(json_string_value(v), POLICIES[i]))
      return true;
  Diag *d = diag_error(a->ctx, value_pos(a), LK_BAD_ENUM, "a resource's %s is one of %s, not %s",
                       part, joined(a->ctx, POLICIES, COUNT(POLICIES)), shown(a->ctx, v));
  const char *best =
      json_is_string(v) ? suggest_closest(json_string_value(v), POLICIES, COUNT(POLICIES)) : NULL;
  if (best)
    diag_fixit(a->ctx, d, best);
  return false;
}

/* DependsOn: a logical id or a list of them, each a resource of the stage. */
static bool valid_depends_on(Applying *a) {
  json_t *deps = json_object_get(a->view, "DependsOn");
  if (json_is_string(deps)) {
    json_t *one = json_array();
    json_array_append(one, deps);
    json_object_set_new(a->view, "DependsOn", one);
    deps = one;
  }
  if (deps && !json_is_array(deps)) {
    diag_error(a->ctx, value_pos(a), LK_WRONG_TYPE,
               "DependsOn is a logical id or a list of them, not %s", describe(deps));
    return false;
  }
  size_t i;
  json_t *dep;
  json_array_foreach(deps, i, dep) {
    if (json_is_string(dep) && ir_find(a->ir, json_string_value(dep)))
      continue;
    Diag *d = diag_error(a->ctx, value_pos(a), LK_PATCH_ID,
                         "DependsOn names %s, which is not a logical id of the stage",
                         shown(a->ctx, dep));
    const char *best = json_is_string(dep) ? closest_id(a, json_string_value(dep)) : NULL;
    if (best)
      diag_fixit(a->ctx, d, best);
    return false;
  }
  return true;
}

/* The view, patched, is still a resource: Properties and Metadata maps,
 * policies CloudFormation knows, DependsOn naming resources of the stage. */
static bool valid_view(Applying *a) {
  static const char *const MAPS[] = {"Properties", "Metadata"};
  for (size_t i = 0; i < COUNT(MAPS); i++) {
    json_t *v = json_object_get(a->view, MAPS[i]);
    if (v && !json_is_object(v)) {
      diag_error(a->ctx, value_pos(a), LK_WRONG_TYPE, "a resource's %s is a map, not %s",
                 MAPS[i], describe(v));
      return false;
    }
  }
  return valid_policy(a, "DeletionPolicy") && valid_policy(a, "UpdateReplacePolicy") &&
         valid_depends_on(a);
}

static void write_back(Applying *a) {
  IrResource *r = a->r;
  json_t *props = json_object_get(a->view, "Properties");
  json_decref(r->properties);
  r->properties = props ? json_incref(props) : json_object();
  json_decref(r->metadata);
  r->metadata = json_incref(json_object_get(a->view, "Metadata"));
  json_t *del = json_object_get(a->view, "DeletionPolicy");
  json_t *upd = json_object_get(a->view, "UpdateReplacePolicy");
  r->deletion_policy = del ? kept(a->ctx, del) : NULL;
  r->update_replace_policy = upd ? kept(a->ctx, upd) : NULL;
  r->depends_on = (PtrVec){0};
  size_t i;
  json_t *dep;
  json_array_foreach(json_object_get(a->view, "DependsOn"), i, dep)
      ir_depends_on(a->ctx, r, kept(a->ctx, dep));
}

/* True when the item that made r offers `old` as one of its values that
 * lakec writes as they are (a bucket's name in a function's policy). */
static bool written_elsewhere(Applying *a, json_t *old) {
  static const char *const WHAT[] = {"name", "url", "arn"};
  if (!json_is_string(old) || !a->r->origin)
    return false;
  bool found = false;
  for (size_t i = 0; i < CONSTRUCTS_COUNT; i++) {
    const Construct *c = CONSTRUCTS[i];
    for (size_t k = 0; c->ref && k < construct_count(a->m, c); k++) {
      const Item *it = construct_item(a->m, c, k);
      for (size_t w = 0; it->node == a->r->origin && w < COUNT(WHAT); w++) {
        RefSpec spec = {0};
        if (c->ref(a->ctx, it, WHAT[w], &spec) && spec.id && !strcmp(spec.id, a->r->id))
          found |= json_equal(spec.literal, old);
        json_decref(spec.literal);
      }
    }
  }
  return found;
}

/* A replaced or removed property that lakec also writes elsewhere: those
 * places keep the old value. */
static void warn_if_written_elsewhere(Applying *a, json_t *old) {
  if (a->ptr.count != 3 || strcmp(a->ptr.segments[1].name, "Properties") != 0 ||
      !written_elsewhere(a, old))
    return;
  Diag *d = diag_warning(a->ctx, path_pos(a->p, 0, strlen(a->p->path)), LK_PATCH_KNOWN,
                         "lakec writes %s as it is wherever the stage names '%s' (policies, "
                         "variables, other stacks): the patch does not change those",
                         shown(a->ctx, old), a->r->id);
  diag_note(a->ctx, d, a->r->origin->pos, "set it with this item's own key instead");
}

/* A test: the target equals the value (stolen). */
static bool test_equal(Applying *a, json_t *target, json_t *value) {
  bool equal = json_equal(target, value);
  if (!equal)
    diag_error(a->ctx, path_pos(a->p, 0, strlen(a->p->path)), LK_PATCH_TEST,
               "test failed: '%s' is %s, not %s", a->p->path, shown(a->ctx, target),
               shown(a->ctx, value));
  json_decref(value);
  return equal;
}

/* The operation on `parent`'s last segment; value stolen (NULL for remove). */
static bool operate(Applying *a, json_t *parent, json_t *value) {
  size_t last = a->ptr.count - 1;
  const char *name = a->ptr.segments[last].name;
  int op = a->p->op;
  if (json_is_array(parent)) {
    size_t index;
    if (!list_index(a, last, parent, op == PATCH_ADD, &index)) {
      json_decref(value);
      return false;
    }
    if (op == PATCH_TEST)
      return test_equal(a, json_array_get(parent, index), value);
    if (op == PATCH_ADD)
      json_array_insert_new(parent, index, value);
    else if (op == PATCH_REMOVE)
      json_array_remove(parent, index);
    else
      json_array_set_new(parent, index, value);
    return true;
  }
  json_t *old = json_is_object(parent) ? json_object_get(parent, name) : NULL;
  if (!old && (op != PATCH_ADD || !json_is_object(parent))) {
    report_missing(a, last, parent);
    json_decref(value);
    return false;
  }
  if (op == PATCH_TEST)
    return test_equal(a, old, value);
  if (old)
    warn_if_written_elsewhere(a, old);
  if (op == PATCH_REMOVE)
    json_object_del(parent, name);
  else
    json_object_set_new(parent, name, value);
  return true;
}

static void apply_one(Ctx *ctx, Ir *ir, const Model *m, const Patch *p) {
  Applying a = {ctx, ir, m, p, {0}, NULL, NULL};
  if (!patch_pointer_parse(&ctx->arena, p->path, &a.ptr) || a.ptr.count < 2)
    BUG("patch '%s' was not checked", p->path);
  if (!(a.r = find_resource(&a)))
    return;
  const char *part = a.ptr.segments[1].name;
  bool known_part = false;
  for (size_t i = 0; i < COUNT(PARTS); i++)
    known_part |= !strcmp(part, PARTS[i]);
  a.view = view_of(a.r);
  json_t *parent = a.view;
  if (!known_part) {
    report_unknown_part(&a);
    parent = NULL;
  }
  for (size_t i = 1; parent && i + 1 < a.ptr.count; i++)
    parent = step(&a, i, parent);
  if (p->op != PATCH_REMOVE) /* what it names exists, as in raw CloudFormation */
    rawcheck_targets(ctx, ir, m, p->value);
  json_t *value = p->op == PATCH_REMOVE ? NULL : rawjson(ctx, ir, m, p->value);
  if (parent && operate(&a, parent, value) && p->op != PATCH_TEST && valid_view(&a))
    write_back(&a);
  else if (!parent)
    json_decref(value);
  json_decref(a.view);
}

void patch_apply(Ctx *ctx, Ir *ir, const Model *m) {
  for (size_t i = 0; i < m->patches.len; i++) {
    const Patch *p = &m->patches.items[i];
    if (p->op != TRI_UNSET && p->path)
      apply_one(ctx, ir, m, p);
  }
}
