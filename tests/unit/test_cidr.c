/* cidr: the VPC's CIDR block read, and its subnets' blocks computed. */
#include "support.h"
#include "cidr.h"

#include <string.h>

static void parsed(const char *text, const char *formatted) {
  Cidr c;
  char buf[19];
  const char *why = cidr_parse(text, &c);
  if (why)
    fail_msg("'%s' rejected: %s", text, why);
  assert_string_equal(cidr_format(c, buf), formatted);
}

static void refused(const char *text, const char *why_part) {
  Cidr c;
  const char *why = cidr_parse(text, &c);
  if (!why)
    fail_msg("'%s' accepted", text);
  if (!strstr(why, why_part))
    fail_msg("'%s': '%s' lacks '%s'", text, why, why_part);
}

static void parse(void **state) {
  (void)state;
  parsed("10.0.0.0/16", "10.0.0.0/16");
  parsed("192.168.255.0/24", "192.168.255.0/24");
  parsed("0.0.0.0/0", "0.0.0.0/0");
  refused("10.0.0/16", "four numbers");
  refused("10.0.0.256/16", "four numbers");
  refused("10.0.0.010/16", "four numbers"); /* a leading zero is not guessed */
  refused("10.0.0.0", "ends with '/'");
  refused("10.0.0.0/33", "0 to 32");
  refused("10.0.0.0/16 ", "0 to 32");
  refused("10.0.0.0/", "0 to 32");
  refused("", "four numbers");
}

static void host_bits(void **state) {
  (void)state;
  Cidr c;
  char buf[19];
  assert_null(cidr_parse("10.0.1.0/16", &c));
  assert_true(cidr_has_host_bits(c));
  assert_string_equal(cidr_format(cidr_network(c), buf), "10.0.0.0/16");
  assert_null(cidr_parse("10.0.0.0/16", &c));
  assert_false(cidr_has_host_bits(c));
  assert_null(cidr_parse("10.0.0.1/32", &c));
  assert_false(cidr_has_host_bits(c));
}

static void subnets(void **state) {
  (void)state;
  Cidr c;
  char buf[19];
  assert_null(cidr_parse("10.0.0.0/16", &c));
  assert_int_equal(cidr_capacity(c, 24), 256);
  assert_int_equal(cidr_capacity(c, 16), 1);
  assert_int_equal(cidr_capacity(c, 15), 0);
  assert_string_equal(cidr_format(cidr_subnet(c, 24, 0), buf), "10.0.0.0/24");
  assert_string_equal(cidr_format(cidr_subnet(c, 24, 3), buf), "10.0.3.0/24");
  assert_string_equal(cidr_format(cidr_subnet(c, 20, 2), buf), "10.0.32.0/20");
  assert_string_equal(cidr_format(cidr_subnet(c, 24, 255), buf), "10.0.255.0/24");
  assert_null(cidr_parse("172.16.0.0/26", &c));
  assert_int_equal(cidr_capacity(c, 28), 4);
  assert_string_equal(cidr_format(cidr_subnet(c, 28, 3), buf), "172.16.0.48/28");
  assert_null(cidr_parse("0.0.0.0/0", &c));
  assert_int_equal(cidr_capacity(c, 32), 1u << 31); /* capped */
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(parse), cmocka_unit_test(host_bits),
                                     cmocka_unit_test(subnets)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
