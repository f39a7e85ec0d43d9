/* telemetry_data: the ACME telemetry lake's batch data (seed 004), four
 * tables as Parquet with the seed's columns:
 *
 *   customers/part-00000.parquet              customer_id, email, subscription_tier,
 *                                             country, is_active, preferred_genres
 *   titles/part-00000.parquet                 title_id, title_name, title_type, genre,
 *                                             duration_minutes
 *   campaigns/part-00000.parquet              campaign_id, advertiser_name, impressions,
 *                                             clicks, click_through_rate
 *   telemetry/date=YYYY-MM-DD/part-00000.parquet   event_id, customer_id, title_id,
 *                                             event_type, watch_duration_seconds,
 *                                             device_type, quality
 *
 * Every value follows from the options alone (a seed, the volumes, the first
 * date): the same options write the same bytes. Each table draws from its
 * own xoshiro256** stream seeded by splitmix64 from the seed and the table,
 * so more events leave the customers as they were. Every telemetry
 * customer_id and title_id exists in customers and titles.
 *
 * Two ways to run it, one set of options:
 *   bootstrap --out DIR [--seed N] [--customers N] ...   files under DIR
 *   as a Lambda function (or --event FILE)                objects under the
 *     bucket and prefix of its one `write` grant (LAKEC_WRITE_BUCKET,
 *     LAKEC_WRITE_PREFIX); the event's keys are the options' names.
 * Both answer the same JSON summary: the options, and each file's key, rows
 * and bytes. */
#include "parquet.h"
#include "runtime.h"
#include "s3.h"
#include "telemetry.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PARQUET_TYPE "application/vnd.apache.parquet"
#define DATE_LEN 11 /* "YYYY-MM-DD" and its NUL */

/* ---- options ---- */

typedef struct Options {
  long long seed, customers, titles, events, campaigns, days;
  char start_date[DATE_LEN];
  long start_day; /* start_date as days since 1970-01-01 */
} Options;

typedef struct OptionSpec {
  const char *name; /* the event's key; the flag is --name with '-' for '_' */
  size_t offset;
  long long min, max, fallback;
  const char *doc;
} OptionSpec;

/* The seed's volumes are the defaults (10K customers, 1K titles, 100K
 * events, 50 campaigns). The limits keep one invocation within minutes. */
static const OptionSpec OPTIONS[] = {
    {"seed", offsetof(Options, seed), 0, INT64_MAX, TELEMETRY_SEED, "the PRNG seed"},
    {"customers", offsetof(Options, customers), 1, 1000000, TELEMETRY_CUSTOMERS, "customers"},
    {"titles", offsetof(Options, titles), 1, 100000, TELEMETRY_TITLES, "titles"},
    {"events", offsetof(Options, events), 1, 10000000, 100000, "telemetry events"},
    {"campaigns", offsetof(Options, campaigns), 1, 100000, 50, "campaigns"},
    {"days", offsetof(Options, days), 1, 366, 7, "dates the events spread over"},
};
#define OPTION_COUNT (sizeof OPTIONS / sizeof *OPTIONS)
#define START_DATE_DEFAULT "2024-01-01"

static long long *option_field(Options *o, const OptionSpec *s) {
  return (long long *)((char *)o + s->offset);
}

/* A day number (telemetry_days_from_civil) as YYYY-MM-DD (H. Hinnant's
 * civil_from_days). */
static void civil_text(long days, char out[DATE_LEN]) {
  days += 719468;
  long era = (days >= 0 ? days : days - 146096) / 146097;
  unsigned doe = (unsigned)(days - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1;
  unsigned m = mp < 10 ? mp + 3 : mp - 9;
  long y = (long)yoe + era * 400 + (m <= 2);
  /* the years in use have four digits (parse_date: 2000 to 2099, plus at
   * most 366 days); the modulo tells the compiler so */
  snprintf(out, DATE_LEN, "%04u-%02u-%02u", (unsigned)y % 10000u, m % 100u, d % 100u);
}

/* A real date from 2000-01-01 to 2099-12-31 written YYYY-MM-DD. */
static bool parse_date(const char *text, long *days) {
  unsigned y, m, d;
  char again[DATE_LEN + 8];
  if (strlen(text) != 10 || strspn(text, "0123456789-") != 10 ||
      sscanf(text, "%4u-%2u-%2u", &y, &m, &d) != 3 || y < 2000 || y > 2099 || m < 1 || m > 12 ||
      d < 1 || d > 31)
    return false;
  *days = telemetry_days_from_civil((long)y, m, d);
  civil_text(*days, again);
  return !strcmp(again, text); /* 2024-02-30 comes back as 2024-03-01 */
}

static void options_defaults(Options *o) {
  memset(o, 0, sizeof *o);
  for (size_t i = 0; i < OPTION_COUNT; i++)
    *option_field(o, &OPTIONS[i]) = OPTIONS[i].fallback;
  snprintf(o->start_date, sizeof o->start_date, "%s", START_DATE_DEFAULT);
  parse_date(o->start_date, &o->start_day);
}

/* Digits only (no sign, no space), within the option's limits. */
static bool parse_whole(const char *text, const OptionSpec *s, long long *out) {
  size_t n = strlen(text);
  if (!n || n > 19 || strspn(text, "0123456789") != n)
    return false;
  errno = 0;
  unsigned long long v = strtoull(text, NULL, 10);
  if (errno || v > (unsigned long long)s->max || (long long)v < s->min)
    return false;
  *out = (long long)v;
  return true;
}

static void whole_refusal(const OptionSpec *s, const char *flag, char *why, size_t size) {
  snprintf(why, size, "%s%s takes a whole number from %lld to %lld (%s)", flag, s->name, s->min,
           s->max, s->doc);
}

/* ---- the customers' and campaigns' vocabulary (telemetry.h has the rest) ---- */

static const char *const FIRST_NAMES[] = {
    "ava",  "liam", "olivia", "noah", "emma",  "mateo", "sofia", "lucas", "mia",  "ethan",
    "aria", "leo",  "chloe",  "hiro", "priya", "omar",  "zoe",   "felix", "nina", "kai"};
static const char *const LAST_NAMES[] = {
    "smith",  "garcia", "chen",   "patel",  "silva", "kim",   "novak",  "okafor", "rossi", "tanaka",
    "nguyen", "dubois", "larsen", "moreau", "singh", "reyes", "walker", "haddad", "berg",  "costa"};
static const char *const DOMAINS[] = {"example.com", "example.net", "example.org",
                                      "mail.example.com"};

static const Weighted TIERS[] = {
    {"free_with_ads", 30}, {"basic", 25}, {"standard", 30}, {"premium", 15}, {NULL, 0}};
static const Weighted COUNTRIES[] = {
    {"United States", 35}, {"United Kingdom", 10}, {"Canada", 8}, {"Germany", 8},
    {"France", 6},         {"Brazil", 8},          {"India", 8},  {"Japan", 5},
    {"Australia", 5},      {"Mexico", 7},          {NULL, 0}};

static const char *const BRANDS[] = {"Northwind", "Contoso", "Fabrikam", "Globex",    "Initech",
                                     "Tailspin",  "Wingtip", "Litware",  "Proseware", "Adatum"};
static const char *const INDUSTRIES[] = {"Foods", "Motors", "Telecom", "Travel",
                                         "Games", "Bank",   "Fitness", "Beverages"};

/* ---- the tables ---- */

typedef struct Gen {
  const Options *opt;
  Rng rng;
  int32_t *minutes; /* each title's, kept for the events: a title's length bounds a watch */
} Gen;

typedef bool (*RowFn)(Gen *g, PqWriter *w, long long i);

static bool put_text(PqWriter *w, size_t column, const char *text) {
  return pq_write_string(w, column, text, strlen(text)) == 0;
}

static const PqColumn CUSTOMER_COLUMNS[] = {
    {"customer_id", PQ_STRING, false},       {"email", PQ_STRING, false},
    {"subscription_tier", PQ_STRING, false}, {"country", PQ_STRING, false},
    {"is_active", PQ_BOOLEAN, false},        {"preferred_genres", PQ_STRING_LIST, false}};

/* One to three different genres. */
static size_t preferred_genres(Rng *r, PqBytes out[3]) {
  size_t n = 1 + (size_t)rng_below(r, 3), have = 0;
  while (have < n) {
    const char *genre = TELEMETRY_PICK(r, TELEMETRY_GENRES);
    bool seen = false;
    for (size_t i = 0; i < have; i++)
      seen = seen || out[i].data == genre;
    if (!seen)
      out[have++] = (PqBytes){genre, strlen(genre)};
  }
  return n;
}

static bool customer_row(Gen *g, PqWriter *w, long long i) {
  Rng *r = &g->rng;
  char id[32], email[96];
  snprintf(id, sizeof id, "cust-%07lld", i + 1);
  const char *first = TELEMETRY_PICK(r, FIRST_NAMES), *last = TELEMETRY_PICK(r, LAST_NAMES);
  snprintf(email, sizeof email, "%s.%s%lld@%s", first, last, i + 1, TELEMETRY_PICK(r, DOMAINS));
  const char *tier = pick_weighted(r, TIERS);
  /* paying customers cancel less often than the free tier */
  unsigned active_percent = !strcmp(tier, "free_with_ads") ? 70 : !strcmp(tier, "basic") ? 85 : 93;
  const char *country = pick_weighted(r, COUNTRIES);
  bool active = rng_below(r, 100) < active_percent;
  PqBytes genres[3];
  size_t count = preferred_genres(r, genres);
  return put_text(w, 0, id) && put_text(w, 1, email) && put_text(w, 2, tier) &&
         put_text(w, 3, country) && pq_write_boolean(w, 4, active) == 0 &&
         pq_write_list(w, 5, genres, count) == 0;
}

static const PqColumn TITLE_COLUMNS[] = {{"title_id", PQ_STRING, false},
                                         {"title_name", PQ_STRING, false},
                                         {"title_type", PQ_STRING, false},
                                         {"genre", PQ_STRING, false},
                                         {"duration_minutes", PQ_INT32, false}};

static bool title_row(Gen *g, PqWriter *w, long long i) {
  char id[32];
  TelemetryTitle t;
  snprintf(id, sizeof id, "title-%06lld", i + 1);
  telemetry_title(&g->rng, &t);
  g->minutes[i] = t.minutes;
  return put_text(w, 0, id) && put_text(w, 1, t.name) && put_text(w, 2, t.type) &&
         put_text(w, 3, t.genre) && pq_write_int32(w, 4, t.minutes) == 0;
}

static const PqColumn CAMPAIGN_COLUMNS[] = {{"campaign_id", PQ_STRING, false},
                                            {"advertiser_name", PQ_STRING, false},
                                            {"impressions", PQ_INT64, false},
                                            {"clicks", PQ_INT64, false},
                                            {"click_through_rate", PQ_DOUBLE, false}};

/* click_through_rate is a percentage of the row's own clicks and
 * impressions, to 4 decimals. */
static bool campaign_row(Gen *g, PqWriter *w, long long i) {
  Rng *r = &g->rng;
  char id[32], advertiser[64];
  snprintf(id, sizeof id, "camp-%06lld", i + 1);
  const char *brand = TELEMETRY_PICK(r, BRANDS), *industry = TELEMETRY_PICK(r, INDUSTRIES);
  snprintf(advertiser, sizeof advertiser, "%s %s", brand, industry);
  long long impressions = rng_range(r, 50000, 5000000);
  long long basis_points = rng_range(r, 20, 400); /* a CTR of 0.20% to 4.00% */
  long long clicks = impressions * basis_points / 10000;
  long long ctr_e4 = (clicks * 1000000 + impressions / 2) / impressions;
  double ctr = (double)ctr_e4 / 1e4;
  return put_text(w, 0, id) && put_text(w, 1, advertiser) &&
         pq_write_int64(w, 2, impressions) == 0 && pq_write_int64(w, 3, clicks) == 0 &&
         pq_write_double(w, 4, ctr) == 0;
}

static const PqColumn EVENT_COLUMNS[] = {{"event_id", PQ_STRING, false},
                                         {"customer_id", PQ_STRING, false},
                                         {"title_id", PQ_STRING, false},
                                         {"event_type", PQ_STRING, false},
                                         {"watch_duration_seconds", PQ_INT32, false},
                                         {"device_type", PQ_STRING, false},
                                         {"quality", PQ_STRING, false}};

/* A version 4 UUID made of the stream's bits. */
/* The events refer to the tables' customers and titles (telemetry_event). */
static bool event_row(Gen *g, PqWriter *w, long long i) {
  (void)i;
  TelemetryEvent e;
  telemetry_event(&g->rng, g->opt->customers, g->opt->titles, g->minutes, &e);
  return put_text(w, 0, e.event_id) && put_text(w, 1, e.customer_id) &&
         put_text(w, 2, e.title_id) && put_text(w, 3, e.event_type) &&
         pq_write_int32(w, 4, e.watch_duration_seconds) == 0 && put_text(w, 5, e.device_type) &&
         put_text(w, 6, e.quality);
}

/* ---- where the files go ---- */

/* A local folder or an S3 prefix: open a key, write its bytes, finish
 * (the file appears whole, or not at all). */
typedef struct Output {
  void *(*open)(struct Output *o, const char *key);
  int (*write)(void *file, const void *data, size_t len);
  bool (*finish)(struct Output *o, void *file, bool keep);
  const char *root; /* the folder, or the key prefix */
  AwsClient *aws;
  const char *bucket;
  char key[1200]; /* the object being written */
  char why[1500];
} Output;

typedef struct LocalFile {
  FILE *fp;
  char *path, *temporary;
} LocalFile;

/* mkdir -p of the folders above path. */
static bool make_parents(char *path) {
  for (char *slash = strchr(path + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
    *slash = '\0';
    bool ok = mkdir(path, 0777) == 0 || errno == EEXIST;
    *slash = '/';
    if (!ok)
      return false;
  }
  return true;
}

static void *local_open(Output *o, const char *key) {
  LocalFile *f = calloc(1, sizeof *f);
  if (!f)
    abort();
  f->path = handler_strf("%s/%s", o->root, key);
  f->temporary = handler_strf("%s.tmp", f->path);
  if (make_parents(f->path))
    f->fp = fopen(f->temporary, "wb");
  if (f->fp)
    return f;
  snprintf(o->why, sizeof o->why, "cannot write %s: %s", f->temporary, strerror(errno));
  free(f->path);
  free(f->temporary);
  free(f);
  return NULL;
}

static int local_write(void *file, const void *data, size_t len) {
  LocalFile *f = file;
  return fwrite(data, 1, len, f->fp) == len ? 0 : -1;
}

/* Renamed into place only when whole; keep false: the writer failed (o->why
 * says why already), the temporary file goes. */
static bool local_finish(Output *o, void *file, bool keep) {
  LocalFile *f = file;
  bool closed = fclose(f->fp) == 0, ok = keep && closed;
  if (keep && !closed)
    snprintf(o->why, sizeof o->why, "cannot write %s: %s", f->temporary, strerror(errno));
  if (ok && rename(f->temporary, f->path) != 0) {
    snprintf(o->why, sizeof o->why, "cannot rename %s: %s", f->temporary, strerror(errno));
    ok = false;
  }
  if (!ok)
    remove(f->temporary);
  free(f->path);
  free(f->temporary);
  free(f);
  return ok;
}

static void *s3_open(Output *o, const char *key) {
  snprintf(o->key, sizeof o->key, "%s%s", o->root, key);
  return s3_upload_open(o->aws, o->bucket, o->key, PARQUET_TYPE);
}

static int s3_write(void *file, const void *data, size_t len) {
  return s3_upload_write(file, data, len);
}

/* s3_upload_free aborts an upload that did not finish. */
static bool s3_finish(Output *o, void *file, bool keep) {
  bool ok = keep && s3_upload_finish(file);
  if (keep && !ok)
    snprintf(o->why, sizeof o->why, "s3://%s/%s: %s", o->bucket, o->key,
             s3_upload_error(file) ? s3_upload_error(file) : "the upload failed");
  s3_upload_free(file);
  return ok;
}

/* ---- writing ---- */

typedef struct Table {
  const char *key; /* under the output's root */
  const PqColumn *columns;
  size_t column_count;
  long long rows;
  RowFn row;
} Table;

/* Writes one file; adds {key, rows, bytes} to files. False with o->why. */
static bool write_table(Gen *g, Output *o, const Table *t, json_t *files) {
  void *file = o->open(o, t->key);
  if (!file)
    return false;
  PqSchema schema = {t->columns, t->column_count};
  PqOptions options = pq_default_options();
  const char *why = NULL;
  PqWriter *w = pq_writer_open(&schema, &options, o->write, file, &why);
  bool ok = w != NULL;
  for (long long i = 0; ok && i < t->rows; i++)
    ok = t->row(g, w, i) && pq_end_row(w) == 0;
  ok = ok && pq_writer_close(w) == 0;
  if (!ok)
    snprintf(o->why, sizeof o->why, "%s: %s", t->key, w ? pq_error(w) : why);
  json_int_t bytes = w ? (json_int_t)pq_bytes_written(w) : 0;
  pq_writer_free(w);
  if (!o->finish(o, file, ok))
    return false;
  json_array_append_new(files, json_pack("{s:s, s:I, s:I}", "key", t->key, "rows",
                                         (json_int_t)t->rows, "bytes", bytes));
  return true;
}

static bool write_dimensions(Gen *g, Output *o, json_t *files) {
  const Options *opt = g->opt;
  Table tables[] = {
      {"customers/part-00000.parquet", CUSTOMER_COLUMNS, TELEMETRY_COUNT(CUSTOMER_COLUMNS),
       opt->customers, customer_row},
      {"titles/part-00000.parquet", TITLE_COLUMNS, TELEMETRY_COUNT(TITLE_COLUMNS), opt->titles,
       title_row},
      {"campaigns/part-00000.parquet", CAMPAIGN_COLUMNS, TELEMETRY_COUNT(CAMPAIGN_COLUMNS),
       opt->campaigns, campaign_row},
  };
  const uint64_t streams[] = {TELEMETRY_STREAM_CUSTOMERS, TELEMETRY_STREAM_TITLES,
                              TELEMETRY_STREAM_CAMPAIGNS};
  for (size_t i = 0; i < TELEMETRY_COUNT(tables); i++) {
    g->rng = rng_for((uint64_t)opt->seed, streams[i]);
    if (!write_table(g, o, &tables[i], files))
      return false;
  }
  return true;
}

/* The events spread evenly over the days, one partition a day; one stream
 * runs through all of them. */
static bool write_events(Gen *g, Output *o, json_t *files) {
  const Options *opt = g->opt;
  g->rng = rng_for((uint64_t)opt->seed, TELEMETRY_STREAM_EVENTS);
  for (long long day = 0; day < opt->days; day++) {
    char date[DATE_LEN], key[64];
    civil_text(opt->start_day + (long)day, date);
    snprintf(key, sizeof key, "telemetry/date=%s/part-00000.parquet", date);
    long long rows = opt->events * (day + 1) / opt->days - opt->events * day / opt->days;
    Table t = {key, EVENT_COLUMNS, TELEMETRY_COUNT(EVENT_COLUMNS), rows, event_row};
    if (!write_table(g, o, &t, files))
      return false;
  }
  return true;
}

static json_t *options_json(const Options *opt) {
  json_t *out = json_object();
  for (size_t i = 0; i < OPTION_COUNT; i++)
    json_object_set_new(out, OPTIONS[i].name,
                        json_integer(*option_field((Options *)opt, &OPTIONS[i])));
  json_object_set_new(out, "start_date", json_string(opt->start_date));
  return out;
}

/* Every table through o: the summary, or NULL with o->why. */
static json_t *generate(const Options *opt, Output *o) {
  Gen g = {.opt = opt, .minutes = calloc((size_t)opt->titles, sizeof(int32_t))};
  if (!g.minutes)
    abort();
  json_t *files = json_array();
  bool ok = write_dimensions(&g, o, files) && write_events(&g, o, files);
  free(g.minutes);
  if (!ok) {
    json_decref(files);
    return NULL;
  }
  json_t *summary = options_json(opt);
  json_object_set_new(summary, "files", files);
  return summary;
}

/* ---- as a Lambda function ---- */

/* One of the event's options; false with why. */
static bool event_option(const char *key, const json_t *value, Options *opt, char *why,
                         size_t size) {
  for (size_t i = 0; i < OPTION_COUNT; i++) {
    const OptionSpec *s = &OPTIONS[i];
    if (strcmp(s->name, key))
      continue;
    long long v = json_integer_value(value);
    if (!json_is_integer(value) || v < s->min || v > s->max) {
      whole_refusal(s, "", why, size);
      return false;
    }
    *option_field(opt, s) = v;
    return true;
  }
  if (strcmp(key, "start_date")) {
    snprintf(why, size,
             "unknown option '%.100s' (seed, customers, titles, events, campaigns, "
             "days, start_date)",
             key);
    return false;
  }
  const char *text = json_string_value(value);
  if (!text || !parse_date(text, &opt->start_day)) {
    snprintf(why, size, "start_date takes a date YYYY-MM-DD from 2000 to 2099");
    return false;
  }
  snprintf(opt->start_date, sizeof opt->start_date, "%s", text);
  return true;
}

/* The event: an object of options (any may be left out). */
static bool options_from_event(json_t *event, Options *opt, char *why, size_t size) {
  options_defaults(opt);
  if (!json_is_object(event)) {
    snprintf(why, size, "the event must be an object of options");
    return false;
  }
  const char *key;
  json_t *value;
  json_object_foreach(event, key, value) {
    if (!event_option(key, value, opt, why, size))
      return false;
  }
  return true;
}

static json_t *handle(AwsClient *aws, const Invocation *inv, HandlerError *err) {
  Options opt;
  char why[300];
  if (!options_from_event(inv->event, &opt, why, sizeof why))
    return handler_fail(err, "InvalidEvent", "%s", why);
  const char *bucket = getenv("LAKEC_WRITE_BUCKET"), *prefix = getenv("LAKEC_WRITE_PREFIX");
  prefix = prefix ? prefix : "";
  size_t n = strlen(prefix);
  if (!bucket || !*bucket)
    return handler_fail(err, "Configuration",
                        "LAKEC_WRITE_BUCKET is not set: telemetry_data "
                        "writes where its one write grant says");
  if (n && (prefix[n - 1] != '/' || prefix[0] == '/'))
    return handler_fail(err, "Configuration",
                        "LAKEC_WRITE_PREFIX must be empty or a key prefix "
                        "ending in '/'");
  if (n > 1000)
    return handler_fail(err, "Configuration", "LAKEC_WRITE_PREFIX is longer than 1000 bytes");
  Output o = {s3_open, s3_write, s3_finish, prefix, aws, bucket, "", ""};
  json_t *summary = generate(&opt, &o);
  if (!summary)
    return handler_fail(err, "S3Error", "%s", o.why);
  json_object_set_new(summary, "bucket", json_string(bucket));
  json_object_set_new(summary, "prefix", json_string(prefix));
  return summary;
}

/* ---- run locally ---- */

static void usage(FILE *to) {
  fprintf(to, "usage: telemetry_data --out DIR [--seed N] [--customers N] [--titles N] "
              "[--events N] [--campaigns N] [--days N] [--start-date YYYY-MM-DD]\n"
              "       telemetry_data [--event FILE]   (as a Lambda function: writes to S3)\n");
  for (size_t i = 0; i < OPTION_COUNT; i++)
    fprintf(to, "  --%-10s %s, %lld to %lld (default %lld)\n", OPTIONS[i].name, OPTIONS[i].doc,
            OPTIONS[i].min, OPTIONS[i].max, OPTIONS[i].fallback);
  fprintf(to, "  --start-date the first date, 2000-01-01 to 2099-12-31 (default %s)\n",
          START_DATE_DEFAULT);
}

/* One flag and its value; false with why. */
static bool take_flag(const char *flag, const char *value, Options *opt, const char **out,
                      char *why, size_t size) {
  if (!strcmp(flag, "--out")) {
    *out = value;
    if (!*value)
      snprintf(why, size, "--out takes a folder");
    return *value != '\0';
  }
  if (!strcmp(flag, "--start-date")) {
    snprintf(opt->start_date, sizeof opt->start_date, "%.10s", value);
    if (parse_date(value, &opt->start_day))
      return true;
    snprintf(why, size, "--start-date takes a date YYYY-MM-DD from 2000 to 2099 (got '%.40s')",
             value);
    return false;
  }
  for (size_t i = 0; i < OPTION_COUNT; i++)
    if (!strncmp(flag, "--", 2) && !strcmp(flag + 2, OPTIONS[i].name)) {
      if (parse_whole(value, &OPTIONS[i], option_field(opt, &OPTIONS[i])))
        return true;
      whole_refusal(&OPTIONS[i], "--", why, size);
      snprintf(why + strlen(why), size - strlen(why), ", got '%.40s'", value);
      return false;
    }
  snprintf(why, size, "unknown option '%.60s'", flag);
  return false;
}

static int run_local(int argc, char **argv) {
  Options opt;
  options_defaults(&opt);
  const char *out = NULL;
  char why[300];
  for (int i = 1; i < argc; i += 2) {
    if (i + 1 >= argc) {
      fprintf(stderr, "telemetry_data: %s needs a value\n", argv[i]);
      return 2;
    }
    if (!take_flag(argv[i], argv[i + 1], &opt, &out, why, sizeof why)) {
      fprintf(stderr, "telemetry_data: %s\n", why);
      usage(stderr);
      return 2;
    }
  }
  Output o = {local_open, local_write, local_finish, out, NULL, NULL, "", ""};
  json_t *summary = generate(&opt, &o);
  if (!summary) {
    fprintf(stderr, "telemetry_data: %s\n", o.why);
    return 1;
  }
  char *text = json_dumps(summary, JSON_COMPACT);
  puts(text);
  free(text);
  json_decref(summary);
  return 0;
}

static bool wants_local(int argc, char **argv) {
  for (int i = 1; i < argc; i++)
    if (!strcmp(argv[i], "--out"))
      return true;
  return false;
}

int main(int argc, char **argv) {
  if (argc == 2 && !strcmp(argv[1], "--help")) {
    usage(stdout);
    return 0;
  }
  if (wants_local(argc, argv))
    return run_local(argc, argv);
  return runtime_main(argc, argv, "telemetry_data", handle);
}
