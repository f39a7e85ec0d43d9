/* ingest: once per schedule tick, one metrics record as CSV under
 *   raw/year=YYYY/month=MM/day=DD/hour=HH/<service>-HH-mm_.csv
 * in the data bucket (LAKEC_BUCKET_DATA), the layout the crawler partitions
 * by. The time is the scheduled event's own "time" when there is one, so a
 * retried invocation writes the same object again instead of a second one.
 * The values are generated here (the seed's mock source) unless the stage
 * sets METRICS_SOURCE_URL: then they come from that HTTP endpoint. */
#include "parse.h"
#include "runtime.h"
#include "s3.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Deterministic for a given minute and service: a rerun writes the same bytes. */
static unsigned seed_of(const struct tm *tm, const char *service) {
  unsigned h = 2166136261u;
  char text[128];
  snprintf(text, sizeof text, "%s %04d%02d%02d%02d%02d", service, tm->tm_year + 1900,
           tm->tm_mon + 1, tm->tm_mday, tm->tm_hour, tm->tm_min);
  for (const char *p = text; *p; p++)
    h = (h ^ (unsigned char)*p) * 16777619u;
  return h;
}

/* Made up, but deterministic for a given minute and service. */
static void generate(const struct tm *tm, const char *service, MetricsRecord *r) {
  unsigned seed = seed_of(tm, service);
  r->requests = 500 + (int)(rand_r(&seed) % 1500);
  r->errors = (int)(rand_r(&seed) % 20);
  r->p50 = 20 + (rand_r(&seed) % 4000) / 100.0;
  r->p99 = r->p50 * 3 + (rand_r(&seed) % 10000) / 100.0;
}

/* GET <url>?service=S&time=T from the source the stage names; its answer is
 * a JSON object {"requests", "errors", "latency_ms_p50", "latency_ms_p99"}.
 * Throttling and 5xx are retried like AWS calls. */
static bool fetch(AwsClient *aws, const char *source, const char *service, const char *when,
                  MetricsRecord *r, HandlerError *err) {
  char *s = aws_uri_encode(service, false), *t = aws_uri_encode(when, false);
  char *url = handler_strf("%s%sservice=%s&time=%s", source, strchr(source, '?') ? "&" : "?", s, t);
  free(s);
  free(t);
  const char *accept[] = {"Accept: application/json", NULL};
  AwsRequest req = {.service = "source", .url = url, .method = "GET", .headers = accept};
  AwsResponse resp;
  aws_call(aws, &req, &resp);
  bool ok = resp.status == 200 && ingest_source_record(resp.body, resp.len, r);
  if (!resp.status)
    handler_fail(err, "SourceError", "GET %s: %s", url, resp.error);
  else if (resp.status != 200)
    handler_fail(err, "SourceError", "GET %s: HTTP %ld", url, resp.status);
  else if (!ok)
    handler_fail(err, "SourceError",
                 "GET %s: expected a JSON object with non-negative requests and errors (whole "
                 "numbers up to 1e15), latency_ms_p50 and latency_ms_p99 (finite, up to a day)",
                 url);
  aws_response_release(&resp);
  free(url);
  return ok;
}

/* The record as CSV under its minute's key. */
static json_t *store(AwsClient *aws, const char *bucket, const char *service, const struct tm *tm,
                     const char *when, const MetricsRecord *r, const char *origin,
                     HandlerError *err) {
  char *csv = ingest_csv(when, service, r);
  char *key = ingest_key(tm, service);
  size_t len = strlen(csv);
  AwsResponse resp;
  long status = s3_put(aws, bucket, key, "text/csv", csv, len, NULL, &resp);
  json_t *result = NULL;
  if (status / 100 != 2)
    handler_fail(err, "S3Error", "PUT s3://%s/%s: %s", bucket, key,
                 status ? resp.body : resp.error);
  else
    result = json_pack("{s:s, s:s, s:I, s:s}", "bucket", bucket, "key", key, "bytes",
                       (json_int_t)len, "source", origin);
  aws_response_release(&resp);
  free(csv);
  free(key);
  return result;
}

static json_t *handle(AwsClient *aws, const Invocation *inv, HandlerError *err) {
  if (!json_is_object(inv->event))
    return handler_fail(err, "InvalidEvent", "the event must be a JSON object");
  const char *bucket = getenv("LAKEC_BUCKET_DATA");
  if (!bucket || !*bucket)
    return handler_fail(err, "Configuration", "LAKEC_BUCKET_DATA is not set");
  const char *service = getenv("SERVICE_NAME");
  if (!service || !*service)
    service = "metrics";
  if (!ingest_service_ok(service))
    return handler_fail(err, "Configuration",
                        "SERVICE_NAME must be 1 to %d printable UTF-8 characters without '/', ',', "
                        "'\"' or '\\'",
                        INGEST_MAX_SERVICE);
  struct tm tm;
  if (!ingest_event_time(inv->event, &tm)) {
    time_t now = time(NULL);
    gmtime_r(&now, &tm);
  }
  char when[INGEST_MINUTE_TEXT];
  ingest_minute_text(&tm, when);
  MetricsRecord r = {0};
  const char *source = getenv("METRICS_SOURCE_URL");
  if (source && *source) {
    if (!fetch(aws, source, service, when, &r, err))
      return NULL;
  } else {
    generate(&tm, service, &r);
  }
  return store(aws, bucket, service, &tm, when, &r, source && *source ? "http" : "generated",
               err);
}

int main(int argc, char **argv) { return runtime_main(argc, argv, "ingest", handle); }
