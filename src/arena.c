/* arena: a list of blocks; allocations bump a pointer, release frees the list. */
#include "arena.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK 65536
#define ARENA_ALIGN 16

struct ArenaBlock {
  ArenaBlock *next;
  size_t used, size;
  _Alignas(ARENA_ALIGN) unsigned char data[];
};

void arena_init(Arena *a) { memset(a, 0, sizeof *a); }

void arena_release(Arena *a) {
  ArenaBlock *b = a->head;
  while (b) {
    ArenaBlock *next = b->next;
    free(b);
    b = next;
  }
  memset(a, 0, sizeof *a);
}

static ArenaBlock *arena_new_block(size_t need, size_t block) {
  size_t size = need > block ? need : block;
  ArenaBlock *b = malloc(sizeof *b + size);
  if (!b) {
    fputs("lakec: out of memory\n", stderr);
    abort();
  }
  b->used = 0;
  b->size = size;
  return b;
}

void *arena_alloc_raw(Arena *a, size_t size) {
  size = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
  if (size == 0)
    size = ARENA_ALIGN;
  size_t block = a->block_size ? a->block_size : ARENA_BLOCK;
  ArenaBlock *b = a->head;
  if (!b || b->size - b->used < size) {
    ArenaBlock *fresh = arena_new_block(size, block);
    /* A big one-off block goes behind the current one so the current keeps filling. */
    if (b && size > block) {
      fresh->next = b->next;
      b->next = fresh;
    } else {
      fresh->next = b;
      a->head = fresh;
    }
    b = fresh;
  }
  void *p = b->data + b->used;
  b->used += size;
  a->total += size;
  return p;
}

void *arena_alloc(Arena *a, size_t size) {
  void *p = arena_alloc_raw(a, size);
  memset(p, 0, size);
  return p;
}

char *arena_strndup(Arena *a, const char *s, size_t n) {
  char *p = arena_alloc(a, n + 1);
  memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

char *arena_strdup(Arena *a, const char *s) { return arena_strndup(a, s, strlen(s)); }

char *arena_vprintf(Arena *a, const char *fmt, va_list ap) {
  va_list again;
  va_copy(again, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  if (n < 0)
    BUG("bad format '%s'", fmt);
  char *p = arena_alloc(a, (size_t)n + 1);
  vsnprintf(p, (size_t)n + 1, fmt, again);
  va_end(again);
  return p;
}

char *arena_printf(Arena *a, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *p = arena_vprintf(a, fmt, ap);
  va_end(ap);
  return p;
}

void ptrvec_push(Arena *a, PtrVec *v, void *item) {
  if (v->len == v->cap) {
    size_t cap = v->cap ? v->cap * 2 : 8;
    void **items = arena_alloc(a, cap * sizeof *items);
    if (v->len)
      memcpy(items, v->items, v->len * sizeof *items);
    v->items = items;
    v->cap = cap;
  }
  v->items[v->len++] = item;
}

void text_add(Text *t, const char *p, size_t n) {
  if (t->len + n + 1 > t->cap) {
    t->cap = (t->len + n + 1) * 2;
    t->s = realloc(t->s, t->cap);
    if (!t->s)
      BUG("out of memory");
  }
  memcpy(t->s + t->len, p, n);
  t->len += n;
  t->s[t->len] = '\0';
}

void lakec_bug(const char *file, int line, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "BUG: %s:%d: ", file, line);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  abort();
}
