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

struct Ctx;

/* What provided.al2023 has; packaging holds handlers to it. */
#define RUNTIME_NAME "provided.al2023"
#define RUNTIME_GLIBC_MINOR 34 /* glibc 2.34 */
#define RUNTIME_UNZIPPED_LIMIT (250u * 1024 * 1024) /* Lambda's limit for a zip's contents */

/* Zips made once per run and shared by every stage that runs the handler;
 * members (files) compressed once even when several handlers carry them. */
typedef struct Packager {
  const char *handlers_dir;
  StrIndex handlers; /* name -> HandlerZip * */
  StrIndex members;  /* sha256 of a file's bytes -> ZipMember * */
  PtrVec owned;      /* malloc'd zips and members, freed by packager_release */
} Packager;

void packager_init(Packager *p, const char *handlers_dir);
void packager_release(Packager *p);

/* Packages every asset of ir and sets its parameter's Default to the zip's
 * key. Problems are diagnostics at the functions that run the handler;
 * returns false if there were any. */
bool package_stage(struct Ctx *ctx, Packager *p, const Model *m, Ir *ir);

#endif
