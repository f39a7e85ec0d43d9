/* tags: after every construct is lowered, every resource of a type that some
 * construct says takes tags (a list of {Key, Value} or a plain map, see its
 * TagRule list) gets the stage's tags plus Project, Stage and ManagedBy, and
 * the tags of the item it was lowered from (which win over the stage's),
 * sorted by key so templates diff cleanly. */
#include "construct.h"
#include "lower_internal.h"

#include <stdlib.h>
#include <string.h>

static int compare_pairs(const void *a, const void *b) {
  return strcmp(((const StrPair *)a)->key, ((const StrPair *)b)->key);
}

/* Sets key to value in tags (n of them), replacing a value already there. */
static void put_tag(StrPair *tags, size_t *n, const StrPair *t) {
  for (size_t i = 0; i < *n; i++)
    if (!strcmp(tags[i].key, t->key)) {
      tags[i] = *t;
      return;
    }
  tags[(*n)++] = *t;
}

/* lakec's own tags under the stage's, the stack's over those, the item's
 * over all, sorted. Project's value may be replaced; check forbids the
 * user to set Stage and ManagedBy. */
static StrPair *tags_of(Ctx *ctx, const Model *m, const StrMap *stack, const StrMap *own,
                        size_t *n) {
  StrPair *all =
      arena_alloc(&ctx->arena, (m->tags.len + stack->len + own->len + 3) * sizeof *all);
  *n = 0;
  all[(*n)++] = (StrPair){"ManagedBy", "lakec", NULL, NULL};
  all[(*n)++] = (StrPair){"Project", m->project, NULL, NULL};
  all[(*n)++] = (StrPair){"Stage", m->stage, NULL, NULL};
  const StrMap *layers[] = {&m->tags, stack, own};
  for (size_t l = 0; l < 3; l++)
    for (size_t i = 0; i < layers[l]->len; i++)
      put_tag(all, n, &layers[l]->items[i]);
  qsort(all, *n, sizeof *all, compare_pairs);
  return all;
}

static const StrMap NO_TAGS = {0};

/* The tags of the stack a resource is in (none for the default stack). */
static const StrMap *stack_tags(const Model *m, const IrResource *r) {
  for (size_t i = 0; r->stack && r->stack->key && i < m->stacks.len; i++)
    if (!strcmp(m->stacks.items[i].key, r->stack->key))
      return &m->stacks.items[i].tags;
  return &NO_TAGS;
}

/* The tags of the construct item a resource was lowered from (none for a
 * resource of the stage itself). */
static const StrMap *item_tags(const Model *m, const IrResource *r) {
  for (size_t i = 0; r->origin && i < CONSTRUCTS_COUNT; i++)
    for (size_t k = 0; k < construct_count(m, CONSTRUCTS[i]); k++) {
      const Item *it = construct_item(m, CONSTRUCTS[i], k);
      if (it->node == r->origin)
        return &it->tags;
    }
  return &NO_TAGS;
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

/* The tags a raw resource wrote itself win over the stage's of the same
 * key, and keep their place after them (a list of {Key, Value}, or a map). */
static json_t *with_written(json_t *stage, json_t *written) {
  if (json_is_object(written) && json_is_object(stage)) {
    json_object_update(stage, written);
    return stage;
  }
  if (!json_is_array(written) || !json_is_array(stage))
    return stage; /* nothing written, or an intrinsic function: the stage's */
  size_t i, k;
  json_t *own, *tag;
  json_array_foreach(written, i, own) {
    const char *key = json_string_value(json_object_get(own, "Key"));
    for (k = 0; key && k < json_array_size(stage);) {
      tag = json_array_get(stage, k);
      if (!strcmp(json_string_value(json_object_get(tag, "Key")), key))
        json_array_remove(stage, k);
      else
        k++;
    }
  }
  json_array_extend(stage, written);
  return stage;
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
  for (size_t i = 0; i < ir->resources.len; i++) {
    IrResource *r = ir->resources.items[i];
    const TagRule *rule = tag_rule(r->type);
    if (!rule)
      continue;
    size_t n;
    StrPair *tags = tags_of(ctx, m, stack_tags(m, r), item_tags(m, r), &n);
    json_t *written = json_object_get(r->properties, rule->property);
    json_object_set_new(r->properties, rule->property,
                        with_written(tags_json(tags, n, rule->shape), written));
  }
}
