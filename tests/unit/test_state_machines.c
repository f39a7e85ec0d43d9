/* state machines: the steps' graph lowered to Amazon States Language (the
 * series-parallel decomposition into nested Parallel states, joins, edges
 * that only repeat an order), the Task states of functions and Glue jobs
 * (paths, results, retries and timeouts by default), the failure path, the
 * role, the log group, the schedule and the start_execution grant; and the
 * graph's refusals (cycle, a branch that never joins, crossing branches). */
#include "support.h"

#include "check.h"
#include "lower.h"
#include "merge.h"

#include <stdlib.h>
#include <string.h>

static Ctx ctx;
static Ir *ir;
static json_t *asl;
static int setup(void **state) {
  (void)state;
  ctx_init(&ctx);
  ir = NULL, asl = NULL;
  return 0;
}
static int teardown(void **state) {
  (void)state;
  json_decref(asl);
  ir_free(ir);
  ctx_release(&ctx);
  return 0;
}

#define FUNCTIONS                                                                        \
  MINIMAL_STAGE "functions:\n  a: {timeout: 30}\n  b: {}\n  c: {}\n  d: {}\n  e: {}\n"     \
                "  f: {}\n"
#define MACHINE "topics:\n  alerts: {}\nstate_machines:\n  pipeline:\n"

/* Lowers the stage and parses PipelineStateMachine's definition. */
static void lower_machine(const char *yaml) {
  ir = lower_text(&ctx, yaml);
  const char *text = res_str(ir, "PipelineStateMachine", "Properties.DefinitionString.Fn::Sub");
  json_error_t err;
  asl = json_loads(text, 0, &err);
  if (!asl)
    fail_msg("the definition is not JSON: %s", err.text);
}

/* The state named name in a States object (names may hold dots). */
static json_t *state_in(json_t *states, const char *name) {
  json_t *s = json_object_get(states, name);
  if (!s)
    fail_msg("no state '%s' in %s", name, json_text(&ctx, states));
  return s;
}

static const char *field(json_t *st, const char *key) {
  return json_text(&ctx, json_object_get(st, key));
}

static json_t *branch(json_t *parallel, size_t i) {
  return json_array_get(json_object_get(parallel, "Branches"), i);
}

static void steps_follow_one_another_to_succeed(void **state) {
  (void)state;
  lower_machine(FUNCTIONS MACHINE "    steps:\n"
                "      - {name: A, invoke: a, payload: {run: $$.Execution.Name, source: s}, "
                "result: first}\n"
                "      - {name: B, invoke: b}\n");
  json_t *states = json_object_get(asl, "States");
  assert_string_equal(field(asl, "StartAt"), "\"A\"");
  json_t *a = state_in(states, "A"), *b = state_in(states, "B");
  assert_string_equal(field(a, "Resource"), "\"arn:${AWS::Partition}:states:::lambda:invoke\"");
  assert_string_equal(field(a, "Parameters"),
                      "{\"FunctionName\":\"${AFunction.Arn}\",\"Payload\":{\"run.$\":"
                      "\"$$.Execution.Name\",\"source\":\"s\"}}");
  assert_string_equal(field(a, "ResultSelector"), "{\"Payload.$\":\"$.Payload\"}");
  assert_string_equal(field(a, "ResultPath"), "\"$.first\"");
  assert_string_equal(field(a, "TimeoutSeconds"), "90"); /* the function's 30 + 60 */
  assert_string_equal(field(a, "Next"), "\"B\"");
  assert_string_equal(field(b, "Parameters"),
                      "{\"FunctionName\":\"${BFunction.Arn}\",\"Payload.$\":\"$\"}");
  assert_string_equal(field(b, "ResultPath"), "null");
  assert_null(json_object_get(b, "ResultSelector"));
  assert_string_equal(field(b, "Next"), "\"Execution.Succeeded\"");
  assert_string_equal(field(b, "Retry"),
                      "[{\"BackoffRate\":2,\"ErrorEquals\":[\"Lambda.ServiceException\","
                      "\"Lambda.AWSLambdaException\",\"Lambda.SdkClientException\","
                      "\"Lambda.TooManyRequestsException\"],\"IntervalSeconds\":2,"
                      "\"MaxAttempts\":2}]");
  assert_string_equal(field(b, "Catch"), "[{\"ErrorEquals\":[\"States.ALL\"],\"Next\":"
                                         "\"Execution.Failed\",\"ResultPath\":\"$.error\"}]");
  assert_string_equal(field(state_in(states, "Execution.Succeeded"), "Type"), "\"Succeed\"");
  assert_string_equal(json_text(&ctx, state_in(states, "Execution.Failed")),
                      "{\"CausePath\":\"$.error.Cause\",\"Error\":\"PipelineFailed\","
                      "\"Type\":\"Fail\"}");
  assert_null(json_object_get(states, "Notify.Failure"));
}

/* A -> {B, C}; B -> D; C -> D; D -> E: one Parallel, joined at D. */
static void a_fork_becomes_a_parallel_state_joined_at_its_post_dominator(void **state) {
  (void)state;
  lower_machine(FUNCTIONS MACHINE "    steps:\n"
                "      - {name: A, invoke: a, result: ra}\n"
                "      - {name: B, invoke: b, result: rb}\n"
                "      - {name: C, invoke: c, after: [A]}\n"
                "      - {name: D, invoke: d, after: [B, C]}\n"
                "      - {name: E, invoke: e}\n");
  json_t *states = json_object_get(asl, "States");
  assert_string_equal(field(state_in(states, "A"), "Next"), "\"Parallel.1\"");
  json_t *p = state_in(states, "Parallel.1");
  assert_string_equal(field(p, "Type"), "\"Parallel\"");
  assert_int_equal(json_array_size(json_object_get(p, "Branches")), 2);
  assert_string_equal(field(branch(p, 0), "StartAt"), "\"B\"");
  assert_int_equal(json_object_size(json_object_get(branch(p, 0), "States")), 1);
  json_t *b = json_object_get(json_object_get(branch(p, 0), "States"), "B");
  assert_true(json_is_true(json_object_get(b, "End")));
  assert_null(json_object_get(b, "Catch")); /* the Parallel catches */
  assert_string_equal(field(branch(p, 1), "StartAt"), "\"C\"");
  /* the results kept so far, each from the branch that made it */
  assert_string_equal(field(p, "ResultSelector"), "{\"ra.$\":\"$[0].ra\",\"rb.$\":\"$[0].rb\"}");
  assert_string_equal(field(p, "ResultPath"), "\"$\"");
  assert_string_equal(field(p, "Catch"), "[{\"ErrorEquals\":[\"States.ALL\"],\"Next\":"
                                         "\"Execution.Failed\",\"ResultPath\":\"$.error\"}]");
  assert_string_equal(field(p, "Next"), "\"D\"");
  assert_string_equal(field(state_in(states, "D"), "Next"), "\"E\"");
  assert_int_equal(json_object_size(states), 6); /* A, Parallel.1, D, E, Succeeded, Failed */
}

/* Two steps start together; one of them forks again inside its branch. */
static void forks_nest_and_after_nothing_starts_with_the_execution(void **state) {
  (void)state;
  lower_machine(FUNCTIONS MACHINE "    steps:\n"
                "      - {name: A, invoke: a}\n"
                "      - {name: F, invoke: f, after: [], result: rf}\n"
                "      - {name: B, invoke: b, after: [A]}\n"
                "      - {name: C, invoke: c, after: [A], result: rc}\n"
                "      - {name: D, invoke: d, after: [B, C]}\n"
                "      - {name: E, invoke: e, after: [D, F]}\n");
  json_t *states = json_object_get(asl, "States");
  assert_string_equal(field(asl, "StartAt"), "\"Parallel.1\"");
  json_t *outer = state_in(states, "Parallel.1");
  assert_string_equal(field(outer, "Next"), "\"E\"");
  json_t *first = json_object_get(branch(outer, 0), "States");
  assert_string_equal(field(branch(outer, 0), "StartAt"), "\"A\"");
  assert_string_equal(field(state_in(first, "A"), "Next"), "\"Parallel.2\"");
  json_t *inner = state_in(first, "Parallel.2");
  assert_null(json_object_get(inner, "Catch"));
  assert_string_equal(field(inner, "Next"), "\"D\"");
  assert_string_equal(field(inner, "ResultSelector"), "{\"rc.$\":\"$[1].rc\"}");
  assert_true(json_is_true(json_object_get(state_in(first, "D"), "End")));
  assert_string_equal(field(branch(outer, 1), "StartAt"), "\"F\"");
  assert_string_equal(field(outer, "ResultSelector"), "{\"rc.$\":\"$[0].rc\",\"rf.$\":\"$[1].rf\"}");
}

/* A branch's inner fork joins where the outer one does (D waits for F of
 * the other branch): the inner Parallel keeps only what its own branch
 * knows, never the other branch's result. */
static void an_inner_join_keeps_only_its_own_branch_results(void **state) {
  (void)state;
  lower_machine(FUNCTIONS MACHINE "    steps:\n"
                "      - {name: A, invoke: a, result: ra}\n"
                "      - {name: F, invoke: f, after: [], result: rf}\n"
                "      - {name: B, invoke: b, after: [A], result: rb}\n"
                "      - {name: C, invoke: c, after: [A]}\n"
                "      - {name: D, invoke: d, after: [B, C, F]}\n");
  json_t *outer = state_in(json_object_get(asl, "States"), "Parallel.1");
  json_t *inner = state_in(json_object_get(branch(outer, 0), "States"), "Parallel.2");
  assert_true(json_is_true(json_object_get(inner, "End")));
  assert_string_equal(field(inner, "ResultSelector"), "{\"ra.$\":\"$[0].ra\",\"rb.$\":\"$[0].rb\"}");
  assert_string_equal(field(outer, "ResultSelector"),
                      "{\"ra.$\":\"$[0].ra\",\"rb.$\":\"$[0].rb\",\"rf.$\":\"$[1].rf\"}");
  assert_string_equal(field(outer, "Next"), "\"D\"");
}

/* C waits for A and B, B for A: the edge A -> C only repeats the order. */
static void an_edge_the_order_implies_makes_no_parallel(void **state) {
  (void)state;
  lower_machine(FUNCTIONS MACHINE "    steps:\n"
                "      - {name: A, invoke: a}\n"
                "      - {name: B, invoke: b}\n"
                "      - {name: C, invoke: c, after: [A, B]}\n");
  json_t *states = json_object_get(asl, "States");
  assert_string_equal(field(state_in(states, "A"), "Next"), "\"B\"");
  assert_string_equal(field(state_in(states, "B"), "Next"), "\"C\"");
  assert_null(json_object_get(states, "Parallel.1"));
}

/* X -> {U, S}, U -> {S, T}, S and T -> J: X -> S only repeats X -> U -> S,
 * so the one fork is at U. */
static void an_implied_edge_into_a_branch_is_no_crossing(void **state) {
  (void)state;
  lower_machine(FUNCTIONS MACHINE "    steps:\n"
                "      - {name: X, invoke: a}\n"
                "      - {name: U, invoke: b}\n"
                "      - {name: S, invoke: c, after: [X, U]}\n"
                "      - {name: T, invoke: d, after: [U]}\n"
                "      - {name: J, invoke: e, after: [S, T]}\n");
  json_t *states = json_object_get(asl, "States");
  assert_string_equal(field(state_in(states, "X"), "Next"), "\"U\"");
  assert_string_equal(field(state_in(states, "U"), "Next"), "\"Parallel.1\"");
  json_t *p = state_in(states, "Parallel.1");
  assert_string_equal(field(branch(p, 0), "StartAt"), "\"S\"");
  assert_string_equal(field(branch(p, 1), "StartAt"), "\"T\"");
  assert_string_equal(field(p, "Next"), "\"J\"");
}

static void a_failure_notifies_the_topic_then_fails(void **state) {
  (void)state;
  lower_machine(FUNCTIONS MACHINE "    on_failure: {notify: alerts, error: Broken, cause: "
                "\"see $${logs}\"}\n"
                "    steps:\n      - {name: A, invoke: a}\n");
  json_t *states = json_object_get(asl, "States");
  assert_string_equal(field(state_in(states, "A"), "Catch"),
                      "[{\"ErrorEquals\":[\"States.ALL\"],\"Next\":\"Notify.Failure\","
                      "\"ResultPath\":\"$.error\"}]");
  json_t *notify = state_in(states, "Notify.Failure");
  assert_string_equal(field(notify, "Resource"), "\"arn:${AWS::Partition}:states:::sns:publish\"");
  assert_string_equal(res_str(ir, "PipelineStateMachine", "Properties.RoleArn.Fn::GetAtt.0"),
                      "PipelineStateMachineRole");
  assert_string_equal(json_text(&ctx, json_object_get(json_object_get(notify, "Parameters"),
                                                      "TopicArn")),
                      "\"${AlertsTopic}\"");
  assert_string_equal(field(notify, "Next"), "\"Execution.Failed\"");
  /* the stage's literal "${" is Fn::Sub's "${!" */
  assert_string_equal(json_text(&ctx, state_in(states, "Execution.Failed")),
                      "{\"Cause\":\"see ${!logs}\",\"Error\":\"Broken\",\"Type\":\"Fail\"}");
  /* the publish grant's statements: the topic and its key */
  json_t *st = res_get(ir, "PipelineStateMachineRole", "Properties.Policies.0.PolicyDocument.Statement");
  assert_string_equal(field(json_array_get(st, 1), "Sid"), "\"PublishAlerts\"");
  assert_string_equal(field(json_array_get(st, 2), "Sid"), "\"PublishKeyAlerts\"");
}

static void the_role_invokes_the_functions_and_logs_and_traces_on_star(void **state) {
  (void)state;
  lower_machine(FUNCTIONS MACHINE "    log_retention: 7\n    steps:\n"
                "      - {name: A, invoke: a}\n      - {name: B, invoke: a}\n");
  json_t *st = res_get(ir, "PipelineStateMachineRole", "Properties.Policies.0.PolicyDocument.Statement");
  assert_int_equal(json_array_size(st), 3); /* one invoke for the one function */
  assert_string_equal(json_text(&ctx, json_array_get(st, 0)),
                      "{\"Action\":[\"lambda:InvokeFunction\"],\"Effect\":\"Allow\",\"Resource\":"
                      "{\"Fn::GetAtt\":[\"AFunction\",\"Arn\"]},\"Sid\":\"InvokeA\"}");
  assert_string_equal(field(json_array_get(st, 1), "Resource"), "\"*\"");
  assert_string_equal(field(json_array_get(st, 2), "Sid"), "\"WriteTraces\"");
  assert_string_equal(res_str(ir, "PipelineStateMachineRole",
                              "Properties.AssumeRolePolicyDocument.Statement.0.Principal.Service"),
                      "states.amazonaws.com");
  assert_string_equal(res_str(ir, "PipelineStateMachineLogGroup", "Properties.LogGroupName"),
                      "/aws/vendedlogs/states/demo-dev-pipeline");
  assert_int_equal(json_integer_value(res_get(ir, "PipelineStateMachineLogGroup",
                                              "Properties.RetentionInDays")),
                   7);
  assert_string_equal(json_text(&ctx, res_get(ir, "PipelineStateMachine",
                                              "Properties.LoggingConfiguration")),
                      "{\"Destinations\":[{\"CloudWatchLogsLogGroup\":{\"LogGroupArn\":{"
                      "\"Fn::GetAtt\":[\"PipelineStateMachineLogGroup\",\"Arn\"]}}}],"
                      "\"IncludeExecutionData\":true,\"Level\":\"ALL\"}");
  assert_true(json_is_true(res_get(ir, "PipelineStateMachine",
                                   "Properties.TracingConfiguration.Enabled")));
}

static void a_schedule_starts_it_through_a_role_and_functions_may_start_it(void **state) {
  (void)state;
  lower_machine(FUNCTIONS "  starter:\n    grants: [{start_execution: pipeline}]\n" MACHINE
                "    schedule: {expression: rate(1 day), enabled: false}\n"
                "    steps:\n      - {name: A, invoke: a}\n");
  assert_string_equal(res_str(ir, "PipelineStateMachineScheduleRule", "Properties.State"),
                      "DISABLED");
  assert_string_equal(res_str(ir, "PipelineStateMachineScheduleRule",
                              "Properties.Targets.0.Arn.Ref"),
                      "PipelineStateMachine");
  assert_string_equal(json_text(&ctx, res_get(ir, "PipelineStateMachineScheduleRole",
                                              "Properties.Policies.0.PolicyDocument.Statement.0")),
                      "{\"Action\":[\"states:StartExecution\"],\"Effect\":\"Allow\","
                      "\"Resource\":{\"Ref\":\"PipelineStateMachine\"},\"Sid\":\"StartExecution\"}");
  assert_string_equal(res_str(ir, "StarterFunction",
                              "Properties.Environment.Variables."
                              "LAKEC_STATE_MACHINE_PIPELINE_ARN.Ref"),
                      "PipelineStateMachine");
  assert_string_equal(res_str(ir, "StarterFunctionRole",
                              "Properties.Policies.0.PolicyDocument.Statement.1.Sid"),
                      "StartExecutionPipeline");
}

/* The graph's refusals, each with its code. */
static void check_fails(const char *steps, const char *code, const char *part) {
  Ctx c;
  ctx_init(&c);
  check_text(&c, arena_printf(&c.arena, "%s%s    steps:\n%s", FUNCTIONS, MACHINE, steps));
  if (!has_diag(&c, code, part))
    fail_msg("expected %s '%s', got %s", code, part, diag_at(&c, 0) ? diag_at(&c, 0) : "nothing");
  ctx_release(&c);
}

static void the_graph_is_refused_where_it_cannot_be_nested(void **state) {
  (void)state;
  check_fails("      - {name: A, invoke: a, after: [C]}\n      - {name: B, invoke: b}\n"
              "      - {name: C, invoke: c}\n",
              "LK351", "steps 'A', 'B', 'C' wait for each other");
  check_fails("      - {name: A, invoke: a}\n      - {name: B, invoke: b}\n"
              "      - {name: C, invoke: c, after: [A]}\n",
              "LK352", "step 'C' ends a parallel branch that never joins");
  check_fails("      - {name: A, invoke: a}\n      - {name: B, invoke: b}\n"
              "      - {name: C, invoke: c, after: [A]}\n      - {name: D, invoke: d, after: [B, C]}\n"
              "      - {name: E, invoke: e, after: [C]}\n      - {name: F, invoke: f, after: [D, E]}\n",
              "LK353", "step 'D' waits for steps of two parallel branches");
  check_fails("      - {name: A, invoke: a}\n      - {name: B, invoke: b, after: [a]}\n",
              "LK301", "no step named 'a'");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(steps_follow_one_another_to_succeed, setup, teardown),
      cmocka_unit_test_setup_teardown(a_fork_becomes_a_parallel_state_joined_at_its_post_dominator,
                                      setup, teardown),
      cmocka_unit_test_setup_teardown(forks_nest_and_after_nothing_starts_with_the_execution,
                                      setup, teardown),
      cmocka_unit_test_setup_teardown(an_inner_join_keeps_only_its_own_branch_results, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(an_edge_the_order_implies_makes_no_parallel, setup, teardown),
      cmocka_unit_test_setup_teardown(an_implied_edge_into_a_branch_is_no_crossing, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(a_failure_notifies_the_topic_then_fails, setup, teardown),
      cmocka_unit_test_setup_teardown(the_role_invokes_the_functions_and_logs_and_traces_on_star,
                                      setup, teardown),
      cmocka_unit_test_setup_teardown(a_schedule_starts_it_through_a_role_and_functions_may_start_it,
                                      setup, teardown),
      cmocka_unit_test_setup_teardown(the_graph_is_refused_where_it_cannot_be_nested, setup,
                                      teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
