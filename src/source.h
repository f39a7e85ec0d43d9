/* source: the files lakec reads, kept whole so diagnostics can quote them. */
#ifndef LAKEC_SOURCE_H
#define LAKEC_SOURCE_H

#include <stddef.h>

typedef struct SourceFile SourceFile;

/* A place in a source file: 1-based line and column (in characters), and the
 * width of the offending token in characters (0 = a point). file NULL = nowhere. */
typedef struct Pos {
  const SourceFile *file;
  unsigned line, col, len;
} Pos;

struct SourceFile {
  const char *path; /* as the user named it (or as resolved from extends:) */
  const char *text; /* NUL-terminated copy of the bytes */
  size_t size;
  size_t *line_starts;
  size_t nlines;
  Pos included_from; /* the extends: value that pulled this file in, if any */
};

struct Ctx;
#define SOURCE_MAX_BYTES (4u << 20) /* a stage file is small; 4 MiB is plenty */

extern const char SOURCE_TOO_LARGE[]; /* the *why of a file over SOURCE_MAX_BYTES */

/* Reads path into the context's file table. Returns NULL and sets *why to a
 * static message on failure (missing, unreadable, too large, a directory). */
SourceFile *source_read(struct Ctx *ctx, const char *path, const char **why);
/* The same with another size limit (templates read by diff may be larger). */
SourceFile *source_read_max(struct Ctx *ctx, const char *path, size_t max, const char **why);
/* source_read in two steps, for a caller that checks the descriptor in
 * between. source_open opens path without blocking (extra_flags: O_NOFOLLOW,
 * say) and returns a descriptor of a regular file of at most max bytes, its
 * size in *size; otherwise one of the negative SOURCE_ values with *why set.
 * source_read_fd reads that descriptor whole and closes it. */
enum { SOURCE_CANNOT_OPEN = -1, SOURCE_NOT_REGULAR = -2, SOURCE_OVER_LIMIT = -3 };
int source_open(const char *path, int extra_flags, size_t max, size_t *size, const char **why);
SourceFile *source_read_fd(struct Ctx *ctx, int fd, const char *path, size_t size,
                           const char **why);
/* NULL when the file is UTF-8 text: well-formed UTF-8 (RFC 3629), no NUL
 * and no control character but tab, line feed and carriage return. Otherwise
 * what it holds instead ("a NUL byte"), with the 1-based line in *line. */
const char *source_not_text(const SourceFile *f, unsigned *line);
/* Registers bytes already in memory (tests, fuzzer). */
SourceFile *source_from_memory(struct Ctx *ctx, const char *path,
                                     const char *bytes, size_t size);
/* The text of a 1-based line without its line break; *len set. NULL if out of range. */
const char *source_line(const SourceFile *f, unsigned line, size_t *len);

#endif
