/* support: helpers shared by the unit tests. */
#ifndef LAKEC_TEST_SUPPORT_H
#define LAKEC_TEST_SUPPORT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ctx.h"
#include "ir.h"
#include "link.h"
#include "model.h"
#include "node.h"

/* Loads YAML text as if it were the file `name`. NULL on load errors. */
Node *load_text(Ctx *ctx, const char *name, const char *yaml);
/* Loads, interpolates and checks YAML text (no extends). */
Model *check_text(Ctx *ctx, const char *yaml);
/* check_text, then lower; asserts that there were no errors. */
Ir *lower_text(Ctx *ctx, const char *yaml);
/* lower_text, then link_stacks; asserts that there were no errors. The IR
 * goes to *ir (free it with ir_free after linked_free of the result). */
Linked *link_text(Ctx *ctx, const char *yaml, Ir **ir);
/* The linked stack whose stack key is `key` (NULL: the default stack), or NULL. */
const LinkedStack *linked_stack(const Linked *l, const char *key);
/* Its position in the deploy order, or -1. */
int linked_index(const Linked *l, const char *key);
/* A value inside any JSON by dotted path ("Resources.DataBucket.Properties",
 * array elements by index), borrowed; NULL when absent. */
json_t *json_at(json_t *root, const char *path);
/* The JSON text of v (compact, sorted keys), in the context's arena. */
const char *json_text(Ctx *ctx, json_t *v);
/* The n-th diagnostic (0-based) in short form, or NULL. */
const char *diag_at(Ctx *ctx, unsigned n);
/* True if some diagnostic has this code and its message contains `part`. */
int has_diag(Ctx *ctx, const char *code, const char *part);
/* A file of the source tree (LAKEC_SOURCE_DIR, else "."), malloc'd; NULL
 * when it cannot be read. */
char *read_source_file(const char *rel);
/* A new temporary directory; writes files into it. */
const char *temp_dir(Ctx *ctx);
void write_text(const char *dir, const char *name, const char *text);
/* A resource's property by dotted path ("Properties.BucketName"), borrowed. */
json_t *res_get(const Ir *ir, const char *id, const char *path);
/* The statement of a role's (first) policy that allows `action`, borrowed, or NULL. */
json_t *role_statement(const Ir *ir, const char *role, const char *action);
/* The same, a string; the test fails when it is missing or not a string. */
const char *res_str(const Ir *ir, const char *id, const char *path);

/* A minimal valid stage, to which tests append or which they edit. */
#define MINIMAL_STAGE "lakec: 1\nproject: demo\nstage: dev\n"

#endif
