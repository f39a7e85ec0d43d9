/* websocket: an API Gateway WebSocket API whose routes ($connect,
 * $disconnect, $default and actions chosen by the message's "action") proxy
 * to functions (AWS_PROXY), with one auto-deployed stage: its default
 * throttling and its access logs in a log group lakec makes. `auth: iam`
 * asks SigV4 of the client on $connect, the one route that can carry auth:
 * the messages of a connection are authorized by having connected. A
 * function is granted `post_to_connection: WEBSOCKET` to answer clients; its
 * handler finds the callback URL in LAKEC_WEBSOCKET_<KEY>_URL. */
#include "check_util.h"
#include "construct.h"
#include "lower/lower_internal.h"

#include <stdlib.h>
#include <string.h>

extern const Construct construct_websocket, construct_function;

#define LK_WS_ROUTE "LK376"
#define LK_WS_NO_MESSAGES "LK377"
#define LK_WS_AUTH_CONNECT "LK378"
#define STAGE_HEAD "lakec: 1\nproject: acme\nstage: dev\n"
#define WS_FUNCTIONS "functions:\n  ws: {handler: websocket}\n"

static const DiagCode WEBSOCKET_CODES[] = {
    {LK_WS_ROUTE, "invalid WebSocket route key",
     "A WebSocket API's route keys are `$connect`, `$disconnect`, `$default`, or an\n"
     "action: 1 to 128 letters, digits, '-', '_' and '.', matched against the\n"
     "`action` of each message (RouteSelectionExpression `$request.body.action`).\n"
     "Other keys starting with '$' are API Gateway's and cannot be routed.",
     STAGE_HEAD WS_FUNCTIONS "websockets:\n  live:\n    routes: {$message: ws}\n",
     STAGE_HEAD WS_FUNCTIONS "websockets:\n  live:\n    routes: {$default: ws}\n"},
    {LK_WS_NO_MESSAGES, "warning: a WebSocket API that cannot receive messages",
     "Messages a client sends go to the route named by their `action`, else to\n"
     "`$default`. A WebSocket API with neither (only `$connect` and `$disconnect`)\n"
     "accepts connections, and API Gateway refuses every message sent on them.",
     STAGE_HEAD WS_FUNCTIONS "websockets:\n  live:\n    routes: {$connect: ws}\n",
     STAGE_HEAD WS_FUNCTIONS "websockets:\n  live:\n    routes: {$connect: ws, $default: ws}\n"},
    {LK_WS_AUTH_CONNECT, "`auth: iam` on a WebSocket API without a `$connect` route",
     "A WebSocket API authorizes a client once, on `$connect`; its messages are\n"
     "then allowed by the connection. Without a `$connect` route API Gateway\n"
     "accepts every connection, so `auth: iam` would protect nothing.",
     STAGE_HEAD WS_FUNCTIONS "websockets:\n  live:\n    auth: iam\n    routes: {$default: ws}\n",
     STAGE_HEAD WS_FUNCTIONS
     "websockets:\n  live:\n    auth: iam\n    routes: {$connect: ws, $default: ws}\n"},
    {NULL, NULL, NULL, NULL, NULL},
};

typedef struct WsRoute {
  const char *key; /* "$connect", "$default", "sendmessage" */
  const Function *function;
  const Node *key_node;
} WsRoute;

typedef struct WebSocket {
  MODEL_ITEM_HEADER;
  const char *name, *stage_name, *description;
  int auth; /* WS_AUTH_NONE, WS_AUTH_IAM */
  Throttle throttle;
  long long log_retention;
  StrMap routes_as_written; /* "$connect": FUNCTION */
  LIST(WsRoute) routes;     /* resolved */
} WebSocket;

enum { WS_AUTH_NONE, WS_AUTH_IAM };
static const char *const WS_AUTHS[] = {"none", "iam", NULL};

static const Field WEBSOCKET_FIELDS[] = {
    {"name", F_STR, offsetof(WebSocket, name), .def = "PROJECT-STAGE-KEY", .computed = true,
     .doc = "the WebSocket API's name"},
    {"stage_name", F_STR, offsetof(WebSocket, stage_name), .def = "live",
     .doc = "the API Gateway stage, the path of the URL"},
    {"description", F_STR, offsetof(WebSocket, description),
     .doc = "the API's description (default: PROJECT STAGE KEY WebSocket API)"},
    {"auth", F_ENUM, offsetof(WebSocket, auth), .values = WS_AUTHS, .def = "none",
     .doc = "none, or iam: SigV4 (AWS_IAM) on $connect, the one route that can carry auth"},
    {"routes", F_STRMAP, offsetof(WebSocket, routes_as_written), .required = true,
     .doc = "route key ($connect, $disconnect, $default or an action): FUNCTION"},
    {"throttle", F_STRUCT, offsetof(WebSocket, throttle), .shape = &SCHEMA_THROTTLE,
     .doc = "the stage's default throttling (every route)"},
    {"log_retention", F_INT, offsetof(WebSocket, log_retention), .def = "30", .min = 1,
     .max = 3653, .doc = "days the access log group keeps logs (a CloudWatch retention value)"},
    ITEM_FIELDS(WebSocket),
};
static const Shape SHAPE_WEBSOCKET =
    SHAPE(WebSocket, "WebSocket API", WEBSOCKET_FIELDS, .key_offset = offsetof(WebSocket, key));

/* ---- check ---- */

static bool is_special_route(const char *key) {
  return !strcmp(key, "$connect") || !strcmp(key, "$disconnect") || !strcmp(key, "$default");
}

/* An action: what a message's "action" names (API Gateway takes any text;
 * lakec keeps the ids and ARNs it builds from it simple). */
static bool valid_action(const char *key) {
  size_t n = strlen(key);
  if (n < 1 || n > 128)
    return false;
  for (size_t i = 0; i < n; i++) {
    char c = key[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
          c == '-' || c == '_' || c == '.'))
      return false;
  }
  return true;
}

/* "Connect" for $connect, "Sendmessage" for sendmessage: the route's part of
 * its ids. */
static const char *route_name(Ctx *ctx, const char *key) {
  return lid(ctx, key[0] == '$' ? key + 1 : key, "");
}

/* Two route keys that give one id part ($connect and connect, send-message
 * and send_message) would give their resources one logical id. */
static void check_route_ids(Ctx *ctx, StrIndex *ids, const StrPair *p) {
  const char *id = route_name(ctx, p->key);
  const StrPair *first = strindex_get(ids, id);
  if (!first) {
    strindex_put(ctx, ids, id, (void *)p);
    return;
  }
  Diag *d = diag_error(ctx, p->key_node->pos, LK_DUPLICATE,
                       "routes '%s' and '%s' give their resources one logical id part ('%s'): "
                       "rename one",
                       first->key, p->key, id);
  diag_note(ctx, d, first->key_node->pos, "the route '%s'", first->key);
}

static void check_routes(Ctx *ctx, Model *m, WebSocket *ws) {
  StrIndex ids = {0};
  size_t n = ws->routes_as_written.len;
  ws->routes.items = arena_alloc(&ctx->arena, (n ? n : 1) * sizeof *ws->routes.items);
  for (size_t i = 0; i < n; i++) {
    const StrPair *p = &ws->routes_as_written.items[i];
    if (!is_special_route(p->key) && !valid_action(p->key)) {
      diag_error(ctx, p->key_node->pos, LK_WS_ROUTE,
                 "route '%s' is invalid: write $connect, $disconnect, $default or an action "
                 "of 1 to 128 letters, digits, '-', '_' and '.'",
                 p->key);
      continue;
    }
    check_route_ids(ctx, &ids, p);
    const Function *f =
        construct_resolve(ctx, m, &construct_function, p->value, p->value_node->pos);
    if (f)
      ws->routes.items[ws->routes.len++] = (WsRoute){p->key, f, p->key_node};
  }
}

static const WsRoute *find_route(const WebSocket *ws, const char *key) {
  for (size_t i = 0; i < ws->routes.len; i++)
    if (!strcmp(ws->routes.items[i].key, key))
      return &ws->routes.items[i];
  return NULL;
}

static bool receives_messages(const WebSocket *ws) {
  for (size_t i = 0; i < ws->routes.len; i++) {
    const char *key = ws->routes.items[i].key;
    if (strcmp(key, "$connect") != 0 && strcmp(key, "$disconnect") != 0)
      return true;
  }
  return false;
}

static void check_auth(Ctx *ctx, const Model *m, const WebSocket *ws) {
  if (m->production == 1 && ws->auth == WS_AUTH_NONE && !m->policy.allow_open_api) {
    Diag *d = diag_error(ctx, check_pos(ws->node, "auth"), LK_PROD_AUTH,
                         "a production stage cannot serve its WebSocket API with 'auth: none' "
                         "(if it is public on purpose, set 'policy: {allow_open_api: true}')");
    diag_fixit(ctx, d, node_get(ws->node, "auth") ? "iam" : "auth: iam");
  }
  if (ws->auth == WS_AUTH_IAM && ws->routes.len == ws->routes_as_written.len &&
      !find_route(ws, "$connect"))
    diag_error(ctx, check_pos(ws->node, "auth"), LK_WS_AUTH_CONNECT,
               "WebSocket API '%s' has 'auth: iam' but no '$connect' route, where the "
               "authorization happens: add one",
               ws->key);
}

/* API Gateway stops waiting for an integration after 29 seconds. */
static void check_timeouts(Ctx *ctx, const WebSocket *ws) {
  for (size_t i = 0; i < ws->routes.len; i++) {
    const WsRoute *r = &ws->routes.items[i];
    if (r->function->timeout <= 29 || find_route(ws, r->key) != r)
      continue;
    bool first = true;
    for (size_t k = 0; k < i && first; k++)
      first = ws->routes.items[k].function != r->function;
    if (!first)
      continue;
    Diag *d = diag_warning(ctx, check_pos(r->function->node, "timeout"), LK_API_TIMEOUT,
                           "function '%s' may run %lld seconds, but API Gateway stops waiting "
                           "after 29",
                           r->function->key, r->function->timeout);
    diag_note(ctx, d, r->key_node->pos, "route '%s' calls it", r->key);
  }
}

static void check_websocket(Ctx *ctx, Model *m, WebSocket *ws) {
  if (!ws->name)
    ws->name = check_default_name(ctx, m, ws->key);
  if (!ws->throttle.node) {
    ws->throttle.rate = atoll(THROTTLE_DEFAULT_RATE);
    ws->throttle.burst = atoll(THROTTLE_DEFAULT_BURST);
  }
  check_log_retention(ctx, ws->node, ws->log_retention);
  check_name(ctx, ws->node, "name", ws->name, awsname_rest_api, LK_API_NAME,
             "WebSocket API name");
  check_name(ctx, ws->node, "stage_name", ws->stage_name, awsname_api_stage, LK_API_NAME,
             "API stage name");
  check_routes(ctx, m, ws);
  if (ws->routes_as_written.len == 0 && node_get(ws->node, "routes"))
    diag_error(ctx, check_pos(ws->node, "routes"), LK_MISSING_KEY,
               "a WebSocket API needs at least one route");
  else if (ws->routes.len == ws->routes_as_written.len && !receives_messages(ws))
    diag_warning(ctx, check_pos(ws->node, "routes"), LK_WS_NO_MESSAGES,
                 "WebSocket API '%s' has no $default or action route: API Gateway refuses "
                 "every message its clients send",
                 ws->key);
  check_auth(ctx, m, ws);
  check_timeouts(ctx, ws);
}

static void websocket_check(Ctx *ctx, Model *m, const Construct *self) {
  StrIndex names = {0};
  for (size_t i = 0; i < construct_count(m, self); i++) {
    WebSocket *ws = construct_item_mut(m, self, i);
    check_websocket(ctx, m, ws);
    check_unique_name(ctx, &names, self, (const Item *)ws, ws->name);
  }
}

/* ---- lower ---- */

static const char *ws_id(Ctx *ctx, const WebSocket *ws, const char *suffix) {
  return lid(ctx, ws->key, suffix);
}

/* One JSON object per event (connect, message, disconnect): CloudWatch Logs
 * Insights reads its fields. */
static const char *const ACCESS_LOG_FORMAT =
    "{\"requestId\":\"$context.requestId\",\"ip\":\"$context.identity.sourceIp\","
    "\"caller\":\"$context.identity.caller\",\"user\":\"$context.identity.user\","
    "\"requestTime\":\"$context.requestTime\",\"eventType\":\"$context.eventType\","
    "\"routeKey\":\"$context.routeKey\",\"status\":\"$context.status\","
    "\"connectionId\":\"$context.connectionId\","
    "\"integrationLatency\":\"$context.integrationLatency\","
    "\"errorMessage\":\"$context.error.message\"}";

/* The route findings the choice of auth makes (cdk-nag wants authorization
 * on every route, which WebSocket APIs have only on $connect). */
static void suppress_route_auth(IrResource *route, const WebSocket *ws, const char *key) {
  if (strcmp(key, "$connect") != 0)
    ir_suppress(route, "AwsSolutions-APIG4", "WebSocket authorization exists only on $connect.",
                NULL);
  else if (ws->auth == WS_AUTH_NONE)
    ir_suppress(route, "AwsSolutions-APIG4",
                "The stage serves this WebSocket API without authorization by its own choice "
                "('auth: none'); lakec refuses that in a production stage unless its policy "
                "allows an open API.",
                NULL);
}

static void lower_route(Ctx *ctx, Ir *ir, const WebSocket *ws, const WsRoute *r) {
  const char *api = ws_id(ctx, ws, "WebSocketApi");
  const char *name = arena_printf(&ctx->arena, "%s%s", api, route_name(ctx, r->key));
  const char *integration = arena_printf(&ctx->arena, "%sIntegration", name);
  ir_add(ctx, ir, integration, "AWS::ApiGatewayV2::Integration",
         J("{s:o, s:s, s:o}", "ApiId", cfn_ref(api), "IntegrationType", "AWS_PROXY",
           "IntegrationUri",
           cfn_subf("arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/"
                    "functions/%s/invocations",
                    construct_sub(ctx, ir, &construct_function, r->function, "arn"))));
  bool iam = ws->auth == WS_AUTH_IAM && !strcmp(r->key, "$connect");
  IrResource *route = ir_add(
      ctx, ir, arena_printf(&ctx->arena, "%sRoute", name), "AWS::ApiGatewayV2::Route",
      J("{s:o, s:s, s:s, s:o}", "ApiId", cfn_ref(api), "RouteKey", r->key, "AuthorizationType",
        iam ? "AWS_IAM" : "NONE", "Target", cfn_subf("integrations/${%s}", integration)));
  suppress_route_auth(route, ws, r->key);
  ir_add(ctx, ir, arena_printf(&ctx->arena, "%sPermission", name), "AWS::Lambda::Permission",
         J("{s:s, s:o, s:s, s:o}", "Action", "lambda:InvokeFunction", "FunctionName",
           construct_ref(ctx, ir, &construct_function, r->function, "arn"), "Principal",
           "apigateway.amazonaws.com", "SourceArn",
           cfn_subf("arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${%s}/%s/%s",
                    api, ws->stage_name, r->key)));
}

/* Logs are data: a production stage keeps them when the stack goes. */
static const char *lower_access_logs(Ctx *ctx, Ir *ir, const Model *m, const WebSocket *ws) {
  const char *id = ws_id(ctx, ws, "WebSocketAccessLogGroup");
  IrResource *r = ir_add(
      ctx, ir, id, "AWS::Logs::LogGroup",
      J("{s:s, s:I}", "LogGroupName",
        arena_printf(&ctx->arena, "/aws/apigateway/%s-%s-%s/access", m->project, m->stage,
                     ws->key),
        "RetentionInDays", (json_int_t)ws->log_retention));
  ir_set_policy(r, m->production ? "Retain" : "Delete");
  return id;
}

/* AutoDeploy: every change of the routes is deployed with the stack, so
 * there is no deployment resource to replace. The stage depends on the
 * routes: API Gateway refuses to deploy an API without one. */
static void lower_stage(Ctx *ctx, Ir *ir, const Model *m, const WebSocket *ws) {
  const char *logs = lower_access_logs(ctx, ir, m, ws);
  json_t *p = J("{s:o, s:s, s:b, s:{s:I, s:f}, s:{s:o, s:s}}", "ApiId",
                cfn_ref(ws_id(ctx, ws, "WebSocketApi")), "StageName", ws->stage_name,
                "AutoDeploy", 1, "DefaultRouteSettings", "ThrottlingBurstLimit",
                (json_int_t)ws->throttle.burst, "ThrottlingRateLimit", (double)ws->throttle.rate,
                "AccessLogSettings", "DestinationArn", cfn_getatt(logs, "Arn"), "Format",
                ACCESS_LOG_FORMAT);
  IrResource *stage = ir_add(ctx, ir, ws_id(ctx, ws, "WebSocketStage"), "AWS::ApiGatewayV2::Stage", p);
  for (size_t i = 0; i < ws->routes.len; i++)
    ir_depends_on(ctx, stage,
                  arena_printf(&ctx->arena, "%s%sRoute", ws_id(ctx, ws, "WebSocketApi"),
                               route_name(ctx, ws->routes.items[i].key)));
}

static void websocket_lower(Ctx *ctx, Ir *ir, const Model *m, const void *item) {
  const WebSocket *ws = item;
  const char *api = ws_id(ctx, ws, "WebSocketApi");
  const char *what =
      ws->description ? ws->description
                      : arena_printf(&ctx->arena, "%s %s %s WebSocket API", m->project, m->stage,
                                     ws->key);
  ir_add(ctx, ir, api, "AWS::ApiGatewayV2::Api",
         J("{s:s, s:s, s:s, s:s}", "Name", ws->name, "Description", what, "ProtocolType",
           "WEBSOCKET", "RouteSelectionExpression", "$request.body.action"));
  for (size_t i = 0; i < ws->routes.len; i++)
    lower_route(ctx, ir, ws, &ws->routes.items[i]);
  lower_stage(ctx, ir, m, ws);
  ir_output(ctx, ir, ws_id(ctx, ws, "WebSocketUrl"),
            construct_ref(ctx, ir, &construct_websocket, ws, "url"),
            "URL clients connect to (wss)");
}

/* "id": the WebSocket API's id, generated by API Gateway (other stacks
 * import it); "url" (wss://, where clients connect), "callback_url"
 * (https://, where PostToConnection is sent) and "arn" (the execute-api ARN
 * of the stage, routes below it) are built on it. */
static bool websocket_ref(Ctx *ctx, const void *item, const char *what, RefSpec *out) {
  const WebSocket *ws = item;
  out->id = ws_id(ctx, ws, "WebSocketApi");
  if (!strcmp(what, "id"))
    return true;
  const char *scheme = !strcmp(what, "url") ? "wss" : !strcmp(what, "callback_url") ? "https" : NULL;
  if (scheme) {
    out->around = arena_printf(&ctx->arena, "%s://%%s.execute-api.${AWS::Region}.${AWS::URLSuffix}/%s",
                               scheme, ws->stage_name);
    return true;
  }
  if (!strcmp(what, "arn")) {
    out->around = arena_printf(
        &ctx->arena, "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:%%s/%s",
        ws->stage_name);
    return true;
  }
  return false;
}

/* ---- grants: post_to_connection ---- */

static bool resolve_websocket(Ctx *ctx, const Model *m, Grant *g, Pos at) {
  g->target = construct_resolve(ctx, m, &construct_websocket, g->text, at);
  return g->target != NULL;
}

static void post_statements(Ctx *ctx, Ir *ir, const Model *m, const Grant *g, json_t *out) {
  (void)m;
  json_array_append_new(
      out, iam_wildcard(
               iam_statement(iam_sid(ctx, "PostToConnection", g->text),
                             J("[s]", "execute-api:ManageConnections"),
                             cfn_subf("%s/POST/@connections/*",
                                      construct_sub(ctx, ir, &construct_websocket, g->target, "arn"))),
               "The grant lets the function post to any connection of this one WebSocket API "
               "stage: connection ids are made by API Gateway at run time."));
}

/* LAKEC_WEBSOCKET_<KEY>_URL: the https callback URL of the stage. */
static void post_environment(Ctx *ctx, Ir *ir, const Model *m, const Grant *g, json_t *vars) {
  (void)m;
  const WebSocket *ws = g->target;
  json_object_set_new(vars, env_name(ctx, "LAKEC_WEBSOCKET_", ws->key, "_URL"),
                      construct_ref(ctx, ir, &construct_websocket, ws, "callback_url"));
}

static const GrantVerb VERB_POST = {
    "post_to_connection",
    "WebSocket API: send to its clients (execute-api:ManageConnections on @connections)",
    resolve_websocket, post_statements, post_environment, NULL};
static const GrantVerb *const WEBSOCKET_VERBS[] = {&VERB_POST, NULL};

static void websocket_claims(Ctx *ctx, const Model *m, const void *item, PtrVec *claims) {
  (void)m;
  const WebSocket *ws = item;
  construct_claim(ctx, claims, "WebSocket API", ws->name, ws->node, "name", false);
}

static const TagRule WEBSOCKET_TAGS[] = {
    {"AWS::ApiGatewayV2::Api", "Tags", TAGS_MAP},
    {"AWS::ApiGatewayV2::Stage", "Tags", TAGS_MAP},
    {"AWS::Logs::LogGroup", "Tags", TAGS_LIST},
    {NULL, NULL, 0},
};

const Construct construct_websocket = {
    .key = "websockets",
    .kind = "WebSocket API",
    .doc = "WebSocket APIs (API Gateway) in front of functions, by key",
    .shape = &SHAPE_WEBSOCKET,
    .check = websocket_check,
    .lower = websocket_lower,
    .ref = websocket_ref,
    .verbs = WEBSOCKET_VERBS,
    .claim_names = websocket_claims,
    .tags = WEBSOCKET_TAGS,
    .codes = WEBSOCKET_CODES,
};
