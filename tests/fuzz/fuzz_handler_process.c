/* libFuzzer target: process's input. The bytes are read as an EventBridge
 * Object Created event and, apart, as the object's CSV. Beyond "no crash, no
 * sanitizer report, no leak":
 * - a key accepted to move is under raw/, has no '.', '..' or empty segment
 *   (but a trailing '/') and no control character, and both destinations
 *   are keys S3 takes;
 * - a refused event's error document is JSON (what the Runtime API gets);
 * - a pinned ETag is one quoted value without quotes, CR or LF inside;
 * - a CSV accepted has the header line exactly, and every other non-empty
 *   line six fields: a timestamp, a service, two whole numbers, two decimals
 *   (checked here line by line, independently of process_csv_problem). */
#include "fuzz_support.h"
#include "parse.h"

#define HEADER "timestamp,service,requests,errors,latency_ms_p50,latency_ms_p99"

static bool segment_is_safe(const char *seg, size_t n) {
  return n > 0 && !(n == 1 && seg[0] == '.') && !(n == 2 && seg[0] == '.' && seg[1] == '.');
}

/* A trailing '/' (a "folder" object, "raw/dir/") is the one empty segment
 * allowed: it addresses nothing else. */
static void check_safe_key(const char *key) {
  REQUIRE(strncmp(key, "raw/", 4) == 0);
  REQUIRE(strlen(key) <= PROCESS_MAX_KEY);
  for (const unsigned char *p = (const unsigned char *)key; *p; p++)
    REQUIRE(*p >= 0x20 && *p != 0x7f);
  for (const char *seg = key; *seg;) {
    const char *slash = strchr(seg, '/');
    REQUIRE(segment_is_safe(seg, slash ? (size_t)(slash - seg) : strlen(seg)));
    if (!slash)
      break;
    seg = slash + 1;
  }
}

static void check_event(json_t *event) {
  ObjectToMove o;
  HandlerError err = {0};
  if (!process_read_event(event, &o, &err)) {
    REQUIRE(err.type[0] != '\0');
    char *body = handler_error_body(&err);
    REQUIRE(body != NULL);
    json_t *doc = json_loads(body, 0, NULL);
    REQUIRE(json_is_string(json_object_get(doc, "errorMessage")));
    json_decref(doc);
    free(body);
    return;
  }
  check_safe_key(o.key);
  REQUIRE(!strcmp(o.processed + strlen("processed/"), o.key + 4));
  REQUIRE(!strcmp(o.quarantine + strlen("quarantine/"), o.key + 4));
  REQUIRE(strlen(o.quarantine) <= PROCESS_MAX_KEY && strlen(o.processed) <= PROCESS_MAX_KEY);
  char pin[PROCESS_ETAG_PIN];
  process_event_etag(o.object, pin);
  size_t n = strlen(pin);
  REQUIRE(n == 0 || (n >= 2 && pin[0] == '"' && pin[n - 1] == '"'));
  REQUIRE(n < 2 || (!strpbrk(pin, "\r\n") && !memchr(pin + 1, '"', n - 2)));
  object_to_move_release(&o);
}

static bool all_digits(const char *s, size_t n, bool one_dot) {
  size_t digits = 0, dots = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '.')
      dots++;
    else if (s[i] >= '0' && s[i] <= '9')
      digits++;
    else
      return false;
  }
  return digits > 0 && dots <= (one_dot ? 1u : 0u);
}

/* One data line (no '\n', no trailing '\r'): the six fields as documented. */
static bool good_row(const char *line, size_t n) {
  const char *field = line, *end = line + n;
  for (int k = 0; k < 6; k++) {
    const char *comma = memchr(field, ',', (size_t)(end - field));
    if ((comma != NULL) != (k < 5))
      return false;
    size_t len = (size_t)((comma ? comma : end) - field);
    bool ok = k == 0 ? len >= 10 : k == 1 ? len > 0 : all_digits(field, len, k >= 4);
    if (!ok)
      return false;
    field += len + 1;
  }
  return true;
}

/* The CSV process accepted, checked line by line. */
static void check_accepted_csv(const char *text) {
  size_t rows = 0, line_no = 0;
  for (const char *line = text; *line;) {
    const char *nl = strchr(line, '\n');
    size_t n = nl ? (size_t)(nl - line) : strlen(line);
    size_t content = n && line[n - 1] == '\r' ? n - 1 : n;
    if (line_no++ == 0)
      REQUIRE(content == strlen(HEADER) && !strncmp(line, HEADER, content));
    else if (content > 0)
      REQUIRE(good_row(line, content)), rows++;
    line += n + (nl ? 1 : 0);
  }
  REQUIRE(rows > 0);
}

static void check_csv(const uint8_t *data, size_t size) {
  char *text = fuzz_text(data, size), why[200];
  const char *problem = process_csv_problem(text, size, why, sizeof why);
  if (problem) {
    json_t *meta = json_string(problem); /* the reason goes into metadata and logs */
    REQUIRE(meta != NULL);
    json_decref(meta);
  } else {
    REQUIRE(!memchr(data, '\0', size));
    check_accepted_csv(text);
  }
  free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  json_t *event = json_loadb((const char *)data, size, 0, NULL);
  if (event)
    check_event(event);
  json_decref(event);
  check_csv(data, size);
  return 0;
}
