/* consume: the dashboard's consumer, fed by an MSK event source mapping.
 * The batch's records become a few messages (consume_read_event: records
 * share a message up to one 32 KB WebSocket frame), and each message is
 * posted to every connection of the connections table (a paged Scan of
 * connectionId) with PostToConnection.
 * - A connection that answers 410 Gone is deleted from the table.
 * - Throttling, 5xx and network errors are retried by the client (3
 *   attempts, backoff with jitter); what still fails is counted. One bad
 *   connection never fails the batch: the event source would retry the
 *   batch and stall the partition.
 * - Posting stops DEADLINE_MARGIN_MS before the invocation's deadline; the
 *   posts left are counted as unsent.
 * Answers {"records", "skipped", "messages", "connections", "sent", "stale",
 * "failed", "unsent"}: sent, failed and unsent count posts (a message to a
 * connection), stale the connections found gone.
 * The table is the function's one LAKEC_TABLE_<KEY> (its table grants), the
 * callback URL its one LAKEC_WEBSOCKET_<KEY>_URL (wsapi.h names the
 * override). */
#include "dynamo.h"
#include "fetch.h"
#include "parse.h"
#include "runtime.h"
#include "wsapi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCAN_PAGE 1000
#define POST_ATTEMPTS 3
#define DEADLINE_MARGIN_MS 5000

extern char **environ;

typedef struct Fanout {
  AwsClient *aws;
  const char *table, *base;
  long long deadline_ms; /* 0: none (a local run) */
  const ConsumeBatch *batch;
  size_t sent, stale, failed, unsent;
} Fanout;

static bool read_config(const char **table, const char **callback, HandlerError *err) {
  char why[300];
  *table = env_sole(environ, "LAKEC_TABLE_", "", why, sizeof why);
  if (!*table)
    handler_fail(err, "Configuration", "the connections table: %s", why);
  else if (!(*callback = wsapi_base_url(env_sole(environ, "LAKEC_WEBSOCKET_", "_URL", why,
                                                 sizeof why))))
    handler_fail(err, "Configuration", "the WebSocket API's callback URL: %s", why);
  return !err->type[0];
}

static bool out_of_time(const Fanout *f) {
  return f->deadline_ms && fetch_now_ms() + DEADLINE_MARGIN_MS >= f->deadline_ms;
}

/* A gone connection leaves the table; failing to delete it only costs a
 * 410 next time. */
static void forget(Fanout *f, const char *id) {
  char why[512];
  json_t *key = json_pack("{s:{s:s}}", "connectionId", "S", id);
  if (!dynamo_delete_item(f->aws, f->table, key, why, sizeof why))
    fprintf(stderr, "consume: connection %s is gone, but %s\n", id, why);
  json_decref(key);
  f->stale++;
}

/* Every message to one connection, until it turns out gone. */
static void send_all(Fanout *f, const char *id) {
  for (size_t m = 0; m < f->batch->count; m++) {
    if (out_of_time(f)) {
      f->unsent += f->batch->count - m;
      return;
    }
    AwsResponse resp;
    const char *text = f->batch->messages[m];
    long status = wsapi_post(f->aws, f->base, id, text, strlen(text), POST_ATTEMPTS, &resp);
    if (status == 410) {
      aws_response_release(&resp);
      forget(f, id);
      return;
    }
    if (status >= 200 && status <= 299) {
      f->sent++;
    } else {
      f->failed++;
      fprintf(stderr, "consume: posting to %s: %s %.200s\n", id, status ? "HTTP" : resp.error,
              status ? resp.body : "");
    }
    aws_response_release(&resp);
  }
}

static json_t *summary(const Fanout *f, size_t connections) {
  return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "records",
                   (json_int_t)f->batch->records, "skipped", (json_int_t)f->batch->skipped,
                   "messages", (json_int_t)f->batch->count, "connections",
                   (json_int_t)connections, "sent", (json_int_t)f->sent, "stale",
                   (json_int_t)f->stale, "failed", (json_int_t)f->failed, "unsent",
                   (json_int_t)f->unsent);
}

static json_t *fan_out(Fanout *f, HandlerError *err) {
  DynamoStrings ids = {0};
  unsigned pages = 0;
  char why[512];
  if (f->batch->count &&
      !dynamo_scan_strings(f->aws, f->table, "connectionId", SCAN_PAGE, &ids, &pages, why,
                           sizeof why))
    return handler_fail(err, "DynamoDBError", "%s", why);
  for (size_t i = 0; i < ids.len; i++)
    send_all(f, ids.items[i]);
  json_t *result = summary(f, ids.len);
  dynamo_strings_release(&ids);
  return result;
}

static json_t *handle(AwsClient *aws, const Invocation *inv, HandlerError *err) {
  ConsumeBatch batch;
  const char *table = NULL, *base = NULL;
  char why[300];
  if (!consume_read_event(inv->event, &batch, why, sizeof why))
    return handler_fail(err, "InvalidEvent", "%s", why);
  json_t *result = NULL;
  if (read_config(&table, &base, err)) {
    Fanout f = {.aws = aws, .table = table, .base = base, .deadline_ms = inv->deadline_ms,
                .batch = &batch};
    result = fan_out(&f, err);
  }
  consume_batch_release(&batch);
  return result;
}

int main(int argc, char **argv) { return runtime_main(argc, argv, "consume", handle); }
