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
static const char *const PROCESS[] = {"LAKEC_CRAWLER_*", NULL};
static const char *const QUERY[] = {"LAKEC_CORS_ORIGINS", "LAKEC_DATABASE", "LAKEC_WORKGROUP",
                                    "METRICS_TABLE", NULL};

static const HandlerEnv HANDLERS[] = {
    {"ingest", INGEST},
    {"process", PROCESS},
    {"query", QUERY},
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

bool handler_env_wanted(const char *program, const char *name) {
  const char *const *reads = handler_env_reads(program);
  if (!reads)
    return true;
  for (; *reads; reads++)
    if (name_matches(*reads, name))
      return true;
  return false;
}
