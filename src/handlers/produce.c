/* produce: publishes the telemetry events of an invocation to a Kafka topic
 * of Amazon MSK. The event is what the generator sends:
 *   {"records": [{"event_id": ..., "customer_id": ..., ...}, ...]}
 * Each record goes, as compact JSON, to the topic LAKEC_KAFKA_TOPIC, keyed
 * by its customer_id (its session_id when it has none; no key when it has
 * neither), so that one customer's events stay in order on one partition.
 * The answer is {"published": N, "failed": M}; the invocation fails when any
 * record was not acknowledged by the brokers (acks=all, idempotent), so that
 * Lambda's retries of an asynchronous invocation send the batch again.
 *
 * The producer is made at the first invocation and kept for the container's
 * life. Its brokers are LAKEC_KAFKA_BROKERS when set, otherwise the cluster's
 * IAM bootstrap brokers (kafka:GetBootstrapBrokers of
 * LAKEC_KAFKA_CLUSTER_ARN, BootstrapBrokerStringSaslIam). It connects over
 * SASL_SSL with OAUTHBEARER, the token being the MSK IAM token
 * (msk_token.h), made again before it expires. LAKEC_KAFKA_SECURITY=plaintext
 * (for local runs and tests only) connects without TLS or SASL. */
#include "msk_token.h"
#include "runtime.h"

#include <librdkafka/rdkafka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#define MAX_RECORDS 100000
#define LOCAL_RUN_MS 30000 /* how long a local run (no deadline) waits for its acks */
#define DEADLINE_MARGIN_MS 1000
#define AMAZON_LINUX_CA_BUNDLE "/etc/pki/tls/certs/ca-bundle.crt"

/* The delivery reports of the current invocation. Each message carries its
 * invocation's number, so that a report of an earlier one (possible only
 * after a purge) is not counted. */
typedef struct Deliveries {
  intptr_t batch;
  long acked, failed;
  bool timed_out; /* the deadline came first: the rest was purged */
  char first_error[256];
} Deliveries;

static rd_kafka_t *producer;
static Deliveries deliveries;

static long long now_ms(void) {
  struct timeval tv;
  gettimeofday(&tv, NULL);
  return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
  (void)rk, (void)opaque;
  if ((intptr_t)m->_private != deliveries.batch)
    return;
  if (!m->err) {
    deliveries.acked++;
    return;
  }
  if (!deliveries.failed++)
    snprintf(deliveries.first_error, sizeof deliveries.first_error, "%s", rd_kafka_err2str(m->err));
}

/* librdkafka asks for a token before connecting and again at 80% of its
 * life; opaque is the runtime's AWS client (its region and credentials). */
static void refresh_token(rd_kafka_t *rk, const char *config, void *opaque) {
  (void)config;
  long long expires_ms;
  char *token = msk_token(opaque, time(NULL), &expires_ms);
  char why[256];
  /* MSK takes the identity from the signature; the principal stays local. */
  if (rd_kafka_oauthbearer_set_token(rk, token, expires_ms, "lakec", NULL, 0, why, sizeof why))
    rd_kafka_oauthbearer_set_token_failure(rk, why);
  free(token);
}

/* ---- the brokers ---- */

/* GET /v1/clusters/{clusterArn}/bootstrap-brokers, signed in its URL: the
 * ARN's escaped ':' and '/' must be encoded again in SigV4's canonical path,
 * which libcurl's header signer does not do. */
static char *bootstrap_brokers_of(AwsClient *aws, const char *cluster_arn, HandlerError *err) {
  char *arn = aws_uri_encode(cluster_arn, false);
  char *path = handler_strf("/v1/clusters/%s/bootstrap-brokers", arn);
  AwsPresign presign = {.service = "kafka", .base_url = aws_endpoint(aws, "kafka"), .path = path,
                        .expires_s = 300, .when = time(NULL)};
  char *url = aws_presign_get(aws, &presign);
  const char *accept[] = {"Accept: application/json", NULL};
  AwsRequest req = {.service = "kafka", .url = url, .method = "GET", .headers = accept};
  AwsResponse resp;
  aws_call(aws, &req, &resp);
  json_t *answer = resp.status == 200 ? json_loadb(resp.body, resp.len, 0, NULL) : NULL;
  /* the REST answer spells its members in camelCase (BootstrapBrokerStringSaslIam
   * in the API reference is bootstrapBrokerStringSaslIam on the wire) */
  const char *brokers = json_string_value(json_object_get(answer, "bootstrapBrokerStringSaslIam"));
  char *found = brokers && *brokers ? handler_strf("%s", brokers) : NULL;
  if (!resp.status)
    handler_fail(err, "KafkaError", "GetBootstrapBrokers of %s: %s", cluster_arn, resp.error);
  else if (resp.status != 200)
    handler_fail(err, "KafkaError", "GetBootstrapBrokers of %s: HTTP %ld %.300s", cluster_arn,
                 resp.status, resp.body);
  else if (!found)
    handler_fail(err, "KafkaError",
                 "GetBootstrapBrokers of %s: no BootstrapBrokerStringSaslIam (is IAM access "
                 "control on for the cluster?)",
                 cluster_arn);
  json_decref(answer);
  aws_response_release(&resp);
  free(url);
  free(path);
  free(arn);
  return found;
}

static char *bootstrap_brokers(AwsClient *aws, HandlerError *err) {
  const char *brokers = getenv("LAKEC_KAFKA_BROKERS");
  if (brokers && *brokers)
    return handler_strf("%s", brokers);
  const char *arn = getenv("LAKEC_KAFKA_CLUSTER_ARN");
  if (!arn || !*arn) {
    handler_fail(err, "Configuration",
                 "LAKEC_KAFKA_CLUSTER_ARN (or LAKEC_KAFKA_BROKERS) is not set");
    return NULL;
  }
  return bootstrap_brokers_of(aws, arn, err);
}

/* ---- the producer ---- */

static bool set(rd_kafka_conf_t *conf, const char *name, const char *value, HandlerError *err) {
  char why[256];
  if (rd_kafka_conf_set(conf, name, value, why, sizeof why) == RD_KAFKA_CONF_OK)
    return true;
  handler_fail(err, "Configuration", "Kafka setting %s=%s: %s", name, value, why);
  return false;
}

/* TLS and SASL/OAUTHBEARER with the MSK IAM token, unless the environment
 * asks for plaintext (a local cluster). */
static bool set_security(rd_kafka_conf_t *conf, AwsClient *aws, HandlerError *err) {
  const char *security = getenv("LAKEC_KAFKA_SECURITY");
  if (security && !strcmp(security, "plaintext"))
    return set(conf, "security.protocol", "plaintext", err);
  if (security && *security && strcmp(security, "iam")) {
    handler_fail(err, "Configuration",
                 "LAKEC_KAFKA_SECURITY must be iam (the default) or plaintext, not '%s'", security);
    return false;
  }
  if (!set(conf, "security.protocol", "SASL_SSL", err) ||
      !set(conf, "sasl.mechanisms", "OAUTHBEARER", err))
    return false;
  /* The static OpenSSL looks for Debian's CA directory; Amazon Linux has a bundle. */
  if (access(AMAZON_LINUX_CA_BUNDLE, R_OK) == 0 &&
      !set(conf, "ssl.ca.location", AMAZON_LINUX_CA_BUNDLE, err))
    return false;
  rd_kafka_conf_set_opaque(conf, aws);
  rd_kafka_conf_set_oauthbearer_token_refresh_cb(conf, refresh_token);
  return true;
}

static rd_kafka_conf_t *producer_conf(AwsClient *aws, const char *brokers, HandlerError *err) {
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  bool ok = set(conf, "bootstrap.servers", brokers, err) &&
            set(conf, "client.id", "lakec-produce", err) && set(conf, "acks", "all", err) &&
            set(conf, "enable.idempotence", "true", err) &&
            set(conf, "compression.type", "lz4", err) && set(conf, "linger.ms", "5", err) &&
            set_security(conf, aws, err);
  if (!ok) {
    rd_kafka_conf_destroy(conf);
    return NULL;
  }
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  return conf;
}

static bool start_producer(AwsClient *aws, HandlerError *err) {
  char *brokers = bootstrap_brokers(aws, err);
  rd_kafka_conf_t *conf = brokers ? producer_conf(aws, brokers, err) : NULL;
  free(brokers);
  if (!conf)
    return false;
  char why[512];
  /* takes conf when it succeeds */
  producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof why);
  if (!producer) {
    rd_kafka_conf_destroy(conf);
    handler_fail(err, "KafkaError", "cannot make the producer: %s", why);
    return false;
  }
  /* the token is made by librdkafka's own thread, before any poll */
  rd_kafka_error_t *e = rd_kafka_sasl_background_callbacks_enable(producer);
  if (e)
    rd_kafka_error_destroy(e); /* plaintext: there is no SASL to serve */
  return true;
}

/* An idempotent producer that lost track of its sequence numbers stops for
 * good (a fatal error): the next invocation makes a new one. */
static void drop_failed_producer(void) {
  char why[256];
  if (producer && rd_kafka_fatal_error(producer, why, sizeof why)) {
    fprintf(stderr, "produce: the producer failed (%s); making a new one\n", why);
    rd_kafka_destroy(producer);
    producer = NULL;
  }
}

/* ---- the records ---- */

/* The event's records, or NULL with err filled. */
static const json_t *event_records(const json_t *event, HandlerError *err) {
  const json_t *records = json_object_get(event, "records");
  if (!json_is_object(event) || !json_is_array(records)) {
    handler_fail(err, "InvalidEvent", "the event must be an object with an array \"records\"");
    return NULL;
  }
  if (json_array_size(records) > MAX_RECORDS) {
    handler_fail(err, "InvalidEvent", "%zu records: at most %d per invocation",
                 json_array_size(records), MAX_RECORDS);
    return NULL;
  }
  size_t i;
  const json_t *record;
  json_array_foreach(records, i, record) {
    if (!json_is_object(record)) {
      handler_fail(err, "InvalidEvent", "records[%zu] is not a JSON object", i);
      return NULL;
    }
  }
  return records;
}

/* customer_id, else session_id, else none (NULL). */
static const char *record_key(const json_t *record) {
  const char *key = json_string_value(json_object_get(record, "customer_id"));
  return key ? key : json_string_value(json_object_get(record, "session_id"));
}

static long long wait_until(const Invocation *inv) {
  return inv->deadline_ms ? inv->deadline_ms - DEADLINE_MARGIN_MS : now_ms() + LOCAL_RUN_MS;
}

/* Queues one record; a full queue is drained (acks served) until there is
 * room or the time is up. */
static void send_record(const char *topic, const json_t *record, long long until) {
  const char *key = record_key(record);
  char *value = json_dumps(record, JSON_COMPACT);
  rd_kafka_resp_err_t e;
  do {
    e = rd_kafka_producev(producer, RD_KAFKA_V_TOPIC(topic),
                          RD_KAFKA_V_KEY(key, key ? strlen(key) : 0),
                          RD_KAFKA_V_VALUE(value, strlen(value)),
                          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_FREE),
                          RD_KAFKA_V_OPAQUE((void *)deliveries.batch), RD_KAFKA_V_END);
    if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL)
      rd_kafka_poll(producer, 50);
  } while (e == RD_KAFKA_RESP_ERR__QUEUE_FULL && now_ms() < until);
  if (e) { /* not queued: still ours to free */
    free(value);
    if (!deliveries.failed++)
      snprintf(deliveries.first_error, sizeof deliveries.first_error, "%s", rd_kafka_err2str(e));
  }
}

/* Waits for every ack until the deadline; what is still unacknowledged
 * then is purged, its reports counting as failures. */
static void await_deliveries(long long until) {
  long long left = until - now_ms();
  if (rd_kafka_flush(producer, left > 0 ? (int)left : 0) == RD_KAFKA_RESP_ERR_NO_ERROR)
    return;
  deliveries.timed_out = true;
  rd_kafka_purge(producer, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  rd_kafka_flush(producer, 500);
}

static json_t *handle(AwsClient *aws, const Invocation *inv, HandlerError *err) {
  const json_t *records = event_records(inv->event, err);
  if (!records)
    return NULL;
  const char *topic = getenv("LAKEC_KAFKA_TOPIC");
  if (!topic || !*topic)
    return handler_fail(err, "Configuration", "LAKEC_KAFKA_TOPIC is not set");
  aws_client_set_deadline(aws, inv->deadline_ms);
  drop_failed_producer();
  if (!producer && !start_producer(aws, err))
    return NULL;
  deliveries = (Deliveries){.batch = deliveries.batch + 1};
  long long until = wait_until(inv);
  size_t i;
  const json_t *record;
  json_array_foreach(records, i, record)
    send_record(topic, record, until);
  await_deliveries(until);
  long total = (long)json_array_size(records);
  long unconfirmed = total - deliveries.acked - deliveries.failed; /* only if reports were lost */
  if (deliveries.failed || unconfirmed)
    return handler_fail(err, "KafkaError", "%ld of %ld records were not published to %s: %s%s",
                        total - deliveries.acked, total, topic,
                        deliveries.timed_out ? "not acknowledged before the deadline; " : "",
                        deliveries.failed ? deliveries.first_error : "no delivery report");
  return json_pack("{s:I, s:I}", "published", (json_int_t)deliveries.acked, "failed",
                   (json_int_t)0);
}

int main(int argc, char **argv) { return runtime_main(argc, argv, "produce", handle); }
