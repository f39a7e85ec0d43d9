/* api: a REST API whose routes proxy to functions (AWS_PROXY), with one
 * API Gateway resource per path segment, a deployment whose logical id
 * carries a hash of the methods (so CloudFormation redeploys when routes
 * change, as CDK does), a stage, CORS preflight answered by a MOCK
 * integration, and auth per stage: none, AWS_IAM, or a Cognito user pool
 * with its client and authorizer. */
#include "lower_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const CORS_HEADERS =
    "'Content-Type,Authorization,X-Amz-Date,X-Amz-Security-Token,X-Api-Key'";

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

static json_t *resource_ref(Ctx *ctx, const char *path) {
  if (!strcmp(path, "/"))
    return cfn_getatt("Api", "RootResourceId");
  return cfn_ref(arena_printf(&ctx->arena, "Api%sResource", path_name(ctx, path)));
}

/* Each path prefix of each route becomes one resource, parents first. */
static void lower_resources(Ctx *ctx, Ir *ir, const Api *api) {
  for (size_t i = 0; i < api->routes.len; i++) {
    const char *path = api->routes.items[i].path;
    for (const char *p = path + 1; *path && p[-1]; p++) {
      if (*p != '/' && *p != '\0')
        continue;
      const char *sub = arena_strndup(&ctx->arena, path, (size_t)(p - path));
      const char *id = arena_printf(&ctx->arena, "Api%sResource", path_name(ctx, sub));
      if (!strcmp(sub, "/") || ir_find(ir, id))
        continue;
      const char *slash = strrchr(sub, '/');
      const char *parent = slash == sub ? "/" : arena_strndup(&ctx->arena, sub, (size_t)(slash - sub));
      ir_add(ctx, ir, id, "AWS::ApiGateway::Resource",
             J("{s:o, s:s, s:o}", "ParentId", resource_ref(ctx, parent), "PathPart", slash + 1,
               "RestApiId", cfn_ref("Api")));
    }
  }
}

static const char *method_name(Ctx *ctx, const char *method) {
  char *s = arena_strdup(&ctx->arena, method);
  for (char *p = s + 1; *p; p++)
    *p = (char)(*p - 'A' + 'a');
  return s; /* GET -> Get */
}

static json_t *proxy_integration(Ctx *ctx, const Function *f) {
  return J("{s:s, s:s, s:o}", "Type", "AWS_PROXY", "IntegrationHttpMethod", "POST", "Uri",
           cfn_subf("arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/"
                    "functions/${%s.Arn}/invocations",
                    lid(ctx, f->key, "Function")));
}

/* execute-api ARN of one route, path parameters widened to '*'. */
static json_t *route_source_arn(Ctx *ctx, const Route *r) {
  char *path = arena_strdup(&ctx->arena, r->path + 1);
  char *out = arena_strdup(&ctx->arena, "");
  for (char *seg = strtok(path, "/"); seg; seg = strtok(NULL, "/"))
    out = arena_printf(&ctx->arena, "%s/%s", out, seg[0] == '{' ? "*" : seg);
  const char *method = !strcmp(r->method, "ANY") ? "*" : r->method;
  return cfn_subf("arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/*/%s%s",
                  method, *out ? out : "/");
}

static void lower_route(Ctx *ctx, Ir *ir, const Api *api, const Route *r, PtrVec *methods) {
  static const char *const AUTH_TYPES[] = {"NONE", "AWS_IAM", "COGNITO_USER_POOLS"};
  const char *name = arena_printf(&ctx->arena, "Api%s%s", method_name(ctx, r->method),
                                  path_name(ctx, r->path));
  const char *id = arena_printf(&ctx->arena, "%sMethod", name);
  json_t *p = J("{s:s, s:o, s:o, s:s}", "HttpMethod", r->method, "ResourceId",
                resource_ref(ctx, r->path), "RestApiId", cfn_ref("Api"), "AuthorizationType",
                AUTH_TYPES[api->auth]);
  if (api->auth == AUTH_COGNITO)
    json_object_set_new(p, "AuthorizerId", cfn_ref("ApiAuthorizer"));
  json_object_set_new(p, "Integration", proxy_integration(ctx, r->function));
  ir_add(ctx, ir, id, "AWS::ApiGateway::Method", p);
  ptrvec_push(&ctx->arena, methods, (void *)id);
  ir_add(ctx, ir, arena_printf(&ctx->arena, "%sPermission", name), "AWS::Lambda::Permission",
         J("{s:s, s:o, s:s, s:o}", "Action", "lambda:InvokeFunction", "FunctionName",
           cfn_getatt(lid(ctx, r->function->key, "Function"), "Arn"), "Principal",
           "apigateway.amazonaws.com", "SourceArn", route_source_arn(ctx, r)));
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

static void lower_preflight(Ctx *ctx, Ir *ir, const Api *api, const char *path, PtrVec *methods) {
  const char *id = arena_printf(&ctx->arena, "ApiOptions%sMethod", path_name(ctx, path));
  if (ir_find(ir, id))
    return;
  json_t *integration = J("{s:s, s:{s:s}, s:[o]}", "Type", "MOCK", "RequestTemplates",
                          "application/json", "{\"statusCode\": 204}", "IntegrationResponses",
                          cors_integration_response(ctx, api, path));
  json_t *response = J("[{s:s, s:{s:b, s:b, s:b}}]", "StatusCode", "204", "ResponseParameters",
                       "method.response.header.Access-Control-Allow-Headers", 1,
                       "method.response.header.Access-Control-Allow-Methods", 1,
                       "method.response.header.Access-Control-Allow-Origin", 1);
  ir_add(ctx, ir, id, "AWS::ApiGateway::Method",
         J("{s:s, s:o, s:o, s:s, s:o, s:o}", "HttpMethod", "OPTIONS", "ResourceId",
           resource_ref(ctx, path), "RestApiId", cfn_ref("Api"), "AuthorizationType", "NONE",
           "Integration", integration, "MethodResponses", response));
  ptrvec_push(&ctx->arena, methods, (void *)id);
}

/* Errors API Gateway makes itself (401, 403, 5xx) carry CORS headers too,
 * or browsers hide them from the page. */
static void lower_cors_gateway_responses(Ctx *ctx, Ir *ir, const Api *api) {
  static const char *const kinds[] = {"DEFAULT_4XX", "DEFAULT_5XX"};
  static const char *const ids[] = {"ApiDefault4xxResponse", "ApiDefault5xxResponse"};
  for (int i = 0; i < 2; i++)
    ir_add(ctx, ir, ids[i], "AWS::ApiGateway::GatewayResponse",
           J("{s:o, s:s, s:{s:s, s:s}}", "RestApiId", cfn_ref("Api"), "ResponseType", kinds[i],
             "ResponseParameters", "gatewayresponse.header.Access-Control-Allow-Origin",
             arena_printf(&ctx->arena, "'%s'", api->cors.origins.items[0]),
             "gatewayresponse.header.Access-Control-Allow-Headers", CORS_HEADERS));
}

/* ---- auth ---- */

static void lower_cognito(Ctx *ctx, Ir *ir, const Model *m) {
  json_t *pool = J("{s:s, s:[s], s:[s], s:{s:b}, s:{s:{s:i, s:b, s:b, s:b, s:b}}}", "UserPoolName",
                   arena_printf(&ctx->arena, "%s-%s-users", m->project, m->stage),
                   "UsernameAttributes", "email", "AutoVerifiedAttributes", "email",
                   "AdminCreateUserConfig", "AllowAdminCreateUserOnly", 1, "Policies",
                   "PasswordPolicy", "MinimumLength", 12, "RequireLowercase", 1,
                   "RequireUppercase", 1, "RequireNumbers", 1, "RequireSymbols", 1);
  IrResource *r = ir_add(ctx, ir, "UserPool", "AWS::Cognito::UserPool", pool);
  ir_set_policy(r, m->production ? "Retain" : "Delete"); /* it holds data: the users */
  ir_add(ctx, ir, "UserPoolClient", "AWS::Cognito::UserPoolClient",
         J("{s:s, s:o, s:b, s:[s,s], s:s}", "ClientName",
           arena_printf(&ctx->arena, "%s-%s-client", m->project, m->stage), "UserPoolId",
           cfn_ref("UserPool"), "GenerateSecret", 0, "ExplicitAuthFlows", "ALLOW_USER_SRP_AUTH",
           "ALLOW_REFRESH_TOKEN_AUTH", "PreventUserExistenceErrors", "ENABLED"));
  ir_add(ctx, ir, "ApiAuthorizer", "AWS::ApiGateway::Authorizer",
         J("{s:s, s:s, s:s, s:[o], s:o}", "Name",
           arena_printf(&ctx->arena, "%s-%s-cognito", m->project, m->stage), "Type",
           "COGNITO_USER_POOLS", "IdentitySource", "method.request.header.Authorization",
           "ProviderARNs", cfn_getatt("UserPool", "Arn"), "RestApiId", cfn_ref("Api")));
  ir_output(ctx, ir, "CognitoUserPoolId", cfn_ref("UserPool"), "Cognito user pool id");
  ir_output(ctx, ir, "CognitoUserPoolClientId", cfn_ref("UserPoolClient"),
            "Cognito user pool client id");
}

/* ---- deployment ---- */

/* FNV-1a over the canonical JSON of everything the deployment serves (the
 * API's resources, methods, responses, authorizer): same API, same id. */
static const char *deployment_id(Ctx *ctx, const Ir *ir) {
  uint64_t h = 1469598103934665603ULL;
  for (size_t i = 0; i < ir->resources.len; i++) {
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
  return arena_printf(&ctx->arena, "ApiDeployment%08x", (unsigned)(h >> 32));
}

static void lower_deployment(Ctx *ctx, Ir *ir, const Api *api, const PtrVec *methods) {
  const char *id = deployment_id(ctx, ir);
  IrResource *d = ir_add(ctx, ir, id, "AWS::ApiGateway::Deployment",
                         J("{s:o, s:s}", "RestApiId", cfn_ref("Api"), "Description",
                           "routes of this build"));
  for (size_t i = 0; i < methods->len; i++)
    ir_depends_on(ctx, d, methods->items[i]);
  ir_add(ctx, ir, "ApiStage", "AWS::ApiGateway::Stage",
         J("{s:s, s:o, s:o}", "StageName", api->stage_name, "RestApiId", cfn_ref("Api"),
           "DeploymentId", cfn_ref(id)));
}

void lower_api(Ctx *ctx, Ir *ir, const Model *m) {
  const Api *api = &m->api;
  if (!api->node)
    return;
  ir_add(ctx, ir, "Api", "AWS::ApiGateway::RestApi",
         J("{s:s, s:s, s:{s:[s]}}", "Name", api->name, "Description",
           arena_printf(&ctx->arena, "%s %s API", m->project, m->stage), "EndpointConfiguration",
           "Types", "REGIONAL"));
  if (api->auth == AUTH_COGNITO)
    lower_cognito(ctx, ir, m);
  lower_resources(ctx, ir, api);
  PtrVec methods = {0};
  for (size_t i = 0; i < api->routes.len; i++) {
    lower_route(ctx, ir, api, &api->routes.items[i], &methods);
    if (api->cors.node)
      lower_preflight(ctx, ir, api, api->routes.items[i].path, &methods);
  }
  if (api->cors.node)
    lower_cors_gateway_responses(ctx, ir, api);
  lower_deployment(ctx, ir, api, &methods);
  ir_output(ctx, ir, "ApiUrl",
            cfn_subf("https://${Api}.execute-api.${AWS::Region}.${AWS::URLSuffix}/%s/",
                     api->stage_name),
            "base URL of the API stage");
}
