/* cfnspec: lookups in the generated table of resource types (cfnspec.h).
 * Types and each shape's properties are sorted by name: binary search. */
#include "cfnspec.h"
#include "suggest.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* CloudFormation's custom resources: "Custom::" and a name of its own. */
#define CUSTOM_PREFIX "Custom::"
#define CUSTOM_RESOURCE "AWS::CloudFormation::CustomResource"
#define CUSTOM_NAME_MAX 60

static int compare_type(const void *key, const void *elem) {
  return strcmp(key, ((const CfnType *)elem)->name);
}

static int compare_prop(const void *key, const void *elem) {
  return strcmp(key, ((const CfnProp *)elem)->name);
}

/* "Custom::Anything" names a custom resource, which CloudFormation treats as
 * AWS::CloudFormation::CustomResource: the name is letters, digits and _@-. */
static bool is_custom_type(const char *name) {
  if (strncmp(name, CUSTOM_PREFIX, strlen(CUSTOM_PREFIX)) != 0)
    return false;
  const char *rest = name + strlen(CUSTOM_PREFIX);
  size_t len = strlen(rest);
  return len > 0 && len <= CUSTOM_NAME_MAX &&
         strspn(rest, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@-") == len;
}

const CfnType *cfnspec_type(const char *name) {
  if (!name) /* a raw resource without its Type (reported) */
    return NULL;
  if (is_custom_type(name))
    name = CUSTOM_RESOURCE;
  return bsearch(name, CFN_TYPES, CFN_TYPES_COUNT, sizeof *CFN_TYPES, compare_type);
}

const CfnProp *cfnspec_prop(const CfnShape *s, const char *name) {
  if (!s || !s->count)
    return NULL;
  return bsearch(name, s->props, s->count, sizeof *s->props, compare_prop);
}

/* A name against a pattern whose '*' stands for any text of at least one
 * character (cfn-lint's ".*" in a GetAtt name). */
static bool pattern_matches(const char *pattern, const char *text) {
  for (; *pattern; pattern++, text++) {
    if (*pattern == '*') {
      if (!*text)
        return false;
      for (const char *rest = text + 1;; rest++) {
        if (pattern_matches(pattern + 1, rest))
          return true;
        if (!*rest)
          return false;
      }
    }
    if (*pattern != *text)
      return false;
  }
  return !*text;
}

bool cfnspec_attribute(const CfnType *t, const char *attr) {
  for (const char *const *a = t->attributes; *a; a++)
    if (pattern_matches(*a, attr))
      return true;
  return false;
}

static const char *same_name_in_other_case(const char *name) {
  for (size_t i = 0; i < CFN_TYPES_COUNT; i++)
    if (!strcasecmp(CFN_TYPES[i].name, name))
      return CFN_TYPES[i].name;
  return NULL;
}

/* "AWS::S3::" of "AWS::S3::Buckets": the length up to the last "::". */
static size_t service_length(const char *name) {
  const char *last = NULL;
  for (const char *p = strstr(name, "::"); p; p = strstr(p + 2, "::"))
    last = p;
  return last ? (size_t)(last - name) + 2 : 0;
}

/* A near miss of the last segment among the types of the same service (its
 * prefix compared without case). */
static const char *near_miss_in_service(const char *name, const char **segments) {
  size_t prefix = service_length(name);
  if (!prefix)
    return NULL;
  for (size_t i = 0; i < CFN_TYPES_COUNT; i++) {
    const char *type = CFN_TYPES[i].name;
    bool same_service = service_length(type) == prefix && !strncasecmp(type, name, prefix);
    segments[i] = same_service ? type + prefix : NULL; /* NULL: suggest_closest skips it */
  }
  const char *best = suggest_closest(name + prefix, segments, CFN_TYPES_COUNT);
  return best ? best - prefix : NULL; /* the segment lies inside its type's name */
}

static const char *near_miss_of_whole_name(const char *name, const char **names) {
  for (size_t i = 0; i < CFN_TYPES_COUNT; i++)
    names[i] = CFN_TYPES[i].name;
  return suggest_closest(name, names, CFN_TYPES_COUNT);
}

const char *cfnspec_closest_type(const char *name) {
  const char *found = same_name_in_other_case(name);
  if (found)
    return found;
  const char **scratch = calloc(CFN_TYPES_COUNT, sizeof *scratch);
  if (!scratch)
    return NULL; /* a suggestion is a courtesy: none when memory is short */
  found = near_miss_in_service(name, scratch);
  if (!found)
    found = near_miss_of_whole_name(name, scratch);
  free(scratch);
  return found;
}
