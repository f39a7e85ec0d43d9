/* extract: the first step of a lakehouse pipeline, run by a state machine
 * (lambda:invoke). It reads a source page by page (a GET of SOURCE_API_URL
 * ?page=N from 1 until a page is empty, or the generated orders when the URL
 * is empty) and writes each page as JSON Lines to
 *   <write prefix><source>/ingest_date=YYYY-MM-DD/part-NNNNN.json
 * in the bucket of its one `write` grant (LAKEC_WRITE_BUCKET and
 * LAKEC_WRITE_PREFIX, which the compiler sets from that grant). It answers
 * the bucket, the prefix and the keys it wrote, which the next steps read.
 *
 * The keys follow from the source, the day and the page alone: a retried
 * task rewrites the same objects. A later run on the same day replaces the
 * parts it writes again; parts past its own count stay (the README says
 * why), and are not in its answer. */
#include "fetch.h"
#include "parse.h"
#include "runtime.h"
#include "s3.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A page starts, or a retry waits, only with this much time left: a PUT
 * and the answer. */
#define PAGE_MARGIN_MS 3000
/* A page's answer is held whole (parsed, then written): bounded. */
#define MAX_PAGE_BYTES ((size_t)32 << 20)

typedef struct Config {
  const char *bucket, *base; /* LAKEC_WRITE_BUCKET, LAKEC_WRITE_PREFIX */
  const char *source;        /* SOURCE_NAME, or "" */
  const char *url;           /* SOURCE_API_URL, or "": the generated orders */
  long max_pages;
  int max_retries;
} Config;

typedef struct Run {
  AwsClient *aws;
  const Config *cfg;
  long long deadline_ms; /* 0: none (a local run) */
  unsigned seed;
  const char *source, *execution_id;
  char date[PLANNER_DATE];
  char *prefix;
  HandlerError *err;
} Run;

static const char *or_empty(const char *value) { return value ? value : ""; }

static bool read_config(Config *c, HandlerError *err) {
  memset(c, 0, sizeof *c);
  c->bucket = or_empty(getenv("LAKEC_WRITE_BUCKET"));
  c->base = or_empty(getenv("LAKEC_WRITE_PREFIX"));
  c->source = or_empty(getenv("SOURCE_NAME"));
  c->url = or_empty(getenv("SOURCE_API_URL"));
  if (!*c->bucket)
    handler_fail(err, "Configuration", "LAKEC_WRITE_BUCKET is not set: extract writes where its "
                 "one write grant says");
  else if (!extract_base_ok(c->base))
    handler_fail(err, "Configuration", "LAKEC_WRITE_PREFIX must be empty or a key prefix ending "
                 "in '/'");
  else if (*c->source && !extract_source_ok(c->source))
    handler_fail(err, "Configuration", "SOURCE_NAME must be 1 to %d of a-z, 0-9, '_' and '-'",
                 EXTRACT_MAX_SOURCE);
  else if (*c->url && strncmp(c->url, "http://", 7) && strncmp(c->url, "https://", 8))
    handler_fail(err, "Configuration", "SOURCE_API_URL must be empty or an http(s) URL");
  else if (!extract_read_max_pages(getenv("MAX_PAGES"), &c->max_pages))
    handler_fail(err, "Configuration", "MAX_PAGES must be a whole number from 1 to %d",
                 EXTRACT_MAX_PAGES);
  else if (!worker_read_max_retries(getenv("MAX_RETRIES"), &c->max_retries))
    handler_fail(err, "Configuration", "MAX_RETRIES must be a whole number from 0 to %d",
                 WORKER_MAX_RETRIES);
  return !err->type[0];
}

/* ---- fetching ---- */

static bool too_late(const Run *r, long wait_ms) {
  return r->deadline_ms && fetch_now_ms() + wait_ms + PAGE_MARGIN_MS > r->deadline_ms;
}

/* Fills r->err for a failed GET: the URL without its query (it may hold a key). */
static void source_failed(Run *r, const char *type, long page, const AwsResponse *resp,
                          int attempts, const char *after) {
  char *shown = extract_url_for_logs(r->cfg->url), what[300];
  if (resp->too_big)
    snprintf(what, sizeof what, "an answer over %zu MiB", MAX_PAGE_BYTES >> 20);
  else if (resp->status)
    snprintf(what, sizeof what, "HTTP %ld", resp->status);
  else
    snprintf(what, sizeof what, "%s", resp->error);
  handler_fail(r->err, type, "GET %.600s page %ld: %s after %d attempt%s%s", shown, page, what,
               attempts, attempts == 1 ? "" : "s", after);
  utf8_scrub(r->err->message);
  free(shown);
}

/* GET page of the source, retried on 429, 5xx and network errors
 * (fetch_get). The body, or NULL with r->err filled. */
static char *fetch_http(Run *r, long page, size_t *len) {
  char *url = extract_page_url(r->cfg->url, page), *body = NULL;
  FetchPolicy policy = {.max_retries = r->cfg->max_retries, .deadline_ms = r->deadline_ms,
                        .margin_ms = PAGE_MARGIN_MS, .max_bytes = MAX_PAGE_BYTES,
                        .seed = &r->seed};
  AwsResponse resp;
  int attempts;
  FetchOutcome outcome = fetch_get(r->aws, url, &policy, &resp, &attempts);
  if (outcome == FETCH_OK)
    body = resp.body, *len = resp.len;
  else if (outcome == FETCH_DEADLINE)
    source_failed(r, "DeadlineNear", page, &resp, attempts,
                  ", stopped: the next try would end too near the invocation's deadline");
  else
    source_failed(r, "SourceError", page, &resp, attempts, "");
  if (!body)
    aws_response_release(&resp);
  free(url);
  return body;
}

/* The page's objects as JSON Lines in out, their number in *count; false
 * with r->err filled. */
static bool read_page(Run *r, long page, Buffer *out, size_t *count) {
  size_t len = 0;
  char *body = *r->cfg->url ? fetch_http(r, page, &len) : extract_mock_page(r->date, page);
  if (!body)
    return false;
  if (!*r->cfg->url)
    len = strlen(body);
  char why[200];
  bool ok = extract_page_lines(body, len, out, count, why, sizeof why);
  if (!ok) {
    char *shown = extract_url_for_logs(*r->cfg->url ? r->cfg->url : "(generated)");
    handler_fail(r->err, "InvalidPage", "page %ld of %.600s: %s", page, shown, why);
    utf8_scrub(r->err->message);
    free(shown);
  }
  free(body);
  return ok;
}

static bool write_part(Run *r, long part, const Buffer *lines, json_t *keys) {
  char *key = extract_part_key(r->prefix, part);
  char *meta = handler_strf("x-amz-meta-execution-id: %s", r->execution_id);
  const char *headers[] = {meta, NULL};
  AwsResponse resp;
  long status = s3_put(r->aws, r->cfg->bucket, key, "application/x-ndjson", lines->data,
                       lines->len, headers, &resp);
  if (status == 200)
    json_array_append_new(keys, json_string(key));
  else if (status)
    handler_fail(r->err, "S3Error", "PUT s3://%s/%s: HTTP %ld", r->cfg->bucket, key, status);
  else
    handler_fail(r->err, "S3Error", "PUT s3://%s/%s: %s", r->cfg->bucket, key, resp.error);
  aws_response_release(&resp);
  free(meta);
  free(key);
  return status == 200;
}

/* Every page until an empty one: the keys written, or NULL with r->err. */
static json_t *extract_pages(Run *r, long *records) {
  json_t *keys = json_array();
  for (long page = 1;; page++) {
    if (too_late(r, 0)) {
      handler_fail(r->err, "DeadlineNear", "stopped before page %ld: too near the invocation's "
                   "deadline (%zu parts written)", page, json_array_size(keys));
      break;
    }
    Buffer lines = {0};
    size_t count = 0;
    bool ok = read_page(r, page, &lines, &count);
    if (ok && count && page > r->cfg->max_pages)
      handler_fail(r->err, "TooManyPages", "the source has more than MAX_PAGES (%ld) pages",
                   r->cfg->max_pages);
    else if (ok && count && write_part(r, page - 1, &lines, keys))
      *records += (long)count;
    free(lines.data);
    if (r->err->type[0] || !count)
      break;
  }
  if (!r->err->type[0])
    return keys;
  json_decref(keys);
  return NULL;
}

static void today(char out[PLANNER_DATE]) {
  time_t t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  planner_date_text(&tm, out);
}

static json_t *handle(AwsClient *aws, const Invocation *inv, HandlerError *err) {
  ExtractInput in;
  char why[300];
  if (!extract_read_event(inv->event, &in, why, sizeof why))
    return handler_fail(err, "InvalidEvent", "%s", why);
  Config cfg;
  if (!read_config(&cfg, err))
    return NULL;
  Run r = {.aws = aws, .cfg = &cfg, .deadline_ms = inv->deadline_ms,
           .seed = (unsigned)fetch_now_ms(), .err = err};
  r.source = *in.source ? in.source : cfg.source;
  if (!*r.source)
    return handler_fail(err, "InvalidEvent", "no source: the event names none and SOURCE_NAME "
                        "is not set");
  /* moto's state machines pass a null executionId: the request id stands in */
  r.execution_id = *in.execution_id ? in.execution_id : inv->request_id;
  if (*in.date)
    memcpy(r.date, in.date, sizeof r.date);
  else
    today(r.date);
  r.prefix = extract_prefix(cfg.base, r.source, r.date);
  long records = 0;
  json_t *keys = extract_pages(&r, &records), *out = NULL;
  if (keys)
    out = json_pack("{s:s, s:s, s:o, s:I, s:I, s:s, s:s, s:s}", "bucket", cfg.bucket, "prefix",
                    r.prefix, "keys", keys, "records", (json_int_t)records, "pages",
                    (json_int_t)json_array_size(keys), "source", r.source, "executionId",
                    r.execution_id, "ingestDate", r.date);
  free(r.prefix);
  return out;
}

int main(int argc, char **argv) { return runtime_main(argc, argv, "extract", handle); }
