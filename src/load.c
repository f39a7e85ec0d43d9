/* load: phase 1. Reads libyaml's event stream and builds the Node tree with a
 * stack of open collections. The idea that keeps it safe: every limit (depth,
 * node count with aliases expanded, encoding) is checked while the events
 * arrive, so a hostile file stops early instead of being built and then judged.
 * libyaml's marks are 0-based; they become 1-based here and nowhere else. */
#include "load.h"
#include "ctx.h"
#include "indent.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

typedef struct Frame {
  Node *node;
  PtrVec kids; /* seq: items; map: key, value, key, value, ... */
  const char *anchor;
  size_t expanded_at_start;
  const char *function; /* a CloudFormation short form (!Join [...]): wrap it so */
} Frame;

typedef struct Anchor {
  const char *name;
  Node *node;
  size_t size; /* nodes in the subtree, aliases expanded */
} Anchor;

typedef struct Loader {
  Ctx *ctx;
  const SourceFile *file;
  Frame stack[LOAD_MAX_DEPTH + 1];
  int depth;
  PtrVec anchors;
  size_t expanded; /* nodes built so far, each alias counted as its whole target */
  Node *root;
  int documents;
  unsigned bom; /* bytes of a UTF-8 byte order mark skipped before parsing */
  bool failed;
} Loader;

static Pos mark_pos(const Loader *ld, yaml_mark_t m) {
  Pos p = {ld->file, (unsigned)m.line + 1, (unsigned)m.column + 1, 0};
  return p; /* a skipped BOM is invisible: source_line() leaves it out too */
}

/* Span of a token in characters when it starts and ends on one line. */
static Pos span_pos(const Loader *ld, yaml_mark_t start, yaml_mark_t end) {
  Pos p = mark_pos(ld, start);
  if (end.line == start.line && end.column > start.column)
    p.len = (unsigned)(end.column - start.column);
  return p;
}

/* Position of a byte offset, for errors libyaml reports by offset only. */
static Pos offset_pos(const Loader *ld, size_t offset) {
  const SourceFile *f = ld->file;
  unsigned line = 1;
  size_t start = 0;
  for (size_t i = 0; i < offset && i < f->size; i++)
    if (f->text[i] == '\n') {
      line++;
      start = i + 1;
    }
  unsigned col = 1;
  if (start == 0 && ld->bom)
    start = ld->bom;
  for (size_t i = start; i < offset && i < f->size; i++)
    if (((unsigned char)f->text[i] & 0xC0) != 0x80)
      col++;
  Pos p = {f, line, col, 1};
  return p;
}

static void load_fail(Loader *ld, Pos pos, const char *code, const char *msg) {
  if (!ld->failed)
    diag_error(ld->ctx, pos, code, "%s", msg);
  ld->failed = true;
}

static bool count_nodes(Loader *ld, size_t n, Pos pos) {
  ld->expanded += n;
  if (ld->expanded > LOAD_MAX_NODES) {
    load_fail(ld, pos, LK_INPUT_LIMIT,
              "document expands to more than 200000 nodes (aliases counted as copies)");
    return false;
  }
  return true;
}

static void check_duplicate_keys(Loader *ld, Node *map);

/* Attach a finished node to the collection on top of the stack (or make it the root). */
static void attach(Loader *ld, Node *n) {
  if (ld->depth == 0) {
    ld->root = n;
    return;
  }
  Frame *top = &ld->stack[ld->depth - 1];
  if (top->node->kind == NODE_MAP && top->kids.len % 2 == 0 && n->kind != NODE_SCALAR) {
    load_fail(ld, n->pos, LK_YAML_UNSUPPORTED, "a map key must be a plain value");
    return;
  }
  ptrvec_push(&ld->ctx->arena, &top->kids, n);
}

static void remember_anchor(Loader *ld, const char *name, Node *n, size_t size) {
  if (!name)
    return;
  Anchor *a = arena_alloc(&ld->ctx->arena, sizeof *a);
  a->name = name;
  a->node = n;
  a->size = size;
  ptrvec_push(&ld->ctx->arena, &ld->anchors, a);
}

static const char *copy_anchor(Loader *ld, const yaml_char_t *anchor) {
  return anchor ? arena_strdup(&ld->ctx->arena, (const char *)anchor) : NULL;
}

/* CloudFormation's short forms (!Ref X, !Sub "...", !GetAtt A.B, !Join
 * [...]): the tag names the intrinsic function, which the node is written as
 * in long form ({Ref: X}, {Fn::Sub: "..."}); NULL for any other tag. */
static const char *const SHORT_FORMS[] = {
    "Base64", "Cidr", "FindInMap", "GetAZs", "GetAtt", "ImportValue", "Join", "Select",
    "Split",  "Sub",  "Transform", "ToJsonString", "Length", "If", "Equals", "And", "Or", "Not"};

static const char *short_form(Loader *ld, const yaml_char_t *tag) {
  const char *t = (const char *)tag;
  if (!t || t[0] != '!')
    return NULL;
  if (!strcmp(t, "!Ref") || !strcmp(t, "!Condition"))
    return arena_strdup(&ld->ctx->arena, t + 1); /* the event's text is freed with it */
  for (size_t i = 0; i < sizeof SHORT_FORMS / sizeof *SHORT_FORMS; i++)
    if (!strcmp(t + 1, SHORT_FORMS[i]))
      return arena_printf(&ld->ctx->arena, "Fn::%s", SHORT_FORMS[i]);
  return NULL;
}

/* The default tags and CloudFormation's short forms are accepted: other
 * custom tags mean nothing here. */
static bool check_tag(Loader *ld, const yaml_char_t *tag, Pos pos) {
  if (!tag || short_form(ld, tag))
    return true;
  if (!strncmp((const char *)tag, "tag:yaml.org,2002:", 18))
    return true;
  load_fail(ld, pos, LK_YAML_UNSUPPORTED,
            arena_printf(&ld->ctx->arena,
                         "YAML tag '%s' is not supported here (CloudFormation's short forms "
                         "are: !Ref, !GetAtt, !Sub, !Join ...)",
                         (const char *)tag));
  return false;
}

/* n written as {function: n}, at n's place. */
static Node *long_form(Loader *ld, const char *function, Node *n) {
  if (!function)
    return n;
  Node *map = node_new_map(ld->ctx, n->pos, 1);
  map->pairs[0].key = node_new_scalar(ld->ctx, n->pos, function, false);
  map->pairs[0].value = n;
  map->count = 1;
  return map;
}

static void on_scalar(Loader *ld, const yaml_event_t *ev) {
  Pos pos = span_pos(ld, ev->start_mark, ev->end_mark);
  if (!check_tag(ld, ev->data.scalar.tag, pos) || !count_nodes(ld, 1, pos))
    return;
  const char *value = (const char *)ev->data.scalar.value;
  size_t len = ev->data.scalar.length;
  if (strlen(value) != len) {
    load_fail(ld, pos, LK_ENCODING, "string contains a NUL character");
    return;
  }
  bool quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
  if (!quoted && ev->data.scalar.tag && !ev->data.scalar.plain_implicit)
    quoted = true; /* !!str 123 */
  const char *function = short_form(ld, ev->data.scalar.tag);
  if (function)
    quoted = quoted || !ev->data.scalar.plain_implicit; /* !Sub text is text */
  Node *n = node_new_scalar(ld->ctx, pos, arena_strndup(&ld->ctx->arena, value, len), quoted);
  n = long_form(ld, function, n);
  remember_anchor(ld, copy_anchor(ld, ev->data.scalar.anchor), n, 1);
  attach(ld, n);
}

static void on_open(Loader *ld, const yaml_event_t *ev, bool is_map) {
  Pos pos = mark_pos(ld, ev->start_mark);
  pos.len = 1;
  const yaml_char_t *tag = is_map ? ev->data.mapping_start.tag : ev->data.sequence_start.tag;
  const yaml_char_t *anchor =
      is_map ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor;
  if (!check_tag(ld, tag, pos) || !count_nodes(ld, 1, pos))
    return;
  if (ld->depth >= LOAD_MAX_DEPTH) {
    load_fail(ld, pos, LK_INPUT_LIMIT, "nesting is deeper than 64 levels");
    return;
  }
  Frame *f = &ld->stack[ld->depth++];
  memset(f, 0, sizeof *f);
  f->node = is_map ? node_new_map(ld->ctx, pos, 0) : node_new_seq(ld->ctx, pos, 0);
  f->anchor = copy_anchor(ld, anchor);
  f->expanded_at_start = ld->expanded - 1;
  f->function = short_form(ld, tag);
}

static void on_close(Loader *ld) {
  Frame *f = &ld->stack[--ld->depth];
  Node *n = f->node;
  Arena *a = &ld->ctx->arena;
  if (n->kind == NODE_MAP) {
    n->count = f->kids.len / 2;
    n->pairs = arena_alloc(a, (n->count ? n->count : 1) * sizeof *n->pairs);
    for (size_t i = 0; i < n->count; i++) {
      n->pairs[i].key = f->kids.items[2 * i];
      n->pairs[i].value = f->kids.items[2 * i + 1];
    }
    check_duplicate_keys(ld, n);
  } else {
    n->count = f->kids.len;
    n->items = arena_alloc(a, (n->count ? n->count : 1) * sizeof *n->items);
    if (n->count)
      memcpy(n->items, f->kids.items, n->count * sizeof *n->items);
  }
  n = long_form(ld, f->function, n);
  remember_anchor(ld, f->anchor, n, ld->expanded - f->expanded_at_start);
  attach(ld, n);
}

static void on_alias(Loader *ld, const yaml_event_t *ev) {
  Pos pos = span_pos(ld, ev->start_mark, ev->end_mark);
  const char *name = (const char *)ev->data.alias.anchor;
  /* Latest definition wins, as YAML says: search from the end. */
  for (size_t i = ld->anchors.len; i-- > 0;) {
    Anchor *an = ld->anchors.items[i];
    if (strcmp(an->name, name) == 0) {
      if (count_nodes(ld, an->size, pos))
        attach(ld, an->node); /* shared, never copied: trees are read-only after load */
      return;
    }
  }
  load_fail(ld, pos, LK_YAML_SYNTAX, "alias names an undefined anchor");
}

static int compare_pairs_by_key(const void *a, const void *b) {
  const NodePair *x = *(const NodePair *const *)a, *y = *(const NodePair *const *)b;
  int c = strcmp(x->key->str, y->key->str);
  if (c)
    return c;
  return x < y ? -1 : x > y; /* keep source order among equal keys */
}

/* Sorting a list of pointers keeps this O(n log n) even for hostile maps. */
static void check_duplicate_keys(Loader *ld, Node *map) {
  if (map->count < 2)
    return;
  NodePair **sorted = malloc(map->count * sizeof *sorted);
  if (!sorted)
    BUG("out of memory");
  for (size_t i = 0; i < map->count; i++)
    sorted[i] = &map->pairs[i];
  qsort(sorted, map->count, sizeof *sorted, compare_pairs_by_key);
  for (size_t i = 1; i < map->count; i++) {
    if (strcmp(sorted[i]->key->str, sorted[i - 1]->key->str) != 0)
      continue;
    Diag *d = diag_error(ld->ctx, sorted[i]->key->pos, LK_DUPLICATE_KEY,
                         "duplicate key '%s'", sorted[i]->key->str);
    diag_note(ld->ctx, d, sorted[i - 1]->key->pos, "'%s' was first defined here",
              sorted[i]->key->str);
    ld->failed = true;
  }
  free(sorted);
}

static void on_event(Loader *ld, const yaml_event_t *ev) {
  switch (ev->type) {
  case YAML_DOCUMENT_START_EVENT:
    if (++ld->documents > 1)
      load_fail(ld, mark_pos(ld, ev->start_mark), LK_YAML_UNSUPPORTED,
                "a stage file holds one YAML document, this is a second one");
    break;
  case YAML_SCALAR_EVENT:
    on_scalar(ld, ev);
    break;
  case YAML_MAPPING_START_EVENT:
    on_open(ld, ev, true);
    break;
  case YAML_SEQUENCE_START_EVENT:
    on_open(ld, ev, false);
    break;
  case YAML_MAPPING_END_EVENT:
  case YAML_SEQUENCE_END_EVENT:
    on_close(ld);
    break;
  case YAML_ALIAS_EVENT:
    on_alias(ld, ev);
    break;
  default:
    break;
  }
}

/* The first byte of the character at pos (columns count characters). */
static char char_at(const SourceFile *f, Pos pos) {
  size_t n;
  const char *line = source_line(f, pos.line, &n);
  size_t i = 0;
  for (unsigned c = 1; line && c < pos.col && i < n; c++)
    do
      i++;
    while (i < n && ((unsigned char)line[i] & 0xC0) == 0x80);
  return line && i < n ? line[i] : '\0';
}

static const char *spaces(unsigned n) { return n == 1 ? "space" : "spaces"; }

/* A note at one block open at the misindented line: where its keys (or, for
 * a list item, its items) sit. */
static void note_block(Loader *ld, Diag *d, const IndentHint *h, const IndentBlock *b) {
  unsigned indent = h->item ? b->item_indent : b->indent;
  if (!b->key) {
    diag_note(ld->ctx, d, (Pos){ld->file, 1, 1, 0}, "top-level keys are not indented");
    return;
  }
  Pos at = {ld->file, b->line, b->key_col + 1, (unsigned)b->key_len};
  const char *what = h->item                        ? "items"
                     : b->item_indent != (unsigned)-1 ? "keys of the items"
                                                      : "keys";
  diag_note(ld->ctx, d, at, "the %s of '%.*s' are indented %u %s", what, (int)b->key_len, b->key,
            indent, spaces(indent));
}

/* "'timeout' is indented 3 spaces, ..." at the key, and notes at the block it
 * probably belongs to and the innermost one; false when the indentation is
 * not the problem. */
static bool report_misindented_key(Loader *ld, unsigned line) {
  IndentHint h;
  if (!indent_explain(ld->file, line, &h))
    return false;
  Pos at = {ld->file, line, h.indent + 1, h.span};
  Diag *d;
  if (h.deeper)
    d = diag_error(ld->ctx, at, LK_YAML_SYNTAX,
                   "'%.*s' is indented %u %s, deeper than '%.*s' above it, which has a value "
                   "already (YAML reads the line as more of that value)",
                   (int)h.key_len, h.key, h.indent, spaces(h.indent), (int)h.above_key_len,
                   h.above_key);
  else
    d = diag_error(ld->ctx, at, LK_YAML_SYNTAX,
                   "%s%.*s' is indented %u %s, which matches no %s open here",
                   h.item ? "the list item '- " : "'", (int)h.key_len, h.key, h.indent,
                   spaces(h.indent), h.item ? "list" : "block");
  note_block(ld, d, &h, &h.levels[h.probable]);
  if (h.probable != 0)
    note_block(ld, d, &h, &h.levels[0]);
  return true;
}

/* The character at pos is the '{' of a "${". */
static bool follows_dollar(const SourceFile *f, Pos pos) {
  Pos before = pos;
  before.col--;
  return pos.col > 1 && char_at(f, pos) == '{' && char_at(f, before) == '$';
}

static void report_parser_error(Loader *ld, const yaml_parser_t *p) {
  Pos pos;
  if (p->error == YAML_READER_ERROR)
    pos = offset_pos(ld, p->problem_offset + ld->bom);
  else {
    pos = mark_pos(ld, p->problem_mark);
    pos.len = 1;
  }
  const char *code = p->error == YAML_READER_ERROR ? LK_ENCODING : LK_YAML_SYNTAX;
  const char *problem = p->problem ? p->problem : "malformed YAML";
  char msg[512];
  if (p->error == YAML_READER_ERROR)
    snprintf(msg, sizeof msg, "file is not valid UTF-8 (%s)", problem);
  else if (char_at(ld->file, pos) == '\t')
    snprintf(msg, sizeof msg, "YAML does not allow tabs here; indent with spaces");
  else if (follows_dollar(ld->file, pos) && p->context &&
           strstr(p->context, "flow")) /* name: a-${stage} inside {...} */
    snprintf(msg, sizeof msg, "inside {...} or [...] YAML reads the '{' of '${' as a nested "
                              "mapping: quote the value (\"...${...}...\") or write the map as a "
                              "block");
  else
    snprintf(msg, sizeof msg, "%s", problem);
  if (ld->failed)
    return;
  if (p->error != YAML_READER_ERROR && report_misindented_key(ld, pos.line)) {
    ld->failed = true;
    return;
  }
  Diag *d = diag_error(ld->ctx, pos, code, "%s", msg);
  ld->failed = true;
  /* libyaml knows where the construct it was reading began: say so, as GCC
   * names the line of an unclosed bracket. */
  if (p->context && p->error != YAML_READER_ERROR &&
      (p->context_mark.line != p->problem_mark.line ||
       p->context_mark.column != p->problem_mark.column)) {
    Pos at = mark_pos(ld, p->context_mark);
    at.len = 1;
    const char *what = p->context;
    if (!strncmp(what, "while ", 6)) /* "while parsing a flow mapping" */
      what += 6;
    diag_note(ld->ctx, d, at, "%s that starts here", what);
  }
}

/* libyaml reads NUL as end of input in places; refuse such bytes up front. */
static bool check_bytes(Loader *ld) {
  const char *nul = memchr(ld->file->text, '\0', ld->file->size);
  if (nul) {
    load_fail(ld, offset_pos(ld, (size_t)(nul - ld->file->text)), LK_ENCODING,
              "file contains a NUL byte (is it a binary file?)");
    return false;
  }
  return true;
}

static bool is_blank_document(const SourceFile *f) {
  for (size_t i = 0; i < f->size; i++) {
    char c = f->text[i];
    if (c == '#') {
      while (i < f->size && f->text[i] != '\n')
        i++;
    } else if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
      return false;
    }
  }
  return true;
}

Node *load(Ctx *ctx, const SourceFile *file) {
  Loader ld;
  memset(&ld, 0, sizeof ld);
  ld.ctx = ctx;
  ld.file = file;
  const char *body = file->text;
  size_t size = file->size;
  if (size >= 3 && !memcmp(body, "\xEF\xBB\xBF", 3)) { /* libyaml handles a BOM, but say UTF-8 */
    body += 3;
    size -= 3;
    ld.bom = 3;
  }
  if (size >= 2 && ((unsigned char)body[0] == 0xFF || (unsigned char)body[0] == 0xFE) &&
      ((unsigned char)body[1] ^ (unsigned char)body[0]) == 0x01) {
    Pos p = {file, 1, 1, 0};
    diag_error(ctx, p, LK_ENCODING, "file is UTF-16 (it starts with a UTF-16 byte order mark); save it as UTF-8");
    return NULL;
  }
  if (!check_bytes(&ld))
    return NULL;
  if (is_blank_document(file)) {
    Pos p = {file, 1, 1, 0};
    diag_error(ctx, p, LK_EMPTY_FILE, "file is empty");
    return NULL;
  }
  yaml_parser_t parser;
  if (!yaml_parser_initialize(&parser))
    BUG("cannot initialise the YAML parser");
  yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
  yaml_parser_set_input_string(&parser, (const unsigned char *)body, size);
  bool done = false;
  while (!done && !ld.failed) {
    yaml_event_t ev;
    if (!yaml_parser_parse(&parser, &ev)) {
      report_parser_error(&ld, &parser);
      break;
    }
    on_event(&ld, &ev);
    done = ev.type == YAML_STREAM_END_EVENT;
    yaml_event_delete(&ev);
  }
  yaml_parser_delete(&parser);
  return ld.failed ? NULL : ld.root;
}
