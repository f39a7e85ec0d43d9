/* libFuzzer target: consume's input, the bytes read as an MSK event (and,
 * base64-encoded, as one record's value). Beyond "no crash, no sanitizer
 * report, no leak":
 * - an accepted event's messages are JSON objects {"type":"records",
 *   "records":[...]}, at most CONSUME_MESSAGE_BYTES each, at most one frame
 *   unless they hold a single record;
 * - every record is in exactly one message or skipped;
 * - a record's value that is JSON arrives as that JSON. */
#include "fuzz_support.h"
#include "parse.h"

static size_t check_messages(const ConsumeBatch *b) {
  size_t records = 0;
  for (size_t i = 0; i < b->count; i++) {
    size_t len = strlen(b->messages[i]);
    REQUIRE(len <= CONSUME_MESSAGE_BYTES);
    json_t *doc = json_loads(b->messages[i], 0, NULL);
    json_t *list = json_object_get(doc, "records");
    REQUIRE(json_is_array(list) && json_array_size(list) > 0);
    REQUIRE(!strcmp(json_string_value(json_object_get(doc, "type")), "records"));
    REQUIRE(len <= CONSUME_FRAME_BYTES || json_array_size(list) == 1);
    records += json_array_size(list);
    json_decref(doc);
  }
  return records;
}

static void check_event(json_t *event) {
  ConsumeBatch b;
  char why[300];
  if (!consume_read_event(event, &b, why, sizeof why)) {
    REQUIRE(why[0] && b.count == 0);
    return;
  }
  REQUIRE(check_messages(&b) + b.skipped == b.records);
  consume_batch_release(&b);
}

/* The input as one record's base64 value: JSON comes back as itself. */
static void check_value(const uint8_t *data, size_t size) {
  char *value = fuzz_base64(data, size);
  json_t *event = json_pack("{s:s, s:{s:[{s:s}]}}", "eventSource", "aws:kafka", "records",
                            "t-0", "value", value);
  ConsumeBatch b;
  char why[300];
  REQUIRE(consume_read_event(event, &b, why, sizeof why) && b.records == 1);
  json_t *doc = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
  if (doc && b.count == 1) {
    json_t *message = json_loads(b.messages[0], 0, NULL);
    REQUIRE(json_equal(json_array_get(json_object_get(message, "records"), 0), doc));
    json_decref(message);
  }
  json_decref(doc);
  consume_batch_release(&b);
  json_decref(event);
  free(value);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  json_t *event = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
  check_event(event);
  json_decref(event);
  check_value(data, size);
  return 0;
}
