/* libFuzzer target: worker's input. The bytes are read as a message body,
 * as a page's answer, as ENDPOINT_MAP, MAX_RETRIES and QPS_SLEEP_MS. Beyond "no crash,
 * no sanitizer report, no leak":
 * - an accepted body gives a key of the documented shape and a mock page
 *   that becomes JSON Lines of WORKER_MOCK_ITEMS lines;
 * - accepted JSON Lines are lines of JSON objects only; a refusal leaves the
 *   buffer as it was;
 * - gzip output inflates back to the same bytes;
 * - backoff stays within its bounds. */
#include "fuzz_support.h"
#include "parse.h"

#include <zlib.h>

static void check_gzip(const char *data, size_t len) {
  Buffer gz = {0};
  REQUIRE(worker_gzip(data, len, &gz));
  REQUIRE(gz.len >= 18 && (unsigned char)gz.data[0] == 0x1f && (unsigned char)gz.data[1] == 0x8b);
  unsigned char *back = malloc(len + 1);
  z_stream z;
  memset(&z, 0, sizeof z);
  REQUIRE(inflateInit2(&z, 15 + 16) == Z_OK);
  z.next_in = (Bytef *)gz.data;
  z.avail_in = (uInt)gz.len;
  z.next_out = back;
  z.avail_out = (uInt)len + 1;
  REQUIRE(inflate(&z, Z_FINISH) == Z_STREAM_END && z.total_out == len);
  REQUIRE(len == 0 || !memcmp(back, data, len));
  inflateEnd(&z);
  free(back);
  free(gz.data);
}

static void check_request(const PageRequest *p) {
  char *key = worker_key(p), prefix[200];
  snprintf(prefix, sizeof prefix, "raw/source=%s/ingestion_date=%s/page=", p->endpoint, p->date);
  REQUIRE(!strncmp(key, prefix, strlen(prefix)));
  REQUIRE(strlen(key) == strlen(prefix) + 6 + 8 && !strcmp(key + strlen(key) - 8, ".json.gz"));
  free(key);
  char *mock = worker_mock_payload(p), why[200];
  Buffer lines = {0};
  REQUIRE(worker_json_lines(mock, strlen(mock), &lines, why, sizeof why));
  REQUIRE(fuzz_check_json_lines(lines.data, lines.len) == WORKER_MOCK_ITEMS);
  free(lines.data);
  free(mock);
  char *url = worker_page_url("https://api.example/v1", p);
  REQUIRE(!strncmp(url, "https://api.example/v1?date=", 28));
  free(url);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = fuzz_text(data, size), why[300];
  PageRequest p;
  if (worker_parse_message((const char *)data, size, &p, why, sizeof why))
    check_request(&p);
  Buffer lines = {0};
  REQUIRE(buffer_append(&lines, "x", 1));
  if (worker_json_lines((const char *)data, size, &lines, why, sizeof why))
    fuzz_check_json_lines(lines.data + 1, lines.len - 1);
  else
    REQUIRE(lines.len == 1 && why[0]);
  free(lines.data);
  check_gzip((const char *)data, size);
  json_t *map = NULL;
  if (worker_read_endpoint_map(text, &map, why, sizeof why))
    REQUIRE(json_is_object(map));
  else
    REQUIRE(map == NULL && why[0]);
  json_decref(map);
  long pause;
  if (worker_read_qps_sleep(text, &pause))
    REQUIRE(pause >= 0 && pause <= WORKER_MAX_QPS_SLEEP_MS);
  int retries;
  if (worker_read_max_retries(text, &retries))
    REQUIRE(retries >= 0 && retries <= WORKER_MAX_RETRIES);
  for (int attempt = 0; attempt < 40; attempt += 7) {
    unsigned random = size >= 4 ? (unsigned)data[0] << 24 | data[1] << 16 | data[2] << 8 | data[3] : 7;
    long ms = worker_backoff_ms(attempt, size ? (long)data[0] - 128 : -1, random);
    REQUIRE(ms >= 0 && ms <= WORKER_MAX_DELAY_MS);
  }
  free(text);
  return 0;
}
