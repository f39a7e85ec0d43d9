/* diff: each rule of the comparison on small hand-written templates. */
#include "support.h"
#include "diff.h"
#include "diffout.h"
#include "replace_table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static Ctx ctx;
static Diff *d;
static Ir *a, *b;

static int setup(void **state) {
  (void)state;
  ctx_init(&ctx);
  d = NULL;
  a = b = NULL;
  return 0;
}

static int teardown(void **state) {
  (void)state;
  diff_free(d);
  ir_free(a);
  ir_free(b);
  ctx_release(&ctx);
  return 0;
}

static Ir *template_ir(const char *text) {
  json_error_t err;
  json_t *t = json_loads(text, 0, &err);
  if (!t)
    fail_msg("bad test JSON: %s (line %d)", err.text, err.line);
  const char *why = NULL;
  Ir *ir = ir_from_template(&ctx, t, &why);
  json_decref(t);
  assert_non_null(ir);
  return ir;
}

/* Diffs two templates given as their Resources (and optionally more sections). */
static Diff *run(const char *before, const char *after, const char *const *ignore, size_t n) {
  a = template_ir(before);
  b = template_ir(after);
  DiffOptions opts = {ignore, n};
  d = diff_irs(&ctx, a, b, &opts);
  return d;
}

static ResourceDiff *find(const char *id) {
  for (size_t i = 0; i < d->resources.len; i++) {
    ResourceDiff *rd = d->resources.items[i];
    if (!strcmp(rd->id, id))
      return rd;
  }
  return NULL;
}

static PropChange *change_at(const ResourceDiff *rd, const char *path) {
  for (size_t i = 0; i < rd->changes.len; i++) {
    PropChange *c = rd->changes.items[i];
    if (!strcmp(c->path, path))
      return c;
  }
  return NULL;
}

#define BUCKET(name, extra) \
  "{\"Type\": \"AWS::S3::Bucket\"" extra ", \"Properties\": {\"BucketName\": \"" name "\"}}"
#define T(resources) "{\"Resources\": {" resources "}}"

static void a_template_equals_itself(void **state) {
  (void)state;
  const char *t = T("\"B\": " BUCKET("x", "") ", \"R\": {\"Type\": \"AWS::IAM::Role\", \"Properties\": {\"Tags\": [{\"Key\": \"a\", \"Value\": \"1\"}]}}");
  run(t, t, NULL, 0);
  assert_true(diff_is_empty(d));
}

static void added_removed_and_modified(void **state) {
  (void)state;
  run(T("\"Old\": {\"Type\": \"AWS::SNS::Topic\"}, \"Same\": {\"Type\": \"AWS::SNS::Topic\", \"Properties\": {\"TopicName\": \"t\", \"DisplayName\": \"a\"}}"),
      T("\"Same\": {\"Type\": \"AWS::SNS::Topic\", \"Properties\": {\"TopicName\": \"t\", \"DisplayName\": \"b\"}}, \"New\": {\"Type\": \"AWS::SNS::Topic\"}"),
      NULL, 0);
  assert_int_equal(d->added, 1);
  assert_int_equal(d->removed, 1);
  assert_int_equal(d->modified, 1);
  assert_int_equal(find("New")->kind, CHANGE_ADDED);
  assert_int_equal(find("Old")->kind, CHANGE_REMOVED);
  PropChange *c = change_at(find("Same"), "Properties.DisplayName");
  assert_non_null(c);
  assert_string_equal(json_string_value(c->old), "a");
  assert_string_equal(json_string_value(c->new_), "b");
  assert_false(find("Same")->replacement);
}

static void nested_values_are_compared_structurally(void **state) {
  (void)state;
  run(T("\"F\": {\"Type\": \"AWS::Lambda::Function\", \"Properties\": {\"Environment\": {\"Variables\": {\"A\": \"1\", \"B\": \"2\"}}, \"Architectures\": [\"x86_64\"]}}"),
      T("\"F\": {\"Type\": \"AWS::Lambda::Function\", \"Properties\": {\"Environment\": {\"Variables\": {\"A\": \"1\", \"C\": \"3\"}}, \"Architectures\": [\"arm64\"]}}"),
      NULL, 0);
  ResourceDiff *f = find("F");
  assert_int_equal(f->changes.len, 3);
  assert_null(change_at(f, "Properties.Environment.Variables.B")->new_);
  assert_null(change_at(f, "Properties.Environment.Variables.C")->old);
  assert_non_null(change_at(f, "Properties.Architectures.0"));
}

static void tags_and_statements_are_sets(void **state) {
  (void)state;
  const char *before = T("\"R\": {\"Type\": \"AWS::IAM::Role\", \"Properties\": {"
                         "\"Tags\": [{\"Key\": \"a\", \"Value\": \"1\"}, {\"Key\": \"b\", \"Value\": \"2\"}],"
                         "\"Policies\": [{\"PolicyName\": \"p\", \"PolicyDocument\": {\"Statement\": ["
                         "{\"Sid\": \"One\", \"Effect\": \"Allow\", \"Action\": [\"s3:GetObject\", \"s3:PutObject\"], \"Resource\": \"*\"},"
                         "{\"Sid\": \"Two\", \"Effect\": \"Allow\", \"Action\": \"sqs:SendMessage\", \"Resource\": \"q\"}]}}]}}");
  const char *reordered = T("\"R\": {\"Type\": \"AWS::IAM::Role\", \"Properties\": {"
                            "\"Tags\": [{\"Key\": \"b\", \"Value\": \"2\"}, {\"Key\": \"a\", \"Value\": \"1\"}],"
                            "\"Policies\": [{\"PolicyName\": \"p\", \"PolicyDocument\": {\"Statement\": ["
                            "{\"Sid\": \"Two\", \"Effect\": \"Allow\", \"Action\": \"sqs:SendMessage\", \"Resource\": \"q\"},"
                            "{\"Sid\": \"One\", \"Effect\": \"Allow\", \"Action\": [\"s3:PutObject\", \"s3:GetObject\"], \"Resource\": \"*\"}]}}]}}");
  run(before, reordered, NULL, 0);
  assert_true(diff_is_empty(d));
}

static void a_changed_statement_is_a_security_change(void **state) {
  (void)state;
  run(T("\"R\": {\"Type\": \"AWS::IAM::Role\", \"Properties\": {\"Tags\": [{\"Key\": \"a\", \"Value\": \"1\"}], \"Policies\": [{\"PolicyName\": \"p\", \"PolicyDocument\": {\"Statement\": [{\"Sid\": \"One\", \"Action\": [\"s3:GetObject\"]}]}}]}}"),
      T("\"R\": {\"Type\": \"AWS::IAM::Role\", \"Properties\": {\"Tags\": [{\"Key\": \"a\", \"Value\": \"2\"}], \"Policies\": [{\"PolicyName\": \"p\", \"PolicyDocument\": {\"Statement\": [{\"Sid\": \"One\", \"Action\": [\"s3:GetObject\", \"s3:DeleteObject\"]}]}}]}}"),
      NULL, 0);
  ResourceDiff *r = find("R");
  assert_true(r->security);
  PropChange *tag = change_at(r, "Properties.Tags.a");
  assert_non_null(tag);
  assert_false(tag->security); /* a role's tags decide nothing */
  PropChange *act = change_at(r, "Properties.Policies.p.PolicyDocument.Statement.One.Action");
  assert_non_null(act);
  assert_true(act->security);
  assert_null(act->old);
  assert_string_equal(json_string_value(act->new_), "s3:DeleteObject");
  assert_int_equal(d->security, 1);
}

static void api_auth_is_security(void **state) {
  (void)state;
  run(T("\"M\": {\"Type\": \"AWS::ApiGateway::Method\", \"Properties\": {\"AuthorizationType\": \"NONE\", \"HttpMethod\": \"GET\"}}"),
      T("\"M\": {\"Type\": \"AWS::ApiGateway::Method\", \"Properties\": {\"AuthorizationType\": \"AWS_IAM\", \"HttpMethod\": \"GET\"}}"),
      NULL, 0);
  assert_true(find("M")->security);
  assert_true(change_at(find("M"), "Properties.AuthorizationType")->security);
}

static void create_only_properties_replace(void **state) {
  (void)state;
  run(T("\"B\": " BUCKET("one", "") ", \"K\": " BUCKET("k1", ", \"UpdateReplacePolicy\": \"Retain\"")),
      T("\"B\": " BUCKET("two", "") ", \"K\": " BUCKET("k2", ", \"UpdateReplacePolicy\": \"Retain\"")),
      NULL, 0);
  assert_true(change_at(find("B"), "Properties.BucketName")->replaces);
  assert_true(find("B")->replacement);
  assert_true(find("B")->destructive);
  assert_true(find("K")->replacement);
  assert_false(find("K")->destructive); /* the old bucket is kept */
  assert_int_equal(d->replaced, 2);
  assert_int_equal(d->destructive, 1);
}

static void replacement_rules_come_from_the_schemas(void **state) {
  (void)state;
  assert_int_equal(diff_replacement("AWS::S3::Bucket", "BucketName"), REPLACES);
  assert_int_equal(diff_replacement("AWS::S3::Bucket", "Tags"), 0);
  assert_int_equal(diff_replacement("AWS::Lambda::Function", "FunctionName"), REPLACES);
  assert_int_equal(diff_replacement("AWS::Glue::Database", "DatabaseName"), REPLACES);
  assert_int_equal(diff_replacement("AWS::ApiGateway::Stage", "StageName"), REPLACES);
  assert_int_equal(diff_replacement("AWS::AccessAnalyzer::Analyzer", "AnalyzerConfiguration.X"), MAY_REPLACE);
  assert_int_equal(diff_replacement("AWS::No::Such", "Name"), 0);
}

static void a_new_type_replaces(void **state) {
  (void)state;
  run(T("\"X\": {\"Type\": \"AWS::SQS::Queue\"}"), T("\"X\": {\"Type\": \"AWS::SNS::Topic\"}"), NULL, 0);
  assert_true(find("X")->replacement);
  assert_true(find("X")->destructive); /* a queue holds messages */
  assert_string_equal(find("X")->old_type, "AWS::SQS::Queue");
}

static void removing_data_is_destructive_unless_retained(void **state) {
  (void)state;
  run(T("\"B\": " BUCKET("x", "") ", \"K\": " BUCKET("y", ", \"DeletionPolicy\": \"Retain\"") ", \"T\": {\"Type\": \"AWS::SNS::Topic\"}"),
      T(""), NULL, 0);
  assert_true(find("B")->destructive);
  assert_false(find("K")->destructive);
  assert_false(find("T")->destructive);
}

static void attributes_are_compared(void **state) {
  (void)state;
  run(T("\"B\": {\"Type\": \"AWS::SNS::Topic\", \"DependsOn\": [\"X\", \"Y\"], \"DeletionPolicy\": \"Delete\", \"Condition\": \"C\"}"),
      T("\"B\": {\"Type\": \"AWS::SNS::Topic\", \"DependsOn\": [\"Y\", \"Z\"], \"DeletionPolicy\": \"Retain\"}"),
      NULL, 0);
  ResourceDiff *r = find("B");
  assert_non_null(change_at(r, "DeletionPolicy"));
  assert_null(change_at(r, "Condition")->new_);
  int deps = 0;
  for (size_t i = 0; i < r->changes.len; i++)
    deps += !strcmp(((PropChange *)r->changes.items[i])->path, "DependsOn");
  assert_int_equal(deps, 2); /* X removed, Z added; Y unchanged whatever its place */
}

static void code_only_changes_stand_apart(void **state) {
  (void)state;
  run(T("\"F\": {\"Type\": \"AWS::Lambda::Function\", \"Properties\": {\"Code\": {\"S3Key\": \"assets/aaa.zip\"}, \"MemorySize\": 128}}, "
        "\"G\": {\"Type\": \"AWS::Lambda::Function\", \"Properties\": {\"Code\": {\"S3Key\": \"assets/aaa.zip\"}, \"MemorySize\": 128}}"),
      T("\"F\": {\"Type\": \"AWS::Lambda::Function\", \"Properties\": {\"Code\": {\"S3Key\": \"assets/bbb.zip\"}, \"MemorySize\": 128}}, "
        "\"G\": {\"Type\": \"AWS::Lambda::Function\", \"Properties\": {\"Code\": {\"S3Key\": \"assets/bbb.zip\"}, \"MemorySize\": 256}}"),
      NULL, 0);
  assert_true(find("F")->code_only);
  assert_false(find("G")->code_only);
  assert_int_equal(d->code, 1);
}

static void a_new_code_key_default_is_code(void **state) {
  (void)state;
  run("{\"Parameters\": {\"IngestCodeKey\": {\"Type\": \"String\", \"Default\": \"assets/a.zip\"},"
      " \"OtherKey\": {\"Type\": \"String\", \"Default\": \"x\"}}, \"Resources\": {}}",
      "{\"Parameters\": {\"IngestCodeKey\": {\"Type\": \"String\", \"Default\": \"assets/b.zip\"},"
      " \"OtherKey\": {\"Type\": \"String\", \"Default\": \"y\"}}, \"Resources\": {}}",
      NULL, 0);
  assert_int_equal(d->entries.len, 2);
  assert_int_equal(d->code, 1);
  for (size_t i = 0; i < d->entries.len; i++) {
    const EntryDiff *e = d->entries.items[i];
    assert_int_equal(e->code_only, !strcmp(e->id, "IngestCodeKey"));
  }
}

static void parameters_outputs_and_conditions(void **state) {
  (void)state;
  run("{\"Parameters\": {\"P\": {\"Type\": \"String\"}, \"Q\": {\"Type\": \"String\"}}, \"Conditions\": {\"C\": {\"Fn::Equals\": [\"a\", \"a\"]}},"
      " \"Resources\": {}, \"Outputs\": {\"O\": {\"Value\": \"1\"}}}",
      "{\"Parameters\": {\"P\": {\"Type\": \"Number\"}}, \"Conditions\": {\"C\": {\"Fn::Equals\": [\"a\", \"b\"]}},"
      " \"Resources\": {}, \"Outputs\": {\"O\": {\"Value\": \"1\"}, \"N\": {\"Value\": \"2\"}}}",
      NULL, 0);
  assert_int_equal(d->entries.len, 4); /* P modified, Q removed, N added, C modified */
  int seen = 0;
  for (size_t i = 0; i < d->entries.len; i++) {
    const EntryDiff *e = d->entries.items[i];
    if (!strcmp(e->id, "P")) {
      assert_int_equal(e->kind, CHANGE_MODIFIED);
      assert_string_equal(((PropChange *)e->changes.items[0])->path, "P.Type");
      seen++;
    }
    seen += !strcmp(e->id, "Q") && e->kind == CHANGE_REMOVED;
    seen += !strcmp(e->id, "N") && e->kind == CHANGE_ADDED && !strcmp(e->section, "Outputs");
    seen += !strcmp(e->id, "C") && !strcmp(e->section, "Conditions");
  }
  assert_int_equal(seen, 4);
}

static void ignored_paths_are_left_out(void **state) {
  (void)state;
  const char *ignore[] = {"Resources.*.Properties.BucketName", "Resources.Gone", "Outputs.*"};
  run("{\"Resources\": {\"B\": " BUCKET("one", "") ", \"Gone\": {\"Type\": \"AWS::SNS::Topic\"}}, \"Outputs\": {\"O\": {\"Value\": \"1\"}}}",
      "{\"Resources\": {\"B\": " BUCKET("two", "") "}, \"Outputs\": {\"O\": {\"Value\": \"2\"}}}", ignore, 3);
  assert_true(diff_is_empty(d));
}

static void json_output_has_a_versioned_shape(void **state) {
  (void)state;
  run(T("\"B\": " BUCKET("one", "")), T("\"B\": " BUCKET("two", "")), NULL, 0);
  json_t *j = diffout_json(d, "a.json", "b.json");
  assert_int_equal(json_integer_value(json_object_get(j, "version")), 1);
  assert_false(json_is_true(json_object_get(j, "equal")));
  json_t *r = json_array_get(json_object_get(j, "resources"), 0);
  assert_string_equal(json_string_value(json_object_get(r, "change")), "modified");
  assert_true(json_is_true(json_object_get(r, "destructive")));
  json_t *c = json_array_get(json_object_get(r, "changes"), 0);
  assert_string_equal(json_string_value(json_object_get(c, "replaces")), "always");
  assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "summary"), "replaced")), 1);
  json_decref(j);
}


/* ---- the replacement cascade ---- */

#define FUNCTION(name) \
  "{\"Type\": \"AWS::Lambda::Function\", \"Properties\": {\"FunctionName\": \"" name "\"}}"
#define POLICY(bucket) \
  "{\"Type\": \"AWS::S3::BucketPolicy\", \"Properties\": {\"Bucket\": " bucket ", \"PolicyDocument\": {}}}"
#define PERMISSION(function) \
  "{\"Type\": \"AWS::Lambda::Permission\", \"Properties\": {\"Action\": \"lambda:InvokeFunction\", " \
  "\"Principal\": \"events.amazonaws.com\", \"FunctionName\": " function "}}"

/* Diffs before and after, which differ by B's name (and F's if given), with
 * the same referrers on both sides. */
static void run_renamed(const char *referrers) {
  char before[4096], after[4096];
  snprintf(before, sizeof before, "{\"Resources\": {\"B\": %s, \"F\": %s%s%s}}", BUCKET("one", ""),
           FUNCTION("f-one"), *referrers ? ", " : "", referrers);
  snprintf(after, sizeof after, "{\"Resources\": {\"B\": %s, \"F\": %s%s%s}}", BUCKET("two", ""),
           FUNCTION("f-two"), *referrers ? ", " : "", referrers);
  run(before, after, NULL, 0);
}

static PropChange *reference_to(const ResourceDiff *rd, const char *path, const char *target) {
  for (size_t i = 0; i < rd->changes.len; i++) {
    PropChange *c = rd->changes.items[i];
    if (c->refers_to && !strcmp(c->refers_to, target) && !strcmp(c->path, path))
      return c;
  }
  return NULL;
}

static void assert_replaced_because(const char *id, const char *target, const char *path) {
  ResourceDiff *rd = find(id);
  assert_non_null(rd);
  assert_int_equal(rd->kind, CHANGE_MODIFIED);
  assert_true(rd->replacement);
  assert_string_equal(rd->replaced_because, target);
  assert_string_equal(rd->because_path, path);
  PropChange *c = reference_to(rd, path, target);
  assert_non_null(c);
  assert_true(c->replaces);
  assert_false(c->may_replace);
}

static void a_ref_in_a_create_only_property_cascades(void **state) {
  (void)state;
  run_renamed("\"P\": " POLICY("{\"Ref\": \"B\"}"));
  assert_replaced_because("P", "B", "Properties.Bucket");
  PropChange *c = reference_to(find("P"), "Properties.Bucket", "B");
  assert_string_equal(json_string_value(json_object_get(c->new_, "Ref")), "B");
  assert_true(json_equal(c->old, c->new_)); /* the text is the same */
  assert_true(find("P")->security);
  assert_false(find("P")->destructive);
  assert_int_equal(d->replaced, 3); /* B, F and P */
  assert_int_equal(d->modified, 3);
}

static void a_getatt_cascades(void **state) {
  (void)state;
  run_renamed("\"P\": " PERMISSION("{\"Fn::GetAtt\": [\"F\", \"Arn\"]}") ", "
              "\"Q\": " PERMISSION("{\"Fn::GetAtt\": \"F.Arn\"}") ", "
              "\"R\": " PERMISSION("{\"Fn::GetAtt\": [\"F\", \"SnapStartResponse.ApplyOn\"]}"));
  assert_replaced_because("P", "F", "Properties.FunctionName");
  assert_replaced_because("Q", "F", "Properties.FunctionName");
  /* An attribute that is not an id may come out the same: only maybe. */
  ResourceDiff *r = find("R");
  assert_non_null(r);
  assert_false(r->replacement);
  assert_null(r->replaced_because);
  assert_true(reference_to(r, "Properties.FunctionName", "F")->may_replace);
}

static void a_sub_string_cascades(void **state) {
  (void)state;
  run_renamed("\"P\": " POLICY("{\"Fn::Sub\": \"${B}\"}") ", "
              "\"Q\": " PERMISSION("{\"Fn::Sub\": \"arn:${AWS::Partition}:x:${F.Arn}\"}") ", "
              "\"Lit\": " POLICY("{\"Fn::Sub\": \"${!B}\"}"));
  assert_replaced_because("P", "B", "Properties.Bucket");
  assert_replaced_because("Q", "F", "Properties.FunctionName");
  assert_null(find("Lit")); /* ${!B} is the text "${B}" */
}

static void a_sub_with_variables_cascades(void **state) {
  (void)state;
  run_renamed("\"P\": " POLICY("{\"Fn::Sub\": [\"${Name}\", {\"Name\": {\"Ref\": \"B\"}}]}") ", "
              "\"Q\": " PERMISSION("{\"Fn::Sub\": [\"${Fn}\", {\"Fn\": {\"Fn::GetAtt\": [\"F\", \"Arn\"]}}]}") ", "
              "\"Shadow\": " POLICY("{\"Fn::Sub\": [\"${B}\", {\"B\": \"bucket\"}]}"));
  assert_replaced_because("P", "B", "Properties.Bucket");
  assert_replaced_because("Q", "F", "Properties.FunctionName");
  assert_null(find("Shadow")); /* its ${B} is its own variable */
}

#define API_RESOURCE(parent, path) \
  "{\"Type\": \"AWS::ApiGateway::Resource\", \"Properties\": {\"RestApiId\": \"api\", \"ParentId\": " \
  parent ", \"PathPart\": \"" path "\"}}"
#define METHOD(resource) \
  "{\"Type\": \"AWS::ApiGateway::Method\", \"Properties\": {\"RestApiId\": \"api\", \"HttpMethod\": \"GET\", " \
  "\"ResourceId\": " resource "}}"

static void replacements_cascade_transitively(void **state) {
  (void)state;
  /* A's new path replaces it, which replaces its child B, which replaces C. */
  run(T("\"C\": " METHOD("{\"Ref\": \"B\"}") ", \"B\": " API_RESOURCE("{\"Ref\": \"A\"}", "b") ", "
        "\"A\": " API_RESOURCE("\"root\"", "a")),
      T("\"C\": " METHOD("{\"Ref\": \"B\"}") ", \"B\": " API_RESOURCE("{\"Ref\": \"A\"}", "b") ", "
        "\"A\": " API_RESOURCE("\"root\"", "renamed")),
      NULL, 0);
  assert_null(find("A")->replaced_because);
  assert_replaced_because("B", "A", "Properties.ParentId");
  assert_replaced_because("C", "B", "Properties.ResourceId");
  assert_int_equal(d->replaced, 3);
  /* In the template's order, whatever the order of the cascade. */
  assert_string_equal(((ResourceDiff *)d->resources.items[0])->id, "C");
}

static void an_updatable_property_does_not_cascade(void **state) {
  (void)state;
  run_renamed("\"Rule\": {\"Type\": \"AWS::Events::Rule\", \"Properties\": {\"ScheduleExpression\": \"rate(1 minute)\", "
              "\"Targets\": [{\"Id\": \"t\", \"Arn\": {\"Fn::GetAtt\": [\"F\", \"Arn\"]}}]}}, "
              "\"G\": {\"Type\": \"AWS::Lambda::Function\", \"Properties\": {\"Environment\": {\"Variables\": "
              "{\"HOST\": {\"Fn::GetAtt\": [\"B\", \"DomainName\"]}}}}}");
  ResourceDiff *rule = find("Rule");
  assert_non_null(rule); /* the target's ARN is new: an update */
  assert_false(rule->replacement);
  assert_null(rule->replaced_because);
  PropChange *c = reference_to(rule, "Properties.Targets", "F");
  assert_non_null(c);
  assert_false(c->replaces);
  assert_false(c->may_replace);
  /* A domain name that may stay the same in an updatable property: no claim. */
  assert_null(find("G"));
  assert_int_equal(d->replaced, 2);
}

static void a_conditionally_create_only_property_may_replace(void **state) {
  (void)state;
  const char *rule = "\"Rule\": {\"Type\": \"AWS::Events::Rule\", \"Properties\": {\"EventBusName\": {\"Ref\": \"Bus\"}, "
                     "\"ScheduleExpression\": \"rate(1 minute)\"}}, "
                     "\"P\": " PERMISSION("{\"Ref\": \"Rule\"}");
  char before[2048], after[2048];
  snprintf(before, sizeof before, T("\"Bus\": {\"Type\": \"AWS::Events::EventBus\", \"Properties\": {\"Name\": \"one\"}}, %s"), rule);
  snprintf(after, sizeof after, T("\"Bus\": {\"Type\": \"AWS::Events::EventBus\", \"Properties\": {\"Name\": \"two\"}}, %s"), rule);
  run(before, after, NULL, 0);
  ResourceDiff *r = find("Rule");
  assert_non_null(r);
  assert_false(r->replacement);
  PropChange *c = reference_to(r, "Properties.EventBusName", "Bus");
  assert_true(c->may_replace);
  assert_false(c->replaces);
  assert_null(find("P")); /* a possible replacement spreads no further */
}

static void cycles_end(void **state) {
  (void)state;
  /* P refers to B and Q, Q to P: each is replaced once, and the loop ends. */
  run_renamed("\"P\": " POLICY("{\"Fn::Sub\": \"${B}-${Q}\"}") ", \"Q\": " POLICY("{\"Ref\": \"P\"}"));
  assert_replaced_because("P", "B", "Properties.Bucket");
  assert_replaced_because("Q", "P", "Properties.Bucket");
  assert_non_null(reference_to(find("P"), "Properties.Bucket", "Q"));
  assert_int_equal(d->replaced, 4);
}

#define GLUE_TABLE(extra) \
  "{\"Type\": \"AWS::Glue::Table\"" extra ", \"Properties\": {\"DatabaseName\": {\"Ref\": \"Db\"}, \"Name\": \"t\"}}"

static void a_cascaded_replacement_of_data_is_destructive(void **state) {
  (void)state;
  const char *tables = "\"T\": " GLUE_TABLE("") ", \"K\": " GLUE_TABLE(", \"UpdateReplacePolicy\": \"Retain\"");
  char before[2048], after[2048];
  snprintf(before, sizeof before, T("\"Db\": {\"Type\": \"AWS::Glue::Database\", \"Properties\": {\"DatabaseName\": \"a\"}}, %s"), tables);
  snprintf(after, sizeof after, T("\"Db\": {\"Type\": \"AWS::Glue::Database\", \"Properties\": {\"DatabaseName\": \"b\"}}, %s"), tables);
  run(before, after, NULL, 0);
  assert_replaced_because("T", "Db", "Properties.DatabaseName");
  assert_replaced_because("K", "Db", "Properties.DatabaseName");
  assert_true(find("T")->destructive);
  assert_false(find("K")->destructive); /* the old table is kept */
  assert_int_equal(d->destructive, 2); /* Db and T */
}

static void only_resources_on_both_sides_cascade(void **state) {
  (void)state;
  run(T("\"B\": " BUCKET("one", "") ", \"Old\": " POLICY("{\"Ref\": \"B\"}")),
      T("\"B\": " BUCKET("two", "") ", \"New\": " POLICY("{\"Ref\": \"B\"}")), NULL, 0);
  assert_int_equal(find("New")->kind, CHANGE_ADDED);
  assert_int_equal(find("Old")->kind, CHANGE_REMOVED);
  assert_int_equal(find("New")->changes.len, 0);
  assert_int_equal(d->replaced, 1);
}

#define PERMISSION_FOR(principal) \
  "{\"Type\": \"AWS::Lambda::Permission\", \"Properties\": {\"Action\": \"lambda:InvokeFunction\", " \
  "\"Principal\": \"" principal "\", \"FunctionName\": {\"Fn::GetAtt\": [\"F\", \"Arn\"]}}}"

static void a_resource_replaced_for_itself_gets_no_reference(void **state) {
  (void)state;
  run(T("\"F\": " FUNCTION("f-one") ", \"P\": " PERMISSION_FOR("events.amazonaws.com")),
      T("\"F\": " FUNCTION("f-two") ", \"P\": " PERMISSION_FOR("s3.amazonaws.com")), NULL, 0);
  ResourceDiff *p = find("P");
  assert_true(p->replacement);
  assert_null(p->replaced_because);
  assert_int_equal(p->changes.len, 1); /* its new principal, and nothing more */
}

static void an_ignored_replacement_does_not_cascade(void **state) {
  (void)state;
  const char *ignore[] = {"Resources.*.Properties.BucketName"};
  run(T("\"B\": " BUCKET("one", "") ", \"P\": " POLICY("{\"Ref\": \"B\"}")),
      T("\"B\": " BUCKET("two", "") ", \"P\": " POLICY("{\"Ref\": \"B\"}")), ignore, 1);
  assert_true(diff_is_empty(d));
}

static void cascades_in_text_and_json(void **state) {
  (void)state;
  run_renamed("\"P\": " POLICY("{\"Ref\": \"B\"}"));
  char *text = NULL;
  size_t size = 0;
  FILE *out = open_memstream(&text, &size);
  diffout_text(d, "a", "b", out, false);
  fclose(out);
  assert_non_null(strstr(text, "~ P (AWS::S3::BucketPolicy)  REPLACEMENT because 'B' is replaced "
                               "(Properties.Bucket refers to it)\n"));
  assert_non_null(strstr(text, "~ Properties.Bucket: refers to 'B', which is replaced  (replaces the resource)\n"));
  free(text);
  json_t *j = diffout_json(d, "a", "b");
  json_t *resources = json_object_get(j, "resources");
  size_t i;
  json_t *r;
  int seen = 0;
  json_array_foreach(resources, i, r) {
    json_t *because = json_object_get(r, "replaced_because");
    json_t *c = json_array_get(json_object_get(r, "changes"), 0);
    if (!strcmp(json_string_value(json_object_get(r, "id")), "P")) {
      assert_string_equal(json_string_value(json_object_get(because, "id")), "B");
      assert_string_equal(json_string_value(json_object_get(because, "path")), "Properties.Bucket");
      assert_string_equal(json_string_value(json_object_get(c, "refers_to")), "B");
      assert_string_equal(json_string_value(json_object_get(c, "replaces")), "always");
      seen++;
    } else {
      assert_true(json_is_null(because));
      assert_true(json_is_null(json_object_get(c, "refers_to")));
    }
  }
  assert_int_equal(seen, 1);
  assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "summary"), "replaced")), 3);
  json_decref(j);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(a_template_equals_itself, setup, teardown),
      cmocka_unit_test_setup_teardown(added_removed_and_modified, setup, teardown),
      cmocka_unit_test_setup_teardown(nested_values_are_compared_structurally, setup, teardown),
      cmocka_unit_test_setup_teardown(tags_and_statements_are_sets, setup, teardown),
      cmocka_unit_test_setup_teardown(a_changed_statement_is_a_security_change, setup, teardown),
      cmocka_unit_test_setup_teardown(api_auth_is_security, setup, teardown),
      cmocka_unit_test_setup_teardown(create_only_properties_replace, setup, teardown),
      cmocka_unit_test_setup_teardown(replacement_rules_come_from_the_schemas, setup, teardown),
      cmocka_unit_test_setup_teardown(a_new_type_replaces, setup, teardown),
      cmocka_unit_test_setup_teardown(removing_data_is_destructive_unless_retained, setup, teardown),
      cmocka_unit_test_setup_teardown(attributes_are_compared, setup, teardown),
      cmocka_unit_test_setup_teardown(code_only_changes_stand_apart, setup, teardown),
      cmocka_unit_test_setup_teardown(parameters_outputs_and_conditions, setup, teardown),
      cmocka_unit_test_setup_teardown(a_new_code_key_default_is_code, setup, teardown),
      cmocka_unit_test_setup_teardown(ignored_paths_are_left_out, setup, teardown),
      cmocka_unit_test_setup_teardown(json_output_has_a_versioned_shape, setup, teardown),
      cmocka_unit_test_setup_teardown(a_ref_in_a_create_only_property_cascades, setup, teardown),
      cmocka_unit_test_setup_teardown(a_getatt_cascades, setup, teardown),
      cmocka_unit_test_setup_teardown(a_sub_string_cascades, setup, teardown),
      cmocka_unit_test_setup_teardown(a_sub_with_variables_cascades, setup, teardown),
      cmocka_unit_test_setup_teardown(replacements_cascade_transitively, setup, teardown),
      cmocka_unit_test_setup_teardown(an_updatable_property_does_not_cascade, setup, teardown),
      cmocka_unit_test_setup_teardown(a_conditionally_create_only_property_may_replace, setup, teardown),
      cmocka_unit_test_setup_teardown(cycles_end, setup, teardown),
      cmocka_unit_test_setup_teardown(a_cascaded_replacement_of_data_is_destructive, setup, teardown),
      cmocka_unit_test_setup_teardown(only_resources_on_both_sides_cascade, setup, teardown),
      cmocka_unit_test_setup_teardown(a_resource_replaced_for_itself_gets_no_reference, setup, teardown),
      cmocka_unit_test_setup_teardown(an_ignored_replacement_does_not_cascade, setup, teardown),
      cmocka_unit_test_setup_teardown(cascades_in_text_and_json, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
