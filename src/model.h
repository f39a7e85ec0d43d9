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

/* "BUCKET/PREFIX" or bucket + prefix keys, resolved to the bucket. */
typedef struct Location {
  const Bucket *bucket;
  const char *prefix; /* "" = the whole bucket, else ends with '/' or is a key prefix */
} Location;

struct Bucket {
  const Node *node;
  const char *key; /* the name in `buckets:`, the root of its logical ids */
  const char *name;
  int versioned, retain; /* tri-state until check applies the stage's defaults */
};

typedef struct Crawler {
  const Node *node;
  const char *key;
  const char *name;
  const char *bucket, *prefix;
  Location target; /* resolved */
} Crawler;

typedef struct Catalog {
  const Node *node;
  const char *database;
  LIST(Crawler) crawlers;
} Catalog;

typedef struct AthenaResults {
  const Node *node;
  const char *bucket, *prefix;
  Location where; /* resolved */
} AthenaResults;

typedef struct Athena {
  const Node *node;
  const char *workgroup;
  AthenaResults results;
  long long bytes_scanned_limit; /* 0 = none */
} Athena;

typedef struct Schedule {
  const Node *node;
  const char *expression;
  int enabled;
} Schedule;

typedef struct ObjectTrigger {
  const Node *node;
  const char *bucket, *prefix, *suffix;
  const Bucket *source; /* resolved */
} ObjectTrigger;

typedef enum { GRANT_READ, GRANT_WRITE, GRANT_DELETE, GRANT_CRAWL, GRANT_QUERY } GrantKind;

typedef struct Grant {
  const Node *node;
  /* as written: exactly one is set */
  const char *read, *write, *delete_, *crawl, *query;
  /* resolved */
  GrantKind kind;
  Location where;          /* read / write / delete */
  const Crawler *crawler;  /* crawl / query */
} Grant;

typedef enum { ARCH_X86_64, ARCH_ARM64 } Arch;

typedef struct Function {
  const Node *node;
  const char *key;
  const char *name;
  const char *handler;
  const char *description;
  long long memory, timeout, log_retention;
  int architecture; /* Arch, or TRI_UNSET for the build host's */
  StrMap environment;
  Schedule schedule;
  ObjectTrigger on_object_created;
  LIST(Grant) grants;
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

typedef struct Api {
  const Node *node;
  const char *name;
  const char *stage_name;
  int auth; /* AuthMode */
  Cors cors;
  StrMap routes_as_written; /* "GET /metrics": query */
  LIST(Route) routes;       /* resolved */
} Api;

/* Explicit, reviewed exceptions to the production rules (LK401-LK403). */
typedef struct Policy {
  const Node *node;
  int allow_open_api, allow_unversioned_buckets, allow_unretained_buckets,
      allow_disabled_schedules;
} Policy;

typedef struct Model {
  const Node *node;
  long long version;
  const char *extends;
  const char *project, *stage, *region, *account;
  int production;
  Policy policy;
  StrMap tags;
  StrMap vars;
  LIST(Bucket) buckets;
  Catalog catalog;
  Athena athena;
  LIST(Function) functions;
  Api api;
} Model;

const Bucket *model_find_bucket(const Model *m, const char *key);
const Function *model_find_function(const Model *m, const char *key);
const Crawler *model_find_crawler(const Model *m, const char *key);

#endif
