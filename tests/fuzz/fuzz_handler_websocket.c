/* libFuzzer target: websocket's input. The bytes are read as API Gateway's
 * WebSocket event, as a message body, as base64 text and as an environment
 * (lines "NAME=value"). Beyond "no crash, no sanitizer report, no leak":
 * - an accepted event has a connection id of base64 characters, and a
 *   callback URL, when it gives one, of https://<host>/<stage> alone;
 * - every message gets a JSON object answer with a "type";
 * - base64 that decodes has the length its padding says, and what
 *   base64_encode makes of any bytes decodes back to them;
 * - env_sole answers an entry's value with the prefix and suffix asked, and
 *   only when exactly one entry has them. */
#include "fuzz_support.h"
#include "parse.h"

static void check_event(json_t *event) {
  WsEvent e;
  char why[300];
  if (!websocket_read_event(event, &e, why, sizeof why)) {
    REQUIRE(why[0]);
    return;
  }
  REQUIRE(websocket_connection_id_ok(e.connection_id));
  REQUIRE(e.route == WS_CONNECT || e.route == WS_DISCONNECT || e.route == WS_MESSAGE);
  REQUIRE(e.connected_at_ms >= 0);
  char *url = websocket_callback_url(&e);
  if (url) {
    REQUIRE(!strncmp(url, "https://", 8));
    const char *slash = strchr(url + 8, '/');
    REQUIRE(slash && slash > url + 8 && slash[1] && !strchr(slash + 1, '/'));
    REQUIRE(!strpbrk(url + 8, "?#@ \\\"%"));
  }
  free(url);
}

static void check_reply(const char *body) {
  char *reply = websocket_reply(body);
  json_t *doc = json_loads(reply, 0, NULL);
  REQUIRE(json_is_object(doc) && json_is_string(json_object_get(doc, "type")));
  json_decref(doc);
  free(reply);
}

static void check_base64(const uint8_t *data, size_t size, const char *text) {
  size_t len;
  char *bytes = base64_decode(text, &len);
  if (bytes) {
    size_t n = strlen(text), pad = n && text[n - 1] == '=' ? 1 + (n > 1 && text[n - 2] == '=') : 0;
    REQUIRE(n % 4 == 0 && len == n / 4 * 3 - pad && bytes[len] == '\0');
    free(bytes);
  }
  char *encoded = fuzz_base64(data, size);
  bytes = base64_decode(encoded, &len);
  REQUIRE(bytes && len == size && !memcmp(bytes, data, size));
  free(bytes);
  free(encoded);
}

/* The text's lines as an environment. */
static void check_env(char *text) {
  char *env[64];
  size_t n = 0;
  for (char *line = strtok(text, "\n"); line && n < 63; line = strtok(NULL, "\n"))
    env[n++] = line;
  env[n] = NULL;
  char why[300];
  const char *value = env_sole(env, "LAKEC_TABLE_", "", why, sizeof why);
  size_t matching = 0;
  for (size_t i = 0; i < n; i++)
    matching += !strncmp(env[i], "LAKEC_TABLE_", 12) && strchr(env[i], '=');
  REQUIRE(value ? matching == 1 : why[0] != '\0');
  if (value)
    REQUIRE(value[-1] == '=');
  value = env_sole(env, "LAKEC_WEBSOCKET_", "_URL", why, sizeof why);
  if (value)
    REQUIRE(value[-1] == '=' && !strncmp(value - 5, "_URL=", 5));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = fuzz_text(data, size);
  json_t *event = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
  check_event(event);
  json_decref(event);
  check_reply(text);
  check_base64(data, size, text);
  check_env(text);
  free(text);
  return 0;
}
