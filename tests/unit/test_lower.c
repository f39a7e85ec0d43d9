/* lower: each construct's resources and the security defaults they carry. */
#include "support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static Ctx ctx;
static Ir *ir;
static int setup(void **state) { (void)state; ctx_init(&ctx); ir = NULL; return 0; }
static int teardown(void **state) {
  (void)state;
  ir_free(ir);
  ctx_release(&ctx);
  return 0;
}

#define LAKE                                                                             \
  MINIMAL_STAGE "buckets:\n  data: {name: demo-data-dev}\n"                              \
                "databases:\n  catalog:\n    name: demo_dev\n"                                     \
                "    crawlers:\n      processed: {bucket: data, prefix: processed/}\n"       \
                "workgroups:\n  athena:\n    name: demo-dev\n    results: {bucket: data}\n"  \
                "    bytes_scanned_limit: 10485760\n"                                      \
                "datasets:\n  m:\n    bucket: data\n    columns: {t: timestamp, v: double}\n"

static const char *str_at(const char *id, const char *path) {
  json_t *v = res_get(ir, id, path);
  if (!v)
    fail_msg("%s %s: missing", id, path);
  return json_string_value(v);
}

static void buckets_are_private_and_encrypted(void **state) {
  (void)state;
  ir = lower_text(&ctx, LAKE);
  assert_string_equal(ir_find(ir, "DataBucket")->type, "AWS::S3::Bucket");
  assert_string_equal(str_at("DataBucket", "Properties.BucketName"), "demo-data-dev");
  const char *flags[] = {"BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls",
                         "RestrictPublicBuckets"};
  for (int i = 0; i < 4; i++) {
    char path[128];
    snprintf(path, sizeof path, "Properties.PublicAccessBlockConfiguration.%s", flags[i]);
    assert_true(json_is_true(res_get(ir, "DataBucket", path)));
  }
  assert_string_equal(str_at("DataBucket", "Properties.BucketEncryption.ServerSideEncryptionConfiguration.0.ServerSideEncryptionByDefault.SSEAlgorithm"), "AES256");
  assert_string_equal(str_at("DataBucket", "Properties.OwnershipControls.Rules.0.ObjectOwnership"),
                      "BucketOwnerEnforced");
  assert_null(res_get(ir, "DataBucket", "Properties.VersioningConfiguration"));
  assert_null(res_get(ir, "DataBucket", "Properties.NotificationConfiguration"));
  assert_string_equal(ir_find(ir, "DataBucket")->deletion_policy, "Delete");
  json_t *deny = res_get(ir, "DataBucketPolicy", "Properties.PolicyDocument.Statement.0");
  assert_string_equal(json_string_value(json_object_get(deny, "Effect")), "Deny");
  assert_string_equal(json_string_value(json_object_get(
                          json_object_get(json_object_get(deny, "Condition"), "Bool"),
                          "aws:SecureTransport")),
                      "false");
}

static void production_buckets_are_versioned_and_retained(void **state) {
  (void)state;
  ir = lower_text(&ctx, MINIMAL_STAGE "production: true\nbuckets: {data: {name: demo-data-p}}\n");
  assert_string_equal(str_at("DataBucket", "Properties.VersioningConfiguration.Status"), "Enabled");
  assert_string_equal(ir_find(ir, "DataBucket")->deletion_policy, "Retain");
}

static void functions_run_bootstrap_with_their_own_role(void **state) {
  (void)state;
  ir = lower_text(&ctx, LAKE "functions:\n  ingest:\n    architecture: arm64\n    memory: 512\n"
                             "    environment: {A: b}\n    grants:\n      - write: data/raw/\n");
  assert_string_equal(str_at("IngestFunction", "Properties.Runtime"), "provided.al2023");
  assert_string_equal(str_at("IngestFunction", "Properties.Handler"), "bootstrap");
  assert_string_equal(str_at("IngestFunction", "Properties.Architectures.0"), "arm64");
  assert_int_equal(json_integer_value(res_get(ir, "IngestFunction", "Properties.MemorySize")), 512);
  assert_string_equal(str_at("IngestFunction", "Properties.Environment.Variables.A"), "b");
  /* ingest is lakec's own program: only the variables it reads */
  assert_null(res_get(ir, "IngestFunction", "Properties.Environment.Variables.LAKEC_STAGE"));
  assert_non_null(res_get(ir, "IngestFunction", "Properties.Environment.Variables.LAKEC_BUCKET_DATA"));
  assert_string_equal(str_at("IngestFunction", "Properties.Code.S3Key.Ref"), "IngestCodeKey");
  assert_string_equal(str_at("IngestFunction", "Properties.Role.Fn::GetAtt.0"), "IngestFunctionRole");
  assert_int_equal(json_integer_value(res_get(ir, "IngestLogGroup", "Properties.RetentionInDays")), 30);
  assert_string_equal(str_at("IngestLogGroup", "Properties.LogGroupName"), "/aws/lambda/demo-dev-ingest");
  json_t *st = res_get(ir, "IngestFunctionRole", "Properties.Policies.0.PolicyDocument.Statement");
  assert_int_equal(json_array_size(st), 2); /* logs + the one grant */
  json_t *w = json_array_get(st, 1);
  assert_string_equal(json_string_value(json_array_get(json_object_get(w, "Action"), 0)), "s3:PutObject");
  assert_string_equal(json_string_value(json_object_get(json_object_get(w, "Resource"), "Fn::Sub")),
                      "${DataBucket.Arn}/raw/*");
  assert_non_null(ir_find(ir, "IngestFunctionRole"));
  assert_null(ir_find(ir, "IngestScheduleRule"));
}

static void read_gets_and_list_lists_only_the_prefix(void **state) {
  (void)state;
  ir = lower_text(&ctx, LAKE "functions:\n  f:\n    grants:\n      - read: data/raw/\n"
                             "      - list: data/raw/\n");
  json_t *st = res_get(ir, "FFunctionRole", "Properties.Policies.0.PolicyDocument.Statement");
  assert_int_equal(json_array_size(st), 3); /* logs, read, list */
  json_t *read = json_array_get(st, 1);
  assert_string_equal(json_string_value(json_array_get(json_object_get(read, "Action"), 0)), "s3:GetObject");
  assert_int_equal(json_array_size(json_object_get(read, "Action")), 1);
  json_t *list = json_array_get(st, 2);
  assert_string_equal(json_string_value(json_array_get(json_object_get(list, "Action"), 0)), "s3:ListBucket");
  json_t *cond = json_object_get(json_object_get(list, "Condition"), "StringLike");
  assert_string_equal(json_string_value(json_array_get(json_object_get(cond, "s3:prefix"), 0)), "raw/*");
}

static json_t *statement_with_sid(const char *role, const char *sid) {
  json_t *st = res_get(ir, role, "Properties.Policies.0.PolicyDocument.Statement");
  for (size_t i = 0; i < json_array_size(st); i++)
    if (!strcmp(json_string_value(json_object_get(json_array_get(st, i), "Sid")), sid))
      return json_array_get(st, i);
  fail_msg("%s has no statement %s", role, sid);
  return NULL;
}

static const char *actions_text(json_t *statement, char *out, size_t size) {
  json_t *a = json_object_get(statement, "Action");
  out[0] = '\0';
  for (size_t i = 0; i < json_array_size(a); i++)
    snprintf(out + strlen(out), size - strlen(out), "%s%s", i ? " " : "",
             json_string_value(json_array_get(a, i)));
  return out;
}

/* curate: the three zones, each with exactly what moving a file takes, and
 * the schema as JSON in the handler's environment. */
static void curate_moves_files_between_three_zones(void **state) {
  (void)state;
  ir = lower_text(&ctx, LAKE "functions:\n  process:\n    grants: [{curate: m}]\n");
  char text[256];
  struct { const char *sid, *actions, *resource; } zones[] = {
      {"CurateRawM", "s3:GetObject s3:DeleteObject", "${DataBucket.Arn}/raw/*"},
      {"CurateProcessedM", "s3:GetObject s3:PutObject s3:AbortMultipartUpload",
       "${DataBucket.Arn}/processed/*"},
      {"CurateQuarantineM", "s3:GetObject s3:PutObject", "${DataBucket.Arn}/quarantine/*"},
  };
  for (size_t i = 0; i < 3; i++) {
    json_t *st = statement_with_sid("ProcessFunctionRole", zones[i].sid);
    assert_string_equal(actions_text(st, text, sizeof text), zones[i].actions);
    assert_string_equal(json_string_value(json_object_get(json_object_get(st, "Resource"), "Fn::Sub")),
                        zones[i].resource);
  }
  json_t *schema = json_loads(str_at("ProcessFunction", "Properties.Environment.Variables.LAKEC_DATASET_M"), 0, NULL);
  assert_non_null(schema);
  assert_string_equal(json_string_value(json_object_get(schema, "format")), "parquet");
  assert_string_equal(json_string_value(json_object_get(schema, "codec")), "snappy");
  assert_true(json_is_true(json_object_get(schema, "header")));
  assert_int_equal(json_integer_value(json_object_get(schema, "row_group_mb")), 32);
  json_t *cols = json_object_get(schema, "columns");
  assert_int_equal(json_array_size(cols), 2);
  assert_string_equal(json_string_value(json_object_get(json_array_get(cols, 0), "name")), "t");
  assert_string_equal(json_string_value(json_object_get(json_array_get(cols, 0), "type")), "timestamp");
  assert_string_equal(json_string_value(json_object_get(json_array_get(cols, 1), "type")), "double");
  assert_true(json_is_false(json_object_get(json_array_get(cols, 1), "optional")));
  json_decref(schema);
  /* process reads neither the bucket names nor the stage */
  assert_null(res_get(ir, "ProcessFunction", "Properties.Environment.Variables.LAKEC_STAGE"));
}

/* An item's tags join the stage's on every resource it makes, and win. */
static void item_tags_join_the_stages(void **state) {
  (void)state;
  ir = lower_text(&ctx, MINIMAL_STAGE "tags: {Owner: lake, Team: data}\n"
                        "buckets:\n  data: {name: demo-data-dev, tags: {Team: etl, ETLStage: raw}}\n"
                        "  other: {name: demo-other-dev}\n");
  json_t *tags = res_get(ir, "DataBucket", "Properties.Tags");
  const char *want[][2] = {{"ETLStage", "raw"}, {"ManagedBy", "lakec"}, {"Owner", "lake"},
                           {"Project", "demo"}, {"Stage", "dev"}, {"Team", "etl"}};
  assert_int_equal(json_array_size(tags), 6);
  for (size_t i = 0; i < 6; i++) {
    assert_string_equal(json_string_value(json_object_get(json_array_get(tags, i), "Key")), want[i][0]);
    assert_string_equal(json_string_value(json_object_get(json_array_get(tags, i), "Value")), want[i][1]);
  }
  /* its policy is not taggable; the other bucket keeps the stage's */
  assert_int_equal(json_array_size(res_get(ir, "OtherBucket", "Properties.Tags")), 5);
  assert_string_equal(str_at("OtherBucket", "Properties.Tags.4.Value"), "data");
}

/* The stage's tags, the stack's over them, the item's over both; the
 * project's own name for itself may replace lakec's Project value. */
static void stack_tags_sit_between_the_stages_and_the_items(void **state) {
  (void)state;
  ir = lower_text(&ctx, MINIMAL_STAGE "tags: {Project: CAT-NORMALIZE, Team: data, Tier: a}\n"
                        "stacks:\n  one: {tags: {Tier: b, ETLComponent: ETL-1}}\n  two: {}\n"
                        "buckets:\n  data: {name: demo-data-dev, tags: {Tier: c}}\n"
                        "  other: {name: demo-other-dev, stack: two}\n");
  json_t *tags = res_get(ir, "DataBucket", "Properties.Tags");
  const char *want[][2] = {{"ETLComponent", "ETL-1"}, {"ManagedBy", "lakec"},
                           {"Project", "CAT-NORMALIZE"}, {"Stage", "dev"}, {"Team", "data"},
                           {"Tier", "c"}};
  assert_int_equal(json_array_size(tags), 6);
  for (size_t i = 0; i < 6; i++) {
    assert_string_equal(json_string_value(json_object_get(json_array_get(tags, i), "Key")), want[i][0]);
    assert_string_equal(json_string_value(json_object_get(json_array_get(tags, i), "Value")), want[i][1]);
  }
  /* stack two has no tags of its own: the stage's Tier */
  assert_int_equal(json_array_size(res_get(ir, "OtherBucket", "Properties.Tags")), 5);
  assert_string_equal(str_at("OtherBucket", "Properties.Tags.4.Value"), "a");
}

/* Lake Formation: the database grants IAM nothing by default, its crawler's
 * bucket is registered, crawler and analyst are granted there. */
static void lake_formation_governs_the_database(void **state) {
  (void)state;
  ir = lower_text(&ctx, MINIMAL_STAGE "buckets:\n  data: {name: demo-data-dev}\n"
                        "databases:\n  catalog:\n    name: demo_dev\n    lake_formation: true\n"
                        "    crawlers: {raw: {bucket: data, prefix: raw/}}\n"
                        "workgroups: {wg: {name: demo-dev-wg, results: {bucket: data, prefix: r/}}}\n"
                        "analysts:\n  pii: {lake_formation: select, grants: [{query: raw@wg}]}\n");
  assert_int_equal(json_array_size(res_get(ir, "CatalogDatabase",
                                           "Properties.DatabaseInput.CreateTableDefaultPermissions")), 0);
  assert_non_null(res_get(ir, "CatalogDatabase", "Properties.DatabaseInput.CreateTableDefaultPermissions"));
  assert_string_equal(ir_find(ir, "CatalogDataDataLocation")->type, "AWS::LakeFormation::Resource");
  assert_string_equal(str_at("RawCrawlerDataLocationGrant", "Properties.Permissions.0"), "DATA_LOCATION_ACCESS");
  assert_string_equal(str_at("PiiCatalogTablesGrant", "Properties.Permissions.0"), "SELECT");
  assert_string_equal(str_at("PiiCatalogTablesGrant", "Properties.Principal.DataLakePrincipalIdentifier.Fn::GetAtt.0"),
                      "PiiAnalystRole");
  json_t *st = statement_with_sid("PiiAnalystRole", "LakeFormationDataAccess");
  assert_string_equal(json_string_value(json_object_get(st, "Resource")), "*");
  /* without the switch: no Lake Formation resource at all */
  ir_free(ir);
  ir = lower_text(&ctx, LAKE "functions:\n  f: {grants: [{query: processed}]}\n");
  assert_null(res_get(ir, "CatalogDatabase", "Properties.DatabaseInput.CreateTableDefaultPermissions"));
  for (size_t i = 0; i < ir->resources.len; i++)
    assert_null(strstr(((IrResource *)ir->resources.items[i])->type, "LakeFormation"));
}

static void a_program_lakec_does_not_know_gets_every_variable(void **state) {
  (void)state;
  ir = lower_text(&ctx, LAKE "functions:\n  f:\n    grants:\n      - write: data/raw/\n");
  assert_string_equal(str_at("FFunction", "Properties.Environment.Variables.LAKEC_STAGE"), "dev");
  assert_string_equal(str_at("FFunction", "Properties.Environment.Variables.LAKEC_PROJECT"), "demo");
  assert_non_null(res_get(ir, "FFunction", "Properties.Environment.Variables.LAKEC_BUCKET_DATA"));
}

static void schedules_and_triggers_become_rules(void **state) {
  (void)state;
  ir = lower_text(&ctx, LAKE "functions:\n  ingest:\n    schedule: {expression: rate(1 minute), enabled: false}\n"
                             "  process:\n    on_object_created: {bucket: data, prefix: raw/, suffix: .csv}\n"
                             "    grants: [{curate: m}]\n");
  assert_string_equal(str_at("IngestScheduleRule", "Properties.ScheduleExpression"), "rate(1 minute)");
  assert_string_equal(str_at("IngestScheduleRule", "Properties.State"), "DISABLED");
  assert_string_equal(str_at("IngestScheduleRule", "Properties.Targets.0.Arn.Fn::GetAtt.0"), "IngestFunction");
  assert_string_equal(str_at("IngestSchedulePermission", "Properties.Principal"), "events.amazonaws.com");
  assert_string_equal(str_at("IngestSchedulePermission", "Properties.SourceArn.Fn::GetAtt.0"), "IngestScheduleRule");
  assert_string_equal(str_at("ProcessObjectCreatedRule", "Properties.EventPattern.detail-type.0"), "Object Created");
  assert_string_equal(str_at("ProcessObjectCreatedRule", "Properties.EventPattern.detail.object.key.0.wildcard"), "raw/*.csv");
  assert_string_equal(str_at("ProcessObjectCreatedRule", "Properties.EventPattern.detail.bucket.name.0.Ref"), "DataBucket");
  assert_true(json_is_true(res_get(ir, "DataBucket", "Properties.NotificationConfiguration.EventBridgeConfiguration.EventBridgeEnabled")));
  assert_non_null(ir_find(ir, "ProcessObjectCreatedPermission"));
}

static void catalog_and_athena(void **state) {
  (void)state;
  ir = lower_text(&ctx, LAKE);
  assert_string_equal(str_at("CatalogDatabase", "Properties.DatabaseInput.Name"), "demo_dev");
  assert_string_equal(str_at("ProcessedCrawler", "Properties.Name"), "demo-dev-processed");
  assert_string_equal(str_at("ProcessedCrawler", "Properties.Targets.S3Targets.0.Path.Fn::Sub"),
                      "s3://${DataBucket}/processed/");
  assert_string_equal(str_at("ProcessedCrawlerRole", "Properties.AssumeRolePolicyDocument.Statement.0.Principal.Service"),
                      "glue.amazonaws.com");
  assert_true(json_is_true(res_get(ir, "AthenaWorkGroup", "Properties.WorkGroupConfiguration.EnforceWorkGroupConfiguration")));
  assert_string_equal(str_at("AthenaWorkGroup", "Properties.WorkGroupConfiguration.ResultConfiguration.OutputLocation.Fn::Sub"),
                      "s3://${DataBucket}/athena-results/");
  assert_int_equal(json_integer_value(res_get(ir, "AthenaWorkGroup", "Properties.WorkGroupConfiguration.BytesScannedCutoffPerQuery")),
                   10485760);
}

static void query_grants_reach_workgroup_catalog_and_data(void **state) {
  (void)state;
  ir = lower_text(&ctx, LAKE "functions:\n  q:\n    grants: [{query: processed}]\n");
  json_t *st = res_get(ir, "QFunctionRole", "Properties.Policies.0.PolicyDocument.Statement");
  char *text = ir_json_text(st, JSON_COMPACT);
  assert_non_null(strstr(text, "athena:StartQueryExecution"));
  assert_non_null(strstr(text, "workgroup/${AthenaWorkGroup}"));
  assert_non_null(strstr(text, "table/${CatalogDatabase}/*"));
  assert_non_null(strstr(text, "${DataBucket.Arn}/processed/*"));
  assert_non_null(strstr(text, "${DataBucket.Arn}/athena-results/*"));
  free(text);
  assert_string_equal(str_at("QFunction", "Properties.Environment.Variables.LAKEC_WORKGROUP.Ref"), "AthenaWorkGroup");
}

static void never_a_wildcard_action(void **state) {
  (void)state;
  ir = lower_text(&ctx, LAKE "functions:\n  a:\n    grants: [{read: data}, {write: data/x/}, {delete: data/x/}, {crawl: processed}, {query: processed}]\n");
  json_t *t = ir_to_template(ir);
  char *text = ir_json_text(t, JSON_COMPACT);
  assert_null(strstr(text, "\"Action\":\"*\""));
  assert_null(strstr(text, "\"Resource\":\"*\""));
  free(text);
  json_decref(t);
}

#define API_KEYED(key, auth)                                                             \
  MINIMAL_STAGE "functions: {q: {}}\napis:\n  " key ":\n    name: a\n    auth: " auth "\n" \
                "    routes:\n      GET /items/{id}: q\n"
#define API(auth) API_KEYED("api", auth)

static void api_routes_proxy_to_functions(void **state) {
  (void)state;
  ir = lower_text(&ctx, API("none"));
  assert_string_equal(str_at("ApiItemsResource", "Properties.PathPart"), "items");
  assert_string_equal(str_at("ApiItemsResource", "Properties.ParentId.Fn::GetAtt.1"), "RootResourceId");
  assert_string_equal(str_at("ApiItemsIdParamResource", "Properties.PathPart"), "{id}");
  assert_string_equal(str_at("ApiItemsIdParamResource", "Properties.ParentId.Ref"), "ApiItemsResource");
  assert_string_equal(str_at("ApiGetItemsIdParamMethod", "Properties.Integration.Type"), "AWS_PROXY");
  assert_string_equal(str_at("ApiGetItemsIdParamMethod", "Properties.AuthorizationType"), "NONE");
  assert_string_equal(str_at("ApiGetItemsIdParamPermission", "Properties.SourceArn.Fn::Sub"),
                      "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/*/GET/items/*");
  assert_null(ir_find(ir, "ApiOptionsItemsIdParamMethod"));
  assert_null(ir_find(ir, "UserPool"));
  assert_string_equal(str_at("ApiStage", "Properties.StageName"), "dev");
}

static void api_auth_per_stage(void **state) {
  (void)state;
  ir = lower_text(&ctx, API("iam"));
  assert_string_equal(str_at("ApiGetItemsIdParamMethod", "Properties.AuthorizationType"), "AWS_IAM");
  ir_free(ir);
  ir = lower_text(&ctx, API("cognito"));
  assert_string_equal(str_at("ApiGetItemsIdParamMethod", "Properties.AuthorizationType"), "COGNITO_USER_POOLS");
  assert_string_equal(str_at("ApiGetItemsIdParamMethod", "Properties.AuthorizerId.Ref"), "ApiAuthorizer");
  assert_string_equal(str_at("ApiAuthorizer", "Properties.ProviderARNs.0.Fn::GetAtt.0"), "UserPool");
  assert_non_null(ir_find(ir, "UserPoolClient"));
  int outputs = 0;
  for (size_t i = 0; i < ir->outputs.len; i++) {
    const IrEntry *e = ir->outputs.items[i];
    outputs += !strcmp(e->id, "CognitoUserPoolId") || !strcmp(e->id, "CognitoUserPoolClientId");
  }
  assert_int_equal(outputs, 2);
}

/* Key `api` keeps the ids of the first release (Api, ApiStage, UserPool);
 * any other key is their root (orders: OrdersApi, OrdersApiStage, OrdersUserPool). */
static void api_ids_follow_the_key(void **state) {
  (void)state;
  ir = lower_text(&ctx, API_KEYED("orders", "cognito"));
  assert_string_equal(ir_find(ir, "OrdersApi")->type, "AWS::ApiGateway::RestApi");
  assert_string_equal(ir_find(ir, "OrdersApiStage")->type, "AWS::ApiGateway::Stage");
  assert_string_equal(ir_find(ir, "OrdersUserPool")->type, "AWS::Cognito::UserPool");
  assert_non_null(ir_find(ir, "OrdersUserPoolClient"));
  assert_string_equal(str_at("OrdersApiGetItemsIdParamMethod", "Properties.AuthorizerId.Ref"),
                      "OrdersApiAuthorizer");
  assert_string_equal(str_at("OrdersApiAuthorizer", "Properties.ProviderARNs.0.Fn::GetAtt.0"),
                      "OrdersUserPool");
  assert_null(ir_find(ir, "Api"));
  assert_null(ir_find(ir, "ApiStage"));
  assert_null(ir_find(ir, "UserPool"));
}

static void cors_adds_preflight(void **state) {
  (void)state;
  ir = lower_text(&ctx, MINIMAL_STAGE "functions: {q: {}}\napis:\n  api:\n    name: a\n"
                                      "    cors: {origins: ['https://a.example', 'https://b.example']}\n"
                                      "    routes: {GET /m: q, POST /m: q}\n");
  assert_string_equal(str_at("ApiOptionsMMethod", "Properties.Integration.Type"), "MOCK");
  assert_string_equal(str_at("ApiOptionsMMethod", "Properties.AuthorizationType"), "NONE");
  json_t *resp = res_get(ir, "ApiOptionsMMethod", "Properties.Integration.IntegrationResponses.0");
  assert_string_equal(json_string_value(json_object_get(json_object_get(resp, "ResponseParameters"),
                                                        "method.response.header.Access-Control-Allow-Methods")),
                      "'OPTIONS,GET,POST'");
  assert_non_null(strstr(json_string_value(json_object_get(json_object_get(resp, "ResponseTemplates"), "application/json")),
                         "$origin == \"https://b.example\""));
  assert_non_null(ir_find(ir, "ApiDefault4xxResponse"));
  assert_string_equal(str_at("QFunction", "Properties.Environment.Variables.LAKEC_CORS_ORIGINS"),
                      "https://a.example,https://b.example");
}

static const char *deployment_of(const Ir *x) {
  for (size_t i = 0; i < x->resources.len; i++) {
    const IrResource *r = x->resources.items[i];
    if (!strcmp(r->type, "AWS::ApiGateway::Deployment"))
      return r->id;
  }
  return NULL;
}

static void deployments_change_with_the_routes(void **state) {
  (void)state;
  ir = lower_text(&ctx, API("none"));
  const char *first = deployment_of(ir);
  Ir *same = lower_text(&ctx, API("none"));
  Ir *other = lower_text(&ctx, API("iam"));
  assert_string_equal(first, deployment_of(same));
  assert_string_not_equal(first, deployment_of(other));
  assert_int_equal(ir_find(ir, first)->depends_on.len, 1);
  ir_free(same);
  ir_free(other);
}

static void every_taggable_resource_is_tagged(void **state) {
  (void)state;
  ir = lower_text(&ctx, LAKE "tags: {Owner: me}\nfunctions:\n  f: {schedule: rate(1 hour)}\n"
                             "apis: {api: {name: a, auth: cognito, routes: {GET /x: f}}}\n");
  json_t *tags = res_get(ir, "DataBucket", "Properties.Tags");
  assert_int_equal(json_array_size(tags), 4);
  assert_string_equal(json_string_value(json_object_get(json_array_get(tags, 0), "Key")), "ManagedBy");
  assert_string_equal(json_string_value(json_object_get(json_array_get(tags, 1), "Key")), "Owner");
  assert_string_equal(str_at("ProcessedCrawler", "Properties.Tags.Stage"), "dev");
  assert_string_equal(str_at("UserPool", "Properties.UserPoolTags.Project"), "demo");
  const char *tagged[] = {"FFunction", "FFunctionRole", "FLogGroup", "FScheduleRule",
                          "AthenaWorkGroup", "Api", "ApiStage"};
  for (size_t i = 0; i < sizeof tagged / sizeof *tagged; i++)
    if (!res_get(ir, tagged[i], "Properties.Tags"))
      fail_msg("%s has no tags", tagged[i]);
  assert_null(res_get(ir, "CatalogDatabase", "Properties.Tags"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(buckets_are_private_and_encrypted, setup, teardown),
      cmocka_unit_test_setup_teardown(production_buckets_are_versioned_and_retained, setup, teardown),
      cmocka_unit_test_setup_teardown(functions_run_bootstrap_with_their_own_role, setup, teardown),
      cmocka_unit_test_setup_teardown(read_gets_and_list_lists_only_the_prefix, setup, teardown),
      cmocka_unit_test_setup_teardown(curate_moves_files_between_three_zones, setup, teardown),
      cmocka_unit_test_setup_teardown(item_tags_join_the_stages, setup, teardown),
      cmocka_unit_test_setup_teardown(stack_tags_sit_between_the_stages_and_the_items, setup, teardown),
      cmocka_unit_test_setup_teardown(lake_formation_governs_the_database, setup, teardown),
      cmocka_unit_test_setup_teardown(a_program_lakec_does_not_know_gets_every_variable, setup, teardown),
      cmocka_unit_test_setup_teardown(schedules_and_triggers_become_rules, setup, teardown),
      cmocka_unit_test_setup_teardown(catalog_and_athena, setup, teardown),
      cmocka_unit_test_setup_teardown(query_grants_reach_workgroup_catalog_and_data, setup, teardown),
      cmocka_unit_test_setup_teardown(never_a_wildcard_action, setup, teardown),
      cmocka_unit_test_setup_teardown(api_routes_proxy_to_functions, setup, teardown),
      cmocka_unit_test_setup_teardown(api_auth_per_stage, setup, teardown),
      cmocka_unit_test_setup_teardown(api_ids_follow_the_key, setup, teardown),
      cmocka_unit_test_setup_teardown(cors_adds_preflight, setup, teardown),
      cmocka_unit_test_setup_teardown(deployments_change_with_the_routes, setup, teardown),
      cmocka_unit_test_setup_teardown(every_taggable_resource_is_tagged, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
