/* main: the command line. A table of commands, each with a table of options
 * that drives both the parsing and the --help text, so they cannot drift. */
#include "compile.h"
#include "ctx.h"
#include "emit.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { EXIT_INPUT_ERRORS = 1, EXIT_USAGE = 2 };

typedef struct Option {
  const char *name;
  char short_name;
  const char *arg; /* NULL: a flag */
  const char *help;
} Option;

typedef struct Options {
  const char *out_dir;
} Options;

typedef struct Command {
  const char *name;
  int (*run)(Ctx *ctx, const Options *o, int nfiles, char **files);
  const char *summary;
  const char *usage;
  const Option *options;
} Command;

static const Option BUILD_OPTIONS[] = {
    {"output", 'o', "DIR", "write DIR/<stage>/template.json and assets.json (default: out)"},
    {"help", 'h', NULL, "show this help"},
    {NULL, 0, NULL, NULL},
};
static const Option VALIDATE_OPTIONS[] = {
    {"help", 'h', NULL, "show this help"},
    {NULL, 0, NULL, NULL},
};

static int cmd_build(Ctx *ctx, const Options *o, int nfiles, char **files);
static int cmd_validate(Ctx *ctx, const Options *o, int nfiles, char **files);

static const Command COMMANDS[] = {
    {"build", cmd_build, "compile stage files into CloudFormation templates",
     "lakec build [-o DIR] FILE...", BUILD_OPTIONS},
    {"validate", cmd_validate, "check stage files and report every error; write nothing",
     "lakec validate FILE...", VALIDATE_OPTIONS},
};
#define NCOMMANDS (sizeof COMMANDS / sizeof *COMMANDS)

static void print_usage(FILE *out) {
  fprintf(out, "usage: lakec COMMAND [OPTIONS] FILE...\n"
               "       lakec --version | --help\n\n"
               "lakec compiles declarative YAML stage files into AWS CloudFormation.\n\n"
               "commands:\n");
  for (size_t i = 0; i < NCOMMANDS; i++)
    fprintf(out, "  %-10s %s\n", COMMANDS[i].name, COMMANDS[i].summary);
  fprintf(out, "\nexit status: 0 success, 1 the input has errors, 2 usage or I/O error\n"
               "run 'lakec COMMAND --help' for a command's options\n");
}

static void print_command_help(const Command *c) {
  printf("usage: %s\n\n%s\n\noptions:\n", c->usage, c->summary);
  for (const Option *o = c->options; o->name; o++) {
    char left[64];
    snprintf(left, sizeof left, "-%c, --%s%s%s", o->short_name, o->name, o->arg ? " " : "",
             o->arg ? o->arg : "");
    printf("  %-22s %s\n", left, o->help);
  }
}

static bool use_color(void) {
  const char *no = getenv("NO_COLOR");
  return isatty(STDERR_FILENO) && !(no && *no);
}

/* Top-level files are checked up front: a missing one is an I/O error (exit 2),
 * not a problem in the input. */
static bool files_readable(int nfiles, char **files) {
  bool ok = true;
  for (int i = 0; i < nfiles; i++) {
    struct stat st;
    if (stat(files[i], &st) != 0 || access(files[i], R_OK) != 0) {
      fprintf(stderr, "lakec: error: cannot read '%s': %s\n", files[i], "no such readable file");
      ok = false;
    } else if (S_ISDIR(st.st_mode)) {
      fprintf(stderr, "lakec: error: '%s' is a directory; name the stage files in it\n", files[i]);
      ok = false;
    }
  }
  return ok;
}

static Compiled *compile_all(Ctx *ctx, int nfiles, char **files) {
  Compiled *out = arena_alloc(&ctx->arena, (size_t)nfiles * sizeof *out);
  for (int i = 0; i < nfiles; i++)
    out[i] = compile_stage(ctx, files[i]);
  return out;
}

static void free_all(Compiled *c, int n) {
  for (int i = 0; i < n; i++)
    ir_free(c[i].ir);
}

/* Two files that build the same stage would overwrite each other's output. */
static void check_distinct_stages(Ctx *ctx, Compiled *c, int n) {
  for (int i = 0; i < n; i++)
    for (int j = 0; j < i; j++) {
      if (!c[i].ir || !c[j].ir || strcmp(c[i].ir->stage, c[j].ir->stage) != 0)
        continue;
      const Node *stage = node_get(c[i].model->node, "stage");
      Diag *d = diag_error(ctx, stage->pos, LK_DUPLICATE,
                           "stage '%s' is also built from '%s'; its output would be overwritten",
                           c[i].ir->stage, c[j].path);
      diag_note(ctx, d, node_get(c[j].model->node, "stage")->pos, "'%s' is named here",
                c[j].ir->stage);
    }
}

static int cmd_build(Ctx *ctx, const Options *o, int nfiles, char **files) {
  Compiled *c = compile_all(ctx, nfiles, files);
  check_distinct_stages(ctx, c, nfiles);
  int status = 0;
  if (ctx->diags.errors) {
    status = EXIT_INPUT_ERRORS;
  } else {
    EmitBatch batch = {{0}};
    for (int i = 0; i < nfiles; i++)
      emit_stage(ctx, &batch, c[i].ir, o->out_dir);
    const char *why = NULL;
    if (!emit_commit(ctx, &batch, &why)) {
      fprintf(stderr, "lakec: error: %s\n", why);
      status = EXIT_USAGE;
    }
    emit_batch_release(&batch);
  }
  free_all(c, nfiles);
  return status;
}

static int cmd_validate(Ctx *ctx, const Options *o, int nfiles, char **files) {
  (void)o;
  Compiled *c = compile_all(ctx, nfiles, files);
  check_distinct_stages(ctx, c, nfiles);
  free_all(c, nfiles);
  return ctx->diags.errors ? EXIT_INPUT_ERRORS : 0;
}

/* getopt_long tables from our Option table. */
static void build_getopt(const Option *opts, struct option *longs, char *shorts) {
  size_t k = 0, s = 0;
  shorts[s++] = '+';
  shorts[s++] = ':'; /* report a missing value as ':' */
  for (const Option *o = opts; o->name; o++, k++) {
    longs[k] = (struct option){o->name, o->arg ? required_argument : no_argument, NULL,
                               o->short_name};
    shorts[s++] = o->short_name;
    if (o->arg)
      shorts[s++] = ':';
  }
  longs[k] = (struct option){0};
  shorts[s] = '\0';
}

static int run_command(const Command *c, int argc, char **argv) {
  struct option longs[16];
  char shorts[40];
  build_getopt(c->options, longs, shorts);
  Options o = {"out"};
  optind = 1;
  opterr = 0; /* we word the errors ourselves */
  int ch;
  while ((ch = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
    switch (ch) {
    case 'h':
      print_command_help(c);
      return 0;
    case 'o':
      o.out_dir = optarg;
      break;
    case ':':
      fprintf(stderr, "lakec %s: option '%s' needs a value\nusage: %s\n", c->name,
              argv[optind - 1], c->usage);
      return EXIT_USAGE;
    default:
      fprintf(stderr, "lakec %s: unknown option '%s'\nusage: %s\n", c->name, argv[optind - 1],
              c->usage);
      return EXIT_USAGE;
    }
  }
  int nfiles = argc - optind;
  if (nfiles == 0) {
    fprintf(stderr, "lakec %s: no input files\nusage: %s\n", c->name, c->usage);
    return EXIT_USAGE;
  }
  if (!files_readable(nfiles, argv + optind))
    return EXIT_USAGE;
  Ctx ctx;
  ctx_init(&ctx);
  int status = c->run(&ctx, &o, nfiles, argv + optind);
  diag_render(&ctx, stderr, use_color());
  ctx_release(&ctx);
  return status;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    print_usage(stderr);
    return EXIT_USAGE;
  }
  const char *cmd = argv[1];
  if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
    print_usage(stdout);
    return 0;
  }
  if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
    printf("lakec %s (stage language version 1)\n", LAKEC_VERSION);
    return 0;
  }
  for (size_t i = 0; i < NCOMMANDS; i++)
    if (!strcmp(cmd, COMMANDS[i].name))
      return run_command(&COMMANDS[i], argc - 1, argv + 1);
  fprintf(stderr, "lakec: '%s' is not a lakec command; see 'lakec --help'\n", cmd);
  return EXIT_USAGE;
}
