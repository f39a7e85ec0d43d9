/* dataset: the schema of the CSV files that land under raw/ in a bucket, and
 * how their curated copy under processed/ is written: Parquet (the default,
 * with its codec and row-group size) or the CSV itself once every value has
 * been checked. A data set creates no resource of its own: it is what the
 * `curate: DATASET` grant hands to a function (lakec's process handler),
 * with the least-privilege statements that move its files:
 *
 *   raw/          read, delete   (the input, removed once its copy exists)
 *   processed/    read, write, abort multipart uploads
 *   quarantine/   read, write    (files that do not match the schema)
 *
 * The handler finds the schema as JSON in LAKEC_DATASET_<KEY>; the reads
 * ("already handled?") let a re-delivered event see the work done. A function
 * running a program that reads LAKEC_DATASET_* (process) must be granted
 * exactly one data set: checked here, before anything is deployed. */
#include "check_util.h"
#include "construct.h"
#include "handler_env.h"
#include "lower/lower_internal.h"

#include <stdbool.h>
#include <string.h>

extern const Construct construct_dataset, construct_function;

#define LK_CURATE "LK313"
#define STAGE_HEAD "lakec: 1\nproject: metrics\nstage: dev\nbuckets:\n  data: {name: metrics-dev-data}\n"
#define DATASET_YAML                                                                     \
  "datasets:\n  metrics:\n    bucket: data\n    columns: {time: timestamp, value: double}\n"

static const DiagCode DATASET_CODES[] = {
    {LK_CURATE, "a process function without exactly one data set",
     "lakec's process handler converts the CSV files under raw/ with the schema of a data\n"
     "set, which it finds in its environment when the function is granted `curate:\n"
     "DATASET`. Without that grant it could convert nothing; with two it could not tell\n"
     "which schema a file has. Grant exactly one data set (one process function per\n"
     "data set).",
     STAGE_HEAD DATASET_YAML "functions:\n  process:\n    grants: [{read: data/raw/}]\n",
     STAGE_HEAD DATASET_YAML "functions:\n  process:\n    grants: [{curate: metrics}]\n"},
    {NULL, NULL, NULL, NULL, NULL},
};

/* The types a column may have, as the stage file and LAKEC_DATASET_* spell
 * them; each is one of the Parquet writer's (src/parquet/parquet.h). */
static const char *const COLUMN_TYPES[] = {"string", "int32",     "int64",        "double",
                                           "boolean", "date",     "timestamp",    "timestamp_us",
                                           "list<string>", NULL};
static const char *const FORMATS[] = {"parquet", "csv", NULL};
static const char *const CODECS[] = {"snappy", "gzip", "none", NULL};

typedef struct Column {
  const Node *node;
  const char *name;
  int type; /* index into COLUMN_TYPES */
  int optional;
} Column;

typedef struct Dataset {
  MODEL_ITEM_HEADER;
  const char *bucket;
  int format, codec, header;
  const char *list_separator;
  long long row_group_mb;
  LIST(Column) columns;
  /* resolved */
  bool checked;       /* functions' grants may check it before its turn */
  Location where;     /* the bucket, with prefix "" */
  const char *schema; /* LAKEC_DATASET_<KEY>'s value */
} Dataset;

static const Field COLUMN_FIELDS[] = {
    {"type", F_ENUM, offsetof(Column, type), .required = true, .values = COLUMN_TYPES,
     .doc = "string, int32, int64, double, boolean, date (YYYY-MM-DD), timestamp (milliseconds, "
            "UTC), timestamp_us (microseconds, UTC) or list<string> (items split at "
            "list_separator)"},
    {"optional", F_BOOL, offsetof(Column, optional), .def = "false",
     .doc = "an empty, unquoted field is null; otherwise it is refused (the file goes to "
            "quarantine)"},
};
static const Shape SHAPE_COLUMN = SHAPE(Column, "column", COLUMN_FIELDS,
                                        .key_offset = offsetof(Column, name), .shorthand = "type");

static const Field DATASET_FIELDS[] = {
    {"bucket", F_STR, offsetof(Dataset, bucket), .required = true,
     .doc = "the bucket (a key of `buckets`) whose raw/ files these are"},
    {"columns", F_MAP_OF, offsetof(Dataset, columns), .shape = &SHAPE_COLUMN, .required = true,
     .doc = "the columns in the files' order, name: type (or name: {type, optional})"},
    {"format", F_ENUM, offsetof(Dataset, format), .values = FORMATS, .def = "parquet",
     .doc = "what is written under processed/: parquet, or the csv itself once checked"},
    {"codec", F_ENUM, offsetof(Dataset, codec), .values = CODECS, .def = "snappy",
     .doc = "the Parquet compression: snappy (what Athena and Spark expect), gzip or none"},
    {"header", F_BOOL, offsetof(Dataset, header), .def = "true",
     .doc = "the first line is the column names, in order (checked)"},
    {"list_separator", F_STR, offsetof(Dataset, list_separator), .def = "|",
     .doc = "the character between the items of a list<string> field"},
    {"row_group_mb", F_INT, offsetof(Dataset, row_group_mb), .def = "32", .min = 1, .max = 512,
     .doc = "a Parquet row group ends past this many MiB of encoded data (the handler holds "
            "one in memory)"},
};
static const Shape SHAPE_DATASET =
    SHAPE(Dataset, "data set", DATASET_FIELDS, .key_offset = offsetof(Dataset, key));

/* ---- check ---- */

/* Athena and Glue take lowercase letters, digits and '_' in column names;
 * the handler's JSON needs nothing more. */
static const char *column_name_problem(const char *name) {
  if (!*name || strlen(name) > 255)
    return "Glue takes 1 to 255 characters";
  for (const char *p = name; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
      return "Athena and Glue take lowercase letters, digits and '_'";
  return NULL;
}

/* One printable ASCII character that is not CSV syntax. */
static void check_separator(Ctx *ctx, const Dataset *d) {
  const char *s = d->list_separator;
  if (s && (strlen(s) != 1 || s[0] < 0x21 || s[0] > 0x7e || s[0] == ',' || s[0] == '"'))
    diag_error(ctx, check_pos(d->node, "list_separator"), LK_OUT_OF_RANGE,
               "list_separator '%s' must be one printable character other than ',' and '\"'", s);
}

/* What LAKEC_DATASET_<KEY> says: the handler's whole configuration. */
static const char *schema_text(Ctx *ctx, const Dataset *d) {
  json_t *columns = json_array();
  for (size_t i = 0; i < d->columns.len; i++) {
    const Column *c = &d->columns.items[i];
    json_array_append_new(columns, J("{s:s, s:s, s:b}", "name", c->name, "type",
                                     COLUMN_TYPES[c->type], "optional", c->optional));
  }
  json_t *v = J("{s:s, s:s, s:b, s:s, s:I, s:o}", "format", FORMATS[d->format], "codec",
                CODECS[d->codec], "header", d->header, "list_separator", d->list_separator,
                "row_group_mb", (json_int_t)d->row_group_mb, "columns", columns);
  size_t n = json_dumpb(v, NULL, 0, JSON_COMPACT);
  char *text = arena_alloc(&ctx->arena, n + 1);
  json_dumpb(v, text, n, JSON_COMPACT);
  text[n] = '\0';
  json_decref(v);
  return text;
}

/* Lambda allows 4 KB of environment in all: the schema takes at most half. */
#define SCHEMA_MAX 2048

/* Once: a grant resolved while the functions are checked (before the data
 * sets' turn, which then checks the grants) needs the bucket and schema. */
static void check_dataset(Ctx *ctx, const Model *m, Dataset *d) {
  if (d->checked)
    return;
  d->checked = true;
  if (d->bucket)
    d->where = bucket_location_of(ctx, m, d->bucket, "", check_pos(d->node, "bucket"),
                                  check_pos(d->node, "bucket"));
  if (!d->columns.len && node_get(d->node, "columns"))
    diag_error(ctx, check_pos(d->node, "columns"), LK_MISSING_KEY,
               "data set '%s' has no column", d->key);
  for (size_t i = 0; i < d->columns.len; i++) {
    const char *why = column_name_problem(d->columns.items[i].name);
    if (why)
      diag_error(ctx, d->columns.items[i].node->pos, LK_GLUE_NAME,
                 "column name '%s' is invalid: %s", d->columns.items[i].name, why);
  }
  check_separator(ctx, d);
  for (size_t i = 0; i < d->columns.len; i++)
    if (d->columns.items[i].type < 0) /* reported by decode */
      return;
  d->schema = schema_text(ctx, d);
  if (strlen(d->schema) > SCHEMA_MAX)
    diag_error(ctx, check_pos(d->node, "columns"), LK_OUT_OF_RANGE,
               "data set '%s' takes %zu bytes in its function's environment (at most %d: "
               "Lambda allows 4 KB in all)",
               d->key, strlen(d->schema), SCHEMA_MAX);
}

/* A curate grant, resolved or not (one naming a missing data set is reported
 * once, there). */
static bool is_curate(const Grant *g) { return g->node && node_get(g->node, "curate"); }

/* A function whose program reads LAKEC_DATASET_* converts with one schema. */
static void check_curators(Ctx *ctx, const Model *m) {
  for (size_t i = 0; i < construct_count(m, &construct_function); i++) {
    const Function *f = construct_item(m, &construct_function, i);
    if (!f->handler || !handler_env_reads(f->handler) ||
        !handler_env_wanted(f->handler, "LAKEC_DATASET_"))
      continue;
    const Grant *first = NULL;
    for (size_t k = 0; k < f->grants.len; k++) {
      const Grant *g = &f->grants.items[k];
      if (!is_curate(g))
        continue;
      if (first) {
        Diag *d = diag_error(ctx, g->node->pos, LK_CURATE,
                             "function '%s' (handler '%s') is granted a second data set",
                             f->key, f->handler);
        diag_note(ctx, d, first->node->pos, "the first one is here");
      }
      first = first ? first : g;
    }
    if (!first)
      diag_error(ctx, check_pos(f->node, "grants"), LK_CURATE,
                 "function '%s' runs handler '%s', which converts a data set: grant it one "
                 "with '- curate: DATASET'",
                 f->key, f->handler);
  }
}

static void dataset_check(Ctx *ctx, Model *m, const Construct *self) {
  for (size_t i = 0; i < construct_count(m, self); i++)
    check_dataset(ctx, m, construct_item_mut(m, self, i));
  check_curators(ctx, m);
}

/* ---- grants: curate ---- */

static bool resolve_dataset(Ctx *ctx, const Model *m, Grant *g, Pos at) {
  Dataset *d = (Dataset *)construct_resolve(ctx, m, &construct_dataset, g->text, at);
  if (d)
    check_dataset(ctx, m, d);
  g->target = d;
  if (d)
    g->where = d->where;
  return d != NULL && d->where.bucket != NULL && d->schema != NULL;
}

static void curate_statement(Ctx *ctx, Ir *ir, const Grant *g, const char *zone,
                             const char *prefix, json_t *actions, json_t *out) {
  Location loc = {g->where.bucket, prefix};
  json_array_append_new(out, iam_objects(ctx, ir, iam_sid(ctx, zone, g->text), actions, &loc));
}

static void curate_statements(Ctx *ctx, Ir *ir, const Model *m, const Grant *g, json_t *out) {
  (void)m;
  curate_statement(ctx, ir, g, "CurateRaw", "raw/", J("[s,s]", "s3:GetObject", "s3:DeleteObject"),
                   out);
  curate_statement(ctx, ir, g, "CurateProcessed", "processed/",
                   J("[s,s,s]", "s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"), out);
  curate_statement(ctx, ir, g, "CurateQuarantine", "quarantine/",
                   J("[s,s]", "s3:GetObject", "s3:PutObject"), out);
}

static void curate_environment(Ctx *ctx, Ir *ir, const Model *m, const Grant *g, json_t *vars) {
  (void)ir, (void)m;
  const Dataset *d = g->target;
  json_object_set_new(vars, env_name(ctx, "LAKEC_DATASET_", d->key, ""), json_string(d->schema));
}

static const GrantVerb VERB_CURATE = {
    "curate", "DATASET: convert its raw/ CSV files (read, delete) into processed/ or quarantine/",
    resolve_dataset, curate_statements, curate_environment, NULL};
static const GrantVerb *const DATASET_VERBS[] = {&VERB_CURATE, NULL};
static const TagRule NO_TAGS[] = {{NULL, NULL, 0}}; /* it creates nothing */

const Construct construct_dataset = {
    .key = "datasets",
    .kind = "data set",
    .doc = "the schemas of the CSV files under raw/ and how process curates them, by key",
    .shape = &SHAPE_DATASET,
    .check = dataset_check,
    .lower = NULL, /* nothing of its own to create: the curate grant carries it */
    .verbs = DATASET_VERBS,
    .tags = NO_TAGS,
    .codes = DATASET_CODES,
};
