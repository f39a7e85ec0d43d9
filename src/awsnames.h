/* awsnames: the naming rules of each AWS service, as pure functions.
 * Each returns NULL when the name is valid, else a static explanation of the
 * first rule it breaks, worded to follow "name 'x' is invalid: ". */
#ifndef LAKEC_AWSNAMES_H
#define LAKEC_AWSNAMES_H

const char *awsname_s3_bucket(const char *name);
const char *awsname_glue_database(const char *name);
const char *awsname_glue_crawler(const char *name);
const char *awsname_glue_table(const char *name);
const char *awsname_glue_job(const char *name);
const char *awsname_lambda_function(const char *name);
const char *awsname_rest_api(const char *name);
const char *awsname_api_stage(const char *name);
const char *awsname_athena_workgroup(const char *name);
const char *awsname_vpc(const char *name);
const char *awsname_ec2_description(const char *text);
const char *awsname_env_var(const char *name);
const char *awsname_tag_key(const char *key);
const char *awsname_tag_value(const char *value);
/* Keys of buckets, functions and crawlers become logical ids: letters, digits, - and _. */
const char *awsname_construct_key(const char *key);
const char *awsname_stack(const char *name);

#endif
