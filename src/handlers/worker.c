/* worker: the consumer of the planner's queues. The event is an SQS batch;
 * for each record it reads the page request in the body, fetches the page
 * (generated, or with USE_REAL_HTTP=true a GET of ENDPOINT_MAP[endpoint]
 * ?date=..&page=..), and writes it as gzipped JSON Lines to
 *   raw/source=<endpoint>/ingestion_date=<date>/page=<NNNNNN>.json.gz
 * in the bucket of its write grant. The key is the idempotency key: a page
 * delivered twice rewrites the same object. The answer lists the records
 * that failed (ReportBatchItemFailures), so only those return to the queue;
 * records left when the deadline nears are listed too, never dropped.
 *
 * The bucket is the one LAKEC_BUCKET_<KEY> variable a write grant sets:
 * nothing for the stage file to repeat, and nothing that can disagree with
 * what the role may write. */
#include "fetch.h"
#include "parse.h"
#include "runtime.h"
#include "s3.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BUCKET_PREFIX "LAKEC_BUCKET_"
/* A record starts only with this much time left: a fetch, a PUT and the answer. */
#define RECORD_MARGIN_MS 3000
/* A page's answer is held whole (parsed, then compressed): bounded. */
#define MAX_PAGE_BYTES ((size_t)32 << 20)

typedef struct Config {
  const char *bucket;
  bool real_http;
  json_t *endpoints; /* ENDPOINT_MAP, with real_http */
  int max_retries;
  long qps_sleep_ms; /* between two requests to a source */
} Config;

typedef struct Run {
  AwsClient *aws;
  const Config *cfg;
  long long deadline_ms; /* 0: none (a local run) */
  unsigned seed;
  long long last_request_ms; /* when the last request to a source started, or 0 */
} Run;

/* The value of the one LAKEC_BUCKET_<KEY>, or NULL with err filled. */
static const char *granted_bucket(HandlerError *err) {
  extern char **environ;
  const char *found = NULL;
  size_t count = 0, n = strlen(BUCKET_PREFIX);
  for (char **e = environ; *e; e++)
    if (!strncmp(*e, BUCKET_PREFIX, n) && strchr(*e, '=')) {
      found = strchr(*e, '=') + 1;
      count++;
    }
  if (count != 1 || !*found)
    handler_fail(err, "Configuration", "worker needs exactly one %s<KEY> (a write grant on "
                 "one bucket); there are %zu", BUCKET_PREFIX, count);
  return count == 1 && *found ? found : NULL;
}

static bool read_config(Config *c, HandlerError *err) {
  char why[300];
  memset(c, 0, sizeof *c);
  const char *real = getenv("USE_REAL_HTTP");
  c->real_http = real && !strcmp(real, "true");
  if (!(c->bucket = granted_bucket(err)))
    return false;
  if (real && *real && strcmp(real, "true") && strcmp(real, "false"))
    handler_fail(err, "Configuration", "USE_REAL_HTTP must be true or false");
  else if (!worker_read_max_retries(getenv("MAX_RETRIES"), &c->max_retries))
    handler_fail(err, "Configuration", "MAX_RETRIES must be a whole number from 0 to %d",
                 WORKER_MAX_RETRIES);
  else if (!worker_read_qps_sleep(getenv("QPS_SLEEP_MS"), &c->qps_sleep_ms))
    handler_fail(err, "Configuration", "QPS_SLEEP_MS must be a whole number from 0 to %d",
                 WORKER_MAX_QPS_SLEEP_MS);
  else if (c->real_http &&
           !worker_read_endpoint_map(getenv("ENDPOINT_MAP"), &c->endpoints, why, sizeof why))
    handler_fail(err, "Configuration", "ENDPOINT_MAP %s", why);
  return !err->type[0];
}

/* ---- fetching ---- */

static void pause_ms(long ms) {
  struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&t, NULL);
}

/* QPS_SLEEP_MS between the start of two requests to a source: the
 * invocation's own pace (a batch is one invocation's, so it holds for the
 * batch, not across concurrent invocations). */
static void keep_pace(Run *r) {
  long long now = fetch_now_ms();
  long long wait = r->last_request_ms ? r->last_request_ms + r->cfg->qps_sleep_ms - now : 0;
  if (wait > 0)
    pause_ms((long)wait);
  r->last_request_ms = fetch_now_ms();
}

static void describe_failure(char *why, size_t size, const char *method, const char *what,
                             const AwsResponse *resp) {
  if (resp->too_big)
    snprintf(why, size, "%s %.300s: an answer over %zu MiB", method, what, MAX_PAGE_BYTES >> 20);
  else if (resp->status)
    snprintf(why, size, "%s %.300s: HTTP %ld", method, what, resp->status);
  else
    snprintf(why, size, "%s %.300s: %s", method, what, resp->error);
}

/* The pause between requests to a source (fetch_get's before_request). */
static void pace(void *run) { keep_pace(run); }

/* GET the page, retried on 429, 5xx and network errors (fetch_get); the
 * body, or NULL with why filled. */
static char *fetch_http(Run *r, const PageRequest *p, size_t *len, char *why, size_t size) {
  const char *base = json_string_value(json_object_get(r->cfg->endpoints, p->endpoint));
  if (!base) {
    snprintf(why, size, "ENDPOINT_MAP has no URL for %s", p->endpoint);
    return NULL;
  }
  char *url = worker_page_url(base, p), *body = NULL;
  FetchPolicy policy = {.max_retries = r->cfg->max_retries, .deadline_ms = r->deadline_ms,
                        .margin_ms = RECORD_MARGIN_MS, .max_bytes = MAX_PAGE_BYTES,
                        .seed = &r->seed, .before_request = pace, .user = r};
  AwsResponse resp;
  int attempts;
  if (fetch_get(r->aws, url, &policy, &resp, &attempts) == FETCH_OK) {
    body = resp.body, *len = resp.len;
  } else {
    describe_failure(why, size, "GET", url, &resp);
    aws_response_release(&resp);
  }
  free(url);
  return body;
}

/* ---- one record ---- */

/* The page as gzipped JSON Lines in out; false with why filled. */
static bool page_object(Run *r, const PageRequest *p, Buffer *out, char *why, size_t size) {
  size_t len = 0;
  char *payload = r->cfg->real_http ? fetch_http(r, p, &len, why, size) : worker_mock_payload(p);
  if (!payload)
    return false;
  if (!r->cfg->real_http)
    len = strlen(payload);
  Buffer lines = {0};
  bool ok = worker_json_lines(payload, len, &lines, why, size);
  if (ok && !worker_gzip(lines.data ? lines.data : "", lines.len, out)) {
    snprintf(why, size, "gzip failed");
    ok = false;
  }
  free(lines.data);
  free(payload);
  return ok;
}

static bool handle_record(Run *r, json_t *record, char *why, size_t size) {
  const char *body = json_string_value(json_object_get(record, "body"));
  PageRequest p;
  if (!body) {
    snprintf(why, size, "the record has no body");
    return false;
  }
  if (!worker_parse_message(body, strlen(body), &p, why, size))
    return false;
  Buffer object = {0};
  bool ok = page_object(r, &p, &object, why, size);
  if (ok) {
    char *key = worker_key(&p);
    AwsResponse resp;
    long status = s3_put(r->aws, r->cfg->bucket, key, "application/x-ndjson", object.data,
                         object.len, NULL, &resp);
    if (status != 200) {
      describe_failure(why, size, "PUT", key, &resp);
      ok = false;
    }
    aws_response_release(&resp);
    free(key);
  }
  free(object.data);
  return ok;
}

static json_t *handle(AwsClient *aws, const Invocation *inv, HandlerError *err) {
  json_t *records = json_object_get(inv->event, "Records"), *record;
  if (!json_is_array(records))
    return handler_fail(err, "InvalidEvent", "the event must be an SQS batch (Records)");
  Config cfg;
  if (!read_config(&cfg, err))
    return NULL;
  Run r = {.aws = aws, .cfg = &cfg, .deadline_ms = inv->deadline_ms,
           .seed = (unsigned)fetch_now_ms()};
  json_t *failures = json_array();
  size_t i;
  json_array_foreach(records, i, record) {
    const char *id = json_string_value(json_object_get(record, "messageId"));
    char why[600] = "";
    bool late = r.deadline_ms && fetch_now_ms() + RECORD_MARGIN_MS > r.deadline_ms;
    if (late)
      snprintf(why, sizeof why, "too near the invocation's deadline to start");
    if (!late && handle_record(&r, record, why, sizeof why))
      continue;
    utf8_scrub(why);
    fprintf(stderr, "worker: record %s failed: %s\n", id ? id : "(no messageId)", why);
    if (id) /* without an id SQS could not say which message: nothing to list */
      json_array_append_new(failures, json_pack("{s:s}", "itemIdentifier", id));
  }
  json_decref(cfg.endpoints);
  return json_pack("{s:o}", "batchItemFailures", failures);
}

int main(int argc, char **argv) { return runtime_main(argc, argv, "worker", handle); }
