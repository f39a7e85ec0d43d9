/* patch: a stage's `patches:`, RFC 6902 JSON Patch operations (add,
 * replace, remove, test) on the resources lakec generates, for the one
 * property lakec does not expose. A path is an RFC 6901 JSON pointer whose
 * first segment is a logical id of the stage (any stack) and whose second is
 * a part of that resource: Properties, DependsOn, Metadata, DeletionPolicy or
 * UpdateReplacePolicy.
 *
 * check looks at each operation alone (the pointer's form, the value it
 * needs, the references in it); patch_apply runs once every construct is
 * lowered and tagged, before link, so that build writes and diff compares
 * the patched values. */
#ifndef LAKEC_PATCH_H
#define LAKEC_PATCH_H

#include "construct.h"

/* One reference token of a pointer, unescaped, and where its escaped text
 * is in the pointer (`at` just after its '/'). */
typedef struct PointerSegment {
  const char *name;
  size_t at, len;
} PointerSegment;

typedef struct Pointer {
  PointerSegment *segments;
  size_t count;
  /* When the text is not a pointer: why, and the bytes at fault. */
  const char *why;
  size_t bad_at, bad_len;
} Pointer;

/* Splits an RFC 6901 JSON pointer ("" or "/" followed by segments, "~0" for
 * '~' and "~1" for '/'); false, with why / bad_at / bad_len, when the text
 * is not one. */
bool patch_pointer_parse(Arena *a, const char *text, Pointer *out);
/* An array index as RFC 6901 writes it: decimal digits, no leading zero. */
bool patch_array_index(const char *segment, size_t *index);
/* A segment escaped back into pointer text (new, in the arena). */
const char *patch_pointer_escape(Arena *a, const char *name);

/* Each operation on its own: its pointer, its value, the value's references. */
void patch_check(Ctx *ctx, const Model *m);
/* Applies the stage's operations to the lowered resources, in order. */
void patch_apply(Ctx *ctx, Ir *ir, const Model *m);

#endif
