/* merge: extends chains, the deep-merge rules, and interpolation. */
#include "support.h"
#include "merge.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static Ctx ctx;
static int setup(void **state) { (void)state; ctx_init(&ctx); return 0; }
static int teardown(void **state) { (void)state; ctx_release(&ctx); return 0; }

static Node *merged(const char *base, const char *over) {
  Node *b = load_text(&ctx, "base.yaml", base);
  Node *o = load_text(&ctx, "over.yaml", over);
  assert_non_null(b);
  assert_non_null(o);
  return merge_trees(&ctx, b, o);
}

static void maps_merge_and_the_stage_wins(void **state) {
  (void)state;
  Node *m = merged("a: {x: 1, y: 2}\nb: base\n", "a: {y: 3, z: 4}\nc: new\n");
  Node *a = node_get(m, "a");
  assert_string_equal(node_get(a, "x")->str, "1");
  assert_string_equal(node_get(a, "y")->str, "3");
  assert_string_equal(node_get(a, "z")->str, "4");
  assert_string_equal(node_get(m, "b")->str, "base");
  assert_string_equal(node_get(m, "c")->str, "new");
  /* base order first, then new keys */
  assert_string_equal(m->pairs[0].key->str, "a");
  assert_string_equal(m->pairs[2].key->str, "c");
}

static void sequences_and_scalars_are_replaced(void **state) {
  (void)state;
  Node *m = merged("l: [1, 2, 3]\ns: {k: v}\n", "l: [9]\ns: plain\n");
  assert_int_equal(node_get(m, "l")->count, 1);
  assert_string_equal(node_get(m, "l")->items[0]->str, "9");
  assert_int_equal(node_get(m, "s")->kind, NODE_SCALAR);
}

static void null_removes_a_key(void **state) {
  (void)state;
  Node *m = merged("a: {x: 1, y: 2}\n", "a: {x: null}\n");
  assert_null(node_get(node_get(m, "a"), "x"));
  assert_non_null(node_get(node_get(m, "a"), "y"));
}

static void merged_values_keep_their_file(void **state) {
  (void)state;
  Node *m = merged("a: {x: 1}\nb: 2\n", "\n\na: {y: 5}\n");
  Node *a = node_get(m, "a");
  assert_string_equal(node_get(a, "x")->pos.file->path, "base.yaml");
  assert_string_equal(node_get(a, "y")->pos.file->path, "over.yaml");
  assert_int_equal(node_get(a, "y")->pos.line, 3);
  /* an overridden key is reported where the override is written */
  assert_string_equal(node_get_pair(m, "a")->key->pos.file->path, "over.yaml");
}

static void extends_chains_resolve_relative_paths(void **state) {
  (void)state;
  const char *dir = temp_dir(&ctx);
  char sub[512], marker[512];
  snprintf(sub, sizeof sub, "%s/stages", dir);
  assert_int_equal(mkdir(sub, 0777), 0);
  snprintf(marker, sizeof marker, "%s/.git", dir); /* dir is the project root: ../ stays in it */
  assert_int_equal(mkdir(marker, 0777), 0);
  write_text(dir, "base.yaml", "lakec: 1\nproject: p\nregion: eu-west-1\nv: ${stage}-${region}\n");
  write_text(dir, "mid.yaml", "extends: base.yaml\nregion: us-west-2\n");
  write_text(sub, "dev.yaml", "extends: ../mid.yaml\nstage: dev\n");
  char path[600];
  snprintf(path, sizeof path, "%s/dev.yaml", sub);
  Node *m = merge(&ctx, path);
  assert_int_equal(ctx.diags.errors, 0);
  assert_string_equal(node_get(m, "v")->str, "dev-us-west-2");
  assert_string_equal(node_get(m, "project")->str, "p");
}

static void extends_cycles_are_diagnosed(void **state) {
  (void)state;
  const char *dir = temp_dir(&ctx);
  write_text(dir, "a.yaml", "extends: b.yaml\nx: 1\n");
  write_text(dir, "b.yaml", "extends: a.yaml\ny: 2\n");
  char path[600];
  snprintf(path, sizeof path, "%s/a.yaml", dir);
  merge(&ctx, path);
  assert_true(has_diag(&ctx, "LK011", "cycle"));
  assert_int_equal(ctx.diags.head->pos.line, 1);
  assert_int_equal(ctx.diags.head->pos.col, 10);
}

static void missing_extends_is_diagnosed(void **state) {
  (void)state;
  const char *dir = temp_dir(&ctx);
  write_text(dir, "a.yaml", "x: 1\nextends: nowhere.yaml\n");
  char path[600];
  snprintf(path, sizeof path, "%s/a.yaml", dir);
  Node *m = merge(&ctx, path);
  assert_non_null(m);
  assert_true(has_diag(&ctx, "LK010", "nowhere.yaml"));
  assert_int_equal(ctx.diags.head->pos.line, 2);
}

static Node *interpolated(const char *yaml) {
  Node *root = load_text(&ctx, "i.yaml", yaml);
  assert_non_null(root);
  return merge_interpolate(&ctx, root);
}

static void variables_expand_in_strings(void **state) {
  (void)state;
  Node *m = interpolated("project: lake\nstage: qa\nregion: eu-west-1\naccount: '123456789012'\n"
                         "vars: {svc: 'api-${stage}'}\n"
                         "s: ${project}-${stage}-${region}-${account}\nt: ${var.svc}\n"
                         "u: $${stage} costs $5\nl: ['a-${stage}']\n");
  assert_int_equal(ctx.diags.errors, 0);
  assert_string_equal(node_get(m, "s")->str, "lake-qa-eu-west-1-123456789012");
  assert_string_equal(node_get(m, "t")->str, "api-qa");
  assert_string_equal(node_get(m, "u")->str, "${stage} costs $5");
  assert_string_equal(node_get(m, "l")->items[0]->str, "a-qa");
  assert_true(node_get(m, "t")->quoted); /* an expanded value is a string */
}

static void a_plain_variable_alone_keeps_its_type(void **state) {
  (void)state;
  Node *m = interpolated("stage: qa\nvars: {days: 7, on: true, text: '7'}\n"
                         "a: ${var.days}\nb: ${var.on}\nc: ${var.text}\nd: '${var.days}'\n"
                         "e: ${var.days}-x\n");
  assert_int_equal(ctx.diags.errors, 0);
  long long days = 0;
  assert_false(node_get(m, "a")->quoted); /* a plain 7: a number for an integer key */
  assert_true(node_scalar_int(node_get(m, "a"), &days));
  assert_int_equal(days, 7);
  assert_false(node_get(m, "b")->quoted);
  assert_true(node_get(m, "c")->quoted); /* the variable was written as text */
  assert_true(node_get(m, "d")->quoted); /* the value was */
  assert_true(node_get(m, "e")->quoted); /* more than the variable */
  assert_string_equal(node_get(m, "e")->str, "7-x");
}

static void undefined_variables_point_inside_the_string(void **state) {
  (void)state;
  interpolated("stage: dev\nname: x-${var.nope}-y\n");
  assert_string_equal(diag_at(&ctx, 0),
                      "i.yaml:2:9: error: undefined variable 'var.nope' [LK012]");
  assert_int_equal(ctx.diags.head->pos.len, 11);
}

static void unknown_and_unset_builtins(void **state) {
  (void)state;
  interpolated("stage: dev\na: ${stag}\nb: ${account}\nc: ${stage\n");
  assert_true(has_diag(&ctx, "LK012", "unknown variable 'stag'"));
  assert_string_equal(ctx.diags.head->fixit, "${stage}");
  assert_true(has_diag(&ctx, "LK012", "'account' is not set"));
  assert_true(has_diag(&ctx, "LK013", "not closed"));
}

static void variables_cannot_nest(void **state) {
  (void)state;
  interpolated("stage: ${project}\nvars: {a: '1', b: '${var.a}'}\n");
  assert_true(has_diag(&ctx, "LK013", "'stage' cannot use"));
  assert_true(has_diag(&ctx, "LK013", "cannot refer to another variable"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(maps_merge_and_the_stage_wins, setup, teardown),
      cmocka_unit_test_setup_teardown(sequences_and_scalars_are_replaced, setup, teardown),
      cmocka_unit_test_setup_teardown(null_removes_a_key, setup, teardown),
      cmocka_unit_test_setup_teardown(merged_values_keep_their_file, setup, teardown),
      cmocka_unit_test_setup_teardown(extends_chains_resolve_relative_paths, setup, teardown),
      cmocka_unit_test_setup_teardown(extends_cycles_are_diagnosed, setup, teardown),
      cmocka_unit_test_setup_teardown(missing_extends_is_diagnosed, setup, teardown),
      cmocka_unit_test_setup_teardown(variables_expand_in_strings, setup, teardown),
      cmocka_unit_test_setup_teardown(a_plain_variable_alone_keeps_its_type, setup, teardown),
      cmocka_unit_test_setup_teardown(undefined_variables_point_inside_the_string, setup, teardown),
      cmocka_unit_test_setup_teardown(unknown_and_unset_builtins, setup, teardown),
      cmocka_unit_test_setup_teardown(variables_cannot_nest, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
