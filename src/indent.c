/* indent: see indent.h. The lines above the one libyaml stopped at parsed, so
 * their block structure is consistent: a stack of the indentations of the
 * mappings open at the end of them, each with the key that opened it, is all
 * it takes to tell whether the stopping line's key is indented to none of
 * them. Flow collections and block scalars are skipped, not understood: a
 * line inside them says nothing about the blocks. */
#include "indent.h"

#include <string.h>

typedef struct Line {
  const char *text;
  size_t len;
  unsigned indent;  /* leading spaces */
  unsigned key_col; /* 0-based column of the key (after "- " items), or NO_KEY */
  unsigned dash_col; /* 0-based column of the last "- " before the key, or NO_KEY */
  size_t key_len;
  bool opens;       /* ends with "key:" (or "-"): the next deeper line belongs to it */
  int flow_depth;   /* change in open '{' / '[' over the line */
  bool block_scalar; /* ends with "key: |" or ">" */
} Line;

#define NO_KEY ((unsigned)-1)
#define NO_LEVEL ((size_t)-1)

static bool blank_or_comment(const char *s, size_t n) {
  size_t i = 0;
  while (i < n && s[i] == ' ')
    i++;
  return i == n || s[i] == '#';
}

/* A plain key: "name:" followed by a space or the end of the line. */
static size_t plain_key_len(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (s[i] == ':' && (i + 1 == n || s[i + 1] == ' '))
      return i;
    if (s[i] == '#' || s[i] == '{' || s[i] == '[' || s[i] == '"' || s[i] == '\'' || s[i] == '\t')
      return 0;
  }
  return 0;
}

/* What comes after "key:" with spaces and a comment left out. */
static void value_after_key(const char *s, size_t n, const char **v, size_t *vn) {
  size_t i = 0;
  while (i < n && s[i] == ' ')
    i++;
  size_t end = i;
  while (end < n && !(s[end] == '#' && (end == i || s[end - 1] == ' ')))
    end++;
  while (end > i && s[end - 1] == ' ')
    end--;
  *v = s + i;
  *vn = end - i;
}

static int flow_change(const char *s, size_t n) {
  int depth = 0;
  char quote = 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (quote) {
      quote = c == quote ? 0 : quote;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '#' && (i == 0 || s[i - 1] == ' ')) {
      break;
    } else if (c == '{' || c == '[') {
      depth++;
    } else if (c == '}' || c == ']') {
      depth--;
    }
  }
  return depth;
}

static Line read_line(const char *s, size_t n) {
  Line l = {s, n, 0, NO_KEY, NO_KEY, 0, false, 0, false};
  while (l.indent < n && s[l.indent] == ' ')
    l.indent++;
  size_t at = l.indent;
  while (at + 1 < n && s[at] == '-' && s[at + 1] == ' ') { /* "- - key:" */
    l.dash_col = (unsigned)at;
    for (at += 2; at < n && s[at] == ' ';)
      at++;
  }
  if (at < n && s[at] == '-' && at + 1 == n)
    l.opens = true; /* a bare "-": its item is on the next lines */
  size_t k = plain_key_len(s + at, n - at);
  if (k) {
    l.key_col = (unsigned)at;
    l.key_len = k;
    const char *v;
    size_t vn;
    value_after_key(s + at + k + 1, n - at - k - 1, &v, &vn);
    l.opens = vn == 0;
    l.block_scalar = vn >= 1 && (v[0] == '|' || v[0] == '>');
  }
  l.flow_depth = flow_change(s + l.indent, n - l.indent);
  return l;
}

typedef struct Stack {
  IndentBlock level[INDENT_MAX_LEVELS];
  size_t n;
} Stack;

static void push(Stack *st, unsigned indent, unsigned item_indent, unsigned line,
                 const Line *owner) {
  if (st->n == INDENT_MAX_LEVELS)
    return;
  IndentBlock b = {indent, item_indent, line, owner ? owner->text + owner->key_col : NULL,
                   owner ? owner->key_len : 0, owner ? owner->key_col : 0};
  st->level[st->n++] = b;
}

/* One line of the consistent part: its key's column is a level of the stack. */
static void take_line(Stack *st, const Line *l, const Line *prev, unsigned prev_no) {
  unsigned col = l->key_col;
  while (st->n > 1 && st->level[st->n - 1].indent > col)
    st->n--;
  if (st->level[st->n - 1].indent < col && prev && prev->opens)
    push(st, col, l->dash_col, prev_no, prev);
}

bool indent_explain(const SourceFile *f, unsigned line, IndentHint *out) {
  memset(out, 0, sizeof *out);
  if (!f || line < 2 || line > f->nlines)
    return false;
  Stack st = {.n = 0};
  push(&st, 0, NO_KEY, 0, NULL);
  Line prev = {0};
  unsigned prev_no = 0, skip_deeper_than = NO_KEY;
  int flow = 0;
  for (unsigned no = 1; no < line; no++) {
    size_t n;
    const char *s = source_line(f, no, &n);
    if (!s || blank_or_comment(s, n))
      continue;
    Line l = read_line(s, n);
    if (skip_deeper_than != NO_KEY && l.indent > skip_deeper_than)
      continue; /* a block scalar's text */
    skip_deeper_than = NO_KEY;
    bool in_flow = flow > 0;
    flow += l.flow_depth;
    if (flow < 0)
      flow = 0;
    if (in_flow || l.key_col == NO_KEY)
      continue;
    take_line(&st, &l, prev_no ? &prev : NULL, prev_no);
    if (l.block_scalar)
      skip_deeper_than = l.indent;
    prev = l;
    prev_no = no;
  }
  size_t n;
  const char *s = source_line(f, line, &n);
  if (flow > 0 || !s || !prev_no)
    return false;
  Line here = read_line(s, n);
  if (here.key_col == NO_KEY)
    return false;
  out->item = here.dash_col != NO_KEY;
  unsigned col = out->item ? here.dash_col : here.key_col;
  bool any_list = false;
  for (size_t i = 0; i < st.n; i++) {
    unsigned level = out->item ? st.level[i].item_indent : st.level[i].indent;
    any_list |= st.level[i].item_indent != NO_KEY;
    if (level == col)
      return false; /* a level of its own: the problem is not the indentation */
  }
  if (prev.opens && here.key_col > st.level[st.n - 1].indent)
    return false; /* the first key of a new block */
  if (out->item && !any_list)
    return false;
  out->key = s + here.key_col;
  out->key_len = here.key_len;
  out->span = here.key_col + (unsigned)here.key_len - col;
  out->indent = col;
  out->nlevels = st.n;
  for (size_t i = 0; i < st.n; i++)
    out->levels[i] = st.level[st.n - 1 - i]; /* innermost first */
  out->deeper = !out->item && col > st.level[st.n - 1].indent;
  out->above_line = prev_no;
  out->above_key = prev.text + prev.key_col;
  out->above_key_len = prev.key_len;
  /* The probable block: the nearest indentation, the innermost on a tie
   * (people most often misindent the block they are writing). */
  size_t best = NO_LEVEL;
  unsigned best_distance = NO_KEY;
  for (size_t i = 0; i < out->nlevels; i++) {
    unsigned level = out->item ? out->levels[i].item_indent : out->levels[i].indent;
    if (level == NO_KEY)
      continue;
    unsigned d = level > col ? level - col : col - level;
    if (d < best_distance)
      best = i, best_distance = d;
  }
  out->probable = best;
  return true;
}
