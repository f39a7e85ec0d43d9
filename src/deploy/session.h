/* session: what every deploy command starts with: credentials found
 * (credentials.h), the client made, the account asked of STS (which also
 * proves the credentials and the endpoint before anything changes). */
#ifndef LAKEC_DEPLOY_SESSION_H
#define LAKEC_DEPLOY_SESSION_H

#include "aws.h"

typedef struct Session {
  AwsClient *client;
  char account[32];
  char region[64];
} Session;

/* false after printing why on stderr (the caller exits 2). region: the
 * stage's, or NULL for the environment's or the profile's. */
bool session_open(Session *s, const char *profile, const char *region);
void session_close(Session *s);

#endif
