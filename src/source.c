/* source: read a file whole (bounded), index its lines, hand out lines to quote. */
#include "source.h"
#include "ctx.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char SOURCE_TOO_LARGE[] = "file is larger than 4 MiB";

static void index_lines(Ctx *ctx, SourceFile *f) {
  size_t n = 1;
  for (size_t i = 0; i < f->size; i++)
    if (f->text[i] == '\n')
      n++;
  f->line_starts = arena_alloc(&ctx->arena, n * sizeof *f->line_starts);
  f->line_starts[0] = 0;
  size_t k = 1;
  for (size_t i = 0; i < f->size; i++)
    if (f->text[i] == '\n')
      f->line_starts[k++] = i + 1;
  f->nlines = n;
}

SourceFile *source_from_memory(Ctx *ctx, const char *path, const char *bytes,
                                     size_t size) {
  SourceFile *f = arena_alloc(&ctx->arena, sizeof *f);
  f->path = arena_strdup(&ctx->arena, path);
  char *text = arena_alloc(&ctx->arena, size + 1);
  if (size)
    memcpy(text, bytes, size);
  f->text = text;
  f->size = size;
  index_lines(ctx, f);
  ptrvec_push(&ctx->arena, &ctx->files, f);
  return f;
}

SourceFile *source_read(Ctx *ctx, const char *path, const char **why) {
  return source_read_max(ctx, path, SOURCE_MAX_BYTES, why);
}

/* What a descriptor holds when it is not a regular file, for *why. */
static const char *not_regular(mode_t mode) {
  if (S_ISDIR(mode))
    return "is a directory";
  if (S_ISFIFO(mode))
    return "is a named pipe (FIFO), not a regular file";
  if (S_ISCHR(mode) || S_ISBLK(mode))
    return "is a device, not a regular file";
  return "is not a regular file";
}

/* 0 for a regular file of at most max bytes; else why not (SOURCE_ values). */
static int judge(const struct stat *st, size_t max, const char **why) {
  if (!S_ISREG(st->st_mode)) {
    *why = not_regular(st->st_mode);
    return SOURCE_NOT_REGULAR;
  }
  if ((unsigned long long)st->st_size > max) {
    *why = max == SOURCE_MAX_BYTES ? SOURCE_TOO_LARGE : "file is too large";
    return SOURCE_OVER_LIMIT;
  }
  return 0;
}

/* O_NONBLOCK: opening a FIFO with no writer, or some devices, would otherwise
 * hang. The type is judged on the descriptor, so what is checked is what is
 * read, whatever happens to the name meanwhile. */
int source_open(const char *path, int extra_flags, size_t max, size_t *size, const char **why) {
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY | extra_flags);
  if (fd < 0) {
    *why = strerror(errno);
    return SOURCE_CANNOT_OPEN;
  }
  struct stat st;
  int failure = SOURCE_CANNOT_OPEN;
  if (fstat(fd, &st) != 0)
    *why = strerror(errno);
  else
    failure = judge(&st, max, why);
  if (failure) {
    close(fd);
    return failure;
  }
  *size = (size_t)st.st_size;
  return fd;
}

SourceFile *source_read_fd(Ctx *ctx, int fd, const char *path, size_t size, const char **why) {
  char *buf = arena_alloc(&ctx->arena, size + 1);
  size_t n = 0;
  bool failed = false;
  while (n <= size) { /* one byte more than fstat said: a file that grew */
    ssize_t got = read(fd, buf + n, size + 1 - n);
    if (got < 0 && errno == EINTR)
      continue;
    failed = got < 0;
    if (got <= 0)
      break;
    n += (size_t)got;
  }
  close(fd);
  if (failed) {
    *why = "read error";
    return NULL;
  }
  if (n > size) {
    *why = "file changed while being read";
    return NULL;
  }
  return source_from_memory(ctx, path, buf, n);
}

SourceFile *source_read_max(Ctx *ctx, const char *path, size_t max, const char **why) {
  size_t size;
  int fd = source_open(path, 0, max, &size, why);
  return fd < 0 ? NULL : source_read_fd(ctx, fd, path, size, why);
}

/* Bytes of the UTF-8 text character at s (n bytes left), or 0 when s does not
 * start one: a control byte, or a sequence RFC 3629 forbids (overlong,
 * surrogate, above U+10FFFF, truncated). */
static size_t text_char(const unsigned char *s, size_t n) {
  unsigned char c = s[0];
  if (c < 0x80)
    return (c >= 0x20 && c != 0x7F) || c == '\t' || c == '\n' || c == '\r';
  size_t len = c >= 0xC2 && c <= 0xDF   ? 2
               : c >= 0xE0 && c <= 0xEF ? 3
               : c >= 0xF0 && c <= 0xF4 ? 4
                                        : 0;
  if (!len || len > n)
    return 0;
  unsigned char lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
  unsigned char hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
  if (s[1] < lo || s[1] > hi)
    return 0;
  for (size_t k = 2; k < len; k++)
    if ((s[k] & 0xC0) != 0x80)
      return 0;
  return len;
}

const char *source_not_text(const SourceFile *f, unsigned *line) {
  const unsigned char *s = (const unsigned char *)f->text;
  *line = 1;
  for (size_t i = 0; i < f->size;) {
    size_t w = text_char(s + i, f->size - i);
    if (!w)
      return s[i] == 0      ? "a NUL byte"
             : s[i] < 0x80 ? "a control character"
                           : "bytes that are not UTF-8";
    *line += s[i] == '\n';
    i += w;
  }
  return NULL;
}

const char *source_line(const SourceFile *f, unsigned line, size_t *len) {
  if (!f || line == 0 || line > f->nlines)
    return NULL;
  size_t start = f->line_starts[line - 1];
  if (line == 1 && f->size >= 3 && !memcmp(f->text, "\xEF\xBB\xBF", 3))
    start = 3; /* the byte order mark is not part of the text */
  size_t end = line < f->nlines ? f->line_starts[line] - 1 : f->size;
  if (end > start && f->text[end - 1] == '\r')
    end--;
  *len = end - start;
  return f->text + start;
}
