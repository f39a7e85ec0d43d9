/* emit: deterministic text, the manifest, all-or-nothing writes; each
 * stage folder swapped whole, links never written through or followed,
 * temporaries of killed builds removed by the next and reported by --check. */
#include "support.h"
#include "emit.h"
#include "outdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static Ctx ctx;
static int setup(void **state) { (void)state; ctx_init(&ctx); return 0; }
static int teardown(void **state) { (void)state; ctx_release(&ctx); return 0; }

#define STAGE MINIMAL_STAGE "buckets: {data: {name: demo-data-dev}}\nfunctions:\n  a: {handler: shared}\n  b: {handler: shared}\n  c: {}\n"

static char *slurp(const char *path) {
  FILE *fp = fopen(path, "rb");
  if (!fp)
    return NULL;
  static char buf[1 << 16];
  size_t n = fread(buf, 1, sizeof buf - 1, fp);
  fclose(fp);
  buf[n] = '\0';
  return strdup(buf);
}

static int count_entries(const char *dir) {
  DIR *d = opendir(dir);
  if (!d)
    return -1;
  int n = 0;
  for (struct dirent *e; (e = readdir(d));)
    n += e->d_name[0] != '.';
  closedir(d);
  return n;
}

static void text_is_deterministic(void **state) {
  (void)state;
  Ir *a = lower_text(&ctx, STAGE), *b = lower_text(&ctx, STAGE);
  char *ta = emit_template_text(a), *tb = emit_template_text(b);
  assert_string_equal(ta, tb);
  size_t n = strlen(ta);
  assert_true(n > 2 && ta[n - 1] == '\n' && ta[n - 2] == '}');
  assert_non_null(strstr(ta, "{\n  \"AWSTemplateFormatVersion\": \"2010-09-09\",\n"));
  /* Type, then policies, then Properties */
  assert_true(strstr(ta, "\"Type\": \"AWS::S3::Bucket\"") < strstr(ta, "\"DeletionPolicy\": \"Delete\""));
  free(ta);
  free(tb);
  /* The files written are the linked stacks' templates: the same holds there. */
  Linked *la = link_stacks(&ctx, a), *lb = link_stacks(&ctx, b);
  assert_non_null(la);
  assert_non_null(lb);
  assert_int_equal(la->len, 1);
  ta = emit_json_text(la->stacks[0]->template);
  tb = emit_json_text(lb->stacks[0]->template);
  assert_string_equal(ta, tb);
  n = strlen(ta);
  assert_true(n > 2 && ta[n - 1] == '\n' && ta[n - 2] == '}');
  assert_non_null(strstr(ta, "{\n  \"AWSTemplateFormatVersion\": \"2010-09-09\",\n"));
  assert_true(strstr(ta, "\"Type\": \"AWS::S3::Bucket\"") < strstr(ta, "\"DeletionPolicy\": \"Delete\""));
  assert_true(strstr(ta, "\"DeletionPolicy\": \"Delete\"") < strstr(ta, "\"Properties\""));
  free(ta);
  free(tb);
  linked_free(la);
  linked_free(lb);
  ir_free(a);
  ir_free(b);
}

static void manifest_lists_one_asset_per_handler(void **state) {
  (void)state;
  Ir *ir;
  Linked *l = link_text(&ctx, STAGE, &ir);
  char *text = emit_manifest_text(ir, l, "stages/dev.yaml");
  json_error_t err;
  json_t *m = json_loads(text, 0, &err);
  assert_non_null(m);
  json_t *assets = json_object_get(m, "assets");
  assert_int_equal(json_array_size(assets), 2);
  json_t *shared = json_array_get(assets, 0);
  assert_string_equal(json_string_value(json_object_get(shared, "handler")), "shared");
  assert_string_equal(json_string_value(json_object_get(shared, "parameter")), "SharedCodeKey");
  assert_int_equal(json_array_size(json_object_get(shared, "functions")), 2);
  assert_true(json_is_null(json_object_get(shared, "file")));
  assert_string_equal(json_string_value(json_object_get(m, "stage")), "dev");
  assert_string_equal(json_string_value(json_object_get(m, "project")), "demo");
  assert_string_equal(json_string_value(json_object_get(m, "source")), "stages/dev.yaml");
  /* one stack (the default), its template file and its code-key parameters */
  json_t *stacks = json_object_get(m, "stacks");
  assert_int_equal(json_array_size(stacks), 1);
  json_t *st = json_array_get(stacks, 0);
  assert_string_equal(json_string_value(json_object_get(st, "name")), "demo-dev");
  assert_string_equal(json_string_value(json_object_get(st, "template")), "demo-dev.template.json");
  assert_int_equal(json_array_size(json_object_get(st, "depends_on")), 0);
  json_t *params = json_object_get(st, "parameters");
  assert_non_null(json_object_get(params, "SharedCodeKey"));
  assert_non_null(json_object_get(params, "CCodeKey"));
  assert_non_null(json_object_get(params, "AssetsBucket"));
  json_decref(m);
  free(text);
  linked_free(l);
  ir_free(ir);
}

static void commit_writes_every_file_and_no_temporaries(void **state) {
  (void)state;
  const char *dir = temp_dir(&ctx);
  Ir *ir;
  Linked *l = link_text(&ctx, STAGE, &ir);
  EmitBatch b = {{0}, {0}};
  const char *out = arena_printf(&ctx.arena, "%s/out/nested", dir);
  emit_stage(&ctx, &b, ir, l, "stage.yaml", out);
  const char *why = NULL;
  assert_true(emit_commit(&ctx, &b, &why));
  emit_batch_release(&b);
  /* DIR/<project>/<stage>: the stack's template and the manifest, nothing else */
  const char *stage_dir = arena_printf(&ctx.arena, "%s/demo/dev", out);
  assert_int_equal(count_entries(stage_dir), 2);
  char *text = slurp(arena_printf(&ctx.arena, "%s/demo-dev.template.json", stage_dir));
  char *expect = emit_json_text(l->stacks[0]->template);
  assert_string_equal(text, expect);
  free(text);
  free(expect);
  text = slurp(arena_printf(&ctx.arena, "%s/manifest.json", stage_dir));
  expect = emit_manifest_text(ir, l, "stage.yaml");
  assert_string_equal(text, expect);
  free(text);
  free(expect);
  linked_free(l);
  ir_free(ir);
}

static void a_failed_commit_leaves_old_files_alone(void **state) {
  (void)state;
  const char *dir = temp_dir(&ctx);
  assert_int_equal(mkdir(arena_printf(&ctx.arena, "%s/demo", dir), 0777), 0);
  const char *stage_dir = arena_printf(&ctx.arena, "%s/demo/dev", dir);
  assert_int_equal(mkdir(stage_dir, 0777), 0);
  write_text(stage_dir, "demo-dev.template.json", "old\n");
  /* manifest.json is a directory: its write must fail after the template's. */
  assert_int_equal(mkdir(arena_printf(&ctx.arena, "%s/manifest.json", stage_dir), 0777), 0);
  Ir *ir;
  Linked *l = link_text(&ctx, STAGE, &ir);
  EmitBatch b = {{0}, {0}};
  emit_stage(&ctx, &b, ir, l, "stage.yaml", dir);
  const char *why = NULL;
  bool ok = emit_commit(&ctx, &b, &why);
  emit_batch_release(&b);
  linked_free(l);
  ir_free(ir);
  assert_false(ok);
  assert_non_null(strstr(why, "manifest.json"));
  char *old = slurp(arena_printf(&ctx.arena, "%s/demo-dev.template.json", stage_dir));
  assert_string_equal(old, "old\n");
  free(old);
  assert_int_equal(count_entries(stage_dir), 2); /* no temporaries left */
}


/* A pid no process has (pid_max is at most 2^22). */
#define DEAD_PID "999999999"

static int count_temporaries(const char *dir) {
  DIR *d = opendir(dir);
  assert_non_null(d);
  int n = 0;
  for (struct dirent *e; (e = readdir(d));)
    n += outdir_is_temporary(e->d_name);
  closedir(d);
  return n;
}

static bool exists(const char *path) {
  struct stat st;
  return lstat(path, &st) == 0;
}

static bool is_file(const char *path) {
  struct stat st;
  return lstat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The demo stage into `out` as if packaged: each handler's zip is
 * assets/<handler>-<tag>.zip holding `zip` (both handlers the same bytes,
 * so the second is a hard link to the first). */
static void add_stage(EmitBatch *b, const char *out, const char *tag, const char *zip) {
  Ir *ir;
  Linked *l = link_text(&ctx, STAGE, &ir);
  for (size_t i = 0; i < ir->assets.len; i++) {
    IrAsset *a = ir->assets.items[i];
    a->file = arena_printf(&ctx.arena, "assets/%s-%s.zip", a->handler, tag);
    a->sha256 = tag;
    a->zip = (const unsigned char *)zip;
    a->zip_size = strlen(zip);
  }
  emit_stage(&ctx, b, ir, l, "stage.yaml", out);
  linked_free(l);
  ir_free(ir);
}

static bool build(const char *out, const char *tag, const char **why) {
  EmitBatch b = {{0}, {0}};
  add_stage(&b, out, tag, tag);
  bool ok = emit_commit(&ctx, &b, why);
  emit_batch_release(&b);
  return ok;
}

/* emit_check's count, its report in *text (in the arena). */
static size_t check(const char *out, const char *tag, const char **text) {
  EmitBatch b = {{0}, {0}};
  add_stage(&b, out, tag, tag);
  char *buf = NULL;
  size_t len = 0;
  FILE *report = open_memstream(&buf, &len);
  size_t n = emit_check(&ctx, &b, report);
  fclose(report);
  *text = arena_strdup(&ctx.arena, buf);
  free(buf);
  emit_batch_release(&b);
  return n;
}

static void links_planted_at_file_paths_are_replaced_not_written_through(void **state) {
  (void)state;
  const char *out = temp_dir(&ctx), *why = NULL;
  const char *stage = arena_printf(&ctx.arena, "%s/demo/dev", out);
  assert_true(build(out, "v1", &why));
  write_text(out, "victim", "victim\n");
  const char *victim = arena_printf(&ctx.arena, "%s/victim", out);
  const char *zip = arena_printf(&ctx.arena, "%s/assets/shared-v2.zip", stage);
  const char *tmpl = arena_printf(&ctx.arena, "%s/demo-dev.template.json", stage);
  const char *legacy = arena_printf(&ctx.arena, "%s/manifest.json.tmp.%ld", stage, (long)getpid());
  assert_int_equal(symlink(victim, zip), 0);
  assert_int_equal(unlink(tmpl), 0);
  assert_int_equal(symlink(victim, tmpl), 0);
  assert_int_equal(symlink(victim, legacy), 0); /* where an earlier lakec wrote */
  assert_true(build(out, "v2", &why));
  char *text = slurp(victim);
  assert_string_equal(text, "victim\n");
  free(text);
  assert_true(is_file(zip));
  assert_true(is_file(tmpl));
  text = slurp(zip);
  assert_string_equal(text, "v2");
  free(text);
  assert_false(exists(legacy));
  assert_int_equal(count_temporaries(arena_printf(&ctx.arena, "%s/demo", out)), 0);
  outdir_remove_at(AT_FDCWD, out);
}

static void a_linked_assets_or_stage_folder_is_refused_not_followed(void **state) {
  (void)state;
  const char *out = temp_dir(&ctx), *why = NULL, *report;
  const char *stage = arena_printf(&ctx.arena, "%s/demo/dev", out);
  const char *assets = arena_printf(&ctx.arena, "%s/assets", stage);
  assert_true(build(out, "v1", &why));
  const char *elsewhere = arena_printf(&ctx.arena, "%s/elsewhere", out);
  assert_int_equal(rename(assets, elsewhere), 0);
  assert_int_equal(symlink(elsewhere, assets), 0);
  /* The stale-zip cleanup would remove shared-v1.zip from the folder it owns. */
  assert_false(build(out, "v2", &why));
  assert_non_null(strstr(why, "assets' is a symbolic link"));
  assert_true(is_file(arena_printf(&ctx.arena, "%s/shared-v1.zip", elsewhere)));
  assert_int_equal(count_temporaries(arena_printf(&ctx.arena, "%s/demo", out)), 0);
  assert_true(check(out, "v2", &report) > 0);
  assert_non_null(strstr(report, "a build would fail: '"));
  /* The stage folder itself a link. */
  assert_int_equal(unlink(assets), 0);
  const char *moved = arena_printf(&ctx.arena, "%s/moved", out);
  assert_int_equal(rename(stage, moved), 0);
  assert_int_equal(symlink(moved, stage), 0);
  assert_false(build(out, "v2", &why));
  assert_non_null(strstr(why, "dev' is a symbolic link"));
  assert_true(is_file(arena_printf(&ctx.arena, "%s/demo-dev.template.json", moved)));
  outdir_remove_at(AT_FDCWD, out);
}

/* A child that did its part ends by SIGKILL, as a killed build would (and
 * without an exit of its own for a memory checker to judge: the parent's
 * memory it holds is not its to free); one that failed exits 1. */
static void die_killed(bool done) {
  if (done)
    raise(SIGKILL);
  _exit(1);
}

static void assert_killed(pid_t pid) {
  int status;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

/* The child writes the temporary folder and dies before the swap. */
static void killed_build(const char *out, const char *tag) {
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    EmitBatch b = {{0}, {0}};
    add_stage(&b, out, tag, tag);
    const char *why;
    die_killed(emit_prepare(&ctx, &b, &why));
  }
  assert_killed(pid);
}

static void a_killed_build_changes_nothing_and_the_next_removes_its_leftovers(void **state) {
  (void)state;
  const char *out = temp_dir(&ctx), *why = NULL, *report;
  const char *project = arena_printf(&ctx.arena, "%s/demo", out);
  const char *stage = arena_printf(&ctx.arena, "%s/demo/dev", out);
  assert_true(build(out, "v1", &why));
  assert_int_equal(check(out, "v1", &report), 0);
  killed_build(out, "v2");
  assert_int_equal(count_temporaries(project), 1);
  /* the old folder, whole */
  assert_true(is_file(arena_printf(&ctx.arena, "%s/assets/shared-v1.zip", stage)));
  assert_false(exists(arena_printf(&ctx.arena, "%s/assets/shared-v2.zip", stage)));
  assert_int_equal(count_entries(arena_printf(&ctx.arena, "%s/assets", stage)), 2);
  /* --check: up to date otherwise, but the leftover is named */
  assert_int_equal(check(out, "v1", &report), 1);
  assert_non_null(strstr(report, "/demo/.lakec-tmp."));
  assert_non_null(
      strstr(report, "is left over from an interrupted build; the next build removes it"));
  assert_true(build(out, "v2", &why));
  assert_int_equal(count_temporaries(project), 0);
  assert_int_equal(check(out, "v2", &report), 0);
  assert_true(is_file(arena_printf(&ctx.arena, "%s/assets/shared-v2.zip", stage)));
  assert_false(exists(arena_printf(&ctx.arena, "%s/assets/shared-v1.zip", stage)));
  outdir_remove_at(AT_FDCWD, out);
}

/* A folder named as a dead process's temporary, held (flock) by a live
 * child: a build in another pid namespace, whose pid means nothing here. */
static pid_t hold_temporary(const char *dir, const char *name, int *release) {
  int ready[2], go[2];
  assert_int_equal(pipe(ready), 0);
  assert_int_equal(pipe(go), 0);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) { /* the lock is the folder's: it stays when the folder is renamed */
    close(go[1]); /* so that the parent's close is seen as the end of the pipe */
    int fd;
    const char *made = outdir_temp_folder(&ctx.arena, dir, &fd);
    char c = 0;
    bool held = made && rename(made, arena_printf(&ctx.arena, "%s/%s", dir, name)) == 0;
    die_killed(write(ready[1], &c, 1) == 1 && held && read(go[0], &c, 1) == 0);
  }
  char c;
  assert_int_equal(read(ready[0], &c, 1), 1);
  close(ready[0]);
  close(ready[1]);
  close(go[0]);
  *release = go[1];
  return pid;
}

static void a_running_builds_temporaries_are_kept(void **state) {
  (void)state;
  const char *out = temp_dir(&ctx), *why = NULL, *report;
  const char *project = arena_printf(&ctx.arena, "%s/demo", out);
  assert_true(build(out, "v1", &why));
  int mine;
  assert_non_null(outdir_temp_folder(&ctx.arena, project, &mine)); /* this process's */
  int release;
  pid_t holder = hold_temporary(project, ".lakec-tmp." DEAD_PID ".held", &release);
  assert_true(build(out, "v2", &why));
  assert_int_equal(check(out, "v2", &report), 0);
  assert_int_equal(count_temporaries(project), 2);
  close(release); /* the holder ends */
  assert_killed(holder);
  assert_int_equal(check(out, "v2", &report), 1);
  assert_true(build(out, "v2", &why));
  assert_int_equal(count_temporaries(project), 1); /* mine: this process runs */
  close(mine);
  outdir_remove_at(AT_FDCWD, out);
}

static void other_files_are_carried_stale_ones_are_not(void **state) {
  (void)state;
  const char *out = temp_dir(&ctx), *why = NULL, *report;
  const char *stage = arena_printf(&ctx.arena, "%s/demo/dev", out);
  const char *assets = arena_printf(&ctx.arena, "%s/assets", stage);
  assert_true(build(out, "v1", &why));
  write_text(stage, "NOTES", "mine\n");
  write_text(assets, "README", "mine too\n");
  write_text(stage, "gone.template.json", "{}\n");
  write_text(stage, "demo-dev.template.json.tmp." DEAD_PID, "half");
  size_t differences = check(out, "v2", &report);
  /* the manifest, 2 zips missing, 2 to remove, a template, a temporary */
  assert_int_equal(differences, 7);
  assert_non_null(strstr(report, "gone.template.json' would be removed"));
  assert_non_null(strstr(report, "demo-dev.template.json.tmp." DEAD_PID "' is left over"));
  assert_true(build(out, "v2", &why));
  assert_true(is_file(arena_printf(&ctx.arena, "%s/NOTES", stage)));
  assert_true(is_file(arena_printf(&ctx.arena, "%s/README", assets)));
  assert_false(exists(arena_printf(&ctx.arena, "%s/gone.template.json", stage)));
  assert_false(exists(arena_printf(&ctx.arena, "%s/demo-dev.template.json.tmp." DEAD_PID, stage)));
  assert_false(exists(arena_printf(&ctx.arena, "%s/shared-v1.zip", assets)));
  /* both handlers' zips: one file, two names */
  struct stat a, b;
  assert_int_equal(stat(arena_printf(&ctx.arena, "%s/shared-v2.zip", assets), &a), 0);
  assert_int_equal(stat(arena_printf(&ctx.arena, "%s/c-v2.zip", assets), &b), 0);
  assert_int_equal(a.st_ino, b.st_ino);
  /* A folder lakec did not make would be lost with the old folder: refused. */
  assert_int_equal(mkdir(arena_printf(&ctx.arena, "%s/mine", stage), 0777), 0);
  assert_false(build(out, "v3", &why));
  assert_non_null(strstr(why, "mine' is a folder lakec did not write"));
  assert_true(is_file(arena_printf(&ctx.arena, "%s/shared-v2.zip", assets)));
  outdir_remove_at(AT_FDCWD, out);
}

static void removing_a_leftover_never_descends_into_a_link(void **state) {
  (void)state;
  const char *dir = temp_dir(&ctx);
  const char *victim = arena_printf(&ctx.arena, "%s/victim", dir);
  const char *left = arena_printf(&ctx.arena, "%s/.lakec-tmp." DEAD_PID ".abcdef", dir);
  assert_int_equal(mkdir(victim, 0777), 0);
  write_text(victim, "precious", "keep\n");
  assert_int_equal(mkdir(left, 0777), 0);
  assert_int_equal(mkdir(arena_printf(&ctx.arena, "%s/assets", left), 0777), 0);
  assert_int_equal(symlink(victim, arena_printf(&ctx.arena, "%s/assets/link", left)), 0);
  const char *link = arena_printf(&ctx.arena, "%s/.lakec-tmp." DEAD_PID ".link", dir);
  assert_int_equal(symlink(victim, link), 0);
  PtrVec found = {0};
  outdir_leftovers(&ctx.arena, dir, &found);
  assert_int_equal(found.len, 2);
  outdir_remove_leftovers(&ctx.arena, dir);
  assert_false(exists(left));
  assert_int_equal(count_temporaries(dir), 0);
  assert_true(is_file(arena_printf(&ctx.arena, "%s/precious", victim)));
  outdir_remove_at(AT_FDCWD, dir);
}

static void without_an_exchange_the_old_folder_is_renamed_aside_first(void **state) {
  (void)state;
  const char *dir = temp_dir(&ctx), *old = NULL;
  const char *final = arena_printf(&ctx.arena, "%s/dev", dir);
  const char *tmp = arena_printf(&ctx.arena, "%s/new", dir);
  assert_int_equal(mkdir(final, 0777), 0);
  assert_int_equal(mkdir(tmp, 0777), 0);
  write_text(final, "manifest.json", "old\n");
  write_text(tmp, "manifest.json", "new\n");
  assert_true(outdir_replace_in_two_steps(&ctx.arena, tmp, final, &old));
  char *text = slurp(arena_printf(&ctx.arena, "%s/manifest.json", final));
  assert_string_equal(text, "new\n");
  free(text);
  assert_non_null(strstr(old, "/.lakec-tmp."));
  text = slurp(arena_printf(&ctx.arena, "%s/manifest.json", old));
  assert_string_equal(text, "old\n");
  free(text);
  assert_false(exists(tmp));
  /* and when there is nothing to replace: false, nothing moved */
  const char *none = arena_printf(&ctx.arena, "%s/none", dir);
  assert_false(outdir_replace_in_two_steps(&ctx.arena, old, none, &old));
  assert_int_equal(count_temporaries(dir), 1);
  outdir_remove_at(AT_FDCWD, dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(text_is_deterministic, setup, teardown),
      cmocka_unit_test_setup_teardown(manifest_lists_one_asset_per_handler, setup, teardown),
      cmocka_unit_test_setup_teardown(commit_writes_every_file_and_no_temporaries, setup, teardown),
      cmocka_unit_test_setup_teardown(a_failed_commit_leaves_old_files_alone, setup, teardown),
      cmocka_unit_test_setup_teardown(links_planted_at_file_paths_are_replaced_not_written_through,
                                      setup, teardown),
      cmocka_unit_test_setup_teardown(a_linked_assets_or_stage_folder_is_refused_not_followed,
                                      setup, teardown),
      cmocka_unit_test_setup_teardown(
          a_killed_build_changes_nothing_and_the_next_removes_its_leftovers, setup, teardown),
      cmocka_unit_test_setup_teardown(a_running_builds_temporaries_are_kept, setup, teardown),
      cmocka_unit_test_setup_teardown(other_files_are_carried_stale_ones_are_not, setup, teardown),
      cmocka_unit_test_setup_teardown(removing_a_leftover_never_descends_into_a_link, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(without_an_exchange_the_old_folder_is_renamed_aside_first,
                                      setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
