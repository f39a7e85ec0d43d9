/* workgroup: an Athena workgroup. Its settings are enforced, so every query
 * (whatever the client asks) writes encrypted results to the workgroup's
 * results location and stops at the bytes-scanned limit. Functions are
 * granted `query: CRAWLER` (run queries through the workgroup on the tables
 * the crawler catalogs); with several workgroups, `query: CRAWLER@WORKGROUP`. */
#include "check_util.h"
#include "construct.h"
#include "lower/lower_internal.h"

#include <limits.h>
#include <string.h>

extern const Construct construct_workgroup, construct_database, construct_bucket;

static const Field RESULTS_FIELDS[] = {
    {"bucket", F_STR, offsetof(AthenaResults, bucket), .required = true,
     .doc = "the bucket (a key of `buckets`) that receives query results"},
    {"prefix", F_STR, offsetof(AthenaResults, prefix), .def = "athena-results/",
     .doc = "the key prefix of the results"},
    {"expire_days", F_INT, offsetof(AthenaResults, expire_days), .def = "30", .min = 0,
     .max = 36500, .doc = "days results are kept (a lifecycle rule of the bucket); 0 keeps them"},
};
static const Shape SHAPE_RESULTS =
    SHAPE(AthenaResults, "athena results", RESULTS_FIELDS, .key_offset = NO_KEY);

static const Field WORKGROUP_FIELDS[] = {
    {"name", F_STR, offsetof(Workgroup, name), .required = true,
     .doc = "the Athena workgroup name"},
    {"results", F_STRUCT, offsetof(Workgroup, results), .required = true, .shape = &SHAPE_RESULTS,
     .doc = "where query results go; enforced for every query of the workgroup"},
    {"bytes_scanned_limit", F_INT, offsetof(Workgroup, bytes_scanned_limit), .min = 10485760,
     .max = LLONG_MAX, .doc = "cancel a query that scans more bytes than this (at least 10 MB)"},
    ITEM_FIELDS(Workgroup),
};
static const Shape SHAPE_WORKGROUP =
    SHAPE(Workgroup, "workgroup", WORKGROUP_FIELDS, .key_offset = offsetof(Workgroup, key));

/* ---- check ---- */

static void workgroup_check(Ctx *ctx, Model *m, const Construct *self) {
  StrIndex names = {0};
  for (size_t i = 0; i < construct_count(m, self); i++) {
    Workgroup *w = construct_item_mut(m, self, i);
    check_name(ctx, w->node, "name", w->name, awsname_athena_workgroup, LK_NAME,
               "workgroup name");
    check_unique_name(ctx, &names, self, (const Item *)w, w->name);
    AthenaResults *r = &w->results;
    if (r->node && r->bucket)
      r->where = bucket_location_of(ctx, m, r->bucket, r->prefix, check_pos(r->node, "bucket"),
                                    check_pos(r->node, "prefix"));
    if (r->where.bucket && r->expire_days && !*r->where.prefix)
      diag_error(ctx, check_pos(r->node, "prefix"), LK_CONFLICT,
                 "results at the root of bucket '%s' would expire every object in it after %lld "
                 "days: give them a prefix, or set 'expire_days: 0' to keep them",
                 r->where.bucket->key, r->expire_days);
    else if (r->where.bucket && r->expire_days)
      bucket_expire(ctx, r->where.bucket, r->where.prefix, r->expire_days);
    if (construct_count(m, &construct_database) == 0)
      diag_error(ctx, w->node->pos, LK_UNDEFINED_REF,
                 "workgroup '%s' queries the catalog, but there are no 'databases'", w->key);
  }
}

static bool workgroup_ref(Ctx *ctx, const void *item, const char *what, RefSpec *out) {
  const Workgroup *w = item;
  if (strcmp(what, "name") != 0)
    return false;
  out->id = lid(ctx, w->key, "WorkGroup");
  out->literal = json_string(w->name);
  return true;
}

/* ---- lower ---- */

static void workgroup_lower(Ctx *ctx, Ir *ir, const Model *m, const void *item) {
  const Workgroup *a = item;
  json_t *result = J("{s:o, s:{s:s}}", "OutputLocation",
                     location_s3_url(ctx, ir, &a->results.where), "EncryptionConfiguration",
                     "EncryptionOption", "SSE_S3");
  json_t *config = J("{s:b, s:b, s:o}", "EnforceWorkGroupConfiguration", 1,
                     "PublishCloudWatchMetricsEnabled", 1, "ResultConfiguration", result);
  if (a->bytes_scanned_limit)
    json_object_set_new(config, "BytesScannedCutoffPerQuery",
                        json_integer(a->bytes_scanned_limit));
  /* RecursiveDeleteOption lets the stack delete a workgroup that has saved queries. */
  ir_add(ctx, ir, lid(ctx, a->key, "WorkGroup"), "AWS::Athena::WorkGroup",
         J("{s:s, s:s, s:b, s:o}", "Name", a->name, "State", "ENABLED", "RecursiveDeleteOption",
           !m->production, "WorkGroupConfiguration", config));
}

/* ---- grants: query ---- */

/* "CRAWLER" with one workgroup; "CRAWLER@WORKGROUP" picks one of several. */
static bool resolve_query(Ctx *ctx, const Model *m, Grant *g, Pos at) {
  const char *at_sign = strchr(g->text, '@');
  const char *crawler =
      at_sign ? arena_strndup(&ctx->arena, g->text, (size_t)(at_sign - g->text)) : g->text;
  g->target = database_find_crawler(ctx, m, crawler, at);
  size_t n = construct_count(m, &construct_workgroup);
  if (at_sign && !at_sign[1])
    diag_error(ctx, at, LK_UNDEFINED_REF, "'%s' names no workgroup after '@': write "
                                          "'query: %s@WORKGROUP'", g->text, crawler);
  else if (at_sign)
    g->via = construct_resolve(ctx, m, &construct_workgroup, at_sign + 1, at);
  else if (n == 1)
    g->via = construct_item(m, &construct_workgroup, 0);
  else if (n == 0)
    diag_error(ctx, at, LK_UNDEFINED_REF, "a 'query' grant needs an Athena workgroup in "
                                          "'workgroups'");
  else
    diag_error(ctx, at, LK_UNDEFINED_REF,
               "the stage has %zu workgroups: write 'query: %s@WORKGROUP' to say which one", n,
               crawler);
  return g->target && g->via;
}

/* Querying needs the workgroup, the catalog entries, the crawled data and the
 * results location (Athena writes results as the caller). */
static void query_statements(Ctx *ctx, Ir *ir, const Model *m, const Grant *g, json_t *out) {
  (void)m;
  const Crawler *c = g->target;
  const Workgroup *w = g->via;
  const char *key = c->key;
  json_array_append_new(
      out, iam_statement(iam_sid(ctx, "Query", key),
                         J("[s,s,s,s]", "athena:StartQueryExecution", "athena:GetQueryExecution",
                           "athena:GetQueryResults", "athena:StopQueryExecution"),
                         cfn_subf("arn:${AWS::Partition}:athena:${AWS::Region}:${AWS::AccountId}:"
                                  "workgroup/%s",
                                  construct_sub(ctx, ir, &construct_workgroup, w, "name"))));
  json_array_append_new(out, iam_catalog_read(iam_sid(ctx, "Catalog", key),
                                              construct_sub(ctx, ir, &construct_database,
                                                            c->database, "name")));
  const Location *data = &c->target, *res = &w->results.where;
  json_array_append_new(out, iam_objects(ctx, ir, iam_sid(ctx, "QueryData", key),
                                         J("[s]", "s3:GetObject"), data));
  json_array_append_new(out, iam_list_prefix(ctx, ir, iam_sid(ctx, "QueryList", key), data));
  json_array_append_new(
      out, iam_objects(ctx, ir, iam_sid(ctx, "QueryResults", key),
                       J("[s,s,s]", "s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"),
                       res));
  json_array_append_new(out, iam_list_prefix(ctx, ir, iam_sid(ctx, "QueryResultsList", key), res));
  json_t *buckets = J("[o]", location_bucket_arn(ctx, ir, data));
  if (res->bucket != data->bucket)
    json_array_append_new(buckets, location_bucket_arn(ctx, ir, res));
  json_array_append_new(out, iam_statement(iam_sid(ctx, "QueryBuckets", key),
                                           J("[s]", "s3:GetBucketLocation"), buckets));
}

static void query_environment(Ctx *ctx, Ir *ir, const Model *m, const Grant *g, json_t *vars) {
  (void)m;
  const Crawler *c = g->target;
  const Workgroup *w = g->via;
  crawler_environment(ctx, ir, c, vars);
  json_object_set_new(vars, "LAKEC_DATABASE",
                      construct_ref(ctx, ir, &construct_database, c->database, "name"));
  json_object_set_new(vars, "LAKEC_WORKGROUP",
                      construct_ref(ctx, ir, &construct_workgroup, w, "name"));
  bucket_environment(ctx, ir, w->results.where.bucket, vars);
}

static const GrantVerb VERB_QUERY = {
    "query", "CRAWLER (or CRAWLER@WORKGROUP): run Athena queries on the tables it catalogs",
    resolve_query, query_statements, query_environment, NULL};
static const GrantVerb *const WORKGROUP_VERBS[] = {&VERB_QUERY, NULL};

/* ---- names and tags ---- */

static void workgroup_claims(Ctx *ctx, const Model *m, const void *item, PtrVec *claims) {
  (void)m;
  const Workgroup *w = item;
  construct_claim(ctx, claims, "workgroup", w->name, w->node, "name", false);
}

static const TagRule WORKGROUP_TAGS[] = {{"AWS::Athena::WorkGroup", "Tags", TAGS_LIST},
                                         {NULL, NULL, 0}};

const Construct construct_workgroup = {
    .key = "workgroups",
    .kind = "workgroup",
    .doc = "Athena workgroups, by key",
    .shape = &SHAPE_WORKGROUP,
    .check = workgroup_check,
    .lower = workgroup_lower,
    .ref = workgroup_ref,
    .verbs = WORKGROUP_VERBS,
    .claim_names = workgroup_claims,
    .tags = WORKGROUP_TAGS,
};
