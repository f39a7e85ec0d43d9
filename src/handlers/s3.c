/* s3: object paths are /BUCKET/KEY with KEY encoded ('/' kept): curl signs the
 * path as given, and S3 compares it with the encoded canonical form. */
#include "s3.h"
#include "runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *object_path(const char *bucket, const char *key) {
  char *b = aws_uri_encode(bucket, false), *k = aws_uri_encode(key, true);
  size_t n = strlen(b) + strlen(k) + 3;
  char *path = malloc(n);
  if (path)
    snprintf(path, n, "/%s/%s", b, k);
  free(b);
  free(k);
  return path;
}

long s3_put(AwsClient *c, const char *bucket, const char *key, const char *content_type,
            const char *body, size_t len, const char *const *extra_headers, AwsResponse *resp) {
  char *path = object_path(bucket, key);
  AwsRequest req = {.service = "s3", .method = "PUT", .path = path, .content_type = content_type,
                    .headers = extra_headers, .body = body, .body_len = len};
  aws_call(c, &req, resp);
  free(path);
  return resp->status;
}

static long s3_simple(AwsClient *c, const char *method, const char *bucket, const char *key,
                      AwsResponse *resp) {
  char *path = object_path(bucket, key);
  AwsRequest req = {.service = "s3", .method = method, .path = path};
  aws_call(c, &req, resp);
  free(path);
  return resp->status;
}

long s3_get(AwsClient *c, const char *bucket, const char *key, AwsResponse *resp) {
  return s3_simple(c, "GET", bucket, key, resp);
}

long s3_get_at_most(AwsClient *c, const char *bucket, const char *key, size_t max,
                    AwsResponse *resp) {
  char *path = object_path(bucket, key);
  AwsRequest req = {.service = "s3", .method = "GET", .path = path, .max_bytes = max};
  aws_call(c, &req, resp);
  free(path);
  return resp->status;
}

long s3_head(AwsClient *c, const char *bucket, const char *key, AwsResponse *resp) {
  return s3_simple(c, "HEAD", bucket, key, resp);
}

long s3_delete(AwsClient *c, const char *bucket, const char *key, AwsResponse *resp) {
  return s3_simple(c, "DELETE", bucket, key, resp);
}

long s3_copy(AwsClient *c, const char *bucket, const char *from, const char *to,
             const char *const *extra_headers, AwsResponse *resp) {
  char *source = object_path(bucket, from);
  /* as long as the key needs: a cut header would copy another object */
  char *line = source ? handler_strf("x-amz-copy-source: %s", source) : NULL;
  if (!line)
    abort();
  const char *headers[8] = {line};
  size_t n = 1;
  for (const char *const *p = extra_headers; p && *p && n < 7; p++)
    headers[n++] = *p;
  headers[n] = NULL;
  char *path = object_path(bucket, to);
  AwsRequest req = {.service = "s3", .method = "PUT", .path = path, .headers = headers};
  aws_call(c, &req, resp);
  free(path);
  free(source);
  free(line);
  if (resp->status == 200 && resp->body && strstr(resp->body, "<Error>"))
    resp->status = 500;
  return resp->status;
}
