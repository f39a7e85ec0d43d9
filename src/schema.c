/* schema: the tables of the stage language (see schema.h). Read top-down this
 * file is the language reference: every key, its type, default and meaning. */
#include "schema.h"
#include "model.h"

#include <limits.h>
#include <stddef.h>

#define NO_KEY ((size_t)-1)
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define SHAPE(T, nm, fields_, ...)                                                       \
  {.name = nm, .size = sizeof(T), .node_offset = offsetof(T, node), .fields = fields_,   \
   .nfields = COUNT(fields_), __VA_ARGS__}

const char *const ENUM_ARCH[] = {"x86_64", "arm64", NULL};
const char *const ENUM_AUTH[] = {"none", "iam", "cognito", NULL};

static const Field BUCKET_FIELDS[] = {
    {"name", F_STR, offsetof(Bucket, name), .required = true,
     .doc = "the S3 bucket name (globally unique; S3 naming rules apply)"},
    {"versioned", F_BOOL, offsetof(Bucket, versioned), .def = "production", .computed = true,
     .doc = "turn on object versioning"},
    {"retain", F_BOOL, offsetof(Bucket, retain), .def = "production", .computed = true,
     .doc = "keep the bucket when the stack is deleted or the bucket replaced"},
};
static const Shape SHAPE_BUCKET =
    SHAPE(Bucket, "bucket", BUCKET_FIELDS, .key_offset = offsetof(Bucket, key));

static const Field CRAWLER_FIELDS[] = {
    {"name", F_STR, offsetof(Crawler, name), .def = "PROJECT-STAGE-KEY", .computed = true,
     .doc = "the Glue crawler name"},
    {"bucket", F_STR, offsetof(Crawler, bucket), .required = true,
     .doc = "the bucket (a key of `buckets`) the crawler reads"},
    {"prefix", F_STR, offsetof(Crawler, prefix), .def = "",
     .doc = "the key prefix it crawls, e.g. processed/"},
};
static const Shape SHAPE_CRAWLER =
    SHAPE(Crawler, "crawler", CRAWLER_FIELDS, .key_offset = offsetof(Crawler, key));

static const Field CATALOG_FIELDS[] = {
    {"database", F_STR, offsetof(Catalog, database), .required = true,
     .doc = "the Glue database name (lowercase, digits, underscore)"},
    {"crawlers", F_MAP_OF, offsetof(Catalog, crawlers), .shape = &SHAPE_CRAWLER,
     .doc = "crawlers that keep the database's tables up to date"},
};
static const Shape SHAPE_CATALOG = SHAPE(Catalog, "catalog", CATALOG_FIELDS, .key_offset = NO_KEY);

static const Field RESULTS_FIELDS[] = {
    {"bucket", F_STR, offsetof(AthenaResults, bucket), .required = true,
     .doc = "the bucket (a key of `buckets`) that receives query results"},
    {"prefix", F_STR, offsetof(AthenaResults, prefix), .def = "athena-results/",
     .doc = "the key prefix of the results"},
};
static const Shape SHAPE_RESULTS =
    SHAPE(AthenaResults, "athena results", RESULTS_FIELDS, .key_offset = NO_KEY);

static const Field ATHENA_FIELDS[] = {
    {"workgroup", F_STR, offsetof(Athena, workgroup), .required = true,
     .doc = "the Athena workgroup name"},
    {"results", F_STRUCT, offsetof(Athena, results), .required = true, .shape = &SHAPE_RESULTS,
     .doc = "where query results go; enforced for every query of the workgroup"},
    {"bytes_scanned_limit", F_INT, offsetof(Athena, bytes_scanned_limit), .min = 10485760,
     .max = LLONG_MAX, .doc = "cancel a query that scans more bytes than this (at least 10 MB)"},
};
static const Shape SHAPE_ATHENA = SHAPE(Athena, "athena", ATHENA_FIELDS, .key_offset = NO_KEY);

static const Field SCHEDULE_FIELDS[] = {
    {"expression", F_STR, offsetof(Schedule, expression), .required = true,
     .doc = "rate(N unit) or cron(min hour day-of-month month day-of-week year)"},
    {"enabled", F_BOOL, offsetof(Schedule, enabled), .def = "true",
     .doc = "false keeps the rule but stops it firing (run by hand)"},
};
static const Shape SHAPE_SCHEDULE = SHAPE(Schedule, "schedule", SCHEDULE_FIELDS,
                                          .key_offset = NO_KEY, .shorthand = "expression");

static const Field TRIGGER_FIELDS[] = {
    {"bucket", F_STR, offsetof(ObjectTrigger, bucket), .required = true,
     .doc = "the bucket (a key of `buckets`) whose new objects invoke the function"},
    {"prefix", F_STR, offsetof(ObjectTrigger, prefix), .def = "", .doc = "only keys under this prefix"},
    {"suffix", F_STR, offsetof(ObjectTrigger, suffix), .def = "", .doc = "only keys ending so"},
};
static const Shape SHAPE_TRIGGER =
    SHAPE(ObjectTrigger, "object-created trigger", TRIGGER_FIELDS, .key_offset = NO_KEY);

static const Field GRANT_FIELDS[] = {
    {"read", F_STR, offsetof(Grant, read), .doc = "BUCKET/PREFIX: get and list objects"},
    {"write", F_STR, offsetof(Grant, write), .doc = "BUCKET/PREFIX: put objects"},
    {"delete", F_STR, offsetof(Grant, delete_), .doc = "BUCKET/PREFIX: delete objects"},
    {"crawl", F_STR, offsetof(Grant, crawl), .doc = "CRAWLER: start it and read its state"},
    {"query", F_STR, offsetof(Grant, query),
     .doc = "CRAWLER: run Athena queries on the tables it catalogs"},
};
static const Shape SHAPE_GRANT =
    SHAPE(Grant, "grant", GRANT_FIELDS, .key_offset = NO_KEY, .exactly_one = true);

static const Field FUNCTION_FIELDS[] = {
    {"name", F_STR, offsetof(Function, name), .def = "PROJECT-STAGE-KEY", .computed = true,
     .doc = "the Lambda function name"},
    {"handler", F_STR, offsetof(Function, handler), .def = "KEY", .computed = true,
     .doc = "the handler program the function runs (its bootstrap)"},
    {"description", F_STR, offsetof(Function, description), .doc = "free text"},
    {"memory", F_INT, offsetof(Function, memory), .def = "256", .min = 128, .max = 10240,
     .doc = "memory in MB"},
    {"timeout", F_INT, offsetof(Function, timeout), .def = "3", .min = 1, .max = 900,
     .doc = "timeout in seconds"},
    {"architecture", F_ENUM, offsetof(Function, architecture), .values = ENUM_ARCH,
     .def = "the build host's", .computed = true, .doc = "CPU architecture of the handler binary"},
    {"log_retention", F_INT, offsetof(Function, log_retention), .def = "30", .min = 1,
     .max = 3653, .doc = "days the log group keeps logs (a CloudWatch retention value)"},
    {"environment", F_STRMAP, offsetof(Function, environment),
     .doc = "environment variables (NAME: value)"},
    {"schedule", F_STRUCT, offsetof(Function, schedule), .shape = &SHAPE_SCHEDULE,
     .doc = "run on a schedule (EventBridge rule)"},
    {"on_object_created", F_STRUCT, offsetof(Function, on_object_created),
     .shape = &SHAPE_TRIGGER, .doc = "run when an object is created (EventBridge rule)"},
    {"grants", F_LIST_OF, offsetof(Function, grants), .shape = &SHAPE_GRANT,
     .doc = "what the function's role may do; nothing else is allowed"},
};
static const Shape SHAPE_FUNCTION =
    SHAPE(Function, "function", FUNCTION_FIELDS, .key_offset = offsetof(Function, key));

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
};
static const Shape SHAPE_API = SHAPE(Api, "api", API_FIELDS, .key_offset = NO_KEY);

static const Field POLICY_FIELDS[] = {
    {"allow_open_api", F_BOOL, offsetof(Policy, allow_open_api), .def = "false",
     .doc = "a production API may use auth: none"},
    {"allow_unversioned_buckets", F_BOOL, offsetof(Policy, allow_unversioned_buckets),
     .def = "false", .doc = "a production bucket may turn versioning off"},
    {"allow_unretained_buckets", F_BOOL, offsetof(Policy, allow_unretained_buckets),
     .def = "false", .doc = "a production bucket may be deleted with the stack"},
    {"allow_disabled_schedules", F_BOOL, offsetof(Policy, allow_disabled_schedules),
     .def = "false", .doc = "a production schedule may be switched off"},
};
static const Shape SHAPE_POLICY = SHAPE(Policy, "policy", POLICY_FIELDS, .key_offset = NO_KEY);

static const Field STAGE_FIELDS[] = {
    {"lakec", F_INT, offsetof(Model, version), .required = true, .min = 1, .max = 9999,
     .doc = "version of the stage language; 1"},
    {"extends", F_STR, offsetof(Model, extends),
     .doc = "the file this one builds on, relative to this file"},
    {"project", F_STR, offsetof(Model, project), .required = true,
     .doc = "short project name, part of default resource names; ${project}"},
    {"stage", F_STR, offsetof(Model, stage), .required = true,
     .doc = "the stage name (dev, qa, prod, ...); ${stage}"},
    {"production", F_BOOL, offsetof(Model, production), .def = "false",
     .doc = "a production stage: stricter defaults and policy rules"},
    {"policy", F_STRUCT, offsetof(Model, policy), .shape = &SHAPE_POLICY,
     .doc = "explicit exceptions to the production rules"},
    {"region", F_STR, offsetof(Model, region), .def = "us-east-1", .doc = "${region}"},
    {"account", F_STR, offsetof(Model, account), .doc = "the 12-digit AWS account; ${account}"},
    {"tags", F_STRMAP, offsetof(Model, tags), .doc = "tags for every taggable resource"},
    {"vars", F_STRMAP, offsetof(Model, vars), .doc = "values for ${var.NAME}"},
    {"buckets", F_MAP_OF, offsetof(Model, buckets), .shape = &SHAPE_BUCKET,
     .doc = "S3 buckets, by key"},
    {"catalog", F_STRUCT, offsetof(Model, catalog), .shape = &SHAPE_CATALOG,
     .doc = "the Glue Data Catalog database and crawlers"},
    {"athena", F_STRUCT, offsetof(Model, athena), .shape = &SHAPE_ATHENA,
     .doc = "the Athena workgroup"},
    {"functions", F_MAP_OF, offsetof(Model, functions), .shape = &SHAPE_FUNCTION,
     .doc = "Lambda functions, by key"},
    {"api", F_STRUCT, offsetof(Model, api), .shape = &SHAPE_API,
     .doc = "a REST API in front of functions"},
};
const Shape SHAPE_STAGE = SHAPE(Model, "stage", STAGE_FIELDS, .key_offset = NO_KEY);
