/* diag: collect diagnostics from every phase, render them once in GCC's shape.
 * Phases hand over (position, severity, code, text); only diag.c knows the format. */
#ifndef LAKEC_DIAG_H
#define LAKEC_DIAG_H

#include "source.h"
#include <stdbool.h>
#include <stdio.h>

typedef enum { SEV_ERROR, SEV_WARNING, SEV_NOTE } Severity;

/* Every diagnostic has a stable code; the README lists them all. */
#define LK_YAML_SYNTAX "LK001"
#define LK_DUPLICATE_KEY "LK002"
#define LK_INPUT_LIMIT "LK003"
#define LK_ENCODING "LK004"
#define LK_EMPTY_FILE "LK005"
#define LK_YAML_UNSUPPORTED "LK006"
#define LK_EXTENDS_NOT_FOUND "LK010"
#define LK_EXTENDS_CYCLE "LK011"
#define LK_UNDEFINED_VAR "LK012"
#define LK_BAD_INTERPOLATION "LK013"
#define LK_WRONG_TYPE "LK101"
#define LK_MISSING_KEY "LK102"
#define LK_BAD_ENUM "LK103"
#define LK_UNKNOWN_KEY "LK104"
#define LK_OUT_OF_RANGE "LK105"
#define LK_LANG_VERSION "LK106"
#define LK_BUCKET_NAME "LK201"
#define LK_GLUE_NAME "LK202"
#define LK_LAMBDA_NAME "LK203"
#define LK_API_NAME "LK204"
#define LK_SCHEDULE "LK206"
#define LK_ROUTE "LK207"
#define LK_LOCATION "LK208"
#define LK_TAG "LK209"
#define LK_ENV_NAME "LK210"
#define LK_NAME "LK211"
#define LK_UNDEFINED_REF "LK301"
#define LK_DUPLICATE "LK302"
#define LK_CONFLICT "LK303"
#define LK_PROD_AUTH "LK401"

/* Every code above, for tools that list them (the README test, explain). */
extern const char *const DIAG_CODES[];

typedef struct Diag Diag;
struct Diag {
  Severity severity;
  const char *code; /* NULL for notes */
  Pos pos;
  const char *message;
  const char *fixit; /* replacement text shown under the caret, or NULL */
  Diag *notes;       /* notes attached to this diagnostic, in order */
  Diag *next;
};

typedef struct DiagList {
  Diag *head, *tail;
  unsigned errors, warnings;
} DiagList;

struct Ctx;
Diag *diag_error(struct Ctx *ctx, Pos pos, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
Diag *diag_warning(struct Ctx *ctx, Pos pos, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void diag_note(struct Ctx *ctx, Diag *d, Pos pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void diag_fixit(struct Ctx *ctx, Diag *d, const char *replacement);

/* Writes every diagnostic, then "N errors, M warnings generated." if any. */
void diag_render(const struct Ctx *ctx, FILE *out, bool color);
/* One diagnostic as plain "file:line:col: severity: message [CODE]" (tests). */
const char *diag_format_short(struct Ctx *ctx, const Diag *d);

#endif
