/* arena: bump allocator for compiler data; everything is freed at once. */
#ifndef LAKEC_ARENA_H
#define LAKEC_ARENA_H

#include <stdarg.h>
#include <stddef.h>

typedef struct ArenaBlock ArenaBlock;
typedef struct Arena {
  ArenaBlock *head;
  size_t total;      /* bytes handed out, for the benchmark's curiosity */
  size_t block_size; /* 0: 64 KiB */
} Arena;

void arena_init(Arena *a);
void arena_release(Arena *a);
/* Zeroed memory, aligned for any type. Aborts on out-of-memory. */
void *arena_alloc(Arena *a, size_t size);
/* The same without zeroing, for allocators that initialise what they get. */
void *arena_alloc_raw(Arena *a, size_t size);
char *arena_strdup(Arena *a, const char *s);
char *arena_strndup(Arena *a, const char *s, size_t n);
char *arena_printf(Arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
char *arena_vprintf(Arena *a, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* Growable array of pointers living in an arena (old storage is simply left). */
typedef struct PtrVec {
  void **items;
  size_t len, cap;
} PtrVec;
void ptrvec_push(Arena *a, PtrVec *v, void *item);

/* A growable string on the heap (free .s), always NUL-terminated once
 * something was added: for texts made piece by piece outside any arena. */
typedef struct Text {
  char *s;
  size_t len, cap;
} Text;
void text_add(Text *t, const char *p, size_t n);

/* Our own bug: name the place and abort (git's BUG()). */
#define BUG(...) lakec_bug(__FILE__, __LINE__, __VA_ARGS__)
_Noreturn void lakec_bug(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
