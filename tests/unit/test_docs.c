/* docs: the README's language reference and diagnostics table cover every key
 * of the language tables and every diagnostic code, so they cannot drift. */
#include "support.h"
#include "schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *readme;

static int load_readme(void **state) {
  (void)state;
  readme = read_source_file("README.md");
  if (!readme)
    return -1;
  return 0;
}

static int free_readme(void **state) {
  (void)state;
  free(readme);
  return 0;
}

/* `key` in a table row, or `parent.key`. */
static void check_shape(const Shape *sh, int depth) {
  for (size_t i = 0; i < sh->nfields; i++) {
    const Field *f = &sh->fields[i];
    char plain[96], dotted[96];
    snprintf(plain, sizeof plain, "| `%s` |", f->key);
    snprintf(dotted, sizeof dotted, ".%s` |", f->key);
    if (!strstr(readme, plain) && !strstr(readme, dotted))
      fail_msg("README's reference does not describe key '%s' of %s", f->key, sh->name);
    if (f->shape && depth < 8)
      check_shape(f->shape, depth + 1);
  }
}

static void every_key_is_documented(void **state) {
  (void)state;
  check_shape(schema_stage(), 0);
}

static void every_code_is_documented(void **state) {
  (void)state;
  for (const DiagCode *c = diag_codes(); c->code; c++) {
    char row[32];
    snprintf(row, sizeof row, "| %s |", c->code);
    if (!strstr(readme, row))
      fail_msg("README's diagnostics table lacks %s", c->code);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(every_key_is_documented),
      cmocka_unit_test(every_code_is_documented),
  };
  return cmocka_run_group_tests(tests, load_readme, free_readme);
}
