/* handler_env: the table of what lakec's handler programs read from their
 * environment agrees with their sources (each program's file and its
 * section of parse.c), and decides which of lakec's variables a function
 * gets. */
#include "support.h"

#include "handler_env.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NAMES 32

typedef struct {
  char *names[MAX_NAMES];
  size_t len;
} Names;

static void add_name(Names *n, const char *start, size_t len, bool prefix) {
  char *name = malloc(len + 2);
  assert_non_null(name);
  memcpy(name, start, len);
  strcpy(name + len, prefix ? "*" : "");
  for (size_t i = 0; i < n->len; i++)
    if (!strcmp(n->names[i], name)) {
      free(name);
      return;
    }
  assert_true(n->len < MAX_NAMES);
  n->names[n->len++] = name;
}

/* The length of an environment name at s ([A-Z0-9_]+ then '"'), or 0. */
static size_t name_literal(const char *s) {
  size_t len = 0;
  while (isupper((unsigned char)s[len]) || isdigit((unsigned char)s[len]) || s[len] == '_')
    len++;
  return s[len] == '"' ? len : 0;
}

/* Names the source looks up: getenv("NAME"), and "LAKEC_..._" literals it
 * compares with the start of environment entries (a prefix, "..._*"). */
static Names names_read_by(const char *source) {
  Names n = {0};
  for (const char *p = strstr(source, "getenv(\""); p; p = strstr(p + 1, "getenv(\"")) {
    size_t len = name_literal(p + 8);
    if (len)
      add_name(&n, p + 8, len, false);
  }
  for (const char *p = strstr(source, "\"LAKEC_"); p; p = strstr(p + 1, "\"LAKEC_")) {
    size_t len = name_literal(p + 1);
    if (len && p[len] == '_')
      add_name(&n, p + 1, len, true);
  }
  return n;
}

/* The program's own file, then its section of parse.c (the input handling
 * the fuzz targets share, one "---- PROGRAM ----" section a program; a
 * program that takes no untrusted input, like telemetry_data, has none). */
static Names names_read_by_program(const char *program) {
  char rel[64], header[64];
  snprintf(rel, sizeof rel, "src/handlers/%s.c", program);
  char *source = read_source_file(rel), *parse = read_source_file("src/handlers/parse.c");
  assert_non_null(source);
  assert_non_null(parse);
  snprintf(header, sizeof header, "/* ---- %s ---- */", program);
  char *section = strstr(parse, header);
  if (section) {
    char *end = strstr(section + strlen(header), "/* ---- ");
    if (end)
      *end = '\0';
  } else {
    section = parse + strlen(parse); /* none: the empty string */
  }
  size_t n = strlen(source);
  source = realloc(source, n + strlen(section) + 1);
  assert_non_null(source);
  strcpy(source + n, section);
  free(parse);
  Names read = names_read_by(source);
  free(source);
  return read;
}

static void check_program(const char *program) {
  Names read = names_read_by_program(program);
  const char *const *table = handler_env_reads(program);
  assert_non_null(table);
  size_t listed = 0;
  for (; table[listed]; listed++) {
    bool found = false;
    for (size_t i = 0; i < read.len; i++)
      found = found || !strcmp(read.names[i], table[listed]);
    if (!found)
      fail_msg("handler_env lists %s for %s, which its source does not read", table[listed], program);
  }
  for (size_t i = 0; i < read.len; i++) {
    if (!handler_env_wanted(program, read.names[i]))
      fail_msg("%s reads %s, which handler_env does not list", program, read.names[i]);
    free(read.names[i]);
  }
  assert_int_equal(listed, read.len);
}

static void the_table_matches_the_handler_sources(void **state) {
  (void)state;
  check_program("ingest");
  check_program("process");
  check_program("query");
  check_program("normalize");
  check_program("planner");
  check_program("worker");
  check_program("extract");
  check_program("telemetry_data");
  check_program("websocket");
  check_program("consume");
  check_program("generate");
}

static void lakec_variables_go_only_where_they_are_read(void **state) {
  (void)state;
  assert_true(handler_env_wanted("process", "LAKEC_CRAWLER_PROCESSED"));
  assert_false(handler_env_wanted("process", "LAKEC_BUCKET_DATA"));
  assert_false(handler_env_wanted("query", "LAKEC_STAGE"));
  assert_true(handler_env_wanted("query", "LAKEC_WORKGROUP"));
  assert_true(handler_env_wanted("planner", "LAKEC_QUEUE_API_A_URL"));
  assert_false(handler_env_wanted("planner", "LAKEC_BUCKET_RAW"));
  assert_true(handler_env_wanted("worker", "LAKEC_BUCKET_RAW"));
  assert_false(handler_env_wanted("worker", "LAKEC_QUEUE_API_A_URL"));
  assert_true(handler_env_wanted("extract", "LAKEC_WRITE_BUCKET"));
  assert_true(handler_env_wanted("extract", "LAKEC_WRITE_PREFIX"));
  assert_false(handler_env_wanted("extract", "LAKEC_BUCKET_BRONZE"));
  assert_string_equal(handler_env_sole_grant("extract"), "write");
  assert_null(handler_env_sole_grant("worker"));
  assert_true(handler_env_wanted("telemetry_data", "LAKEC_WRITE_PREFIX"));
  assert_false(handler_env_wanted("telemetry_data", "LAKEC_BUCKET_DATA"));
  assert_string_equal(handler_env_sole_grant("telemetry_data"), "write");
  assert_true(handler_env_wanted("generate", "LAKEC_FUNCTION_PRODUCER"));
  assert_true(handler_env_wanted("generate", "BATCH_SIZE"));
  assert_false(handler_env_wanted("generate", "LAKEC_TABLE_CONNECTIONS"));
  const char *target = NULL;
  assert_string_equal(handler_env_sole_grant_target("generate", &target), "invoke");
  assert_string_equal(target, "FUNCTION");
  assert_string_equal(handler_env_sole_grant_target("produce", &target), "kafka_write");
  assert_string_equal(target, "CLUSTER/TOPIC");
  /* a program lakec does not know gets all of them */
  assert_null(handler_env_reads("mine"));
  assert_true(handler_env_wanted("mine", "LAKEC_STAGE"));
}

static void values_a_handler_would_refuse_are_refused_first(void **state) {
  (void)state;
  char long_name[130];
  memset(long_name, 'a', 129);
  long_name[129] = '\0';
  assert_null(handler_env_refuses("ingest", "SERVICE_NAME", "metris_api"));
  assert_null(handler_env_refuses("ingest", "SERVICE_NAME", long_name + 1)); /* 128 */
  assert_non_null(handler_env_refuses("ingest", "SERVICE_NAME", long_name)); /* 129 */
  assert_non_null(handler_env_refuses("ingest", "SERVICE_NAME", ""));
  assert_non_null(handler_env_refuses("ingest", "SERVICE_NAME", "a/b"));
  assert_non_null(handler_env_refuses("ingest", "SERVICE_NAME", "a,b"));
  assert_non_null(handler_env_refuses("ingest", "SERVICE_NAME", ".."));
  assert_null(handler_env_refuses("ingest", "METRICS_SOURCE_URL", ""));
  assert_null(handler_env_refuses("ingest", "METRICS_SOURCE_URL", "https://metrics.example/m"));
  assert_non_null(handler_env_refuses("ingest", "METRICS_SOURCE_URL", "file:///etc/passwd"));
  assert_null(handler_env_refuses("planner", "ENDPOINTS", "api-a,api-b,api-c,api-d"));
  assert_non_null(handler_env_refuses("planner", "ENDPOINTS", ""));
  assert_non_null(handler_env_refuses("planner", "ENDPOINTS", "api-a,,api-b"));
  assert_non_null(handler_env_refuses("planner", "ENDPOINTS", "api-a,api-a"));
  assert_non_null(handler_env_refuses("planner", "ENDPOINTS", "API_A"));
  assert_null(handler_env_refuses("planner", "PAGES", "12"));
  assert_non_null(handler_env_refuses("planner", "PAGES", "0"));
  assert_null(handler_env_refuses("worker", "USE_REAL_HTTP", "false"));
  assert_non_null(handler_env_refuses("worker", "USE_REAL_HTTP", "yes"));
  assert_null(handler_env_refuses("worker", "MAX_RETRIES", "0"));
  assert_non_null(handler_env_refuses("worker", "MAX_RETRIES", "11"));
  assert_null(handler_env_refuses("worker", "QPS_SLEEP_MS", "250"));
  assert_non_null(handler_env_refuses("worker", "QPS_SLEEP_MS", "-1"));
  assert_null(handler_env_refuses("extract", "SOURCE_NAME", "orders"));
  assert_null(handler_env_refuses("extract", "SOURCE_NAME", ""));
  assert_non_null(handler_env_refuses("extract", "SOURCE_NAME", "Orders"));
  assert_non_null(handler_env_refuses("extract", "SOURCE_NAME", "a/b"));
  assert_null(handler_env_refuses("extract", "SOURCE_API_URL", ""));
  assert_null(handler_env_refuses("extract", "SOURCE_API_URL", "https://api.example/orders"));
  assert_non_null(handler_env_refuses("extract", "SOURCE_API_URL", "ftp://api.example/"));
  assert_null(handler_env_refuses("extract", "MAX_PAGES", "100"));
  assert_non_null(handler_env_refuses("extract", "MAX_PAGES", "0"));
  assert_null(handler_env_refuses("extract", "MAX_PAGES", "1000"));
  assert_non_null(handler_env_refuses("extract", "MAX_PAGES", "1001"));
  assert_non_null(handler_env_refuses("extract", "MAX_RETRIES", "11"));
  assert_null(handler_env_refuses("generate", "BATCH_SIZE", "1000"));
  assert_null(handler_env_refuses("generate", "BATCH_SIZE", "100000"));
  assert_null(handler_env_refuses("generate", "BATCH_SIZE", "")); /* the default */
  assert_non_null(handler_env_refuses("generate", "BATCH_SIZE", "0"));
  assert_non_null(handler_env_refuses("generate", "BATCH_SIZE", "100001"));
  assert_non_null(handler_env_refuses("generate", "BATCH_SIZE", "1e3"));
  /* another program's variable of the same name is its own business */
  assert_null(handler_env_refuses("mine", "SERVICE_NAME", ""));
}

/* A function running extract gets the bucket and the prefix of its one
 * write grant, and none of the other lakec variables. */
static void extract_learns_its_write_grant(void **state) {
  (void)state;
  Ctx ctx;
  ctx_init(&ctx);
  Ir *ir = lower_text(&ctx, MINIMAL_STAGE "buckets: {bronze: {name: demo-bronze-dev}, "
                                          "config: {name: demo-config-dev}}\n"
                                          "functions:\n  loader:\n    handler: extract\n"
                                          "    grants: [{read: config/sources/}, {write: bronze/raw/}]\n");
  json_t *vars = res_get(ir, "LoaderFunction", "Properties.Environment.Variables");
  assert_non_null(vars);
  assert_string_equal(json_text(&ctx, vars),
                      "{\"LAKEC_WRITE_BUCKET\":{\"Ref\":\"BronzeBucket\"},"
                      "\"LAKEC_WRITE_PREFIX\":\"raw/\"}");
  ir_free(ir);
  ctx_release(&ctx);
}

/* So does the telemetry data generator (seed 004's lake under data/). */
static void telemetry_data_learns_its_write_grant(void **state) {
  (void)state;
  Ctx ctx;
  ctx_init(&ctx);
  Ir *ir = lower_text(&ctx, MINIMAL_STAGE "buckets: {lake: {name: acme-telemetry-data-dev}}\n"
                                          "functions:\n  seed-data:\n    handler: telemetry_data\n"
                                          "    grants: [{write: lake/data/}]\n");
  json_t *vars = res_get(ir, "SeedDataFunction", "Properties.Environment.Variables");
  assert_non_null(vars);
  assert_string_equal(json_text(&ctx, vars),
                      "{\"LAKEC_WRITE_BUCKET\":{\"Ref\":\"LakeBucket\"},"
                      "\"LAKEC_WRITE_PREFIX\":\"data/\"}");
  ir_free(ir);
  ctx_release(&ctx);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(the_table_matches_the_handler_sources),
      cmocka_unit_test(lakec_variables_go_only_where_they_are_read),
      cmocka_unit_test(values_a_handler_would_refuse_are_refused_first),
      cmocka_unit_test(extract_learns_its_write_grant),
      cmocka_unit_test(telemetry_data_learns_its_write_grant),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
