/* emit: deterministic text, the manifest, all-or-nothing writes. */
#include "support.h"
#include "emit.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(text_is_deterministic, setup, teardown),
      cmocka_unit_test_setup_teardown(manifest_lists_one_asset_per_handler, setup, teardown),
      cmocka_unit_test_setup_teardown(commit_writes_every_file_and_no_temporaries, setup, teardown),
      cmocka_unit_test_setup_teardown(a_failed_commit_leaves_old_files_alone, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
