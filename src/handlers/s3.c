/* s3: object paths are /BUCKET/KEY with KEY encoded ('/' kept): curl signs the
 * path as given, and S3 compares it with the encoded canonical form. */
#include "s3.h"

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
