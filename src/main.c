/* main: the command line. A table of commands, each with a table of options
 * that drives both the parsing and the --help text, so they cannot drift. */
#include "codes.h"
#include "compile.h"
#include "ctx.h"
#include "decode.h"
#include "deploy.h"
#include "diff.h"
#include "diffout.h"
#include "emit.h"
#include "package.h"
#include "matrix.h"
#include "jsonschema.h"
#include "report.h"
#include "source.h"
#include "suggest.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { EXIT_INPUT_ERRORS = 1, EXIT_USAGE = 2 };

/* Option ids: a short option's letter, or a value above 255 for long-only ones. */
enum {
  OPT_MAX_ERRORS = 256,
  OPT_WERROR,
  OPT_FORMAT,
  OPT_DIFF_FORMAT,
  OPT_EXIT_CODE,
  OPT_SETTINGS,
  OPT_IGNORE,
  OPT_CHECK,
  OPT_HANDLERS,
  OPT_NO_PACKAGE,
  OPT_ROOT,
  OPT_YES,
  OPT_ALLOW_DESTRUCTIVE,
  OPT_PROFILE,
  OPT_ASSETS_BUCKET,
  OPT_EMPTY_BUCKETS,
  OPT_DEPLOYED,
  OPT_AS,
  OPT_REGION,
  OPT_LIST_CODES
};

typedef struct Option {
  int id;
  const char *name;
  const char *arg; /* NULL: a flag */
  const char *help;
} Option;

typedef enum { FORMAT_TEXT, FORMAT_JSON, FORMAT_SARIF } Format;

typedef struct Options {
  const char *out_dir;
  Format format;
  bool werror;
  unsigned max_errors;
  bool check;      /* build --check */
  const char *handlers_dir; /* build --handlers, or NULL for the default */
  bool no_package;          /* build --no-package */
  bool exit_code;  /* diff --exit-code */
  bool settings;   /* diff --settings: the stage matrix, even of two stages */
  const char **ignore; /* diff --ignore, repeatable */
  size_t nignore;
  const char *root; /* --root: where extends: may read, or NULL */
  bool list_codes;  /* explain --list */
  bool deployed;    /* diff --deployed */
  const char *stage_as; /* --as NAME */
  DeployOptions deploy; /* the deploy commands' --yes, --profile, ... */
} Options;

typedef struct Command {
  const char *name;
  int (*run)(Ctx *ctx, const Options *o, int nargs, char **args);
  const char *summary;
  const char *usage;
  const Option *options;
  bool takes_stage_files; /* args are stage files, checked up front */
} Command;

#define OPT_HELP {'h', "help", NULL, "show this help"}
#define OPT_ROOT_DIR                                                                     \
  {OPT_ROOT, "root", "DIR",                                                              \
   "let extends: read stage files under DIR (default: each stage file's project, the "    \
   "nearest directory from its own upwards with a templates folder or a .git entry)"}
#define OPT_DIAGNOSTICS                                                                  \
  {OPT_WERROR, "werror", NULL, "treat warnings as errors"},                              \
      {OPT_MAX_ERRORS, "max-errors", "N", "show at most N errors (default 50; 0: all)"}

#define OPT_AWS                                                                          \
  {OPT_PROFILE, "profile", "NAME",                                                       \
   "use profile NAME of ~/.aws/credentials and ~/.aws/config; without it, as the AWS "    \
   "CLI: the AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY environment variables, else profile " \
   "$AWS_PROFILE, else profile default"}
#define OPT_BUCKET                                                                       \
  {OPT_ASSETS_BUCKET, "assets-bucket", "NAME",                                           \
   "the bucket for handler zips, job scripts and large templates (default: "             \
   "lakec-assets-<account>-<region>, made by 'lakec bootstrap')"}
#define OPT_STAGE_BUILD                                                                  \
  {'o', "output", "DIR", "build a stage file into DIR first, as 'lakec build' (default: out)"}, \
      {OPT_HANDLERS, "handlers", "DIR", "take handler programs from DIR/<handler>/ (as build)"}, \
      {OPT_AS, "as", "NAME",                                                             \
       "a preview copy of a non-production stage under stage name NAME: every physical "    \
       "name follows it (DIR/<project>/NAME)"}
static const Option BUILD_OPTIONS[] = {
    {'o', "output", "DIR",
     "write DIR/<project>/<stage>/<stack>.template.json, manifest.json and assets/*.zip "
     "(default: out)"},
    {OPT_CHECK, "check", NULL,
     "write nothing; exit 1 naming the files in DIR a build would change, and the temporaries "
     "interrupted builds left"},
    {OPT_HANDLERS, "handlers", "DIR",
     "take handler programs from DIR/<handler>/ (default: $LAKEC_HANDLERS, else the "
     "'handlers' directory beside lakec)"},
    {OPT_NO_PACKAGE, "no-package", NULL,
     "write templates and the manifest without zips (code keys without defaults)"},
    {OPT_AS, "as", "NAME",
     "build a preview copy of one non-production stage under stage name NAME (as deploy "
     "--as)"},
    OPT_ROOT_DIR,
    OPT_DIAGNOSTICS,
    OPT_HELP,
    {0, NULL, NULL, NULL},
};
static const Option VALIDATE_OPTIONS[] = {
    {OPT_FORMAT, "format", "FORMAT",
     "text (default, on stderr), json (JSON Lines) or sarif (SARIF 2.1.0), on stdout"},
    OPT_ROOT_DIR,
    OPT_DIAGNOSTICS,
    OPT_HELP,
    {0, NULL, NULL, NULL},
};
static const Option DIFF_OPTIONS[] = {
    {OPT_DIFF_FORMAT, "format", "FORMAT", "text (default) or json, on stdout"},
    {OPT_HANDLERS, "handlers", "DIR",
     "hash the handler programs of DIR/<handler>/ for a stage's code keys (default as build)"},
    {OPT_NO_PACKAGE, "no-package", NULL,
     "leave a stage's code keys without defaults (no handler programs needed)"},
    {OPT_EXIT_CODE, "exit-code", NULL, "exit 1 when there are differences (2 on errors)"},
    {OPT_SETTINGS, "settings", NULL,
     "tabulate how the stages' settings differ (the stage matrix), even for two stages"},
    {OPT_DEPLOYED, "deployed", NULL,
     "compare the deployed stacks (their templates in CloudFormation) with one stage file or "
     "built folder; the stage file is built into -o DIR (default out)"},
    {'o', "output", "DIR", "with --deployed: where a stage file is built (default: out)"},
    {OPT_AS, "as", "NAME", "with --deployed: the preview copy NAME of the stage"},
    OPT_AWS,
    {OPT_IGNORE, "ignore", "PATTERN",
     "leave out changes whose path matches PATTERN, e.g. 'Resources.*.Properties.BucketName' "
     "(repeatable)"},
    OPT_ROOT_DIR,
    OPT_HELP,
    {0, NULL, NULL, NULL},
};
static const Option DEPLOY_OPTIONS[] = {
    OPT_STAGE_BUILD,
    OPT_AWS,
    OPT_BUCKET,
    {OPT_YES, "yes", NULL,
     "deploy without asking (required without a terminal); also deletes a stack an earlier "
     "failed create left"},
    {OPT_ALLOW_DESTRUCTIVE, "allow-destructive", NULL,
     "deploy a change set that removes or replaces a resource holding data"},
    {OPT_DIFF_FORMAT, "format", "FORMAT", "text (default) or json (the stacks' results and outputs)"},
    OPT_ROOT_DIR,
    OPT_HELP,
    {0, NULL, NULL, NULL},
};
static const Option OUTPUTS_OPTIONS[] = {
    OPT_STAGE_BUILD,
    OPT_AWS,
    {OPT_DIFF_FORMAT, "format", "FORMAT", "text (default) or json"},
    OPT_ROOT_DIR,
    OPT_HELP,
    {0, NULL, NULL, NULL},
};
static const Option DESTROY_OPTIONS[] = {
    OPT_STAGE_BUILD,
    OPT_AWS,
    {OPT_YES, "yes", NULL, "destroy without asking (required without a terminal)"},
    {OPT_EMPTY_BUCKETS, "empty-buckets", NULL,
     "first delete every object version in the stage's buckets that are not retained "
     "(refused for a production stage)"},
    {OPT_DIFF_FORMAT, "format", "FORMAT", "text (default) or json"},
    OPT_ROOT_DIR,
    OPT_HELP,
    {0, NULL, NULL, NULL},
};
static const Option BOOTSTRAP_OPTIONS[] = {
    OPT_AWS,
    OPT_BUCKET,
    {OPT_REGION, "region", "REGION",
     "the region (default: the stage's when FILE|DIR is named, else the profile's or "
     "AWS_REGION)"},
    OPT_STAGE_BUILD,
    {OPT_DIFF_FORMAT, "format", "FORMAT", "text (default) or json"},
    OPT_HELP,
    {0, NULL, NULL, NULL},
};
static const Option HELP_ONLY[] = {OPT_HELP, {0, NULL, NULL, NULL}};
static const Option EXPLAIN_OPTIONS[] = {
    {OPT_LIST_CODES, "list", NULL, "list every diagnostic code with its title"},
    OPT_HELP,
    {0, NULL, NULL, NULL},
};

/* jansson allocates one small block per JSON value, and a large template is
 * hundreds of thousands of them, all dropped together when the command ends.
 * In this short-lived process they come from a bump allocator whose free does
 * nothing and whose blocks are released at exit: loading and dropping a
 * 10000-resource template gets several times faster. (The unit tests and the
 * fuzzer keep jansson on malloc, so sanitizers still check every json_t.) */
static Arena json_arenas[3]; /* the main thread's, and one per side of a diff */
static _Thread_local Arena *json_arena_here;

static void *json_arena_malloc(size_t size) {
  return arena_alloc_raw(json_arena_here ? json_arena_here : &json_arenas[0], size);
}
static void json_arena_free(void *p) { (void)p; }
static void json_arena_release(void) {
  for (int i = 0; i < 3; i++)
    arena_release(&json_arenas[i]);
}

static int cmd_build(Ctx *ctx, const Options *o, int nargs, char **args);
static int cmd_validate(Ctx *ctx, const Options *o, int nargs, char **args);
static int cmd_diff(Ctx *ctx, const Options *o, int nargs, char **args);
static int cmd_explain(Ctx *ctx, const Options *o, int nargs, char **args);
static int cmd_schema(Ctx *ctx, const Options *o, int nargs, char **args);
static int cmd_deploy(Ctx *ctx, const Options *o, int nargs, char **args);
static int cmd_outputs(Ctx *ctx, const Options *o, int nargs, char **args);
static int cmd_destroy(Ctx *ctx, const Options *o, int nargs, char **args);
static int cmd_bootstrap(Ctx *ctx, const Options *o, int nargs, char **args);

static const Command COMMANDS[] = {
    {"build", cmd_build, "compile stage files into CloudFormation templates",
     "lakec build [-o DIR] [--check] [--handlers DIR | --no-package] [--as NAME] [--root DIR] "
     "[--werror] [--max-errors N] FILE...",
     BUILD_OPTIONS, true},
    {"validate", cmd_validate, "check stage files and report every problem; write nothing",
     "lakec validate [--format text|json|sarif] [--root DIR] [--werror] [--max-errors N] FILE...",
     VALIDATE_OPTIONS, true},
    {"diff", cmd_diff,
     "compare two stages, templates or built stage folders, stack by stack; with three or "
     "more stages (or with --settings), tabulate how their settings differ",
     "lakec diff [--format text|json] [--exit-code] [--settings] [--ignore PATTERN]... "
     "[--handlers DIR | --no-package] [--root DIR] A B [C...]\n       lakec diff --deployed [--profile NAME] "
     "[-o DIR] [--exit-code] FILE|DIR",
     DIFF_OPTIONS, true},
    {"bootstrap", cmd_bootstrap,
     "create the assets bucket of this account and region (encrypted, private, versioned, TLS "
     "only)",
     "lakec bootstrap [--profile NAME] [--assets-bucket NAME] [--region REGION] [FILE|DIR]",
     BOOTSTRAP_OPTIONS, false},
    {"deploy", cmd_deploy,
     "build a stage (or take a built folder), upload its assets and deploy its stacks through "
     "change sets, shown and confirmed",
     "lakec deploy [--yes] [--allow-destructive] [--profile NAME] [--assets-bucket NAME] "
     "[--format text|json] [-o DIR] [--as NAME] FILE|DIR...",
     DEPLOY_OPTIONS, true},
    {"outputs", cmd_outputs, "print the outputs of a stage's deployed stacks",
     "lakec outputs [--profile NAME] [--format text|json] [-o DIR] [--as NAME] FILE|DIR...",
     OUTPUTS_OPTIONS,
     true},
    {"destroy", cmd_destroy, "delete a stage's stacks in reverse deploy order",
     "lakec destroy [--yes] [--empty-buckets] [--profile NAME] [-o DIR] [--as NAME] FILE|DIR...",
     DESTROY_OPTIONS, true},
    {"explain", cmd_explain,
     "explain a diagnostic code, with a wrong and a right example; --list lists every code",
     "lakec explain CODE | --list", EXPLAIN_OPTIONS, false},
    {"schema", cmd_schema, "print the JSON Schema of stage files (for YAML editors)",
     "lakec schema", HELP_ONLY, false},
};
#define NCOMMANDS (sizeof COMMANDS / sizeof *COMMANDS)

static void print_usage(FILE *out) {
  fprintf(out, "usage: lakec COMMAND [OPTIONS] [FILE...]\n"
               "       lakec --version | --help\n\n"
               "lakec compiles declarative YAML stage files into AWS CloudFormation.\n\n"
               "commands:\n");
  for (size_t i = 0; i < NCOMMANDS; i++)
    fprintf(out, "  %-10s %s\n", COMMANDS[i].name, COMMANDS[i].summary);
  fprintf(out, "\nexit status: 0 success, 1 the input has errors (or a deploy or destroy failed), "
               "2 usage or I/O error (or AWS credentials or endpoint)\n"
               "run 'lakec COMMAND --help' for a command's options\n");
}

static void print_command_help(const Command *c) {
  printf("usage: %s\n\n%s\n\noptions:\n", c->usage, c->summary);
  for (const Option *o = c->options; o->name; o++) {
    char left[64];
    if (o->id < 256)
      snprintf(left, sizeof left, "-%c, --%s%s%s", o->id, o->name, o->arg ? " " : "",
               o->arg ? o->arg : "");
    else
      snprintf(left, sizeof left, "    --%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
    printf("  %-22s %s\n", left, o->help);
  }
}

static bool use_color(void) {
  const char *no = getenv("NO_COLOR");
  return isatty(STDERR_FILENO) && !(no && *no);
}

/* Top-level files are checked up front: a missing one is an I/O error (exit 2),
 * not a problem in the input. */
static bool files_readable(int nfiles, char **files, bool built_folders) {
  bool ok = true;
  for (int i = 0; i < nfiles; i++) {
    struct stat st;
    char manifest[4096];
    snprintf(manifest, sizeof manifest, "%s/manifest.json", files[i]);
    if (stat(files[i], &st) != 0 || access(files[i], R_OK) != 0) {
      fprintf(stderr, "lakec: error: cannot read '%s': %s\n", files[i], "no such readable file");
      ok = false;
    } else if (S_ISDIR(st.st_mode) && !(built_folders && access(manifest, R_OK) == 0)) {
      fprintf(stderr, built_folders ? "lakec: error: '%s' is a directory without a manifest.json: "
                                      "name a stage file, or a stage folder 'lakec build' wrote\n"
                                    : "lakec: error: '%s' is a directory; name the stage files in it\n",
              files[i]);
      ok = false;
    } else if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) { /* a FIFO would hang the read */
      fprintf(stderr, "lakec: error: '%s' is not a regular file\n", files[i]);
      ok = false;
    }
  }
  return ok;
}

static Compiled *compile_all(Ctx *ctx, int nfiles, char **files, bool writes_output) {
  Compiled *out = arena_alloc(&ctx->arena, (size_t)nfiles * sizeof *out);
  for (int i = 0; i < nfiles; i++)
    out[i] = compile_stage(ctx, files[i]);
  compile_across_stages(ctx, out, (size_t)nfiles, writes_output);
  return out;
}

static void free_all(Compiled *c, int n) {
  for (int i = 0; i < n; i++)
    compiled_free(&c[i]);
}

/* $LAKEC_HANDLERS, else "handlers" beside the executable: in a CMake build
 * tree that is build/handlers, where the handler programs are made. */
static const char *default_handlers_dir(Ctx *ctx) {
  const char *env = getenv("LAKEC_HANDLERS");
  if (env && *env)
    return env;
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0)
    return "handlers";
  self[n] = '\0';
  char *slash = strrchr(self, '/');
  if (slash)
    *slash = '\0';
  /* A build folder has handlers/ beside lakec; an installed lakec (PREFIX/bin)
   * has them in PREFIX/share/lakec/handlers (cmake --install). */
  const char *beside = arena_printf(&ctx->arena, "%s/handlers", self);
  const char *installed = arena_printf(&ctx->arena, "%s/../share/lakec/handlers", self);
  struct stat st;
  if (stat(beside, &st) != 0 && stat(installed, &st) == 0 && S_ISDIR(st.st_mode))
    return installed;
  return beside;
}

static bool package_all(Ctx *ctx, const Options *o, Compiled *c, int nfiles, Packager *p) {
  packager_init(p, o->handlers_dir ? o->handlers_dir : default_handlers_dir(ctx));
  p->out_dir = o->out_dir; /* what earlier builds deflated is in DIR/.cache/deflate */
  bool ok = true;
  for (int i = 0; i < nfiles; i++)
    ok &= package_stage(ctx, p, c[i].model, c[i].ir);
  return ok;
}

static Compiled *compile_for_deploy(Ctx *ctx, const Options *o, const char *source, bool writes);

static int cmd_build(Ctx *ctx, const Options *o, int nfiles, char **files) {
  if (o->no_package && o->handlers_dir) {
    fprintf(stderr, "lakec: error: --handlers and --no-package exclude each other\n");
    return EXIT_USAGE;
  }
  if (o->stage_as && nfiles != 1) {
    fprintf(stderr, "lakec build: --as copies one stage file\n");
    return EXIT_USAGE;
  }
  Compiled *c = o->stage_as ? compile_for_deploy(ctx, o, files[0], true)
                            : compile_all(ctx, nfiles, files, true);
  for (int i = 0; i < nfiles; i++)
    compile_against_previous(ctx, &c[i], o->out_dir);
  int status = 0;
  Packager packager = {0};
  if (ctx->diags.errors || (!o->no_package && !package_all(ctx, o, c, nfiles, &packager))) {
    status = EXIT_INPUT_ERRORS;
  } else {
    EmitBatch batch = {{0}, {0}};
    for (int i = 0; i < nfiles; i++)
      emit_stage(ctx, &batch, c[i].ir, c[i].linked, files[i], o->out_dir);
    const char *why = NULL;
    if (ctx->diags.errors) { /* a template over CloudFormation's size: nothing written */
      status = EXIT_INPUT_ERRORS;
    } else if (o->check) {
      if (emit_check(ctx, &batch, stderr))
        status = EXIT_INPUT_ERRORS;
    } else if (!emit_commit(ctx, &batch, &why)) {
      fprintf(stderr, "lakec: error: %s\n", why);
      status = EXIT_USAGE;
    } else {
      packager_save_cache(ctx, &packager); /* only a build that wrote keeps what it deflated */
    }
    emit_batch_release(&batch);
  }
  packager_release(&packager);
  free_all(c, nfiles);
  diag_render(ctx, stderr, use_color());
  return status;
}

static int cmd_validate(Ctx *ctx, const Options *o, int nfiles, char **files) {
  Compiled *c = compile_all(ctx, nfiles, files, true);
  for (int i = 0; i < nfiles; i++)
    link_check_bodies(ctx, c[i].linked);
  free_all(c, nfiles);
  if (o->format == FORMAT_JSON)
    report_json(ctx, stdout);
  else if (o->format == FORMAT_SARIF)
    report_sarif(ctx, stdout);
  else
    diag_render(ctx, stderr, use_color());
  return ctx->diags.errors ? EXIT_INPUT_ERRORS : 0;
}

static bool is_template_path(const char *path) {
  size_t n = strlen(path);
  return n > 5 && !strcmp(path + n - 5, ".json");
}

/* A stage file compiled in memory, or a template read as it is; NULL after
 * reporting why (diagnostics stay in ctx). */
/* One side of a diff. A template is parsed on a thread of its own (parsing
 * two large templates is most of a diff's time, and there are two cores);
 * a stage file is compiled on the main thread meanwhile. */
typedef struct Side {
  const char *path;
  int slot; /* its JSON arena */
  pthread_t thread;
  bool started;
  json_t *template;            /* a template alone */
  json_t *manifest;            /* a built folder: its manifest, */
  json_t **stack_templates;    /* and the template of each of its stacks (NULL: unreadable) */
  char dir[4096], manifest_path[4096];
  char error[320];
} Side;

/* Templates and manifests lakec writes are far smaller. */
#define JSON_MAX_BYTES ((size_t)1 << 30)

/* A JSON file read whole, then parsed from memory (several times faster than
 * jansson's reading from a FILE); NULL with `error` set. Only a regular
 * file is read (source_open: a FIFO named in a manifest does not block). */
static json_t *load_json(const char *path, char *error, size_t error_size) {
  size_t size;
  const char *why;
  int fd = source_open(path, 0, JSON_MAX_BYTES, &size, &why);
  if (fd < 0) {
    snprintf(error, error_size, "cannot read '%s': %s", path, why);
    return NULL;
  }
  char *text = malloc(size + 1);
  if (!text)
    BUG("out of memory");
  size_t n = 0;
  while (n < size) {
    ssize_t got = read(fd, text + n, size - n);
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0)
      break;
    n += (size_t)got;
  }
  close(fd);
  json_error_t err;
  json_t *v = json_loadb(text, n, 0, &err);
  if (!v)
    snprintf(error, error_size, "%s:%d:%d: not valid JSON: %s", path, err.line, err.column,
             err.text);
  free(text);
  return v;
}

/* A manifest names its templates beside it, never elsewhere. */
static const char *stack_template_file(json_t *entry) {
  const char *file = json_string_value(json_object_get(entry, "template"));
  bool inside = file && file[0] != '/' && strncmp(file, "../", 3) && !strstr(file, "/../");
  return inside && json_is_string(json_object_get(entry, "name")) ? file : NULL;
}

static void load_manifest_side(Side *s) {
  s->manifest = load_json(s->manifest_path, s->error, sizeof s->error);
  json_t *stacks = json_object_get(s->manifest, "stacks");
  size_t n = json_array_size(stacks);
  s->stack_templates = calloc(n ? n : 1, sizeof *s->stack_templates);
  if (!s->stack_templates)
    BUG("out of memory");
  for (size_t i = 0; i < n; i++) {
    const char *file = stack_template_file(json_array_get(stacks, i));
    char path[8192], ignored[320];
    snprintf(path, sizeof path, "%s/%s", s->dir, file ? file : "");
    s->stack_templates[i] = file ? load_json(path, ignored, sizeof ignored) : NULL;
  }
}

/* The thread of one side: a template, or a folder's manifest and templates. */
static void *parse_side(void *arg) {
  Side *s = arg;
  json_arena_here = &json_arenas[s->slot];
  if (s->manifest_path[0])
    load_manifest_side(s);
  else
    s->template = load_json(s->path, s->error, sizeof s->error);
  return NULL;
}

static bool is_manifest_path(const char *path);

static void start_side(Side *s, const char *path, int slot) {
  memset(s, 0, sizeof *s);
  s->path = path;
  s->slot = slot;
  struct stat st;
  if (is_manifest_path(path)) {
    bool dir = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
    const char *slash = strrchr(path, '/');
    snprintf(s->dir, sizeof s->dir, "%.*s", dir ? (int)strlen(path) : slash ? (int)(slash - path) : 1,
             dir || slash ? path : ".");
    snprintf(s->manifest_path, sizeof s->manifest_path, dir ? "%s/manifest.json" : "%s", path);
  } else if (!is_template_path(path)) {
    return; /* a stage file: compiled on the main thread meanwhile */
  }
  s->started = pthread_create(&s->thread, NULL, parse_side, s) == 0;
  if (!s->started) /* no thread to be had: parse here */
    parse_side(s), json_arena_here = NULL;
}

/* One stack of a side of a diff: its name, its key in the stage's `stacks`
 * (NULL: the default stack, or a template alone) and its IR. */
typedef struct SideStack {
  const char *name, *key;
  Ir *ir;
} SideStack;

static void push_stack(Ctx *ctx, PtrVec *out, const char *name, const char *key, Ir *ir) {
  SideStack *s = arena_alloc(&ctx->arena, sizeof *s);
  *s = (SideStack){name, key, ir};
  ptrvec_push(&ctx->arena, out, s);
}

static Ir *ir_of(Ctx *ctx, json_t *t, const char *path) {
  const char *why = NULL;
  Ir *ir = ir_from_template(ctx, t, &why);
  if (!ir)
    fprintf(stderr, "lakec: error: %s: %s\n", path, why);
  return ir;
}

/* A stage file: compiled in memory, its zips hashed (written nowhere) so its
 * code keys are those a build would write; then each stack's template. */
static bool stage_side(Ctx *ctx, const Options *o, const char *path, PtrVec *out) {
  Compiled c = compile_stage(ctx, path);
  Packager p = {0};
  bool ok = c.ir && (o->no_package || package_all(ctx, o, &c, 1, &p));
  for (size_t i = 0; ok && i < c.linked->len; i++) {
    Ir *ir = ir_of(ctx, c.linked->stacks[i]->template, path);
    ok = ir != NULL;
    if (ir)
      push_stack(ctx, out, c.linked->stacks[i]->stack->name, c.linked->stacks[i]->stack->key, ir);
  }
  packager_release(&p);
  compiled_free(&c);
  return ok;
}

/* A built stage folder (or its manifest.json): the stacks the manifest lists,
 * read on the side's thread. */
static bool manifest_side(Ctx *ctx, Side *s, PtrVec *out) {
  json_t *stacks = json_object_get(s->manifest, "stacks");
  if (!json_is_array(stacks)) {
    fprintf(stderr, "lakec: error: %s: not a lakec manifest (%s)\n", s->manifest_path,
            s->manifest ? "no \"stacks\" list" : s->error);
    return false;
  }
  bool ok = true;
  size_t i;
  json_t *entry;
  json_array_foreach(stacks, i, entry) {
    const char *file = stack_template_file(entry);
    const char *tpath = arena_printf(&ctx->arena, "%s/%s", s->dir, file ? file : "");
    json_t *t = s->stack_templates[i];
    Ir *ir = t ? ir_of(ctx, t, tpath) : NULL;
    if (!t)
      fprintf(stderr, "lakec: error: %s: %s\n", tpath,
              file ? "cannot be read as JSON" : "not a stack entry of a lakec manifest");
    ok &= ir != NULL;
    const char *key = json_string_value(json_object_get(entry, "key"));
    if (ir)
      push_stack(ctx, out, arena_strdup(&ctx->arena, json_string_value(json_object_get(entry, "name"))),
                 key ? arena_strdup(&ctx->arena, key) : NULL, ir);
  }
  return ok;
}

/* A template lakec wrote is NAME.template.json: it is stack NAME. */
static const char *template_stack_name(Ctx *ctx, const char *path) {
  const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
  size_t n = strlen(base), k = strlen(".template.json");
  if (n <= k || strcmp(base + n - k, ".template.json") != 0)
    return NULL;
  return arena_strndup(&ctx->arena, base, n - k);
}

static bool is_manifest_path(const char *path) {
  struct stat st;
  size_t n = strlen(path);
  return (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) ||
         (n >= 13 && !strcmp(path + n - 13, "manifest.json"));
}

/* The side's stacks; false after reporting why (diagnostics stay in ctx). */
static bool finish_side(Ctx *ctx, const Options *o, Side *s, PtrVec *out) {
  if (!s->manifest_path[0] && !is_template_path(s->path))
    return stage_side(ctx, o, s->path, out);
  if (s->started)
    pthread_join(s->thread, NULL);
  if (s->manifest_path[0]) {
    bool ok = manifest_side(ctx, s, out);
    for (size_t i = 0; s->stack_templates && i < json_array_size(json_object_get(s->manifest, "stacks")); i++)
      json_decref(s->stack_templates[i]); /* the IRs hold what they use */
    free(s->stack_templates);
    json_decref(s->manifest);
    return ok;
  }
  if (!s->template) {
    fprintf(stderr, "lakec: error: %s\n", s->error);
    return false;
  }
  Ir *ir = ir_of(ctx, s->template, s->path);
  json_decref(s->template);
  if (ir)
    push_stack(ctx, out, template_stack_name(ctx, s->path), NULL, ir);
  return ir != NULL;
}

static void print_json(json_t *v) {
  char *text = ir_json_text(v, JSON_INDENT(2) | JSON_ENSURE_ASCII);
  printf("%s\n", text);
  free(text);
  json_decref(v);
}

static bool same(const char *a, const char *b) { return a && b && !strcmp(a, b); }

/* Stacks are matched by name, else by their key in `stacks` (dev's and
 * prod's stacks have different names); one stack on each side is matched
 * whatever the names (a stage against a lone template). A stack on one side
 * only is compared with an empty one. */
static bool has_name(const PtrVec *v, const char *name) {
  for (size_t i = 0; i < v->len; i++)
    if (same(((const SideStack *)v->items[i])->name, name))
      return true;
  return false;
}

/* s (of `mine`) in `other`: the same name, else the same key unless that
 * stack's name is taken by one of `mine` (each stack matches at most once). */
static const SideStack *match(const PtrVec *other, const PtrVec *mine, const SideStack *s,
                              bool lone) {
  if (lone)
    return other->items[0];
  for (size_t i = 0; i < other->len; i++)
    if (same(((const SideStack *)other->items[i])->name, s->name))
      return other->items[i];
  for (size_t i = 0; i < other->len; i++) {
    const SideStack *o = other->items[i];
    if (same(o->key, s->key) && !has_name(mine, o->name))
      return o;
  }
  return NULL;
}

static bool diff_pair(Ctx *ctx, const Options *o, const Ir *a, const Ir *b, const char *an,
                      const char *bn, json_t *json_out) {
  DiffOptions opts = {o->ignore, o->nignore};
  Diff *d = diff_irs(ctx, a, b, &opts);
  if (json_out)
    json_array_append_new(json_out, diffout_json(d, an, bn));
  else
    diffout_text(d, an, bn, stdout, isatty(STDOUT_FILENO) && !getenv("NO_COLOR"));
  bool empty = diff_is_empty(d);
  diff_free(d);
  return empty;
}

/* "etl" or "cat-test-etl -> cat-prod-etl" when the names differ. */
static const char *stack_label(Ctx *ctx, const SideStack *x, const SideStack *y) {
  if (!x->name || !y->name || same(x->name, y->name))
    return x->name ? x->name : y->name ? y->name : "(template)";
  return arena_printf(&ctx->arena, "%s -> %s", x->name, y->name);
}

static void add_unmatched(Ctx *ctx, PtrVec *pairs, const PtrVec *from, const PtrVec *other,
                          bool left) {
  for (size_t i = 0; i < from->len; i++) {
    const SideStack *s = from->items[i];
    if (match(other, from, s, false))
      continue;
    SideStack *empty = arena_alloc(&ctx->arena, sizeof *empty);
    *empty = (SideStack){s->name, s->key, ir_new(ctx)}; /* in the arena: nothing to free */
    ptrvec_push(&ctx->arena, pairs, left ? (void *)s : empty);
    ptrvec_push(&ctx->arena, pairs, left ? empty : (void *)s);
  }
}

/* Each stack's diff, one after the other ("stack NAME:" before each when
 * there are several); JSON: the one diff, or {"stacks": [{name, diff}]}. */
static bool diff_stacks(Ctx *ctx, const Options *o, const PtrVec *a, const PtrVec *b,
                        char **args) {
  bool lone = a->len == 1 && b->len == 1, empty = true;
  /* One template against a stage of several stacks: that stack only. */
  bool one_of_many = !lone && (a->len == 1 || b->len == 1);
  PtrVec pairs = {0};
  for (size_t i = 0; i < a->len; i++) {
    const SideStack *x = a->items[i], *y = match(b, a, x, lone);
    if (y) {
      ptrvec_push(&ctx->arena, &pairs, (void *)x);
      ptrvec_push(&ctx->arena, &pairs, (void *)y);
    }
  }
  if (!lone && !one_of_many) {
    add_unmatched(ctx, &pairs, a, b, true);
    add_unmatched(ctx, &pairs, b, a, false);
  }
  lone |= one_of_many && pairs.len == 2;
  json_t *json = o->format == FORMAT_JSON ? json_array() : NULL;
  for (size_t i = 0; i < pairs.len; i += 2) {
    const SideStack *x = pairs.items[i], *y = pairs.items[i + 1];
    if (!lone && !json)
      printf("%sstack %s:\n", i ? "\n" : "", stack_label(ctx, x, y));
    empty &= diff_pair(ctx, o, x->ir, y->ir, args[0], args[1], json);
  }
  if (json && lone) {
    print_json(json_incref(json_array_get(json, 0)));
  } else if (json) {
    json_t *stacks = json_array();
    for (size_t i = 0; i < pairs.len; i += 2) {
      const SideStack *x = pairs.items[i], *y = pairs.items[i + 1];
      json_array_append_new(stacks, J("{s:s, s:O}", "name", stack_label(ctx, x, y), "diff",
                                      json_array_get(json, i / 2)));
    }
    print_json(J("{s:i, s:o}", "version", 1, "stacks", stacks));
  }
  json_decref(json);
  return empty;
}

/* One template against several stacks needs a stack of its name. */
static bool stacks_comparable(const PtrVec *a, const PtrVec *b, char **args) {
  if ((a->len == 1) == (b->len == 1))
    return true;
  const PtrVec *one = a->len == 1 ? a : b, *many = a->len == 1 ? b : a;
  const SideStack *t = one->items[0];
  if (match(many, one, t, false))
    return true;
  fprintf(stderr, "lakec: error: '%s' has several stacks and none is named '%s' like '%s'; "
                  "compare a built folder, or a template named <stack>.template.json\n",
          a->len == 1 ? args[1] : args[0], t->name ? t->name : "?", a->len == 1 ? args[0] : args[1]);
  return false;
}

static void free_stacks(PtrVec *v) {
  for (size_t i = 0; i < v->len; i++)
    ir_free(((SideStack *)v->items[i])->ir);
}

static int diff_two(Ctx *ctx, const Options *o, char **args) {
  Side sides[2];
  start_side(&sides[0], args[0], 1);
  start_side(&sides[1], args[1], 2);
  PtrVec a = {0}, b = {0};
  bool ok = finish_side(ctx, o, &sides[0], &a);
  ok &= finish_side(ctx, o, &sides[1], &b);
  int status;
  if (!ok || ctx->diags.errors) {
    diag_render(ctx, stderr, use_color());
    status = EXIT_USAGE;
  } else if (!stacks_comparable(&a, &b, args)) {
    status = EXIT_USAGE;
  } else {
    bool empty = diff_stacks(ctx, o, &a, &b, args);
    status = o->exit_code && !empty ? 1 : 0;
  }
  free_stacks(&a);
  free_stacks(&b);
  return status;
}

static int diff_matrix(Ctx *ctx, const Options *o, int nargs, char **args) {
  for (int i = 0; i < nargs; i++)
    if (is_template_path(args[i])) {
      fprintf(stderr, "lakec diff: the stage matrix compares stage files, and '%s' is a "
                      "template\n",
              args[i]);
      return EXIT_USAGE;
    }
  Compiled *c = compile_all(ctx, nargs, args, false);
  free_all(c, nargs);
  if (ctx->diags.errors) {
    diag_render(ctx, stderr, use_color());
    return EXIT_USAGE;
  }
  const Model **models = arena_alloc(&ctx->arena, (size_t)nargs * sizeof *models);
  for (int i = 0; i < nargs; i++)
    models[i] = c[i].model;
  Matrix *m = matrix_build(ctx, models, (size_t)nargs);
  if (o->format == FORMAT_JSON)
    print_json(matrix_json(m));
  else
    matrix_text(m, stdout, isatty(STDOUT_FILENO) && !getenv("NO_COLOR"));
  int status = o->exit_code && json_object_size(m->rows) ? 1 : 0;
  matrix_free(m);
  return status;
}

static int diff_deployed(Ctx *ctx, const Options *o, int nargs, char **args);

static int cmd_diff(Ctx *ctx, const Options *o, int nargs, char **args) {
  if (o->deployed && o->no_package) {
    fprintf(stderr, "lakec diff: --deployed compares what a deploy would deploy, zips included; "
                    "leave out --no-package\n");
    return EXIT_USAGE;
  }
  if (o->deployed && o->settings) {
    fprintf(stderr, "lakec diff: --settings compares stage files, not deployed stacks\n");
    return EXIT_USAGE;
  }
  if (o->deployed)
    return diff_deployed(ctx, o, nargs, args);
  if (nargs < 2) {
    fprintf(stderr, "lakec diff: compare two files (stage, template or built stage folder), or "
                    "three or more stages\n");
    return EXIT_USAGE;
  }
  if (o->no_package && o->handlers_dir) {
    fprintf(stderr, "lakec: error: --handlers and --no-package exclude each other\n");
    return EXIT_USAGE;
  }
  return nargs == 2 && !o->settings ? diff_two(ctx, o, args) : diff_matrix(ctx, o, nargs, args);
}

/* Every code and its title, one a line, in order. */
static int list_codes(void) {
  for (const DiagCode *c = diag_codes(); c->code; c++)
    printf("%s  %s\n", c->code, c->title);
  return 0;
}

/* ---- the deploy commands: a built stage folder, checked current ---- */

/* DIR/<project>/<stage> -> DIR. */
static const char *out_dir_of(Ctx *ctx, const char *folder) {
  char *dir = arena_strdup(&ctx->arena, folder);
  for (int up = 0; up < 2; up++) {
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
      dir[--n] = '\0';
    char *slash = strrchr(dir, '/');
    if (!slash)
      return ".";
    *slash = '\0';
  }
  return *dir ? dir : "/";
}

static bool same_dir(const char *a, const char *b) {
  char *ra = realpath(a, NULL), *rb = realpath(b, NULL);
  bool same = ra && rb && !strcmp(ra, rb);
  free(ra);
  free(rb);
  return same;
}

/* Compiles `source` and packages it; writes the stage folder under out_dir,
 * or (check) compares the folder with what the build would write: a stale
 * or hand-edited folder (templates, manifest, zips) is refused. */
/* The stage, or with --as its preview copy: compiled with the other stage
 * name, and checked against the stage itself as two stages of one run are
 * (a name that does not follow ${stage} would be claimed twice). A
 * production stage has no preview copy (LK600). */
static Compiled *compile_for_deploy(Ctx *ctx, const Options *o, const char *source, bool writes) {
  if (!o->stage_as)
    return compile_all(ctx, 1, (char **)&source, writes);
  Compiled *c = arena_alloc(&ctx->arena, 2 * sizeof *c);
  c[1] = compile_stage(ctx, source); /* the stage as it is */
  ctx->stage_as = o->stage_as;
  c[0] = compile_stage(ctx, source);
  ctx->stage_as = NULL;
  compile_across_stages(ctx, c, 2, false);
  if (c[0].model && c[0].model->production > 0)
    diag_error(ctx, decode_value_pos(c[0].model->node, "production"), LK_PREVIEW_PRODUCTION,
               "stage '%s' is production: it has no preview copy (--as %s)",
               c[1].model ? c[1].model->stage : "?", o->stage_as);
  compiled_free(&c[1]);
  return c;
}

static int build_stage_folder(Ctx *ctx, const Options *o, const char *source, const char *out_dir,
                              const char *expect_dir, StageFolder *out) {
  Compiled *c = compile_for_deploy(ctx, o, source, !expect_dir);
  if (!expect_dir) /* a deploy from a stage file builds over the folder's last build */
    compile_against_previous(ctx, &c[0], out_dir);
  Packager packager = {0};
  Options po = *o;
  po.out_dir = out_dir;
  int status = 0;
  if (ctx->diags.errors || !package_all(ctx, &po, c, 1, &packager)) {
    status = EXIT_INPUT_ERRORS;
  } else {
    EmitBatch batch = {{0}, {0}};
    emit_stage(ctx, &batch, c[0].ir, c[0].linked, source, out_dir);
    const char *why = NULL, *dir = emit_stage_dir(ctx, c[0].ir, out_dir);
    if (ctx->diags.errors) {
      status = EXIT_INPUT_ERRORS;
    } else if (expect_dir && !same_dir(dir, expect_dir)) {
      fprintf(stderr, "lakec: error: %s: its manifest's source %s builds %s, not this folder "
                      "(a preview copy's folder needs its --as NAME)\n",
              expect_dir, source, dir);
      status = EXIT_USAGE;
    } else if (expect_dir && emit_check(ctx, &batch, stderr)) {
      fprintf(stderr, "lakec: error: %s is stale or was edited by hand: it is not what %s builds "
                      "now; run 'lakec build' (nothing was deployed)\n", expect_dir, source);
      status = EXIT_USAGE;
    } else if (!expect_dir && !emit_commit(ctx, &batch, &why)) {
      fprintf(stderr, "lakec: error: %s\n", why);
      status = EXIT_USAGE;
    } else {
      if (!expect_dir)
        packager_save_cache(ctx, &packager);
      out->dir = dir;
      out->production = c[0].model->production > 0;
      out->region = c[0].model->region ? arena_strdup(&ctx->arena, c[0].model->region) : NULL;
    }
    emit_batch_release(&batch);
  }
  packager_release(&packager);
  free_all(c, 1);
  diag_render(ctx, stderr, use_color());
  return status;
}

/* A stage file (built into -o DIR) or a built folder (its manifest's source
 * rebuilt in memory and compared): the folder to deploy from, and its
 * manifest. The caller json_decref's out->manifest. */
static int prepare_stage(Ctx *ctx, const Options *o, int nargs, char **args, StageFolder *out) {
  memset(out, 0, sizeof *out);
  if (nargs != 1) {
    fprintf(stderr, "lakec: name one stage file or built stage folder\n");
    return EXIT_USAGE;
  }
  char error[400];
  int status;
  if (is_manifest_path(args[0])) {
    struct stat st;
    const char *folder = args[0];
    if (stat(folder, &st) == 0 && !S_ISDIR(st.st_mode)) { /* .../manifest.json */
      const char *slash = strrchr(folder, '/');
      folder = slash ? arena_strndup(&ctx->arena, folder, (size_t)(slash - folder)) : ".";
    }
    char path[4200];
    snprintf(path, sizeof path, "%s/manifest.json", folder);
    json_t *m = load_json(path, error, sizeof error);
    const char *source = json_string_value(json_object_get(m, "source"));
    if (!source || access(source, R_OK) != 0) {
      fprintf(stderr, "lakec: error: %s: %s\n", path,
              !m ? error : !source ? "not a lakec manifest (no source)"
                                   : "its source stage file cannot be read, so the folder "
                                     "cannot be checked current (run from the project's folder)");
      json_decref(m);
      return EXIT_USAGE;
    }
    source = arena_strdup(&ctx->arena, source);
    json_decref(m);
    status = build_stage_folder(ctx, o, source, out_dir_of(ctx, folder), folder, out);
  } else {
    status = build_stage_folder(ctx, o, args[0], o->out_dir, NULL, out);
  }
  if (status)
    return status;
  char path[4200];
  snprintf(path, sizeof path, "%s/manifest.json", out->dir);
  out->manifest = load_json(path, error, sizeof error);
  if (!out->manifest) {
    fprintf(stderr, "lakec: error: %s\n", error);
    return EXIT_USAGE;
  }
  return 0;
}

/* Without a terminal to ask, --yes is needed: said before anything is done. */
static bool can_go_on(const Options *o, const char *command) {
  if (o->deploy.yes || deploy_can_ask())
    return true;
  fprintf(stderr, "lakec %s: no terminal to confirm on: pass --yes to %s without asking "
                  "(nothing was changed)\n", command, command);
  return false;
}

typedef enum { ON_DEPLOY, ON_OUTPUTS, ON_DESTROY } StageAction;

/* Each stage named, one after the other (destroy: the last first); the
 * first that fails stops the rest. */
static int on_each_stage(Ctx *ctx, const Options *o, int nargs, char **args, StageAction act) {
  if (nargs > 1 && (o->stage_as || o->deploy.json)) {
    fprintf(stderr, "lakec: --as and --format json take one stage file or folder\n");
    return EXIT_USAGE;
  }
  int status = 0;
  for (int k = 0; k < nargs && !status; k++) {
    StageFolder s;
    status = prepare_stage(ctx, o, 1, &args[act == ON_DESTROY ? nargs - 1 - k : k], &s);
    if (!status && act == ON_DEPLOY)
      status = deploy_stage(ctx, &o->deploy, &s);
    else if (!status && act == ON_OUTPUTS)
      status = deploy_outputs(&o->deploy, &s);
    else if (!status)
      status = deploy_destroy(&o->deploy, &s);
    json_decref(s.manifest);
    ctx->diags.head = ctx->diags.tail = NULL; /* rendered: the next stage's are its own */
    ctx->diags.warnings = 0;
  }
  return status;
}

static int cmd_deploy(Ctx *ctx, const Options *o, int nargs, char **args) {
  return can_go_on(o, "deploy") ? on_each_stage(ctx, o, nargs, args, ON_DEPLOY) : EXIT_USAGE;
}

static int cmd_outputs(Ctx *ctx, const Options *o, int nargs, char **args) {
  return on_each_stage(ctx, o, nargs, args, ON_OUTPUTS);
}

static int cmd_destroy(Ctx *ctx, const Options *o, int nargs, char **args) {
  return can_go_on(o, "destroy") ? on_each_stage(ctx, o, nargs, args, ON_DESTROY) : EXIT_USAGE;
}

/* The region: --region, else the named stage's, else the profile's. */
static int cmd_bootstrap(Ctx *ctx, const Options *o, int nargs, char **args) {
  if (nargs > 1) {
    fprintf(stderr, "usage: %s\n",
            "lakec bootstrap [--profile NAME] [--assets-bucket NAME] [--region REGION] [FILE|DIR]");
    return EXIT_USAGE;
  }
  if (!nargs)
    return deploy_bootstrap(&o->deploy, o->deploy.region);
  StageFolder s;
  int status = prepare_stage(ctx, o, nargs, args, &s);
  if (!status)
    status = deploy_bootstrap(&o->deploy, o->deploy.region ? o->deploy.region : s.region);
  json_decref(s.manifest);
  return status;
}

/* The deployed stacks (GetTemplate; a stack not deployed is empty) against
 * the stage's, compared as `lakec diff` compares two stages. */
static int diff_deployed(Ctx *ctx, const Options *o, int nargs, char **args) {
  StageFolder s;
  int status = prepare_stage(ctx, o, nargs, args, &s);
  json_t *deployed = status ? NULL : deploy_deployed_templates(&o->deploy, &s, &status);
  PtrVec a = {0}, b = {0};
  size_t i;
  json_t *entry;
  json_array_foreach(deployed ? json_object_get(s.manifest, "stacks") : NULL, i, entry) {
    const char *name = arena_strdup(&ctx->arena, json_string_value(json_object_get(entry, "name")));
    const char *key = json_string_value(json_object_get(entry, "key"));
    key = key ? arena_strdup(&ctx->arena, key) : NULL;
    json_t *t = json_array_get(deployed, i);
    char path[8192];
    snprintf(path, sizeof path, "%s/%s", s.dir, json_string_value(json_object_get(entry, "template")));
    char error[400];
    json_t *mine = load_json(path, error, sizeof error);
    Ir *before = json_is_null(t) ? ir_new(ctx) : ir_of(ctx, t, "deployed");
    Ir *after = mine ? ir_of(ctx, mine, path) : NULL;
    json_decref(mine);
    if (!before || !after) {
      status = EXIT_USAGE;
      break;
    }
    push_stack(ctx, &a, name, key, before);
    push_stack(ctx, &b, name, key, after);
  }
  if (!status) {
    char *names[2] = {"deployed", args[0]};
    bool empty = diff_stacks(ctx, o, &a, &b, names);
    status = o->exit_code && !empty ? 1 : 0;
  } else {
    status = EXIT_USAGE; /* every error: 1 means "differences" with --exit-code */
  }
  free_stacks(&a);
  free_stacks(&b);
  json_decref(deployed);
  json_decref(s.manifest);
  return status;
}

static int cmd_explain(Ctx *ctx, const Options *o, int nargs, char **args) {
  (void)ctx, (void)o;
  if (o->list_codes && nargs == 0)
    return list_codes();
  if (nargs != 1 || o->list_codes) {
    fprintf(stderr, "usage: lakec explain CODE | --list   (for example: lakec explain LK104)\n");
    return EXIT_USAGE;
  }
  const DiagCode *c = diag_code_find(args[0]);
  if (!c) {
    fprintf(stderr, "lakec explain: no diagnostic '%s'; the codes are listed in the README\n",
            args[0]);
    return EXIT_USAGE;
  }
  printf("%s: %s\n\n%s\n\nWrong:\n\n", c->code, c->title, c->explanation);
  for (const char *p = c->bad; *p;) {
    const char *nl = strchr(p, '\n');
    size_t n = nl ? (size_t)(nl - p) : strlen(p);
    printf("    %.*s\n", (int)n, p);
    p += n + (nl ? 1 : 0);
  }
  printf("\nRight:\n\n");
  for (const char *p = c->good; *p;) {
    const char *nl = strchr(p, '\n');
    size_t n = nl ? (size_t)(nl - p) : strlen(p);
    printf("    %.*s\n", (int)n, p);
    p += n + (nl ? 1 : 0);
  }
  return 0;
}

static int cmd_schema(Ctx *ctx, const Options *o, int nargs, char **args) {
  (void)ctx, (void)o, (void)args;
  if (nargs != 0) {
    fprintf(stderr, "usage: lakec schema\n");
    return EXIT_USAGE;
  }
  json_t *s = jsonschema_stage();
  char *text = ir_json_text(s, JSON_INDENT(2) | JSON_ENSURE_ASCII);
  printf("%s\n", text);
  free(text);
  json_decref(s);
  return 0;
}

/* getopt_long tables from our Option table. */
static void build_getopt(const Option *opts, struct option *longs, char *shorts) {
  size_t k = 0, s = 0;
  shorts[s++] = ':'; /* report a missing value as ':'; options may follow files (GNU style) */
  for (const Option *o = opts; o->name; o++, k++) {
    longs[k] = (struct option){o->name, o->arg ? required_argument : no_argument, NULL, o->id};
    if (o->id < 256) {
      shorts[s++] = (char)o->id;
      if (o->arg)
        shorts[s++] = ':';
    }
  }
  longs[k] = (struct option){0};
  shorts[s] = '\0';
}

static bool parse_value(const Command *c, int id, const char *arg, Options *o) {
  switch (id) {
  case 'o':
    o->out_dir = arg;
    return true;
  case OPT_WERROR:
    o->werror = true;
    return true;
  case OPT_CHECK:
    o->check = true;
    return true;
  case OPT_HANDLERS:
    o->handlers_dir = optarg;
    return true;
  case OPT_ROOT:
    o->root = arg;
    return true;
  case OPT_NO_PACKAGE:
    o->no_package = true;
    return true;
  case OPT_LIST_CODES:
    o->list_codes = true;
    return true;
  case OPT_EXIT_CODE:
    o->exit_code = true;
    return true;
  case OPT_SETTINGS:
    o->settings = true;
    return true;
  case OPT_DEPLOYED:
    o->deployed = true;
    return true;
  case OPT_AS:
    o->stage_as = arg;
    return true;
  case OPT_YES:
    o->deploy.yes = true;
    return true;
  case OPT_ALLOW_DESTRUCTIVE:
    o->deploy.allow_destructive = true;
    return true;
  case OPT_EMPTY_BUCKETS:
    o->deploy.empty_buckets = true;
    return true;
  case OPT_PROFILE:
    o->deploy.profile = arg;
    return true;
  case OPT_ASSETS_BUCKET:
    o->deploy.assets_bucket = arg;
    return true;
  case OPT_REGION:
    o->deploy.region = arg;
    return true;
  case OPT_IGNORE:
    o->ignore[o->nignore++] = arg;
    return true;
  case OPT_DIFF_FORMAT:
    if (!strcmp(arg, "text") || !strcmp(arg, "json")) {
      o->format = arg[0] == 't' ? FORMAT_TEXT : FORMAT_JSON;
      return true;
    }
    fprintf(stderr, "lakec %s: --format is text or json, not '%s'\n", c->name, arg);
    return false;
  case OPT_MAX_ERRORS: {
    char *end;
    long n = strtol(arg, &end, 10);
    if (*end || n < 0 || n > 1000000) {
      fprintf(stderr, "lakec %s: --max-errors takes a number, not '%s'\n", c->name, arg);
      return false;
    }
    o->max_errors = (unsigned)n;
    return true;
  }
  case OPT_FORMAT:
    if (!strcmp(arg, "text") || !strcmp(arg, "json") || !strcmp(arg, "sarif")) {
      o->format = arg[0] == 't' ? FORMAT_TEXT : arg[0] == 'j' ? FORMAT_JSON : FORMAT_SARIF;
      return true;
    }
    fprintf(stderr, "lakec %s: --format is text, json or sarif, not '%s'\n", c->name, arg);
    return false;
  }
  BUG("option %d has no handler", id);
}

/* --root DIR as a canonical path (the form extends: compares), malloc'd;
 * NULL after saying why. */
static const char *canonical_root(const char *dir) {
  struct stat st;
  char *real = realpath(dir, NULL);
  if (real && stat(real, &st) == 0 && S_ISDIR(st.st_mode))
    return real;
  fprintf(stderr, "lakec: error: --root '%s' is not a directory\n", dir);
  free(real);
  return NULL;
}

static int run_command(const Command *c, int argc, char **argv) {
  struct option longs[24];
  char shorts[40];
  build_getopt(c->options, longs, shorts);
  Options o = {.out_dir = "out", .format = FORMAT_TEXT, .max_errors = 50};
  const char *ignore[argc > 0 ? argc : 1];
  o.ignore = ignore;
  optind = 1;
  opterr = 0; /* we word the errors ourselves */
  int ch;
  while ((ch = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
    if (ch == 'h') {
      print_command_help(c);
      return 0;
    }
    if (ch == ':' || ch == '?') {
      fprintf(stderr, "lakec %s: %s '%s'\nusage: %s\n", c->name,
              ch == ':' ? "this option needs a value:" : "unknown option", argv[optind - 1],
              c->usage);
      return EXIT_USAGE;
    }
    if (!parse_value(c, ch, optarg, &o))
      return EXIT_USAGE;
  }
  int nargs = argc - optind;
  if (c->takes_stage_files && nargs == 0) {
    fprintf(stderr, "lakec %s: no input files\nusage: %s\n", c->name, c->usage);
    return EXIT_USAGE;
  }
  o.deploy.json = o.format == FORMAT_JSON;
  o.deploy.color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
  if (c->takes_stage_files && !files_readable(nargs, argv + optind, c->run != cmd_build && c->run != cmd_validate))
    return EXIT_USAGE;
  const char *root = o.root ? canonical_root(o.root) : NULL;
  if (o.root && !root)
    return EXIT_USAGE;
  Ctx ctx;
  ctx_init(&ctx);
  ctx.root = root;
  ctx.diags.werror = o.werror;
  ctx.diags.max_errors = o.max_errors;
  int status = c->run(&ctx, &o, nargs, argv + optind);
  ctx_release(&ctx);
  free((char *)root);
  return status;
}

static const Command *command_named(const char *name) {
  for (size_t i = 0; i < NCOMMANDS; i++)
    if (!strcmp(name, COMMANDS[i].name))
      return &COMMANDS[i];
  return NULL;
}

/* "lakec biuld": the command it is closest to, if any is close. */
static int unknown_command(const char *name) {
  const char *names[NCOMMANDS];
  for (size_t i = 0; i < NCOMMANDS; i++)
    names[i] = COMMANDS[i].name;
  const char *best = suggest_closest(name, names, NCOMMANDS);
  if (best)
    fprintf(stderr, "lakec: '%s' is not a lakec command; did you mean 'lakec %s'?\n", name, best);
  else
    fprintf(stderr, "lakec: '%s' is not a lakec command; see 'lakec --help'\n", name);
  return EXIT_USAGE;
}

/* "lakec help" lists the commands; "lakec help build" is "lakec build --help". */
static int help(int nargs, char **args) {
  if (nargs == 0) {
    print_usage(stdout);
    return 0;
  }
  const Command *c = nargs == 1 ? command_named(args[0]) : NULL;
  if (!c)
    return nargs == 1 ? unknown_command(args[0]) : (print_usage(stderr), EXIT_USAGE);
  print_command_help(c);
  return 0;
}

int main(int argc, char **argv) {
  for (int i = 0; i < 3; i++) {
    arena_init(&json_arenas[i]);
    json_arenas[i].block_size = (size_t)1 << 20;
  }
  json_set_alloc_funcs(json_arena_malloc, json_arena_free);
  atexit(json_arena_release);
  if (argc < 2) {
    print_usage(stderr);
    return EXIT_USAGE;
  }
  const char *cmd = argv[1];
  if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help"))
    return help(argc - 2, argv + 2);
  if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
    printf("lakec %s (stage language version 1)\n", LAKEC_VERSION);
    return 0;
  }
  const Command *c = command_named(cmd);
  return c ? run_command(c, argc - 1, argv + 1) : unknown_command(cmd);
}
