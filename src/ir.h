/* ir: what lower produces and emit and diff read: one CloudFormation template
 * as a list of resources (logical id, type, properties as JSON, DependsOn,
 * policies), parameters and outputs, plus the handler assets it needs. */
#ifndef LAKEC_IR_H
#define LAKEC_IR_H

#include "arena.h"
#include "strindex.h"
#include <jansson.h>
#include <stdbool.h>

struct Ctx;
struct Node;

/* A CloudFormation stack of the stage; templates read from disk have none. */
typedef struct IrStack {
  const char *key, *name, *description;
  const struct Node *node; /* its entry under `stacks:`, or NULL for the default */
  size_t index;            /* in Ir.stacks */
} IrStack;

typedef struct IrResource {
  const char *id;
  const char *type;
  json_t *properties; /* owned */
  PtrVec depends_on;  /* const char * logical ids */
  const char *deletion_policy, *update_replace_policy; /* NULL = CloudFormation's default */
  const char *condition; /* templates read from disk only */
  json_t *metadata;      /* owned, or NULL */
  const IrStack *stack;  /* NULL: templates read from disk */
  const struct Node *origin; /* the construct item it was lowered from, for messages */
} IrResource;

typedef struct IrEntry {
  const char *id;
  json_t *value; /* owned: a Parameter or Output body */
  const IrStack *stack; /* outputs: the stack that has it; parameters: NULL (any that uses it) */
  const struct Node *origin; /* outputs: the construct item that wrote it */
} IrEntry;

/* A file the templates need in the assets bucket, whose S3 key is a
 * parameter: a handler program's zip that functions run, or a Glue job's
 * script. */
typedef struct IrAsset {
  const char *handler;   /* the handler program, or NULL for a script */
  const char *job;       /* a script's job (its key), or NULL for a zip */
  const char *code;      /* a function's own code, as diagnostics show its path, or NULL */
  const char *runtime;   /* with code: the Lambda runtime it runs on */
  const char *parameter; /* template parameter holding the S3 key */
  PtrVec functions;      /* keys of the functions that run it */
  /* The file's key ("assets/<handler>-<hash>.zip", "assets/<job>-<hash>.py",
   * also its path beside the template), its SHA-256 and its bytes: set by
   * package for a zip (lakec build), by lower for a script (its bytes are
   * read when the stage is checked). Not owned. */
  const char *file, *sha256;
  const unsigned char *zip; /* the zip's, or the script's, bytes */
  size_t zip_size;
  bool reported; /* package's problems with it are reported */
} IrAsset;

typedef struct Ir {
  const char *project, *stage;
  const char *description;
  PtrVec resources, parameters, outputs, assets;
  json_t *conditions; /* owned, or NULL: templates read from disk only */
  StrIndex by_id;     /* logical id -> IrResource * */
  StrIndex assets_by_handler; /* handler -> IrAsset * */
  PtrVec stacks;      /* IrStack *, in the order written; at least one when lowered */
  /* Where ir_add and ir_output put things: lower sets them per construct item. */
  const IrStack *current_stack;
  const struct Node *current_origin;
  /* "Id" or "Id.Attr" -> json_t * (owned): values known before deployment. */
  StrIndex known;
  PtrVec known_values; /* the same json_t *, to free them */
  PtrVec discarded;    /* IrResource * whose id was taken (reported): freed, never emitted */
  const struct Node *reported_origin; /* the last item whose id collision was reported */
} Ir;

Ir *ir_new(struct Ctx *ctx);
/* Adds a resource; steals props. A logical id already taken is reported at
 * the construct being lowered (a BUG outside of lowering). */
IrResource *ir_add(struct Ctx *ctx, Ir *ir, const char *id, const char *type, json_t *props);
void ir_depends_on(struct Ctx *ctx, IrResource *r, const char *id);
/* Records that `id` (attr NULL: its Ref) has the value `literal` (stolen)
 * whatever the deployment, so another stack may write it as it is. */
void ir_known_value(struct Ctx *ctx, Ir *ir, const char *id, const char *attr, json_t *literal);
/* The value recorded for id / attr, or NULL (borrowed). */
json_t *ir_known(const Ir *ir, const char *id, const char *attr);
IrStack *ir_stack_add(struct Ctx *ctx, Ir *ir, const char *key, const char *name,
                      const char *description, const struct Node *node);
/* Sets DeletionPolicy and UpdateReplacePolicy together ("Retain", "Delete"). */
void ir_set_policy(IrResource *r, const char *policy);
/* A finding of the AWS Solutions / Serverless rule packs (cdk-nag) that is
 * inherent to what lakec builds, suppressed in the resource's Metadata in
 * cdk-nag's convention ({cdk_nag: {rules_to_suppress: [{id, reason,
 * applies_to}]}}). `reason` is a sentence; applies_to (stolen, or NULL for
 * every finding of the rule) lists finding strings or {regex: "/.../"}.
 * The same rule and reason given twice merge their applies_to. */
void ir_suppress(IrResource *r, const char *rule, const char *reason, json_t *applies_to);
/* An IR from a CloudFormation template (JSON) read from disk. It shares t's
 * values (taking references), so t must not be changed afterwards. NULL and
 * *why set when t is not a template. */
Ir *ir_from_template(struct Ctx *ctx, json_t *t, const char **why);
IrResource *ir_find(const Ir *ir, const char *id);
/* Steals value. */
void ir_parameter(struct Ctx *ctx, Ir *ir, const char *id, json_t *value);
void ir_output(struct Ctx *ctx, Ir *ir, const char *id, json_t *value, const char *description);
/* A resource's body in a template, keys in CloudFormation's usual order, with
 * the DependsOn list and properties given (both stolen; an empty list is left
 * out): link gives those of a stack of several. */
json_t *ir_resource_json(const IrResource *r, json_t *depends_on, json_t *properties);
/* The whole template as JSON (new reference), keys in CloudFormation's usual order. */
json_t *ir_to_template(const Ir *ir);
void ir_free(Ir *ir);

/* JSON text in memory from malloc (free it with free), whatever allocator
 * jansson was given: json_dumps's result belongs to jansson's. */
char *ir_json_text(json_t *v, size_t flags);

/* json_pack that treats a packing failure as our bug. */
json_t *ir_pack(const char *fmt, ...);
#define J(...) ir_pack(__VA_ARGS__)

#endif
