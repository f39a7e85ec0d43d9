/* kafka: the MSK construct: the cluster (IAM over TLS only, its subnets and
 * security group from the network constructs, its log group), its topics,
 * a topic's consumer (the event source mapping in the function's stack and
 * the statements its pollers need, the group's ARN made from the cluster's),
 * the kafka_write / kafka_read grants, and the checks of brokers, replicas
 * and the clients' vpc. */
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

#define NETWORK                                                                           \
  "vpcs:\n  main: {cidr: 10.0.0.0/16, zones: 2}\n"                                        \
  "security_groups:\n  msk:\n    vpc: main\n    description: brokers\n"                   \
  "    ingress:\n      - {from: lambda, port: 9098, description: producers}\n"            \
  "      - {from: self, port: 9098, description: pollers}\n"                              \
  "  lambda: {vpc: main, description: functions}\n"
#define CLUSTER                                                                           \
  "kafka:\n  telemetry:\n    vpc: main\n    security_group: msk\n    volume_gb: 20\n"     \
  "    topics:\n      acme-telemetry:\n        partitions: 6\n"                           \
  "        consumers: {consumer: {batch_size: 50}}\n"
/* Programs lakec does not know: they get every variable their grants set. */
#define FUNCTIONS                                                                         \
  "functions:\n  consumer: {handler: reader}\n"                                           \
  "  producer:\n    handler: writer\n    vpc: {vpc: main, security_groups: [lambda]}\n"   \
  "    grants: [{kafka_write: telemetry/acme-telemetry}]\n"
#define STAGE MINIMAL_STAGE NETWORK CLUSTER FUNCTIONS

/* A property of the cluster, by its path under Properties. */
static json_t *cluster(const char *path) {
  return res_get(ir, "TelemetryCluster", arena_printf(&ctx.arena, "Properties.%s", path));
}

static void the_cluster_takes_iam_over_tls_only(void **state) {
  (void)state;
  ir = lower_text(&ctx, STAGE);
  assert_string_equal(ir_find(ir, "TelemetryCluster")->type, "AWS::MSK::Cluster");
  assert_string_equal(json_string_value(cluster("ClusterName")), "demo-dev-telemetry");
  assert_string_equal(json_string_value(cluster("KafkaVersion")), "3.6.0");
  /* brokers default to the vpc's zones */
  assert_int_equal(json_integer_value(cluster("NumberOfBrokerNodes")), 2);
  assert_true(json_is_true(cluster("ClientAuthentication.Sasl.Iam.Enabled")));
  assert_true(json_is_false(cluster("ClientAuthentication.Unauthenticated.Enabled")));
  assert_string_equal(json_string_value(cluster("EncryptionInfo.EncryptionInTransit.ClientBroker")),
                      "TLS");
  assert_true(json_is_true(cluster("EncryptionInfo.EncryptionInTransit.InCluster")));
  assert_int_equal(
      json_integer_value(cluster("BrokerNodeGroupInfo.StorageInfo.EBSStorageInfo.VolumeSize")), 20);
  assert_int_equal(json_array_size(cluster("BrokerNodeGroupInfo.ClientSubnets")), 2);
  assert_string_equal(json_string_value(cluster("BrokerNodeGroupInfo.SecurityGroups.0.Fn::GetAtt.0")),
                      "MskSecurityGroup");
  assert_string_equal(json_string_value(cluster("LoggingInfo.BrokerLogs.CloudWatchLogs.LogGroup.Ref")),
                      "TelemetryLogGroup");
  assert_string_equal(res_str(ir, "TelemetryLogGroup", "Properties.LogGroupName"),
                      "/aws/msk/demo-dev-telemetry");
  assert_string_equal(ir_find(ir, "TelemetryCluster")->deletion_policy, "Delete");
}

static void a_topic_refers_to_its_cluster_by_ref(void **state) {
  (void)state;
  ir = lower_text(&ctx, STAGE);
  const char *t = "TelemetryAcmeTelemetryTopic";
  assert_string_equal(ir_find(ir, t)->type, "AWS::MSK::Topic");
  assert_string_equal(res_str(ir, t, "Properties.ClusterArn.Ref"), "TelemetryCluster");
  assert_string_equal(res_str(ir, t, "Properties.TopicName"), "acme-telemetry");
  assert_int_equal(json_integer_value(res_get(ir, t, "Properties.PartitionCount")), 6);
  /* replication defaults to the brokers, at most 3 */
  assert_int_equal(json_integer_value(res_get(ir, t, "Properties.ReplicationFactor")), 2);
}

static void a_consumer_is_a_mapping_whose_function_may_poll(void **state) {
  (void)state;
  ir = lower_text(&ctx, STAGE);
  const char *m = "ConsumerAcmeTelemetryMapping";
  assert_string_equal(ir_find(ir, m)->type, "AWS::Lambda::EventSourceMapping");
  assert_string_equal(res_str(ir, m, "Properties.EventSourceArn.Ref"), "TelemetryCluster");
  assert_string_equal(res_str(ir, m, "Properties.Topics.0"), "acme-telemetry");
  assert_string_equal(res_str(ir, m, "Properties.StartingPosition"), "LATEST");
  assert_int_equal(json_integer_value(res_get(ir, m, "Properties.BatchSize")), 50);
  assert_string_equal(res_str(ir, m, "Properties.AmazonManagedKafkaEventSourceConfig.ConsumerGroupId"),
                      "demo-dev-consumer-acme-telemetry");
  json_t *st = role_statement(ir, "ConsumerFunctionRole", "kafka-cluster:DescribeClusterDynamicConfiguration");
  assert_non_null(st);
  assert_string_equal(json_string_value(json_at(st, "Resource.Ref")), "TelemetryCluster");
  st = role_statement(ir, "ConsumerFunctionRole", "kafka-cluster:ReadData");
  assert_string_equal(json_string_value(json_at(st, "Resource.Ref")), "TelemetryAcmeTelemetryTopic");
  /* the group's ARN: the cluster's with ":group/" for ":cluster/", no wildcard */
  st = role_statement(ir, "ConsumerFunctionRole", "kafka-cluster:AlterGroup");
  const char *arn = json_text(&ctx, json_object_get(st, "Resource"));
  assert_non_null(strstr(arn, "\":cluster/\""));
  assert_non_null(strstr(arn, "\":group/\""));
  assert_non_null(strstr(arn, "\"/demo-dev-consumer-acme-telemetry\""));
  assert_null(strchr(arn, '*'));
  st = role_statement(ir, "ConsumerFunctionRole", "ec2:CreateNetworkInterface");
  assert_string_equal(json_string_value(json_object_get(st, "Resource")), "*");
  assert_null(role_statement(ir, "ConsumerFunctionRole", "kafka-cluster:WriteData"));
}

static void a_producer_gets_the_cluster_and_the_topic(void **state) {
  (void)state;
  ir = lower_text(&ctx, STAGE);
  json_t *st = role_statement(ir, "ProducerFunctionRole", "kafka-cluster:WriteData");
  assert_non_null(st);
  assert_string_equal(json_string_value(json_at(st, "Resource.Ref")), "TelemetryAcmeTelemetryTopic");
  assert_non_null(role_statement(ir, "ProducerFunctionRole", "kafka-cluster:WriteDataIdempotently"));
  assert_null(role_statement(ir, "ProducerFunctionRole", "kafka-cluster:ReadData"));
  assert_string_equal(res_str(ir, "ProducerFunction", "Properties.Environment.Variables.LAKEC_KAFKA_TOPIC"),
                      "acme-telemetry");
  assert_string_equal(res_str(ir, "ProducerFunction",
                              "Properties.Environment.Variables.LAKEC_KAFKA_CLUSTER_ARN.Ref"),
                      "TelemetryCluster");
}

static void a_reader_may_use_the_stages_groups(void **state) {
  (void)state;
  ir = lower_text(&ctx, MINIMAL_STAGE NETWORK CLUSTER
                  "functions:\n  consumer: {}\n  reader:\n"
                  "    vpc: {vpc: main, security_groups: [lambda]}\n"
                  "    grants: [{kafka_read: telemetry/acme-telemetry}]\n");
  json_t *st = role_statement(ir, "ReaderFunctionRole", "kafka-cluster:AlterGroup");
  assert_non_null(strstr(json_text(&ctx, json_object_get(st, "Resource")), "/demo-dev-*"));
  assert_null(role_statement(ir, "ReaderFunctionRole", "kafka-cluster:WriteData"));
}

static void brokers_must_fill_the_zones_evenly(void **state) {
  (void)state;
  check_text(&ctx, MINIMAL_STAGE NETWORK
             "kafka:\n  telemetry: {vpc: main, security_group: msk, brokers: 3}\n");
  assert_int_equal(ctx.diags.errors, 1);
  assert_true(has_diag(&ctx, "LK345", "3 brokers cannot be spread evenly over the 2 zones"));
}

static void replicas_are_at_most_the_brokers(void **state) {
  (void)state;
  check_text(&ctx, MINIMAL_STAGE NETWORK
             "kafka:\n  telemetry:\n    vpc: main\n    security_group: msk\n"
             "    topics: {t: {partitions: 1, replication: 3}}\n");
  assert_int_equal(ctx.diags.errors, 1);
  assert_true(has_diag(&ctx, "LK347", "topic 't' asks for 3 replicas, but cluster 'telemetry' has 2"));
}

static void a_client_must_run_in_the_clusters_vpc(void **state) {
  (void)state;
  check_text(&ctx, MINIMAL_STAGE NETWORK CLUSTER
             "functions:\n  consumer: {}\n  producer:\n    handler: produce\n"
             "    grants: [{kafka_write: telemetry/acme-telemetry}]\n");
  assert_int_equal(ctx.diags.errors, 1);
  assert_true(has_diag(&ctx, "LK359", "does not run in its vpc"));
}

static void the_producer_program_needs_its_one_kafka_write_grant(void **state) {
  (void)state;
  check_text(&ctx, MINIMAL_STAGE NETWORK CLUSTER
             "functions:\n  consumer: {}\n  producer: {handler: produce}\n");
  assert_true(has_diag(&ctx, "LK301", "grant it 'kafka_write: CLUSTER/TOPIC'"));
}

static void a_production_stage_retains_the_cluster(void **state) {
  (void)state;
  ir = lower_text(&ctx, "lakec: 1\nproject: demo\nstage: prod\nproduction: true\n" NETWORK
                        "kafka:\n  telemetry:\n    vpc: main\n    security_group: msk\n"
                        "    topics: {t: {partitions: 1}}\n");
  assert_string_equal(ir_find(ir, "TelemetryCluster")->deletion_policy, "Retain");
  assert_string_equal(ir_find(ir, "TelemetryTTopic")->deletion_policy, "Retain");
  assert_string_equal(ir_find(ir, "TelemetryLogGroup")->deletion_policy, "Retain");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(the_cluster_takes_iam_over_tls_only, setup, teardown),
      cmocka_unit_test_setup_teardown(a_topic_refers_to_its_cluster_by_ref, setup, teardown),
      cmocka_unit_test_setup_teardown(a_consumer_is_a_mapping_whose_function_may_poll, setup, teardown),
      cmocka_unit_test_setup_teardown(a_producer_gets_the_cluster_and_the_topic, setup, teardown),
      cmocka_unit_test_setup_teardown(a_reader_may_use_the_stages_groups, setup, teardown),
      cmocka_unit_test_setup_teardown(brokers_must_fill_the_zones_evenly, setup, teardown),
      cmocka_unit_test_setup_teardown(replicas_are_at_most_the_brokers, setup, teardown),
      cmocka_unit_test_setup_teardown(a_client_must_run_in_the_clusters_vpc, setup, teardown),
      cmocka_unit_test_setup_teardown(the_producer_program_needs_its_one_kafka_write_grant, setup, teardown),
      cmocka_unit_test_setup_teardown(a_production_stage_retains_the_cluster, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
