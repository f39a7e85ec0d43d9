/* awsnames: character-class and length rules from the services' documentation. */
#include "awsnames.h"

#include <stdbool.h>
#include <string.h>

static bool all_chars_in(const char *s, const char *extra, bool upper) {
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    bool ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              (upper && *p >= 'A' && *p <= 'Z') || (*p && strchr(extra, *p));
    if (!ok)
      return false;
  }
  return true;
}

static bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

static bool starts_with(const char *s, const char *prefix) {
  return !strncmp(s, prefix, strlen(prefix));
}

static bool ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), k = strlen(suffix);
  return n >= k && !strcmp(s + n - k, suffix);
}

static bool looks_like_ipv4(const char *s) {
  int dots = 0;
  for (const char *p = s; *p; p++) {
    if (*p == '.')
      dots++;
    else if (*p < '0' || *p > '9')
      return false;
  }
  return dots == 3;
}

const char *awsname_s3_bucket(const char *name) {
  size_t n = strlen(name);
  if (n < 3 || n > 63)
    return "S3 bucket names are 3 to 63 characters long";
  if (!all_chars_in(name, ".-", false))
    return "S3 bucket names use only lowercase letters, digits, '.' and '-'";
  if (!is_lower_alnum(name[0]) || !is_lower_alnum(name[n - 1]))
    return "S3 bucket names begin and end with a lowercase letter or a digit";
  if (strstr(name, ".."))
    return "S3 bucket names cannot have two periods in a row";
  if (strstr(name, ".-") || strstr(name, "-."))
    return "S3 bucket names cannot have a period next to a hyphen";
  if (looks_like_ipv4(name))
    return "S3 bucket names cannot look like an IP address";
  if (starts_with(name, "xn--") || starts_with(name, "sthree-") ||
      starts_with(name, "amzn-s3-demo-"))
    return "S3 bucket names cannot start with 'xn--', 'sthree-' or 'amzn-s3-demo-'";
  if (ends_with(name, "-s3alias") || ends_with(name, "--ol-s3") || ends_with(name, ".mrap") ||
      ends_with(name, "--x-s3") || ends_with(name, "--table-s3"))
    return "S3 bucket names cannot end with a reserved suffix such as '-s3alias' or '--x-s3'";
  return NULL;
}

const char *awsname_glue_database(const char *name) {
  size_t n = strlen(name);
  if (n < 1 || n > 255)
    return "Glue database names are 1 to 255 characters long";
  /* Glue allows more, but Athena reads only these without quoting. */
  if (!all_chars_in(name, "_", false))
    return "Glue database names use only lowercase letters, digits and '_' (so Athena can "
           "query them)";
  return NULL;
}

/* Table and column names: Athena reads only these without quoting, and
 * Glue lowercases any other letter. */
const char *awsname_glue_table(const char *name) {
  size_t n = strlen(name);
  if (n < 1 || n > 255)
    return "Glue table and column names are 1 to 255 characters long";
  if (!all_chars_in(name, "_", false))
    return "Glue table and column names use only lowercase letters, digits and '_' (Glue "
           "lowercases the others, and Athena reads only these without quoting)";
  return NULL;
}

const char *awsname_glue_crawler(const char *name) {
  size_t n = strlen(name);
  if (n < 1 || n > 255)
    return "Glue crawler names are 1 to 255 characters long";
  if (!all_chars_in(name, "._-", true))
    return "Glue crawler names use only letters, digits, '.', '_' and '-'";
  return NULL;
}

/* Glue takes any single-line name; lakec keeps to the characters that need
 * no escaping in the job's ARN and in IAM policies. */
const char *awsname_glue_job(const char *name) {
  size_t n = strlen(name);
  if (n < 1 || n > 255)
    return "Glue job names are 1 to 255 characters long";
  if (!all_chars_in(name, "._-", true))
    return "Glue job names use only letters, digits, '.', '_' and '-'";
  return NULL;
}

const char *awsname_lambda_function(const char *name) {
  size_t n = strlen(name);
  if (n < 1 || n > 64)
    return "Lambda function names are 1 to 64 characters long";
  if (!all_chars_in(name, "_-", true))
    return "Lambda function names use only letters, digits, '-' and '_'";
  return NULL;
}

const char *awsname_rest_api(const char *name) {
  size_t n = strlen(name);
  if (n < 1 || n > 128)
    return "REST API names are 1 to 128 characters long";
  if (!all_chars_in(name, " ._-", true))
    return "REST API names use only letters, digits, spaces, '.', '_' and '-'";
  return NULL;
}

const char *awsname_api_stage(const char *name) {
  size_t n = strlen(name);
  if (n < 1 || n > 128)
    return "API stage names are 1 to 128 characters long";
  if (!all_chars_in(name, "_-", true))
    return "API stage names use only letters, digits, '-' and '_'";
  return NULL;
}

/* A VPC's name is its Name tag, and part of its flow logs' group name:
 * lakec keeps it to what a log group name takes. */
const char *awsname_vpc(const char *name) {
  size_t n = strlen(name);
  if (n < 1 || n > 255)
    return "VPC names are 1 to 255 characters long";
  if (!all_chars_in(name, "._-", true))
    return "VPC names use only letters, digits, '-', '_' and '.'";
  return NULL;
}

/* EC2's security group and rule descriptions (in a VPC). */
const char *awsname_ec2_description(const char *text) {
  if (strlen(text) > 255)
    return "EC2 takes descriptions of at most 255 characters";
  if (!all_chars_in(text, " ._-:/()#,@[]+=&;{}!$*", true))
    return "EC2 takes letters, digits, spaces and ._-:/()#,@[]+=&;{}!$* in descriptions";
  return NULL;
}

const char *awsname_athena_workgroup(const char *name) {
  size_t n = strlen(name);
  if (n < 1 || n > 128)
    return "Athena workgroup names are 1 to 128 characters long";
  if (!all_chars_in(name, "._-", true))
    return "Athena workgroup names use only letters, digits, '.', '_' and '-'";
  return NULL;
}

const char *awsname_env_var(const char *name) {
  if (!((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z')))
    return "environment variable names start with a letter";
  if (!all_chars_in(name, "_", true))
    return "environment variable names use only letters, digits and '_'";
  static const char *const reserved[] = {
      "_HANDLER",          "_X_AMZN_TRACE_ID",   "AWS_DEFAULT_REGION",
      "AWS_REGION",        "AWS_EXECUTION_ENV",  "AWS_LAMBDA_FUNCTION_NAME",
      "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",         "AWS_LAMBDA_FUNCTION_VERSION",
      "AWS_LAMBDA_INITIALIZATION_TYPE",          "AWS_LAMBDA_LOG_GROUP_NAME",
      "AWS_LAMBDA_LOG_STREAM_NAME",              "AWS_ACCESS_KEY",
      "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
      "AWS_LAMBDA_RUNTIME_API",                  "LAMBDA_TASK_ROOT",
      "LAMBDA_RUNTIME_DIR",
  };
  for (size_t i = 0; i < sizeof reserved / sizeof *reserved; i++)
    if (!strcmp(name, reserved[i]))
      return "this environment variable is reserved by Lambda";
  return NULL;
}

const char *awsname_tag_key(const char *key) {
  size_t n = strlen(key);
  if (n < 1 || n > 128)
    return "tag keys are 1 to 128 characters long";
  if (starts_with(key, "aws:"))
    return "tag keys starting with 'aws:' are reserved";
  if (!all_chars_in(key, " _.:/=+-@", true))
    return "tag keys use only letters, digits, spaces and _ . : / = + - @";
  return NULL;
}

const char *awsname_tag_value(const char *value) {
  if (strlen(value) > 256)
    return "tag values are at most 256 characters long";
  if (!all_chars_in(value, " _.:/=+-@", true))
    return "tag values use only letters, digits, spaces and _ . : / = + - @";
  return NULL;
}

const char *awsname_construct_key(const char *key) {
  size_t n = strlen(key);
  if (n < 1 || n > 48)
    return "names are 1 to 48 characters long";
  if (!((key[0] >= 'a' && key[0] <= 'z') || (key[0] >= 'A' && key[0] <= 'Z')))
    return "names start with a letter";
  if (!all_chars_in(key, "_-", true))
    return "names use only letters, digits, '-' and '_'";
  return NULL;
}

/* CloudFormation: a letter, then letters, digits and hyphens; 128 at most. */
const char *awsname_stack(const char *name) {
  size_t n = strlen(name);
  if (n < 1 || n > 128)
    return "CloudFormation stack names are 1 to 128 characters long";
  if (!((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z')))
    return "CloudFormation stack names begin with a letter";
  if (!all_chars_in(name, "-", true))
    return "CloudFormation stack names use only letters, digits and '-'";
  return NULL;
}
