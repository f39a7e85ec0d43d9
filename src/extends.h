/* extends: which file an `extends:` value may name, and reading it (part of
 * phase 2, merge). A stage file may only extend YAML stage files of its own
 * project: under the project root, regular files named *.yaml or *.yml,
 * UTF-8 text. A refused file is not read, or, once read, not quoted. */
#ifndef LAKEC_EXTENDS_H
#define LAKEC_EXTENDS_H

#include "node.h"

struct Ctx;

/* The directory extends: may reach, canonical (no symbolic link, no ".."),
 * and how it was found, for the notes. */
typedef struct ProjectRoot {
  const char *dir; /* NULL: the stage file's directory cannot be resolved */
  const char *how; /* "set by --root", ... */
} ProjectRoot;

/* ctx->root when --root was given; else the nearest directory, from the stage
 * file's own upwards, that holds a `templates` folder or a `.git` entry;
 * else the stage file's own directory. */
ProjectRoot extends_project_root(struct Ctx *ctx, const char *stage_path);

/* The path of value (an extends: of the file at from_path) as diagnostics
 * name it: relative to where from_path is, "." and "dir/.." dropped. */
const char *extends_shown_path(struct Ctx *ctx, const char *from_path, const char *value);

/* The directory an extends: in the file at path is relative to: the one path
 * names the file in (a link to the file is not followed), canonical; NULL when
 * it cannot be resolved. */
const char *extends_base_dir(struct Ctx *ctx, const char *path);

/* The file value names (relative to base_dir; `shown` as diagnostics name
 * it), when every check that needs no reading passes (a .yaml or .yml name,
 * under the root, symbolic links included): its canonical path, and in
 * *named the path as value names it from base_dir (links not followed).
 * NULL after a diagnostic at value. */
const char *extends_target(struct Ctx *ctx, const ProjectRoot *root, const char *base_dir,
                           const char *shown, const Node *value, const char **named);

/* Reads the target (from extends_target) as the file `shown`: a regular file,
 * still under the root once opened, UTF-8 text. NULL after a diagnostic at value. */
SourceFile *extends_read(struct Ctx *ctx, const ProjectRoot *root, const char *target,
                         const char *shown, const Node *value);

/* Another file a stage file names (a Glue job's script), held to the rules of
 * extends: value, relative to base_dir, must end with `suffix` (".py"), and
 * both the path and the file it leads to (links resolved, then the open
 * descriptor) must be under the root; a regular file of at most 4 MiB. OK and
 * *out (registered as `shown`); otherwise *why says what is wrong, worded to
 * follow the file's name ("is outside the project root", strerror's text). */
typedef enum { PROJECT_FILE_OK, PROJECT_FILE_REFUSED, PROJECT_FILE_UNREADABLE } ProjectFile;
ProjectFile extends_read_project_file(struct Ctx *ctx, const ProjectRoot *root,
                                      const char *base_dir, const char *value,
                                      const char *suffix, const char *shown, SourceFile **out,
                                      const char **why);

/* A directory or file a stage file names for its whole (a function's code):
 * value, relative to base_dir, must lead (links resolved) to a path under
 * the root. OK and its canonical path in *out; otherwise *why as for
 * extends_read_project_file. Nothing is opened. */
ProjectFile extends_project_path(struct Ctx *ctx, const ProjectRoot *root, const char *base_dir,
                                 const char *value, const char **out, const char **why);

#endif
