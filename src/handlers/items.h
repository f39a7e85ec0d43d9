/* items: DynamoDB items, as Scan answers them (attribute values in DynamoDB's
 * JSON: {"S": "..."}, {"N": "..."}, {"M": {...}}, ...), made CSV rows for
 * normalize's columns. Apart from the handler so that tests/fuzz/ can drive
 * it without a network.
 *
 * A column's field: S as is, N as its text, B as its base64 text, BOOL
 * "true"/"false", NULL or a missing attribute an empty field; M, L and the
 * sets canonical JSON: map keys sorted (bytewise, which is code point order
 * in UTF-8), SS and BS sorted bytewise, NS by value (then text), no spaces,
 * numbers as their text, strings with only '"', '\\' and control characters
 * escaped (UTF-8 as is) — the same item always gives the same bytes.
 * Fields follow RFC 4180: quoted when they hold ',', '"', CR or LF, a quote
 * doubled; records end in "\n". */
#ifndef LAKEC_HANDLERS_ITEMS_H
#define LAKEC_HANDLERS_ITEMS_H

#include "parse.h"

#define ITEMS_MAX_NESTING 64 /* DynamoDB's own limit is 32 levels */

/* The header record: the column names. */
void items_append_header(Buffer *out, const NormalizeColumns *cols);
/* Appends item's record. False with why filled, and out as it was, when the
 * item is not a map of attribute values. */
bool items_append_row(Buffer *out, json_t *item, const NormalizeColumns *cols, char *why,
                      size_t size);
/* An attribute value as canonical JSON (any type, S and N too), appended to
 * out; false with why filled when it is not an attribute value. */
bool items_canonical_json(Buffer *out, json_t *value, char *why, size_t size);

#endif
