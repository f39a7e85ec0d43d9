/* normalize: once per schedule tick (or on a manual `{}` invoke), scans the
 * conversations table (DYNAMODB_TABLE_NAME) and writes it as one CSV, one
 * row an item, at
 *   <OUTPUT_PREFIX>dt=YYYY-MM-DD/conversations-YYYYMMDDTHHMM.csv
 * in S3_BUCKET_NAME. The columns are NORMALIZE_COLUMNS' (items.h says how a
 * value becomes a field). The time is the scheduled event's own, so a retry
 * rewrites the same object.
 *
 * Memory is bounded by one Scan page and one upload part, not by the table:
 * each page's rows go straight into an S3 upload (s3_upload_*), so rows come
 * in scan order. With SCAN_SEGMENTS = N the table is read as N segments of a
 * parallel scan, one after the other: the CSV is one ordered stream into one
 * upload, which threads would have to take turns writing anyway, and a
 * segment's pages are as large as a whole scan's. */
#include "items.h"
#include "parse.h"
#include "runtime.h"
#include "s3.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#define PAGE_LIMIT 1000 /* items a Scan page (DynamoDB stops at 1 MB first) */
/* Stop this long before the invocation's deadline: enough to send the
 * last part, or to abort the multipart upload. */
#define DEADLINE_MARGIN_MS 10000

typedef struct Config {
  const char *bucket, *table, *prefix;
  const char *project, *environment, *client; /* "" when not set */
  unsigned segments;
  NormalizeColumns columns;
} Config;

typedef struct Run {
  AwsClient *aws;
  const Config *cfg;
  long long deadline_ms; /* 0: none (a local run) */
  S3Upload *upload;
  Buffer rows; /* one page's records, reused */
  unsigned long long count;
  unsigned pages;
} Run;

static const char *env_or(const char *value, const char *otherwise) {
  return value && *value ? value : otherwise;
}

static bool read_metadata(const char *name, const char *value, HandlerError *err) {
  if (normalize_metadata_ok(value))
    return true;
  handler_fail(err, "Configuration", "%s must be at most %d printable ASCII characters (it is "
               "object metadata)", name, NORMALIZE_MAX_METADATA);
  return false;
}

static bool read_config(Config *c, HandlerError *err) {
  memset(c, 0, sizeof *c);
  c->bucket = env_or(getenv("S3_BUCKET_NAME"), NULL);
  c->table = env_or(getenv("DYNAMODB_TABLE_NAME"), NULL);
  c->prefix = env_or(getenv("OUTPUT_PREFIX"), "reports/etl-process1/");
  c->project = env_or(getenv("PROJECT_ID"), "");
  c->environment = env_or(getenv("ENVIRONMENT"), "");
  c->client = env_or(getenv("CLIENT"), "");
  char why[300];
  if (!c->bucket || !c->table)
    handler_fail(err, "Configuration", "%s is not set", c->bucket ? "DYNAMODB_TABLE_NAME"
                                                                  : "S3_BUCKET_NAME");
  else if (!normalize_prefix_ok(c->prefix))
    handler_fail(err, "Configuration", "OUTPUT_PREFIX must be empty or a key prefix ending in "
                 "'/' (at most %d bytes of UTF-8, no leading '/', no '.', '..' or empty "
                 "segment, no control character)", NORMALIZE_MAX_PREFIX);
  else if (!normalize_read_segments(getenv("SCAN_SEGMENTS"), &c->segments))
    handler_fail(err, "Configuration", "SCAN_SEGMENTS must be a whole number from 1 to %d",
                 NORMALIZE_MAX_SEGMENTS);
  else if (read_metadata("PROJECT_ID", c->project, err) &&
           read_metadata("ENVIRONMENT", c->environment, err) &&
           read_metadata("CLIENT", c->client, err) &&
           !normalize_read_columns(getenv("NORMALIZE_COLUMNS"), &c->columns, why, sizeof why))
    handler_fail(err, "Configuration", "NORMALIZE_COLUMNS: %s", why);
  return !err->type[0];
}

static long long now_ms(void) {
  struct timeval tv;
  gettimeofday(&tv, NULL);
  return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static bool time_left(const Run *r, HandlerError *err) {
  if (!r->deadline_ms || now_ms() + DEADLINE_MARGIN_MS < r->deadline_ms)
    return true;
  handler_fail(err, "Timeout", "stopped %d s before the invocation's deadline after %u pages "
               "(%llu rows): nothing written", DEADLINE_MARGIN_MS / 1000, r->pages, r->count);
  return false;
}

/* ---- scanning ---- */

/* The Scan request for one page of a segment (start: the previous page's
 * LastEvaluatedKey, or NULL). */
static char *scan_body(const Run *r, unsigned segment, json_t *start) {
  json_t *body = json_pack("{s:s, s:i, s:b}", "TableName", r->cfg->table, "Limit", PAGE_LIMIT,
                           "ConsistentRead", 0);
  if (r->cfg->segments > 1) {
    json_object_set_new(body, "Segment", json_integer(segment));
    json_object_set_new(body, "TotalSegments", json_integer(r->cfg->segments));
  }
  if (start)
    json_object_set(body, "ExclusiveStartKey", start);
  char *text = json_dumps(body, JSON_COMPACT);
  json_decref(body);
  if (!text)
    abort();
  return text;
}

/* DynamoDB's JSON 1.0 Scan; the page, or NULL with err filled. */
static json_t *scan_page(Run *r, unsigned segment, json_t *start, HandlerError *err) {
  char *body = scan_body(r, segment, start);
  AwsRequest req = {.service = "dynamodb", .method = "POST", .path = "/",
                    .target = "DynamoDB_20120810.Scan",
                    .content_type = "application/x-amz-json-1.0", .body = body,
                    .body_len = strlen(body)};
  AwsResponse resp;
  aws_call(r->aws, &req, &resp);
  free(body);
  json_t *page = resp.status == 200 ? json_loadb(resp.body, resp.len, JSON_ALLOW_NUL, NULL)
                                    : NULL;
  if (!resp.status)
    handler_fail(err, "DynamoDBError", "Scan %s: %s", r->cfg->table, resp.error);
  else if (resp.status != 200)
    handler_fail(err, "DynamoDBError", "Scan %s: HTTP %ld %.300s", r->cfg->table, resp.status,
                 resp.body);
  else if (!json_is_array(json_object_get(page, "Items")))
    handler_fail(err, "DynamoDBError", "Scan %s: an answer without Items", r->cfg->table);
  aws_response_release(&resp);
  if (err->type[0]) {
    json_decref(page);
    return NULL;
  }
  return page;
}

/* The page's items as records, sent to the upload in one write. */
static bool write_page(Run *r, json_t *items, HandlerError *err) {
  char why[200];
  r->rows.len = 0;
  for (size_t i = 0; i < json_array_size(items); i++)
    if (!items_append_row(&r->rows, json_array_get(items, i), &r->cfg->columns, why, sizeof why)) {
      handler_fail(err, "DynamoDBError", "Scan %s: item %llu: %s", r->cfg->table,
                   r->count + i + 1, why);
      return false;
    }
  r->count += json_array_size(items);
  if (r->rows.len && s3_upload_write(r->upload, r->rows.data, r->rows.len)) {
    handler_fail(err, "S3Error", "%s", s3_upload_error(r->upload));
    return false;
  }
  return true;
}

/* Every page of one segment, until no LastEvaluatedKey comes. */
static bool scan_segment(Run *r, unsigned segment, HandlerError *err) {
  json_t *start = NULL;
  bool ok = true;
  do {
    json_t *page = time_left(r, err) ? scan_page(r, segment, start, err) : NULL;
    ok = page && write_page(r, json_object_get(page, "Items"), err);
    r->pages += page != NULL;
    json_decref(start);
    start = ok ? json_incref(json_object_get(page, "LastEvaluatedKey")) : NULL;
    json_decref(page);
  } while (ok && start);
  json_decref(start);
  return ok;
}

/* ---- the object ---- */

static S3Upload *open_upload(AwsClient *aws, const Config *c, const char *key) {
  S3Upload *u = s3_upload_open(aws, c->bucket, key, "text/csv");
  char *meta[3] = {NULL, NULL, NULL};
  const char *headers[4] = {NULL};
  size_t n = 0;
  if (*c->project)
    headers[n++] = meta[0] = handler_strf("x-amz-meta-project-id: %s", c->project);
  if (*c->environment)
    headers[n++] = meta[1] = handler_strf("x-amz-meta-environment: %s", c->environment);
  if (*c->client)
    headers[n++] = meta[2] = handler_strf("x-amz-meta-client: %s", c->client);
  s3_upload_set_headers(u, headers);
  for (size_t i = 0; i < 3; i++)
    free(meta[i]);
  return u;
}

static json_t *write_csv(Run *r, const char *key, HandlerError *err) {
  items_append_header(&r->rows, &r->cfg->columns);
  if (s3_upload_write(r->upload, r->rows.data, r->rows.len))
    return handler_fail(err, "S3Error", "%s", s3_upload_error(r->upload));
  for (unsigned s = 0; s < r->cfg->segments; s++)
    if (!scan_segment(r, s, err))
      return NULL;
  if (!time_left(r, err))
    return NULL;
  if (!s3_upload_finish(r->upload))
    return handler_fail(err, "S3Error", "%s", s3_upload_error(r->upload));
  return json_pack("{s:s, s:s, s:I, s:I, s:I}", "bucket", r->cfg->bucket, "key", key, "rows",
                   (json_int_t)r->count, "bytes", (json_int_t)s3_upload_bytes(r->upload),
                   "pages", (json_int_t)r->pages);
}

static json_t *handle(AwsClient *aws, const Invocation *inv, HandlerError *err) {
  if (!json_is_object(inv->event))
    return handler_fail(err, "InvalidEvent", "the event must be a JSON object");
  Config cfg;
  if (!read_config(&cfg, err))
    return NULL;
  struct tm tm;
  if (!ingest_event_time(inv->event, &tm)) {
    time_t now = time(NULL);
    gmtime_r(&now, &tm);
  }
  char *key = normalize_key(cfg.prefix, &tm);
  Run r = {.aws = aws, .cfg = &cfg, .deadline_ms = inv->deadline_ms,
           .upload = open_upload(aws, &cfg, key)};
  json_t *result = write_csv(&r, key, err);
  s3_upload_free(r.upload); /* aborts a multipart upload not completed */
  free(r.rows.data);
  free(key);
  normalize_columns_release(&cfg.columns);
  return result;
}

int main(int argc, char **argv) { return runtime_main(argc, argv, "normalize", handle); }
