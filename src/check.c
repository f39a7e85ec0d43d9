/* check: phase 3. decode.c does the table-driven part (types, required and
 * unknown keys, ranges, enums) against the stage's shape, which the construct
 * registry assembles; this file checks the stage's own settings and stacks,
 * then runs each construct's check in registry order: computed defaults,
 * AWS naming rules, references between constructs (resolved into pointers
 * for lower) and stage policy live next to their construct. */
#include "check.h"
#include "check_util.h"
#include "construct.h"
#include "awsnames.h"
#include "ctx.h"
#include "decode.h"
#include "refs.h"
#include "patch.h"
#include "schedule.h"
#include "strindex.h"
#include "suggest.h"

#include <string.h>

/* ---- helpers the constructs share (check_util.h) ---- */

Pos check_pos(const Node *map, const char *key) { return decode_value_pos(map, key); }

/* The name with '_' written '-' and capitals in lower case, when that is all
 * the rule minds (my_Bucket -> my-bucket); else NULL. */
static const char *name_respelled(Ctx *ctx, const char *value, const char *(*rule)(const char *)) {
  char *fixed = arena_strdup(&ctx->arena, value);
  for (char *p = fixed; *p; p++)
    *p = *p == '_' ? '-' : (*p >= 'A' && *p <= 'Z') ? (char)(*p - 'A' + 'a') : *p;
  return strcmp(fixed, value) && !rule(fixed) ? fixed : NULL;
}

void check_name(Ctx *ctx, const Node *map, const char *key, const char *value,
                const char *(*rule)(const char *), const char *code, const char *what) {
  const Node *v = node_get(map, key);
  if (!value || (v && v->unresolved))
    return;
  const char *why = rule(value);
  if (!why)
    return;
  const char *fixed = name_respelled(ctx, value, rule);
  Diag *d = diag_error(ctx, check_pos(map, key), code, "%s '%s' is invalid: %s%s%s%s", what,
                       value, why, fixed ? "; did you mean '" : "", fixed ? fixed : "",
                       fixed ? "'?" : "");
  if (fixed && v && !v->quoted && strlen(v->str) == strlen(value)) /* the value as written */
    diag_fixit(ctx, d, fixed);
}

void check_schedule(Ctx *ctx, const Node *map, const char *key, const char *expr, bool cron_only,
                    const char *who) {
  const Node *v = map ? node_get(map, key) : NULL;
  if (!expr || !v || v->unresolved)
    return;
  if (cron_only && strncmp(expr, "cron(", 5) != 0) {
    diag_error(ctx, v->pos, LK_SCHEDULE, "invalid schedule '%s': %s take cron(...) expressions only",
               expr, who);
    return;
  }
  ScheduleError err;
  if (schedule_check(expr, &err))
    return;
  Pos at = v->pos;
  bool inside = at.len && strlen(v->str) == strlen(expr); /* one line, no ${...} resolved */
  if (inside) { /* point at the offending part inside the value */
    at.col += (unsigned)err.offset + (v->quoted ? 1u : 0u);
    at.len = (unsigned)err.len;
  }
  Diag *d = diag_error(ctx, at, LK_SCHEDULE, "invalid schedule '%s': %s", expr, err.message);
  if (inside && err.fix[0])
    diag_fixit(ctx, d, err.fix);
}

void check_schedule_on_in_production(Ctx *ctx, const Model *m, const Node *schedule, bool enabled,
                                     const char *kind, const char *key) {
  if (m->production != 1 || !schedule || enabled || m->policy.allow_disabled_schedules)
    return;
  diag_error(ctx, check_pos(schedule, "enabled"), LK_PROD_SCHEDULE,
             "the schedule of %s '%s' is off in a production stage (if it runs by hand on "
             "purpose, set 'policy: {allow_disabled_schedules: true}')",
             kind, key);
}

/* Prefixes end up in ARNs written with Fn::Sub, where "${" would read as a
 * substitution, and in S3 keys, which are 1024 bytes at most. */
static const long long LOG_RETENTION_DAYS[] = {1,   3,   5,   7,    14,   30,   60,   90,
                                                120, 150, 180, 365,  400,  545,  731,  1096,
                                                1827, 2192, 2557, 2922, 3288, 3653};

void check_log_retention(Ctx *ctx, const Node *map, long long days) {
  check_log_retention_at(ctx, map, "log_retention", days);
}

void check_log_retention_at(Ctx *ctx, const Node *map, const char *key, long long days) {
  for (size_t i = 0; i < sizeof LOG_RETENTION_DAYS / sizeof *LOG_RETENTION_DAYS; i++)
    if (days == LOG_RETENTION_DAYS[i])
      return;
  diag_error(ctx, check_pos(map, key), LK_OUT_OF_RANGE,
             "'%s' is %lld, which CloudWatch does not offer; use one of 1, 3, 5, 7, "
             "14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, "
             "3288, 3653",
             key, days);
}

bool check_prefix(Ctx *ctx, const char *prefix, Pos at) {
  if (prefix[0] == '/' || strstr(prefix, "//") || strstr(prefix, "..") || strchr(prefix, '*') ||
      strstr(prefix, "${")) {
    diag_error(ctx, at, LK_LOCATION,
               "prefix '%s' is invalid: write it as a plain key prefix such as 'raw/', "
               "without a leading '/', '//', '..', '*' or '${'",
               prefix);
    return false;
  }
  if (strlen(prefix) > 1024) {
    diag_error(ctx, at, LK_LOCATION,
               "prefix is %zu bytes long, but an S3 key is at most 1024", strlen(prefix));
    return false;
  }
  return true;
}

const char *check_default_name(Ctx *ctx, const Model *m, const char *key) {
  return arena_printf(&ctx->arena, "%s-%s-%s", m->project ? m->project : "",
                      m->stage ? m->stage : "", key);
}

void check_unique_name(Ctx *ctx, StrIndex *names, const Construct *c, const Item *item,
                       const char *name) {
  if (!name)
    return;
  const Item *o = strindex_get(names, name);
  if (!o) {
    strindex_put(ctx, names, name, (void *)item);
    return;
  }
  Diag *d = diag_error(ctx, check_pos(item->node, "name"), LK_DUPLICATE,
                       "%s '%s' and '%s' have the same name '%s'", c->key, o->key, item->key,
                       name);
  diag_note(ctx, d, check_pos(o->node, "name"), "%s '%s' is named here", c->kind, o->key);
}

/* ---- stage ---- */

/* xx-word-N, xx-word-word-N (us-gov-west-1), lowercase. */
static bool valid_region(const char *r) {
  int parts = 0;
  const char *p = r;
  while (*p) {
    const char *start = p;
    while (*p >= 'a' && *p <= 'z')
      p++;
    if (p == start)
      break;
    parts++;
    if (*p != '-')
      return false;
    p++;
  }
  if (parts < 2 || !(*p >= '1' && *p <= '9'))
    return false;
  while (*p >= '0' && *p <= '9')
    p++;
  return *p == '\0' && strlen(r) < 32;
}

/* Tags AWS takes, none of the two lakec keeps for itself (Project's value
 * may be replaced: a system may name its project otherwise than its key). */
static void check_tags(Ctx *ctx, const StrMap *tags) {
  for (size_t i = 0; i < tags->len; i++) {
    const StrPair *t = &tags->items[i];
    const char *why = awsname_tag_key(t->key);
    if (why)
      diag_error(ctx, t->key_node->pos, LK_TAG, "tag '%s' is invalid: %s", t->key, why);
    why = awsname_tag_value(t->value);
    if (why)
      diag_error(ctx, t->value_node->pos, LK_TAG, "value of tag '%s' is invalid: %s", t->key,
                 why);
    static const char *const ours[] = {"Stage", "ManagedBy"};
    for (int k = 0; k < 2; k++)
      if (!strcmp(t->key, ours[k]))
        diag_error(ctx, t->key_node->pos, LK_TAG,
                   "tag '%s' is set by lakec itself on every resource", t->key);
  }
}

static void check_stage_names(Ctx *ctx, Model *m) {
  const Node *n = m->node;
  if (m->version && m->version != 1)
    diag_error(ctx, check_pos(n, "lakec"), LK_LANG_VERSION,
               "this is lakec language version %lld, but lakec %s reads version 1", m->version,
               LAKEC_VERSION);
  check_name(ctx, n, "project", m->project, awsname_construct_key, LK_NAME, "project name");
  check_name(ctx, n, "stage", m->stage, awsname_construct_key, LK_NAME, "stage name");
  if (m->region && !valid_region(m->region))
    diag_error(ctx, check_pos(n, "region"), LK_NAME,
               "region '%s' is invalid: a region looks like us-east-1 or ap-southeast-2",
               m->region);
  if (m->account && (strlen(m->account) != 12 || strspn(m->account, "0123456789") != 12))
    diag_error(ctx, check_pos(n, "account"), LK_NAME,
               "account '%s' is invalid: an AWS account id is 12 digits", m->account);
  check_tags(ctx, &m->tags);
}

/* Keys become logical ids (data -> Data, raw-files -> RawFiles): two keys that
 * differ only in separators or case would collide there. */
static const char *pascal_of(Ctx *ctx, const char *key) {
  char *out = arena_strdup(&ctx->arena, key);
  size_t n = 0;
  bool up = true;
  for (const char *p = key; *p; p++) {
    if (*p == '-' || *p == '_') {
      up = true;
      continue;
    }
    out[n++] = up && *p >= 'a' && *p <= 'z' ? (char)(*p - 'a' + 'A') : *p;
    up = false;
  }
  out[n] = '\0';
  return out;
}

void check_keys(Ctx *ctx, const char *what, const Node *map) {
  if (!map || map->kind != NODE_MAP)
    return;
  StrIndex ids = {0};
  for (size_t i = 0; i < map->count; i++) {
    const Node *k = map->pairs[i].key;
    const char *why = awsname_construct_key(k->str);
    if (why) {
      diag_error(ctx, k->pos, LK_NAME, "%s name '%s' is invalid: %s", what, k->str, why);
      continue;
    }
    const char *id = pascal_of(ctx, k->str);
    const Node *first = strindex_put(ctx, &ids, id, (void *)k);
    if (!first)
      continue;
    strindex_put(ctx, &ids, id, (void *)first); /* keep pointing at the first */
    Diag *d = diag_error(ctx, k->pos, LK_DUPLICATE,
                         "%s name '%s' is too close to '%s': both give the id '%s'", what, k->str,
                         first->str, id);
    diag_note(ctx, d, first->pos, "'%s' is defined here", first->str);
  }
}

/* ---- stacks ---- */

/* Without `stacks:`, the stage is one stack named PROJECT-STAGE. */
static void check_stacks(Ctx *ctx, Model *m) {
  check_keys(ctx, "stack", node_get(m->node, "stacks"));
  StrIndex names = {0};
  for (size_t i = 0; i < m->stacks.len; i++) {
    Stack *s = &m->stacks.items[i];
    if (!s->name)
      s->name = check_default_name(ctx, m, s->key);
    check_name(ctx, s->node, "name", s->name, awsname_stack, LK_NAME, "stack name");
    check_tags(ctx, &s->tags);
    if (s->description && strlen(s->description) > 1024)
      diag_error(ctx, check_pos(s->node, "description"), LK_OUT_OF_RANGE,
                 "the description of stack '%s' is %zu bytes; CloudFormation allows 1024",
                 s->key, strlen(s->description));
    const Stack *o = strindex_get(&names, s->name);
    if (o) {
      Diag *d = diag_error(ctx, check_pos(s->node, "name"), LK_DUPLICATE,
                           "stacks '%s' and '%s' have the same name '%s'", o->key, s->key,
                           s->name);
      diag_note(ctx, d, check_pos(o->node, "name"), "stack '%s' is named here", o->key);
    } else {
      strindex_put(ctx, &names, s->name, s);
    }
  }
}

const Stack *model_stack(const Model *m, const char *key) {
  if (!key)
    return m->stacks.len ? &m->stacks.items[0] : NULL;
  for (size_t i = 0; i < m->stacks.len; i++)
    if (!strcmp(m->stacks.items[i].key, key))
      return &m->stacks.items[i];
  return NULL;
}

/* The distinct keys of some tag maps and lakec's own three. */
static size_t distinct_tags(const StrMap *const *maps, size_t count) {
  static const char *const ours[] = {"ManagedBy", "Project", "Stage"};
  size_t n = 3;
  for (size_t a = 0; a < count; a++)
    for (size_t i = 0; i < maps[a]->len; i++) {
      const char *key = maps[a]->items[i].key;
      bool seen = !strcmp(key, ours[0]) || !strcmp(key, ours[1]) || !strcmp(key, ours[2]);
      for (size_t b = 0; b <= a && !seen; b++)
        for (size_t k = 0; k < (b == a ? i : maps[b]->len) && !seen; k++)
          seen = !strcmp(maps[b]->items[k].key, key);
      n += !seen;
    }
  return n;
}

/* Every item's `tags` are tags AWS takes, none of lakec's own, and with the
 * stage's, its stack's and lakec's three within AWS's 50 a resource. */
static void check_item_tags(Ctx *ctx, const Model *m, const Construct *c) {
  static const StrMap none = {0};
  for (size_t i = 0; i < construct_count(m, c); i++) {
    const Item *it = construct_item(m, c, i);
    check_tags(ctx, &it->tags);
    const Stack *stack = model_stack(m, it->stack);
    const StrMap *maps[] = {&m->tags, stack ? &stack->tags : &none, &it->tags};
    size_t n = distinct_tags(maps, 3);
    if (n > 50)
      diag_error(ctx, check_pos(it->node, "tags"), LK_TAG,
                 "%s '%s' would have %zu tags with the stage's, its stack's and lakec's; AWS "
                 "allows 50",
                 c->kind, it->key, n);
  }
}

/* Every item's `stack` names a stack of the stage. */
static void check_item_stacks(Ctx *ctx, const Model *m, const Construct *c) {
  for (size_t i = 0; i < construct_count(m, c); i++) {
    const Item *it = construct_item(m, c, i);
    if (!it->stack || model_stack(m, it->stack))
      continue;
    Diag *d = diag_error(ctx, check_pos(it->node, "stack"), LK_UNDEFINED_REF,
                         "%s '%s' is placed in stack '%s', but 'stacks' has no such key", c->kind,
                         it->key, it->stack);
    size_t n = m->stacks.len;
    const char **keys = arena_alloc(&ctx->arena, (n ? n : 1) * sizeof *keys);
    for (size_t k = 0; k < n; k++)
      keys[k] = m->stacks.items[k].key;
    const char *best = suggest_closest(it->stack, keys, n);
    if (best)
      diag_fixit(ctx, d, best);
  }
}

/* ---- the phase ---- */

Model *check(Ctx *ctx, const Node *root) {
  Model *m = arena_alloc(&ctx->arena, sizeof *m);
  if (!root)
    return m;
  if (root->kind != NODE_MAP) {
    diag_error(ctx, root->pos, LK_WRONG_TYPE, "a stage file must be a map of settings, not %s",
               node_describe(root));
    return m;
  }
  decode_struct(ctx, schema_stage(), root, m, "the stage");
  check_stage_names(ctx, m);
  check_stacks(ctx, m);
  for (size_t i = 0; i < CONSTRUCTS_COUNT; i++) {
    const Construct *c = CONSTRUCTS[i];
    check_keys(ctx, c->kind, node_get(m->node, c->key));
    check_item_stacks(ctx, m, c);
    check_item_tags(ctx, m, c);
    c->check(ctx, m, c);
  }
  patch_check(ctx, m);
  refs_report_unresolved(ctx, root);
  return m;
}
