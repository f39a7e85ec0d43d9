/* wsapi: API Gateway's Management API for WebSocket connections:
 * PostToConnection, POST <callback URL>/@connections/<id> signed for
 * execute-api. The callback URL is https://<api>.execute-api.<region>.
 * amazonaws.com/<stage>; AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI (or
 * AWS_ENDPOINT_URL) replaces it whole, stage included, as the SDKs do (a
 * local server serves /@connections/<id>). */
#ifndef LAKEC_HANDLERS_WSAPI_H
#define LAKEC_HANDLERS_WSAPI_H

#include "aws.h"

/* The URL posts go to: the override, else callback_url (NULL if neither). */
const char *wsapi_base_url(const char *callback_url);

/* Posts data to the connection; attempts as AwsRequest's (0: the client's).
 * Returns the HTTP status (410: the connection is gone), 0 when no answer
 * came. Release resp. */
long wsapi_post(AwsClient *aws, const char *base_url, const char *connection_id,
                const char *data, size_t len, int attempts, AwsResponse *resp);

#endif
