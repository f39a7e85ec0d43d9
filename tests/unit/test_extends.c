/* extends: a stage file reads only YAML stage files of its own project, never
 * blocks on what it names, and never quotes a file it refuses. Each test
 * builds a work tree:
 *   W/project/.git/            the marker of the project root
 *   W/project/stages/dev.yaml  the stage file, whose extends the test writes
 *   W/project/templates/       blueprints and the odd files under test
 *   W/shared/base.yaml         a valid blueprint outside the project
 * The content "hunter2" stands for a secret: it must never be printed. */
#include "support.h"
#include "check.h"
#include "extends.h"
#include "merge.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SECRET "hunter2"
#define BLUEPRINT "lakec: 1\nproject: demo\nregion: eu-west-1\n"

static Ctx ctx;
static char work[PATH_MAX], project[PATH_MAX + 16], templates[PATH_MAX + 32],
    stages[PATH_MAX + 32], shared[PATH_MAX + 16];

static void make_dir(const char *path) { assert_int_equal(mkdir(path, 0777), 0); }

static int setup(void **state) {
  (void)state;
  ctx_init(&ctx);
  snprintf(work, sizeof work, "%s", temp_dir(&ctx));
  snprintf(project, sizeof project, "%s/project", work);
  snprintf(templates, sizeof templates, "%s/templates", project);
  snprintf(stages, sizeof stages, "%s/stages", project);
  snprintf(shared, sizeof shared, "%s/shared", work);
  make_dir(project);
  make_dir(templates);
  make_dir(stages);
  make_dir(shared);
  make_dir(arena_printf(&ctx.arena, "%s/.git", project));
  write_text(templates, "base.yaml", BLUEPRINT);
  write_text(shared, "base.yaml", BLUEPRINT "secret: " SECRET "\n");
  alarm(20); /* a read that blocks (a FIFO) fails the test instead of hanging it */
  return 0;
}

static int teardown(void **state) {
  (void)state;
  alarm(0);
  ctx_release(&ctx);
  return 0;
}

/* Merges W/project/stages/dev.yaml, which extends `target`. */
static Node *merge_stage_extending(const char *target) {
  write_text(stages, "dev.yaml",
             arena_printf(&ctx.arena, "extends: %s\nstage: dev\n", target));
  return merge(&ctx, arena_printf(&ctx.arena, "%s/dev.yaml", stages));
}

/* Everything the text renderer prints. */
static const char *rendered(void) {
  char *text = NULL;
  size_t size = 0;
  FILE *fp = open_memstream(&text, &size);
  assert_non_null(fp);
  diag_render(&ctx, fp, false);
  fclose(fp);
  const char *copy = arena_strdup(&ctx.arena, text);
  free(text);
  return copy;
}

/* One error with `code` at the extends: value (line 1, column 10) of the
 * stage file, nothing of the secret printed. */
static void assert_refused_at_extends(const char *code, const char *part) {
  assert_int_equal(ctx.diags.errors, 1);
  if (!has_diag(&ctx, code, part))
    fail_msg("expected %s '%s', got: %s", code, part, diag_at(&ctx, 0));
  const Diag *d = ctx.diags.head;
  assert_string_equal(d->pos.file->path + strlen(d->pos.file->path) - 8, "dev.yaml");
  assert_int_equal(d->pos.line, 1);
  assert_int_equal(d->pos.col, 10);
  assert_null(strstr(rendered(), SECRET));
}

static void blueprint_inside_the_project_is_read(void **state) {
  (void)state;
  Node *m = merge_stage_extending("../templates/base.yaml");
  assert_int_equal(ctx.diags.errors, 0);
  assert_string_equal(node_get(m, "region")->str, "eu-west-1");
}

static void absolute_path_outside_the_root_is_refused(void **state) {
  (void)state;
  merge_stage_extending(arena_printf(&ctx.arena, "%s/base.yaml", shared));
  assert_refused_at_extends(LK_EXTENDS_REFUSED, "outside the project root");
  assert_true(strstr(rendered(), "--root DIR"));
}

static void dotdot_out_of_the_root_is_refused(void **state) {
  (void)state;
  merge_stage_extending("../../shared/base.yaml");
  assert_refused_at_extends(LK_EXTENDS_REFUSED, "outside the project root");
}

/* Refused before anything is opened: the answer is the same whether the
 * file outside exists or not. */
static void refusal_does_not_tell_whether_a_file_exists(void **state) {
  (void)state;
  merge_stage_extending("../../shared/nothing-here.yaml");
  assert_refused_at_extends(LK_EXTENDS_REFUSED, "outside the project root");
}

static void symbolic_link_out_of_the_root_is_refused(void **state) {
  (void)state;
  assert_int_equal(symlink(arena_printf(&ctx.arena, "%s/base.yaml", shared),
                           arena_printf(&ctx.arena, "%s/link.yaml", templates)),
                   0);
  merge_stage_extending("../templates/link.yaml");
  assert_refused_at_extends(LK_EXTENDS_REFUSED, "symbolic link to a file outside");
}

static void linked_directory_out_of_the_root_is_refused(void **state) {
  (void)state;
  assert_int_equal(symlink(shared, arena_printf(&ctx.arena, "%s/elsewhere", templates)), 0);
  merge_stage_extending("../templates/elsewhere/base.yaml");
  assert_refused_at_extends(LK_EXTENDS_REFUSED, "symbolic link to a file outside");
}

static void fifo_is_refused_without_blocking(void **state) {
  (void)state;
  assert_int_equal(mkfifo(arena_printf(&ctx.arena, "%s/pipe.yaml", templates), 0600), 0);
  merge_stage_extending("../templates/pipe.yaml");
  assert_refused_at_extends(LK_EXTENDS_REFUSED, "named pipe (FIFO)");
}

static void directory_is_refused(void **state) {
  (void)state;
  make_dir(arena_printf(&ctx.arena, "%s/folder.yaml", templates));
  merge_stage_extending("../templates/folder.yaml");
  assert_refused_at_extends(LK_EXTENDS_REFUSED, "is a directory");
}

static void file_not_named_yaml_is_refused_unread(void **state) {
  (void)state;
  write_text(templates, "credentials", "[default]\naws_secret_access_key = " SECRET "\n");
  merge_stage_extending("../templates/credentials");
  assert_refused_at_extends(LK_EXTENDS_REFUSED, "not named .yaml or .yml");
}

/* A .yaml link to a file of another name is judged by the file it reads. */
static void link_to_a_file_not_named_yaml_is_refused(void **state) {
  (void)state;
  write_text(templates, "notes.txt", "key: " SECRET "\n");
  assert_int_equal(symlink("notes.txt", arena_printf(&ctx.arena, "%s/notes.yaml", templates)), 0);
  merge_stage_extending("../templates/notes.yaml");
  assert_refused_at_extends(LK_EXTENDS_REFUSED, "not named .yaml or .yml");
}

/* Bytes that are not text are reported in the stage file, never parsed, so
 * no diagnostic (syntax, unknown key, did-you-mean) can quote them. */
static void binary_blueprint_is_not_quoted(void **state) {
  (void)state;
  static const char bytes[] = "lakec: 1\nbuckets: {" SECRET ": 1}\n\0\n";
  FILE *fp = fopen(arena_printf(&ctx.arena, "%s/blob.yaml", templates), "wb");
  assert_non_null(fp);
  fwrite(bytes, 1, sizeof bytes - 1, fp);
  fclose(fp);
  merge_stage_extending("../templates/blob.yaml");
  assert_refused_at_extends(LK_ENCODING, "line 3 holds a NUL byte");
}

static void latin1_blueprint_is_not_quoted(void **state) {
  (void)state;
  write_text(templates, "latin1.yaml", "bucketz: {name: " SECRET "-caf\xe9}\n");
  merge_stage_extending("../templates/latin1.yaml");
  assert_refused_at_extends(LK_ENCODING, "bytes that are not UTF-8");
}

static void blueprint_that_is_not_a_map_is_refused(void **state) {
  (void)state;
  write_text(templates, "passwd.yaml", "root:x:0:0:" SECRET ":/root:/bin/sh\n");
  merge_stage_extending("../templates/passwd.yaml");
  assert_refused_at_extends(LK_EXTENDS_REFUSED, "not a stage file: it holds a string");
}

/* The root of the stage file holds for the whole chain. */
static void every_level_of_the_chain_is_checked(void **state) {
  (void)state;
  write_text(templates, "mid.yaml", "extends: ../../shared/base.yaml\nregion: us-east-1\n");
  merge_stage_extending("../templates/mid.yaml");
  assert_int_equal(ctx.diags.errors, 1);
  assert_true(has_diag(&ctx, LK_EXTENDS_REFUSED, "outside the project root"));
  assert_string_equal(ctx.diags.head->pos.file->path + strlen(ctx.diags.head->pos.file->path) - 8,
                      "mid.yaml");
  assert_null(strstr(rendered(), SECRET));
}

/* A link inside the project is followed, and what the file it leads to
 * extends is relative to the link, as the path reads (as for #include). */
static void paths_are_relative_to_a_file_as_named(void **state) {
  (void)state;
  const char *elsewhere = arena_printf(&ctx.arena, "%s/blueprints", project);
  make_dir(elsewhere);
  write_text(elsewhere, "real.yaml", "extends: base.yaml\nregion: us-east-1\n");
  assert_int_equal(symlink("../blueprints/real.yaml",
                           arena_printf(&ctx.arena, "%s/alias.yaml", templates)),
                   0);
  Node *m = merge_stage_extending("../templates/alias.yaml");
  assert_int_equal(ctx.diags.errors, 0);
  assert_string_equal(node_get(m, "project")->str, "demo"); /* templates/base.yaml */
  assert_string_equal(node_get(m, "region")->str, "us-east-1");
}

/* The keys the blueprint would have given are not reported missing as well:
 * the refusal is the one error, at whatever level of the chain it happens. */
static void refusal_is_the_only_error(void **state) {
  (void)state;
  check(&ctx, merge_stage_extending("../../shared/base.yaml"));
  assert_int_equal(ctx.diags.errors, 1);
  write_text(templates, "mid.yaml", "extends: /etc/base.yaml\nregion: us-east-1\n");
  check(&ctx, merge_stage_extending("../templates/mid.yaml"));
  assert_int_equal(ctx.diags.errors, 2);
  assert_false(has_diag(&ctx, LK_MISSING_KEY, ""));
}

static void root_option_widens_the_root(void **state) {
  (void)state;
  char real[PATH_MAX];
  assert_non_null(realpath(work, real));
  ctx.root = real;
  Node *m = merge_stage_extending("../../shared/base.yaml");
  assert_int_equal(ctx.diags.errors, 0);
  assert_string_equal(node_get(m, "secret")->str, SECRET);
  ctx.root = NULL; /* real is on this stack */
}

static void root_is_the_nearest_marked_directory(void **state) {
  (void)state;
  char real[PATH_MAX];
  assert_non_null(realpath(project, real));
  const char *stage = arena_printf(&ctx.arena, "%s/dev.yaml", stages);
  ProjectRoot r = extends_project_root(&ctx, stage);
  assert_string_equal(r.dir, real);
  /* a templates folder marks a project too, and the nearest one wins */
  make_dir(arena_printf(&ctx.arena, "%s/templates", stages));
  assert_non_null(realpath(stages, real));
  assert_string_equal(extends_project_root(&ctx, stage).dir, real);
}

static void root_without_a_marker_is_the_stage_directory(void **state) {
  (void)state;
  char real[PATH_MAX];
  assert_non_null(realpath(shared, real));
  ProjectRoot r = extends_project_root(&ctx, arena_printf(&ctx.arena, "%s/base.yaml", shared));
  if (strcmp(r.dir, real) != 0) /* some directory above the temporary one is marked */
    skip();
  assert_non_null(strstr(r.how, "own directory"));
}

/* Every shipped stage file still merges cleanly under the default root. */
static void shipped_stages_still_merge(void **state) {
  (void)state;
  const char *source = getenv("LAKEC_SOURCE_DIR");
  const char *dir = arena_printf(&ctx.arena, "%s/stages", source ? source : ".");
  DIR *d = opendir(dir);
  assert_non_null(d);
  int merged = 0;
  for (struct dirent *e; (e = readdir(d));) {
    size_t n = strlen(e->d_name);
    if (n < 6 || strcmp(e->d_name + n - 5, ".yaml"))
      continue;
    assert_non_null(merge(&ctx, arena_printf(&ctx.arena, "%s/%s", dir, e->d_name)));
    if (ctx.diags.errors)
      fail_msg("%s: %s", e->d_name, diag_at(&ctx, 0));
    merged++;
  }
  closedir(d);
  assert_true(merged >= 3);
}

int main(void) {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
  const struct CMUnitTest tests[] = {
      T(blueprint_inside_the_project_is_read),
      T(absolute_path_outside_the_root_is_refused),
      T(dotdot_out_of_the_root_is_refused),
      T(refusal_does_not_tell_whether_a_file_exists),
      T(symbolic_link_out_of_the_root_is_refused),
      T(linked_directory_out_of_the_root_is_refused),
      T(fifo_is_refused_without_blocking),
      T(directory_is_refused),
      T(file_not_named_yaml_is_refused_unread),
      T(link_to_a_file_not_named_yaml_is_refused),
      T(binary_blueprint_is_not_quoted),
      T(latin1_blueprint_is_not_quoted),
      T(blueprint_that_is_not_a_map_is_refused),
      T(every_level_of_the_chain_is_checked),
      T(paths_are_relative_to_a_file_as_named),
      T(refusal_is_the_only_error),
      T(root_option_widens_the_root),
      T(root_is_the_nearest_marked_directory),
      T(root_without_a_marker_is_the_stage_directory),
      T(shipped_stages_still_merge),
  };
#undef T
  return cmocka_run_group_tests(tests, NULL, NULL);
}
