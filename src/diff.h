/* diff: phase 6. Two IRs -> what changes between them, resource by resource
 * and property by property, with what CloudFormation will replace, what loses
 * data, and what touches IAM or API auth. */
#ifndef LAKEC_DIFF_H
#define LAKEC_DIFF_H

#include "ir.h"

struct Ctx;

typedef enum { CHANGE_ADDED, CHANGE_REMOVED, CHANGE_MODIFIED } ChangeKind;

/* One changed value. old is NULL when added, new NULL when removed. */
typedef struct PropChange {
  const char *path; /* "Properties.Tags.Stage", "DependsOn", "DeletionPolicy", ... */
  json_t *old, *new_; /* owned */
  bool replaces;      /* CloudFormation replaces the resource for this change */
  bool may_replace;   /* ... for some values of it (conditionally create-only) */
  bool security;      /* IAM, resource policies, API auth */
} PropChange;

typedef struct ResourceDiff {
  const char *id, *type, *old_type;
  ChangeKind kind;
  PtrVec changes;   /* PropChange * (modified only) */
  bool replacement; /* some change replaces it (or its type changed) */
  bool destructive; /* a resource that holds data is removed or replaced */
  bool security;    /* an IAM / policy / auth resource, or a security change */
  bool code_only;   /* only the handler's code changed */
} ResourceDiff;

/* A Parameter, Output or Condition added, removed or changed. */
typedef struct EntryDiff {
  const char *section, *id;
  ChangeKind kind;
  json_t *old, *new_; /* owned */
  PtrVec changes;     /* PropChange *, paths inside the entry (modified only) */
  bool code_only;     /* a handler's code key (lakec's <Handler>CodeKey) got a new default */
} EntryDiff;

typedef struct Diff {
  PtrVec resources; /* ResourceDiff *, in B's order, then removals in A's order */
  PtrVec entries;   /* EntryDiff * */
  unsigned added, removed, modified, replaced, destructive, security, code;
} Diff;

typedef struct DiffOptions {
  const char *const *ignore; /* fnmatch patterns over "Resources.Id.Properties.X" paths */
  size_t nignore;
} DiffOptions;

/* Compares a (before) with b (after). Linear in the number of resources. */
Diff *diff_irs(struct Ctx *ctx, const Ir *a, const Ir *b, const DiffOptions *opts);
bool diff_is_empty(const Diff *d);
void diff_free(Diff *d);

/* The replacement rule for a change of `path` (below Properties) of `type`:
 * REPLACES, MAY_REPLACE or 0. */
int diff_replacement(const char *type, const char *path);

#endif
