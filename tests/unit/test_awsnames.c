/* awsnames: each service's naming rules. */
#include "support.h"
#include "awsnames.h"

static void s3_buckets(void **state) {
  (void)state;
  assert_null(awsname_s3_bucket("meticsxmin-dev"));
  assert_null(awsname_s3_bucket("a.b-c.123"));
  assert_non_null(awsname_s3_bucket("ab"));
  assert_non_null(awsname_s3_bucket("a234567890123456789012345678901234567890123456789012345678901234"));
  assert_non_null(awsname_s3_bucket("Upper"));
  assert_non_null(awsname_s3_bucket("under_score"));
  assert_non_null(awsname_s3_bucket("-start"));
  assert_non_null(awsname_s3_bucket("end-"));
  assert_non_null(awsname_s3_bucket("two..dots"));
  assert_non_null(awsname_s3_bucket("dot.-dash"));
  assert_non_null(awsname_s3_bucket("10.0.0.1"));
  assert_non_null(awsname_s3_bucket("xn--punycode"));
  assert_non_null(awsname_s3_bucket("sthree-bucket"));
  assert_non_null(awsname_s3_bucket("my-bucket-s3alias"));
  assert_non_null(awsname_s3_bucket("my-bucket--x-s3"));
}

static void glue_lambda_api(void **state) {
  (void)state;
  assert_null(awsname_glue_database("metrics_dev"));
  assert_non_null(awsname_glue_database("metrics-dev"));
  assert_non_null(awsname_glue_database(""));
  assert_null(awsname_glue_crawler("metrics-dev-processed"));
  assert_non_null(awsname_glue_crawler("a/b"));
  assert_null(awsname_lambda_function("metrics-dev_ingest"));
  assert_non_null(awsname_lambda_function("a.b"));
  assert_non_null(awsname_lambda_function(
      "a2345678901234567890123456789012345678901234567890123456789012345"));
  assert_null(awsname_rest_api("orlandoapi_dev"));
  assert_non_null(awsname_rest_api("a{b}"));
  assert_null(awsname_api_stage("prod"));
  assert_non_null(awsname_api_stage("pr od"));
  assert_null(awsname_athena_workgroup("metrics-dev"));
  assert_non_null(awsname_athena_workgroup("a b"));
  assert_null(awsname_vpc("acme-data-dev.vpc_1"));
  assert_non_null(awsname_vpc("acme vpc"));
  assert_non_null(awsname_vpc(""));
  assert_null(awsname_ec2_description("MSK brokers: 9098 (IAM) from [lambda] & self"));
  assert_non_null(awsname_ec2_description("web <public>"));
  assert_non_null(awsname_ec2_description("caf\xc3\xa9"));
}

static void env_tags_keys(void **state) {
  (void)state;
  assert_null(awsname_env_var("SERVICE_NAME"));
  assert_non_null(awsname_env_var("_X"));
  assert_non_null(awsname_env_var("A-B"));
  assert_non_null(awsname_env_var("AWS_SECRET_ACCESS_KEY"));
  assert_null(awsname_tag_key("CostCenter"));
  assert_non_null(awsname_tag_key("aws:cloudformation:x"));
  assert_non_null(awsname_tag_key(""));
  assert_null(awsname_tag_value(""));
  assert_non_null(awsname_tag_value("a;b"));
  assert_null(awsname_construct_key("raw-data_2"));
  assert_non_null(awsname_construct_key("2raw"));
  assert_non_null(awsname_construct_key("a.b"));
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(s3_buckets), cmocka_unit_test(glue_lambda_api),
                                     cmocka_unit_test(env_tags_keys)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
