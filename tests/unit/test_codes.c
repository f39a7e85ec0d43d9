/* codes: every code has an explanation, and its wrong example really gives
 * that diagnostic while its right example gives none: `lakec explain` cannot
 * tell users something the checker does not do. */
#include "support.h"
#include "codes.h"

#include <string.h>

/* Examples that need several files, show bytes as text or are about the
 * handler programs: read, not run (tests/cli/run.sh runs the packaging ones). */
static bool illustrative(const char *code) {
  return !strcmp(code, LK_INPUT_LIMIT) || !strcmp(code, LK_ENCODING) ||
         !strcmp(code, LK_EXTENDS_NOT_FOUND) || !strcmp(code, LK_EXTENDS_CYCLE) ||
         !strcmp(code, LK_STAGE_COLLISION) || !strcmp(code, LK_LANG_VERSION) ||
         !strncmp(code, "LK5", 3); /* packaging: the problem is in files, not YAML */
}

static int count_code(Ctx *ctx, const char *code) {
  int n = 0;
  for (const Diag *d = ctx->diags.head; d; d = d->next)
    n += d->code && !strcmp(d->code, code);
  return n;
}

static void every_code_is_explained(void **state) {
  (void)state;
  int n = 0;
  for (const DiagCode *c = DIAG_CODES; c->code; c++, n++) {
    assert_true(strlen(c->title) > 3);
    assert_true(strlen(c->explanation) > 40);
    assert_ptr_equal(diag_code_find(c->code), c);
    assert_ptr_equal(diag_code_find(c->code + 2), c);
  }
  assert_true(n >= 30);
  assert_null(diag_code_find("LK999"));
  assert_non_null(diag_code_find("lk104"));
}

static void examples_do_what_they_say(void **state) {
  (void)state;
  for (const DiagCode *c = DIAG_CODES; c->code; c++) {
    if (illustrative(c->code))
      continue;
    Ctx ctx;
    ctx_init(&ctx);
    check_text(&ctx, c->bad);
    if (count_code(&ctx, c->code) == 0)
      fail_msg("%s: the wrong example does not give %s (first: %s)", c->code, c->code,
               diag_at(&ctx, 0) ? diag_at(&ctx, 0) : "nothing");
    ctx_release(&ctx);
    ctx_init(&ctx);
    check_text(&ctx, c->good);
    if (ctx.diags.errors || count_code(&ctx, c->code))
      fail_msg("%s: the right example is not clean: %s", c->code, diag_at(&ctx, 0));
    ctx_release(&ctx);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(every_code_is_explained),
      cmocka_unit_test(examples_do_what_they_say),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
