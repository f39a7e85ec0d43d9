/* presign_tool: prints what src/handlers/aws.c's presigner and
 * src/handlers/msk_token.c make for the inputs given, so that
 * tests/handlers/test_msk.py can compare them with botocore's:
 *   presign_tool token REGION KEY SECRET TOKEN|- EPOCH
 *       the MSK IAM token, then its expiry (ms since the epoch)
 *   presign_tool url REGION KEY SECRET TOKEN|- EPOCH SERVICE BASE_URL PATH QUERY|- EXPIRES
 *       a presigned GET URL */
#include "aws.h"
#include "msk_token.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *optional(const char *arg) { return strcmp(arg, "-") ? arg : NULL; }

int main(int argc, char **argv) {
  bool token = argc == 7 && !strcmp(argv[1], "token");
  if (!token && !(argc == 12 && !strcmp(argv[1], "url"))) {
    fprintf(stderr, "usage: presign_tool token REGION KEY SECRET TOKEN|- EPOCH\n"
                    "       presign_tool url REGION KEY SECRET TOKEN|- EPOCH SERVICE BASE_URL PATH "
                    "QUERY|- EXPIRES\n");
    return 2;
  }
  char why[256];
  AwsClient *aws = aws_client_with(argv[2], argv[3], argv[4], optional(argv[5]), why, sizeof why);
  if (!aws) {
    fprintf(stderr, "%s\n", why);
    return 1;
  }
  time_t when = (time_t)strtoll(argv[6], NULL, 10);
  char *out;
  long long expires_ms = 0;
  if (token) {
    out = msk_token(aws, when, &expires_ms);
  } else {
    AwsPresign p = {.service = argv[7], .base_url = argv[8], .path = argv[9],
                    .query = optional(argv[10]), .expires_s = strtol(argv[11], NULL, 10), .when = when};
    out = aws_presign_get(aws, &p);
  }
  printf("%s\n", out);
  if (token)
    printf("%lld\n", expires_ms);
  free(out);
  aws_client_free(aws);
  return 0;
}
