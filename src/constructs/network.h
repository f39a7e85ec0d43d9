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

#endif
