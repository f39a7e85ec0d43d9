/* presign_tool: prints what src/handlers/aws.c's presigner and
 * src/handlers/msk_token.c make for the inputs given, so that
 * tests/handlers/test_msk.py can compare them with botocore's:
 *   presign_tool token REGION KEY SECRET TOKEN|- EPOCH
 *       the MSK IAM token, then its expiry (ms since the epoch)
 *   presign_tool url REGION KEY SECRET TOKEN|- EPOCH SERVICE BASE_URL PATH QUERY|- EXPIRES
 *       a presigned GET URL
 *   presign_tool accept REGION KEY SECRET TOKEN|-
 *       gives a token made now to a librdkafka producer set up for
 *       OAUTHBEARER, as produce's refresh callback does: prints "accepted"
 *       or librdkafka's reason */
#include "aws.h"
#include "msk_token.h"

#include <librdkafka/rdkafka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *optional(const char *arg) { return strcmp(arg, "-") ? arg : NULL; }

static int accept_token(const AwsClient *aws) {
  char why[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  if (rd_kafka_conf_set(conf, "security.protocol", "SASL_PLAINTEXT", why, sizeof why) ||
      rd_kafka_conf_set(conf, "sasl.mechanisms", "OAUTHBEARER", why, sizeof why) ||
      rd_kafka_conf_set(conf, "log_level", "3", why, sizeof why)) {
    fprintf(stderr, "%s\n", why);
    return 1;
  }
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof why);
  if (!rk) {
    fprintf(stderr, "%s\n", why);
    return 1;
  }
  long long expires_ms;
  char *token = msk_token(aws, time(NULL), &expires_ms);
  rd_kafka_resp_err_t e =
      rd_kafka_oauthbearer_set_token(rk, token, expires_ms, "lakec", NULL, 0, why, sizeof why);
  printf("%s\n", e ? why : "accepted");
  free(token);
  rd_kafka_destroy(rk);
  return e ? 1 : 0;
}

int main(int argc, char **argv) {
  bool token = argc == 7 && !strcmp(argv[1], "token");
  bool accept = argc == 6 && !strcmp(argv[1], "accept");
  if (!token && !accept && !(argc == 12 && !strcmp(argv[1], "url"))) {
    fprintf(stderr, "usage: presign_tool token REGION KEY SECRET TOKEN|- EPOCH\n"
                    "       presign_tool url REGION KEY SECRET TOKEN|- EPOCH SERVICE BASE_URL PATH "
                    "QUERY|- EXPIRES\n"
                    "       presign_tool accept REGION KEY SECRET TOKEN|-\n");
    return 2;
  }
  char why[256];
  AwsClient *aws = aws_client_with(argv[2], argv[3], argv[4], optional(argv[5]), why, sizeof why);
  if (!aws) {
    fprintf(stderr, "%s\n", why);
    return 1;
  }
  if (accept) {
    int status = accept_token(aws);
    aws_client_free(aws);
    return status;
  }
  time_t when = (time_t)strtoll(argv[6], NULL, 10);
  char *out;
  long long expires_ms = 0;
  if (token) {
    out = msk_token(aws, when, &expires_ms);
  } else {
    AwsPresign p = {.service = argv[7], .base_url = argv[8], .path = argv[9],
                    .query = optional(argv[10]), .expires_s = strtol(argv[11], NULL, 10),
                    .when = when};
    out = aws_presign_get(aws, &p);
  }
  printf("%s\n", out);
  if (token)
    printf("%lld\n", expires_ms);
  free(out);
  aws_client_free(aws);
  return 0;
}
