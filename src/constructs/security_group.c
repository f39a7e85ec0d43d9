/* security_group: an EC2 security group in one of the stage's VPCs, which
 * admits TCP from other groups (or from itself) on the ports its rules say,
 * and lets everything out. Each ingress rule is a resource of its own
 * (AWS::EC2::SecurityGroupIngress), so two groups that admit each other make
 * no cycle, and a rule whose source is in another stack refers to it through
 * an import. The group has no GroupName: CloudFormation names it, and a new
 * key of the stage does not replace it (with every network interface on it). */
#include "check_util.h"
#include "lower/lower_internal.h"
#include "network.h"

#include <string.h>

#define LK_GROUP_RULE "LK334"
#define STAGE_HEAD "lakec: 1\nproject: acme\nstage: dev\n"
#define TWO_VPCS "vpcs:\n  main: {cidr: 10.0.0.0/16}\n  edge: {cidr: 10.1.0.0/16}\n"

static const DiagCode GROUP_CODES[] = {
    {LK_OTHER_VPC, "a security group of another VPC",
     "A security group belongs to one VPC. A rule admits traffic from groups of the\n"
     "same VPC only, and a function placed in a VPC takes security groups of that\n"
     "VPC only.",
     STAGE_HEAD TWO_VPCS "security_groups:\n  db: {vpc: main, ingress: [{from: web, port: 5432}]}\n"
                         "  web: {vpc: edge}\n",
     STAGE_HEAD TWO_VPCS "security_groups:\n  db: {vpc: main, ingress: [{from: web, port: 5432}]}\n"
                         "  web: {vpc: main}\n"},
    {LK_GROUP_RULE, "invalid security group rule or description",
     "An ingress rule admits TCP ports `port` to `to_port` (default: `port` alone),\n"
     "so `to_port` is not below `port`. Descriptions (the group's and the rules') are\n"
     "at most 255 characters among letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*,\n"
     "the ones EC2 accepts.",
     STAGE_HEAD "vpcs:\n  main: {cidr: 10.0.0.0/16}\nsecurity_groups:\n"
                "  web: {vpc: main, ingress: [{from: self, port: 8080, to_port: 80}]}\n",
     STAGE_HEAD "vpcs:\n  main: {cidr: 10.0.0.0/16}\nsecurity_groups:\n"
                "  web: {vpc: main, ingress: [{from: self, port: 80, to_port: 8080}]}\n"},
    {NULL, NULL, NULL, NULL, NULL},
};

typedef struct IngressRule {
  const Node *node;
  const char *from, *description;
  long long port, to_port;
  const void *source; /* check: the group `from` names (the rule's own for self) */
} IngressRule;

typedef struct SecurityGroup {
  MODEL_ITEM_HEADER;
  const char *vpc, *description;
  LIST(IngressRule) ingress;
  const void *target; /* check: the vpc item */
} SecurityGroup;

static const Field INGRESS_FIELDS[] = {
    {"from", F_STR, offsetof(IngressRule, from), .required = true,
     .doc = "the group admitted: a key of `security_groups`, or self"},
    {"port", F_INT, offsetof(IngressRule, port), .required = true, .min = 0, .max = 65535,
     .doc = "the TCP port admitted (the first of a range)"},
    {"to_port", F_INT, offsetof(IngressRule, to_port), .def = "port", .computed = true, .min = 0,
     .max = 65535, .doc = "the last TCP port of a range"},
    {"description", F_STR, offsetof(IngressRule, description),
     .doc = "why the rule is there (EC2's description characters)"},
};
static const Shape SHAPE_INGRESS =
    SHAPE(IngressRule, "ingress rule", INGRESS_FIELDS, .key_offset = NO_KEY);

static const Field GROUP_FIELDS[] = {
    {"vpc", F_STR, offsetof(SecurityGroup, vpc), .required = true,
     .doc = "the VPC (a key of `vpcs`) it belongs to"},
    {"description", F_STR, offsetof(SecurityGroup, description), .def = "PROJECT STAGE: KEY",
     .computed = true, .doc = "its description (changing it replaces the group)"},
    {"ingress", F_LIST_OF, offsetof(SecurityGroup, ingress), .shape = &SHAPE_INGRESS,
     .doc = "what it admits: `- {from: GROUP|self, port, to_port, description}`"},
    ITEM_FIELDS(SecurityGroup),
};
static const Shape SHAPE_GROUP =
    SHAPE(SecurityGroup, "security group", GROUP_FIELDS, .key_offset = offsetof(SecurityGroup, key));

/* ---- check ---- */

const void *security_group_vpc(const void *group) {
  return ((const SecurityGroup *)group)->target;
}

static bool same_rule(const IngressRule *a, const IngressRule *b) {
  return !strcmp(a->from, b->from) && a->port == b->port && a->to_port == b->to_port;
}

/* The source resolved (LK301 with a did-you-mean), in the group's VPC. */
static void check_rule(Ctx *ctx, const Model *m, const SecurityGroup *g, IngressRule *r) {
  if (!node_get(r->node, "to_port"))
    r->to_port = r->port;
  if (r->to_port < r->port)
    diag_error(ctx, check_pos(r->node, "to_port"), LK_GROUP_RULE,
               "'to_port' %lld is below 'port' %lld: a rule admits the ports from 'port' to "
               "'to_port'",
               r->to_port, r->port);
  if (r->description)
    check_name(ctx, r->node, "description", r->description, awsname_ec2_description, LK_GROUP_RULE,
               "rule description");
  if (!r->from)
    return;
  Pos at = check_pos(r->node, "from");
  r->source = !strcmp(r->from, "self")
                  ? (const void *)g
                  : construct_resolve(ctx, m, &construct_security_group, r->from, at);
  const SecurityGroup *source = r->source;
  if (!source || !g->target || !source->target || source->target == g->target)
    return;
  Diag *d = diag_error(ctx, at, LK_OTHER_VPC,
                       "security group '%s' is in vpc '%s', and '%s' in vpc '%s': a rule admits "
                       "groups of its own VPC only",
                       g->key, g->vpc, source->key, source->vpc);
  diag_note(ctx, d, check_pos(source->node, "vpc"), "'%s' is placed here", source->key);
}

static void check_group(Ctx *ctx, Model *m, SecurityGroup *g) {
  if (!g->description)
    g->description = arena_printf(&ctx->arena, "%s %s: %s", m->project, m->stage, g->key);
  check_name(ctx, g->node, "description", g->description, awsname_ec2_description, LK_GROUP_RULE,
             "security group description");
  if (g->vpc)
    g->target = construct_resolve(ctx, m, &construct_vpc, g->vpc, check_pos(g->node, "vpc"));
  for (size_t i = 0; i < g->ingress.len; i++) {
    IngressRule *r = &g->ingress.items[i];
    check_rule(ctx, m, g, r);
    for (size_t k = 0; k < i && r->from; k++) {
      if (!g->ingress.items[k].from || !same_rule(&g->ingress.items[k], r))
        continue;
      Diag *d = diag_error(ctx, r->node->pos, LK_DUPLICATE,
                           "security group '%s' has this rule twice", g->key);
      diag_note(ctx, d, g->ingress.items[k].node->pos, "the first one is here");
    }
  }
}

/* Every group first resolves its VPC, then the rules compare VPCs. */
static void group_check(Ctx *ctx, Model *m, const Construct *self) {
  size_t n = construct_count(m, self);
  for (size_t i = 0; i < n; i++) {
    SecurityGroup *g = construct_item_mut(m, self, i);
    if (g->vpc)
      g->target = construct_find(m, &construct_vpc, g->vpc);
  }
  for (size_t i = 0; i < n; i++)
    check_group(ctx, m, construct_item_mut(m, self, i));
}

bool security_group_admits(const Model *m, const char *group, const char *from, long long port) {
  const SecurityGroup *g = construct_find(m, &construct_security_group, group);
  for (size_t i = 0; g && i < g->ingress.len; i++) {
    const IngressRule *r = &g->ingress.items[i];
    bool source = r->from && (!strcmp(r->from, from) ||
                              (!strcmp(r->from, "self") && !strcmp(group, from)));
    if (source && port >= r->port && port <= r->to_port)
      return true;
  }
  return false;
}

/* ---- references: "id" ---- */

static bool group_ref(Ctx *ctx, const void *item, const char *what, RefSpec *out) {
  const SecurityGroup *g = item;
  out->id = lid(ctx, g->key, "SecurityGroup");
  if (strcmp(what, "id"))
    return false;
  out->attr = "GroupId";
  return true;
}

/* ---- lower ---- */

/* "<Key>From<From><Port>", with "To<ToPort>" for a range. */
static const char *rule_id(Ctx *ctx, const SecurityGroup *g, const IngressRule *r) {
  const char *ports = r->to_port == r->port
                          ? arena_printf(&ctx->arena, "%lld", r->port)
                          : arena_printf(&ctx->arena, "%lldTo%lld", r->port, r->to_port);
  return lid(ctx, g->key, arena_printf(&ctx->arena, "From%s", lid(ctx, r->from, ports)));
}

static void lower_rule(Ctx *ctx, Ir *ir, const SecurityGroup *g, const IngressRule *r) {
  const char *own = lid(ctx, g->key, "SecurityGroup");
  json_t *source = r->source == (const void *)g
                       ? cfn_getatt(own, "GroupId")
                       : construct_ref(ctx, ir, &construct_security_group, r->source, "id");
  json_t *p = J("{s:o, s:s, s:I, s:I, s:o}", "GroupId", cfn_getatt(own, "GroupId"), "IpProtocol",
                "tcp", "FromPort", (json_int_t)r->port, "ToPort", (json_int_t)r->to_port,
                "SourceSecurityGroupId", source);
  json_object_set_new(p, "Description",
                      json_string(r->description ? r->description
                                                 : arena_printf(&ctx->arena, "from %s", r->from)));
  ir_add(ctx, ir, rule_id(ctx, g, r), "AWS::EC2::SecurityGroupIngress", p);
}

/* Egress is written in the group itself: all of it, as EC2's default. */
static void group_lower(Ctx *ctx, Ir *ir, const Model *m, const void *item) {
  (void)m;
  const SecurityGroup *g = item;
  ir_add(ctx, ir, lid(ctx, g->key, "SecurityGroup"), "AWS::EC2::SecurityGroup",
         J("{s:s, s:o, s:[{s:s, s:s, s:s}]}", "GroupDescription", g->description, "VpcId",
           construct_ref(ctx, ir, &construct_vpc, g->target, "id"), "SecurityGroupEgress",
           "IpProtocol", "-1", "CidrIp", "0.0.0.0/0", "Description", "all outbound traffic"));
  for (size_t i = 0; i < g->ingress.len; i++)
    lower_rule(ctx, ir, g, &g->ingress.items[i]);
}

static const TagRule GROUP_TAGS[] = {{"AWS::EC2::SecurityGroup", "Tags", TAGS_LIST},
                                     {NULL, NULL, 0}};

const Construct construct_security_group = {
    .key = "security_groups",
    .kind = "security group",
    .doc = "EC2 security groups in the stage's VPCs, by key",
    .shape = &SHAPE_GROUP,
    .check = group_check,
    .lower = group_lower,
    .ref = group_ref,
    .tags = GROUP_TAGS,
    .codes = GROUP_CODES,
};
