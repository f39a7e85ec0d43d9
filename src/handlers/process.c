/* process: for each EventBridge "Object Created" event under raw/, read the
 * CSV in ranges and check every record against the data set the function
 * curates (LAKEC_DATASET_<KEY>, see parse.h): a Parquet data set's rows are
 * written as they come to processed/ (.parquet) through an S3 upload; a CSV
 * data set's object, once checked whole, is copied there unchanged. A CSV
 * that does not fit goes to quarantine/ instead (S3's own copy of it) with
 * the reason, line and column in its metadata. The raw object is deleted
 * only once its destination exists, then the crawler starts (one that is
 * already running is fine). Running twice on the same event loses nothing
 * and duplicates nothing: the same keys are written again, and a raw object
 * that is gone but whose destination exists was already handled.
 *
 * Memory does not grow with the object: one range of the CSV, one part of
 * the upload and the writer's row group. */
#include "parse.h"
#include "rows.h"
#include "runtime.h"
#include "s3.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RANGE_BYTES ((uint64_t)8 << 20)
#define PARQUET_TYPE "application/vnd.apache.parquet"
#define DATASET_PREFIX "LAKEC_DATASET_"

static const char *crawler_name(void) {
  extern char **environ;
  for (char **e = environ; *e; e++)
    if (!strncmp(*e, "LAKEC_CRAWLER_", 14) && strchr(*e, '='))
      return strchr(*e, '=') + 1;
  return NULL;
}

/* The one LAKEC_DATASET_<KEY> the compiler sets for the data set granted
 * `curate`: none or two is a deployment that does not say what to write. */
static bool dataset_from_environment(Dataset *d, HandlerError *err) {
  extern char **environ;
  const char *found = NULL;
  size_t count = 0, prefix = strlen(DATASET_PREFIX);
  for (char **e = environ; *e; e++)
    if (!strncmp(*e, DATASET_PREFIX, prefix) && strchr(*e, '=') && count++ == 0)
      found = *e;
  if (count != 1) {
    handler_fail(err, "Configuration",
                 "expected exactly one " DATASET_PREFIX "<KEY> variable (the data set this "
                 "function curates), found %zu", count);
    return false;
  }
  const char *value = strchr(found, '=') + 1;
  int name_len = (int)(value - 1 - found);
  char why[300];
  if (!process_read_dataset(value, d, why, sizeof why)) {
    handler_fail(err, "Configuration", "%.*s: %s", name_len > 100 ? 100 : name_len, found, why);
    return false;
  }
  return true;
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

/* ---- reading and converting ---- */

/* What became of the CSV. */
typedef struct Outcome {
  bool refused; /* it does not fit the data set: quarantine */
  RowsProblem problem;
  uint64_t rows, bytes; /* data rows; bytes of the processed object */
  unsigned parts;       /* of a multipart upload, 0 for a plain PUT */
} Outcome;

/* One range of the object, pinned to the version the HEAD saw. */
static bool get_range(AwsClient *aws, const ObjectToMove *o, const char *etag, uint64_t at,
                      uint64_t size, AwsResponse *resp, HandlerError *err) {
  uint64_t last = (at + RANGE_BYTES < size ? at + RANGE_BYTES : size) - 1;
  long status = s3_get_range(aws, o->bucket, o->key, etag, at, last, resp);
  /* 206; a server that ignores Range may answer 200 with the whole object */
  bool whole = status == 200 && at == 0 && last + 1 == size;
  if ((status == 206 || whole) && resp->len == last - at + 1)
    return true;
  if (status == 412)
    handler_fail(err, "ObjectChanged",
                 "s3://%s/%s was replaced while it was read (HTTP 412 for ETag %s); its own "
                 "event will process the new version",
                 o->bucket, o->key, etag);
  else
    handler_fail(err, "S3Error", "GET s3://%s/%s bytes %" PRIu64 "-%" PRIu64 ": HTTP %ld %s",
                 o->bucket, o->key, at, last, status,
                 status ? "" : resp->too_big ? "(the range was not honoured)" : resp->error);
  aws_response_release(resp);
  return false;
}

/* Feeds the whole object to rows, a range at a time. */
static RowsStatus read_ranges(AwsClient *aws, const ObjectToMove *o, const char *etag,
                              uint64_t size, Rows *rows, HandlerError *err, bool *read_failed) {
  for (uint64_t at = 0; at < size; at += RANGE_BYTES) {
    AwsResponse resp;
    if (!get_range(aws, o, etag, at, size, &resp, err)) {
      *read_failed = true;
      return ROWS_FAILED;
    }
    RowsStatus status = rows_feed(rows, resp.body, resp.len);
    aws_response_release(&resp);
    if (status != ROWS_OK)
      return status;
  }
  return rows_finish(rows);
}

static int upload_sink(void *user, const void *data, size_t len) {
  return s3_upload_write(user, data, len);
}

static int discard_sink(void *user, const void *data, size_t len) {
  (void)user, (void)data, (void)len;
  return 0;
}

/* Reads the object through the data set's checks; a Parquet data set's rows
 * are uploaded to o->processed as they come. False with err on a failure
 * that is not the CSV's (S3, the writer): then nothing exists under
 * processed/ and no multipart upload is left. */
static bool convert(AwsClient *aws, const ObjectToMove *o, const Dataset *d, const char *etag,
                    uint64_t size, Outcome *out, HandlerError *err) {
  bool parquet = d->format == DATASET_PARQUET;
  S3Upload *upload = parquet ? s3_upload_open(aws, o->bucket, o->processed, PARQUET_TYPE) : NULL;
  PqOptions options = dataset_options(d);
  if (!parquet) { /* checked only: the cheapest writer, nothing kept */
    options.codec = PQ_UNCOMPRESSED;
    options.row_group_bytes = 1 << 20;
  }
  const char *why = NULL;
  Rows *rows = rows_open(d, &options, parquet ? upload_sink : discard_sink, upload, &why);
  if (!rows) {
    s3_upload_free(upload);
    handler_fail(err, "Configuration", "the data set's schema: %s", why);
    return false;
  }
  bool read_failed = false;
  RowsStatus status = read_ranges(aws, o, etag, size, rows, err, &read_failed);
  if (status == ROWS_OK && upload && !s3_upload_finish(upload))
    status = ROWS_FAILED;
  if (status == ROWS_FAILED && !read_failed)
    handler_fail(err, "S3Error", "writing s3://%s/%s: %s", o->bucket, o->processed,
                 upload && s3_upload_error(upload) ? s3_upload_error(upload)
                                                   : rows_failure(rows));
  *out = (Outcome){status == ROWS_REFUSED, *rows_problem(rows), rows_count(rows),
                   upload ? s3_upload_bytes(upload) : size, upload ? s3_upload_parts(upload) : 0};
  rows_free(rows);
  s3_upload_free(upload); /* aborts a multipart upload not completed */
  return status != ROWS_FAILED;
}

/* ---- moving ---- */

/* ASCII printable only: S3 metadata travels in an HTTP header. */
static void header_safe(char *s) {
  for (; *s; s++)
    if (*s < 0x20 || *s > 0x7e)
      *s = '?';
}

/* S3's copy of the raw object to dest, pinned to the ETag that was read (an
 * object replaced meanwhile is not copied); headers may add metadata. */
static bool copy_checked(AwsClient *aws, const ObjectToMove *o, const char *etag, const char *dest,
                         const char **headers, size_t n, HandlerError *err) {
  char *pin = handler_strf("x-amz-copy-source-if-match: %s", etag);
  headers[n++] = pin;
  headers[n] = NULL;
  AwsResponse resp;
  long status = s3_copy(aws, o->bucket, o->key, dest, headers, &resp);
  if (status != 200)
    handler_fail(err, "S3Error", "copy to %s: HTTP %ld %s", dest, status,
                 status ? resp.body : resp.error);
  aws_response_release(&resp);
  free(pin);
  return status == 200;
}

/* Only once the destination exists. */
static bool delete_raw(AwsClient *aws, const ObjectToMove *o, HandlerError *err) {
  AwsResponse resp;
  long status = s3_delete(aws, o->bucket, o->key, &resp);
  aws_response_release(&resp);
  if (status / 100 != 2)
    handler_fail(err, "S3Error", "delete %s: HTTP %ld", o->key, status);
  return status / 100 == 2;
}

/* The raw object to quarantine/, with why in its metadata (each value short
 * and header-safe), then deleted. */
static json_t *quarantine(AwsClient *aws, const ObjectToMove *o, const char *etag,
                          const RowsProblem *p, HandlerError *err) {
  char reason[260], line[80], column[140];
  const char *headers[6] = {"x-amz-metadata-directive: REPLACE", reason};
  size_t n = 2;
  snprintf(reason, sizeof reason, "x-amz-meta-lakec-quarantine-reason: %s", p->reason);
  header_safe(reason);
  if (p->line) {
    snprintf(line, sizeof line, "x-amz-meta-lakec-quarantine-line: %" PRIu64, p->line);
    headers[n++] = line;
  }
  if (p->column) {
    snprintf(column, sizeof column, "x-amz-meta-lakec-quarantine-column: %.100s", p->column);
    header_safe(column);
    headers[n++] = column;
  }
  if (!copy_checked(aws, o, etag, o->quarantine, headers, n, err) || !delete_raw(aws, o, err))
    return NULL;
  return json_pack("{s:s, s:s, s:s, s:o, s:o, s:s}", "status", "quarantined", "from", o->key, "to",
                   o->quarantine, "line", p->line ? json_integer((json_int_t)p->line) : json_null(),
                   "column", p->column ? json_string(p->column) : json_null(), "reason",
                   p->reason);
}

/* The processed object exists (written, or for a CSV data set copied now):
 * the raw one goes, the crawler starts. */
static json_t *processed(AwsClient *aws, const ObjectToMove *o, const Dataset *d,
                         const char *etag, const Outcome *out, HandlerError *err) {
  const char *headers[2];
  if (d->format == DATASET_CSV && !copy_checked(aws, o, etag, o->processed, headers, 0, err))
    return NULL;
  if (!delete_raw(aws, o, err))
    return NULL;
  const char *crawler = crawler_name();
  if (crawler && !start_crawler(aws, crawler, err))
    return NULL;
  return json_pack("{s:s, s:s, s:s, s:o, s:I, s:I}", "status", "processed", "from", o->key, "to",
                   o->processed, "crawler", crawler ? json_string(crawler) : json_null(), "rows",
                   (json_int_t)out->rows, "bytes", (json_int_t)out->bytes);
}

/* ---- the event ---- */

/* A re-delivered event: is the work already done? A missing key is 404,
 * or 403 when the role may list only some prefixes (S3 then will not say
 * whether the key exists): either way, HEAD the two destinations. */
static json_t *gone(AwsClient *aws, const ObjectToMove *o, long status, HandlerError *err) {
  AwsResponse resp;
  bool done = s3_head(aws, o->bucket, o->processed, &resp) == 200;
  aws_response_release(&resp);
  done = done || s3_head(aws, o->bucket, o->quarantine, &resp) == 200;
  aws_response_release(&resp);
  if (done)
    return json_pack("{s:s, s:s}", "status", "already handled", "from", o->key);
  return handler_fail(err, "NotFound", "s3://%s/%s does not exist (HTTP %ld)", o->bucket, o->key,
                      status);
}

static json_t *process_object(AwsClient *aws, const ObjectToMove *o, const Dataset *d,
                              HandlerError *err) {
  AwsResponse head;
  long status = s3_head(aws, o->bucket, o->key, &head);
  aws_response_release(&head);
  if (status == 404 || status == 403)
    return gone(aws, o, status, err);
  if (status != 200)
    return handler_fail(err, "S3Error", "HEAD s3://%s/%s: HTTP %ld %s", o->bucket, o->key,
                        status, status ? "" : head.error);
  if (!head.etag[0] || head.content_length < 0)
    return handler_fail(err, "S3Error", "HEAD s3://%s/%s: no ETag or no Content-Length",
                        o->bucket, o->key);
  Outcome out;
  if (!convert(aws, o, d, head.etag, (uint64_t)head.content_length, &out, err))
    return NULL;
  return out.refused ? quarantine(aws, o, head.etag, &out.problem, err)
                     : processed(aws, o, d, head.etag, &out, err);
}

static json_t *handle(AwsClient *aws, const Invocation *inv, HandlerError *err) {
  Dataset d;
  if (!dataset_from_environment(&d, err))
    return NULL;
  ObjectToMove o;
  json_t *result = NULL;
  if (process_read_event(inv->event, d.format, &o, err)) {
    result = process_object(aws, &o, &d, err);
    object_to_move_release(&o);
  }
  dataset_release(&d);
  return result;
}

int main(int argc, char **argv) { return runtime_main(argc, argv, "process", handle); }
