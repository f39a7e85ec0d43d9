/* strindex: open addressing with linear probing, FNV-1a hashing, doubling at
 * half full. Old slot arrays are left to the arena. */
#include "strindex.h"
#include "ctx.h"

#include <stdint.h>
#include <string.h>

struct StrIndexSlot {
  const char *key;
  void *value;
  uint64_t hash;
};

static uint64_t hash_of(const char *s) {
  uint64_t h = 1469598103934665603ULL;
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211ULL;
  return h;
}

static StrIndexSlot *find_slot(StrIndexSlot *slots, size_t cap, const char *key, uint64_t h) {
  size_t i = (size_t)h & (cap - 1);
  while (slots[i].key && (slots[i].hash != h || strcmp(slots[i].key, key) != 0))
    i = (i + 1) & (cap - 1);
  return &slots[i];
}

void *strindex_get(const StrIndex *ix, const char *key) {
  if (!ix->cap)
    return NULL;
  StrIndexSlot *s = find_slot(ix->slots, ix->cap, key, hash_of(key));
  return s->key ? s->value : NULL;
}

static void grow(Ctx *ctx, StrIndex *ix) {
  size_t cap = ix->cap ? ix->cap * 2 : 16;
  StrIndexSlot *slots = arena_alloc(&ctx->arena, cap * sizeof *slots);
  for (size_t i = 0; i < ix->cap; i++)
    if (ix->slots[i].key)
      *find_slot(slots, cap, ix->slots[i].key, ix->slots[i].hash) = ix->slots[i];
  ix->slots = slots;
  ix->cap = cap;
}

void *strindex_put(Ctx *ctx, StrIndex *ix, const char *key, void *value) {
  if ((ix->len + 1) * 2 > ix->cap)
    grow(ctx, ix);
  uint64_t h = hash_of(key);
  StrIndexSlot *s = find_slot(ix->slots, ix->cap, key, h);
  void *old = s->key ? s->value : NULL;
  if (!s->key)
    ix->len++;
  s->key = key;
  s->value = value;
  s->hash = h;
  return old;
}
