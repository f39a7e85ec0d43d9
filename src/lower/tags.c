/* tags: after every construct is lowered, every resource of a type that some
 * construct says takes tags (a list of {Key, Value} or a plain map, see its
 * TagRule list) gets the stage's tags plus Project, Stage and ManagedBy,
 * sorted by key so templates diff cleanly. */
#include "construct.h"
#include "lower_internal.h"

#include <stdlib.h>
#include <string.h>

static int compare_pairs(const void *a, const void *b) {
  return strcmp(((const StrPair *)a)->key, ((const StrPair *)b)->key);
}

/* The stage's tags and lakec's own, sorted (check forbids the user to set ours). */
static StrPair *stage_tags(Ctx *ctx, const Model *m, size_t *n) {
  StrPair *all = arena_alloc(&ctx->arena, (m->tags.len + 3) * sizeof *all);
  for (size_t i = 0; i < m->tags.len; i++)
    all[i] = m->tags.items[i];
  all[m->tags.len] = (StrPair){"ManagedBy", "lakec", NULL, NULL};
  all[m->tags.len + 1] = (StrPair){"Project", m->project, NULL, NULL};
  all[m->tags.len + 2] = (StrPair){"Stage", m->stage, NULL, NULL};
  *n = m->tags.len + 3;
  qsort(all, *n, sizeof *all, compare_pairs);
  return all;
}

static json_t *tags_json(const StrPair *tags, size_t n, TagShape shape) {
  json_t *out = shape == TAGS_LIST ? json_array() : json_object();
  for (size_t i = 0; i < n; i++) {
    if (shape == TAGS_LIST)
      json_array_append_new(out, J("{s:s, s:s}", "Key", tags[i].key, "Value", tags[i].value));
    else
      json_object_set_new(out, tags[i].key, json_string(tags[i].value));
  }
  return out;
}

/* The first construct's rule for a resource type, or NULL: not taggable. */
static const TagRule *tag_rule(const char *type) {
  for (size_t i = 0; i < CONSTRUCTS_COUNT; i++)
    for (const TagRule *t = CONSTRUCTS[i]->tags; t && t->type; t++)
      if (!strcmp(t->type, type))
        return t;
  return NULL;
}

void lower_tags(Ctx *ctx, Ir *ir, const Model *m) {
  size_t n;
  StrPair *tags = stage_tags(ctx, m, &n);
  for (size_t i = 0; i < ir->resources.len; i++) {
    IrResource *r = ir->resources.items[i];
    const TagRule *rule = tag_rule(r->type);
    if (rule)
      json_object_set_new(r->properties, rule->property, tags_json(tags, n, rule->shape));
  }
}
