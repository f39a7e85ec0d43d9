/* ingest: once per schedule tick, one metrics record as CSV under
 *   raw/year=YYYY/month=MM/day=DD/hour=HH/<service>-HH-mm_.csv
 * in the data bucket (LAKEC_BUCKET_DATA), the layout the crawler partitions
 * by. The time is the scheduled event's own "time" when there is one, so a
 * retried invocation writes the same object again instead of a second one.
 * The values are generated here (the seed's mock source) unless the stage
 * sets METRICS_SOURCE_URL: then they come from that HTTP endpoint. */
#include "runtime.h"
#include "s3.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_SERVICE 128

static bool event_time(json_t *event, struct tm *out) {
  const char *t = json_string_value(json_object_get(event, "time"));
  if (!t)
    return false;
  memset(out, 0, sizeof *out);
  const char *end = strptime(t, "%Y-%m-%dT%H:%M:%S", out);
  return end && (*end == 'Z' || *end == '\0' || *end == '.');
}

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

typedef struct Record {
  long long requests, errors;
  double p50, p99;
} Record;

/* Made up, but deterministic for a given minute and service. */
static void generate(const struct tm *tm, const char *service, Record *r) {
  unsigned seed = seed_of(tm, service);
  r->requests = 500 + (int)(rand_r(&seed) % 1500);
  r->errors = (int)(rand_r(&seed) % 20);
  r->p50 = 20 + (rand_r(&seed) % 4000) / 100.0;
  r->p99 = r->p50 * 3 + (rand_r(&seed) % 10000) / 100.0;
}

/* A count (a whole number) or a latency in milliseconds, finite and within
 * reason: 1e308 or a day-long p99 is a broken source, not a measurement. */
static bool in_range(json_t *v, bool integer, double *out) {
  if (integer ? !json_is_integer(v) : !json_is_number(v))
    return false;
  *out = json_number_value(v);
  double max = integer ? 1e15 : 86400000.0;
  return isfinite(*out) && *out >= 0 && *out <= max;
}

/* SERVICE_NAME goes into the object key (one path segment) and a CSV field:
 * printable, without '/', ',', '"' or '\\', and short enough for both. */
static bool valid_service(const char *s) {
  size_t n = strlen(s);
  if (n < 1 || n > MAX_SERVICE)
    return false;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if (*p < 0x20 || *p == 0x7f || *p == '/' || *p == ',' || *p == '"' || *p == '\\')
      return false;
  return strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

/* GET <url>?service=S&time=T from the source the stage names; its answer is
 * a JSON object {"requests", "errors", "latency_ms_p50", "latency_ms_p99"}.
 * Throttling and 5xx are retried like AWS calls. */
static bool fetch(AwsClient *aws, const char *source, const char *service, const char *when,
                  Record *r, HandlerError *err) {
  char *s = aws_uri_encode(service, false), *t = aws_uri_encode(when, false);
  char *url = handler_strf("%s%sservice=%s&time=%s", source, strchr(source, '?') ? "&" : "?", s, t);
  free(s);
  free(t);
  const char *accept[] = {"Accept: application/json", NULL};
  AwsRequest req = {.service = "source", .url = url, .method = "GET", .headers = accept};
  AwsResponse resp;
  aws_call(aws, &req, &resp);
  json_t *body = resp.status == 200 ? json_loadb(resp.body, resp.len, 0, NULL) : NULL;
  double v[4];
  const char *names[] = {"requests", "errors", "latency_ms_p50", "latency_ms_p99"};
  bool ok = json_is_object(body);
  for (int i = 0; ok && i < 4; i++)
    ok = in_range(json_object_get(body, names[i]), i < 2, &v[i]);
  if (!resp.status)
    handler_fail(err, "SourceError", "GET %s: %s", url, resp.error);
  else if (resp.status != 200)
    handler_fail(err, "SourceError", "GET %s: HTTP %ld", url, resp.status);
  else if (!ok)
    handler_fail(err, "SourceError",
                 "GET %s: expected a JSON object with non-negative requests and errors (whole "
                 "numbers up to 1e15), latency_ms_p50 and latency_ms_p99 (finite, up to a day)",
                 url);
  else
    *r = (Record){(long long)v[0], (long long)v[1], v[2], v[3]};
  json_decref(body);
  aws_response_release(&resp);
  free(url);
  return ok;
}

/* The record as CSV under its minute's key; every text exactly as long as
 * it needs to be (the body's length is the text's, never a guess). */
static json_t *store(AwsClient *aws, const char *bucket, const char *service, const struct tm *tm,
                     const char *when, const Record *r, const char *origin, HandlerError *err) {
  char *csv = handler_strf("timestamp,service,requests,errors,latency_ms_p50,latency_ms_p99\n"
                           "%s,%s,%lld,%lld,%.2f,%.2f\n",
                           when, service, r->requests, r->errors, r->p50, r->p99);
  char *key = handler_strf("raw/year=%04d/month=%02d/day=%02d/hour=%02d/%s-%02d-%02d_.csv",
                           tm->tm_year + 1900, tm->tm_mon + 1, tm->tm_mday, tm->tm_hour, service,
                           tm->tm_hour, tm->tm_min);
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
  if (!valid_service(service))
    return handler_fail(err, "Configuration",
                        "SERVICE_NAME must be 1 to %d printable characters without '/', ',', "
                        "'\"' or '\\'",
                        MAX_SERVICE);
  struct tm tm;
  if (!event_time(inv->event, &tm)) {
    time_t now = time(NULL);
    gmtime_r(&now, &tm);
  }
  char when[64];
  snprintf(when, sizeof when, "%04d-%02d-%02dT%02d:%02d:00Z", tm.tm_year + 1900, tm.tm_mon + 1,
           tm.tm_mday, tm.tm_hour, tm.tm_min);
  Record r = {0};
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
