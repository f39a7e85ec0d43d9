/* alarms and topics: the SNS topic (its key and key policy, its topic
 * policy, inline subscriptions, the publish grant) and the CloudWatch alarm
 * lowered from a metric a construct offers (namespace, metric, dimensions,
 * statistic, threshold, comparison, actions), and their checks. */
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

#define TOPIC "topics:\n  alerts:\n    subscriptions: [{email: oncall@example.com}," \
              " {url: 'https://hooks.example.com/a'}]\n"
#define STAGE                                                                          \
  MINIMAL_STAGE TOPIC                                                                  \
  "queues:\n  jobs:\n    visibility_timeout: 180\n    dead_letter: {max_receives: 3}\n" \
  "    consumer: worker\n"                                                             \
  "functions:\n  worker: {timeout: 30}\n  notifier:\n    grants: [{publish: alerts}]\n" \
  "alarms:\n"                                                                          \
  "  late: {metric: queues.jobs.oldest_message_age, above: 3600, notify: [alerts]}\n"  \
  "  dead: {metric: queues.jobs.dead_letter.visible_messages, above: 0}\n"             \
  "  errors: {metric: functions.worker.errors, above: 5, period: 300,"                 \
  " evaluation_periods: 2, missing_data: ignore, notify: [alerts]}\n"                  \
  "  quick: {metric: functions.worker.duration, below: 1.5, statistic: Average}\n"

static long long int_at(const char *id, const char *path) {
  json_t *v = res_get(ir, id, path);
  if (!json_is_integer(v))
    fail_msg("%s %s: not an integer", id, path);
  return json_integer_value(v);
}

static void the_topic_is_encrypted_with_a_key_cloudwatch_may_use(void **state) {
  (void)state;
  ir = lower_text(&ctx, STAGE);
  assert_string_equal(ir_find(ir, "AlertsTopic")->type, "AWS::SNS::Topic");
  assert_string_equal(res_str(ir, "AlertsTopic", "Properties.TopicName"), "demo-dev-alerts");
  assert_string_equal(res_str(ir, "AlertsTopic", "Properties.KmsMasterKeyId.Ref"), "AlertsTopicKey");
  assert_string_equal(res_str(ir, "AlertsTopic", "Properties.Subscription.0.Protocol"), "email");
  assert_string_equal(res_str(ir, "AlertsTopic", "Properties.Subscription.0.Endpoint"),
                      "oncall@example.com");
  assert_string_equal(res_str(ir, "AlertsTopic", "Properties.Subscription.1.Protocol"), "https");
  assert_string_equal(ir_find(ir, "AlertsTopicKey")->type, "AWS::KMS::Key");
  assert_true(json_is_true(res_get(ir, "AlertsTopicKey", "Properties.EnableKeyRotation")));
  assert_string_equal(res_str(ir, "AlertsTopicKey", "Properties.KeyPolicy.Statement.0.Action"),
                      "kms:*");
  assert_string_equal(res_str(ir, "AlertsTopicKey",
                              "Properties.KeyPolicy.Statement.1.Principal.Service"),
                      "cloudwatch.amazonaws.com");
  assert_string_equal(json_text(&ctx, res_get(ir, "AlertsTopicKey",
                                              "Properties.KeyPolicy.Statement.1.Action")),
                      "[\"kms:Decrypt\",\"kms:GenerateDataKey*\"]");
}

static void the_topic_policy_denies_plain_requests_and_admits_alarms(void **state) {
  (void)state;
  ir = lower_text(&ctx, STAGE);
  const char *p = "Properties.PolicyDocument.Statement";
  assert_string_equal(ir_find(ir, "AlertsTopicPolicy")->type, "AWS::SNS::TopicPolicy");
  assert_string_equal(res_str(ir, "AlertsTopicPolicy", "Properties.Topics.0.Ref"), "AlertsTopic");
  json_t *st = res_get(ir, "AlertsTopicPolicy", p);
  json_t *deny = json_array_get(st, 0), *allow = json_array_get(st, 1);
  assert_string_equal(json_string_value(json_object_get(deny, "Effect")), "Deny");
  assert_string_equal(json_text(&ctx, json_object_get(deny, "Condition")),
                      "{\"Bool\":{\"aws:SecureTransport\":\"false\"}}");
  assert_string_equal(json_text(&ctx, json_object_get(allow, "Principal")),
                      "{\"Service\":\"cloudwatch.amazonaws.com\"}");
  assert_string_equal(json_string_value(json_object_get(allow, "Action")), "sns:Publish");
  assert_string_equal(json_text(&ctx, json_object_get(allow, "Condition")),
                      "{\"StringEquals\":{\"aws:SourceAccount\":{\"Ref\":\"AWS::AccountId\"}}}");
}

static void a_publish_grant_may_publish_and_use_the_key(void **state) {
  (void)state;
  ir = lower_text(&ctx, STAGE);
  json_t *st = res_get(ir, "NotifierFunctionRole", "Properties.Policies.0.PolicyDocument.Statement");
  assert_non_null(st);
  assert_string_equal(json_text(&ctx, json_array_get(st, 1)),
                      "{\"Action\":[\"sns:Publish\"],\"Effect\":\"Allow\",\"Resource\":"
                      "{\"Ref\":\"AlertsTopic\"},\"Sid\":\"PublishAlerts\"}");
  assert_string_equal(json_text(&ctx, json_object_get(json_array_get(st, 2), "Resource")),
                      "{\"Fn::GetAtt\":[\"AlertsTopicKey\",\"Arn\"]}");
  assert_string_equal(res_str(ir, "NotifierFunction",
                              "Properties.Environment.Variables.LAKEC_TOPIC_ALERTS_ARN.Ref"),
                      "AlertsTopic");
}

static void a_queue_alarm_watches_the_queue_by_name(void **state) {
  (void)state;
  ir = lower_text(&ctx, STAGE);
  const char *a = "LateAlarm";
  assert_string_equal(ir_find(ir, a)->type, "AWS::CloudWatch::Alarm");
  assert_string_equal(res_str(ir, a, "Properties.AlarmName"), "demo-dev-late");
  assert_string_equal(res_str(ir, a, "Properties.Namespace"), "AWS/SQS");
  assert_string_equal(res_str(ir, a, "Properties.MetricName"), "ApproximateAgeOfOldestMessage");
  assert_string_equal(json_text(&ctx, res_get(ir, a, "Properties.Dimensions")),
                      "[{\"Name\":\"QueueName\",\"Value\":{\"Fn::GetAtt\":[\"JobsQueue\","
                      "\"QueueName\"]}}]");
  assert_string_equal(res_str(ir, a, "Properties.Statistic"), "Maximum");
  assert_int_equal(int_at(a, "Properties.Threshold"), 3600);
  assert_int_equal(int_at(a, "Properties.Period"), 60);
  assert_int_equal(int_at(a, "Properties.EvaluationPeriods"), 1);
  assert_string_equal(res_str(ir, a, "Properties.ComparisonOperator"), "GreaterThanThreshold");
  assert_string_equal(res_str(ir, a, "Properties.TreatMissingData"), "notBreaching");
  assert_string_equal(res_str(ir, a, "Properties.AlarmActions.0.Ref"), "AlertsTopic");
  assert_string_equal(res_str(ir, a, "Properties.OKActions.0.Ref"), "AlertsTopic");
}

static void a_dead_letter_alarm_watches_the_dead_letter_queue(void **state) {
  (void)state;
  ir = lower_text(&ctx, STAGE);
  assert_string_equal(res_str(ir, "DeadAlarm", "Properties.MetricName"),
                      "ApproximateNumberOfMessagesVisible");
  assert_string_equal(res_str(ir, "DeadAlarm", "Properties.Dimensions.0.Value.Fn::GetAtt.0"),
                      "JobsDeadLetterQueue");
  assert_int_equal(int_at("DeadAlarm", "Properties.Threshold"), 0);
  assert_null(res_get(ir, "DeadAlarm", "Properties.AlarmActions"));
}

static void a_function_alarm_takes_its_settings(void **state) {
  (void)state;
  ir = lower_text(&ctx, STAGE);
  const char *a = "ErrorsAlarm";
  assert_string_equal(res_str(ir, a, "Properties.Namespace"), "AWS/Lambda");
  assert_string_equal(res_str(ir, a, "Properties.MetricName"), "Errors");
  assert_string_equal(res_str(ir, a, "Properties.Dimensions.0.Name"), "FunctionName");
  assert_string_equal(res_str(ir, a, "Properties.Dimensions.0.Value.Ref"), "WorkerFunction");
  assert_string_equal(res_str(ir, a, "Properties.Statistic"), "Sum");
  assert_int_equal(int_at(a, "Properties.Period"), 300);
  assert_int_equal(int_at(a, "Properties.EvaluationPeriods"), 2);
  assert_string_equal(res_str(ir, a, "Properties.TreatMissingData"), "ignore");
  /* below, a fraction on a duration, an explicit statistic */
  assert_string_equal(res_str(ir, "QuickAlarm", "Properties.ComparisonOperator"),
                      "LessThanThreshold");
  assert_true(json_real_value(res_get(ir, "QuickAlarm", "Properties.Threshold")) == 1.5);
  assert_string_equal(res_str(ir, "QuickAlarm", "Properties.Statistic"), "Average");
}

static void alarm_checks(void **state) {
  (void)state;
  check_text(&ctx, MINIMAL_STAGE "functions:\n  worker: {}\nalarms:\n"
                                 "  a: {metric: functions.worker.eror, above: 1}\n"
                                 "  b: {metric: functions.worker.errors, above: 0.5}\n"
                                 "  c: {metric: functions.worker.errors, above: 1, period: 45}\n"
                                 "  d: {metric: functions.worker.errors, above: 1, notify: [x]}\n");
  assert_int_equal(ctx.diags.errors, 4);
  assert_true(has_diag(&ctx, "LK341", "function 'worker' has no metric 'eror'; it has: errors, "
                                      "throttles, duration, invocations"));
  assert_true(has_diag(&ctx, "LK342", "is a count: write a whole number"));
  assert_true(has_diag(&ctx, "LK343", "'period' is 45 seconds"));
  assert_true(has_diag(&ctx, "LK301", "no topic named 'x'"));
}

static void topic_checks(void **state) {
  (void)state;
  check_text(&ctx, "lakec: 1\nproject: demo\nstage: prod\nproduction: true\n"
                   "topics:\n  a: {encryption: none}\n"
                   "  b: {subscriptions: [{email: nobody}, {url: 'http://x.example.com'}]}\n");
  assert_int_equal(ctx.diags.errors, 3);
  assert_true(has_diag(&ctx, "LK344", "topic 'a' of a production stage is not encrypted"));
  assert_true(has_diag(&ctx, "LK340", "'nobody' is not an e-mail address"));
  assert_true(has_diag(&ctx, "LK340", "is not an https:// URL"));
  ctx_release(&ctx);
  ctx_init(&ctx);
  ir = lower_text(&ctx, MINIMAL_STAGE "topics:\n  a: {encryption: none}\n");
  assert_null(ir_find(ir, "ATopicKey"));
  assert_null(res_get(ir, "ATopic", "Properties.KmsMasterKeyId"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(the_topic_is_encrypted_with_a_key_cloudwatch_may_use, setup, teardown),
      cmocka_unit_test_setup_teardown(the_topic_policy_denies_plain_requests_and_admits_alarms, setup, teardown),
      cmocka_unit_test_setup_teardown(a_publish_grant_may_publish_and_use_the_key, setup, teardown),
      cmocka_unit_test_setup_teardown(a_queue_alarm_watches_the_queue_by_name, setup, teardown),
      cmocka_unit_test_setup_teardown(a_dead_letter_alarm_watches_the_dead_letter_queue, setup, teardown),
      cmocka_unit_test_setup_teardown(a_function_alarm_takes_its_settings, setup, teardown),
      cmocka_unit_test_setup_teardown(alarm_checks, setup, teardown),
      cmocka_unit_test_setup_teardown(topic_checks, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
