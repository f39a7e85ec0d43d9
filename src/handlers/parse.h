/* parse: what the handlers make of their input, apart from their AWS calls,
 * so that tests/fuzz/ can drive all of it without a network: the events (a
 * schedule tick, S3's Object Created, API Gateway's proxy event), the metrics
 * source's answer, the data set and the keys, the query parameters and the
 * SQL they become, Athena's result pages and the proxy response. */
#ifndef LAKEC_HANDLERS_PARSE_H
#define LAKEC_HANDLERS_PARSE_H

#include "parquet.h"
#include "runtime.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* ---- text ---- */

/* Replaces, in place, every byte that is not part of a well-formed UTF-8
 * sequence with '?': a message cut short by a printf precision or a buffer's
 * size stays text that JSON can carry. */
void utf8_scrub(char *s);

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

#endif
