/* api: a REST API whose routes proxy to functions (AWS_PROXY), with one
 * API Gateway resource per path segment, a deployment whose logical id
 * carries a hash of the methods (so CloudFormation redeploys when routes
 * change, as CDK does), a stage, CORS preflight answered by a MOCK
 * integration, and auth per stage: none, AWS_IAM, or a Cognito user pool
 * with its client and authorizer. */
#include "check_util.h"
#include "construct.h"
#include "lower/lower_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const CORS_HEADERS =
    "'Content-Type,Authorization,X-Amz-Date,X-Amz-Security-Token,X-Api-Key'";

extern const Construct construct_api, construct_function;

/* The roots of an API's logical ids. The API's own id is its key's PascalCase
 * with "Api" added unless it ends so (api -> Api, orders -> OrdersApi); the
 * stem drops that "Api" again and names its Cognito pool (api -> UserPool,
 * orders -> OrdersUserPool): the ids of the first release stay as they were. */
typedef struct ApiIds {
  const char *api, *stem;
} ApiIds;

static ApiIds api_ids(Ctx *ctx, const Api *api) {
  const char *base = lid(ctx, api->key, "");
  size_t n = strlen(base);
  if (n >= 3 && !strcmp(base + n - 3, "Api"))
    return (ApiIds){base, arena_strndup(&ctx->arena, base, n - 3)};
  return (ApiIds){arena_printf(&ctx->arena, "%sApi", base), base};
}

static const char *api_id(Ctx *ctx, const ApiIds *ids, const char *suffix) {
  return arena_printf(&ctx->arena, "%s%s", ids->api, suffix);
}

static const Field CORS_FIELDS[] = {
    {"origins", F_STRLIST, offsetof(Cors, origins), .def = "[\"*\"]",
     .doc = "allowed origins for browsers"},
};
static const Shape SHAPE_CORS = SHAPE(Cors, "cors", CORS_FIELDS, .key_offset = NO_KEY);

static const Field API_FIELDS[] = {
    {"name", F_STR, offsetof(Api, name), .required = true, .doc = "the REST API name"},
    {"stage_name", F_STR, offsetof(Api, stage_name), .def = "STAGE", .computed = true,
     .doc = "the API Gateway stage, the last part of the URL path"},
    {"auth", F_ENUM, offsetof(Api, auth), .values = ENUM_AUTH, .def = "none",
     .doc = "none, iam (SigV4, AWS_IAM) or cognito (user pool + authorizer)"},
    {"cors", F_STRUCT, offsetof(Api, cors), .shape = &SHAPE_CORS,
     .doc = "answer CORS preflight (OPTIONS) and add CORS headers"},
    {"routes", F_STRMAP, offsetof(Api, routes_as_written), .required = true,
     .doc = "\"METHOD /path\": FUNCTION, proxied to the function"},
    {"throttle", F_STRUCT, offsetof(Api, throttle), .shape = &SCHEMA_THROTTLE,
     .doc = "the stage's default throttling (every method)"},
    {"log_retention", F_INT, offsetof(Api, log_retention), .def = "30", .min = 1, .max = 3653,
     .doc = "days the access and execution log groups keep logs (a CloudWatch retention value)"},
    {"tracing", F_BOOL, offsetof(Api, tracing), .def = "production", .computed = true,
     .doc = "X-Ray tracing of the stage's requests"},
    {"mfa", F_BOOL, offsetof(Api, mfa), .def = "production", .computed = true,
     .doc = "the Cognito users must use a second factor (an authenticator app); auth: cognito"},
    {"waf_acl", F_STR, offsetof(Api, waf_acl),
     .doc = "ARN of a regional WAFv2 web ACL to associate with the stage"},
    ITEM_FIELDS(Api),
};
static const Shape SHAPE_API = SHAPE(Api, "API", API_FIELDS, .key_offset = offsetof(Api, key));

/* ---- check ---- */

static const char *const METHODS[] = {"GET",  "POST",    "PUT", "PATCH",
                                      "DELETE", "HEAD", "OPTIONS", "ANY", NULL};

static bool valid_path(const char *path) {
  if (path[0] != '/')
    return false;
  if (!strcmp(path, "/"))
    return true;
  const char *seg = path + 1;
  for (;;) {
    const char *end = strchr(seg, '/');
    size_t n = end ? (size_t)(end - seg) : strlen(seg);
    if (n == 0)
      return false;
    bool param = seg[0] == '{' && seg[n - 1] == '}';
    for (size_t i = param ? 1 : 0; i < (param ? n - 1 : n); i++) {
      char c = seg[i];
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '_' || c == '.' || (param && c == '+' && i == n - 2);
      if (!ok)
        return false;
    }
    if (param && n < 3)
      return false;
    if (!end)
      return true;
    seg = end + 1;
  }
}

static bool parse_route(Ctx *ctx, const StrPair *p, Route *r) {
  const char *sp = strchr(p->key, ' ');
  const char *method = sp ? arena_strndup(&ctx->arena, p->key, (size_t)(sp - p->key)) : p->key;
  const char *path = sp ? sp + 1 : "";
  bool known = false;
  for (int i = 0; METHODS[i]; i++)
    known |= !strcmp(method, METHODS[i]);
  if (!sp || !known || !valid_path(path)) {
    diag_error(ctx, p->key_node->pos, LK_ROUTE,
               "route '%s' is invalid: write 'METHOD /path', with METHOD one of GET, POST, "
               "PUT, PATCH, DELETE, HEAD, OPTIONS, ANY and a path of plain segments or {params}",
               p->key);
    return false;
  }
  r->method = method;
  r->path = path;
  r->key_node = p->key_node;
  return true;
}

static void check_routes(Ctx *ctx, Model *m, Api *api) {
  size_t n = api->routes_as_written.len;
  api->routes.items = arena_alloc(&ctx->arena, (n ? n : 1) * sizeof *api->routes.items);
  for (size_t i = 0; i < n; i++) {
    const StrPair *p = &api->routes_as_written.items[i];
    Route r;
    memset(&r, 0, sizeof r);
    if (!parse_route(ctx, p, &r))
      continue;
    r.function = construct_resolve(ctx, m, &construct_function, p->value, p->value_node->pos);
    if (!r.function)
      continue;
    if (api->cors.node && !strcmp(r.method, "OPTIONS"))
      diag_error(ctx, p->key_node->pos, LK_CONFLICT,
                 "route '%s' conflicts with 'cors', which answers OPTIONS itself", p->key);
    for (size_t j = 0; j < api->routes.len; j++) {
      const Route *o = &api->routes.items[j];
      if (!strcmp(o->path, r.path) && (!strcmp(o->method, r.method) ||
                                       !strcmp(o->method, "ANY") || !strcmp(r.method, "ANY"))) {
        Diag *d = diag_error(ctx, p->key_node->pos, LK_DUPLICATE,
                             "route '%s' overlaps route '%s %s'", p->key, o->method, o->path);
        diag_note(ctx, d, o->key_node->pos, "the other route is here");
      }
    }
    api->routes.items[api->routes.len++] = r;
  }
}

/* The function learns the origins it may answer (LAKEC_CORS_ORIGINS). */
static void tell_cors_origins(Ctx *ctx, const Api *api, Function *f) {
  const StrList *o = &api->cors.origins;
  char *joined = arena_strdup(&ctx->arena, "");
  for (size_t i = 0; i < o->len; i++)
    joined = arena_printf(&ctx->arena, "%s%s%s", joined, i ? "," : "", o->items[i]);
  function_add_env(ctx, f, "LAKEC_CORS_ORIGINS", joined);
}

/* A regional WAFv2 web ACL: arn:PARTITION:wafv2:REGION:ACCOUNT:regional/webacl/NAME/ID. */
static bool valid_web_acl(const char *arn) {
  return !strncmp(arn, "arn:", 4) && strstr(arn, ":wafv2:") && strstr(arn, ":regional/webacl/");
}

static void check_api(Ctx *ctx, Model *m, Api *api) {
  if (!api->stage_name)
    api->stage_name = m->stage;
  if (api->tracing == TRI_UNSET)
    api->tracing = m->production;
  if (api->mfa == TRI_UNSET)
    api->mfa = m->production;
  if (!api->throttle.node) {
    api->throttle.rate = atoll(THROTTLE_DEFAULT_RATE);
    api->throttle.burst = atoll(THROTTLE_DEFAULT_BURST);
  }
  check_log_retention(ctx, api->node, api->log_retention);
  if (api->waf_acl && !valid_web_acl(api->waf_acl))
    diag_error(ctx, check_pos(api->node, "waf_acl"), LK_NAME,
               "'waf_acl' must be the ARN of a regional WAFv2 web ACL "
               "(arn:aws:wafv2:REGION:ACCOUNT:regional/webacl/NAME/ID)");
  check_name(ctx, api->node, "name", api->name, awsname_rest_api, LK_API_NAME, "API name");
  check_name(ctx, api->node, "stage_name", api->stage_name, awsname_api_stage, LK_API_NAME,
             "API stage name");
  check_routes(ctx, m, api);
  if (api->routes_as_written.len == 0 && node_get(api->node, "routes"))
    diag_error(ctx, check_pos(api->node, "routes"), LK_MISSING_KEY,
               "an API needs at least one route");
  if (m->production == 1 && api->auth == AUTH_NONE && !m->policy.allow_open_api) {
    Diag *d = diag_error(ctx, check_pos(api->node, "auth"), LK_PROD_AUTH,
                         "a production stage cannot serve its API with 'auth: none' (if it is "
                         "public on purpose, set 'policy: {allow_open_api: true}')");
    diag_fixit(ctx, d, node_get(api->node, "auth") ? "iam" : "auth: iam");
  }
  for (size_t i = 0; i < construct_count(m, &construct_function); i++) {
    Function *f = construct_item_mut(m, &construct_function, i);
    const Route *first = NULL;
    for (size_t k = 0; k < api->routes.len && !first; k++)
      if (api->routes.items[k].function == f)
        first = &api->routes.items[k];
    if (first && api->cors.node)
      tell_cors_origins(ctx, api, f);
    if (!first || f->timeout <= 29)
      continue;
    Diag *d = diag_warning(ctx, check_pos(f->node, "timeout"), LK_API_TIMEOUT,
                           "function '%s' may run %lld seconds, but API Gateway stops waiting "
                           "after 29",
                           f->key, f->timeout);
    diag_note(ctx, d, first->key_node->pos, "route '%s %s' calls it", first->method, first->path);
  }
}

static void api_check(Ctx *ctx, Model *m, const Construct *self) {
  for (size_t i = 0; i < construct_count(m, self); i++)
    check_api(ctx, m, construct_item_mut(m, self, i));
}

/* ---- lower ---- */

/* "Metrics", "ItemsIdParam" ("/items/{id}"), "Root" for "/". */
static const char *path_name(Ctx *ctx, const char *path) {
  if (!strcmp(path, "/"))
    return "Root";
  char *out = arena_strdup(&ctx->arena, "");
  const char *seg = path + 1;
  while (*seg) {
    const char *end = strchr(seg, '/');
    size_t n = end ? (size_t)(end - seg) : strlen(seg);
    const char *s = arena_strndup(&ctx->arena, seg, n);
    out = arena_printf(&ctx->arena, "%s%s", out, lid(ctx, s, s[0] == '{' ? "Param" : ""));
    seg += n + (end ? 1 : 0);
  }
  return out;
}

static json_t *resource_ref(Ctx *ctx, const ApiIds *ids, const char *path) {
  if (!strcmp(path, "/"))
    return cfn_getatt(ids->api, "RootResourceId");
  return cfn_ref(arena_printf(&ctx->arena, "%s%sResource", ids->api, path_name(ctx, path)));
}

/* Each path prefix of each route becomes one resource, parents first. */
static void lower_resources(Ctx *ctx, Ir *ir, const ApiIds *ids, const Api *api) {
  for (size_t i = 0; i < api->routes.len; i++) {
    const char *path = api->routes.items[i].path;
    for (const char *p = path + 1; *path && p[-1]; p++) {
      if (*p != '/' && *p != '\0')
        continue;
      const char *sub = arena_strndup(&ctx->arena, path, (size_t)(p - path));
      const char *id = arena_printf(&ctx->arena, "%s%sResource", ids->api, path_name(ctx, sub));
      if (!strcmp(sub, "/") || ir_find(ir, id))
        continue;
      const char *slash = strrchr(sub, '/');
      const char *parent = slash == sub ? "/" : arena_strndup(&ctx->arena, sub, (size_t)(slash - sub));
      ir_add(ctx, ir, id, "AWS::ApiGateway::Resource",
             J("{s:o, s:s, s:o}", "ParentId", resource_ref(ctx, ids, parent), "PathPart",
               slash + 1, "RestApiId", cfn_ref(ids->api)));
    }
  }
}

static const char *method_name(Ctx *ctx, const char *method) {
  char *s = arena_strdup(&ctx->arena, method);
  for (char *p = s + 1; *p; p++)
    *p = (char)(*p - 'A' + 'a');
  return s; /* GET -> Get */
}

static json_t *proxy_integration(Ctx *ctx, Ir *ir, const Function *f) {
  return J("{s:s, s:s, s:o}", "Type", "AWS_PROXY", "IntegrationHttpMethod", "POST", "Uri",
           cfn_subf("arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/"
                    "functions/%s/invocations",
                    construct_sub(ctx, ir, &construct_function, f, "arn")));
}

/* execute-api ARN of one route, path parameters widened to '*'. */
static json_t *route_source_arn(Ctx *ctx, const ApiIds *ids, const Route *r) {
  char *path = arena_strdup(&ctx->arena, r->path + 1);
  char *out = arena_strdup(&ctx->arena, "");
  for (char *seg = strtok(path, "/"); seg; seg = strtok(NULL, "/"))
    out = arena_printf(&ctx->arena, "%s/%s", out, seg[0] == '{' ? "*" : seg);
  const char *method = !strcmp(r->method, "ANY") ? "*" : r->method;
  return cfn_subf("arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${%s}/*/%s%s",
                  ids->api, method, *out ? out : "/");
}

/* The method findings a stage's auth choice makes (cdk-nag wants a Cognito
 * authorizer on every method). */
static void suppress_auth_findings(Ctx *ctx, IrResource *method, int auth) {
  (void)ctx;
  if (auth == AUTH_NONE) {
    const char *why = "The stage serves this API without authorization by its own choice "
                      "('auth: none'); lakec refuses that in a production stage unless its "
                      "policy allows an open API.";
    ir_suppress(method, "AwsSolutions-APIG4", why, NULL);
    ir_suppress(method, "AwsSolutions-COG4", why, NULL);
  } else if (auth == AUTH_IAM) {
    ir_suppress(method, "AwsSolutions-COG4",
                "The API authorizes its callers with IAM (SigV4, 'auth: iam') rather than a "
                "Cognito user pool.",
                NULL);
  }
}

static void lower_route(Ctx *ctx, Ir *ir, const ApiIds *ids, const Api *api, const Route *r,
                        PtrVec *methods) {
  static const char *const AUTH_TYPES[] = {"NONE", "AWS_IAM", "COGNITO_USER_POOLS"};
  const char *name = arena_printf(&ctx->arena, "%s%s%s", ids->api, method_name(ctx, r->method),
                                  path_name(ctx, r->path));
  const char *id = arena_printf(&ctx->arena, "%sMethod", name);
  json_t *p = J("{s:s, s:o, s:o, s:s}", "HttpMethod", r->method, "ResourceId",
                resource_ref(ctx, ids, r->path), "RestApiId", cfn_ref(ids->api), "AuthorizationType",
                AUTH_TYPES[api->auth]);
  if (api->auth == AUTH_COGNITO)
    json_object_set_new(p, "AuthorizerId", cfn_ref(api_id(ctx, ids, "Authorizer")));
  json_object_set_new(p, "Integration", proxy_integration(ctx, ir, r->function));
  suppress_auth_findings(ctx, ir_add(ctx, ir, id, "AWS::ApiGateway::Method", p), api->auth);
  ptrvec_push(&ctx->arena, methods, (void *)id);
  ir_add(ctx, ir, arena_printf(&ctx->arena, "%sPermission", name), "AWS::Lambda::Permission",
         J("{s:s, s:o, s:s, s:o}", "Action", "lambda:InvokeFunction", "FunctionName",
           construct_ref(ctx, ir, &construct_function, r->function, "arn"), "Principal",
           "apigateway.amazonaws.com", "SourceArn", route_source_arn(ctx, ids, r)));
}

/* ---- CORS ---- */

static const char *allowed_methods(Ctx *ctx, const Api *api, const char *path) {
  char *out = arena_strdup(&ctx->arena, "OPTIONS");
  for (size_t i = 0; i < api->routes.len; i++)
    if (!strcmp(api->routes.items[i].path, path))
      out = arena_printf(&ctx->arena, "%s,%s", out,
                         !strcmp(api->routes.items[i].method, "ANY") ? "*"
                                                                     : api->routes.items[i].method);
  return arena_printf(&ctx->arena, "'%s'", out);
}

/* One static origin is a header value; several are echoed back by a mapping
 * template when the request's Origin is one of them. */
static json_t *cors_integration_response(Ctx *ctx, const Api *api, const char *path) {
  const StrList *o = &api->cors.origins;
  json_t *params = J("{s:s, s:s, s:s}", "method.response.header.Access-Control-Allow-Headers",
                     CORS_HEADERS, "method.response.header.Access-Control-Allow-Methods",
                     allowed_methods(ctx, api, path),
                     "method.response.header.Access-Control-Allow-Origin",
                     arena_printf(&ctx->arena, "'%s'", o->items[0]));
  json_t *resp = J("{s:s, s:o}", "StatusCode", "204", "ResponseParameters", params);
  if (o->len > 1) {
    char *cond = arena_strdup(&ctx->arena, "");
    for (size_t i = 0; i < o->len; i++)
      cond = arena_printf(&ctx->arena, "%s%s$origin == \"%s\"", cond, i ? " || " : "", o->items[i]);
    const char *vtl = arena_printf(
        &ctx->arena,
        "#set($origin = $input.params().header.get(\"Origin\"))\n#if(%s)\n"
        "#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)\n#end\n",
        cond);
    json_object_set_new(resp, "ResponseTemplates", J("{s:s}", "application/json", vtl));
  }
  return resp;
}

static void lower_preflight(Ctx *ctx, Ir *ir, const ApiIds *ids, const Api *api, const char *path,
                            PtrVec *methods) {
  const char *id = arena_printf(&ctx->arena, "%sOptions%sMethod", ids->api, path_name(ctx, path));
  if (ir_find(ir, id))
    return;
  json_t *integration = J("{s:s, s:{s:s}, s:[o]}", "Type", "MOCK", "RequestTemplates",
                          "application/json", "{\"statusCode\": 204}", "IntegrationResponses",
                          cors_integration_response(ctx, api, path));
  json_t *response = J("[{s:s, s:{s:b, s:b, s:b}}]", "StatusCode", "204", "ResponseParameters",
                       "method.response.header.Access-Control-Allow-Headers", 1,
                       "method.response.header.Access-Control-Allow-Methods", 1,
                       "method.response.header.Access-Control-Allow-Origin", 1);
  /* No auth: browsers send preflights without credentials (a 204 answered
   * by a MOCK reaches no function; the rule packs exempt it too). */
  ir_add(ctx, ir, id, "AWS::ApiGateway::Method",
         J("{s:s, s:o, s:o, s:s, s:o, s:o}", "HttpMethod", "OPTIONS", "ResourceId",
           resource_ref(ctx, ids, path), "RestApiId", cfn_ref(ids->api), "AuthorizationType", "NONE",
           "Integration", integration, "MethodResponses", response));
  ptrvec_push(&ctx->arena, methods, (void *)id);
}

/* Errors API Gateway makes itself (401, 403, 429, 5xx) carry CORS headers
 * too, or browsers hide them from the page. A gateway response cannot test
 * the Origin against a list: with several origins it echoes the request's,
 * which shows any page only API Gateway's own error message. */
static void lower_cors_gateway_responses(Ctx *ctx, Ir *ir, const ApiIds *ids, const Api *api) {
  static const char *const kinds[] = {"DEFAULT_4XX", "DEFAULT_5XX"};
  static const char *const suffixes[] = {"Default4xxResponse", "Default5xxResponse"};
  const StrList *o = &api->cors.origins;
  for (int i = 0; i < 2; i++) {
    json_t *params = json_object();
    json_object_set_new(params, "gatewayresponse.header.Access-Control-Allow-Origin",
                        json_string(o->len > 1 ? "method.request.header.Origin"
                                               : arena_printf(&ctx->arena, "'%s'", o->items[0])));
    json_object_set_new(params, "gatewayresponse.header.Access-Control-Allow-Headers",
                        json_string(CORS_HEADERS));
    if (o->len > 1)
      json_object_set_new(params, "gatewayresponse.header.Vary", json_string("'Origin'"));
    ir_add(ctx, ir, api_id(ctx, ids, suffixes[i]), "AWS::ApiGateway::GatewayResponse",
           J("{s:o, s:s, s:o}", "RestApiId", cfn_ref(ids->api), "ResponseType", kinds[i],
             "ResponseParameters", params));
  }
}

/* ---- auth ---- */

/* PROJECT-STAGE-WHAT for the API of the first release, PROJECT-STAGE-KEY-WHAT else. */
static const char *pool_name(Ctx *ctx, const Model *m, const ApiIds *ids, const Api *api,
                             const char *what) {
  if (!*ids->stem)
    return arena_printf(&ctx->arena, "%s-%s-%s", m->project, m->stage, what);
  return arena_printf(&ctx->arena, "%s-%s-%s-%s", m->project, m->stage, api->key, what);
}

static void lower_cognito(Ctx *ctx, Ir *ir, const Model *m, const ApiIds *ids, const Api *api) {
  const char *pool_id = arena_printf(&ctx->arena, "%sUserPool", ids->stem);
  const char *client_id = arena_printf(&ctx->arena, "%sUserPoolClient", ids->stem);
  json_t *pool = J("{s:s, s:[s], s:[s], s:{s:b}, s:{s:{s:i, s:b, s:b, s:b, s:b}}}", "UserPoolName",
                   pool_name(ctx, m, ids, api, "users"), "UsernameAttributes", "email",
                   "AutoVerifiedAttributes", "email", "AdminCreateUserConfig",
                   "AllowAdminCreateUserOnly", 1, "Policies", "PasswordPolicy", "MinimumLength",
                   12, "RequireLowercase", 1, "RequireUppercase", 1, "RequireNumbers", 1,
                   "RequireSymbols", 1);
  if (m->production)
    json_object_set_new(pool, "DeletionProtection", json_string("ACTIVE"));
  if (api->mfa) {
    json_object_set_new(pool, "MfaConfiguration", json_string("ON"));
    json_object_set_new(pool, "EnabledMfas", J("[s]", "SOFTWARE_TOKEN_MFA"));
  }
  IrResource *r = ir_add(ctx, ir, pool_id, "AWS::Cognito::UserPool", pool);
  ir_set_policy(r, m->production ? "Retain" : "Delete"); /* it holds data: the users */
  if (!api->mfa)
    ir_suppress(r, "AwsSolutions-COG2",
                "Multi-factor authentication is off for this pool ('mfa: false', the default "
                "outside production stages); its users are created by administrators only, with "
                "12-character passwords.",
                NULL);
  ir_suppress(r, "AwsSolutions-COG8",
              "The Plus feature plan (threat protection) is a paid Cognito tier; choosing it is "
              "left to the account's owner.",
              NULL);

  ir_add(ctx, ir, client_id, "AWS::Cognito::UserPoolClient",
         J("{s:s, s:o, s:b, s:[s,s], s:s}", "ClientName", pool_name(ctx, m, ids, api, "client"),
           "UserPoolId", cfn_ref(pool_id), "GenerateSecret", 0, "ExplicitAuthFlows",
           "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "PreventUserExistenceErrors",
           "ENABLED"));
  ir_add(ctx, ir, api_id(ctx, ids, "Authorizer"), "AWS::ApiGateway::Authorizer",
         J("{s:s, s:s, s:s, s:[o], s:o}", "Name", pool_name(ctx, m, ids, api, "cognito"), "Type",
           "COGNITO_USER_POOLS", "IdentitySource", "method.request.header.Authorization",
           "ProviderARNs", cfn_getatt(pool_id, "Arn"), "RestApiId", cfn_ref(ids->api)));
  ir_output(ctx, ir, arena_printf(&ctx->arena, "Cognito%sUserPoolId", ids->stem),
            cfn_ref(pool_id), "Cognito user pool id");
  ir_output(ctx, ir, arena_printf(&ctx->arena, "Cognito%sUserPoolClientId", ids->stem),
            cfn_ref(client_id), "Cognito user pool client id");
}

/* ---- deployment ---- */

/* FNV-1a over the canonical JSON of everything the deployment serves (the
 * API's resources, methods, responses, authorizer, lowered from `first` on):
 * same API, same id. */
static const char *deployment_id(Ctx *ctx, const Ir *ir, const ApiIds *ids, size_t first) {
  uint64_t h = 1469598103934665603ULL;
  for (size_t i = first; i < ir->resources.len; i++) {
    const IrResource *r = ir->resources.items[i];
    if (strncmp(r->type, "AWS::ApiGateway::", 17) != 0)
      continue;
    char *text = ir_json_text(r->properties, JSON_COMPACT | JSON_SORT_KEYS);
    for (const char *p = r->id; *p; p++)
      h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    for (const char *p = text; *p; p++)
      h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    free(text);
  }
  return arena_printf(&ctx->arena, "%sDeployment%08x", ids->api, (unsigned)(h >> 32));
}

/* One JSON object per request: CloudWatch Logs Insights reads its fields. */
static const char *const ACCESS_LOG_FORMAT =
    "{\"requestId\":\"$context.requestId\",\"ip\":\"$context.identity.sourceIp\","
    "\"caller\":\"$context.identity.caller\",\"user\":\"$context.identity.user\","
    "\"requestTime\":\"$context.requestTime\",\"httpMethod\":\"$context.httpMethod\","
    "\"resourcePath\":\"$context.resourcePath\",\"status\":\"$context.status\","
    "\"protocol\":\"$context.protocol\",\"responseLength\":\"$context.responseLength\","
    "\"integrationLatency\":\"$context.integrationLatency\","
    "\"errorMessage\":\"$context.error.message\"}";

/* Logs are data: a production stage keeps them when the stack goes. */
static const char *lower_api_log_group(Ctx *ctx, Ir *ir, const Model *m, const char *id,
                                       json_t *name, const Api *api) {
  IrResource *r = ir_add(ctx, ir, id, "AWS::Logs::LogGroup",
                         J("{s:o, s:I}", "LogGroupName", name, "RetentionInDays",
                           (json_int_t)api->log_retention));
  ir_set_policy(r, m->production ? "Retain" : "Delete");
  return id;
}

/* Access logs go to a group lakec makes; API Gateway makes the execution
 * log group itself, without retention, unless it exists first. */
static json_t *stage_logging(Ctx *ctx, Ir *ir, const Model *m, const ApiIds *ids, const Api *api,
                             const char **execution_logs) {
  const char *access = lower_api_log_group(
      ctx, ir, m, api_id(ctx, ids, "AccessLogGroup"),
      json_string(arena_printf(&ctx->arena, "/aws/apigateway/%s-%s-%s/access", m->project,
                               m->stage, api->key)),
      api);
  *execution_logs = lower_api_log_group(
      ctx, ir, m, api_id(ctx, ids, "ExecutionLogGroup"),
      cfn_subf("API-Gateway-Execution-Logs_${%s}/%s", ids->api, api->stage_name), api);
  return J("{s:o, s:s}", "DestinationArn", cfn_getatt(access, "Arn"), "Format",
           ACCESS_LOG_FORMAT);
}

static void lower_stage(Ctx *ctx, Ir *ir, const Model *m, const ApiIds *ids, const Api *api,
                        const char *deployment) {
  const char *execution_logs;
  json_t *p = J("{s:s, s:o, s:o}", "StageName", api->stage_name, "RestApiId", cfn_ref(ids->api),
                "DeploymentId", cfn_ref(deployment));
  json_object_set_new(p, "AccessLogSetting", stage_logging(ctx, ir, m, ids, api, &execution_logs));
  json_object_set_new(p, "MethodSettings",
                      J("[{s:s, s:s, s:s, s:b, s:I, s:f}]", "ResourcePath", "/*", "HttpMethod", "*",
                        "LoggingLevel", "ERROR", "MetricsEnabled", 1, "ThrottlingBurstLimit",
                        (json_int_t)api->throttle.burst, "ThrottlingRateLimit",
                        (double)api->throttle.rate));
  const char *id = api_id(ctx, ids, "Stage");
  IrResource *stage = ir_add(ctx, ir, id, "AWS::ApiGateway::Stage", p);
  ir_depends_on(ctx, stage, execution_logs);
  if (api->tracing)
    json_object_set_new(p, "TracingEnabled", json_true());
  else
    ir_suppress(stage, "Serverless-APIGWXrayEnabled",
                "X-Ray tracing is off for this API ('tracing: false', the default outside "
                "production stages).",
                NULL);
  if (api->waf_acl) {
    ir_add(ctx, ir, api_id(ctx, ids, "WebAclAssociation"), "AWS::WAFv2::WebACLAssociation",
           J("{s:o, s:s}", "ResourceArn",
             cfn_subf("arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${%s}/stages/${%s}",
                      ids->api, id),
             "WebACLArn", api->waf_acl));
    return;
  }
  ir_suppress(stage, "AwsSolutions-APIG3",
              "No WAF web ACL is associated with this stage; set the API's 'waf_acl' to the ARN "
              "of one to filter requests before they reach the functions.",
              NULL);
}

static void lower_deployment(Ctx *ctx, Ir *ir, const Model *m, const ApiIds *ids, const Api *api,
                             const PtrVec *methods, size_t first) {
  const char *id = deployment_id(ctx, ir, ids, first);
  IrResource *d = ir_add(ctx, ir, id, "AWS::ApiGateway::Deployment",
                         J("{s:o, s:s}", "RestApiId", cfn_ref(ids->api), "Description",
                           "routes of this build"));
  for (size_t i = 0; i < methods->len; i++)
    ir_depends_on(ctx, d, methods->items[i]);
  lower_stage(ctx, ir, m, ids, api, id);
}

static void api_lower(Ctx *ctx, Ir *ir, const Model *m, const void *item) {
  const Api *api = item;
  ApiIds ids = api_ids(ctx, api);
  size_t first = ir->resources.len;
  const char *what = *ids.stem ? arena_printf(&ctx->arena, "%s %s %s API", m->project, m->stage,
                                              api->key)
                               : arena_printf(&ctx->arena, "%s %s API", m->project, m->stage);
  IrResource *rest = ir_add(ctx, ir, ids.api, "AWS::ApiGateway::RestApi",
                            J("{s:s, s:s, s:{s:[s]}}", "Name", api->name, "Description", what,
                              "EndpointConfiguration", "Types", "REGIONAL"));
  ir_suppress(rest, "AwsSolutions-APIG2",
              "Every route proxies the whole request to its function (AWS_PROXY), which "
              "validates it and answers 400; there is no request model for API Gateway to check.",
              NULL);
  if (api->auth == AUTH_COGNITO)
    lower_cognito(ctx, ir, m, &ids, api);
  lower_resources(ctx, ir, &ids, api);
  PtrVec methods = {0};
  for (size_t i = 0; i < api->routes.len; i++) {
    lower_route(ctx, ir, &ids, api, &api->routes.items[i], &methods);
    if (api->cors.node)
      lower_preflight(ctx, ir, &ids, api, api->routes.items[i].path, &methods);
  }
  if (api->cors.node)
    lower_cors_gateway_responses(ctx, ir, &ids, api);
  lower_deployment(ctx, ir, m, &ids, api, &methods, first);
  ir_output(ctx, ir, api_id(ctx, &ids, "Url"),
            cfn_subf("https://${%s}.execute-api.${AWS::Region}.${AWS::URLSuffix}/%s/", ids.api,
                     api->stage_name),
            "base URL of the API stage");
}

/* "id": the REST API id, generated by API Gateway (other stacks import it). */
static bool api_ref(Ctx *ctx, const void *item, const char *what, RefSpec *out) {
  ApiIds ids = api_ids(ctx, item);
  if (strcmp(what, "id") != 0)
    return false;
  out->id = ids.api;
  return true;
}

/* ---- grants: invoke (an IAM-auth API called with SigV4) ---- */

static bool resolve_api(Ctx *ctx, const Model *m, Grant *g, Pos at) {
  g->target = construct_resolve(ctx, m, &construct_api, g->text, at);
  return g->target != NULL;
}

static void invoke_statements(Ctx *ctx, Ir *ir, const Model *m, const Grant *g, json_t *out) {
  (void)m;
  json_array_append_new(
      out, iam_wildcard(
               iam_statement(iam_sid(ctx, "Invoke", g->text), J("[s]", "execute-api:Invoke"),
                             cfn_subf("arn:${AWS::Partition}:execute-api:${AWS::Region}:"
                                      "${AWS::AccountId}:%s/*",
                                      construct_sub(ctx, ir, &construct_api, g->target, "id"))),
               "The grant lets the function call every route of this one API, in its stage."));
}

/* LAKEC_API_<KEY>_URL: the base URL of the API's stage. */
static void invoke_environment(Ctx *ctx, Ir *ir, const Model *m, const Grant *g, json_t *vars) {
  (void)m;
  const Api *api = g->target;
  json_object_set_new(vars, env_name(ctx, "LAKEC_API_", api->key, "_URL"),
                      cfn_subf("https://%s.execute-api.${AWS::Region}.${AWS::URLSuffix}/%s/",
                               construct_sub(ctx, ir, &construct_api, api, "id"),
                               api->stage_name));
}

static const GrantVerb VERB_INVOKE = {"invoke", "API: call its routes (execute-api:Invoke)",
                                      resolve_api, invoke_statements, invoke_environment, NULL};
static const GrantVerb *const API_VERBS[] = {&VERB_INVOKE, NULL};

static const TagRule API_TAGS[] = {
    {"AWS::ApiGateway::RestApi", "Tags", TAGS_LIST},
    {"AWS::ApiGateway::Stage", "Tags", TAGS_LIST},
    {"AWS::Cognito::UserPool", "UserPoolTags", TAGS_MAP},
    {NULL, NULL, 0},
};

const Construct construct_api = {
    .key = "apis",
    .kind = "API",
    .doc = "REST APIs in front of functions, by key",
    .shape = &SHAPE_API,
    .check = api_check,
    .lower = api_lower,
    .ref = api_ref,
    .verbs = API_VERBS,
    .claim_names = NULL,
    .tags = API_TAGS,
};
