/* model: the typed form of a stage, what check builds and lower reads.
 * Every struct that came from a YAML map keeps that map in `node`, so a later
 * check can point at any of its keys; node == NULL means "not written". */
#ifndef LAKEC_MODEL_H
#define LAKEC_MODEL_H

#include "node.h"
#include <stdbool.h>

/* A list of T decoded from a YAML map or sequence. decode.c fills every list
 * through the same layout, so all of them must be declared with this macro. */
#define LIST(T)                                                                          \
  struct {                                                                               \
    T *items;                                                                            \
    size_t len;                                                                          \
  }

typedef struct StrPair {
  const char *key, *value;
  const Node *key_node, *value_node;
} StrPair;
typedef LIST(StrPair) StrMap;
typedef LIST(const char *) StrList;

/* Booleans whose default depends on the stage start as TRI_UNSET. */
enum { TRI_UNSET = -1 };

typedef struct Bucket Bucket;
struct GrantVerb;
struct Construct;

/* "BUCKET/PREFIX" or bucket + prefix keys, resolved to the bucket. */
typedef struct Location {
  const Bucket *bucket;
  const char *prefix; /* "" = the whole bucket, else ends with '/' or is a key prefix */
} Location;

/* The first members of every construct's item (construct.h's ITEM_HEADER). */
#define MODEL_ITEM_HEADER                                                                \
  const Node *node;                                                                      \
  const char *key;                                                                       \
  const char *stack;                                                                     \
  StrMap tags /* its own tags, beside the stage's, on the resources it makes */

/* Objects under a prefix that expire (another construct's check asks for it). */
typedef struct Expiration {
  const char *prefix;
  long long days;
  struct Expiration *next;
} Expiration;

/* A bucket's lifecycle rule, by key (its Id): what happens to the objects
 * under a prefix as they age. */
typedef struct Transition {
  const Node *node;
  const char *storage_class; /* the map key: STANDARD_IA, GLACIER, ... */
  long long days;
} Transition;

typedef struct LifecycleRule {
  const Node *node;
  const char *key;
  const char *prefix;
  long long expire_days, noncurrent_days; /* 0: none */
  int enabled;
  LIST(Transition) transitions;
} LifecycleRule;

struct Bucket {
  MODEL_ITEM_HEADER;
  const char *name;
  int versioned, retain, access_logs; /* tri-state until check applies the stage's defaults */
  long long noncurrent_days; /* old versions kept so long (versioned buckets) */
  long long abort_incomplete_days;
  LIST(LifecycleRule) lifecycle;
  bool eventbridge;      /* a function is triggered by its new objects */
  Expiration *expirations; /* in the order asked, last first */
};

typedef struct Crawler {
  const Node *node;
  const char *key;
  const char *name;
  const char *bucket, *prefix;
  const char *schedule; /* Glue's own cron, or NULL: run when started */
  int on_delete;        /* index into the crawler's DELETE_BEHAVIORS */
  Location target; /* resolved */
  const struct Database *database;
} Crawler;

typedef struct Database {
  MODEL_ITEM_HEADER;
  const char *name;
  int encrypt_logs; /* tri-state until check: the stage's production */
  long long log_retention; /* of the crawlers' encrypted log groups */
  int lake_formation;      /* Lake Formation governs its tables and data */
  LIST(Crawler) crawlers;
} Database;

/* A column of a catalog table (or a Hive partition key): its type in
 * lakec's one vocabulary (coltype.h), parsed by the table's check. */
typedef struct CatalogColumn {
  const Node *node;
  const char *name, *type, *comment;
  int required; /* Iceberg: not null */
  /* resolved */
  struct ColType *parsed; /* NULL when the type is refused */
} CatalogColumn;

/* Athena partition projection of one partition key, by the key's name. */
typedef struct Projection {
  const Node *node;
  const char *key;
  int type; /* date, integer, enum, injected */
  const char *format, *range;
  long long interval, digits;
  int unit;
  StrList values;
} Projection;

enum { TABLE_ICEBERG, TABLE_PARQUET, TABLE_JSON, TABLE_CSV };

/* A table of the Glue Data Catalog that lakec creates (catalog_table.c). */
typedef struct CatalogTable {
  MODEL_ITEM_HEADER;
  const char *name, *database, *location, *description;
  int format; /* TABLE_* */
  LIST(CatalogColumn) columns;
  StrList identifier, partition; /* Iceberg */
  long long format_version;
  int write_mode;
  StrMap properties;
  LIST(CatalogColumn) partitions; /* Hive */
  LIST(Projection) projection;
  int allow_rewrite;
  /* resolved */
  const Database *db;
  Location where;
} CatalogTable;

typedef struct AthenaResults {
  const Node *node;
  const char *bucket, *prefix;
  long long expire_days; /* 0 = kept */
  Location where; /* resolved */
} AthenaResults;

typedef struct Workgroup {
  MODEL_ITEM_HEADER;
  const char *name;
  AthenaResults results;
  long long bytes_scanned_limit; /* 0 = none */
} Workgroup;

typedef struct Schedule {
  const Node *node;
  const char *expression;
  int enabled;
} Schedule;

typedef struct ObjectTrigger {
  const Node *node;
  const char *bucket, *prefix, *suffix;
  long long batch_size, batch_window; /* a Glue workflow's: events gathered per run */
  const Bucket *source; /* resolved */
} ObjectTrigger;

/* `- VERB: TARGET` in a function's grants; the verbs come from the constructs. */
/* A grant written as IAM itself (`iam: {actions: [...], resources: [...]}`):
 * for what lakec has no verb for, a raw resource's ARN first. */
typedef struct IamGrant {
  const Node *node;
  StrList actions, resources;
  const char *wildcard; /* why a resource may be "*": the reviewed exception */
} IamGrant;

typedef struct Grant {
  const Node *node;
  const char *text; /* the target as written */
  IamGrant iam;     /* the `iam` verb's statement (its node NULL otherwise) */
  /* resolved */
  const struct GrantVerb *verb;
  const struct Construct *owner; /* the construct offering the verb */
  const void *target;            /* its item (a Bucket, a Crawler, a queue ...) */
  Location where;                /* bucket locations */
  const void *via;               /* a second item some verbs need (query: the workgroup) */
} Grant;

typedef enum { ARCH_X86_64, ARCH_ARM64 } Arch;

/* Where a function runs inside a VPC (`vpc:` of a function). */
typedef struct VpcPlacement {
  const Node *node;        /* the `vpc:` map; NULL: the function runs outside any VPC */
  const char *vpc;         /* a key of `vpcs` */
  int subnets;             /* SubnetTier: the tier of subnets it runs in */
  StrList security_groups; /* keys of `security_groups` */
  const void *target;      /* the vpc item, resolved by check */
} VpcPlacement;

typedef enum { SUBNETS_PRIVATE, SUBNETS_PUBLIC } SubnetTier;

typedef struct Function {
  MODEL_ITEM_HEADER;
  const char *name;
  const char *handler;
  const char *description;
  long long memory, timeout, log_retention;
  int architecture; /* Arch, or TRI_UNSET for the build host's */
  int tracing;      /* X-Ray active tracing; tri-state until check */
  StrMap environment;
  Schedule schedule;
  ObjectTrigger on_object_created;
  LIST(Grant) grants;
  VpcPlacement vpc;
  StrMap extra_env; /* set by other constructs' checks (an API's CORS origins) */
  const char *code;    /* the user's code (a directory or a .zip), as written, or NULL */
  const char *runtime; /* Lambda runtime identifier; provided.al2023 unless said */
  /* Set by check for `code:`: the canonical path, as diagnostics show it,
   * whether it is a zip taken as is. */
  const char *code_path, *code_shown;
  bool code_is_zip;
} Function;

typedef enum { AUTH_NONE, AUTH_IAM, AUTH_COGNITO } AuthMode;

typedef struct Cors {
  const Node *node;
  StrList origins;
} Cors;

typedef struct Route {
  const char *method; /* GET, POST, ... or ANY */
  const char *path;   /* "/metrics", "/items/{id}" */
  const Function *function;
  const Node *key_node;
} Route;

typedef struct Throttle {
  const Node *node;
  long long rate, burst;
} Throttle;

typedef struct Api {
  MODEL_ITEM_HEADER;
  const char *name;
  const char *stage_name;
  int auth; /* AuthMode */
  Cors cors;
  Throttle throttle;
  long long log_retention;
  int tracing, mfa; /* tri-state until check: the stage's production */
  const char *waf_acl; /* a WAFv2 web ACL ARN to associate, or NULL */
  StrMap routes_as_written; /* "GET /metrics": query */
  LIST(Route) routes;       /* resolved */
} Api;

/* Explicit, reviewed exceptions to the production rules (LK401-LK403). */
typedef struct Policy {
  const Node *node;
  int allow_open_api, allow_unversioned_buckets, allow_unretained_buckets,
      allow_disabled_schedules;
} Policy;

/* A CloudFormation stack of the stage: `stacks: {KEY: {name: ...}}`. */
typedef struct Stack {
  const Node *node;
  const char *key;
  const char *name;
  const char *description;
  StrMap tags; /* on every resource of the stack, over the stage's */
} Stack;

/* An RFC 6902 operation on a resource lakec generates (`patches:`). */
typedef enum { PATCH_ADD, PATCH_REPLACE, PATCH_REMOVE, PATCH_TEST } PatchOp;

typedef struct Patch {
  const Node *node;
  int op;            /* PatchOp, or TRI_UNSET when refused */
  const char *path;  /* an RFC 6901 JSON pointer: /LogicalId/Properties/... */
  const Node *value; /* as written, or NULL when absent */
} Patch;

typedef LIST(void) AnyList;

/* As many kinds of construct as the registry may hold. */
#define MODEL_CONSTRUCTS_MAX 48

typedef struct Model {
  const Node *node;
  long long version;
  const char *extends;
  const char *project, *stage, *region, *account;
  int production;
  Policy policy;
  StrMap tags;
  StrMap vars;
  LIST(Stack) stacks; /* check adds the default one when none is written */
  LIST(Patch) patches; /* applied in order, after lowering */
  /* The items of each construct, in registry order (construct.h). */
  AnyList items[MODEL_CONSTRUCTS_MAX];
} Model;

/* The stack named key ("" or NULL: the default, first one). */
const Stack *model_stack(const Model *m, const char *key);

#endif
