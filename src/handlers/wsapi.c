#include "wsapi.h"
#include "runtime.h"

#include <stdlib.h>

#define SERVICE "apigatewaymanagementapi" /* the SDKs' name, for the override */

const char *wsapi_base_url(const char *callback_url) {
  const char *override = aws_endpoint_override(SERVICE);
  return override ? override : callback_url;
}

long wsapi_post(AwsClient *aws, const char *base_url, const char *connection_id,
                const char *data, size_t len, int attempts, AwsResponse *resp) {
  char *id = aws_uri_encode(connection_id, false);
  if (!id)
    abort();
  /* the id encoded, "@" as is: what the SDKs send (and sign) */
  char *path = handler_strf("/@connections/%s", id);
  AwsRequest req = {.service = "execute-api", .endpoint = base_url, .method = "POST",
                    .path = path, .content_type = "application/json", .body = data,
                    .body_len = len, .attempts = attempts};
  aws_call(aws, &req, resp);
  free(path);
  free(id);
  return resp->status;
}
