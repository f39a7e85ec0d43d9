/* msk_token: the token a client presents to Amazon MSK for IAM access
 * control (SASL/OAUTHBEARER): the URL
 *   https://kafka.<region>.amazonaws.com/?Action=kafka-cluster%3AConnect
 * presigned with SigV4 for the signing name "kafka-cluster", valid for 900 s,
 * with a User-Agent parameter after the signature, encoded as base64url
 * without padding. The same bytes as AWS's aws-msk-iam-sasl-signer libraries
 * make for the same credentials, region and time (tests/handlers/test_msk.py
 * compares them with botocore's presigner). */
#ifndef LAKEC_HANDLERS_MSK_TOKEN_H
#define LAKEC_HANDLERS_MSK_TOKEN_H

#include "aws.h"

#include <time.h>

#define MSK_TOKEN_EXPIRY_S 900
/* Not signed: the brokers log it. */
#define MSK_TOKEN_USER_AGENT "lakec/" LAKEC_VERSION

/* The token for the client's region and credentials, signed at `when`
 * (malloc'd); *expires_ms is when it stops being valid, in ms since the epoch
 * (what rd_kafka_oauthbearer_set_token wants). */
char *msk_token(const AwsClient *aws, time_t when, long long *expires_ms);

/* base64url (RFC 4648 §5) without the '=' padding (malloc'd). */
char *msk_base64url(const void *data, size_t len);

#endif
