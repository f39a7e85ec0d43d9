/* function: a Lambda function on provided.al2023 (handler "bootstrap", the
 * custom runtime) with everything it needs around it: its own role holding
 * exactly its grants and its log stream rights, an explicit log group with
 * retention (referenced, so created first: Lambda never makes one without),
 * its schedule rule and its object-created rule, each with the invoke
 * permission EventBridge needs. S3 -> function goes through EventBridge,
 * which avoids the bucket <-> function cycle of direct notifications.
 *
 * Code comes from the handler's zip in the assets bucket: the template has a
 * parameter AssetsBucket and one S3-key parameter per handler program, which
 * the manifest beside the template lists.
 *
 * Grants are `- VERB: TARGET`, with the verbs other constructs offer; each
 * verb resolves its target, says its IAM statements and the environment
 * variables that tell the handler the target's name. */
#include "check_util.h"
#include "construct.h"
#include "handler_env.h"
#include "package.h"
#include "refs.h"
#include "extends.h"
#include "lower/lower_internal.h"
#include "network.h"
#include "suggest.h"
#include "zipfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

extern const Construct construct_function, construct_bucket;

static const Field SCHEDULE_FIELDS[] = {
    {"expression", F_STR, offsetof(Schedule, expression), .required = true,
     .doc = "rate(N unit) or cron(min hour day-of-month month day-of-week year)"},
    {"enabled", F_BOOL, offsetof(Schedule, enabled), .def = "true",
     .doc = "false keeps the rule but stops it firing (run by hand)"},
};
static const Shape SHAPE_SCHEDULE = SHAPE(Schedule, "schedule", SCHEDULE_FIELDS,
                                          .key_offset = NO_KEY, .shorthand = "expression");

static const Field TRIGGER_FIELDS[] = {
    {"bucket", F_STR, offsetof(ObjectTrigger, bucket), .required = true,
     .doc = "the bucket (a key of `buckets`) whose new objects invoke the function"},
    {"prefix", F_STR, offsetof(ObjectTrigger, prefix), .def = "", .doc = "only keys under this prefix"},
    {"suffix", F_STR, offsetof(ObjectTrigger, suffix), .def = "", .doc = "only keys ending so"},
};
static const Shape SHAPE_TRIGGER =
    SHAPE(ObjectTrigger, "object-created trigger", TRIGGER_FIELDS, .key_offset = NO_KEY);

static const char *const SUBNET_TIERS[] = {"private", "public", NULL};
static const Field PLACEMENT_FIELDS[] = {
    {"vpc", F_STR, offsetof(VpcPlacement, vpc), .required = true,
     .doc = "the VPC (a key of `vpcs`) the function runs in"},
    {"subnets", F_ENUM, offsetof(VpcPlacement, subnets), .values = SUBNET_TIERS,
     .def = "private", .doc = "the subnets it runs in, one per zone: private or public"},
    {"security_groups", F_STRLIST, offsetof(VpcPlacement, security_groups), .required = true,
     .doc = "its security groups (keys of `security_groups`, of that VPC)"},
};
static const Shape SHAPE_PLACEMENT =
    SHAPE(VpcPlacement, "vpc placement", PLACEMENT_FIELDS, .key_offset = NO_KEY);

static const Field FUNCTION_FIELDS[] = {
    {"name", F_STR, offsetof(Function, name), .def = "PROJECT-STAGE-KEY", .computed = true,
     .doc = "the Lambda function name"},
    {"handler", F_STR, offsetof(Function, handler), .def = "KEY", .computed = true,
     .doc = "the handler program the function runs (its bootstrap); with `code:`, Lambda's "
            "handler for the runtime (python `file.function`, node `file.export`, ...)"},
    {"code", F_STR, offsetof(Function, code),
     .doc = "the function's own code instead of a lakec program: a directory or a .zip under "
            "the project root, relative to the file that names it"},
    {"runtime", F_STR, offsetof(Function, runtime), .def = "provided.al2023", .computed = true,
     .doc = "the Lambda runtime (python3.13, nodejs22.x, java21, ...); another than "
            "provided.al2023 needs `code:`"},
    {"description", F_STR, offsetof(Function, description), .doc = "free text"},
    {"memory", F_INT, offsetof(Function, memory), .def = "256", .min = 128, .max = 10240,
     .doc = "memory in MB"},
    {"timeout", F_INT, offsetof(Function, timeout), .def = "3", .min = 1, .max = 900,
     .doc = "timeout in seconds"},
    {"architecture", F_ENUM, offsetof(Function, architecture), .values = ENUM_ARCH,
     .def = "the build host's", .computed = true, .doc = "CPU architecture of the handler binary"},
    {"log_retention", F_INT, offsetof(Function, log_retention), .def = "30", .min = 1,
     .max = 3653, .doc = "days the log group keeps logs (a CloudWatch retention value)"},
    {"tracing", F_BOOL, offsetof(Function, tracing), .def = "production", .computed = true,
     .doc = "X-Ray active tracing of every invocation"},
    {"environment", F_STRMAP, offsetof(Function, environment),
     .doc = "environment variables (NAME: value)"},
    {"schedule", F_STRUCT, offsetof(Function, schedule), .shape = &SHAPE_SCHEDULE,
     .doc = "run on a schedule (EventBridge rule)"},
    {"on_object_created", F_STRUCT, offsetof(Function, on_object_created),
     .shape = &SHAPE_TRIGGER, .doc = "run when an object is created (EventBridge rule)"},
    {"grants", F_LIST_OF, offsetof(Function, grants), .shape = &schema_grant,
     .doc = "what the function's role may do; nothing else is allowed"},
    {"vpc", F_STRUCT, offsetof(Function, vpc), .shape = &SHAPE_PLACEMENT,
     .doc = "run inside a VPC: its subnets of one tier and security groups"},
    ITEM_FIELDS(Function),
};
static const Shape SHAPE_FUNCTION =
    SHAPE(Function, "function", FUNCTION_FIELDS, .key_offset = offsetof(Function, key));

/* ---- the function's own code (`code:`, `runtime:`) ---- */

#define LK_CODE_REFUSED "LK380"
#define LK_CODE_UNREADABLE "LK381"
#define LK_RUNTIME_UNKNOWN "LK382"
#define LK_RUNTIME_DEPRECATED "LK383"
#define LK_CODE_HANDLER "LK384"
#define LK_CODE_CONFLICT "LK385"
#define STAGE_HEAD "lakec: 1\nproject: cats\nstage: dev\n"

static const DiagCode FUNCTION_CODES[] = {
    {LK_CODE_REFUSED, "function code refused",
     "A function's `code:` is a directory (zipped by lakec) or a .zip file (taken as\n"
     "is) under the project root, relative to the stage file that names it. A path\n"
     "outside the root, or a file that is neither, is refused.",
     STAGE_HEAD "functions:\n  hello: {code: hello.py, runtime: python3.13, handler: hello.main}\n",
     STAGE_HEAD "functions:\n  hello: {code: src/hello, runtime: python3.13, handler: hello.main}\n"},
    {LK_CODE_UNREADABLE, "function code cannot be read",
     "The directory or .zip a function's `code:` names does not exist (relative to\n"
     "the stage file that names it), or cannot be read.",
     STAGE_HEAD "functions:\n  hello: {code: src/helo, runtime: python3.13, handler: hello.main}\n",
     STAGE_HEAD "functions:\n  hello: {code: src/hello, runtime: python3.13, handler: hello.main}\n"},
    {LK_RUNTIME_UNKNOWN, "unknown Lambda runtime",
     "`runtime:` is one of Lambda's runtime identifiers for zip packages (README:\n"
     "\"functions\"); lakec knows which ones Lambda still accepts.",
     STAGE_HEAD "functions:\n  hello: {code: src/hello, runtime: python3.31, handler: hello.main}\n",
     STAGE_HEAD "functions:\n  hello: {code: src/hello, runtime: python3.13, handler: hello.main}\n"},
    {LK_RUNTIME_DEPRECATED, "deprecated Lambda runtime",
     "Lambda has deprecated this runtime: it gets no more security patches, and after\n"
     "a while Lambda refuses to create or update functions on it. Move to the newest\n"
     "version of the language.",
     STAGE_HEAD "functions:\n  hello: {code: src/hello, runtime: python3.9, handler: hello.main}\n",
     STAGE_HEAD "functions:\n  hello: {code: src/hello, runtime: python3.13, handler: hello.main}\n"},
    {LK_CODE_HANDLER, "handler not found in the function's code",
     "With `code:`, `handler:` is what the runtime calls: for python `MODULE.FUNCTION`\n"
     "(app.main: app.py or app/__init__.py in the code), for node `FILE.EXPORT`\n"
     "(index.handler: index.js, index.mjs or index.cjs). lakec looks for that file in\n"
     "the directory or the .zip; other runtimes need `handler:` set.",
     STAGE_HEAD "functions:\n  hello: {code: src/hello, runtime: python3.13, handler: hello}\n",
     STAGE_HEAD "functions:\n  hello: {code: src/hello, runtime: python3.13, handler: hello.main}\n"},
    {LK_CODE_CONFLICT, "function code and lakec program mixed",
     "A function runs either one of lakec's handler programs (`handler: ingest`,\n"
     "custom runtime, no `code:`) or its own code (`code:` with a runtime and its\n"
     "handler). A runtime other than provided.al2023 needs `code:`, and `code:` with\n"
     "the name of a lakec program as its handler is one or the other.",
     STAGE_HEAD "functions:\n  ingest: {runtime: python3.13}\n",
     STAGE_HEAD "functions:\n  ingest: {code: src/ingest, runtime: python3.13, handler: app.main}\n"},
    {NULL, NULL, NULL, NULL, NULL},
};

/* Lambda's runtimes for zip packages. A deprecated one still deploys (a
 * warning); one Lambda no longer takes at all is unknown. */
typedef enum { LANG_PYTHON, LANG_NODE, LANG_JAVA, LANG_DOTNET, LANG_RUBY, LANG_PROVIDED } Lang;
static const struct {
  const char *id;
  Lang lang;
  const char *deprecated; /* since when, or NULL */
} RUNTIMES[] = {
    {"python3.14", LANG_PYTHON, NULL},       {"python3.13", LANG_PYTHON, NULL},
    {"python3.12", LANG_PYTHON, NULL},       {"python3.11", LANG_PYTHON, NULL},
    {"python3.10", LANG_PYTHON, NULL},       {"python3.9", LANG_PYTHON, "2025-12-15"},
    {"nodejs24.x", LANG_NODE, NULL},         {"nodejs22.x", LANG_NODE, NULL},
    {"nodejs20.x", LANG_NODE, "2026-04-30"}, {"nodejs18.x", LANG_NODE, "2025-09-01"},
    {"java25", LANG_JAVA, NULL},             {"java21", LANG_JAVA, NULL},
    {"java17", LANG_JAVA, NULL},             {"java11", LANG_JAVA, NULL},
    {"java8.al2", LANG_JAVA, NULL},          {"dotnet10", LANG_DOTNET, NULL},
    {"dotnet8", LANG_DOTNET, NULL},          {"ruby3.4", LANG_RUBY, NULL},
    {"ruby3.3", LANG_RUBY, NULL},            {"ruby3.2", LANG_RUBY, "2026-03-31"},
    {"provided.al2023", LANG_PROVIDED, NULL}, {"provided.al2", LANG_PROVIDED, NULL},
};
enum { RUNTIME_COUNT = sizeof RUNTIMES / sizeof *RUNTIMES };

static int runtime_index(const char *id) {
  for (int i = 0; i < RUNTIME_COUNT; i++)
    if (!strcmp(RUNTIMES[i].id, id))
      return i;
  return -1;
}

bool function_custom_runtime(const Function *f) {
  int i = runtime_index(f->runtime ? f->runtime : "provided.al2023");
  return i < 0 || RUNTIMES[i].lang == LANG_PROVIDED;
}

static bool check_runtime(Ctx *ctx, const Function *f) {
  Pos at = check_pos(f->node, "runtime");
  int i = runtime_index(f->runtime);
  if (i < 0) {
    const char *ids[RUNTIME_COUNT];
    for (int k = 0; k < RUNTIME_COUNT; k++)
      ids[k] = RUNTIMES[k].id;
    const char *near = suggest_closest(f->runtime, ids, RUNTIME_COUNT);
    Diag *d = diag_error(ctx, at, LK_RUNTIME_UNKNOWN, "unknown Lambda runtime '%s'%s%s%s",
                         f->runtime, near ? "; did you mean '" : "", near ? near : "",
                         near ? "'?" : "");
    diag_note(ctx, d, (Pos){0}, "lakec knows python3.10 to python3.14, nodejs22.x, nodejs24.x, "
              "java11/17/21/25, java8.al2, dotnet8, dotnet10, ruby3.3, ruby3.4, "
              "provided.al2023 and provided.al2 (and the deprecated ones still deployable)");
    return false;
  }
  if (RUNTIMES[i].deprecated)
    diag_warning(ctx, at, LK_RUNTIME_DEPRECATED,
                 "Lambda deprecated runtime '%s' on %s: it gets no more security patches",
                 f->runtime, RUNTIMES[i].deprecated);
  return true;
}

/* `code:` resolved like a job's script: relative to the file that names it,
 * under the project root; then a directory, or a file named .zip. */
static bool resolve_code(Ctx *ctx, Function *f) {
  const Node *v = node_get(f->node, "code");
  if (!v || v->unresolved || !v->pos.file)
    return false;
  const SourceFile *from = v->pos.file, *top = from;
  while (top->included_from.file)
    top = top->included_from.file;
  ProjectRoot root = extends_project_root(ctx, top->path);
  const char *why, *path;
  f->code_shown = extends_shown_path(ctx, from->path, f->code);
  ProjectFile r = extends_project_path(ctx, &root, extends_base_dir(ctx, from->path), f->code,
                                       &path, &why);
  struct stat st;
  if (r == PROJECT_FILE_OK && stat(path, &st) != 0) {
    r = PROJECT_FILE_UNREADABLE;
    why = strerror(errno);
  }
  size_t n = path ? strlen(path) : 0;
  if (r == PROJECT_FILE_OK && !S_ISDIR(st.st_mode) &&
      !(S_ISREG(st.st_mode) && n > 4 && !strcmp(path + n - 4, ".zip"))) {
    r = PROJECT_FILE_REFUSED;
    why = "is neither a directory nor a .zip file";
  }
  if (r == PROJECT_FILE_UNREADABLE) {
    diag_error(ctx, v->pos, LK_CODE_UNREADABLE, "cannot read code '%s': %s", f->code_shown, why);
    return false;
  }
  if (r == PROJECT_FILE_REFUSED) {
    Diag *d = diag_error(ctx, v->pos, LK_CODE_REFUSED, "code '%s' %s", f->code_shown, why);
    diag_note(ctx, d, (Pos){0},
              "a function's code is a directory or a .zip under the project root, %s; --root "
              "DIR sets another root",
              root.how ? root.how : "the stage file's own directory");
    return false;
  }
  f->code_path = path;
  f->code_is_zip = !S_ISDIR(st.st_mode);
  return true;
}

/* The files that would hold the handler: python's module (dots are
 * folders), node's file up to the first dot of its last component. */
static size_t handler_files(Ctx *ctx, Lang lang, const char *handler, const char *out[4]) {
  const char *dot = strrchr(handler, '.');
  if (lang == LANG_NODE) {
    const char *slash = strrchr(handler, '/');
    dot = strchr(slash ? slash : handler, '.');
  }
  if (!dot || dot == handler || !dot[1])
    return 0;
  char *module = arena_strndup(&ctx->arena, handler, (size_t)(dot - handler));
  if (lang == LANG_PYTHON) {
    for (char *c = module; *c; c++)
      *c = *c == '.' ? '/' : *c;
    out[0] = arena_printf(&ctx->arena, "%s.py", module);
    out[1] = arena_printf(&ctx->arena, "%s/__init__.py", module);
    return 2;
  }
  out[0] = arena_printf(&ctx->arena, "%s.js", module);
  out[1] = arena_printf(&ctx->arena, "%s.mjs", module);
  out[2] = arena_printf(&ctx->arena, "%s.cjs", module);
  return 3;
}

typedef struct EntrySearch {
  const char *const *wanted;
  size_t count;
  bool found;
} EntrySearch;

static void match_entry(const char *name, size_t len, void *arg) {
  EntrySearch *s = arg;
  for (size_t i = 0; i < s->count; i++)
    if (strlen(s->wanted[i]) == len && !memcmp(s->wanted[i], name, len))
      s->found = true;
}

static unsigned char *read_file(const char *path, size_t *size) {
  FILE *fp = fopen(path, "rb");
  unsigned char *data = NULL;
  struct stat st;
  if (fp && fstat(fileno(fp), &st) == 0 && (data = malloc((size_t)st.st_size + 1)) &&
      fread(data, 1, (size_t)st.st_size, fp) != (size_t)st.st_size) {
    free(data);
    data = NULL;
  }
  *size = data ? (size_t)st.st_size : 0;
  if (fp)
    fclose(fp);
  return data;
}

/* Whether the code holds one of the files; false with *why for a zip that
 * cannot be read. */
static bool code_holds(const Function *f, const char *const *files, size_t count,
                       const char **why) {
  EntrySearch s = {files, count, false};
  *why = NULL;
  if (!f->code_is_zip) {
    char path[4096];
    struct stat st;
    for (size_t i = 0; i < count && !s.found; i++)
      s.found = snprintf(path, sizeof path, "%s/%s", f->code_path, files[i]) < (int)sizeof path &&
                stat(path, &st) == 0 && S_ISREG(st.st_mode);
    return s.found;
  }
  size_t size;
  unsigned char *zip = read_file(f->code_path, &size);
  *why = zip ? zip_entries(zip, size, match_entry, &s) : strerror(errno);
  free(zip);
  return s.found;
}

static void check_code_handler(Ctx *ctx, const Function *f, Lang lang) {
  Pos at = check_pos(f->node, node_get(f->node, "handler") ? "handler" : "code");
  const char *files[4] = {NULL, NULL, NULL, NULL}, *why;
  size_t count = lang == LANG_PYTHON || lang == LANG_NODE
                     ? handler_files(ctx, lang, f->handler, files)
                     : 0;
  if ((lang == LANG_PYTHON || lang == LANG_NODE) && !count) {
    diag_error(ctx, at, LK_CODE_HANDLER, "handler '%s' is not %s", f->handler,
               lang == LANG_PYTHON ? "MODULE.FUNCTION (app.main)" : "FILE.EXPORT (index.handler)");
    return;
  }
  bool found = code_holds(f, files, count, &why);
  if (why) {
    diag_error(ctx, check_pos(f->node, "code"), LK_CODE_REFUSED, "code '%s' %s", f->code_shown,
               why);
    return;
  }
  if (count && !found)
    diag_error(ctx, at, LK_CODE_HANDLER, "handler '%s' needs %s%s%s in code '%s'; it is not there",
               f->handler, files[0], lang == LANG_PYTHON ? " or " : ", ",
               lang == LANG_PYTHON ? files[1] : arena_printf(&ctx->arena, "%s or %s", files[1], files[2]),
               f->code_shown);
}

/* runtime, code and handler together; true if the function runs its own code. */
static void check_code(Ctx *ctx, Function *f) {
  bool named_runtime = f->runtime != NULL;
  if (!f->runtime)
    f->runtime = "provided.al2023";
  if (named_runtime && !check_runtime(ctx, f))
    return;
  Lang lang = RUNTIMES[runtime_index(f->runtime)].lang;
  if (!f->code) {
    if (lang != LANG_PROVIDED || strcmp(f->runtime, "provided.al2023"))
      diag_error(ctx, check_pos(f->node, "runtime"), LK_CODE_CONFLICT,
                 "runtime '%s' runs the function's own code: give it 'code:' (lakec's handler "
                 "programs run on provided.al2023)",
                 f->runtime);
    return;
  }
  if (f->handler && handler_env_reads(f->handler)) {
    Diag *d = diag_error(ctx, check_pos(f->node, "handler"), LK_CODE_CONFLICT,
                         "handler '%s' is one of lakec's programs, but the function has its own "
                         "'code:'",
                         f->handler);
    diag_note(ctx, d, check_pos(f->node, "code"), "the code is named here");
    return;
  }
  if (!f->handler && lang != LANG_PROVIDED) {
    diag_error(ctx, check_pos(f->node, "code"), LK_CODE_HANDLER,
               "function '%s' runs its own code on %s: say what to call with 'handler:'", f->key,
               f->runtime);
    return;
  }
  if (!f->handler)
    f->handler = "bootstrap"; /* the custom runtime runs bootstrap whatever it says */
  if (resolve_code(ctx, f))
    check_code_handler(ctx, f, lang);
}

/* ---- check ---- */

static void no_visit(Ctx *ctx, void *arg, const Construct *c, const void *item, const char *attr,
                     Pos at) {
  (void)ctx, (void)arg, (void)c, (void)item, (void)attr, (void)at;
}

static void check_environment(Ctx *ctx, const Model *m, const Function *f) {
  size_t total = 0;
  for (size_t i = 0; i < f->environment.len; i++) {
    const StrPair *e = &f->environment.items[i];
    refs_check(ctx, m, e->value_node, no_visit, NULL); /* ${KEY.ITEM.ATTR} values */
    const char *why = awsname_env_var(e->key);
    if (!why && !strncmp(e->key, "LAKEC_", 6))
      why = "names starting with 'LAKEC_' are set by lakec (see the README)";
    if (why)
      diag_error(ctx, e->key_node->pos, LK_ENV_NAME, "environment variable '%s' is invalid: %s",
                 e->key, why);
    const char *refused = handler_env_refuses(f->handler, e->key, e->value);
    if (refused)
      diag_error(ctx, e->value_node->pos, LK_OUT_OF_RANGE,
                 "'%s' cannot be %s for handler '%s': %s", e->key,
                 *e->value ? "this value" : "empty", f->handler, refused);
    total += strlen(e->key) + strlen(e->value);
  }
  if (total > 4096)
    diag_error(ctx, check_pos(f->node, "environment"), LK_OUT_OF_RANGE,
               "environment of function '%s' is %zu bytes; Lambda allows 4 KB", f->key, total);
}

static bool is_verb(const Grant *g, const char *verb) {
  return g->verb && !strcmp(g->verb->verb, verb);
}

static void check_duplicate_grants(Ctx *ctx, const Function *f) {
  for (size_t i = 0; i < f->grants.len; i++)
    for (size_t j = 0; j < i; j++) {
      const Grant *a = &f->grants.items[j], *b = &f->grants.items[i];
      if (!a->verb || a->verb != b->verb || !a->text || !b->text || strcmp(a->text, b->text))
        continue;
      Diag *d = diag_error(ctx, b->node->pos, LK_DUPLICATE, "function '%s' has this grant twice",
                           f->key);
      diag_note(ctx, d, a->node->pos, "the first one is here");
    }
}

/* A program that writes where one grant says (handler_env_sole_grant)
 * cannot choose between two, and has nowhere to write without one. */
static void check_sole_grant(Ctx *ctx, const Function *f) {
  const char *target;
  const char *verb = handler_env_sole_grant_target(f->handler, &target);
  if (!verb)
    return;
  const Grant *first = NULL;
  bool unresolved = false; /* one is written, and its target was reported */
  for (size_t i = 0; i < f->grants.len; i++) {
    const Grant *g = &f->grants.items[i];
    unresolved |= !g->verb && g->node && g->node->kind == NODE_MAP && node_get(g->node, verb);
    if (!is_verb(g, verb))
      continue;
    if (first) {
      Diag *d = diag_error(ctx, g->node->pos, LK_CONFLICT,
                           "function '%s' runs handler '%s', which works on the target of its "
                           "one '%s' grant: it cannot have two",
                           f->key, f->handler, verb);
      diag_note(ctx, d, first->node->pos, "the first one is here");
      continue;
    }
    first = g;
    size_t n = g->where.bucket ? strlen(g->where.prefix) : 0;
    if (n && g->where.prefix[n - 1] != '/')
      diag_error(ctx, g->node->pos, LK_LOCATION,
                 "handler '%s' writes under the prefix of this grant, then '<source>/...': the "
                 "prefix '%s' must end in '/'",
                 f->handler, g->where.prefix);
  }
  if (first || unresolved)
    return;
  diag_error(ctx, check_pos(f->node, f->grants.len ? "grants" : "handler"), LK_UNDEFINED_REF,
             "function '%s' runs handler '%s', which works on the target of its one '%s' "
             "grant: grant it '%s: %s'",
             f->key, f->handler, verb, verb, target);
}

/* The verb is the grant's one key; decode reported a grant without one. */
void check_grant(Ctx *ctx, const Model *m, Grant *g) {
  if (g->verb || (!g->text && !g->iam.node) || !g->node || g->node->kind != NODE_MAP ||
      !g->node->count)
    return;
  const Node *key = NULL;
  for (size_t i = 0; i < g->node->count && !key; i++)
    if (construct_verb(g->node->pairs[i].key->str, NULL))
      key = g->node->pairs[i].key;
  if (!key)
    return;
  g->verb = construct_grant_verb(ctx, m, g, key->str, node_get(g->node, key->str)->pos);
}

void check_object_trigger(Ctx *ctx, const Model *m, ObjectTrigger *t) {
  if (!t->node || !t->bucket)
    return;
  Bucket *b = (Bucket *)construct_find(m, &construct_bucket, t->bucket);
  t->source = construct_resolve(ctx, m, &construct_bucket, t->bucket, check_pos(t->node, "bucket"));
  check_prefix(ctx, t->prefix, check_pos(t->node, "prefix"));
  if (b)
    bucket_send_events(b);
}

void function_add_grant(Ctx *ctx, Function *f, const Grant *g) {
  Grant *items = arena_alloc(&ctx->arena, (f->grants.len + 1) * sizeof *items);
  if (f->grants.len)
    memcpy(items, f->grants.items, f->grants.len * sizeof *items);
  items[f->grants.len] = *g;
  f->grants.items = items;
  f->grants.len++;
}

/* The first value set for a name stays (two APIs serving one function). */
void function_add_env(Ctx *ctx, Function *f, const char *name, const char *value) {
  for (size_t i = 0; i < f->extra_env.len; i++)
    if (!strcmp(f->extra_env.items[i].key, name))
      return;
  StrPair *items = arena_alloc(&ctx->arena, (f->extra_env.len + 1) * sizeof *items);
  if (f->extra_env.len)
    memcpy(items, f->extra_env.items, f->extra_env.len * sizeof *items);
  items[f->extra_env.len] = (StrPair){name, value, NULL, NULL};
  f->extra_env.items = items;
  f->extra_env.len++;
}

static void check_function(Ctx *ctx, Model *m, Function *f) {
  if (!f->name)
    f->name = check_default_name(ctx, m, f->key);
  check_code(ctx, f);
  if (!f->handler)
    f->handler = f->key;
  if (f->tracing == TRI_UNSET)
    f->tracing = m->production;
  if (f->architecture == TRI_UNSET)
    f->architecture = !strcmp(ctx->host_arch, "arm64") ? ARCH_ARM64 : ARCH_X86_64;
  check_name(ctx, f->node, "name", f->name, awsname_lambda_function, LK_LAMBDA_NAME,
             "function name");
  if (!f->code)
    check_name(ctx, f->node, "handler", f->handler, awsname_construct_key, LK_NAME,
               "handler name");
  check_log_retention(ctx, f->node, f->log_retention);
  check_environment(ctx, m, f);
  check_schedule(ctx, f->schedule.node, "expression", f->schedule.expression, false, NULL);
  check_schedule_on_in_production(ctx, m, f->schedule.node, f->schedule.enabled != 0, "function",
                                  f->key);
  check_object_trigger(ctx, m, &f->on_object_created);
  for (size_t i = 0; i < f->grants.len; i++)
    check_grant(ctx, m, &f->grants.items[i]);
  check_duplicate_grants(ctx, f);
  check_sole_grant(ctx, f);
  vpc_check_function(ctx, m, f);
}

/* Two key prefixes overlap when one starts with the other ("" covers all). */
static bool prefixes_overlap(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  return !strncmp(a, b, la < lb ? la : lb);
}

static bool suffixes_overlap(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  const char *longer = la > lb ? a : b, *shorter = la > lb ? b : a;
  size_t ll = la > lb ? la : lb, ls = la > lb ? lb : la;
  return !strcmp(longer + ll - ls, shorter);
}

/* A function that writes where its own trigger fires would run forever. */
static void check_trigger_loop(Ctx *ctx, const Function *f) {
  const ObjectTrigger *t = &f->on_object_created;
  if (!t->source)
    return;
  for (size_t i = 0; i < f->grants.len; i++) {
    const Grant *g = &f->grants.items[i];
    if (!is_verb(g, "write") || g->where.bucket != t->source ||
        !prefixes_overlap(g->where.prefix, t->prefix))
      continue;
    Diag *d = diag_error(ctx, g->node->pos, LK_TRIGGER_LOOP,
                         "function '%s' may write under '%s/%s', where its own trigger fires: "
                         "each object it writes would invoke it again",
                         f->key, t->bucket, g->where.prefix);
    diag_note(ctx, d, t->node->pos, "the trigger is here");
  }
}

static void check_trigger_overlap(Ctx *ctx, const Function *a, const Function *b) {
  const ObjectTrigger *x = &a->on_object_created, *y = &b->on_object_created;
  if (!x->source || x->source != y->source || !prefixes_overlap(x->prefix, y->prefix) ||
      !suffixes_overlap(x->suffix, y->suffix))
    return;
  Diag *d = diag_warning(ctx, y->node->pos, LK_TRIGGER_OVERLAP,
                         "an object created in bucket '%s' may invoke both '%s' and '%s'",
                         y->bucket, a->key, b->key);
  diag_note(ctx, d, x->node->pos, "the trigger of '%s' is here", a->key);
}

static void function_check(Ctx *ctx, Model *m, const Construct *self) {
  StrIndex names = {0};
  size_t n = construct_count(m, self);
  for (size_t i = 0; i < n; i++) {
    Function *f = construct_item_mut(m, self, i);
    check_function(ctx, m, f);
    check_trigger_loop(ctx, f);
    for (size_t j = 0; j < i; j++)
      check_trigger_overlap(ctx, construct_item(m, self, j), f);
    check_unique_name(ctx, &names, self, (const Item *)f, f->name);
  }
}

/* ---- lower ---- */

/* One asset per handler program, and one per piece of own code (by its
 * canonical path, named after the first function that runs it). */
static IrAsset *asset_for(Ctx *ctx, Ir *ir, const Function *f) {
  const char *index = function_asset_index(ctx, f);
  IrAsset *known = strindex_get(&ir->assets_by_handler, index);
  if (known) {
    ptrvec_push(&ctx->arena, &known->functions, (void *)f->key);
    return known;
  }
  lower_assets_bucket(ctx, ir);
  IrAsset *a = arena_alloc(&ctx->arena, sizeof *a);
  a->handler = f->code ? NULL : f->handler;
  a->code = f->code ? f->code_shown : NULL;
  a->runtime = f->code ? f->runtime : NULL;
  a->parameter = lid(ctx, f->code ? f->key : f->handler, "CodeKey");
  ptrvec_push(&ctx->arena, &a->functions, (void *)f->key);
  ptrvec_push(&ctx->arena, &ir->assets, a);
  strindex_put(ctx, &ir->assets_by_handler, index, a);
  const char *what = f->code ? arena_printf(&ctx->arena, "the code of function '%s'", f->key)
                             : arena_printf(&ctx->arena, "handler '%s'", f->handler);
  ir_parameter(ctx, ir, a->parameter,
               J("{s:s, s:s, s:i}", "Type", "String", "Description",
                 arena_printf(&ctx->arena, "S3 key of the zip of %s (see manifest.json)", what),
                 "MinLength", 1));
  return a;
}

/* The key of a function's asset in Ir.assets_by_handler: a program's name,
 * or "code:", the runtime and the code's path (no program name holds a ':';
 * one directory is checked, and zipped, per runtime). */
const char *function_asset_index(Ctx *ctx, const Function *f) {
  return f->code ? arena_printf(&ctx->arena, "code:%s:%s", f->runtime, f->code_path) : f->handler;
}

/* LAKEC_WRITE_BUCKET and LAKEC_WRITE_PREFIX from the one `write` grant of
 * a program that writes there (check_sole_grant made sure there is one). */
static void sole_grant_environment(Ctx *ctx, Ir *ir, const Function *f, json_t *vars) {
  const char *verb = handler_env_sole_grant(f->handler);
  for (size_t i = 0; verb && i < f->grants.len; i++) {
    const Grant *g = &f->grants.items[i];
    if (!is_verb(g, verb) || !g->where.bucket)
      continue;
    char upper[32];
    size_t n = 0;
    for (; verb[n] && n < sizeof upper - 1; n++)
      upper[n] = (char)(verb[n] >= 'a' && verb[n] <= 'z' ? verb[n] - 32 : verb[n]);
    upper[n] = '\0';
    json_object_set_new(vars, arena_printf(&ctx->arena, "LAKEC_%s_BUCKET", upper),
                        construct_ref(ctx, ir, &construct_bucket, g->where.bucket, "name"));
    json_object_set_new(vars, arena_printf(&ctx->arena, "LAKEC_%s_PREFIX", upper),
                        json_string(g->where.prefix));
    return;
  }
}

/* What lakec tells the handler about the resources it was granted (names
 * are only known after deployment). */
static json_t *lakec_environment(Ctx *ctx, Ir *ir, const Model *m, const Function *f) {
  json_t *vars = json_object();
  json_object_set_new(vars, "LAKEC_PROJECT", json_string(m->project));
  json_object_set_new(vars, "LAKEC_STAGE", json_string(m->stage));
  bucket_environment(ctx, ir, f->on_object_created.source, vars);
  for (size_t i = 0; i < f->grants.len; i++) {
    const Grant *g = &f->grants.items[i];
    g->verb->environment(ctx, ir, m, g, vars);
  }
  for (size_t i = 0; i < f->extra_env.len; i++)
    json_object_set_new(vars, f->extra_env.items[i].key, json_string(f->extra_env.items[i].value));
  sole_grant_environment(ctx, ir, f, vars);
  return vars;
}

/* A stage value that makes the handler look up a variable no grant sets
 * (planner's endpoint without a `send` grant on its queue) fails at run
 * time: said here, at the value. */
typedef struct LookupCheck {
  Ctx *ctx;
  const Function *f;
  const StrPair *setting;
  json_t *vars;
} LookupCheck;

static void check_lookup(void *user, const char *item, size_t offset, const char *variable) {
  LookupCheck *c = user;
  if (json_object_get(c->vars, variable))
    return;
  const Node *v = c->setting->value_node;
  Pos at = v->pos;
  /* point at the item inside a one-line value written as it is (not one a
   * ${var...} made, whose text is elsewhere) */
  if (at.len && at.len == strlen(c->setting->value) + (v->quoted ? 2u : 0u)) {
    at.col += (unsigned)offset + (v->quoted ? 1u : 0u);
    at.len = (unsigned)strlen(item);
  }
  diag_error(c->ctx, at, LK_UNDEFINED_REF,
             "'%s' in %s asks handler '%s' for %s, which no grant sets: grant function '%s' "
             "'send: %s'",
             item, c->setting->key, c->f->handler, variable, c->f->key, item);
}

static void check_lookups(Ctx *ctx, const Function *f, json_t *vars) {
  for (size_t i = 0; i < f->environment.len; i++) {
    LookupCheck c = {ctx, f, &f->environment.items[i], vars};
    handler_env_lookups(f->handler, c.setting->key, c.setting->value, check_lookup, &c);
  }
}

/* The stage's environment whole, then those of lakec's variables the
 * handler program reads (all of them for a program lakec does not know). */
static json_t *function_environment(Ctx *ctx, Ir *ir, const Model *m, const Function *f) {
  json_t *vars = json_object();
  for (size_t i = 0; i < f->environment.len; i++)
    json_object_set_new(vars, f->environment.items[i].key,
                        refs_expand(ctx, ir, m, f->environment.items[i].value));
  json_t *lakec = lakec_environment(ctx, ir, m, f);
  const char *name;
  json_t *value;
  json_object_foreach(lakec, name, value) {
    if (handler_env_wanted(f->handler, name))
      json_object_set(vars, name, value);
  }
  json_decref(lakec);
  check_lookups(ctx, f, vars);
  return vars;
}

static const char *const XRAY_ANY_RESOURCE =
    "X-Ray has no resource-level permissions: trace segments can only be allowed on '*'.";

static const char *const ENI_ANY_RESOURCE =
    "Lambda creates and deletes the network interfaces of a function in a VPC as its role, "
    "under ids it picks at run time; EC2 takes only '*' for these actions.";

static const char *function_role(Ctx *ctx, Ir *ir, const Model *m, const Function *f,
                                 const char *logs, const char *failures) {
  json_t *st = json_array();
  json_array_append_new(st, iam_statement("WriteLogs",
                                          J("[s,s]", "logs:CreateLogStream", "logs:PutLogEvents"),
                                          cfn_getatt(logs, "Arn")));
  if (failures) /* Lambda sends a failed invocation as the function's role */
    json_array_append_new(st, iam_statement("SendFailures", J("[s]", "sqs:SendMessage"),
                                            cfn_getatt(failures, "Arn")));
  if (f->tracing) /* Lambda sends the traces as the function's role too */
    json_array_append_new(st, iam_wildcard(iam_statement("WriteTraces",
                                                         J("[s,s]", "xray:PutTraceSegments",
                                                           "xray:PutTelemetryRecords"),
                                                         json_string("*")),
                                           XRAY_ANY_RESOURCE));
  if (f->vpc.target) /* Lambda makes the function's network interfaces as its role */
    json_array_append_new(st, iam_wildcard(iam_statement("NetworkInterfaces",
                                                         J("[s,s,s,s,s]",
                                                           "ec2:CreateNetworkInterface",
                                                           "ec2:DescribeNetworkInterfaces",
                                                           "ec2:DeleteNetworkInterface",
                                                           "ec2:AssignPrivateIpAddresses",
                                                           "ec2:UnassignPrivateIpAddresses"),
                                                         json_string("*")),
                                           ENI_ANY_RESOURCE));
  json_t *grants = iam_grant_statements(ctx, ir, m, f);
  json_array_extend(st, grants);
  json_decref(grants);
  /* X-Ray's, the network interfaces', an event source's pollers' */
  const char **stars = iam_any_resource_reasons(ctx, st);
  const char *role = iam_role(ctx, ir, lid(ctx, f->key, "FunctionRole"), "lambda.amazonaws.com", st);
  for (; *stars; stars++)
    ir_suppress(ir_find(ir, role), "Serverless-LambdaStarPermissions", *stars, NULL);
  return role;
}


/* ---- failures of asynchronous invocations ---- */

/* EventBridge invokes a function asynchronously (schedules, object events):
 * nobody waits for the answer, so an invocation that still fails after
 * Lambda's retries, or an event EventBridge cannot deliver, would be lost
 * without a trace. Both land in the function's failure queue. */
static bool invoked_async(const Function *f) {
  return f->schedule.node || f->on_object_created.node;
}

static const char *const ASYNC_DLQ_REASON =
    "Failed asynchronous invocations go to the OnFailure destination of the function's "
    "EventInvokeConfig (its failure queue), which also records the error; a dead-letter queue "
    "would receive the same events again.";
static const char *const SYNC_DLQ_REASON =
    "The function has no asynchronous trigger in this stage (no schedule, no object events): "
    "API Gateway and SQS event sources invoke it synchronously and see every error, and a "
    "dead-letter queue receives only asynchronous invocations.";

/* Refuses requests without TLS; lets the function's rules deliver what they
 * could not hand to the function. */
static void lower_failure_queue_policy(Ctx *ctx, Ir *ir, const Function *f, const char *queue,
                                       json_t *rule_arns) {
  json_t *deny = J("{s:s, s:s, s:s, s:s, s:o, s:{s:{s:s}}}", "Sid", "DenyInsecureTransport",
                   "Effect", "Deny", "Principal", "*", "Action", "sqs:*", "Resource",
                   cfn_getatt(queue, "Arn"), "Condition", "Bool", "aws:SecureTransport", "false");
  json_t *events = J("{s:s, s:s, s:{s:s}, s:s, s:o, s:{s:{s:o}}}", "Sid",
                     "EventBridgeUndeliverable", "Effect", "Allow", "Principal", "Service",
                     "events.amazonaws.com", "Action", "sqs:SendMessage", "Resource",
                     cfn_getatt(queue, "Arn"), "Condition", "ArnEquals", "aws:SourceArn",
                     rule_arns);
  ir_add(ctx, ir, lid(ctx, f->key, "FailureQueuePolicy"), "AWS::SQS::QueuePolicy",
         J("{s:[o], s:{s:s, s:[o,o]}}", "Queues", cfn_ref(queue), "PolicyDocument", "Version",
           "2012-10-17", "Statement", deny, events));
}

/* The queue alone; its policy follows the rules (lower_failures). */
static const char *lower_failure_queue(Ctx *ctx, Ir *ir, const Model *m, const Function *f) {
  if (!invoked_async(f))
    return NULL;
  const char *id = lid(ctx, f->key, "FailureQueue");
  IrResource *q = ir_add(ctx, ir, id, "AWS::SQS::Queue",
                         J("{s:s, s:b, s:i}", "QueueName",
                           arena_printf(&ctx->arena, "%s-failures", f->name),
                           "SqsManagedSseEnabled", 1, "MessageRetentionPeriod", 1209600));
  ir_set_policy(q, m->production ? "Retain" : "Delete"); /* failed events are data */
  const char *why = arena_printf(&ctx->arena,
                                 "This queue is itself where function '%s' sends its failed "
                                 "invocations; it has no dead-letter queue of its own.",
                                 f->key);
  ir_suppress(q, "AwsSolutions-SQS3", why, NULL);
  ir_suppress(q, "Serverless-SQSRedrivePolicy", why, NULL);
  return id;
}

/* Lambda's retries, then the failure queue. */
static void lower_invoke_config(Ctx *ctx, Ir *ir, const Function *f, const char *queue) {
  ir_add(ctx, ir, lid(ctx, f->key, "InvokeConfig"), "AWS::Lambda::EventInvokeConfig",
         J("{s:o, s:s, s:i, s:{s:{s:o}}}", "FunctionName", cfn_ref(lid(ctx, f->key, "Function")),
           "Qualifier", "$LATEST", "MaximumRetryAttempts", 2, "DestinationConfig", "OnFailure",
           "Destination", cfn_getatt(queue, "Arn")));
}

static void lower_invoke_permission(Ctx *ctx, Ir *ir, const char *id, const char *fn,
                                    const char *principal, json_t *source_arn) {
  ir_add(ctx, ir, id, "AWS::Lambda::Permission",
         J("{s:s, s:o, s:s, s:o}", "Action", "lambda:InvokeFunction", "FunctionName",
           cfn_getatt(fn, "Arn"), "Principal", principal, "SourceArn", source_arn));
}

/* An event EventBridge could not deliver within an hour goes to the
 * function's failure queue. */
static void lower_rule(Ctx *ctx, Ir *ir, const Function *f, const char *what, json_t *props) {
  const char *fn = lid(ctx, f->key, "Function");
  const char *rule = lid(ctx, f->key, arena_printf(&ctx->arena, "%sRule", what));
  json_object_set_new(
      props, "Targets",
      J("[{s:o, s:s, s:{s:o}, s:{s:i, s:i}}]", "Arn", cfn_getatt(fn, "Arn"), "Id", fn,
        "DeadLetterConfig", "Arn", cfn_getatt(lid(ctx, f->key, "FailureQueue"), "Arn"),
        "RetryPolicy", "MaximumEventAgeInSeconds", 3600, "MaximumRetryAttempts", 24));
  ir_add(ctx, ir, rule, "AWS::Events::Rule", props);
  lower_invoke_permission(ctx, ir, lid(ctx, f->key, arena_printf(&ctx->arena, "%sPermission", what)),
                          fn, "events.amazonaws.com", cfn_getatt(rule, "Arn"));
}

static void lower_schedule(Ctx *ctx, Ir *ir, const Function *f) {
  const Schedule *s = &f->schedule;
  if (!s->node)
    return;
  lower_rule(ctx, ir, f, "Schedule",
             J("{s:s, s:s, s:s}", "Description",
               arena_printf(&ctx->arena, "runs function '%s' on %s", f->key, s->expression),
               "ScheduleExpression", s->expression, "State", s->enabled ? "ENABLED" : "DISABLED"));
}

/* EventBridge key filter: prefix, suffix, or both through a wildcard
 * (check refuses '*' in prefixes, so the wildcard cannot be widened). */
static json_t *key_filter(Ctx *ctx, const ObjectTrigger *t) {
  if (*t->prefix && *t->suffix)
    return J("[{s:s}]", "wildcard", arena_printf(&ctx->arena, "%s*%s", t->prefix, t->suffix));
  if (*t->suffix)
    return J("[{s:s}]", "suffix", t->suffix);
  return J("[{s:s}]", "prefix", t->prefix);
}

json_t *object_created_pattern(Ctx *ctx, Ir *ir, const ObjectTrigger *t) {
  json_t *detail = J("{s:{s:[o]}}", "bucket", "name", construct_ref(ctx, ir, &construct_bucket, t->source, "name"));
  if (*t->prefix || *t->suffix)
    json_object_set_new(detail, "object", J("{s:o}", "key", key_filter(ctx, t)));
  return J("{s:[s], s:[s], s:o}", "source", "aws.s3", "detail-type", "Object Created", "detail",
           detail);
}

static void lower_object_trigger(Ctx *ctx, Ir *ir, const Function *f) {
  const ObjectTrigger *t = &f->on_object_created;
  if (!t->node)
    return;
  json_t *pattern = object_created_pattern(ctx, ir, t);
  lower_rule(ctx, ir, f, "ObjectCreated",
             J("{s:s, s:o, s:s}", "Description",
               arena_printf(&ctx->arena, "runs function '%s' when an object is created in '%s/%s'",
                            f->key, t->bucket, t->prefix),
               "EventPattern", pattern, "State", "ENABLED"));
}

/* The rules' ARNs, for the failure queue's policy. */
static json_t *rule_arns(Ctx *ctx, const Function *f) {
  json_t *arns = json_array();
  if (f->schedule.node)
    json_array_append_new(arns, cfn_getatt(lid(ctx, f->key, "ScheduleRule"), "Arn"));
  if (f->on_object_created.node)
    json_array_append_new(arns, cfn_getatt(lid(ctx, f->key, "ObjectCreatedRule"), "Arn"));
  return arns;
}

/* The subnets of the function's tier and its security groups. */
static json_t *vpc_config(Ctx *ctx, Ir *ir, const Model *m, const Function *f) {
  json_t *groups = json_array();
  for (size_t i = 0; i < f->vpc.security_groups.len; i++)
    json_array_append_new(groups, construct_ref(ctx, ir, &construct_security_group,
                                                construct_find(m, &construct_security_group,
                                                               f->vpc.security_groups.items[i]),
                                                "id"));
  return J("{s:o, s:o}", "SubnetIds", vpc_subnet_ids(ctx, ir, f->vpc.target, f->vpc.subnets),
           "SecurityGroupIds", groups);
}

static void function_lower(Ctx *ctx, Ir *ir, const Model *m, const void *item) {
  const Function *f = item;
  const IrAsset *asset = asset_for(ctx, ir, f);
  const char *logs = lower_log_group(ctx, ir, m, lid(ctx, f->key, "LogGroup"),
                                     arena_printf(&ctx->arena, "/aws/lambda/%s", f->name),
                                     f->log_retention);
  const char *failures = lower_failure_queue(ctx, ir, m, f);
  const char *role = function_role(ctx, ir, m, f, logs, failures);
  json_t *p = J("{s:s}", "FunctionName", f->name);
  if (f->description)
    json_object_set_new(p, "Description", json_string(f->description));
  json_object_set_new(p, "Runtime", json_string(f->runtime));
  json_object_set_new(p, "Handler", json_string(f->code ? f->handler : "bootstrap"));
  json_object_set_new(p, "Architectures",
                      J("[s]", f->architecture == ARCH_ARM64 ? "arm64" : "x86_64"));
  json_object_set_new(p, "MemorySize", json_integer(f->memory));
  json_object_set_new(p, "Timeout", json_integer(f->timeout));
  json_object_set_new(p, "Role", cfn_getatt(role, "Arn"));
  json_object_set_new(p, "Code", J("{s:o, s:o}", "S3Bucket", cfn_ref("AssetsBucket"), "S3Key",
                                   cfn_ref(asset->parameter)));
  json_t *vars = function_environment(ctx, ir, m, f);
  if (json_object_size(vars))
    json_object_set_new(p, "Environment", J("{s:o}", "Variables", vars));
  else
    json_decref(vars);
  json_object_set_new(p, "LoggingConfig", J("{s:o}", "LogGroup", cfn_ref(logs)));
  if (f->tracing)
    json_object_set_new(p, "TracingConfig", J("{s:s}", "Mode", "Active"));
  if (f->vpc.target)
    json_object_set_new(p, "VpcConfig", vpc_config(ctx, ir, m, f));
  /* LoggingConfig's Ref also orders the log group before the function. */
  IrResource *fn = ir_add(ctx, ir, lid(ctx, f->key, "Function"), "AWS::Lambda::Function", p);
  ir_suppress(fn, "Serverless-LambdaDLQ", failures ? ASYNC_DLQ_REASON : SYNC_DLQ_REASON, NULL);
  if (!f->tracing)
    ir_suppress(fn, "Serverless-LambdaTracing",
                "X-Ray tracing is off for this function ('tracing: false', the default outside "
                "production stages).",
                NULL);
  lower_schedule(ctx, ir, f);
  lower_object_trigger(ctx, ir, f);
  if (failures) {
    lower_invoke_config(ctx, ir, f, failures);
    lower_failure_queue_policy(ctx, ir, f, failures, rule_arns(ctx, f));
  }
}

/* ---- references, names, tags ---- */

static bool function_ref(Ctx *ctx, const void *item, const char *what, RefSpec *out) {
  const Function *f = item;
  out->id = lid(ctx, f->key, "Function");
  if (!strcmp(what, "name")) {
    out->literal = json_string(f->name);
    return true;
  }
  if (!strcmp(what, "arn")) {
    out->attr = "Arn";
    out->literal = cfn_subf("arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:"
                            "function:%s",
                            f->name);
    return true;
  }
  return false;
}

/* ---- metrics (alarms) ---- */

static json_t *function_dimensions(Ctx *ctx, Ir *ir, const void *item) {
  return J("[{s:s, s:o}]", "Name", "FunctionName", "Value",
           construct_ref(ctx, ir, &construct_function, item, "name"));
}

static const Metric FUNCTION_METRICS[] = {
    {"errors", "AWS/Lambda", "Errors", "Sum", METRIC_COUNT,
     "invocations that ended in an error", NULL, function_dimensions},
    {"throttles", "AWS/Lambda", "Throttles", "Sum", METRIC_COUNT,
     "invocation requests refused for lack of concurrency", NULL, function_dimensions},
    {"duration", "AWS/Lambda", "Duration", "Maximum", METRIC_MILLISECONDS,
     "milliseconds an invocation ran", NULL, function_dimensions},
    {"invocations", "AWS/Lambda", "Invocations", "Sum", METRIC_COUNT,
     "times the function was invoked", NULL, function_dimensions},
    {NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL},
};

static void function_claims(Ctx *ctx, const Model *m, const void *item, PtrVec *claims) {
  (void)m;
  const Function *f = item;
  construct_claim(ctx, claims, "function", f->name, f->node, "name", false);
}

static const TagRule FUNCTION_TAGS[] = {
    {"AWS::IAM::Role", "Tags", TAGS_LIST},    {"AWS::Lambda::Function", "Tags", TAGS_LIST},
    {"AWS::Logs::LogGroup", "Tags", TAGS_LIST}, {"AWS::Events::Rule", "Tags", TAGS_LIST},
    {"AWS::SQS::Queue", "Tags", TAGS_LIST},
    {NULL, NULL, 0},
};

/* ---- grants: invoke (one function calls another) ---- */

static bool resolve_function(Ctx *ctx, const Model *m, Grant *g, Pos at) {
  g->target = construct_resolve(ctx, m, &construct_function, g->text, at);
  return g->target != NULL;
}

/* The invoked function's name or ARN as text lakec knows (it fixes the
 * name), never a Ref or GetAtt: a function may invoke itself, or one that
 * invokes it, and references would make that a dependency cycle
 * CloudFormation refuses. */
static json_t *invoked(Ctx *ctx, const Function *f, const char *what) {
  RefSpec spec = {0};
  function_ref(ctx, f, what, &spec);
  return spec.literal;
}

/* The unqualified function's ARN: the caller invokes its $LATEST. */
static void invoke_statements(Ctx *ctx, Ir *ir, const Model *m, const Grant *g, json_t *out) {
  (void)m, (void)ir;
  json_array_append_new(out, iam_statement(iam_sid(ctx, "Invoke", g->text),
                                           J("[s]", "lambda:InvokeFunction"),
                                           invoked(ctx, g->target, "arn")));
}

/* LAKEC_FUNCTION_<KEY>: the function's name, which Invoke takes. */
static void invoke_environment(Ctx *ctx, Ir *ir, const Model *m, const Grant *g, json_t *vars) {
  (void)m, (void)ir;
  const Function *f = g->target;
  json_object_set_new(vars, env_name(ctx, "LAKEC_FUNCTION_", f->key, ""), invoked(ctx, f, "name"));
}

static const GrantVerb VERB_INVOKE = {"invoke", "FUNCTION: invoke it (lambda:InvokeFunction)",
                                      resolve_function, invoke_statements, invoke_environment,
                                      NULL};
static const GrantVerb *const FUNCTION_VERBS[] = {&VERB_INVOKE, NULL};

const Construct construct_function = {
    .key = "functions",
    .kind = "function",
    .doc = "Lambda functions, by key",
    .shape = &SHAPE_FUNCTION,
    .check = function_check,
    .lower = function_lower,
    .ref = function_ref,
    .verbs = FUNCTION_VERBS,
    .claim_names = function_claims,
    .tags = FUNCTION_TAGS,
    .metrics = FUNCTION_METRICS,
    .codes = FUNCTION_CODES,
};
