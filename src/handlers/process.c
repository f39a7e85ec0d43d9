/* process: for each EventBridge "Object Created" event under raw/, check the
 * CSV, copy it to processed/ (same partition path) or, when it cannot be
 * parsed, to quarantine/ with the reason in its metadata, delete the raw
 * object only after the copy succeeded, and start the crawler (one that is
 * already running is fine). Running twice on the same event loses nothing and
 * duplicates nothing: a raw object that is gone but whose copy exists was
 * already handled. The bytes are CSV and keep their .csv name. */
#include "runtime.h"
#include "s3.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEADER "timestamp,service,requests,errors,latency_ms_p50,latency_ms_p99"
#define MAX_OBJECT (64u << 20)
#define TOO_LARGE "the object is larger than 64 MiB"
#define MAX_KEY 1024 /* bytes of an S3 key */

static bool is_number(const char *s, size_t n, bool decimal) {
  size_t i = 0, digits = 0;
  bool dot = false;
  for (; i < n; i++) {
    if (isdigit((unsigned char)s[i]))
      digits++;
    else if (decimal && s[i] == '.' && !dot)
      dot = true;
    else
      return false;
  }
  return digits > 0;
}

/* NULL when the CSV is well-formed, else why not (static text). */
static const char *csv_problem(const char *text, size_t len, char *why, size_t size) {
  size_t hl = strlen(HEADER);
  if (len < hl || strncmp(text, HEADER, hl) != 0 || (text[hl] != '\n' && text[hl] != '\r'))
    return snprintf(why, size, "the first line is not the header '%s'", HEADER), why;
  int line = 1, rows = 0;
  for (const char *p = strchr(text, '\n'); p && p[1];) {
    const char *start = p + 1, *end = strchr(start, '\n');
    size_t n = end ? (size_t)(end - start) : strlen(start);
    if (n && start[n - 1] == '\r')
      n--;
    line++;
    p = end;
    if (n == 0)
      continue;
    const char *field = start;
    for (int k = 0; k < 6; k++) {
      const char *comma = memchr(field, ',', (size_t)(start + n - field));
      size_t flen = comma ? (size_t)(comma - field) : (size_t)(start + n - field);
      if ((k < 5) != (comma != NULL))
        return snprintf(why, size, "line %d does not have 6 fields", line), why;
      bool ok = k == 0 ? flen >= 10 : k == 1 ? flen > 0 : is_number(field, flen, k >= 4);
      if (!ok)
        return snprintf(why, size, "line %d, field %d is not valid", line, k + 1), why;
      field = comma ? comma + 1 : field + flen;
    }
    rows++;
  }
  if (rows == 0)
    return snprintf(why, size, "there is no data row"), why;
  return NULL;
}

static const char *crawler_name(void) {
  extern char **environ;
  for (char **e = environ; *e; e++)
    if (!strncmp(*e, "LAKEC_CRAWLER_", 14) && strchr(*e, '='))
      return strchr(*e, '=') + 1;
  return NULL;
}

/* Starting a crawler that already runs is not an error. */
static bool start_crawler(AwsClient *aws, const char *name, HandlerError *err) {
  json_t *body = json_pack("{s:s}", "Name", name), *out = NULL;
  AwsResponse resp;
  long status = aws_json_call(aws, "glue", "AWSGlue.StartCrawler", body, &out, &resp);
  const char *type = json_string_value(json_object_get(out, "__type"));
  bool ok = status == 200 || (type && strstr(type, "CrawlerRunningException"));
  if (!ok)
    handler_fail(err, "GlueError", "StartCrawler %s: HTTP %ld %s", name, status,
                 status ? resp.body : resp.error);
  json_decref(body);
  json_decref(out);
  aws_response_release(&resp);
  return ok;
}

/* ASCII printable only: S3 metadata travels in an HTTP header. */
static void header_safe(char *s) {
  for (; *s; s++)
    if (*s < 0x20 || *s > 0x7e)
      *s = '?';
}

/* Copies what was read and checked (the copy is pinned to the GET's ETag:
 * an object replaced meanwhile is not copied), then deletes the original. */
static json_t *move(AwsClient *aws, const char *bucket, const char *key, const char *etag,
                    const char *dest, const char *reason, HandlerError *err) {
  char meta[700], directive[] = "x-amz-metadata-directive: REPLACE", pin[180];
  const char *headers[4] = {NULL};
  size_t n = 0;
  if (*etag) {
    snprintf(pin, sizeof pin, "x-amz-copy-source-if-match: %s", etag);
    headers[n++] = pin;
  }
  if (reason) {
    snprintf(meta, sizeof meta, "x-amz-meta-lakec-quarantine-reason: %s", reason);
    header_safe(meta);
    headers[n++] = directive;
    headers[n++] = meta;
  }
  AwsResponse resp;
  long status = s3_copy(aws, bucket, key, dest, headers, &resp);
  if (status != 200) {
    handler_fail(err, "S3Error", "copy to %s: HTTP %ld %s", dest, status,
                 status ? resp.body : resp.error);
    aws_response_release(&resp);
    return NULL;
  }
  aws_response_release(&resp);
  status = s3_delete(aws, bucket, key, &resp); /* only now that the copy exists */
  aws_response_release(&resp);
  if (status / 100 != 2)
    return handler_fail(err, "S3Error", "delete %s: HTTP %ld", key, status);
  return json_pack("{s:s, s:s, s:s}", "status", reason ? "quarantined" : "processed", "from", key,
                   "to", dest);
}

static json_t *process_object(AwsClient *aws, const char *bucket, const char *key,
                              const char *processed, const char *quarantine, HandlerError *err);
static json_t *quarantine_unread(AwsClient *aws, const char *bucket, const char *key,
                                 json_t *object, const char *quarantine, HandlerError *err);

/* What makes a key address something else than itself on the way: a "." or
 * ".." segment, an empty one ("//"), a control character. NULL when none. */
static const char *unsafe_key(const char *key) {
  for (const unsigned char *p = (const unsigned char *)key; *p; p++)
    if (*p < 0x20 || *p == 0x7f)
      return "a control character";
  if (strstr(key, "//"))
    return "an empty segment ('//')";
  for (const char *seg = key; seg; seg = strchr(seg, '/') ? strchr(seg, '/') + 1 : NULL) {
    size_t n = strcspn(seg, "/");
    if ((n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.'))
      return "a '.' or '..' segment";
  }
  return NULL;
}

static json_t *handle(AwsClient *aws, const Invocation *inv, HandlerError *err) {
  json_t *detail = json_object_get(inv->event, "detail");
  const char *bucket = json_string_value(json_object_get(json_object_get(detail, "bucket"), "name"));
  const char *key = json_string_value(json_object_get(json_object_get(detail, "object"), "key"));
  if (!bucket || !key)
    return handler_fail(err, "InvalidEvent",
                        "expected an S3 Object Created event with detail.bucket.name and "
                        "detail.object.key as strings");
  if (strncmp(key, "raw/", 4) != 0 || strlen(key) > MAX_KEY)
    return handler_fail(err, "InvalidEvent", "key '%.200s' is not under raw/", key);
  const char *unsafe = unsafe_key(key);
  if (unsafe) /* moving it would carry its dots into the destination: it stays */
    return handler_fail(err, "UnsafeKey", "key '%.200s' is left where it is: it has %s", key,
                        unsafe);
  /* quarantine/ is the longer destination: both must be keys S3 takes */
  if (strlen(key) - 4 + strlen("quarantine/") > MAX_KEY)
    return handler_fail(err, "KeyTooLong",
                        "key '%.200s...' is %zu bytes: under processed/ or quarantine/ it would "
                        "pass S3's %d; it is left where it is",
                        key, strlen(key), MAX_KEY);
  char *processed = handler_strf("processed/%s", key + 4);
  char *quarantine = handler_strf("quarantine/%s", key + 4);
  json_t *size = json_object_get(json_object_get(detail, "object"), "size");
  json_t *result =
      json_is_integer(size) && json_integer_value(size) > MAX_OBJECT
          ? quarantine_unread(aws, bucket, key, json_object_get(detail, "object"), quarantine, err)
          : process_object(aws, bucket, key, processed, quarantine, err);
  free(processed);
  free(quarantine);
  return result;
}

/* An object the event says is too large is quarantined by S3's own copy,
 * without a byte of it read here; the copy is pinned to the event's ETag. */
static json_t *quarantine_unread(AwsClient *aws, const char *bucket, const char *key,
                                 json_t *object, const char *quarantine, HandlerError *err) {
  const char *etag = json_string_value(json_object_get(object, "etag"));
  char pin[136] = "";
  if (etag && strlen(etag) + 3 <= sizeof pin && !strpbrk(etag, "\"\r\n"))
    snprintf(pin, sizeof pin, "\"%s\"", etag);
  return move(aws, bucket, key, pin, quarantine, TOO_LARGE, err);
}

/* GET the raw object (at most 64 MiB of it), check it, move it where it belongs. */
static json_t *process_object(AwsClient *aws, const char *bucket, const char *key,
                              const char *processed, const char *quarantine, HandlerError *err) {
  AwsResponse resp;
  long status = s3_get_at_most(aws, bucket, key, MAX_OBJECT, &resp);
  if (resp.too_big) { /* never held in memory: moved by S3 itself */
    char etag[sizeof resp.etag];
    snprintf(etag, sizeof etag, "%s", resp.etag);
    aws_response_release(&resp);
    return move(aws, bucket, key, etag, quarantine, TOO_LARGE, err);
  }
  /* A re-delivered event: is the work already done? A missing key is 404,
   * or 403 when the role may list only some prefixes (S3 then will not say
   * whether the key exists): either way, HEAD the two destinations. */
  if (status == 404 || status == 403) {
    aws_response_release(&resp);
    bool done = s3_head(aws, bucket, processed, &resp) == 200 ||
                s3_head(aws, bucket, quarantine, &resp) == 200;
    aws_response_release(&resp);
    if (done)
      return json_pack("{s:s, s:s}", "status", "already handled", "from", key);
    return handler_fail(err, "NotFound", "s3://%s/%s does not exist (HTTP %ld)", bucket, key,
                        status);
  }
  if (status != 200) {
    handler_fail(err, "S3Error", "GET s3://%s/%s: HTTP %ld %s", bucket, key, status,
                 status ? "" : resp.error);
    aws_response_release(&resp);
    return NULL;
  }
  char why[200];
  const char *problem = memchr(resp.body, '\0', resp.len)
                            ? "the object is not text"
                            : csv_problem(resp.body, resp.len, why, sizeof why);
  char etag[sizeof resp.etag];
  snprintf(etag, sizeof etag, "%s", resp.etag);
  aws_response_release(&resp);
  json_t *result = move(aws, bucket, key, etag, problem ? quarantine : processed, problem, err);
  if (!result || problem)
    return result;
  const char *crawler = crawler_name();
  if (crawler && !start_crawler(aws, crawler, err)) {
    json_decref(result);
    return NULL;
  }
  json_object_set_new(result, "crawler", crawler ? json_string(crawler) : json_null());
  return result;
}

int main(int argc, char **argv) { return runtime_main(argc, argv, "process", handle); }
