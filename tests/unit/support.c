/* support: helpers shared by the unit tests. */
#include "support.h"
#include "check.h"
#include "load.h"
#include "lower.h"
#include "merge.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

Node *load_text(Ctx *ctx, const char *name, const char *yaml) {
  SourceFile *f = source_from_memory(ctx, name, yaml, strlen(yaml));
  return load(ctx, f);
}

Model *check_text(Ctx *ctx, const char *yaml) {
  Node *root = load_text(ctx, "stage.yaml", yaml);
  if (!root)
    return NULL;
  return check(ctx, merge_interpolate(ctx, root));
}

Ir *lower_text(Ctx *ctx, const char *yaml) {
  Model *m = check_text(ctx, yaml);
  if (ctx->diags.errors)
    fprintf(stderr, "unexpected: %s\n", diag_at(ctx, 0));
  assert_int_equal(ctx->diags.errors, 0);
  return lower(ctx, m);
}

Linked *link_text(Ctx *ctx, const char *yaml, Ir **ir) {
  *ir = lower_text(ctx, yaml);
  Linked *l = link_stacks(ctx, *ir);
  if (ctx->diags.errors)
    fprintf(stderr, "unexpected: %s\n", diag_at(ctx, 0));
  assert_int_equal(ctx->diags.errors, 0);
  assert_non_null(l);
  return l;
}

const LinkedStack *linked_stack(const Linked *l, const char *key) {
  int i = linked_index(l, key);
  return i < 0 ? NULL : l->stacks[i];
}

int linked_index(const Linked *l, const char *key) {
  for (size_t i = 0; l && i < l->len; i++) {
    const char *k = l->stacks[i]->stack->key;
    if ((!key && !k) || (key && k && !strcmp(key, k)))
      return (int)i;
  }
  return -1;
}

json_t *json_at(json_t *root, const char *path) {
  char buf[512];
  snprintf(buf, sizeof buf, "%s", path);
  json_t *cur = root;
  char *save = NULL;
  for (char *part = strtok_r(buf, ".", &save); part && cur; part = strtok_r(NULL, ".", &save))
    cur = json_is_array(cur) ? json_array_get(cur, (size_t)atoi(part)) : json_object_get(cur, part);
  return cur;
}

const char *json_text(Ctx *ctx, json_t *v) {
  char *s = ir_json_text(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
  assert_non_null(s);
  const char *out = arena_strdup(&ctx->arena, s);
  free(s);
  return out;
}

const char *diag_at(Ctx *ctx, unsigned n) {
  const Diag *d = ctx->diags.head;
  while (d && n--)
    d = d->next;
  return d ? diag_format_short(ctx, d) : NULL;
}

int has_diag(Ctx *ctx, const char *code, const char *part) {
  for (const Diag *d = ctx->diags.head; d; d = d->next)
    if (d->code && !strcmp(d->code, code) && strstr(d->message, part))
      return 1;
  return 0;
}

/* The folders temp_dir made, removed when the test program exits (a forked
 * child ends with _exit or a signal, so only the parent removes them). */
static char **made_dirs;
static size_t made_len;
static pid_t made_by;

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st;
  (void)ftw;
  return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static void remove_made_dirs(void) {
  for (size_t i = 0; i < made_len; i++) {
    if (getpid() == made_by)
      nftw(made_dirs[i], remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(made_dirs[i]);
  }
  free(made_dirs);
}

const char *temp_dir(Ctx *ctx) {
  char tmpl[] = "/tmp/lakec-test-XXXXXX";
  char *dir = mkdtemp(tmpl);
  assert_non_null(dir);
  if (!made_dirs) {
    made_by = getpid();
    atexit(remove_made_dirs);
  }
  char **grown = realloc(made_dirs, (made_len + 1) * sizeof *grown);
  assert_non_null(grown);
  made_dirs = grown;
  made_dirs[made_len] = strdup(dir);
  assert_non_null(made_dirs[made_len++]);
  return arena_strdup(&ctx->arena, dir);
}

void write_text(const char *dir, const char *name, const char *text) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *fp = fopen(path, "w");
  assert_non_null(fp);
  fputs(text, fp);
  fclose(fp);
}

json_t *role_statement(const Ir *ir, const char *role, const char *action) {
  json_t *statements = res_get(ir, role, "Properties.Policies.0.PolicyDocument.Statement");
  size_t i, k;
  json_t *st, *a;
  json_array_foreach(statements, i, st) {
    json_array_foreach(json_object_get(st, "Action"), k, a) {
      if (!strcmp(json_string_value(a), action))
        return st;
    }
  }
  return NULL;
}

json_t *res_get(const Ir *ir, const char *id, const char *path) {
  const IrResource *r = ir_find(ir, id);
  if (!r)
    return NULL;
  char buf[256];
  snprintf(buf, sizeof buf, "%s", path);
  json_t *cur = NULL;
  char *save = NULL;
  for (char *part = strtok_r(buf, ".", &save); part; part = strtok_r(NULL, ".", &save)) {
    if (!cur) {
      if (strcmp(part, "Properties") != 0)
        return NULL;
      cur = r->properties;
      continue;
    }
    if (json_is_array(cur))
      cur = json_array_get(cur, (size_t)atoi(part));
    else
      cur = json_object_get(cur, part);
    if (!cur)
      return NULL;
  }
  return cur;
}

char *read_source_file(const char *rel) {
  const char *root = getenv("LAKEC_SOURCE_DIR");
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", root ? root : ".", rel);
  FILE *fp = fopen(path, "rb");
  if (!fp)
    return NULL;
  fseek(fp, 0, SEEK_END);
  long n = ftell(fp);
  rewind(fp);
  char *text = malloc((size_t)n + 1);
  if (text)
    text[fread(text, 1, (size_t)n, fp)] = '\0';
  fclose(fp);
  return text;
}

const char *res_str(const Ir *ir, const char *id, const char *path) {
  json_t *v = res_get(ir, id, path);
  if (!json_is_string(v))
    fail_msg("%s %s: %s", id, path, v ? "not a string" : "missing");
  return json_string_value(v);
}
