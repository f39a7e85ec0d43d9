/* vpc: a VPC over `zones` availability zones, each with one public and one
 * private subnet whose CIDR blocks lakec computes from the VPC's block
 * (public ones first, then private ones, each `subnet_mask` long). The
 * public subnets route to an internet gateway; the private ones to NAT
 * gateways in the public subnets (zones share them round robin), or nowhere
 * outside the VPC when there are none. Gateway endpoints for S3 and DynamoDB
 * sit on the private route tables (free, and they work without a NAT).
 * Flow logs, when asked, go to a log group lakec creates.
 *
 * Nothing is ever placed in the VPC's default security group, so lakec
 * leaves it as EC2 made it. */
#include "check_util.h"
#include "cidr.h"
#include "lower/lower_internal.h"
#include "network.h"

#include <stdlib.h>
#include <string.h>

#define LK_VPC_CIDR "LK325"
#define LK_VPC_SUBNETS "LK326"
#define LK_VPC_NAT "LK327"
#define LK_VPC_ONE_NAT "LK328"
#define LK_NO_EGRESS "LK333"
#define LK_PUBLIC_FUNCTION "LK335"
#define STAGE_HEAD "lakec: 1\nproject: acme\nstage: dev\n"
#define PROD_HEAD "lakec: 1\nproject: acme\nstage: prod\nproduction: true\n"

static const DiagCode VPC_CODES[] = {
    {LK_VPC_CIDR, "invalid VPC CIDR block or name",
     "A VPC's `cidr` is an IPv4 block A.B.C.D/P whose prefix length is 16 to 28 (what\n"
     "EC2 accepts) and whose address has no bits set past the prefix (10.0.0.0/16,\n"
     "not 10.0.1.0/16). Its `name` (its Name tag, and its flow logs' group) is 1 to\n"
     "255 letters, digits, '-', '_' and '.'.",
     STAGE_HEAD "vpcs:\n  main: {cidr: 10.0.1.0/16}\n",
     STAGE_HEAD "vpcs:\n  main: {cidr: 10.0.0.0/16}\n"},
    {LK_VPC_SUBNETS, "a VPC's subnets do not fit in its CIDR block",
     "Each zone has a public and a private subnet of `subnet_mask` bits, cut from the\n"
     "VPC's block in order: 2 x zones blocks must fit in it. A /24 VPC holds two /25\n"
     "subnets, or four /26, but not four /24.",
     STAGE_HEAD "vpcs:\n  main: {cidr: 10.0.0.0/24, zones: 2, subnet_mask: 24}\n",
     STAGE_HEAD "vpcs:\n  main: {cidr: 10.0.0.0/24, zones: 2, subnet_mask: 26}\n"},
    {LK_VPC_NAT, "more NAT gateways than zones",
     "A NAT gateway sits in one zone's public subnet, and a zone needs at most one:\n"
     "`nat_gateways` is 0 (private subnets reach nothing outside the VPC but its\n"
     "gateway endpoints) up to `zones`.",
     STAGE_HEAD "vpcs:\n  main: {cidr: 10.0.0.0/16, zones: 2, nat_gateways: 3}\n",
     STAGE_HEAD "vpcs:\n  main: {cidr: 10.0.0.0/16, zones: 2, nat_gateways: 2}\n"},
    {LK_VPC_ONE_NAT, "warning: a production VPC with fewer NAT gateways than zones",
     "With fewer NAT gateways than zones, the private subnets of several zones leave\n"
     "the VPC through one NAT in one zone: when that zone fails, they lose their\n"
     "egress too. A production stage has one per zone by default.",
     PROD_HEAD "vpcs:\n  main: {cidr: 10.0.0.0/16, zones: 2, nat_gateways: 1}\n",
     PROD_HEAD "vpcs:\n  main: {cidr: 10.0.0.0/16, zones: 2}\n"},
    {LK_NO_EGRESS, "a function in private subnets without NAT that calls AWS",
     "A function in a VPC reaches AWS's APIs through the VPC: from private subnets,\n"
     "through a NAT gateway, or through a gateway endpoint (S3 and DynamoDB only). A\n"
     "function with grants (which call AWS) in the private subnets of a vpc with\n"
     "`nat_gateways: 0` is refused, unless every grant is one an endpoint of the vpc\n"
     "serves: bucket and data set grants (s3), table grants (dynamodb).",
     STAGE_HEAD "vpcs:\n  main: {cidr: 10.0.0.0/16, nat_gateways: 0}\nsecurity_groups:\n"
                "  fn: {vpc: main}\nqueues:\n  jobs: {}\nfunctions:\n"
                "  worker: {vpc: {vpc: main, security_groups: [fn]}, grants: [{send: jobs}]}\n",
     STAGE_HEAD "vpcs:\n  main: {cidr: 10.0.0.0/16, nat_gateways: 1}\nsecurity_groups:\n"
                "  fn: {vpc: main}\nqueues:\n  jobs: {}\nfunctions:\n"
                "  worker: {vpc: {vpc: main, security_groups: [fn]}, grants: [{send: jobs}]}\n"},
    {LK_PUBLIC_FUNCTION, "warning: a function in public subnets",
     "Lambda gives a function's network interfaces no public IP address, so in public\n"
     "subnets a function reaches neither the internet nor AWS's APIs (the internet\n"
     "gateway only serves addresses that are public). Place it in the private\n"
     "subnets, which leave through NAT.",
     STAGE_HEAD "vpcs:\n  main: {cidr: 10.0.0.0/16}\nsecurity_groups:\n  fn: {vpc: main}\n"
                "functions:\n  worker: {vpc: {vpc: main, subnets: public, security_groups: [fn]}}\n",
     STAGE_HEAD "vpcs:\n  main: {cidr: 10.0.0.0/16}\nsecurity_groups:\n  fn: {vpc: main}\n"
                "functions:\n  worker: {vpc: {vpc: main, security_groups: [fn]}}\n"},
    {NULL, NULL, NULL, NULL, NULL},
};

typedef struct FlowLogs {
  const Node *node;
  int traffic; /* index into TRAFFIC */
  long long retention;
} FlowLogs;

typedef struct Vpc {
  MODEL_ITEM_HEADER;
  const char *name, *cidr;
  long long zones, nat_gateways, subnet_mask;
  StrList endpoints;
  FlowLogs flow_logs;
  Cidr block;             /* check: cidr read */
  bool s3, dynamodb;      /* check: the gateway endpoints it has */
} Vpc;

static const char *const TRAFFIC[] = {"ACCEPT", "REJECT", "ALL", NULL};
static const char *const ENDPOINTS[] = {"s3", "dynamodb"};

static const Field FLOW_LOG_FIELDS[] = {
    {"traffic", F_ENUM, offsetof(FlowLogs, traffic), .values = TRAFFIC, .def = "ALL",
     .doc = "the traffic logged: ACCEPT (allowed), REJECT (refused) or ALL"},
    {"retention", F_INT, offsetof(FlowLogs, retention), .def = "30", .min = 1, .max = 3653,
     .doc = "days the log group keeps them (a CloudWatch retention value)"},
};
static const Shape SHAPE_FLOW_LOGS =
    SHAPE(FlowLogs, "flow logs", FLOW_LOG_FIELDS, .key_offset = NO_KEY);

static const Field VPC_FIELDS[] = {
    {"name", F_STR, offsetof(Vpc, name), .def = "PROJECT-STAGE-KEY", .computed = true,
     .doc = "its Name tag (1 to 255 letters, digits, '-', '_', '.')"},
    {"cidr", F_STR, offsetof(Vpc, cidr), .required = true,
     .doc = "its IPv4 block, A.B.C.D/P with P 16 to 28"},
    {"zones", F_INT, offsetof(Vpc, zones), .def = "2", .min = 1, .max = 6,
     .doc = "availability zones: the region's first ones, a public and a private subnet each"},
    {"nat_gateways", F_INT, offsetof(Vpc, nat_gateways), .def = "1 (zones in production)",
     .computed = true, .min = 0, .max = 6,
     .doc = "NAT gateways for the private subnets' egress, 0 to zones; 0: no internet"},
    {"subnet_mask", F_INT, offsetof(Vpc, subnet_mask), .def = "24", .min = 16, .max = 28,
     .doc = "prefix length of every subnet"},
    {"endpoints", F_STRLIST, offsetof(Vpc, endpoints), .def = "[s3, dynamodb]", .computed = true,
     .doc = "gateway endpoints on the private route tables: s3, dynamodb"},
    {"flow_logs", F_STRUCT, offsetof(Vpc, flow_logs), .shape = &SHAPE_FLOW_LOGS,
     .doc = "log the VPC's traffic to a CloudWatch log group"},
    ITEM_FIELDS(Vpc),
};
static const Shape SHAPE_VPC = SHAPE(Vpc, "vpc", VPC_FIELDS, .key_offset = offsetof(Vpc, key));

/* ---- check ---- */

/* The block read, of a size EC2 accepts, without host bits (the fix says
 * the block the text probably meant). */
static bool check_cidr(Ctx *ctx, Vpc *v) {
  Pos at = check_pos(v->node, "cidr");
  const char *why = cidr_parse(v->cidr, &v->block);
  if (why) {
    diag_error(ctx, at, LK_VPC_CIDR, "'%s' is not a CIDR block: %s", v->cidr, why);
    return false;
  }
  if (v->block.prefix < 16 || v->block.prefix > 28) {
    diag_error(ctx, at, LK_VPC_CIDR,
               "a VPC's block has a prefix length of 16 to 28; '%s' has %d", v->cidr,
               v->block.prefix);
    return false;
  }
  if (cidr_has_host_bits(v->block)) {
    char buf[19];
    Diag *d = diag_error(ctx, at, LK_VPC_CIDR, "'%s' has address bits set past its /%d prefix",
                         v->cidr, v->block.prefix);
    diag_fixit(ctx, d, cidr_format(cidr_network(v->block), buf));
    return false;
  }
  return true;
}

static void check_subnets_fit(Ctx *ctx, const Vpc *v) {
  const Node *mask = node_get(v->node, "subnet_mask");
  long long written = 0;
  if (mask && (!node_scalar_int(mask, &written) || written != v->subnet_mask))
    return; /* out of range, reported: the default in its place says nothing */
  uint32_t fit = cidr_capacity(v->block, (int)v->subnet_mask);
  if (fit >= (uint32_t)(2 * v->zones))
    return;
  Diag *d = diag_error(
      ctx, check_pos(v->node, node_get(v->node, "subnet_mask") ? "subnet_mask" : "cidr"),
      LK_VPC_SUBNETS, "vpc '%s' needs %lld subnets of /%lld (a public and a private one per zone), "
      "and its block %s holds %u",
      v->key, 2 * v->zones, v->subnet_mask, v->cidr, fit);
  int largest = v->block.prefix;
  while (cidr_capacity(v->block, largest) < (uint32_t)(2 * v->zones))
    largest++;
  if (largest <= 28)
    diag_note(ctx, d, (Pos){0}, "'subnet_mask: %d' would fit, or a larger block", largest);
}

static void check_nat(Ctx *ctx, const Model *m, Vpc *v) {
  if (!node_get(v->node, "nat_gateways"))
    v->nat_gateways = m->production ? v->zones : 1;
  Pos at = check_pos(v->node, "nat_gateways");
  if (v->nat_gateways > v->zones)
    diag_error(ctx, at, LK_VPC_NAT,
               "vpc '%s' has %lld zones: it takes at most %lld NAT gateways (one per zone), "
               "not %lld",
               v->key, v->zones, v->zones, v->nat_gateways);
  else if (m->production && v->nat_gateways < v->zones)
    diag_warning(ctx, at, LK_VPC_ONE_NAT,
                 "vpc '%s' of a production stage has %lld NAT gateway%s for %lld zones: a "
                 "failing zone takes the private subnets' egress of others with it",
                 v->key, v->nat_gateways, v->nat_gateways == 1 ? "" : "s", v->zones);
}

/* Each endpoint named once, among those lakec makes; none written: both. */
static void check_endpoints(Ctx *ctx, Vpc *v) {
  const Node *list = node_get(v->node, "endpoints");
  if (!list) {
    v->s3 = v->dynamodb = true;
    return;
  }
  for (size_t i = 0; i < v->endpoints.len; i++) {
    const char *e = v->endpoints.items[i];
    Pos at = list->kind == NODE_SEQ && i < list->count ? list->items[i]->pos : list->pos;
    bool *has = !strcmp(e, "s3") ? &v->s3 : !strcmp(e, "dynamodb") ? &v->dynamodb : NULL;
    if (!has) {
      Diag *d = diag_error(ctx, at, LK_BAD_ENUM,
                           "'%s' is not a gateway endpoint lakec makes: s3 or dynamodb", e);
      const char *near = suggest_closest(e, ENDPOINTS, COUNT(ENDPOINTS));
      if (near)
        diag_fixit(ctx, d, near);
    } else if (*has) {
      diag_error(ctx, at, LK_DUPLICATE, "endpoint '%s' is listed twice", e);
    }
    if (has)
      *has = true;
  }
}

static void vpc_check(Ctx *ctx, Model *m, const Construct *self) {
  StrIndex names = {0};
  for (size_t i = 0; i < construct_count(m, self); i++) {
    Vpc *v = construct_item_mut(m, self, i);
    if (!v->name)
      v->name = check_default_name(ctx, m, v->key);
    check_name(ctx, v->node, "name", v->name, awsname_vpc, LK_VPC_CIDR, "VPC name");
    check_unique_name(ctx, &names, self, (const Item *)v, v->name);
    if (v->cidr && check_cidr(ctx, v))
      check_subnets_fit(ctx, v);
    check_nat(ctx, m, v);
    check_endpoints(ctx, v);
    if (v->flow_logs.node)
      check_log_retention_at(ctx, v->flow_logs.node, "retention", v->flow_logs.retention);
  }
}

/* ---- what others ask ---- */

long long vpc_zones(const void *vpc) { return ((const Vpc *)vpc)->zones; }

long long vpc_nat_gateways(const void *vpc) { return ((const Vpc *)vpc)->nat_gateways; }

bool vpc_tier_has_internet(const void *vpc, int tier) {
  return tier == SUBNETS_PUBLIC || ((const Vpc *)vpc)->nat_gateways > 0;
}

bool vpc_has_endpoint(const void *vpc, const char *service) {
  const Vpc *v = vpc;
  return !strcmp(service, "s3") ? v->s3 : !strcmp(service, "dynamodb") ? v->dynamodb : false;
}

static const char *tier_name(int tier) { return tier == SUBNETS_PUBLIC ? "public" : "private"; }

json_t *vpc_subnet_ids(Ctx *ctx, Ir *ir, const void *vpc, int tier) {
  json_t *ids = json_array();
  for (long long z = 0; z < vpc_zones(vpc); z++)
    json_array_append_new(
        ids, construct_ref(ctx, ir, &construct_vpc, vpc,
                           arena_printf(&ctx->arena, "%s_subnet.%lld", tier_name(tier), z)));
  return ids;
}

/* ---- a function placed in a vpc ---- */

/* The gateway endpoint that serves a grant's calls from inside the vpc, by
 * the construct offering its verb, or NULL: it needs the internet. */
static const char *grant_endpoint(const Grant *g) {
  const char *owner = g->owner ? g->owner->key : "";
  if (!strcmp(owner, "buckets") || !strcmp(owner, "datasets"))
    return "s3";
  if (!strcmp(owner, "tables"))
    return "dynamodb";
  return NULL;
}

/* Whether the function's own `grants:` list holds g. A grant another
 * construct adds for its event source mapping (a queue's consumer, a Kafka
 * topic's) is used by Lambda's pollers, which run outside the function. */
static bool written_in_grants(const Function *f, const Grant *g) {
  const Node *list = node_get(f->node, "grants");
  for (size_t i = 0; list && list->kind == NODE_SEQ && i < list->count; i++)
    if (list->items[i] == g->node)
      return true;
  return false;
}

/* Private subnets without NAT reach only the vpc's gateway endpoints. */
static void check_function_egress(Ctx *ctx, const Function *f, const Vpc *v) {
  if (f->vpc.subnets != SUBNETS_PRIVATE || vpc_tier_has_internet(v, SUBNETS_PRIVATE))
    return;
  for (size_t i = 0; i < f->grants.len; i++) {
    const Grant *g = &f->grants.items[i];
    if (!written_in_grants(f, g))
      continue;
    const char *endpoint = grant_endpoint(g);
    if (!g->verb || (endpoint && vpc_has_endpoint(v, endpoint)))
      continue; /* a grant not resolved is reported already */
    Diag *d = diag_error(ctx, f->vpc.node->pos, LK_NO_EGRESS,
                         "function '%s' runs in the private subnets of vpc '%s', which have no "
                         "NAT gateway, and calls AWS for its grants: it would not reach %s",
                         f->key, v->key,
                         endpoint ? arena_printf(&ctx->arena, "%s (vpc '%s' has no %s endpoint)",
                                                 endpoint, v->key, endpoint)
                                  : "the service of this grant");
    diag_note(ctx, d, check_pos(v->node, "nat_gateways"),
              "vpc '%s' has 'nat_gateways: 0'", v->key);
    diag_note(ctx, d, g->node ? g->node->pos : (Pos){0}, "this grant calls it");
    return;
  }
}

/* Each group exists and is in the function's vpc. */
static void check_function_groups(Ctx *ctx, const Model *m, const Function *f, const Vpc *v) {
  const Node *list = node_get(f->vpc.node, "security_groups");
  if (list && !f->vpc.security_groups.len)
    diag_error(ctx, list->pos, LK_OUT_OF_RANGE,
               "function '%s' in a VPC needs at least one security group", f->key);
  for (size_t i = 0; i < f->vpc.security_groups.len; i++) {
    const char *key = f->vpc.security_groups.items[i];
    Pos at = list->kind == NODE_SEQ && i < list->count ? list->items[i]->pos : list->pos;
    const void *g = construct_resolve(ctx, m, &construct_security_group, key, at);
    const Vpc *in = g ? security_group_vpc(g) : NULL;
    if (!in || !v || in == v)
      continue;
    Diag *d = diag_error(ctx, at, LK_OTHER_VPC,
                         "security group '%s' is in vpc '%s', not in vpc '%s' where function "
                         "'%s' runs",
                         key, in->key, v->key, f->key);
    diag_note(ctx, d, check_pos(((const Item *)g)->node, "vpc"), "'%s' is placed here", key);
  }
}

void vpc_check_function(Ctx *ctx, const Model *m, Function *f) {
  VpcPlacement *p = &f->vpc;
  if (!p->node || !p->vpc)
    return;
  const Vpc *v = construct_resolve(ctx, m, &construct_vpc, p->vpc, check_pos(p->node, "vpc"));
  p->target = v;
  check_function_groups(ctx, m, f, v);
  if (!v)
    return;
  if (p->subnets == SUBNETS_PUBLIC)
    diag_warning(ctx, check_pos(p->node, "subnets"), LK_PUBLIC_FUNCTION,
                 "function '%s' in public subnets has no public IP address (Lambda gives it "
                 "none): it reaches neither the internet nor AWS's APIs",
                 f->key);
  check_function_egress(ctx, f, v);
}

/* ---- references: "id", "cidr", "private_subnet.N", "public_subnet.N" ---- */

/* Logical ids count zones from 1, as people do ("MainPrivateSubnet1"). */
static const char *subnet_id(Ctx *ctx, const Vpc *v, int tier, long long zone) {
  return lid(ctx, v->key,
             arena_printf(&ctx->arena, "%sSubnet%lld", tier == SUBNETS_PUBLIC ? "Public" : "Private",
                          zone + 1));
}

/* "private_subnet.N" -> the zone N, or -1 when `what` is not of that tier. */
static long long subnet_zone(const Vpc *v, const char *what, const char *tier) {
  size_t n = strlen(tier);
  if (strncmp(what, tier, n) || strncmp(what + n, "_subnet.", 8))
    return -1;
  char *end;
  long long zone = strtoll(what + n + 8, &end, 10);
  return *end || zone < 0 || zone >= v->zones ? -1 : zone;
}

static bool vpc_ref(Ctx *ctx, const void *item, const char *what, RefSpec *out) {
  const Vpc *v = item;
  out->id = lid(ctx, v->key, "Vpc");
  if (!strcmp(what, "id"))
    return true;
  if (!strcmp(what, "cidr")) {
    out->attr = "CidrBlock";
    out->literal = json_string(v->cidr);
    return true;
  }
  for (int tier = SUBNETS_PRIVATE; tier <= SUBNETS_PUBLIC; tier++) {
    long long zone = subnet_zone(v, what, tier_name(tier));
    if (zone >= 0) {
      out->id = subnet_id(ctx, v, tier, zone);
      return true;
    }
  }
  return false;
}

/* ---- lower ---- */

static json_t *name_tag(const char *name) {
  return J("[{s:s, s:s}]", "Key", "Name", "Value", name);
}

static void lower_subnet(Ctx *ctx, Ir *ir, const Vpc *v, int tier, long long zone) {
  uint32_t index = (uint32_t)(tier == SUBNETS_PUBLIC ? zone : v->zones + zone);
  char block[19];
  cidr_format(cidr_subnet(v->block, (int)v->subnet_mask, index), block);
  ir_add(ctx, ir, subnet_id(ctx, v, tier, zone), "AWS::EC2::Subnet",
         J("{s:o, s:s, s:{s:[I,{s:s}]}, s:b, s:o}", "VpcId", cfn_ref(lid(ctx, v->key, "Vpc")),
           "CidrBlock", block, "AvailabilityZone", "Fn::Select", (json_int_t)zone, "Fn::GetAZs",
           "", "MapPublicIpOnLaunch", 0, "Tags",
           name_tag(arena_printf(&ctx->arena, "%s-%s-%lld", v->name, tier_name(tier), zone + 1))));
}

static void lower_association(Ctx *ctx, Ir *ir, const char *subnet, const char *table) {
  ir_add(ctx, ir, arena_printf(&ctx->arena, "%sRouteTableAssociation", subnet),
         "AWS::EC2::SubnetRouteTableAssociation",
         J("{s:o, s:o}", "SubnetId", cfn_ref(subnet), "RouteTableId", cfn_ref(table)));
}

static const char *lower_route_table(Ctx *ctx, Ir *ir, const Vpc *v, const char *id,
                                     const char *name) {
  ir_add(ctx, ir, id, "AWS::EC2::RouteTable",
         J("{s:o, s:o}", "VpcId", cfn_ref(lid(ctx, v->key, "Vpc")), "Tags", name_tag(name)));
  return id;
}

/* The internet gateway, and the public subnets' one table routing to it
 * (once the gateway is attached: a route to a detached gateway fails). */
static void lower_public(Ctx *ctx, Ir *ir, const Vpc *v) {
  const char *vpc = lid(ctx, v->key, "Vpc"), *igw = lid(ctx, v->key, "InternetGateway");
  const char *attachment = lid(ctx, v->key, "GatewayAttachment");
  ir_add(ctx, ir, igw, "AWS::EC2::InternetGateway", J("{s:o}", "Tags", name_tag(v->name)));
  ir_add(ctx, ir, attachment, "AWS::EC2::VPCGatewayAttachment",
         J("{s:o, s:o}", "VpcId", cfn_ref(vpc), "InternetGatewayId", cfn_ref(igw)));
  const char *table = lower_route_table(ctx, ir, v, lid(ctx, v->key, "PublicRouteTable"),
                                        arena_printf(&ctx->arena, "%s-public", v->name));
  IrResource *route = ir_add(ctx, ir, lid(ctx, v->key, "PublicDefaultRoute"), "AWS::EC2::Route",
                             J("{s:o, s:s, s:o}", "RouteTableId", cfn_ref(table),
                               "DestinationCidrBlock", "0.0.0.0/0", "GatewayId", cfn_ref(igw)));
  ir_depends_on(ctx, route, attachment);
  for (long long z = 0; z < v->zones; z++) {
    lower_subnet(ctx, ir, v, SUBNETS_PUBLIC, z);
    lower_association(ctx, ir, subnet_id(ctx, v, SUBNETS_PUBLIC, z), table);
  }
}

/* NAT gateway n (from 0) in zone n's public subnet, with its address. */
static const char *lower_nat(Ctx *ctx, Ir *ir, const Vpc *v, long long n) {
  const char *eip = lid(ctx, v->key, arena_printf(&ctx->arena, "Nat%lldAddress", n + 1));
  const char *nat = lid(ctx, v->key, arena_printf(&ctx->arena, "NatGateway%lld", n + 1));
  const char *name = arena_printf(&ctx->arena, "%s-nat-%lld", v->name, n + 1);
  IrResource *address = ir_add(ctx, ir, eip, "AWS::EC2::EIP",
                               J("{s:s, s:o}", "Domain", "vpc", "Tags", name_tag(name)));
  ir_depends_on(ctx, address, lid(ctx, v->key, "GatewayAttachment"));
  ir_add(ctx, ir, nat, "AWS::EC2::NatGateway",
         J("{s:o, s:o, s:o}", "AllocationId", cfn_getatt(eip, "AllocationId"), "SubnetId",
           cfn_ref(subnet_id(ctx, v, SUBNETS_PUBLIC, n)), "Tags", name_tag(name)));
  return nat;
}

/* One private table per NAT gateway (one without a default route when
 * there is none); zone z uses table z mod count. Returns the tables' ids. */
static json_t *lower_private(Ctx *ctx, Ir *ir, const Vpc *v) {
  long long tables = v->nat_gateways ? v->nat_gateways : 1;
  json_t *ids = json_array();
  for (long long t = 0; t < tables; t++) {
    const char *table = lower_route_table(
        ctx, ir, v, lid(ctx, v->key, arena_printf(&ctx->arena, "PrivateRouteTable%lld", t + 1)),
        arena_printf(&ctx->arena, "%s-private-%lld", v->name, t + 1));
    json_array_append_new(ids, cfn_ref(table));
    if (!v->nat_gateways)
      continue;
    const char *nat = lower_nat(ctx, ir, v, t);
    ir_add(ctx, ir, lid(ctx, v->key, arena_printf(&ctx->arena, "PrivateDefaultRoute%lld", t + 1)),
           "AWS::EC2::Route",
           J("{s:o, s:s, s:o}", "RouteTableId", cfn_ref(table), "DestinationCidrBlock",
             "0.0.0.0/0", "NatGatewayId", cfn_ref(nat)));
  }
  for (long long z = 0; z < v->zones; z++) {
    lower_subnet(ctx, ir, v, SUBNETS_PRIVATE, z);
    lower_association(ctx, ir, subnet_id(ctx, v, SUBNETS_PRIVATE, z),
                      json_string_value(json_object_get(json_array_get(ids, z % tables), "Ref")));
  }
  return ids;
}

static void lower_endpoint(Ctx *ctx, Ir *ir, const Vpc *v, const char *service,
                           const char *suffix, json_t *tables) {
  ir_add(ctx, ir, lid(ctx, v->key, suffix), "AWS::EC2::VPCEndpoint",
         J("{s:o, s:s, s:o, s:O}", "ServiceName",
           cfn_subf("com.amazonaws.${AWS::Region}.%s", service), "VpcEndpointType", "Gateway",
           "VpcId", cfn_ref(lid(ctx, v->key, "Vpc")), "RouteTableIds", tables));
}

/* Logs are data: a production stage keeps them when the stack goes. */
static void lower_flow_logs(Ctx *ctx, Ir *ir, const Model *m, const Vpc *v) {
  const char *group = lid(ctx, v->key, "FlowLogGroup");
  IrResource *g = ir_add(ctx, ir, group, "AWS::Logs::LogGroup",
                         J("{s:s, s:I}", "LogGroupName",
                           arena_printf(&ctx->arena, "/aws/vpc/%s/flow-logs", v->name),
                           "RetentionInDays", (json_int_t)v->flow_logs.retention));
  ir_set_policy(g, m->production ? "Retain" : "Delete");
  const char *role = iam_role(
      ctx, ir, lid(ctx, v->key, "FlowLogRole"), "vpc-flow-logs.amazonaws.com",
      J("[o]", iam_statement("WriteFlowLogs",
                             J("[s,s,s]", "logs:CreateLogStream", "logs:PutLogEvents",
                               "logs:DescribeLogStreams"),
                             cfn_getatt(group, "Arn"))));
  ir_add(ctx, ir, lid(ctx, v->key, "FlowLog"), "AWS::EC2::FlowLog",
         J("{s:o, s:s, s:s, s:s, s:o, s:o}", "ResourceId", cfn_ref(lid(ctx, v->key, "Vpc")),
           "ResourceType", "VPC", "TrafficType", TRAFFIC[v->flow_logs.traffic],
           "LogDestinationType", "cloud-watch-logs", "LogGroupName", cfn_ref(group),
           "DeliverLogsPermissionArn", cfn_getatt(role, "Arn")));
}

static void vpc_lower(Ctx *ctx, Ir *ir, const Model *m, const void *item) {
  const Vpc *v = item;
  const char *vpc = lid(ctx, v->key, "Vpc");
  ir_add(ctx, ir, vpc, "AWS::EC2::VPC",
         J("{s:s, s:b, s:b, s:o}", "CidrBlock", v->cidr, "EnableDnsSupport", 1,
           "EnableDnsHostnames", 1, "Tags", name_tag(v->name)));
  lower_public(ctx, ir, v);
  json_t *tables = lower_private(ctx, ir, v);
  if (v->s3)
    lower_endpoint(ctx, ir, v, "s3", "S3Endpoint", tables);
  if (v->dynamodb)
    lower_endpoint(ctx, ir, v, "dynamodb", "DynamodbEndpoint", tables);
  json_decref(tables);
  if (v->flow_logs.node)
    lower_flow_logs(ctx, ir, m, v);
  ir_output(ctx, ir, lid(ctx, v->key, "VpcId"), cfn_ref(vpc),
            arena_printf(&ctx->arena, "ID of vpc '%s'", v->key));
}

static const TagRule VPC_TAGS[] = {
    {"AWS::EC2::VPC", "Tags", TAGS_LIST},         {"AWS::EC2::InternetGateway", "Tags", TAGS_LIST},
    {"AWS::EC2::Subnet", "Tags", TAGS_LIST},      {"AWS::EC2::RouteTable", "Tags", TAGS_LIST},
    {"AWS::EC2::EIP", "Tags", TAGS_LIST},         {"AWS::EC2::NatGateway", "Tags", TAGS_LIST},
    {"AWS::EC2::VPCEndpoint", "Tags", TAGS_LIST}, {"AWS::EC2::FlowLog", "Tags", TAGS_LIST},
    {"AWS::Logs::LogGroup", "Tags", TAGS_LIST},   {"AWS::IAM::Role", "Tags", TAGS_LIST},
    {NULL, NULL, 0},
};

const Construct construct_vpc = {
    .key = "vpcs",
    .kind = "vpc",
    .doc = "VPCs with public and private subnets per zone, by key",
    .shape = &SHAPE_VPC,
    .check = vpc_check,
    .lower = vpc_lower,
    .ref = vpc_ref,
    .tags = VPC_TAGS,
    .codes = VPC_CODES,
};
