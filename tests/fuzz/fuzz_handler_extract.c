/* libFuzzer target: extract's input. The bytes are read as the state
 * machine's event, as a page's answer, as MAX_PAGES, as the write prefix and
 * as SOURCE_API_URL. Beyond "no crash, no sanitizer report, no leak":
 * - an accepted event has a safe source, printable ASCII execution id and a
 *   real day, which give a prefix and keys of the documented shape and a
 *   generated page of EXTRACT_MOCK_ORDERS JSON Lines;
 * - accepted pages are lines of JSON objects, as many as *count; a refusal
 *   leaves the buffer as it was;
 * - MAX_PAGES stays in range; a page URL keeps the URL and adds one page
 *   parameter; the URL shown in messages has no query. */
#include "fuzz_support.h"
#include "parse.h"

static void check_generated(const char *date) {
  char why[200];
  for (long page = 1; page <= EXTRACT_MOCK_PAGES + 1; page++) {
    char *mock = extract_mock_page(date, page);
    REQUIRE(mock != NULL);
    Buffer lines = {0};
    size_t count = 99;
    REQUIRE(extract_page_lines(mock, strlen(mock), &lines, &count, why, sizeof why));
    REQUIRE(count == (page <= EXTRACT_MOCK_PAGES ? EXTRACT_MOCK_ORDERS : 0));
    REQUIRE(fuzz_check_json_lines(lines.data, lines.len) == count);
    free(lines.data);
    free(mock);
  }
}

static void check_event(const ExtractInput *in) {
  REQUIRE(!*in->source || extract_source_ok(in->source));
  for (const char *p = in->execution_id; *p; p++)
    REQUIRE(*p >= 0x20 && *p <= 0x7e);
  if (!*in->date)
    return;
  char *prefix = extract_prefix("raw/", *in->source ? in->source : "orders", in->date);
  REQUIRE(strstr(prefix, "/ingest_date=") && prefix[strlen(prefix) - 1] == '/');
  REQUIRE(extract_base_ok(prefix));
  char *key = extract_part_key(prefix, 42);
  REQUIRE(strlen(key) == strlen(prefix) + strlen("part-00042.json") &&
          !strcmp(key + strlen(prefix), "part-00042.json"));
  free(key);
  free(prefix);
  check_generated(in->date);
}

static void check_url(const char *text) {
  char *url = extract_page_url(text, 7), *shown = extract_url_for_logs(text);
  REQUIRE(!strncmp(url, text, strlen(text)));
  REQUIRE(!strcmp(url + strlen(text) + 1, "page=7"));
  REQUIRE(!strchr(shown, '?') && !strncmp(shown, text, strlen(shown)));
  free(shown);
  free(url);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = fuzz_text(data, size), why[300];
  json_t *event = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
  ExtractInput in;
  if (extract_read_event(event, &in, why, sizeof why))
    check_event(&in);
  else
    REQUIRE(why[0]);
  json_decref(event);
  Buffer lines = {0};
  size_t count = 0;
  REQUIRE(buffer_append(&lines, "x", 1));
  if (extract_page_lines((const char *)data, size, &lines, &count, why, sizeof why))
    REQUIRE(fuzz_check_json_lines(lines.data + 1, lines.len - 1) == count);
  else
    REQUIRE(lines.len == 1 && why[0]);
  free(lines.data);
  long pages;
  if (extract_read_max_pages(text, &pages))
    REQUIRE(pages >= 1 && pages <= EXTRACT_MAX_PAGES);
  if (extract_base_ok(text))
    REQUIRE(!*text || text[strlen(text) - 1] == '/');
  if (strlen(text) == size) /* no NUL inside: what an environment variable can hold */
    check_url(text);
  free(text);
  return 0;
}
