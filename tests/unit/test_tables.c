/* tables: the DynamoDB table construct: the table lakec creates (keys,
 * attribute definitions, billing, indexes, the stage's defaults), the table
 * that exists (no resource, literal name and ARN), the read_table and
 * write_table grants (their exact actions, resources and variable), and the
 * table's checks. */
#include "support.h"

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

#define ORDERS                                                                           \
  "tables:\n  orders:\n    partition_key: id\n    sort_key: {name: at, type: number}\n"    \
  "    encryption: aws_managed\n    ttl_attribute: expires\n    stream: new_image\n"        \
  "    indexes:\n"                                                                        \
  "      by-customer: {partition_key: customer, sort_key: {name: at, type: number},"      \
  " include: [total, state]}\n"                                                           \
  "      by-state: {partition_key: state, projection: keys_only}\n"                       \
  "      by-day: {partition_key: {name: day, type: number}}\n"
#define CONVERSATIONS                                                                    \
  "  conversations:\n    existing: {name: cat-dev-conversations, indexes: [by-user]}\n"   \
  "  plain:\n    existing: cat-dev-plain\n"
/* A program lakec does not know ("drain"): it gets every variable its grants
 * set, where lakec's own "worker" would get only its bucket's. */
#define WORKER                                                                           \
  "functions:\n  worker:\n    handler: drain\n    grants:\n      - read_table: orders\n"                     \
  "      - write_table: orders\n      - read_table: conversations\n"                     \
  "      - read_table: plain\n"

static const char *text_at(const char *id, const char *path) {
  json_t *v = res_get(ir, id, path);
  if (!v)
    fail_msg("%s %s: missing", id, path);
  return json_text(&ctx, v);
}

#define STATEMENTS "Properties.Policies.0.PolicyDocument.Statement"

/* The statement of a role's policy whose Sid is sid, or NULL. */
static json_t *statement_in(json_t *st, const char *sid) {
  size_t i;
  json_t *s;
  json_array_foreach(st, i, s) {
    if (!strcmp(json_string_value(json_object_get(s, "Sid")), sid))
      return s;
  }
  return NULL;
}

static json_t *statement(const char *role, const char *sid) {
  return statement_in(res_get(ir, role, STATEMENTS), sid);
}

static size_t count_type(const char *type) {
  size_t n = 0;
  for (size_t i = 0; i < ir->resources.len; i++)
    n += !strcmp(((const IrResource *)ir->resources.items[i])->type, type);
  return n;
}

/* ---- the table lakec creates ---- */

static void a_table_has_its_keys_and_the_stage_defaults(void **state) {
  (void)state;
  ir = lower_text(&ctx, MINIMAL_STAGE "tables:\n  users: {partition_key: id}\n");
  assert_string_equal(ir_find(ir, "UsersTable")->type, "AWS::DynamoDB::Table");
  assert_string_equal(res_str(ir, "UsersTable", "Properties.TableName"), "demo-dev-users");
  assert_string_equal(text_at("UsersTable", "Properties.AttributeDefinitions"),
                      "[{\"AttributeName\":\"id\",\"AttributeType\":\"S\"}]");
  assert_string_equal(text_at("UsersTable", "Properties.KeySchema"),
                      "[{\"AttributeName\":\"id\",\"KeyType\":\"HASH\"}]");
  assert_string_equal(res_str(ir, "UsersTable", "Properties.BillingMode"), "PAY_PER_REQUEST");
  assert_null(res_get(ir, "UsersTable", "Properties.ProvisionedThroughput"));
  assert_true(json_is_false(
      res_get(ir, "UsersTable", "Properties.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled")));
  assert_true(json_is_false(res_get(ir, "UsersTable", "Properties.DeletionProtectionEnabled")));
  /* DynamoDB's own key: no SSESpecification at all */
  assert_null(res_get(ir, "UsersTable", "Properties.SSESpecification"));
  assert_null(res_get(ir, "UsersTable", "Properties.TimeToLiveSpecification"));
  assert_null(res_get(ir, "UsersTable", "Properties.StreamSpecification"));
  assert_null(res_get(ir, "UsersTable", "Properties.GlobalSecondaryIndexes"));
  assert_string_equal(ir_find(ir, "UsersTable")->deletion_policy, "Delete");
  assert_string_equal(ir_find(ir, "UsersTable")->update_replace_policy, "Delete");
  assert_non_null(res_get(ir, "UsersTable", "Properties.Tags"));
  /* the rule packs' finding about recovery is excused, with the reason */
  assert_non_null(strstr(json_text(&ctx, ir_find(ir, "UsersTable")->metadata), "AwsSolutions-DDB3"));
}

static void indexes_define_each_key_attribute_once(void **state) {
  (void)state;
  ir = lower_text(&ctx, MINIMAL_STAGE ORDERS);
  assert_string_equal(text_at("OrdersTable", "Properties.AttributeDefinitions"),
                      "[{\"AttributeName\":\"id\",\"AttributeType\":\"S\"},"
                      "{\"AttributeName\":\"at\",\"AttributeType\":\"N\"},"
                      "{\"AttributeName\":\"customer\",\"AttributeType\":\"S\"},"
                      "{\"AttributeName\":\"state\",\"AttributeType\":\"S\"},"
                      "{\"AttributeName\":\"day\",\"AttributeType\":\"N\"}]");
  assert_string_equal(text_at("OrdersTable", "Properties.KeySchema"),
                      "[{\"AttributeName\":\"id\",\"KeyType\":\"HASH\"},"
                      "{\"AttributeName\":\"at\",\"KeyType\":\"RANGE\"}]");
  assert_string_equal(text_at("OrdersTable", "Properties.GlobalSecondaryIndexes"),
                      "[{\"IndexName\":\"by-customer\",\"KeySchema\":["
                      "{\"AttributeName\":\"customer\",\"KeyType\":\"HASH\"},"
                      "{\"AttributeName\":\"at\",\"KeyType\":\"RANGE\"}],"
                      "\"Projection\":{\"NonKeyAttributes\":[\"total\",\"state\"],"
                      "\"ProjectionType\":\"INCLUDE\"}},"
                      "{\"IndexName\":\"by-state\",\"KeySchema\":["
                      "{\"AttributeName\":\"state\",\"KeyType\":\"HASH\"}],"
                      "\"Projection\":{\"ProjectionType\":\"KEYS_ONLY\"}},"
                      "{\"IndexName\":\"by-day\",\"KeySchema\":["
                      "{\"AttributeName\":\"day\",\"KeyType\":\"HASH\"}],"
                      "\"Projection\":{\"ProjectionType\":\"ALL\"}}]");
  assert_string_equal(text_at("OrdersTable", "Properties.SSESpecification"),
                      "{\"SSEEnabled\":true,\"SSEType\":\"KMS\"}");
  assert_string_equal(text_at("OrdersTable", "Properties.TimeToLiveSpecification"),
                      "{\"AttributeName\":\"expires\",\"Enabled\":true}");
  assert_string_equal(res_str(ir, "OrdersTable", "Properties.StreamSpecification.StreamViewType"),
                      "NEW_IMAGE");
}

static void provisioned_capacity_applies_to_the_indexes_too(void **state) {
  (void)state;
  ir = lower_text(&ctx, MINIMAL_STAGE "tables:\n  counters:\n    name: Counters.v2\n"
                                      "    partition_key: {name: k, type: binary}\n"
                                      "    billing: provisioned\n    read_capacity: 5\n"
                                      "    write_capacity: 2\n"
                                      "    indexes: {by-x: {partition_key: x}}\n");
  assert_string_equal(res_str(ir, "CountersTable", "Properties.TableName"), "Counters.v2");
  assert_string_equal(res_str(ir, "CountersTable", "Properties.BillingMode"), "PROVISIONED");
  assert_string_equal(text_at("CountersTable", "Properties.ProvisionedThroughput"),
                      "{\"ReadCapacityUnits\":5,\"WriteCapacityUnits\":2}");
  assert_string_equal(
      text_at("CountersTable", "Properties.GlobalSecondaryIndexes.0.ProvisionedThroughput"),
      "{\"ReadCapacityUnits\":5,\"WriteCapacityUnits\":2}");
  assert_string_equal(res_str(ir, "CountersTable", "Properties.AttributeDefinitions.0.AttributeType"),
                      "B");
}

static void production_keeps_and_protects_its_tables(void **state) {
  (void)state;
  ir = lower_text(&ctx, MINIMAL_STAGE "production: true\ntables:\n"
                                      "  a: {partition_key: id, indexes: {by-x: {partition_key: x}}}\n"
                                      "  b: {partition_key: id}\n"
                                      "  c: {partition_key: id, indexes: {by-y: {partition_key: y}},"
                                      " point_in_time_recovery: false}\n");
  assert_string_equal(ir_find(ir, "ATable")->deletion_policy, "Retain");
  assert_string_equal(ir_find(ir, "ATable")->update_replace_policy, "Retain");
  assert_true(json_is_true(
      res_get(ir, "ATable", "Properties.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled")));
  assert_true(json_is_true(res_get(ir, "ATable", "Properties.DeletionProtectionEnabled")));
  assert_null(ir_find(ir, "ATable")->metadata); /* recovery on: nothing to excuse */
  assert_true(json_is_false(
      res_get(ir, "CTable", "Properties.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled")));
  /* tables with indexes are created one after the other */
  const IrResource *a = ir_find(ir, "ATable"), *b = ir_find(ir, "BTable"),
                   *c = ir_find(ir, "CTable");
  assert_int_equal(a->depends_on.len, 0);
  assert_int_equal(b->depends_on.len, 0);
  assert_int_equal(c->depends_on.len, 1);
  assert_string_equal((const char *)c->depends_on.items[0], "ATable");
}

/* ---- grants ---- */

static void read_table_allows_reads_of_the_table_and_its_indexes(void **state) {
  (void)state;
  ir = lower_text(&ctx, MINIMAL_STAGE ORDERS CONVERSATIONS WORKER);
  json_t *st = statement("WorkerFunctionRole", "ReadTableOrders");
  assert_non_null(st);
  assert_string_equal(json_text(&ctx, json_object_get(st, "Action")),
                      "[\"dynamodb:GetItem\",\"dynamodb:BatchGetItem\",\"dynamodb:Query\","
                      "\"dynamodb:Scan\",\"dynamodb:DescribeTable\",\"dynamodb:ConditionCheckItem\"]");
  assert_string_equal(json_text(&ctx, json_object_get(st, "Resource")),
                      "[{\"Fn::GetAtt\":[\"OrdersTable\",\"Arn\"]},"
                      "{\"Fn::Sub\":\"${OrdersTable.Arn}/index/by-customer\"},"
                      "{\"Fn::Sub\":\"${OrdersTable.Arn}/index/by-state\"},"
                      "{\"Fn::Sub\":\"${OrdersTable.Arn}/index/by-day\"}]");
  assert_string_equal(res_str(ir, "WorkerFunction", "Properties.Environment.Variables.LAKEC_TABLE_ORDERS.Ref"),
                      "OrdersTable");
}

static void write_table_allows_writes_of_the_table_only(void **state) {
  (void)state;
  ir = lower_text(&ctx, MINIMAL_STAGE ORDERS CONVERSATIONS WORKER);
  json_t *st = statement("WorkerFunctionRole", "WriteTableOrders");
  assert_non_null(st);
  assert_string_equal(json_text(&ctx, json_object_get(st, "Action")),
                      "[\"dynamodb:PutItem\",\"dynamodb:UpdateItem\",\"dynamodb:DeleteItem\","
                      "\"dynamodb:BatchWriteItem\",\"dynamodb:DescribeTable\"]");
  assert_string_equal(json_text(&ctx, json_object_get(st, "Resource")),
                      "{\"Fn::GetAtt\":[\"OrdersTable\",\"Arn\"]}");
}

/* ---- the table that exists ---- */

static void an_existing_table_creates_nothing_and_is_named_by_literals(void **state) {
  (void)state;
  ir = lower_text(&ctx, MINIMAL_STAGE ORDERS CONVERSATIONS WORKER);
  assert_int_equal(count_type("AWS::DynamoDB::Table"), 1); /* orders only */
  assert_null(ir_find(ir, "ConversationsTable"));
  assert_null(ir_find(ir, "PlainTable"));
  json_t *st = statement("WorkerFunctionRole", "ReadTableConversations");
  assert_non_null(st);
  assert_string_equal(
      json_text(&ctx, json_object_get(st, "Resource")),
      "[{\"Fn::Sub\":\"arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:"
      "table/cat-dev-conversations\"},"
      "{\"Fn::Sub\":\"arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:"
      "table/cat-dev-conversations/index/by-user\"}]");
  /* no index listed: the table alone */
  st = statement("WorkerFunctionRole", "ReadTablePlain");
  assert_string_equal(json_text(&ctx, json_object_get(st, "Resource")),
                      "{\"Fn::Sub\":\"arn:${AWS::Partition}:dynamodb:${AWS::Region}:"
                      "${AWS::AccountId}:table/cat-dev-plain\"}");
  assert_string_equal(res_str(ir, "WorkerFunction", "Properties.Environment.Variables.LAKEC_TABLE_CONVERSATIONS"),
                      "cat-dev-conversations");
  assert_string_equal(res_str(ir, "WorkerFunction", "Properties.Environment.Variables.LAKEC_TABLE_PLAIN"),
                      "cat-dev-plain");
}

/* A table in another stack is named by its literals: no export, no import. */
static void another_stack_uses_the_tables_literals(void **state) {
  (void)state;
  Linked *l = link_text(&ctx,
                        MINIMAL_STAGE "stacks:\n  data: {}\n  app: {}\n"
                                      "tables:\n  orders: {partition_key: id, stack: data}\n"
                                      "functions:\n  worker:\n    handler: drain\n    stack: app\n"
                                      "    grants: [{read_table: orders}]\n",
                        &ir);
  const LinkedStack *app = linked_stack(l, "app");
  assert_non_null(app);
  json_t *fn = json_at(app->template, "Resources.WorkerFunction.Properties.Environment.Variables");
  assert_string_equal(json_string_value(json_object_get(fn, "LAKEC_TABLE_ORDERS")),
                      "demo-dev-orders");
  json_t *st = statement_in(json_at(app->template, "Resources.WorkerFunctionRole." STATEMENTS),
                            "ReadTableOrders");
  assert_non_null(st);
  assert_string_equal(json_text(&ctx, json_object_get(st, "Resource")),
                      "{\"Fn::Sub\":\"arn:${AWS::Partition}:dynamodb:${AWS::Region}:"
                      "${AWS::AccountId}:table/demo-dev-orders\"}");
  assert_null(strstr(json_text(&ctx, app->template), "Fn::ImportValue"));
  linked_free(l);
}

/* ---- checks ---- */

static void check_one(const char *yaml, const char *code, const char *part) {
  ctx_release(&ctx);
  ctx_init(&ctx);
  check_text(&ctx, yaml);
  if (!has_diag(&ctx, code, part))
    fail_msg("expected %s '%s', got: %s", code, part,
             diag_at(&ctx, 0) ? diag_at(&ctx, 0) : "nothing");
}

static void bad_tables_are_reported(void **state) {
  (void)state;
  check_one(MINIMAL_STAGE "tables:\n  t: {name: a/b, partition_key: id}\n", "LK314",
            "table name 'a/b' is invalid: DynamoDB names use only letters");
  check_one(MINIMAL_STAGE "tables:\n  t: {name: ab, partition_key: id}\n", "LK314",
            "DynamoDB names are 3 to 255 characters long");
  check_one(MINIMAL_STAGE "tables:\n  t: {partition_key: id, indexes: {x: {partition_key: y}}}\n",
            "LK314", "index name 'x' is invalid");
  check_one(MINIMAL_STAGE "tables:\n  t: {partition_key: id, billing: provisioned}\n", "LK315",
            "provisioned table 't' needs 'read_capacity' and 'write_capacity'");
  check_one(MINIMAL_STAGE "tables:\n  t: {partition_key: id, write_capacity: 3}\n", "LK315",
            "table 't' is billed on demand: 'write_capacity' needs 'billing: provisioned'");
  check_one(MINIMAL_STAGE "tables:\n  t:\n    partition_key: id\n"
                          "    indexes: {by-id: {partition_key: {name: id, type: number}}}\n",
            "LK316", "key attribute 'id' of table 't' is a number here but a string before");
  check_one(MINIMAL_STAGE "tables:\n  t:\n    existing: x-table\n    stream: keys_only\n", "LK318",
            "'stream' describes a table lakec creates, but table 't' exists already");
  check_one(MINIMAL_STAGE "tables:\n  t: {existing: true}\n", "LK101",
            "'existing' is the table's name ('existing: NAME'), not true");
  check_one(MINIMAL_STAGE "tables:\n  t: {existing: {name: x-table, indexes: [ab]}}\n", "LK314",
            "index name 'ab' is invalid");
  check_one(MINIMAL_STAGE "tables:\n  t: {partition_key: id, sort_key: id}\n", "LK303",
            "the sort key of table 't' is its partition key 'id' too");
  check_one(MINIMAL_STAGE "tables:\n  t: {name: shared, partition_key: id}\n"
                          "  u: {existing: shared}\n",
            "LK302", "tables 't' and 'u' have the same name 'shared'");
  check_one(MINIMAL_STAGE "tables:\n  t: {billing: on_demand}\n", "LK102",
            "missing required key 'partition_key' in table 't'");
  check_one(MINIMAL_STAGE "tables:\n  t:\n    partition_key: id\n"
                          "    indexes: {by-x: {partition_key: x, projection: all, include: [a]}}\n",
            "LK303", "index 'by-x' projects the attributes 'include' lists");
  check_one(MINIMAL_STAGE "functions:\n  f:\n    grants: [{read_table: nope}]\n", "LK301",
            "no table named 'nope' in 'tables'");
}

static void twenty_one_indexes_are_too_many(void **state) {
  (void)state;
  char yaml[4096];
  size_t n = (size_t)snprintf(yaml, sizeof yaml,
                              MINIMAL_STAGE "tables:\n  t:\n    partition_key: id\n    indexes:\n");
  for (int i = 1; i <= 21; i++)
    n += (size_t)snprintf(yaml + n, sizeof yaml - n, "      index%02d: {partition_key: k}\n", i);
  check_one(yaml, "LK317", "table 't' has 21 global secondary indexes; DynamoDB allows 20");
  assert_int_equal(ctx.diags.errors, 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(a_table_has_its_keys_and_the_stage_defaults, setup, teardown),
      cmocka_unit_test_setup_teardown(indexes_define_each_key_attribute_once, setup, teardown),
      cmocka_unit_test_setup_teardown(provisioned_capacity_applies_to_the_indexes_too, setup, teardown),
      cmocka_unit_test_setup_teardown(production_keeps_and_protects_its_tables, setup, teardown),
      cmocka_unit_test_setup_teardown(read_table_allows_reads_of_the_table_and_its_indexes, setup, teardown),
      cmocka_unit_test_setup_teardown(write_table_allows_writes_of_the_table_only, setup, teardown),
      cmocka_unit_test_setup_teardown(an_existing_table_creates_nothing_and_is_named_by_literals, setup, teardown),
      cmocka_unit_test_setup_teardown(another_stack_uses_the_tables_literals, setup, teardown),
      cmocka_unit_test_setup_teardown(bad_tables_are_reported, setup, teardown),
      cmocka_unit_test_setup_teardown(twenty_one_indexes_are_too_many, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
