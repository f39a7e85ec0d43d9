/* s3: the few S3 calls the handlers make, path-style (bucket in the path),
 * keys percent-encoded as SigV4 wants. */
#ifndef LAKEC_HANDLERS_S3_H
#define LAKEC_HANDLERS_S3_H

#include "aws.h"

/* Each returns the HTTP status (0 on transport failure); resp released by the caller. */
long s3_put(AwsClient *c, const char *bucket, const char *key, const char *content_type,
            const char *body, size_t len, const char *const *extra_headers, AwsResponse *resp);
long s3_get(AwsClient *c, const char *bucket, const char *key, AwsResponse *resp);
/* The same, reading at most max bytes: a longer object leaves resp->too_big
 * set and nothing read (status 0). */
long s3_get_at_most(AwsClient *c, const char *bucket, const char *key, size_t max,
                    AwsResponse *resp);
long s3_head(AwsClient *c, const char *bucket, const char *key, AwsResponse *resp);
long s3_delete(AwsClient *c, const char *bucket, const char *key, AwsResponse *resp);
/* CopyObject within a bucket. S3 may answer 200 and still report an <Error> in
 * the body: that is returned as 500 here. extra_headers may replace metadata. */
long s3_copy(AwsClient *c, const char *bucket, const char *from, const char *to,
             const char *const *extra_headers, AwsResponse *resp);

#endif
