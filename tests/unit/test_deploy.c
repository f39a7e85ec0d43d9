/* deploy: where credentials come from (environment, shared files, profiles)
 * and the reading of the Query API's XML answers. The calls themselves are
 * tested against moto (tests/integration/lakec_deploy.py). */
#include "support.h"
#include "cfn.h"
#include "credentials.h"
#include "xmltree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/lakec-credentials-XXXXXX";

static void write_file(const char *name, const char *text) {
  char path[256];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

static int setup(void **state) {
  (void)state;
  if (!mkdtemp(dir))
    return -1;
  write_file("credentials", "# keys\n[default]\naws_access_key_id = AKIADEFAULT\n"
                            "aws_secret_access_key=default-secret\n\n"
                            "[ci]\n  aws_access_key_id =AKIACI  \naws_secret_access_key = ci-secret\n"
                            "aws_session_token = ci-token\n"
                            "[mixed]\naws_access_key_id = AKIAMIXED\n");
  write_file("config", "[default]\nregion = eu-west-1\n; a comment\n[profile ci]\nregion = eu-central-1\n"
                       "[ci]\nregion = wrong-section\n"
                       "[profile mixed]\naws_secret_access_key = config-secret\n"
                       "[profile role]\nrole_arn = arn:aws:iam::123456789012:role/r\n"
                       "source_profile = default\n"
                       "[profile tool]\ncredential_process = /usr/bin/get-keys\n"
                       "[profile sso]\nsso_session = corp\n");
  char path[256];
  snprintf(path, sizeof path, "%s/credentials", dir);
  setenv("AWS_SHARED_CREDENTIALS_FILE", path, 1);
  snprintf(path, sizeof path, "%s/config", dir);
  setenv("AWS_CONFIG_FILE", path, 1);
  unsetenv("AWS_REGION");
  unsetenv("AWS_DEFAULT_REGION");
  unsetenv("AWS_PROFILE");
  unsetenv("AWS_SESSION_TOKEN");
  return 0;
}

static int teardown(void **state) {
  (void)state;
  char path[256];
  snprintf(path, sizeof path, "%s/credentials", dir);
  unlink(path);
  snprintf(path, sizeof path, "%s/config", dir);
  unlink(path);
  rmdir(dir);
  return 0;
}

static void environment_first(void **state) {
  (void)state;
  setenv("AWS_ACCESS_KEY_ID", "AKIAENV", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "env-secret", 1);
  setenv("AWS_REGION", "us-west-2", 1);
  Credentials c;
  char why[300];
  assert_true(credentials_find(NULL, &c, why, sizeof why));
  assert_string_equal(c.key, "AKIAENV");
  assert_string_equal(c.secret, "env-secret");
  assert_string_equal(c.token, "");
  assert_string_equal(c.region, "us-west-2");
  /* --profile wins over the environment's keys (the region stays the environment's) */
  assert_true(credentials_find("ci", &c, why, sizeof why));
  assert_string_equal(c.key, "AKIACI");
  assert_string_equal(c.token, "ci-token");
  assert_string_equal(c.region, "us-west-2");
  unsetenv("AWS_ACCESS_KEY_ID");
  unsetenv("AWS_SECRET_ACCESS_KEY");
  unsetenv("AWS_REGION");
}

static void profiles_from_files(void **state) {
  (void)state;
  Credentials c;
  char why[300];
  assert_true(credentials_find(NULL, &c, why, sizeof why));
  assert_string_equal(c.key, "AKIADEFAULT");
  assert_string_equal(c.region, "eu-west-1");
  assert_string_equal(c.source, "profile 'default'");
  setenv("AWS_PROFILE", "ci", 1);
  assert_true(credentials_find(NULL, &c, why, sizeof why));
  assert_string_equal(c.key, "AKIACI");
  assert_string_equal(c.secret, "ci-secret");
  assert_string_equal(c.region, "eu-central-1"); /* [profile ci] of config, not [ci] */
  unsetenv("AWS_PROFILE");
  assert_false(credentials_find("nobody", &c, why, sizeof why));
  assert_non_null(strstr(why, "profile 'nobody'"));
  /* a key of one file is never paired with a secret of the other */
  assert_false(credentials_find("mixed", &c, why, sizeof why));
  assert_non_null(strstr(why, "no AWS credentials"));
  /* what lakec cannot do yet is said, not taken for missing credentials */
  assert_false(credentials_find("role", &c, why, sizeof why));
  assert_non_null(strstr(why, "profile 'role' gets its credentials from an assumed role "
                              "(role_arn), which lakec does not support yet"));
  assert_false(credentials_find("tool", &c, why, sizeof why));
  assert_non_null(strstr(why, "credential process (credential_process)"));
  assert_false(credentials_find("sso", &c, why, sizeof why));
  assert_non_null(strstr(why, "IAM Identity Center (sso_session)"));
}

static void query_answers(void **state) {
  (void)state;
  const char *answer =
      "<DescribeStacksResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\">"
      "<DescribeStacksResult><Stacks><member><StackName>s</StackName>"
      "<StackStatus>CREATE_COMPLETE</StackStatus><Outputs>"
      "<member><OutputKey>A</OutputKey><OutputValue>x &amp; y</OutputValue></member>"
      "<member><OutputKey>B</OutputKey><OutputValue>z</OutputValue></member>"
      "</Outputs></member></Stacks></DescribeStacksResult></DescribeStacksResponse>";
  XmlNode *root = xml_parse(answer, strlen(answer));
  assert_non_null(root);
  assert_string_equal(root->name, "DescribeStacksResponse"); /* the namespace dropped */
  const XmlNode *stack = xml_at(root, "DescribeStacksResult/Stacks/member");
  assert_string_equal(xml_text(stack, "StackStatus"), "CREATE_COMPLETE");
  const XmlNode *outputs = xml_at(stack, "Outputs");
  assert_int_equal(outputs->len, 2);
  assert_string_equal(xml_text(outputs->children[0], "OutputValue"), "x & y");
  assert_string_equal(xml_text(stack, "Missing/Path"), "");
  assert_string_equal(xml_find(root, "OutputKey")->text, "A");
  xml_free(root);
  const char *error = "<ErrorResponse><Error><Code>ValidationError</Code>"
                      "<Message>Stack with id s does not exist</Message></Error></ErrorResponse>";
  root = xml_parse(error, strlen(error));
  assert_string_equal(xml_text(xml_find(root, "Error"), "Code"), "ValidationError");
  xml_free(root);
  assert_null(xml_parse("<a><b></a>", 10));
  assert_null(xml_parse("", 0));
}

/* A poll's pause: doubling to 5 s; after throttling or a 5xx, longer, up to
 * 20 s, or what Retry-After says (the deploy goes on being followed). */
static void polling_backoff(void **state) {
  (void)state;
  QueryResult ok = {.status = 200, .retry_after_s = -1};
  assert_int_equal(cfn_next_delay(250, &ok), 500);
  assert_int_equal(cfn_next_delay(4000, &ok), 5000);
  assert_int_equal(cfn_next_delay(5000, &ok), 5000);
  QueryResult throttled = {.status = 400, .code = "Throttling", .retry_after_s = -1};
  assert_true(query_is_transient(&throttled));
  assert_int_equal(cfn_next_delay(5000, &throttled), 10000);
  assert_int_equal(cfn_next_delay(16000, &throttled), 20000);
  assert_int_equal(cfn_next_delay(20000, &throttled), 20000);
  QueryResult busy = {.status = 503, .retry_after_s = 7};
  assert_true(query_is_transient(&busy));
  assert_int_equal(cfn_next_delay(250, &busy), 7000);
  busy.retry_after_s = 120;
  assert_int_equal(cfn_next_delay(250, &busy), 20000);
  QueryResult invalid = {.status = 400, .code = "ValidationError", .retry_after_s = -1};
  assert_false(query_is_transient(&invalid));
  assert_int_equal(cfn_next_delay(5000, &invalid), 5000);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(environment_first),
      cmocka_unit_test(profiles_from_files),
      cmocka_unit_test(query_answers),
      cmocka_unit_test(polling_backoff),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
