/* refs: references to other items inside strings, ${KEY.ITEM.ATTR}
 * (${catalog_tables.orders.name}, ${buckets.data.name}): KEY a construct's
 * stage key, ITEM one of its items, ATTR what the construct's ref offers.
 * merge keeps them as written (refs_named); a construct whose field takes
 * them checks them (refs_check) and lowers the text with them resolved
 * (refs_expand); check then reports those left in any other field, which
 * would reach AWS as they are (refs_report_unresolved). */
#ifndef LAKEC_REFS_H
#define LAKEC_REFS_H

#include "construct.h"

/* "KEY.ITEM.ATTR" with KEY a construct's stage key. */
bool refs_named(const char *name);

/* Calls `each` for every reference of the scalar `n` (resolved, reported
 * with a did-you-mean when it names nothing), and records that the scalar's
 * references are taken care of. */
typedef void RefVisit(Ctx *ctx, void *arg, const Construct *c, const void *item,
                      const char *attr, Pos at);
void refs_check(Ctx *ctx, const Model *m, const Node *n, RefVisit *each, void *arg);

/* The text with its references resolved: a plain string, or Fn::Sub text
 * when a value is known only in CloudFormation (new reference). */
json_t *refs_expand(Ctx *ctx, Ir *ir, const Model *m, const char *text);
/* The same for text that is itself Fn::Sub text (raw CloudFormation): the
 * references become Sub variables or literals, the rest stays as written. */
const char *refs_expand_in_sub(Ctx *ctx, Ir *ir, const Model *m, const char *text);
/* True when the whole text is one reference, "${KEY.ITEM.ATTR}": its parts. */
bool refs_whole(Ctx *ctx, const char *text, const Construct **c, const char **item,
                const char **attr);

/* Reports every reference in a scalar of `root` that no check took. */
void refs_report_unresolved(Ctx *ctx, const Node *root);

#endif
