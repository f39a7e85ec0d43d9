/* lower_internal: what the constructs' lowerings share: logical ids,
 * CloudFormation intrinsic functions, IAM building blocks, and the few typed
 * helpers one construct offers the others (bucket locations, crawlers). */
#ifndef LAKEC_LOWER_INTERNAL_H
#define LAKEC_LOWER_INTERNAL_H

#include "ctx.h"
#include "ir.h"
#include "model.h"

/* Logical ids: PascalCase of a user's key plus a suffix: ("raw-data", "Bucket")
 * -> "RawDataBucket". Stable across builds, so diffs stay meaningful. */
const char *lid(Ctx *ctx, const char *key, const char *suffix);
/* Environment variable names: ("LAKEC_QUEUE_", "raw-jobs", "_URL") -> LAKEC_QUEUE_RAW_JOBS_URL. */
const char *env_name(Ctx *ctx, const char *prefix, const char *key, const char *suffix);

/* A construct's own resources refer to each other with these; another
 * construct's attributes come from construct_ref / construct_sub. */
json_t *cfn_ref(const char *id);
json_t *cfn_getatt(const char *id, const char *attribute);
json_t *cfn_sub(const char *text);
/* "arn:${AWS::Partition}:s3:::" style strings are written with Fn::Sub. */
json_t *cfn_subf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- bucket locations (src/constructs/bucket.c) ---- */
/* ARN of the objects under a location: ${DataBucket.Arn}/raw/ then a star. */
json_t *location_objects_arn(Ctx *ctx, Ir *ir, const Location *loc);
/* s3://bucket/prefix for crawlers and Athena. */
json_t *location_s3_url(Ctx *ctx, Ir *ir, const Location *loc);
json_t *location_bucket_arn(Ctx *ctx, Ir *ir, const Location *loc);
/* s3:ListBucket on the bucket, narrowed to the location's prefix. */
json_t *iam_list_prefix(Ctx *ctx, Ir *ir, const char *sid, const Location *loc);
/* A statement allowing `actions` (stolen) on the objects under loc, with
 * the reason its wildcard is inherent. */
json_t *iam_objects(Ctx *ctx, Ir *ir, const char *sid, json_t *actions, const Location *loc);
/* LAKEC_BUCKET_<KEY>: the bucket's name (nothing when b is NULL). */
void bucket_environment(Ctx *ctx, Ir *ir, const Bucket *b, json_t *vars);
/* LAKEC_CRAWLER_<KEY> and its bucket (src/constructs/database.c). */
void crawler_environment(Ctx *ctx, Ir *ir, const Crawler *c, json_t *vars);

/* ---- assets (lower.c) ---- */
/* The AssetsBucket parameter (the bucket the manifest's assets are uploaded
 * to), added once, by the first construct that needs it. */
void lower_assets_bucket(Ctx *ctx, Ir *ir);

/* A log group `name` keeping its events `days` days, as `id`; logs are
 * data: a production stage keeps it when the stack goes. Returns id. */
const char *lower_log_group(Ctx *ctx, Ir *ir, const Model *m, const char *id, const char *name,
                            long long days);

/* ---- IAM (iam.c) ---- */
/* A role that `service` may assume, with one inline policy of `statements`
 * (stolen). Returns the role's logical id. */
const char *iam_role(Ctx *ctx, Ir *ir, const char *id, const char *service, json_t *statements);
/* The same for any principal ({"AWS": ...} for people's roles); the role. */
IrResource *iam_role_for(Ctx *ctx, Ir *ir, const char *id, json_t *principal,
                         json_t *statements);
/* Lake Formation (database.c): a grant of permissions on a resource to a
 * role; the database and all its tables as grant resources; the IAM
 * statement for lakeformation:GetDataAccess (on "*", with its reason). */
IrResource *lake_formation_grant(Ctx *ctx, Ir *ir, const char *id, const char *role,
                                 json_t *resource, json_t *permissions);
json_t *lake_formation_database(const char *db_id);
json_t *lake_formation_tables(const char *db_id);
json_t *iam_lake_formation_access(void);
/* The EventBridge pattern of S3's "Object Created" events for a trigger's
 * bucket, prefix and suffix (function.c). */
json_t *object_created_pattern(Ctx *ctx, Ir *ir, const ObjectTrigger *t);
json_t *iam_statement(const char *sid, json_t *actions, json_t *resources);
/* Marks a statement whose resource holds a wildcard that is inherent (names
 * made at run time) with the sentence that says why: iam_role suppresses
 * its IAM5 finding with that reason. Returns the statement. */
json_t *iam_wildcard(json_t *statement, const char *reason);
/* The reasons (NULL-terminated) of the statements (before iam_role) that
 * allow Resource "*": a Lambda role is suppressed for
 * Serverless-LambdaStarPermissions with each. */
const char **iam_any_resource_reasons(Ctx *ctx, json_t *statements);
/* A statement id: the verb and the PascalCase of what it covers ("WriteDataRaw"). */
const char *iam_sid(Ctx *ctx, const char *verb, const char *text);
/* Read / read-write access to the catalog entries of a database whose name
 * is `db_sub` in Fn::Sub text ("${CatalogDatabase}"). */
json_t *iam_catalog_read(const char *sid, const char *db_sub);
json_t *iam_catalog_write(const char *sid, const char *db_sub);
/* The statements a function's grants allow, in order (new array): each
 * grant's verb says them. */
json_t *iam_grant_statements(Ctx *ctx, Ir *ir, const Model *m, const Function *f);

/* Where ir_add puts resources: the driver sets it to each item's stack. A
 * construct whose resource serves another item (a queue's event source
 * mapping serves its consumer function) lowers it in that item's stack, so
 * the two stacks do not need each other. */
typedef struct IrPlace {
  const IrStack *stack;
  const struct Node *origin;
} IrPlace;
IrPlace lower_place_with(Ir *ir, const void *item);
void lower_place_restore(Ir *ir, IrPlace was);

/* Last: every taggable resource gets the stage's tags (tags.c). */
void lower_tags(Ctx *ctx, Ir *ir, const Model *m);

#endif
