/* credentials: where the deploy commands' AWS credentials and region come
 * from, the way the AWS CLI and SDKs find them:
 *
 * 1. without --profile, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and
 *    AWS_SESSION_TOKEN) from the environment;
 * 2. else the profile (--profile, else AWS_PROFILE, else "default") of the
 *    shared credentials file (AWS_SHARED_CREDENTIALS_FILE, else
 *    ~/.aws/credentials, section [NAME]) and of the config file
 *    (AWS_CONFIG_FILE, else ~/.aws/config, section [profile NAME] or
 *    [default]): aws_access_key_id, aws_secret_access_key,
 *    aws_session_token.
 *
 * The region: the stage's own (a stage file names where it is deployed),
 * else AWS_REGION, AWS_DEFAULT_REGION, then the profile's `region`. */
#ifndef LAKEC_DEPLOY_CREDENTIALS_H
#define LAKEC_DEPLOY_CREDENTIALS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct Credentials {
  char key[256], secret[256], token[4096], region[64];
  char source[320]; /* where they came from, for messages */
} Credentials;

/* false with why filled (no credentials, a profile that does not exist). */
bool credentials_find(const char *profile, Credentials *out, char *why, size_t why_size);

/* The value of `name` in section `section` of an INI file (the AWS files'
 * form: `[section]`, `name = value`, `#`/`;` comments), copied to out. */
bool credentials_ini_value(const char *path, const char *section, const char *name, char *out,
                           size_t size);

#endif
