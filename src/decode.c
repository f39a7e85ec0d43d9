/* decode: one function per FieldType, all driven by the tables in schema.c.
 * Model structs are written through memcpy at the table's offsets, which keeps
 * the code free of per-construct cases and of aliasing tricks. */
#include "decode.h"
#include "ctx.h"
#include "model.h"
#include "schema.h"
#include "suggest.h"

#include <limits.h>
#include <string.h>


static void put(void *dst, size_t offset, const void *value, size_t size) {
  memcpy((char *)dst + offset, value, size);
}

static void put_list(void *dst, size_t offset, void *items, size_t len) {
  AnyList l = {items, len};
  put(dst, offset, &l, sizeof l);
}

Pos decode_value_pos(const Node *map, const char *key) {
  const Node *v = node_get(map, key);
  return v ? v->pos : map ? map->pos : (Pos){0};
}

static bool expect_scalar(Ctx *ctx, const Field *f, const Node *n, const char *what) {
  if (n->kind == NODE_SCALAR && !node_is_null(n))
    return true;
  Diag *d = diag_error(ctx, n->pos, LK_WRONG_TYPE, "'%s' must be %s, not %s", f->key, what,
                       node_intrinsic(n) ? arena_printf(&ctx->arena, "CloudFormation's %s", node_intrinsic(n))
                                    : node_describe(n));
  if (node_intrinsic(n))
    diag_note(ctx, d, (Pos){0}, "intrinsic functions belong to raw CloudFormation (resources:, "
                                "outputs:); lakec's keys name items by key, or by "
                                "${KEY.ITEM.ATTR} where a key takes references");
  return false;
}

/* "'memory' must be a whole number, not 'lots'"; when only the quotes are in
 * the way, "..., not the string '512' (drop the quotes)". */
static void report_wrong_scalar(Ctx *ctx, const Field *f, const Node *n, const char *what,
                                bool only_quotes) {
  diag_error(ctx, n->pos, LK_WRONG_TYPE, "'%s' must be %s, not %s'%s'%s", f->key, what,
             only_quotes ? "the string " : "", n->str, only_quotes ? " (drop the quotes)" : "");
}

/* "512MB", "30 s", "7days": a number with a unit the key already implies
 * (its documentation says which). Reported with the number alone as the fix. */
static bool report_number_with_unit(Ctx *ctx, const Field *f, const Node *n) {
  const char *p = n->str;
  size_t digits = strspn(p, "0123456789");
  const char *unit = p + digits + strspn(p + digits, " ");
  static const char LETTERS[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  if (!digits || digits > 18 || !*unit || strspn(unit, LETTERS) != strlen(unit))
    return false;
  char number[20];
  snprintf(number, sizeof number, "%.*s", (int)digits, p);
  Diag *d = diag_error(ctx, n->pos, LK_WRONG_TYPE,
                       "'%s' must be a whole number, not '%s' (the unit is the key's: %s); "
                       "write %s",
                       f->key, n->str, f->doc ? f->doc : "see its documentation", number);
  if (!n->quoted)
    diag_fixit(ctx, d, number);
  return true;
}

static bool decode_int(Ctx *ctx, const Field *f, const Node *n, void *dst) {
  long long v;
  if (!expect_scalar(ctx, f, n, "a whole number"))
    return false;
  if (!node_scalar_int(n, &v)) {
    Node plain = *n;
    plain.quoted = false;
    if (!report_number_with_unit(ctx, f, n))
      report_wrong_scalar(ctx, f, n, "a whole number", n->quoted && node_scalar_int(&plain, &v));
    return false;
  }
  if (v < f->min || v > f->max) {
    if (f->max == LLONG_MAX)
      diag_error(ctx, n->pos, LK_OUT_OF_RANGE, "'%s' is %lld, but must be at least %lld", f->key,
                 v, f->min);
    else
      diag_error(ctx, n->pos, LK_OUT_OF_RANGE, "'%s' is %lld, outside the range %lld..%lld",
                 f->key, v, f->min, f->max);
    return false;
  }
  put(dst, f->offset, &v, sizeof v);
  return true;
}

static bool decode_bool(Ctx *ctx, const Field *f, const Node *n, void *dst) {
  bool b;
  if (!expect_scalar(ctx, f, n, "true or false"))
    return false;
  if (!node_scalar_bool(n, &b)) {
    Node plain = *n;
    plain.quoted = false;
    report_wrong_scalar(ctx, f, n, "true or false", n->quoted && node_scalar_bool(&plain, &b));
    return false;
  }
  int v = b;
  put(dst, f->offset, &v, sizeof v);
  return true;
}

/* "a, b, c" into buf (truncated to fit). */
static void join_words(char *buf, size_t size, const char *const *words, size_t n) {
  buf[0] = '\0';
  for (size_t i = 0; i < n; i++) {
    strncat(buf, i ? ", " : "", size - strlen(buf) - 1);
    strncat(buf, words[i], size - strlen(buf) - 1);
  }
}

static size_t field_names(const Shape *sh, const char **out, size_t max) {
  size_t n = sh->nfields < max ? sh->nfields : max;
  for (size_t i = 0; i < n; i++)
    out[i] = sh->fields[i].key;
  return n;
}

static size_t count_values(const char *const *values) {
  size_t n = 0;
  while (values[n])
    n++;
  return n;
}

static bool decode_enum(Ctx *ctx, const Field *f, const Node *n, void *dst) {
  if (!expect_scalar(ctx, f, n, "a string"))
    return false;
  size_t count = count_values(f->values);
  for (size_t i = 0; i < count; i++)
    if (!strcmp(n->str, f->values[i])) {
      int v = (int)i;
      put(dst, f->offset, &v, sizeof v);
      return true;
    }
  char allowed[256];
  join_words(allowed, sizeof allowed, f->values, count);
  Diag *d = diag_error(ctx, n->pos, LK_BAD_ENUM, "'%s' must be one of %s, not '%s'", f->key,
                       allowed, n->str);
  const char *best = suggest_closest(n->str, f->values, count);
  if (best)
    diag_fixit(ctx, d, best);
  return false;
}

static bool decode_strmap(Ctx *ctx, const Field *f, const Node *n, void *dst) {
  if (n->kind != NODE_MAP) {
    diag_error(ctx, n->pos, LK_WRONG_TYPE, "'%s' must be a map of names to values, not %s",
               f->key, node_describe(n));
    return false;
  }
  StrPair *items = arena_alloc(&ctx->arena, (n->count ? n->count : 1) * sizeof *items);
  size_t len = 0;
  for (size_t i = 0; i < n->count; i++) {
    const Node *v = n->pairs[i].value;
    if (v->kind != NODE_SCALAR) {
      diag_error(ctx, v->pos, LK_WRONG_TYPE, "'%s' in '%s' must be a plain value, not %s",
                 n->pairs[i].key->str, f->key, node_describe(v));
      continue;
    }
    items[len++] = (StrPair){n->pairs[i].key->str, v->str, n->pairs[i].key, v};
  }
  put_list(dst, f->offset, items, len);
  return true;
}

static bool decode_strlist(Ctx *ctx, const Field *f, const Node *n, void *dst) {
  if (n->kind != NODE_SEQ) {
    diag_error(ctx, n->pos, LK_WRONG_TYPE, "'%s' must be a list, not %s", f->key,
               node_describe(n));
    return false;
  }
  const char **items = arena_alloc(&ctx->arena, (n->count ? n->count : 1) * sizeof *items);
  size_t len = 0;
  for (size_t i = 0; i < n->count; i++) {
    const Node *v = n->items[i];
    if (v->kind != NODE_SCALAR || node_is_null(v)) {
      diag_error(ctx, v->pos, LK_WRONG_TYPE, "items of '%s' must be strings, not %s", f->key,
                 node_describe(v));
      continue;
    }
    items[len++] = v->str;
  }
  put_list(dst, f->offset, items, len);
  return true;
}

/* An item that is not a map was reported and has no settings at all: it is
 * left out of the list, so later checks only ever see complete items. */
static bool keep_item(const Shape *sh, void *item) {
  const Node *node;
  memcpy(&node, (char *)item + sh->node_offset, sizeof node);
  if (node)
    return true;
  memset(item, 0, sh->size);
  return false;
}

static bool decode_map_of(Ctx *ctx, const Field *f, const Node *n, void *dst) {
  const Shape *sh = f->shape;
  if (n->kind != NODE_MAP) {
    diag_error(ctx, n->pos, LK_WRONG_TYPE, "'%s' must be a map of %s names to settings, not %s",
               f->key, sh->name, node_describe(n));
    return false;
  }
  char *items = arena_alloc(&ctx->arena, (n->count ? n->count : 1) * sh->size);
  size_t kept = 0;
  for (size_t i = 0; i < n->count; i++) {
    void *item = items + kept * sh->size;
    const char *key = n->pairs[i].key->str;
    put(item, sh->key_offset, &key, sizeof key);
    const char *where = arena_printf(&ctx->arena, "%s '%s'", sh->name, key);
    decode_struct(ctx, sh, n->pairs[i].value, item, where);
    kept += keep_item(sh, item);
  }
  put_list(dst, f->offset, items, kept);
  return true;
}

static bool decode_list_of(Ctx *ctx, const Field *f, const Node *n, void *dst) {
  const Shape *sh = f->shape;
  if (n->kind != NODE_SEQ) {
    diag_error(ctx, n->pos, LK_WRONG_TYPE, "'%s' must be a list of %ss, not %s", f->key,
               sh->name, node_describe(n));
    return false;
  }
  char *items = arena_alloc(&ctx->arena, (n->count ? n->count : 1) * sh->size);
  size_t kept = 0;
  for (size_t i = 0; i < n->count; i++) {
    decode_struct(ctx, sh, n->items[i], items + kept * sh->size, sh->name);
    kept += keep_item(sh, items + kept * sh->size);
  }
  put_list(dst, f->offset, items, kept);
  return true;
}

/* False when the value was refused (and reported): the field keeps its default. */
static bool decode_field(Ctx *ctx, const Field *f, const Node *n, void *dst,
                         const char *where) {
  switch (f->type) {
  case F_STR:
    if (!expect_scalar(ctx, f, n, "a string"))
      return false;
    put(dst, f->offset, &n->str, sizeof n->str);
    return true;
  case F_INT:
    return decode_int(ctx, f, n, dst);
  case F_BOOL:
    return decode_bool(ctx, f, n, dst);
  case F_ENUM:
    return decode_enum(ctx, f, n, dst);
  case F_STRMAP:
    return decode_strmap(ctx, f, n, dst);
  case F_STRLIST:
    return decode_strlist(ctx, f, n, dst);
  case F_STRUCT:
    decode_struct(ctx, f->shape, n, (char *)dst + f->offset,
                  arena_printf(&ctx->arena, "'%s' of %s", f->key, where));
    return true;
  case F_MAP_OF:
    return decode_map_of(ctx, f, n, dst);
  case F_LIST_OF:
    return decode_list_of(ctx, f, n, dst);
  case F_NODE:
    put(dst, f->offset, &n, sizeof n);
    return true;
  }
  BUG("unknown field type %d", (int)f->type);
}

/* Absent optional fields: apply a literal default, or mark tri-states unset. */
static void apply_default(Ctx *ctx, const Field *f, void *dst) {
  if (f->type == F_BOOL || f->type == F_ENUM) {
    int v = TRI_UNSET;
    if (f->def && !f->computed) {
      if (f->type == F_BOOL)
        v = !strcmp(f->def, "true");
      else
        for (int i = 0; f->values[i]; i++)
          if (!strcmp(f->values[i], f->def))
            v = i;
    }
    put(dst, f->offset, &v, sizeof v);
  } else if (f->type == F_INT && f->def && !f->computed) {
    long long v = 0;
    for (const char *p = f->def; *p >= '0' && *p <= '9'; p++)
      v = v * 10 + (*p - '0');
    put(dst, f->offset, &v, sizeof v);
  } else if (f->type == F_STR && f->def && !f->computed) {
    const char *s = f->def;
    put(dst, f->offset, &s, sizeof s);
  } else if (f->type == F_STRLIST && f->def && !f->computed) {
    /* the only list default is ["*"] (CORS origins) */
    const char **one = arena_alloc(&ctx->arena, sizeof *one);
    one[0] = "*";
    put_list(dst, f->offset, (void *)one, 1);
  }
}

static const Field *find_field(const Shape *sh, const char *key) {
  for (size_t i = 0; i < sh->nfields; i++)
    if (!strcmp(sh->fields[i].key, key))
      return &sh->fields[i];
  return NULL;
}

/* Top-level keys people bring from other tools (CloudFormation, SAM, CDK,
 * Serverless): the stage key that makes the thing, or NULL when lakec does
 * not make it yet. */
static const struct {
  const char *key, *ours, *what;
} OTHER_TOOLS_KEYS[] = {
    {"lambda", "functions", NULL},          {"lambdas", "functions", NULL},
    {"s3", "buckets", NULL},                {"sqs", "queues", NULL},
    {"sns", "topics", NULL},                {"dynamodb", "tables", NULL},
    {"glue", "jobs", NULL},                 {"glue_jobs", "jobs", NULL},
    {"glue_tables", "catalog_tables", NULL}, {"catalog", "catalog_tables", NULL},
    {"stepfunctions", "state_machines", NULL}, {"step_functions", "state_machines", NULL},
    {"athena", "workgroups", NULL},         {"apigateway", "apis", NULL},
    {"cloudwatch", "alarms", NULL},         {"resources", NULL, "raw CloudFormation resources"},
    {"outputs", NULL, "raw CloudFormation outputs"}, {"vpcs", NULL, "VPCs"},
    {"vpc", NULL, "VPCs"},                  {"security_groups", NULL, "security groups"},
    {"msk", "kafka", NULL},
    {"websockets", NULL, "WebSocket APIs"}, {"kinesis", NULL, "Kinesis streams"},
    {"firehose", NULL, "Firehose streams"}, {"rds", NULL, "RDS databases"},
};

/* "unknown key 'sqs' in the stage": the stage key that makes queues, or that
 * lakec does not make them yet (not a typo fix that would mislead). */
static bool report_other_tools_key(Ctx *ctx, const Node *key) {
  for (size_t i = 0; i < sizeof OTHER_TOOLS_KEYS / sizeof *OTHER_TOOLS_KEYS; i++) {
    if (strcmp(key->str, OTHER_TOOLS_KEYS[i].key) != 0)
      continue;
    if (OTHER_TOOLS_KEYS[i].ours) {
      Diag *d = diag_error(ctx, key->pos, LK_UNKNOWN_KEY,
                           "unknown key '%s' in the stage: lakec's key for these is '%s'",
                           key->str, OTHER_TOOLS_KEYS[i].ours);
      diag_fixit(ctx, d, OTHER_TOOLS_KEYS[i].ours);
    } else {
      diag_error(ctx, key->pos, LK_UNKNOWN_KEY,
                 "unknown key '%s' in the stage: lakec does not make %s yet (the stage keys "
                 "are listed by 'lakec schema' and the README)",
                 key->str, OTHER_TOOLS_KEYS[i].what);
    }
    return true;
  }
  return false;
}

static void report_unknown_key(Ctx *ctx, const Shape *sh, const Node *key, const char *where) {
  if (sh == schema_stage() && report_other_tools_key(ctx, key))
    return;
  const char *names[64];
  size_t n = field_names(sh, names, 64);
  Diag *d = diag_error(ctx, key->pos, LK_UNKNOWN_KEY, "unknown key '%s' in %s", key->str, where);
  const char *best = suggest_closest(key->str, names, n);
  if (best)
    diag_fixit(ctx, d, best);
}

/* A scalar written where a shape with a shorthand key is expected stands for
 * a one-key map: `schedule: rate(1 minute)` = `schedule: {expression: ...}`. */
static const Node *expand_shorthand(Ctx *ctx, const Shape *sh, const Node *node) {
  if (!sh->shorthand || node->kind != NODE_SCALAR || node_is_null(node))
    return node;
  Node *map = node_new_map(ctx, node->pos, 1);
  map->pairs[0].key = node_new_scalar(ctx, node->pos, sh->shorthand, false);
  map->pairs[0].value = (Node *)node;
  map->count = 1;
  return map;
}

static void check_exactly_one(Ctx *ctx, const Shape *sh, const Node *node, const char *where) {
  const Node *first = NULL;
  for (size_t i = 0; i < node->count; i++) {
    if (!find_field(sh, node->pairs[i].key->str))
      continue;
    if (first) {
      Diag *d = diag_error(ctx, node->pairs[i].key->pos, LK_CONFLICT,
                           "a %s has one action, but '%s' and '%s' are both set", sh->name,
                           first->str, node->pairs[i].key->str);
      diag_note(ctx, d, first->pos, "'%s' is set here", first->str);
      return;
    }
    first = node->pairs[i].key;
  }
  if (first)
    return;
  const char *names[64];
  size_t n = field_names(sh, names, 64);
  char keys[256];
  join_words(keys, sizeof keys, names, n);
  diag_error(ctx, node->pos, LK_MISSING_KEY, "%s needs one of the keys %s", where, keys);
}

void decode_struct(Ctx *ctx, const Shape *sh, const Node *node, void *dst, const char *where) {
  node = expand_shorthand(ctx, sh, node);
  if (node->kind != NODE_MAP) {
    diag_error(ctx, node->pos, LK_WRONG_TYPE, "%s must be a map of settings, not %s", where,
               node_describe(node));
    return;
  }
  put(dst, sh->node_offset, &node, sizeof node);
  /* A value that was refused leaves its field as if absent, so later checks
   * always see a complete model (defaults in place) whatever was written. */
  bool refused[64] = {false}, unknown = false;
  if (sh->nfields > 64)
    BUG("shape '%s' has too many fields", sh->name);
  for (size_t i = 0; i < node->count; i++) {
    const Field *f = find_field(sh, node->pairs[i].key->str);
    if (f)
      refused[f - sh->fields] = !decode_field(ctx, f, node->pairs[i].value, dst, where);
    else
      report_unknown_key(ctx, sh, node->pairs[i].key, where), unknown = true;
  }
  for (size_t i = 0; i < sh->nfields; i++) {
    const Field *f = &sh->fields[i];
    if (refused[i]) {
      apply_default(ctx, f, dst);
      continue;
    }
    if (node_get(node, f->key))
      continue;
    if (f->required && !node->unresolved) /* else it may be in the file extends: names */
      diag_error(ctx, node->pos, LK_MISSING_KEY, "missing required key '%s' in %s", f->key,
                 where);
    else
      apply_default(ctx, f, dst);
  }
  if (sh->exactly_one && !unknown) /* a misspelt action is reported once, above */
    check_exactly_one(ctx, sh, node, where);
}
