/* libFuzzer target: query's input. The bytes are read as API Gateway's proxy
 * event and, apart, as an Athena GetQueryResults page. Beyond "no crash, no
 * sanitizer report, no leak":
 * - accepted parameters are within their documented ranges: limit 1..1000,
 *   service of the allowed characters, from and to in the normalized form
 *   YYYY-MM-DDTHH:MM:SSZ and from not after to;
 * - the StartQueryExecution body has no quote in its SQL, one '?' per
 *   execution parameter (two for each of from and to: the timestamp and
 *   the partition bound), and each parameter is one quoted literal;
 * - every proxy response (the 400 of a refusal, the 200 with rows) has a
 *   status, headers and a body that reads back as the JSON object it was
 *   built from; CORS names only an allowed origin;
 * - rows from a page are objects, never more than the limit. */
#include "fuzz_support.h"
#include "parse.h"

#define ORIGINS "https://a.example,https://dashboard.example.com"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  setenv("LAKEC_CORS_ORIGINS", ORIGINS, 1);
  return 0;
}

/* The response's body, read back (new reference); its envelope checked. */
static json_t *check_response(json_t *response, int status) {
  REQUIRE(response != NULL);
  json_t *back = fuzz_round_trip(response);
  REQUIRE(json_integer_value(json_object_get(back, "statusCode")) == status);
  json_t *headers = json_object_get(back, "headers");
  REQUIRE(!strcmp(json_string_value(json_object_get(headers, "Content-Type")), "application/json"));
  const char *origin = json_string_value(json_object_get(headers, "Access-Control-Allow-Origin"));
  if (origin) {
    char *list = strdup(ORIGINS), *save = NULL;
    bool listed = false;
    for (char *o = strtok_r(list, ",", &save); o; o = strtok_r(NULL, ",", &save))
      listed = listed || !strcmp(o, origin);
    free(list);
    REQUIRE(listed);
  }
  const char *text = json_string_value(json_object_get(back, "body"));
  REQUIRE(text != NULL);
  json_t *body = json_loads(text, 0, NULL);
  REQUIRE(json_is_object(body));
  json_decref(back);
  json_decref(response);
  return body;
}

static void check_params(const QueryParams *p) {
  REQUIRE(p->limit >= 1 && p->limit <= QUERY_MAX_LIMIT);
  REQUIRE(strlen(p->service) <= 64 && strspn(p->service, "abcdefghijklmnopqrstuvwxyz"
                                                         "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                         "0123456789_-.") == strlen(p->service));
  REQUIRE(!*p->from || fuzz_shaped(p->from, "9999-99-99T99:99:99Z"));
  REQUIRE(!*p->to || fuzz_shaped(p->to, "9999-99-99T99:99:99Z"));
  REQUIRE(!*p->from || !*p->to || strcmp(p->from, p->to) <= 0);
}

static void check_start_body(const QueryParams *p) {
  json_t *body = query_start_body(p, "metrics_dev", "processed", "metrics-dev",
                                  "lakec-query-00000000000000000000");
  REQUIRE(body != NULL);
  const char *sql = json_string_value(json_object_get(body, "QueryString"));
  /* no quote but the time format's: no value is ever a literal of the text */
  const char *format = sql ? strstr(sql, QUERY_TIME_FORMAT) : NULL;
  REQUIRE(format != NULL && strchr(sql, '\'') == format &&
          !strchr(format + strlen(QUERY_TIME_FORMAT), '\''));
  size_t placeholders = 0;
  for (const char *q = strchr(sql, '?'); q; q = strchr(q + 1, '?'))
    placeholders++;
  json_t *params = json_object_get(body, "ExecutionParameters");
  REQUIRE(placeholders == json_array_size(params));
  /* each time bound is a timestamp and a partition bound */
  REQUIRE(placeholders == (*p->service ? 1u : 0u) + (*p->from ? 2u : 0u) + (*p->to ? 2u : 0u));
  size_t i;
  json_t *v;
  json_array_foreach(params, i, v) {
    const char *literal = json_string_value(v);
    size_t n = literal ? strlen(literal) : 0;
    REQUIRE(n >= 2 && literal[0] == '\'' && literal[n - 1] == '\'');
    REQUIRE(!memchr(literal + 1, '\'', n - 2));
  }
  json_decref(body);
}

static void check_event(json_t *event) {
  QueryParams p;
  char why[160];
  const char *problem = query_parse_params(event, &p, why, sizeof why);
  if (problem) {
    json_t *refusal = query_respond(event, 400, json_pack("{s:s}", "error", problem));
    json_t *body = check_response(refusal, 400);
    REQUIRE(json_is_string(json_object_get(body, "error")));
    json_decref(body);
    return;
  }
  check_params(&p);
  check_start_body(&p);
}

static void check_page(json_t *page, long limit) {
  json_t *names = NULL, *rows = json_array();
  query_add_rows(page, &names, rows, limit);
  query_add_rows(page, &names, rows, limit); /* a second page, names known */
  REQUIRE((long)json_array_size(rows) <= limit);
  size_t i;
  json_t *row;
  json_array_foreach(rows, i, row)
    REQUIRE(json_is_object(row)); /* of Athena's values as they came */
  json_t *expected = json_incref(rows);
  json_t *answer = json_pack("{s:o, s:s}", "rows", rows, "query_execution_id", "q");
  json_t *body = check_response(query_respond(page, 200, answer), 200);
  REQUIRE(json_equal(json_object_get(body, "rows"), expected));
  json_decref(body);
  json_decref(expected);
  json_decref(names);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  json_t *doc = json_loadb((const char *)data, size, 0, NULL);
  if (doc) {
    check_event(doc);
    check_page(doc, size % 2 ? QUERY_MAX_LIMIT : 1 + (long)(size % 5));
  }
  json_decref(doc);
  return 0;
}
