#include "nag.h"

#include "arena.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The key that carries the statement ids until the template is written. */
#define MARK "lakec:statements"

static json_t *suppressions(json_t *metadata) {
  json_t *nag = json_object_get(metadata, "cdk_nag");
  if (!nag) {
    nag = json_object();
    json_object_set_new(metadata, "cdk_nag", nag);
  }
  json_t *list = json_object_get(nag, "rules_to_suppress");
  if (!list) {
    list = json_array();
    json_object_set_new(nag, "rules_to_suppress", list);
  }
  return list;
}

json_t *nag_suppress(json_t *metadata, const char *rule, const char *reason,
                     json_t *applies_to) {
  if (!metadata)
    metadata = json_object();
  json_t *list = suppressions(metadata), *entry;
  size_t i;
  json_array_foreach(list, i, entry) {
    json_t *had = json_object_get(entry, "applies_to");
    if (strcmp(json_string_value(json_object_get(entry, "id")), rule) ||
        strcmp(json_string_value(json_object_get(entry, "reason")), reason) || !had != !applies_to)
      continue;
    if (applies_to)
      json_array_extend(had, applies_to);
    json_decref(applies_to);
    return metadata;
  }
  entry = json_pack("{s:s, s:s}", "id", rule, "reason", reason);
  if (applies_to)
    json_object_set_new(entry, "applies_to", applies_to);
  json_array_append_new(list, entry);
  return metadata;
}

json_t *nag_mark_statement(json_t *metadata, const char *reason, const char *sid) {
  if (!metadata)
    metadata = json_object();
  json_t *list = suppressions(metadata), *entry;
  size_t i;
  json_array_foreach(list, i, entry) {
    json_t *sids = json_object_get(entry, MARK);
    if (sids && !strcmp(json_string_value(json_object_get(entry, "reason")), reason)) {
      json_array_append_new(sids, json_string(sid));
      return metadata;
    }
  }
  entry = json_pack("{s:s, s:s, s:[s]}", "id", "AwsSolutions-IAM5", "reason", reason, MARK, sid);
  json_array_append_new(list, entry);
  return metadata;
}

/* ---- flattening ---- */

static void put_str(Text *t, const char *s) { text_add(t, s, strlen(s)); }

/* A string with every "${" as "<" and every "}" as ">". */
static void put_angled(Text *t, const char *s) {
  for (; *s; s++) {
    if (s[0] == '$' && s[1] == '{') {
      put_str(t, "<");
      s++;
    } else {
      text_add(t, *s == '}' ? ">" : s, 1);
    }
  }
}

static void flatten(Text *t, json_t *v);

/* JSON.stringify's form (json_dumpb: the text is ours to free, whatever
 * allocator jansson was given). */
static void put_json(Text *t, json_t *v) {
  size_t flags = JSON_COMPACT | JSON_ENCODE_ANY, n = json_dumpb(v, NULL, 0, flags);
  char *text = malloc(n + 1);
  if (!text)
    abort();
  text_add(t, text, json_dumpb(v, text, n, flags));
  free(text);
}

static void flatten_object(Text *t, json_t *v) {
  json_t *x;
  if ((x = json_object_get(v, "Fn::Join")) && json_array_size(x) == 2) {
    const char *sep = json_string_value(json_array_get(x, 0));
    json_t *part;
    size_t i;
    json_array_foreach(json_array_get(x, 1), i, part) {
      if (i && sep)
        put_str(t, sep);
      flatten(t, part);
    }
  } else if ((x = json_object_get(v, "Fn::Sub"))) {
    if (json_is_string(x))
      put_angled(t, json_string_value(x));
    else
      put_json(t, x);
  } else if ((x = json_object_get(v, "Fn::GetAtt")) && json_array_size(x) == 2) {
    put_str(t, "<");
    put_str(t, json_string_value(json_array_get(x, 0)));
    put_str(t, ".");
    put_str(t, json_string_value(json_array_get(x, 1)));
    put_str(t, ">");
  } else if ((x = json_object_get(v, "Fn::ImportValue"))) {
    flatten(t, x);
  } else if ((x = json_object_get(v, "Ref")) && json_is_string(x)) {
    put_str(t, "<");
    put_str(t, json_string_value(x));
    put_str(t, ">");
  } else {
    put_json(t, v);
  }
}

static void flatten(Text *t, json_t *v) {
  if (json_is_string(v))
    put_angled(t, json_string_value(v));
  else if (json_is_object(v))
    flatten_object(t, v);
  else
    put_json(t, v);
}

char *nag_flatten(json_t *v) {
  Text t = {0};
  put_str(&t, "");
  flatten(&t, v);
  return t.s;
}

/* ---- findings ---- */

static bool has_string(json_t *array, const char *s) {
  json_t *x;
  size_t i;
  json_array_foreach(array, i, x) {
    if (json_is_string(x) && !strcmp(json_string_value(x), s))
      return true;
  }
  return false;
}

static bool has_equal(json_t *array, json_t *v) {
  json_t *x;
  size_t i;
  json_array_foreach(array, i, x) {
    if (json_equal(x, v))
      return true;
  }
  return false;
}

/* A finding that keeps "${...}" (cdk-nag writes an Fn::Sub with variables as
 * its JSON) is given as a regular expression matching exactly it, with '$'
 * and the braces escaped: template linters read "${X}" anywhere as a
 * reference outside Fn::Sub. */
static json_t *literal_regex(const char *finding) {
  Text t = {0};
  put_str(&t, "/^");
  for (const char *p = finding; *p; p++) {
    if (strchr("\\^$.|?*+()[]{}/", *p))
      put_str(&t, "\\");
    text_add(&t, p, 1);
  }
  put_str(&t, "$/");
  json_t *r = json_pack("{s:s}", "regex", t.s);
  free(t.s);
  return r;
}

static void add_findings(json_t *out, json_t *resources) {
  if (!json_is_array(resources)) {
    json_t *one = json_array();
    json_array_append(one, resources);
    add_findings(out, one);
    json_decref(one);
    return;
  }
  json_t *r;
  size_t i;
  json_array_foreach(resources, i, r) {
    char *flat = nag_flatten(r);
    if (strchr(flat, '*')) {
      size_t n = strlen(flat) + sizeof "Resource::";
      char *finding = malloc(n);
      if (!finding)
        abort();
      snprintf(finding, n, "Resource::%s", flat);
      json_t *entry = strstr(finding, "${") ? literal_regex(finding) : json_string(finding);
      if (!has_equal(out, entry))
        json_array_append(out, entry);
      json_decref(entry);
      free(finding);
    }
    free(flat);
  }
}

/* The Resource findings of the statements named in sids. */
static json_t *statement_findings(json_t *properties, json_t *sids) {
  json_t *out = json_array(), *policy, *st;
  size_t i, k;
  json_array_foreach(json_object_get(properties, "Policies"), i, policy) {
    json_array_foreach(json_object_get(json_object_get(policy, "PolicyDocument"), "Statement"), k,
                       st) {
      const char *sid = json_string_value(json_object_get(st, "Sid"));
      if (sid && has_string(sids, sid))
        add_findings(out, json_object_get(st, "Resource"));
    }
  }
  return out;
}

json_t *nag_finish_metadata(json_t *metadata, json_t *properties) {
  json_t *list = json_object_get(json_object_get(metadata, "cdk_nag"), "rules_to_suppress");
  bool marked = false;
  json_t *entry;
  size_t i;
  json_array_foreach(list, i, entry) marked = marked || json_object_get(entry, MARK);
  if (!marked)
    return json_incref(metadata);
  json_t *out = json_deep_copy(metadata);
  list = json_object_get(json_object_get(out, "cdk_nag"), "rules_to_suppress");
  json_array_foreach(list, i, entry) {
    json_t *sids = json_object_get(entry, MARK);
    if (!sids)
      continue;
    json_object_set_new(entry, "applies_to", statement_findings(properties, sids));
    json_object_del(entry, MARK);
  }
  return out;
}
