/* s3: the few S3 calls the handlers make, path-style (bucket in the path),
 * keys percent-encoded as SigV4 wants. */
#ifndef LAKEC_HANDLERS_S3_H
#define LAKEC_HANDLERS_S3_H

#include "aws.h"

#include <stdint.h>

/* Each returns the HTTP status (0 on transport failure); resp released by the caller. */
long s3_put(AwsClient *c, const char *bucket, const char *key, const char *content_type,
            const char *body, size_t len, const char *const *extra_headers, AwsResponse *resp);
long s3_get(AwsClient *c, const char *bucket, const char *key, AwsResponse *resp);
/* Bytes first..last (inclusive) of the version whose ETag is etag: 206, or
 * 412 when the object was replaced since (If-Match). A server that ignores
 * the range and answers 200 with a longer body stops at last - first + 1
 * bytes (resp->too_big). */
long s3_get_range(AwsClient *c, const char *bucket, const char *key, const char *etag,
                  uint64_t first, uint64_t last, AwsResponse *resp);
/* resp->etag and resp->content_length (the object's size) on 200. */
long s3_head(AwsClient *c, const char *bucket, const char *key, AwsResponse *resp);
long s3_delete(AwsClient *c, const char *bucket, const char *key, AwsResponse *resp);
/* CopyObject within a bucket. S3 may answer 200 and still report an <Error> in
 * the body: that is returned as 500 here. extra_headers may replace metadata. */
long s3_copy(AwsClient *c, const char *bucket, const char *from, const char *to,
             const char *const *extra_headers, AwsResponse *resp);

/* ---- an object written in pieces ----
 *
 * Bytes accumulate in a part buffer of S3_PART_BYTES. The first full part
 * starts a multipart upload (CreateMultipartUpload), each full part is sent
 * (UploadPart, its ETag kept), and finishing sends the last part and
 * completes the upload (CompleteMultipartUpload; an <Error> in a 200 is a
 * failure). An object smaller than one part is one plain PUT: no multipart
 * upload at all. Nothing is visible under the key before a successful
 * finish; any failure aborts the multipart upload (AbortMultipartUpload), so
 * no part is left stored. Memory: the part buffer. */

#define S3_PART_BYTES ((size_t)8 << 20) /* S3 takes 5 MiB to 5 GiB, 10,000 parts */

typedef struct S3Upload S3Upload;

/* Nothing is sent yet. Aborts when out of memory. */
S3Upload *s3_upload_open(AwsClient *c, const char *bucket, const char *key,
                         const char *content_type);
/* Extra "Name: value" lines (e.g. x-amz-meta-*) for the object's creation
 * (the plain PUT, or CreateMultipartUpload), copied; before the first write. */
void s3_upload_set_headers(S3Upload *u, const char *const *headers);
/* Appends len bytes (a part may be sent). 0, or -1 with s3_upload_error: the
 * upload is then aborted and every later call fails. */
int s3_upload_write(S3Upload *u, const void *data, size_t len);
/* Sends what is left and completes the object: true when it exists under
 * the key, else false with s3_upload_error (and the upload aborted). */
bool s3_upload_finish(S3Upload *u);
/* Aborts an upload not finished (DELETE ?uploadId=...) and frees u. */
void s3_upload_free(S3Upload *u);
/* What failed, or NULL. */
const char *s3_upload_error(const S3Upload *u);
/* Bytes written so far; parts sent by a multipart upload (0: a plain PUT). */
uint64_t s3_upload_bytes(const S3Upload *u);
unsigned s3_upload_parts(const S3Upload *u);

#endif
