#include "handler_env.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  const char *program;
  const char *const *reads;
} HandlerEnv;

/* Kept honest by tests/unit/test_handler_env.c, which reads each handler's
 * source (its file and its section of parse.c) for the names it looks up. */
static const char *const INGEST[] = {"LAKEC_BUCKET_DATA", "SERVICE_NAME", "METRICS_SOURCE_URL",
                                     NULL};
static const char *const PROCESS[] = {"LAKEC_CRAWLER_*", "LAKEC_DATASET_*", NULL};
static const char *const QUERY[] = {"LAKEC_CORS_ORIGINS", "LAKEC_DATABASE", "LAKEC_WORKGROUP",
                                    "METRICS_TABLE", NULL};

static const char *const NORMALIZE[] = {"S3_BUCKET_NAME", "DYNAMODB_TABLE_NAME", "OUTPUT_PREFIX",
                                        "PROJECT_ID", "ENVIRONMENT", "CLIENT",
                                        "SCAN_SEGMENTS", "NORMALIZE_COLUMNS", NULL};

static const char *const PLANNER[] = {"ENDPOINTS", "PAGES", "PAGES_MAP", "LAKEC_QUEUE_*", NULL};
static const char *const WORKER[] = {"LAKEC_BUCKET_*", "USE_REAL_HTTP", "MAX_RETRIES",
                                     "QPS_SLEEP_MS", "ENDPOINT_MAP", NULL};

/* extract's bucket and prefix come from its one `write` grant (handler_env_sole_grant). */
static const char *const EXTRACT[] = {"LAKEC_WRITE_BUCKET", "LAKEC_WRITE_PREFIX", "SOURCE_NAME",
                                      "SOURCE_API_URL", "MAX_PAGES", "MAX_RETRIES", NULL};
/* telemetry_data writes its Parquet files where its one `write` grant says. */
static const char *const TELEMETRY_DATA[] = {"LAKEC_WRITE_BUCKET", "LAKEC_WRITE_PREFIX", NULL};

/* The dashboard's: the connections table from the one table grant, the
 * consumer's callback URL from its one post_to_connection grant. */
static const char *const WEBSOCKET[] = {"LAKEC_TABLE_*", NULL};
static const char *const CONSUME[] = {"LAKEC_TABLE_*", "LAKEC_WEBSOCKET_*", NULL};
/* The producer's cluster and topic come from its one kafka_write grant;
 * LAKEC_KAFKA_BROKERS and LAKEC_KAFKA_SECURITY are the tests' (a local
 * broker without IAM). */
static const char *const PRODUCE[] = {"LAKEC_KAFKA_TOPIC", "LAKEC_KAFKA_CLUSTER_ARN",
                                      "LAKEC_KAFKA_BROKERS", "LAKEC_KAFKA_SECURITY", NULL};
/* The generator invokes the producer, the function of its one `invoke`
 * grant (LAKEC_FUNCTION_<KEY>). */
static const char *const GENERATE[] = {"BATCH_SIZE", "LAKEC_FUNCTION_*", NULL};

static const HandlerEnv HANDLERS[] = {
    {"ingest", INGEST},
    {"process", PROCESS},
    {"query", QUERY},
    {"normalize", NORMALIZE},
    {"planner", PLANNER},
    {"worker", WORKER},
    {"extract", EXTRACT},
    {"telemetry_data", TELEMETRY_DATA},
    {"websocket", WEBSOCKET},
    {"consume", CONSUME},
    {"produce", PRODUCE},
    {"generate", GENERATE},
};

const char *const *handler_env_reads(const char *program) {
  for (size_t i = 0; i < sizeof HANDLERS / sizeof *HANDLERS; i++)
    if (!strcmp(HANDLERS[i].program, program))
      return HANDLERS[i].reads;
  return NULL;
}

static bool name_matches(const char *pattern, const char *name) {
  size_t n = strlen(pattern);
  if (n && pattern[n - 1] == '*')
    return !strncmp(pattern, name, n - 1);
  return !strcmp(pattern, name);
}

/* ingest's rule for SERVICE_NAME (ingest_service_ok in src/handlers/parse.c):
 * one segment of the object key and one CSV field. The stage file is UTF-8
 * already. */
static const char *service_name_refused(const char *value) {
  size_t n = strlen(value);
  if (n < 1 || n > 128)
    return "ingest takes 1 to 128 bytes";
  for (const unsigned char *p = (const unsigned char *)value; *p; p++)
    if (*p < 0x20 || *p == 0x7f || strchr("/,\"\\", *p))
      return "ingest takes no control characters, '/', ',', '\"' or '\\' (it is a key segment "
             "and a CSV field)";
  if (!strcmp(value, ".") || !strcmp(value, ".."))
    return "'.' and '..' are not key segments";
  return NULL;
}

/* Empty (ingest makes its own record, extract its own orders) or an HTTP(S) URL. */
static const char *source_url_refused(const char *program, const char *value) {
  bool ingest = !strcmp(program, "ingest");
  if (!*value || !strncmp(value, "http://", 7) || !strncmp(value, "https://", 8)) {
    if (strlen(value) <= 2048)
      return NULL;
    return ingest ? "ingest takes URLs of at most 2048 bytes"
                  : "extract takes URLs of at most 2048 bytes";
  }
  return ingest ? "ingest takes an empty value or an http:// or https:// URL"
                : "extract takes an empty value or an http:// or https:// URL";
}

/* normalize's rules (normalize_read_columns and its neighbours in
 * src/handlers/parse.c), said at the stage file's value. */

static bool column_name_ok(const char *s, size_t n) {
  if (n < 1 || n > 128)
    return false;
  for (size_t i = 0; i < n; i++)
    if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
      return false;
  return true;
}

/* Attribute names between dots: none empty, no ',', '=' or control character. */
static bool column_path_ok(const char *s, size_t n) {
  size_t segment = 0, depth = 1;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '.') {
      if (!segment || ++depth > 32)
        return false;
      segment = 0;
    } else if (c < 0x20 || c == 0x7f || c == '=' || ++segment > 255) {
      return false;
    }
  }
  return segment > 0;
}

static const char *columns_refused(const char *value) {
  if (!*value)
    return "normalize needs at least one column ('id,channel=metadata.channel')";
  size_t count = 0;
  for (const char *p = value;; p += strcspn(p, ",") + 1) {
    size_t n = strcspn(p, ","), name = strcspn(p, "=,");
    const char *path = name < n ? p + name + 1 : p;
    if (!column_name_ok(p, name) || !column_path_ok(path, name < n ? n - name - 1 : n))
      return "normalize takes 'name' or 'name=a.b.c' entries separated by ',' (names: 1 to 128 "
             "lowercase letters, digits or '_'; no spaces)";
    for (const char *q = value; q < p; q += strcspn(q, ",") + 1)
      if (strcspn(q, "=,") == name && !strncmp(q, p, name))
        return "normalize takes each column name once";
    if (++count > 1000)
      return "normalize takes at most 1000 columns";
    if (!p[n])
      return NULL;
  }
}

static const char *prefix_refused(const char *value) {
  size_t n = strlen(value);
  if (!n)
    return NULL;
  if (n > 512 || value[n - 1] != '/' || value[0] == '/' || strstr(value, "//") ||
      strstr(value, "/./") || strstr(value, "/../") || !strncmp(value, "./", 2) ||
      !strncmp(value, "../", 3))
    return "normalize takes an empty prefix or one of at most 512 bytes ending in '/', "
           "without '.', '..' or empty segments";
  return NULL;
}

static const char *metadata_refused(const char *value) {
  if (strlen(value) > 256)
    return "normalize writes it as object metadata: at most 256 bytes";
  for (const unsigned char *p = (const unsigned char *)value; *p; p++)
    if (*p < 0x20 || *p > 0x7e)
      return "normalize writes it as object metadata: printable ASCII only";
  return NULL;
}

static const char *segments_refused(const char *value) {
  char *end;
  long n = *value ? strtol(value, &end, 10) : 1;
  if (*value && (*end || n < 1 || n > 1000 || value[0] == '+' || value[0] == ' '))
    return "normalize takes a whole number of scan segments from 1 to 1000";
  return NULL;
}

/* planner's and worker's rules (the planner and worker sections of
 * src/handlers/parse.c), said at the stage file's value. */

static bool endpoint_name_ok(const char *s, size_t n) {
  if (n < 1 || n > 64)
    return false;
  for (size_t i = 0; i < n; i++)
    if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
      return false;
  return true;
}

static const char *endpoints_refused(const char *value) {
  if (!*value)
    return "planner needs at least one endpoint ('api-a,api-b')";
  size_t count = 0;
  for (const char *p = value;; p += strcspn(p, ",") + 1) {
    size_t n = strcspn(p, ",");
    if (!endpoint_name_ok(p, n))
      return "planner takes endpoint names of 1 to 64 lowercase letters, digits or '-', "
             "separated by ','";
    for (const char *q = value; q < p; q += strcspn(q, ",") + 1)
      if (strcspn(q, ",") == n && !strncmp(q, p, n))
        return "planner takes each endpoint once";
    if (++count > 100)
      return "planner takes at most 100 endpoints";
    if (!p[n])
      return NULL;
  }
}

/* extract's SOURCE_NAME (extract_source_ok in src/handlers/parse.c): one
 * segment of the object keys, as a Glue job argument could name it too. */
static const char *source_name_refused(const char *value) {
  size_t n = strlen(value);
  if (!n)
    return NULL; /* then each event names its source */
  if (n > 64 || strspn(value, "abcdefghijklmnopqrstuvwxyz0123456789_-") != n)
    return "extract takes 1 to 64 lowercase letters, digits, '_' or '-' (a segment of its keys)";
  return NULL;
}

/* Empty (the default), or a whole number from min to max without sign or space. */
static bool whole_number_ok(const char *value, long min, long max) {
  if (!*value)
    return true;
  if (strspn(value, "0123456789") != strlen(value) || strlen(value) > 9)
    return false;
  long n = strtol(value, NULL, 10);
  return n >= min && n <= max;
}

void handler_env_lookups(const char *program, const char *name, const char *value,
                         HandlerEnvNeed need, void *user) {
  if (strcmp(program, "planner") != 0 || strcmp(name, "ENDPOINTS") != 0 ||
      endpoints_refused(value))
    return;
  for (const char *p = value; *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] == ',')) {
    char item[65], variable[128];
    size_t n = strcspn(p, ",");
    snprintf(item, sizeof item, "%.*s", (int)n, p);
    int k = snprintf(variable, sizeof variable, "LAKEC_QUEUE_");
    for (size_t i = 0; i < n && k < (int)sizeof variable - 5; i++)
      variable[k++] = p[i] == '-' ? '_' : (char)(p[i] >= 'a' && p[i] <= 'z' ? p[i] - 32 : p[i]);
    snprintf(variable + k, sizeof variable - (size_t)k, "_URL");
    need(user, item, (size_t)(p - value), variable);
  }
}

const char *handler_env_refuses(const char *program, const char *name, const char *value) {
  if (!strcmp(program, "ingest")) {
    if (!strcmp(name, "SERVICE_NAME"))
      return service_name_refused(value);
    if (!strcmp(name, "METRICS_SOURCE_URL"))
      return source_url_refused(program, value);
  }
  if (!strcmp(program, "normalize")) {
    if (!strcmp(name, "NORMALIZE_COLUMNS"))
      return columns_refused(value);
    if (!strcmp(name, "OUTPUT_PREFIX"))
      return prefix_refused(value);
    if (!strcmp(name, "SCAN_SEGMENTS"))
      return segments_refused(value);
    if (!strcmp(name, "PROJECT_ID") || !strcmp(name, "ENVIRONMENT") || !strcmp(name, "CLIENT"))
      return metadata_refused(value);
  }
  if (!strcmp(program, "planner")) {
    if (!strcmp(name, "ENDPOINTS"))
      return endpoints_refused(value);
    if (!strcmp(name, "PAGES") && !whole_number_ok(value, 1, 100000))
      return "planner takes a whole number of pages from 1 to 100000";
  }
  if (!strcmp(program, "worker")) {
    if (!strcmp(name, "USE_REAL_HTTP") && *value && strcmp(value, "true") && strcmp(value, "false"))
      return "worker takes true or false";
    if (!strcmp(name, "MAX_RETRIES") && !whole_number_ok(value, 0, 10))
      return "worker takes a whole number of retries from 0 to 10";
    if (!strcmp(name, "QPS_SLEEP_MS") && !whole_number_ok(value, 0, 60000))
      return "worker takes a whole number of milliseconds from 0 to 60000";
  }
  if (!strcmp(program, "extract")) {
    if (!strcmp(name, "SOURCE_NAME"))
      return source_name_refused(value);
    if (!strcmp(name, "SOURCE_API_URL"))
      return source_url_refused(program, value);
    if (!strcmp(name, "MAX_PAGES") && !whole_number_ok(value, 1, 1000))
      return "extract takes a whole number of pages from 1 to 1000";
    if (!strcmp(name, "MAX_RETRIES") && !whole_number_ok(value, 0, 10))
      return "extract takes a whole number of retries from 0 to 10";
  }
  if (!strcmp(program, "generate") && !strcmp(name, "BATCH_SIZE") &&
      !whole_number_ok(value, 1, 100000))
    return "generate takes a whole number of events from 1 to 100000";
  return NULL;
}

/* Programs whose output location is one grant's: the function must have
 * exactly one grant of the verb; a bucket grant's bucket and prefix become
 * LAKEC_<VERB>_BUCKET and LAKEC_<VERB>_PREFIX, another verb sets its own
 * variables (kafka_write: the cluster and the topic). */
static const struct {
  const char *program, *verb, *target; /* target: the form of the grant's target */
} SOLE_GRANTS[] = {
    {"extract", "write", "BUCKET/PREFIX"},
    {"telemetry_data", "write", "BUCKET/PREFIX"},
    {"produce", "kafka_write", "CLUSTER/TOPIC"},
    {"generate", "invoke", "FUNCTION"},
};

const char *handler_env_sole_grant(const char *program) {
  const char *target;
  return handler_env_sole_grant_target(program, &target);
}

const char *handler_env_sole_grant_target(const char *program, const char **target) {
  for (size_t i = 0; i < sizeof SOLE_GRANTS / sizeof *SOLE_GRANTS; i++)
    if (!strcmp(SOLE_GRANTS[i].program, program)) {
      *target = SOLE_GRANTS[i].target;
      return SOLE_GRANTS[i].verb;
    }
  return NULL;
}

bool handler_env_wanted(const char *program, const char *name) {
  const char *const *reads = handler_env_reads(program);
  if (!reads)
    return true;
  for (; *reads; reads++)
    if (name_matches(*reads, name))
      return true;
  return false;
}
