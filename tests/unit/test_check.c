/* check: computed defaults, names, schedules, references, stage policy. */
#include "support.h"

#include "compile.h"
#include "construct.h"

#include <stdio.h>
#include <string.h>

extern const Construct construct_database, construct_api;

static Ctx ctx;
static int setup(void **state) { (void)state; ctx_init(&ctx); return 0; }
static int teardown(void **state) { (void)state; ctx_release(&ctx); return 0; }

#define LAKE                                                                             \
  MINIMAL_STAGE "buckets:\n  data: {name: demo-data-dev}\n"                              \
                "databases:\n  catalog:\n    name: demo_dev\n"                                     \
                "    crawlers:\n      processed: {bucket: data, prefix: processed/}\n"       \
                "workgroups:\n  athena:\n    name: demo-dev\n    results: {bucket: data}\n"

static void production_turns_on_versioning_and_retention(void **state) {
  (void)state;
  Model *m = check_text(&ctx, MINIMAL_STAGE "production: true\nbuckets:\n  a: {name: demo-a-1}\n"
                                            "  b: {name: demo-b-1, retain: false}\n"
                                            "apis: {api: {name: x, auth: iam, routes: {}}}\n");
  assert_int_equal(construct_count(m, &construct_bucket), 2);
  const Bucket *a = construct_item(m, &construct_bucket, 0);
  const Bucket *b = construct_item(m, &construct_bucket, 1);
  assert_int_equal(a->versioned, 1);
  assert_int_equal(a->retain, 1);
  assert_int_equal(b->retain, 0);
  m = check_text(&ctx, MINIMAL_STAGE "buckets:\n  a: {name: demo-a-1}\n");
  a = construct_item(m, &construct_bucket, 0);
  assert_int_equal(a->versioned, 0);
}

static void bucket_names_follow_s3_rules(void **state) {
  (void)state;
  check_text(&ctx, MINIMAL_STAGE "buckets:\n  a: {name: Metrics_Dev}\n  b: {name: ab}\n"
                                 "  c: {name: 192.168.1.1}\n  d: {name: demo-dup}\n  e: {name: demo-dup}\n");
  assert_true(has_diag(&ctx, "LK201", "'Metrics_Dev' is invalid: S3 bucket names use only"));
  assert_true(has_diag(&ctx, "LK201", "'ab' is invalid: S3 bucket names are 3 to 63"));
  assert_true(has_diag(&ctx, "LK201", "IP address"));
  assert_true(has_diag(&ctx, "LK302", "same name 'demo-dup'"));
}

static void service_names_are_checked(void **state) {
  (void)state;
  check_text(&ctx, MINIMAL_STAGE "databases: {catalog: {name: Metrics-DB}}\n"
                                 "functions:\n  f: {name: 'has space'}\n"
                                 "apis: {api: {name: 'bad/name', routes: {}}}\n");
  assert_true(has_diag(&ctx, "LK202", "database name 'Metrics-DB'"));
  assert_true(has_diag(&ctx, "LK203", "function name 'has space'"));
  assert_true(has_diag(&ctx, "LK204", "API name 'bad/name'"));
}

static void schedules_point_at_the_bad_field(void **state) {
  (void)state;
  check_text(&ctx, MINIMAL_STAGE "functions:\n  f:\n    schedule: cron(75 * * * ? *)\n");
  assert_string_equal(diag_at(&ctx, 0),
                      "stage.yaml:6:20: error: invalid schedule 'cron(75 * * * ? *)': minute "
                      "'75' is outside 0..59 [LK206]");
  assert_int_equal(ctx.diags.head->pos.len, 2);
}

static void references_must_exist(void **state) {
  (void)state;
  check_text(&ctx, LAKE "functions:\n  f:\n    on_object_created: {bucket: dat}\n"
                        "    grants:\n      - read: nope/raw/\n      - crawl: procesed\n"
                        "apis:\n  api:\n    name: a\n    routes:\n      GET /m: g\n");
  assert_true(has_diag(&ctx, "LK301", "no bucket named 'dat'"));
  assert_true(has_diag(&ctx, "LK301", "no bucket named 'nope'"));
  assert_true(has_diag(&ctx, "LK301", "no crawler named 'procesed'"));
  assert_true(has_diag(&ctx, "LK301", "no function named 'g' in 'functions'"));
}

static void locations_resolve_to_bucket_and_prefix(void **state) {
  (void)state;
  Model *m = check_text(&ctx, LAKE "functions:\n  f:\n    grants:\n      - read: data/raw/\n"
                                   "      - write: data\n      - query: processed\n");
  assert_int_equal(ctx.diags.errors, 0);
  const Function *f = construct_item(m, &construct_function, 0);
  assert_ptr_equal(f->grants.items[0].where.bucket, construct_item(m, &construct_bucket, 0));
  assert_string_equal(f->grants.items[0].where.prefix, "raw/");
  assert_string_equal(f->grants.items[0].verb->verb, "read");
  assert_string_equal(f->grants.items[1].where.prefix, "");
  assert_string_equal(f->grants.items[1].verb->verb, "write");
  assert_string_equal(f->grants.items[2].verb->verb, "query");
  const Database *db = construct_find(m, &construct_database, "catalog");
  assert_non_null(db);
  assert_ptr_equal(f->grants.items[2].target, &db->crawlers.items[0]);
}

static void bad_prefixes_are_refused(void **state) {
  (void)state;
  check_text(&ctx, LAKE "functions:\n  f:\n    grants:\n      - read: data//x\n      - write: data/a*\n");
  assert_true(has_diag(&ctx, "LK208", "prefix '/x' is invalid"));
  assert_true(has_diag(&ctx, "LK208", "prefix 'a*' is invalid"));
}

static void routes_are_parsed_and_unique(void **state) {
  (void)state;
  Model *m = check_text(&ctx, MINIMAL_STAGE "functions: {q: {}}\napis:\n  api:\n    name: a\n    cors: {}\n"
                                            "    routes:\n      GET /items/{id}: q\n      ANY /items/{id}: q\n"
                                            "      FETCH /x: q\n      GET x: q\n      OPTIONS /y: q\n");
  assert_true(has_diag(&ctx, "LK302", "'ANY /items/{id}' overlaps route 'GET /items/{id}'"));
  assert_true(has_diag(&ctx, "LK207", "route 'FETCH /x' is invalid"));
  assert_true(has_diag(&ctx, "LK207", "route 'GET x' is invalid"));
  assert_true(has_diag(&ctx, "LK303", "conflicts with 'cors'"));
  const Api *api = construct_find(m, &construct_api, "api");
  assert_non_null(api);
  assert_string_equal(api->routes.items[0].path, "/items/{id}");
}

static void production_may_not_serve_an_open_api(void **state) {
  (void)state;
  check_text(&ctx, MINIMAL_STAGE "production: true\nfunctions: {q: {}}\n"
                                 "apis: {api: {name: a, routes: {GET /m: q}}}\n");
  assert_true(has_diag(&ctx, "LK401", "auth: none"));
}

static void keys_that_collide_as_logical_ids(void **state) {
  (void)state;
  check_text(&ctx, MINIMAL_STAGE "functions:\n  raw-data: {}\n  raw_data: {}\n  9lives: {}\n");
  assert_true(has_diag(&ctx, "LK302", "both give the id 'RawData'"));
  assert_true(has_diag(&ctx, "LK211", "'9lives' is invalid: names start with a letter"));
}

static void environment_and_tags_are_checked(void **state) {
  (void)state;
  check_text(&ctx, MINIMAL_STAGE "tags: {'aws:x': y, Stage: z}\nfunctions:\n"
                                 "  f: {environment: {AWS_REGION: x, 1A: y}, log_retention: 31}\n");
  assert_true(has_diag(&ctx, "LK209", "'aws:' are reserved"));
  assert_true(has_diag(&ctx, "LK209", "set by lakec itself"));
  assert_true(has_diag(&ctx, "LK210", "'AWS_REGION' is invalid: this environment variable is reserved"));
  assert_true(has_diag(&ctx, "LK210", "'1A' is invalid"));
  assert_true(has_diag(&ctx, "LK105", "'log_retention' is 31"));
}

static void language_version_is_checked(void **state) {
  (void)state;
  check_text(&ctx, "lakec: 2\nproject: demo\nstage: dev\n");
  assert_true(has_diag(&ctx, "LK106", "version 2"));
}

static void production_rules_have_explicit_opt_outs(void **state) {
  (void)state;
  const char *stage = MINIMAL_STAGE "production: true\n%s"
                                    "buckets: {a: {name: demo-a-1, versioned: false, retain: false}}\n"
                                    "functions:\n  f: {schedule: {expression: rate(1 hour), enabled: false}}\n"
                                    "apis: {api: {name: x, auth: none, routes: {GET /m: f}}}\n";
  char text[1024];
  snprintf(text, sizeof text, stage, "");
  check_text(&ctx, text);
  assert_true(has_diag(&ctx, "LK401", "allow_open_api"));
  assert_true(has_diag(&ctx, "LK402", "must be versioned"));
  assert_true(has_diag(&ctx, "LK402", "must be retained"));
  assert_true(has_diag(&ctx, "LK403", "allow_disabled_schedules"));
  ctx_release(&ctx);
  ctx_init(&ctx);
  snprintf(text, sizeof text, stage,
           "policy: {allow_open_api: true, allow_unversioned_buckets: true,\n"
           "         allow_unretained_buckets: true, allow_disabled_schedules: true}\n");
  check_text(&ctx, text);
  assert_int_equal(ctx.diags.errors, 0);
}

static void a_function_may_not_trigger_itself(void **state) {
  (void)state;
  check_text(&ctx, MINIMAL_STAGE "buckets: {d: {name: demo-d-1}}\nfunctions:\n"
                                 "  p:\n    on_object_created: {bucket: d, prefix: raw/}\n"
                                 "    grants: [{write: d/processed/}, {write: d}]\n");
  assert_int_equal(ctx.diags.errors, 1);
  assert_true(has_diag(&ctx, "LK304", "may write under 'd/'"));
}

static void overlapping_triggers_warn(void **state) {
  (void)state;
  check_text(&ctx, MINIMAL_STAGE "buckets: {d: {name: demo-d-1}}\nfunctions:\n"
                                 "  a: {on_object_created: {bucket: d, prefix: raw/, suffix: .csv}}\n"
                                 "  b: {on_object_created: {bucket: d, prefix: raw/x/}}\n"
                                 "  c: {on_object_created: {bucket: d, prefix: raw/, suffix: .json}}\n"
                                 "  e: {on_object_created: {bucket: d, prefix: other/}}\n");
  assert_int_equal(ctx.diags.errors, 0);
  assert_int_equal(ctx.diags.warnings, 2); /* a-b and b-c; a-c differ in suffix, e is apart */
  assert_true(has_diag(&ctx, "LK305", "invoke both 'a' and 'b'"));
  assert_true(has_diag(&ctx, "LK305", "invoke both 'b' and 'c'"));
}

static void api_functions_should_answer_in_time(void **state) {
  (void)state;
  check_text(&ctx, MINIMAL_STAGE "functions: {q: {timeout: 60}, r: {timeout: 29}}\n"
                                 "apis: {api: {name: a, routes: {GET /a: q, GET /b: q, GET /c: r}}}\n");
  assert_int_equal(ctx.diags.warnings, 1);
  assert_true(has_diag(&ctx, "LK306", "may run 60 seconds"));
}

static void werror_makes_warnings_errors(void **state) {
  (void)state;
  ctx.diags.werror = true;
  check_text(&ctx, MINIMAL_STAGE "functions: {q: {timeout: 60}}\napis: {api: {name: a, routes: {GET /a: q}}}\n");
  assert_int_equal(ctx.diags.errors, 1);
  assert_int_equal(ctx.diags.warnings, 0);
  assert_int_equal(ctx.diags.head->severity, SEV_ERROR);
}

static void regions_look_like_regions(void **state) {
  (void)state;
  check_text(&ctx, MINIMAL_STAGE "region: us-gov-west-1\n");
  assert_int_equal(ctx.diags.errors, 0);
  check_text(&ctx, MINIMAL_STAGE "region: US_EAST\n");
  assert_true(has_diag(&ctx, "LK211", "region 'US_EAST' is invalid"));
}

static Compiled compile_file(const char *dir, const char *name, const char *text) {
  write_text(dir, name, text);
  return compile_stage(&ctx, arena_printf(&ctx.arena, "%s/%s", dir, name));
}

static void stages_may_not_create_the_same_names(void **state) {
  (void)state;
  const char *dir = temp_dir(&ctx);
  Compiled c[3];
  c[0] = compile_file(dir, "dev.yaml", "lakec: 1\nproject: p\nstage: dev\n"
                                       "buckets: {a: {name: shared-bucket}}\nfunctions: {f: {name: fn}}\n");
  c[1] = compile_file(dir, "prod.yaml", "lakec: 1\nproject: p\nstage: prod\n"
                                        "buckets: {a: {name: shared-bucket}}\nfunctions: {f: {name: fn}}\n");
  c[2] = compile_file(dir, "other.yaml", "lakec: 1\nproject: p\nstage: other\naccount: '111122223333'\n"
                                         "functions: {f: {name: fn}}\n");
  assert_int_equal(ctx.diags.errors, 0);
  compile_across_stages(&ctx, c, 3, true);
  assert_true(has_diag(&ctx, "LK307", "'dev' and 'prod' would both create the bucket 'shared-bucket'"));
  assert_true(has_diag(&ctx, "LK307", "the function 'fn' in the same account and region"));
  assert_int_equal(ctx.diags.errors, 2); /* 'other' is another account */
  for (int i = 0; i < 3; i++)
    compiled_free(&c[i]);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(production_turns_on_versioning_and_retention, setup, teardown),
      cmocka_unit_test_setup_teardown(bucket_names_follow_s3_rules, setup, teardown),
      cmocka_unit_test_setup_teardown(service_names_are_checked, setup, teardown),
      cmocka_unit_test_setup_teardown(schedules_point_at_the_bad_field, setup, teardown),
      cmocka_unit_test_setup_teardown(references_must_exist, setup, teardown),
      cmocka_unit_test_setup_teardown(locations_resolve_to_bucket_and_prefix, setup, teardown),
      cmocka_unit_test_setup_teardown(bad_prefixes_are_refused, setup, teardown),
      cmocka_unit_test_setup_teardown(routes_are_parsed_and_unique, setup, teardown),
      cmocka_unit_test_setup_teardown(production_may_not_serve_an_open_api, setup, teardown),
      cmocka_unit_test_setup_teardown(keys_that_collide_as_logical_ids, setup, teardown),
      cmocka_unit_test_setup_teardown(environment_and_tags_are_checked, setup, teardown),
      cmocka_unit_test_setup_teardown(language_version_is_checked, setup, teardown),
      cmocka_unit_test_setup_teardown(production_rules_have_explicit_opt_outs, setup, teardown),
      cmocka_unit_test_setup_teardown(a_function_may_not_trigger_itself, setup, teardown),
      cmocka_unit_test_setup_teardown(overlapping_triggers_warn, setup, teardown),
      cmocka_unit_test_setup_teardown(api_functions_should_answer_in_time, setup, teardown),
      cmocka_unit_test_setup_teardown(werror_makes_warnings_errors, setup, teardown),
      cmocka_unit_test_setup_teardown(regions_look_like_regions, setup, teardown),
      cmocka_unit_test_setup_teardown(stages_may_not_create_the_same_names, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
