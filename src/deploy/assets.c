#include "assets.h"
#include "xmltree.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void assets_default_bucket(const char *account, const char *region, char *out, size_t size) {
  snprintf(out, size, "lakec-assets-%s-%s", account, region);
}

/* "PUT /bucket: 403 AccessDenied: ..." or the transport problem. */
static bool failed(const char *what, const AwsResponse *r, char *why, size_t why_size) {
  if (!r->status) {
    snprintf(why, why_size, "%s: %s", what, r->error);
    return false;
  }
  XmlNode *doc = xml_parse(r->body ? r->body : "", r->len);
  snprintf(why, why_size, "%s: HTTP %ld %s%s%s", what, r->status, xml_text(doc, "Code"),
           doc ? ": " : "", xml_text(doc, "Message"));
  xml_free(doc);
  return false;
}

/* The account every S3 request expects to own the bucket: S3 answers 403
 * when another account owns it, so nothing is read from or written to a
 * bucket of the same name in someone else's account. */
static char expected_owner[64];

void assets_expect_owner(const char *account) {
  snprintf(expected_owner, sizeof expected_owner, "%s", account ? account : "");
}

static long s3(AwsClient *c, const char *method, const char *path, const char *query,
               const char *body, size_t len, const char *const *headers, AwsResponse *r) {
  char owner[128];
  const char *all[4] = {NULL};
  size_t n = 0;
  for (const char *const *h = headers; h && *h && n < 2; h++)
    all[n++] = *h;
  if (*expected_owner) {
    snprintf(owner, sizeof owner, "x-amz-expected-bucket-owner: %s", expected_owner);
    all[n++] = owner;
  }
  AwsRequest req = {.service = "s3", .method = method, .path = path, .query = query,
                    .body = body, .body_len = len, .headers = all};
  aws_call(c, &req, r);
  return r->status;
}

int assets_bucket_exists(AwsClient *c, const char *bucket, char *why, size_t why_size) {
  char path[300];
  snprintf(path, sizeof path, "/%s", bucket);
  AwsResponse r;
  long status = s3(c, "HEAD", path, NULL, NULL, 0, NULL, &r);
  int exists = status == 200 ? 1 : status == 404 ? 0 : -1;
  if (exists < 0)
    failed(path, &r, why, why_size);
  if (exists < 0 && status == 403)
    snprintf(why, why_size,
             "bucket '%s' exists in another account, or these credentials may not use it "
             "(HTTP 403 with the expected owner %s); name another with --assets-bucket",
             bucket, *expected_owner ? expected_owner : "unknown");
  aws_response_release(&r);
  return exists;
}

/* S3 wants Content-MD5 on its configuration PUTs. */
static void md5_header(const char *body, size_t len, char *out, size_t size) {
  unsigned char digest[16];
  unsigned n = 0;
  unsigned char b64[32];
  EVP_Digest(body, len, digest, &n, EVP_md5(), NULL);
  EVP_EncodeBlock(b64, digest, 16);
  snprintf(out, size, "Content-MD5: %s", b64);
}

static bool configure(AwsClient *c, const char *bucket, const char *query, const char *body,
                      char *why, size_t why_size) {
  char path[300], md5[64], what[400];
  snprintf(path, sizeof path, "/%s", bucket);
  md5_header(body, strlen(body), md5, sizeof md5);
  const char *headers[] = {md5, NULL};
  AwsResponse r;
  long status = s3(c, "PUT", path, query, body, strlen(body), headers, &r);
  snprintf(what, sizeof what, "PUT %s?%s", path, query);
  bool ok = status / 100 == 2 || failed(what, &r, why, why_size);
  aws_response_release(&r);
  return ok;
}

#define S3_XMLNS "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\""

static bool create_bucket(AwsClient *c, const char *bucket, char *why, size_t why_size) {
  char path[300], body[400] = "";
  snprintf(path, sizeof path, "/%s", bucket);
  if (strcmp(aws_region(c), "us-east-1")) /* us-east-1 takes no location */
    snprintf(body, sizeof body,
             "<CreateBucketConfiguration " S3_XMLNS "><LocationConstraint>%s</LocationConstraint>"
             "</CreateBucketConfiguration>",
             aws_region(c));
  AwsResponse r;
  long status = s3(c, "PUT", path, NULL, body, strlen(body), NULL, &r);
  bool ok = status / 100 == 2 || failed(path, &r, why, why_size);
  aws_response_release(&r);
  return ok;
}

bool assets_bootstrap(AwsClient *c, const char *bucket, char *why, size_t why_size) {
  int exists = assets_bucket_exists(c, bucket, why, why_size);
  if (exists < 0 || (!exists && !create_bucket(c, bucket, why, why_size)))
    return false;
  char policy[1200];
  snprintf(policy, sizeof policy,
           "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"DenyInsecureTransport\","
           "\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":["
           "\"arn:aws:s3:::%s\",\"arn:aws:s3:::%s/*\"],\"Condition\":{\"Bool\":"
           "{\"aws:SecureTransport\":\"false\"}}}]}",
           bucket, bucket);
  return configure(c, bucket, "publicAccessBlock=",
                   "<PublicAccessBlockConfiguration " S3_XMLNS "><BlockPublicAcls>true</BlockPublicAcls>"
                   "<IgnorePublicAcls>true</IgnorePublicAcls><BlockPublicPolicy>true</BlockPublicPolicy>"
                   "<RestrictPublicBuckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>",
                   why, why_size) &&
         configure(c, bucket, "encryption=",
                   "<ServerSideEncryptionConfiguration " S3_XMLNS "><Rule><ApplyServerSideEncryptionByDefault>"
                   "<SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault>"
                   "</Rule></ServerSideEncryptionConfiguration>",
                   why, why_size) &&
         configure(c, bucket, "ownershipControls=",
                   "<OwnershipControls " S3_XMLNS "><Rule><ObjectOwnership>BucketOwnerEnforced"
                   "</ObjectOwnership></Rule></OwnershipControls>",
                   why, why_size) &&
         configure(c, bucket, "versioning=",
                   "<VersioningConfiguration " S3_XMLNS "><Status>Enabled</Status>"
                   "</VersioningConfiguration>",
                   why, why_size) &&
         configure(c, bucket, "policy=", policy, why, why_size);
}

static char *object_path(const char *bucket, const char *key) {
  char *encoded = aws_uri_encode(key, true);
  size_t n = strlen(bucket) + strlen(encoded) + 3;
  char *path = malloc(n);
  if (!path || !encoded)
    abort();
  snprintf(path, n, "/%s/%s", bucket, encoded);
  free(encoded);
  return path;
}

bool assets_put_bytes(AwsClient *c, const char *bucket, const char *key, const char *bytes,
                      size_t len, char *why, size_t why_size) {
  char *path = object_path(bucket, key);
  AwsResponse r;
  long status = s3(c, "PUT", path, NULL, bytes, len, NULL, &r);
  bool ok = status / 100 == 2 || failed(path, &r, why, why_size);
  aws_response_release(&r);
  free(path);
  return ok;
}

char *assets_read_file(const char *file, size_t *len) {
  FILE *f = fopen(file, "rb");
  if (!f)
    return NULL;
  Buffer b = {0};
  char chunk[65536];
  size_t n;
  bool ok = true;
  while (ok && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
    ok = buffer_append(&b, chunk, n);
  ok = ok && !ferror(f);
  fclose(f);
  if (!ok) {
    free(b.data);
    return NULL;
  }
  *len = b.len;
  return b.data ? b.data : calloc(1, 1);
}

bool assets_upload(AwsClient *c, const char *bucket, const char *key, const char *file,
                   bool *uploaded, char *why, size_t why_size) {
  *uploaded = false;
  char *path = object_path(bucket, key);
  AwsResponse r;
  long status = s3(c, "HEAD", path, NULL, NULL, 0, NULL, &r);
  bool ok = status == 200 || status == 404 || failed(path, &r, why, why_size);
  aws_response_release(&r);
  free(path);
  if (!ok || status == 200) /* content-addressed: a key there has these bytes */
    return ok;
  size_t len;
  char *bytes = assets_read_file(file, &len);
  if (!bytes) {
    snprintf(why, why_size, "cannot read '%s'", file);
    return false;
  }
  ok = assets_put_bytes(c, bucket, key, bytes, len, why, why_size);
  free(bytes);
  *uploaded = ok;
  return ok;
}

/* One listing's versions and delete markers deleted; *listed counts them. */
static bool delete_listed(AwsClient *c, const char *bucket, const XmlNode *list, size_t *listed,
                          char *why, size_t why_size) {
  for (size_t i = 0; list && i < list->len; i++) {
    const XmlNode *v = list->children[i];
    if (strcmp(v->name, "Version") && strcmp(v->name, "DeleteMarker"))
      continue;
    char *path = object_path(bucket, xml_text(v, "Key"));
    char *version = aws_uri_encode(xml_text(v, "VersionId"), false);
    char query[400];
    snprintf(query, sizeof query, "versionId=%s", version);
    AwsResponse r;
    long status = s3(c, "DELETE", path, query, NULL, 0, NULL, &r);
    bool ok = status / 100 == 2 || failed(path, &r, why, why_size);
    aws_response_release(&r);
    free(path);
    free(version);
    if (!ok)
      return false;
    (*listed)++;
  }
  return true;
}

bool assets_empty_bucket(AwsClient *c, const char *bucket, size_t *deleted, char *why,
                         size_t why_size) {
  char path[300];
  snprintf(path, sizeof path, "/%s", bucket);
  *deleted = 0;
  for (;;) { /* listed again until nothing is left: each listing is one page */
    AwsResponse r;
    long status = s3(c, "GET", path, "versions=", NULL, 0, NULL, &r);
    if (status == 404) {
      aws_response_release(&r);
      return true;
    }
    if (status != 200) {
      failed(path, &r, why, why_size);
      aws_response_release(&r);
      return false;
    }
    XmlNode *doc = xml_parse(r.body, r.len);
    aws_response_release(&r);
    size_t listed = 0;
    bool ok = delete_listed(c, bucket, doc, &listed, why, why_size);
    xml_free(doc);
    *deleted += listed;
    if (!ok || !listed)
      return ok;
  }
}
