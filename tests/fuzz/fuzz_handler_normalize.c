/* libFuzzer target: normalize's input. The bytes are read as NORMALIZE_COLUMNS
 * and, as JSON, as a Scan page's item (or a whole page, {"Items": [...]}),
 * made rows for a fixed set of columns and for the columns the bytes name.
 * Beyond "no crash, no sanitizer report, no leak":
 * - accepted columns have a name of [a-z0-9_] and a path without empty names;
 * - a row that is accepted is one CSV record: its quotes balance, it ends in
 *   "\n", and it has exactly one field a column (commas outside quotes);
 * - a refused row leaves the buffer as it was;
 * - the canonical JSON of an accepted value is JSON jansson reads back, and
 *   the same value gives the same bytes twice. */
#include "fuzz_support.h"
#include "items.h"
#include "parse.h"

#include <ctype.h>

static void check_columns(const NormalizeColumns *c) {
  REQUIRE(c->count >= 1 && c->count <= NORMALIZE_MAX_COLUMNS);
  for (size_t i = 0; i < c->count; i++) {
    for (const char *p = c->items[i].name; *p; p++)
      REQUIRE(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_');
    REQUIRE(c->items[i].depth >= 1);
    for (size_t j = 0; j < c->items[i].depth; j++)
      REQUIRE(c->items[i].path[j][0] && !strchr(c->items[i].path[j], '.'));
  }
}

/* Fields of one record (commas outside quotes + 1); the quotes must balance
 * and the record end in its only unquoted "\n". */
static size_t record_fields(const char *s, size_t n) {
  size_t fields = 1;
  bool quoted = false;
  REQUIRE(n >= 1 && s[n - 1] == '\n');
  for (size_t i = 0; i + 1 < n; i++) {
    if (s[i] == '"')
      quoted = !quoted;
    else if (!quoted && s[i] == ',')
      fields++;
    else if (!quoted)
      REQUIRE(s[i] != '\n' && s[i] != '\r');
  }
  REQUIRE(!quoted);
  return fields;
}

static void check_row(json_t *item, const NormalizeColumns *cols) {
  Buffer b = {0};
  char why[200];
  REQUIRE(buffer_append(&b, "x", 1));
  if (items_append_row(&b, item, cols, why, sizeof why))
    REQUIRE(record_fields(b.data + 1, b.len - 1) == cols->count);
  else
    REQUIRE(b.len == 1 && why[0]);
  free(b.data);
}

static void check_canonical(json_t *value) {
  Buffer a = {0}, b = {0};
  char why[200];
  bool ok = items_canonical_json(&a, value, why, sizeof why);
  REQUIRE(ok == items_canonical_json(&b, value, why, sizeof why));
  if (ok) {
    REQUIRE(a.len == b.len && !memcmp(a.data, b.data, a.len));
    /* integers as reals: DynamoDB's 38 digits do not fit jansson's integers */
    json_t *back = json_loadb(a.data, a.len,
                              JSON_DECODE_ANY | JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL, NULL);
    REQUIRE(back != NULL);
    json_decref(back);
  }
  free(a.data);
  free(b.data);
}

static void check_item(json_t *item, const NormalizeColumns *named) {
  static const char *const FIXED = "id,channel=metadata.channel,tags,n=a.b.c.d";
  NormalizeColumns cols;
  char why[300];
  REQUIRE(normalize_read_columns(FIXED, &cols, why, sizeof why));
  check_row(item, &cols);
  normalize_columns_release(&cols);
  if (named)
    check_row(item, named);
  const char *key;
  json_t *value;
  if (json_is_object(item))
    json_object_foreach(item, key, value)
      check_canonical(value);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = fuzz_text(data, size), why[300];
  NormalizeColumns named;
  bool have = normalize_read_columns(text, &named, why, sizeof why);
  if (have)
    check_columns(&named);
  else
    REQUIRE(named.count == 0 && why[0]);
  unsigned segments;
  if (normalize_read_segments(text, &segments))
    REQUIRE(segments >= 1 && segments <= NORMALIZE_MAX_SEGMENTS);
  if (normalize_prefix_ok(text)) {
    struct tm tm = {.tm_year = 126, .tm_mon = 10, .tm_mday = 22, .tm_hour = 4, .tm_min = 30};
    char *key = normalize_key(text, &tm);
    REQUIRE(strlen(key) <= 1024);
    free(key);
  }
  json_t *doc = json_loadb((const char *)data, size, JSON_ALLOW_NUL, NULL);
  json_t *items = json_object_get(doc, "Items");
  if (json_is_array(items))
    for (size_t i = 0; i < json_array_size(items); i++)
      check_item(json_array_get(items, i), have ? &named : NULL);
  else if (doc)
    check_item(doc, have ? &named : NULL);
  json_decref(doc);
  if (have)
    normalize_columns_release(&named);
  free(text);
  return 0;
}
