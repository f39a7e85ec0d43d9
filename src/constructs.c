/* constructs: the registry. CONSTRUCTS[] is the one ordered list of the
 * constructs of the language; its order is the order of the stage's keys in
 * the JSON Schema and of the resources in a template. Adding a construct is
 * a file under src/constructs/ and one line here.
 *
 * The whole stage's shape (and the grant shape, whose keys are the verbs the
 * constructs offer) are assembled from the registry once, on first use. */
#include "construct.h"
#include "decode.h"
#include "lower/lower_internal.h"
#include "suggest.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

extern const Construct construct_bucket, construct_database, construct_workgroup,
    construct_queue, construct_table, construct_function, construct_dataset, construct_job,
    construct_workflow, construct_analyst, construct_catalog_table, construct_api,
    construct_websocket, construct_topic, construct_state_machine, construct_alarm,
    construct_resource, construct_output, construct_vpc, construct_security_group,
    construct_kafka;

const Construct *const CONSTRUCTS[] = {
    &construct_bucket,    /* buckets:    src/constructs/bucket.c */
    &construct_database,  /* databases:  src/constructs/database.c (Glue, crawlers) */
    &construct_workgroup, /* workgroups: src/constructs/workgroup.c (Athena) */
    &construct_queue,     /* queues:     src/constructs/queue.c (SQS) */
    &construct_table,     /* tables:     src/constructs/table.c (DynamoDB) */
    &construct_vpc,       /* vpcs:       src/constructs/vpc.c (before what is placed in them) */
    &construct_security_group, /* security_groups: src/constructs/security_group.c (after
                                * the vpcs they belong to, before the functions in them) */
    &construct_function,  /* functions:  src/constructs/function.c (Lambda) */
    &construct_dataset,   /* datasets:   src/constructs/dataset.c (after functions: it checks
                           * their curate grants) */
    &construct_kafka,     /* kafka:      src/constructs/kafka.c (MSK; after the functions: it
                           * checks the vpc of those granted its topics, and gives its
                           * consumers their grant) */
    &construct_catalog_table, /* catalog_tables: src/constructs/catalog_table.c (Glue
                               * tables, Iceberg and Hive; before jobs: they read them) */
    &construct_job,       /* jobs:       src/constructs/job.c (Glue jobs and their scripts) */
    &construct_workflow,  /* workflows:  src/constructs/workflow.c (Glue workflows, triggers) */
    &construct_analyst,   /* analysts:   src/constructs/analyst.c (IAM roles for people) */
    &construct_api,       /* apis:       src/constructs/api.c (API Gateway REST) */
    &construct_websocket, /* websockets: src/constructs/websocket.c (API Gateway WebSocket;
                           * after the functions its routes call) */
    &construct_topic,     /* topics:     src/constructs/topic.c (SNS) */
    &construct_state_machine, /* state_machines: src/constructs/state_machine.c (Step
                               * Functions; after the functions, jobs and topics it runs
                               * and notifies) */
    &construct_alarm,     /* alarms:     src/constructs/alarm.c (CloudWatch: it watches the
                           * metrics of the others) */
    &construct_resource,  /* resources:  src/constructs/resource.c (raw CloudFormation; after
                           * every construct: its Refs are checked against their ids) */
    &construct_output,    /* outputs:    src/constructs/output.c (raw Outputs) */
};
const size_t CONSTRUCTS_COUNT = COUNT(CONSTRUCTS);

_Static_assert(COUNT(CONSTRUCTS) <= MODEL_CONSTRUCTS_MAX, "raise MODEL_CONSTRUCTS_MAX");

/* ---- the shapes built from the registry ---- */

#define VERBS_MAX 64

static Field stage_fields[64];
static Shape stage_shape;
static Field grant_fields[VERBS_MAX];
Shape schema_grant;

static size_t construct_index(const Construct *c) {
  for (size_t i = 0; i < CONSTRUCTS_COUNT; i++)
    if (CONSTRUCTS[i] == c)
      return i;
  BUG("construct '%s' is not registered", c->key);
}

/* A verb several constructs offer (invoke: an API or a function) is one key
 * of the grant's shape, documented by all of them. */
static char shared_docs[VERBS_MAX][512];

static bool join_shared_verb(size_t n, const GrantVerb *v) {
  for (size_t i = 0; i < n; i++) {
    if (strcmp(grant_fields[i].key, v->verb) != 0)
      continue;
    if (v->value_shape || grant_fields[i].type != F_STR)
      BUG("grant verb '%s' is offered twice, once with a map", v->verb);
    snprintf(shared_docs[i], sizeof shared_docs[i], "%s; or %s", grant_fields[i].doc, v->doc);
    grant_fields[i].doc = shared_docs[i];
    return true;
  }
  return false;
}

static void build_grant_shape(void) {
  size_t n = 0;
  for (size_t i = 0; i < CONSTRUCTS_COUNT; i++)
    for (const GrantVerb *const *v = CONSTRUCTS[i]->verbs; v && *v; v++) {
      if (join_shared_verb(n, *v))
        continue;
      if (n == VERBS_MAX)
        BUG("too many grant verbs");
      grant_fields[n++] =
          (*v)->value_shape
              ? (Field){(*v)->verb, F_STRUCT, offsetof(Grant, iam), .shape = (*v)->value_shape,
                        .doc = (*v)->doc}
              : (Field){(*v)->verb, F_STR, offsetof(Grant, text), .doc = (*v)->doc};
    }
  schema_grant = (Shape){.name = "grant", .size = sizeof(Grant),
                         .node_offset = offsetof(Grant, node), .key_offset = NO_KEY,
                         .exactly_one = true, .fields = grant_fields, .nfields = n};
}

static void build_shapes(void) {
  size_t n = SCHEMA_STAGE_FIELDS_COUNT;
  if (n + CONSTRUCTS_COUNT > COUNT(stage_fields))
    BUG("too many stage keys");
  memcpy(stage_fields, SCHEMA_STAGE_FIELDS, n * sizeof *stage_fields);
  for (size_t i = 0; i < CONSTRUCTS_COUNT; i++)
    stage_fields[n++] = (Field){CONSTRUCTS[i]->key, F_MAP_OF,
                                offsetof(Model, items) + i * sizeof(AnyList),
                                .shape = CONSTRUCTS[i]->shape, .doc = CONSTRUCTS[i]->doc};
  stage_shape = (Shape){.name = "stage", .size = sizeof(Model),
                        .node_offset = offsetof(Model, node), .key_offset = NO_KEY,
                        .fields = stage_fields, .nfields = n};
  build_grant_shape();
}

const Shape *schema_stage(void) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, build_shapes);
  return &stage_shape;
}

/* ---- lookups ---- */

const Construct *construct_named(const char *key) {
  for (size_t i = 0; i < CONSTRUCTS_COUNT; i++)
    if (!strcmp(CONSTRUCTS[i]->key, key))
      return CONSTRUCTS[i];
  return NULL;
}

size_t construct_count(const Model *m, const Construct *c) {
  return m->items[construct_index(c)].len;
}

const void *construct_item(const Model *m, const Construct *c, size_t i) {
  const AnyList *l = &m->items[construct_index(c)];
  return (const char *)l->items + i * c->shape->size;
}

void *construct_item_mut(Model *m, const Construct *c, size_t i) {
  return (void *)construct_item(m, c, i);
}

const void *construct_find(const Model *m, const Construct *c, const char *key) {
  size_t n = construct_count(m, c);
  for (size_t i = 0; i < n; i++) {
    const Item *it = construct_item(m, c, i);
    if (it->key && !strcmp(it->key, key))
      return it;
  }
  return NULL;
}

const void *construct_resolve(Ctx *ctx, const Model *m, const Construct *c, const char *key,
                              Pos at) {
  const void *it = construct_find(m, c, key);
  if (it)
    return it;
  Diag *d = diag_error(ctx, at, LK_UNDEFINED_REF, "no %s named '%s' in '%s'", c->kind, key,
                       c->key);
  size_t n = construct_count(m, c);
  const char **keys = arena_alloc(&ctx->arena, (n ? n : 1) * sizeof *keys);
  for (size_t i = 0; i < n; i++)
    keys[i] = ((const Item *)construct_item(m, c, i))->key;
  const char *best = suggest_closest(key, keys, n);
  if (best)
    diag_fixit(ctx, d, best);
  return NULL;
}

const GrantVerb *construct_verb(const char *verb, const Construct **owner) {
  for (size_t i = 0; i < CONSTRUCTS_COUNT; i++)
    for (const GrantVerb *const *v = CONSTRUCTS[i]->verbs; v && *v; v++)
      if (!strcmp((*v)->verb, verb)) {
        if (owner)
          *owner = CONSTRUCTS[i];
        return *v;
      }
  return NULL;
}

/* The constructs offering verb (at most VERBS_MAX), and their verbs. */
static size_t verb_owners(const char *verb, const Construct **owners, const GrantVerb **verbs) {
  size_t n = 0;
  for (size_t i = 0; i < CONSTRUCTS_COUNT; i++)
    for (const GrantVerb *const *v = CONSTRUCTS[i]->verbs; v && *v; v++)
      if (!strcmp((*v)->verb, verb) && n < VERBS_MAX) {
        owners[n] = CONSTRUCTS[i];
        verbs[n++] = *v;
      }
  return n;
}

/* "no API or function named 'x'", with a did-you-mean among all their keys. */
static void report_no_target(Ctx *ctx, const Model *m, const Construct **owners, size_t n,
                             const char *key, Pos at) {
  const char *kinds = "", *keys_of = "";
  size_t total = 0;
  for (size_t i = 0; i < n; i++) {
    const char *sep = i == 0 ? "" : i + 1 == n ? " or " : ", ";
    kinds = arena_printf(&ctx->arena, "%s%s%s", kinds, sep, owners[i]->kind);
    keys_of = arena_printf(&ctx->arena, "%s%s'%s'", keys_of, sep, owners[i]->key);
    total += construct_count(m, owners[i]);
  }
  Diag *d = diag_error(ctx, at, LK_UNDEFINED_REF, "no %s named '%s' in %s", kinds, key, keys_of);
  const char **keys = arena_alloc(&ctx->arena, (total ? total : 1) * sizeof *keys);
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < construct_count(m, owners[i]); j++)
      keys[k++] = ((const Item *)construct_item(m, owners[i], j))->key;
  const char *best = suggest_closest(key, keys, k);
  if (best)
    diag_fixit(ctx, d, best);
}

const GrantVerb *construct_grant_verb(Ctx *ctx, const Model *m, Grant *g, const char *verb,
                                      Pos at) {
  const Construct *owners[VERBS_MAX];
  const GrantVerb *verbs[VERBS_MAX];
  size_t n = verb_owners(verb, owners, verbs), chosen = 0, found = 0, other = 0;
  for (size_t i = 0; n > 1 && i < n; i++)
    if (construct_find(m, owners[i], g->text)) {
      *(found ? &other : &chosen) = i;
      found++;
    }
  if (n > 1 && found == 0) {
    report_no_target(ctx, m, owners, n, g->text, at);
    return NULL;
  }
  if (found > 1) {
    diag_error(ctx, at, LK_CONFLICT,
               "'%s: %s' is ambiguous: '%s' is a key of both '%s' and '%s' (rename one)", verb,
               g->text, g->text, owners[chosen]->key, owners[other]->key);
    return NULL;
  }
  g->owner = owners[chosen];
  return verbs[chosen]->resolve(ctx, m, g, at) ? verbs[chosen] : NULL;
}

/* ---- typed references ---- */

/* An item lakec does not create (a table that exists) has no id: the
 * literal is the value itself, and the caller gets it. */
static RefSpec ref_spec(Ctx *ctx, Ir *ir, const Construct *c, const void *item, const char *what) {
  RefSpec r = {0};
  if (!c->ref || !c->ref(ctx, item, what, &r) || (!r.id && !r.literal))
    BUG("%s '%s' has no attribute '%s'", c->kind, ((const Item *)item)->key, what);
  if (r.literal && r.id)
    ir_known_value(ctx, ir, r.id, r.attr, r.literal); /* steals */
  return r;
}

/* "${Id}" or "${Id.Attr}": the reference as Fn::Sub text. */
static const char *sub_text(Ctx *ctx, const RefSpec *r) {
  return r->attr ? arena_printf(&ctx->arena, "${%s.%s}", r->id, r->attr)
                 : arena_printf(&ctx->arena, "${%s}", r->id);
}

json_t *construct_ref(Ctx *ctx, Ir *ir, const Construct *c, const void *item, const char *what) {
  RefSpec r = ref_spec(ctx, ir, c, item, what);
  if (!r.id)
    return r.literal;
  if (r.around)
    return cfn_subf(r.around, sub_text(ctx, &r));
  return r.attr ? cfn_getatt(r.id, r.attr) : cfn_ref(r.id);
}

/* A literal as Fn::Sub text: a Sub's own text, or a plain string (a name
 * lakec checked, with no "${" in it). */
static const char *literal_text(Ctx *ctx, json_t *literal) {
  json_t *sub = json_is_object(literal) ? json_object_get(literal, "Fn::Sub") : literal;
  if (!json_is_string(sub))
    BUG("a literal reference that is neither a string nor Fn::Sub text");
  const char *text = arena_strdup(&ctx->arena, json_string_value(sub));
  json_decref(literal);
  return text;
}

const char *construct_sub(Ctx *ctx, Ir *ir, const Construct *c, const void *item,
                          const char *what) {
  RefSpec r = ref_spec(ctx, ir, c, item, what);
  if (!r.id)
    return literal_text(ctx, r.literal);
  return r.around ? arena_printf(&ctx->arena, r.around, sub_text(ctx, &r)) : sub_text(ctx, &r);
}

const Metric *construct_metric(const Construct *c, const void *item, const char *name) {
  for (const Metric *mt = c->metrics; mt && mt->name; mt++)
    if (!strcmp(mt->name, name) && (!mt->offered || mt->offered(item)))
      return mt;
  return NULL;
}

void construct_claim(Ctx *ctx, PtrVec *claims, const char *kind, const char *name,
                     const Node *map, const char *key_of_name, bool global) {
  if (!name)
    return;
  NameClaim *c = arena_alloc(&ctx->arena, sizeof *c);
  *c = (NameClaim){kind, name, decode_value_pos(map, key_of_name), global};
  ptrvec_push(&ctx->arena, claims, c);
}
