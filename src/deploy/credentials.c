#include "credentials.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *env(const char *name) {
  const char *v = getenv(name);
  return v && *v ? v : NULL;
}

static char *trim(char *s) {
  while (isspace((unsigned char)*s))
    s++;
  size_t n = strlen(s);
  while (n && isspace((unsigned char)s[n - 1]))
    s[--n] = '\0';
  return s;
}

bool credentials_ini_value(const char *path, const char *section, const char *name, char *out,
                           size_t size) {
  FILE *f = fopen(path, "r");
  if (!f)
    return false;
  char line[8192];
  bool inside = false, found = false;
  while (!found && fgets(line, sizeof line, f)) {
    char *l = trim(line);
    if (*l == '#' || *l == ';' || !*l)
      continue;
    if (*l == '[') {
      char *end = strchr(l, ']');
      if (end)
        *end = '\0';
      inside = !strcmp(trim(l + 1), section);
      continue;
    }
    char *eq = strchr(l, '=');
    if (!inside || !eq)
      continue;
    *eq = '\0';
    if (!strcmp(trim(l), name)) {
      snprintf(out, size, "%s", trim(eq + 1));
      found = true;
    }
  }
  fclose(f);
  return found;
}

static void home_file(char *out, size_t size, const char *override, const char *name) {
  if (env(override))
    snprintf(out, size, "%s", env(override));
  else
    snprintf(out, size, "%s/.aws/%s", env("HOME") ? env("HOME") : ".", name);
}

/* A value of the profile: the credentials file's [NAME], then the config
 * file's [profile NAME] ([default] for the default profile). */
static bool profile_value(const char *profile, const char *name, char *out, size_t size) {
  char credentials[4096], config[4096], section[300];
  home_file(credentials, sizeof credentials, "AWS_SHARED_CREDENTIALS_FILE", "credentials");
  home_file(config, sizeof config, "AWS_CONFIG_FILE", "config");
  if (credentials_ini_value(credentials, profile, name, out, size))
    return true;
  snprintf(section, sizeof section, strcmp(profile, "default") ? "profile %s" : "%s", profile);
  return credentials_ini_value(config, section, name, out, size);
}

/* The key, secret and token of one file's section, never a key of one file
 * with a secret of the other: the credentials file's [NAME], else the config
 * file's. */
static bool profile_keys(const char *profile, Credentials *out) {
  char credentials[4096], config[4096], section[300];
  home_file(credentials, sizeof credentials, "AWS_SHARED_CREDENTIALS_FILE", "credentials");
  home_file(config, sizeof config, "AWS_CONFIG_FILE", "config");
  snprintf(section, sizeof section, strcmp(profile, "default") ? "profile %s" : "%s", profile);
  const char *files[2][2] = {{credentials, profile}, {config, section}};
  for (int i = 0; i < 2; i++) {
    const char *file = files[i][0], *sect = files[i][1];
    if (credentials_ini_value(file, sect, "aws_access_key_id", out->key, sizeof out->key) &&
        credentials_ini_value(file, sect, "aws_secret_access_key", out->secret,
                              sizeof out->secret)) {
      credentials_ini_value(file, sect, "aws_session_token", out->token, sizeof out->token);
      return true;
    }
    out->key[0] = out->secret[0] = '\0';
  }
  return false;
}

/* A way of getting credentials lakec does not have yet, or NULL. */
static const char *unsupported_source(const char *profile) {
  static const char *const keys[][2] = {
      {"role_arn", "an assumed role (role_arn)"},
      {"credential_process", "a credential process (credential_process)"},
      {"sso_session", "IAM Identity Center (sso_session)"},
      {"sso_start_url", "IAM Identity Center (sso_start_url)"},
      {"web_identity_token_file", "a web identity (web_identity_token_file)"}};
  char value[1024];
  for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
    if (profile_value(profile, keys[i][0], value, sizeof value))
      return keys[i][1];
  return NULL;
}

bool credentials_find(const char *profile, Credentials *out, char *why, size_t why_size) {
  memset(out, 0, sizeof *out);
  const char *name = profile ? profile : env("AWS_PROFILE") ? env("AWS_PROFILE") : "default";
  if (!profile && env("AWS_ACCESS_KEY_ID") && env("AWS_SECRET_ACCESS_KEY")) {
    snprintf(out->key, sizeof out->key, "%s", env("AWS_ACCESS_KEY_ID"));
    snprintf(out->secret, sizeof out->secret, "%s", env("AWS_SECRET_ACCESS_KEY"));
    snprintf(out->token, sizeof out->token, "%s", env("AWS_SESSION_TOKEN") ? env("AWS_SESSION_TOKEN") : "");
    snprintf(out->source, sizeof out->source, "the environment (AWS_ACCESS_KEY_ID)");
  } else if (unsupported_source(name)) {
    snprintf(why, why_size,
             "profile '%s' gets its credentials from %s, which lakec does not support yet: give "
             "it aws_access_key_id and aws_secret_access_key, or export them (for example with "
             "'aws configure export-credentials --profile %s --format env')",
             name, unsupported_source(name), name);
    return false;
  } else if (profile_keys(name, out)) {
    snprintf(out->source, sizeof out->source, "profile '%s'", name);
  } else {
    snprintf(why, why_size,
             "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or give "
             "profile '%s' aws_access_key_id and aws_secret_access_key in ~/.aws/credentials "
             "(--profile, AWS_PROFILE)",
             name);
    return false;
  }
  const char *region = env("AWS_REGION") ? env("AWS_REGION") : env("AWS_DEFAULT_REGION");
  if (region)
    snprintf(out->region, sizeof out->region, "%s", region);
  else
    profile_value(name, "region", out->region, sizeof out->region);
  return true;
}
