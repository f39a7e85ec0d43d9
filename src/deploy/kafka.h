/* kafka: the one Amazon MSK call the deploy commands make,
 * GetBootstrapBrokers (REST: GET /v1/clusters/{clusterArn}/bootstrap-brokers,
 * SigV4 service "kafka", the endpoint's overrides as every other service's).
 * `lakec outputs` reports a cluster's brokers with it: no CloudFormation
 * attribute of AWS::MSK::Cluster holds them. */
#ifndef LAKEC_DEPLOY_KAFKA_H
#define LAKEC_DEPLOY_KAFKA_H

#include "aws.h"

#include <stddef.h>

/* The cluster's IAM bootstrap string (BootstrapBrokerStringSaslIam:
 * "b-1.…:9098,b-2.…:9098"), malloc'd. NULL with why filled and *status the
 * answer's HTTP status (0: no answer; 200: the cluster has no IAM listener). */
char *kafka_bootstrap_brokers(AwsClient *c, const char *cluster_arn, long *status, char *why,
                              size_t why_size);

#endif
