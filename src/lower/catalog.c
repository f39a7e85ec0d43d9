/* catalog: the Glue database and its crawlers. Each crawler has a role of its
 * own that may read only its target prefix and write only this database's
 * tables and partitions (not the broad AWSGlueServiceRole managed policy). */
#include "lower_internal.h"

static const char *crawler_role(Ctx *ctx, Ir *ir, const Crawler *c) {
  const char *id = lid(ctx, c->key, "CrawlerRole");
  json_t *st = json_array();
  json_array_append_new(st, iam_statement("ReadTarget", J("[s]", "s3:GetObject"),
                                          location_objects_arn(ctx, &c->target)));
  json_array_append_new(st, iam_list_prefix(ctx, "ListTarget", &c->target));
  json_array_append_new(st, iam_catalog_write("WriteCatalog", "CatalogDatabase"));
  json_array_append_new(
      st, iam_statement("WriteLogs",
                        J("[s,s,s]", "logs:CreateLogGroup", "logs:CreateLogStream",
                          "logs:PutLogEvents"),
                        cfn_sub("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:"
                                "log-group:/aws-glue/crawlers:*")));
  return iam_role(ctx, ir, id, "glue.amazonaws.com", st);
}

static void lower_crawler(Ctx *ctx, Ir *ir, const Crawler *c) {
  const char *role = crawler_role(ctx, ir, c);
  json_t *p = J("{s:s, s:o, s:o, s:{s:[{s:o}]}, s:{s:s, s:s}}", "Name", c->name, "Role",
                cfn_getatt(role, "Arn"), "DatabaseName", cfn_ref("CatalogDatabase"), "Targets",
                "S3Targets", "Path", location_s3_url(ctx, &c->target), "SchemaChangePolicy",
                "UpdateBehavior", "UPDATE_IN_DATABASE", "DeleteBehavior", "LOG");
  ir_add(ctx, ir, lid(ctx, c->key, "Crawler"), "AWS::Glue::Crawler", p);
}

void lower_catalog(Ctx *ctx, Ir *ir, const Model *m) {
  const Catalog *c = &m->catalog;
  if (!c->node)
    return;
  /* DatabaseName repeats the name where CloudFormation's schema marks it
   * create-only, so a renamed database shows as a replacement in diffs. */
  ir_add(ctx, ir, "CatalogDatabase", "AWS::Glue::Database",
         J("{s:o, s:s, s:{s:s, s:s}}", "CatalogId", cfn_ref("AWS::AccountId"), "DatabaseName",
           c->database, "DatabaseInput", "Name", c->database, "Description",
           arena_printf(&ctx->arena, "%s %s data catalog", m->project, m->stage)));
  for (size_t i = 0; i < c->crawlers.len; i++)
    lower_crawler(ctx, ir, &c->crawlers.items[i]);
}
