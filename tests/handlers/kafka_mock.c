/* kafka_mock: a Kafka cluster for the producer's tests, librdkafka's mock
 * cluster (three brokers on loopback TCP), driven over stdin:
 *   kafka_mock TOPIC PARTITIONS
 * prints the bootstrap servers on its first line, then reads commands:
 *   consume COUNT   reads the topic from its beginning until COUNT records
 *                   (or 15 s) and prints each as a JSON line
 *                   {"partition", "offset", "key" (or null), "value"}, then "end"
 *   fail-produce N  the next N produce requests fail (TOPIC_AUTHORIZATION_FAILED)
 * and exits at end of input. */
#include <jansson.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static rd_kafka_t *make(rd_kafka_type_t type, const char *bootstraps) {
  char why[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  if (!bootstraps) /* the mock cluster's owner connects nowhere: no warning about it */
    rd_kafka_conf_set(conf, "log_level", "3", why, sizeof why);
  if (bootstraps &&
      (rd_kafka_conf_set(conf, "bootstrap.servers", bootstraps, why, sizeof why) ||
       rd_kafka_conf_set(conf, "group.id", "kafka-mock-reader", why, sizeof why) ||
       rd_kafka_conf_set(conf, "enable.auto.commit", "false", why, sizeof why))) {
    fprintf(stderr, "kafka_mock: %s\n", why);
    exit(2);
  }
  rd_kafka_t *rk = rd_kafka_new(type, conf, why, sizeof why);
  if (!rk) {
    fprintf(stderr, "kafka_mock: %s\n", why);
    exit(2);
  }
  return rk;
}

static void print_record(const rd_kafka_message_t *m) {
  json_t *line = json_pack("{s:i, s:I, s:o, s:s%}", "partition", (int)m->partition, "offset",
                           (json_int_t)m->offset,
                           "key", m->key ? json_stringn(m->key, m->key_len) : json_null(),
                           "value", (const char *)m->payload, m->len);
  char *text = json_dumps(line, JSON_COMPACT);
  printf("%s\n", text);
  free(text);
  json_decref(line);
}

/* Every partition from its first offset, without a group's coordination. */
static void consume(const char *bootstraps, const char *topic, int partitions, long want) {
  rd_kafka_t *consumer = make(RD_KAFKA_CONSUMER, bootstraps);
  rd_kafka_topic_partition_list_t *all = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; p++)
    rd_kafka_topic_partition_list_add(all, topic, p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  rd_kafka_assign(consumer, all);
  rd_kafka_topic_partition_list_destroy(all);
  long got = 0;
  time_t until = time(NULL) + 15;
  while (got < want && time(NULL) < until) {
    rd_kafka_message_t *m = rd_kafka_consumer_poll(consumer, 200);
    if (m && !m->err) {
      print_record(m);
      got++;
    }
    if (m)
      rd_kafka_message_destroy(m);
  }
  printf("end\n");
  fflush(stdout);
  rd_kafka_consumer_close(consumer);
  rd_kafka_destroy(consumer);
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: kafka_mock TOPIC PARTITIONS\n");
    return 2;
  }
  const char *topic = argv[1];
  int partitions = atoi(argv[2]);
  rd_kafka_t *owner = make(RD_KAFKA_PRODUCER, NULL);
  rd_kafka_mock_cluster_t *cluster = rd_kafka_mock_cluster_new(owner, 3);
  if (!cluster || rd_kafka_mock_topic_create(cluster, topic, partitions, 3)) {
    fprintf(stderr, "kafka_mock: cannot start the mock cluster\n");
    return 1;
  }
  const char *bootstraps = rd_kafka_mock_cluster_bootstraps(cluster);
  printf("%s\n", bootstraps);
  fflush(stdout);
  char line[256];
  while (fgets(line, sizeof line, stdin)) {
    long n;
    if (sscanf(line, "consume %ld", &n) == 1) {
      consume(bootstraps, topic, partitions, n);
    } else if (sscanf(line, "fail-produce %ld", &n) == 1) {
      for (long i = 0; i < n; i++)
        rd_kafka_mock_push_request_errors(cluster, 0 /* Produce */, 1,
                                          RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
      printf("ok\n");
      fflush(stdout);
    }
  }
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(owner);
  return 0;
}
