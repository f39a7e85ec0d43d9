/* network.h: what the network constructs (vpcs, security_groups) tell the
 * constructs that place things in them (functions, kafka clusters).
 *
 * References (construct_ref / construct_sub):
 *   vpcs.KEY:             "id" (the VPC id), "private_subnet.N" and
 *                         "public_subnet.N" (the subnet of zone N, from 0),
 *                         "cidr"
 *   security_groups.KEY:  "id" (the group id) */
#ifndef LAKEC_NETWORK_H
#define LAKEC_NETWORK_H

#include "../construct.h"

/* Codes the network constructs share: a group of another VPC than the one
 * its user is in (security_group.c explains it). */
#define LK_OTHER_VPC "LK329"

extern const Construct construct_vpc, construct_security_group;

/* How many availability zones a vpc item spans. */
long long vpc_zones(const void *vpc);
/* Whether subnets of this tier (SubnetTier) reach the internet: public
 * ones always, private ones through a NAT gateway. */
bool vpc_tier_has_internet(const void *vpc, int tier);
/* A new JSON array of the ids (references) of the tier's subnets, one per zone. */
json_t *vpc_subnet_ids(Ctx *ctx, Ir *ir, const void *vpc, int tier);
/* Whether security group `group` admits TCP `port` from group `from`
 * (both keys of `security_groups`; a `self` rule admits the group itself). */
bool security_group_admits(const Model *m, const char *group, const char *from, long long port);
/* Whether the vpc has a gateway endpoint for `service` ("s3", "dynamodb")
 * on its private route tables. */
bool vpc_has_endpoint(const void *vpc, const char *service);
/* How many NAT gateways the vpc has (after check: its default applied). */
long long vpc_nat_gateways(const void *vpc);
/* The vpc item a security group is in, or NULL when it named none that exists. */
const void *security_group_vpc(const void *group);

/* A function's `vpc:` checked (vpc.c): the vpc and the security groups
 * resolved (p->target set), the groups of that vpc, and the egress its
 * grants need (a function in private subnets without NAT reaches only the
 * services whose gateway endpoints the vpc has). */
void vpc_check_function(Ctx *ctx, const Model *m, Function *f);

#endif
