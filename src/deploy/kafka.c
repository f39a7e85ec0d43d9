#include "kafka.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The REST API's member name on the wire (botocore's locationName), which
 * the API reference calls BootstrapBrokerStringSaslIam. */
#define IAM_BROKERS "bootstrapBrokerStringSaslIam"

static char *iam_brokers_of(const AwsResponse *resp, char *why, size_t why_size) {
  json_t *answer = json_loadb(resp->body, resp->len, 0, NULL);
  const char *brokers = json_string_value(json_object_get(answer, IAM_BROKERS));
  char *found = brokers && *brokers ? strdup(brokers) : NULL;
  if (!answer)
    snprintf(why, why_size, "an answer that is not JSON");
  else if (!found)
    snprintf(why, why_size, "no BootstrapBrokerStringSaslIam (is IAM access control off?)");
  json_decref(answer);
  return found;
}

char *kafka_bootstrap_brokers(AwsClient *c, const char *cluster_arn, long *status, char *why,
                              size_t why_size) {
  char *arn = aws_uri_encode(cluster_arn, false); /* its ':' and '/' escaped */
  size_t n = strlen(arn) + 40;
  char *path = malloc(n);
  snprintf(path, n, "/v1/clusters/%s/bootstrap-brokers", arn);
  const char *accept[] = {"Accept: application/json", NULL};
  /* an explicit endpoint: aws.c signs the escaped path encoded once more, as
   * SigV4 wants for every service but S3 */
  AwsRequest req = {.service = "kafka", .endpoint = aws_endpoint(c, "kafka"), .method = "GET",
                    .path = path, .headers = accept};
  AwsResponse resp;
  aws_call(c, &req, &resp);
  *status = resp.status;
  char *brokers = NULL;
  if (!resp.status)
    snprintf(why, why_size, "%s", resp.error);
  else if (resp.status != 200)
    snprintf(why, why_size, "HTTP %ld %.300s", resp.status, resp.body ? resp.body : "");
  else
    brokers = iam_brokers_of(&resp, why, why_size);
  aws_response_release(&resp);
  free(path);
  free(arn);
  return brokers;
}
