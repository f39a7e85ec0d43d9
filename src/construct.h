/* construct: what one kind of thing in a stage file is (a bucket, a queue, a
 * function, ...), described once, in its own file under src/constructs/, as a
 * const Construct that names its stage key, its schema table, its checks, its
 * lowering, the grant verbs it offers to functions, the names it claims and
 * the resource types it tags. constructs.c keeps the one ordered table of
 * them; check, lower, tagging, the cross-stage collision check, the JSON
 * Schema, the stage matrix and the docs test walk that table and never name a
 * construct (curl's Curl_handler table is the model).
 *
 * Every construct's item struct starts with MODEL_ITEM_HEADER, so generic code can
 * read an item's node, key and stack without knowing its type. */
#ifndef LAKEC_CONSTRUCT_H
#define LAKEC_CONSTRUCT_H

#include "codes.h"
#include "ctx.h"
#include "ir.h"
#include "model.h"
#include "schema.h"

typedef struct Construct Construct;

/* A grant verb a construct offers: `- send: jobs` in a function's grants. */
typedef struct GrantVerb {
  const char *verb;
  const char *doc; /* "QUEUE: send messages", the README and JSON Schema say it */
  /* Finds the target named by g->text (reporting at `at` when it does not
   * exist) and fills g->target (and g->where for bucket locations). */
  bool (*resolve)(Ctx *ctx, const Model *m, Grant *g, Pos at);
  /* Appends the least-privilege IAM statements of the grant to `out`. */
  void (*statements)(Ctx *ctx, Ir *ir, const Model *m, const Grant *g, json_t *out);
  /* Sets the environment variables that tell the handler the target's name
   * or URL (LAKEC_QUEUE_JOBS_URL ...). */
  void (*environment)(Ctx *ctx, Ir *ir, const Model *m, const Grant *g, json_t *vars);
  /* The verb takes a map of this shape (into Grant.iam), not a target's name. */
  const Shape *value_shape;
} GrantVerb;

/* How a resource type takes tags. */
typedef enum { TAGS_LIST, TAGS_MAP } TagShape;
typedef struct TagRule {
  const char *type, *property;
  TagShape shape;
} TagRule;

/* A name a construct claims in AWS: two stages in the same account and
 * region (or anywhere, when global) must not both create it. */
typedef struct NameClaim {
  const char *kind, *name;
  Pos pos;
  bool global;
} NameClaim;

/* What a reference resolves to: Ref (attr NULL) or Fn::GetAtt of `id`, and
 * the value's text when lakec knows it before deployment (a name it fixed,
 * or an ARN built from one), which lets another stack use it as a literal.
 * An item lakec does not create (a table that exists) has no id: its
 * references are the literal itself. */
typedef struct RefSpec {
  const char *id, *attr; /* id NULL: only the literal */
  json_t *literal; /* new reference, or NULL: only known after creation */
  /* A value built on the reference (a URL around an API's id): Fn::Sub text
   * with one %s where the reference goes; NULL: the reference itself. */
  const char *around;
} RefSpec;

/* A CloudWatch metric a construct offers alarms, by a name of the language
 * ("oldest_message_age"): where CloudWatch keeps it, the statistic an alarm
 * takes by default and what kind of number it is. */
typedef enum { METRIC_COUNT, METRIC_SECONDS, METRIC_MILLISECONDS } MetricUnit;
typedef struct Metric {
  const char *name;      /* the language's: "oldest_message_age", "dead_letter.visible_messages" */
  const char *space;     /* CloudWatch namespace: "AWS/SQS" */
  const char *metric;    /* CloudWatch's name: "ApproximateAgeOfOldestMessage" */
  const char *statistic; /* default: "Maximum" */
  MetricUnit unit;       /* a count's threshold is a whole number */
  const char *doc;       /* the README's metrics table says it */
  /* False when this item does not have the metric (a queue without a
   * dead-letter queue has no dead_letter.* metrics); NULL: every item has it. */
  bool (*offered)(const void *item);
  /* The metric's dimensions for an item (new JSON array of {Name, Value}),
   * through construct_ref, so an alarm in another stack works. */
  json_t *(*dimensions)(Ctx *ctx, Ir *ir, const void *item);
} Metric;

struct Construct {
  const char *key;  /* the stage file's key: "queues" */
  const char *kind; /* one of them in messages: "queue" */
  const char *doc;  /* the key's line in the README and JSON Schema */
  const Shape *shape; /* one item (a map under `key`, by name) */
  /* Completes and checks every item once all are decoded: computed defaults,
   * naming rules, references to other constructs (resolved into pointers). */
  void (*check)(Ctx *ctx, Model *m, const Construct *self);
  /* Lowers one item into the IR (in the item's stack). NULL for a construct
   * that creates nothing of its own, whose grants carry it (a data set): its
   * shape then has no `stack`. */
  void (*lower)(Ctx *ctx, Ir *ir, const Model *m, const void *item);
  /* What another construct may ask about an item: "name", "arn", "url" ...
   * False when the construct has no such attribute (our bug). */
  bool (*ref)(Ctx *ctx, const void *item, const char *what, RefSpec *out);
  const GrantVerb *const *verbs; /* NULL-terminated, or NULL */
  void (*claim_names)(Ctx *ctx, const Model *m, const void *item, PtrVec *claims);
  const TagRule *tags; /* resource types it creates that take tags; {NULL}-terminated */
  const DiagCode *codes; /* its own diagnostics, zero-terminated, or NULL (lakec explain) */
  const Metric *metrics; /* what alarms may watch; {NULL}-terminated, or NULL */
  /* Checks the model against the stage's previous build (the resources of
   * all its templates, by logical id), when the output folder holds one:
   * what may not change once deployed (Iceberg column ids). NULL: nothing. */
  void (*against_previous)(Ctx *ctx, const Model *m, json_t *previous);
};

/* Every construct item struct begins with MODEL_ITEM_HEADER (model.h): its
 * map node, its key (the root of its logical ids) and its stack. */
typedef struct Item {
  MODEL_ITEM_HEADER;
} Item;

/* The keys every construct's table ends with (but a construct that creates
 * nothing): its own tags, then `stack`. */
#define ITEM_FIELDS(T)                                                                   \
  {"tags", F_STRMAP, offsetof(T, tags),                                                  \
   .doc = "tags of the resources it makes, beside the stage's (its own win)"},           \
      {"stack", F_STR, offsetof(T, stack),                                               \
       .doc = "the stack (a key of `stacks`) it is created in; default: the first stack"}

/* ---- the registry (constructs.c) ---- */

extern const Construct *const CONSTRUCTS[];
extern const size_t CONSTRUCTS_COUNT;

/* The constructs the core itself names: packaging reads the functions, and
 * bucket locations ("BUCKET/PREFIX") are everyone's. Others declare what
 * they refer to themselves. */
extern const Construct construct_bucket, construct_function;

const Construct *construct_named(const char *key);
/* The items of one construct in a model (an AnyList the decoder filled). */
size_t construct_count(const Model *m, const Construct *c);
const void *construct_item(const Model *m, const Construct *c, size_t i);
void *construct_item_mut(Model *m, const Construct *c, size_t i);
/* The item of construct c named key, or NULL. */
const void *construct_find(const Model *m, const Construct *c, const char *key);
/* The same, reporting "no queue named 'x' in 'queues'" at `at` with a
 * did-you-mean when there is none. */
const void *construct_resolve(Ctx *ctx, const Model *m, const Construct *c, const char *key,
                              Pos at);
/* The grant verb named verb, or NULL (and the construct offering it). */
const GrantVerb *construct_verb(const char *verb, const Construct **owner);
/* Resolves grant g, written `verb: g->text` (reporting at `at`), and returns
 * its verb, or NULL when reported. Several constructs may offer one verb
 * (invoke: an API or a function): the one with an item named g->text has it. */
const GrantVerb *construct_grant_verb(Ctx *ctx, const Model *m, Grant *g, const char *verb,
                                      Pos at);

/* Typed references: Ref / Fn::GetAtt (new JSON) or "${Id}" / "${Id.Attr}"
 * for Fn::Sub text, of attribute `what` of an item of construct c. The IR
 * records the value's literal when there is one (for other stacks). */
json_t *construct_ref(Ctx *ctx, Ir *ir, const Construct *c, const void *item, const char *what);
const char *construct_sub(Ctx *ctx, Ir *ir, const Construct *c, const void *item,
                          const char *what);

/* The metric named name that item (of c) offers, or NULL. */
const Metric *construct_metric(const Construct *c, const void *item, const char *name);

/* Appends a claim for the item's `key_of_name` field (its position). */
void construct_claim(Ctx *ctx, PtrVec *claims, const char *kind, const char *name,
                     const Node *map, const char *key_of_name, bool global);

#endif
