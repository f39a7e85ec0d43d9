/* bucket: an S3 bucket that is private and encrypted whatever the stage says:
 * all four Block Public Access flags, SSE-S3 by default, BucketOwnerEnforced
 * (no ACLs), and a bucket policy that denies any request without TLS.
 * Versioning and retention follow the stage (on by default in production);
 * EventBridge notifications are on when a function is triggered by the bucket. */
#include "lower_internal.h"

#include <string.h>

static bool bucket_triggers_functions(const Model *m, const Bucket *b) {
  for (size_t i = 0; i < m->functions.len; i++)
    if (m->functions.items[i].on_object_created.source == b)
      return true;
  return false;
}

static json_t *bucket_properties(const Model *m, const Bucket *b) {
  json_t *p = J("{s:s}", "BucketName", b->name);
  json_object_set_new(
      p, "BucketEncryption",
      J("{s:[{s:{s:s}}]}", "ServerSideEncryptionConfiguration", "ServerSideEncryptionByDefault",
        "SSEAlgorithm", "AES256"));
  json_object_set_new(p, "PublicAccessBlockConfiguration",
                      J("{s:b, s:b, s:b, s:b}", "BlockPublicAcls", 1, "BlockPublicPolicy", 1,
                        "IgnorePublicAcls", 1, "RestrictPublicBuckets", 1));
  json_object_set_new(p, "OwnershipControls",
                      J("{s:[{s:s}]}", "Rules", "ObjectOwnership", "BucketOwnerEnforced"));
  if (b->versioned)
    json_object_set_new(p, "VersioningConfiguration", J("{s:s}", "Status", "Enabled"));
  if (bucket_triggers_functions(m, b))
    json_object_set_new(p, "NotificationConfiguration",
                        J("{s:{s:b}}", "EventBridgeConfiguration", "EventBridgeEnabled", 1));
  return p;
}

static void lower_tls_policy(Ctx *ctx, Ir *ir, const Bucket *b) {
  const char *bucket = bucket_lid(ctx, b);
  json_t *deny = J("{s:s, s:s, s:s, s:s, s:[o,o], s:{s:{s:s}}}", "Sid", "DenyInsecureTransport",
                   "Effect", "Deny", "Principal", "*", "Action", "s3:*", "Resource",
                   cfn_getatt(bucket, "Arn"), cfn_subf("${%s.Arn}/*", bucket), "Condition",
                   "Bool", "aws:SecureTransport", "false");
  ir_add(ctx, ir, lid(ctx, b->key, "BucketPolicy"), "AWS::S3::BucketPolicy",
         J("{s:o, s:{s:s, s:[o]}}", "Bucket", cfn_ref(bucket), "PolicyDocument", "Version",
           "2012-10-17", "Statement", deny));
}

void lower_buckets(Ctx *ctx, Ir *ir, const Model *m) {
  for (size_t i = 0; i < m->buckets.len; i++) {
    const Bucket *b = &m->buckets.items[i];
    const char *id = bucket_lid(ctx, b);
    IrResource *r = ir_add(ctx, ir, id, "AWS::S3::Bucket", bucket_properties(m, b));
    ir_set_policy(r, b->retain ? "Retain" : "Delete");
    lower_tls_policy(ctx, ir, b);
    ir_output(ctx, ir, lid(ctx, b->key, "BucketName"), cfn_ref(id),
              arena_printf(&ctx->arena, "name of bucket '%s'", b->key));
  }
}
