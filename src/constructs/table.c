/* table: a DynamoDB table, either one the stage creates or one that exists
 * already and is only used.
 *
 * A table lakec creates has a partition key and an optional sort key, each an
 * attribute name with its type (string, number, binary); global secondary
 * indexes by name; on-demand (the default) or provisioned billing; the
 * AWS-owned key or the AWS-managed KMS key; an optional time-to-live
 * attribute and stream. Point-in-time recovery and deletion protection follow
 * the stage (on in production), and a production stage retains its tables.
 * Its AttributeDefinitions list each key attribute of the table and its
 * indexes once, so an attribute written with two types is refused.
 *
 * A table that exists is written `existing: NAME` (or `existing: {name,
 * indexes}`): lakec creates nothing for it and builds its ARN from the name;
 * every key that describes a table to create is refused beside it.
 *
 * Functions are granted `read_table: TABLE` (items, queries and scans, on the
 * table and exactly its known indexes) and `write_table: TABLE` (put, update,
 * delete); a handler finds the table's name in LAKEC_TABLE_<KEY>. */
#include "check_util.h"
#include "construct.h"
#include "lower/lower_internal.h"

#include <string.h>

extern const Construct construct_table;

/* The table's own diagnostics (lakec explain LK314). */
#define LK_TABLE_NAME "LK314"
#define LK_TABLE_BILLING "LK315"
#define LK_KEY_TYPE "LK316"
#define LK_TABLE_INDEXES "LK317"
#define LK_TABLE_EXISTING "LK318"
#define STAGE_HEAD "lakec: 1\nproject: shop\nstage: dev\ntables:\n"
#define READER "functions:\n  reader:\n    grants: [{read_table: conversations}]\n"
/* seven indexes on one line of a flow map: "ia1: {partition_key: k}, ..." */
#define GSI(p, n) "i" p n ": {partition_key: k}"
#define GSI7(p)                                                                          \
  "      " GSI(p, "1") ", " GSI(p, "2") ", " GSI(p, "3") ", " GSI(p, "4") ", " GSI(p, "5")   \
      ", " GSI(p, "6") ", " GSI(p, "7")

static const DiagCode TABLE_CODES[] = {
    {LK_TABLE_NAME, "invalid DynamoDB table, index or key attribute name",
     "DynamoDB table and index names are 3 to 255 characters long and use only letters,\n"
     "digits, '_', '-' and '.'. Key attribute names are 1 to 255 bytes long. A table's\n"
     "default name is PROJECT-STAGE-KEY, which must follow the rule too.",
     STAGE_HEAD "  orders:\n    name: orders/v1\n    partition_key: id\n",
     STAGE_HEAD "  orders:\n    name: orders.v1\n    partition_key: id\n"},
    {LK_TABLE_BILLING, "billing and capacities disagree",
     "A provisioned table needs both read_capacity and write_capacity (its indexes get\n"
     "the same); an on-demand table (the default) is billed per request and takes no\n"
     "capacity at all.",
     STAGE_HEAD "  orders:\n    partition_key: id\n    billing: provisioned\n    read_capacity: 5\n",
     STAGE_HEAD "  orders:\n    partition_key: id\n    billing: provisioned\n    read_capacity: 5\n"
                "    write_capacity: 5\n"},
    {LK_KEY_TYPE, "a key attribute with two types",
     "A table's AttributeDefinitions give each key attribute, of the table and of its\n"
     "indexes, one type. An attribute that is a key twice (the table's sort key and an\n"
     "index's partition key, say) must be written with the same type each time.",
     STAGE_HEAD "  orders:\n    partition_key: id\n    sort_key: {name: at, type: number}\n"
                "    indexes:\n      by-time: {partition_key: at}\n",
     STAGE_HEAD "  orders:\n    partition_key: id\n    sort_key: {name: at, type: number}\n"
                "    indexes:\n      by-time: {partition_key: {name: at, type: number}}\n"},
    {LK_TABLE_INDEXES, "more than 20 global secondary indexes",
     "DynamoDB gives a table at most 20 global secondary indexes (its default quota).\n"
     "Merge indexes that serve similar queries, or overload one index's keys.",
     STAGE_HEAD "  orders:\n    partition_key: id\n    indexes: {\n" GSI7("a") ",\n" GSI7("b")
                ",\n" GSI7("c") "}\n",
     STAGE_HEAD "  orders:\n    partition_key: id\n    indexes:\n      by-customer: "
                "{partition_key: customer}\n"},
    {LK_TABLE_EXISTING, "a table that exists, described as one to create",
     "`existing: NAME` says the table exists already: lakec creates nothing for it and\n"
     "cannot change its keys, billing, time to live, stream or stack. Write only\n"
     "`existing`, with the indexes the functions query (`existing: {name, indexes}`).",
     STAGE_HEAD "  conversations:\n    existing: shop-conversations\n    ttl_attribute: expires\n"
                READER,
     STAGE_HEAD "  conversations:\n    existing: {name: shop-conversations, indexes: [by-user]}\n"
                READER},
    {NULL, NULL, NULL, NULL, NULL},
};

static const char *const KEY_TYPES[] = {"string", "number", "binary", NULL};
static const char *const KEY_TYPE_CODES[] = {"S", "N", "B"};
static const char *const BILLINGS[] = {"on_demand", "provisioned", NULL};
static const char *const ENCRYPTIONS[] = {"aws_owned", "aws_managed", NULL};
static const char *const STREAMS[] = {"none", "new_image", "old_image", "new_and_old_images",
                                      "keys_only", NULL};
static const char *const STREAM_VIEWS[] = {NULL, "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES",
                                           "KEYS_ONLY"};
static const char *const PROJECTIONS[] = {"all", "keys_only", NULL};

enum { BILLING_ON_DEMAND, BILLING_PROVISIONED };
enum { PROJECT_ALL, PROJECT_KEYS_ONLY };

/* DynamoDB's default quota of global secondary indexes per table, and of
 * attributes projected into all of a table's indexes. */
#define INDEXES_MAX 20
#define PROJECTED_MAX 100

typedef struct KeyAttr {
  const Node *node;
  const char *name;
  int type; /* index into KEY_TYPES */
} KeyAttr;

typedef struct Index {
  const Node *node;
  const char *name;
  KeyAttr partition_key, sort_key;
  int projection;
  StrList include;
} Index;

typedef struct Existing {
  const Node *node;
  const char *name;
  StrList indexes;
} Existing;

typedef struct Table {
  MODEL_ITEM_HEADER;
  const char *name;
  KeyAttr partition_key, sort_key;
  int billing;
  long long read_capacity, write_capacity;
  int point_in_time_recovery, deletion_protection; /* tri-state until check */
  int encryption, stream;
  const char *ttl_attribute;
  LIST(Index) indexes;
  Existing existing;
} Table;

static const Field KEY_FIELDS[] = {
    {"name", F_STR, offsetof(KeyAttr, name), .required = true,
     .doc = "the attribute's name (1 to 255 bytes)"},
    {"type", F_ENUM, offsetof(KeyAttr, type), .values = KEY_TYPES, .def = "string",
     .doc = "string, number or binary (S, N, B)"},
};
static const Shape SHAPE_KEY =
    SHAPE(KeyAttr, "key attribute", KEY_FIELDS, .key_offset = NO_KEY, .shorthand = "name");

static const Field INDEX_FIELDS[] = {
    {"partition_key", F_STRUCT, offsetof(Index, partition_key), .shape = &SHAPE_KEY,
     .required = true, .doc = "the index's partition key: an attribute name (a string), or "
                              "{name, type}"},
    {"sort_key", F_STRUCT, offsetof(Index, sort_key), .shape = &SHAPE_KEY,
     .doc = "the index's sort key, written as partition_key is"},
    {"projection", F_ENUM, offsetof(Index, projection), .values = PROJECTIONS, .def = "all",
     .doc = "the attributes the index holds: all, or keys_only (the table's and the index's "
            "keys)"},
    {"include", F_STRLIST, offsetof(Index, include),
     .doc = "the keys and these attributes (INCLUDE); not with projection"},
};
static const Shape SHAPE_INDEX =
    SHAPE(Index, "index", INDEX_FIELDS, .key_offset = offsetof(Index, name));

static const Field EXISTING_FIELDS[] = {
    {"name", F_STR, offsetof(Existing, name), .required = true,
     .doc = "the name of the table, which exists already"},
    {"indexes", F_STRLIST, offsetof(Existing, indexes),
     .doc = "the names of its indexes that read_table grants may query"},
};
static const Shape SHAPE_EXISTING = SHAPE(Existing, "existing table", EXISTING_FIELDS,
                                          .key_offset = NO_KEY, .shorthand = "name");

static const Field TABLE_FIELDS[] = {
    {"existing", F_STRUCT, offsetof(Table, existing), .shape = &SHAPE_EXISTING,
     .doc = "the table exists already (its name, or {name, indexes}): lakec creates nothing "
            "and takes no other key"},
    {"name", F_STR, offsetof(Table, name), .def = "PROJECT-STAGE-KEY", .computed = true,
     .doc = "the table's name (3 to 255 letters, digits, '_', '-', '.')"},
    {"partition_key", F_STRUCT, offsetof(Table, partition_key), .shape = &SHAPE_KEY,
     .doc = "required: the partition (hash) key, an attribute name (a string), or {name, type}"},
    {"sort_key", F_STRUCT, offsetof(Table, sort_key), .shape = &SHAPE_KEY,
     .doc = "the sort (range) key, written as partition_key is"},
    {"billing", F_ENUM, offsetof(Table, billing), .values = BILLINGS, .def = "on_demand",
     .doc = "on_demand (PAY_PER_REQUEST) or provisioned (read_capacity and write_capacity)"},
    {"read_capacity", F_INT, offsetof(Table, read_capacity), .min = 1, .max = 40000,
     .doc = "provisioned read capacity units, of the table and of each index"},
    {"write_capacity", F_INT, offsetof(Table, write_capacity), .min = 1, .max = 40000,
     .doc = "provisioned write capacity units, of the table and of each index"},
    {"point_in_time_recovery", F_BOOL, offsetof(Table, point_in_time_recovery),
     .def = "production", .computed = true,
     .doc = "continuous backups: restore to any second of the last 35 days"},
    {"deletion_protection", F_BOOL, offsetof(Table, deletion_protection), .def = "production",
     .computed = true, .doc = "DynamoDB refuses to delete the table while it is on"},
    {"encryption", F_ENUM, offsetof(Table, encryption), .values = ENCRYPTIONS,
     .def = "aws_owned",
     .doc = "aws_owned (DynamoDB's own key) or aws_managed (the KMS key alias/aws/dynamodb)"},
    {"ttl_attribute", F_STR, offsetof(Table, ttl_attribute),
     .doc = "the attribute holding an item's expiry (epoch seconds): time to live"},
    {"stream", F_ENUM, offsetof(Table, stream), .values = STREAMS, .def = "none",
     .doc = "a DynamoDB stream of the changes: none, new_image, old_image, new_and_old_images "
            "or keys_only"},
    {"indexes", F_MAP_OF, offsetof(Table, indexes), .shape = &SHAPE_INDEX,
     .doc = "global secondary indexes, by name (at most 20)"},
    ITEM_FIELDS(Table),
};
static const Shape SHAPE_TABLE =
    SHAPE(Table, "table", TABLE_FIELDS, .key_offset = offsetof(Table, key));

static bool is_existing(const Table *t) { return t->existing.node != NULL; }

/* ---- check ---- */

/* Tables and indexes: 3 to 255 of a-z A-Z 0-9 _ - . */
static const char *table_name_rule(const char *name) {
  size_t n = strlen(name);
  if (n < 3 || n > 255)
    return "DynamoDB names are 3 to 255 characters long";
  for (const char *p = name; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
          *p == '_' || *p == '-' || *p == '.'))
      return "DynamoDB names use only letters, digits, '_', '-' and '.'";
  return NULL;
}

static const char *attribute_name_rule(const char *name) {
  size_t n = strlen(name);
  return n < 1 || n > 255 ? "key attribute names are 1 to 255 bytes long" : NULL;
}

/* The keys a table that exists may not have: all but `existing`. */
static void check_existing(Ctx *ctx, const Table *t) {
  const Node *v = node_get(t->node, "existing");
  bool flag;
  if (v && v->kind == NODE_SCALAR && !v->quoted && node_scalar_bool(v, &flag)) {
    /* `existing: true` beside `name`: the name goes in its place */
    const Node *name = node_get(t->node, "name");
    Diag *d = diag_error(ctx, v->pos, LK_WRONG_TYPE,
                         "'existing' is the table's name ('existing: NAME'), not %s", v->str);
    if (name && name->kind == NODE_SCALAR)
      diag_fixit(ctx, d, name->str);
    return;
  }
  check_name(ctx, t->existing.node, "name", t->existing.name, table_name_rule, LK_TABLE_NAME,
             "table name");
  StrIndex seen = {0};
  const Node *list = node_get(t->existing.node, "indexes");
  for (size_t i = 0; i < t->existing.indexes.len; i++) {
    const char *idx = t->existing.indexes.items[i];
    Pos at = list && list->kind == NODE_SEQ && i < list->count ? list->items[i]->pos
                                                                : check_pos(t->existing.node,
                                                                            "indexes");
    const char *why = table_name_rule(idx);
    if (why)
      diag_error(ctx, at, LK_TABLE_NAME, "index name '%s' is invalid: %s", idx, why);
    else if (strindex_get(&seen, idx))
      diag_error(ctx, at, LK_DUPLICATE, "index '%s' of table '%s' is listed twice", idx, t->key);
    else
      strindex_put(ctx, &seen, idx, (void *)idx);
  }
  for (size_t i = 0; i < t->node->count; i++) {
    const Node *k = t->node->pairs[i].key;
    if (strcmp(k->str, "existing") != 0)
      diag_error(ctx, k->pos, LK_TABLE_EXISTING,
                 "'%s' describes a table lakec creates, but table '%s' exists already "
                 "('existing'): remove it",
                 k->str, t->key);
  }
}

/* Each key attribute has one type across the table and its indexes. */
static void check_key_type(Ctx *ctx, const Table *t, StrIndex *types, const KeyAttr *k) {
  if (!k->node || !k->name || k->type < 0)
    return;
  check_name(ctx, k->node, "name", k->name, attribute_name_rule, LK_TABLE_NAME,
             "key attribute name");
  const KeyAttr *o = strindex_get(types, k->name);
  if (!o) {
    strindex_put(ctx, types, k->name, (void *)k);
    return;
  }
  if (o->type == k->type)
    return;
  Pos at = node_get(k->node, "type") ? check_pos(k->node, "type") : k->node->pos;
  Diag *d = diag_error(ctx, at, LK_KEY_TYPE,
                       "key attribute '%s' of table '%s' is a %s here but a %s before: an "
                       "attribute has one type",
                       k->name, t->key, KEY_TYPES[k->type], KEY_TYPES[o->type]);
  diag_note(ctx, d, o->node->pos, "'%s' is a %s here", o->name, KEY_TYPES[o->type]);
}

static void check_key_pair(Ctx *ctx, const KeyAttr *pk, const KeyAttr *sk, const char *what) {
  if (pk->name && sk->node && sk->name && !strcmp(pk->name, sk->name))
    diag_error(ctx, sk->node->pos, LK_CONFLICT,
               "the sort key of %s is its partition key '%s' too: choose another attribute", what,
               sk->name);
}

/* Where an index's name is written: its key in `indexes`. */
static Pos index_pos(const Table *t, const Index *x) {
  const NodePair *p = node_get_pair(node_get(t->node, "indexes"), x->name);
  return p ? p->key->pos : x->node->pos;
}

static void check_indexes(Ctx *ctx, const Table *t, StrIndex *types) {
  if (t->indexes.len > INDEXES_MAX)
    diag_error(ctx, index_pos(t, &t->indexes.items[INDEXES_MAX]), LK_TABLE_INDEXES,
               "table '%s' has %zu global secondary indexes; DynamoDB allows %d", t->key,
               t->indexes.len, INDEXES_MAX);
  size_t projected = 0;
  for (size_t i = 0; i < t->indexes.len; i++) {
    const Index *x = &t->indexes.items[i];
    const char *why = table_name_rule(x->name);
    if (why)
      diag_error(ctx, index_pos(t, x), LK_TABLE_NAME, "index name '%s' is invalid: %s", x->name,
                 why);
    check_key_type(ctx, t, types, &x->partition_key);
    check_key_type(ctx, t, types, &x->sort_key);
    check_key_pair(ctx, &x->partition_key, &x->sort_key,
                   arena_printf(&ctx->arena, "index '%s'", x->name));
    if (node_get(x->node, "include") && node_get(x->node, "projection"))
      diag_error(ctx, check_pos(x->node, "include"), LK_CONFLICT,
                 "index '%s' projects the attributes 'include' lists: remove 'projection'",
                 x->name);
    projected += x->include.len;
  }
  if (projected > PROJECTED_MAX)
    diag_error(ctx, check_pos(t->node, "indexes"), LK_OUT_OF_RANGE,
               "the indexes of table '%s' include %zu attributes; DynamoDB allows %d in all",
               t->key, projected, PROJECTED_MAX);
}

static void check_billing(Ctx *ctx, const Table *t) {
  if (t->billing == BILLING_PROVISIONED) {
    if (!t->read_capacity || !t->write_capacity)
      diag_error(ctx, check_pos(t->node, "billing"), LK_TABLE_BILLING,
                 "provisioned table '%s' needs 'read_capacity' and 'write_capacity'", t->key);
    return;
  }
  const char *keys[] = {"read_capacity", "write_capacity"};
  for (size_t i = 0; i < COUNT(keys); i++)
    if (node_get(t->node, keys[i]))
      diag_error(ctx, check_pos(t->node, keys[i]), LK_TABLE_BILLING,
                 "table '%s' is billed on demand: '%s' needs 'billing: provisioned'", t->key,
                 keys[i]);
}

static void check_created(Ctx *ctx, const Model *m, Table *t) {
  if (!t->name)
    t->name = check_default_name(ctx, m, t->key);
  check_name(ctx, t->node, "name", t->name, table_name_rule, LK_TABLE_NAME, "table name");
  if (t->point_in_time_recovery == TRI_UNSET)
    t->point_in_time_recovery = m->production;
  if (t->deletion_protection == TRI_UNSET)
    t->deletion_protection = m->production;
  if (!t->partition_key.node && !t->node->unresolved)
    diag_error(ctx, t->node->pos, LK_MISSING_KEY,
               "missing required key 'partition_key' in table '%s' (or 'existing: NAME' for a "
               "table that exists)",
               t->key);
  StrIndex types = {0};
  check_key_type(ctx, t, &types, &t->partition_key);
  check_key_type(ctx, t, &types, &t->sort_key);
  check_key_pair(ctx, &t->partition_key, &t->sort_key,
                 arena_printf(&ctx->arena, "table '%s'", t->key));
  check_indexes(ctx, t, &types);
  check_billing(ctx, t);
}

/* The map that holds the table's name, for check_unique_name's positions. */
static const Item *named_at(Ctx *ctx, const Table *t) {
  if (!is_existing(t))
    return (const Item *)t;
  Item *it = arena_alloc(&ctx->arena, sizeof *it);
  *it = (Item){.node = t->existing.node, .key = t->key, .stack = t->stack};
  return it;
}

static void table_check(Ctx *ctx, Model *m, const Construct *self) {
  StrIndex names = {0};
  for (size_t i = 0; i < construct_count(m, self); i++) {
    Table *t = construct_item_mut(m, self, i);
    if (is_existing(t)) {
      t->name = t->existing.name;
      check_existing(ctx, t);
    } else {
      check_created(ctx, m, t);
    }
    check_unique_name(ctx, &names, self, named_at(ctx, t), t->name);
  }
}

/* ---- references: "name" (Ref), "arn" ---- */

static bool table_ref(Ctx *ctx, const void *item, const char *what, RefSpec *out) {
  const Table *t = item;
  /* a table that exists has no resource here: its values are literals only */
  out->id = is_existing(t) ? NULL : lid(ctx, t->key, "Table");
  if (!strcmp(what, "name")) {
    out->literal = json_string(t->name);
    return true;
  }
  if (!strcmp(what, "arn")) {
    out->attr = out->id ? "Arn" : NULL;
    out->literal =
        cfn_subf("arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/%s",
                 t->name);
    return true;
  }
  return false;
}

/* ---- lower ---- */

static json_t *key_schema(const KeyAttr *pk, const KeyAttr *sk) {
  json_t *s = J("[{s:s, s:s}]", "AttributeName", pk->name, "KeyType", "HASH");
  if (sk->node)
    json_array_append_new(s, J("{s:s, s:s}", "AttributeName", sk->name, "KeyType", "RANGE"));
  return s;
}

/* Each key attribute once, in the order first written. */
static void add_definition(json_t *defs, const KeyAttr *k) {
  if (!k->node)
    return;
  size_t i;
  json_t *d;
  json_array_foreach(defs, i, d) {
    if (!strcmp(json_string_value(json_object_get(d, "AttributeName")), k->name))
      return;
  }
  json_array_append_new(defs, J("{s:s, s:s}", "AttributeName", k->name, "AttributeType",
                                KEY_TYPE_CODES[k->type]));
}

static json_t *throughput(const Table *t) {
  return J("{s:I, s:I}", "ReadCapacityUnits", (json_int_t)t->read_capacity,
           "WriteCapacityUnits", (json_int_t)t->write_capacity);
}

static json_t *projection(const Index *x) {
  if (x->include.len) {
    json_t *attrs = json_array();
    for (size_t i = 0; i < x->include.len; i++)
      json_array_append_new(attrs, json_string(x->include.items[i]));
    return J("{s:s, s:o}", "ProjectionType", "INCLUDE", "NonKeyAttributes", attrs);
  }
  return J("{s:s}", "ProjectionType", x->projection == PROJECT_KEYS_ONLY ? "KEYS_ONLY" : "ALL");
}

static json_t *global_indexes(const Table *t, json_t *defs) {
  json_t *out = json_array();
  for (size_t i = 0; i < t->indexes.len; i++) {
    const Index *x = &t->indexes.items[i];
    add_definition(defs, &x->partition_key);
    add_definition(defs, &x->sort_key);
    json_t *gsi = J("{s:s, s:o, s:o}", "IndexName", x->name, "KeySchema",
                    key_schema(&x->partition_key, &x->sort_key), "Projection", projection(x));
    if (t->billing == BILLING_PROVISIONED)
      json_object_set_new(gsi, "ProvisionedThroughput", throughput(t));
    json_array_append_new(out, gsi);
  }
  return out;
}

static json_t *table_properties(const Table *t) {
  json_t *defs = json_array();
  add_definition(defs, &t->partition_key);
  add_definition(defs, &t->sort_key);
  json_t *p = J("{s:s, s:o, s:o}", "TableName", t->name, "AttributeDefinitions", defs,
                "KeySchema", key_schema(&t->partition_key, &t->sort_key));
  if (t->indexes.len) /* which add their keys to defs */
    json_object_set_new(p, "GlobalSecondaryIndexes", global_indexes(t, defs));
  if (t->billing == BILLING_PROVISIONED) {
    json_object_set_new(p, "BillingMode", json_string("PROVISIONED"));
    json_object_set_new(p, "ProvisionedThroughput", throughput(t));
  } else {
    json_object_set_new(p, "BillingMode", json_string("PAY_PER_REQUEST"));
  }
  json_object_set_new(p, "PointInTimeRecoverySpecification",
                      J("{s:b}", "PointInTimeRecoveryEnabled", t->point_in_time_recovery == 1));
  json_object_set_new(p, "DeletionProtectionEnabled", json_boolean(t->deletion_protection == 1));
  /* without SSESpecification DynamoDB encrypts with its own key; SSEEnabled
   * means the AWS-managed key alias/aws/dynamodb */
  if (t->encryption == 1)
    json_object_set_new(p, "SSESpecification", J("{s:b, s:s}", "SSEEnabled", 1, "SSEType", "KMS"));
  if (t->ttl_attribute)
    json_object_set_new(p, "TimeToLiveSpecification",
                        J("{s:s, s:b}", "AttributeName", t->ttl_attribute, "Enabled", 1));
  if (t->stream > 0)
    json_object_set_new(p, "StreamSpecification",
                        J("{s:s}", "StreamViewType", STREAM_VIEWS[t->stream]));
  return p;
}

static bool has_indexes(const Table *t) { return !is_existing(t) && t->indexes.len > 0; }

/* CloudFormation advises creating tables with indexes one after the other
 * (DynamoDB limits how many of them may be creating at once): each depends
 * on the one before it in its stack. */
static const Table *previous_indexed(const Model *m, const Table *t) {
  const Table *before = NULL;
  for (size_t i = 0; i < construct_count(m, &construct_table); i++) {
    const Table *o = construct_item(m, &construct_table, i);
    if (o == t)
      return before;
    if (has_indexes(o) && model_stack(m, o->stack) == model_stack(m, t->stack))
      before = o;
  }
  return before;
}

/* Items are data: a production stage keeps its tables when the stack goes. */
static void table_lower(Ctx *ctx, Ir *ir, const Model *m, const void *item) {
  const Table *t = item;
  if (is_existing(t))
    return; /* nothing to create: its grants name it */
  IrResource *r = ir_add(ctx, ir, lid(ctx, t->key, "Table"), "AWS::DynamoDB::Table",
                         table_properties(t));
  ir_set_policy(r, m->production ? "Retain" : "Delete");
  if (t->point_in_time_recovery != 1)
    ir_suppress(r, "AwsSolutions-DDB3",
                m->production ? "The stage file turns point-in-time recovery off for this table "
                                "(point_in_time_recovery: false)."
                              : "Point-in-time recovery is on by default in production stages "
                                "only; this stage's table does without it.",
                NULL);
  const Table *before = has_indexes(t) ? previous_indexed(m, t) : NULL;
  if (before)
    ir_depends_on(ctx, r, lid(ctx, before->key, "Table"));
}

/* ---- grants: read_table, write_table ---- */

static bool resolve_table(Ctx *ctx, const Model *m, Grant *g, Pos at) {
  g->target = construct_resolve(ctx, m, &construct_table, g->text, at);
  return g->target != NULL;
}

/* The table's ARN and those of exactly the indexes lakec knows of. */
static json_t *table_and_index_arns(Ctx *ctx, Ir *ir, const Table *t) {
  json_t *table = construct_ref(ctx, ir, &construct_table, t, "arn");
  size_t n = is_existing(t) ? t->existing.indexes.len : t->indexes.len;
  if (!n)
    return table;
  json_t *arns = J("[o]", table);
  const char *arn = construct_sub(ctx, ir, &construct_table, t, "arn");
  for (size_t i = 0; i < n; i++)
    json_array_append_new(arns, cfn_subf("%s/index/%s", arn,
                                         is_existing(t) ? t->existing.indexes.items[i]
                                                        : t->indexes.items[i].name));
  return arns;
}

static void read_statements(Ctx *ctx, Ir *ir, const Model *m, const Grant *g, json_t *out) {
  (void)m;
  json_array_append_new(out, iam_statement(iam_sid(ctx, "ReadTable", g->text),
                                           J("[s,s,s,s,s,s]", "dynamodb:GetItem",
                                             "dynamodb:BatchGetItem", "dynamodb:Query",
                                             "dynamodb:Scan", "dynamodb:DescribeTable",
                                             "dynamodb:ConditionCheckItem"),
                                           table_and_index_arns(ctx, ir, g->target)));
}

static void write_statements(Ctx *ctx, Ir *ir, const Model *m, const Grant *g, json_t *out) {
  (void)m;
  json_array_append_new(out, iam_statement(iam_sid(ctx, "WriteTable", g->text),
                                           J("[s,s,s,s,s]", "dynamodb:PutItem",
                                             "dynamodb:UpdateItem", "dynamodb:DeleteItem",
                                             "dynamodb:BatchWriteItem", "dynamodb:DescribeTable"),
                                           construct_ref(ctx, ir, &construct_table, g->target,
                                                         "arn")));
}

static void table_environment(Ctx *ctx, Ir *ir, const Model *m, const Grant *g, json_t *vars) {
  (void)m;
  const Table *t = g->target;
  json_object_set_new(vars, env_name(ctx, "LAKEC_TABLE_", t->key, ""),
                      construct_ref(ctx, ir, &construct_table, t, "name"));
}

static const GrantVerb VERB_READ_TABLE = {
    "read_table", "TABLE: get, query and scan its items (and its indexes')", resolve_table,
    read_statements, table_environment, NULL};
static const GrantVerb VERB_WRITE_TABLE = {
    "write_table", "TABLE: put, update and delete its items", resolve_table, write_statements,
    table_environment, NULL};
static const GrantVerb *const TABLE_VERBS[] = {&VERB_READ_TABLE, &VERB_WRITE_TABLE, NULL};

/* ---- names and tags ---- */

static void table_claims(Ctx *ctx, const Model *m, const void *item, PtrVec *claims) {
  (void)m;
  const Table *t = item;
  if (!is_existing(t)) /* using a table is no claim to it */
    construct_claim(ctx, claims, "DynamoDB table", t->name, t->node, "name", false);
}

static const TagRule TABLE_TAGS[] = {{"AWS::DynamoDB::Table", "Tags", TAGS_LIST},
                                     {NULL, NULL, 0}};

const Construct construct_table = {
    .key = "tables",
    .kind = "table",
    .doc = "DynamoDB tables, created or existing, by key",
    .shape = &SHAPE_TABLE,
    .check = table_check,
    .lower = table_lower,
    .ref = table_ref,
    .verbs = TABLE_VERBS,
    .claim_names = table_claims,
    .tags = TABLE_TAGS,
    .codes = TABLE_CODES,
};
