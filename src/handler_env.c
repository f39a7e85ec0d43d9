#include "handler_env.h"

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

static const HandlerEnv HANDLERS[] = {
    {"ingest", INGEST},
    {"process", PROCESS},
    {"query", QUERY},
    {"normalize", NORMALIZE},
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

/* Empty (ingest makes its own record) or an HTTP(S) URL. */
static const char *source_url_refused(const char *value) {
  if (!*value || !strncmp(value, "http://", 7) || !strncmp(value, "https://", 8))
    return strlen(value) > 2048 ? "ingest takes URLs of at most 2048 bytes" : NULL;
  return "ingest takes an empty value or an http:// or https:// URL";
}

const char *handler_env_refuses(const char *program, const char *name, const char *value) {
  if (strcmp(program, "ingest") != 0)
    return NULL;
  if (!strcmp(name, "SERVICE_NAME"))
    return service_name_refused(value);
  if (!strcmp(name, "METRICS_SOURCE_URL"))
    return source_url_refused(value);
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
