/* emit: phase 5. Renders each stack's template (link made them) with jansson
 * (which keeps insertion order, so the lowering's order is the file's order)
 * and the stage's manifest, and writes each stage's folder whole into a
 * temporary folder that is swapped into place only when every stage of the
 * run is written (outdir.h): a failed or killed build never leaves a partial
 * or a stale mix of files behind. A stage's folder is
 * DIR/<project>/<stage>/, so two blueprints with a `prod` never collide. */
#include "emit.h"
#include "ctx.h"
#include "outdir.h"
#include "package.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct EmitStage {
  const char *dir;       /* DIR/<project>/<stage> */
  const char *parent;    /* DIR/<project>, where its temporary folder is made */
  const char *cache_dir; /* DIR/.cache/deflate */
  PtrVec files;          /* EmitFile * */
  bool packaged;         /* assets/ holds this build's zips (else --no-package: left as it is) */
  bool scripts;          /* assets/ holds Glue scripts (every build writes those) */
  const char *tmp;       /* its temporary folder while it is written, else NULL */
  int tmp_fd;            /* open (and so locked) while tmp is */
} EmitStage;

typedef struct EmitFile {
  const char *name; /* relative to the stage folder: "manifest.json", "assets/x-1234.zip" */
  const char *path; /* DIR/<project>/<stage>/<name>, for messages */
  const unsigned char *data;
  size_t size;
  char *owned; /* malloc'd text the file is, or NULL when data belongs to someone else */
  EmitStage *stage;
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

/* A handler zip's entry has the fields of manifest 2's first release; kind
 * and a script's entry (handler null, no functions, its job) came after, then
 * a function's own code (kind "code", handler null, its code and runtime). */
static json_t *manifest_assets(const Ir *ir) {
  json_t *assets = json_array();
  for (size_t i = 0; i < ir->assets.len; i++) {
    const IrAsset *a = ir->assets.items[i];
    json_t *fns = json_array();
    for (size_t k = 0; k < a->functions.len; k++)
      json_array_append_new(fns, json_string(a->functions.items[k]));
    /* file and sha256 are null when the build did not package (--no-package). */
    json_t *entry = J("{s:o, s:s, s:o, s:o, s:o, s:o, s:s}", "handler",
                      a->handler ? json_string(a->handler) : json_null(), "parameter",
                      a->parameter, "functions", fns, "file",
                      a->file ? json_string(a->file) : json_null(), "sha256",
                      a->sha256 ? json_string(a->sha256) : json_null(), "size",
                      a->file ? json_integer((json_int_t)a->zip_size) : json_null(), "kind",
                      a->job ? "script" : a->code ? "code" : "handler");
    if (a->job)
      json_object_set_new(entry, "job", json_string(a->job));
    if (a->code) {
      json_object_set_new(entry, "code", json_string(a->code));
      json_object_set_new(entry, "runtime", json_string(a->runtime));
    }
    json_array_append_new(assets, entry);
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

static void stage_add(Ctx *ctx, EmitBatch *b, EmitStage *s, const char *name,
                      const unsigned char *data, size_t size, char *owned) {
  EmitFile *f = arena_alloc(&ctx->arena, sizeof *f);
  *f = (EmitFile){name, arena_printf(&ctx->arena, "%s/%s", s->dir, name), data, size, owned, s};
  ptrvec_push(&ctx->arena, &s->files, f);
  ptrvec_push(&ctx->arena, &b->files, f);
}

static void stage_add_text(Ctx *ctx, EmitBatch *b, EmitStage *s, const char *name, char *text) {
  stage_add(ctx, b, s, name, (const unsigned char *)text, strlen(text), text);
}

void emit_stage(Ctx *ctx, EmitBatch *b, const Ir *ir, const Linked *l, const char *source,
                const char *out_dir) {
  EmitStage *s = arena_alloc(&ctx->arena, sizeof *s);
  s->dir = emit_stage_dir(ctx, ir, out_dir);
  s->parent = arena_printf(&ctx->arena, "%s/%s", out_dir, ir->project);
  s->cache_dir = arena_printf(&ctx->arena, "%s/" PACKAGE_CACHE_DIR, out_dir);
  s->tmp_fd = -1;
  ptrvec_push(&ctx->arena, &b->stages, s);
  for (size_t i = 0; i < l->len; i++) {
    char *text = emit_json_text(l->stacks[i]->template);
    link_check_body(ctx, l->stacks[i], strlen(text));
    char *file = emit_template_file(l->stacks[i]->stack);
    stage_add_text(ctx, b, s, arena_strdup(&ctx->arena, file), text);
    free(file);
  }
  stage_add_text(ctx, b, s, "manifest.json", emit_manifest_text(ir, l, source));
  for (size_t i = 0; i < ir->assets.len; i++) {
    const IrAsset *a = ir->assets.items[i];
    if (a->file)
      stage_add(ctx, b, s, a->file, a->zip, a->zip_size, NULL);
    s->packaged |= a->file && !a->job;
    s->scripts |= a->job != NULL;
  }
}

static const EmitFile *stage_file(const EmitStage *s, const char *name) {
  for (size_t i = 0; i < s->files.len; i++)
    if (!strcmp(((const EmitFile *)s->files.items[i])->name, name))
      return s->files.items[i];
  return NULL;
}

static bool ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), k = strlen(suffix);
  return n >= k && !strcmp(s + n - k, suffix);
}

/* What an entry of the old stage folder is to the new one. */
typedef enum {
  OLD_REWRITTEN, /* a file this build writes again */
  OLD_STALE,     /* lakec's and no longer written: a removed stack's template, older code's zip */
  OLD_TEMPORARY, /* a temporary an earlier build left */
  OLD_CARRIED,   /* not lakec's: carried into the new folder as it is */
  OLD_ASSETS,    /* the assets/ folder, whose entries are looked at in turn */
  OLD_IN_THE_WAY /* a folder or a link where lakec writes: a build refuses it */
} OldKind;

/* name: relative to the stage folder; mode: lstat's. Every build writes all
 * of its stage's scripts, so a script in assets/ it does not write is an
 * older one; zips only when it packaged. */
static OldKind classify(const EmitStage *s, const char *name, mode_t mode) {
  const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
  bool in_assets = base != name;
  if (stage_file(s, name))
    return S_ISREG(mode) || S_ISLNK(mode) ? OLD_REWRITTEN : OLD_IN_THE_WAY;
  if (!strcmp(name, "assets")) /* a link there is never followed, so refused */
    return S_ISDIR(mode)                                ? OLD_ASSETS
           : S_ISLNK(mode) || s->packaged || s->scripts ? OLD_IN_THE_WAY
                                                        : OLD_CARRIED;
  if (outdir_is_temporary(base))
    return OLD_TEMPORARY;
  if (S_ISDIR(mode))
    return OLD_IN_THE_WAY;
  if (in_assets ? (s->packaged && ends_with(name, ".zip")) || ends_with(name, ".py")
                : ends_with(name, ".template.json"))
    return OLD_STALE;
  return OLD_CARRIED;
}

/* Why a build refuses what is at path (an OLD_IN_THE_WAY entry, or the
 * stage folder itself). */
static const char *refusal(Ctx *ctx, const char *path, mode_t mode, bool lakec_file) {
  if (S_ISLNK(mode))
    return arena_printf(&ctx->arena, "'%s' is a symbolic link where lakec keeps a folder of its "
                        "own; lakec does not follow it (remove the link)", path);
  if (lakec_file)
    return arena_printf(&ctx->arena, "cannot write '%s': it is %s", path,
                        S_ISDIR(mode) ? "a directory" : "not a regular file");
  if (S_ISDIR(mode))
    return arena_printf(&ctx->arena, "'%s' is a folder lakec did not write; a stage folder is "
                        "replaced whole by each build, so keep other folders elsewhere", path);
  return arena_printf(&ctx->arena, "cannot write '%s': it is not a folder", path);
}

typedef struct OldWalk {
  Ctx *ctx;
  EmitStage *stage;
  /* Called for every entry but assets/ itself: fd holds `entry`, whose
   * path relative to the stage folder is `name`. */
  void (*visit)(struct OldWalk *w, int fd, const char *entry, const char *name, mode_t mode,
                OldKind kind);
  const char *why; /* the first failure, when committing */
  size_t reported; /* when checking */
  FILE *report;
} OldWalk;

/* Every entry of the old stage folder fd (prefix NULL) and of its assets/. */
static void walk_old(OldWalk *w, int fd, const char *prefix) {
  int dupfd = dup(fd);
  DIR *d = dupfd >= 0 ? fdopendir(dupfd) : NULL;
  if (!d) {
    if (dupfd >= 0)
      close(dupfd);
    w->why = w->why ? w->why : arena_printf(&w->ctx->arena, "cannot read '%s': %s", w->stage->dir,
                                            strerror(errno));
    return;
  }
  for (struct dirent *e; (e = readdir(d));) {
    struct stat st;
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
        fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
      continue;
    const char *name =
        prefix ? arena_printf(&w->ctx->arena, "%s/%s", prefix, e->d_name) : e->d_name;
    OldKind kind = classify(w->stage, name, st.st_mode);
    int sub = kind == OLD_ASSETS
                  ? openat(fd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                  : -1;
    if (sub >= 0) {
      walk_old(w, sub, "assets");
      close(sub);
    } else if (kind != OLD_ASSETS) {
      w->visit(w, fd, e->d_name, name, st.st_mode, kind);
    }
  }
  closedir(d);
}

/* The folder that holds name ("assets" for "assets/x.zip") made in dirfd. */
static bool make_parent_at(Ctx *ctx, int dirfd, const char *name) {
  const char *slash = strrchr(name, '/');
  if (!slash)
    return true;
  const char *parent = arena_strndup(&ctx->arena, name, (size_t)(slash - name));
  return mkdirat(dirfd, parent, 0777) == 0 || errno == EEXIST;
}

/* Committing: what is not lakec's goes into the new folder, by hard link. */
static void carry_over(OldWalk *w, int fd, const char *entry, const char *name, mode_t mode,
                       OldKind kind) {
  EmitStage *s = w->stage;
  const char *path = arena_printf(&w->ctx->arena, "%s/%s", s->dir, name);
  if (w->why)
    return;
  if (kind == OLD_IN_THE_WAY)
    w->why = refusal(w->ctx, path, mode, stage_file(s, name) != NULL);
  else if (kind == OLD_CARRIED && !(make_parent_at(w->ctx, s->tmp_fd, name) &&
                                    outdir_link_or_copy(fd, entry, s->tmp_fd, name)))
    w->why = arena_printf(&w->ctx->arena, "cannot carry '%s' into the new stage folder: %s",
                          path, strerror(errno));
}

/* The old stage folder, opened without following a link; -1 when there is
 * none, or (*why set) when something else is in its place. */
static int open_old_stage(Ctx *ctx, const EmitStage *s, const char **why) {
  int fd = open(s->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  struct stat st;
  if (fd >= 0 || errno == ENOENT)
    return fd;
  if (lstat(s->dir, &st) == 0)
    *why = refusal(ctx, s->dir, st.st_mode, false);
  else
    *why = arena_printf(&ctx->arena, "cannot read '%s': %s", s->dir, strerror(errno));
  return -1;
}

/* An earlier file of the run with these very bytes (a zip another stage has
 * too): linked, not written again, so identical zips are stored once. */
static const EmitFile *earlier_twin(const EmitBatch *b, const EmitFile *f) {
  for (size_t k = 0; k < b->files.len && b->files.items[k] != f; k++)
    if (((const EmitFile *)b->files.items[k])->data == f->data)
      return b->files.items[k];
  return NULL;
}

static bool write_stage_files(Ctx *ctx, const EmitBatch *b, EmitStage *s, const char **why) {
  for (size_t i = 0; i < s->files.len; i++) {
    const EmitFile *f = s->files.items[i], *twin = earlier_twin(b, f);
    bool ok = make_parent_at(ctx, s->tmp_fd, f->name) &&
              (twin ? outdir_link_or_copy(twin->stage->tmp_fd, twin->name, s->tmp_fd, f->name)
                    : outdir_write_new(s->tmp_fd, f->name, f->data, f->size));
    if (!ok) {
      *why = arena_printf(&ctx->arena, "cannot write '%s': %s", f->path, strerror(errno));
      return false;
    }
  }
  return true;
}

/* The stage's new folder, whole, in a temporary folder beside the old. */
static bool prepare_stage(Ctx *ctx, const EmitBatch *b, EmitStage *s, const char **why) {
  if (!outdir_make_dirs(s->parent)) {
    *why = arena_printf(&ctx->arena, "cannot write '%s': %s", s->dir, strerror(errno));
    return false;
  }
  outdir_remove_leftovers(&ctx->arena, s->parent);
  int old = open_old_stage(ctx, s, why);
  if (*why)
    return false;
  s->tmp = outdir_temp_folder(&ctx->arena, s->parent, &s->tmp_fd);
  if (!s->tmp)
    *why = arena_printf(&ctx->arena, "cannot write '%s': %s", s->dir, strerror(errno));
  OldWalk w = {.ctx = ctx, .stage = s, .visit = carry_over};
  if (s->tmp && write_stage_files(ctx, b, s, why) && old >= 0) {
    walk_old(&w, old, NULL);
    *why = w.why;
  }
  if (old >= 0)
    close(old);
  return *why == NULL;
}

void emit_abandon(EmitBatch *b) {
  for (size_t i = 0; i < b->stages.len; i++) {
    EmitStage *s = b->stages.items[i];
    if (s->tmp)
      outdir_remove_at(AT_FDCWD, s->tmp);
    if (s->tmp_fd >= 0)
      close(s->tmp_fd);
    s->tmp = NULL;
    s->tmp_fd = -1;
  }
}

bool emit_prepare(Ctx *ctx, EmitBatch *b, const char **why) {
  *why = NULL;
  if (b->stages.len) /* killed builds' cache entries (package.c writes those) */
    outdir_remove_leftovers(&ctx->arena, ((EmitStage *)b->stages.items[0])->cache_dir);
  for (size_t i = 0; i < b->stages.len; i++)
    if (!prepare_stage(ctx, b, b->stages.items[i], why)) {
      emit_abandon(b);
      return false;
    }
  return true;
}

bool emit_swap(Ctx *ctx, EmitBatch *b, const char **why) {
  *why = NULL;
  for (size_t i = 0; i < b->stages.len; i++) {
    EmitStage *s = b->stages.items[i];
    const char *old;
    if (!outdir_replace_folder(&ctx->arena, s->tmp, s->dir, &old)) {
      *why = arena_printf(&ctx->arena, "cannot put '%s' in place: %s", s->dir, strerror(errno));
      emit_abandon(b); /* the stages before are in place, whole */
      return false;
    }
    s->tmp = NULL; /* in place now; its descriptor (the lock) is closed below */
    if (old)
      outdir_remove_at(AT_FDCWD, old);
  }
  emit_abandon(b);
  return true;
}

bool emit_commit(Ctx *ctx, EmitBatch *b, const char **why) {
  return emit_prepare(ctx, b, why) && emit_swap(ctx, b, why);
}

/* The file's bytes equal data exactly (no more, no less); a link is never
 * followed (a build replaces it with a file). */
static bool same_content(int dirfd, const char *name, const unsigned char *data, size_t n,
                         bool *missing) {
  int fd = dirfd >= 0 ? openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) : -1;
  *missing = fd < 0 && (dirfd < 0 || errno == ENOENT);
  FILE *fp = fd >= 0 ? fdopen(fd, "rb") : NULL;
  if (!fp) {
    if (fd >= 0)
      close(fd);
    return false;
  }
  unsigned char *buf = malloc(n + 1);
  if (!buf)
    BUG("out of memory");
  size_t got = fread(buf, 1, n + 1, fp);
  fclose(fp);
  bool same = got == n && memcmp(buf, data, n) == 0;
  free(buf);
  return same;
}

static void report_leftover(FILE *report, const char *path) {
  fprintf(report, "lakec: '%s' is left over from an interrupted build; the next build removes it\n",
          path);
}

/* Checking: what a build would remove or refuse. */
static void report_old(OldWalk *w, int fd, const char *entry, const char *name, mode_t mode,
                       OldKind kind) {
  (void)fd, (void)entry;
  const char *path = arena_printf(&w->ctx->arena, "%s/%s", w->stage->dir, name);
  if (kind == OLD_STALE)
    fprintf(w->report, "lakec: '%s' would be removed\n", path);
  else if (kind == OLD_TEMPORARY)
    report_leftover(w->report, path);
  else if (kind == OLD_IN_THE_WAY)
    fprintf(w->report, "lakec: a build would fail: %s\n",
            refusal(w->ctx, path, mode, stage_file(w->stage, name) != NULL));
  w->reported += kind == OLD_STALE || kind == OLD_TEMPORARY || kind == OLD_IN_THE_WAY;
}

static size_t check_stage(Ctx *ctx, EmitStage *s, FILE *report) {
  const char *why = NULL;
  int fd = open_old_stage(ctx, s, &why);
  if (why) {
    fprintf(report, "lakec: a build would fail: %s\n", why);
    return 1;
  }
  size_t stale = 0;
  for (size_t i = 0; i < s->files.len; i++) {
    const EmitFile *f = s->files.items[i];
    bool missing;
    if (same_content(fd, f->name, f->data, f->size, &missing))
      continue;
    fprintf(report, "lakec: '%s' is %s\n", f->path, missing ? "missing" : "out of date");
    stale++;
  }
  OldWalk w = {.ctx = ctx, .stage = s, .visit = report_old, .report = report};
  if (fd >= 0) {
    walk_old(&w, fd, NULL);
    close(fd);
  }
  return stale + w.reported;
}

/* The leftover temporaries of dir, once per folder (stages share theirs). */
static size_t check_leftovers(Ctx *ctx, PtrVec *seen, const char *dir, FILE *report) {
  for (size_t i = 0; i < seen->len; i++)
    if (!strcmp(seen->items[i], dir))
      return 0;
  ptrvec_push(&ctx->arena, seen, (void *)dir);
  PtrVec left = {0};
  outdir_leftovers(&ctx->arena, dir, &left);
  for (size_t i = 0; i < left.len; i++)
    report_leftover(report, left.items[i]);
  return left.len;
}

size_t emit_check(Ctx *ctx, EmitBatch *b, FILE *report) {
  size_t n = 0;
  PtrVec seen = {0};
  for (size_t i = 0; i < b->stages.len; i++) {
    EmitStage *s = b->stages.items[i];
    n += check_stage(ctx, s, report);
    n += check_leftovers(ctx, &seen, s->parent, report);
    n += check_leftovers(ctx, &seen, s->cache_dir, report);
  }
  return n;
}

void emit_batch_release(EmitBatch *b) {
  emit_abandon(b);
  for (size_t i = 0; i < b->files.len; i++)
    free(((EmitFile *)b->files.items[i])->owned);
  b->files.len = 0;
  b->stages.len = 0;
}
