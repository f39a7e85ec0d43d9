/* database: a Glue Data Catalog database and the crawlers that keep its
 * tables up to date. Each crawler has a role of its own that may read only
 * its target prefix and write only this database's tables and partitions
 * (not the broad AWSGlueServiceRole managed policy). Functions are granted
 * `crawl: CRAWLER` (start it). In production the crawlers' logs are
 * encrypted with a KMS key of the stage's. */
#include "check_util.h"
#include "construct.h"
#include "lower/lower_internal.h"

#include <string.h>

extern const Construct construct_database;

/* What the crawler does with a table or partition whose objects are gone. */
static const char *const DELETE_BEHAVIORS[] = {"log", "deprecate", "delete", NULL};
static const char *const DELETE_BEHAVIOR_VALUES[] = {"LOG", "DEPRECATE_IN_DATABASE",
                                                     "DELETE_FROM_DATABASE"};

static const Field CRAWLER_FIELDS[] = {
    {"name", F_STR, offsetof(Crawler, name), .def = "PROJECT-STAGE-KEY", .computed = true,
     .doc = "the Glue crawler name"},
    {"bucket", F_STR, offsetof(Crawler, bucket), .required = true,
     .doc = "the bucket (a key of `buckets`) the crawler reads"},
    {"prefix", F_STR, offsetof(Crawler, prefix), .def = "",
     .doc = "the key prefix it crawls, e.g. processed/"},
    {"schedule", F_STR, offsetof(Crawler, schedule),
     .doc = "run on Glue's own schedule: cron(min hour day-of-month month day-of-week year)"},
    {"on_delete", F_ENUM, offsetof(Crawler, on_delete), .values = DELETE_BEHAVIORS,
     .def = "log",
     .doc = "a table or partition whose objects are gone: log it, deprecate it or delete it"},
};
static const Shape SHAPE_CRAWLER =
    SHAPE(Crawler, "crawler", CRAWLER_FIELDS, .key_offset = offsetof(Crawler, key));

static const Field DATABASE_FIELDS[] = {
    {"name", F_STR, offsetof(Database, name), .required = true,
     .doc = "the Glue database name (lowercase, digits, underscore)"},
    {"encrypt_logs", F_BOOL, offsetof(Database, encrypt_logs), .def = "production",
     .computed = true,
     .doc = "the crawlers' logs are encrypted with a KMS key of the stage's (a Glue security "
            "configuration)"},
    {"log_retention", F_INT, offsetof(Database, log_retention), .def = "30", .min = 1,
     .max = 3653,
     .doc = "days the crawlers' log groups keep logs, with encrypt_logs (a CloudWatch retention "
            "value)"},
    {"lake_formation", F_BOOL, offsetof(Database, lake_formation), .def = "false",
     .doc = "Lake Formation governs the database: no IAM-only access to new tables, its "
            "crawlers' buckets registered, rights granted in Lake Formation (the deploying role "
            "must be a Lake Formation administrator)"},
    {"crawlers", F_MAP_OF, offsetof(Database, crawlers), .shape = &SHAPE_CRAWLER,
     .doc = "crawlers that keep the database's tables up to date, by key"},
    ITEM_FIELDS(Database),
};
static const Shape SHAPE_DATABASE =
    SHAPE(Database, "database", DATABASE_FIELDS, .key_offset = offsetof(Database, key));

/* ---- check ---- */

/* Crawler keys are grant targets, so they are unique across databases. */
static void check_crawler(Ctx *ctx, Model *m, Database *db, Crawler *cr, StrIndex *keys,
                          StrIndex *names) {
  cr->database = db;
  if (!cr->name)
    cr->name = check_default_name(ctx, m, cr->key);
  check_name(ctx, cr->node, "name", cr->name, awsname_glue_crawler, LK_GLUE_NAME, "crawler name");
  check_schedule(ctx, cr->node, "schedule", cr->schedule, true, "Glue crawlers");
  if (cr->bucket)
    cr->target = bucket_location_of(ctx, m, cr->bucket, cr->prefix, check_pos(cr->node, "bucket"),
                                    check_pos(cr->node, "prefix"));
  const Crawler *o = strindex_get(keys, cr->key);
  if (o) {
    Diag *d = diag_error(ctx, cr->node->pos, LK_DUPLICATE,
                         "crawler '%s' is also defined in database '%s'", cr->key, o->database->key);
    diag_note(ctx, d, o->node->pos, "the other crawler '%s' is here", o->key);
  } else {
    strindex_put(ctx, keys, cr->key, cr);
  }
  const Crawler *same = cr->name ? strindex_get(names, cr->name) : NULL;
  if (same) {
    Diag *d = diag_error(ctx, check_pos(cr->node, "name"), LK_DUPLICATE,
                         "crawlers '%s' and '%s' have the same name '%s'", same->key, cr->key,
                         cr->name);
    diag_note(ctx, d, check_pos(same->node, "name"), "crawler '%s' is named here", same->key);
  } else if (cr->name) {
    strindex_put(ctx, names, cr->name, cr);
  }
}

static void database_check(Ctx *ctx, Model *m, const Construct *self) {
  StrIndex names = {0}, crawler_keys = {0}, crawler_names = {0};
  for (size_t i = 0; i < construct_count(m, self); i++) {
    Database *db = construct_item_mut(m, self, i);
    if (db->encrypt_logs == TRI_UNSET)
      db->encrypt_logs = m->production;
    check_log_retention(ctx, db->node, db->log_retention);
    check_name(ctx, db->node, "name", db->name, awsname_glue_database, LK_GLUE_NAME,
               "database name");
    check_unique_name(ctx, &names, self, (const Item *)db, db->name);
    check_keys(ctx, "crawler", node_get(db->node, "crawlers"));
    for (size_t k = 0; k < db->crawlers.len; k++)
      check_crawler(ctx, m, db, &db->crawlers.items[k], &crawler_keys, &crawler_names);
  }
}

/* The crawler named key in any database, or NULL (reported at `at`). */
const Crawler *database_find_crawler(Ctx *ctx, const Model *m, const char *key, Pos at) {
  size_t n = 0;
  const char *keys[64];
  for (size_t i = 0; i < construct_count(m, &construct_database); i++) {
    const Database *db = construct_item(m, &construct_database, i);
    for (size_t k = 0; k < db->crawlers.len; k++) {
      if (db->crawlers.items[k].key && !strcmp(db->crawlers.items[k].key, key))
        return &db->crawlers.items[k];
      if (n < 64)
        keys[n++] = db->crawlers.items[k].key;
    }
  }
  Diag *d = diag_error(ctx, at, LK_UNDEFINED_REF,
                       "no crawler named '%s' in the 'crawlers' of 'databases'", key);
  const char *best = suggest_closest(key, keys, n);
  if (best)
    diag_fixit(ctx, d, best);
  return NULL;
}

/* ---- references: "name" of a Database, "crawler" (its name) of a Crawler ---- */

static bool database_ref(Ctx *ctx, const void *item, const char *what, RefSpec *out) {
  if (!strcmp(what, "name")) {
    const Database *db = item;
    out->id = lid(ctx, db->key, "Database");
    out->literal = json_string(db->name);
    return true;
  }
  if (!strcmp(what, "crawler")) {
    const Crawler *c = item;
    out->id = lid(ctx, c->key, "Crawler");
    out->literal = json_string(c->name);
    return true;
  }
  return false;
}

/* ---- lower ---- */

/* Where Glue writes a crawler's logs: the shared /aws-glue/crawlers group,
 * or, under a security configuration, groups it names after the role and
 * the configuration (/aws-glue/crawlers-role/...), encrypted with its key. */
static json_t *crawler_logs_statement(bool encrypted) {
  const char *group = encrypted ? "/aws-glue/crawlers-role/*" : "/aws-glue/crawlers";
  json_t *actions = J("[s,s,s]", "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents");
  if (encrypted)
    json_array_append_new(actions, json_string("logs:AssociateKmsKey"));
  return iam_wildcard(
      iam_statement("WriteLogs", actions,
                    cfn_subf("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:"
                             "log-group:%s:*",
                             group)),
      "Glue writes a crawler's logs to log groups and streams it names at run time; the "
      "statement covers only Glue's crawler log groups.");
}

static const char *crawler_role(Ctx *ctx, Ir *ir, const Crawler *c, const char *db_sub,
                                bool encrypted) {
  const char *id = lid(ctx, c->key, "CrawlerRole");
  json_t *st = json_array();
  json_array_append_new(st, iam_objects(ctx, ir, "ReadTarget", J("[s]", "s3:GetObject"),
                                        &c->target));
  json_array_append_new(st, iam_list_prefix(ctx, ir, "ListTarget", &c->target));
  json_array_append_new(st, iam_catalog_write("WriteCatalog", db_sub));
  json_array_append_new(st, crawler_logs_statement(encrypted));
  if (c->database->lake_formation)
    json_array_append_new(st, iam_lake_formation_access());
  return iam_role(ctx, ir, id, "glue.amazonaws.com", st);
}

/* Lake Formation hands out temporary credentials for registered data through
 * GetDataAccess, which has no resource-level permission. */
json_t *iam_lake_formation_access(void) {
  return iam_wildcard(
      iam_statement("LakeFormationDataAccess", J("[s]", "lakeformation:GetDataAccess"),
                    json_string("*")),
      "Lake Formation's GetDataAccess has no resource-level permission (IAM takes only \"*\"); "
      "what it gives is what Lake Formation grants this role.");
}

/* The encryption of a database's crawler logs: the security configuration
 * (id and name) and its key. */
typedef struct LogEncryption {
  const char *config, *config_name, *key;
} LogEncryption;

/* Under a security configuration Glue writes a crawler's logs to
 * /aws-glue/crawlers-role/ROLE-CONFIGURATION, a group it would make without
 * retention: lakec makes it first, encrypted with the configuration's key. */
static const char *lower_crawler_log_group(Ctx *ctx, Ir *ir, const Model *m, const Crawler *c,
                                           const char *role, const LogEncryption *e) {
  const char *id = lid(ctx, c->key, "CrawlerLogGroup");
  IrResource *r = ir_add(
      ctx, ir, id, "AWS::Logs::LogGroup",
      J("{s:o, s:I, s:o}", "LogGroupName",
        cfn_subf("/aws-glue/crawlers-role/${%s}-%s", role, e->config_name), "RetentionInDays",
        (json_int_t)c->database->log_retention, "KmsKeyId", cfn_getatt(e->key, "Arn")));
  ir_set_policy(r, m->production ? "Retain" : "Delete"); /* logs are data */
  return id;
}

static void lower_crawler(Ctx *ctx, Ir *ir, const Model *m, const Crawler *c, const char *db_id,
                          const LogEncryption *security) {
  const char *role =
      crawler_role(ctx, ir, c, arena_printf(&ctx->arena, "${%s}", db_id), security != NULL);
  json_t *p = J("{s:s, s:o, s:o, s:{s:[{s:o}]}, s:{s:s, s:s}}", "Name", c->name, "Role",
                cfn_getatt(role, "Arn"), "DatabaseName", cfn_ref(db_id), "Targets",
                "S3Targets", "Path", location_s3_url(ctx, ir, &c->target), "SchemaChangePolicy",
                "UpdateBehavior", "UPDATE_IN_DATABASE", "DeleteBehavior",
                DELETE_BEHAVIOR_VALUES[c->on_delete < 0 ? 0 : c->on_delete]);
  if (c->schedule)
    json_object_set_new(p, "Schedule", J("{s:s}", "ScheduleExpression", c->schedule));
  if (security)
    json_object_set_new(p, "CrawlerSecurityConfiguration", cfn_ref(security->config));
  IrResource *r = ir_add(ctx, ir, lid(ctx, c->key, "Crawler"), "AWS::Glue::Crawler", p);
  if (security)
    ir_depends_on(ctx, r, lower_crawler_log_group(ctx, ir, m, c, role, security));
  if (!security)
    ir_suppress(r, "AwsSolutions-GL1",
                "The crawler's logs are not encrypted with a KMS key in this stage "
                "('encrypt_logs: false', the default outside production stages); they hold "
                "table and partition names, no rows.",
                NULL);
}

/* The key may be administered by the account and used by CloudWatch Logs
 * for Glue's crawler log groups only. */
static json_t *logs_key_policy(void) {
  json_t *admin = J("{s:s, s:s, s:{s:o}, s:s, s:s}", "Sid", "AccountAdministers", "Effect",
                    "Allow", "Principal", "AWS",
                    cfn_sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root"), "Action",
                    "kms:*", "Resource", "*");
  json_t *logs = J("{s:s, s:s, s:{s:o}, s:[s,s,s,s,s], s:s, s:{s:{s:o}}}", "Sid",
                   "CloudWatchLogsEncrypt", "Effect", "Allow", "Principal", "Service",
                   cfn_sub("logs.${AWS::Region}.amazonaws.com"), "Action", "kms:Encrypt*",
                   "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*",
                   "Resource", "*", "Condition", "ArnLike", "kms:EncryptionContext:aws:logs:arn",
                   cfn_sub("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:"
                           "log-group:/aws-glue/crawlers-role/*"));
  return J("{s:s, s:[o,o]}", "Version", "2012-10-17", "Statement", admin, logs);
}

/* A KMS key (rotated yearly) and the security configuration that has Glue
 * encrypt the crawlers' logs with it. */
static LogEncryption lower_log_encryption(Ctx *ctx, Ir *ir, const Model *m, const Database *db) {
  const char *key = lid(ctx, db->key, "LogsKey");
  IrResource *k = ir_add(ctx, ir, key, "AWS::KMS::Key",
                         J("{s:s, s:b, s:o}", "Description",
                           arena_printf(&ctx->arena, "%s %s: logs of the crawlers of database %s",
                                        m->project, m->stage, db->name),
                           "EnableKeyRotation", 1, "KeyPolicy", logs_key_policy()));
  ir_set_policy(k, m->production ? "Retain" : "Delete"); /* the logs need it to be read */
  const char *id = lid(ctx, db->key, "SecurityConfiguration");
  const char *name = arena_printf(&ctx->arena, "%s-%s-%s-crawlers", m->project, m->stage, db->key);
  ir_add(ctx, ir, id, "AWS::Glue::SecurityConfiguration",
         J("{s:s, s:{s:{s:s, s:o}, s:[{s:s}], s:{s:s}}}", "Name", name,
           "EncryptionConfiguration", "CloudWatchEncryption", "CloudWatchEncryptionMode",
           "SSE-KMS", "KmsKeyArn", cfn_getatt(key, "Arn"), "S3Encryptions", "S3EncryptionMode",
           "SSE-S3", "JobBookmarksEncryption", "JobBookmarksEncryptionMode", "DISABLED"));
  return (LogEncryption){id, name, key};
}

/* ---- Lake Formation ---- */

/* A Lake Formation grant of `permissions` on `resource` to a role. */
IrResource *lake_formation_grant(Ctx *ctx, Ir *ir, const char *id, const char *role,
                                 json_t *resource, json_t *permissions) {
  return ir_add(ctx, ir, id, "AWS::LakeFormation::PrincipalPermissions",
                J("{s:{s:o}, s:o, s:o, s:[]}", "Principal", "DataLakePrincipalIdentifier",
                  cfn_getatt(role, "Arn"), "Resource", resource, "Permissions", permissions,
                  "PermissionsWithGrantOption"));
}

json_t *lake_formation_database(const char *db_id) {
  return J("{s:{s:o, s:o}}", "Database", "CatalogId", cfn_ref("AWS::AccountId"), "Name",
           cfn_ref(db_id));
}

json_t *lake_formation_tables(const char *db_id) {
  return J("{s:{s:o, s:o, s:{}}}", "Table", "CatalogId", cfn_ref("AWS::AccountId"),
           "DatabaseName", cfn_ref(db_id), "TableWildcard");
}

/* Each bucket a crawler reads is registered once (Lake Formation's service-
 * linked role reads it for the principals it grants); each crawler may use
 * its location and create, alter and describe the database's tables. */
static void lower_lake_formation(Ctx *ctx, Ir *ir, const Database *db, const char *db_id) {
  for (size_t i = 0; i < db->crawlers.len; i++) {
    const Crawler *c = &db->crawlers.items[i];
    const Bucket *b = c->target.bucket;
    const char *location = lid(ctx, db->key, arena_printf(&ctx->arena, "%sDataLocation",
                                                          lid(ctx, b->key, "")));
    if (!ir_find(ir, location))
      ir_add(ctx, ir, location, "AWS::LakeFormation::Resource",
             J("{s:o, s:b}", "ResourceArn", location_bucket_arn(ctx, ir, &c->target),
               "UseServiceLinkedRole", 1));
    const char *role = lid(ctx, c->key, "CrawlerRole");
    IrResource *r = lake_formation_grant(
        ctx, ir, lid(ctx, c->key, "CrawlerDataLocationGrant"), role,
        J("{s:{s:o, s:o}}", "DataLocation", "CatalogId", cfn_ref("AWS::AccountId"),
          "ResourceArn", location_bucket_arn(ctx, ir, &c->target)),
        J("[s]", "DATA_LOCATION_ACCESS"));
    ir_depends_on(ctx, r, location);
    lake_formation_grant(ctx, ir, lid(ctx, c->key, "CrawlerDatabaseGrant"), role,
                         lake_formation_database(db_id),
                         J("[s,s,s]", "CREATE_TABLE", "ALTER", "DESCRIBE"));
    lake_formation_grant(ctx, ir, lid(ctx, c->key, "CrawlerTablesGrant"), role,
                         lake_formation_tables(db_id), J("[s,s]", "ALTER", "DESCRIBE"));
  }
}

static void database_lower(Ctx *ctx, Ir *ir, const Model *m, const void *item) {
  const Database *db = item;
  const char *id = lid(ctx, db->key, "Database");
  /* DatabaseName repeats the name where CloudFormation's schema marks it
   * create-only, so a renamed database shows as a replacement in diffs. */
  IrResource *r = ir_add(ctx, ir, id, "AWS::Glue::Database",
         J("{s:o, s:s, s:{s:s, s:s}}", "CatalogId", cfn_ref("AWS::AccountId"), "DatabaseName",
           db->name, "DatabaseInput", "Name", db->name, "Description",
           arena_printf(&ctx->arena, "%s %s data catalog", m->project, m->stage)));
  /* Otherwise IAM_ALLOWED_PRINCIPALS gets every right on each new table, and
   * Lake Formation's grants restrict nothing. */
  if (db->lake_formation)
    json_object_set_new(json_object_get(r->properties, "DatabaseInput"),
                        "CreateTableDefaultPermissions", json_array());
  LogEncryption security = {0};
  if (db->encrypt_logs && db->crawlers.len)
    security = lower_log_encryption(ctx, ir, m, db);
  for (size_t i = 0; i < db->crawlers.len; i++)
    lower_crawler(ctx, ir, m, &db->crawlers.items[i], id, security.config ? &security : NULL);
  if (db->lake_formation)
    lower_lake_formation(ctx, ir, db, id);
}

/* ---- grants: crawl ---- */

static bool resolve_crawler(Ctx *ctx, const Model *m, Grant *g, Pos at) {
  g->target = database_find_crawler(ctx, m, g->text, at);
  return g->target != NULL;
}

static void crawl_statements(Ctx *ctx, Ir *ir, const Model *m, const Grant *g, json_t *out) {
  (void)m;
  const Crawler *c = g->target;
  json_array_append_new(
      out, iam_statement(iam_sid(ctx, "Crawl", c->key),
                         J("[s]", "glue:StartCrawler"),
                         cfn_subf("arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:"
                                  "crawler/%s",
                                  construct_sub(ctx, ir, &construct_database, c, "crawler"))));
}

/* LAKEC_CRAWLER_<KEY> and the bucket it crawls. */
void crawler_environment(Ctx *ctx, Ir *ir, const Crawler *c, json_t *vars) {
  json_object_set_new(vars, env_name(ctx, "LAKEC_CRAWLER_", c->key, ""),
                      construct_ref(ctx, ir, &construct_database, c, "crawler"));
  bucket_environment(ctx, ir, c->target.bucket, vars);
}

static void crawl_environment(Ctx *ctx, Ir *ir, const Model *m, const Grant *g, json_t *vars) {
  (void)m;
  crawler_environment(ctx, ir, g->target, vars);
}

static const GrantVerb VERB_CRAWL = {"crawl", "CRAWLER: start it",
                                     resolve_crawler, crawl_statements, crawl_environment, NULL};
static const GrantVerb *const DATABASE_VERBS[] = {&VERB_CRAWL, NULL};

/* ---- names and tags ---- */

static void database_claims(Ctx *ctx, const Model *m, const void *item, PtrVec *claims) {
  (void)m;
  const Database *db = item;
  construct_claim(ctx, claims, "Glue database", db->name, db->node, "name", false);
  for (size_t i = 0; i < db->crawlers.len; i++)
    construct_claim(ctx, claims, "crawler", db->crawlers.items[i].name,
                    db->crawlers.items[i].node, "name", false);
}

static const TagRule DATABASE_TAGS[] = {{"AWS::Glue::Crawler", "Tags", TAGS_MAP},
                                        {"AWS::IAM::Role", "Tags", TAGS_LIST},
                                        {"AWS::Logs::LogGroup", "Tags", TAGS_LIST},
                                        {"AWS::KMS::Key", "Tags", TAGS_LIST},
                                        {NULL, NULL, 0}};

const Construct construct_database = {
    .key = "databases",
    .kind = "database",
    .doc = "Glue Data Catalog databases and their crawlers, by key",
    .shape = &SHAPE_DATABASE,
    .check = database_check,
    .lower = database_lower,
    .ref = database_ref,
    .verbs = DATABASE_VERBS,
    .claim_names = database_claims,
    .tags = DATABASE_TAGS,
};
