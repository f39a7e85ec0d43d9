/* libFuzzer target: generate's input, the bytes read as a scheduled event
 * and as the event's "time" text. Beyond "no crash, no sanitizer report,
 * no leak":
 * - an accepted time is YYYY-MM-DDTHH:MM:SSZ and reads back as itself;
 * - a batch for it (a few events, a small payload budget taken from the
 *   input) has every event once, each payload {"records":[...]} within the
 *   budget unless it holds a single record, the timestamps in time order
 *   within the 5 minutes before the scheduled time;
 * - the same time and size give the same bytes. */
#include "fuzz_support.h"
#include "parse.h"

#include <time.h>

static void time_text(time_t when, char out[32]) {
  struct tm tm;
  REQUIRE(gmtime_r(&when, &tm) != NULL);
  strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The records of one payload, checked; returns how many. */
static size_t check_payload(const char *payload, size_t budget, time_t when, char last[32]) {
  json_t *doc = json_loads(payload, 0, NULL);
  json_t *records = json_object_get(doc, "records");
  REQUIRE(json_is_object(doc) && json_object_size(doc) == 1 && json_is_array(records));
  size_t count = json_array_size(records);
  REQUIRE(count > 0 && (strlen(payload) <= budget || count == 1));
  char from[32], to[32];
  time_text(when - GENERATE_WINDOW_S, from);
  time_text(when, to);
  size_t i;
  json_t *record;
  json_array_foreach(records, i, record) {
    const char *at = json_string_value(json_object_get(record, "timestamp"));
    REQUIRE(at && strlen(at) == 24 && json_object_size(record) == 8);
    /* the texts compare as the times: same width, most significant first */
    REQUIRE(strncmp(at, from, 19) >= 0 && strncmp(at, to, 19) < 0 && strcmp(at, last) >= 0);
    snprintf(last, 32, "%s", at);
  }
  json_decref(doc);
  return count;
}

static void check_batch(time_t when, const uint8_t *data, size_t size) {
  long long events = 1 + (long long)(size % 40);
  size_t budget = 200 + (size_t)data[0] * 8;
  GenerateBatch batch, again;
  generate_batch(when, events, budget, &batch);
  generate_batch(when, events, budget, &again);
  REQUIRE(batch.count == again.count);
  size_t records = 0;
  char last[32] = "";
  for (size_t i = 0; i < batch.count; i++) {
    REQUIRE(!strcmp(batch.payloads[i], again.payloads[i]));
    records += check_payload(batch.payloads[i], budget, when, last);
  }
  REQUIRE(records == (size_t)events);
  generate_batch_release(&batch);
  generate_batch_release(&again);
}

static void check_event(json_t *event, const uint8_t *data, size_t size) {
  time_t when;
  char why[300];
  const time_t now = 1764669900; /* 2025-12-02T10:05:00Z */
  if (!generate_read_event(event, now, &when, why, sizeof why)) {
    REQUIRE(why[0]);
    return;
  }
  const char *text = json_string_value(json_object_get(event, "time"));
  char back[32];
  time_text(when, back);
  REQUIRE(text ? !strcmp(back, text) : when == now);
  if (size)
    check_batch(when, data, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  json_t *event = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
  check_event(event, data, size);
  json_decref(event);
  char *text = fuzz_text(data, size);
  event = json_pack("{s:s}", "time", text);
  if (event) /* text that is not UTF-8 is no JSON string */
    check_event(event, data, size);
  json_decref(event);
  free(text);
  return 0;
}
