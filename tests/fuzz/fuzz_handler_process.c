/* libFuzzer target: process's input. The bytes are read as an EventBridge
 * Object Created event, as a data set's JSON (LAKEC_DATASET_<KEY>) and, apart,
 * as the object's CSV, converted against two data sets (the metrics one with
 * its header, and one of every column type without). Beyond "no crash, no
 * sanitizer report, no leak":
 * - a key accepted to move is under raw/, has no '.', '..' or empty segment
 *   (but a trailing '/') and no control character, and both destinations
 *   are keys S3 takes; a Parquet data set's processed key ends in .parquet;
 * - a refused event's or data set's message is JSON (what the Runtime API
 *   gets);
 * - an accepted data set is within the documented limits, and the Parquet
 *   writer takes its schema and options;
 * - a CSV converted is a Parquet file (PAR1 at both ends) of at least one
 *   row; a refused one names a line of the input, a column of the data set
 *   or none, and a reason JSON can carry;
 * - reading the CSV in pieces (as process reads it in ranges) changes
 *   nothing: the same outcome and the same bytes out. */
#include "fuzz_support.h"
#include "parse.h"
#include "rows.h"

static const char *const ALL_TYPES =
    "{\"format\":\"csv\",\"codec\":\"none\",\"header\":false,\"list_separator\":\";\","
    "\"row_group_mb\":1,\"columns\":["
    "{\"name\":\"s\",\"type\":\"string\",\"optional\":true},"
    "{\"name\":\"i\",\"type\":\"int32\",\"optional\":true},"
    "{\"name\":\"l\",\"type\":\"int64\",\"optional\":false},"
    "{\"name\":\"d\",\"type\":\"double\",\"optional\":true},"
    "{\"name\":\"b\",\"type\":\"boolean\",\"optional\":true},"
    "{\"name\":\"day\",\"type\":\"date\",\"optional\":true},"
    "{\"name\":\"ms\",\"type\":\"timestamp\",\"optional\":true},"
    "{\"name\":\"us\",\"type\":\"timestamp_us\",\"optional\":true},"
    "{\"name\":\"tags\",\"type\":\"list<string>\",\"optional\":true}]}";

static bool segment_is_safe(const char *seg, size_t n) {
  return n > 0 && !(n == 1 && seg[0] == '.') && !(n == 2 && seg[0] == '.' && seg[1] == '.');
}

/* A trailing '/' (a "folder" object, "raw/dir/") is the one empty segment
 * allowed: it addresses nothing else. */
static void check_safe_key(const char *key) {
  REQUIRE(strncmp(key, "raw/", 4) == 0);
  REQUIRE(strlen(key) <= PROCESS_MAX_KEY);
  for (const unsigned char *p = (const unsigned char *)key; *p; p++)
    REQUIRE(*p >= 0x20 && *p != 0x7f);
  for (const char *seg = key; *seg;) {
    const char *slash = strchr(seg, '/');
    REQUIRE(segment_is_safe(seg, slash ? (size_t)(slash - seg) : strlen(seg)));
    if (!slash)
      break;
    seg = slash + 1;
  }
}

static void check_message_is_json(const HandlerError *err) {
  REQUIRE(err->type[0] != '\0');
  char *body = handler_error_body(err);
  REQUIRE(body != NULL);
  json_t *doc = json_loads(body, 0, NULL);
  REQUIRE(json_is_string(json_object_get(doc, "errorMessage")));
  json_decref(doc);
  free(body);
}

static void check_event(json_t *event, DatasetFormat format) {
  ObjectToMove o;
  HandlerError err = {0};
  if (!process_read_event(event, format, &o, &err)) {
    check_message_is_json(&err);
    return;
  }
  check_safe_key(o.key);
  REQUIRE(!strncmp(o.processed, "processed/", 10) && !strncmp(o.quarantine, "quarantine/", 11));
  REQUIRE(!strcmp(o.quarantine + strlen("quarantine/"), o.key + 4));
  size_t n = strlen(o.processed);
  if (format == DATASET_CSV)
    REQUIRE(!strcmp(o.processed + strlen("processed/"), o.key + 4));
  else
    REQUIRE(n >= 8 && !strcmp(o.processed + n - 8, ".parquet"));
  REQUIRE(strlen(o.quarantine) <= PROCESS_MAX_KEY && n <= PROCESS_MAX_KEY);
  object_to_move_release(&o);
}

static int discard(void *user, const void *data, size_t len) {
  (void)user, (void)data, (void)len;
  return 0;
}

static void check_dataset(const uint8_t *data, size_t size) {
  char *text = fuzz_text(data, size), why[300];
  Dataset d;
  if (!process_read_dataset(text, &d, why, sizeof why)) {
    HandlerError err = {"Configuration", ""};
    snprintf(err.message, sizeof err.message, "LAKEC_DATASET_X: %s", why);
    check_message_is_json(&err);
    REQUIRE(d.count == 0 && d.columns == NULL);
    free(text);
    return;
  }
  REQUIRE(d.count >= 1 && d.count <= DATASET_MAX_COLUMNS);
  REQUIRE(d.row_group_mb >= 1 && d.row_group_mb <= DATASET_MAX_ROW_GROUP_MB);
  REQUIRE(d.list_separator >= 0x20 && d.list_separator <= 0x7e);
  REQUIRE(d.list_separator != ',' && d.list_separator != '"');
  PqOptions options = dataset_options(&d);
  const char *error = NULL;
  Rows *rows = rows_open(&d, &options, discard, NULL, &error);
  if (!rows)
    fprintf(stderr, "the writer refuses an accepted data set: %s\n", error);
  REQUIRE(rows != NULL);
  rows_free(rows);
  dataset_release(&d);
  free(text);
}

static int collect(void *user, const void *data, size_t len) {
  return buffer_append(user, data, len) ? 0 : -1;
}

typedef struct Converted {
  RowsStatus status;
  RowsProblem problem;
  uint64_t rows;
  Buffer out;
} Converted;

/* The CSV through rows, fed in two pieces split at `split`. */
static Converted convert(const Dataset *d, const uint8_t *data, size_t size, size_t split) {
  Converted c = {0};
  PqOptions options = dataset_options(d);
  const char *error = NULL;
  Rows *rows = rows_open(d, &options, collect, &c.out, &error);
  REQUIRE(rows != NULL);
  c.status = rows_feed(rows, (const char *)data, split);
  if (c.status == ROWS_OK)
    c.status = rows_feed(rows, (const char *)data + split, size - split);
  if (c.status == ROWS_OK)
    c.status = rows_finish(rows);
  c.problem = *rows_problem(rows);
  c.rows = rows_count(rows);
  rows_free(rows);
  return c;
}

static uint64_t physical_lines(const uint8_t *data, size_t size) {
  uint64_t lines = 1;
  for (size_t i = 0; i < size; i++)
    if (data[i] == '\r' || (data[i] == '\n' && (i == 0 || data[i - 1] != '\r')))
      lines++;
  return lines;
}

static void check_conversion(const char *dataset, const uint8_t *data, size_t size) {
  Dataset d;
  char why[300];
  REQUIRE(process_read_dataset(dataset, &d, why, sizeof why));
  Converted whole = convert(&d, data, size, size);
  REQUIRE(whole.status != ROWS_FAILED); /* a sink in memory does not fail */
  if (whole.status == ROWS_OK) {
    REQUIRE(whole.rows >= 1 && whole.out.len >= 12);
    REQUIRE(!memcmp(whole.out.data, "PAR1", 4) && !memcmp(whole.out.data + whole.out.len - 4, "PAR1", 4));
  } else {
    const RowsProblem *p = &whole.problem;
    REQUIRE(p->reason[0] != '\0');
    json_t *reason = json_string(p->reason); /* metadata and the result JSON */
    REQUIRE(reason != NULL);
    json_decref(reason);
    REQUIRE(p->line <= physical_lines(data, size));
    bool named = p->column == NULL;
    for (size_t i = 0; i < d.count && !named; i++)
      named = p->column == d.columns[i].name;
    REQUIRE(named);
  }
  Converted pieces = convert(&d, data, size, size / 3);
  REQUIRE(pieces.status == whole.status && pieces.rows == whole.rows);
  REQUIRE(pieces.problem.line == whole.problem.line && pieces.problem.column == whole.problem.column);
  REQUIRE(!strcmp(pieces.problem.reason, whole.problem.reason));
  REQUIRE(pieces.out.len == whole.out.len &&
          (whole.out.len == 0 || !memcmp(pieces.out.data, whole.out.data, whole.out.len)));
  free(whole.out.data);
  free(pieces.out.data);
  dataset_release(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  json_t *event = json_loadb((const char *)data, size, 0, NULL);
  if (event) {
    check_event(event, DATASET_PARQUET);
    check_event(event, DATASET_CSV);
  }
  json_decref(event);
  check_dataset(data, size);
  check_conversion(FUZZ_METRICS_DATASET, data, size);
  check_conversion(ALL_TYPES, data, size);
  return 0;
}
