/* bucket: an S3 bucket that is private and encrypted whatever the stage says:
 * all four Block Public Access flags, SSE-S3 by default, BucketOwnerEnforced
 * (no ACLs), and a bucket policy that denies any request without TLS.
 * Versioning and retention follow the stage (on by default in production);
 * EventBridge notifications are on when a function is triggered by the bucket.
 * Functions are granted `read`, `write` and `delete` on BUCKET/PREFIX. */
#include "check_util.h"
#include "construct.h"
#include "lower/lower_internal.h"

#include <string.h>

extern const Construct construct_bucket;

#define LK_LIFECYCLE "LK330"
#define LIFECYCLE_HEAD "lakec: 1\nproject: demo\nstage: dev\nbuckets:\n  logs:\n    name: demo-dev-logs\n"

static const DiagCode BUCKET_CODES[] = {
    {LK_LIFECYCLE, "a lifecycle rule S3 would refuse, or one that does nothing",
     "S3 checks a bucket's lifecycle rules when the stack is deployed and refuses the\n"
     "whole configuration for one bad rule: a transition to STANDARD_IA or ONEZONE_IA\n"
     "before 30 days, transitions that do not go down the storage classes (STANDARD_IA,\n"
     "INTELLIGENT_TIERING, ONEZONE_IA, GLACIER_IR, GLACIER, DEEP_ARCHIVE) as days grow\n"
     "(30 days more after an infrequent-access class), an expiration that is not after\n"
     "the last transition. lakec says so at the rule, before anything is deployed. A rule\n"
     "without an action, or with lakec's own id, is an error too.",
     LIFECYCLE_HEAD "    lifecycle:\n      old:\n        expire_days: 60\n"
     "        transitions: {GLACIER: 90}\n",
     LIFECYCLE_HEAD "    lifecycle:\n      old:\n        expire_days: 365\n"
     "        transitions: {GLACIER: 90}\n"},
    {NULL, NULL, NULL, NULL, NULL},
};

/* S3's storage classes in the order objects may move between them (the
 * lifecycle "waterfall"): a rule's transitions go down it as days grow. */
static const char *const STORAGE_CLASSES[] = {"STANDARD_IA", "INTELLIGENT_TIERING", "ONEZONE_IA",
                                              "GLACIER_IR",  "GLACIER",             "DEEP_ARCHIVE"};

static const Field TRANSITION_FIELDS[] = {
    {"days", F_INT, offsetof(Transition, days), .required = true, .min = 0, .max = 36500,
     .doc = "days after creation the objects move to the storage class (the key)"},
};
static const Shape SHAPE_TRANSITION =
    SHAPE(Transition, "transition", TRANSITION_FIELDS,
          .key_offset = offsetof(Transition, storage_class), .shorthand = "days");

static const Field RULE_FIELDS[] = {
    {"prefix", F_STR, offsetof(LifecycleRule, prefix), .def = "",
     .doc = "the objects under this key prefix; \"\" is the whole bucket"},
    {"expire_days", F_INT, offsetof(LifecycleRule, expire_days), .def = "0", .min = 0,
     .max = 36500, .doc = "days after creation the objects are deleted; 0 keeps them"},
    {"noncurrent_days", F_INT, offsetof(LifecycleRule, noncurrent_days), .def = "0", .min = 0,
     .max = 36500,
     .doc = "days an old version under the prefix is kept (versioned buckets); 0: the bucket's "
            "noncurrent_days"},
    {"transitions", F_MAP_OF, offsetof(LifecycleRule, transitions), .shape = &SHAPE_TRANSITION,
     .doc = "STORAGE_CLASS: days (STANDARD_IA, INTELLIGENT_TIERING, ONEZONE_IA, GLACIER_IR, "
            "GLACIER, DEEP_ARCHIVE)"},
    {"enabled", F_BOOL, offsetof(LifecycleRule, enabled), .def = "true",
     .doc = "false keeps the rule but S3 does not apply it"},
};
static const Shape SHAPE_RULE =
    SHAPE(LifecycleRule, "lifecycle rule", RULE_FIELDS, .key_offset = offsetof(LifecycleRule, key));

static const Field BUCKET_FIELDS[] = {
    {"name", F_STR, offsetof(Bucket, name), .required = true,
     .doc = "the S3 bucket name (globally unique; S3 naming rules apply)"},
    {"versioned", F_BOOL, offsetof(Bucket, versioned), .def = "production", .computed = true,
     .doc = "turn on object versioning"},
    {"retain", F_BOOL, offsetof(Bucket, retain), .def = "production", .computed = true,
     .doc = "keep the bucket when the stack is deleted or the bucket replaced"},
    {"access_logs", F_BOOL, offsetof(Bucket, access_logs), .def = "production", .computed = true,
     .doc = "S3 server access logs, to the stage's log bucket"},
    {"noncurrent_days", F_INT, offsetof(Bucket, noncurrent_days), .def = "90", .min = 1,
     .max = 36500, .doc = "days an overwritten or deleted object's old version is kept (versioned buckets)"},
    {"abort_incomplete_days", F_INT, offsetof(Bucket, abort_incomplete_days), .def = "7",
     .min = 1, .max = 36500,
     .doc = "days after which an unfinished multipart upload is aborted (its parts are billed "
            "until then)"},
    {"lifecycle", F_MAP_OF, offsetof(Bucket, lifecycle), .shape = &SHAPE_RULE,
     .doc = "lifecycle rules by key (the rule's Id): expiration, transitions, old versions"},
    ITEM_FIELDS(Bucket),
};
static const Shape SHAPE_BUCKET =
    SHAPE(Bucket, "bucket", BUCKET_FIELDS, .key_offset = offsetof(Bucket, key));

/* ---- check ---- */

static void check_production_rules(Ctx *ctx, const Model *m, const Bucket *b) {
  if (m->production != 1)
    return;
  if (!b->versioned && !m->policy.allow_unversioned_buckets)
    diag_error(ctx, check_pos(b->node, "versioned"), LK_PROD_BUCKET,
               "bucket '%s' of a production stage must be versioned (or set 'policy: "
               "{allow_unversioned_buckets: true}')",
               b->key);
  if (!b->retain && !m->policy.allow_unretained_buckets)
    diag_error(ctx, check_pos(b->node, "retain"), LK_PROD_BUCKET,
               "bucket '%s' of a production stage must be retained (or set 'policy: "
               "{allow_unretained_buckets: true}')",
               b->key);
}

/* ---- lifecycle rules: what S3 would refuse, said before deploying ---- */

static int storage_class_rank(const char *name) {
  for (size_t i = 0; i < COUNT(STORAGE_CLASSES); i++)
    if (!strcmp(STORAGE_CLASSES[i], name))
      return (int)i;
  return -1;
}

static bool infrequent_access(const char *name) {
  return !strcmp(name, "STANDARD_IA") || !strcmp(name, "ONEZONE_IA");
}

/* Where a map's key is written (the item's node is its value). */
static Pos key_pos(const Node *map, const char *key, const Node *value) {
  for (size_t i = 0; map && map->kind == NODE_MAP && i < map->count; i++)
    if (!strcmp(map->pairs[i].key->str, key))
      return map->pairs[i].key->pos;
  return value->pos;
}

/* A known class; to an infrequent-access class after 30 days at least. */
static bool check_transition(Ctx *ctx, const LifecycleRule *r, const Transition *t) {
  if (storage_class_rank(t->storage_class) < 0) {
    Pos at = key_pos(node_get(r->node, "transitions"), t->storage_class, t->node);
    Diag *d = diag_error(ctx, at, LK_BAD_ENUM,
                         "'%s' is not a storage class a lifecycle rule moves objects to (%s, %s, "
                         "%s, %s, %s, %s)",
                         t->storage_class, STORAGE_CLASSES[0], STORAGE_CLASSES[1],
                         STORAGE_CLASSES[2], STORAGE_CLASSES[3], STORAGE_CLASSES[4],
                         STORAGE_CLASSES[5]);
    const char *best = suggest_closest(t->storage_class, STORAGE_CLASSES, COUNT(STORAGE_CLASSES));
    if (best)
      diag_fixit(ctx, d, best);
    return false;
  }
  if (infrequent_access(t->storage_class) && t->days < 30) {
    diag_error(ctx, t->node->pos, LK_LIFECYCLE,
               "objects stay in STANDARD at least 30 days before %s (S3 refuses %lld)",
               t->storage_class, t->days);
    return false;
  }
  return true;
}

/* Down the waterfall as days grow, 30 days more after an infrequent-access
 * class; expiration after the last transition. */
static void check_transition_order(Ctx *ctx, const LifecycleRule *r) {
  const Transition *last = NULL;
  for (int rank = 0; rank < (int)COUNT(STORAGE_CLASSES); rank++)
    for (size_t i = 0; i < r->transitions.len; i++) {
      const Transition *t = &r->transitions.items[i];
      if (storage_class_rank(t->storage_class) != rank)
        continue;
      long long gap = last && infrequent_access(last->storage_class) ? 30 : 1;
      if (last && t->days < last->days + gap) {
        Diag *d = diag_error(ctx, t->node->pos, LK_LIFECYCLE,
                             "the move to %s must come at least %lld day%s after the move to %s "
                             "(day %lld)",
                             t->storage_class, gap, gap == 1 ? "" : "s", last->storage_class,
                             last->days);
        diag_note(ctx, d, last->node->pos, "the move to %s is here", last->storage_class);
      }
      last = t;
    }
  if (last && r->expire_days && r->expire_days <= last->days) {
    Diag *d = diag_error(ctx, check_pos(r->node, "expire_days"), LK_LIFECYCLE,
                         "rule '%s' deletes objects after %lld days, not after its move to %s "
                         "(day %lld): expiration must come last",
                         r->key, r->expire_days, last->storage_class, last->days);
    diag_note(ctx, d, last->node->pos, "the move to %s is here", last->storage_class);
  }
}

/* lakec's own rule ids, which a stage's rule may not take. */
static const char *const OWN_RULES[] = {"AbortIncompleteUploads", "ExpireOldVersions"};

static void check_lifecycle(Ctx *ctx, const Bucket *b) {
  for (size_t i = 0; i < b->lifecycle.len; i++) {
    const LifecycleRule *r = &b->lifecycle.items[i];
    check_prefix(ctx, r->prefix, check_pos(r->node, "prefix"));
    for (size_t k = 0; k < COUNT(OWN_RULES); k++)
      if (!strcmp(r->key, OWN_RULES[k]) || strlen(r->key) > 255)
        diag_error(ctx, r->node->pos, LK_LIFECYCLE,
                   "lifecycle rule '%s': the id is %s", r->key,
                   strlen(r->key) > 255 ? "longer than S3's 255 characters" : "lakec's own");
    if (!r->expire_days && !r->noncurrent_days && !r->transitions.len)
      diag_error(ctx, r->node->pos, LK_LIFECYCLE,
                 "lifecycle rule '%s' does nothing: give it expire_days, noncurrent_days or "
                 "transitions",
                 r->key);
    if (r->noncurrent_days && !b->versioned)
      diag_warning(ctx, check_pos(r->node, "noncurrent_days"), LK_LIFECYCLE,
                   "bucket '%s' is not versioned: it has no old versions to expire", b->key);
    bool known = true;
    for (size_t k = 0; k < r->transitions.len; k++)
      known &= check_transition(ctx, r, &r->transitions.items[k]);
    if (known)
      check_transition_order(ctx, r);
  }
}

static void bucket_check(Ctx *ctx, Model *m, const Construct *self) {
  StrIndex names = {0};
  for (size_t i = 0; i < construct_count(m, self); i++) {
    Bucket *b = construct_item_mut(m, self, i);
    if (b->versioned == TRI_UNSET)
      b->versioned = m->production;
    if (b->retain == TRI_UNSET)
      b->retain = m->production;
    if (b->access_logs == TRI_UNSET)
      b->access_logs = m->production;
    check_name(ctx, b->node, "name", b->name, awsname_s3_bucket, LK_BUCKET_NAME, "bucket name");
    check_production_rules(ctx, m, b);
    check_lifecycle(ctx, b);
    check_unique_name(ctx, &names, self, (const Item *)b, b->name);
  }
}

void bucket_send_events(Bucket *b) { b->eventbridge = true; }

/* The bucket is the construct's own item: asking changes it, as bucket_send_events. */
void bucket_expire(Ctx *ctx, const Bucket *b, const char *prefix, long long days) {
  Expiration *e = arena_alloc(&ctx->arena, sizeof *e);
  Bucket *mine = (Bucket *)b;
  *e = (Expiration){prefix, days, mine->expirations};
  mine->expirations = e;
}

/* "BUCKET/PREFIX" -> Location; "BUCKET" alone is the whole bucket. */
Location bucket_location(Ctx *ctx, const Model *m, const char *text, Pos at) {
  Location loc = {NULL, ""};
  const char *slash = strchr(text, '/');
  const char *key = slash ? arena_strndup(&ctx->arena, text, (size_t)(slash - text)) : text;
  loc.bucket = construct_resolve(ctx, m, &construct_bucket, key, at);
  loc.prefix = slash ? slash + 1 : "";
  if (loc.bucket && !check_prefix(ctx, loc.prefix, at))
    loc.bucket = NULL;
  return loc;
}

Location bucket_location_of(Ctx *ctx, const Model *m, const char *bucket, const char *prefix,
                            Pos bucket_at, Pos prefix_at) {
  Location loc = {construct_resolve(ctx, m, &construct_bucket, bucket, bucket_at), prefix};
  check_prefix(ctx, prefix, prefix_at);
  return loc;
}

/* ---- references ---- */

static bool bucket_ref(Ctx *ctx, const void *item, const char *what, RefSpec *out) {
  const Bucket *b = item;
  out->id = lid(ctx, b->key, "Bucket");
  if (!strcmp(what, "name")) {
    out->literal = json_string(b->name);
    return true;
  }
  if (!strcmp(what, "arn")) {
    out->attr = "Arn";
    out->literal = cfn_subf("arn:${AWS::Partition}:s3:::%s", b->name);
    return true;
  }
  return false;
}

json_t *location_objects_arn(Ctx *ctx, Ir *ir, const Location *loc) {
  return cfn_subf("%s/%s*", construct_sub(ctx, ir, &construct_bucket, loc->bucket, "arn"),
                  loc->prefix);
}

json_t *location_s3_url(Ctx *ctx, Ir *ir, const Location *loc) {
  return cfn_subf("s3://%s/%s", construct_sub(ctx, ir, &construct_bucket, loc->bucket, "name"),
                  loc->prefix);
}

json_t *location_bucket_arn(Ctx *ctx, Ir *ir, const Location *loc) {
  return construct_ref(ctx, ir, &construct_bucket, loc->bucket, "arn");
}

/* `actions` on the objects under a location, whose keys are made at run time. */
json_t *iam_objects(Ctx *ctx, Ir *ir, const char *sid, json_t *actions, const Location *loc) {
  const char *where = *loc->prefix ? arena_printf(&ctx->arena, "under '%s' in", loc->prefix) : "in";
  return iam_wildcard(
      iam_statement(sid, actions, location_objects_arn(ctx, ir, loc)),
      arena_printf(&ctx->arena,
                   "Objects %s bucket '%s' get their keys at run time; the statement covers only "
                   "those objects.",
                   where, loc->bucket->key));
}

/* s3:ListBucket on the bucket, narrowed to the prefix when there is one. */
json_t *iam_list_prefix(Ctx *ctx, Ir *ir, const char *sid, const Location *loc) {
  json_t *st = iam_statement(sid, J("[s]", "s3:ListBucket"), location_bucket_arn(ctx, ir, loc));
  if (*loc->prefix)
    json_object_set_new(st, "Condition",
                        J("{s:{s:[s]}}", "StringLike", "s3:prefix",
                          arena_printf(&ctx->arena, "%s*", loc->prefix)));
  return st;
}

/* ---- lower ---- */

/* Unfinished multipart uploads are billed until aborted; old versions and
 * the prefixes other constructs ask for (Athena results) expire. */
static json_t *stage_rule(const LifecycleRule *r) {
  json_t *rule = J("{s:s, s:s}", "Id", r->key, "Status", r->enabled ? "Enabled" : "Disabled");
  if (*r->prefix)
    json_object_set_new(rule, "Prefix", json_string(r->prefix));
  if (r->expire_days)
    json_object_set_new(rule, "ExpirationInDays", json_integer(r->expire_days));
  if (r->noncurrent_days)
    json_object_set_new(rule, "NoncurrentVersionExpiration",
                        J("{s:I}", "NoncurrentDays", (json_int_t)r->noncurrent_days));
  if (r->transitions.len) {
    json_t *moves = json_array();
    for (size_t i = 0; i < r->transitions.len; i++)
      json_array_append_new(moves, J("{s:s, s:I}", "StorageClass",
                                     r->transitions.items[i].storage_class, "TransitionInDays",
                                     (json_int_t)r->transitions.items[i].days));
    json_object_set_new(rule, "Transitions", moves);
  }
  return rule;
}

static json_t *lifecycle_rules(Ctx *ctx, const Bucket *b) {
  json_t *rules = J("[{s:s, s:s, s:{s:I}}]", "Id", "AbortIncompleteUploads", "Status", "Enabled",
                    "AbortIncompleteMultipartUpload", "DaysAfterInitiation",
                    (json_int_t)(b->abort_incomplete_days ? b->abort_incomplete_days : 7));
  if (b->versioned)
    json_array_append_new(rules, J("{s:s, s:s, s:{s:I}}", "Id", "ExpireOldVersions", "Status",
                                   "Enabled", "NoncurrentVersionExpiration", "NoncurrentDays",
                                   (json_int_t)b->noncurrent_days));
  for (const Expiration *e = b->expirations; e; e = e->next)
    json_array_append_new(rules, J("{s:s, s:s, s:s, s:I}", "Id",
                                   arena_printf(&ctx->arena, "Expire%s", lid(ctx, e->prefix, "")),
                                   "Status", "Enabled", "Prefix", e->prefix, "ExpirationInDays",
                                   (json_int_t)e->days));
  for (size_t i = 0; i < b->lifecycle.len; i++)
    json_array_append_new(rules, stage_rule(&b->lifecycle.items[i]));
  return rules;
}

static json_t *bucket_properties(Ctx *ctx, const Bucket *b) {
  json_t *p = J("{s:s}", "BucketName", b->name);
  json_object_set_new(
      p, "BucketEncryption",
      J("{s:[{s:{s:s}}]}", "ServerSideEncryptionConfiguration", "ServerSideEncryptionByDefault",
        "SSEAlgorithm", "AES256"));
  json_object_set_new(p, "PublicAccessBlockConfiguration",
                      J("{s:b, s:b, s:b, s:b}", "BlockPublicAcls", 1, "BlockPublicPolicy", 1,
                        "IgnorePublicAcls", 1, "RestrictPublicBuckets", 1));
  json_object_set_new(p, "OwnershipControls",
                      J("{s:[{s:s}]}", "Rules", "ObjectOwnership", "BucketOwnerEnforced"));
  if (b->versioned)
    json_object_set_new(p, "VersioningConfiguration", J("{s:s}", "Status", "Enabled"));
  json_object_set_new(p, "LifecycleConfiguration", J("{s:o}", "Rules", lifecycle_rules(ctx, b)));
  if (b->eventbridge)
    json_object_set_new(p, "NotificationConfiguration",
                        J("{s:{s:b}}", "EventBridgeConfiguration", "EventBridgeEnabled", 1));
  return p;
}

static json_t *tls_deny_statement(const char *bucket) {
  return J("{s:s, s:s, s:s, s:s, s:[o,o], s:{s:{s:s}}}", "Sid", "DenyInsecureTransport", "Effect",
           "Deny", "Principal", "*", "Action", "s3:*", "Resource", cfn_getatt(bucket, "Arn"),
           cfn_subf("${%s.Arn}/*", bucket), "Condition", "Bool", "aws:SecureTransport", "false");
}

static void lower_tls_policy(Ctx *ctx, Ir *ir, const Bucket *b, const char *bucket) {
  json_t *deny = tls_deny_statement(bucket);
  ir_add(ctx, ir, lid(ctx, b->key, "BucketPolicy"), "AWS::S3::BucketPolicy",
         J("{s:o, s:{s:s, s:[o]}}", "Bucket", cfn_ref(bucket), "PolicyDocument", "Version",
           "2012-10-17", "Statement", deny));
}

/* ---- server access logs ---- */

#define ACCESS_LOGS_BUCKET "AccessLogsBucket"

/* The stage's log bucket, made with the first bucket that logs (in its
 * stack): private, encrypted, TLS only, writable by S3's log delivery for
 * this account alone, logs expiring after a year. CloudFormation names it:
 * no name to collide with. */
static void lower_access_logs_bucket(Ctx *ctx, Ir *ir, const Model *m) {
  if (ir_find(ir, ACCESS_LOGS_BUCKET))
    return;
  Bucket logs = {.key = "access-logs", .name = "", .versioned = false};
  json_t *p = bucket_properties(ctx, &logs);
  json_object_del(p, "BucketName");
  json_array_append_new(json_object_get(json_object_get(p, "LifecycleConfiguration"), "Rules"),
                        J("{s:s, s:s, s:i}", "Id", "ExpireLogs", "Status", "Enabled",
                          "ExpirationInDays", 365));
  IrResource *r = ir_add(ctx, ir, ACCESS_LOGS_BUCKET, "AWS::S3::Bucket", p);
  ir_set_policy(r, m->production ? "Retain" : "Delete"); /* logs are data */
  json_t *deny = tls_deny_statement(ACCESS_LOGS_BUCKET);
  json_t *delivery = J("{s:s, s:s, s:{s:s}, s:s, s:o, s:{s:{s:o}}}", "Sid", "S3ServerAccessLogs",
                       "Effect", "Allow", "Principal", "Service", "logging.s3.amazonaws.com",
                       "Action", "s3:PutObject", "Resource",
                       cfn_subf("${%s.Arn}/*", ACCESS_LOGS_BUCKET), "Condition", "StringEquals",
                       "aws:SourceAccount", cfn_ref("AWS::AccountId"));
  ir_add(ctx, ir, "AccessLogsBucketPolicy", "AWS::S3::BucketPolicy",
         J("{s:o, s:{s:s, s:[o,o]}}", "Bucket", cfn_ref(ACCESS_LOGS_BUCKET), "PolicyDocument",
           "Version", "2012-10-17", "Statement", deny, delivery));
}

static void bucket_lower(Ctx *ctx, Ir *ir, const Model *m, const void *item) {
  const Bucket *b = item;
  const char *id = lid(ctx, b->key, "Bucket");
  json_t *p = bucket_properties(ctx, b);
  if (b->access_logs) {
    lower_access_logs_bucket(ctx, ir, m);
    json_object_set_new(p, "LoggingConfiguration",
                        J("{s:o, s:s}", "DestinationBucketName", cfn_ref(ACCESS_LOGS_BUCKET),
                          "LogFilePrefix", arena_printf(&ctx->arena, "%s/", b->name)));
  }
  IrResource *r = ir_add(ctx, ir, id, "AWS::S3::Bucket", p);
  ir_set_policy(r, b->retain ? "Retain" : "Delete");
  if (!b->access_logs)
    ir_suppress(r, "AwsSolutions-S1",
                "Server access logs are off for this bucket ('access_logs: false', the default "
                "outside production stages).",
                NULL);
  lower_tls_policy(ctx, ir, b, id);
  ir_output(ctx, ir, lid(ctx, b->key, "BucketName"), cfn_ref(id),
            arena_printf(&ctx->arena, "name of bucket '%s'", b->key));
}

/* ---- grants: read, list, write, delete on BUCKET/PREFIX ---- */

static bool resolve_location(Ctx *ctx, const Model *m, Grant *g, Pos at) {
  g->where = bucket_location(ctx, m, g->text, at);
  g->target = g->where.bucket;
  return g->target != NULL;
}

/* Sid: the verb and the PascalCase of the target ("WriteDataRaw"). */
static void objects(Ctx *ctx, Ir *ir, const Grant *g, const char *verb, const char *action,
                    json_t *out) {
  json_array_append_new(out, iam_objects(ctx, ir, iam_sid(ctx, verb, g->text), J("[s]", action),
                                         &g->where));
}

static void read_statements(Ctx *ctx, Ir *ir, const Model *m, const Grant *g, json_t *out) {
  (void)m;
  objects(ctx, ir, g, "Read", "s3:GetObject", out);
}

/* Without it S3 answers 403, not 404, for a key that is not there. */
static void list_statements(Ctx *ctx, Ir *ir, const Model *m, const Grant *g, json_t *out) {
  (void)m;
  json_array_append_new(out, iam_list_prefix(ctx, ir, iam_sid(ctx, "List", g->text), &g->where));
}

/* A writer that uploads in parts (lakec's handlers do past 8 MiB) must be
 * able to abort its upload, or a failed run leaves parts stored (and billed)
 * until the bucket's abort_incomplete_days. */
static void write_statements(Ctx *ctx, Ir *ir, const Model *m, const Grant *g, json_t *out) {
  (void)m;
  json_array_append_new(out, iam_objects(ctx, ir, iam_sid(ctx, "Write", g->text),
                                         J("[s,s]", "s3:PutObject", "s3:AbortMultipartUpload"),
                                         &g->where));
}

static void delete_statements(Ctx *ctx, Ir *ir, const Model *m, const Grant *g, json_t *out) {
  (void)m;
  objects(ctx, ir, g, "Delete", "s3:DeleteObject", out);
}

/* LAKEC_BUCKET_RAW_DATA for key raw-data: the bucket's name. */
void bucket_environment(Ctx *ctx, Ir *ir, const Bucket *b, json_t *vars) {
  if (b)
    json_object_set_new(vars, env_name(ctx, "LAKEC_BUCKET_", b->key, ""),
                        construct_ref(ctx, ir, &construct_bucket, b, "name"));
}

static void location_environment(Ctx *ctx, Ir *ir, const Model *m, const Grant *g, json_t *vars) {
  (void)m;
  bucket_environment(ctx, ir, g->where.bucket, vars);
}

static const GrantVerb VERB_READ = {"read", "BUCKET/PREFIX: get objects", resolve_location,
                                    read_statements, location_environment, NULL};
static const GrantVerb VERB_LIST = {"list", "BUCKET/PREFIX: list the keys under the prefix",
                                    resolve_location, list_statements, location_environment, NULL};
static const GrantVerb VERB_WRITE = {"write", "BUCKET/PREFIX: put objects", resolve_location,
                                     write_statements, location_environment, NULL};
static const GrantVerb VERB_DELETE = {"delete", "BUCKET/PREFIX: delete objects",
                                      resolve_location, delete_statements, location_environment, NULL};
static const GrantVerb *const BUCKET_VERBS[] = {&VERB_READ, &VERB_LIST, &VERB_WRITE, &VERB_DELETE, NULL};

/* ---- names and tags ---- */

static void bucket_claims(Ctx *ctx, const Model *m, const void *item, PtrVec *claims) {
  (void)m;
  const Bucket *b = item;
  construct_claim(ctx, claims, "bucket", b->name, b->node, "name", true);
}

static const TagRule BUCKET_TAGS[] = {{"AWS::S3::Bucket", "Tags", TAGS_LIST}, {NULL, NULL, 0}};

const Construct construct_bucket = {
    .key = "buckets",
    .kind = "bucket",
    .doc = "S3 buckets, by key",
    .shape = &SHAPE_BUCKET,
    .check = bucket_check,
    .lower = bucket_lower,
    .ref = bucket_ref,
    .verbs = BUCKET_VERBS,
    .claim_names = bucket_claims,
    .tags = BUCKET_TAGS,
    .codes = BUCKET_CODES,
};
