/* catalog_table: a table of the Glue Data Catalog that lakec creates, so it
 * exists before the first job or query runs: an Iceberg table (schema with
 * field ids, identifier fields, partition spec, format version, write mode),
 * or a Hive table over Parquet, JSON or CSV objects (partition keys and
 * Athena's partition projection, so no MSCK REPAIR TABLE is needed).
 *
 * Columns are written once in lakec's type vocabulary (coltype.h) and
 * spelled for each format. An Iceberg field's id is its position: the ids
 * must never change once the table holds data, so columns are append-only
 * (checked against the previous build's template: catalog_table_against_previous).
 *
 * References (`name`, `database`, `location`, `arn`) are literals: the names
 * are fixed by the stage, and CloudFormation implementations that do not
 * create Glue tables (moto) cannot resolve a Ref to one. */
#include "check_util.h"
#include "coltype.h"
#include "construct.h"
#include "lower/lower_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

extern const Construct construct_catalog_table, construct_database;

#define LK_TABLE_TYPE "LK360"
#define LK_TABLE_IDENTIFIER "LK361"
#define LK_TABLE_PARTITION "LK362"
#define LK_TABLE_FORMAT_KEY "LK363"
#define LK_TABLE_PROJECTION "LK364"
#define LK_TABLE_LOCATION "LK365"
#define LK_TABLE_EVOLUTION "LK366"
#define HEAD                                                                             \
  "lakec: 1\nproject: shop\nstage: dev\nbuckets:\n  silver: {name: shop-dev-silver}\n"   \
  "databases:\n  silver: {name: shop_dev_silver}\ncatalog_tables:\n  orders:\n"          \
  "    database: silver\n    location: silver/orders/\n"

static const DiagCode TABLE_CODES[] = {
    {LK_TABLE_TYPE, "column type the table's format does not have",
     "Columns are typed in one vocabulary: string boolean int long (or bigint) float\n"
     "double decimal(P,S) date timestamp timestamptz binary array<T> map<K,V>\n"
     "struct<name:T,...>. lakec spells them for the table's format (long is Hive's\n"
     "bigint). Iceberg's uuid, time and fixed(L) are refused: Athena does not read\n"
     "them. Hive tables (parquet, json, csv) have no timestamp with a zone;\n"
     "CloudFormation gives an Iceberg\n"
     "field's type as one string, which holds primitive types only (nested types need\n"
     "ids of their own: add them from a job with ALTER TABLE).",
     HEAD "    format: iceberg\n    columns:\n      - {name: amount, type: \"decimal(40,2)\"}\n",
     HEAD "    format: iceberg\n    columns:\n      - {name: amount, type: \"decimal(38,2)\"}\n"},
    {LK_TABLE_IDENTIFIER, "identifier column Iceberg refuses",
     "An Iceberg table's identifier fields (the row key MERGE INTO and equality deletes\n"
     "use) must be declared columns, required (not null) and of a primitive type other\n"
     "than float and double.",
     HEAD "    format: iceberg\n    columns:\n      - {name: order_id, type: string}\n"
          "    identifier: [order_id]\n",
     HEAD "    format: iceberg\n    columns:\n      - {name: order_id, type: string, required: "
          "true}\n    identifier: [order_id]\n"},
    {LK_TABLE_PARTITION, "partition transform Iceberg does not have or cannot apply",
     "An Iceberg partition field is a transform of a declared column: identity (the\n"
     "column's name alone), year, month, day (of a date or timestamp), hour (of a\n"
     "timestamp), bucket[N] (N >= 1, not of boolean, float or double), truncate[W] (of\n"
     "int, long, decimal, string or binary) or void, written transform(column),\n"
     "bucket[N](column) or bucket(N, column).",
     HEAD "    format: iceberg\n    columns:\n      - {name: updated_at, type: timestamptz}\n"
          "    partition: [days(updated_at)]\n",
     HEAD "    format: iceberg\n    columns:\n      - {name: updated_at, type: timestamptz}\n"
          "    partition: [day(updated_at)]\n"},
    {LK_TABLE_FORMAT_KEY, "key of the other table format",
     "identifier, partition, format_version and write_mode describe Iceberg tables;\n"
     "partitions and projection describe Hive tables (parquet, json, csv). A key of\n"
     "the other format would be ignored, so lakec refuses it.",
     HEAD "    format: parquet\n    columns:\n      - {name: day, type: date}\n"
          "    partition: [day]\n",
     HEAD "    format: parquet\n    columns:\n      - {name: amount, type: double}\n"
          "    partitions:\n      - {name: day, type: date}\n"},
    {LK_TABLE_PROJECTION, "partition projection Athena refuses",
     "Athena's partition projection computes a Hive table's partitions from settings\n"
     "instead of reading them from the catalog. Each projected key is a partition key;\n"
     "a date projection has a format and a range of two dates in that format (or NOW,\n"
     "NOW-3DAYS and the like) and a unit of YEARS, MONTHS, WEEKS, DAYS, HOURS, MINUTES,\n"
     "SECONDS or MILLISECONDS; an integer projection's range is two integers; an enum\n"
     "projection has values.",
     HEAD "    columns:\n      - {name: amount, type: double}\n    partitions:\n"
          "      - {name: day, type: string}\n    projection:\n"
          "      day: {type: date, format: yyyy-MM-dd, range: \"2024-13-01,NOW\"}\n",
     HEAD "    columns:\n      - {name: amount, type: double}\n    partitions:\n"
          "      - {name: day, type: string}\n    projection:\n"
          "      day: {type: date, format: yyyy-MM-dd, range: \"2024-01-01,NOW\"}\n"},
    {LK_TABLE_LOCATION, "two catalog tables share a location",
     "A table owns the objects under its location: two tables over the same prefix,\n"
     "or one inside the other's, would read each other's files (and Iceberg's metadata\n"
     "would be overwritten), and a job that writes the outer table would be granted\n"
     "the inner one's objects.",
     HEAD "    columns: [{name: id, type: string}]\n  returns:\n    database: silver\n"
          "    location: silver/orders/\n    columns: [{name: id, type: string}]\n",
     HEAD "    columns: [{name: id, type: string}]\n  returns:\n    database: silver\n"
          "    location: silver/returns/\n    columns: [{name: id, type: string}]\n"},
    {LK_TABLE_EVOLUTION, "Iceberg column removed or reordered",
     "An Iceberg field's id is its column's position, and the files already written\n"
     "name their columns by id: a build whose output folder holds the stage's previous\n"
     "template refuses a table whose previous columns are not the first ones of the\n"
     "new list (same names and types, same order). Add columns at the end; rename,\n"
     "drop or retype them from a job with ALTER TABLE. allow_rewrite: true only turns\n"
     "the check off (for a table not deployed yet, or one you drop and create again\n"
     "yourself): CloudFormation updates the table's schema in place, it does not\n"
     "create the table anew.",
     HEAD "    format: iceberg\n    columns:\n      - {name: amount, type: double}\n"
          "      - {name: order_id, type: string}\n"
          "# the previous build had order_id first\n",
     HEAD "    format: iceberg\n    columns:\n      - {name: order_id, type: string}\n"
          "      - {name: amount, type: double}\n"},
    {NULL, NULL, NULL, NULL, NULL},
};

static const char *const FORMATS[] = {"iceberg", "parquet", "json", "csv", NULL};
static const char *const WRITE_MODES[] = {"merge-on-read", "copy-on-write", NULL};
enum { PROJECT_DATE, PROJECT_INTEGER, PROJECT_ENUM, PROJECT_INJECTED };
static const char *const PROJECTION_TYPES[] = {"date", "integer", "enum", "injected", NULL};
static const char *const UNITS[] = {"YEARS", "MONTHS", "WEEKS", "DAYS", "HOURS",
                                    "MINUTES", "SECONDS", "MILLISECONDS", NULL};

static const Field COLUMN_FIELDS[] = {
    {"name", F_STR, offsetof(CatalogColumn, name), .required = true,
     .doc = "the column name (lowercase letters, digits, '_')"},
    {"type", F_STR, offsetof(CatalogColumn, type), .required = true,
     .doc = "its type in lakec's vocabulary (see the types table)"},
    {"required", F_BOOL, offsetof(CatalogColumn, required), .def = "false",
     .doc = "Iceberg: the column may not be null"},
    {"comment", F_STR, offsetof(CatalogColumn, comment), .doc = "free text (at most 255 characters)"},
};
static const Shape SHAPE_COLUMN = SHAPE(CatalogColumn, "column", COLUMN_FIELDS,
                                        .key_offset = NO_KEY);

static const Field PROJECTION_FIELDS[] = {
    {"type", F_ENUM, offsetof(Projection, type), .values = PROJECTION_TYPES, .required = true,
     .doc = "date, integer, enum or injected (the query names the value)"},
    {"format", F_STR, offsetof(Projection, format),
     .doc = "date: the values' format, a Java date pattern (yyyy-MM-dd)"},
    {"range", F_STR, offsetof(Projection, range),
     .doc = "date: \"FIRST,LAST\" in the format, or NOW, NOW-3DAYS ...; integer: \"0,100\""},
    {"interval", F_INT, offsetof(Projection, interval), .min = 1, .max = 1000000,
     .doc = "date, integer: the step between two values"},
    {"unit", F_ENUM, offsetof(Projection, unit), .values = UNITS,
     .doc = "date: the interval's unit (DAYS ...)"},
    {"digits", F_INT, offsetof(Projection, digits), .min = 1, .max = 32,
     .doc = "integer: the values' width, zero-padded"},
    {"values", F_STRLIST, offsetof(Projection, values), .doc = "enum: the values"},
};
static const Shape SHAPE_PROJECTION = SHAPE(Projection, "projection", PROJECTION_FIELDS,
                                            .key_offset = offsetof(Projection, key));

static const Field TABLE_FIELDS[] = {
    {"name", F_STR, offsetof(CatalogTable, name), .def = "the key", .computed = true,
     .doc = "the Glue table name (lowercase letters, digits, '_')"},
    {"database", F_STR, offsetof(CatalogTable, database), .required = true,
     .doc = "the database (a key of `databases`) that holds it"},
    {"location", F_STR, offsetof(CatalogTable, location), .required = true,
     .doc = "the bucket location (BUCKET/PREFIX) of its data (and Iceberg's metadata)"},
    {"format", F_ENUM, offsetof(CatalogTable, format), .values = FORMATS, .def = "parquet",
     .doc = "iceberg, or a Hive table over parquet, json or csv objects"},
    {"description", F_STR, offsetof(CatalogTable, description), .doc = "free text"},
    {"columns", F_LIST_OF, offsetof(CatalogTable, columns), .shape = &SHAPE_COLUMN,
     .required = true, .doc = "the columns, in order (Iceberg: append-only)"},
    {"identifier", F_STRLIST, offsetof(CatalogTable, identifier),
     .doc = "Iceberg: the row key's columns (required, primitive, not float or double)"},
    {"partition", F_STRLIST, offsetof(CatalogTable, partition),
     .doc = "Iceberg: partition transforms: column, day(col), bucket[16](col) ..."},
    {"format_version", F_INT, offsetof(CatalogTable, format_version), .def = "2", .min = 1,
     .max = 2, .doc = "Iceberg: the table format version"},
    {"write_mode", F_ENUM, offsetof(CatalogTable, write_mode), .values = WRITE_MODES,
     .doc = "Iceberg: how deletes, updates and merges write (Iceberg's default: copy-on-write)"},
    {"properties", F_STRMAP, offsetof(CatalogTable, properties),
     .doc = "more table properties (Iceberg) or table parameters (Hive)"},
    {"partitions", F_LIST_OF, offsetof(CatalogTable, partitions), .shape = &SHAPE_COLUMN,
     .doc = "Hive: the partition keys, in order"},
    {"projection", F_MAP_OF, offsetof(CatalogTable, projection), .shape = &SHAPE_PROJECTION,
     .doc = "Hive: Athena partition projection, by partition key"},
    {"allow_rewrite", F_BOOL, offsetof(CatalogTable, allow_rewrite), .def = "false",
     .doc = "Iceberg: turn the append-only column check off (CloudFormation still updates the "
            "table in place)"},
    /* no tags: AWS::Glue::Table takes none */
    {"stack", F_STR, offsetof(CatalogTable, stack),
     .doc = "the stack (a key of `stacks`) it is created in; default: the first stack"},
};
static const Shape SHAPE_TABLE =
    SHAPE(CatalogTable, "catalog table", TABLE_FIELDS, .key_offset = offsetof(CatalogTable, key));

/* ---- check: columns and types ---- */

static Pos item_pos(const Node *map, const char *key, size_t i) {
  const Node *seq = node_get(map, key);
  return seq && seq->kind == NODE_SEQ && i < seq->count ? seq->items[i]->pos : check_pos(map, key);
}

/* Part of a one-line scalar, for a caret under the wrong part. */
static Pos pos_within(const Node *n, size_t at, size_t len) {
  Pos p = n ? n->pos : (Pos){0};
  if (n && p.len && at + len <= strlen(n->str)) {
    p.col += (unsigned)at + (n->quoted ? 1u : 0u);
    p.len = (unsigned)len;
  }
  return p;
}

/* Where key is written in map (the map itself when it is not). */
static Pos key_pos(const Node *map, const char *key) {
  for (size_t i = 0; map && map->kind == NODE_MAP && i < map->count; i++)
    if (!strcmp(map->pairs[i].key->str, key))
      return map->pairs[i].key->pos;
  return map ? map->pos : (Pos){0};
}

static bool iceberg(const CatalogTable *t) { return t->format == TABLE_ICEBERG; }

/* YAML ends a value at a ',' inside {...} or [...]: `decimal(12,2)` there
 * arrives as "decimal(12". The note shows the whole type as written, quoted:
 * the source text from the value to its closing bracket. */
static void note_split_type(Ctx *ctx, Diag *d, const Node *v) {
  size_t n;
  const char *line = source_line(v->pos.file, v->pos.line, &n);
  size_t start = v->pos.col - 1, end = start;
  int depth = 0;
  for (; line && end < n; end++) {
    depth += line[end] == '(' || line[end] == '<';
    depth -= line[end] == ')' || line[end] == '>';
    if (depth == 0 && (line[end] == ')' || line[end] == '>'))
      break;
  }
  if (!line || start >= n || end >= n)
    return;
  Pos at = v->pos;
  at.len = (unsigned)(end + 1 - start);
  diag_note(ctx, d, at, "inside {...} or [...] a ',' ends a YAML value: quote the type, "
                        "type: \"%.*s\"", (int)(end + 1 - start), line + start);
}

static void type_error(Ctx *ctx, const CatalogColumn *c, const ColTypeError *e) {
  const Node *v = node_get(c->node, "type");
  Diag *d = diag_error(ctx, pos_within(v, e->at, e->len), LK_TABLE_TYPE,
                       "column '%s': %s in type '%s'", c->name, e->why, c->type);
  const char *best = e->word[0] ? suggest_closest(e->word, COLTYPE_NAMES, 18) : NULL;
  if (best)
    diag_fixit(ctx, d, best);
  /* YAML ends a value at a ',' inside {...} or [...]: decimal(12,2) there
   * arrives as "decimal(12". */
  else if (v && e->at >= strlen(c->type) && strpbrk(c->type, "(<") && !strchr(c->type, ','))
    note_split_type(ctx, d, v);
}

/* The type parsed and held to the format: Hive has no zoned timestamp and
 * none of Iceberg's own types; an Iceberg field's type is one string. */
static void check_type(Ctx *ctx, const CatalogTable *t, CatalogColumn *c) {
  ColType *ct = arena_alloc(&ctx->arena, sizeof *ct);
  ColTypeError e;
  if (!coltype_parse(c->type, ct, &e)) {
    type_error(ctx, c, &e);
    return;
  }
  Pos at = check_pos(c->node, "type");
  const char *why = NULL;
  if (iceberg(t) && coltype_is_complex(ct->kind))
    why = "an Iceberg field's type is one string in CloudFormation, which holds primitive "
          "types only (add nested columns from a job with ALTER TABLE)";
  else if (!iceberg(t) && ct->zoned)
    why = "Hive tables have no timestamp with a time zone: use timestamp (Athena reads it "
          "as UTC) or an Iceberg table";
  else if (!iceberg(t) && ct->iceberg_only)
    why = "uuid, time and fixed(L) are Iceberg types: use string or binary in a Hive table";
  else if (ct->iceberg_only)
    why = "Athena does not read Iceberg's uuid, time and fixed(L) columns: use string (a uuid "
          "or a time of day) or binary";
  if (why) {
    diag_error(ctx, at, LK_TABLE_TYPE, "column '%s' of %s table '%s': type '%s': %s", c->name,
               FORMATS[t->format], t->key, c->type, why);
    return;
  }
  c->parsed = ct;
}

static void check_columns(Ctx *ctx, const CatalogTable *t, CatalogColumn *cols, size_t n,
                          StrIndex *seen) {
  for (size_t i = 0; i < n; i++) {
    CatalogColumn *c = &cols[i];
    if (!c->name || !c->type)
      continue;
    check_name(ctx, c->node, "name", c->name, awsname_glue_table, LK_GLUE_NAME, "column name");
    if (c->comment && strlen(c->comment) > 255) /* Glue's Column.Comment, Iceberg's Doc */
      diag_error(ctx, check_pos(c->node, "comment"), LK_OUT_OF_RANGE,
                 "the comment of column '%s' has %zu characters; Glue keeps at most 255",
                 c->name, strlen(c->comment));
    if (!iceberg(t) && node_get(c->node, "required"))
      diag_error(ctx, key_pos(c->node, "required"), LK_TABLE_FORMAT_KEY,
                 "'required' is for Iceberg columns: a Hive table's columns may always be null "
                 "(table '%s' is %s)",
                 t->key, FORMATS[t->format]);
    const CatalogColumn *same = strindex_get(seen, c->name);
    if (same) {
      Diag *d = diag_error(ctx, check_pos(c->node, "name"), LK_DUPLICATE,
                           "table '%s' has two columns named '%s'", t->key, c->name);
      diag_note(ctx, d, check_pos(same->node, "name"), "the first one is here");
    } else {
      strindex_put(ctx, seen, c->name, c);
    }
    check_type(ctx, t, c);
  }
}

/* The column named name (its index in *at), or NULL reported at `pos`,
 * where `written` (the text the name is part of) is shown corrected. */
static const CatalogColumn *find_column(Ctx *ctx, const CatalogTable *t, const char *name,
                                        const char *written, Pos pos, size_t *at) {
  const char *names[256];
  size_t n = 0;
  for (size_t i = 0; i < t->columns.len; i++) {
    if (t->columns.items[i].name && !strcmp(t->columns.items[i].name, name)) {
      if (at)
        *at = i;
      return &t->columns.items[i];
    }
    if (n < COUNT(names) && t->columns.items[i].name) /* a column without one is reported */
      names[n++] = t->columns.items[i].name;
  }
  Diag *d = diag_error(ctx, pos, LK_UNDEFINED_REF, "table '%s' has no column '%s'", t->key, name);
  const char *best = suggest_closest(name, names, n);
  const char *in = best ? strstr(written, name) : NULL;
  if (in)
    diag_fixit(ctx, d, arena_printf(&ctx->arena, "%.*s%s%s", (int)(in - written), written, best,
                                    in + strlen(name)));
  return NULL;
}

/* ---- check: Iceberg ---- */

static void check_identifier(Ctx *ctx, const CatalogTable *t) {
  for (size_t i = 0; i < t->identifier.len; i++) {
    Pos at = item_pos(t->node, "identifier", i);
    const CatalogColumn *c =
        find_column(ctx, t, t->identifier.items[i], t->identifier.items[i], at, NULL);
    if (!c || !c->parsed)
      continue;
    if (!c->required)
      diag_error(ctx, at, LK_TABLE_IDENTIFIER,
                 "identifier column '%s' must be required: Iceberg refuses nullable identifier "
                 "fields (add 'required: true' to the column)",
                 c->name);
    else if (c->parsed->kind == COL_FLOAT || c->parsed->kind == COL_DOUBLE)
      diag_error(ctx, at, LK_TABLE_IDENTIFIER,
                 "identifier column '%s' is a %s: Iceberg refuses float and double identifier "
                 "fields (equality of floating-point values is not a key)",
                 c->name, c->type);
  }
}

/* An Iceberg partition transform, parsed: its name, parameter and column. */
typedef struct Transform {
  const char *name; /* identity, year, ... */
  long parameter;   /* bucket[N], truncate[W] */
  const char *column;
} Transform;

static const char *const TRANSFORMS[] = {"identity", "year", "month", "day",
                                         "hour",     "bucket", "truncate", "void", NULL};

/* "col", "day(col)", "bucket[16](col)", "bucket(16, col)"; NULL when parsed,
 * else why not. */
static const char *parse_transform(Ctx *ctx, const char *text, Transform *tr) {
  *tr = (Transform){"identity", 0, text};
  const char *open = strpbrk(text, "([");
  if (!open)
    return NULL;
  tr->name = arena_strndup(&ctx->arena, text, (size_t)(open - text));
  const char *p = open;
  char *end;
  if (*p == '[') {
    tr->parameter = strtol(p + 1, &end, 10);
    if (end == p + 1 || *end != ']' || end[1] != '(')
      return "write the parameter as bucket[N](column)";
    p = end + 1;
  }
  const char *arg = p + 1, *close = strchr(arg, ')');
  if (!close || close[1])
    return "a transform is written transform(column)";
  if (!tr->parameter && isdigit((unsigned char)*arg)) { /* bucket(16, col) */
    tr->parameter = strtol(arg, &end, 10);
    if (*end != ',')
      return "write the parameter as bucket(N, column)";
    for (arg = end + 1; *arg == ' '; arg++)
      ;
  }
  tr->column = arena_strndup(&ctx->arena, arg, (size_t)(close - arg));
  return NULL;
}

static int transform_index(const char *name) {
  for (int i = 0; TRANSFORMS[i]; i++)
    if (!strcmp(TRANSFORMS[i], name))
      return i;
  return -1;
}

/* Which column types a transform takes (Iceberg spec, "Partition Transforms"). */
static const char *transform_misfit(int k, ColKind type) {
  bool temporal = type == COL_DATE || type == COL_TIMESTAMP || type == COL_TIMESTAMPTZ;
  switch (k) {
  case 1: case 2: case 3: /* year, month, day */
    return temporal ? NULL : "needs a date, timestamp or timestamptz column";
  case 4: /* hour */
    return type == COL_TIMESTAMP || type == COL_TIMESTAMPTZ
               ? NULL
               : "needs a timestamp or timestamptz column";
  case 5: /* bucket */
    return type == COL_BOOLEAN || type == COL_FLOAT || type == COL_DOUBLE
               ? "does not take boolean, float or double columns"
               : NULL;
  case 6: /* truncate */
    return type == COL_INT || type == COL_LONG || type == COL_DECIMAL || type == COL_STRING ||
                   type == COL_BINARY
               ? NULL
               : "needs an int, long, decimal, string or binary column";
  default: /* identity, void */
    return NULL;
  }
}

/* Partition field names as Iceberg's own PartitionSpec builder makes them:
 * the column for identity, else column_year, _month, _day, _hour, _bucket,
 * _trunc, _null. */
static const char *partition_field_name(Ctx *ctx, const Transform *tr, int k) {
  static const char *const SUFFIX[] = {"", "_year", "_month", "_day", "_hour",
                                       "_bucket", "_trunc", "_null"};
  return arena_printf(&ctx->arena, "%s%s", tr->column, SUFFIX[k]);
}

/* Iceberg refuses two partition fields of one name, and a field named as a
 * column it is not the identity of. */
static void check_partition_name(Ctx *ctx, const CatalogTable *t, const Transform *tr, int k,
                                 Pos at, StrIndex *names) {
  const char *name = partition_field_name(ctx, tr, k);
  if (strindex_get(names, name)) {
    diag_error(ctx, at, LK_TABLE_PARTITION,
               "a second partition field named '%s' (each field of the spec needs a name of "
               "its own)",
               name);
    return;
  }
  strindex_put(ctx, names, name, (void *)name);
  for (size_t i = 0; k != 0 && i < t->columns.len; i++)
    if (t->columns.items[i].name && !strcmp(t->columns.items[i].name, name))
      diag_error(ctx, at, LK_TABLE_PARTITION,
                 "partition field '%s' would have the name of column '%s' (Iceberg names a "
                 "transform's field column_transform): rename the column",
                 name, name);
}

static void check_partition_spec(Ctx *ctx, const CatalogTable *t) {
  StrIndex names = {0};
  for (size_t i = 0; i < t->partition.len; i++) {
    Pos at = item_pos(t->node, "partition", i);
    const char *text = t->partition.items[i];
    Transform tr;
    const char *why = parse_transform(ctx, text, &tr);
    if (why) {
      diag_error(ctx, at, LK_TABLE_PARTITION, "partition '%s': %s", text, why);
      continue;
    }
    int k = transform_index(tr.name);
    if (k < 0) {
      Diag *d = diag_error(ctx, at, LK_TABLE_PARTITION,
                           "partition '%s': Iceberg has no transform '%s'", text, tr.name);
      const char *best = suggest_closest(tr.name, TRANSFORMS, COUNT(TRANSFORMS) - 1);
      if (best)
        diag_fixit(ctx, d, best);
      continue;
    }
    if ((k == 5 || k == 6) && tr.parameter < 1) {
      diag_error(ctx, at, LK_TABLE_PARTITION, "partition '%s': %s[N] needs N >= 1", text,
                 tr.name);
      continue;
    }
    if (k != 5 && k != 6 && (tr.parameter || strchr(text, '['))) {
      diag_error(ctx, at, LK_TABLE_PARTITION,
                 "partition '%s': only bucket and truncate take a parameter", text);
      continue;
    }
    const CatalogColumn *c = find_column(ctx, t, tr.column, text, at, NULL);
    if (!c || !c->parsed)
      continue;
    check_partition_name(ctx, t, &tr, k, at, &names);
    why = transform_misfit(k, c->parsed->kind);
    if (why)
      diag_error(ctx, at, LK_TABLE_PARTITION, "partition '%s': %s %s (column '%s' is %s)", text,
                 tr.name, why, c->name, c->type);
  }
}

/* Keys that belong to the other format are refused where they are written. */
static void check_format_keys(Ctx *ctx, const CatalogTable *t) {
  static const char *const ICEBERG_ONLY[] = {"identifier", "partition", "format_version",
                                             "write_mode", "allow_rewrite"};
  static const char *const HIVE_ONLY[] = {"partitions", "projection"};
  const char *const *keys = iceberg(t) ? HIVE_ONLY : ICEBERG_ONLY;
  size_t n = iceberg(t) ? COUNT(HIVE_ONLY) : COUNT(ICEBERG_ONLY);
  for (size_t i = 0; i < n; i++)
    if (node_get(t->node, keys[i]))
      diag_error(ctx, key_pos(t->node, keys[i]), LK_TABLE_FORMAT_KEY,
                 "'%s' is for %s tables, and table '%s' is %s%s", keys[i],
                 iceberg(t) ? "Hive (parquet, json, csv)" : "Iceberg", t->key,
                 FORMATS[t->format],
                 iceberg(t) ? "" : " (Hive partitions are 'partitions', with 'projection')");
}

/* ---- check: Hive partition projection ---- */

/* A date written in a Java date pattern: y M d H m s are digits (as many as
 * the letter is repeated), other characters themselves. Letters lakec does
 * not know leave the value unchecked (true). */
static bool fits_date_format(const char *value, const char *format) {
  const char *v = value;
  for (const char *f = format; *f;) {
    size_t run = 1;
    while (f[run] == *f)
      run++;
    if (strchr("yMdHms", *f)) {
      for (size_t k = 0; k < run; k++, v++)
        if (!isdigit((unsigned char)*v))
          return false;
      long n = strtol(v - run, NULL, 10);
      if ((*f == 'M' && (n < 1 || n > 12)) || (*f == 'd' && (n < 1 || n > 31)) ||
          (*f == 'H' && n > 23) || ((*f == 'm' || *f == 's') && n > 59))
        return false;
    } else if (isalpha((unsigned char)*f)) {
      return true;
    } else {
      for (size_t k = 0; k < run; k++, v++)
        if (*v != *f)
          return false;
    }
    f += run;
  }
  return *v == '\0';
}

/* NOW, NOW-3DAYS, NOW+1YEAR (Athena's relative dates). */
static bool relative_date(const char *s) {
  static const char *const units[] = {"YEAR", "MONTH", "WEEK", "DAY", "HOUR", "MINUTE",
                                      "SECOND", NULL};
  if (strncmp(s, "NOW", 3))
    return false;
  s += 3;
  if (!*s)
    return true;
  if (*s != '-' && *s != '+')
    return false;
  s++;
  if (!isdigit((unsigned char)*s))
    return false;
  while (isdigit((unsigned char)*s))
    s++;
  for (int i = 0; units[i]; i++) {
    size_t n = strlen(units[i]);
    if (!strncmp(s, units[i], n) && (!s[n] || !strcmp(s + n, "S")))
      return true;
  }
  return false;
}

static bool integer_text(const char *s) {
  if (*s == '-')
    s++;
  if (!isdigit((unsigned char)*s))
    return false;
  while (isdigit((unsigned char)*s))
    s++;
  return *s == '\0';
}

/* "FIRST,LAST": both parts, or NULL when there is no comma. */
static bool split_range(Ctx *ctx, const char *range, const char **first, const char **last) {
  const char *comma = range ? strchr(range, ',') : NULL;
  if (!comma || strchr(comma + 1, ','))
    return false;
  *first = arena_strndup(&ctx->arena, range, (size_t)(comma - range));
  *last = comma + 1;
  return true;
}

static const char *projection_misfit(Ctx *ctx, const Projection *p) {
  const char *first, *last;
  switch (p->type) {
  case PROJECT_DATE:
    if (!p->format || !p->range)
      return "a date projection needs its format and range";
    if (!split_range(ctx, p->range, &first, &last))
      return "a date range is two dates, \"FIRST,LAST\"";
    for (int k = 0; k < 2; k++) {
      const char *v = k ? last : first;
      if (!relative_date(v) && !fits_date_format(v, p->format))
        return arena_printf(&ctx->arena,
                            "'%s' is neither a date in the format '%s' nor NOW, NOW-3DAYS and "
                            "the like",
                            v, p->format);
    }
    return NULL;
  case PROJECT_INTEGER:
    if (!p->range || !split_range(ctx, p->range, &first, &last) || !integer_text(first) ||
        !integer_text(last))
      return "an integer projection's range is two integers, \"FIRST,LAST\"";
    return strtoll(first, NULL, 10) > strtoll(last, NULL, 10)
               ? "an integer range starts with the smaller number"
               : NULL;
  case PROJECT_ENUM:
    return p->values.len ? NULL : "an enum projection needs its values";
  default:
    return NULL;
  }
}

/* Athena projects every partition key of a projected table or none. */
static void check_every_key_projected(Ctx *ctx, const CatalogTable *t) {
  for (size_t k = 0; k < t->partitions.len && t->projection.len; k++) {
    const char *name = t->partitions.items[k].name;
    bool projected = false;
    for (size_t i = 0; i < t->projection.len && name; i++)
      projected |= !strcmp(t->projection.items[i].key, name);
    if (name && !projected)
      diag_error(ctx, item_pos(t->node, "partitions", k), LK_TABLE_PROJECTION,
                 "partition key '%s' of table '%s' has no projection: Athena projects every "
                 "partition key of a projected table",
                 name, t->key);
  }
}

static void check_projection(Ctx *ctx, const CatalogTable *t) {
  check_every_key_projected(ctx, t);
  for (size_t i = 0; i < t->projection.len; i++) {
    const Projection *p = &t->projection.items[i];
    bool is_key = false;
    const char *names[64];
    size_t n = 0;
    for (size_t k = 0; k < t->partitions.len; k++) {
      is_key |= t->partitions.items[k].name && !strcmp(t->partitions.items[k].name, p->key);
      if (n < COUNT(names))
        names[n++] = t->partitions.items[k].name;
    }
    if (!is_key) {
      Diag *d = diag_error(ctx, key_pos(node_get(t->node, "projection"), p->key),
                           LK_TABLE_PROJECTION,
                           "projection '%s' names no partition key of table '%s'", p->key,
                           t->key);
      const char *best = suggest_closest(p->key, names, n);
      if (best)
        diag_fixit(ctx, d, best);
      continue;
    }
    const char *why = projection_misfit(ctx, p);
    if (why)
      diag_error(ctx, check_pos(p->node, p->range && p->type != PROJECT_ENUM ? "range" : "type"),
                 LK_TABLE_PROJECTION, "projection '%s': %s", p->key, why);
  }
}

/* ---- check: the table ---- */

static void check_table(Ctx *ctx, Model *m, CatalogTable *t) {
  if (!t->name)
    t->name = t->key;
  check_name(ctx, t->node, "name", t->name, awsname_glue_table, LK_GLUE_NAME, "table name");
  if (t->database)
    t->db = construct_resolve(ctx, m, &construct_database, t->database,
                              check_pos(t->node, "database"));
  if (t->location)
    t->where = bucket_location(ctx, m, t->location, check_pos(t->node, "location"));
  StrIndex seen = {0};
  check_columns(ctx, t, t->columns.items, t->columns.len, &seen);
  if (!t->columns.len && node_get(t->node, "columns"))
    diag_error(ctx, check_pos(t->node, "columns"), LK_MISSING_KEY,
               "table '%s' has no columns", t->key);
  check_format_keys(ctx, t);
  if (iceberg(t)) {
    if (t->write_mode == 0 && t->format_version < 2)
      diag_error(ctx, check_pos(t->node, "write_mode"), LK_CONFLICT,
                 "merge-on-read writes delete files, which Iceberg tables have from format "
                 "version 2 on; table '%s' is version %lld",
                 t->key, t->format_version);
    check_identifier(ctx, t);
    check_partition_spec(ctx, t);
    return;
  }
  check_columns(ctx, t, t->partitions.items, t->partitions.len, &seen);
  check_projection(ctx, t);
}

/* Tables are unique by database and name, and by location. */
static void check_shared(Ctx *ctx, const CatalogTable *t, StrIndex *names) {
  if (t->db) {
    const char *full = arena_printf(&ctx->arena, "%s.%s", t->db->name, t->name);
    const CatalogTable *o = strindex_get(names, full);
    if (o) {
      Diag *d = diag_error(ctx, check_pos(t->node, "name"), LK_DUPLICATE,
                           "catalog tables '%s' and '%s' are both '%s'", o->key, t->key, full);
      diag_note(ctx, d, check_pos(o->node, "name"), "table '%s' is here", o->key);
    } else {
      strindex_put(ctx, names, full, (void *)t);
    }
  }
}

/* One table's objects are not under another's location: the same prefix, or
 * one inside the other (a table reads every object under its location, and
 * a writer of the outer one would be granted the inner one's objects). */
static void check_location_overlap(Ctx *ctx, const CatalogTable *t, const CatalogTable *o) {
  if (!t->where.bucket || !o->where.bucket || t->where.bucket != o->where.bucket)
    return;
  const char *a = t->where.prefix, *b = o->where.prefix;
  size_t na = strlen(a), nb = strlen(b);
  if (strncmp(a, b, na < nb ? na : nb) != 0)
    return;
  const char *place = arena_printf(&ctx->arena, "%s/%s", t->where.bucket->key, a);
  Diag *d = na == nb ? diag_error(ctx, check_pos(t->node, "location"), LK_TABLE_LOCATION,
                                  "catalog tables '%s' and '%s' share the location '%s'",
                                  o->key, t->key, place)
                     : diag_error(ctx, check_pos(t->node, "location"), LK_TABLE_LOCATION,
                                  "the location '%s' of catalog table '%s' is %s that of "
                                  "table '%s'",
                                  place, t->key, na > nb ? "inside" : "around", o->key);
  diag_note(ctx, d, check_pos(o->node, "location"), "table '%s' is here", o->key);
}

static void catalog_table_check(Ctx *ctx, Model *m, const Construct *self) {
  StrIndex names = {0};
  for (size_t i = 0; i < construct_count(m, self); i++) {
    CatalogTable *t = construct_item_mut(m, self, i);
    check_table(ctx, m, t);
    check_shared(ctx, t, &names);
    for (size_t k = 0; k < i; k++)
      check_location_overlap(ctx, t, construct_item(m, self, k));
  }
}

/* ---- references ---- */

/* s3://BUCKET/PREFIX with the bucket's name, which the stage fixes. */
static const char *s3_url(Ctx *ctx, const CatalogTable *t) {
  return arena_printf(&ctx->arena, "s3://%s/%s", t->where.bucket ? t->where.bucket->name : "",
                      t->where.prefix ? t->where.prefix : "");
}

static bool catalog_table_ref(Ctx *ctx, const void *item, const char *what, RefSpec *out) {
  const CatalogTable *t = item;
  if (!strcmp(what, "name"))
    out->literal = json_string(t->name);
  else if (!strcmp(what, "database"))
    out->literal = json_string(t->db ? t->db->name : "");
  else if (!strcmp(what, "location"))
    out->literal = json_string(s3_url(ctx, t));
  else if (!strcmp(what, "arn"))
    out->literal = cfn_subf("arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:"
                            "table/%s/%s",
                            t->db ? t->db->name : "", t->name);
  return out->literal != NULL;
}

/* ---- lower: Iceberg ---- */

static json_t *iceberg_schema(const CatalogTable *t) {
  json_t *fields = json_array(), *ids = json_array();
  for (size_t i = 0; i < t->columns.len; i++) {
    const CatalogColumn *c = &t->columns.items[i];
    json_t *f = J("{s:I, s:s, s:s, s:b}", "Id", (json_int_t)(i + 1), "Name", c->name, "Type",
                  c->parsed->iceberg, "Required", c->required == 1);
    if (c->comment)
      json_object_set_new(f, "Doc", json_string(c->comment));
    json_array_append_new(fields, f);
    for (size_t k = 0; k < t->identifier.len; k++)
      if (!strcmp(t->identifier.items[k], c->name))
        json_array_append_new(ids, json_integer((json_int_t)(i + 1)));
  }
  json_t *schema = J("{s:i, s:s, s:o}", "SchemaId", 0, "Type", "struct", "Fields", fields);
  if (json_array_size(ids))
    json_object_set_new(schema, "IdentifierFieldIds", ids);
  else
    json_decref(ids);
  return schema;
}

/* Partition field names as Iceberg's own PartitionSpec builder makes them:
 * the column for identity, else column_year, _month, _day, _hour, _bucket,
 * _trunc, _null. Partition field ids start at 1000. */
static json_t *partition_spec(Ctx *ctx, const CatalogTable *t) {
  json_t *fields = json_array();
  for (size_t i = 0; i < t->partition.len; i++) {
    Transform tr;
    size_t col = 0;
    parse_transform(ctx, t->partition.items[i], &tr);
    int k = transform_index(tr.name);
    find_column(ctx, t, tr.column, tr.column, (Pos){0}, &col);
    const char *transform = k == 5 || k == 6
                                ? arena_printf(&ctx->arena, "%s[%ld]", tr.name, tr.parameter)
                                : tr.name;
    json_array_append_new(fields, J("{s:I, s:s, s:s, s:I}", "SourceId", (json_int_t)(col + 1),
                                    "Transform", transform, "Name",
                                    partition_field_name(ctx, &tr, k),
                                    "FieldId", (json_int_t)(1000 + i)));
  }
  return J("{s:i, s:o}", "SpecId", 0, "Fields", fields);
}

/* The write modes, the description as Iceberg's table comment, then the
 * stage's own properties (which win). */
static json_t *iceberg_properties(const CatalogTable *t) {
  json_t *props = json_object();
  if (t->description)
    json_object_set_new(props, "comment", json_string(t->description));
  if (t->write_mode >= 0) {
    static const char *const OPS[] = {"write.delete.mode", "write.update.mode",
                                      "write.merge.mode"};
    for (size_t i = 0; i < COUNT(OPS); i++)
      json_object_set_new(props, OPS[i], json_string(WRITE_MODES[t->write_mode]));
  }
  for (size_t i = 0; i < t->properties.len; i++)
    json_object_set_new(props, t->properties.items[i].key,
                        json_string(t->properties.items[i].value));
  return props;
}

static void lower_iceberg(Ctx *ctx, const CatalogTable *t, json_t *p) {
  json_t *input = J("{s:s, s:o}", "Location", s3_url(ctx, t), "Schema", iceberg_schema(t));
  if (t->partition.len)
    json_object_set_new(input, "PartitionSpec", partition_spec(ctx, t));
  json_t *props = iceberg_properties(t);
  if (json_object_size(props))
    json_object_set_new(input, "Properties", props);
  else
    json_decref(props);
  json_object_set_new(
      p, "OpenTableFormatInput",
      J("{s:{s:s, s:o, s:o}}", "IcebergInput", "MetadataOperation", "CREATE", "Version",
        json_string(arena_printf(&ctx->arena, "%lld", t->format_version)), "IcebergTableInput",
        input));
}

/* ---- lower: Hive ---- */

static json_t *hive_columns(const CatalogColumn *cols, size_t n) {
  json_t *out = json_array();
  for (size_t i = 0; i < n; i++) {
    json_t *c = J("{s:s, s:s}", "Name", cols[i].name, "Type", cols[i].parsed->hive);
    if (cols[i].comment)
      json_object_set_new(c, "Comment", json_string(cols[i].comment));
    json_array_append_new(out, c);
  }
  return out;
}

/* Input and output formats and the SerDe of each Hive format. */
static json_t *storage_formats(int format) {
  const char *text_in = "org.apache.hadoop.mapred.TextInputFormat",
             *text_out = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat";
  switch (format) {
  case TABLE_JSON:
    return J("{s:s, s:s, s:{s:s}}", "InputFormat", text_in, "OutputFormat", text_out,
             "SerdeInfo", "SerializationLibrary", "org.openx.data.jsonserde.JsonSerDe");
  case TABLE_CSV:
    return J("{s:s, s:s, s:{s:s, s:{s:s, s:s}}}", "InputFormat", text_in, "OutputFormat",
             text_out, "SerdeInfo", "SerializationLibrary",
             "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe", "Parameters", "field.delim",
             ",", "serialization.format", ",");
  default:
    return J("{s:s, s:s, s:{s:s, s:{s:s}}}", "InputFormat",
             "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat", "OutputFormat",
             "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat", "SerdeInfo",
             "SerializationLibrary", "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
             "Parameters", "serialization.format", "1");
  }
}

static void set_param(Ctx *ctx, json_t *params, const char *key, const char *attr,
                      const char *value) {
  json_object_set_new(params, arena_printf(&ctx->arena, "projection.%s.%s", key, attr),
                      json_string(value));
}

/* projection.* parameters, and the template of the partitions' locations:
 * Hive's own layout (KEY=VALUE/), so Athena and Spark agree on where a
 * partition's objects are. The text is a literal: ${key} is Athena's. */
static void projection_parameters(Ctx *ctx, const CatalogTable *t, json_t *params) {
  json_object_set_new(params, "projection.enabled", json_string("true"));
  for (size_t i = 0; i < t->projection.len; i++) {
    const Projection *p = &t->projection.items[i];
    set_param(ctx, params, p->key, "type", PROJECTION_TYPES[p->type]);
    if (p->format)
      set_param(ctx, params, p->key, "format", p->format);
    if (p->range)
      set_param(ctx, params, p->key, "range", p->range);
    if (p->interval)
      set_param(ctx, params, p->key, "interval",
                arena_printf(&ctx->arena, "%lld", p->interval));
    if (p->unit >= 0)
      set_param(ctx, params, p->key, "interval.unit", UNITS[p->unit]);
    if (p->digits)
      set_param(ctx, params, p->key, "digits", arena_printf(&ctx->arena, "%lld", p->digits));
    if (p->values.len) {
      const char *values = p->values.items[0];
      for (size_t k = 1; k < p->values.len; k++)
        values = arena_printf(&ctx->arena, "%s,%s", values, p->values.items[k]);
      set_param(ctx, params, p->key, "values", values);
    }
  }
  const char *where = s3_url(ctx, t);
  for (size_t i = 0; i < t->partitions.len; i++)
    where = arena_printf(&ctx->arena, "%s%s=${%s}/", where, t->partitions.items[i].name,
                         t->partitions.items[i].name);
  json_object_set_new(params, "storage.location.template", json_string(where));
}

static void lower_hive(Ctx *ctx, const CatalogTable *t, json_t *p) {
  json_t *params = J("{s:s, s:s}", "classification", FORMATS[t->format], "EXTERNAL", "TRUE");
  if (t->projection.len)
    projection_parameters(ctx, t, params);
  for (size_t i = 0; i < t->properties.len; i++)
    json_object_set_new(params, t->properties.items[i].key,
                        json_string(t->properties.items[i].value));
  json_t *storage = storage_formats(t->format);
  json_object_set_new(storage, "Columns", hive_columns(t->columns.items, t->columns.len));
  json_object_set_new(storage, "Location", json_string(s3_url(ctx, t)));
  json_t *input = J("{s:s, s:s, s:o}", "Name", t->name, "TableType", "EXTERNAL_TABLE",
                    "Parameters", params);
  if (t->description)
    json_object_set_new(input, "Description", json_string(t->description));
  if (t->partitions.len)
    json_object_set_new(input, "PartitionKeys",
                        hive_columns(t->partitions.items, t->partitions.len));
  json_object_set_new(input, "StorageDescriptor", storage);
  json_object_set_new(p, "TableInput", input);
}

/* The database's name is written literally (see the file's comment); the
 * table waits for the database. */
static void catalog_table_lower(Ctx *ctx, Ir *ir, const Model *m, const void *item) {
  (void)m;
  const CatalogTable *t = item;
  json_t *p = J("{s:o, s:s, s:s}", "CatalogId", cfn_ref("AWS::AccountId"), "DatabaseName",
                t->db->name, "Name", t->name);
  if (iceberg(t))
    lower_iceberg(ctx, t, p);
  else
    lower_hive(ctx, t, p);
  IrResource *r = ir_add(ctx, ir, lid(ctx, t->key, "CatalogTable"), "AWS::Glue::Table", p);
  ir_depends_on(ctx, r, lid(ctx, t->db->key, "Database"));
}

/* ---- the previous build: Iceberg column ids are append-only ---- */

/* The fields of the previous build's Iceberg table `id`, or NULL. */
static json_t *previous_fields(json_t *previous, const char *id) {
  json_t *r = json_object_get(previous, id);
  json_t *input = json_object_get(json_object_get(json_object_get(json_object_get(r,
                      "Properties"), "OpenTableFormatInput"), "IcebergInput"),
                                  "IcebergTableInput");
  json_t *fields = json_object_get(json_object_get(input, "Schema"), "Fields");
  return json_is_array(fields) ? fields : NULL;
}

/* The first previous column that is not where it was, reported. */
static void check_append_only(Ctx *ctx, const CatalogTable *t, json_t *fields) {
  size_t i;
  json_t *f;
  json_array_foreach(fields, i, f) {
    const char *name = json_string_value(json_object_get(f, "Name"));
    const char *type = json_string_value(json_object_get(f, "Type"));
    if (!name || !type)
      return;
    if (i >= t->columns.len) {
      diag_error(ctx, check_pos(t->node, "columns"), LK_TABLE_EVOLUTION,
                 "Iceberg table '%s' lost column '%s' (field id %zu) since the previous build: "
                 "columns are append-only (drop it from a job with ALTER TABLE, or set "
                 "allow_rewrite: true)",
                 t->key, name, i + 1);
      return;
    }
    const CatalogColumn *c = &t->columns.items[i];
    if (c->parsed && (strcmp(c->name, name) || strcmp(c->parsed->iceberg, type))) {
      diag_error(ctx, c->node->pos, LK_TABLE_EVOLUTION,
                 "field id %zu of Iceberg table '%s' was column '%s' (%s) in the previous "
                 "build, now '%s' (%s): columns are append-only (add new ones at the end; "
                 "rename or retype from a job with ALTER TABLE, or set allow_rewrite: true)",
                 i + 1, t->key, name, type, c->name, c->parsed->iceberg);
      return;
    }
  }
}

static void catalog_table_against_previous(Ctx *ctx, const Model *m, json_t *previous) {
  for (size_t i = 0; i < construct_count(m, &construct_catalog_table); i++) {
    const CatalogTable *t = construct_item(m, &construct_catalog_table, i);
    json_t *fields = previous_fields(previous, lid(ctx, t->key, "CatalogTable"));
    if (iceberg(t) && t->allow_rewrite != 1 && fields)
      check_append_only(ctx, t, fields);
  }
}

/* ---- names ---- */

static void catalog_table_claims(Ctx *ctx, const Model *m, const void *item, PtrVec *claims) {
  (void)m;
  const CatalogTable *t = item;
  if (t->db)
    construct_claim(ctx, claims, "Glue table",
                    arena_printf(&ctx->arena, "%s.%s", t->db->name, t->name), t->node,
                    "name", false);
}

static const TagRule TABLE_TAGS[] = {{NULL, NULL, 0}}; /* Glue tables take no tags */

const Construct construct_catalog_table = {
    .key = "catalog_tables",
    .kind = "catalog table",
    .doc = "Glue Data Catalog tables (Iceberg, or Hive over Parquet, JSON, CSV), by key",
    .shape = &SHAPE_TABLE,
    .check = catalog_table_check,
    .lower = catalog_table_lower,
    .ref = catalog_table_ref,
    .claim_names = catalog_table_claims,
    .tags = TABLE_TAGS,
    .codes = TABLE_CODES,
    .against_previous = catalog_table_against_previous,
};
