/* catalog_tables: the column type parser (each type's Hive and Iceberg
 * spelling, and where a refused type is wrong), the lowered Iceberg and
 * Hive tables, and a Glue job's table grants, Iceberg settings and
 * ${KEY.ITEM.ATTR} arguments. */
#include "support.h"

#include "check.h"
#include "coltype.h"
#include "lower.h"
#include "merge.h"

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

/* ---- the type parser ---- */

static void spelled(const char *text, const char *hive, const char *iceberg) {
  ColType t;
  ColTypeError e;
  if (!coltype_parse(text, &t, &e))
    fail_msg("'%s' refused: %s", text, e.why);
  assert_string_equal(t.hive, hive);
  assert_string_equal(t.iceberg, iceberg);
}

static void each_type_is_spelled_for_each_format(void **state) {
  (void)state;
  spelled("string", "string", "string");
  spelled("long", "bigint", "long");
  spelled("bigint", "bigint", "long");
  spelled("decimal(12,2)", "decimal(12,2)", "decimal(12,2)");
  spelled("decimal( 38 , 0 )", "decimal(38,0)", "decimal(38,0)");
  spelled("timestamp", "timestamp", "timestamp");
  spelled("timestamptz", "", "timestamptz"); /* no Hive spelling */
  spelled("uuid", "", "uuid");
  spelled("fixed(16)", "", "fixed[16]");
  spelled("array<long>", "array<bigint>", ""); /* no Iceberg spelling */
  spelled("map<string, array<struct<a:int, b:long>>>",
          "map<string,array<struct<a:int,b:bigint>>>", "");
  ColType t;
  ColTypeError e;
  assert_true(coltype_parse("struct<at:timestamptz>", &t, &e));
  assert_true(t.zoned);
  assert_int_equal(t.kind, COL_STRUCT);
  assert_true(coltype_parse("decimal(9,3)", &t, &e));
  assert_int_equal(t.precision, 9);
  assert_int_equal(t.scale, 3);
}

/* The refusal, the part of the text it points at, and the unknown word. */
static void refused(const char *text, const char *why, size_t at, size_t len, const char *word) {
  ColType t;
  ColTypeError e;
  if (coltype_parse(text, &t, &e))
    fail_msg("'%s' accepted", text);
  assert_string_equal(e.why, why);
  assert_int_equal(e.at, at);
  assert_int_equal(e.len, len);
  assert_string_equal(e.word, word);
}

static void refusals_say_what_and_where(void **state) {
  (void)state;
  refused("varchar2", "unknown type", 0, 8, "varchar2");
  refused("array<strng>", "unknown type", 6, 5, "strng");
  refused("decimal(40,2)", "a decimal's precision is 1 to 38 digits", 8, 2, "");
  refused("decimal(10,11)", "a decimal's scale is 0 to its precision", 11, 2, "");
  refused("decimal", "decimal needs its precision and scale: decimal(P,S)", 7, 1, "");
  refused("array<>", "a type is expected here", 6, 1, "");
  refused("map<int>", "map needs its key and value types: map<K,V>", 7, 1, "");
  refused("map<array<int>,int>", "a map's key is a primitive type", 4, 10, "");
  refused("struct<>", "a struct field is name:type, the name in lowercase", 7, 1, "");
  refused("fixed(0)", "a fixed type's length is at least 1 byte", 6, 1, "");
  refused("int int", "unexpected text after the type", 4, 3, "");
  refused("", "a type is expected here", 0, 1, "");
}

/* ---- the lowered tables ---- */

#define TABLES                                                                           \
  MINIMAL_STAGE "buckets:\n  data: {name: demo-data-dev}\n"                              \
                "databases:\n  lake: {name: demo_lake}\n"                                \
                "catalog_tables:\n"                                                      \
                "  orders:\n    database: lake\n    location: data/silver/orders/\n"     \
                "    format: iceberg\n    format_version: 1\n    columns:\n"             \
                "      - {name: id, type: long, required: true, comment: key}\n"         \
                "      - {name: at, type: timestamptz}\n"                                \
                "      - {name: code, type: string}\n"                                   \
                "    identifier: [id]\n    partition:\n      - month(at)\n"              \
                "      - bucket(4, code)\n      - truncate[2](code)\n"                   \
                "    write_mode: copy-on-write\n    properties: {a.b: c}\n"              \
                "  events:\n    database: lake\n    location: data/events/\n"            \
                "    format: csv\n    columns: [{name: n, type: long}]\n"                \
                "    partitions: [{name: d, type: string}, {name: s, type: string}]\n"   \
                "    projection:\n      d: {type: date, format: yyyy/MM/dd, range: "     \
                "\"2024/01/31,NOW-1YEAR\"}\n"                                            \
                "      s: {type: enum, values: [a, b]}\n"

static void an_iceberg_table_has_ids_and_a_partition_spec(void **state) {
  (void)state;
  ir = lower_text(&ctx, TABLES);
  assert_string_equal(ir_find(ir, "OrdersCatalogTable")->type, "AWS::Glue::Table");
  assert_string_equal(res_str(ir, "OrdersCatalogTable", "Properties.DatabaseName"), "demo_lake");
  assert_null(res_get(ir, "OrdersCatalogTable", "Properties.TableInput"));
  const char *in = "Properties.OpenTableFormatInput.IcebergInput";
  assert_string_equal(
      res_str(ir, "OrdersCatalogTable", arena_printf(&ctx.arena, "%s.Version", in)), "1");
  json_t *table = res_get(ir, "OrdersCatalogTable",
                          arena_printf(&ctx.arena, "%s.IcebergTableInput", in));
  assert_string_equal(json_text(&ctx, json_at(table, "Location")),
                      "\"s3://demo-data-dev/silver/orders/\"");
  assert_string_equal(
      json_text(&ctx, json_at(table, "Schema")),
      "{\"Fields\":[{\"Doc\":\"key\",\"Id\":1,\"Name\":\"id\",\"Required\":true,\"Type\":\"long\"},"
      "{\"Id\":2,\"Name\":\"at\",\"Required\":false,\"Type\":\"timestamptz\"},"
      "{\"Id\":3,\"Name\":\"code\",\"Required\":false,\"Type\":\"string\"}],"
      "\"IdentifierFieldIds\":[1],\"SchemaId\":0,\"Type\":\"struct\"}");
  assert_string_equal(
      json_text(&ctx, json_at(table, "PartitionSpec")),
      "{\"Fields\":[{\"FieldId\":1000,\"Name\":\"at_month\",\"SourceId\":2,"
      "\"Transform\":\"month\"},"
      "{\"FieldId\":1001,\"Name\":\"code_bucket\",\"SourceId\":3,\"Transform\":\"bucket[4]\"},"
      "{\"FieldId\":1002,\"Name\":\"code_trunc\",\"SourceId\":3,\"Transform\":\"truncate[2]\"}],"
      "\"SpecId\":0}");
  assert_string_equal(json_text(&ctx, json_at(table, "Properties")),
                      "{\"a.b\":\"c\",\"write.delete.mode\":\"copy-on-write\","
                      "\"write.merge.mode\":\"copy-on-write\",\"write.update.mode\":"
                      "\"copy-on-write\"}");
  const IrResource *r = ir_find(ir, "OrdersCatalogTable");
  assert_int_equal(r->depends_on.len, 1);
  assert_string_equal(r->depends_on.items[0], "LakeDatabase");
}

static void a_projected_hive_table_has_athenas_parameters(void **state) {
  (void)state;
  ir = lower_text(&ctx, TABLES);
  assert_null(res_get(ir, "EventsCatalogTable", "Properties.OpenTableFormatInput"));
  assert_string_equal(
      json_text(&ctx, res_get(ir, "EventsCatalogTable", "Properties.TableInput.Parameters")),
      "{\"EXTERNAL\":\"TRUE\",\"classification\":\"csv\",\"projection.d.format\":\"yyyy/MM/dd\","
      "\"projection.d.range\":\"2024/01/31,NOW-1YEAR\",\"projection.d.type\":\"date\","
      "\"projection.enabled\":\"true\",\"projection.s.type\":\"enum\","
      "\"projection.s.values\":\"a,b\",\"storage.location.template\":"
      "\"s3://demo-data-dev/events/d=${d}/s=${s}/\"}");
  assert_string_equal(
      json_text(&ctx, res_get(ir, "EventsCatalogTable", "Properties.TableInput.PartitionKeys")),
      "[{\"Name\":\"d\",\"Type\":\"string\"},{\"Name\":\"s\",\"Type\":\"string\"}]");
  assert_string_equal(res_str(ir, "EventsCatalogTable",
                              "Properties.TableInput.StorageDescriptor.Columns.0.Type"),
                      "bigint");
  assert_string_equal(res_str(ir, "EventsCatalogTable",
                              "Properties.TableInput.StorageDescriptor.SerdeInfo."
                              "SerializationLibrary"),
                      "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe");
}

/* ---- jobs ---- */

/* The stage (TABLES and a job) beside the job's script, lowered. */
static Ir *lower_with_job(const char *job) {
  const char *dir = temp_dir(&ctx);
  write_text(dir, "etl.py", "print('etl')\n");
  const char *path = arena_printf(&ctx.arena, "%s/stage.yaml", dir);
  Node *root = load_text(&ctx, path, arena_printf(&ctx.arena, "%sjobs:\n  etl:\n    script: "
                                                  "etl.py\n%s", TABLES, job));
  assert_non_null(root);
  Model *m = check(&ctx, merge_interpolate(&ctx, root));
  if (ctx.diags.errors)
    fail_msg("%s", diag_at(&ctx, 0));
  return lower(&ctx, m);
}

static const char *statement(const char *sid) {
  json_t *st = res_get(ir, "EtlJobRole", "Properties.Policies.0.PolicyDocument.Statement");
  for (size_t i = 0; i < json_array_size(st); i++)
    if (!strcmp(json_string_value(json_object_get(json_array_get(st, i), "Sid")), sid))
      return json_text(&ctx, json_array_get(st, i));
  fail_msg("no statement %s", sid);
  return NULL;
}

static void a_job_writing_iceberg_gets_its_settings_and_grants(void **state) {
  (void)state;
  ir = lower_with_job("    read_tables: [events]\n    write_tables: [orders]\n"
                      "    arguments:\n      t: ${catalog_tables.orders.database}."
                      "${catalog_tables.orders.name}\n"
                      "      arn: ${catalog_tables.events.arn} and $${literal}\n"
                      "      bucket: s3://${buckets.data.name}/x ${jobs.etl.name}\n");
  json_t *args = res_get(ir, "EtlJob", "Properties.DefaultArguments");
  assert_string_equal(json_text(&ctx, json_at(args, "--datalake-formats")), "\"iceberg\"");
  const char *conf = json_string_value(json_object_get(args, "--conf"));
  assert_non_null(strstr(conf, "spark.sql.catalog.glue_catalog.warehouse=s3://demo-data-dev/"
                               "silver/ --conf "));
  assert_non_null(strstr(conf, "catalog-impl=org.apache.iceberg.aws.glue.GlueCatalog"));
  assert_string_equal(json_text(&ctx, json_object_get(args, "--t")), "\"demo_lake.orders\"");
  assert_string_equal(json_text(&ctx, json_object_get(args, "--arn")),
                      "{\"Fn::Sub\":\"arn:${AWS::Partition}:glue:${AWS::Region}:"
                      "${AWS::AccountId}:table/demo_lake/events and ${!literal}\"}");
  /* names lakec fixed are text, not a Ref (moto creates no Glue job) */
  assert_string_equal(json_text(&ctx, json_object_get(args, "--bucket")),
                      "\"s3://demo-data-dev/x demo-dev-etl\"");
  assert_string_equal(
      statement("UpdateCatalogTableOrders"),
      "{\"Action\":[\"glue:GetDatabase\",\"glue:GetTable\",\"glue:GetTables\","
      "\"glue:GetPartition\",\"glue:GetPartitions\",\"glue:UpdateTable\","
      "\"glue:CreatePartition\",\"glue:BatchCreatePartition\",\"glue:UpdatePartition\","
      "\"glue:DeletePartition\",\"glue:BatchDeletePartition\"],\"Effect\":\"Allow\","
      "\"Resource\":[{\"Fn::Sub\":\"arn:${AWS::Partition}:glue:${AWS::Region}:"
      "${AWS::AccountId}:catalog\"},{\"Fn::Sub\":\"arn:${AWS::Partition}:glue:${AWS::Region}:"
      "${AWS::AccountId}:database/demo_lake\"},{\"Fn::Sub\":\"arn:${AWS::Partition}:glue:"
      "${AWS::Region}:${AWS::AccountId}:table/demo_lake/orders\"}],"
      "\"Sid\":\"UpdateCatalogTableOrders\"}");
  assert_string_equal(statement("WriteTableOrders"),
                      "{\"Action\":[\"s3:GetObject\",\"s3:PutObject\",\"s3:DeleteObject\",\"s3:AbortMultipartUpload\"],"
                      "\"Effect\":\"Allow\",\"Resource\":{\"Fn::Sub\":"
                      "\"${DataBucket.Arn}/silver/orders/*\"},\"Sid\":\"WriteTableOrders\"}");
  assert_non_null(strstr(statement("GetCatalogTableEvents"), "table/demo_lake/events"));
  assert_null(strstr(statement("GetCatalogTableEvents"), "UpdateTable"));
  assert_non_null(strstr(statement("ReadTableEvents"), "\"s3:GetObject\"]"));
}

static void a_job_of_hive_tables_only_gets_no_iceberg_settings(void **state) {
  (void)state;
  ir = lower_with_job("    read_tables: [events]\n    arguments: {t: demo_lake.events}\n");
  json_t *args = res_get(ir, "EtlJob", "Properties.DefaultArguments");
  assert_null(json_object_get(args, "--conf"));
  assert_null(json_object_get(args, "--datalake-formats"));
  assert_string_equal(json_text(&ctx, json_object_get(args, "--t")), "\"demo_lake.events\"");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(each_type_is_spelled_for_each_format),
      cmocka_unit_test(refusals_say_what_and_where),
      cmocka_unit_test_setup_teardown(an_iceberg_table_has_ids_and_a_partition_spec, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(a_projected_hive_table_has_athenas_parameters, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(a_job_writing_iceberg_gets_its_settings_and_grants, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(a_job_of_hive_tables_only_gets_no_iceberg_settings, setup,
                                      teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
