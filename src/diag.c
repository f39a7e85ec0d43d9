/* diag: diagnostics are collected in order during a run and rendered at the end,
 * in GCC's shape: location, severity, message and code, the quoted source line,
 * a caret with a ~~~ underline as wide as the token, a fix-it line, then notes. */
#include "diag.h"
#include "ctx.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>


static Diag *diag_new(Ctx *ctx, Severity sev, Pos pos, const char *code,
                      const char *fmt, va_list ap) {
  char buf[1024];
  vsnprintf(buf, sizeof buf, fmt, ap);
  Diag *d = arena_alloc(&ctx->arena, sizeof *d);
  d->severity = sev;
  d->code = code;
  d->pos = pos;
  d->message = arena_strdup(&ctx->arena, buf);
  return d;
}

static void diag_append(Ctx *ctx, Diag *d) {
  DiagList *l = &ctx->diags;
  if (l->tail)
    l->tail->next = d;
  else
    l->head = d;
  l->tail = d;
  /* A value inherited from a blueprint is reported where it is written; the
   * note says which stage file pulled that blueprint in (GCC's "included from"). */
  for (size_t i = 0; i < ctx->overrides.len; i++) {
    const Override *o = ctx->overrides.items[i];
    if (o->at.file == d->pos.file && o->at.line == d->pos.line && o->at.col == d->pos.col) {
      diag_note(ctx, d, o->was, "this overrides the value in '%s'", o->was.file->path);
      break;
    }
  }
  const SourceFile *f = d->pos.file;
  while (f && f->included_from.file) {
    diag_note(ctx, d, f->included_from, "'%s' is extended by '%s'", f->path,
              f->included_from.file->path);
    f = f->included_from.file;
  }
}

Diag *diag_error(Ctx *ctx, Pos pos, const char *code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  Diag *d = diag_new(ctx, SEV_ERROR, pos, code, fmt, ap);
  va_end(ap);
  ctx->diags.errors++;
  diag_append(ctx, d);
  return d;
}

Diag *diag_warning(Ctx *ctx, Pos pos, const char *code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  bool as_error = ctx->diags.werror;
  Diag *d = diag_new(ctx, as_error ? SEV_ERROR : SEV_WARNING, pos, code, fmt, ap);
  va_end(ap);
  if (as_error)
    ctx->diags.errors++;
  else
    ctx->diags.warnings++;
  diag_append(ctx, d);
  return d;
}

void diag_note(Ctx *ctx, Diag *d, Pos pos, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  Diag *n = diag_new(ctx, SEV_NOTE, pos, NULL, fmt, ap);
  va_end(ap);
  Diag **tail = &d->notes;
  while (*tail)
    tail = &(*tail)->next;
  *tail = n;
}

void diag_fixit(Ctx *ctx, Diag *d, const char *replacement) {
  d->fixit = arena_strdup(&ctx->arena, replacement);
}

/* ---- rendering ---- */

typedef struct Style {
  const char *bold, *sev, *caret, *reset;
} Style;

const char *diag_severity_name(Severity s) {
  switch (s) {
  case SEV_ERROR:
    return "error";
  case SEV_WARNING:
    return "warning";
  case SEV_NOTE:
    return "note";
  }
  BUG("unknown severity %d", (int)s);
}

static const char *severity_color(Severity s) {
  return s == SEV_ERROR ? "\033[1;31m" : s == SEV_WARNING ? "\033[1;35m" : "\033[1;36m";
}

/* Byte length of the UTF-8 sequence starting with c (1 for invalid bytes). */
static size_t utf8_width(unsigned char c) {
  if (c >= 0xF0 && c < 0xF8)
    return 4;
  if (c >= 0xE0)
    return c < 0xF0 ? 3 : 1;
  if (c >= 0xC0)
    return 2;
  return 1;
}

static bool utf8_valid_at(const char *s, size_t n, size_t width) {
  if (width > n)
    return false;
  for (size_t k = 1; k < width; k++)
    if (((unsigned char)s[k] & 0xC0) != 0x80)
      return false;
  return width > 1 || (unsigned char)s[0] < 0x80;
}

/* The quoted line, one output character per input character so the caret
 * stays aligned: invalid UTF-8 and control characters become '?'. */
static void print_line(FILE *out, const char *line, size_t n) {
  for (size_t i = 0; i < n;) {
    size_t w = utf8_width((unsigned char)line[i]);
    unsigned char c = (unsigned char)line[i];
    if (!utf8_valid_at(line + i, n - i, w) || (c < 0x20 && c != '\t') || c == 0x7F) {
      fputc('?', out);
      i++;
      continue;
    }
    fwrite(line + i, 1, w, out);
    i += w;
  }
  fputc('\n', out);
}

/* Prints the "      | " gutter and then, under the text, `col-1` characters of
 * padding (tabs stay tabs so the caret lines up) and a caret of `len` width. */
static void render_caret(FILE *out, const Style *st, const char *line, size_t n,
                         const Pos *pos, const char *fixit, int gutter) {
  fprintf(out, "%*s | ", gutter, "");
  size_t i = 0;
  for (unsigned c = 1; c < pos->col && i < n; c++) {
    fputc(line[i] == '\t' ? '\t' : ' ', out);
    i += utf8_width((unsigned char)line[i]);
  }
  unsigned width = pos->len ? pos->len : 1;
  fprintf(out, "%s^", st->caret);
  for (unsigned k = 1; k < width; k++)
    fputc('~', out);
  fprintf(out, "%s\n", st->reset);
  if (!fixit)
    return;
  fprintf(out, "%*s | ", gutter, "");
  i = 0;
  for (unsigned c = 1; c < pos->col && i < n; c++) {
    fputc(line[i] == '\t' ? '\t' : ' ', out);
    i += utf8_width((unsigned char)line[i]);
  }
  fprintf(out, "%s%s%s\n", st->caret, fixit, st->reset);
}

#define WINDOW_BYTES 240
#define WINDOW_BEFORE 80 /* characters kept before the caret */
#define WINDOW_CHARS 160

/* Byte offset of the character at 1-based column col (or n). */
static size_t byte_of_column(const char *line, size_t n, unsigned col) {
  size_t i = 0;
  for (unsigned c = 1; c < col && i < n; c++)
    i += utf8_width((unsigned char)line[i]);
  return i < n ? i : n;
}

/* "..." + about WINDOW_CHARS characters around at->col + "...", with at->col
 * moved to match. Returns a malloc'd copy; *len set. */
static char *line_window(const char *line, size_t n, Pos *at, size_t *len) {
  unsigned first = at->col > WINDOW_BEFORE ? at->col - WINDOW_BEFORE : 1;
  size_t from = byte_of_column(line, n, first);
  size_t to = byte_of_column(line, n, first + WINDOW_CHARS);
  bool head = from > 0, tail = to < n;
  char *out = malloc(to - from + 7);
  if (!out)
    BUG("out of memory");
  size_t k = 0;
  if (head)
    memcpy(out, "...", 3), k = 3;
  memcpy(out + k, line + from, to - from);
  k += to - from;
  if (tail)
    memcpy(out + k, "...", 3), k += 3;
  at->col = at->col - first + 1 + (head ? 3u : 0u);
  if (at->len > WINDOW_CHARS)
    at->len = WINDOW_CHARS;
  *len = k;
  return out;
}

static void render_one(FILE *out, const Style *st, const Diag *d) {
  const Pos *p = &d->pos;
  fputs(st->bold, out);
  if (p->file && p->line)
    fprintf(out, "%s:%u:%u: ", p->file->path, p->line, p->col);
  else if (p->file)
    fprintf(out, "%s: ", p->file->path);
  else
    fputs("lakec: ", out);
  fprintf(out, "%s%s:%s %s", st->bold[0] ? severity_color(d->severity) : "",
          diag_severity_name(d->severity), st->reset, d->message);
  if (d->code)
    fprintf(out, " [%s]", d->code);
  fputc('\n', out);
  size_t n;
  const char *line = p->file ? source_line(p->file, p->line, &n) : NULL;
  if (!line)
    return;
  Pos at = *p;
  char *window = NULL;
  if (n > WINDOW_BYTES) /* a minified or generated line: quote the part around the caret */
    line = window = line_window(line, n, &at, &n);
  fprintf(out, "%5u | ", p->line);
  print_line(out, line, n);
  render_caret(out, st, line, n, &at, d->fixit, 5);
  free(window);
}

static size_t file_rank(const Ctx *ctx, const SourceFile *f) {
  for (size_t i = 0; f && i < ctx->files.len; i++)
    if (ctx->files.items[i] == f)
      return i + 1;
  return 0;
}

typedef struct Ranked {
  const Diag *d;
  size_t file, index;
} Ranked;

static int compare_ranked(const void *pa, const void *pb) {
  const Ranked *a = pa, *b = pb;
  if (a->file != b->file)
    return a->file < b->file ? -1 : 1;
  if (a->d->pos.line != b->d->pos.line)
    return a->d->pos.line < b->d->pos.line ? -1 : 1;
  if (a->d->pos.col != b->d->pos.col)
    return a->d->pos.col < b->d->pos.col ? -1 : 1;
  return a->index < b->index ? -1 : a->index > b->index; /* stable */
}

/* Phases report in the order they run; readers want file order (the order
 * files were read), then line order. */
static void sort_by_position(const Ctx *ctx, const Diag **d, size_t n) {
  Ranked *r = malloc((n ? n : 1) * sizeof *r);
  if (!r)
    BUG("out of memory");
  for (size_t i = 0; i < n; i++)
    r[i] = (Ranked){d[i], file_rank(ctx, d[i]->pos.file), i};
  qsort(r, n, sizeof *r, compare_ranked);
  for (size_t i = 0; i < n; i++)
    d[i] = r[i].d;
  free(r);
}

const Diag **diag_sorted(const Ctx *ctx, size_t *count) {
  size_t n = 0;
  for (const Diag *d = ctx->diags.head; d; d = d->next)
    n++;
  const Diag **sorted = malloc((n ? n : 1) * sizeof *sorted);
  if (!sorted)
    BUG("out of memory");
  n = 0;
  for (const Diag *d = ctx->diags.head; d; d = d->next)
    sorted[n++] = d;
  sort_by_position(ctx, sorted, n);
  *count = n;
  return sorted;
}

void diag_render(const Ctx *ctx, FILE *out, bool color) {
  Style plain = {"", "", "", ""};
  Style tty = {"\033[1m", "", "\033[1;32m", "\033[0m"};
  const Style *st = color ? &tty : &plain;
  size_t count;
  const Diag **sorted = diag_sorted(ctx, &count);
  unsigned shown = 0, max = ctx->diags.max_errors;
  for (size_t i = 0; i < count; i++) {
    if (sorted[i]->severity == SEV_ERROR && max && shown++ == max) {
      fprintf(out, "lakec: %s%d more error%s not shown (--max-errors=%u)%s\n", st->bold,
              (int)(ctx->diags.errors - max), ctx->diags.errors - max == 1 ? "" : "s", max,
              st->reset);
      break;
    }
    render_one(out, st, sorted[i]);
    for (const Diag *n = sorted[i]->notes; n; n = n->next)
      render_one(out, st, n);
  }
  free(sorted);
  unsigned e = ctx->diags.errors, w = ctx->diags.warnings;
  if (e && w)
    fprintf(out, "%u error%s, %u warning%s generated.\n", e, e == 1 ? "" : "s", w,
            w == 1 ? "" : "s");
  else if (e)
    fprintf(out, "%u error%s generated.\n", e, e == 1 ? "" : "s");
  else if (w)
    fprintf(out, "%u warning%s generated.\n", w, w == 1 ? "" : "s");
}

const char *diag_format_short(Ctx *ctx, const Diag *d) {
  const Pos *p = &d->pos;
  return arena_printf(&ctx->arena, "%s:%u:%u: %s: %s [%s]",
                      p->file ? p->file->path : "lakec", p->line, p->col,
                      diag_severity_name(d->severity), d->message, d->code ? d->code : "");
}
