/* strindex: a string-keyed hash index living in the arena, so that lookups by
 * name (logical ids, keys, names) stay O(1) and phases stay linear. */
#ifndef LAKEC_STRINDEX_H
#define LAKEC_STRINDEX_H

#include <stddef.h>

struct Ctx;

typedef struct StrIndexSlot StrIndexSlot;
typedef struct StrIndex {
  StrIndexSlot *slots;
  size_t cap, len;
} StrIndex;

/* The value stored under key, or NULL. */
void *strindex_get(const StrIndex *ix, const char *key);
/* Stores value under key (the key is not copied: it must outlive the index).
 * Returns the value that was there before, or NULL. */
void *strindex_put(struct Ctx *ctx, StrIndex *ix, const char *key, void *value);

#endif
