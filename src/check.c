/* check: phase 3. decode.c does the table-driven part (types, required and
 * unknown keys, ranges, enums); this file does what needs the whole model:
 * computed defaults, AWS naming rules, schedule expressions, references
 * between constructs (resolved into pointers for lower) and stage policy. */
#include "check.h"
#include "awsnames.h"
#include "ctx.h"
#include "decode.h"
#include "schedule.h"
#include "strindex.h"
#include "suggest.h"

#include <string.h>

/* ---- helpers ---- */

static Pos pos_of(const Node *map, const char *key) { return decode_value_pos(map, key); }

static void check_name(Ctx *ctx, const Node *map, const char *key, const char *value,
                       const char *(*rule)(const char *), const char *code, const char *what) {
  const Node *v = node_get(map, key);
  if (!value || (v && v->unresolved))
    return;
  const char *why = rule(value);
  if (why)
    diag_error(ctx, pos_of(map, key), code, "%s '%s' is invalid: %s", what, value, why);
}

/* Suggests the nearest of the names of a list of constructs (by key). */
static void suggest_key(Ctx *ctx, Diag *d, const char *word, const char *const *keys, size_t n) {
  const char *best = suggest_closest(word, keys, n);
  if (best)
    diag_fixit(ctx, d, best);
}

#define KEYS_OF(list, out, max)                                                          \
  do {                                                                                   \
    for (size_t k_ = 0; k_ < (list).len && k_ < (max); k_++)                             \
      (out)[k_] = (list).items[k_].key;                                                  \
  } while (0)

static const Bucket *resolve_bucket(Ctx *ctx, const Model *m, const char *key, Pos at) {
  const Bucket *b = model_find_bucket(m, key);
  if (b)
    return b;
  Diag *d = diag_error(ctx, at, LK_UNDEFINED_REF, "no bucket named '%s' in 'buckets'", key);
  const char *keys[64];
  KEYS_OF(m->buckets, keys, 64);
  suggest_key(ctx, d, key, keys, m->buckets.len < 64 ? m->buckets.len : 64);
  return NULL;
}

static const Crawler *resolve_crawler(Ctx *ctx, const Model *m, const char *key, Pos at) {
  const Crawler *c = model_find_crawler(m, key);
  if (c)
    return c;
  Diag *d = diag_error(ctx, at, LK_UNDEFINED_REF, "no crawler named '%s' in 'catalog.crawlers'",
                       key);
  const char *keys[64];
  KEYS_OF(m->catalog.crawlers, keys, 64);
  size_t n = m->catalog.crawlers.len;
  suggest_key(ctx, d, key, keys, n < 64 ? n : 64);
  return NULL;
}

static bool check_prefix(Ctx *ctx, const char *prefix, Pos at) {
  if (prefix[0] == '/' || strstr(prefix, "//") || strstr(prefix, "..") || strchr(prefix, '*')) {
    diag_error(ctx, at, LK_LOCATION,
               "prefix '%s' is invalid: write it as a plain key prefix such as 'raw/', "
               "without a leading '/', '//', '..' or '*'",
               prefix);
    return false;
  }
  return true;
}

/* "BUCKET/PREFIX" -> Location; "BUCKET" alone is the whole bucket. */
static Location resolve_location(Ctx *ctx, const Model *m, const char *text, Pos at) {
  Location loc = {NULL, ""};
  const char *slash = strchr(text, '/');
  const char *key = slash ? arena_strndup(&ctx->arena, text, (size_t)(slash - text)) : text;
  loc.bucket = resolve_bucket(ctx, m, key, at);
  loc.prefix = slash ? slash + 1 : "";
  if (loc.bucket && !check_prefix(ctx, loc.prefix, at))
    loc.bucket = NULL;
  return loc;
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

static void check_stage_names(Ctx *ctx, Model *m) {
  const Node *n = m->node;
  if (m->version && m->version != 1)
    diag_error(ctx, pos_of(n, "lakec"), LK_LANG_VERSION,
               "this is lakec language version %lld, but lakec %s reads version 1", m->version,
               LAKEC_VERSION);
  check_name(ctx, n, "project", m->project, awsname_construct_key, LK_NAME, "project name");
  check_name(ctx, n, "stage", m->stage, awsname_construct_key, LK_NAME, "stage name");
  if (m->region && !valid_region(m->region))
    diag_error(ctx, pos_of(n, "region"), LK_NAME,
               "region '%s' is invalid: a region looks like us-east-1 or ap-southeast-2",
               m->region);
  if (m->account && (strlen(m->account) != 12 || strspn(m->account, "0123456789") != 12))
    diag_error(ctx, pos_of(n, "account"), LK_NAME,
               "account '%s' is invalid: an AWS account id is 12 digits", m->account);
  for (size_t i = 0; i < m->tags.len; i++) {
    const StrPair *t = &m->tags.items[i];
    const char *why = awsname_tag_key(t->key);
    if (why)
      diag_error(ctx, t->key_node->pos, LK_TAG, "tag '%s' is invalid: %s", t->key, why);
    why = awsname_tag_value(t->value);
    if (why)
      diag_error(ctx, t->value_node->pos, LK_TAG, "value of tag '%s' is invalid: %s", t->key,
                 why);
    static const char *const ours[] = {"Project", "Stage", "ManagedBy"};
    for (int k = 0; k < 3; k++)
      if (!strcmp(t->key, ours[k]))
        diag_error(ctx, t->key_node->pos, LK_TAG,
                   "tag '%s' is set by lakec itself on every resource", t->key);
  }
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

static void check_keys(Ctx *ctx, const char *what, const Node *map) {
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

/* ---- buckets, catalog, athena ---- */

/* The thing already indexed under name, if any; else indexes this one. */
static const void *first_with_name(Ctx *ctx, StrIndex *names, const char *name, const void *thing) {
  const void *first = strindex_get(names, name);
  if (!first)
    strindex_put(ctx, names, name, (void *)thing);
  return first;
}

static void check_buckets(Ctx *ctx, Model *m) {
  StrIndex names = {0};
  check_keys(ctx, "bucket", node_get(m->node, "buckets"));
  for (size_t i = 0; i < m->buckets.len; i++) {
    Bucket *b = &m->buckets.items[i];
    if (b->versioned == TRI_UNSET)
      b->versioned = m->production;
    if (b->retain == TRI_UNSET)
      b->retain = m->production;
    check_name(ctx, b->node, "name", b->name, awsname_s3_bucket, LK_BUCKET_NAME, "bucket name");
    if (m->production == 1 && !b->versioned && !m->policy.allow_unversioned_buckets)
      diag_error(ctx, pos_of(b->node, "versioned"), LK_PROD_BUCKET,
                 "bucket '%s' of a production stage must be versioned (or set 'policy: "
                 "{allow_unversioned_buckets: true}')",
                 b->key);
    if (m->production == 1 && !b->retain && !m->policy.allow_unretained_buckets)
      diag_error(ctx, pos_of(b->node, "retain"), LK_PROD_BUCKET,
                 "bucket '%s' of a production stage must be retained (or set 'policy: "
                 "{allow_unretained_buckets: true}')",
                 b->key);
    const Bucket *o = b->name ? first_with_name(ctx, &names, b->name, b) : NULL;
    if (o) {
      Diag *d = diag_error(ctx, pos_of(b->node, "name"), LK_DUPLICATE,
                           "buckets '%s' and '%s' have the same name '%s'", o->key, b->key,
                           b->name);
      diag_note(ctx, d, pos_of(o->node, "name"), "bucket '%s' is named here", o->key);
    }
  }
}

static const char *default_name(Ctx *ctx, const Model *m, const char *key) {
  return arena_printf(&ctx->arena, "%s-%s-%s", m->project ? m->project : "",
                      m->stage ? m->stage : "", key);
}

static void check_catalog(Ctx *ctx, Model *m) {
  Catalog *c = &m->catalog;
  if (!c->node)
    return;
  check_name(ctx, c->node, "database", c->database, awsname_glue_database, LK_GLUE_NAME,
             "database name");
  check_keys(ctx, "crawler", node_get(c->node, "crawlers"));
  for (size_t i = 0; i < c->crawlers.len; i++) {
    Crawler *cr = &c->crawlers.items[i];
    if (!cr->name)
      cr->name = default_name(ctx, m, cr->key);
    check_name(ctx, cr->node, "name", cr->name, awsname_glue_crawler, LK_GLUE_NAME,
               "crawler name");
    if (cr->bucket) {
      cr->target.bucket = resolve_bucket(ctx, m, cr->bucket, pos_of(cr->node, "bucket"));
      cr->target.prefix = cr->prefix;
      check_prefix(ctx, cr->prefix, pos_of(cr->node, "prefix"));
    }
  }
}

static void check_athena(Ctx *ctx, Model *m) {
  Athena *a = &m->athena;
  if (!a->node)
    return;
  check_name(ctx, a->node, "workgroup", a->workgroup, awsname_athena_workgroup, LK_NAME,
             "workgroup name");
  AthenaResults *r = &a->results;
  if (r->node && r->bucket) {
    r->where.bucket = resolve_bucket(ctx, m, r->bucket, pos_of(r->node, "bucket"));
    r->where.prefix = r->prefix;
    check_prefix(ctx, r->prefix, pos_of(r->node, "prefix"));
  }
  if (!m->catalog.node)
    diag_error(ctx, a->node->pos, LK_UNDEFINED_REF,
               "'athena' queries the catalog, but there is no 'catalog'");
}

/* ---- functions ---- */

static const long long LOG_RETENTION_DAYS[] = {1,   3,   5,   7,    14,   30,   60,   90,
                                                120, 150, 180, 365,  400,  545,  731,  1096,
                                                1827, 2192, 2557, 2922, 3288, 3653};

static void check_log_retention(Ctx *ctx, const Function *f) {
  for (size_t i = 0; i < sizeof LOG_RETENTION_DAYS / sizeof *LOG_RETENTION_DAYS; i++)
    if (f->log_retention == LOG_RETENTION_DAYS[i])
      return;
  diag_error(ctx, pos_of(f->node, "log_retention"), LK_OUT_OF_RANGE,
             "'log_retention' is %lld, which CloudWatch does not offer; use one of 1, 3, 5, 7, "
             "14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, "
             "3288, 3653",
             f->log_retention);
}

static void check_schedule(Ctx *ctx, const Schedule *s) {
  if (!s->node || !s->expression)
    return;
  ScheduleError err;
  if (schedule_check(s->expression, &err))
    return;
  const Node *v = node_get(s->node, "expression");
  Pos at = v->pos;
  if (at.len) { /* point at the offending part inside a one-line value */
    at.col += (unsigned)err.offset + (v->quoted ? 1u : 0u);
    at.len = (unsigned)err.len;
  }
  diag_error(ctx, at, LK_SCHEDULE, "invalid schedule '%s': %s", s->expression, err.message);
}

static void check_environment(Ctx *ctx, const Function *f) {
  size_t total = 0;
  for (size_t i = 0; i < f->environment.len; i++) {
    const StrPair *e = &f->environment.items[i];
    const char *why = awsname_env_var(e->key);
    if (!why && !strncmp(e->key, "LAKEC_", 6))
      why = "names starting with 'LAKEC_' are set by lakec (see the README)";
    if (why)
      diag_error(ctx, e->key_node->pos, LK_ENV_NAME, "environment variable '%s' is invalid: %s",
                 e->key, why);
    total += strlen(e->key) + strlen(e->value);
  }
  if (total > 4096)
    diag_error(ctx, pos_of(f->node, "environment"), LK_OUT_OF_RANGE,
               "environment of function '%s' is %zu bytes; Lambda allows 4 KB", f->key, total);
}

/* The text a grant was written with ("data/raw/", "processed"). */
static const char *grant_text(const Grant *g) {
  return g->read ? g->read : g->write ? g->write : g->delete_ ? g->delete_ : g->crawl ? g->crawl : g->query;
}

static void check_duplicate_grants(Ctx *ctx, const Function *f) {
  for (size_t i = 0; i < f->grants.len; i++)
    for (size_t j = 0; j < i; j++) {
      const Grant *a = &f->grants.items[j], *b = &f->grants.items[i];
      if (a->kind != b->kind || !grant_text(a) || !grant_text(b) ||
          strcmp(grant_text(a), grant_text(b)) != 0)
        continue;
      Diag *d = diag_error(ctx, b->node->pos, LK_DUPLICATE, "function '%s' has this grant twice",
                           f->key);
      diag_note(ctx, d, a->node->pos, "the first one is here");
    }
}

static void check_grant(Ctx *ctx, const Model *m, Grant *g) {
  struct {
    const char *text;
    GrantKind kind;
  } forms[] = {{g->read, GRANT_READ},   {g->write, GRANT_WRITE}, {g->delete_, GRANT_DELETE},
               {g->crawl, GRANT_CRAWL}, {g->query, GRANT_QUERY}};
  for (size_t i = 0; i < sizeof forms / sizeof *forms; i++) {
    if (!forms[i].text)
      continue;
    g->kind = forms[i].kind;
    Pos at = g->node->count ? g->node->pairs[0].value->pos : g->node->pos;
    if (g->kind == GRANT_CRAWL || g->kind == GRANT_QUERY)
      g->crawler = resolve_crawler(ctx, m, forms[i].text, at);
    else
      g->where = resolve_location(ctx, m, forms[i].text, at);
    if (g->kind == GRANT_QUERY && !m->athena.node)
      diag_error(ctx, at, LK_UNDEFINED_REF, "a 'query' grant needs an 'athena' workgroup");
    return;
  }
}

static void check_trigger(Ctx *ctx, const Model *m, ObjectTrigger *t) {
  if (!t->node || !t->bucket)
    return;
  t->source = resolve_bucket(ctx, m, t->bucket, pos_of(t->node, "bucket"));
  check_prefix(ctx, t->prefix, pos_of(t->node, "prefix"));
}

static void check_function(Ctx *ctx, Model *m, Function *f) {
  if (!f->name)
    f->name = default_name(ctx, m, f->key);
  if (!f->handler)
    f->handler = f->key;
  if (f->architecture == TRI_UNSET)
    f->architecture = !strcmp(ctx->host_arch, "arm64") ? ARCH_ARM64 : ARCH_X86_64;
  check_name(ctx, f->node, "name", f->name, awsname_lambda_function, LK_LAMBDA_NAME,
             "function name");
  check_name(ctx, f->node, "handler", f->handler, awsname_construct_key, LK_NAME,
             "handler name");
  check_log_retention(ctx, f);
  check_environment(ctx, f);
  check_schedule(ctx, &f->schedule);
  if (m->production == 1 && f->schedule.node && f->schedule.enabled == 0 &&
      !m->policy.allow_disabled_schedules)
    diag_error(ctx, pos_of(f->schedule.node, "enabled"), LK_PROD_SCHEDULE,
               "the schedule of function '%s' is off in a production stage (if it runs by "
               "hand on purpose, set 'policy: {allow_disabled_schedules: true}')",
               f->key);
  check_trigger(ctx, m, &f->on_object_created);
  for (size_t i = 0; i < f->grants.len; i++)
    check_grant(ctx, m, &f->grants.items[i]);
  check_duplicate_grants(ctx, f);
}

/* Two key prefixes overlap when one starts with the other ("" covers all). */
static bool prefixes_overlap(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  return !strncmp(a, b, la < lb ? la : lb);
}

static bool suffixes_overlap(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  const char *longer = la > lb ? a : b, *shorter = la > lb ? b : a;
  size_t ll = la > lb ? la : lb, ls = la > lb ? lb : la;
  return !strcmp(longer + ll - ls, shorter);
}

/* A function that writes where its own trigger fires would run forever. */
static void check_trigger_loop(Ctx *ctx, const Function *f) {
  const ObjectTrigger *t = &f->on_object_created;
  if (!t->source)
    return;
  for (size_t i = 0; i < f->grants.len; i++) {
    const Grant *g = &f->grants.items[i];
    if (g->kind != GRANT_WRITE || g->where.bucket != t->source ||
        !prefixes_overlap(g->where.prefix, t->prefix))
      continue;
    Diag *d = diag_error(ctx, g->node->pos, LK_TRIGGER_LOOP,
                         "function '%s' may write under '%s/%s', where its own trigger fires: "
                         "each object it writes would invoke it again",
                         f->key, t->bucket, g->where.prefix);
    diag_note(ctx, d, t->node->pos, "the trigger is here");
  }
}

static void check_trigger_overlap(Ctx *ctx, const Function *a, const Function *b) {
  const ObjectTrigger *x = &a->on_object_created, *y = &b->on_object_created;
  if (!x->source || x->source != y->source || !prefixes_overlap(x->prefix, y->prefix) ||
      !suffixes_overlap(x->suffix, y->suffix))
    return;
  Diag *d = diag_warning(ctx, y->node->pos, LK_TRIGGER_OVERLAP,
                         "an object created in bucket '%s' may invoke both '%s' and '%s'",
                         y->bucket, a->key, b->key);
  diag_note(ctx, d, x->node->pos, "the trigger of '%s' is here", a->key);
}

static void check_functions(Ctx *ctx, Model *m) {
  StrIndex names = {0};
  check_keys(ctx, "function", node_get(m->node, "functions"));
  for (size_t i = 0; i < m->functions.len; i++) {
    Function *f = &m->functions.items[i];
    check_function(ctx, m, f);
    check_trigger_loop(ctx, f);
    for (size_t j = 0; j < i; j++)
      check_trigger_overlap(ctx, &m->functions.items[j], f);
    const Function *o = first_with_name(ctx, &names, f->name, f);
    if (o) {
      Diag *d = diag_error(ctx, pos_of(f->node, "name"), LK_DUPLICATE,
                           "functions '%s' and '%s' have the same name '%s'", o->key, f->key,
                           f->name);
      diag_note(ctx, d, pos_of(o->node, "name"), "function '%s' is named here", o->key);
    }
  }
}

/* ---- api ---- */

static const char *const METHODS[] = {"GET",  "POST",    "PUT", "PATCH",
                                      "DELETE", "HEAD", "OPTIONS", "ANY", NULL};

static bool valid_path(const char *path) {
  if (path[0] != '/')
    return false;
  if (!strcmp(path, "/"))
    return true;
  const char *seg = path + 1;
  for (;;) {
    const char *end = strchr(seg, '/');
    size_t n = end ? (size_t)(end - seg) : strlen(seg);
    if (n == 0)
      return false;
    bool param = seg[0] == '{' && seg[n - 1] == '}';
    for (size_t i = param ? 1 : 0; i < (param ? n - 1 : n); i++) {
      char c = seg[i];
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '_' || c == '.' || (param && c == '+' && i == n - 2);
      if (!ok)
        return false;
    }
    if (param && n < 3)
      return false;
    if (!end)
      return true;
    seg = end + 1;
  }
}

static bool parse_route(Ctx *ctx, const StrPair *p, Route *r) {
  const char *sp = strchr(p->key, ' ');
  const char *method = sp ? arena_strndup(&ctx->arena, p->key, (size_t)(sp - p->key)) : p->key;
  const char *path = sp ? sp + 1 : "";
  bool known = false;
  for (int i = 0; METHODS[i]; i++)
    known |= !strcmp(method, METHODS[i]);
  if (!sp || !known || !valid_path(path)) {
    diag_error(ctx, p->key_node->pos, LK_ROUTE,
               "route '%s' is invalid: write 'METHOD /path', with METHOD one of GET, POST, "
               "PUT, PATCH, DELETE, HEAD, OPTIONS, ANY and a path of plain segments or {params}",
               p->key);
    return false;
  }
  r->method = method;
  r->path = path;
  r->key_node = p->key_node;
  return true;
}

static void check_routes(Ctx *ctx, Model *m, Api *api) {
  size_t n = api->routes_as_written.len;
  api->routes.items = arena_alloc(&ctx->arena, (n ? n : 1) * sizeof *api->routes.items);
  for (size_t i = 0; i < n; i++) {
    const StrPair *p = &api->routes_as_written.items[i];
    Route r;
    memset(&r, 0, sizeof r);
    if (!parse_route(ctx, p, &r))
      continue;
    r.function = model_find_function(m, p->value);
    if (!r.function) {
      Diag *d = diag_error(ctx, p->value_node->pos, LK_UNDEFINED_REF,
                           "route '%s' names no function: '%s' is not in 'functions'", p->key,
                           p->value);
      const char *keys[64];
      KEYS_OF(m->functions, keys, 64);
      suggest_key(ctx, d, p->value, keys, m->functions.len < 64 ? m->functions.len : 64);
      continue;
    }
    if (api->cors.node && !strcmp(r.method, "OPTIONS"))
      diag_error(ctx, p->key_node->pos, LK_CONFLICT,
                 "route '%s' conflicts with 'cors', which answers OPTIONS itself", p->key);
    for (size_t j = 0; j < api->routes.len; j++) {
      const Route *o = &api->routes.items[j];
      if (!strcmp(o->path, r.path) && (!strcmp(o->method, r.method) ||
                                       !strcmp(o->method, "ANY") || !strcmp(r.method, "ANY"))) {
        Diag *d = diag_error(ctx, p->key_node->pos, LK_DUPLICATE,
                             "route '%s' overlaps route '%s %s'", p->key, o->method, o->path);
        diag_note(ctx, d, o->key_node->pos, "the other route is here");
      }
    }
    api->routes.items[api->routes.len++] = r;
  }
}

static void check_api(Ctx *ctx, Model *m) {
  Api *api = &m->api;
  if (!api->node)
    return;
  if (!api->stage_name)
    api->stage_name = m->stage;
  check_name(ctx, api->node, "name", api->name, awsname_rest_api, LK_API_NAME, "API name");
  check_name(ctx, api->node, "stage_name", api->stage_name, awsname_api_stage, LK_API_NAME,
             "API stage name");
  check_routes(ctx, m, api);
  if (api->routes_as_written.len == 0 && node_get(api->node, "routes"))
    diag_error(ctx, pos_of(api->node, "routes"), LK_MISSING_KEY,
               "an API needs at least one route");
  if (m->production == 1 && api->auth == AUTH_NONE && !m->policy.allow_open_api) {
    Diag *d = diag_error(ctx, pos_of(api->node, "auth"), LK_PROD_AUTH,
                         "a production stage cannot serve its API with 'auth: none' (if it is "
                         "public on purpose, set 'policy: {allow_open_api: true}')");
    diag_fixit(ctx, d, node_get(api->node, "auth") ? "iam" : "auth: iam");
  }
  for (size_t i = 0; i < m->functions.len; i++) {
    const Function *f = &m->functions.items[i];
    const Route *first = NULL;
    for (size_t k = 0; k < api->routes.len && !first; k++)
      if (api->routes.items[k].function == f)
        first = &api->routes.items[k];
    if (!first || f->timeout <= 29)
      continue;
    Diag *d = diag_warning(ctx, pos_of(f->node, "timeout"), LK_API_TIMEOUT,
                           "function '%s' may run %lld seconds, but API Gateway stops waiting "
                           "after 29",
                           f->key, f->timeout);
    diag_note(ctx, d, first->key_node->pos, "route '%s %s' calls it", first->method, first->path);
  }
}

Model *check(Ctx *ctx, const Node *root) {
  Model *m = arena_alloc(&ctx->arena, sizeof *m);
  if (!root)
    return m;
  if (root->kind != NODE_MAP) {
    diag_error(ctx, root->pos, LK_WRONG_TYPE, "a stage file must be a map of settings, not %s",
               node_describe(root));
    return m;
  }
  decode_struct(ctx, &SHAPE_STAGE, root, m, "the stage");
  check_stage_names(ctx, m);
  check_buckets(ctx, m);
  check_catalog(ctx, m);
  check_athena(ctx, m);
  check_functions(ctx, m);
  check_api(ctx, m);
  return m;
}

/* ---- model lookups ---- */

#define FIND_BY_KEY(list, key)                                                           \
  do {                                                                                   \
    for (size_t i_ = 0; i_ < (list).len; i_++)                                           \
      if ((list).items[i_].key && !strcmp((list).items[i_].key, (key)))                  \
        return &(list).items[i_];                                                        \
    return NULL;                                                                         \
  } while (0)

const Bucket *model_find_bucket(const Model *m, const char *key) { FIND_BY_KEY(m->buckets, key); }
const Function *model_find_function(const Model *m, const char *key) {
  FIND_BY_KEY(m->functions, key);
}
const Crawler *model_find_crawler(const Model *m, const char *key) {
  FIND_BY_KEY(m->catalog.crawlers, key);
}
