/* codes: every code has an explanation, and its wrong example really gives
 * that diagnostic while its right example gives none: `lakec explain` cannot
 * tell users something the checker does not do. */
#include "support.h"
#include "codes.h"
#include "construct.h"
#include "lower.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Examples that need several files, show bytes as text, abbreviate a large
 * input or are about the handler programs: read, not run (tests/cli/run.sh runs the packaging ones). */
static bool illustrative(const char *code) {
  return !strcmp(code, LK_INPUT_LIMIT) || !strcmp(code, LK_ENCODING) ||
         !strcmp(code, LK_EXTENDS_NOT_FOUND) || !strcmp(code, LK_EXTENDS_CYCLE) ||
         !strcmp(code, LK_EXTENDS_REFUSED) ||
         !strcmp(code, LK_STAGE_COLLISION) || !strcmp(code, LK_LANG_VERSION) ||
         !strcmp(code, LK_STACK_LIMIT) || /* "... 150 functions", like LK_INPUT_LIMIT's */
         !strcmp(code, "LK366") || /* needs the previous build's template */
         !strncmp(code, "LK5", 3) || /* packaging: the problem is in files, not YAML */
         !strcmp(code, LK_PREVIEW_PRODUCTION) || /* needs --as (tests/integration/lakec_deploy.py) */
         (!strncmp(code, "LK39", 4) && !construct_named("resources")); /* raw resources: run
                                                                         * once the key exists */
}

static int count_code(Ctx *ctx, const char *code) {
  int n = 0;
  for (const Diag *d = ctx->diags.head; d; d = d->next)
    n += d->code && !strcmp(d->code, code);
  return n;
}

/* The phases a build runs on one file: check, and when it is clean, lower and
 * link (some codes, a cycle of stacks or an empty stack, come from linking). */
static void run_phases(Ctx *ctx, const char *text) {
  Model *m = check_text(ctx, text);
  if (!m || ctx->diags.errors)
    return;
  Ir *ir = lower(ctx, m);
  linked_free(link_stacks(ctx, ir));
  ir_free(ir);
}

static void every_code_is_explained(void **state) {
  (void)state;
  int n = 0;
  for (const DiagCode *c = diag_codes(); c->code; c++, n++) {
    assert_true(strlen(c->title) > 3);
    assert_true(strlen(c->explanation) > 40);
    assert_ptr_equal(diag_code_find(c->code), c);
    /* the core's and the constructs' codes, sorted: a code used twice shows here */
    if (c != diag_codes())
      assert_true(strcmp(c[-1].code, c->code) < 0);
    assert_ptr_equal(diag_code_find(c->code + 2), c);
  }
  assert_true(n >= 30);
  assert_null(diag_code_find("LK999"));
  assert_non_null(diag_code_find("lk104"));
}

/* Every example is run through the phases a build runs; all the failing
 * ones are listed before the test fails. */
static void examples_do_what_they_say(void **state) {
  (void)state;
  int failures = 0;
  /* The jobs' examples name scripts beside the stage file (the current
   * directory for check_text): a folder of their own holds them. */
  Ctx files;
  ctx_init(&files);
  const char *dir = temp_dir(&files);
  char scripts[PATH_MAX], was[PATH_MAX];
  snprintf(scripts, sizeof scripts, "%s/scripts", dir);
  assert_int_equal(mkdir(scripts, 0700), 0);
  write_text(dir, "compact.py", "print('compact')\n");
  write_text(dir, "scripts/compact.py", "print('compact')\n");
  /* The functions' examples name code: a file, and two directories. */
  char src[PATH_MAX], hello[PATH_MAX], ingest[PATH_MAX];
  snprintf(src, sizeof src, "%s/src", dir);
  snprintf(hello, sizeof hello, "%s/src/hello", dir);
  snprintf(ingest, sizeof ingest, "%s/src/ingest", dir);
  assert_int_equal(mkdir(src, 0700) | mkdir(hello, 0700) | mkdir(ingest, 0700), 0);
  write_text(dir, "hello.py", "def main(event, context): pass\n");
  write_text(dir, "src/hello/hello.py", "def main(event, context): pass\n");
  write_text(dir, "src/ingest/app.py", "def main(event, context): pass\n");
  assert_non_null(getcwd(was, sizeof was));
  assert_int_equal(chdir(dir), 0);
  for (const DiagCode *c = diag_codes(); c->code; c++) {
    if (illustrative(c->code))
      continue;
    Ctx ctx;
    ctx_init(&ctx);
    run_phases(&ctx, c->bad);
    if (count_code(&ctx, c->code) == 0) {
      print_error("%s: the wrong example does not give %s (first: %s)\n", c->code, c->code,
                  diag_at(&ctx, 0) ? diag_at(&ctx, 0) : "nothing");
      failures++;
    }
    ctx_release(&ctx);
    ctx_init(&ctx);
    run_phases(&ctx, c->good);
    if (ctx.diags.errors || count_code(&ctx, c->code)) {
      print_error("%s: the right example is not clean: %s\n", c->code, diag_at(&ctx, 0));
      failures++;
    }
    ctx_release(&ctx);
  }
  assert_int_equal(chdir(was), 0);
  unlink(arena_printf(&files.arena, "%s/compact.py", dir));
  unlink(arena_printf(&files.arena, "%s/compact.py", scripts));
  rmdir(scripts);
  unlink(arena_printf(&files.arena, "%s/hello.py", dir));
  unlink(arena_printf(&files.arena, "%s/hello.py", hello));
  unlink(arena_printf(&files.arena, "%s/app.py", ingest));
  rmdir(hello);
  rmdir(ingest);
  rmdir(src);
  ctx_release(&files);
  if (failures)
    fail_msg("%d example(s) do not do what they say", failures);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(every_code_is_explained),
      cmocka_unit_test(examples_do_what_they_say),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
