/* link: phase 4b. Splits the stage's IR into one CloudFormation template per
 * stack and resolves the references that cross stacks: a value lakec fixes
 * itself (a name, an ARN built from one) is written as a literal and only
 * orders the stacks; any other becomes an Output with an Export in the
 * producing stack and Fn::ImportValue in the consuming one. Orders the
 * stacks for deployment (a cycle is an error at the constructs involved) and
 * checks CloudFormation's limits per stack. */
#ifndef LAKEC_LINK_H
#define LAKEC_LINK_H

#include "ir.h"

struct Ctx;

typedef struct LinkedStack {
  const IrStack *stack;
  json_t *template;   /* owned */
  PtrVec depends_on;  /* const IrStack *: stacks to deploy before this one */
} LinkedStack;

typedef struct Linked {
  LinkedStack **stacks; /* in deploy order */
  size_t len;
} Linked;

/* NULL when an error was reported (a cycle, a limit, an empty stack). The
 * body size is checked apart, where the template's text is made. */
Linked *link_stacks(struct Ctx *ctx, const Ir *ir);
/* LK309 when a stack's template text is over LINK_MAX_BODY bytes. */
void link_check_body(struct Ctx *ctx, const LinkedStack *ls, size_t bytes);
/* The same for every stack, rendering each text to measure it (validate). */
void link_check_bodies(struct Ctx *ctx, const Linked *l);
void linked_free(Linked *l);

/* CloudFormation's limits of one template. */
enum {
  LINK_MAX_RESOURCES = 500,
  LINK_MAX_PARAMETERS = 200,
  LINK_MAX_OUTPUTS = 200,
  LINK_MAX_BODY = 1048576,
};

#endif
