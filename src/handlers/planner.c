/* planner: once per schedule tick (or on a manual `{}` invoke), plans the
 * day's ingestion: one SQS message {"endpoint","date","page"} for every page
 * of every endpoint of ENDPOINTS (PAGES each, or PAGES_MAP's count), sent to
 * the endpoint's queue (LAKEC_QUEUE_<ENDPOINT>_URL, the send grant's) with
 * SendMessageBatch (JSON 1.0), ten at a time. The date is the scheduled
 * event's own (UTC), so a retried event plans the same pages; the worker's
 * object key is the idempotency key, so a page sent twice is written twice
 * to the same object (the queues are standard: no deduplication id). */
#include "parse.h"
#include "runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH 10          /* SQS's most entries a SendMessageBatch */
#define BATCH_ATTEMPTS 5  /* sends of a batch while entries fail on SQS's side */
#define RETRY_BASE_MS 100

typedef struct Config {
  PlannerEndpoints endpoints;
  char **queues; /* each endpoint's queue URL, borrowed from the environment */
} Config;

/* PAGES for every endpoint, then PAGES_MAP's counts. */
static bool apply_pages(PlannerEndpoints *e, long pages, const char *map, char *why,
                        size_t size) {
  for (size_t i = 0; i < e->count; i++)
    e->pages[i] = pages;
  return planner_read_pages_map(map, e, why, size);
}

/* Each endpoint's queue URL, from the variable its send grant sets. */
static void find_queues(Config *c, HandlerError *err) {
  c->queues = calloc(c->endpoints.count, sizeof *c->queues);
  if (!c->queues)
    abort();
  for (size_t i = 0; i < c->endpoints.count && !err->type[0]; i++) {
    char *name = planner_queue_variable(c->endpoints.names[i]);
    c->queues[i] = getenv(name);
    if (!c->queues[i] || !*c->queues[i])
      handler_fail(err, "Configuration", "%s is not set (a send grant on the queue of "
                   "endpoint %s)", name, c->endpoints.names[i]);
    free(name);
  }
}

static bool read_config(Config *c, HandlerError *err) {
  char why[300];
  long pages;
  memset(c, 0, sizeof *c);
  if (!planner_read_endpoints(getenv("ENDPOINTS"), &c->endpoints, why, sizeof why))
    handler_fail(err, "Configuration", "ENDPOINTS %s", why);
  else if (!planner_read_pages(getenv("PAGES"), &pages))
    handler_fail(err, "Configuration", "PAGES must be a whole number from 1 to %d",
                 PLANNER_MAX_PAGES);
  else if (!apply_pages(&c->endpoints, pages, getenv("PAGES_MAP"), why, sizeof why))
    handler_fail(err, "Configuration", "PAGES_MAP %s", why);
  else
    find_queues(c, err);
  return !err->type[0];
}

static void config_release(Config *c) {
  planner_endpoints_release(&c->endpoints);
  free(c->queues);
}

static void pause_ms(long ms) {
  struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&t, NULL);
}

/* One SendMessageBatch of the entries; the answer, or NULL with err filled. */
static json_t *send_batch(AwsClient *aws, const char *queue, json_t *entries,
                          HandlerError *err) {
  json_t *body = json_pack("{s:s, s:O}", "QueueUrl", queue, "Entries", entries);
  char why[512];
  json_t *answer = aws_json10_call(aws, "sqs", "AmazonSQS", "SendMessageBatch", queue, body, why,
                                   sizeof why);
  json_decref(body);
  if (!answer)
    handler_fail(err, "SQSError", "%s", why);
  return answer;
}

/* The entries of `entries` that SQS lists under Failed, to send again; NULL
 * with err filled when one is the sender's fault (sending it again would
 * fail again). */
static json_t *failed_entries(json_t *answer, json_t *entries, const char *queue,
                              HandlerError *err) {
  json_t *again = json_array(), *failure, *entry;
  size_t i, j;
  json_array_foreach(json_object_get(answer, "Failed"), i, failure) {
    json_t *fault = json_object_get(failure, "SenderFault");
    const char *id = json_string_value(json_object_get(failure, "Id"));
    if (json_is_true(fault) || (json_is_string(fault) && !strcmp(json_string_value(fault), "true"))) {
      handler_fail(err, "SQSError", "SendMessageBatch %s: entry refused: %.200s %.200s", queue,
                   json_string_value(json_object_get(failure, "Code")),
                   json_string_value(json_object_get(failure, "Message")));
      json_decref(again);
      return NULL;
    }
    json_array_foreach(entries, j, entry)
      if (id && !strcmp(id, json_string_value(json_object_get(entry, "Id"))))
        json_array_append(again, entry);
  }
  return again;
}

/* Sends the entries (at most BATCH), again for those SQS fails on its side,
 * with backoff; false with err filled when some remain. */
static bool send_all(AwsClient *aws, const char *queue, json_t *entries, HandlerError *err) {
  json_incref(entries);
  for (int attempt = 0; json_array_size(entries); attempt++) {
    if (attempt == BATCH_ATTEMPTS) {
      handler_fail(err, "SQSError", "SendMessageBatch %s: %zu entries still failing after %d "
                   "attempts", queue, json_array_size(entries), BATCH_ATTEMPTS);
      break;
    }
    if (attempt)
      pause_ms(worker_backoff_ms(attempt - 1, -1, (unsigned)rand()) / 2 + RETRY_BASE_MS);
    json_t *answer = send_batch(aws, queue, entries, err);
    json_t *again = answer ? failed_entries(answer, entries, queue, err) : NULL;
    json_decref(answer);
    json_decref(entries);
    entries = again;
    if (!entries)
      return false;
  }
  json_decref(entries);
  return !err->type[0];
}

/* Every page of one endpoint, BATCH messages a call. */
static bool plan_endpoint(AwsClient *aws, const char *endpoint, long pages, const char *queue,
                          const char *date, HandlerError *err) {
  for (long first = 1; first <= pages; first += BATCH) {
    json_t *entries = json_array();
    for (long page = first; page < first + BATCH && page <= pages; page++) {
      char *body = planner_message(endpoint, date, page), id[24];
      snprintf(id, sizeof id, "p%ld", page);
      json_array_append_new(entries, json_pack("{s:s, s:s}", "Id", id, "MessageBody", body));
      free(body);
    }
    bool ok = send_all(aws, queue, entries, err);
    json_decref(entries);
    if (!ok)
      return false;
  }
  return true;
}

static json_t *handle(AwsClient *aws, const Invocation *inv, HandlerError *err) {
  if (!json_is_object(inv->event))
    return handler_fail(err, "InvalidEvent", "the event must be a JSON object");
  Config cfg;
  bool ok = read_config(&cfg, err);
  struct tm tm;
  if (!ingest_event_time(inv->event, &tm)) {
    time_t now = time(NULL);
    gmtime_r(&now, &tm);
  }
  char date[PLANNER_DATE];
  planner_date_text(&tm, date);
  json_t *counts = json_object();
  for (size_t i = 0; ok && i < cfg.endpoints.count; i++) {
    ok = plan_endpoint(aws, cfg.endpoints.names[i], cfg.endpoints.pages[i], cfg.queues[i],
                       date, err);
    if (ok)
      json_object_set_new(counts, cfg.endpoints.names[i],
                          json_integer(cfg.endpoints.pages[i]));
  }
  config_release(&cfg);
  if (!ok) {
    json_decref(counts);
    return NULL;
  }
  return json_pack("{s:s, s:o}", "date", date, "messages", counts);
}

int main(int argc, char **argv) { return runtime_main(argc, argv, "planner", handle); }
