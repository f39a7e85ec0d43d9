/* s3: object paths are /BUCKET/KEY with KEY encoded ('/' kept): curl signs the
 * path as given, and S3 compares it with the encoded canonical form. */
#include "s3.h"
#include "runtime.h"
#include "xml.h"

#include <inttypes.h>
#include <stdarg.h>
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

long s3_get_range(AwsClient *c, const char *bucket, const char *key, const char *etag,
                  uint64_t first, uint64_t last, AwsResponse *resp) {
  char *path = object_path(bucket, key);
  char *range = handler_strf("Range: bytes=%" PRIu64 "-%" PRIu64, first, last);
  char *pin = handler_strf("If-Match: %s", etag);
  const char *headers[] = {range, pin, NULL};
  size_t size = (size_t)(last - first + 1);
  AwsRequest req = {.service = "s3", .method = "GET", .path = path, .headers = headers,
                    .max_bytes = size, .expect_bytes = size};
  aws_call(c, &req, resp);
  free(pin);
  free(range);
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
  if (resp->status == 200 && resp->body && xml_is_error(resp->body, resp->len))
    resp->status = 500;
  return resp->status;
}

/* ---- an object written in pieces ---- */

struct S3Upload {
  AwsClient *aws;
  char *path, *content_type; /* the object's path (encoded) */
  char **headers;            /* sent when the object is created (metadata), NULL-terminated */
  char *upload_id;           /* encoded for a query; NULL before a multipart upload starts */
  char *part;                /* S3_PART_BYTES, allocated by the first write */
  size_t part_len;
  char **etags; /* of the parts sent, in order */
  unsigned parts;
  uint64_t bytes;
  bool failed, finished;
  char error[400];
};

#define MAX_PARTS 10000u

S3Upload *s3_upload_open(AwsClient *c, const char *bucket, const char *key,
                         const char *content_type) {
  S3Upload *u = calloc(1, sizeof *u);
  if (!u)
    abort();
  u->aws = c;
  u->path = object_path(bucket, key);
  u->content_type = handler_strf("%s", content_type);
  if (!u->path)
    abort();
  return u;
}

void s3_upload_set_headers(S3Upload *u, const char *const *headers) {
  size_t n = 0;
  while (headers && headers[n])
    n++;
  u->headers = calloc(n + 1, sizeof *u->headers);
  if (!u->headers)
    abort();
  for (size_t i = 0; i < n; i++)
    u->headers[i] = handler_strf("%s", headers[i]);
}

/* What went wrong with an answer, for a message. */
static const char *answer_problem(const AwsResponse *resp, char *out, size_t size) {
  if (resp->status == 0)
    return resp->error;
  const char *xml = resp->body ? xml_error_text(resp->body, resp->len, out, size) : "";
  return *xml ? xml : "no S3 error document";
}

static void abort_multipart(S3Upload *u) {
  char *query = handler_strf("uploadId=%s", u->upload_id);
  AwsRequest req = {.service = "s3", .method = "DELETE", .path = u->path, .query = query};
  AwsResponse resp;
  aws_call(u->aws, &req, &resp);
  if (resp.status != 204 && resp.status != 200 && resp.status != 404)
    fprintf(stderr, "AbortMultipartUpload %s: HTTP %ld: parts may stay stored until a lifecycle "
                    "rule removes them\n", u->path, resp.status);
  aws_response_release(&resp);
  free(query);
  free(u->upload_id);
  u->upload_id = NULL;
}

/* Records the first failure and aborts the multipart upload: -1. */
static int upload_fail(S3Upload *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int upload_fail(S3Upload *u, const char *fmt, ...) {
  if (!u->failed) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(u->error, sizeof u->error, fmt, ap);
    va_end(ap);
  }
  u->failed = true;
  if (u->upload_id)
    abort_multipart(u);
  return -1;
}

/* POST ?uploads (signed as "uploads=", its canonical form): the upload id. */
static int start_multipart(S3Upload *u) {
  AwsRequest req = {.service = "s3", .method = "POST", .path = u->path, .query = "uploads=",
                    .content_type = u->content_type,
                    .headers = (const char *const *)u->headers};
  AwsResponse resp;
  aws_call(u->aws, &req, &resp);
  char why[300];
  char *id = resp.status == 200 ? xml_find_text(resp.body, resp.len, "UploadId") : NULL;
  if (!id || !*id) {
    int rc = upload_fail(u, "CreateMultipartUpload %s: HTTP %ld %s", u->path, resp.status,
                         answer_problem(&resp, why, sizeof why));
    free(id);
    aws_response_release(&resp);
    return rc;
  }
  aws_response_release(&resp);
  u->upload_id = aws_uri_encode(id, false);
  free(id);
  if (!u->upload_id)
    abort();
  return 0;
}

/* UploadPart of the buffer as the next part; its ETag is kept for the completion. */
static int send_part(S3Upload *u) {
  if (u->parts == MAX_PARTS)
    return upload_fail(u, "%s: more than %u parts of %zu bytes", u->path, MAX_PARTS,
                       S3_PART_BYTES);
  char *query = handler_strf("partNumber=%u&uploadId=%s", u->parts + 1, u->upload_id);
  AwsRequest req = {.service = "s3", .method = "PUT", .path = u->path, .query = query,
                    .body = u->part, .body_len = u->part_len};
  AwsResponse resp;
  aws_call(u->aws, &req, &resp);
  free(query);
  char why[300];
  if (resp.status != 200 || !resp.etag[0]) {
    int rc = upload_fail(u, "UploadPart %u of %s: HTTP %ld %s", u->parts + 1, u->path,
                         resp.status, answer_problem(&resp, why, sizeof why));
    aws_response_release(&resp);
    return rc;
  }
  char **grown = realloc(u->etags, (u->parts + 1) * sizeof *grown);
  if (!grown)
    abort();
  u->etags = grown;
  u->etags[u->parts++] = handler_strf("%s", resp.etag);
  aws_response_release(&resp);
  u->part_len = 0;
  return 0;
}

/* An ETag as XML text (S3's are quoted hex; anything else is escaped). */
static void append_escaped(Buffer *b, const char *text) {
  for (const char *p = text; *p; p++) {
    const char *entity = *p == '&' ? "&amp;" : *p == '<' ? "&lt;" : *p == '>' ? "&gt;" : NULL;
    if (!(entity ? buffer_append(b, entity, strlen(entity)) : buffer_append(b, p, 1)))
      abort();
  }
}

static char *completion_body(const S3Upload *u) {
  Buffer b = {0};
  const char *open = "<CompleteMultipartUpload>", *close = "</CompleteMultipartUpload>";
  if (!buffer_append(&b, open, strlen(open)))
    abort();
  for (unsigned i = 0; i < u->parts; i++) {
    char *head = handler_strf("<Part><PartNumber>%u</PartNumber><ETag>", i + 1);
    const char *tail = "</ETag></Part>";
    if (!buffer_append(&b, head, strlen(head)))
      abort();
    append_escaped(&b, u->etags[i]);
    if (!buffer_append(&b, tail, strlen(tail)))
      abort();
    free(head);
  }
  if (!buffer_append(&b, close, strlen(close)))
    abort();
  return b.data;
}

/* POST ?uploadId=... with the parts; S3 may answer 200 with an <Error>. */
static int complete_multipart(S3Upload *u) {
  char *body = completion_body(u), *query = handler_strf("uploadId=%s", u->upload_id);
  AwsRequest req = {.service = "s3", .method = "POST", .path = u->path, .query = query,
                    .content_type = "application/xml", .body = body, .body_len = strlen(body)};
  AwsResponse resp;
  aws_call(u->aws, &req, &resp);
  free(query);
  free(body);
  char why[300];
  bool ok = resp.status == 200 && !xml_is_error(resp.body, resp.len);
  int rc = ok ? 0 : upload_fail(u, "CompleteMultipartUpload %s: HTTP %ld %s", u->path,
                                resp.status, answer_problem(&resp, why, sizeof why));
  aws_response_release(&resp);
  return rc;
}

int s3_upload_write(S3Upload *u, const void *data, size_t len) {
  if (u->failed || u->finished)
    return -1;
  if (!u->part && !(u->part = malloc(S3_PART_BYTES)))
    abort();
  const char *bytes = data;
  while (len > 0) {
    size_t n = S3_PART_BYTES - u->part_len < len ? S3_PART_BYTES - u->part_len : len;
    memcpy(u->part + u->part_len, bytes, n);
    u->part_len += n;
    u->bytes += n;
    bytes += n;
    len -= n;
    if (u->part_len == S3_PART_BYTES && ((!u->upload_id && start_multipart(u)) || send_part(u)))
      return -1;
  }
  return 0;
}

bool s3_upload_finish(S3Upload *u) {
  if (u->failed || u->finished)
    return false;
  if (u->upload_id) {
    if ((u->part_len && send_part(u)) || complete_multipart(u))
      return false;
  } else { /* smaller than a part: one PUT */
    AwsRequest req = {.service = "s3", .method = "PUT", .path = u->path,
                      .content_type = u->content_type, .body = u->part ? u->part : "",
                      .body_len = u->part_len, .headers = (const char *const *)u->headers};
    AwsResponse resp;
    aws_call(u->aws, &req, &resp);
    char why[300];
    if (resp.status != 200) {
      upload_fail(u, "PUT %s: HTTP %ld %s", u->path, resp.status,
                  answer_problem(&resp, why, sizeof why));
      aws_response_release(&resp);
      return false;
    }
    aws_response_release(&resp);
  }
  u->finished = true;
  free(u->upload_id); /* completed: nothing to abort */
  u->upload_id = NULL;
  return true;
}

void s3_upload_free(S3Upload *u) {
  if (!u)
    return;
  if (u->upload_id)
    abort_multipart(u);
  for (unsigned i = 0; i < u->parts; i++)
    free(u->etags[i]);
  free(u->etags);
  for (char **h = u->headers; h && *h; h++)
    free(*h);
  free(u->headers);
  free(u->part);
  free(u->path);
  free(u->content_type);
  free(u);
}

const char *s3_upload_error(const S3Upload *u) { return u->failed ? u->error : NULL; }

uint64_t s3_upload_bytes(const S3Upload *u) { return u->bytes; }

unsigned s3_upload_parts(const S3Upload *u) { return u->parts; }
