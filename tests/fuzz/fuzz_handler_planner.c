/* libFuzzer target: planner's input. The bytes are read as ENDPOINTS, as
 * PAGES and, after a fixed ENDPOINTS, as PAGES_MAP. Beyond "no crash, no
 * sanitizer report, no leak":
 * - accepted endpoints are valid names, each once, each with one page;
 * - every endpoint's queue variable is LAKEC_QUEUE_ and [A-Z0-9_] then _URL;
 * - a message for an accepted endpoint reads back through the worker's
 *   strict parser as the same endpoint, date and page;
 * - a refused PAGES_MAP says why; an accepted one keeps pages in range. */
#include "fuzz_support.h"
#include "parse.h"

#include <ctype.h>

static void check_message(const char *endpoint, long page) {
  char *m = planner_message(endpoint, "2026-02-28", page), why[200];
  PageRequest p;
  REQUIRE(worker_parse_message(m, strlen(m), &p, why, sizeof why));
  REQUIRE(!strcmp(p.endpoint, endpoint) && !strcmp(p.date, "2026-02-28") && p.page == page);
  free(m);
}

static void check_endpoints(const PlannerEndpoints *e) {
  REQUIRE(e->count >= 1 && e->count <= PLANNER_MAX_ENDPOINTS);
  for (size_t i = 0; i < e->count; i++) {
    REQUIRE(planner_endpoint_ok(e->names[i]) && e->pages[i] == 1);
    for (size_t j = 0; j < i; j++)
      REQUIRE(strcmp(e->names[i], e->names[j]));
    char *var = planner_queue_variable(e->names[i]);
    size_t n = strlen(var);
    REQUIRE(!strncmp(var, "LAKEC_QUEUE_", 12) && n > 16 && !strcmp(var + n - 4, "_URL"));
    for (const char *p = var; *p; p++)
      REQUIRE(isupper((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_');
    free(var);
    check_message(e->names[i], PLANNER_MAX_PAGES);
  }
}

static void check_pages_map(const char *text) {
  PlannerEndpoints e;
  char why[300] = "";
  REQUIRE(planner_read_endpoints("api-a,api-b,api-c,api-d", &e, why, sizeof why));
  if (planner_read_pages_map(text, &e, why, sizeof why))
    for (size_t i = 0; i < e.count; i++)
      REQUIRE(e.pages[i] >= 1 && e.pages[i] <= PLANNER_MAX_PAGES);
  else
    REQUIRE(why[0]);
  planner_endpoints_release(&e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = fuzz_text(data, size), why[300];
  PlannerEndpoints e;
  if (planner_read_endpoints(text, &e, why, sizeof why)) {
    check_endpoints(&e);
    planner_endpoints_release(&e);
  } else {
    REQUIRE(e.count == 0 && why[0]);
  }
  long pages;
  if (planner_read_pages(text, &pages))
    REQUIRE(pages >= 1 && pages <= PLANNER_MAX_PAGES);
  check_pages_map(text);
  free(text);
  return 0;
}
