/* iam: roles and the least-privilege statements behind each grant. A grant
 * names exactly what it covers (a bucket prefix, a crawler, the workgroup and
 * the tables a crawler catalogs); no statement ever has Action "*" and no
 * Allow has Resource "*". */
#include "lower_internal.h"

#include <string.h>

json_t *iam_statement(const char *sid, json_t *actions, json_t *resources) {
  return J("{s:s, s:s, s:o, s:o}", "Sid", sid, "Effect", "Allow", "Action", actions, "Resource",
           resources);
}

const char *iam_role(Ctx *ctx, Ir *ir, const char *id, const char *service, json_t *statements) {
  json_t *assume = J("{s:s, s:[{s:s, s:{s:s}, s:s}]}", "Version", "2012-10-17", "Statement",
                     "Effect", "Allow", "Principal", "Service", service, "Action",
                     "sts:AssumeRole");
  json_t *policy = J("{s:s, s:{s:s, s:o}}", "PolicyName", arena_printf(&ctx->arena, "%sPolicy", id),
                     "PolicyDocument", "Version", "2012-10-17", "Statement", statements);
  ir_add(ctx, ir, id, "AWS::IAM::Role",
         J("{s:o, s:[o]}", "AssumeRolePolicyDocument", assume, "Policies", policy));
  return id;
}

/* ---- the Glue catalog resources a reader or crawler touches ---- */

static json_t *catalog_arns(const char *db_lid) {
  return J("[o,o,o]", cfn_sub("arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:catalog"),
           cfn_subf("arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:database/${%s}",
                    db_lid),
           cfn_subf("arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:table/${%s}/*",
                    db_lid));
}

json_t *iam_catalog_read(const char *sid, const char *db_lid) {
  return iam_statement(sid,
                       J("[s,s,s,s,s,s]", "glue:GetDatabase", "glue:GetTable", "glue:GetTables",
                         "glue:GetPartition", "glue:GetPartitions", "glue:BatchGetPartition"),
                       catalog_arns(db_lid));
}

json_t *iam_catalog_write(const char *sid, const char *db_lid) {
  return iam_statement(sid,
                       J("[s,s,s,s,s,s,s,s,s,s,s]", "glue:GetDatabase", "glue:GetTable",
                         "glue:GetTables", "glue:CreateTable", "glue:UpdateTable",
                         "glue:GetPartition", "glue:GetPartitions", "glue:CreatePartition",
                         "glue:BatchCreatePartition", "glue:UpdatePartition",
                         "glue:BatchGetPartition"),
                       catalog_arns(db_lid));
}

/* s3:ListBucket on the bucket, narrowed to the prefix when there is one. */
json_t *iam_list_prefix(Ctx *ctx, const char *sid, const Location *loc) {
  json_t *st = iam_statement(sid, J("[s]", "s3:ListBucket"),
                             cfn_getatt(bucket_lid(ctx, loc->bucket), "Arn"));
  if (*loc->prefix)
    json_object_set_new(st, "Condition",
                        J("{s:{s:[s]}}", "StringLike", "s3:prefix",
                          arena_printf(&ctx->arena, "%s*", loc->prefix)));
  return st;
}

/* ---- grants ---- */

static const char *grant_sid(Ctx *ctx, const char *verb, const char *text) {
  return lid(ctx, text, "")[0] ? arena_printf(&ctx->arena, "%s%s", verb, lid(ctx, text, ""))
                               : verb;
}

static void grant_objects(Ctx *ctx, json_t *out, const Grant *g, const char *verb,
                          const char *action, const char *text) {
  json_array_append_new(out, iam_statement(grant_sid(ctx, verb, text), J("[s]", action),
                                           location_objects_arn(ctx, &g->where)));
  if (g->kind == GRANT_READ)
    json_array_append_new(out, iam_list_prefix(ctx, grant_sid(ctx, "List", text), &g->where));
}

static void grant_crawl(Ctx *ctx, json_t *out, const Grant *g) {
  const char *crawler = lid(ctx, g->crawler->key, "Crawler");
  json_array_append_new(
      out, iam_statement(grant_sid(ctx, "Crawl", g->crawler->key),
                         J("[s,s]", "glue:StartCrawler", "glue:GetCrawler"),
                         cfn_subf("arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:"
                                  "crawler/${%s}",
                                  crawler)));
}

/* Querying needs the workgroup, the catalog entries, the crawled data and the
 * results location (Athena writes results as the caller). */
static void grant_query(Ctx *ctx, json_t *out, const Model *m, const Grant *g) {
  const char *key = g->crawler->key;
  json_array_append_new(
      out, iam_statement(grant_sid(ctx, "Query", key),
                         J("[s,s,s,s]", "athena:StartQueryExecution", "athena:GetQueryExecution",
                           "athena:GetQueryResults", "athena:StopQueryExecution"),
                         cfn_sub("arn:${AWS::Partition}:athena:${AWS::Region}:${AWS::AccountId}:"
                                 "workgroup/${AthenaWorkGroup}")));
  json_array_append_new(out, iam_catalog_read(grant_sid(ctx, "Catalog", key), "CatalogDatabase"));
  const Location *data = &g->crawler->target;
  json_array_append_new(out, iam_statement(grant_sid(ctx, "QueryData", key), J("[s]", "s3:GetObject"),
                                           location_objects_arn(ctx, data)));
  json_array_append_new(out, iam_list_prefix(ctx, grant_sid(ctx, "QueryList", key), data));
  const Location *res = &m->athena.results.where;
  json_array_append_new(
      out, iam_statement(grant_sid(ctx, "QueryResults", key),
                         J("[s,s,s]", "s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"),
                         location_objects_arn(ctx, res)));
  json_array_append_new(out, iam_list_prefix(ctx, grant_sid(ctx, "QueryResultsList", key), res));
  json_t *buckets = J("[o]", cfn_getatt(bucket_lid(ctx, data->bucket), "Arn"));
  if (res->bucket != data->bucket)
    json_array_append_new(buckets, cfn_getatt(bucket_lid(ctx, res->bucket), "Arn"));
  json_array_append_new(out, iam_statement(grant_sid(ctx, "QueryBuckets", key),
                                           J("[s]", "s3:GetBucketLocation"), buckets));
}

json_t *iam_grant_statements(Ctx *ctx, const Model *m, const Function *f) {
  json_t *out = json_array();
  for (size_t i = 0; i < f->grants.len; i++) {
    const Grant *g = &f->grants.items[i];
    switch (g->kind) {
    case GRANT_READ:
      grant_objects(ctx, out, g, "Read", "s3:GetObject", g->read);
      break;
    case GRANT_WRITE:
      grant_objects(ctx, out, g, "Write", "s3:PutObject", g->write);
      break;
    case GRANT_DELETE:
      grant_objects(ctx, out, g, "Delete", "s3:DeleteObject", g->delete_);
      break;
    case GRANT_CRAWL:
      grant_crawl(ctx, out, g);
      break;
    case GRANT_QUERY:
      grant_query(ctx, out, m, g);
      break;
    }
  }
  return out;
}
