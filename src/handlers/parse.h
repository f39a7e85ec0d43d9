/* parse: what the handlers make of their input, apart from their AWS calls,
 * so that tests/fuzz/ can drive all of it without a network: the events (a
 * schedule tick, S3's Object Created, API Gateway's proxy event), the metrics
 * source's answer, the data set and the keys, the query parameters and the
 * SQL they become, Athena's result pages and the proxy response. */
#ifndef LAKEC_HANDLERS_PARSE_H
#define LAKEC_HANDLERS_PARSE_H

#include "parquet.h"
#include "runtime.h"
#include "utf8.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* ---- text ---- */

/* The value of the one entry of env ("NAME=value" strings, NULL-terminated,
 * as environ) whose name starts with prefix and ends with suffix: a
 * handler's sole grant of a kind. NULL with why filled when there is none or
 * more than one. */
const char *env_sole(char *const *env, const char *prefix, const char *suffix, char *why,
                     size_t size);
/* Standard base64 (RFC 4648, padded, no line breaks): the bytes (malloc'd,
 * NUL-terminated after *len) or NULL when text is not that. */
char *base64_decode(const char *text, size_t *len);

/* ---- ingest ---- */

#define INGEST_MAX_SERVICE 128

typedef struct MetricsRecord {
  long long requests, errors;
  double p50, p99; /* latency in milliseconds */
} MetricsRecord;

/* SERVICE_NAME goes into the object key and a CSV field: see the .c file. */
bool ingest_service_ok(const char *s);
/* The scheduled event's own "time", when it has one that is a real day. */
bool ingest_event_time(json_t *event, struct tm *out);
/* The metrics source's answer; false when it is not the object expected. */
bool ingest_source_record(const char *body, size_t len, MetricsRecord *r);
/* The minute as the CSV's timestamp, YYYY-MM-DDTHH:MM:00Z. */
#define INGEST_MINUTE_TEXT 64
void ingest_minute_text(const struct tm *tm, char out[INGEST_MINUTE_TEXT]);
/* The CSV ingest writes and the key it writes it at (malloc'd). */
char *ingest_csv(const char *when, const char *service, const MetricsRecord *r);
char *ingest_key(const struct tm *tm, const char *service);

/* ---- process ---- */

#define PROCESS_MAX_KEY 1024 /* bytes of an S3 key */

/* The data set process curates, from its LAKEC_DATASET_<KEY> variable. */
typedef enum { DATASET_PARQUET, DATASET_CSV } DatasetFormat;

typedef struct Dataset {
  DatasetFormat format; /* parquet: converted; csv: checked, then copied unchanged */
  PqCodec codec;
  bool header;          /* the first record is the column names, in order */
  char list_separator;  /* between the items of a list<string> field */
  size_t row_group_mb;
  PqColumn *columns;    /* names malloc'd */
  size_t count;
} Dataset;

#define DATASET_MAX_COLUMNS 1000
#define DATASET_MAX_ROW_GROUP_MB 1024

/* The JSON the compiler writes (README, "The handler programs"), read
 * strictly: every field present, nothing unknown. False with why filled
 * otherwise; *out is then empty. */
bool process_read_dataset(const char *json, Dataset *out, char *why, size_t size);
void dataset_release(Dataset *d);
/* The writer's options for the data set. */
PqOptions dataset_options(const Dataset *d);

/* The object an Object Created event names and where it may go. */
typedef struct ObjectToMove {
  const char *bucket, *key;     /* borrowed from the event */
  char *processed, *quarantine; /* the destinations, malloc'd */
} ObjectToMove;

/* True with *out filled when the event names a raw/ object that can be
 * moved; else false with err filled (InvalidEvent, UnsafeKey, KeyTooLong).
 * The processed key of a Parquet data set ends in .parquet instead of .csv. */
bool process_read_event(json_t *event, DatasetFormat format, ObjectToMove *out,
                        HandlerError *err);
void object_to_move_release(ObjectToMove *o);

/* ---- query ---- */

#define QUERY_MAX_LIMIT 1000

typedef struct QueryParams {
  char service[65];
  char from[32], to[32]; /* YYYY-MM-DDTHH:MM:SSZ, or "" */
  long limit;
} QueryParams;

/* NULL when the proxy event's parameters are good, else the message for the 400. */
const char *query_parse_params(json_t *event, QueryParams *p, char *why, size_t size);
/* The SQL's one literal, the Joda pattern of the timestamp it answers: the
 * values themselves travel as execution parameters, never in the text. */
#define QUERY_TIME_FORMAT "'yyyy-MM-dd''T''HH:mm:ss''Z'''"
/* StartQueryExecution's body: SQL with placeholders only, the values as parameters. */
json_t *query_start_body(const QueryParams *p, const char *database, const char *table,
                         const char *workgroup, const char *token);
/* Appends one GetQueryResults page's rows to rows as objects, up to limit; the
 * first row of the first page is the column names (kept in *names). */
void query_add_rows(json_t *page, json_t **names, json_t *rows, long limit);
/* The proxy response (body stolen), with CORS headers from LAKEC_CORS_ORIGINS. */
json_t *query_respond(json_t *event, int status, json_t *body);

/* ---- normalize ---- */

#define NORMALIZE_MAX_COLUMNS 1000
#define NORMALIZE_MAX_NAME 128      /* bytes of a column's name */
#define NORMALIZE_MAX_DEPTH 32      /* attribute names in a column's path */
#define NORMALIZE_MAX_SEGMENTS 1000 /* a scan's TotalSegments */
#define NORMALIZE_MAX_PREFIX 512    /* bytes of OUTPUT_PREFIX */
#define NORMALIZE_MAX_METADATA 256  /* bytes of PROJECT_ID, ENVIRONMENT, CLIENT */

/* One CSV column: its name, and the attribute names leading to its value
 * (the top-level attribute, then keys of nested maps). */
typedef struct NormalizeColumn {
  char *name;  /* malloc'd */
  char **path; /* malloc'd, depth items */
  size_t depth;
} NormalizeColumn;

typedef struct NormalizeColumns {
  NormalizeColumn *items;
  size_t count;
} NormalizeColumns;

/* NORMALIZE_COLUMNS: "name" or "name=a.b.c", comma-separated. False with why
 * filled (and *out empty) when the list is not one. */
bool normalize_read_columns(const char *spec, NormalizeColumns *out, char *why, size_t size);
void normalize_columns_release(NormalizeColumns *c);
/* SCAN_SEGMENTS: NULL or "" is 1; else a whole number from 1 to NORMALIZE_MAX_SEGMENTS. */
bool normalize_read_segments(const char *text, unsigned *out);
/* OUTPUT_PREFIX: "" or a safe key prefix ending in '/'. */
bool normalize_prefix_ok(const char *prefix);
/* PROJECT_ID, ENVIRONMENT, CLIENT: object metadata, so printable ASCII. */
bool normalize_metadata_ok(const char *value);
/* <prefix>dt=YYYY-MM-DD/conversations-YYYYMMDDTHHMM.csv (malloc'd). */
char *normalize_key(const char *prefix, const struct tm *tm);

/* ---- planner ---- */

#define PLANNER_MAX_ENDPOINTS 100
#define PLANNER_MAX_ENDPOINT 64 /* bytes of an endpoint's name */
#define PLANNER_MAX_PAGES 100000 /* pages an endpoint, a day */
#define PLANNER_DATE 11         /* YYYY-MM-DD and its NUL */

/* An endpoint's name is 1 to PLANNER_MAX_ENDPOINT of [a-z0-9-]: it is a
 * segment of the worker's key and, in capitals with '_' for '-', part of
 * its queue's variable. */
bool planner_endpoint_ok(const char *name);

typedef struct PlannerEndpoints {
  char **names; /* malloc'd */
  long *pages;  /* pages of each, from PAGES and PAGES_MAP */
  size_t count;
} PlannerEndpoints;

/* ENDPOINTS, a comma list ("api-a,api-b"; each name once). False with why
 * filled (and *out empty) otherwise. Every endpoint gets one page. */
bool planner_read_endpoints(const char *spec, PlannerEndpoints *out, char *why, size_t size);
void planner_endpoints_release(PlannerEndpoints *e);
/* PAGES: NULL or "" is 1; else a whole number from 1 to PLANNER_MAX_PAGES. */
bool planner_read_pages(const char *text, long *out);
/* PAGES_MAP, {"api-a": 3}: pages for the endpoints it names (each one of
 * ENDPOINTS, a whole number in range); the others keep theirs. NULL or "" is
 * no change. False with why filled. */
bool planner_read_pages_map(const char *json, PlannerEndpoints *e, char *why, size_t size);
/* The variable lakec sets for a send grant on the endpoint's queue:
 * LAKEC_QUEUE_<ENDPOINT in capitals, '-' as '_'>_URL (malloc'd). */
char *planner_queue_variable(const char *endpoint);
/* The day as YYYY-MM-DD. */
void planner_date_text(const struct tm *tm, char out[PLANNER_DATE]);
/* The message for one page, {"endpoint":..,"date":..,"page":N} (malloc'd). */
char *planner_message(const char *endpoint, const char *date, long page);

/* ---- worker ---- */

#define WORKER_MAX_RETRIES 10
#define WORKER_BASE_DELAY_MS 200
#define WORKER_MAX_DELAY_MS 20000 /* also the most of a Retry-After honoured */

/* One page to fetch, from a message's body. */
typedef struct PageRequest {
  char endpoint[PLANNER_MAX_ENDPOINT + 1];
  char date[PLANNER_DATE];
  long page;
} PageRequest;

/* The body exactly as planner_message writes it: an object with endpoint
 * (planner_endpoint_ok), date (a real day) and page (1 to PLANNER_MAX_PAGES)
 * and nothing else. False with why filled. */
bool worker_parse_message(const char *body, size_t len, PageRequest *out, char *why,
                          size_t size);
/* raw/source=<endpoint>/ingestion_date=<date>/page=<NNNNNN>.json.gz (malloc'd). */
char *worker_key(const PageRequest *p);
/* The generated page: a JSON array of WORKER_MOCK_ITEMS objects whose values
 * follow from the endpoint, date and page alone (README). Malloc'd. */
#define WORKER_MOCK_ITEMS 3
char *worker_mock_payload(const PageRequest *p);
/* <base>?date=YYYY-MM-DD&page=N ('&' when base has a query already). */
char *worker_page_url(const char *base, const PageRequest *p);
/* A page's answer, a JSON array of objects, as JSON Lines (one compact
 * object a line, each ending in "\n"), appended to out. False with why
 * filled (out as it was) when it is not such an array. */
bool worker_json_lines(const char *body, size_t len, Buffer *out, char *why, size_t size);
/* gzip (RFC 1952) of the bytes, appended to out; false when zlib fails. */
bool worker_gzip(const void *data, size_t len, Buffer *out);
/* The pause before retry number attempt (0 the first): Retry-After when
 * given (seconds, capped), else full jitter on an exponential cap, from a
 * random number. */
long worker_backoff_ms(int attempt, long retry_after_s, unsigned random);
/* MAX_RETRIES: NULL or "" is 5; else a whole number from 0 to WORKER_MAX_RETRIES. */
bool worker_read_max_retries(const char *text, int *out);
/* QPS_SLEEP_MS: NULL or "" is 0; else a whole number from 0 to WORKER_MAX_QPS_SLEEP_MS. */
#define WORKER_MAX_QPS_SLEEP_MS 60000
bool worker_read_qps_sleep(const char *text, long *out);
/* ENDPOINT_MAP, {"api-a": "https://..."}: an object of http(s) URLs by
 * endpoint name. *out a new reference, or false with why filled. */
bool worker_read_endpoint_map(const char *json, json_t **out, char *why, size_t size);

/* ---- extract ---- */

#define EXTRACT_MAX_SOURCE 64     /* bytes of a source's name */
#define EXTRACT_MAX_EXECUTION 512 /* bytes of an execution id (object metadata) */
#define EXTRACT_MAX_PAGES 1000 /* its answer lists a key a page: a state holds 256 KB */
#define EXTRACT_DEFAULT_PAGES 100
#define EXTRACT_MOCK_PAGES 3   /* pages of the generated source; the next is empty */
#define EXTRACT_MOCK_ORDERS 10 /* orders on a generated page */

/* A source's name: 1 to EXTRACT_MAX_SOURCE of [a-z0-9_-] (a segment of the keys). */
bool extract_source_ok(const char *name);

/* What the state machine asks for. */
typedef struct ExtractInput {
  char source[EXTRACT_MAX_SOURCE + 1];          /* "" when the event names none */
  char execution_id[EXTRACT_MAX_EXECUTION + 1]; /* "" when missing or null */
  char date[PLANNER_DATE];                      /* ingestDate's day, or "" */
} ExtractInput;

/* The event: a JSON object whose members source (extract_source_ok),
 * executionId (printable ASCII, or null) and ingestDate (YYYY-MM-DD, or a
 * timestamp starting with that day, as $$.Execution.StartTime) are each
 * optional; other members are ignored. False with why filled. */
bool extract_read_event(json_t *event, ExtractInput *out, char *why, size_t size);
/* MAX_PAGES: NULL or "" is EXTRACT_DEFAULT_PAGES; else 1 to EXTRACT_MAX_PAGES. */
bool extract_read_max_pages(const char *text, long *out);
/* LAKEC_WRITE_PREFIX: "" or a safe key prefix ending in '/' (as OUTPUT_PREFIX). */
bool extract_base_ok(const char *prefix);
/* <base><source>/ingest_date=<date>/ (malloc'd). */
char *extract_prefix(const char *base, const char *source, const char *date);
/* <prefix>part-NNNNN.json, part counted from 0 (malloc'd). */
char *extract_part_key(const char *prefix, long part);
/* <url>?page=N, or <url>&page=N when the URL has a query already (malloc'd). */
char *extract_page_url(const char *url, long page);
/* The URL up to its query, for messages: a query may carry a key (malloc'd). */
char *extract_url_for_logs(const char *url);
/* The generated source's page (pages from 1), a JSON array of orders that
 * follow from the day alone (README), "[]" past EXTRACT_MOCK_PAGES; NULL
 * when date is not a day. Malloc'd. */
char *extract_mock_page(const char *date, long page);
/* A page's answer: a JSON array of objects, or an object whose "items" is
 * one. The objects as JSON Lines appended to out, their number in *count (0:
 * the source has no more pages). False with why filled (out as it was). */
bool extract_page_lines(const char *body, size_t len, Buffer *out, size_t *count, char *why,
                        size_t size);

/* ---- websocket ---- */

#define WEBSOCKET_MAX_CONNECTION_ID 128
#define WEBSOCKET_TTL_S 7200 /* API Gateway closes a connection after 2 hours */

typedef enum { WS_CONNECT, WS_DISCONNECT, WS_MESSAGE } WsRoute;

/* API Gateway's WebSocket proxy event; strings are borrowed from it. */
typedef struct WsEvent {
  WsRoute route;             /* $connect, $disconnect, anything else a message */
  const char *connection_id; /* requestContext.connectionId */
  long long connected_at_ms; /* requestContext.connectedAt, or 0 */
  const char *domain, *stage; /* requestContext.domainName and .stage, or NULL */
  const char *body;          /* a message's text, or NULL (none, or binary) */
} WsEvent;

/* Connection ids are base64 text (1 to 128 of A-Z a-z 0-9 + / = - _). */
bool websocket_connection_id_ok(const char *id);
bool websocket_read_event(json_t *event, WsEvent *out, char *why, size_t size);
/* What $default answers a message (malloc'd JSON): {"action":"ping"} gets
 * {"type":"pong"}, anything else {"type":"error","message":...}. */
char *websocket_reply(const char *body);
/* https://<domain>/<stage>, the connection's callback URL (malloc'd), or
 * NULL when the event names no safe domain and stage. */
char *websocket_callback_url(const WsEvent *e);

/* ---- consume ---- */

#define CONSUME_FRAME_BYTES (32 * 1024)    /* records share a message up to this size */
#define CONSUME_MESSAGE_BYTES (128 * 1024) /* API Gateway's limit for one message */

/* The messages an MSK batch becomes: {"type":"records","records":[...]} with
 * each record's value (JSON when it is JSON, else its text when it is
 * UTF-8, else null) in the event's order. */
typedef struct ConsumeBatch {
  char **messages; /* each malloc'd */
  size_t count;
  size_t records;  /* records in the event */
  size_t skipped;  /* records whose value is not base64, or too large for a message */
} ConsumeBatch;

/* An MSK event ({"eventSource":"aws:kafka","records":{"<topic>-<partition>":
 * [{"value": base64, ...}, ...]}}); false with why filled when it is not
 * one. A bad record is skipped, not a failure. */
bool consume_read_event(json_t *event, ConsumeBatch *out, char *why, size_t size);
void consume_batch_release(ConsumeBatch *b);

/* ---- generate ---- */

#define GENERATE_MAX_EVENTS 100000
/* Lambda's most for an asynchronous invocation's payload (the Invoke API
 * reference: 1 MB). A payload is kept to three quarters of it: Lambda
 * refuses a payload that passes the limit once it has serialised the
 * request itself (SerializedRequestEntityTooLargeException). */
#define GENERATE_INVOKE_LIMIT (1024 * 1024)
#define GENERATE_PAYLOAD_BYTES (GENERATE_INVOKE_LIMIT / 4 * 3)
#define GENERATE_WINDOW_S 300 /* the schedule's period: events fall in it */

/* The scheduled time (seconds since the epoch): the event's "time", which
 * EventBridge writes YYYY-MM-DDTHH:MM:SSZ (years 2000 to 9999), or `now`
 * when the event has none (an invocation by hand). False with why filled
 * when the event is not an object or its time is not such a time. */
bool generate_read_event(json_t *event, time_t now, time_t *when, char *why, size_t size);

/* The batch of `events` telemetry events for the time `when`, as payloads
 * {"records":[...]} of compact JSON, each at most max_bytes (or a single
 * record). The same arguments give the same bytes. */
typedef struct GenerateBatch {
  char **payloads; /* each malloc'd */
  size_t count;
} GenerateBatch;
void generate_batch(time_t when, long long events, size_t max_bytes, GenerateBatch *out);
void generate_batch_release(GenerateBatch *b);

#endif
