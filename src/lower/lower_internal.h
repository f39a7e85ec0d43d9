/* lower_internal: what the lowering files share: logical ids, CloudFormation
 * intrinsic functions, ARNs, and the entry point of each construct's file. */
#ifndef LAKEC_LOWER_INTERNAL_H
#define LAKEC_LOWER_INTERNAL_H

#include "ctx.h"
#include "ir.h"
#include "model.h"

/* Logical ids: PascalCase of a user's key plus a suffix: ("raw-data", "Bucket")
 * -> "RawDataBucket". Stable across builds, so diffs stay meaningful. */
const char *lid(Ctx *ctx, const char *key, const char *suffix);

json_t *cfn_ref(const char *id);
json_t *cfn_getatt(const char *id, const char *attribute);
json_t *cfn_sub(const char *text);
/* "arn:${AWS::Partition}:s3:::" style strings are written with Fn::Sub. */
json_t *cfn_subf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The Ir of a bucket, for references from other constructs. */
const char *bucket_lid(Ctx *ctx, const Bucket *b);
/* ARN of the objects under a location: ${DataBucket.Arn}/raw/ then a star. */
json_t *location_objects_arn(Ctx *ctx, const Location *loc);
/* s3://bucket/prefix for crawlers and Athena. */
json_t *location_s3_url(Ctx *ctx, const Location *loc);

/* IAM: a role that `service` may assume, with one inline policy of `statements`
 * (stolen). Returns the role's logical id. */
const char *iam_role(Ctx *ctx, Ir *ir, const char *id, const char *service, json_t *statements);
json_t *iam_statement(const char *sid, json_t *actions, json_t *resources);
/* Read / read-write access to the catalog entries of the database `db_lid`. */
json_t *iam_catalog_read(const char *sid, const char *db_lid);
json_t *iam_catalog_write(const char *sid, const char *db_lid);
/* s3:ListBucket on the bucket, narrowed to the location's prefix. */
json_t *iam_list_prefix(Ctx *ctx, const char *sid, const Location *loc);
/* The statements a function's grants allow (new array). */
json_t *iam_grant_statements(Ctx *ctx, const Model *m, const Function *f);

/* One entry point per construct, called in this order by lower(). */
void lower_buckets(Ctx *ctx, Ir *ir, const Model *m);
void lower_catalog(Ctx *ctx, Ir *ir, const Model *m);
void lower_athena(Ctx *ctx, Ir *ir, const Model *m);
void lower_functions(Ctx *ctx, Ir *ir, const Model *m);
void lower_api(Ctx *ctx, Ir *ir, const Model *m);
/* Last: every taggable resource gets the stage's tags. */
void lower_tags(Ctx *ctx, Ir *ir, const Model *m);

#endif
