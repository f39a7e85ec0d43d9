/* resources: raw CloudFormation, for what lakec does not model. Each entry
 * is a resource as a template writes it (Type, Properties, DependsOn,
 * DeletionPolicy, UpdateReplacePolicy, Metadata), keyed by its logical id,
 * plus lakec's `stack`. It is checked before AWS sees it, at the YAML: the
 * type and its properties against the resource schemas (cfnspec.c), the
 * targets of Ref / Fn::GetAtt / Fn::Sub against the stage's ids
 * (rawcheck.c). Constructs name a raw resource with ${resources.ID.Ref} or
 * ${resources.ID.ATTRIBUTE}; a raw resource names a construct with
 * ${KEY.ITEM.ATTR}; across stacks both become exports like any reference.
 *
 * It also offers the `iam` grant verb: IAM statements written out, for a
 * function that needs what no verb gives (a raw resource's actions). */
#include "../cfnspec.h"
#include "../check_util.h"
#include "../lower/lower_internal.h"
#include "../rawcheck.h"
#include "../rawjson.h"
#include "../refs.h"
#include "../suggest.h"

#include <string.h>

#define STAGE_HEAD "lakec: 1\nproject: shop\nstage: dev\n"
#define TABLE                                                                              \
  "    Type: AWS::DynamoDB::Table\n    Properties:\n      BillingMode: PAY_PER_REQUEST\n"   \
  "      KeySchema: [{AttributeName: id, KeyType: HASH}]\n"                                \
  "      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]\n"

static const DiagCode RESOURCE_CODES[] = {
    {LK_RAW_ID, "invalid logical id of a raw resource",
     "A raw resource's key is its logical id in the template: letters and digits only\n"
     "(CloudFormation allows nothing else), at most 48 of them like every key.",
     STAGE_HEAD "resources:\n  sessions_table:\n" TABLE,
     STAGE_HEAD "resources:\n  SessionsTable:\n" TABLE},
    {LK_RAW_TARGET, "Ref, Fn::GetAtt or Fn::Sub names nothing",
     "A Ref, a Fn::GetAtt or a ${...} of a Fn::Sub in raw CloudFormation names a logical\n"
     "id the stage's templates will hold (a raw resource's key, one lakec generates) or a\n"
     "pseudo parameter (AWS::Region, AWS::AccountId ...). To name a construct, prefer\n"
     "${KEY.ITEM.ATTR} (${buckets.data.arn}): lakec's logical ids are not the language.",
     STAGE_HEAD "resources:\n  Sessions:\n" TABLE
                "  Busy:\n    Type: AWS::CloudWatch::Alarm\n    Properties:\n"
                "      ComparisonOperator: GreaterThanThreshold\n      EvaluationPeriods: 1\n"
                "      Threshold: 100\n      MetricName: ConsumedReadCapacityUnits\n"
                "      Namespace: AWS/DynamoDB\n      Statistic: Sum\n      Period: 300\n"
                "      Dimensions: [{Name: TableName, Value: {Ref: Session}}]\n",
     STAGE_HEAD "resources:\n  Sessions:\n" TABLE
                "  Busy:\n    Type: AWS::CloudWatch::Alarm\n    Properties:\n"
                "      ComparisonOperator: GreaterThanThreshold\n      EvaluationPeriods: 1\n"
                "      Threshold: 100\n      MetricName: ConsumedReadCapacityUnits\n"
                "      Namespace: AWS/DynamoDB\n      Statistic: Sum\n      Period: 300\n"
                "      Dimensions: [{Name: TableName, Value: {Ref: Sessions}}]\n"},
    {LK_RAW_ATTRIBUTE, "Fn::GetAtt of an attribute the type does not have",
     "Fn::GetAtt reads an attribute the resource's type returns (its schema's read-only\n"
     "properties); lakec knows them for every type cfn-lint's schemas describe.",
     STAGE_HEAD "resources:\n  Sessions:\n" TABLE
                "outputs:\n  SessionsStream: {Value: {Fn::GetAtt: [Sessions, StreamARN]}}\n",
     STAGE_HEAD "resources:\n  Sessions:\n" TABLE
                "outputs:\n  SessionsArn: {Value: {Fn::GetAtt: [Sessions, Arn]}}\n"},
    {LK_RAW_COLLISION, "a raw resource takes a logical id lakec generates",
     "A raw resource's key is its logical id; lakec's constructs generate theirs from\n"
     "their keys (bucket `data` is DataBucket). Two resources cannot share one: rename\n"
     "the raw one (to change a generated resource, write a patch).",
     STAGE_HEAD "buckets:\n  data: {name: shop-dev-data}\nresources:\n  DataBucket:\n"
                "    Type: AWS::SQS::Queue\n",
     STAGE_HEAD "buckets:\n  data: {name: shop-dev-data}\nresources:\n  DataEvents:\n"
                "    Type: AWS::SQS::Queue\n"},
    {LK_RAW_STATEMENT, "an IAM grant that is not least privilege",
     "An `iam` grant names its actions (service:Action; not '*' nor 'service:*') and the\n"
     "resources they act on. A resource '*' (for actions that take no resource) needs\n"
     "`wildcard: REASON`, which lakec writes with the template as a reviewed exception.",
     STAGE_HEAD "functions:\n  api:\n    handler: ingest\n    grants:\n"
                "      - iam: {actions: [\"dynamodb:*\"], resources: [\"*\"]}\n",
     STAGE_HEAD "functions:\n  api:\n    handler: ingest\n    grants:\n"
                "      - iam:\n          actions: [cloudwatch:PutMetricData]\n"
                "          resources: [\"*\"]\n"
                "          wildcard: PutMetricData takes no resource.\n"},
    {LK_RAW_UNSUPPORTED, "raw CloudFormation lakec does not write",
     "lakec writes no CloudFormation conditions (a value that differs by stage is written\n"
     "in that stage's file), so Fn::If has none to name; and an intrinsic function takes\n"
     "the arguments AWS documents (Fn::GetAtt: [ID, ATTRIBUTE], Fn::Sub: TEXT or\n"
     "[TEXT, {NAME: VALUE}]).",
     STAGE_HEAD "resources:\n  Sessions:\n" TABLE
                "outputs:\n  SessionsArn: {Value: {Fn::GetAtt: Sessions}}\n",
     STAGE_HEAD "resources:\n  Sessions:\n" TABLE
                "outputs:\n  SessionsArn: {Value: {Fn::GetAtt: Sessions.Arn}}\n"},
    {NULL, NULL, NULL, NULL, NULL},
};

typedef struct RawResource {
  MODEL_ITEM_HEADER;
  const char *type;
  const Node *properties, *depends_on, *metadata;
  int deletion_policy, update_replace_policy; /* index into the policies, or TRI_UNSET */
} RawResource;

static const char *const DELETION_POLICIES[] = {"Delete", "Retain", "RetainExceptOnCreate",
                                                "Snapshot", NULL};
static const char *const REPLACE_POLICIES[] = {"Delete", "Retain", "Snapshot", NULL};

static const Field RESOURCE_FIELDS[] = {
    {"Type", F_STR, offsetof(RawResource, type), .required = true,
     .doc = "the resource type, AWS::SERVICE::THING"},
    {"Properties", F_NODE, offsetof(RawResource, properties),
     .doc = "its properties, as the CloudFormation reference writes them"},
    {"DependsOn", F_NODE, offsetof(RawResource, depends_on),
     .doc = "logical ids (one, or a list) created before it"},
    {"DeletionPolicy", F_ENUM, offsetof(RawResource, deletion_policy),
     .values = DELETION_POLICIES, .doc = "what deleting it from the stack does"},
    {"UpdateReplacePolicy", F_ENUM, offsetof(RawResource, update_replace_policy),
     .values = REPLACE_POLICIES, .doc = "what replacing it does to the old one"},
    {"Metadata", F_NODE, offsetof(RawResource, metadata), .doc = "its template metadata"},
    {"stack", F_STR, offsetof(RawResource, stack),
     .doc = "the stack (a key of `stacks`) it is created in; default: the first stack"},
};
static const Shape SHAPE_RESOURCE =
    SHAPE(RawResource, "resource", RESOURCE_FIELDS, .key_offset = offsetof(RawResource, key));

const char *rawcheck_item_type(const void *item) { return ((const RawResource *)item)->type; }

const char *rawcheck_type_of(const Ir *ir, const Model *m, const char *id) {
  const RawResource *raw = construct_find(m, &construct_resource, id);
  if (raw)
    return raw->type;
  const IrResource *r = ir_find(ir, id);
  return r ? r->type : NULL;
}

/* ---- check ---- */

/* Where the item's key is written (its map is the value). */
static Pos raw_key_pos(const Model *m, const RawResource *r) {
  NodePair *p = node_get_pair(node_get(m->node, "resources"), r->key);
  return p ? p->key->pos : r->node->pos;
}

static void resource_check(Ctx *ctx, Model *m, const Construct *self) {
  for (size_t i = 0; i < construct_count(m, self); i++) {
    const RawResource *r = construct_item(m, self, i);
    rawcheck_name(ctx, r->key, raw_key_pos(m, r), "a logical id");
    if (r->metadata && r->metadata->kind != NODE_MAP)
      diag_error(ctx, r->metadata->pos, LK_WRONG_TYPE, "Metadata must be a map, not %s",
                 node_describe(r->metadata));
    if (r->type) /* decode reported it missing */
      cfnspec_check_resource(ctx, r->node);
    rawcheck_refs(ctx, m, r->properties);
    rawcheck_refs(ctx, m, r->metadata);
  }
}

/* ---- lower ---- */

/* DependsOn: one id or a list of them, each one the stage has. */
static void add_depends_on(Ctx *ctx, Ir *ir, const Model *m, IrResource *res, const Node *n) {
  if (!n)
    return;
  size_t count = n->kind == NODE_SEQ ? n->count : 1;
  for (size_t i = 0; i < count; i++) {
    const Node *id = n->kind == NODE_SEQ ? n->items[i] : n;
    if (id->kind != NODE_SCALAR) {
      diag_error(ctx, id->pos, LK_WRONG_TYPE, "DependsOn takes logical ids, not %s",
                 node_describe(id));
      continue;
    }
    if (!strcmp(id->str, res->id))
      diag_error(ctx, id->pos, LK_RAW_TARGET, "'%s' cannot depend on itself", res->id);
    else
      rawcheck_id(ctx, ir, m, id->str, id->pos, "DependsOn names");
    ptrvec_push(&ctx->arena, &res->depends_on, (void *)id->str);
  }
}

/* A raw resource may not take an id lakec generates: said at the raw key,
 * with the construct that generates it. */
static bool collides(Ctx *ctx, const Ir *ir, const Model *m, const RawResource *r) {
  for (size_t i = 0; i < ir->parameters.len; i++)
    if (!strcmp(((const IrEntry *)ir->parameters.items[i])->id, r->key)) {
      diag_error(ctx, raw_key_pos(m, r), LK_RAW_COLLISION,
                 "'%s' is the name of a template parameter lakec writes: rename this resource",
                 r->key);
      return true;
    }
  const IrResource *taken = ir_find(ir, r->key);
  if (!taken)
    return false;
  Diag *d = diag_error(ctx, raw_key_pos(m, r), LK_RAW_COLLISION,
                       "'%s' is the logical id of an %s lakec generates: rename this resource",
                       r->key, taken->type);
  if (taken->origin)
    diag_note(ctx, d, taken->origin->pos, "it comes from here");
  return true;
}

static void resource_lower(Ctx *ctx, Ir *ir, const Model *m, const void *item) {
  const RawResource *r = item;
  if (collides(ctx, ir, m, r))
    return;
  rawcheck_targets(ctx, ir, m, r->properties);
  rawcheck_targets(ctx, ir, m, r->metadata);
  json_t *props = r->properties ? rawjson(ctx, ir, m, r->properties) : json_object();
  IrResource *res = ir_add(ctx, ir, r->key, r->type, props);
  add_depends_on(ctx, ir, m, res, r->depends_on);
  if (r->deletion_policy != TRI_UNSET)
    res->deletion_policy = DELETION_POLICIES[r->deletion_policy];
  if (r->update_replace_policy != TRI_UNSET)
    res->update_replace_policy = REPLACE_POLICIES[r->update_replace_policy];
  if (r->metadata)
    res->metadata = rawjson(ctx, ir, m, r->metadata);
}

/* ${resources.ID.Ref}, or one of its type's attributes by CloudFormation's name. */
static bool resource_ref(Ctx *ctx, const void *item, const char *what, RefSpec *out) {
  (void)ctx;
  const RawResource *r = item;
  if (!strcmp(what, "Ref")) {
    *out = (RefSpec){.id = r->key};
    return true;
  }
  const CfnType *t = cfnspec_type(r->type);
  if (t && !cfnspec_attribute(t, what)) /* an unknown or missing Type is reported itself */
    return false;
  *out = (RefSpec){.id = r->key, .attr = what};
  return true;
}

/* ---- the `iam` grant ---- */

static const Field IAM_FIELDS[] = {
    {"actions", F_STRLIST, offsetof(IamGrant, actions), .required = true,
     .doc = "IAM actions, service:Action (no '*', no 'service:*')"},
    {"resources", F_STRLIST, offsetof(IamGrant, resources), .required = true,
     .doc = "the ARNs they act on; ${resources.ID.Arn}, ${KEY.ITEM.ATTR} or text"},
    {"wildcard", F_STR, offsetof(IamGrant, wildcard),
     .doc = "why a resource is '*' (a sentence): the reviewed exception it needs"},
};
static const Shape SHAPE_IAM = SHAPE(IamGrant, "iam statement", IAM_FIELDS, .key_offset = NO_KEY);

/* service:Action, where Action may end in a '*' but is not one. */
static bool named_action(const char *a) {
  const char *colon = strchr(a, ':');
  if (!colon || colon == a || !colon[1] || colon[1] == '*')
    return false;
  for (const char *p = a; p < colon; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
      return false;
  return true;
}

static const Node *list_item(const Node *map, const char *key, size_t i) {
  const Node *l = node_get(map, key);
  return l && l->kind == NODE_SEQ && i < l->count ? l->items[i] : l;
}

static void check_actions(Ctx *ctx, const IamGrant *s) {
  if (!s->actions.len || !s->resources.len)
    diag_error(ctx, s->node->pos, LK_RAW_STATEMENT,
               "an iam grant names at least one action and one resource");
  for (size_t i = 0; i < s->actions.len; i++)
    if (!named_action(s->actions.items[i]))
      diag_error(ctx, list_item(s->node, "actions", i)->pos, LK_RAW_STATEMENT,
                 "'%s' is not a named action: write service:Action (s3:GetObject), never "
                 "'*' or 'service:*'",
                 s->actions.items[i]);
}

static void check_resources(Ctx *ctx, const Model *m, const IamGrant *s) {
  for (size_t i = 0; i < s->resources.len; i++) {
    const Node *n = list_item(s->node, "resources", i);
    if (strcmp(s->resources.items[i], "*")) {
      rawcheck_refs(ctx, m, n);
      continue;
    }
    if (!s->wildcard) {
      Diag *d = diag_error(ctx, n->pos, LK_RAW_STATEMENT,
                           "resource '*' gives the actions on everything in the account");
      diag_note(ctx, d, (Pos){0}, "name the ARNs, or say why with `wildcard: REASON` when the "
                                  "actions take no resource");
    }
  }
  size_t n = s->wildcard ? strlen(s->wildcard) : 0;
  if (s->wildcard && (n < 10 || s->wildcard[0] < 'A' || s->wildcard[0] > 'Z' ||
                      s->wildcard[n - 1] != '.'))
    diag_error(ctx, check_pos(s->node, "wildcard"), LK_RAW_STATEMENT,
               "the reason for '*' is a sentence a reviewer reads: it starts with a capital "
               "letter, ends with '.' and says why (at least 10 characters)");
}

static bool resolve_iam(Ctx *ctx, const Model *m, Grant *g, Pos at) {
  (void)at;
  unsigned before = ctx->diags.errors;
  check_actions(ctx, &g->iam);
  check_resources(ctx, m, &g->iam);
  g->text = ""; /* what it is, for the duplicate-grant check: its actions and resources */
  for (size_t i = 0; i < g->iam.actions.len; i++)
    g->text = arena_printf(&ctx->arena, "%s%s ", g->text, g->iam.actions.items[i]);
  for (size_t i = 0; i < g->iam.resources.len; i++)
    g->text = arena_printf(&ctx->arena, "%s%s ", g->text, g->iam.resources.items[i]);
  return ctx->diags.errors == before;
}

static void iam_statements(Ctx *ctx, Ir *ir, const Model *m, const Grant *g, json_t *out) {
  json_t *actions = json_array(), *resources = json_array();
  for (size_t i = 0; i < g->iam.actions.len; i++)
    json_array_append_new(actions, json_string(g->iam.actions.items[i]));
  for (size_t i = 0; i < g->iam.resources.len; i++) {
    const Node *n = list_item(g->iam.node, "resources", i);
    json_array_append_new(resources, rawjson(ctx, ir, m, n));
  }
  const char *sid = arena_printf(&ctx->arena, "Iam%zu", json_array_size(out) + 1);
  json_t *st = iam_statement(sid, actions, resources);
  json_array_append_new(out, g->iam.wildcard ? iam_wildcard(st, g->iam.wildcard) : st);
}

static void iam_environment(Ctx *ctx, Ir *ir, const Model *m, const Grant *g, json_t *vars) {
  (void)ctx, (void)ir, (void)m, (void)g, (void)vars; /* its resources are named by the author */
}

static const GrantVerb VERB_IAM = {"iam", "IAM statement: {actions, resources, wildcard}",
                                   resolve_iam, iam_statements, iam_environment, &SHAPE_IAM};
static const GrantVerb *const RESOURCE_VERBS[] = {&VERB_IAM, NULL};

static const TagRule NO_TAGS[] = {{NULL, NULL, 0}}; /* the stage's tags reach them by type */

const Construct construct_resource = {
    .key = "resources",
    .kind = "resource",
    .doc = "raw CloudFormation resources, by logical id",
    .shape = &SHAPE_RESOURCE,
    .check = resource_check,
    .lower = resource_lower,
    .ref = resource_ref,
    .verbs = RESOURCE_VERBS,
    .tags = NO_TAGS,
    .codes = RESOURCE_CODES,
};
