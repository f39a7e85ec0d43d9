/* extends: the checks between an `extends:` value and the bytes merge loads.
 * Paths are compared canonical (realpath), so a symbolic link that leads out
 * of the project is refused like "../../etc/passwd". Before anything is
 * touched on disk the value is checked lexically, so a refusal does not tell
 * whether a file outside the project exists. The last word belongs to the
 * open descriptor: its type, and (where /proc says) the file it really is. */
#include "extends.h"
#include "ctx.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- paths ---- */

/* Lexically drops "." and "dir/.." so diagnostics name "templates/x.yaml",
 * not "stages/../templates/x.yaml" (symlinks aside, the same file). */
static const char *normalize_path(Ctx *ctx, const char *path) {
  bool absolute = path[0] == '/';
  char *copy = arena_strdup(&ctx->arena, path);
  const char **parts = arena_alloc(&ctx->arena, (strlen(path) / 2 + 2) * sizeof *parts);
  size_t n = 0;
  char *save = NULL;
  for (char *p = strtok_r(copy, "/", &save); p; p = strtok_r(NULL, "/", &save)) {
    if (!strcmp(p, "."))
      continue;
    if (!strcmp(p, "..") && n > 0 && strcmp(parts[n - 1], ".."))
      n--;
    else if (!(strcmp(p, "..") == 0 && absolute && n == 0))
      parts[n++] = p;
  }
  char *out = arena_strdup(&ctx->arena, absolute ? "/" : "");
  for (size_t i = 0; i < n; i++)
    out = arena_printf(&ctx->arena, "%s%s%s", out, i ? "/" : "", parts[i]);
  return *out ? out : ".";
}

/* value, relative to the directory of from_path unless absolute. */
static const char *resolve_relative(Ctx *ctx, const char *from_path, const char *value) {
  if (value[0] == '/')
    return normalize_path(ctx, value);
  const char *slash = strrchr(from_path, '/');
  if (!slash)
    return normalize_path(ctx, value);
  return normalize_path(ctx, arena_printf(&ctx->arena, "%.*s/%s", (int)(slash - from_path),
                                          from_path, value));
}

const char *extends_shown_path(Ctx *ctx, const char *from_path, const char *value) {
  return resolve_relative(ctx, from_path, value);
}

static const char *canonical(Ctx *ctx, const char *path) {
  char buf[PATH_MAX];
  return realpath(path, buf) ? arena_strdup(&ctx->arena, buf) : NULL;
}

static const char *parent_dir(Ctx *ctx, const char *path) {
  const char *slash = strrchr(path, '/');
  if (!slash)
    return ".";
  return slash == path ? "/" : arena_strndup(&ctx->arena, path, (size_t)(slash - path));
}

/* path (canonical) is dir or inside it. */
static bool is_under(const char *path, const char *dir) {
  size_t n = strlen(dir);
  if (n == 1 && dir[0] == '/')
    return true;
  return !strncmp(path, dir, n) && (path[n] == '/' || path[n] == '\0');
}

static bool has_yaml_name(const char *path) {
  size_t n = strlen(path);
  return (n > 5 && !strcmp(path + n - 5, ".yaml")) || (n > 4 && !strcmp(path + n - 4, ".yml"));
}

/* ---- the project root ---- */

static bool marks_project(Ctx *ctx, const char *dir) {
  struct stat st;
  const char *templates = arena_printf(&ctx->arena, "%s/templates", dir);
  const char *git = arena_printf(&ctx->arena, "%s/.git", dir);
  return (stat(templates, &st) == 0 && S_ISDIR(st.st_mode)) || lstat(git, &st) == 0;
}

ProjectRoot extends_project_root(Ctx *ctx, const char *stage_path) {
  if (ctx->root)
    return (ProjectRoot){ctx->root, "set by --root"};
  const char *own = extends_base_dir(ctx, stage_path);
  if (!own)
    return (ProjectRoot){NULL, NULL};
  for (const char *dir = own;; dir = parent_dir(ctx, dir)) {
    if (marks_project(ctx, dir))
      return (ProjectRoot){dir, "the nearest directory, from the stage file's own upwards, "
                                "with a templates folder or a .git entry"};
    if (!strcmp(dir, "/"))
      break;
  }
  return (ProjectRoot){own, "the stage file's own directory (none above it has a "
                            "templates folder or a .git entry)"};
}

/* The root as the user would type it: relative to the current directory
 * ("../.."), unless the two only share "/". */
static const char *shown_root(Ctx *ctx, const char *root) {
  char buf[PATH_MAX];
  const char *cwd = getcwd(buf, sizeof buf) ? canonical(ctx, buf) : NULL;
  if (!cwd)
    return root;
  const char *up = "";
  const char *common = cwd;
  while (!is_under(root, common)) {
    common = parent_dir(ctx, common);
    up = arena_printf(&ctx->arena, "%s../", up);
  }
  if (!strcmp(common, "/"))
    return root;
  const char *down = root + strlen(common);
  down += *down == '/';
  if (!*down)
    return *up ? arena_strndup(&ctx->arena, up, strlen(up) - 1) : ".";
  return arena_printf(&ctx->arena, "%s%s", up, down);
}

/* ---- refusals ---- */

__attribute__((format(printf, 4, 5))) static void refuse(Ctx *ctx, const ProjectRoot *root,
                                                         const Node *value, const char *fmt,
                                                         ...) {
  va_list ap;
  va_start(ap, fmt);
  const char *message = arena_vprintf(&ctx->arena, fmt, ap);
  va_end(ap);
  Diag *d = diag_error(ctx, value->pos, LK_EXTENDS_REFUSED, "%s", message);
  if (root->dir)
    diag_note(ctx, d, (Pos){0},
              "extends may name .yaml and .yml files under the project root '%s', %s; "
              "--root DIR sets another root",
              shown_root(ctx, root->dir), root->how);
}

const char *extends_base_dir(Ctx *ctx, const char *path) {
  return canonical(ctx, parent_dir(ctx, path));
}

/* The target as the lexical path from the (canonical) base directory: what
 * it would be if no component of value were a symbolic link. */
static const char *lexical_target(Ctx *ctx, const char *base_dir, const char *value) {
  if (value[0] == '/')
    return normalize_path(ctx, value);
  if (!base_dir)
    return NULL;
  return normalize_path(ctx, arena_printf(&ctx->arena, "%s/%s", base_dir, value));
}

const char *extends_target(Ctx *ctx, const ProjectRoot *root, const char *base_dir,
                           const char *shown, const Node *value, const char **named) {
  if (!has_yaml_name(value->str)) {
    refuse(ctx, root, value, "'%s' is not named .yaml or .yml: extends names a YAML stage file",
           shown);
    return NULL;
  }
  const char *lexical = lexical_target(ctx, base_dir, value->str);
  if (!root->dir || !lexical || !is_under(lexical, root->dir)) {
    refuse(ctx, root, value, "'%s' is outside the project root", shown);
    return NULL;
  }
  const char *real = canonical(ctx, lexical);
  if (!real) {
    diag_error(ctx, value->pos, LK_EXTENDS_NOT_FOUND, "cannot read '%s': %s", shown,
               strerror(errno));
    return NULL;
  }
  if (!is_under(real, root->dir) || !has_yaml_name(real)) {
    refuse(ctx, root, value, "'%s' is a symbolic link to %s", shown,
           is_under(real, root->dir) ? "a file not named .yaml or .yml"
                                     : "a file outside the project root");
    return NULL;
  }
  *named = lexical;
  return real;
}

/* ---- reading ---- */

/* Where the kernel says an open descriptor leads, or NULL (no /proc). */
static const char *descriptor_path(Ctx *ctx, int fd) {
  char link[64], buf[PATH_MAX];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, buf, sizeof buf - 1);
  if (n <= 0 || buf[0] != '/')
    return NULL;
  buf[n] = '\0';
  return arena_strdup(&ctx->arena, buf);
}

/* Opens the target; a descriptor, or -1 after a diagnostic. O_NOFOLLOW and
 * the descriptor's own path close the gap between the checks on the name and
 * the open: a component swapped for a link meanwhile is caught. */
static int open_target(Ctx *ctx, const ProjectRoot *root, const char *target, const char *shown,
                       const Node *value, size_t *size) {
  const char *why = NULL;
  int fd = source_open(target, O_NOFOLLOW, SOURCE_MAX_BYTES, size, &why);
  if (fd == SOURCE_NOT_REGULAR)
    refuse(ctx, root, value, "'%s' %s", shown, why);
  else if (fd == SOURCE_OVER_LIMIT)
    diag_error(ctx, value->pos, LK_INPUT_LIMIT,
               "'%s' is larger than 4 MiB, the limit for a stage file", shown);
  else if (fd < 0)
    diag_error(ctx, value->pos, LK_EXTENDS_NOT_FOUND, "cannot read '%s': %s", shown, why);
  if (fd < 0)
    return -1;
  const char *held = descriptor_path(ctx, fd);
  if (held && !is_under(held, root->dir)) {
    close(fd);
    refuse(ctx, root, value, "'%s' is outside the project root", shown);
    return -1;
  }
  return fd;
}

SourceFile *extends_read(Ctx *ctx, const ProjectRoot *root, const char *target,
                         const char *shown, const Node *value) {
  size_t size;
  int fd = open_target(ctx, root, target, shown, value, &size);
  if (fd < 0)
    return NULL;
  const char *why = NULL;
  SourceFile *f = source_read_fd(ctx, fd, shown, size, &why);
  if (!f) {
    diag_error(ctx, value->pos, LK_EXTENDS_NOT_FOUND, "cannot read '%s': %s", shown, why);
    return NULL;
  }
  /* Not text: reported here, in the extending file, and never parsed, so no
   * diagnostic can point into it and quote its lines. */
  unsigned line;
  const char *what = source_not_text(f, &line);
  if (what) {
    diag_error(ctx, value->pos, LK_ENCODING,
               "'%s' is not UTF-8 text (line %u holds %s); its lines are not shown", shown,
               line, what);
    return NULL;
  }
  return f;
}

/* ---- other files a stage file names (a Glue job's script) ---- */

static bool has_suffix(const char *path, const char *suffix) {
  size_t n = strlen(path), k = strlen(suffix);
  return n > k && !strcmp(path + n - k, suffix);
}

ProjectFile extends_read_project_file(Ctx *ctx, const ProjectRoot *root, const char *base_dir,
                                      const char *value, const char *suffix, const char *shown,
                                      SourceFile **out, const char **why) {
  *out = NULL;
  *why = NULL;
  const char *lexical = lexical_target(ctx, base_dir, value);
  if (!has_suffix(value, suffix))
    *why = arena_printf(&ctx->arena, "is not named %s", suffix);
  else if (!root->dir || !lexical || !is_under(lexical, root->dir))
    *why = "is outside the project root";
  if (*why)
    return PROJECT_FILE_REFUSED;
  const char *real = canonical(ctx, lexical);
  if (!real) {
    *why = strerror(errno);
    return PROJECT_FILE_UNREADABLE;
  }
  if (!is_under(real, root->dir) || !has_suffix(real, suffix)) {
    *why = is_under(real, root->dir)
               ? arena_printf(&ctx->arena, "is a symbolic link to a file not named %s", suffix)
               : "is a symbolic link to a file outside the project root";
    return PROJECT_FILE_REFUSED;
  }
  size_t size;
  int fd = source_open(real, O_NOFOLLOW, SOURCE_MAX_BYTES, &size, why);
  if (fd == SOURCE_NOT_REGULAR)
    return PROJECT_FILE_REFUSED;
  if (fd == SOURCE_OVER_LIMIT)
    *why = "is larger than 4 MiB";
  if (fd < 0)
    return fd == SOURCE_OVER_LIMIT ? PROJECT_FILE_REFUSED : PROJECT_FILE_UNREADABLE;
  const char *held = descriptor_path(ctx, fd);
  if (held && !is_under(held, root->dir)) {
    close(fd);
    *why = "is outside the project root";
    return PROJECT_FILE_REFUSED;
  }
  *out = source_read_fd(ctx, fd, shown, size, why);
  return *out ? PROJECT_FILE_OK : PROJECT_FILE_UNREADABLE;
}

ProjectFile extends_project_path(Ctx *ctx, const ProjectRoot *root, const char *base_dir,
                                 const char *value, const char **out, const char **why) {
  *out = NULL;
  *why = NULL;
  const char *lexical = lexical_target(ctx, base_dir, value);
  if (!root->dir || !lexical || !is_under(lexical, root->dir)) {
    *why = "is outside the project root";
    return PROJECT_FILE_REFUSED;
  }
  const char *real = canonical(ctx, lexical);
  if (!real) {
    *why = strerror(errno);
    return PROJECT_FILE_UNREADABLE;
  }
  if (!is_under(real, root->dir)) {
    *why = "is a symbolic link to a path outside the project root";
    return PROJECT_FILE_REFUSED;
  }
  *out = real;
  return PROJECT_FILE_OK;
}
