/* websockets: the WebSocket API (its routes, integrations, permissions,
 * stage and access logs, auth on $connect only), its checks, and the grants
 * post_to_connection and invoke (a function; the verb an API offers too). */
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

#define FUNCTIONS                                                                       \
  "functions:\n  ws: {handler: websocket}\n"                                            \
  "  consumer: {handler: consume, grants: [{post_to_connection: dashboard}]}\n"         \
  "  producer: {timeout: 20}\n"                                                          \
  "  generator: {grants: [{invoke: producer}]}\n"
#define STAGE                                                                           \
  MINIMAL_STAGE FUNCTIONS                                                               \
  "websockets:\n  dashboard:\n    auth: iam\n    throttle: {rate: 50, burst: 100}\n"    \
  "    log_retention: 7\n"                                                              \
  "    routes: {$connect: ws, $disconnect: ws, $default: ws, send-message: ws}\n"

static const IrEntry *output(const char *id) {
  for (size_t i = 0; i < ir->outputs.len; i++) {
    const IrEntry *e = ir->outputs.items[i];
    if (!strcmp(e->id, id))
      return e;
  }
  return NULL;
}

static void the_api_routes_messages_by_their_action(void **state) {
  (void)state;
  ir = lower_text(&ctx, STAGE);
  assert_string_equal(ir_find(ir, "DashboardWebSocketApi")->type, "AWS::ApiGatewayV2::Api");
  assert_string_equal(res_str(ir, "DashboardWebSocketApi", "Properties.Name"),
                      "demo-dev-dashboard");
  assert_string_equal(res_str(ir, "DashboardWebSocketApi", "Properties.ProtocolType"),
                      "WEBSOCKET");
  assert_string_equal(res_str(ir, "DashboardWebSocketApi", "Properties.RouteSelectionExpression"),
                      "$request.body.action");
  const char *route = "DashboardWebSocketApiSendMessageRoute";
  assert_string_equal(res_str(ir, route, "Properties.RouteKey"), "send-message");
  assert_string_equal(res_str(ir, route, "Properties.Target.Fn::Sub"),
                      "integrations/${DashboardWebSocketApiSendMessageIntegration}");
  const char *integration = "DashboardWebSocketApiSendMessageIntegration";
  assert_string_equal(res_str(ir, integration, "Properties.IntegrationType"), "AWS_PROXY");
  assert_string_equal(res_str(ir, integration, "Properties.IntegrationUri.Fn::Sub"),
                      "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/"
                      "functions/${WsFunction.Arn}/invocations");
  /* each route's permission names exactly that route of the stage */
  assert_string_equal(res_str(ir, "DashboardWebSocketApiConnectPermission", "Properties.SourceArn.Fn::Sub"),
                      "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:"
                      "${DashboardWebSocketApi}/live/$connect");
  assert_string_equal(res_str(ir, "DashboardWebSocketApiConnectPermission", "Properties.Principal"),
                      "apigateway.amazonaws.com");
}

static void iam_auth_is_on_connect_only(void **state) {
  (void)state;
  ir = lower_text(&ctx, STAGE);
  assert_string_equal(res_str(ir, "DashboardWebSocketApiConnectRoute", "Properties.AuthorizationType"),
                      "AWS_IAM");
  assert_null(ir_find(ir, "DashboardWebSocketApiConnectRoute")->metadata);
  const char *others[] = {"DashboardWebSocketApiDisconnectRoute",
                          "DashboardWebSocketApiDefaultRoute",
                          "DashboardWebSocketApiSendMessageRoute"};
  for (size_t i = 0; i < 3; i++) {
    assert_string_equal(res_str(ir, others[i], "Properties.AuthorizationType"), "NONE");
    json_t *sup = json_at(ir_find(ir, others[i])->metadata, "cdk_nag.rules_to_suppress.0");
    assert_string_equal(json_string_value(json_object_get(sup, "id")), "AwsSolutions-APIG4");
    assert_string_equal(json_string_value(json_object_get(sup, "reason")),
                        "WebSocket authorization exists only on $connect.");
  }
}

static void the_stage_deploys_itself_throttled_with_json_access_logs(void **state) {
  (void)state;
  ir = lower_text(&ctx, STAGE);
  const char *stage = "DashboardWebSocketStage";
  assert_string_equal(ir_find(ir, stage)->type, "AWS::ApiGatewayV2::Stage");
  assert_string_equal(res_str(ir, stage, "Properties.StageName"), "live");
  assert_true(json_is_true(res_get(ir, stage, "Properties.AutoDeploy")));
  assert_int_equal(json_integer_value(res_get(ir, stage,
                                              "Properties.DefaultRouteSettings.ThrottlingBurstLimit")),
                   100);
  assert_true(json_real_value(res_get(ir, stage,
                                      "Properties.DefaultRouteSettings.ThrottlingRateLimit")) == 50.0);
  assert_string_equal(res_str(ir, stage, "Properties.AccessLogSettings.DestinationArn.Fn::GetAtt.0"),
                      "DashboardWebSocketAccessLogGroup");
  json_error_t err;
  json_t *format = json_loads(res_str(ir, stage, "Properties.AccessLogSettings.Format"), 0, &err);
  assert_non_null(format);
  assert_string_equal(json_string_value(json_object_get(format, "routeKey")), "$context.routeKey");
  json_decref(format);
  assert_int_equal(json_integer_value(res_get(ir, "DashboardWebSocketAccessLogGroup",
                                              "Properties.RetentionInDays")),
                   7);
  /* API Gateway refuses to deploy an API without routes: the stage waits for them */
  assert_int_equal(ir_find(ir, stage)->depends_on.len, 4);
  const IrEntry *url = output("DashboardWebSocketUrl");
  assert_non_null(url);
  assert_string_equal(json_string_value(json_at(url->value, "Value.Fn::Sub")),
                      "wss://${DashboardWebSocketApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/live");
}

static const char *statement_text(const char *role, size_t i) {
  char path[96];
  snprintf(path, sizeof path, "Properties.Policies.0.PolicyDocument.Statement.%zu", i);
  return json_text(&ctx, res_get(ir, role, path));
}

static const char *env(const char *function, const char *name) {
  char path[128];
  snprintf(path, sizeof path, "Properties.Environment.Variables.%s", name);
  return json_text(&ctx, res_get(ir, function, path));
}

static void post_to_connection_may_manage_the_stages_connections(void **state) {
  (void)state;
  ir = lower_text(&ctx, STAGE);
  const char *s = statement_text("ConsumerFunctionRole", 1);
  assert_non_null(strstr(s, "\"execute-api:ManageConnections\""));
  assert_non_null(strstr(s, "${DashboardWebSocketApi}/live/POST/@connections/*"));
  assert_string_equal(env("ConsumerFunction", "LAKEC_WEBSOCKET_DASHBOARD_URL"),
                      "{\"Fn::Sub\":\"https://${DashboardWebSocketApi}.execute-api.${AWS::Region}."
                      "${AWS::URLSuffix}/live\"}");
}

/* The name and ARN lakec fixed, not Ref/GetAtt: a function invoking itself
 * (or one that invokes it) would otherwise be a dependency cycle. */
static void invoke_a_function_names_it_and_allows_exactly_it(void **state) {
  (void)state;
  ir = lower_text(&ctx, STAGE);
  const char *s = statement_text("GeneratorFunctionRole", 1);
  assert_non_null(strstr(s, "\"lambda:InvokeFunction\""));
  assert_non_null(strstr(s, ":function:demo-dev-producer\""));
  assert_null(strstr(s, "Fn::GetAtt"));
  assert_string_equal(env("GeneratorFunction", "LAKEC_FUNCTION_PRODUCER"), "\"demo-dev-producer\"");
  ir_free(ir);
  ir = lower_text(&ctx, MINIMAL_STAGE "functions:\n  loop: {grants: [{invoke: loop}]}\n");
  assert_int_equal(ctx.diags.errors, 0);
  assert_null(strstr(statement_text("LoopFunctionRole", 1), "LoopFunction\""));
}

static void invoke_an_api_still_calls_its_routes(void **state) {
  (void)state;
  ir = lower_text(&ctx, MINIMAL_STAGE
                  "functions:\n  q: {}\n  caller: {grants: [{invoke: orders}]}\n"
                  "apis:\n  orders: {name: orders, auth: iam, routes: {GET /m: q}}\n");
  assert_non_null(strstr(statement_text("CallerFunctionRole", 1), "\"execute-api:Invoke\""));
  assert_non_null(strstr(env("CallerFunction", "LAKEC_API_ORDERS_URL"), "OrdersApi"));
}

static void references_build_on_the_apis_id(void **state) {
  (void)state;
  ir = lower_text(&ctx, MINIMAL_STAGE
                  "functions:\n  ws: {}\n  client:\n    environment:\n"
                  "      URL: ${websockets.live.url}\n"
                  "      CALLBACK: \"to ${websockets.live.callback_url}\"\n"
                  "      ID: ${websockets.live.id}\n"
                  "    grants: [{iam: {actions: [execute-api:Invoke],"
                  " resources: ['${websockets.live.arn}/$default']}}]\n"
                  "websockets:\n  live: {stage_name: v1, routes: {$default: ws}}\n");
  assert_string_equal(env("ClientFunction", "URL"),
                      "{\"Fn::Sub\":\"wss://${LiveWebSocketApi}.execute-api.${AWS::Region}."
                      "${AWS::URLSuffix}/v1\"}");
  assert_string_equal(env("ClientFunction", "CALLBACK"),
                      "{\"Fn::Sub\":\"to https://${LiveWebSocketApi}.execute-api.${AWS::Region}."
                      "${AWS::URLSuffix}/v1\"}");
  assert_string_equal(env("ClientFunction", "ID"), "{\"Fn::Sub\":\"${LiveWebSocketApi}\"}");
  assert_non_null(strstr(statement_text("ClientFunctionRole", 1),
                         ":${AWS::AccountId}:${LiveWebSocketApi}/v1/$default"));
}

static void checks(void **state) {
  (void)state;
  check_text(&ctx, MINIMAL_STAGE
             "functions:\n  ws: {handler: websocket, timeout: 40}\n"
             "websockets:\n  a: {routes: {$connect: ws, $message: ws, bad key: ws, x: nope}}\n"
             "  b: {auth: iam, routes: {$default: ws}}\n"
             "  c: {routes: {$connect: ws}}\n");
  assert_true(has_diag(&ctx, "LK376", "route '$message' is invalid"));
  assert_true(has_diag(&ctx, "LK376", "route 'bad key' is invalid"));
  assert_true(has_diag(&ctx, "LK301", "no function named 'nope'"));
  assert_true(has_diag(&ctx, "LK378", "'b' has 'auth: iam' but no '$connect' route"));
  assert_true(has_diag(&ctx, "LK377", "'c' has no $default or action route"));
  assert_true(has_diag(&ctx, "LK306", "may run 40 seconds"));
  /* a's routes were not all resolved: no second-guessing of what it receives */
  assert_false(has_diag(&ctx, "LK377", "'a'"));
}

static void production_needs_auth_or_the_policy(void **state) {
  (void)state;
  const char *open = "lakec: 1\nproject: demo\nstage: prod\nproduction: true\n"
                     "functions: {ws: {}}\nwebsockets: {a: {routes: {$default: ws}}}\n";
  check_text(&ctx, open);
  assert_true(has_diag(&ctx, "LK401", "WebSocket API with 'auth: none'"));
  ctx_release(&ctx);
  ctx_init(&ctx);
  check_text(&ctx, "lakec: 1\nproject: demo\nstage: prod\nproduction: true\n"
                   "policy: {allow_open_api: true}\n"
                   "functions: {ws: {}}\nwebsockets: {a: {routes: {$default: ws}}}\n");
  assert_false(has_diag(&ctx, "LK401", ""));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(the_api_routes_messages_by_their_action, setup, teardown),
      cmocka_unit_test_setup_teardown(iam_auth_is_on_connect_only, setup, teardown),
      cmocka_unit_test_setup_teardown(the_stage_deploys_itself_throttled_with_json_access_logs,
                                      setup, teardown),
      cmocka_unit_test_setup_teardown(post_to_connection_may_manage_the_stages_connections, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(invoke_a_function_names_it_and_allows_exactly_it, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(invoke_an_api_still_calls_its_routes, setup, teardown),
      cmocka_unit_test_setup_teardown(references_build_on_the_apis_id, setup, teardown),
      cmocka_unit_test_setup_teardown(checks, setup, teardown),
      cmocka_unit_test_setup_teardown(production_needs_auth_or_the_policy, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
