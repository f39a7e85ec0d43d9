/* diff: phase 6. Two IRs -> what changes between them, resource by resource
 * and property by property, with what CloudFormation will replace, what loses
 * data, and what touches IAM or API auth. */
#ifndef LAKEC_DIFF_H
#define LAKEC_DIFF_H

#include "ir.h"

struct Ctx;

typedef enum { CHANGE_ADDED, CHANGE_REMOVED, CHANGE_MODIFIED } ChangeKind;

/* One changed value. old is NULL when added, new NULL when removed.
 *
 * A reference change has refers_to set: the property's text is the same on
 * both sides (old and new_ are that value) but it refers to a resource that
 * is replaced, so its value changes at deploy time. path is then the property
 * ("Properties.Bucket"), whatever the depth of the reference inside it. */
typedef struct PropChange {
  const char *path; /* "Properties.Tags.Stage", "DependsOn", "DeletionPolicy", ... */
  json_t *old, *new_; /* owned */
  bool replaces;      /* CloudFormation replaces the resource for this change */
  bool may_replace;   /* ... for some values of it (conditionally create-only) */
  bool security;      /* IAM, resource policies, API auth */
  const char *refers_to; /* a reference change: the replaced resource, else NULL */
} PropChange;

typedef struct ResourceDiff {
  const char *id, *type, *old_type;
  ChangeKind kind;
  PtrVec changes;   /* PropChange * (modified only) */
  bool replacement; /* some change replaces it (or its type changed) */
  bool destructive; /* a resource that holds data is removed or replaced */
  bool security;    /* an IAM / policy / auth resource, or a security change */
  bool code_only;   /* only the handler's code changed */
  /* Replaced only because a create-only property refers to a replaced
   * resource: the first such resource and property, else NULL. */
  const char *replaced_because, *because_path;
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

/* Compares a (before) with b (after). Linear in the number of resources and
 * the size of their properties. Replacements cascade as CloudFormation does
 * them: a resource present on both sides whose create-only property refers to
 * a replaced resource is replaced too, transitively. */
Diff *diff_irs(struct Ctx *ctx, const Ir *a, const Ir *b, const DiffOptions *opts);
bool diff_is_empty(const Diff *d);
void diff_free(Diff *d);

/* The replacement rule for a change of `path` (below Properties) of `type`:
 * REPLACES, MAY_REPLACE or 0. */
int diff_replacement(const char *type, const char *path);
/* A resource type that holds data (a bucket, a table, ...): its removal or
 * replacement is destructive. */
bool diff_holds_data(const char *type);

#endif
