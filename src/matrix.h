/* matrix: how several stages differ, setting by setting: the effective value
 * of every key of the language (defaults filled in) per stage, keeping the
 * rows where they are not all the same. */
#ifndef LAKEC_MATRIX_H
#define LAKEC_MATRIX_H

#include "model.h"
#include <jansson.h>
#include <stdio.h>

struct Ctx;

typedef struct Matrix {
  size_t nstages;
  const char **stages;
  json_t *rows; /* owned: {"path": [value per stage, null where unset], ...} in order */
} Matrix;

Matrix *matrix_build(struct Ctx *ctx, const Model *const *models, size_t n);
void matrix_text(const Matrix *m, FILE *out, bool color);
/* New reference: {"version":1,"stages":[...],"rows":[{"setting":..,"values":[..]}]} */
json_t *matrix_json(const Matrix *m);
void matrix_free(Matrix *m);

#endif
