/* job: a Glue job running a Python script of the project (PySpark on
 * glueetl and gluestreaming, plain Python on pythonshell). The script is a
 * file beside the stage file, read when the stage is checked: an asset named
 * by content (assets/<key>-<hash>.py) that the manifest lists beside the
 * handler zips and the template takes through a parameter, as the functions
 * take their code. The job has a role of its own that may read the script,
 * use its temporary directory (in the assets bucket, as Glue's console keeps
 * it in its own assets bucket), read its `reads`, write its `writes`, use the
 * catalog of its `databases`, write Glue's job logs and metrics, and nothing
 * else. Functions are granted `run_job: JOB` (start, watch and stop its runs).
 *
 * Spark does not run here: lakec checks what it can know before a run (the
 * script exists and is Python, the worker type fits the job type and Glue
 * version, the arguments do not undo lakec's) and leaves the rest to AWS. */
#include "check_util.h"
#include "construct.h"
#include "extends.h"
#include "lower/lower_internal.h"
#include "package.h"
#include "refs.h"

#include <string.h>

extern const Construct construct_job, construct_database, construct_catalog_table;

/* The job's own diagnostics (lakec explain LK320). */
#define LK_JOB_WORKER "LK320"
#define LK_JOB_WORKERS "LK321"
#define LK_JOB_SCRIPT "LK322"
#define LK_JOB_SCRIPT_UNREADABLE "LK323"
#define LK_JOB_ARGUMENT "LK324"
#define LK_JOB_TABLE_UNGRANTED "LK367"
#define LK_JOB_ICEBERG "LK368"
#define STAGE_HEAD "lakec: 1\nproject: cats\nstage: dev\n"

static const DiagCode JOB_CODES[] = {
    {LK_JOB_WORKER, "worker type or Glue version the job type does not take",
     "Glue offers each worker type to some job types only: G.1X and G.2X to Spark\n"
     "batch (glueetl) and streaming (gluestreaming) jobs, G.4X and G.8X to Spark batch\n"
     "jobs, G.025X to streaming jobs, Z.2X to Ray jobs (which lakec does not make).\n"
     "A Python shell job has no workers (it runs on 1/16 DPU) and runs on Glue 3.0\n"
     "(Python 3.9) only.",
     STAGE_HEAD "jobs:\n  compact: {script: compact.py, worker_type: G.025X}\n",
     STAGE_HEAD "jobs:\n  compact: {script: compact.py, worker_type: G.1X}\n"},
    {LK_JOB_WORKERS, "fewer workers than the worker type needs",
     "A Glue Spark job needs at least 2 workers of its type: one runs the driver, the\n"
     "others the executors. Glue refuses a job with fewer.",
     STAGE_HEAD "jobs:\n  compact: {script: compact.py, workers: 1}\n",
     STAGE_HEAD "jobs:\n  compact: {script: compact.py, workers: 2}\n"},
    {LK_JOB_SCRIPT, "job script refused",
     "A job's script is a .py file of the project, relative to the stage file that\n"
     "names it, held to the rules of extends: under the project root once symbolic\n"
     "links are resolved, named .py (the file a link leads to too), a regular file of\n"
     "at most 4 MiB. lakec reads it to upload it, so it may not read other files of\n"
     "the machine.",
     STAGE_HEAD "jobs:\n  compact: {script: /etc/passwd}\n",
     STAGE_HEAD "jobs:\n  compact: {script: scripts/compact.py}\n"},
    {LK_JOB_SCRIPT_UNREADABLE, "job script cannot be read",
     "The script a job names does not exist (relative to the stage file that names\n"
     "it) or cannot be read. lakec reads it when the stage is checked, because the\n"
     "script is an asset of the build, named by its content.",
     STAGE_HEAD "jobs:\n  compact: {script: scripts/compcat.py}\n",
     STAGE_HEAD "jobs:\n  compact: {script: scripts/compact.py}\n"},
    {LK_JOB_ARGUMENT, "job argument lakec sets itself",
     "lakec sets some of Glue's special parameters itself, from the job's keys or\n"
     "because the role is scoped to them: --job-language, --TempDir (the temporary\n"
     "directory the role may use), --job-bookmark-option (`bookmarks`), --enable-metrics,\n"
     "--enable-continuous-cloudwatch-log (the log groups the role may write) and\n"
     "--scriptLocation (the script lakec uploads). An `arguments` entry may not set them.",
     STAGE_HEAD "jobs:\n  compact:\n    script: compact.py\n"
     "    arguments: {--job-bookmark-option: job-bookmark-disable}\n",
     STAGE_HEAD "jobs:\n  compact:\n    script: compact.py\n    bookmarks: false\n"},
    {LK_JOB_TABLE_UNGRANTED, "job argument names a table the job may not use",
     "A job's argument that names a catalog table (a ${catalog_tables.KEY.ATTR}\n"
     "reference or DATABASE.TABLE) tells the script to read or write\n"
     "it, but the job's role may touch only the tables of its read_tables and\n"
     "write_tables: the run would fail on AWS with AccessDenied. Grant the table.",
     STAGE_HEAD "buckets:\n  silver: {name: cats-dev-silver}\n"
     "databases:\n  silver: {name: cats_dev}\n"
     "catalog_tables:\n  orders:\n    database: silver\n    location: silver/orders/\n"
     "    columns: [{name: id, type: string}]\n"
     "jobs:\n  compact:\n    script: compact.py\n    arguments: {table: cats_dev.orders}\n",
     STAGE_HEAD "buckets:\n  silver: {name: cats-dev-silver}\n"
     "databases:\n  silver: {name: cats_dev}\n"
     "catalog_tables:\n  orders:\n    database: silver\n    location: silver/orders/\n"
     "    columns: [{name: id, type: string}]\n"
     "jobs:\n  compact:\n    script: compact.py\n    arguments: {table: cats_dev.orders}\n"
     "    write_tables: [orders]\n"},
    {LK_JOB_ICEBERG, "Iceberg settings lakec derives",
     "A job that reads or writes an Iceberg table gets its Iceberg settings from lakec:\n"
     "--datalake-formats iceberg and one --conf argument (Glue takes only one) chaining\n"
     "the Spark session extensions and the glue_catalog catalog (Glue Data Catalog,\n"
     "S3FileIO, the warehouse). Its arguments may not set them, and it is a Spark job\n"
     "(glueetl or gluestreaming) on Glue 4.0 or later: Glue 3.0 bundles Iceberg 0.13.1,\n"
     "without merge-on-read for MERGE and UPDATE.",
     STAGE_HEAD "buckets:\n  silver: {name: cats-dev-silver}\n"
     "databases:\n  silver: {name: cats_dev}\n"
     "catalog_tables:\n  orders:\n    database: silver\n    location: silver/orders/\n"
     "    format: iceberg\n    columns: [{name: id, type: string}]\n"
     "jobs:\n  compact:\n    script: compact.py\n    glue_version: \"3.0\"\n"
     "    write_tables: [orders]\n",
     STAGE_HEAD "buckets:\n  silver: {name: cats-dev-silver}\n"
     "databases:\n  silver: {name: cats_dev}\n"
     "catalog_tables:\n  orders:\n    database: silver\n    location: silver/orders/\n"
     "    format: iceberg\n    columns: [{name: id, type: string}]\n"
     "jobs:\n  compact:\n    script: compact.py\n    glue_version: \"5.0\"\n"
     "    write_tables: [orders]\n"},
    {NULL, NULL, NULL, NULL, NULL},
};

enum { TYPE_GLUEETL, TYPE_PYTHONSHELL, TYPE_STREAMING };
static const char *const JOB_TYPES[] = {"glueetl", "pythonshell", "gluestreaming", NULL};
enum { VERSION_3, VERSION_4, VERSION_5 };
static const char *const GLUE_VERSIONS[] = {"3.0", "4.0", "5.0", NULL};
static const char *const WORKER_TYPES[] = {"G.1X", "G.2X", "G.4X", "G.8X", "G.025X", "Z.2X", NULL};

/* Which job types each worker type serves (bits of 1 << TYPE_*), and why not
 * the others. Every Spark worker type needs at least 2 workers. */
static const struct {
  unsigned types;
  const char *serves;
} WORKERS[] = {
    {1u << TYPE_GLUEETL | 1u << TYPE_STREAMING, "Spark batch and streaming jobs"},
    {1u << TYPE_GLUEETL | 1u << TYPE_STREAMING, "Spark batch and streaming jobs"},
    {1u << TYPE_GLUEETL, "Spark batch (glueetl) jobs"},
    {1u << TYPE_GLUEETL, "Spark batch (glueetl) jobs"},
    {1u << TYPE_STREAMING, "streaming (gluestreaming) jobs"},
    {0, "Ray jobs, which lakec does not make"},
};
enum { MIN_WORKERS = 2 };

typedef struct Job {
  MODEL_ITEM_HEADER;
  const char *name, *script, *description;
  int type;         /* JOB_TYPES */
  int glue_version; /* GLUE_VERSIONS; TRI_UNSET until check */
  int worker_type;  /* WORKER_TYPES; TRI_UNSET until check */
  long long workers, timeout, max_retries, max_concurrency; /* workers, timeout: 0 = unset */
  int bookmarks;    /* tri-state until check */
  StrMap arguments; /* as written */
  StrList reads, writes, databases;
  StrList read_tables, write_tables;
  /* resolved */
  const CatalogTable **reading, **writing; /* NULL where reported */
  const CatalogTable *warehouse; /* the Iceberg table whose folder is the warehouse, or NULL */
  StrMap args;     /* arguments with their leading "--" */
  Location *read_at, *write_at;
  const Database **catalogs;
  const SourceFile *source; /* the script's bytes */
} Job;

static const Field JOB_FIELDS[] = {
    {"name", F_STR, offsetof(Job, name), .def = "PROJECT-STAGE-KEY", .computed = true,
     .doc = "the Glue job name"},
    {"script", F_STR, offsetof(Job, script), .required = true,
     .doc = "the job's Python script: a .py file under the project root, relative to the "
            "stage file that names it"},
    {"description", F_STR, offsetof(Job, description), .doc = "free text"},
    {"type", F_ENUM, offsetof(Job, type), .values = JOB_TYPES, .def = "glueetl",
     .doc = "glueetl (Spark batch), pythonshell (plain Python) or gluestreaming (Spark "
            "streaming)"},
    {"glue_version", F_ENUM, offsetof(Job, glue_version), .values = GLUE_VERSIONS,
     .def = "4.0 (3.0 for pythonshell)", .computed = true,
     .doc = "the Glue version (Spark and Python versions); a Python shell job runs on 3.0"},
    {"worker_type", F_ENUM, offsetof(Job, worker_type), .values = WORKER_TYPES,
     .def = "G.1X (G.025X for gluestreaming; none for pythonshell)", .computed = true,
     .doc = "the Spark workers' size"},
    {"workers", F_INT, offsetof(Job, workers), .def = "2", .computed = true, .min = 1,
     .max = 100000, .doc = "how many workers a run has (at least 2)"},
    {"timeout", F_INT, offsetof(Job, timeout), .def = "60 (none for gluestreaming)",
     .computed = true, .min = 1, .max = 10080,
     .doc = "minutes a run may take before Glue stops it"},
    {"max_retries", F_INT, offsetof(Job, max_retries), .def = "0", .min = 0, .max = 10,
     .doc = "times Glue runs the job again after a failed run"},
    {"max_concurrency", F_INT, offsetof(Job, max_concurrency), .def = "1", .min = 1,
     .max = 1000, .doc = "runs of the job at once"},
    {"bookmarks", F_BOOL, offsetof(Job, bookmarks), .def = "true for glueetl", .computed = true,
     .doc = "job bookmarks: a run processes only what earlier runs did not"},
    {"arguments", F_STRMAP, offsetof(Job, arguments),
     .doc = "the script's default arguments (NAME: value; '--' is added to a NAME without it)"},
    {"reads", F_STRLIST, offsetof(Job, reads),
     .doc = "bucket locations (BUCKET/PREFIX) the job reads"},
    {"writes", F_STRLIST, offsetof(Job, writes),
     .doc = "bucket locations (BUCKET/PREFIX) the job writes and deletes in"},
    {"databases", F_STRLIST, offsetof(Job, databases),
     .doc = "databases (keys of `databases`) whose tables and partitions the job reads and "
            "writes"},
    {"read_tables", F_STRLIST, offsetof(Job, read_tables),
     .doc = "catalog tables (keys of `catalog_tables`) the job reads: their objects and "
            "catalog entries; Iceberg tables bring the Iceberg settings"},
    {"write_tables", F_STRLIST, offsetof(Job, write_tables),
     .doc = "catalog tables the job writes (and reads): objects put and deleted, the table "
            "and its partitions updated"},
    ITEM_FIELDS(Job),
};
static const Shape SHAPE_JOB = SHAPE(Job, "job", JOB_FIELDS, .key_offset = offsetof(Job, key));

/* ---- check ---- */

/* The value node of key's i-th item, for its position. */
static Pos item_pos(const Node *map, const char *key, size_t i) {
  const Node *seq = node_get(map, key);
  return seq && seq->kind == NODE_SEQ && i < seq->count ? seq->items[i]->pos : check_pos(map, key);
}

static void check_script(Ctx *ctx, Job *j) {
  const Node *v = node_get(j->node, "script");
  if (!v || v->unresolved || !v->pos.file)
    return;
  const SourceFile *from = v->pos.file, *top = from;
  while (top->included_from.file)
    top = top->included_from.file;
  ProjectRoot root = extends_project_root(ctx, top->path);
  const char *shown = extends_shown_path(ctx, from->path, j->script), *why;
  SourceFile *f;
  ProjectFile r = extends_read_project_file(ctx, &root, extends_base_dir(ctx, from->path),
                                            j->script, ".py", shown, &f, &why);
  if (r == PROJECT_FILE_OK) {
    j->source = f;
  } else if (r == PROJECT_FILE_UNREADABLE) {
    diag_error(ctx, v->pos, LK_JOB_SCRIPT_UNREADABLE, "cannot read script '%s': %s", shown, why);
  } else {
    Diag *d = diag_error(ctx, v->pos, LK_JOB_SCRIPT, "script '%s' %s", shown, why);
    diag_note(ctx, d, (Pos){0},
              "a job's script is a .py file under the project root, %s; --root DIR sets "
              "another root",
              root.how ? root.how : "the stage file's own directory");
  }
}

static void check_workers(Ctx *ctx, Job *j) {
  bool shell = j->type == TYPE_PYTHONSHELL;
  if (j->glue_version == TRI_UNSET)
    j->glue_version = shell ? VERSION_3 : VERSION_4;
  if (shell && j->glue_version != VERSION_3)
    diag_error(ctx, check_pos(j->node, "glue_version"), LK_JOB_WORKER,
               "a Python shell job runs on Glue 3.0 (Python 3.9), not %s",
               GLUE_VERSIONS[j->glue_version]);
  if (shell) {
    const char *written = node_get(j->node, "worker_type") ? "worker_type"
                          : node_get(j->node, "workers")   ? "workers"
                                                           : NULL;
    if (written)
      diag_error(ctx, check_pos(j->node, written), LK_JOB_WORKER,
                 "a Python shell job has no workers: it runs on 1/16 DPU (remove '%s')",
                 written);
    return;
  }
  if (j->worker_type == TRI_UNSET)
    j->worker_type = j->type == TYPE_STREAMING ? 4 /* G.025X */ : 0 /* G.1X */;
  if (!j->workers)
    j->workers = MIN_WORKERS;
  if (!(WORKERS[j->worker_type].types & 1u << j->type))
    diag_error(ctx, check_pos(j->node, "worker_type"), LK_JOB_WORKER,
               "worker type '%s' serves %s, not %s jobs", WORKER_TYPES[j->worker_type],
               WORKERS[j->worker_type].serves, JOB_TYPES[j->type]);
  else if (j->workers < MIN_WORKERS)
    diag_error(ctx, check_pos(j->node, "workers"), LK_JOB_WORKERS,
               "a job of %s workers needs at least %d of them (one runs the driver), not %lld",
               WORKER_TYPES[j->worker_type], MIN_WORKERS, j->workers);
}

/* Glue's special parameters lakec sets, and why. */
static const struct {
  const char *name, *why;
} LAKEC_ARGUMENTS[] = {
    {"--job-language", "the script is Python"},
    {"--TempDir", "the temporary directory the job's role may use"},
    {"--job-bookmark-option", "say 'bookmarks:' instead"},
    {"--enable-metrics", "the role may put Glue's metrics"},
    {"--enable-continuous-cloudwatch-log", "the role may write Glue's job log groups"},
    {"--scriptLocation", "the script is the one 'script:' names, which lakec uploads"},
};

static void check_arguments(Ctx *ctx, Job *j) {
  StrIndex seen = {0};
  j->args.items = arena_alloc(&ctx->arena, (j->arguments.len + 1) * sizeof *j->args.items);
  for (size_t i = 0; i < j->arguments.len; i++) {
    const StrPair *a = &j->arguments.items[i];
    const char *name = strncmp(a->key, "--", 2) ? arena_printf(&ctx->arena, "--%s", a->key)
                                                : a->key;
    for (size_t k = 0; k < COUNT(LAKEC_ARGUMENTS); k++)
      if (!strcmp(name, LAKEC_ARGUMENTS[k].name))
        diag_error(ctx, a->key_node->pos, LK_JOB_ARGUMENT,
                   "argument '%s' is set by lakec: %s", name, LAKEC_ARGUMENTS[k].why);
    const StrPair *same = strindex_get(&seen, name);
    if (same) {
      Diag *d = diag_error(ctx, a->key_node->pos, LK_DUPLICATE,
                           "job '%s' sets argument '%s' twice", j->key, name);
      diag_note(ctx, d, same->key_node->pos, "the first one is here");
      continue;
    }
    strindex_put(ctx, &seen, name, (void *)a);
    j->args.items[j->args.len++] = (StrPair){name, a->value, a->key_node, a->value_node};
  }
}

static Location *check_locations(Ctx *ctx, const Model *m, const Job *j, const StrList *l,
                                 const char *key) {
  Location *out = arena_alloc(&ctx->arena, (l->len + 1) * sizeof *out);
  for (size_t i = 0; i < l->len; i++)
    out[i] = bucket_location(ctx, m, l->items[i], item_pos(j->node, key, i));
  return out;
}

/* ---- check: catalog tables ---- */

static const CatalogTable **resolve_tables(Ctx *ctx, const Model *m, const Job *j,
                                           const StrList *l, const char *key) {
  const CatalogTable **out = arena_alloc(&ctx->arena, (l->len + 1) * sizeof *out);
  for (size_t i = 0; i < l->len; i++)
    out[i] = construct_resolve(ctx, m, &construct_catalog_table, l->items[i],
                               item_pos(j->node, key, i));
  return out;
}

static bool job_may_use(const Job *j, const CatalogTable *t) {
  for (size_t i = 0; i < j->read_tables.len; i++)
    if (j->reading[i] == t)
      return true;
  for (size_t i = 0; i < j->write_tables.len; i++)
    if (j->writing[i] == t)
      return true;
  return false;
}

/* The first Iceberg table of a list, or NULL. */
static const CatalogTable *first_iceberg(const CatalogTable **l, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (l[i] && l[i]->format == TABLE_ICEBERG)
      return l[i];
  return NULL;
}

static void check_table_grants(Ctx *ctx, const Model *m, Job *j) {
  j->reading = resolve_tables(ctx, m, j, &j->read_tables, "read_tables");
  j->writing = resolve_tables(ctx, m, j, &j->write_tables, "write_tables");
  for (size_t i = 0; i < j->read_tables.len; i++)
    for (size_t k = 0; k < j->write_tables.len && j->reading[i]; k++)
      if (j->writing[k] == j->reading[i])
        diag_error(ctx, item_pos(j->node, "read_tables", i), LK_CONFLICT,
                   "table '%s' is in write_tables too, which lets the job read it",
                   j->read_tables.items[i]);
  j->warehouse = first_iceberg(j->writing, j->write_tables.len);
  if (!j->warehouse)
    j->warehouse = first_iceberg(j->reading, j->read_tables.len);
}

/* Iceberg needs Spark on Glue 4.0 or later, and lakec's own --conf. */
static void check_iceberg(Ctx *ctx, const Job *j) {
  if (!j->warehouse)
    return;
  if (j->type == TYPE_PYTHONSHELL)
    diag_error(ctx, check_pos(j->node, "type"), LK_JOB_ICEBERG,
               "job '%s' uses Iceberg table '%s', which needs a Spark job (glueetl or "
               "gluestreaming), not a Python shell job",
               j->key, j->warehouse->key);
  else if (j->glue_version < VERSION_4)
    diag_error(ctx, check_pos(j->node, "glue_version"), LK_JOB_ICEBERG,
               "job '%s' uses Iceberg table '%s': Glue %s bundles Iceberg 0.13.1, without "
               "merge-on-read MERGE and UPDATE; use glue_version 4.0 or later",
               j->key, j->warehouse->key, GLUE_VERSIONS[j->glue_version]);
  for (size_t i = 0; i < j->args.len; i++)
    if (!strcmp(j->args.items[i].key, "--datalake-formats") ||
        !strcmp(j->args.items[i].key, "--conf"))
      diag_error(ctx, j->args.items[i].key_node->pos, LK_JOB_ICEBERG,
                 "argument '%s' is set by lakec: job '%s' uses Iceberg table '%s', and lakec "
                 "derives the Iceberg settings from its tables",
                 j->args.items[i].key, j->key, j->warehouse->key);
}

typedef struct ArgumentVisit {
  const Job *job;
  const StrPair *argument;
  const CatalogTable *reported; /* once per argument and table */
} ArgumentVisit;

static void check_granted(Ctx *ctx, const Job *j, const CatalogTable *t, const StrPair *a,
                          Pos at) {
  if (job_may_use(j, t) || !t->db)
    return;
  diag_error(ctx, at, LK_JOB_TABLE_UNGRANTED,
             "argument '%s' names table '%s' of database '%s' but job '%s' may neither read "
             "nor write it; add it to read_tables or write_tables",
             a->key, t->name, t->db->name, j->key);
}

static void visit_reference(Ctx *ctx, void *arg, const Construct *c, const void *item,
                            const char *attr, Pos at) {
  (void)attr;
  ArgumentVisit *v = arg;
  if (c == &construct_catalog_table && v->reported != item) {
    check_granted(ctx, v->job, item, v->argument, at);
    v->reported = item;
  }
}

/* Each argument's references are checked; one that names a catalog table
 * (by reference or as DATABASE.TABLE) must name one the job may use. */
static void check_argument_tables(Ctx *ctx, const Model *m, const Job *j) {
  size_t n = construct_count(m, &construct_catalog_table);
  for (size_t i = 0; i < j->args.len; i++) {
    const StrPair *a = &j->args.items[i];
    ArgumentVisit v = {j, a, NULL};
    refs_check(ctx, m, a->value_node, visit_reference, &v);
    for (size_t k = 0; k < n && a->value; k++) {
      const CatalogTable *t = construct_item(m, &construct_catalog_table, k);
      /* a bare table name could be any word (entity: orders): only DATABASE.TABLE */
      if (t->db && !strcmp(a->value, arena_printf(&ctx->arena, "%s.%s", t->db->name, t->name)))
        check_granted(ctx, j, t, a, a->value_node ? a->value_node->pos : a->key_node->pos);
    }
  }
}

static void check_job(Ctx *ctx, Model *m, Job *j) {
  if (!j->name)
    j->name = check_default_name(ctx, m, j->key);
  check_name(ctx, j->node, "name", j->name, awsname_glue_job, LK_GLUE_NAME, "job name");
  if (j->script)
    check_script(ctx, j);
  check_workers(ctx, j);
  if (!j->timeout && j->type != TYPE_STREAMING)
    j->timeout = 60;
  if (j->bookmarks == TRI_UNSET)
    j->bookmarks = j->type == TYPE_GLUEETL;
  else if (j->bookmarks && j->type != TYPE_GLUEETL)
    diag_error(ctx, check_pos(j->node, "bookmarks"), LK_CONFLICT,
               "job bookmarks are for Spark batch (glueetl) jobs: %s",
               j->type == TYPE_STREAMING ? "a streaming job keeps checkpoints instead"
                                         : "a Python shell job cannot use them");
  check_arguments(ctx, j);
  j->read_at = check_locations(ctx, m, j, &j->reads, "reads");
  j->write_at = check_locations(ctx, m, j, &j->writes, "writes");
  j->catalogs = arena_alloc(&ctx->arena, (j->databases.len + 1) * sizeof *j->catalogs);
  for (size_t i = 0; i < j->databases.len; i++)
    j->catalogs[i] = construct_resolve(ctx, m, &construct_database, j->databases.items[i],
                                       item_pos(j->node, "databases", i));
  check_table_grants(ctx, m, j);
  check_iceberg(ctx, j);
  check_argument_tables(ctx, m, j);
}

static void job_check(Ctx *ctx, Model *m, const Construct *self) {
  StrIndex names = {0};
  for (size_t i = 0; i < construct_count(m, self); i++) {
    Job *j = construct_item_mut(m, self, i);
    check_job(ctx, m, j);
    check_unique_name(ctx, &names, self, (const Item *)j, j->name);
  }
}

void job_run_settings(const void *job, long long *timeout_minutes, long long *max_retries) {
  const Job *j = job;
  *timeout_minutes = j->timeout;
  *max_retries = j->max_retries;
}

/* ---- references: "name" ---- */

static bool job_ref(Ctx *ctx, const void *item, const char *what, RefSpec *out) {
  const Job *j = item;
  if (strcmp(what, "name") != 0)
    return false;
  out->id = lid(ctx, j->key, "Job");
  out->literal = json_string(j->name);
  return true;
}

/* ---- lower ---- */

/* The script as an asset: its key names its content, so a changed script is
 * a new object and CloudFormation updates the job exactly then. */
static const IrAsset *script_asset(Ctx *ctx, Ir *ir, const Job *j) {
  lower_assets_bucket(ctx, ir);
  IrAsset *a = arena_alloc(&ctx->arena, sizeof *a);
  a->job = j->key;
  a->parameter = lid(ctx, j->key, "ScriptKey");
  a->zip = (const unsigned char *)j->source->text;
  a->zip_size = j->source->size;
  a->sha256 = package_sha256(ctx, a->zip, a->zip_size);
  a->file = arena_printf(&ctx->arena, "assets/%s-%.16s.py", j->key, a->sha256);
  ptrvec_push(&ctx->arena, &ir->assets, a);
  ir_parameter(ctx, ir, a->parameter,
               J("{s:s, s:s, s:i, s:s}", "Type", "String", "Description",
                 arena_printf(&ctx->arena, "S3 key of the script of Glue job '%s' (see "
                              "manifest.json)", j->key),
                 "MinLength", 1, "Default", a->file));
  return a;
}

static const char *temp_prefix(Ctx *ctx, const Job *j) {
  return arena_printf(&ctx->arena, "temporary/%s/", j->name);
}

/* The script, and the temporary directory Glue gives --TempDir. */
static void assets_statements(Ctx *ctx, const Job *j, const IrAsset *script, json_t *st) {
  json_array_append_new(st, iam_statement("ReadScript", J("[s]", "s3:GetObject"),
                                          cfn_subf("arn:${AWS::Partition}:s3:::${AssetsBucket}/"
                                                   "${%s}",
                                                   script->parameter)));
  const char *temp = temp_prefix(ctx, j);
  json_array_append_new(
      st, iam_wildcard(iam_statement("UseTempDir",
                                     J("[s,s,s]", "s3:GetObject", "s3:PutObject",
                                       "s3:DeleteObject"),
                                     cfn_subf("arn:${AWS::Partition}:s3:::${AssetsBucket}/%s*",
                                              temp)),
                       "Glue and Spark name the objects of a job's temporary directory at run "
                       "time; the statement covers only that directory."));
  json_t *list = iam_statement("ListTempDir", J("[s]", "s3:ListBucket"),
                               cfn_sub("arn:${AWS::Partition}:s3:::${AssetsBucket}"));
  json_object_set_new(list, "Condition",
                      J("{s:{s:[s]}}", "StringLike", "s3:prefix",
                        arena_printf(&ctx->arena, "%s*", temp)));
  json_array_append_new(st, list);
}

/* reads and writes, each location listed once. */
static void data_statements(Ctx *ctx, Ir *ir, const Job *j, json_t *st) {
  StrIndex listed = {0};
  for (int w = 0; w < 2; w++) {
    const StrList *texts = w ? &j->writes : &j->reads;
    for (size_t i = 0; i < texts->len; i++) {
      const Location *loc = w ? &j->write_at[i] : &j->read_at[i];
      const char *text = texts->items[i];
      /* Spark writes large files as multipart uploads; a failed one is aborted. */
      json_t *actions = w ? J("[s,s,s]", "s3:PutObject", "s3:DeleteObject",
                              "s3:AbortMultipartUpload")
                          : J("[s]", "s3:GetObject");
      json_array_append_new(st, iam_objects(ctx, ir, iam_sid(ctx, w ? "Write" : "Read", text),
                                            actions, loc));
      if (strindex_get(&listed, text))
        continue;
      strindex_put(ctx, &listed, text, (void *)text);
      json_array_append_new(st, iam_list_prefix(ctx, ir, iam_sid(ctx, "List", text), loc));
    }
  }
}

/* The catalog, the table's database and the table itself. */
static json_t *table_catalog_arns(const CatalogTable *t) {
  const char *glue = "arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}";
  return J("[o,o,o]", cfn_subf("%s:catalog", glue),
           cfn_subf("%s:database/%s", glue, t->db->name),
           cfn_subf("%s:table/%s/%s", glue, t->db->name, t->name));
}

/* read_tables and write_tables: the objects under each table's location
 * (Iceberg's data and metadata files both live there), and the table's
 * catalog entries, nothing else of the catalog. */
static void table_statements(Ctx *ctx, Ir *ir, const Job *j, json_t *st) {
  for (int w = 0; w < 2; w++) {
    const CatalogTable **tables = w ? j->writing : j->reading;
    size_t n = w ? j->write_tables.len : j->read_tables.len;
    for (size_t i = 0; i < n; i++) {
      const CatalogTable *t = tables[i];
      json_t *objects = w ? J("[s,s,s,s]", "s3:GetObject", "s3:PutObject", "s3:DeleteObject",
                              "s3:AbortMultipartUpload")
                          : J("[s]", "s3:GetObject");
      json_t *catalog = w ? J("[s,s,s,s,s,s,s,s,s,s,s]", "glue:GetDatabase", "glue:GetTable",
                              "glue:GetTables", "glue:GetPartition", "glue:GetPartitions",
                              "glue:UpdateTable", "glue:CreatePartition",
                              "glue:BatchCreatePartition", "glue:UpdatePartition",
                              "glue:DeletePartition", "glue:BatchDeletePartition")
                          : J("[s,s,s,s,s]", "glue:GetDatabase", "glue:GetTable",
                              "glue:GetTables", "glue:GetPartition", "glue:GetPartitions");
      const char *verb = w ? "WriteTable" : "ReadTable";
      json_array_append_new(st, iam_objects(ctx, ir, iam_sid(ctx, verb, t->key), objects,
                                            &t->where));
      json_array_append_new(st, iam_list_prefix(ctx, ir, iam_sid(ctx, "ListTable", t->key),
                                                &t->where));
      json_array_append_new(st, iam_statement(iam_sid(ctx, w ? "UpdateCatalogTable"
                                                             : "GetCatalogTable", t->key),
                                              catalog, table_catalog_arns(t)));
    }
  }
}

static void glue_statements(Ctx *ctx, Ir *ir, const Job *j, json_t *st) {
  for (size_t i = 0; i < j->databases.len; i++)
    json_array_append_new(
        st, iam_catalog_write(iam_sid(ctx, "Catalog", j->catalogs[i]->key),
                              construct_sub(ctx, ir, &construct_database, j->catalogs[i],
                                            "name")));
  json_array_append_new(
      st, iam_wildcard(iam_statement("WriteLogs",
                                     J("[s,s,s]", "logs:CreateLogGroup", "logs:CreateLogStream",
                                       "logs:PutLogEvents"),
                                     cfn_sub("arn:${AWS::Partition}:logs:${AWS::Region}:"
                                             "${AWS::AccountId}:log-group:/aws-glue/jobs/*")),
                       "Glue writes a job's logs to streams it names after each run in its "
                       "shared job log groups; the statement covers only those groups."));
  if (j->type == TYPE_PYTHONSHELL)
    return;
  json_t *metrics = iam_statement("PutMetrics", J("[s]", "cloudwatch:PutMetricData"),
                                  json_string("*"));
  json_object_set_new(metrics, "Condition",
                      J("{s:{s:s}}", "StringEquals", "cloudwatch:namespace", "Glue"));
  json_array_append_new(st, iam_wildcard(metrics, "CloudWatch has no resource-level "
                                                  "permissions for metric data; the condition "
                                                  "limits the statement to Glue's namespace."));
}

static const char *job_role(Ctx *ctx, Ir *ir, const Job *j, const IrAsset *script) {
  json_t *st = json_array();
  assets_statements(ctx, j, script, st);
  data_statements(ctx, ir, j, st);
  table_statements(ctx, ir, j, st);
  glue_statements(ctx, ir, j, st);
  return iam_role(ctx, ir, lid(ctx, j->key, "JobRole"), "glue.amazonaws.com", st);
}

/* The folder that holds the warehouse table's folder: where Iceberg puts a
 * table the job creates itself (s3://BUCKET/lake/ for lake/orders/). */
static const char *warehouse_url(Ctx *ctx, const CatalogTable *t) {
  const char *prefix = t->where.prefix;
  size_t n = strlen(prefix);
  if (n && prefix[n - 1] == '/')
    n--;
  while (n && prefix[n - 1] != '/')
    n--;
  return arena_printf(&ctx->arena, "s3://%s/%.*s", t->where.bucket->name, (int)n, prefix);
}

/* Glue takes one --conf: the Spark settings of the glue_catalog Iceberg
 * catalog are chained in its value (AWS Glue's "Using the Iceberg
 * framework"). */
static const char *iceberg_conf(Ctx *ctx, const CatalogTable *warehouse) {
  return arena_printf(
      &ctx->arena,
      "spark.sql.extensions=org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions"
      " --conf spark.sql.catalog.glue_catalog=org.apache.iceberg.spark.SparkCatalog"
      " --conf spark.sql.catalog.glue_catalog.warehouse=%s"
      " --conf spark.sql.catalog.glue_catalog.catalog-impl="
      "org.apache.iceberg.aws.glue.GlueCatalog"
      " --conf spark.sql.catalog.glue_catalog.io-impl=org.apache.iceberg.aws.s3.S3FileIO",
      warehouse_url(ctx, warehouse));
}

/* lakec's special parameters first, then the stage's, in their order, with
 * their references resolved. */
static json_t *default_arguments(Ctx *ctx, Ir *ir, const Model *m, const Job *j) {
  json_t *args = json_object();
  json_object_set_new(args, "--TempDir",
                      cfn_subf("s3://${AssetsBucket}/%s", temp_prefix(ctx, j)));
  if (j->type != TYPE_PYTHONSHELL) {
    json_object_set_new(args, "--job-language", json_string("python"));
    json_object_set_new(args, "--enable-metrics", json_string(""));
    json_object_set_new(args, "--enable-continuous-cloudwatch-log", json_string("true"));
  }
  if (j->type == TYPE_GLUEETL)
    json_object_set_new(args, "--job-bookmark-option",
                        json_string(j->bookmarks ? "job-bookmark-enable" : "job-bookmark-disable"));
  if (j->warehouse) {
    json_object_set_new(args, "--datalake-formats", json_string("iceberg"));
    json_object_set_new(args, "--conf", json_string(iceberg_conf(ctx, j->warehouse)));
  }
  for (size_t i = 0; i < j->args.len; i++)
    json_object_set_new(args, j->args.items[i].key,
                        refs_expand(ctx, ir, m, j->args.items[i].value));
  return args;
}

static const char *const NO_SECURITY_CONFIGURATION =
    "lakec gives Glue jobs no security configuration yet; ";

static void job_lower(Ctx *ctx, Ir *ir, const Model *m, const void *item) {
  const Job *j = item;
  if (!j->source)
    BUG("job '%s' is lowered without its script", j->key);
  const IrAsset *script = script_asset(ctx, ir, j);
  const char *role = job_role(ctx, ir, j, script);
  bool shell = j->type == TYPE_PYTHONSHELL;
  json_t *p = J("{s:s}", "Name", j->name);
  if (j->description)
    json_object_set_new(p, "Description", json_string(j->description));
  json_object_set_new(p, "Role", cfn_getatt(role, "Arn"));
  json_object_set_new(p, "Command",
                      J("{s:s, s:o, s:s}", "Name", JOB_TYPES[j->type], "ScriptLocation",
                        cfn_subf("s3://${AssetsBucket}/${%s}", script->parameter),
                        "PythonVersion", shell ? "3.9" : "3"));
  json_object_set_new(p, "GlueVersion", json_string(GLUE_VERSIONS[j->glue_version]));
  json_object_set_new(p, "DefaultArguments", default_arguments(ctx, ir, m, j));
  json_object_set_new(p, "ExecutionProperty",
                      J("{s:I}", "MaxConcurrentRuns", (json_int_t)j->max_concurrency));
  json_object_set_new(p, "MaxRetries", json_integer(j->max_retries));
  if (j->timeout)
    json_object_set_new(p, "Timeout", json_integer(j->timeout));
  if (shell) {
    json_object_set_new(p, "MaxCapacity", json_real(0.0625));
  } else {
    json_object_set_new(p, "WorkerType", json_string(WORKER_TYPES[j->worker_type]));
    json_object_set_new(p, "NumberOfWorkers", json_integer(j->workers));
  }
  IrResource *r = ir_add(ctx, ir, lid(ctx, j->key, "Job"), "AWS::Glue::Job", p);
  ir_suppress(r, "AwsSolutions-GL1",
              arena_printf(&ctx->arena,
                           "The job's logs go to Glue's shared job log groups unencrypted by a "
                           "key of the stage's: %sthey hold what the script prints.",
                           NO_SECURITY_CONFIGURATION),
              NULL);
  ir_suppress(r, "AwsSolutions-GL3",
              j->bookmarks ? arena_printf(&ctx->arena,
                                          "The job's bookmarks are not encrypted with a key of "
                                          "the stage's: %sthey hold the keys and times of the "
                                          "objects it processed, no rows.",
                                          NO_SECURITY_CONFIGURATION)
                           : "The job keeps no bookmarks ('bookmarks: false', or a job type "
                             "without them), so there are none to encrypt.",
              NULL);
}

/* ---- grants: run_job ---- */

static bool resolve_job(Ctx *ctx, const Model *m, Grant *g, Pos at) {
  g->target = construct_resolve(ctx, m, &construct_job, g->text, at);
  return g->target != NULL;
}

static void run_job_statements(Ctx *ctx, Ir *ir, const Model *m, const Grant *g, json_t *out) {
  (void)m;
  json_array_append_new(
      out, iam_statement(iam_sid(ctx, "RunJob", g->text),
                         J("[s,s,s,s]", "glue:StartJobRun", "glue:GetJobRun", "glue:GetJobRuns",
                           "glue:BatchStopJobRun"),
                         cfn_subf("arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:"
                                  "job/%s",
                                  construct_sub(ctx, ir, &construct_job, g->target, "name"))));
}

static void run_job_environment(Ctx *ctx, Ir *ir, const Model *m, const Grant *g, json_t *vars) {
  (void)m;
  const Job *j = g->target;
  json_object_set_new(vars, env_name(ctx, "LAKEC_JOB_", j->key, ""),
                      construct_ref(ctx, ir, &construct_job, j, "name"));
}

static const GrantVerb VERB_RUN_JOB = {"run_job", "JOB: start its runs, watch and stop them",
                                       resolve_job, run_job_statements, run_job_environment, NULL};
static const GrantVerb *const JOB_VERBS[] = {&VERB_RUN_JOB, NULL};

/* ---- names and tags ---- */

static void job_claims(Ctx *ctx, const Model *m, const void *item, PtrVec *claims) {
  (void)m;
  const Job *j = item;
  construct_claim(ctx, claims, "Glue job", j->name, j->node, "name", false);
}

static const TagRule JOB_TAGS[] = {{"AWS::Glue::Job", "Tags", TAGS_MAP},
                                   {"AWS::IAM::Role", "Tags", TAGS_LIST},
                                   {NULL, NULL, 0}};

const Construct construct_job = {
    .key = "jobs",
    .kind = "job",
    .doc = "Glue jobs running Python scripts of the project, by key",
    .shape = &SHAPE_JOB,
    .check = job_check,
    .lower = job_lower,
    .ref = job_ref,
    .verbs = JOB_VERBS,
    .claim_names = job_claims,
    .tags = JOB_TAGS,
    .codes = JOB_CODES,
};
