/* constructs: every construct of the registry (CONSTRUCTS[]) is complete: it
 * names its key, kind and doc, has a shape whose every field is documented
 * and which ends with `stack`, a check and a lower function, grant verbs with
 * all their parts, well-formed tag rules, a section in the README, and a
 * fixture stage (tests/constructs/<key>.yaml) that compiles cleanly and in
 * which the construct really creates resources. A new construct without any
 * of these fails here. */
#include "support.h"

#include "check.h"
#include "construct.h"
#include "lower.h"
#include "merge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool nonempty(const char *s) { return s && *s; }

/* ---- the registry's entries ---- */

static void every_construct_names_itself(void **state) {
  (void)state;
  assert_true(CONSTRUCTS_COUNT >= 6);
  for (size_t i = 0; i < CONSTRUCTS_COUNT; i++) {
    const Construct *c = CONSTRUCTS[i];
    assert_non_null(c);
    if (!nonempty(c->key) || !nonempty(c->kind) || !nonempty(c->doc))
      fail_msg("construct %zu lacks a key, kind or doc", i);
    if (!c->shape || !c->shape->fields || c->shape->nfields == 0)
      fail_msg("construct '%s' has no shape with fields", c->key);
    if (!c->check)
      fail_msg("construct '%s' lacks a check function", c->key);
    if (!c->lower && !c->verbs)
      fail_msg("construct '%s' creates nothing and offers no grant: it does nothing", c->key);
    /* an item is a map by key: the key lands in the item (MODEL_ITEM_HEADER) */
    assert_int_equal(c->shape->key_offset, offsetof(Item, key));
    assert_int_equal(c->shape->node_offset, offsetof(Item, node));
    assert_ptr_equal(construct_named(c->key), c);
    for (size_t j = 0; j < i; j++)
      if (!strcmp(CONSTRUCTS[j]->key, c->key) || !strcmp(CONSTRUCTS[j]->kind, c->kind))
        fail_msg("constructs %zu and %zu share key '%s' or kind '%s'", j, i, c->key, c->kind);
  }
  assert_ptr_equal(construct_named("buckets"), &construct_bucket);
  assert_ptr_equal(construct_named("functions"), &construct_function);
  assert_null(construct_named("nothing"));
}

static void check_fields(const Construct *c, const Shape *sh, int depth) {
  if (depth > 8)
    fail_msg("construct '%s': shapes nest too deep (a cycle?)", c->key);
  for (size_t i = 0; i < sh->nfields; i++) {
    const Field *f = &sh->fields[i];
    if (!nonempty(f->key))
      fail_msg("construct '%s': field %zu of %s has no key", c->key, i, sh->name);
    if (!nonempty(f->doc))
      fail_msg("construct '%s': field '%s' of %s has no doc", c->key, f->key, sh->name);
    bool nested = f->type == F_STRUCT || f->type == F_MAP_OF || f->type == F_LIST_OF;
    if (nested != (f->shape != NULL))
      fail_msg("construct '%s': field '%s' of %s: a nested type needs a shape (only)", c->key,
               f->key, sh->name);
    if (f->type == F_ENUM && (!f->values || !f->values[0]))
      fail_msg("construct '%s': enum field '%s' has no values", c->key, f->key);
    if (f->shape) {
      if (!nonempty(f->shape->name) || f->shape->nfields == 0)
        fail_msg("construct '%s': field '%s' has an empty shape", c->key, f->key);
      check_fields(c, f->shape, depth + 1);
    }
  }
}

static void every_field_is_documented(void **state) {
  (void)state;
  schema_stage(); /* builds the grant shape the functions' table refers to */
  for (size_t i = 0; i < CONSTRUCTS_COUNT; i++)
    check_fields(CONSTRUCTS[i], CONSTRUCTS[i]->shape, 0);
}

static void every_shape_ends_with_stack(void **state) {
  (void)state;
  for (size_t i = 0; i < CONSTRUCTS_COUNT; i++) {
    const Construct *c = CONSTRUCTS[i];
    const Field *last = &c->shape->fields[c->shape->nfields - 1];
    if (!c->lower) { /* it creates nothing: no stack to put it in */
      for (size_t k = 0; k < c->shape->nfields; k++)
        if (!strcmp(c->shape->fields[k].key, "stack"))
          fail_msg("construct '%s' creates nothing but has a 'stack'", c->key);
      continue;
    }
    if (strcmp(last->key, "stack") != 0)
      fail_msg("construct '%s' ends with '%s', not 'stack' (ITEM_FIELDS)", c->key, last->key);
    assert_int_equal(last->type, F_STR);
    assert_int_equal(last->offset, offsetof(Item, stack));
    for (size_t k = 0; k + 1 < c->shape->nfields; k++)
      if (!strcmp(c->shape->fields[k].key, "stack"))
        fail_msg("construct '%s' has 'stack' twice", c->key);
  }
}

static void every_verb_is_complete(void **state) {
  (void)state;
  size_t verbs = 0;
  for (size_t i = 0; i < CONSTRUCTS_COUNT; i++) {
    const Construct *c = CONSTRUCTS[i];
    for (const GrantVerb *const *v = c->verbs; v && *v; v++, verbs++) {
      const GrantVerb *g = *v;
      if (!nonempty(g->verb) || !nonempty(g->doc))
        fail_msg("construct '%s' offers a verb without a name or doc", c->key);
      if (!g->resolve || !g->statements || !g->environment)
        fail_msg("verb '%s' of '%s' lacks resolve, statements or environment", g->verb, c->key);
      /* A verb several constructs offer (invoke: an API or a function) is
       * resolved by its target's name: none of them may take a map. */
      const Construct *owner = NULL;
      const GrantVerb *first = construct_verb(g->verb, &owner);
      if (first != g && (g->value_shape || first->value_shape))
        fail_msg("verb '%s' of '%s' takes a map and is offered by '%s' too", g->verb, c->key,
                 owner->key);
    }
  }
  assert_true(verbs >= 7); /* read write delete crawl query send consume */
  const Construct *owner = NULL;
  assert_non_null(construct_verb("send", &owner));
  assert_string_equal(owner->key, "queues");
  assert_null(construct_verb("launch", NULL));
  /* invoke: functions come first in the registry, the APIs' is shared. */
  assert_non_null(construct_verb("invoke", &owner));
  assert_string_equal(owner->key, "functions");
  assert_non_null(construct_verb("post_to_connection", &owner));
  assert_string_equal(owner->key, "websockets");
}

static void tag_rules_are_well_formed(void **state) {
  (void)state;
  for (size_t i = 0; i < CONSTRUCTS_COUNT; i++) {
    const Construct *c = CONSTRUCTS[i];
    if (!c->tags)
      fail_msg("construct '%s' has no tag rules (an empty list is {NULL})", c->key);
    for (const TagRule *t = c->tags; t->type; t++) {
      /* AWS::Service::Resource */
      const char *a = strstr(t->type, "::"), *b = a ? strstr(a + 2, "::") : NULL;
      if (strncmp(t->type, "AWS::", 5) != 0 || !b || b == a + 2 || !b[2] || strstr(b + 2, "::"))
        fail_msg("construct '%s': tag rule type '%s' is not AWS::Service::Resource", c->key,
                 t->type);
      size_t n = nonempty(t->property) ? strlen(t->property) : 0;
      if (n < 4 || strcmp(t->property + n - 4, "Tags") != 0)
        fail_msg("construct '%s': tag property '%s' of %s", c->key,
                 t->property ? t->property : "(null)", t->type);
      if (t->shape != TAGS_LIST && t->shape != TAGS_MAP)
        fail_msg("construct '%s': tag shape of %s", c->key, t->type);
      for (const TagRule *u = c->tags; u != t; u++)
        if (!strcmp(u->type, t->type))
          fail_msg("construct '%s' has two tag rules for %s", c->key, t->type);
    }
  }
}

/* ---- the README ---- */

/* A heading line ("#...") naming the key in backquotes: "### `queues`", or
 * "### `buckets.<key>`" (the key's items). */
static bool has_heading(const char *readme, const char *key) {
  char plain[96], dotted[96];
  snprintf(plain, sizeof plain, "`%s`", key);
  snprintf(dotted, sizeof dotted, "`%s.", key);
  for (const char *line = readme; line && *line;) {
    const char *end = strchr(line, '\n');
    size_t n = end ? (size_t)(end - line) : strlen(line);
    if (line[0] == '#') {
      char buf[512];
      snprintf(buf, sizeof buf, "%.*s", (int)(n < sizeof buf ? n : sizeof buf - 1), line);
      if (strstr(buf, plain) || strstr(buf, dotted))
        return true;
    }
    line = end ? end + 1 : NULL;
  }
  return false;
}

static void every_construct_has_a_readme_section(void **state) {
  (void)state;
  char *readme = read_source_file("README.md");
  assert_non_null(readme);
  int missing = 0;
  for (size_t i = 0; i < CONSTRUCTS_COUNT; i++)
    if (!has_heading(readme, CONSTRUCTS[i]->key)) {
      print_error("README has no section heading naming `%s`\n", CONSTRUCTS[i]->key);
      missing++;
    }
  if (!has_heading(readme, "stacks")) { /* the stage's stacks, which every construct names */
    print_error("README has no section heading naming `stacks`\n");
    missing++;
  }
  free(readme);
  if (missing)
    fail_msg("%d section(s) missing from the README", missing);
}

/* ---- the fixtures ---- */

typedef struct Phases {
  Model *model;
  Ir *ir;
  Linked *linked;
} Phases;

/* load, merge (interpolation), check, lower, link: no errors allowed. */
static Phases compile_text(Ctx *ctx, const char *name, const char *yaml) {
  Phases p = {0};
  Node *root = load_text(ctx, name, yaml);
  assert_non_null(root);
  p.model = check(ctx, merge_interpolate(ctx, root));
  if (ctx->diags.errors)
    fail_msg("%s: %s", name, diag_at(ctx, 0));
  p.ir = lower(ctx, p.model);
  p.linked = link_stacks(ctx, p.ir);
  if (ctx->diags.errors)
    fail_msg("%s: %s", name, diag_at(ctx, 0));
  assert_non_null(p.linked);
  return p;
}

/* The resources lowered from an item: lower records the item's node as each
 * resource's origin, so a resource whose origin is one of the construct's
 * items was made by the construct (not by another one it refers to). */
static size_t resources_of(const Ir *ir, const Item *item) {
  size_t n = 0;
  for (size_t i = 0; i < ir->resources.len; i++)
    n += ((const IrResource *)ir->resources.items[i])->origin == item->node;
  return n;
}

/* The same for outputs (a construct of raw outputs makes only those). */
static size_t outputs_of(const Ir *ir, const Item *item) {
  size_t n = 0;
  for (size_t i = 0; i < ir->outputs.len; i++)
    n += ((const IrEntry *)ir->outputs.items[i])->origin == item->node;
  return n;
}

static bool is_tagged_type(const Construct *c, const char *type) {
  for (const TagRule *t = c->tags; t->type; t++)
    if (!strcmp(t->type, type))
      return true;
  return false;
}

static void every_construct_has_a_fixture_that_compiles(void **state) {
  (void)state;
  for (size_t i = 0; i < CONSTRUCTS_COUNT; i++) {
    const Construct *c = CONSTRUCTS[i];
    char rel[128];
    snprintf(rel, sizeof rel, "tests/constructs/%s.yaml", c->key);
    char *text = read_source_file(rel);
    if (!text)
      fail_msg("construct '%s' has no fixture %s", c->key, rel);
    Ctx ctx;
    ctx_init(&ctx);
    /* by its absolute name: a job's script is found beside it */
    const char *src = getenv("LAKEC_SOURCE_DIR");
    const char *path = src ? arena_printf(&ctx.arena, "%s/%s", src, rel) : rel;
    Phases p = compile_text(&ctx, path, text);
    size_t items = construct_count(p.model, c);
    if (items == 0)
      fail_msg("%s has no item under '%s'", rel, c->key);
    /* Every item of the construct made resources; with tag rules, at least
     * one of them is of a type the construct says it creates. */
    bool tagged_type = false;
    for (size_t k = 0; k < items; k++) {
      const Item *it = construct_item(p.model, c, k);
      if (c->lower && resources_of(p.ir, it) + outputs_of(p.ir, it) == 0)
        fail_msg("%s: %s '%s' made nothing", rel, c->kind, it->key);
      if (!c->lower && resources_of(p.ir, it) != 0)
        fail_msg("%s: %s '%s' has no lower function but made resources", rel, c->kind, it->key);
      for (size_t r = 0; r < p.ir->resources.len; r++) {
        const IrResource *res = p.ir->resources.items[r];
        tagged_type |= res->origin == it->node && is_tagged_type(c, res->type);
      }
    }
    if (c->tags[0].type && !tagged_type)
      fail_msg("%s: none of the resources of '%s' is of a type its tag rules name", rel, c->key);
    linked_free(p.linked);
    ir_free(p.ir);
    ctx_release(&ctx);
    free(text);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(every_construct_names_itself),
      cmocka_unit_test(every_field_is_documented),
      cmocka_unit_test(every_shape_ends_with_stack),
      cmocka_unit_test(every_verb_is_complete),
      cmocka_unit_test(tag_rules_are_well_formed),
      cmocka_unit_test(every_construct_has_a_readme_section),
      cmocka_unit_test(every_construct_has_a_fixture_that_compiles),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
