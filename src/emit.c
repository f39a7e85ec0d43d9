/* emit: phase 5. Renders each stack's template (link made them) with jansson
 * (which keeps insertion order, so the lowering's order is the file's order)
 * and the stage's manifest, and writes through temporary files renamed into
 * place only when every file of the run is written: a failed build never
 * leaves a partial or a stale mix of files behind. A stage's folder is
 * DIR/<project>/<stage>/, so two blueprints with a `prod` never collide. */
#include "emit.h"
#include "ctx.h"
#include "package.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct EmitFile {
  const char *path, *tmp;
  const unsigned char *data;
  size_t size;
  char *owned; /* malloc'd text the file is, or NULL when data belongs to someone else */
  bool written;
} EmitFile;

static char *dump(json_t *v) {
  char *s = ir_json_text(v, JSON_INDENT(2) | JSON_ENSURE_ASCII);
  if (!s)
    BUG("cannot render JSON");
  size_t n = strlen(s);
  char *out = realloc(s, n + 2);
  if (!out)
    BUG("out of memory");
  out[n] = '\n';
  out[n + 1] = '\0';
  return out;
}

char *emit_template_text(const Ir *ir) {
  json_t *t = ir_to_template(ir);
  char *s = dump(t);
  json_decref(t);
  return s;
}

char *emit_json_text(json_t *v) { return dump(v); }

/* The stack's parameters and their defaults (null: the deployer supplies it). */
static json_t *stack_parameters(const LinkedStack *ls) {
  json_t *out = json_object(), *params = json_object_get(ls->template, "Parameters");
  const char *id;
  json_t *body;
  json_object_foreach(params, id, body) {
    json_t *def = json_object_get(body, "Default");
    json_object_set_new(out, id, def ? json_incref(def) : json_null());
  }
  return out;
}

static json_t *manifest_stacks(const Linked *l) {
  json_t *stacks = json_array();
  for (size_t i = 0; i < l->len; i++) {
    const LinkedStack *ls = l->stacks[i];
    json_t *deps = json_array();
    for (size_t k = 0; k < ls->depends_on.len; k++)
      json_array_append_new(deps, json_string(((const IrStack *)ls->depends_on.items[k])->name));
    char *file = emit_template_file(ls->stack);
    json_array_append_new(stacks, J("{s:s, s:o, s:s, s:o, s:o}", "name", ls->stack->name, "key",
                                    ls->stack->key ? json_string(ls->stack->key) : json_null(),
                                    "template", file, "parameters", stack_parameters(ls),
                                    "depends_on", deps));
    free(file);
  }
  return stacks;
}

static json_t *manifest_assets(const Ir *ir) {
  json_t *assets = json_array();
  for (size_t i = 0; i < ir->assets.len; i++) {
    const IrAsset *a = ir->assets.items[i];
    json_t *fns = json_array();
    for (size_t k = 0; k < a->functions.len; k++)
      json_array_append_new(fns, json_string(a->functions.items[k]));
    /* file and sha256 are null when the build did not package (--no-package). */
    json_array_append_new(assets, J("{s:s, s:s, s:o, s:o, s:o, s:o}", "handler", a->handler,
                                    "parameter", a->parameter, "functions", fns, "file",
                                    a->file ? json_string(a->file) : json_null(), "sha256",
                                    a->sha256 ? json_string(a->sha256) : json_null(), "size",
                                    a->file ? json_integer((json_int_t)a->zip_size) : json_null()));
  }
  return assets;
}

char *emit_manifest_text(const Ir *ir, const Linked *l, const char *source) {
  json_t *m = J("{s:i, s:s, s:s, s:s, s:s, s:o, s:o}", "manifest", 2, "project", ir->project,
                "stage", ir->stage, "source", source, "bucket_parameter", "AssetsBucket",
                "stacks", manifest_stacks(l), "assets", manifest_assets(ir));
  char *s = dump(m);
  json_decref(m);
  return s;
}

char *emit_template_file(const IrStack *s) {
  size_t n = strlen(s->name) + sizeof ".template.json";
  char *out = malloc(n);
  if (!out)
    BUG("out of memory");
  snprintf(out, n, "%s.template.json", s->name);
  return out;
}

const char *emit_stage_dir(Ctx *ctx, const Ir *ir, const char *out_dir) {
  return arena_printf(&ctx->arena, "%s/%s/%s", out_dir, ir->project, ir->stage);
}

static bool make_dirs(const char *path) {
  char buf[4096];
  if (strlen(path) >= sizeof buf)
    return false;
  strcpy(buf, path);
  for (char *p = buf + 1; *p; p++) {
    if (*p != '/')
      continue;
    *p = '\0';
    if (mkdir(buf, 0777) != 0 && errno != EEXIST)
      return false;
    *p = '/';
  }
  return mkdir(buf, 0777) == 0 || errno == EEXIST;
}

static void batch_add(Ctx *ctx, EmitBatch *b, const char *path, const unsigned char *data,
                      size_t size, char *owned) {
  EmitFile *f = arena_alloc(&ctx->arena, sizeof *f);
  f->path = path;
  f->tmp = arena_printf(&ctx->arena, "%s.tmp.%ld", path, (long)getpid());
  f->data = data;
  f->size = size;
  f->owned = owned;
  ptrvec_push(&ctx->arena, &b->files, f);
}

static void batch_add_text(Ctx *ctx, EmitBatch *b, const char *path, char *text) {
  batch_add(ctx, b, path, (const unsigned char *)text, strlen(text), text);
}

static void own_dir(Ctx *ctx, EmitBatch *b, const char *dir, const char *suffix) {
  OwnedDir *o = arena_alloc(&ctx->arena, sizeof *o);
  *o = (OwnedDir){dir, suffix};
  ptrvec_push(&ctx->arena, &b->owned_dirs, o);
}

void emit_stage(Ctx *ctx, EmitBatch *b, const Ir *ir, const Linked *l, const char *source,
                const char *out_dir) {
  const char *dir = emit_stage_dir(ctx, ir, out_dir);
  for (size_t i = 0; i < l->len; i++) {
    char *file = emit_template_file(l->stacks[i]->stack);
    char *text = emit_json_text(l->stacks[i]->template);
    link_check_body(ctx, l->stacks[i], strlen(text));
    batch_add_text(ctx, b, arena_printf(&ctx->arena, "%s/%s", dir, file), text);
    free(file);
  }
  batch_add_text(ctx, b, arena_printf(&ctx->arena, "%s/manifest.json", dir),
                 emit_manifest_text(ir, l, source));
  own_dir(ctx, b, dir, ".template.json"); /* a stack renamed or removed leaves none behind */
  bool packaged = false;
  for (size_t i = 0; i < ir->assets.len; i++) {
    const IrAsset *a = ir->assets.items[i];
    if (a->file)
      batch_add(ctx, b, arena_printf(&ctx->arena, "%s/%s", dir, a->file), a->zip, a->zip_size,
                NULL);
    packaged |= a->file != NULL;
  }
  if (packaged)
    own_dir(ctx, b, arena_printf(&ctx->arena, "%s/assets", dir), ".zip");
}

static bool in_batch(const EmitBatch *b, const char *path) {
  for (size_t i = 0; i < b->files.len; i++)
    if (!strcmp(((const EmitFile *)b->files.items[i])->path, path))
      return true;
  return false;
}

/* The files of the batch's owned directories that the batch does not write. */
static PtrVec stale_zips(Ctx *ctx, const EmitBatch *b) {
  PtrVec stale = {0};
  for (size_t i = 0; i < b->owned_dirs.len; i++) {
    const OwnedDir *o = b->owned_dirs.items[i];
    const char *dir = o->dir;
    size_t k = strlen(o->suffix);
    DIR *d = opendir(dir);
    for (struct dirent *e; d && (e = readdir(d));) {
      size_t len = strlen(e->d_name);
      const char *path = arena_printf(&ctx->arena, "%s/%s", dir, e->d_name);
      if (len > k && !strcmp(e->d_name + len - k, o->suffix) && !in_batch(b, path))
        ptrvec_push(&ctx->arena, &stale, (void *)path);
    }
    if (d)
      closedir(d);
  }
  return stale;
}

static bool write_file(const char *path, const unsigned char *data, size_t n) {
  FILE *fp = fopen(path, "wb");
  if (!fp)
    return false;
  bool ok = fwrite(data, 1, n, fp) == n;
  ok &= fflush(fp) == 0;
  ok &= fclose(fp) == 0;
  return ok;
}

static void remove_temporaries(EmitBatch *b) {
  for (size_t i = 0; i < b->files.len; i++) {
    EmitFile *f = b->files.items[i];
    if (f->written)
      unlink(f->tmp);
  }
}

bool emit_commit(Ctx *ctx, EmitBatch *b, const char **why) {
  for (size_t i = 0; i < b->files.len; i++) {
    EmitFile *f = b->files.items[i];
    const char *slash = strrchr(f->path, '/');
    const char *dir = slash ? arena_strndup(&ctx->arena, f->path, (size_t)(slash - f->path)) : ".";
    struct stat st;
    if (stat(f->path, &st) == 0 && S_ISDIR(st.st_mode)) { /* rename would fail later */
      *why = arena_printf(&ctx->arena, "cannot write '%s': it is a directory", f->path);
      remove_temporaries(b);
      return false;
    }
    /* An earlier file of these very bytes (a zip another stage has too) is
     * linked, not written again: identical zips are stored once. */
    const EmitFile *twin = NULL;
    for (size_t k = 0; k < i && !twin; k++)
      twin = ((const EmitFile *)b->files.items[k])->data == f->data ? b->files.items[k] : NULL;
    if (!make_dirs(dir) || !(twin ? package_link_or_copy(twin->tmp, f->tmp)
                                  : write_file(f->tmp, f->data, f->size))) {
      *why = arena_printf(&ctx->arena, "cannot write '%s': %s", f->path, strerror(errno));
      f->written = true; /* may be partly there */
      remove_temporaries(b);
      return false;
    }
    f->written = true;
  }
  for (size_t i = 0; i < b->files.len; i++) {
    EmitFile *f = b->files.items[i];
    if (rename(f->tmp, f->path) != 0) {
      *why = arena_printf(&ctx->arena, "cannot rename into '%s': %s", f->path, strerror(errno));
      remove_temporaries(b);
      return false;
    }
    f->written = false;
  }
  PtrVec stale = stale_zips(ctx, b);
  for (size_t i = 0; i < stale.len; i++)
    unlink(stale.items[i]);
  return true;
}

/* The file's bytes equal data exactly (no more, no less). */
static bool same_content(const char *path, const unsigned char *data, size_t n, bool *missing) {
  FILE *fp = fopen(path, "rb");
  *missing = !fp;
  if (!fp)
    return false;
  unsigned char *buf = malloc(n + 1);
  if (!buf)
    BUG("out of memory");
  size_t got = fread(buf, 1, n + 1, fp);
  fclose(fp);
  bool same = got == n && memcmp(buf, data, n) == 0;
  free(buf);
  return same;
}

size_t emit_check(Ctx *ctx, EmitBatch *b, FILE *report) {
  size_t stale = 0;
  for (size_t i = 0; i < b->files.len; i++) {
    EmitFile *f = b->files.items[i];
    bool missing;
    if (same_content(f->path, f->data, f->size, &missing))
      continue;
    fprintf(report, "lakec: '%s' is %s\n", f->path, missing ? "missing" : "out of date");
    stale++;
  }
  PtrVec zips = stale_zips(ctx, b);
  for (size_t i = 0; i < zips.len; i++)
    fprintf(report, "lakec: '%s' would be removed\n", (const char *)zips.items[i]);
  return stale + zips.len;
}

void emit_batch_release(EmitBatch *b) {
  for (size_t i = 0; i < b->files.len; i++)
    free(((EmitFile *)b->files.items[i])->owned);
  b->files.len = 0;
  b->owned_dirs.len = 0;
}
