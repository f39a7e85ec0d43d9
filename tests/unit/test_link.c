/* link: a stage's IR split into one template per stack. A value lakec fixes
 * itself (a name, an ARN built from one) crosses stacks as a literal and only
 * orders them; any other becomes an export of the producer imported by the
 * consumer (also inside Fn::Sub); DependsOn across stacks becomes a stack
 * dependency; a cycle (LK308) or an empty stack (LK312) gives no templates. */
#include "support.h"

#include "compile.h"

#include <stdlib.h>
#include <string.h>

static Ctx ctx;
static int setup(void **state) { (void)state; ctx_init(&ctx); return 0; }
static int teardown(void **state) { (void)state; ctx_release(&ctx); return 0; }

static const char *stack_key_at(const Linked *l, size_t i) { return l->stacks[i]->stack->key; }

static bool depends_on(const LinkedStack *s, const char *key) {
  for (size_t i = 0; i < s->depends_on.len; i++)
    if (!strcmp(((const IrStack *)s->depends_on.items[i])->key, key))
      return true;
  return false;
}

/* `b` is written first, but it uses `a`, so `a` is deployed first. */
#define TWO_STACKS                                                                       \
  MINIMAL_STAGE "stacks: {b: {}, a: {}}\n"                                               \
                "buckets: {data: {name: demo-data-dev, stack: a}}\n"                     \
                "functions:\n  f:\n    stack: b\n    grants: [{read: data/raw/}, {list: data/raw/}]\n"

static void known_values_cross_stacks_as_literals(void **state) {
  (void)state;
  Ir *ir;
  Linked *l = link_text(&ctx, TWO_STACKS, &ir);
  assert_int_equal(l->len, 2);
  const LinkedStack *a = linked_stack(l, "a"), *b = linked_stack(l, "b");
  assert_non_null(a);
  assert_non_null(b);
  assert_non_null(json_at(a->template, "Resources.DataBucket"));
  assert_null(json_at(a->template, "Resources.FFunction"));
  assert_non_null(json_at(b->template, "Resources.FFunction"));
  assert_null(json_at(b->template, "Resources.DataBucket"));
  /* the objects' ARN is written out: no ${DataBucket.Arn}, no import */
  json_t *st = json_at(b->template, "Resources.FFunctionRole.Properties.Policies.0.PolicyDocument.Statement");
  assert_non_null(st);
  const char *text = json_text(&ctx, st);
  assert_non_null(strstr(text, "{\"Fn::Sub\":\"arn:${AWS::Partition}:s3:::demo-data-dev/raw/*\"}"));
  assert_non_null(strstr(text, "{\"Fn::Sub\":\"arn:${AWS::Partition}:s3:::demo-data-dev\"}"));
  const char *whole = json_text(&ctx, b->template);
  assert_null(strstr(whole, "Fn::ImportValue"));
  assert_null(strstr(whole, "DataBucket"));
  assert_string_equal(json_string_value(json_at(b->template, "Resources.FFunction.Properties.Environment.Variables.LAKEC_BUCKET_DATA")),
                      "demo-data-dev");
  /* no exports were needed */
  assert_null(json_at(a->template, "Outputs.ExportDataBucketArn"));
  assert_null(strstr(json_text(&ctx, a->template), "\"Export\""));
  /* b depends on a; a first */
  assert_true(depends_on(b, "a"));
  assert_int_equal(a->depends_on.len, 0);
  assert_string_equal(stack_key_at(l, 0), "a");
  assert_string_equal(stack_key_at(l, 1), "b");
  linked_free(l);
  ir_free(ir);
}

/* No construct yet refers to a value of another one that lakec cannot know,
 * so the IR is built by hand: stack `base` holds a role, stack `app` a
 * function using its ARN (Fn::GetAtt, and ${Role.Arn} in Fn::Sub), its Ref
 * (Fn::Sub with a variable map) and a queue whose URL is known. */
static Ir *hand_built(void) {
  Ir *ir = ir_new(&ctx);
  ir->project = "demo";
  ir->stage = "dev";
  ir->description = "demo dev";
  const IrStack *base = ir_stack_add(&ctx, ir, "base", "demo-dev-base", "base", NULL);
  const IrStack *app = ir_stack_add(&ctx, ir, "app", "demo-dev-app", "app", NULL);
  ir->current_stack = base;
  ir_add(&ctx, ir, "Role", "AWS::IAM::Role", json_pack("{s:s}", "RoleName", "r"));
  ir_add(&ctx, ir, "Queue", "AWS::SQS::Queue", json_pack("{s:s}", "QueueName", "demo-dev-q"));
  ir_known_value(&ctx, ir, "Queue", NULL, json_string("https://example/demo-dev-q"));
  ir->current_stack = app;
  ir_add(&ctx, ir, "Log", "AWS::Logs::LogGroup", json_pack("{s:s}", "LogGroupName", "l"));
  IrResource *fn = ir_add(
      &ctx, ir, "Fn", "AWS::Lambda::Function",
      json_pack("{s:{s:[s,s]}, s:{s:s}, s:{s:[s,{s:s}]}, s:{s:s}}", "Role", "Fn::GetAtt", "Role",
                "Arn", "Description", "Fn::Sub", "role ${Role.Arn} in ${AWS::Region}", "Handler",
                "Fn::Sub", "${Role}/${Name}", "Name", "x", "QueueUrl", "Ref", "Queue"));
  ir_depends_on(&ctx, fn, "Role"); /* across stacks */
  ir_depends_on(&ctx, fn, "Log");  /* in its stack */
  return ir;
}

static void unknown_values_are_exported_and_imported(void **state) {
  (void)state;
  Ir *ir = hand_built();
  Linked *l = link_stacks(&ctx, ir);
  assert_int_equal(ctx.diags.errors, 0);
  assert_non_null(l);
  const LinkedStack *base = linked_stack(l, "base"), *app = linked_stack(l, "app");
  /* the producer exports Role.Arn and Role under <project>-<stage>-<stack>-<Id>[-<Attr>] */
  json_t *outputs = json_object_get(base->template, "Outputs");
  assert_non_null(outputs);
  json_t *want = json_pack("{s:s, s:{s:[s,s]}, s:{s:s}}", "Description",
                           "used by another stack of this stage (lakec)", "Value", "Fn::GetAtt",
                           "Role", "Arn", "Export", "Name", "demo-dev-base-Role-Arn");
  assert_string_equal(json_text(&ctx, json_object_get(outputs, "ExportRoleArn")),
                      json_text(&ctx, want));
  json_decref(want);
  assert_string_equal(json_string_value(json_at(outputs, "ExportRole.Export.Name")),
                      "demo-dev-base-Role");
  assert_string_equal(json_string_value(json_at(outputs, "ExportRole.Value.Ref")), "Role");
  assert_null(json_object_get(outputs, "ExportQueue")); /* its value is known */
  /* the consumer imports them */
  json_t *p = json_at(app->template, "Resources.Fn.Properties");
  assert_string_equal(json_text(&ctx, json_object_get(p, "Role")),
                      "{\"Fn::ImportValue\":\"demo-dev-base-Role-Arn\"}");
  assert_string_equal(json_text(&ctx, json_object_get(p, "Description")),
                      "{\"Fn::Sub\":[\"role ${ImportedRoleArn} in ${AWS::Region}\","
                      "{\"ImportedRoleArn\":{\"Fn::ImportValue\":\"demo-dev-base-Role-Arn\"}}]}");
  assert_string_equal(json_text(&ctx, json_object_get(p, "Handler")),
                      "{\"Fn::Sub\":[\"${ImportedRole}/${Name}\",{\"ImportedRole\":"
                      "{\"Fn::ImportValue\":\"demo-dev-base-Role\"},\"Name\":\"x\"}]}");
  assert_string_equal(json_string_value(json_object_get(p, "QueueUrl")), "https://example/demo-dev-q");
  /* DependsOn across stacks is dropped (the stack order does it), the other kept */
  assert_string_equal(json_text(&ctx, json_at(app->template, "Resources.Fn.DependsOn")), "[\"Log\"]");
  assert_true(depends_on(app, "base"));
  assert_int_equal(base->depends_on.len, 0);
  assert_string_equal(stack_key_at(l, 0), "base");
  assert_null(json_object_get(app->template, "Outputs"));
  linked_free(l);
  ir_free(ir);
}

static void depends_on_alone_orders_the_stacks(void **state) {
  (void)state;
  Ir *ir = ir_new(&ctx);
  ir->project = "demo";
  ir->stage = "dev";
  const IrStack *first = ir_stack_add(&ctx, ir, "first", "demo-dev-first", "x", NULL);
  const IrStack *second = ir_stack_add(&ctx, ir, "second", "demo-dev-second", "x", NULL);
  ir->current_stack = first;
  IrResource *a = ir_add(&ctx, ir, "A", "AWS::SQS::Queue", json_object());
  ir->current_stack = second;
  ir_add(&ctx, ir, "B", "AWS::SQS::Queue", json_object());
  ir_depends_on(&ctx, a, "B");
  Linked *l = link_stacks(&ctx, ir);
  assert_non_null(l);
  assert_string_equal(stack_key_at(l, 0), "second");
  assert_string_equal(stack_key_at(l, 1), "first");
  assert_true(depends_on(l->stacks[1], "second"));
  assert_null(json_at(l->stacks[1]->template, "Resources.A.DependsOn"));
  linked_free(l);
  ir_free(ir);
}

/* f1 (stack a) reads bucket two (stack b), f2 (stack b) reads bucket one
 * (stack a): each stack uses the other. */
#define CYCLE                                                                            \
  MINIMAL_STAGE "stacks: {a: {}, b: {}}\n"                                               \
                "buckets:\n  one: {name: demo-one-dev, stack: a}\n"                      \
                "  two: {name: demo-two-dev, stack: b}\n"                                 \
                "functions:\n  f1: {stack: a, grants: [{read: two}]}\n"                  \
                "  f2: {stack: b, grants: [{read: one}]}\n"

/* A queue in one stack feeding a function of another is no cycle: the
 * event source mapping lives with its function. */
static void a_queue_feeds_a_function_of_another_stack(void **state) {
  (void)state;
  Ir *ir = lower_text(&ctx, MINIMAL_STAGE "stacks: {a: {}, b: {}}\n"
                                          "functions:\n  worker: {stack: a}\n"
                                          "queues:\n  jobs: {stack: b, consumer: worker}\n");
  Linked *l = link_stacks(&ctx, ir);
  assert_non_null(l);
  assert_string_equal(stack_key_at(l, 0), "b");
  assert_true(depends_on(l->stacks[1], "b"));
  assert_non_null(json_at(l->stacks[1]->template, "Resources.JobsQueueMapping"));
  assert_null(json_at(l->stacks[0]->template, "Resources.JobsQueueMapping"));
  linked_free(l);
  ir_free(ir);
}

static void a_cycle_of_stacks_is_an_error(void **state) {
  (void)state;
  Ir *ir = lower_text(&ctx, CYCLE);
  Linked *l = link_stacks(&ctx, ir);
  assert_null(l);
  assert_int_equal(ctx.diags.errors, 1);
  assert_true(has_diag(&ctx, "LK308", "stacks use each other in a cycle"));
  /* the notes name a reference of each step */
  const Diag *d = ctx.diags.head;
  assert_non_null(d->notes);
  assert_non_null(d->notes->next);
  ir_free(ir);
}

static void compile_stage_gives_nothing_for_a_cycle(void **state) {
  (void)state;
  const char *dir = temp_dir(&ctx);
  write_text(dir, "cycle.yaml", CYCLE);
  Compiled c = compile_stage(&ctx, arena_printf(&ctx.arena, "%s/cycle.yaml", dir));
  assert_true(has_diag(&ctx, "LK308", "stacks use each other in a cycle"));
  assert_non_null(c.model);
  assert_null(c.ir);
  assert_null(c.linked);
  compiled_free(&c);
}

/* CloudFormation takes a template body of 1 MB at most (from S3). */
static void a_body_over_the_limit_is_an_error(void **state) {
  (void)state;
  Ir *ir = lower_text(&ctx, MINIMAL_STAGE "buckets: {data: {name: demo-data-dev}}\n");
  Linked *l = link_stacks(&ctx, ir);
  assert_non_null(l);
  link_check_body(&ctx, l->stacks[0], LINK_MAX_BODY);
  assert_int_equal(ctx.diags.errors, 0);
  link_check_body(&ctx, l->stacks[0], LINK_MAX_BODY + 1);
  assert_true(has_diag(&ctx, "LK309", "1048577 bytes of template body"));
  linked_free(l);
  ir_free(ir);
}

static void an_empty_stack_is_an_error(void **state) {
  (void)state;
  Ir *ir = lower_text(&ctx, MINIMAL_STAGE "stacks: {main: {}, spare: {}}\n"
                                          "buckets: {data: {name: demo-data-dev}}\n");
  Linked *l = link_stacks(&ctx, ir);
  assert_null(l);
  assert_int_equal(ctx.diags.errors, 1);
  assert_true(has_diag(&ctx, "LK312", "stack 'spare' has no resources"));
  /* at the stack's entry under `stacks:` */
  assert_int_equal(ctx.diags.head->pos.line, 4);
  ir_free(ir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(known_values_cross_stacks_as_literals, setup, teardown),
      cmocka_unit_test_setup_teardown(unknown_values_are_exported_and_imported, setup, teardown),
      cmocka_unit_test_setup_teardown(depends_on_alone_orders_the_stacks, setup, teardown),
      cmocka_unit_test_setup_teardown(a_cycle_of_stacks_is_an_error, setup, teardown),
      cmocka_unit_test_setup_teardown(a_queue_feeds_a_function_of_another_stack, setup, teardown),
      cmocka_unit_test_setup_teardown(a_body_over_the_limit_is_an_error, setup, teardown),
      cmocka_unit_test_setup_teardown(compile_stage_gives_nothing_for_a_cycle, setup, teardown),
      cmocka_unit_test_setup_teardown(an_empty_stack_is_an_error, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
