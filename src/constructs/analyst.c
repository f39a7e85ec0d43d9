/* analyst: an IAM role for people (an analyst assumes it), trusted by the
 * stage's own account, holding exactly its grants: the same verbs functions
 * take (`query: CRAWLER@WORKGROUP` is the analyst's usual one: Athena in that
 * workgroup, the catalog, the data, the results). Where the grant's database
 * is governed by Lake Formation (`databases.<key>.lake_formation`), the
 * analyst's access to its tables is granted there as well:
 *
 *   lake_formation: describe   DESCRIBE on the database and its tables
 *   lake_formation: select     DESCRIBE, and SELECT on every table
 *
 * with lakeformation:GetDataAccess, which Lake Formation needs to hand out
 * the data, in the role's policy. Seed 002's core and PII analysts are two
 * of these, each with a workgroup of its own. */
#include "check_util.h"
#include "construct.h"
#include "lower/lower_internal.h"

#include <string.h>

extern const Construct construct_analyst, construct_database;

#define LK_ANALYST_LF "LK332"
#define STAGE_HEAD                                                                       \
  "lakec: 1\nproject: demo\nstage: dev\nbuckets: {lake: {name: demo-dev-lake}}\n"            \
  "databases:\n  catalog:\n    name: demo_dev\n    lake_formation: true\n"                 \
  "    crawlers: {raw: {bucket: lake, prefix: raw/}}\n"                                     \
  "workgroups: {core: {name: demo-dev-core, results: {bucket: lake, prefix: results/}}}\n"

static const DiagCode ANALYST_CODES[] = {
    {LK_ANALYST_LF, "Lake Formation access for an analyst without a database",
     "An analyst's `lake_formation` access is granted on the databases of its `query`\n"
     "grants, where Lake Formation governs them (`lake_formation: true` on the database;\n"
     "a stage may switch that off, and the access then waits unused). Without any\n"
     "query grant there is no database to give it on: grant a query, or drop\n"
     "`lake_formation`.",
     STAGE_HEAD "analysts:\n  core: {lake_formation: select}\n",
     STAGE_HEAD "analysts:\n  core: {lake_formation: select, grants: [{query: raw@core}]}\n"},
    {NULL, NULL, NULL, NULL, NULL},
};

static const char *const ACCESS[] = {"none", "describe", "select", NULL};
enum { ACCESS_NONE, ACCESS_DESCRIBE, ACCESS_SELECT };

typedef struct Analyst {
  MODEL_ITEM_HEADER;
  const char *description;
  int lake_formation; /* index into ACCESS */
  LIST(Grant) grants;
} Analyst;

static const Field ANALYST_FIELDS[] = {
    {"description", F_STR, offsetof(Analyst, description), .doc = "free text (the role's)"},
    {"grants", F_LIST_OF, offsetof(Analyst, grants), .shape = &schema_grant,
     .doc = "what the role may do, the verbs functions take; nothing else is allowed"},
    {"lake_formation", F_ENUM, offsetof(Analyst, lake_formation), .values = ACCESS,
     .def = "none",
     .doc = "in the Lake Formation databases of its query grants: describe (the database and "
            "its tables) or select (describe, and read every table)"},
    ITEM_FIELDS(Analyst),
};
static const Shape SHAPE_ANALYST =
    SHAPE(Analyst, "analyst", ANALYST_FIELDS, .key_offset = offsetof(Analyst, key));

/* The database Lake Formation governs that a query grant reaches, or NULL. */
static const Database *governed_database(const Grant *g) {
  if (!g->verb || strcmp(g->verb->verb, "query") != 0 || !g->target)
    return NULL;
  const Database *db = ((const Crawler *)g->target)->database;
  return db && db->lake_formation ? db : NULL;
}

static void analyst_check(Ctx *ctx, Model *m, const Construct *self) {
  for (size_t i = 0; i < construct_count(m, self); i++) {
    Analyst *a = construct_item_mut(m, self, i);
    bool queries = false;
    for (size_t k = 0; k < a->grants.len; k++) {
      check_grant(ctx, m, &a->grants.items[k]);
      queries |= a->grants.items[k].node && node_get(a->grants.items[k].node, "query");
    }
    if (a->lake_formation > ACCESS_NONE && !queries)
      diag_error(ctx, check_pos(a->node, "lake_formation"), LK_ANALYST_LF,
                 "analyst '%s' has Lake Formation access but no query grant: no database to "
                 "grant it on",
                 a->key);
  }
}

/* The role trusts the account: its administrators say who may assume it. */
static const char *analyst_role(Ctx *ctx, Ir *ir, const Model *m, const Analyst *a) {
  json_t *statements = json_array();
  bool governed = false;
  for (size_t k = 0; k < a->grants.len; k++) {
    const Grant *g = &a->grants.items[k];
    g->verb->statements(ctx, ir, m, g, statements);
    governed |= governed_database(g) != NULL;
  }
  if (governed && a->lake_formation > ACCESS_NONE)
    json_array_append_new(statements, iam_lake_formation_access());
  const char *id = lid(ctx, a->key, "AnalystRole");
  IrResource *r = iam_role_for(
      ctx, ir, id, J("{s:o}", "AWS", cfn_sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")),
      statements);
  if (a->description)
    json_object_set_new(r->properties, "Description", json_string(a->description));
  return id;
}

static void analyst_lower(Ctx *ctx, Ir *ir, const Model *m, const void *item) {
  const Analyst *a = item;
  const char *role = analyst_role(ctx, ir, m, a);
  if (a->lake_formation == ACCESS_NONE)
    return;
  for (size_t k = 0; k < a->grants.len; k++) {
    const Database *db = governed_database(&a->grants.items[k]);
    const char *db_id = db ? lid(ctx, db->key, "Database") : NULL;
    const char *prefix = db ? lid(ctx, a->key, lid(ctx, db->key, "")) : NULL;
    if (!db || ir_find(ir, arena_printf(&ctx->arena, "%sDatabaseGrant", prefix)))
      continue;
    lake_formation_grant(ctx, ir, arena_printf(&ctx->arena, "%sDatabaseGrant", prefix), role,
                         lake_formation_database(db_id), J("[s]", "DESCRIBE"));
    lake_formation_grant(ctx, ir, arena_printf(&ctx->arena, "%sTablesGrant", prefix), role,
                         lake_formation_tables(db_id),
                         a->lake_formation == ACCESS_SELECT ? J("[s,s]", "SELECT", "DESCRIBE")
                                                            : J("[s]", "DESCRIBE"));
  }
}

static const TagRule ANALYST_TAGS[] = {{"AWS::IAM::Role", "Tags", TAGS_LIST}, {NULL, NULL, 0}};

const Construct construct_analyst = {
    .key = "analysts",
    .kind = "analyst",
    .doc = "IAM roles for people (analysts), with their grants and Lake Formation access, by key",
    .shape = &SHAPE_ANALYST,
    .check = analyst_check,
    .lower = analyst_lower,
    .tags = ANALYST_TAGS,
    .codes = ANALYST_CODES,
};
