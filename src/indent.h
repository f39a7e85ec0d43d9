/* indent: why a YAML file libyaml stopped reading at a key may be misindented.
 * libyaml says "did not find expected key" or "mapping values are not allowed
 * in this context" and points at the start of the block it was in; what
 * people did was indent one key by a space too few or too many. From the
 * lines above, indent_explain works out which mappings are open at that key
 * and at which indentation their keys sit, so the loader can say so at the
 * key, with a note at the block it probably belongs to. */
#ifndef LAKEC_INDENT_H
#define LAKEC_INDENT_H

#include "source.h"

#include <stdbool.h>
#include <stddef.h>

#define INDENT_MAX_LEVELS 32

/* A mapping open at the line: its keys' indentation and the key that opened
 * it (key NULL: the top level). */
typedef struct IndentBlock {
  unsigned indent;
  unsigned item_indent; /* its keys are in list items: the '-' column; else (unsigned)-1 */
  unsigned line;     /* of the opening key; 0 for the top level */
  const char *key;   /* not NUL-terminated */
  size_t key_len;
  unsigned key_col;  /* 0-based */
} IndentBlock;

typedef struct IndentHint {
  const char *key; /* the misindented key (not NUL-terminated) */
  size_t key_len;
  unsigned indent; /* its indentation */
  unsigned span;   /* characters from the indentation to the key's end ("- write") */
  IndentBlock levels[INDENT_MAX_LEVELS]; /* innermost first */
  size_t nlevels;
  size_t probable; /* index in levels of the block it probably belongs to */
  bool deeper;     /* deeper than the innermost block, whose last key has a value */
  bool item;       /* the line is a list item ("- key: ..."): indent is its '-' column, and
                      the levels to compare with are the lists' (item_indent) */
  unsigned above_line; /* the key above it */
  const char *above_key;
  size_t above_key_len;
} IndentHint;

/* True when line (1-based) starts with a key whose indentation matches no
 * mapping open there; fills *out. */
bool indent_explain(const SourceFile *f, unsigned line, IndentHint *out);

#endif
