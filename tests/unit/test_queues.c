/* queues: the SQS queue construct: its queues and dead-letter queue, the TLS
 * policy, the consumer's event source mapping, the grants it gives (consume
 * to the consumer, send to others), FIFO names, and its checks. */
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

/* The consumer runs a program lakec does not know ("drain"), so it gets every
 * variable its grants set: lakec's own "worker" reads only its bucket. */
#define JOBS                                                                             \
  MINIMAL_STAGE "queues:\n  jobs:\n    visibility_timeout: 180\n"                        \
                "    dead_letter: {max_receives: 3}\n"                                    \
                "    consumer: {function: worker, batch_size: 50, batching_window: 5,"    \
                " max_concurrency: 5}\n"                                                  \
                "functions:\n  worker: {timeout: 30, handler: drain}\n  producer:\n    grants: [{send: jobs}]\n"

static const char *str_at(const char *id, const char *path) {
  json_t *v = res_get(ir, id, path);
  if (!v)
    fail_msg("%s %s: missing", id, path);
  return json_string_value(v);
}

static long long int_at(const char *id, const char *path) {
  json_t *v = res_get(ir, id, path);
  if (!json_is_integer(v))
    fail_msg("%s %s: not a number", id, path);
  return json_integer_value(v);
}

static void a_dead_letter_makes_two_queues_and_a_redrive(void **state) {
  (void)state;
  ir = lower_text(&ctx, JOBS);
  assert_string_equal(ir_find(ir, "JobsQueue")->type, "AWS::SQS::Queue");
  assert_string_equal(ir_find(ir, "JobsDeadLetterQueue")->type, "AWS::SQS::Queue");
  size_t queues = 0;
  for (size_t i = 0; i < ir->resources.len; i++)
    queues += !strcmp(((const IrResource *)ir->resources.items[i])->type, "AWS::SQS::Queue");
  assert_int_equal(queues, 2);
  assert_string_equal(str_at("JobsQueue", "Properties.QueueName"), "demo-dev-jobs");
  assert_string_equal(str_at("JobsDeadLetterQueue", "Properties.QueueName"), "demo-dev-jobs-dlq");
  assert_int_equal(int_at("JobsQueue", "Properties.RedrivePolicy.maxReceiveCount"), 3);
  assert_string_equal(str_at("JobsQueue", "Properties.RedrivePolicy.deadLetterTargetArn.Fn::GetAtt.0"),
                      "JobsDeadLetterQueue");
  assert_int_equal(int_at("JobsQueue", "Properties.VisibilityTimeout"), 180);
  assert_int_equal(int_at("JobsDeadLetterQueue", "Properties.MessageRetentionPeriod"), 1209600);
  assert_null(res_get(ir, "JobsDeadLetterQueue", "Properties.RedrivePolicy"));
  /* encrypted, both */
  assert_true(json_is_true(res_get(ir, "JobsQueue", "Properties.SqsManagedSseEnabled")));
  assert_true(json_is_true(res_get(ir, "JobsDeadLetterQueue", "Properties.SqsManagedSseEnabled")));
}

static void both_queues_deny_requests_without_tls(void **state) {
  (void)state;
  ir = lower_text(&ctx, JOBS);
  assert_string_equal(ir_find(ir, "JobsQueuePolicy")->type, "AWS::SQS::QueuePolicy");
  json_t *deny = res_get(ir, "JobsQueuePolicy", "Properties.PolicyDocument.Statement.0");
  assert_string_equal(json_string_value(json_object_get(deny, "Effect")), "Deny");
  assert_string_equal(json_string_value(json_at(deny, "Condition.Bool.aws:SecureTransport")),
                      "false");
  assert_string_equal(json_text(&ctx, json_object_get(deny, "Resource")),
                      "[{\"Fn::GetAtt\":[\"JobsQueue\",\"Arn\"]},"
                      "{\"Fn::GetAtt\":[\"JobsDeadLetterQueue\",\"Arn\"]}]");
  assert_string_equal(json_text(&ctx, res_get(ir, "JobsQueuePolicy", "Properties.Queues")),
                      "[{\"Ref\":\"JobsQueue\"},{\"Ref\":\"JobsDeadLetterQueue\"}]");
}

static void the_consumer_gets_an_event_source_mapping(void **state) {
  (void)state;
  ir = lower_text(&ctx, JOBS);
  const IrResource *m = ir_find(ir, "JobsQueueMapping");
  assert_non_null(m);
  assert_string_equal(m->type, "AWS::Lambda::EventSourceMapping");
  assert_int_equal(int_at("JobsQueueMapping", "Properties.BatchSize"), 50);
  assert_int_equal(int_at("JobsQueueMapping", "Properties.MaximumBatchingWindowInSeconds"), 5);
  assert_int_equal(int_at("JobsQueueMapping", "Properties.ScalingConfig.MaximumConcurrency"), 5);
  json_t *types = res_get(ir, "JobsQueueMapping", "Properties.FunctionResponseTypes");
  assert_int_equal(json_array_size(types), 1);
  assert_string_equal(json_string_value(json_array_get(types, 0)), "ReportBatchItemFailures");
  assert_string_equal(str_at("JobsQueueMapping", "Properties.EventSourceArn.Fn::GetAtt.0"), "JobsQueue");
  assert_string_equal(str_at("JobsQueueMapping", "Properties.FunctionName.Ref"), "WorkerFunction");
}

static void the_consumer_may_receive_and_knows_the_url(void **state) {
  (void)state;
  ir = lower_text(&ctx, JOBS);
  json_t *st = role_statement(ir, "WorkerFunctionRole", "sqs:ReceiveMessage");
  assert_non_null(st);
  assert_string_equal(json_text(&ctx, json_object_get(st, "Resource")),
                      "{\"Fn::GetAtt\":[\"JobsQueue\",\"Arn\"]}");
  assert_non_null(role_statement(ir, "WorkerFunctionRole", "sqs:DeleteMessage"));
  assert_null(role_statement(ir, "WorkerFunctionRole", "sqs:SendMessage"));
  assert_string_equal(str_at("WorkerFunction", "Properties.Environment.Variables.LAKEC_QUEUE_JOBS_URL.Ref"),
                      "JobsQueue");
}

static void a_send_grant_may_only_send(void **state) {
  (void)state;
  ir = lower_text(&ctx, JOBS);
  json_t *st = role_statement(ir, "ProducerFunctionRole", "sqs:SendMessage");
  assert_non_null(st);
  assert_string_equal(json_text(&ctx, json_object_get(st, "Resource")),
                      "{\"Fn::GetAtt\":[\"JobsQueue\",\"Arn\"]}");
  assert_null(role_statement(ir, "ProducerFunctionRole", "sqs:ReceiveMessage"));
  assert_null(role_statement(ir, "ProducerFunctionRole", "sqs:DeleteMessage"));
  assert_string_equal(str_at("ProducerFunction", "Properties.Environment.Variables.LAKEC_QUEUE_JOBS_URL.Ref"),
                      "JobsQueue");
  /* only the consumer's queue has a mapping */
  for (size_t i = 0; i < ir->resources.len; i++) {
    const IrResource *r = ir->resources.items[i];
    if (!strcmp(r->type, "AWS::Lambda::EventSourceMapping"))
      assert_string_equal(r->id, "JobsQueueMapping");
  }
}

static void fifo_queue_names_end_with_fifo(void **state) {
  (void)state;
  ir = lower_text(&ctx, MINIMAL_STAGE "queues:\n  orders: {fifo: true, dead_letter: {}}\n"
                                      "  named: {fifo: true, name: my-queue}\n"
                                      "  done: {fifo: true, name: done.fifo}\n");
  assert_string_equal(str_at("OrdersQueue", "Properties.QueueName"), "demo-dev-orders.fifo");
  assert_true(json_is_true(res_get(ir, "OrdersQueue", "Properties.FifoQueue")));
  assert_string_equal(str_at("OrdersDeadLetterQueue", "Properties.QueueName"),
                      "demo-dev-orders-dlq.fifo");
  assert_true(json_is_true(res_get(ir, "OrdersDeadLetterQueue", "Properties.FifoQueue")));
  assert_string_equal(str_at("NamedQueue", "Properties.QueueName"), "my-queue.fifo");
  assert_string_equal(str_at("DoneQueue", "Properties.QueueName"), "done.fifo");
}

static void visibility_shorter_than_the_consumer_timeout(void **state) {
  (void)state;
  check_text(&ctx, MINIMAL_STAGE "functions:\n  worker: {timeout: 60}\n"
                                 "queues:\n  jobs: {visibility_timeout: 30, consumer: worker}\n");
  assert_int_equal(ctx.diags.errors, 1);
  assert_true(has_diag(&ctx, "LK310", "queue 'jobs' hides a message for 30 seconds, less than "
                                      "the 60 seconds function 'worker' may run"));
  ctx_release(&ctx);
  ctx_init(&ctx);
  check_text(&ctx, MINIMAL_STAGE "functions:\n  worker: {timeout: 60}\n"
                                 "queues:\n  jobs: {visibility_timeout: 60, consumer: worker}\n");
  assert_int_equal(ctx.diags.errors, 0);
}

static void a_short_dead_letter_retention_warns(void **state) {
  (void)state;
  check_text(&ctx, MINIMAL_STAGE "queues:\n  jobs:\n    retention: 604800\n"
                                 "    dead_letter: {retention: 86400}\n");
  assert_int_equal(ctx.diags.errors, 0);
  assert_int_equal(ctx.diags.warnings, 1);
  assert_int_equal(ctx.diags.head->severity, SEV_WARNING);
  assert_true(has_diag(&ctx, "LK311", "keeps messages 86400 seconds, less than the queue's 604800"));
  ctx_release(&ctx);
  ctx_init(&ctx);
  check_text(&ctx, MINIMAL_STAGE "queues:\n  jobs:\n    retention: 604800\n    dead_letter: {}\n");
  assert_int_equal(ctx.diags.errors + ctx.diags.warnings, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(a_dead_letter_makes_two_queues_and_a_redrive, setup, teardown),
      cmocka_unit_test_setup_teardown(both_queues_deny_requests_without_tls, setup, teardown),
      cmocka_unit_test_setup_teardown(the_consumer_gets_an_event_source_mapping, setup, teardown),
      cmocka_unit_test_setup_teardown(the_consumer_may_receive_and_knows_the_url, setup, teardown),
      cmocka_unit_test_setup_teardown(a_send_grant_may_only_send, setup, teardown),
      cmocka_unit_test_setup_teardown(fifo_queue_names_end_with_fifo, setup, teardown),
      cmocka_unit_test_setup_teardown(visibility_shorter_than_the_consumer_timeout, setup, teardown),
      cmocka_unit_test_setup_teardown(a_short_dead_letter_retention_warns, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
