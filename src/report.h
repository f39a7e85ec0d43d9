/* report: the diagnostics in machine-readable forms, for CI and editors. */
#ifndef LAKEC_REPORT_H
#define LAKEC_REPORT_H

#include <stdio.h>

struct Ctx;

/* JSON Lines: one object per diagnostic, in file and line order. */
void report_json(const struct Ctx *ctx, FILE *out);
/* SARIF 2.1.0, one run, with a rule per diagnostic code (for GitHub code scanning). */
void report_sarif(const struct Ctx *ctx, FILE *out);

#endif
