/* diag: GCC-shaped rendering, carets, fix-its, notes and the summary. */
#include "support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static Ctx ctx;
static int setup(void **state) { (void)state; ctx_init(&ctx); return 0; }
static int teardown(void **state) { (void)state; ctx_release(&ctx); return 0; }

static SourceFile *file_of(const char *name, const char *text) {
  return source_from_memory(&ctx, name, text, strlen(text));
}

static char *render(bool color) {
  char *buf = NULL;
  size_t size = 0;
  FILE *fp = open_memstream(&buf, &size);
  diag_render(&ctx, fp, color);
  fclose(fp);
  return buf;
}

/* Diagnostics come out in file and line order, whatever order phases found them. */
static void renders_like_gcc(void **state) {
  (void)state;
  SourceFile *f = file_of("stages/prod.yaml", "functions:\n  ingest:\n    scheduel: rate(1 minute)\n");
  Pos at = {f, 3, 5, 8};
  Diag *d = diag_error(&ctx, at, "LK104", "unknown key '%s' in function 'ingest'", "scheduel");
  diag_fixit(&ctx, d, "schedule");
  diag_note(&ctx, d, (Pos){f, 2, 3, 6}, "function 'ingest' is defined here");
  diag_warning(&ctx, (Pos){f, 1, 1, 0}, "LK999", "a warning");
  char *out = render(false);
  assert_string_equal(out,
                      "stages/prod.yaml:1:1: warning: a warning [LK999]\n"
                      "    1 | functions:\n"
                      "      | ^\n"
                      "stages/prod.yaml:3:5: error: unknown key 'scheduel' in function 'ingest' [LK104]\n"
                      "    3 |     scheduel: rate(1 minute)\n"
                      "      |     ^~~~~~~~\n"
                      "      |     schedule\n"
                      "stages/prod.yaml:2:3: note: function 'ingest' is defined here\n"
                      "    2 |   ingest:\n"
                      "      |   ^~~~~~\n"
                      "1 error, 1 warning generated.\n");
  free(out);
}

static void colour_only_when_asked(void **state) {
  (void)state;
  SourceFile *f = file_of("a.yaml", "a: 1\n");
  diag_error(&ctx, (Pos){f, 1, 1, 1}, "LK104", "x");
  char *plain = render(false), *color = render(true);
  assert_null(strchr(plain, '\033'));
  assert_non_null(strstr(color, "\033[1;31merror"));
  free(plain);
  free(color);
}

static void inherited_values_name_the_extending_file(void **state) {
  (void)state;
  SourceFile *stage = file_of("stages/dev.yaml", "extends: ../t.yaml\n");
  SourceFile *base = file_of("t.yaml", "x: 1\n");
  base->included_from = (Pos){stage, 1, 10, 9};
  diag_error(&ctx, (Pos){base, 1, 4, 1}, "LK101", "bad");
  char *out = render(false);
  assert_non_null(strstr(out, "stages/dev.yaml:1:10: note: 't.yaml' is extended by 'stages/dev.yaml'\n"));
  free(out);
}

static void utf8_and_tabs_keep_the_caret_aligned(void **state) {
  (void)state;
  SourceFile *f = file_of("u.yaml", "\tk: \xc3\xa9t\xc3\xa9 x\n");
  diag_error(&ctx, (Pos){f, 1, 9, 1}, "LK104", "x");
  char *out = render(false);
  assert_non_null(strstr(out, "      | \t       ^\n"));
  free(out);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(renders_like_gcc, setup, teardown),
      cmocka_unit_test_setup_teardown(colour_only_when_asked, setup, teardown),
      cmocka_unit_test_setup_teardown(inherited_values_name_the_extending_file, setup, teardown),
      cmocka_unit_test_setup_teardown(utf8_and_tabs_keep_the_caret_aligned, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
