/* libFuzzer target: ingest's input. The bytes are read as the scheduled
 * event, as the metrics source's answer (whose "service", when it has one,
 * stands for SERVICE_NAME), and, apart, as SERVICE_NAME itself. Beyond "no
 * crash, no sanitizer report, no leak":
 * - an event time gives a minute YYYY-MM-DDTHH:MM:00Z;
 * - an accepted answer is within the documented ranges;
 * - what ingest writes is what process accepts: the key is one it would
 *   move (under raw/, no dot or empty segment), the CSV one row of the
 *   metrics data set that it converts to Parquet;
 * - an accepted service name makes a result JSON can carry. */
#include "fuzz_support.h"
#include "parse.h"
#include "rows.h"

#include <math.h>

static void check_record(const MetricsRecord *r) {
  REQUIRE(r->requests >= 0 && r->requests <= 1000000000000000LL);
  REQUIRE(r->errors >= 0 && r->errors <= 1000000000000000LL);
  REQUIRE(isfinite(r->p50) && r->p50 >= 0 && r->p50 <= 86400000.0);
  REQUIRE(isfinite(r->p99) && r->p99 >= 0 && r->p99 <= 86400000.0);
}

static int discard(void *user, const void *data, size_t len) {
  (void)user, (void)data, (void)len;
  return 0;
}

/* NULL when process converts the CSV against the metrics data set to one
 * row, else why not. */
static const char *process_refuses(const char *csv, char *why, size_t size) {
  Dataset d;
  REQUIRE(process_read_dataset(FUZZ_METRICS_DATASET, &d, why, size));
  PqOptions options = dataset_options(&d);
  const char *error = NULL;
  Rows *rows = rows_open(&d, &options, discard, NULL, &error);
  REQUIRE(rows != NULL);
  RowsStatus status = rows_feed(rows, csv, strlen(csv));
  if (status == ROWS_OK)
    status = rows_finish(rows);
  const char *problem = NULL;
  if (status != ROWS_OK || rows_count(rows) != 1) {
    snprintf(why, size, "line %llu, column %s: %s",
             (unsigned long long)rows_problem(rows)->line,
             rows_problem(rows)->column ? rows_problem(rows)->column : "-",
             rows_problem(rows)->reason);
    problem = why;
  }
  rows_free(rows);
  dataset_release(&d);
  return problem;
}

/* What ingest writes for this minute, service and record, given to process's checks. */
static void check_written(const struct tm *tm, const char *service, const MetricsRecord *r) {
  char when[INGEST_MINUTE_TEXT], why[300];
  ingest_minute_text(tm, when);
  REQUIRE(fuzz_shaped(when, "9999-99-99T99:99:00Z"));
  char *csv = ingest_csv(when, service, r), *key = ingest_key(tm, service);
  const char *problem = process_refuses(csv, why, sizeof why);
  if (problem)
    fprintf(stderr, "process refuses ingest's CSV (%s):\n%s", problem, csv);
  REQUIRE(problem == NULL);
  json_t *event = json_pack("{s:{s:{s:s}, s:{s:s}}}", "detail", "bucket", "name", "b", "object",
                            "key", key);
  REQUIRE(event != NULL); /* the key is text JSON can carry: so is ingest's result */
  ObjectToMove o;
  HandlerError err = {0};
  if (!process_read_event(event, DATASET_PARQUET, &o, &err))
    fprintf(stderr, "process refuses ingest's key %s: %s\n", key, err.message);
  REQUIRE(err.type[0] == '\0');
  object_to_move_release(&o);
  json_decref(event);
  free(csv);
  free(key);
}

static void check_document(const uint8_t *data, size_t size, json_t *doc) {
  struct tm tm = {.tm_year = 126, .tm_mon = 10, .tm_mday = 22, .tm_hour = 5, .tm_min = 17};
  if (ingest_event_time(doc, &tm)) {
    REQUIRE(tm.tm_mon >= 0 && tm.tm_mon <= 11 && tm.tm_mday >= 1 && tm.tm_mday <= 31);
    REQUIRE(tm.tm_hour >= 0 && tm.tm_hour <= 23 && tm.tm_min >= 0 && tm.tm_min <= 59);
    REQUIRE(tm.tm_year + 1900 >= 0 && tm.tm_year + 1900 <= 9999);
  }
  MetricsRecord r = {812, 3, 41.2, 150.75};
  if (ingest_source_record((const char *)data, size, &r))
    check_record(&r);
  const char *service = json_string_value(json_object_get(doc, "service"));
  check_written(&tm, service && ingest_service_ok(service) ? service : "metrics", &r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  json_t *doc = json_loadb((const char *)data, size, 0, NULL);
  if (doc)
    check_document(data, size, doc);
  json_decref(doc);
  char *service = fuzz_text(data, size); /* SERVICE_NAME: up to its first NUL */
  if (ingest_service_ok(service)) {
    struct tm tm = {.tm_year = 126, .tm_mon = 10, .tm_mday = 22, .tm_hour = 5, .tm_min = 17};
    check_written(&tm, service, &(MetricsRecord){1, 0, 1.0, 2.0});
  }
  free(service);
  return 0;
}
