/* process: for each EventBridge "Object Created" event under raw/, check the
 * CSV, copy it to processed/ (same partition path) or, when it cannot be
 * parsed, to quarantine/ with the reason in its metadata, delete the raw
 * object only after the copy succeeded, and start the crawler (one that is
 * already running is fine). Running twice on the same event loses nothing and
 * duplicates nothing: a raw object that is gone but whose copy exists was
 * already handled. The bytes are CSV and keep their .csv name. */
#include "parse.h"
#include "runtime.h"
#include "s3.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_OBJECT (64u << 20)
#define TOO_LARGE "the object is larger than 64 MiB"

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

static json_t *handle(AwsClient *aws, const Invocation *inv, HandlerError *err) {
  ObjectToMove o;
  if (!process_read_event(inv->event, &o, err))
    return NULL;
  json_t *size = json_object_get(o.object, "size");
  json_t *result =
      json_is_integer(size) && json_integer_value(size) > MAX_OBJECT
          ? quarantine_unread(aws, o.bucket, o.key, o.object, o.quarantine, err)
          : process_object(aws, o.bucket, o.key, o.processed, o.quarantine, err);
  object_to_move_release(&o);
  return result;
}

/* An object the event says is too large is quarantined by S3's own copy,
 * without a byte of it read here; the copy is pinned to the event's ETag. */
static json_t *quarantine_unread(AwsClient *aws, const char *bucket, const char *key,
                                 json_t *object, const char *quarantine, HandlerError *err) {
  char pin[PROCESS_ETAG_PIN];
  process_event_etag(object, pin);
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
  const char *problem = process_csv_problem(resp.body, resp.len, why, sizeof why);
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
