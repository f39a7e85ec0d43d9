/* package: phase 6 of `lakec build`. Puts each handler program a stage runs
 * into a deterministic zip named by its content, after checking that it can
 * run on the function's Lambda: the right CPU, nothing from glibc newer than
 * provided.al2023's, every shared library either glibc's or carried in lib/.
 *
 * A handler program is a directory, DIR/<handler>/, holding an executable
 * `bootstrap` and what it needs (the CMake build makes build/handlers/<name>/
 * with the libraries in lib/). The zip holds that directory as it is. */
#ifndef LAKEC_PACKAGE_H
#define LAKEC_PACKAGE_H

#include "ir.h"
#include "model.h"
#include "zipfile.h"

struct Ctx;

/* What provided.al2023 has; packaging holds handlers to it. */
#define RUNTIME_NAME "provided.al2023"
#define RUNTIME_GLIBC_MINOR 34 /* glibc 2.34 */
#define RUNTIME_UNZIPPED_LIMIT (250u * 1024 * 1024) /* Lambda's limit for a zip's contents */

/* Zips made once per run and shared by every stage that runs the handler;
 * members (files) compressed once even when several handlers carry them. */
typedef struct Packager {
  const char *handlers_dir;
  /* Optional, set after packager_init: the output directory (-o DIR). Then a
   * file compressed by an earlier build is taken from DIR/.cache/deflate
   * instead of being deflated again, and packager_save_cache keeps what this
   * build compressed there. NULL: no cache. */
  const char *out_dir;
  StrIndex handlers; /* name -> HandlerZip * */
  StrIndex members;  /* cache key of a file's bytes -> ZipMember * */
  PtrVec owned;      /* malloc'd zips and members, freed by packager_release */
  PtrVec unsaved;    /* cache keys of members deflated by this run */
  size_t deflated, reused; /* members deflated, and taken from the cache */
} Packager;

void packager_init(Packager *p, const char *handlers_dir);
/* SHA-256 of data in hex (the arena's): what names an asset by content. */
const char *package_sha256(struct Ctx *ctx, const unsigned char *data, size_t size);
void packager_release(Packager *p);

/* From the function construct: whether f runs on a custom runtime
 * (provided.*), and the key of its asset in Ir.assets_by_handler. */
bool function_custom_runtime(const Function *f);
const char *function_asset_index(struct Ctx *ctx, const Function *f);

/* Packages every asset of ir and sets its parameter's Default to the zip's
 * key. Problems are diagnostics at the functions that run the handler;
 * returns false if there were any. */
bool package_stage(struct Ctx *ctx, Packager *p, const Model *m, Ir *ir);

/* The deflate cache's folder in the output folder DIR. */
#define PACKAGE_CACHE_DIR ".cache/deflate"

/* The deflate cache. An entry, DIR/.cache/deflate/<key>, is a file's
 * compressed form, key = SHA-256 of zipfile's settings and the file's bytes.
 * An entry is used only when it is whole and inflates to exactly those
 * bytes; any doubt and the file is deflated again, so a zip is the same
 * bytes with or without the cache. */

/* data compressed (owned by p): the member made earlier in this run, else
 * the cache's, else deflated now. */
const ZipMember *packager_member(struct Ctx *ctx, Packager *p, const unsigned char *data,
                                 size_t size);
/* Writes the members this run deflated into the cache, each atomically
 * (a fresh temporary file, created without following links, renamed). For after the build's files are written: a
 * failed build leaves nothing behind. A cache that cannot be written only
 * costs time next build, so failures are not reported. */
void packager_save_cache(struct Ctx *ctx, Packager *p);

#endif
