/* source: read a file whole (bounded), index its lines, hand out lines to quote. */
#include "source.h"
#include "ctx.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

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

SourceFile *source_read_max(Ctx *ctx, const char *path, size_t max, const char **why) {
  struct stat st;
  if (stat(path, &st) != 0) {
    *why = strerror(errno);
    return NULL;
  }
  if (S_ISDIR(st.st_mode)) {
    *why = "is a directory";
    return NULL;
  }
  if ((unsigned long long)st.st_size > max) {
    *why = max == SOURCE_MAX_BYTES ? SOURCE_TOO_LARGE : "file is too large";
    return NULL;
  }
  FILE *fp = fopen(path, "rb");
  if (!fp) {
    *why = strerror(errno);
    return NULL;
  }
  size_t want = (size_t)st.st_size;
  char *buf = arena_alloc(&ctx->arena, want + 1);
  size_t n = fread(buf, 1, want + 1, fp);
  int failed = ferror(fp);
  fclose(fp);
  if (failed) {
    *why = "read error";
    return NULL;
  }
  if (n > want) { /* grew between stat and read */
    *why = "file changed while being read";
    return NULL;
  }
  return source_from_memory(ctx, path, buf, n);
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
