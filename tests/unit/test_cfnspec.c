/* cfnspec: the generated table of CloudFormation resource types (lookups,
 * nested shapes, GetAtt names, did-you-mean) and the check of one raw
 * resource's Type and Properties, with the exact code and position of each
 * rule. */
#include "support.h"

#include "cfnspec.h"

#include <glob.h>
#include <stdlib.h>
#include <string.h>

static Ctx ctx;
static int setup(void **state) { (void)state; ctx_init(&ctx); return 0; }
static int teardown(void **state) { (void)state; ctx_release(&ctx); return 0; }
/* A fresh context for the next case of a test. */
static void reset(void) { ctx_release(&ctx); ctx_init(&ctx); }

/* Checks the resource `R` of a YAML text (its Type and Properties). */
static const CfnType *check_resource(const char *yaml) {
  Node *root = load_text(&ctx, "stage.yaml", yaml);
  assert_non_null(root);
  Node *r = node_get(root, "R");
  assert_non_null(r);
  return cfnspec_check(&ctx, node_get(r, "Type"), node_get(r, "Properties"), r->pos);
}

static void assert_clean(const char *yaml) {
  const CfnType *t = check_resource(yaml);
  if (ctx.diags.head)
    fail_msg("unexpected: %s", diag_at(&ctx, 0));
  assert_non_null(t);
}

static const CfnProp *prop_of(const char *type, const char *name) {
  const CfnType *t = cfnspec_type(type);
  assert_non_null(t);
  const CfnProp *p = cfnspec_prop(t->properties, name);
  assert_non_null(p);
  return p;
}

/* ---- the table ---- */

static void types_are_sorted_with_sorted_properties(void **state) {
  (void)state;
  assert_true(CFN_TYPES_COUNT > 1000);
  for (size_t i = 0; i < CFN_TYPES_COUNT; i++) {
    const CfnType *t = &CFN_TYPES[i];
    if (i)
      assert_true(strcmp(CFN_TYPES[i - 1].name, t->name) < 0);
    assert_non_null(t->properties);
    assert_non_null(t->attributes);
    for (size_t j = 1; j < t->properties->count; j++)
      assert_true(strcmp(t->properties->props[j - 1].name, t->properties->props[j].name) < 0);
    for (const char *const *a = t->attributes; *a && a[1]; a++)
      assert_true(strcmp(a[0], a[1]) < 0);
  }
}

static void types_are_found_by_name(void **state) {
  (void)state;
  const CfnType *bucket = cfnspec_type("AWS::S3::Bucket");
  assert_non_null(bucket);
  assert_string_equal(bucket->name, "AWS::S3::Bucket");
  assert_string_equal(cfnspec_type("AWS::ACMPCA::Certificate")->name, CFN_TYPES[0].name);
  assert_null(cfnspec_type("AWS::S3::Buckets"));
  assert_null(cfnspec_type("aws::s3::bucket"));
  assert_null(cfnspec_type(""));
  assert_null(cfnspec_type("Module")); /* cfn-lint's, not a resource type */
  /* a custom resource under a name of its own */
  assert_string_equal(cfnspec_type("Custom::SeedData")->name, "AWS::CloudFormation::CustomResource");
  assert_null(cfnspec_type("Custom::"));
  assert_null(cfnspec_type("Custom::Seed Data"));
}

static void properties_carry_their_types(void **state) {
  (void)state;
  const CfnProp *name = prop_of("AWS::S3::Bucket", "BucketName");
  assert_string_equal(name->name, "BucketName");
  assert_int_equal(name->types, CFN_T_STRING);
  assert_null(name->shape);
  assert_false(name->required);
  assert_int_equal(prop_of("AWS::Lambda::Function", "Timeout")->types, CFN_T_INTEGER);
  assert_int_equal(prop_of("AWS::DynamoDB::Table", "DeletionProtectionEnabled")->types,
                   CFN_T_BOOLEAN);
  assert_true(prop_of("AWS::Lambda::Function", "Role")->required);
  assert_true(prop_of("AWS::Lambda::Function", "Code")->required);
  /* a list of strings */
  const CfnProp *arns = prop_of("AWS::CloudFormation::Stack", "NotificationARNs");
  assert_int_equal(arns->types, CFN_T_ARRAY);
  assert_int_equal(arns->item_types, CFN_T_STRING);
  /* a map of names of one's own: not checked */
  const CfnProp *parameters = prop_of("AWS::CloudFormation::Stack", "Parameters");
  assert_int_equal(parameters->types, CFN_T_OBJECT);
  assert_null(parameters->shape);
  assert_null(cfnspec_prop(cfnspec_type("AWS::S3::Bucket")->properties, "BucketNme"));
  assert_null(cfnspec_prop(NULL, "BucketName"));
}

static void nested_shapes_are_followed(void **state) {
  (void)state;
  /* an object: VersioningConfiguration.Status */
  const CfnProp *versioning = prop_of("AWS::S3::Bucket", "VersioningConfiguration");
  assert_int_equal(versioning->types, CFN_T_OBJECT);
  assert_non_null(versioning->shape);
  assert_false(versioning->shape->open);
  const CfnProp *status = cfnspec_prop(versioning->shape, "Status");
  assert_non_null(status);
  assert_true(status->required);
  /* a list of objects, three levels down: LifecycleConfiguration.Rules[].Transitions[] */
  const CfnProp *lifecycle = prop_of("AWS::S3::Bucket", "LifecycleConfiguration");
  const CfnProp *rules = cfnspec_prop(lifecycle->shape, "Rules");
  assert_int_equal(rules->types, CFN_T_ARRAY);
  assert_int_equal(rules->item_types, CFN_T_OBJECT);
  const CfnProp *transitions = cfnspec_prop(rules->shape, "Transitions");
  assert_non_null(transitions);
  assert_true(cfnspec_prop(transitions->shape, "StorageClass")->required);
  /* DynamoDB's KeySchema: a list of {AttributeName, KeyType} (or a JSON object) */
  const CfnProp *keys = prop_of("AWS::DynamoDB::Table", "KeySchema");
  assert_true(keys->types & CFN_T_ARRAY);
  assert_int_equal(keys->item_types, CFN_T_OBJECT);
  assert_true(cfnspec_prop(keys->shape, "AttributeName")->required);
  assert_true(cfnspec_prop(keys->shape, "KeyType")->required);
  /* identical shapes are one: every Tags list of key/value pairs */
  assert_ptr_equal(prop_of("AWS::S3::Bucket", "Tags")->shape,
                   prop_of("AWS::DynamoDB::Table", "Tags")->shape);
  /* a custom resource takes any property besides its ServiceToken */
  const CfnShape *custom = cfnspec_type("Custom::SeedData")->properties;
  assert_true(custom->open);
  assert_true(cfnspec_prop(custom, "ServiceToken")->required);
}

static void recursive_definitions_are_whole(void **state) {
  (void)state;
  /* WAFv2: a rule's Statement holds an AndStatement of Statements, and so on. */
  const CfnProp *rules = prop_of("AWS::WAFv2::WebACL", "Rules");
  const CfnProp *statement = cfnspec_prop(rules->shape, "Statement");
  const CfnProp *and = cfnspec_prop(statement->shape, "AndStatement");
  assert_non_null(and);
  const CfnProp *inner = cfnspec_prop(and->shape, "Statements");
  assert_non_null(inner);
  assert_ptr_equal(inner->shape, statement->shape);
}

static void attributes_are_known(void **state) {
  (void)state;
  const CfnType *bucket = cfnspec_type("AWS::S3::Bucket");
  assert_true(cfnspec_attribute(bucket, "Arn"));
  assert_true(cfnspec_attribute(bucket, "RegionalDomainName"));
  assert_false(cfnspec_attribute(bucket, "BucketName"));
  assert_false(cfnspec_attribute(bucket, "arn"));
  const CfnType *db = cfnspec_type("AWS::RDS::DBInstance");
  assert_true(cfnspec_attribute(db, "Endpoint.Address"));
  assert_true(cfnspec_attribute(db, "Endpoint.Port"));
  assert_false(cfnspec_attribute(db, "Endpoint.Addres"));
  /* a read-only property of list items, as cfn-lint takes it: by index */
  const CfnType *anomaly = cfnspec_type("AWS::CE::AnomalySubscription");
  assert_true(cfnspec_attribute(anomaly, "Subscribers.0.Status"));
  assert_false(cfnspec_attribute(anomaly, "Subscribers..Status"));
  assert_false(cfnspec_attribute(anomaly, "Subscribers.0.Stat"));
  /* a nested stack's outputs by name */
  const CfnType *stack = cfnspec_type("AWS::CloudFormation::Stack");
  assert_true(cfnspec_attribute(stack, "Outputs.BucketArn"));
  assert_false(cfnspec_attribute(stack, "Outputs."));
  assert_false(cfnspec_attribute(stack, "Output.BucketArn"));
  /* a custom resource returns what its function says */
  assert_true(cfnspec_attribute(cfnspec_type("Custom::SeedData"), "Anything"));
  /* a type without attributes */
  const CfnType *none = NULL;
  for (size_t i = 0; i < CFN_TYPES_COUNT && !none; i++)
    if (!CFN_TYPES[i].attributes[0])
      none = &CFN_TYPES[i];
  assert_non_null(none);
  assert_false(cfnspec_attribute(none, "Arn"));
}

static void unknown_types_get_the_nearest(void **state) {
  (void)state;
  assert_string_equal(cfnspec_closest_type("aws::s3::bucket"), "AWS::S3::Bucket");
  assert_string_equal(cfnspec_closest_type("AWS::S3::Buckets"), "AWS::S3::Bucket");
  assert_string_equal(cfnspec_closest_type("AWS::DynamoDB::Tabel"), "AWS::DynamoDB::Table");
  assert_string_equal(cfnspec_closest_type("AWS::S4::Bucket"), "AWS::S3::Bucket");
  assert_null(cfnspec_closest_type("AWS::S3::Warehouse"));
  assert_null(cfnspec_closest_type("Acme::Billing::Invoice"));
  assert_null(cfnspec_closest_type(""));
}

/* ---- the checker ---- */

static void a_valid_resource_is_clean(void **state) {
  (void)state;
  assert_clean("R:\n  Type: AWS::DynamoDB::Table\n  Properties:\n"
               "    BillingMode: PAY_PER_REQUEST\n"
               "    KeySchema: [{AttributeName: id, KeyType: HASH}]\n"
               "    AttributeDefinitions: [{AttributeName: id, AttributeType: S}]\n"
               "    Tags: [{Key: team, Value: data}]\n"
               "    SSESpecification: {SSEEnabled: true}\n");
  assert_string_equal(check_resource("R: {Type: AWS::S3::Bucket}\n")->name, "AWS::S3::Bucket");
  assert_null(ctx.diags.head);
}

static void unknown_type_stops_the_check(void **state) {
  (void)state;
  const CfnType *t = check_resource("R:\n  Type: AWS::S3::Buckets\n  Properties:\n    Nope: 1\n");
  assert_null(t);
  assert_int_equal(ctx.diags.errors, 1);
  assert_string_equal(diag_at(&ctx, 0),
                      "stage.yaml:2:9: error: unknown resource type 'AWS::S3::Buckets' [LK390]");
  assert_string_equal(ctx.diags.head->fixit, "AWS::S3::Bucket");
}

static void unknown_type_far_from_all_gets_no_fixit(void **state) {
  (void)state;
  assert_null(check_resource("R: {Type: Acme::Billing::Invoice}\n"));
  assert_true(has_diag(&ctx, "LK390", "'Acme::Billing::Invoice'"));
  assert_null(ctx.diags.head->fixit);
}

static void missing_or_odd_type(void **state) {
  (void)state;
  assert_null(check_resource("R:\n  Properties: {BucketName: b}\n"));
  assert_string_equal(diag_at(&ctx, 0),
                      "stage.yaml:2:3: error: missing required key 'Type': the resource's "
                      "CloudFormation type, e.g. AWS::S3::Bucket [LK102]");
  reset();
  assert_null(check_resource("R: {Type: [AWS::S3::Bucket]}\n"));
  assert_string_equal(diag_at(&ctx, 0),
                      "stage.yaml:1:11: error: 'Type' must be a string, not a sequence [LK101]");
}

static void unknown_properties_at_any_depth(void **state) {
  (void)state;
  const CfnType *t = check_resource(
      "R:\n  Type: AWS::S3::Bucket\n  Properties:\n    BucketNme: data\n"
      "    LifecycleConfiguration:\n      Rules:\n        - Status: Enabled\n"
      "          ExpirationInDay: 30\n");
  assert_non_null(t); /* the type is known: the caller may go on */
  assert_int_equal(ctx.diags.errors, 2);
  assert_string_equal(diag_at(&ctx, 0), "stage.yaml:4:5: error: unknown property 'BucketNme' of "
                                         "AWS::S3::Bucket [LK391]");
  assert_string_equal(ctx.diags.head->fixit, "BucketName");
  assert_string_equal(diag_at(&ctx, 1),
                      "stage.yaml:8:11: error: unknown property 'ExpirationInDay' in "
                      "'LifecycleConfiguration.Rules[0]' of AWS::S3::Bucket [LK391]");
  assert_string_equal(ctx.diags.head->next->fixit, "ExpirationInDays");
}

static void read_only_properties_are_refused(void **state) {
  (void)state;
  assert_true(prop_of("AWS::S3::Bucket", "Arn")->read_only);
  assert_false(prop_of("AWS::S3::Bucket", "BucketName")->read_only);
  check_resource("R:\n  Type: AWS::S3::Bucket\n  Properties:\n    Arn: arn:aws:s3:::data\n"
                 "    DomainNam: data.s3.amazonaws.com\n");
  assert_int_equal(ctx.diags.errors, 2);
  assert_string_equal(diag_at(&ctx, 0),
                      "stage.yaml:4:5: error: property 'Arn' of AWS::S3::Bucket is read-only: "
                      "CloudFormation sets it (read it with Fn::GetAtt), a template cannot [LK391]");
  /* a read-only name is not suggested for a misspelt one */
  assert_true(has_diag(&ctx, "LK391", "unknown property 'DomainNam'"));
  assert_null(ctx.diags.head->next->fixit);
}

static void open_shapes_take_any_name(void **state) {
  (void)state;
  assert_clean("R:\n  Type: Custom::SeedData\n  Properties:\n    ServiceToken: arn:x\n"
               "    Rows: [{id: 1}]\n    Anything: {at: all}\n");
  assert_clean("R:\n  Type: AWS::CloudFormation::Stack\n  Properties:\n"
               "    TemplateURL: https://example.com/t.json\n"
               "    Parameters: {AnyName: x, Other: 2}\n");
}

static void required_properties_are_listed(void **state) {
  (void)state;
  check_resource("R:\n  Type: AWS::Lambda::Function\n  Properties:\n    Runtime: python3.12\n");
  assert_string_equal(diag_at(&ctx, 0),
                      "stage.yaml:4:5: error: missing required properties 'Code', 'Role' of "
                      "AWS::Lambda::Function [LK392]");
  reset();
  /* no Properties at all: at the resource */
  check_resource("R:\n  Type: AWS::DynamoDB::Table\n");
  assert_string_equal(diag_at(&ctx, 0),
                      "stage.yaml:2:3: error: missing required property 'KeySchema' of "
                      "AWS::DynamoDB::Table [LK392]");
  reset();
  check_resource("R:\n  Type: AWS::DynamoDB::Table\n  Properties:\n");
  assert_true(has_diag(&ctx, "LK392", "'KeySchema' of AWS::DynamoDB::Table"));
}

/* Given the resource's map, the checker reports at the Properties key. */
static void required_properties_at_the_properties_key(void **state) {
  (void)state;
  Node *root = load_text(&ctx, "stage.yaml",
                         "R:\n  Type: AWS::Lambda::Function\n  Properties:\n    Runtime: python3.12\n"
                         "S:\n  Type: AWS::DynamoDB::Table\n  Properties:\n"
                         "T: [AWS::S3::Bucket]\n");
  const CfnType *t = cfnspec_check_resource(&ctx, node_get(root, "R"));
  assert_string_equal(t->name, "AWS::Lambda::Function");
  assert_string_equal(diag_at(&ctx, 0),
                      "stage.yaml:3:3: error: missing required properties 'Code', 'Role' of "
                      "AWS::Lambda::Function [LK392]");
  cfnspec_check_resource(&ctx, node_get(root, "S"));
  assert_string_equal(diag_at(&ctx, 1),
                      "stage.yaml:7:3: error: missing required property 'KeySchema' of "
                      "AWS::DynamoDB::Table [LK392]");
  assert_null(cfnspec_check_resource(&ctx, node_get(root, "T"))); /* the caller's to report */
  assert_null(cfnspec_check_resource(&ctx, NULL));
  assert_int_equal(ctx.diags.errors, 2);
}

static void nested_required_properties(void **state) {
  (void)state;
  check_resource("R:\n  Type: AWS::DynamoDB::Table\n  Properties:\n"
                 "    KeySchema:\n      - AttributeName: id\n"
                 "    VersioningConfiguration: {}\n");
  assert_int_equal(ctx.diags.errors, 2);
  assert_string_equal(diag_at(&ctx, 0),
                      "stage.yaml:5:9: error: missing required property 'KeyType' in "
                      "'KeySchema[0]' of AWS::DynamoDB::Table [LK392]");
  assert_true(has_diag(&ctx, "LK391", "'VersioningConfiguration'"));
  reset();
  check_resource("R:\n  Type: AWS::S3::Bucket\n  Properties:\n    VersioningConfiguration: {}\n");
  assert_string_equal(diag_at(&ctx, 0),
                      "stage.yaml:4:30: error: missing required property 'Status' in "
                      "'VersioningConfiguration' of AWS::S3::Bucket [LK392]");
}

static void values_of_the_wrong_kind(void **state) {
  (void)state;
  check_resource("R:\n  Type: AWS::DynamoDB::Table\n  Properties:\n"
                 "    KeySchema: [{AttributeName: [id], KeyType: HASH}]\n"
                 "    TableName: {name: t}\n"
                 "    AttributeDefinitions: {AttributeName: id}\n"
                 "    ProvisionedThroughput: {ReadCapacityUnits: five, WriteCapacityUnits: 1.5}\n"
                 "    DeletionProtectionEnabled: yes\n");
  assert_int_equal(ctx.diags.errors, 6);
  assert_string_equal(diag_at(&ctx, 0),
                      "stage.yaml:4:33: error: 'KeySchema[0].AttributeName' of AWS::DynamoDB::Table "
                      "must be a string, not a list [LK393]");
  assert_string_equal(diag_at(&ctx, 1), "stage.yaml:5:16: error: 'TableName' of "
                                         "AWS::DynamoDB::Table must be a string, not a map [LK393]");
  assert_string_equal(diag_at(&ctx, 2),
                      "stage.yaml:6:27: error: 'AttributeDefinitions' of AWS::DynamoDB::Table "
                      "must be a list, not a map [LK393]");
  assert_string_equal(diag_at(&ctx, 3),
                      "stage.yaml:7:48: error: 'ProvisionedThroughput.ReadCapacityUnits' of "
                      "AWS::DynamoDB::Table must be a whole number, not 'five' [LK393]");
  assert_string_equal(diag_at(&ctx, 4),
                      "stage.yaml:7:74: error: 'ProvisionedThroughput.WriteCapacityUnits' of "
                      "AWS::DynamoDB::Table must be a whole number, not '1.5' [LK393]");
  assert_string_equal(diag_at(&ctx, 5),
                      "stage.yaml:8:32: error: 'DeletionProtectionEnabled' of "
                      "AWS::DynamoDB::Table must be true/false, not 'yes' [LK393]");
}

static void scalars_that_cloudformation_converts(void **state) {
  (void)state;
  /* a number or boolean where text belongs, a quoted number or boolean where one belongs */
  assert_clean("R:\n  Type: AWS::DynamoDB::Table\n  Properties:\n"
               "    KeySchema: [{AttributeName: 42, KeyType: true}]\n"
               "    ProvisionedThroughput: {ReadCapacityUnits: '5', WriteCapacityUnits: -1}\n"
               "    DeletionProtectionEnabled: 'False'\n");
  /* a number where a number (not only a whole one) belongs */
  assert_clean("R:\n  Type: AWS::CloudWatch::Alarm\n  Properties:\n"
               "    ComparisonOperator: GreaterThanThreshold\n    EvaluationPeriods: 1\n"
               "    Threshold: 0.5e2\n");
  check_resource("R:\n  Type: AWS::CloudWatch::Alarm\n  Properties:\n"
                 "    ComparisonOperator: GreaterThanThreshold\n    EvaluationPeriods: 1\n"
                 "    Threshold: 0x10\n");
  assert_true(has_diag(&ctx, "LK393", "'Threshold' of AWS::CloudWatch::Alarm must be a number, "
                                      "not '0x10'"));
}

static void nulls_are_refused(void **state) {
  (void)state;
  check_resource("R:\n  Type: AWS::S3::Bucket\n  Properties:\n    BucketName:\n"
                 "    Tags: [~]\n");
  assert_int_equal(ctx.diags.errors, 2);
  assert_string_equal(diag_at(&ctx, 0),
                      "stage.yaml:4:5: error: 'BucketName' of AWS::S3::Bucket is null: "
                      "CloudFormation refuses null values (leave the property out) [LK393]");
  assert_true(has_diag(&ctx, "LK393", "'Tags[0]' of AWS::S3::Bucket is null"));
}

static void long_values_are_not_quoted(void **state) {
  (void)state;
  check_resource("R:\n  Type: AWS::S3::Bucket\n  Properties:\n    Tags: |\n      Key: team\n"
                 "      Value: data\n");
  assert_true(has_diag(&ctx, "LK393", "'Tags' of AWS::S3::Bucket must be a list, not a long string"));
}

static void properties_must_be_a_map(void **state) {
  (void)state;
  check_resource("R:\n  Type: AWS::S3::Bucket\n  Properties: [BucketName]\n");
  assert_string_equal(diag_at(&ctx, 0),
                      "stage.yaml:3:15: error: 'Properties' of AWS::S3::Bucket must be a map, not "
                      "a list [LK393]");
}

static void intrinsic_functions_are_not_checked(void **state) {
  (void)state;
  assert_clean("R:\n  Type: AWS::DynamoDB::Table\n  Properties:\n"
               "    KeySchema: {Ref: KeysParameter}\n"
               "    TableName: {Fn::Join: ['-', [a, b]]}\n"
               "    ProvisionedThroughput:\n"
               "      ReadCapacityUnits: {Fn::GetAtt: [Other, Units]}\n"
               "      WriteCapacityUnits: '${functions.f.memory}'\n"
               "    AttributeDefinitions:\n      - {Fn::If: [IsProd, {AttributeName: id}, {Ref: AWS::NoValue}]}\n"
               "    DeletionProtectionEnabled: {Condition: IsProd}\n"
               "    Tags: '${vars.tags}'\n");
  assert_clean("R:\n  Type: AWS::S3::Bucket\n  Properties: {Fn::If: [IsProd, {Nope: 1}, {}]}\n");
  /* a map of two keys is not a function: it is checked */
  check_resource("R:\n  Type: AWS::S3::Bucket\n  Properties:\n    BucketName: {Ref: X, Other: 1}\n");
  assert_true(has_diag(&ctx, "LK393", "'BucketName' of AWS::S3::Bucket must be a string, not a map"));
}

/* Runs the checker over every resource under `key` of a YAML (or JSON) text;
 * returns how many there were. */
static size_t check_resources(const char *name, const char *text, const char *key) {
  Node *root = load_text(&ctx, name, text);
  assert_non_null(root);
  const Node *resources = node_get(root, key);
  assert_non_null(resources);
  for (size_t i = 0; i < resources->count; i++) {
    const Node *r = resources->pairs[i].value;
    cfnspec_check(&ctx, node_get(r, "Type"), node_get(r, "Properties"), r->pos);
  }
  return resources->count;
}

/* `lakec explain`'s examples of the four codes, through the checker alone
 * (unit_codes runs them through a whole build once `resources:` exists). */
static void explain_examples_do_what_they_say(void **state) {
  (void)state;
  const char *codes[] = {LK_CFN_TYPE, LK_CFN_PROPERTY, LK_CFN_REQUIRED, LK_CFN_VALUE};
  for (size_t i = 0; i < sizeof codes / sizeof *codes; i++) {
    const DiagCode *c = diag_code_find(codes[i]);
    assert_non_null(c);
    check_resources("stage.yaml", c->bad, "resources");
    assert_int_equal(ctx.diags.errors, 1);
    assert_string_equal(ctx.diags.head->code, codes[i]);
    reset();
    check_resources("stage.yaml", c->good, "resources");
    if (ctx.diags.head)
      fail_msg("%s: the right example is not clean: %s", codes[i], diag_at(&ctx, 0));
  }
}

/* Every resource of the golden templates (which pass cfn-lint and deploy in
 * moto) passes the checker: it does not refuse what CloudFormation takes,
 * GetAtt, Sub, Join and the rest inside properties included. */
static void golden_templates_pass(void **state) {
  (void)state;
  const char *root = getenv("LAKEC_SOURCE_DIR");
  char pattern[1024];
  snprintf(pattern, sizeof pattern, "%s/tests/golden/*/*/*.template.json", root ? root : ".");
  glob_t found;
  assert_int_equal(glob(pattern, 0, NULL, &found), 0);
  assert_true(found.gl_pathc >= 10);
  size_t resources = 0;
  for (size_t i = 0; i < found.gl_pathc; i++) {
    const char *rel = found.gl_pathv[i] + strlen(pattern) - strlen("tests/golden/*/*/*.template.json");
    char *text = read_source_file(rel);
    assert_non_null(text);
    resources += check_resources(rel, text, "Resources");
    free(text);
    if (ctx.diags.head)
      fail_msg("%s", diag_at(&ctx, 0));
  }
  globfree(&found);
  assert_true(resources > 300);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(types_are_sorted_with_sorted_properties, setup, teardown),
      cmocka_unit_test_setup_teardown(types_are_found_by_name, setup, teardown),
      cmocka_unit_test_setup_teardown(properties_carry_their_types, setup, teardown),
      cmocka_unit_test_setup_teardown(nested_shapes_are_followed, setup, teardown),
      cmocka_unit_test_setup_teardown(recursive_definitions_are_whole, setup, teardown),
      cmocka_unit_test_setup_teardown(attributes_are_known, setup, teardown),
      cmocka_unit_test_setup_teardown(unknown_types_get_the_nearest, setup, teardown),
      cmocka_unit_test_setup_teardown(a_valid_resource_is_clean, setup, teardown),
      cmocka_unit_test_setup_teardown(unknown_type_stops_the_check, setup, teardown),
      cmocka_unit_test_setup_teardown(unknown_type_far_from_all_gets_no_fixit, setup, teardown),
      cmocka_unit_test_setup_teardown(missing_or_odd_type, setup, teardown),
      cmocka_unit_test_setup_teardown(unknown_properties_at_any_depth, setup, teardown),
      cmocka_unit_test_setup_teardown(read_only_properties_are_refused, setup, teardown),
      cmocka_unit_test_setup_teardown(open_shapes_take_any_name, setup, teardown),
      cmocka_unit_test_setup_teardown(required_properties_are_listed, setup, teardown),
      cmocka_unit_test_setup_teardown(required_properties_at_the_properties_key, setup, teardown),
      cmocka_unit_test_setup_teardown(nested_required_properties, setup, teardown),
      cmocka_unit_test_setup_teardown(values_of_the_wrong_kind, setup, teardown),
      cmocka_unit_test_setup_teardown(scalars_that_cloudformation_converts, setup, teardown),
      cmocka_unit_test_setup_teardown(nulls_are_refused, setup, teardown),
      cmocka_unit_test_setup_teardown(long_values_are_not_quoted, setup, teardown),
      cmocka_unit_test_setup_teardown(properties_must_be_a_map, setup, teardown),
      cmocka_unit_test_setup_teardown(intrinsic_functions_are_not_checked, setup, teardown),
      cmocka_unit_test_setup_teardown(explain_examples_do_what_they_say, setup, teardown),
      cmocka_unit_test_setup_teardown(golden_templates_pass, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
