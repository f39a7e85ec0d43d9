/* query: answers API Gateway's proxy event for GET /metrics. The query string
 * (service, from, to, limit) is validated (400 with a JSON error otherwise);
 * the values go to Athena as execution parameters, never into the SQL text,
 * and from/to also bound the hour partitions so Athena reads only those;
 * the query runs in the stage's workgroup and is polled with backoff up to the
 * invocation's deadline (504, and the query stopped, when it runs out; 502
 * when Athena fails it). Rows come back as JSON objects, with CORS headers. */
#include "parse.h"
#include "runtime.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#define ATHENA_PAGE 1000 /* the most rows GetQueryResults gives in one call */

static json_t *bad_request(json_t *event, const char *message) {
  return query_respond(event, 400, json_pack("{s:s}", "error", message));
}

/* ---- Athena ---- */

static long long now_ms(void) {
  struct timeval tv;
  gettimeofday(&tv, NULL);
  return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static json_t *athena(AwsClient *aws, const char *action, json_t *body, long *status) {
  char target[64];
  snprintf(target, sizeof target, "AmazonAthena.%s", action);
  json_t *out = NULL;
  AwsResponse resp;
  *status = aws_json_call(aws, "athena", target, body, &out, &resp);
  aws_response_release(&resp);
  json_decref(body);
  return out;
}

static json_t *start_query(AwsClient *aws, const QueryParams *p, const char *db,
                           const char *table, const char *workgroup, const char *token,
                           long *status) {
  return athena(aws, "StartQueryExecution", query_start_body(p, db, table, workgroup, token),
                status);
}

/* Polls until the query ends or the deadline nears: "SUCCEEDED", "FAILED",
 * "CANCELLED", or "TIMEOUT". *reason gets Athena's explanation (new ref). */
static const char *wait_for(AwsClient *aws, const char *id, long long deadline, json_t **reason) {
  long delay = 100;
  for (;;) {
    long status;
    json_t *out = athena(aws, "GetQueryExecution", json_pack("{s:s}", "QueryExecutionId", id), &status);
    json_t *st = json_object_get(json_object_get(out, "QueryExecution"), "Status");
    const char *state = json_string_value(json_object_get(st, "State"));
    const char *ended = NULL;
    if (status != 200 || !state)
      ended = "FAILED";
    else if (!strcmp(state, "SUCCEEDED") || !strcmp(state, "FAILED") || !strcmp(state, "CANCELLED"))
      ended = !strcmp(state, "SUCCEEDED") ? "SUCCEEDED" : !strcmp(state, "FAILED") ? "FAILED" : "CANCELLED";
    if (ended) {
      *reason = json_incref(json_object_get(st, "StateChangeReason"));
      json_decref(out);
      return ended;
    }
    json_decref(out);
    if (now_ms() + delay > deadline)
      return "TIMEOUT";
    struct timespec pause = {delay / 1000, (delay % 1000) * 1000000L};
    nanosleep(&pause, NULL);
    delay = delay * 2 > 1000 ? 1000 : delay * 2;
  }
}

/* Up to `limit` rows, page by page: Athena gives at most 1000 a call, the
 * first of them the column names. NULL when a page could not be had. */
static json_t *fetch_rows(AwsClient *aws, const char *id, long limit) {
  json_t *out = json_array(), *names = NULL;
  const char *token = NULL;
  json_t *page = NULL;
  do {
    long want = limit - (long)json_array_size(out) + (names ? 0 : 1);
    json_t *body = json_pack("{s:s, s:I}", "QueryExecutionId", id, "MaxResults",
                             (json_int_t)(want > ATHENA_PAGE ? ATHENA_PAGE : want));
    if (token)
      json_object_set_new(body, "NextToken", json_string(token));
    long status;
    json_t *next = athena(aws, "GetQueryResults", body, &status);
    json_decref(page);
    page = next;
    if (status != 200) {
      json_decref(page), json_decref(names), json_decref(out);
      return NULL;
    }
    query_add_rows(page, &names, out, limit);
    token = json_string_value(json_object_get(page, "NextToken"));
  } while (token && (long)json_array_size(out) < limit);
  json_decref(page);
  json_decref(names);
  return out;
}

static json_t *handle(AwsClient *aws, const Invocation *inv, HandlerError *err) {
  json_t *event = inv->event;
  if (!json_is_object(event))
    return handler_fail(err, "InvalidEvent", "the event must be an API Gateway proxy event");
  const char *db = getenv("LAKEC_DATABASE"), *workgroup = getenv("LAKEC_WORKGROUP");
  const char *table = getenv("METRICS_TABLE") ? getenv("METRICS_TABLE") : "processed";
  if (!db || !workgroup)
    return handler_fail(err, "Configuration", "LAKEC_DATABASE and LAKEC_WORKGROUP must be set");
  for (const char *t = table; *t; t++)
    if (!isalnum((unsigned char)*t) && *t != '_')
      return handler_fail(err, "Configuration", "METRICS_TABLE must be letters, digits, '_'");
  QueryParams p;
  char why[160];
  const char *problem = query_parse_params(event, &p, why, sizeof why);
  if (problem)
    return bad_request(event, problem);
  long status;
  /* 32 to 128 characters, the same for every attempt of this invocation */
  char *token = handler_strf("lakec-query-%-20.100s", inv->request_id ? inv->request_id : "");
  for (char *t = token; *t; t++)
    if (*t == ' ')
      *t = '0';
  json_t *started = start_query(aws, &p, db, table, workgroup, token, &status);
  free(token);
  const char *id = json_string_value(json_object_get(started, "QueryExecutionId"));
  if (status != 200 || !id) {
    json_decref(started);
    return query_respond(event, 502,
                         json_pack("{s:s, s:i}", "error", "Athena did not start the query",
                                   "status", (int)status));
  }
  long long deadline = inv->deadline_ms ? inv->deadline_ms - 1500 : now_ms() + 25000;
  json_t *reason = NULL;
  const char *state = wait_for(aws, id, deadline, &reason);
  json_t *answer;
  if (!strcmp(state, "TIMEOUT")) {
    json_decref(athena(aws, "StopQueryExecution", json_pack("{s:s}", "QueryExecutionId", id), &status));
    answer = query_respond(event, 504,
                           json_pack("{s:s, s:s}", "error", "the query did not finish in time",
                                     "query_execution_id", id));
  } else if (strcmp(state, "SUCCEEDED") != 0) {
    /* Athena's reason names tables and columns: it goes to the log, not to
     * whoever called the API */
    fprintf(stderr, "query %s %s: %s\n", id, state,
            json_is_string(reason) ? json_string_value(reason) : "(no reason given)");
    answer = query_respond(event, 502, json_pack("{s:s, s:s}", "error", "the query failed",
                                                 "query_execution_id", id));
  } else {
    json_t *rows = fetch_rows(aws, id, p.limit);
    answer = rows ? query_respond(event, 200, json_pack("{s:o, s:s}", "rows", rows,
                                                        "query_execution_id", id))
                  : query_respond(event, 502, json_pack("{s:s}", "error",
                                                        "Athena did not return the rows"));
  }
  json_decref(reason);
  json_decref(started);
  return answer;
}

int main(int argc, char **argv) { return runtime_main(argc, argv, "query", handle); }
