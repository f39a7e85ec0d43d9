/* diag: collect diagnostics from every phase, render them once in GCC's shape.
 * Phases hand over (position, severity, code, text); only diag.c knows the format. */
#ifndef LAKEC_DIAG_H
#define LAKEC_DIAG_H

#include "source.h"
#include <stdbool.h>
#include <stdio.h>

typedef enum { SEV_ERROR, SEV_WARNING, SEV_NOTE } Severity;

#include "codes.h"

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
  bool werror;          /* warnings are recorded as errors */
  unsigned max_errors;  /* the text renderer shows at most this many errors; 0 = all */
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
const char *diag_severity_name(Severity s); /* "error", "warning", "note" */
/* All diagnostics in file, line, column order (stable). Caller frees the array. */
const Diag **diag_sorted(const struct Ctx *ctx, size_t *count);
/* One diagnostic as plain "file:line:col: severity: message [CODE]" (tests). */
const char *diag_format_short(struct Ctx *ctx, const Diag *d);

#endif
