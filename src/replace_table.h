/* replace_table: which property changes make CloudFormation replace a
 * resource, generated from the published resource schemas (see
 * tools/gen_replace_table.py). Sorted by type, then path. */
#ifndef LAKEC_REPLACE_TABLE_H
#define LAKEC_REPLACE_TABLE_H

typedef enum { REPLACES = 1, MAY_REPLACE = 2 } ReplaceKind;

typedef struct ReplaceRule {
  const char *type;
  const char *path; /* property path below Properties, '.'-separated, '*' for any list item */
  ReplaceKind kind;
} ReplaceRule;

extern const ReplaceRule REPLACE_RULES[];
extern const unsigned long REPLACE_RULES_COUNT;

#endif
