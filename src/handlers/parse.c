/* parse: the handlers' input handling, apart from the programs so that the
 * fuzz targets in tests/fuzz/ can call it. */
#include "parse.h"
#include "telemetry.h"
#include "utf8.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

/* ---- text ---- */

static bool utf8_valid(const char *s) {
  const unsigned char *p = (const unsigned char *)s;
  for (size_t n; *p; p += n)
    if ((n = utf8_sequence(p)) == 0)
      return false;
  return true;
}

/* printf into why (cut to its size, still valid UTF-8); returns why. */
static const char *explain(char *why, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static const char *explain(char *why, size_t size, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, size, fmt, ap);
  va_end(ap);
  utf8_scrub(why);
  return why;
}

const char *env_sole(char *const *env, const char *prefix, const char *suffix, char *why,
                     size_t size) {
  const char *found = NULL, *found_name = NULL;
  size_t np = strlen(prefix), ns = strlen(suffix);
  for (; env && *env; env++) {
    const char *eq = strchr(*env, '=');
    size_t n = eq ? (size_t)(eq - *env) : 0;
    if (!eq || n < np + ns || strncmp(*env, prefix, np) || strncmp(eq - ns, suffix, ns))
      continue;
    if (found) {
      explain(why, size, "%.*s and %.*s are both set: give the function one %s*%s",
              (int)strcspn(found_name, "="), found_name, (int)n, *env, prefix, suffix);
      return NULL;
    }
    found_name = *env;
    found = eq + 1;
  }
  if (!found)
    explain(why, size, "no %s*%s variable is set", prefix, suffix);
  return found;
}

static int base64_digit(unsigned char c) {
  static const char digits[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const char *p = c ? strchr(digits, c) : NULL;
  return p ? (int)(p - digits) : -1;
}

char *base64_decode(const char *text, size_t *len) {
  size_t n = strlen(text);
  if (n % 4)
    return NULL;
  char *out = malloc(n / 4 * 3 + 1);
  if (!out)
    abort();
  size_t o = 0;
  for (size_t i = 0; i < n; i += 4) {
    int d[4], pad = 0;
    for (int k = 0; k < 4; k++) {
      bool padding = text[i + k] == '=' && i + 4 == n && k >= 2;
      d[k] = padding ? 0 : base64_digit((unsigned char)text[i + k]);
      pad += padding;
      if (d[k] < 0 || (pad && !padding)) { /* "=" only at the very end */
        free(out);
        return NULL;
      }
    }
    unsigned v = (unsigned)(d[0] << 18 | d[1] << 12 | d[2] << 6 | d[3]);
    char bytes[3] = {(char)(v >> 16), (char)(v >> 8 & 0xff), (char)(v & 0xff)};
    memcpy(out + o, bytes, (size_t)(3 - pad));
    o += (size_t)(3 - pad);
  }
  out[o] = '\0';
  *len = o;
  return out;
}

/* ---- packing records ---- */

/* Records (JSON texts) packed in order into documents HEAD r1,r2,... TAIL
 * of at most `limit` bytes each; a record longer than that alone gets a
 * document of its own. */
typedef struct Packer {
  const char *head, *tail;
  size_t limit;
  char **docs; /* each malloc'd */
  size_t count;
  Buffer current; /* the document being filled: head and the records so far */
  size_t in_current;
} Packer;

static void append_or_abort(Buffer *b, const char *text, size_t n) {
  if (!buffer_append(b, text, n))
    abort();
}

static void packer_flush(Packer *p) {
  if (!p->in_current)
    return;
  append_or_abort(&p->current, p->tail, strlen(p->tail));
  char **grown = realloc(p->docs, (p->count + 1) * sizeof *grown);
  if (!grown)
    abort();
  p->docs = grown;
  p->docs[p->count++] = p->current.data;
  memset(&p->current, 0, sizeof p->current);
  p->in_current = 0;
}

/* Adds one record to the current document, or starts the next one when it
 * would pass the limit. */
static void packer_add(Packer *p, const char *json, size_t n) {
  if (p->in_current && p->current.len + 1 + n + strlen(p->tail) > p->limit)
    packer_flush(p);
  if (!p->in_current)
    append_or_abort(&p->current, p->head, strlen(p->head));
  else
    append_or_abort(&p->current, ",", 1);
  append_or_abort(&p->current, json, n);
  p->in_current++;
}

/* ---- ingest ---- */

/* strptime takes any day from 1 to 31 in any month, and year 0, which
 * process's dates (years 1 to 9999) refuse. */
static bool day_of_the_calendar(const struct tm *tm) {
  static const int DAYS[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int y = tm->tm_year + 1900, m = tm->tm_mon;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return y >= 1 && y <= 9999 && m >= 0 && m < 12 && tm->tm_mday >= 1 &&
         tm->tm_mday <= DAYS[m] + (m == 1 && leap ? 1 : 0);
}

/* *out is left alone unless the time is good (the caller then uses its own
 * clock): a February 31st would make a timestamp process refuses. */
bool ingest_event_time(json_t *event, struct tm *out) {
  const char *t = json_string_value(json_object_get(event, "time"));
  if (!t)
    return false;
  struct tm tm;
  memset(&tm, 0, sizeof tm);
  const char *end = strptime(t, "%Y-%m-%dT%H:%M:%S", &tm);
  if (!end || (*end != 'Z' && *end != '\0' && *end != '.') || !day_of_the_calendar(&tm))
    return false;
  *out = tm;
  return true;
}

/* A count (a whole number) or a latency in milliseconds, finite and within
 * reason: 1e308 or a day-long p99 is a broken source, not a measurement. */
static bool in_range(json_t *v, bool integer, double *out) {
  if (integer ? !json_is_integer(v) : !json_is_number(v))
    return false;
  *out = json_number_value(v);
  if (*out == 0) /* -0.0 would be written "-0.00", a field process refuses */
    *out = 0;
  double max = integer ? 1e15 : 86400000.0;
  return isfinite(*out) && *out >= 0 && *out <= max;
}

bool ingest_source_record(const char *body, size_t len, MetricsRecord *r) {
  json_t *answer = json_loadb(body, len, 0, NULL);
  double v[4];
  const char *names[] = {"requests", "errors", "latency_ms_p50", "latency_ms_p99"};
  bool ok = json_is_object(answer);
  for (int i = 0; ok && i < 4; i++)
    ok = in_range(json_object_get(answer, names[i]), i < 2, &v[i]);
  if (ok)
    *r = (MetricsRecord){(long long)v[0], (long long)v[1], v[2], v[3]};
  json_decref(answer);
  return ok;
}

/* SERVICE_NAME goes into the object key (one path segment) and a CSV field:
 * printable, without '/', ',', '"' or '\\', and short enough for both. UTF-8
 * too: the key is also in ingest's JSON result (a name that was not made the
 * result fail after the object was written). */
bool ingest_service_ok(const char *s) {
  size_t n = strlen(s);
  if (n < 1 || n > INGEST_MAX_SERVICE || !utf8_valid(s))
    return false;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if (*p < 0x20 || *p == 0x7f || *p == '/' || *p == ',' || *p == '"' || *p == '\\')
      return false;
  return strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

void ingest_minute_text(const struct tm *tm, char out[INGEST_MINUTE_TEXT]) {
  snprintf(out, INGEST_MINUTE_TEXT, "%04d-%02d-%02dT%02d:%02d:00Z", tm->tm_year + 1900,
           tm->tm_mon + 1, tm->tm_mday, tm->tm_hour, tm->tm_min);
}

/* Every text exactly as long as it needs to be (the body's length is the
 * text's, never a guess). */
char *ingest_csv(const char *when, const char *service, const MetricsRecord *r) {
  return handler_strf("timestamp,service,requests,errors,latency_ms_p50,latency_ms_p99\n"
                      "%s,%s,%lld,%lld,%.2f,%.2f\n",
                      when, service, r->requests, r->errors, r->p50, r->p99);
}

char *ingest_key(const struct tm *tm, const char *service) {
  return handler_strf("raw/year=%04d/month=%02d/day=%02d/hour=%02d/%s-%02d-%02d_.csv",
                      tm->tm_year + 1900, tm->tm_mon + 1, tm->tm_mday, tm->tm_hour, service,
                      tm->tm_hour, tm->tm_min);
}

/* ---- process ---- */

static const struct {
  const char *name;
  PqType type;
} COLUMN_TYPES[] = {
    {"string", PQ_STRING},   {"int32", PQ_INT32},
    {"int64", PQ_INT64},     {"double", PQ_DOUBLE},
    {"boolean", PQ_BOOLEAN}, {"date", PQ_DATE},
    {"timestamp", PQ_TIMESTAMP_MILLIS}, {"timestamp_us", PQ_TIMESTAMP_MICROS},
    {"list<string>", PQ_STRING_LIST},
};

static const struct {
  const char *name;
  PqCodec codec;
} CODECS[] = {{"snappy", PQ_SNAPPY}, {"gzip", PQ_GZIP}, {"none", PQ_UNCOMPRESSED}};

static const char *const DATASET_FIELDS[] = {"format",         "codec",        "header",
                                             "list_separator", "row_group_mb", "columns",
                                             NULL};
static const char *const COLUMN_FIELDS[] = {"name", "type", "optional", NULL};

/* Every field of `fields` present in obj, and no other: NULL, else why not. */
static const char *exact_fields(json_t *obj, const char *const *fields, const char *what,
                                char *why, size_t size) {
  const char *key;
  json_t *v;
  json_object_foreach(obj, key, v) {
    size_t i = 0;
    while (fields[i] && strcmp(fields[i], key) != 0)
      i++;
    if (!fields[i])
      return explain(why, size, "%s has an unknown field '%.64s'", what, key);
  }
  for (size_t i = 0; fields[i]; i++)
    if (!json_object_get(obj, fields[i]))
      return explain(why, size, "%s has no field '%s'", what, fields[i]);
  return NULL;
}

/* A column name: 1 to 255 bytes (Glue's most), no NUL inside, not twice. */
static const char *read_column(json_t *c, size_t i, Dataset *d, char *why, size_t size) {
  char what[48];
  snprintf(what, sizeof what, "column %zu", i + 1);
  if (!json_is_object(c))
    return explain(why, size, "%s is not an object", what);
  if (exact_fields(c, COLUMN_FIELDS, what, why, size))
    return why;
  json_t *name = json_object_get(c, "name"), *type = json_object_get(c, "type");
  if (!json_is_string(name) || json_string_length(name) < 1 || json_string_length(name) > 255 ||
      strlen(json_string_value(name)) != json_string_length(name))
    return explain(why, size, "%s: name must be a string of 1 to 255 bytes", what);
  for (size_t k = 0; k < i; k++)
    if (!strcmp(d->columns[k].name, json_string_value(name)))
      return explain(why, size, "%s: the name '%.64s' is used twice", what, d->columns[k].name);
  if (!json_is_boolean(json_object_get(c, "optional")))
    return explain(why, size, "%s: optional must be true or false", what);
  size_t t = 0, types = sizeof COLUMN_TYPES / sizeof *COLUMN_TYPES;
  while (t < types && (!json_is_string(type) || strcmp(COLUMN_TYPES[t].name, json_string_value(type))))
    t++;
  if (t == types)
    return explain(why, size, "%s: unknown type (string, int32, int64, double, boolean, date, "
                              "timestamp, timestamp_us or list<string>)", what);
  d->columns[i] = (PqColumn){handler_strf("%s", json_string_value(name)), COLUMN_TYPES[t].type,
                             json_is_true(json_object_get(c, "optional"))};
  d->count = i + 1;
  return NULL;
}

static const char *read_columns(json_t *columns, Dataset *d, char *why, size_t size) {
  size_t n = json_array_size(columns);
  if (!json_is_array(columns) || n == 0 || n > DATASET_MAX_COLUMNS)
    return explain(why, size, "columns must be a list of 1 to %d columns", DATASET_MAX_COLUMNS);
  d->columns = calloc(n, sizeof *d->columns);
  if (!d->columns)
    abort();
  for (size_t i = 0; i < n; i++)
    if (read_column(json_array_get(columns, i), i, d, why, size))
      return why;
  return NULL;
}

/* format, codec, header, list_separator, row_group_mb: NULL, else why not. */
static const char *read_settings(json_t *o, Dataset *d, char *why, size_t size) {
  const char *format = json_string_value(json_object_get(o, "format"));
  const char *codec = json_string_value(json_object_get(o, "codec"));
  const char *separator = json_string_value(json_object_get(o, "list_separator"));
  json_t *mb = json_object_get(o, "row_group_mb");
  if (!format || (strcmp(format, "parquet") && strcmp(format, "csv")))
    return explain(why, size, "format must be parquet or csv");
  d->format = !strcmp(format, "csv") ? DATASET_CSV : DATASET_PARQUET;
  size_t c = 0, codecs = sizeof CODECS / sizeof *CODECS;
  while (c < codecs && (!codec || strcmp(CODECS[c].name, codec)))
    c++;
  if (c == codecs)
    return explain(why, size, "codec must be snappy, gzip or none");
  d->codec = CODECS[c].codec;
  if (!json_is_boolean(json_object_get(o, "header")))
    return explain(why, size, "header must be true or false");
  d->header = json_is_true(json_object_get(o, "header"));
  /* one printable ASCII character that CSV itself does not use */
  if (!separator || strlen(separator) != 1 || separator[0] < 0x20 || separator[0] > 0x7e ||
      strchr(",\"", separator[0]))
    return explain(why, size, "list_separator must be one printable ASCII character, not ',' "
                              "or '\"'");
  d->list_separator = separator[0];
  if (!json_is_integer(mb) || json_integer_value(mb) < 1 ||
      json_integer_value(mb) > DATASET_MAX_ROW_GROUP_MB)
    return explain(why, size, "row_group_mb must be a whole number from 1 to %d",
                   DATASET_MAX_ROW_GROUP_MB);
  d->row_group_mb = (size_t)json_integer_value(mb);
  return NULL;
}

bool process_read_dataset(const char *json, Dataset *out, char *why, size_t size) {
  memset(out, 0, sizeof *out);
  json_error_t error;
  json_t *o = json_loads(json, JSON_REJECT_DUPLICATES, &error);
  const char *problem =
      !o                   ? explain(why, size, "not JSON: %s", error.text)
      : !json_is_object(o) ? explain(why, size, "not a JSON object")
                           : exact_fields(o, DATASET_FIELDS, "the data set", why, size);
  if (!problem)
    problem = read_settings(o, out, why, size);
  if (!problem)
    problem = read_columns(json_object_get(o, "columns"), out, why, size);
  json_decref(o);
  if (problem)
    dataset_release(out);
  return problem == NULL;
}

void dataset_release(Dataset *d) {
  for (size_t i = 0; i < d->count; i++)
    free((char *)d->columns[i].name);
  free(d->columns);
  memset(d, 0, sizeof *d);
}

PqOptions dataset_options(const Dataset *d) {
  PqOptions o = pq_default_options();
  o.codec = d->codec;
  o.row_group_bytes = d->row_group_mb << 20;
  return o;
}

/* What makes a key address something else than itself on the way: a "." or
 * ".." segment, an empty one ("//"), a control character. NULL when none. */
static const char *unsafe_key(const char *key) {
  for (const unsigned char *p = (const unsigned char *)key; *p; p++)
    if (*p < 0x20 || *p == 0x7f)
      return "a control character";
  if (strstr(key, "//"))
    return "an empty segment ('//')";
  for (const char *seg = key; seg; seg = strchr(seg, '/') ? strchr(seg, '/') + 1 : NULL) {
    size_t n = strcspn(seg, "/");
    if ((n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.'))
      return "a '.' or '..' segment";
  }
  return NULL;
}

/* processed/ and quarantine/ keys for raw/<rest>: a Parquet data set's
 * processed object is named .parquet (replacing .csv, else added). */
static char *processed_key(const char *rest, DatasetFormat format) {
  size_t n = strlen(rest);
  if (format == DATASET_CSV)
    return handler_strf("processed/%s", rest);
  if (n >= 4 && !strcmp(rest + n - 4, ".csv"))
    n -= 4;
  return handler_strf("processed/%.*s.parquet", (int)n, rest);
}

bool process_read_event(json_t *event, DatasetFormat format, ObjectToMove *out,
                        HandlerError *err) {
  memset(out, 0, sizeof *out);
  json_t *detail = json_object_get(event, "detail");
  const char *bucket = json_string_value(json_object_get(json_object_get(detail, "bucket"), "name"));
  const char *key = json_string_value(json_object_get(json_object_get(detail, "object"), "key"));
  if (!bucket || !key) {
    handler_fail(err, "InvalidEvent",
                 "expected an S3 Object Created event with detail.bucket.name and "
                 "detail.object.key as strings");
    return false;
  }
  if (strncmp(key, "raw/", 4) != 0 || strlen(key) > PROCESS_MAX_KEY) {
    handler_fail(err, "InvalidEvent", "key '%.200s' is not under raw/", key);
    return false;
  }
  const char *unsafe = unsafe_key(key);
  if (unsafe) { /* moving it would carry its dots into the destination: it stays */
    handler_fail(err, "UnsafeKey", "key '%.200s' is left where it is: it has %s", key, unsafe);
    return false;
  }
  char *processed = processed_key(key + 4, format);
  char *quarantine = handler_strf("quarantine/%s", key + 4);
  /* both destinations must be keys S3 takes */
  if (strlen(processed) > PROCESS_MAX_KEY || strlen(quarantine) > PROCESS_MAX_KEY) {
    handler_fail(err, "KeyTooLong",
                 "key '%.200s...' is %zu bytes: under processed/ or quarantine/ it would "
                 "pass S3's %d; it is left where it is",
                 key, strlen(key), PROCESS_MAX_KEY);
    free(processed);
    free(quarantine);
    return false;
  }
  *out = (ObjectToMove){bucket, key, processed, quarantine};
  return true;
}

void object_to_move_release(ObjectToMove *o) {
  free(o->processed);
  free(o->quarantine);
  o->processed = o->quarantine = NULL;
}

/* ---- query ---- */

/* The processed table's timestamp is a Parquet TIMESTAMP (milliseconds, UTC),
 * which the crawler catalogues as `timestamp`: answered in the text it had
 * in the CSV (Trino's format_datetime takes a Joda pattern; '' is a quote in
 * SQL, and 'T' and 'Z' are literals in Joda), compared with timestamps
 * (from_iso8601_timestamp of the validated ISO text). The table is aliased
 * so that the column, not the formatted answer of the same name, is what
 * WHERE and ORDER BY see. */
#define TIME_COLUMN "m.\"timestamp\""
#define COLUMNS                                                                                  \
  "format_datetime(" TIME_COLUMN ", " QUERY_TIME_FORMAT ") AS \"timestamp\", service, " \
  "requests, errors, latency_ms_p50, latency_ms_p99"
#define AS_TIME "from_iso8601_timestamp(?)"

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

json_t *query_respond(json_t *event, int status, json_t *body) {
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

static bool valid_service(const char *s) {
  size_t n = strlen(s);
  if (n == 0 || n > 64)
    return false;
  for (; *s; s++)
    if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' && *s != '.')
      return false;
  return true;
}

/* Whether s is digits where shape has '9' and shape's own bytes elsewhere. */
static bool shaped(const char *s, const char *shape) {
  for (; *s && *shape; s++, shape++)
    if (*shape == '9' ? !isdigit((unsigned char)*s) : *s != *shape)
      return false;
  return !*s && !*shape;
}

/* YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, normalized to the second form. The
 * shape is checked first: strptime alone takes " 226-1-1" too, and the text
 * is compared as a string (here and by Athena), so every field has its full
 * width. strptime then checks the ranges (month 1-12, hour 0-23...). */
static bool parse_time(const char *s, char out[32]) {
  bool date_only = shaped(s, "9999-99-99");
  if (!date_only && !shaped(s, "9999-99-99T99:99:99Z"))
    return false;
  struct tm tm;
  memset(&tm, 0, sizeof tm);
  const char *end = strptime(s, date_only ? "%Y-%m-%d" : "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (!end || *end)
    return false;
  snprintf(out, 32, "%s%s", s, date_only ? "T00:00:00Z" : "");
  return true;
}

const char *query_parse_params(json_t *event, QueryParams *p, char *why, size_t size) {
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
      return explain(why, size, "parameter '%s' must be a string", name);
    if (!strcmp(name, "service")) {
      if (!valid_service(value))
        return "service must be 1 to 64 letters, digits, '_', '-' or '.'";
      snprintf(p->service, sizeof p->service, "%s", value);
    } else if (!strcmp(name, "from") || !strcmp(name, "to")) {
      if (!parse_time(value, name[0] == 'f' ? p->from : p->to))
        return explain(why, size, "%s must be YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ", name);
    } else if (!strcmp(name, "limit")) {
      char *end;
      p->limit = strtol(value, &end, 10);
      if (*end || !*value || p->limit < 1 || p->limit > QUERY_MAX_LIMIT)
        return explain(why, size, "limit must be a whole number from 1 to %d", QUERY_MAX_LIMIT);
    } else {
      return explain(why, size, "unknown parameter '%.64s' (use service, from, to, limit)", name);
    }
  }
  if (*p->from && *p->to && strcmp(p->from, p->to) > 0)
    return "from must not be after to";
  return NULL;
}

/* printf at the end of a growing text (no table name or value is cut). */
static void append(Buffer *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void append(Buffer *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *text = handler_vstrf(fmt, ap);
  va_end(ap);
  if (!buffer_append(b, text, strlen(text)))
    abort();
  free(text);
}

/* " AND <condition> <placeholder>" in the SQL (placeholder "?" or an
 * expression of it), the value as a quoted literal in params (values are
 * validated: no quote inside). */
static void add_compared(Buffer *sql, json_t *params, const char *condition,
                         const char *placeholder, const char *value) {
  append(sql, " AND %s %s", condition, placeholder);
  char *literal = handler_strf("'%s'", value);
  json_array_append_new(params, json_string(literal));
  free(literal);
}

static void add_condition(Buffer *sql, json_t *params, const char *condition, const char *value) {
  add_compared(sql, params, condition, "?", value);
}

/* The partition of the hour that a normalized time falls in, as the
 * partition columns concatenate: "2026-11-21T09:31:00Z" gives "2026112109". */
static const char *partition_hour(const char *t, char out[11]) {
  snprintf(out, 11, "%.4s%.2s%.2s%.2s", t, t + 5, t + 8, t + 11);
  return out;
}

/* ingest writes each row under year=YYYY/month=MM/day=DD/hour=HH of its own
 * timestamp; the crawler makes those partition columns strings, and
 * ingest's values are zero-padded, so their concatenation YYYYMMDDHH sorts
 * as time does. A predicate on it lets Athena skip the other hours'
 * objects; the timestamp predicates keep the answer exact. */
#define PARTITION_HOUR "(year || month || day || hour)"

/* The SQL has only placeholders; the values travel as quoted literals. */
json_t *query_start_body(const QueryParams *p, const char *database, const char *table,
                         const char *workgroup, const char *token) {
  Buffer sql = {0};
  append(&sql, "SELECT " COLUMNS " FROM \"%s\" AS m WHERE 1 = 1", table);
  json_t *params = json_array();
  char hour[11];
  if (*p->service)
    add_condition(&sql, params, "service =", p->service);
  if (*p->from) {
    add_compared(&sql, params, TIME_COLUMN " >=", AS_TIME, p->from);
    add_condition(&sql, params, PARTITION_HOUR " >=", partition_hour(p->from, hour));
  }
  if (*p->to) {
    add_compared(&sql, params, TIME_COLUMN " <", AS_TIME, p->to);
    /* before H:00:00 is before hour H: its partition is not needed */
    bool on_the_hour = !strcmp(p->to + 14, "00:00Z");
    add_condition(&sql, params, on_the_hour ? PARTITION_HOUR " <" : PARTITION_HOUR " <=",
                  partition_hour(p->to, hour));
  }
  /* the limit is a validated whole number: Athena stops reading after it */
  append(&sql, " ORDER BY " TIME_COLUMN " DESC LIMIT %ld", p->limit);
  /* the same token for a retried call: Athena starts the query once */
  json_t *body = json_pack("{s:s, s:{s:s}, s:s, s:s}", "QueryString", sql.data,
                           "QueryExecutionContext", "Database", database, "WorkGroup", workgroup,
                           "ClientRequestToken", token);
  free(sql.data);
  if (json_array_size(params))
    json_object_set_new(body, "ExecutionParameters", params);
  else
    json_decref(params);
  return body;
}

void query_add_rows(json_t *page, json_t **names, json_t *rows, long limit) {
  json_t *page_rows = json_object_get(json_object_get(page, "ResultSet"), "Rows");
  size_t i = 0;
  if (!*names)
    *names = json_incref(json_object_get(json_array_get(page_rows, i++), "Data"));
  for (; i < json_array_size(page_rows) && (long)json_array_size(rows) < limit; i++) {
    json_t *data = json_object_get(json_array_get(page_rows, i), "Data"), *row = json_object();
    for (size_t k = 0; k < json_array_size(data); k++) {
      const char *name =
          json_string_value(json_object_get(json_array_get(*names, k), "VarCharValue"));
      json_t *value = json_object_get(json_array_get(data, k), "VarCharValue");
      json_object_set(row, name ? name : "?", value ? value : json_null());
    }
    json_array_append_new(rows, row);
  }
}

/* ---- normalize ---- */

static bool column_name_ok(const char *s, size_t n) {
  if (n < 1 || n > NORMALIZE_MAX_NAME)
    return false;
  for (size_t i = 0; i < n; i++)
    if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '_')
      return false;
  return true;
}

/* An attribute name in a path: anything DynamoDB takes but the separators
 * ('.', ',', '=') and control characters. */
static bool path_segment_ok(const char *s, size_t n) {
  if (n < 1 || n > 255)
    return false;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x20 || c == 0x7f || c == '.' || c == ',' || c == '=')
      return false;
  }
  return true;
}

static char *copy_of(const char *s, size_t n) {
  char *out = malloc(n + 1);
  if (!out)
    abort();
  memcpy(out, s, n);
  out[n] = '\0';
  return out;
}

/* The path after '=' (or the name itself) into column c. */
static const char *read_path(const char *path, size_t n, NormalizeColumn *c, char *why,
                             size_t size) {
  c->path = calloc(NORMALIZE_MAX_DEPTH, sizeof *c->path);
  if (!c->path)
    abort();
  for (size_t at = 0; at <= n;) {
    size_t len = 0;
    while (at + len < n && path[at + len] != '.')
      len++;
    if (!path_segment_ok(path + at, len))
      return explain(why, size, "column '%s': the path '%.*s' needs attribute names between "
                     "its dots (no empty one, no ',', '=' or control character)",
                     c->name, (int)n, path);
    if (c->depth == NORMALIZE_MAX_DEPTH)
      return explain(why, size, "column '%s': a path goes at most %d maps deep", c->name,
                     NORMALIZE_MAX_DEPTH);
    c->path[c->depth++] = copy_of(path + at, len);
    at += len + 1;
  }
  return NULL;
}

/* One "name" or "name=path" entry of n bytes. */
static const char *read_entry(const char *entry, size_t n, NormalizeColumn *c, char *why,
                              size_t size) {
  const char *eq = memchr(entry, '=', n);
  size_t name_len = eq ? (size_t)(eq - entry) : n;
  if (!column_name_ok(entry, name_len))
    return explain(why, size, "'%.*s' is not a column name (1 to %d lowercase letters, digits "
                   "or '_')", (int)name_len, entry, NORMALIZE_MAX_NAME);
  c->name = copy_of(entry, name_len);
  return eq ? read_path(eq + 1, n - name_len - 1, c, why, size)
            : read_path(entry, n, c, why, size);
}

static bool named_before(const NormalizeColumns *cols, const char *name) {
  for (size_t i = 0; i + 1 < cols->count; i++)
    if (!strcmp(cols->items[i].name, name))
      return true;
  return false;
}

bool normalize_read_columns(const char *spec, NormalizeColumns *out, char *why, size_t size) {
  memset(out, 0, sizeof *out);
  const char *problem = NULL;
  if (!spec || !*spec)
    problem = explain(why, size, "no column: name at least one ('id,channel=metadata.channel')");
  for (const char *p = spec; !problem;) {
    size_t n = strcspn(p, ",");
    if (out->count == NORMALIZE_MAX_COLUMNS) {
      problem = explain(why, size, "more than %d columns", NORMALIZE_MAX_COLUMNS);
      break;
    }
    if (!out->items && !(out->items = calloc(NORMALIZE_MAX_COLUMNS, sizeof *out->items)))
      abort();
    NormalizeColumn *c = &out->items[out->count++];
    problem = read_entry(p, n, c, why, size);
    if (!problem && named_before(out, c->name))
      problem = explain(why, size, "the column '%s' is named twice", c->name);
    if (!p[n])
      break;
    p += n + 1;
  }
  if (problem)
    normalize_columns_release(out);
  return !problem;
}

void normalize_columns_release(NormalizeColumns *c) {
  for (size_t i = 0; i < c->count; i++) {
    for (size_t j = 0; j < c->items[i].depth; j++)
      free(c->items[i].path[j]);
    free(c->items[i].path);
    free(c->items[i].name);
  }
  free(c->items);
  memset(c, 0, sizeof *c);
}

bool normalize_read_segments(const char *text, unsigned *out) {
  if (!text || !*text) {
    *out = 1;
    return true;
  }
  unsigned long v = 0;
  for (const char *p = text; *p; p++) {
    if (!isdigit((unsigned char)*p) || p - text >= 7)
      return false;
    v = v * 10 + (unsigned long)(*p - '0');
  }
  if (v < 1 || v > NORMALIZE_MAX_SEGMENTS)
    return false;
  *out = (unsigned)v;
  return true;
}

bool normalize_prefix_ok(const char *prefix) {
  size_t n = strlen(prefix);
  if (!n)
    return true;
  return n <= NORMALIZE_MAX_PREFIX && prefix[n - 1] == '/' && prefix[0] != '/' &&
         utf8_valid(prefix) && !unsafe_key(prefix);
}

bool normalize_metadata_ok(const char *value) {
  size_t n = strlen(value);
  if (n > NORMALIZE_MAX_METADATA)
    return false;
  for (const unsigned char *p = (const unsigned char *)value; *p; p++)
    if (*p < 0x20 || *p > 0x7e)
      return false;
  return true;
}

char *normalize_key(const char *prefix, const struct tm *tm) {
  int y = tm->tm_year + 1900, m = tm->tm_mon + 1, d = tm->tm_mday;
  return handler_strf("%sdt=%04d-%02d-%02d/conversations-%04d%02d%02dT%02d%02d.csv", prefix, y,
                      m, d, y, m, d, tm->tm_hour, tm->tm_min);
}

/* ---- planner ---- */

bool planner_endpoint_ok(const char *name) {
  size_t n = strlen(name);
  if (n < 1 || n > PLANNER_MAX_ENDPOINT)
    return false;
  for (const char *p = name; *p; p++)
    if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '-')
      return false;
  return true;
}

/* A whole number of at most 9 digits from min to max; no sign, no space. */
static bool whole_number(const char *text, long min, long max, long *out) {
  long v = 0;
  for (const char *p = text; *p; p++) {
    if (!isdigit((unsigned char)*p) || p - text >= 9)
      return false;
    v = v * 10 + (*p - '0');
  }
  if (!*text || v < min || v > max)
    return false;
  *out = v;
  return true;
}

void planner_endpoints_release(PlannerEndpoints *e) {
  for (size_t i = 0; i < e->count; i++)
    free(e->names[i]);
  free(e->names);
  free(e->pages);
  memset(e, 0, sizeof *e);
}

static bool refuse_endpoints(PlannerEndpoints *out, char *why, size_t size, const char *fmt,
                             ...) __attribute__((format(printf, 4, 5)));
static bool refuse_endpoints(PlannerEndpoints *out, char *why, size_t size, const char *fmt,
                             ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, size, fmt, ap);
  va_end(ap);
  utf8_scrub(why);
  planner_endpoints_release(out);
  return false;
}

static ssize_t endpoint_index(const PlannerEndpoints *e, const char *name) {
  for (size_t i = 0; i < e->count; i++)
    if (!strcmp(e->names[i], name))
      return (ssize_t)i;
  return -1;
}

bool planner_read_endpoints(const char *spec, PlannerEndpoints *out, char *why, size_t size) {
  memset(out, 0, sizeof *out);
  if (!spec || !*spec)
    return refuse_endpoints(out, why, size, "is not set (a comma list such as 'api-a,api-b')");
  for (const char *p = spec;; p += strcspn(p, ",") + 1) {
    size_t n = strcspn(p, ",");
    char *name = strndup(p, n);
    if (!name)
      abort();
    if (out->count == PLANNER_MAX_ENDPOINTS || !planner_endpoint_ok(name) ||
        endpoint_index(out, name) >= 0) {
      free(name);
      return refuse_endpoints(out, why, size, "entry %zu: each endpoint once, at most %d of "
                              "them, each 1 to %d of a-z, 0-9 and '-'", out->count + 1,
                              PLANNER_MAX_ENDPOINTS, PLANNER_MAX_ENDPOINT);
    }
    out->names = realloc(out->names, (out->count + 1) * sizeof *out->names);
    out->pages = realloc(out->pages, (out->count + 1) * sizeof *out->pages);
    if (!out->names || !out->pages)
      abort();
    out->names[out->count] = name;
    out->pages[out->count++] = 1;
    if (!p[n])
      return true;
  }
}

bool planner_read_pages(const char *text, long *out) {
  if (!text || !*text) {
    *out = 1;
    return true;
  }
  return whole_number(text, 1, PLANNER_MAX_PAGES, out);
}

bool planner_read_pages_map(const char *json, PlannerEndpoints *e, char *why, size_t size) {
  if (!json || !*json)
    return true;
  json_t *map = json_loads(json, 0, NULL), *v;
  const char *name;
  bool ok = json_is_object(map);
  if (!ok)
    snprintf(why, size, "is not a JSON object such as {\"api-a\": 3}");
  json_object_foreach(ok ? map : NULL, name, v) {
    ssize_t i = endpoint_index(e, name);
    json_int_t pages = json_integer_value(v);
    if (i < 0 || !json_is_integer(v) || pages < 1 || pages > PLANNER_MAX_PAGES) {
      snprintf(why, size, "'%.*s': each key one of ENDPOINTS, each value a whole number from 1 "
               "to %d", PLANNER_MAX_ENDPOINT, name, PLANNER_MAX_PAGES);
      utf8_scrub(why);
      ok = false;
      break;
    }
    e->pages[i] = (long)pages;
  }
  json_decref(map);
  return ok;
}

char *planner_queue_variable(const char *endpoint) {
  char *name = handler_strf("%s%s_URL", "LAKEC_QUEUE_", endpoint);
  for (char *p = name; *p; p++)
    *p = *p == '-' ? '_' : (char)toupper((unsigned char)*p);
  return name;
}

void planner_date_text(const struct tm *tm, char out[PLANNER_DATE]) {
  /* unsigned and reduced: the compiler can see that the text fits */
  snprintf(out, PLANNER_DATE, "%04u-%02u-%02u", (unsigned)(tm->tm_year + 1900) % 10000u,
           (unsigned)(tm->tm_mon + 1) % 100u, (unsigned)tm->tm_mday % 100u);
}

char *planner_message(const char *endpoint, const char *date, long page) {
  json_t *m = json_pack("{s:s, s:s, s:I}", "endpoint", endpoint, "date", date, "page",
                        (json_int_t)page);
  char *text = m ? json_dumps(m, JSON_COMPACT) : NULL;
  json_decref(m);
  if (!text)
    abort();
  return text;
}

/* ---- worker ---- */

/* YYYY-MM-DD of a real day, and nothing else. */
static bool date_ok(const char *s) {
  struct tm tm;
  memset(&tm, 0, sizeof tm);
  if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
    return false;
  for (int i = 0; i < 10; i++)
    if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
      return false;
  tm.tm_year = atoi(s) - 1900;
  tm.tm_mon = atoi(s + 5) - 1;
  tm.tm_mday = atoi(s + 8);
  return day_of_the_calendar(&tm);
}

bool worker_parse_message(const char *body, size_t len, PageRequest *out, char *why,
                          size_t size) {
  json_t *m = json_loadb(body, len, 0, NULL);
  const char *endpoint = json_string_value(json_object_get(m, "endpoint"));
  const char *date = json_string_value(json_object_get(m, "date"));
  json_t *page = json_object_get(m, "page");
  bool ok = false;
  if (!json_is_object(m))
    snprintf(why, size, "the body is not a JSON object");
  else if (json_object_size(m) != 3 || !endpoint || !date || !json_is_integer(page))
    snprintf(why, size, "the body must have exactly endpoint, date and page");
  else if (!planner_endpoint_ok(endpoint))
    snprintf(why, size, "endpoint: 1 to %d of a-z, 0-9 and '-'", PLANNER_MAX_ENDPOINT);
  else if (!date_ok(date))
    snprintf(why, size, "date: a day as YYYY-MM-DD");
  else if (json_integer_value(page) < 1 || json_integer_value(page) > PLANNER_MAX_PAGES)
    snprintf(why, size, "page: a whole number from 1 to %d", PLANNER_MAX_PAGES);
  else
    ok = true;
  if (ok) {
    snprintf(out->endpoint, sizeof out->endpoint, "%s", endpoint);
    snprintf(out->date, sizeof out->date, "%s", date);
    out->page = (long)json_integer_value(page);
  }
  json_decref(m);
  return ok;
}

char *worker_key(const PageRequest *p) {
  return handler_strf("raw/source=%s/ingestion_date=%s/page=%06ld.json.gz", p->endpoint,
                      p->date, p->page);
}

/* A small number from the text, so that each page's values differ: the sum
 * of its bytes. The tests compute the same. */
static long byte_sum(const char *s) {
  long sum = 0;
  for (; *s; s++)
    sum += (unsigned char)*s;
  return sum;
}

char *worker_mock_payload(const PageRequest *p) {
  json_t *items = json_array();
  for (int i = 0; i < WORKER_MOCK_ITEMS; i++) {
    char *id = handler_strf("%s:%s:%ld:%d", p->endpoint, p->date, p->page, i);
    long value = (byte_sum(p->endpoint) + byte_sum(p->date) + p->page * 100 + i) % 100000;
    json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:I, s:i, s:I}", "id", id,
                                           "endpoint", p->endpoint, "date", p->date, "page",
                                           (json_int_t)p->page, "item", i, "value",
                                           (json_int_t)value));
    free(id);
  }
  char *text = json_dumps(items, JSON_COMPACT);
  json_decref(items);
  if (!text)
    abort();
  return text;
}

char *worker_page_url(const char *base, const PageRequest *p) {
  return handler_strf("%s%cdate=%s&page=%ld", base, strchr(base, '?') ? '&' : '?', p->date,
                      p->page);
}

/* The objects of a JSON array as JSON Lines appended to out; false with why
 * filled (out as it was) when an item is not an object. Shared by worker and
 * extract. */
static bool append_json_lines(json_t *items, Buffer *out, char *why, size_t size) {
  json_t *item;
  size_t i, before = out->len;
  json_array_foreach(items, i, item) {
    /* compact dumps escape control characters: one object stays one line */
    char *line = json_is_object(item) ? json_dumps(item, JSON_COMPACT) : NULL;
    bool ok = line && buffer_append(out, line, strlen(line)) && buffer_append(out, "\n", 1);
    free(line);
    if (!ok) {
      snprintf(why, size, "item %zu is not a JSON object", i);
      out->len = before;
      return false;
    }
  }
  return true;
}

bool worker_json_lines(const char *body, size_t len, Buffer *out, char *why, size_t size) {
  json_t *doc = json_loadb(body, len, 0, NULL);
  bool ok = json_is_array(doc);
  if (!ok)
    snprintf(why, size, "the answer is not a JSON array");
  else
    ok = append_json_lines(doc, out, why, size);
  json_decref(doc);
  return ok;
}

bool worker_gzip(const void *data, size_t len, Buffer *out) {
  z_stream z;
  memset(&z, 0, sizeof z);
  /* windowBits 15 + 16: a gzip header and trailer instead of zlib's */
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return false;
  uLong bound = deflateBound(&z, (uLong)len);
  size_t before = out->len;
  unsigned char *room = bound < ((uLong)1 << 31) ? malloc(bound) : NULL;
  bool ok = room != NULL;
  if (ok) {
    z.next_in = (Bytef *)(uintptr_t)data; /* zlib's input is not const, but is only read */
    z.avail_in = (uInt)len;
    z.next_out = room;
    z.avail_out = (uInt)bound;
    ok = deflate(&z, Z_FINISH) == Z_STREAM_END && buffer_append(out, room, z.total_out);
  }
  free(room);
  deflateEnd(&z);
  if (!ok)
    out->len = before;
  return ok;
}

long worker_backoff_ms(int attempt, long retry_after_s, unsigned random) {
  if (retry_after_s >= 0)
    return retry_after_s > WORKER_MAX_DELAY_MS / 1000 ? WORKER_MAX_DELAY_MS
                                                       : retry_after_s * 1000;
  long cap = attempt >= 16 ? WORKER_MAX_DELAY_MS : (long)WORKER_BASE_DELAY_MS << attempt;
  if (cap > WORKER_MAX_DELAY_MS || cap < 0)
    cap = WORKER_MAX_DELAY_MS;
  return (long)(random % (unsigned long)(cap + 1)); /* full jitter */
}

bool worker_read_max_retries(const char *text, int *out) {
  long v = 5;
  if (text && *text && !whole_number(text, 0, WORKER_MAX_RETRIES, &v))
    return false;
  *out = (int)v;
  return true;
}

bool worker_read_qps_sleep(const char *text, long *out) {
  *out = 0;
  return !text || !*text || whole_number(text, 0, WORKER_MAX_QPS_SLEEP_MS, out);
}

bool worker_read_endpoint_map(const char *json, json_t **out, char *why, size_t size) {
  json_t *map = json && *json ? json_loads(json, 0, NULL) : NULL, *v;
  const char *name;
  bool ok = json_is_object(map);
  if (!ok)
    snprintf(why, size, "is not a JSON object such as {\"api-a\": \"https://...\"}");
  json_object_foreach(ok ? map : NULL, name, v) {
    const char *url = json_string_value(v);
    if (!planner_endpoint_ok(name) || !url || strlen(url) > 2048 ||
        (strncmp(url, "http://", 7) && strncmp(url, "https://", 8))) {
      snprintf(why, size, "'%.*s': each key an endpoint, each value an http(s) URL of at most "
               "2048 bytes", PLANNER_MAX_ENDPOINT, name);
      utf8_scrub(why);
      ok = false;
      break;
    }
  }
  if (!ok)
    json_decref(map);
  *out = ok ? map : NULL;
  return ok;
}

/* ---- extract ---- */

bool extract_source_ok(const char *name) {
  size_t n = strlen(name);
  return n >= 1 && n <= EXTRACT_MAX_SOURCE &&
         strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

static bool printable_ascii(const char *s) {
  for (; *s; s++)
    if (*s < 0x20 || *s > 0x7e)
      return false;
  return true;
}

/* ingestDate: YYYY-MM-DD, or a timestamp that starts with that day and 'T'. */
static bool read_ingest_date(const char *text, char out[PLANNER_DATE]) {
  char day[PLANNER_DATE];
  size_t n = strlen(text);
  if (n < 10 || (n > 10 && text[10] != 'T'))
    return false;
  memcpy(day, text, 10);
  day[10] = '\0';
  if (!date_ok(day))
    return false;
  memcpy(out, day, PLANNER_DATE);
  return true;
}

bool extract_read_event(json_t *event, ExtractInput *out, char *why, size_t size) {
  memset(out, 0, sizeof *out);
  if (!json_is_object(event)) {
    snprintf(why, size, "the event must be a JSON object ({\"executionId\": ..., \"source\": ...})");
    return false;
  }
  json_t *source = json_object_get(event, "source"), *id = json_object_get(event, "executionId");
  json_t *date = json_object_get(event, "ingestDate");
  const char *text;
  if (source && !json_is_null(source)) {
    text = json_string_value(source);
    if (!text || !extract_source_ok(text)) {
      snprintf(why, size, "source: 1 to %d of a-z, 0-9, '_' and '-'", EXTRACT_MAX_SOURCE);
      return false;
    }
    snprintf(out->source, sizeof out->source, "%s", text);
  }
  if (id && !json_is_null(id)) { /* a null: the state machine had none (moto passes null) */
    text = json_string_value(id);
    if (!text || !*text || strlen(text) > EXTRACT_MAX_EXECUTION || !printable_ascii(text)) {
      snprintf(why, size, "executionId: null, or 1 to %d bytes of printable ASCII",
               EXTRACT_MAX_EXECUTION);
      return false;
    }
    snprintf(out->execution_id, sizeof out->execution_id, "%s", text);
  }
  if (date && !json_is_null(date)) {
    text = json_string_value(date);
    if (!text || !read_ingest_date(text, out->date)) {
      snprintf(why, size, "ingestDate: a day as YYYY-MM-DD, or a timestamp starting with one");
      return false;
    }
  }
  return true;
}

bool extract_read_max_pages(const char *text, long *out) {
  *out = EXTRACT_DEFAULT_PAGES;
  return !text || !*text || whole_number(text, 1, EXTRACT_MAX_PAGES, out);
}

bool extract_base_ok(const char *prefix) {
  return normalize_prefix_ok(prefix);
}

char *extract_prefix(const char *base, const char *source, const char *date) {
  return handler_strf("%s%s/ingest_date=%s/", base, source, date);
}

char *extract_part_key(const char *prefix, long part) {
  return handler_strf("%spart-%05ld.json", prefix, part);
}

char *extract_page_url(const char *url, long page) {
  return handler_strf("%s%cpage=%ld", url, strchr(url, '?') ? '&' : '?', page);
}

char *extract_url_for_logs(const char *url) {
  return handler_strf("%.*s", (int)strcspn(url, "?#"), url);
}

/* The generated orders. Order k of day D (YYYYMMDD as the number ymd):
 *   order_id    ord-<ymd>-<kkkk>
 *   customer_id cust-<(ymd + 7k) mod 97, 3 digits>
 *   amount      (500 + (31 ymd + 7919 k) mod 99500) cents, as "N.NN"
 *   currency    EUR, USD, GBP by (ymd + k) mod 3
 * Pages 1 and 2 create orders 0-19 of the day (status paid for odd k,
 * pending for even; updated at 08:00 plus k minutes); page 3 updates orders
 * 0-4 of the day (shipped, at 12:00 plus k minutes) and orders 0-4 of the
 * day before (delivered, at 13:00 plus k minutes), so a MERGE on order_id
 * meets rows it has, from this run and from the last. */
static json_t *mock_order(long ymd, long k, const char *status, const char *date, int hour,
                          long minute) {
  static const char *const CURRENCIES[] = {"EUR", "USD", "GBP"};
  char id[32], customer[16], amount[16], at[32];
  long cents = 500 + (31 * ymd + 7919 * k) % 99500;
  snprintf(id, sizeof id, "ord-%08ld-%04ld", ymd, k);
  snprintf(customer, sizeof customer, "cust-%03ld", (ymd + 7 * k) % 97);
  snprintf(amount, sizeof amount, "%ld.%02ld", cents / 100, cents % 100);
  snprintf(at, sizeof at, "%.10sT%02d:%02ld:00Z", date, hour, minute);
  return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "order_id", id, "customer_id", customer,
                   "status", status, "amount", amount, "currency", CURRENCIES[(ymd + k) % 3],
                   "updated_at", at);
}

static long ymd_of(const struct tm *tm) {
  return (tm->tm_year + 1900L) * 10000 + (tm->tm_mon + 1) * 100 + tm->tm_mday;
}

char *extract_mock_page(const char *date, long page) {
  struct tm day;
  memset(&day, 0, sizeof day);
  if (!date_ok(date))
    return NULL;
  day.tm_year = atoi(date) - 1900;
  day.tm_mon = atoi(date + 5) - 1;
  day.tm_mday = atoi(date + 8);
  long today = ymd_of(&day), yesterday = ymd_of(&day) - 1;
  if (day.tm_mday == 1) { /* the last day of the month before */
    struct tm before = day;
    before.tm_mday = 31;
    if (--before.tm_mon < 0)
      before.tm_mon = 11, before.tm_year--;
    while (!day_of_the_calendar(&before))
      before.tm_mday--;
    yesterday = ymd_of(&before);
  }
  json_t *items = json_array();
  for (long i = 0; page >= 1 && page <= EXTRACT_MOCK_PAGES && i < EXTRACT_MOCK_ORDERS; i++) {
    long n = (page - 1) * EXTRACT_MOCK_ORDERS + i, half = EXTRACT_MOCK_ORDERS / 2;
    json_t *o;
    if (n < 2 * EXTRACT_MOCK_ORDERS)
      o = mock_order(today, n, n % 2 ? "paid" : "pending", date, 8, n);
    else if (i < half)
      o = mock_order(today, i, "shipped", date, 12, i);
    else
      o = mock_order(yesterday, i - half, "delivered", date, 13, i - half);
    json_array_append_new(items, o);
  }
  char *text = json_dumps(items, JSON_COMPACT);
  json_decref(items);
  if (!text)
    abort();
  return text;
}

bool extract_page_lines(const char *body, size_t len, Buffer *out, size_t *count, char *why,
                        size_t size) {
  json_t *doc = json_loadb(body, len, 0, NULL);
  json_t *items = json_is_object(doc) ? json_object_get(doc, "items") : doc;
  bool ok = json_is_array(items);
  *count = 0;
  if (!ok)
    snprintf(why, size, "the page is not a JSON array of objects (or {\"items\": [...]})");
  else if ((ok = append_json_lines(items, out, why, size)))
    *count = json_array_size(items);
  json_decref(doc);
  return ok;
}

/* ---- websocket ---- */

bool websocket_connection_id_ok(const char *id) {
  size_t n = strlen(id);
  return n >= 1 && n <= WEBSOCKET_MAX_CONNECTION_ID &&
         strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_") == n;
}

bool websocket_read_event(json_t *event, WsEvent *out, char *why, size_t size) {
  memset(out, 0, sizeof *out);
  json_t *context = json_object_get(event, "requestContext");
  const char *route = json_string_value(json_object_get(context, "routeKey"));
  const char *id = json_string_value(json_object_get(context, "connectionId"));
  if (!route || !id) {
    explain(why, size, "not an API Gateway WebSocket event: requestContext.routeKey and "
            ".connectionId are required");
    return false;
  }
  if (!websocket_connection_id_ok(id)) {
    explain(why, size, "connectionId '%.60s' is not 1 to %d characters of base64",
            id, WEBSOCKET_MAX_CONNECTION_ID);
    return false;
  }
  out->route = !strcmp(route, "$connect")      ? WS_CONNECT
               : !strcmp(route, "$disconnect") ? WS_DISCONNECT
                                               : WS_MESSAGE;
  out->connection_id = id;
  json_t *at = json_object_get(context, "connectedAt");
  out->connected_at_ms = json_is_integer(at) && json_integer_value(at) > 0 ? json_integer_value(at) : 0;
  out->domain = json_string_value(json_object_get(context, "domainName"));
  out->stage = json_string_value(json_object_get(context, "stage"));
  if (!json_is_true(json_object_get(event, "isBase64Encoded")))
    out->body = json_string_value(json_object_get(event, "body"));
  return true;
}

char *websocket_reply(const char *body) {
  json_t *message = body ? json_loads(body, 0, NULL) : NULL;
  const char *action = json_string_value(json_object_get(message, "action"));
  json_t *reply;
  if (action && !strcmp(action, "ping"))
    reply = json_pack("{s:s}", "type", "pong");
  else
    reply = json_pack("{s:s, s:s}", "type", "error", "message",
                      "unknown message: this API answers {\"action\":\"ping\"}; the dashboard's "
                      "records come by themselves");
  json_decref(message);
  char *text = json_dumps(reply, JSON_COMPACT);
  json_decref(reply);
  if (!text)
    abort();
  return text;
}

char *websocket_callback_url(const WsEvent *e) {
  static const char host_chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:";
  static const char stage_chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";
  if (!e->domain || !e->stage || !*e->domain || !*e->stage || strlen(e->domain) > 253 ||
      strlen(e->stage) > 128 || strspn(e->domain, host_chars) != strlen(e->domain) ||
      strspn(e->stage, stage_chars) != strlen(e->stage))
    return NULL;
  return handler_strf("https://%s/%s", e->domain, e->stage);
}

/* ---- consume ---- */

#define CONSUME_HEAD "{\"type\":\"records\",\"records\":["
#define CONSUME_TAIL "]}"

/* A record's value as JSON text (malloc'd), or NULL when it is not base64. */
static char *record_value_json(json_t *record) {
  json_t *value = json_object_get(record, "value");
  if (!value || json_is_null(value))
    return handler_strf("null"); /* a tombstone */
  if (!json_is_string(value))
    return NULL;
  size_t len;
  char *bytes = base64_decode(json_string_value(value), &len);
  if (!bytes)
    return NULL;
  json_t *doc = json_loadb(bytes, len, JSON_DECODE_ANY, NULL);
  if (!doc && strlen(bytes) == len && utf8_valid(bytes))
    doc = json_string(bytes);
  free(bytes);
  char *text = json_dumps(doc ? doc : json_null(), JSON_COMPACT | JSON_ENCODE_ANY);
  json_decref(doc);
  if (!text)
    abort();
  return text;
}

/* A record no message can hold is skipped. */
static void consume_pack(Packer *p, ConsumeBatch *b, const char *json) {
  size_t n = strlen(json), frame = strlen(CONSUME_HEAD) + strlen(CONSUME_TAIL);
  if (n + frame > CONSUME_MESSAGE_BYTES)
    b->skipped++;
  else
    packer_add(p, json, n);
}

bool consume_read_event(json_t *event, ConsumeBatch *out, char *why, size_t size) {
  memset(out, 0, sizeof *out);
  const char *source = json_string_value(json_object_get(event, "eventSource"));
  json_t *partitions = json_object_get(event, "records");
  if (!source || strcmp(source, "aws:kafka") || !json_is_object(partitions)) {
    explain(why, size, "not an MSK event: eventSource \"aws:kafka\" and a records object are "
            "required");
    return false;
  }
  Packer p = {CONSUME_HEAD, CONSUME_TAIL, CONSUME_FRAME_BYTES, NULL, 0, {0}, 0};
  const char *name;
  json_t *records;
  json_object_foreach(partitions, name, records) {
    size_t i;
    json_t *record;
    json_array_foreach(records, i, record) {
      out->records++;
      char *json = json_is_object(record) ? record_value_json(record) : NULL;
      if (json)
        consume_pack(&p, out, json);
      else
        out->skipped++;
      free(json);
    }
  }
  packer_flush(&p);
  out->messages = p.docs;
  out->count = p.count;
  return true;
}

void consume_batch_release(ConsumeBatch *b) {
  for (size_t i = 0; i < b->count; i++)
    free(b->messages[i]);
  free(b->messages);
  memset(b, 0, sizeof *b);
}

/* ---- generate ---- */

/* YYYY-MM-DDTHH:MM:SSZ exactly, a real day of the years 2000 to 9999. */
static bool schedule_time(const char *text, time_t *out) {
  static const char SHAPE[] = "dddd-dd-ddTdd:dd:ddZ";
  if (strlen(text) != strlen(SHAPE))
    return false;
  for (size_t i = 0; SHAPE[i]; i++)
    if (SHAPE[i] == 'd' ? !isdigit((unsigned char)text[i]) : text[i] != SHAPE[i])
      return false;
  struct tm tm = {0};
  int y, mon, d, h, min, sec;
  if (sscanf(text, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mon, &d, &h, &min, &sec) != 6)
    return false;
  tm.tm_year = y - 1900, tm.tm_mon = mon - 1, tm.tm_mday = d;
  if (y < 2000 || !day_of_the_calendar(&tm) || h > 23 || min > 59 || sec > 59)
    return false;
  long days = telemetry_days_from_civil(y, (unsigned)mon, (unsigned)d);
  *out = (time_t)days * 86400 + h * 3600 + min * 60 + sec;
  return true;
}

bool generate_read_event(json_t *event, time_t now, time_t *when, char *why, size_t size) {
  if (!json_is_object(event)) {
    explain(why, size, "the event must be an object (EventBridge's scheduled event)");
    return false;
  }
  json_t *stamp = json_object_get(event, "time");
  if (!stamp) {
    *when = now;
    return true;
  }
  if (json_is_string(stamp) && schedule_time(json_string_value(stamp), when))
    return true;
  explain(why, size,
          "the event's time must be YYYY-MM-DDTHH:MM:SSZ, a real time of the years 2000 to "
          "9999, as EventBridge writes it");
  return false;
}

typedef struct LiveEvent {
  TelemetryEvent e;
  long long at_ms; /* ms since the epoch */
  long long order; /* its place in the stream: ties keep it */
} LiveEvent;

static int by_time(const void *a, const void *b) {
  const LiveEvent *x = a, *y = b;
  if (x->at_ms != y->at_ms)
    return x->at_ms < y->at_ms ? -1 : 1;
  return x->order < y->order ? -1 : x->order > y->order;
}

/* YYYY-MM-DDTHH:MM:SS.mmmZ */
static void timestamp_text(long long ms, char out[32]) {
  time_t seconds = (time_t)(ms / 1000);
  struct tm tm;
  gmtime_r(&seconds, &tm);
  char day[24];
  strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(out, 32, "%s.%03dZ", day, (int)(ms % 1000));
}

/* A record's JSON: the telemetry table's columns and the event's time.
 * Every value is an id, a number or a word of the vocabulary: nothing to
 * escape. */
static size_t live_record(const LiveEvent *l, char *out, size_t size) {
  char at[32];
  timestamp_text(l->at_ms, at);
  const TelemetryEvent *e = &l->e;
  int n = snprintf(out, size,
                   "{\"event_id\":\"%s\",\"customer_id\":\"%s\",\"title_id\":\"%s\","
                   "\"event_type\":\"%s\",\"watch_duration_seconds\":%d,\"device_type\":\"%s\","
                   "\"quality\":\"%s\",\"timestamp\":\"%s\"}",
                   e->event_id, e->customer_id, e->title_id, e->event_type,
                   (int)e->watch_duration_seconds, e->device_type, e->quality, at);
  return n > 0 && (size_t)n < size ? (size_t)n : 0;
}

/* The stream is the scheduled second's own; each event falls in the
 * GENERATE_WINDOW_S before it, and the batch goes out in time order. */
static LiveEvent *live_events(time_t when, long long count) {
  LiveEvent *events = calloc((size_t)count, sizeof *events);
  int32_t *minutes = telemetry_title_minutes(TELEMETRY_SEED, TELEMETRY_TITLES);
  if (!events)
    abort();
  Rng r = rng_for((uint64_t)when, TELEMETRY_STREAM_LIVE);
  long long end_ms = (long long)when * 1000, window_ms = GENERATE_WINDOW_S * 1000LL;
  for (long long i = 0; i < count; i++) {
    telemetry_event(&r, TELEMETRY_CUSTOMERS, TELEMETRY_TITLES, minutes, &events[i].e);
    events[i].at_ms = end_ms - window_ms + (long long)rng_below(&r, (uint64_t)window_ms);
    events[i].order = i;
  }
  free(minutes);
  qsort(events, (size_t)count, sizeof *events, by_time);
  return events;
}

void generate_batch(time_t when, long long events, size_t max_bytes, GenerateBatch *out) {
  memset(out, 0, sizeof *out);
  if (events < 1)
    return;
  LiveEvent *live = live_events(when, events);
  Packer p = {"{\"records\":[", "]}", max_bytes, NULL, 0, {0}, 0};
  for (long long i = 0; i < events; i++) {
    char record[512];
    size_t n = live_record(&live[i], record, sizeof record);
    if (!n)
      abort(); /* the fields have bounded lengths: it always fits */
    packer_add(&p, record, n);
  }
  packer_flush(&p);
  free(live);
  out->payloads = p.docs;
  out->count = p.count;
}

void generate_batch_release(GenerateBatch *b) {
  for (size_t i = 0; i < b->count; i++)
    free(b->payloads[i]);
  free(b->payloads);
  memset(b, 0, sizeof *b);
}
