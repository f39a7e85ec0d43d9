/* function: a Lambda function on provided.al2023 (handler "bootstrap", the
 * custom runtime) with everything it needs around it: its own role holding
 * exactly its grants and its log stream rights, an explicit log group with
 * retention (referenced, so created first: Lambda never makes one without),
 * its schedule rule and its object-created rule, each with the invoke
 * permission EventBridge needs. S3 -> function goes through EventBridge,
 * which avoids the bucket <-> function cycle of direct notifications.
 *
 * Code comes from the handler's zip in the assets bucket: the template has a
 * parameter AssetsBucket and one S3-key parameter per handler program, which
 * the asset manifest beside the template lists. */
#include "lower_internal.h"

#include <ctype.h>
#include <string.h>

static IrAsset *asset_for(Ctx *ctx, Ir *ir, const Function *f) {
  IrAsset *known = strindex_get(&ir->assets_by_handler, f->handler);
  if (known) {
    ptrvec_push(&ctx->arena, &known->functions, (void *)f->key);
    return known;
  }
  if (ir->assets.len == 0)
    ir_parameter(ctx, ir, "AssetsBucket",
                 J("{s:s, s:s, s:i}", "Type", "String", "Description",
                   "S3 bucket holding the handler zips listed in assets.json", "MinLength", 3));
  IrAsset *a = arena_alloc(&ctx->arena, sizeof *a);
  a->handler = f->handler;
  a->parameter = lid(ctx, f->handler, "CodeKey");
  ptrvec_push(&ctx->arena, &a->functions, (void *)f->key);
  ptrvec_push(&ctx->arena, &ir->assets, a);
  strindex_put(ctx, &ir->assets_by_handler, a->handler, a);
  ir_parameter(ctx, ir, a->parameter,
               J("{s:s, s:s, s:i}", "Type", "String", "Description",
                 arena_printf(&ctx->arena, "S3 key of the zip of handler '%s' (see assets.json)",
                              f->handler),
                 "MinLength", 1));
  return a;
}

/* LAKEC_BUCKET_RAW_DATA for key raw-data. */
static const char *env_name(Ctx *ctx, const char *prefix, const char *key) {
  char *s = arena_printf(&ctx->arena, "%s%s", prefix, key);
  for (char *p = s; *p; p++)
    *p = *p == '-' ? '_' : (char)toupper((unsigned char)*p);
  return s;
}

static void env_bucket(Ctx *ctx, json_t *vars, const Bucket *b) {
  if (b)
    json_object_set_new(vars, env_name(ctx, "LAKEC_BUCKET_", b->key), cfn_ref(bucket_lid(ctx, b)));
}

static bool serves_api(const Model *m, const Function *f) {
  for (size_t i = 0; i < m->api.routes.len; i++)
    if (m->api.routes.items[i].function == f)
      return true;
  return false;
}

/* The stage's environment, then what lakec tells the handler about the
 * resources it was granted (names are only known after deployment). */
static json_t *function_environment(Ctx *ctx, const Model *m, const Function *f) {
  json_t *vars = json_object();
  for (size_t i = 0; i < f->environment.len; i++)
    json_object_set_new(vars, f->environment.items[i].key,
                        json_string(f->environment.items[i].value));
  json_object_set_new(vars, "LAKEC_PROJECT", json_string(m->project));
  json_object_set_new(vars, "LAKEC_STAGE", json_string(m->stage));
  env_bucket(ctx, vars, f->on_object_created.source);
  for (size_t i = 0; i < f->grants.len; i++) {
    const Grant *g = &f->grants.items[i];
    if (g->kind == GRANT_CRAWL || g->kind == GRANT_QUERY) {
      json_object_set_new(vars, env_name(ctx, "LAKEC_CRAWLER_", g->crawler->key),
                          cfn_ref(lid(ctx, g->crawler->key, "Crawler")));
      env_bucket(ctx, vars, g->crawler->target.bucket);
    } else {
      env_bucket(ctx, vars, g->where.bucket);
    }
    if (g->kind == GRANT_QUERY) {
      json_object_set_new(vars, "LAKEC_DATABASE", cfn_ref("CatalogDatabase"));
      json_object_set_new(vars, "LAKEC_WORKGROUP", cfn_ref("AthenaWorkGroup"));
      env_bucket(ctx, vars, m->athena.results.where.bucket);
    }
  }
  if (m->api.cors.node && serves_api(m, f)) {
    const StrList *o = &m->api.cors.origins;
    char *joined = arena_strdup(&ctx->arena, "");
    for (size_t i = 0; i < o->len; i++)
      joined = arena_printf(&ctx->arena, "%s%s%s", joined, i ? "," : "", o->items[i]);
    json_object_set_new(vars, "LAKEC_CORS_ORIGINS", json_string(joined));
  }
  return vars;
}

static const char *function_role(Ctx *ctx, Ir *ir, const Model *m, const Function *f,
                                 const char *logs) {
  json_t *st = json_array();
  json_array_append_new(st, iam_statement("WriteLogs",
                                          J("[s,s]", "logs:CreateLogStream", "logs:PutLogEvents"),
                                          cfn_getatt(logs, "Arn")));
  json_t *grants = iam_grant_statements(ctx, m, f);
  json_array_extend(st, grants);
  json_decref(grants);
  return iam_role(ctx, ir, lid(ctx, f->key, "FunctionRole"), "lambda.amazonaws.com", st);
}

/* Logs are data: a production stage keeps them when the stack goes. */
static const char *lower_log_group(Ctx *ctx, Ir *ir, const Model *m, const Function *f) {
  const char *id = lid(ctx, f->key, "LogGroup");
  IrResource *r = ir_add(ctx, ir, id, "AWS::Logs::LogGroup",
                         J("{s:s, s:I}", "LogGroupName",
                           arena_printf(&ctx->arena, "/aws/lambda/%s", f->name), "RetentionInDays",
                           (json_int_t)f->log_retention));
  ir_set_policy(r, m->production ? "Retain" : "Delete");
  return id;
}

static void lower_invoke_permission(Ctx *ctx, Ir *ir, const char *id, const char *fn,
                                    const char *principal, json_t *source_arn) {
  ir_add(ctx, ir, id, "AWS::Lambda::Permission",
         J("{s:s, s:o, s:s, s:o}", "Action", "lambda:InvokeFunction", "FunctionName",
           cfn_getatt(fn, "Arn"), "Principal", principal, "SourceArn", source_arn));
}

static void lower_rule(Ctx *ctx, Ir *ir, const Function *f, const char *what, json_t *props) {
  const char *fn = lid(ctx, f->key, "Function");
  const char *rule = lid(ctx, f->key, arena_printf(&ctx->arena, "%sRule", what));
  json_object_set_new(props, "Targets", J("[{s:o, s:s}]", "Arn", cfn_getatt(fn, "Arn"), "Id", fn));
  ir_add(ctx, ir, rule, "AWS::Events::Rule", props);
  lower_invoke_permission(ctx, ir, lid(ctx, f->key, arena_printf(&ctx->arena, "%sPermission", what)),
                          fn, "events.amazonaws.com", cfn_getatt(rule, "Arn"));
}

static void lower_schedule(Ctx *ctx, Ir *ir, const Function *f) {
  const Schedule *s = &f->schedule;
  if (!s->node)
    return;
  lower_rule(ctx, ir, f, "Schedule",
             J("{s:s, s:s, s:s}", "Description",
               arena_printf(&ctx->arena, "runs function '%s' on %s", f->key, s->expression),
               "ScheduleExpression", s->expression, "State", s->enabled ? "ENABLED" : "DISABLED"));
}

/* EventBridge key filter: prefix, suffix, or both through a wildcard
 * (check refuses '*' in prefixes, so the wildcard cannot be widened). */
static json_t *key_filter(Ctx *ctx, const ObjectTrigger *t) {
  if (*t->prefix && *t->suffix)
    return J("[{s:s}]", "wildcard", arena_printf(&ctx->arena, "%s*%s", t->prefix, t->suffix));
  if (*t->suffix)
    return J("[{s:s}]", "suffix", t->suffix);
  return J("[{s:s}]", "prefix", t->prefix);
}

static void lower_object_trigger(Ctx *ctx, Ir *ir, const Function *f) {
  const ObjectTrigger *t = &f->on_object_created;
  if (!t->node)
    return;
  json_t *detail = J("{s:{s:[o]}}", "bucket", "name", cfn_ref(bucket_lid(ctx, t->source)));
  if (*t->prefix || *t->suffix)
    json_object_set_new(detail, "object", J("{s:o}", "key", key_filter(ctx, t)));
  json_t *pattern = J("{s:[s], s:[s], s:o}", "source", "aws.s3", "detail-type", "Object Created",
                      "detail", detail);
  lower_rule(ctx, ir, f, "ObjectCreated",
             J("{s:s, s:o, s:s}", "Description",
               arena_printf(&ctx->arena, "runs function '%s' when an object is created in '%s/%s'",
                            f->key, t->bucket, t->prefix),
               "EventPattern", pattern, "State", "ENABLED"));
}

static void lower_function(Ctx *ctx, Ir *ir, const Model *m, const Function *f) {
  const IrAsset *asset = asset_for(ctx, ir, f);
  const char *logs = lower_log_group(ctx, ir, m, f);
  const char *role = function_role(ctx, ir, m, f, logs);
  json_t *p = J("{s:s}", "FunctionName", f->name);
  if (f->description)
    json_object_set_new(p, "Description", json_string(f->description));
  json_object_set_new(p, "Runtime", json_string("provided.al2023"));
  json_object_set_new(p, "Handler", json_string("bootstrap"));
  json_object_set_new(p, "Architectures",
                      J("[s]", f->architecture == ARCH_ARM64 ? "arm64" : "x86_64"));
  json_object_set_new(p, "MemorySize", json_integer(f->memory));
  json_object_set_new(p, "Timeout", json_integer(f->timeout));
  json_object_set_new(p, "Role", cfn_getatt(role, "Arn"));
  json_object_set_new(p, "Code", J("{s:o, s:o}", "S3Bucket", cfn_ref("AssetsBucket"), "S3Key",
                                   cfn_ref(asset->parameter)));
  json_object_set_new(p, "Environment", J("{s:o}", "Variables", function_environment(ctx, m, f)));
  json_object_set_new(p, "LoggingConfig", J("{s:o}", "LogGroup", cfn_ref(logs)));
  /* LoggingConfig's Ref also orders the log group before the function. */
  ir_add(ctx, ir, lid(ctx, f->key, "Function"), "AWS::Lambda::Function", p);
  lower_schedule(ctx, ir, f);
  lower_object_trigger(ctx, ir, f);
}

void lower_functions(Ctx *ctx, Ir *ir, const Model *m) {
  for (size_t i = 0; i < m->functions.len; i++)
    lower_function(ctx, ir, m, &m->functions.items[i]);
}
