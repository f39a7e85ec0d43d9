/* ingest: once per schedule tick, one metrics record as CSV under
 *   raw/year=YYYY/month=MM/day=DD/hour=HH/<service>-HH-mm_.csv
 * in the data bucket (LAKEC_BUCKET_DATA), the layout the crawler partitions
 * by. The time is the scheduled event's own "time" when there is one, so a
 * retried invocation writes the same object again instead of a second one.
 * The values are generated here (the seed's mock source). */
#include "runtime.h"
#include "s3.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

static json_t *handle(AwsClient *aws, const Invocation *inv, HandlerError *err) {
  if (!json_is_object(inv->event))
    return handler_fail(err, "InvalidEvent", "the event must be a JSON object");
  const char *bucket = getenv("LAKEC_BUCKET_DATA");
  if (!bucket || !*bucket)
    return handler_fail(err, "Configuration", "LAKEC_BUCKET_DATA is not set");
  const char *service = getenv("SERVICE_NAME");
  if (!service || !*service)
    service = "metrics";
  struct tm tm;
  if (!event_time(inv->event, &tm)) {
    time_t now = time(NULL);
    gmtime_r(&now, &tm);
  }
  unsigned seed = seed_of(&tm, service);
  int requests = 500 + (int)(rand_r(&seed) % 1500);
  int errors = (int)(rand_r(&seed) % 20);
  double p50 = 20 + (rand_r(&seed) % 4000) / 100.0;
  double p99 = p50 * 3 + (rand_r(&seed) % 10000) / 100.0;
  char csv[512], key[512];
  int len = snprintf(csv, sizeof csv,
                     "timestamp,service,requests,errors,latency_ms_p50,latency_ms_p99\n"
                     "%04d-%02d-%02dT%02d:%02d:00Z,%s,%d,%d,%.2f,%.2f\n",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, service,
                     requests, errors, p50, p99);
  snprintf(key, sizeof key, "raw/year=%04d/month=%02d/day=%02d/hour=%02d/%s-%02d-%02d_.csv",
           tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, service, tm.tm_hour,
           tm.tm_min);
  AwsResponse resp;
  long status = s3_put(aws, bucket, key, "text/csv", csv, (size_t)len, NULL, &resp);
  if (status / 100 != 2) {
    handler_fail(err, "S3Error", "PUT s3://%s/%s: %s", bucket, key,
                 status ? resp.body : resp.error);
    aws_response_release(&resp);
    return NULL;
  }
  aws_response_release(&resp);
  return json_pack("{s:s, s:s, s:i}", "bucket", bucket, "key", key, "bytes", len);
}

int main(int argc, char **argv) { return runtime_main(argc, argv, "ingest", handle); }
