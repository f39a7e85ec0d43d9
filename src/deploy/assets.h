/* assets: the S3 side of deploying. The assets bucket (`lakec bootstrap`
 * makes one per account and region, with the defaults lakec gives its own
 * buckets: encrypted, public access blocked, owner-enforced, versioned,
 * TLS only), the stage's assets uploaded under their content-addressed keys
 * (a key already there is skipped), and a bucket emptied of every object
 * version before its stack is destroyed. Requests are path-style. */
#ifndef LAKEC_DEPLOY_ASSETS_H
#define LAKEC_DEPLOY_ASSETS_H

#include "aws.h"

#include <stdbool.h>
#include <stddef.h>

/* Every S3 request after this sends x-amz-expected-bucket-owner: account
 * (the session's): a bucket another account owns answers 403. */
void assets_expect_owner(const char *account);

/* "lakec-assets-<account>-<region>". */
void assets_default_bucket(const char *account, const char *region, char *out, size_t size);

/* 1 the bucket exists (and is ours to use), 0 it does not, -1 error (why). */
int assets_bucket_exists(AwsClient *c, const char *bucket, char *why, size_t why_size);
/* Creates the bucket with the secure defaults; an existing one gets them
 * again (harmless). */
bool assets_bootstrap(AwsClient *c, const char *bucket, char *why, size_t why_size);

/* The whole file (NUL-terminated, *len its size; free it), or NULL when it
 * cannot be read. */
char *assets_read_file(const char *file, size_t *len);
/* Uploads file (a path) under key unless the key is there: *uploaded tells. */
bool assets_upload(AwsClient *c, const char *bucket, const char *key, const char *file,
                   bool *uploaded, char *why, size_t why_size);
/* The same for bytes in memory (a template over CloudFormation's body limit). */
bool assets_put_bytes(AwsClient *c, const char *bucket, const char *key, const char *bytes,
                      size_t len, char *why, size_t why_size);

/* Deletes every object version and delete marker; *deleted counts them. A
 * bucket that no longer exists is empty. */
bool assets_empty_bucket(AwsClient *c, const char *bucket, size_t *deleted, char *why,
                         size_t why_size);

#endif
