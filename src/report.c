/* report: JSON Lines and SARIF 2.1.0 from the same sorted diagnostics the
 * text renderer shows. Shapes are documented in the README ("validate");
 * "version": 1 in each JSON line lets the shape grow without breaking tools. */
#include "report.h"
#include "codes.h"
#include "ctx.h"
#include "ir.h"

#include <stdlib.h>
#include <string.h>

static json_t *location_json(const Pos *p) {
  json_t *o = json_object();
  json_object_set_new(o, "file", p->file ? json_string(p->file->path) : json_null());
  json_object_set_new(o, "line", json_integer(p->line));
  json_object_set_new(o, "column", json_integer(p->col));
  json_object_set_new(o, "end_column", json_integer(p->col + (p->len ? p->len : 1)));
  return o;
}

static json_t *diag_json(const Diag *d) {
  json_t *o = J("{s:i, s:s, s:o}", "version", 1, "severity", diag_severity_name(d->severity),
                "code", d->code ? json_string(d->code) : json_null());
  json_t *loc = location_json(&d->pos);
  json_object_update(o, loc);
  json_decref(loc);
  json_object_set_new(o, "message", json_string(d->message));
  json_object_set_new(o, "fixit", d->fixit ? json_string(d->fixit) : json_null());
  json_t *notes = json_array();
  for (const Diag *n = d->notes; n; n = n->next) {
    json_t *note = location_json(&n->pos);
    json_object_set_new(note, "message", json_string(n->message));
    json_array_append_new(notes, note);
  }
  json_object_set_new(o, "notes", notes);
  return o;
}

void report_json(const Ctx *ctx, FILE *out) {
  size_t n;
  const Diag **d = diag_sorted(ctx, &n);
  for (size_t i = 0; i < n; i++) {
    json_t *o = diag_json(d[i]);
    char *text = ir_json_text(o, JSON_COMPACT | JSON_ENSURE_ASCII);
    fprintf(out, "%s\n", text);
    free(text);
    json_decref(o);
  }
  free(d);
}

/* ---- SARIF ---- */

static const char *sarif_level(Severity s) {
  return s == SEV_ERROR ? "error" : s == SEV_WARNING ? "warning" : "note";
}

static json_t *sarif_rules(void) {
  json_t *rules = json_array();
  for (const DiagCode *c = diag_codes(); c->code; c++) {
    char *help = NULL;
    size_t size = 0;
    FILE *fp = open_memstream(&help, &size);
    fprintf(fp, "%s\n\nWrong:\n%s\nRight:\n%s", c->explanation, c->bad, c->good);
    fclose(fp);
    char *markdown = NULL;
    fp = open_memstream(&markdown, &size);
    fprintf(fp, "%s\n\nWrong:\n\n```yaml\n%s```\n\nRight:\n\n```yaml\n%s```\n", c->explanation,
            c->bad, c->good);
    fclose(fp);
    json_array_append_new(
        rules, J("{s:s, s:s, s:{s:s}, s:{s:s}, s:{s:s, s:s}}", "id", c->code, "name", c->title,
                 "shortDescription", "text", c->title, "fullDescription", "text", c->explanation,
                 "help", "text", help, "markdown", markdown));
    free(help);
    free(markdown);
  }
  return rules;
}

static int rule_index(const char *code) {
  int i = 0;
  for (const DiagCode *c = diag_codes(); c->code; c++, i++)
    if (code && !strcmp(c->code, code))
      return i;
  return -1;
}

static json_t *sarif_location(const Pos *p, const char *message) {
  json_t *region = J("{s:i, s:i, s:i}", "startLine", p->line ? p->line : 1, "startColumn",
                     p->col ? p->col : 1, "endColumn", p->col + (p->len ? p->len : 1));
  json_t *loc = J("{s:{s:{s:s}, s:o}}", "physicalLocation", "artifactLocation", "uri",
                  p->file ? p->file->path : "", "region", region);
  if (message)
    json_object_set_new(loc, "message", J("{s:s}", "text", message));
  return loc;
}

static json_t *sarif_result(const Diag *d) {
  json_t *r = J("{s:s, s:s, s:{s:s}, s:[o]}", "ruleId", d->code ? d->code : "LK000", "level",
                sarif_level(d->severity), "message", "text", d->message, "locations",
                sarif_location(&d->pos, NULL));
  int index = rule_index(d->code);
  if (index >= 0)
    json_object_set_new(r, "ruleIndex", json_integer(index));
  if (d->notes) {
    json_t *related = json_array();
    int id = 1;
    for (const Diag *n = d->notes; n; n = n->next) {
      json_t *loc = sarif_location(&n->pos, n->message);
      json_object_set_new(loc, "id", json_integer(id++));
      json_array_append_new(related, loc);
    }
    json_object_set_new(r, "relatedLocations", related);
  }
  if (d->fixit)
    json_object_set_new(r, "properties", J("{s:s}", "fixit", d->fixit));
  return r;
}

void report_sarif(const Ctx *ctx, FILE *out) {
  size_t n;
  const Diag **d = diag_sorted(ctx, &n);
  json_t *results = json_array();
  for (size_t i = 0; i < n; i++)
    json_array_append_new(results, sarif_result(d[i]));
  free(d);
  json_t *driver = J("{s:s, s:s, s:o}", "name", "lakec", "version", LAKEC_VERSION, "rules",
                     sarif_rules());
  json_t *log = J("{s:s, s:s, s:[{s:{s:o}, s:o}]}", "$schema",
                  "https://json.schemastore.org/sarif-2.1.0.json", "version", "2.1.0", "runs",
                  "tool", "driver", driver, "results", results);
  char *text = ir_json_text(log, JSON_INDENT(2) | JSON_ENSURE_ASCII);
  fprintf(out, "%s\n", text);
  free(text);
  json_decref(log);
}
