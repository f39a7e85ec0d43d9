/* tags: the one place that knows how each resource type takes tags (a list of
 * {Key, Value}, a plain map, or not at all). After every construct is lowered,
 * every taggable resource gets the stage's tags plus Project, Stage and
 * ManagedBy, sorted by key so templates diff cleanly. */
#include "lower_internal.h"

#include <stdlib.h>
#include <string.h>

typedef enum { TAGS_LIST, TAGS_MAP } TagShape;

static const struct {
  const char *type, *property;
  TagShape shape;
} TAGGABLE[] = {
    {"AWS::S3::Bucket", "Tags", TAGS_LIST},
    {"AWS::IAM::Role", "Tags", TAGS_LIST},
    {"AWS::Lambda::Function", "Tags", TAGS_LIST},
    {"AWS::Logs::LogGroup", "Tags", TAGS_LIST},
    {"AWS::Events::Rule", "Tags", TAGS_LIST},
    {"AWS::Glue::Crawler", "Tags", TAGS_MAP},
    {"AWS::Athena::WorkGroup", "Tags", TAGS_LIST},
    {"AWS::ApiGateway::RestApi", "Tags", TAGS_LIST},
    {"AWS::ApiGateway::Stage", "Tags", TAGS_LIST},
    {"AWS::Cognito::UserPool", "UserPoolTags", TAGS_MAP},
};

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

void lower_tags(Ctx *ctx, Ir *ir, const Model *m) {
  size_t n;
  StrPair *tags = stage_tags(ctx, m, &n);
  for (size_t i = 0; i < ir->resources.len; i++) {
    IrResource *r = ir->resources.items[i];
    for (size_t k = 0; k < sizeof TAGGABLE / sizeof *TAGGABLE; k++)
      if (!strcmp(r->type, TAGGABLE[k].type))
        json_object_set_new(r->properties, TAGGABLE[k].property,
                            tags_json(tags, n, TAGGABLE[k].shape));
  }
}
