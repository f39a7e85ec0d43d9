/* network: the vpc and security group constructs as the constructs placed in
 * them see them (network.h): zones, egress, subnet ids, what a group admits;
 * the VPC's resources (subnets' blocks, NAT gateways shared round robin, the
 * private tables without NAT, endpoints), and a function's VpcConfig and
 * network-interface statement. */
#include "support.h"
#include "construct.h"
#include "constructs/network.h"

#include <string.h>

static Ctx ctx;
static Ir *ir;
static int setup(void **state) { (void)state; ctx_init(&ctx); ir = NULL; return 0; }
static int teardown(void **state) {
  (void)state;
  ir_free(ir);
  ctx_release(&ctx);
  return 0;
}

#define NETWORK                                                                          \
  MINIMAL_STAGE "vpcs:\n  main: {cidr: 10.0.0.0/16, zones: 3, nat_gateways: 2}\n"         \
  "  dark: {cidr: 10.9.0.0/20, zones: 2, nat_gateways: 0, subnet_mask: 22, endpoints: [s3]}\n" \
  "security_groups:\n"                                                                   \
  "  msk:\n    vpc: main\n    ingress:\n      - {from: lambda, port: 9098}\n"             \
  "      - {from: self, port: 9096, to_port: 9098}\n"                                    \
  "  lambda: {vpc: main}\n"                                                              \
  "functions:\n  worker: {vpc: {vpc: main, security_groups: [lambda, msk]}}\n"

static void what_others_ask(void **state) {
  (void)state;
  Model *m = check_text(&ctx, NETWORK);
  assert_int_equal(ctx.diags.errors, 0);
  const void *main_vpc = construct_find(m, &construct_vpc, "main");
  const void *dark = construct_find(m, &construct_vpc, "dark");
  assert_int_equal(vpc_zones(main_vpc), 3);
  assert_int_equal(vpc_nat_gateways(main_vpc), 2);
  assert_true(vpc_tier_has_internet(main_vpc, SUBNETS_PRIVATE));
  assert_false(vpc_tier_has_internet(dark, SUBNETS_PRIVATE));
  assert_true(vpc_tier_has_internet(dark, SUBNETS_PUBLIC));
  assert_true(vpc_has_endpoint(main_vpc, "dynamodb")); /* both by default */
  assert_true(vpc_has_endpoint(dark, "s3"));
  assert_false(vpc_has_endpoint(dark, "dynamodb"));
  assert_true(security_group_admits(m, "msk", "lambda", 9098));
  assert_false(security_group_admits(m, "msk", "lambda", 9096));
  assert_true(security_group_admits(m, "msk", "msk", 9096)); /* self, a range */
  assert_false(security_group_admits(m, "msk", "msk", 9099));
  assert_false(security_group_admits(m, "lambda", "msk", 9098));
  assert_ptr_equal(security_group_vpc(construct_find(m, &construct_security_group, "lambda")),
                   main_vpc);
  const Function *f = construct_find(m, &construct_function, "worker");
  assert_ptr_equal(f->vpc.target, main_vpc);
}

static void subnets_nat_and_routes(void **state) {
  (void)state;
  ir = lower_text(&ctx, NETWORK);
  assert_string_equal(res_str(ir, "MainPublicSubnet1", "Properties.CidrBlock"), "10.0.0.0/24");
  assert_string_equal(res_str(ir, "MainPublicSubnet3", "Properties.CidrBlock"), "10.0.2.0/24");
  assert_string_equal(res_str(ir, "MainPrivateSubnet1", "Properties.CidrBlock"), "10.0.3.0/24");
  assert_string_equal(res_str(ir, "MainPrivateSubnet3", "Properties.CidrBlock"), "10.0.5.0/24");
  assert_string_equal(res_str(ir, "DarkPrivateSubnet2", "Properties.CidrBlock"), "10.9.12.0/22");
  assert_int_equal(json_integer_value(res_get(ir, "MainPrivateSubnet3",
                                              "Properties.AvailabilityZone.Fn::Select.0")), 2);
  /* two NAT gateways in the first two zones; zone 3 shares the first's table */
  assert_string_equal(res_str(ir, "MainNatGateway2", "Properties.SubnetId.Ref"),
                      "MainPublicSubnet2");
  assert_null(ir_find(ir, "MainNatGateway3"));
  assert_string_equal(res_str(ir, "MainPrivateSubnet3RouteTableAssociation",
                              "Properties.RouteTableId.Ref"), "MainPrivateRouteTable1");
  assert_string_equal(res_str(ir, "MainPrivateSubnet2RouteTableAssociation",
                              "Properties.RouteTableId.Ref"), "MainPrivateRouteTable2");
  assert_string_equal(res_str(ir, "MainPrivateDefaultRoute2", "Properties.NatGatewayId.Ref"),
                      "MainNatGateway2");
  /* no NAT: one private table, no default route, no NAT, its one endpoint */
  assert_non_null(ir_find(ir, "DarkPrivateRouteTable1"));
  assert_null(ir_find(ir, "DarkPrivateRouteTable2"));
  assert_null(ir_find(ir, "DarkPrivateDefaultRoute1"));
  assert_null(ir_find(ir, "DarkNatGateway1"));
  assert_non_null(ir_find(ir, "DarkS3Endpoint"));
  assert_null(ir_find(ir, "DarkDynamodbEndpoint"));
  assert_int_equal(json_array_size(res_get(ir, "MainS3Endpoint", "Properties.RouteTableIds")), 2);
  assert_null(ir_find(ir, "MainFlowLog")); /* not asked */
}

static void groups_and_function(void **state) {
  (void)state;
  ir = lower_text(&ctx, NETWORK);
  assert_string_equal(res_str(ir, "MskFromLambda9098", "Properties.SourceSecurityGroupId.Fn::GetAtt.0"),
                      "LambdaSecurityGroup");
  assert_string_equal(res_str(ir, "MskFromSelf9096To9098", "Properties.SourceSecurityGroupId.Fn::GetAtt.0"),
                      "MskSecurityGroup");
  assert_null(res_get(ir, "MskSecurityGroup", "Properties.GroupName"));
  assert_string_equal(res_str(ir, "MskSecurityGroup", "Properties.SecurityGroupEgress.0.IpProtocol"), "-1");
  json_t *config = res_get(ir, "WorkerFunction", "Properties.VpcConfig");
  assert_string_equal(json_text(&ctx, config),
                      "{\"SecurityGroupIds\":[{\"Fn::GetAtt\":[\"LambdaSecurityGroup\",\"GroupId\"]},"
                      "{\"Fn::GetAtt\":[\"MskSecurityGroup\",\"GroupId\"]}],"
                      "\"SubnetIds\":[{\"Ref\":\"MainPrivateSubnet1\"},{\"Ref\":\"MainPrivateSubnet2\"},"
                      "{\"Ref\":\"MainPrivateSubnet3\"}]}");
  json_t *st = res_get(ir, "WorkerFunctionRole", "Properties.Policies.0.PolicyDocument.Statement");
  const char *text = json_text(&ctx, st);
  assert_non_null(strstr(text, "\"ec2:CreateNetworkInterface\""));
  assert_non_null(strstr(text, "\"Sid\":\"NetworkInterfaces\""));
  const char *metadata = json_text(&ctx, ir_find(ir, "WorkerFunctionRole")->metadata);
  assert_non_null(strstr(metadata, "Serverless-LambdaStarPermissions"));
}

/* A function `a` with these grants in the private subnets of a vpc without
 * NAT whose one endpoint is dynamodb, checked afresh. */
static void check_dark_function(const char *grants) {
  ctx_release(&ctx);
  ctx_init(&ctx);
  check_text(&ctx, arena_printf(&ctx.arena, MINIMAL_STAGE
      "vpcs:\n  dark: {cidr: 10.9.0.0/16, nat_gateways: 0, endpoints: [dynamodb]}\n"
      "security_groups:\n  fn: {vpc: dark}\n"
      "tables:\n  t: {partition_key: id}\nqueues:\n  q: {}\n"
      "functions:\n  a: {vpc: {vpc: dark, security_groups: [fn]}, grants: [%s]}\n", grants));
}

/* The egress rule: grants only an endpoint of the vpc serves pass. */
static void egress_without_nat(void **state) {
  (void)state;
  check_dark_function("{write_table: t}");
  assert_int_equal(ctx.diags.errors, 0);
  check_dark_function("{write_table: t}, {send: q}");
  assert_true(has_diag(&ctx, "LK333", "no NAT gateway"));
  check_dark_function(""); /* no grant: nothing to reach */
  assert_int_equal(ctx.diags.errors, 0);
  check_dark_function("{send: nowhere}"); /* reported as undefined only */
  assert_false(has_diag(&ctx, "LK333", ""));
  assert_true(has_diag(&ctx, "LK301", "nowhere"));
  /* a queue's consumer: Lambda's pollers receive its messages, not the function */
  ctx_release(&ctx);
  ctx_init(&ctx);
  check_text(&ctx, MINIMAL_STAGE
      "vpcs:\n  dark: {cidr: 10.9.0.0/16, nat_gateways: 0}\n"
      "security_groups:\n  fn: {vpc: dark}\nqueues:\n  q: {consumer: a}\n"
      "functions:\n  a: {vpc: {vpc: dark, security_groups: [fn]}}\n");
  assert_false(has_diag(&ctx, "LK333", ""));
  assert_int_equal(ctx.diags.errors, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(what_others_ask, setup, teardown),
      cmocka_unit_test_setup_teardown(subnets_nat_and_routes, setup, teardown),
      cmocka_unit_test_setup_teardown(groups_and_function, setup, teardown),
      cmocka_unit_test_setup_teardown(egress_without_nat, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
