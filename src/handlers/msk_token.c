#include "msk_token.h"
#include "runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *msk_base64url(const void *data, size_t len) {
  static const char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const unsigned char *in = data;
  char *out = malloc(len / 3 * 4 + 5), *o = out;
  if (!out)
    abort();
  for (size_t i = 0; i < len; i += 3) {
    unsigned v = (unsigned)in[i] << 16;
    if (i + 1 < len)
      v |= (unsigned)in[i + 1] << 8;
    if (i + 2 < len)
      v |= in[i + 2];
    *o++ = alphabet[v >> 18 & 63];
    *o++ = alphabet[v >> 12 & 63];
    if (i + 1 < len) /* padding left out: 2 or 3 characters for a short group */
      *o++ = alphabet[v >> 6 & 63];
    if (i + 2 < len)
      *o++ = alphabet[v & 63];
  }
  *o = '\0';
  return out;
}

char *msk_token(const AwsClient *aws, time_t when, long long *expires_ms) {
  /* The host is AWS's own even when AWS_ENDPOINT_URL points elsewhere: the
   * URL is never requested, the broker checks its signature. */
  char base_url[160];
  snprintf(base_url, sizeof base_url, "https://kafka.%s.amazonaws.com", aws_region(aws));
  AwsPresign presign = {.service = "kafka-cluster", .base_url = base_url, .path = "/",
                        .query = "Action=kafka-cluster%3AConnect",
                        .expires_s = MSK_TOKEN_EXPIRY_S, .when = when};
  char *signed_url = aws_presign_get(aws, &presign);
  char *user_agent = aws_uri_encode(MSK_TOKEN_USER_AGENT, false);
  char *url = handler_strf("%s&User-Agent=%s", signed_url, user_agent);
  char *token = msk_base64url(url, strlen(url));
  *expires_ms = ((long long)when + MSK_TOKEN_EXPIRY_S) * 1000;
  free(url);
  free(user_agent);
  free(signed_url);
  return token;
}
