/* jobs: the Glue job construct: the lowered job (command, script location,
 * default arguments, workers), its role's exact statements, the script as
 * an asset with its parameter, and the run_job grant. Then the workflows
 * that run jobs and crawlers in order. */
#include "support.h"

#include "check.h"
#include "lower.h"
#include "merge.h"

#include <stdio.h>
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

#define SCRIPT "print('hello')\n"
#define STAGE                                                                            \
  MINIMAL_STAGE "buckets:\n  data: {name: demo-data-dev}\n"                              \
                "databases:\n  catalog: {name: demo_dev}\n"                              \
                "jobs:\n  etl:\n    script: etl.py\n    reads: [data/raw/]\n"            \
                "    writes: [data/processed/]\n    databases: [catalog]\n"              \
                "    arguments: {source: x, --target: y}\n"                              \
                "functions:\n  starter:\n    grants: [{run_job: etl}]\n"

/* The stage beside its script, in a folder of its own, lowered. */
static Ir *lower_beside_script(const char *yaml) {
  const char *dir = temp_dir(&ctx);
  write_text(dir, "etl.py", SCRIPT);
  const char *path = arena_printf(&ctx.arena, "%s/stage.yaml", dir);
  Node *root = load_text(&ctx, path, yaml);
  assert_non_null(root);
  Model *m = check(&ctx, merge_interpolate(&ctx, root));
  if (ctx.diags.errors)
    fail_msg("%s", diag_at(&ctx, 0));
  return lower(&ctx, m);
}

static const char *text_at(const char *id, const char *path) {
  return json_text(&ctx, res_get(ir, id, path));
}

static void the_job_runs_the_uploaded_script(void **state) {
  (void)state;
  ir = lower_beside_script(STAGE);
  assert_string_equal(ir_find(ir, "EtlJob")->type, "AWS::Glue::Job");
  assert_string_equal(text_at("EtlJob", "Properties.Name"), "\"demo-dev-etl\"");
  assert_string_equal(text_at("EtlJob", "Properties.Command"),
                      "{\"Name\":\"glueetl\",\"PythonVersion\":\"3\",\"ScriptLocation\":"
                      "{\"Fn::Sub\":\"s3://${AssetsBucket}/${EtlScriptKey}\"}}");
  assert_string_equal(text_at("EtlJob", "Properties.GlueVersion"), "\"4.0\"");
  assert_string_equal(text_at("EtlJob", "Properties.WorkerType"), "\"G.1X\"");
  assert_string_equal(text_at("EtlJob", "Properties.NumberOfWorkers"), "2");
  assert_string_equal(text_at("EtlJob", "Properties.Timeout"), "60");
  assert_string_equal(text_at("EtlJob", "Properties.MaxRetries"), "0");
  assert_string_equal(text_at("EtlJob", "Properties.ExecutionProperty"),
                      "{\"MaxConcurrentRuns\":1}");
  assert_string_equal(
      text_at("EtlJob", "Properties.DefaultArguments"),
      "{\"--TempDir\":{\"Fn::Sub\":\"s3://${AssetsBucket}/temporary/demo-dev-etl/\"},"
      "\"--enable-continuous-cloudwatch-log\":\"true\",\"--enable-metrics\":\"\","
      "\"--job-bookmark-option\":\"job-bookmark-enable\",\"--job-language\":\"python\","
      "\"--source\":\"x\",\"--target\":\"y\"}");
  /* the script: an asset named by content, its key a parameter with that default */
  assert_int_equal(ir->assets.len, 2);
  const IrAsset *a = ir->assets.items[1];
  assert_string_equal(a->job, "etl");
  assert_null(a->handler);
  assert_string_equal(a->parameter, "EtlScriptKey");
  assert_int_equal(a->zip_size, strlen(SCRIPT));
  assert_memory_equal(a->zip, SCRIPT, strlen(SCRIPT));
  char want[64];
  snprintf(want, sizeof want, "assets/etl-%.16s.py", a->sha256);
  assert_string_equal(a->file, want);
}

static void the_role_holds_exactly_what_the_job_needs(void **state) {
  (void)state;
  ir = lower_beside_script(STAGE);
  json_t *st = res_get(ir, "EtlJobRole", "Properties.Policies.0.PolicyDocument.Statement");
  const char *want[] = {
      "{\"Action\":[\"s3:GetObject\"],\"Effect\":\"Allow\",\"Resource\":{\"Fn::Sub\":"
      "\"arn:${AWS::Partition}:s3:::${AssetsBucket}/${EtlScriptKey}\"},\"Sid\":\"ReadScript\"}",
      "{\"Action\":[\"s3:GetObject\",\"s3:PutObject\",\"s3:DeleteObject\"],\"Effect\":\"Allow\","
      "\"Resource\":{\"Fn::Sub\":\"arn:${AWS::Partition}:s3:::${AssetsBucket}/temporary/"
      "demo-dev-etl/*\"},\"Sid\":\"UseTempDir\"}",
      "{\"Action\":[\"s3:ListBucket\"],\"Condition\":{\"StringLike\":{\"s3:prefix\":"
      "[\"temporary/demo-dev-etl/*\"]}},\"Effect\":\"Allow\",\"Resource\":{\"Fn::Sub\":"
      "\"arn:${AWS::Partition}:s3:::${AssetsBucket}\"},\"Sid\":\"ListTempDir\"}",
      "{\"Action\":[\"s3:GetObject\"],\"Effect\":\"Allow\",\"Resource\":{\"Fn::Sub\":"
      "\"${DataBucket.Arn}/raw/*\"},\"Sid\":\"ReadDataRaw\"}",
      "{\"Action\":[\"s3:ListBucket\"],\"Condition\":{\"StringLike\":{\"s3:prefix\":"
      "[\"raw/*\"]}},\"Effect\":\"Allow\",\"Resource\":{\"Fn::GetAtt\":[\"DataBucket\","
      "\"Arn\"]},\"Sid\":\"ListDataRaw\"}",
      "{\"Action\":[\"s3:PutObject\",\"s3:DeleteObject\",\"s3:AbortMultipartUpload\"],\"Effect\":\"Allow\",\"Resource\":"
      "{\"Fn::Sub\":\"${DataBucket.Arn}/processed/*\"},\"Sid\":\"WriteDataProcessed\"}",
      "{\"Action\":[\"s3:ListBucket\"],\"Condition\":{\"StringLike\":{\"s3:prefix\":"
      "[\"processed/*\"]}},\"Effect\":\"Allow\",\"Resource\":{\"Fn::GetAtt\":[\"DataBucket\","
      "\"Arn\"]},\"Sid\":\"ListDataProcessed\"}",
  };
  for (size_t i = 0; i < sizeof want / sizeof *want; i++)
    assert_string_equal(json_text(&ctx, json_array_get(st, i)), want[i]);
  /* then the catalog, the logs and the metrics */
  assert_int_equal(json_array_size(st), 10);
  assert_string_equal(json_text(&ctx, json_at(json_array_get(st, 7), "Sid")), "\"CatalogCatalog\"");
  assert_string_equal(json_text(&ctx, json_at(json_array_get(st, 8), "Resource")),
                      "{\"Fn::Sub\":\"arn:${AWS::Partition}:logs:${AWS::Region}:"
                      "${AWS::AccountId}:log-group:/aws-glue/jobs/*\"}");
  assert_string_equal(json_text(&ctx, json_at(json_array_get(st, 9), "Condition")),
                      "{\"StringEquals\":{\"cloudwatch:namespace\":\"Glue\"}}");
  assert_string_equal(text_at("EtlJobRole",
                              "Properties.AssumeRolePolicyDocument.Statement.0.Principal.Service"),
                      "\"glue.amazonaws.com\"");
}

static void run_job_starts_watches_and_stops_the_job(void **state) {
  (void)state;
  ir = lower_beside_script(STAGE);
  json_t *st = res_get(ir, "StarterFunctionRole", "Properties.Policies.0.PolicyDocument.Statement");
  assert_string_equal(
      json_text(&ctx, json_array_get(st, json_array_size(st) - 1)),
      "{\"Action\":[\"glue:StartJobRun\",\"glue:GetJobRun\",\"glue:GetJobRuns\","
      "\"glue:BatchStopJobRun\"],\"Effect\":\"Allow\",\"Resource\":{\"Fn::Sub\":"
      "\"arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:job/${EtlJob}\"},"
      "\"Sid\":\"RunJobEtl\"}");
  assert_string_equal(text_at("StarterFunction", "Properties.Environment.Variables.LAKEC_JOB_ETL"),
                      "{\"Ref\":\"EtlJob\"}");
}

static void a_python_shell_job_has_no_workers(void **state) {
  (void)state;
  ir = lower_beside_script(MINIMAL_STAGE "jobs:\n  tidy: {type: pythonshell, script: etl.py}\n");
  assert_string_equal(text_at("TidyJob", "Properties.GlueVersion"), "\"3.0\"");
  assert_string_equal(text_at("TidyJob", "Properties.Command.PythonVersion"), "\"3.9\"");
  assert_string_equal(text_at("TidyJob", "Properties.MaxCapacity"), "0.0625");
  assert_null(res_get(ir, "TidyJob", "Properties.WorkerType"));
  assert_null(res_get(ir, "TidyJob", "Properties.DefaultArguments.--job-bookmark-option"));
}

/* ---- workflows ---- */

static void a_workflow_runs_its_steps_in_order(void **state) {
  (void)state;
  ir = lower_beside_script(
      MINIMAL_STAGE "buckets:\n  data: {name: demo-data-dev}\n"
                    "databases:\n  catalog:\n    name: demo_dev\n"
                    "    crawlers: {curated: {bucket: data, prefix: processed/}}\n"
                    "jobs:\n  etl: {script: etl.py, reads: [data/raw/], writes: [data/processed/]}\n"
                    "workflows:\n  etl:\n    on_object_created: {bucket: data, prefix: raw/, suffix: .csv}\n"
                    "    steps: [{job: etl}, {crawl: curated}]\n");
  assert_string_equal(text_at("EtlStartTrigger", "Properties.Type"), "\"EVENT\"");
  assert_string_equal(text_at("EtlStartTrigger", "Properties.Actions"), "[{\"JobName\":{\"Ref\":\"EtlJob\"}}]");
  assert_string_equal(text_at("EtlStartTrigger", "Properties.EventBatchingCondition"),
                      "{\"BatchSize\":1,\"BatchWindow\":900}");
  assert_string_equal(text_at("EtlStep2Trigger", "Properties.Type"), "\"CONDITIONAL\"");
  assert_string_equal(text_at("EtlStep2Trigger", "Properties.StartOnCreation"), "true");
  assert_string_equal(text_at("EtlStep2Trigger", "Properties.Predicate"),
                      "{\"Conditions\":[{\"JobName\":{\"Ref\":\"EtlJob\"},\"LogicalOperator\":\"EQUALS\","
                      "\"State\":\"SUCCEEDED\"}],\"Logical\":\"AND\"}");
  assert_string_equal(text_at("EtlStep2Trigger", "Properties.Actions"),
                      "[{\"CrawlerName\":{\"Ref\":\"CuratedCrawler\"}}]");
  /* S3 -> EventBridge -> the workflow, through a role that may notify it alone */
  assert_string_equal(text_at("DataBucket", "Properties.NotificationConfiguration"),
                      "{\"EventBridgeConfiguration\":{\"EventBridgeEnabled\":true}}");
  const char *arn = "{\"Fn::Sub\":\"arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:"
                    "workflow/demo-dev-etl\"}";
  assert_string_equal(text_at("EtlWorkflowObjectCreatedRule", "Properties.Targets.0.Arn"), arn);
  assert_string_equal(text_at("EtlWorkflowObjectCreatedRule", "Properties.EventPattern.detail.object"),
                      "{\"key\":[{\"wildcard\":\"raw/*.csv\"}]}");
  assert_string_equal(text_at("EtlWorkflowEventsRole", "Properties.Policies.0.PolicyDocument.Statement"),
                      arena_printf(&ctx.arena, "[{\"Action\":[\"glue:NotifyEvent\"],\"Effect\":\"Allow\","
                                   "\"Resource\":%s,\"Sid\":\"NotifyWorkflow\"}]", arn));
}

static void a_workflow_without_event_starts_on_schedule_or_demand(void **state) {
  (void)state;
  ir = lower_beside_script(STAGE "workflows:\n  nightly: {schedule: cron(0 2 * * ? *), steps: [{job: etl}]}\n"
                                 "  manual: {steps: [{job: etl}]}\n");
  assert_string_equal(text_at("NightlyStartTrigger", "Properties.Type"), "\"SCHEDULED\"");
  assert_string_equal(text_at("NightlyStartTrigger", "Properties.Schedule"), "\"cron(0 2 * * ? *)\"");
  assert_string_equal(text_at("ManualStartTrigger", "Properties.Type"), "\"ON_DEMAND\"");
  assert_null(ir_find(ir, "ManualWorkflowObjectCreatedRule"));
  assert_null(ir_find(ir, "NightlyStep2Trigger"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(the_job_runs_the_uploaded_script, setup, teardown),
      cmocka_unit_test_setup_teardown(the_role_holds_exactly_what_the_job_needs, setup, teardown),
      cmocka_unit_test_setup_teardown(run_job_starts_watches_and_stops_the_job, setup, teardown),
      cmocka_unit_test_setup_teardown(a_python_shell_job_has_no_workers, setup, teardown),
      cmocka_unit_test_setup_teardown(a_workflow_runs_its_steps_in_order, setup, teardown),
      cmocka_unit_test_setup_teardown(a_workflow_without_event_starts_on_schedule_or_demand, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
