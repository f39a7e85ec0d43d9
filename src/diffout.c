/* diffout: the text form leads with what reviewers ask first: a summary, then
 * the security-relevant changes (IAM, resource policies, API auth), then the
 * infrastructure, then code-only changes, then parameters, outputs and
 * conditions. Replacements and data loss are flagged on the resource line. */
#include "diffout.h"

#include <stdlib.h>
#include <string.h>

typedef struct Colors {
  const char *add, *del, *mod, *bold, *warn, *off;
} Colors;

static const Colors PLAIN = {"", "", "", "", "", ""};
static const Colors TTY = {"\033[32m", "\033[31m", "\033[33m", "\033[1m", "\033[1;31m", "\033[0m"};

#define VALUE_MAX 160

/* Compact JSON, cut to VALUE_MAX characters. */
static void print_value(FILE *out, json_t *v) {
  char *text = ir_json_text(v, JSON_COMPACT | JSON_ENCODE_ANY);
  size_t n = strlen(text);
  if (n > VALUE_MAX)
    fprintf(out, "%.*s...", VALUE_MAX, text);
  else
    fputs(text, out);
  free(text);
}

static char mark_of(ChangeKind k) { return k == CHANGE_ADDED ? '+' : k == CHANGE_REMOVED ? '-' : '~'; }

static const char *color_of(const Colors *c, ChangeKind k) {
  return k == CHANGE_ADDED ? c->add : k == CHANGE_REMOVED ? c->del : c->mod;
}

static void print_change(FILE *out, const Colors *c, const PropChange *p) {
  ChangeKind k = !p->old ? CHANGE_ADDED : !p->new_ ? CHANGE_REMOVED : CHANGE_MODIFIED;
  fprintf(out, "      %s%c %s:%s ", color_of(c, k), mark_of(k), p->path, c->off);
  if (p->refers_to) /* same text, new value: say why rather than print it twice */
    fprintf(out, "refers to '%s', which is replaced", p->refers_to);
  if (p->old && !p->refers_to)
    print_value(out, p->old);
  if (p->old && p->new_ && !p->refers_to)
    fputs(" -> ", out);
  if (p->new_ && !p->refers_to)
    print_value(out, p->new_);
  if (p->replaces)
    fprintf(out, "  %s(replaces the resource)%s", c->warn, c->off);
  else if (p->may_replace)
    fprintf(out, "  %s(may replace the resource)%s", c->warn, c->off);
  fputc('\n', out);
}

static void print_resource_line(FILE *out, const Colors *c, const ResourceDiff *rd) {
  fprintf(out, "  %s%c %s%s (%s", color_of(c, rd->kind), mark_of(rd->kind), rd->id, c->off,
          rd->type);
  if (rd->old_type)
    fprintf(out, ", was %s", rd->old_type);
  fputc(')', out);
  if (rd->replacement)
    fprintf(out, "  %sREPLACEMENT%s", c->warn, c->off);
  if (rd->replaced_because)
    fprintf(out, " because '%s' is replaced (%s refers to it)", rd->replaced_because,
            rd->because_path);
  if (rd->destructive)
    fprintf(out, "  %sDESTRUCTIVE: its data is lost%s", c->warn, c->off);
  fputc('\n', out);
}

/* which: 1 security changes only, 0 the others. */
static void print_resource(FILE *out, const Colors *c, const ResourceDiff *rd, int which) {
  print_resource_line(out, c, rd);
  for (size_t i = 0; i < rd->changes.len; i++) {
    const PropChange *p = rd->changes.items[i];
    if ((int)p->security == which)
      print_change(out, c, p);
  }
}

static bool has_changes(const ResourceDiff *rd, int which) {
  for (size_t i = 0; i < rd->changes.len; i++)
    if ((int)((const PropChange *)rd->changes.items[i])->security == which)
      return true;
  return false;
}

static void print_security(FILE *out, const Colors *c, const Diff *d) {
  if (!d->security)
    return;
  fprintf(out, "\n%sSecurity (IAM, resource policies, API auth)%s\n", c->bold, c->off);
  for (size_t i = 0; i < d->resources.len; i++) {
    const ResourceDiff *rd = d->resources.items[i];
    if (!rd->security)
      continue;
    if (rd->kind == CHANGE_MODIFIED)
      print_resource(out, c, rd, 1);
    else
      print_resource_line(out, c, rd);
  }
}

static void print_infrastructure(FILE *out, const Colors *c, const Diff *d) {
  bool header = false;
  for (size_t i = 0; i < d->resources.len; i++) {
    const ResourceDiff *rd = d->resources.items[i];
    bool show = rd->kind == CHANGE_MODIFIED ? !rd->code_only && (has_changes(rd, 0) || rd->replacement)
                                            : !rd->security;
    if (!show)
      continue;
    if (!header)
      fprintf(out, "\n%sResources%s\n", c->bold, c->off), header = true;
    if (rd->kind == CHANGE_MODIFIED)
      print_resource(out, c, rd, 0);
    else
      print_resource_line(out, c, rd);
  }
}

static void print_entry(FILE *out, const Colors *c, const EntryDiff *e) {
  fprintf(out, "  %s%c %s%s\n", color_of(c, e->kind), mark_of(e->kind), e->id, c->off);
  for (size_t k = 0; k < e->changes.len; k++)
    print_change(out, c, e->changes.items[k]);
}

static void print_code(FILE *out, const Colors *c, const Diff *d) {
  if (!d->code)
    return;
  fprintf(out, "\n%sCode only (new handler builds)%s\n", c->bold, c->off);
  for (size_t i = 0; i < d->resources.len; i++) {
    const ResourceDiff *rd = d->resources.items[i];
    if (rd->code_only)
      print_resource(out, c, rd, 0);
  }
  for (size_t i = 0; i < d->entries.len; i++) {
    const EntryDiff *e = d->entries.items[i];
    if (e->code_only)
      print_entry(out, c, e);
  }
}

static void print_entries(FILE *out, const Colors *c, const Diff *d) {
  const char *sections[] = {"Parameters", "Outputs", "Conditions"};
  for (int s = 0; s < 3; s++) {
    bool header = false;
    for (size_t i = 0; i < d->entries.len; i++) {
      const EntryDiff *e = d->entries.items[i];
      if (strcmp(e->section, sections[s]) != 0 || e->code_only)
        continue;
      if (!header)
        fprintf(out, "\n%s%s%s\n", c->bold, sections[s], c->off), header = true;
      print_entry(out, c, e);
    }
  }
}

void diffout_text(const Diff *d, const char *a_name, const char *b_name, FILE *out, bool color) {
  const Colors *c = color ? &TTY : &PLAIN;
  fprintf(out, "%slakec diff %s -> %s%s\n", c->bold, a_name, b_name, c->off);
  if (diff_is_empty(d)) {
    fputs("no differences\n", out);
    return;
  }
  fprintf(out, "resources: %u added, %u removed, %u modified", d->added, d->removed, d->modified);
  if (d->replaced || d->destructive)
    fprintf(out, " (%s%u replaced, %u destructive%s)", d->destructive ? c->warn : "", d->replaced,
            d->destructive, d->destructive ? c->off : "");
  fprintf(out, "; %u security-relevant; %u code only\n", d->security, d->code);
  print_security(out, c, d);
  print_infrastructure(out, c, d);
  print_code(out, c, d);
  print_entries(out, c, d);
}

/* ---- JSON ---- */

static const char *kind_name(ChangeKind k) {
  return k == CHANGE_ADDED ? "added" : k == CHANGE_REMOVED ? "removed" : "modified";
}

static json_t *or_null(json_t *v) { return v ? json_incref(v) : json_null(); }

static json_t *changes_json(const PtrVec *v) {
  json_t *changes = json_array();
  for (size_t i = 0; i < v->len; i++) {
    const PropChange *p = v->items[i];
    json_t *o = json_object();
    json_object_set_new(o, "path", json_string(p->path));
    json_object_set_new(o, "old", or_null(p->old));
    json_object_set_new(o, "new", or_null(p->new_));
    json_object_set_new(o, "replaces", json_string(p->replaces ? "always" : p->may_replace ? "maybe" : "never"));
    json_object_set_new(o, "security", json_boolean(p->security));
    json_object_set_new(o, "refers_to", p->refers_to ? json_string(p->refers_to) : json_null());
    json_array_append_new(changes, o);
  }
  return changes;
}

/* A replacement by cascade: {"id": the replaced resource it refers to,
 * "path": the create-only property that refers to it}; else null. */
static json_t *because_json(const ResourceDiff *rd) {
  if (!rd->replaced_because)
    return json_null();
  return json_pack("{s:s, s:s}", "id", rd->replaced_because, "path", rd->because_path);
}

static json_t *resource_json(const ResourceDiff *rd) {
  json_t *changes = changes_json(&rd->changes);
  json_t *o = json_object();
  json_object_set_new(o, "id", json_string(rd->id));
  json_object_set_new(o, "type", json_string(rd->type));
  json_object_set_new(o, "old_type", rd->old_type ? json_string(rd->old_type) : json_null());
  json_object_set_new(o, "change", json_string(kind_name(rd->kind)));
  json_object_set_new(o, "replacement", json_boolean(rd->replacement));
  json_object_set_new(o, "destructive", json_boolean(rd->destructive));
  json_object_set_new(o, "security", json_boolean(rd->security));
  json_object_set_new(o, "code_only", json_boolean(rd->code_only));
  json_object_set_new(o, "replaced_because", because_json(rd));
  json_object_set_new(o, "changes", changes);
  return o;
}

json_t *diffout_json(const Diff *d, const char *a_name, const char *b_name) {
  json_t *resources = json_array();
  for (size_t i = 0; i < d->resources.len; i++)
    json_array_append_new(resources, resource_json(d->resources.items[i]));
  json_t *sections = json_object();
  const char *names[] = {"Parameters", "Outputs", "Conditions"};
  for (int s = 0; s < 3; s++)
    json_object_set_new(sections, names[s], json_array());
  for (size_t i = 0; i < d->entries.len; i++) {
    const EntryDiff *e = d->entries.items[i];
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(e->id));
    json_object_set_new(o, "change", json_string(kind_name(e->kind)));
    json_object_set_new(o, "old", or_null(e->old));
    json_object_set_new(o, "new", or_null(e->new_));
    json_object_set_new(o, "changes", changes_json(&e->changes));
    json_object_set_new(o, "code_only", json_boolean(e->code_only));
    json_array_append_new(json_object_get(sections, e->section), o);
  }
  json_t *summary = json_object();
  json_object_set_new(summary, "added", json_integer(d->added));
  json_object_set_new(summary, "removed", json_integer(d->removed));
  json_object_set_new(summary, "modified", json_integer(d->modified));
  json_object_set_new(summary, "replaced", json_integer(d->replaced));
  json_object_set_new(summary, "destructive", json_integer(d->destructive));
  json_object_set_new(summary, "security", json_integer(d->security));
  json_object_set_new(summary, "code_only", json_integer(d->code));
  json_t *o = json_object();
  json_object_set_new(o, "version", json_integer(1));
  json_object_set_new(o, "from", json_string(a_name));
  json_object_set_new(o, "to", json_string(b_name));
  json_object_set_new(o, "equal", json_boolean(diff_is_empty(d)));
  json_object_set_new(o, "summary", summary);
  json_object_set_new(o, "resources", resources);
  json_object_set_new(o, "parameters", json_incref(json_object_get(sections, "Parameters")));
  json_object_set_new(o, "outputs", json_incref(json_object_get(sections, "Outputs")));
  json_object_set_new(o, "conditions", json_incref(json_object_get(sections, "Conditions")));
  json_decref(sections);
  return o;
}
