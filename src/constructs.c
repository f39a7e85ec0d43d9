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
#include <string.h>

extern const Construct construct_bucket, construct_database, construct_workgroup,
    construct_queue, construct_table, construct_function, construct_dataset, construct_job,
    construct_workflow, construct_analyst, construct_catalog_table, construct_api,
    construct_topic, construct_state_machine, construct_alarm, construct_resource,
    construct_output, construct_vpc, construct_security_group, construct_kafka;

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

static void build_grant_shape(void) {
  size_t n = 0;
  for (size_t i = 0; i < CONSTRUCTS_COUNT; i++)
    for (const GrantVerb *const *v = CONSTRUCTS[i]->verbs; v && *v; v++) {
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

json_t *construct_ref(Ctx *ctx, Ir *ir, const Construct *c, const void *item, const char *what) {
  RefSpec r = ref_spec(ctx, ir, c, item, what);
  if (!r.id)
    return r.literal;
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
  return r.attr ? arena_printf(&ctx->arena, "${%s.%s}", r.id, r.attr)
                : arena_printf(&ctx->arena, "${%s}", r.id);
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
