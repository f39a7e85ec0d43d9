/* query: answers API Gateway's proxy event for GET /metrics. The query string
 * (service, from, to, limit) is validated (400 with a JSON error otherwise);
 * the values go to Athena as execution parameters, never into the SQL text;
 * the query runs in the stage's workgroup and is polled with backoff up to the
 * invocation's deadline (504, and the query stopped, when it runs out; 502
 * when Athena fails it). Rows come back as JSON objects, with CORS headers. */
#include "runtime.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>

#define MAX_LIMIT 1000
#define ATHENA_PAGE 1000 /* the most rows GetQueryResults gives in one call */
#define COLUMNS "timestamp, service, requests, errors, latency_ms_p50, latency_ms_p99"

typedef struct Params {
  char service[65], from[32], to[32];
  long limit;
} Params;

/* ---- the proxy response ---- */

/* The Access-Control-Allow-Origin value for this request, or NULL. */
static const char *allowed_origin(json_t *event) {
  const char *origins = getenv("LAKEC_CORS_ORIGINS");
  if (!origins || !*origins)
    return NULL;
  if (!strcmp(origins, "*"))
    return "*";
  json_t *headers = json_object_get(event, "headers");
  const char *key;
  json_t *v;
  json_object_foreach(headers, key, v) {
    const char *origin = json_string_value(v);
    if (strcasecmp(key, "origin") != 0 || !origin)
      continue;
    size_t n = strlen(origin);
    for (const char *p = origins; *p;) {
      const char *comma = strchr(p, ',');
      size_t len = comma ? (size_t)(comma - p) : strlen(p);
      if (len == n && !strncmp(p, origin, n))
        return origin;
      p += len + (comma ? 1 : 0);
    }
  }
  return NULL;
}

static json_t *respond(json_t *event, int status, json_t *body) {
  char *text = json_dumps(body, JSON_COMPACT);
  json_decref(body);
  json_t *headers = json_pack("{s:s}", "Content-Type", "application/json");
  const char *origin = allowed_origin(event);
  if (origin) {
    json_object_set_new(headers, "Access-Control-Allow-Origin", json_string(origin));
    json_object_set_new(headers, "Vary", json_string("Origin"));
  }
  json_t *r = json_pack("{s:i, s:o, s:s}", "statusCode", status, "headers", headers, "body", text);
  free(text);
  return r;
}

static json_t *bad_request(json_t *event, const char *message) {
  return respond(event, 400, json_pack("{s:s}", "error", message));
}

/* ---- parameters ---- */

static bool valid_service(const char *s) {
  size_t n = strlen(s);
  if (n == 0 || n > 64)
    return false;
  for (; *s; s++)
    if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' && *s != '.')
      return false;
  return true;
}

/* YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, normalized to the second form. */
static bool parse_time(const char *s, char out[32]) {
  struct tm tm;
  memset(&tm, 0, sizeof tm);
  const char *end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (!end || *end) {
    memset(&tm, 0, sizeof tm);
    end = strptime(s, "%Y-%m-%d", &tm);
    if (!end || *end)
      return false;
  }
  strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return true;
}

/* NULL when the parameters are good, else the message for the 400. */
static const char *parse_params(json_t *event, Params *p, char *why, size_t size) {
  memset(p, 0, sizeof *p);
  p->limit = 100;
  json_t *qs = json_object_get(event, "queryStringParameters");
  if (qs && !json_is_null(qs) && !json_is_object(qs))
    return "queryStringParameters must be an object";
  const char *name;
  json_t *v;
  json_object_foreach(qs, name, v) {
    const char *value = json_string_value(v);
    if (!value)
      return snprintf(why, size, "parameter '%s' must be a string", name), why;
    if (!strcmp(name, "service")) {
      if (!valid_service(value))
        return "service must be 1 to 64 letters, digits, '_', '-' or '.'";
      snprintf(p->service, sizeof p->service, "%s", value);
    } else if (!strcmp(name, "from") || !strcmp(name, "to")) {
      if (!parse_time(value, name[0] == 'f' ? p->from : p->to))
        return snprintf(why, size, "%s must be YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ", name), why;
    } else if (!strcmp(name, "limit")) {
      char *end;
      p->limit = strtol(value, &end, 10);
      if (*end || !*value || p->limit < 1 || p->limit > MAX_LIMIT)
        return snprintf(why, size, "limit must be a whole number from 1 to %d", MAX_LIMIT), why;
    } else {
      return snprintf(why, size, "unknown parameter '%.64s' (use service, from, to, limit)", name),
             why;
    }
  }
  if (*p->from && *p->to && strcmp(p->from, p->to) > 0)
    return "from must not be after to";
  return NULL;
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

/* The SQL has only placeholders; the values travel as quoted literals. */
static json_t *start_query(AwsClient *aws, const Params *p, const char *db, const char *table,
                           const char *workgroup, const char *token, long *status) {
  char sql[512] = "SELECT " COLUMNS " FROM ";
  snprintf(sql + strlen(sql), sizeof sql - strlen(sql), "\"%s\" WHERE 1 = 1", table);
  json_t *params = json_array();
  const char *names[] = {"service", "timestamp", "timestamp"};
  const char *ops[] = {"=", ">=", "<"};
  const char *values[] = {p->service, p->from, p->to};
  for (int i = 0; i < 3; i++) {
    if (!*values[i])
      continue;
    snprintf(sql + strlen(sql), sizeof sql - strlen(sql), " AND %s %s ?", names[i], ops[i]);
    char literal[80];
    snprintf(literal, sizeof literal, "'%s'", values[i]); /* validated: no quotes inside */
    json_array_append_new(params, json_string(literal));
  }
  /* the limit is a validated whole number: Athena stops reading after it */
  snprintf(sql + strlen(sql), sizeof sql - strlen(sql), " ORDER BY timestamp DESC LIMIT %ld",
           p->limit);
  /* the same token for a retried call: Athena starts the query once */
  json_t *body = json_pack("{s:s, s:{s:s}, s:s, s:s}", "QueryString", sql,
                           "QueryExecutionContext", "Database", db, "WorkGroup", workgroup,
                           "ClientRequestToken", token);
  if (json_array_size(params))
    json_object_set_new(body, "ExecutionParameters", params);
  else
    json_decref(params);
  return athena(aws, "StartQueryExecution", body, status);
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

/* One page of Athena's rows as JSON objects, appended to out; the first row
 * of the first page is the column names (kept in *names). */
static void add_rows(json_t *page, json_t **names, json_t *out, long limit) {
  json_t *rows = json_object_get(json_object_get(page, "ResultSet"), "Rows");
  size_t i = 0;
  if (!*names)
    *names = json_incref(json_object_get(json_array_get(rows, i++), "Data"));
  for (; i < json_array_size(rows) && (long)json_array_size(out) < limit; i++) {
    json_t *data = json_object_get(json_array_get(rows, i), "Data"), *row = json_object();
    for (size_t k = 0; k < json_array_size(data); k++) {
      const char *name =
          json_string_value(json_object_get(json_array_get(*names, k), "VarCharValue"));
      json_t *value = json_object_get(json_array_get(data, k), "VarCharValue");
      json_object_set(row, name ? name : "?", value ? value : json_null());
    }
    json_array_append_new(out, row);
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
    add_rows(page, &names, out, limit);
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
  Params p;
  char why[160];
  const char *problem = parse_params(event, &p, why, sizeof why);
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
    return respond(event, 502, json_pack("{s:s, s:i}", "error", "Athena did not start the query",
                                         "status", (int)status));
  }
  long long deadline = inv->deadline_ms ? inv->deadline_ms - 1500 : now_ms() + 25000;
  json_t *reason = NULL;
  const char *state = wait_for(aws, id, deadline, &reason);
  json_t *answer;
  if (!strcmp(state, "TIMEOUT")) {
    json_decref(athena(aws, "StopQueryExecution", json_pack("{s:s}", "QueryExecutionId", id), &status));
    answer = respond(event, 504, json_pack("{s:s, s:s}", "error", "the query did not finish in time",
                                           "query_execution_id", id));
  } else if (strcmp(state, "SUCCEEDED") != 0) {
    /* Athena's reason names tables and columns: it goes to the log, not to
     * whoever called the API */
    fprintf(stderr, "query %s %s: %s\n", id, state,
            json_is_string(reason) ? json_string_value(reason) : "(no reason given)");
    answer = respond(event, 502, json_pack("{s:s, s:s}", "error", "the query failed",
                                           "query_execution_id", id));
  } else {
    json_t *rows = fetch_rows(aws, id, p.limit);
    answer = rows ? respond(event, 200, json_pack("{s:o, s:s}", "rows", rows,
                                                  "query_execution_id", id))
                  : respond(event, 502, json_pack("{s:s}", "error", "Athena did not return the rows"));
  }
  json_decref(reason);
  json_decref(started);
  return answer;
}

int main(int argc, char **argv) { return runtime_main(argc, argv, "query", handle); }
