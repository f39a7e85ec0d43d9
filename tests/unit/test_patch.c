/* patch: the JSON pointers (RFC 6901) written by hand, and the operations
 * (RFC 6902) on lowered resources: order, lists, the parts of a resource. */
#include "support.h"
#include "lower.h"
#include "patch.h"

#include <string.h>

#define STAGE                                                                            \
  MINIMAL_STAGE "buckets: {data: {name: demo-dev-data, versioned: true}}\n"              \
                "queues: {jobs: {}}\npatches:\n"

static void pointer_segments_are_unescaped(void **state) {
  (void)state;
  Ctx ctx;
  ctx_init(&ctx);
  Pointer p;
  assert_true(patch_pointer_parse(&ctx.arena, "/A/b~1c/d~0e/~01/", &p));
  assert_int_equal(p.count, 5);
  assert_string_equal(p.segments[0].name, "A");
  assert_string_equal(p.segments[1].name, "b/c");
  assert_string_equal(p.segments[2].name, "d~e");
  assert_string_equal(p.segments[3].name, "~1"); /* ~01 is ~ then 1, not / */
  assert_string_equal(p.segments[4].name, "");   /* a trailing / names the key "" */
  /* where each segment is written, escaped, for the caret */
  assert_int_equal(p.segments[1].at, 3);
  assert_int_equal(p.segments[1].len, 4);
  assert_int_equal(p.segments[3].at, 13);
  assert_true(patch_pointer_parse(&ctx.arena, "/", &p));
  assert_int_equal(p.count, 1);
  assert_string_equal(p.segments[0].name, "");
  ctx_release(&ctx);
}

static void malformed_pointers_say_where(void **state) {
  (void)state;
  Ctx ctx;
  ctx_init(&ctx);
  Pointer p;
  assert_false(patch_pointer_parse(&ctx.arena, "A/b", &p));
  assert_int_equal(p.bad_at, 0);
  assert_non_null(strstr(p.why, "starts with '/'"));
  assert_false(patch_pointer_parse(&ctx.arena, "", &p));
  assert_false(patch_pointer_parse(&ctx.arena, "/a/b~2c", &p));
  assert_int_equal(p.bad_at, 4);
  assert_int_equal(p.bad_len, 2);
  assert_false(patch_pointer_parse(&ctx.arena, "/a~", &p));
  assert_int_equal(p.bad_at, 2);
  assert_int_equal(p.bad_len, 1);
  ctx_release(&ctx);
}

static void escaping_is_the_inverse(void **state) {
  (void)state;
  Ctx ctx;
  ctx_init(&ctx);
  const char *escaped = patch_pointer_escape(&ctx.arena, "a/b~c");
  assert_string_equal(escaped, "a~1b~0c");
  Pointer p;
  assert_true(patch_pointer_parse(&ctx.arena, arena_printf(&ctx.arena, "/%s", escaped), &p));
  assert_string_equal(p.segments[0].name, "a/b~c");
  ctx_release(&ctx);
}

static void array_indexes_are_rfc_6901s(void **state) {
  (void)state;
  size_t i = 99;
  assert_true(patch_array_index("0", &i));
  assert_int_equal(i, 0);
  assert_true(patch_array_index("12", &i));
  assert_int_equal(i, 12);
  assert_false(patch_array_index("01", &i));
  assert_false(patch_array_index("-1", &i));
  assert_false(patch_array_index("1a", &i));
  assert_false(patch_array_index("", &i));
  assert_false(patch_array_index("-", &i));
  assert_false(patch_array_index("99999999999", &i));
}

static void operations_apply_in_order(void **state) {
  (void)state;
  Ctx ctx;
  ctx_init(&ctx);
  Ir *ir = lower_text(&ctx, STAGE
                      "  - {op: replace, path: /DataBucket/Properties/VersioningConfiguration/Status, value: Suspended}\n"
                      "  - {op: test, path: /DataBucket/Properties/VersioningConfiguration/Status, value: Suspended}\n"
                      "  - {op: replace, path: /DataBucket/Properties/VersioningConfiguration/Status, value: Enabled}\n"
                      "  - {op: add, path: /JobsQueue/Properties/Tags/0, value: {Key: first, Value: '1'}}\n"
                      "  - {op: add, path: /JobsQueue/Properties/Tags/-, value: {Key: last, Value: 2}}\n"
                      "  - {op: remove, path: /JobsQueue/Properties/Tags/1}\n"
                      "  - {op: add, path: /JobsQueue/Properties/Delay~1Seconds, value: 5}\n");
  assert_int_equal(ctx.diags.errors, 0);
  assert_string_equal(res_str(ir, "DataBucket", "Properties.VersioningConfiguration.Status"),
                      "Enabled");
  json_t *tags = res_get(ir, "JobsQueue", "Properties.Tags");
  size_t n = json_array_size(tags);
  assert_true(n >= 3);
  assert_string_equal(json_string_value(json_object_get(json_array_get(tags, 0), "Key")), "first");
  /* lakec's first tag (ManagedBy) was index 1 after the insert: removed */
  assert_string_not_equal(json_string_value(json_object_get(json_array_get(tags, 1), "Key")),
                          "ManagedBy");
  json_t *last = json_array_get(tags, n - 1);
  assert_string_equal(json_string_value(json_object_get(last, "Key")), "last");
  assert_true(json_is_integer(json_object_get(last, "Value"))); /* YAML's type kept */
  assert_string_equal(json_string_value(json_object_get(json_array_get(tags, 0), "Value")), "1");
  json_t *props = ((IrResource *)ir_find(ir, "JobsQueue"))->properties;
  assert_int_equal(json_integer_value(json_object_get(props, "Delay/Seconds")), 5);
  ir_free(ir);
  ctx_release(&ctx);
}

static void the_parts_of_a_resource_are_patched(void **state) {
  (void)state;
  Ctx ctx;
  ctx_init(&ctx);
  Ir *ir = lower_text(&ctx, STAGE
                      "  - {op: add, path: /JobsQueue/DependsOn/-, value: DataBucket}\n"
                      "  - {op: replace, path: /JobsQueue/DeletionPolicy, value: Retain}\n"
                      "  - {op: remove, path: /JobsQueue/UpdateReplacePolicy}\n"
                      "  - {op: add, path: /JobsQueue/Metadata, value: {bucket: '${buckets.data.arn}'}}\n"
                      "  - {op: replace, path: /DataBucket/DependsOn, value: JobsQueue}\n"
                      "  - {op: remove, path: /DataBucket/DependsOn}\n");
  IrResource *q = ir_find(ir, "JobsQueue"), *b = ir_find(ir, "DataBucket");
  assert_int_equal(q->depends_on.len, 1);
  assert_string_equal(q->depends_on.items[0], "DataBucket");
  assert_string_equal(q->deletion_policy, "Retain");
  assert_null(q->update_replace_policy);
  assert_string_equal(json_text(&ctx, q->metadata),
                      "{\"bucket\":{\"Fn::GetAtt\":[\"DataBucket\",\"Arn\"]}}");
  assert_int_equal(b->depends_on.len, 0);
  ir_free(ir);
  ctx_release(&ctx);
}

/* A patch changes only its resource, even where lowering shared a value. */
static void a_patch_changes_one_resource(void **state) {
  (void)state;
  Ctx ctx;
  ctx_init(&ctx);
  Ir *ir = lower_text(&ctx, STAGE "  - {op: remove, path: /JobsQueue/Properties/Tags/0}\n");
  json_t *queue_tags = res_get(ir, "JobsQueue", "Properties.Tags");
  json_t *bucket_tags = res_get(ir, "DataBucket", "Properties.Tags");
  assert_int_equal(json_array_size(queue_tags) + 1, json_array_size(bucket_tags));
  ir_free(ir);
  ctx_release(&ctx);
}

/* Errors found while applying: each reported, none stops the others. */
static void apply_errors_are_all_reported(void **state) {
  (void)state;
  Ctx ctx;
  ctx_init(&ctx);
  Model *m = check_text(&ctx, STAGE
                        "  - {op: replace, path: /DataBuket/Properties/BucketName, value: x}\n"
                        "  - {op: remove, path: /DataBucket/Properties/Tags/40}\n"
                        "  - {op: test, path: /DataBucket/Properties/BucketName, value: other}\n"
                        "  - {op: replace, path: /DataBucket/Properties, value: 3}\n");
  assert_int_equal(ctx.diags.errors, 0);
  Ir *ir = lower(&ctx, m);
  assert_true(has_diag(&ctx, LK_PATCH_ID, "no resource with the logical id 'DataBuket'"));
  assert_true(has_diag(&ctx, LK_PATCH_PATH, ": no index 40"));
  assert_true(has_diag(&ctx, LK_PATCH_TEST, "is \"demo-dev-data\", not \"other\""));
  assert_true(has_diag(&ctx, LK_WRONG_TYPE, "Properties is a map, not a number"));
  assert_int_equal(ctx.diags.errors, 4);
  /* the refused patches changed nothing */
  assert_true(json_is_object(res_get(ir, "DataBucket", "Properties")));
  ir_free(ir);
  ctx_release(&ctx);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(pointer_segments_are_unescaped),
      cmocka_unit_test(malformed_pointers_say_where),
      cmocka_unit_test(escaping_is_the_inverse),
      cmocka_unit_test(array_indexes_are_rfc_6901s),
      cmocka_unit_test(operations_apply_in_order),
      cmocka_unit_test(the_parts_of_a_resource_are_patched),
      cmocka_unit_test(a_patch_changes_one_resource),
      cmocka_unit_test(apply_errors_are_all_reported),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
