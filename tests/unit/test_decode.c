/* decode: the table-driven checks (types, required, unknown, ranges, enums). */
#include "support.h"

#include "construct.h"

static Ctx ctx;
static int setup(void **state) { (void)state; ctx_init(&ctx); return 0; }
static int teardown(void **state) { (void)state; ctx_release(&ctx); return 0; }

static void defaults_are_applied(void **state) {
  (void)state;
  Model *m = check_text(&ctx, MINIMAL_STAGE "functions:\n  ingest: {}\n");
  assert_int_equal(ctx.diags.errors, 0);
  assert_int_equal(construct_count(m, &construct_function), 1);
  const Function *f = construct_item(m, &construct_function, 0);
  assert_int_equal(f->memory, 256);
  assert_int_equal(f->timeout, 3);
  assert_int_equal(f->log_retention, 30);
  assert_string_equal(f->name, "demo-dev-ingest");
  assert_string_equal(f->handler, "ingest");
  assert_string_equal(m->region, "us-east-1");
  assert_int_equal(m->production, 0);
}

static void unknown_keys_suggest_the_nearest(void **state) {
  (void)state;
  check_text(&ctx, MINIMAL_STAGE "functions:\n  ingest:\n    scheduel: rate(1 minute)\n");
  assert_string_equal(diag_at(&ctx, 0),
                      "stage.yaml:6:5: error: unknown key 'scheduel' in function 'ingest' [LK104]");
  assert_string_equal(ctx.diags.head->fixit, "schedule");
}

static void unknown_keys_far_from_all_get_no_suggestion(void **state) {
  (void)state;
  check_text(&ctx, MINIMAL_STAGE "zzzzzz: 1\n");
  assert_true(has_diag(&ctx, "LK104", "'zzzzzz' in the stage"));
  assert_null(ctx.diags.head->fixit);
}

static void missing_required_keys(void **state) {
  (void)state;
  check_text(&ctx, "lakec: 1\nstage: dev\nbuckets:\n  data: {versioned: true}\n");
  assert_true(has_diag(&ctx, "LK102", "'project' in the stage"));
  assert_true(has_diag(&ctx, "LK102", "'name' in bucket 'data'"));
}

static void wrong_types(void **state) {
  (void)state;
  check_text(&ctx, MINIMAL_STAGE "production: yes\nfunctions:\n  f:\n    memory: lots\n"
                                 "    environment: [A]\n    grants: {read: x}\n");
  assert_true(has_diag(&ctx, "LK101", "'production' must be true or false, not 'yes'"));
  assert_true(has_diag(&ctx, "LK101", "'memory' must be a whole number, not 'lots'"));
  assert_true(has_diag(&ctx, "LK101", "'environment' must be a map"));
  assert_true(has_diag(&ctx, "LK101", "'grants' must be a list of grants, not a map"));
}

static void ranges_are_checked(void **state) {
  (void)state;
  check_text(&ctx, MINIMAL_STAGE "functions:\n  f:\n    memory: 64\n    timeout: 901\n");
  assert_true(has_diag(&ctx, "LK105", "'memory' is 64, outside the range 128..10240"));
  assert_true(has_diag(&ctx, "LK105", "'timeout' is 901, outside the range 1..900"));
}

static void enums_list_their_values(void **state) {
  (void)state;
  check_text(&ctx, MINIMAL_STAGE "functions:\n  f: {architecture: arm46}\n");
  assert_true(has_diag(&ctx, "LK103", "must be one of x86_64, arm64, not 'arm46'"));
  assert_string_equal(ctx.diags.head->fixit, "arm64");
}

static void shorthand_scalars_expand(void **state) {
  (void)state;
  Model *m = check_text(&ctx, MINIMAL_STAGE "functions:\n  f: {schedule: rate(5 minutes)}\n");
  assert_int_equal(ctx.diags.errors, 0);
  const Function *f = construct_item(m, &construct_function, 0);
  assert_string_equal(f->schedule.expression, "rate(5 minutes)");
  assert_int_equal(f->schedule.enabled, 1);
}

static void a_grant_has_exactly_one_action(void **state) {
  (void)state;
  check_text(&ctx, MINIMAL_STAGE "buckets: {b: {name: demo-bucket-x}}\nfunctions:\n  f:\n"
                                 "    grants:\n      - {read: b/x/, write: b/y/}\n      - {}\n");
  assert_true(has_diag(&ctx, "LK303", "'read' and 'write' are both set"));
  assert_true(has_diag(&ctx, "LK102", "needs one of the keys read, list, write, delete, crawl, query"));
}

static void the_root_must_be_a_map(void **state) {
  (void)state;
  check_text(&ctx, "- just\n- a list\n");
  assert_string_equal(diag_at(&ctx, 0),
                      "stage.yaml:1:1: error: a stage file must be a map of settings, not a "
                      "sequence [LK101]");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(defaults_are_applied, setup, teardown),
      cmocka_unit_test_setup_teardown(unknown_keys_suggest_the_nearest, setup, teardown),
      cmocka_unit_test_setup_teardown(unknown_keys_far_from_all_get_no_suggestion, setup, teardown),
      cmocka_unit_test_setup_teardown(missing_required_keys, setup, teardown),
      cmocka_unit_test_setup_teardown(wrong_types, setup, teardown),
      cmocka_unit_test_setup_teardown(ranges_are_checked, setup, teardown),
      cmocka_unit_test_setup_teardown(enums_list_their_values, setup, teardown),
      cmocka_unit_test_setup_teardown(shorthand_scalars_expand, setup, teardown),
      cmocka_unit_test_setup_teardown(a_grant_has_exactly_one_action, setup, teardown),
      cmocka_unit_test_setup_teardown(the_root_must_be_a_map, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
