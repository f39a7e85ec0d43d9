/* load: positions, scalars, and every input the loader must refuse. */
#include "support.h"
#include "load.h"

#include <stdlib.h>
#include <string.h>

static Ctx ctx;
static int setup(void **state) { (void)state; ctx_init(&ctx); return 0; }
static int teardown(void **state) { (void)state; ctx_release(&ctx); return 0; }

static void positions_are_one_based(void **state) {
  (void)state;
  Node *root = load_text(&ctx, "p.yaml", "a: 1\nfunctions:\n  ingest:\n    memory: \"512\"\n");
  assert_non_null(root);
  assert_int_equal(root->kind, NODE_MAP);
  Node *ingest = node_get(node_get(root, "functions"), "ingest");
  assert_non_null(ingest);
  const NodePair *mem = &ingest->pairs[0];
  assert_int_equal(mem->key->pos.line, 4);
  assert_int_equal(mem->key->pos.col, 5);
  assert_int_equal(mem->key->pos.len, 6);
  assert_int_equal(mem->value->pos.line, 4);
  assert_int_equal(mem->value->pos.col, 13);
  assert_int_equal(mem->value->pos.len, 5); /* quotes included */
  assert_true(mem->value->quoted);
  assert_string_equal(mem->value->str, "512");
  assert_string_equal(mem->key->pos.file->path, "p.yaml");
}

static void scalars_follow_the_core_schema(void **state) {
  (void)state;
  Node *root = load_text(&ctx, "s.yaml", "a: true\nb: 'true'\nc: 42\nd: ~\ne: yes\n");
  bool b;
  long long i;
  assert_true(node_scalar_bool(node_get(root, "a"), &b) && b);
  assert_false(node_scalar_bool(node_get(root, "b"), &b)); /* quoted: a string */
  assert_true(node_scalar_int(node_get(root, "c"), &i) && i == 42);
  assert_true(node_is_null(node_get(root, "d")));
  assert_false(node_scalar_bool(node_get(root, "e"), &b)); /* no YAML 1.1 yes/no */
  assert_string_equal(node_describe(node_get(root, "e")), "a string");
}

static void duplicate_keys_are_errors_with_a_note(void **state) {
  (void)state;
  assert_null(load_text(&ctx, "d.yaml", "a: 1\nb: 2\na: 3\n"));
  assert_string_equal(diag_at(&ctx, 0), "d.yaml:3:1: error: duplicate key 'a' [LK002]");
  const Diag *d = ctx.diags.head;
  assert_non_null(d->notes);
  assert_int_equal(d->notes->pos.line, 1);
}

static void syntax_errors_have_positions(void **state) {
  (void)state;
  assert_null(load_text(&ctx, "x.yaml", "a: 1\nb: [1, 2\nc: 3\n"));
  const Diag *d = ctx.diags.head;
  assert_non_null(d);
  assert_string_equal(d->code, "LK001");
  assert_true(d->pos.line >= 2);
}

static void tabs_are_syntax_errors(void **state) {
  (void)state;
  assert_null(load_text(&ctx, "t.yaml", "a:\n\tb: 1\n"));
  assert_string_equal(ctx.diags.head->code, "LK001");
  assert_int_equal(ctx.diags.head->pos.line, 2);
}

static void nul_bytes_are_refused(void **state) {
  (void)state;
  SourceFile *f = source_from_memory(&ctx, "n.yaml", "a: 1\nb: x\0y\n", 11);
  assert_null(load(&ctx, f));
  assert_string_equal(diag_at(&ctx, 0),
                      "n.yaml:2:5: error: file contains a NUL byte (is it a binary file?) [LK004]");
}

static void invalid_utf8_is_refused(void **state) {
  (void)state;
  assert_null(load_text(&ctx, "u.yaml", "a: caf\xe9\n"));
  assert_string_equal(ctx.diags.head->code, "LK004");
  assert_int_equal(ctx.diags.head->pos.line, 1);
}

static void empty_files_are_errors(void **state) {
  (void)state;
  assert_null(load_text(&ctx, "e.yaml", "# only a comment\n\n"));
  assert_string_equal(diag_at(&ctx, 0), "e.yaml:1:1: error: file is empty [LK005]");
}

static void deep_nesting_is_refused(void **state) {
  (void)state;
  char buf[400] = "";
  for (int i = 0; i < 100; i++)
    strcat(buf, "[");
  assert_null(load_text(&ctx, "deep.yaml", buf));
  assert_string_equal(ctx.diags.head->code, "LK003");
}

static void alias_bombs_are_refused(void **state) {
  (void)state;
  const char *bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
                     "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                     "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                     "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                     "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
                     "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
                     "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n";
  assert_null(load_text(&ctx, "bomb.yaml", bomb));
  assert_string_equal(ctx.diags.head->code, "LK003");
  assert_int_equal(ctx.diags.head->pos.line, 6);
}

static void aliases_share_their_anchor(void **state) {
  (void)state;
  Node *root = load_text(&ctx, "al.yaml", "a: &x {k: v}\nb: *x\n");
  assert_non_null(root);
  assert_ptr_equal(node_get(root, "a"), node_get(root, "b"));
}

/* !Ref x is {Ref: x}, !GetAtt A.B {Fn::GetAtt: A.B}, !Join [...] {Fn::Join: [...]}. */
static void cloudformation_short_forms_are_long_forms(void **state) {
  (void)state;
  Node *root = load_text(&ctx, "short.yaml", "a: !Ref x\nb: !GetAtt A.B\nc: !Join [\"-\", [p, !Ref q]]\n");
  assert_non_null(root);
  assert_string_equal(node_get(node_get(root, "a"), "Ref")->str, "x");
  assert_true(node_get(node_get(root, "a"), "Ref")->quoted); /* a name, never a number */
  assert_string_equal(node_get(node_get(root, "b"), "Fn::GetAtt")->str, "A.B");
  const Node *join = node_get(node_get(root, "c"), "Fn::Join");
  assert_int_equal(join->kind, NODE_SEQ);
  assert_string_equal(node_get(join->items[1]->items[1], "Ref")->str, "q");
}

static void unsupported_yaml_is_refused(void **state) {
  (void)state;
  assert_null(load_text(&ctx, "tag.yaml", "a: !Secret x\n"));
  assert_true(has_diag(&ctx, "LK006", "tag"));
  assert_null(load_text(&ctx, "docs.yaml", "a: 1\n---\nb: 2\n"));
  assert_true(has_diag(&ctx, "LK006", "second"));
  assert_null(load_text(&ctx, "key.yaml", "? [a]\n: 1\n"));
  assert_true(has_diag(&ctx, "LK006", "plain value"));
}

static void bom_and_crlf_keep_positions(void **state) {
  (void)state;
  Node *root = load_text(&ctx, "bom.yaml", "\xEF\xBB\xBFgood: 1\r\nbad: [\r\n");
  assert_null(root);
  root = load_text(&ctx, "crlf.yaml", "\xEF\xBB\xBF" "a: 1\r\nb: x\r\n");
  assert_non_null(root);
  assert_int_equal(node_get(root, "b")->pos.line, 2);
  assert_int_equal(node_get(root, "b")->pos.col, 4);
  assert_int_equal(root->pairs[0].key->pos.col, 1); /* the BOM is not a character */
}

/* What counts as text for an extended file (source_not_text): RFC 3629. */
static const char *not_text(const char *bytes, size_t n, unsigned *line) {
  return source_not_text(source_from_memory(&ctx, "t.yaml", bytes, n), line);
}

static void text_is_well_formed_utf8_without_controls(void **state) {
  (void)state;
  unsigned line;
  static const char ok[] = "\xEF\xBB\xBF" "a: caf\xC3\xA9\r\n\tb: \xF0\x9F\x98\x80\n";
  assert_null(not_text(ok, sizeof ok - 1, &line)); /* BOM, CRLF, tab, 2- and 4-byte characters */
  assert_string_equal(not_text("a: 1\nb: \0\n", 10, &line), "a NUL byte");
  assert_int_equal(line, 2);
  assert_string_equal(not_text("a: \x1B[31m\n", 9, &line), "a control character");
  static const char *const bad[] = {
      "\xC0\xAF",         /* overlong '/' */
      "\xE0\x80\xAF",     /* overlong, three bytes */
      "\xED\xA0\x80",     /* a UTF-16 surrogate */
      "\xF4\x90\x80\x80", /* above U+10FFFF */
      "\xE9t\xE9",        /* Latin-1 */
      "\xE2\x82",         /* cut short */
      "\xFF\xFE" "a",     /* UTF-16 */
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    assert_string_equal(not_text(bad[i], strlen(bad[i]), &line), "bytes that are not UTF-8");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(positions_are_one_based, setup, teardown),
      cmocka_unit_test_setup_teardown(scalars_follow_the_core_schema, setup, teardown),
      cmocka_unit_test_setup_teardown(duplicate_keys_are_errors_with_a_note, setup, teardown),
      cmocka_unit_test_setup_teardown(syntax_errors_have_positions, setup, teardown),
      cmocka_unit_test_setup_teardown(tabs_are_syntax_errors, setup, teardown),
      cmocka_unit_test_setup_teardown(nul_bytes_are_refused, setup, teardown),
      cmocka_unit_test_setup_teardown(invalid_utf8_is_refused, setup, teardown),
      cmocka_unit_test_setup_teardown(empty_files_are_errors, setup, teardown),
      cmocka_unit_test_setup_teardown(deep_nesting_is_refused, setup, teardown),
      cmocka_unit_test_setup_teardown(alias_bombs_are_refused, setup, teardown),
      cmocka_unit_test_setup_teardown(aliases_share_their_anchor, setup, teardown),
      cmocka_unit_test_setup_teardown(cloudformation_short_forms_are_long_forms, setup, teardown),
      cmocka_unit_test_setup_teardown(unsupported_yaml_is_refused, setup, teardown),
      cmocka_unit_test_setup_teardown(bom_and_crlf_keep_positions, setup, teardown),
      cmocka_unit_test_setup_teardown(text_is_well_formed_utf8_without_controls, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
