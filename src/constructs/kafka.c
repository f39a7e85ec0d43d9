/* kafka: an Amazon MSK provisioned cluster in the private (or public)
 * subnets of one of the stage's vpcs, behind one security group, reached
 * only with IAM over TLS (SASL/IAM on port 9098; no unauthenticated access,
 * TLS between the brokers too), its broker logs in a log group lakec makes.
 * Its topics are AWS::MSK::Topic resources. A topic's consumers are event
 * source mappings, each in its function's stack, whose pollers run in the
 * cluster's subnets and security group: the function gets the statements
 * they need. Other functions are granted `kafka_write: CLUSTER/TOPIC` or
 * `kafka_read: CLUSTER/TOPIC` and must run in the cluster's vpc, in a group
 * the cluster's group admits on 9098. A production stage retains its
 * clusters, topics and logs.
 *
 * The cluster's ARN is its Ref (not Fn::GetAtt Arn, which some emulators
 * refuse); the topic's ARN is the topic's Ref. The consumer group's ARN is
 * built from the cluster's: arn:...:cluster/NAME/UUID gives
 * arn:...:group/NAME/UUID/GROUP. */
#include "check_util.h"
#include "construct.h"
#include "constructs/network.h"
#include "lower/lower_internal.h"

#include <ctype.h>
#include <string.h>

extern const Construct construct_kafka;

/* The cluster's own diagnostics (lakec explain LK345). */
#define LK_KAFKA_LAYOUT "LK345"
#define LK_KAFKA_ZONES "LK346"
#define LK_KAFKA_REPLICATION "LK347"
#define LK_KAFKA_FEW_REPLICAS "LK348"
#define LK_KAFKA_POLLERS "LK349"
#define LK_KAFKA_NO_INTERNET "LK358"
#define LK_KAFKA_CLIENT "LK359"
#define LK_KAFKA_VERSION "LK336"
#define LK_KAFKA_GROUP "LK337"

/* MSK's SASL/IAM listener: what clients and event source pollers connect to. */
#define KAFKA_IAM_PORT 9098

#define STAGE_HEAD "lakec: 1\nproject: acme\nstage: dev\n"
#define PROD_HEAD "lakec: 1\nproject: acme\nstage: prod\nproduction: true\n"
#define NET(zones, self_rule)                                                                   \
  "vpcs:\n  main: {cidr: 10.0.0.0/16, zones: " zones "}\n"                                      \
  "security_groups:\n  msk:\n    vpc: main\n    description: brokers\n" self_rule               \
  "  lambda: {vpc: main, description: functions}\n"
#define SELF_RULE "    ingress: [{from: self, port: 9098, description: pollers}]\n"
#define CLUSTER "kafka:\n  events:\n    vpc: main\n    security_group: msk\n"

static const DiagCode KAFKA_CODES[] = {
    {LK_KAFKA_LAYOUT, "MSK brokers that do not fill the vpc's zones evenly",
     "MSK spreads a cluster's brokers evenly over the subnets it is given, one per\n"
     "availability zone: the number of brokers must be a multiple of the vpc's zones.",
     STAGE_HEAD NET("2", SELF_RULE) CLUSTER "    brokers: 3\n",
     STAGE_HEAD NET("2", SELF_RULE) CLUSTER "    brokers: 4\n"},
    {LK_KAFKA_ZONES, "an MSK cluster in a vpc of other than two or three zones",
     "MSK takes the client subnets of two or three availability zones, one subnet\n"
     "each: a cluster's vpc spans two or three zones.",
     STAGE_HEAD NET("1", SELF_RULE) CLUSTER,
     STAGE_HEAD NET("2", SELF_RULE) CLUSTER},
    {LK_KAFKA_REPLICATION, "a topic with more replicas than brokers",
     "Each replica of a partition lives on its own broker: a topic's replication\n"
     "cannot be more than the cluster's brokers.",
     STAGE_HEAD NET("2", SELF_RULE) CLUSTER "    brokers: 2\n    topics:\n"
     "      clicks: {partitions: 6, replication: 3}\n",
     STAGE_HEAD NET("2", SELF_RULE) CLUSTER "    brokers: 2\n    topics:\n"
     "      clicks: {partitions: 6, replication: 2}\n"},
    {LK_KAFKA_FEW_REPLICAS, "a production topic with fewer than three replicas",
     "With fewer than three replicas a production topic loses availability (or\n"
     "records) when a broker is replaced: MSK's recommendation is three, with\n"
     "brokers in three zones. A warning.",
     PROD_HEAD NET("3", SELF_RULE) CLUSTER "    brokers: 3\n    topics:\n"
     "      clicks: {partitions: 6, replication: 2}\n",
     PROD_HEAD NET("3", SELF_RULE) CLUSTER "    brokers: 3\n    topics:\n"
     "      clicks: {partitions: 6, replication: 3}\n"},
    {LK_KAFKA_POLLERS, "a consumed cluster whose security group does not admit itself",
     "Lambda's pollers of an MSK event source run in the cluster's subnets with the\n"
     "cluster's security group: that group must admit itself on 9098 (a `from: self`\n"
     "rule), or the pollers never reach the brokers.",
     STAGE_HEAD NET("2", "") "functions:\n  reader: {}\n" CLUSTER
     "    topics:\n      clicks:\n        partitions: 2\n        consumers: {reader: {}}\n",
     STAGE_HEAD NET("2", SELF_RULE) "functions:\n  reader: {}\n" CLUSTER
     "    topics:\n      clicks:\n        partitions: 2\n        consumers: {reader: {}}\n"},
    {LK_KAFKA_NO_INTERNET, "consumed cluster in subnets that cannot reach Lambda",
     "The pollers of an MSK event source run in the cluster's subnets and call\n"
     "Lambda and STS: those subnets need a NAT gateway (or interface endpoints for\n"
     "Lambda and STS, which lakec does not make). A warning.",
     STAGE_HEAD "vpcs:\n  main: {cidr: 10.0.0.0/16, zones: 2, nat_gateways: 0}\n"
     "security_groups:\n  msk:\n    vpc: main\n    description: brokers\n" SELF_RULE
     "functions:\n  reader: {}\n" CLUSTER
     "    topics:\n      clicks:\n        partitions: 2\n        consumers: {reader: {}}\n",
     STAGE_HEAD NET("2", SELF_RULE) "functions:\n  reader: {}\n" CLUSTER
     "    topics:\n      clicks:\n        partitions: 2\n        consumers: {reader: {}}\n"},
    {LK_KAFKA_CLIENT, "a function granted a cluster it cannot reach",
     "A function granted `kafka_write` or `kafka_read` talks to the brokers itself:\n"
     "it must run in the cluster's vpc (`vpc:` of the function) with a security\n"
     "group that the cluster's group admits on 9098.",
     STAGE_HEAD NET("2", SELF_RULE) CLUSTER "    topics: {clicks: {partitions: 2}}\n"
     "functions:\n  writer:\n    grants: [{kafka_write: events/clicks}]\n",
     STAGE_HEAD "vpcs:\n  main: {cidr: 10.0.0.0/16, zones: 2}\n"
     "security_groups:\n  msk:\n    vpc: main\n    description: brokers\n"
     "    ingress: [{from: lambda, port: 9098, description: writers}]\n"
     "  lambda: {vpc: main, description: functions}\n" CLUSTER
     "    topics: {clicks: {partitions: 2}}\n"
     "functions:\n  writer:\n    vpc: {vpc: main, security_groups: [lambda]}\n"
     "    grants: [{kafka_write: events/clicks}]\n"},
    {LK_KAFKA_VERSION, "topics on a Kafka version MSK's topic API does not serve",
     "lakec declares a cluster's topics as AWS::MSK::Topic, which MSK creates through\n"
     "its topic API; that API serves clusters of Apache Kafka 3.6.0 or later, so a\n"
     "cluster with topics needs such a version (a version is digits and dots).",
     STAGE_HEAD NET("2", SELF_RULE) CLUSTER "    version: 3.5.1\n"
     "    topics: {clicks: {partitions: 2}}\n",
     STAGE_HEAD NET("2", SELF_RULE) CLUSTER "    version: 3.6.0\n"
     "    topics: {clicks: {partitions: 2}}\n"},
    {LK_KAFKA_GROUP, "two event source mappings of a cluster with one consumer group",
     "Lambda requires each Kafka event source's consumer group to be its own: two\n"
     "mappings of one cluster (another topic, or another function) with one group\n"
     "would share its offsets. Name each mapping's group (the default is\n"
     "PROJECT-STAGE-FUNCTION-TOPIC).",
     STAGE_HEAD NET("2", SELF_RULE) "functions:\n  a: {}\n  b: {}\n" CLUSTER
     "    topics:\n      clicks:\n        partitions: 2\n"
     "        consumers: {a: {group: readers}, b: {group: readers}}\n",
     STAGE_HEAD NET("2", SELF_RULE) "functions:\n  a: {}\n  b: {}\n" CLUSTER
     "    topics:\n      clicks:\n        partitions: 2\n"
     "        consumers: {a: {group: readers-a}, b: {group: readers-b}}\n"},
    {NULL, NULL, NULL, NULL, NULL},
};

struct Kafka;
struct KafkaTopic;

typedef struct KafkaConsumer {
  const Node *node;
  const char *function; /* the map key: a key of `functions` */
  const char *group;
  int starting_position; /* index into STARTING_POSITIONS */
  long long batch_size;
  /* resolved */
  Pos key_at; /* where the function is named */
  const Function *target;
  const struct KafkaTopic *topic;
  const struct Kafka *cluster;
} KafkaConsumer;

typedef struct KafkaTopic {
  const Node *node;
  const char *name; /* the map key: the Kafka topic's name */
  long long partitions, replication;
  LIST(KafkaConsumer) consumers;
} KafkaTopic;

typedef struct Kafka {
  MODEL_ITEM_HEADER;
  const char *name, *version, *vpc;
  int subnets; /* SubnetTier */
  const char *security_group;
  long long brokers;
  const char *instance_type;
  long long volume_gb;
  int monitoring; /* index into MONITORING */
  long long log_retention;
  LIST(KafkaTopic) topics;
  /* resolved */
  const void *vpc_item, *group_item;
} Kafka;

static const char *const SUBNET_TIERS[] = {"private", "public", NULL};
static const char *const MONITORING[] = {"DEFAULT", "PER_BROKER", "PER_TOPIC_PER_BROKER",
                                         "PER_TOPIC_PER_PARTITION", NULL};
static const char *const STARTING_POSITIONS[] = {"LATEST", "TRIM_HORIZON", NULL};

static const Field CONSUMER_FIELDS[] = {
    {"group", F_STR, offsetof(KafkaConsumer, group), .def = "PROJECT-STAGE-FUNCTION-TOPIC",
     .computed = true, .doc = "the Kafka consumer group the mapping reads as"},
    {"starting_position", F_ENUM, offsetof(KafkaConsumer, starting_position),
     .values = STARTING_POSITIONS, .def = "LATEST",
     .doc = "where a new group starts: LATEST (new records) or TRIM_HORIZON (the oldest kept)"},
    {"batch_size", F_INT, offsetof(KafkaConsumer, batch_size), .def = "100", .min = 1,
     .max = 10000, .doc = "records per invocation, at most"},
};
static const Shape SHAPE_CONSUMER =
    SHAPE(KafkaConsumer, "kafka consumer", CONSUMER_FIELDS,
          .key_offset = offsetof(KafkaConsumer, function));

static const Field TOPIC_FIELDS[] = {
    {"partitions", F_INT, offsetof(KafkaTopic, partitions), .required = true, .min = 1,
     .max = 10000, .doc = "partitions of the topic (consumers read them in parallel)"},
    {"replication", F_INT, offsetof(KafkaTopic, replication), .def = "the brokers, at most 3",
     .computed = true, .min = 1, .max = 30,
     .doc = "copies of each partition, each on its own broker (at most the brokers)"},
    {"consumers", F_MAP_OF, offsetof(KafkaTopic, consumers), .shape = &SHAPE_CONSUMER,
     .doc = "functions (keys of `functions`) invoked with its records (event source mappings)"},
};
static const Shape SHAPE_TOPIC =
    SHAPE(KafkaTopic, "kafka topic", TOPIC_FIELDS, .key_offset = offsetof(KafkaTopic, name));

static const Field KAFKA_FIELDS[] = {
    {"name", F_STR, offsetof(Kafka, name), .def = "PROJECT-STAGE-KEY", .computed = true,
     .doc = "the MSK cluster name"},
    {"version", F_STR, offsetof(Kafka, version), .def = "3.6.0",
     .doc = "the Apache Kafka version MSK runs; 3.6.0 or later with `topics` (LK336)"},
    {"vpc", F_STR, offsetof(Kafka, vpc), .required = true,
     .doc = "the vpc (a key of `vpcs`) whose subnets hold the brokers"},
    {"subnets", F_ENUM, offsetof(Kafka, subnets), .values = SUBNET_TIERS, .def = "private",
     .doc = "private or public: the vpc's subnets the brokers run in, one zone each"},
    {"security_group", F_STR, offsetof(Kafka, security_group), .required = true,
     .doc = "the brokers' security group (a key of `security_groups`, in the same vpc)"},
    {"brokers", F_INT, offsetof(Kafka, brokers), .def = "the vpc's zones", .computed = true,
     .min = 1, .max = 30, .doc = "broker nodes: a multiple of the vpc's zones"},
    {"instance_type", F_STR, offsetof(Kafka, instance_type), .def = "kafka.t3.small",
     .doc = "the brokers' instance type (kafka.m5.large, ...)"},
    {"volume_gb", F_INT, offsetof(Kafka, volume_gb), .def = "100", .min = 1, .max = 16384,
     .doc = "EBS storage of each broker, in GiB"},
    {"monitoring", F_ENUM, offsetof(Kafka, monitoring), .values = MONITORING, .def = "DEFAULT",
     .doc = "CloudWatch metrics: DEFAULT, PER_BROKER, PER_TOPIC_PER_BROKER or "
            "PER_TOPIC_PER_PARTITION"},
    {"log_retention", F_INT, offsetof(Kafka, log_retention), .def = "30", .min = 1,
     .max = 3653, .doc = "days CloudWatch keeps the broker logs"},
    {"topics", F_MAP_OF, offsetof(Kafka, topics), .shape = &SHAPE_TOPIC,
     .doc = "its topics, by name (AWS::MSK::Topic)"},
    ITEM_FIELDS(Kafka),
};
static const Shape SHAPE_KAFKA =
    SHAPE(Kafka, "kafka cluster", KAFKA_FIELDS, .key_offset = offsetof(Kafka, key));

/* ---- check: names ---- */

/* Whether s holds only letters, digits and characters of `extra`. */
static bool only_alnum_and(const char *s, const char *extra) {
  for (; *s; s++)
    if (!isalnum((unsigned char)*s) && !strchr(extra, *s))
      return false;
  return true;
}

/* MSK: 1 to 64 letters, digits and '-', starting with a letter or digit. */
static const char *cluster_name_rule(const char *name) {
  size_t n = strlen(name);
  if (n < 1 || n > 64)
    return "MSK cluster names are 1 to 64 characters long";
  if (name[0] == '-')
    return "MSK cluster names start with a letter or digit";
  return only_alnum_and(name, "-") ? NULL : "MSK cluster names use only letters, digits and '-'";
}

/* Kafka: 1 to 249 letters, digits, '.', '_' and '-'; not "." or "..". */
static const char *topic_name_rule(const char *name) {
  size_t n = strlen(name);
  if (n < 1 || n > 249)
    return "Kafka topic names are 1 to 249 characters long";
  if (!strcmp(name, ".") || !strcmp(name, ".."))
    return "'.' and '..' are not topic names";
  return only_alnum_and(name, "._-")
             ? NULL
             : "Kafka topic names use only letters, digits, '.', '_' and '-'";
}

/* What Lambda takes as a consumer group id. */
static const char *group_rule(const char *group) {
  size_t n = strlen(group);
  if (n < 1 || n > 200)
    return "consumer group ids are 1 to 200 characters long";
  return only_alnum_and(group, "-/*:_+=.@")
             ? NULL
             : "consumer group ids use only letters, digits and - / * : _ + = . @";
}

static const char *instance_type_rule(const char *type) {
  return strncmp(type, "kafka.", 6) || !type[6] ? "MSK instance types start with 'kafka.' "
                                                  "(kafka.t3.small, kafka.m5.large, ...)"
                                                : NULL;
}

/* ---- check: the cluster in its vpc ---- */

/* MSK puts brokers evenly in two or three zones, one subnet each. */
static void check_layout(Ctx *ctx, Kafka *k) {
  long long zones = vpc_zones(k->vpc_item);
  Pos zones_at = check_pos(((const Item *)k->vpc_item)->node, "zones");
  if (zones < 2 || zones > 3) {
    Diag *d = diag_error(ctx, check_pos(k->node, "vpc"), LK_KAFKA_ZONES,
                         "vpc '%s' spans %lld zone%s, but an MSK cluster takes subnets in two "
                         "or three zones",
                         k->vpc, zones, zones == 1 ? "" : "s");
    diag_note(ctx, d, zones_at, "the zones of '%s' are here", k->vpc);
    return;
  }
  if (!k->brokers)
    k->brokers = zones;
  if (k->brokers % zones == 0)
    return;
  Diag *d = diag_error(ctx, check_pos(k->node, "brokers"), LK_KAFKA_LAYOUT,
                       "%lld brokers cannot be spread evenly over the %lld zones of vpc '%s': "
                       "make it a multiple of %lld",
                       k->brokers, zones, k->vpc, zones);
  diag_note(ctx, d, zones_at, "vpc '%s' spans %lld zones", k->vpc, zones);
}

static void check_group_vpc(Ctx *ctx, const Kafka *k) {
  const Item *vpc = security_group_vpc(k->group_item);
  if (!vpc || vpc == k->vpc_item)
    return;
  Diag *d = diag_error(ctx, check_pos(k->node, "security_group"), LK_OTHER_VPC,
                       "security group '%s' is in vpc '%s', but cluster '%s' runs in vpc '%s'",
                       k->security_group, vpc->key, k->key, k->vpc);
  diag_note(ctx, d, check_pos(((const Item *)k->group_item)->node, "vpc"),
            "'%s' is placed here", k->security_group);
}

static void check_cluster(Ctx *ctx, const Model *m, Kafka *k) {
  if (!k->name)
    k->name = check_default_name(ctx, m, k->key);
  check_name(ctx, k->node, "name", k->name, cluster_name_rule, LK_NAME, "MSK cluster name");
  check_name(ctx, k->node, "instance_type", k->instance_type, instance_type_rule, LK_NAME,
             "instance type");
  check_log_retention(ctx, k->node, k->log_retention);
  if (k->vpc) /* a required key not written was reported */
    k->vpc_item = construct_resolve(ctx, m, &construct_vpc, k->vpc, check_pos(k->node, "vpc"));
  if (k->security_group)
    k->group_item = construct_resolve(ctx, m, &construct_security_group, k->security_group,
                                      check_pos(k->node, "security_group"));
  if (k->vpc_item)
    check_layout(ctx, k);
  if (k->vpc_item && k->group_item)
    check_group_vpc(ctx, k);
}

/* ---- check: topics ---- */

static void check_replication(Ctx *ctx, const Model *m, const Kafka *k, KafkaTopic *t) {
  if (!t->replication)
    t->replication = k->brokers < 3 ? k->brokers : 3;
  if (k->brokers && t->replication > k->brokers) {
    Diag *d = diag_error(ctx, check_pos(t->node, "replication"), LK_KAFKA_REPLICATION,
                         "topic '%s' asks for %lld replicas, but cluster '%s' has %lld brokers",
                         t->name, t->replication, k->key, k->brokers);
    diag_note(ctx, d, check_pos(k->node, "brokers"), "the brokers of '%s'", k->key);
    return;
  }
  if (m->production && t->replication < 3)
    diag_warning(ctx, check_pos(t->node, "replication"), LK_KAFKA_FEW_REPLICAS,
                 "production topic '%s' keeps %lld cop%s of each record: a broker replaced "
                 "makes it unavailable; use 3 replicas (and 3 brokers or more)",
                 t->name, t->replication, t->replication == 1 ? "y" : "ies");
}

/* ---- check: consumers (event source mappings) ---- */

/* Where the key of `value` in `map` is (the value's own place when not found). */
static Pos key_pos(const Node *map, const Node *value) {
  for (size_t i = 0; map && map->kind == NODE_MAP && i < map->count; i++)
    if (map->pairs[i].value == value)
      return map->pairs[i].key->pos;
  return value->pos;
}

static const GrantVerb VERB_POLL;

/* The mapping's pollers act as the consumer function's role. */
static void grant_poll(Ctx *ctx, KafkaConsumer *c) {
  Grant g = {.node = c->node,
             .text = arena_printf(&ctx->arena, "%s/%s", c->cluster->key, c->topic->name),
             .verb = &VERB_POLL, .owner = &construct_kafka, .target = c->cluster, .via = c};
  function_add_grant(ctx, (Function *)c->target, &g);
}

/* The pollers run in the cluster's security group and subnets: said once a cluster. */
static void check_pollers_reach(Ctx *ctx, const Model *m, const Kafka *k, const KafkaConsumer *c) {
  if (!k->vpc_item || !k->group_item)
    return;
  if (!security_group_admits(m, k->security_group, k->security_group, KAFKA_IAM_PORT)) {
    Diag *d = diag_error(ctx, c->node->pos, LK_KAFKA_POLLERS,
                         "the pollers of this mapping run in security group '%s', which does "
                         "not admit itself on %d: they cannot reach the brokers",
                         k->security_group, KAFKA_IAM_PORT);
    diag_note(ctx, d, check_pos(((const Item *)k->group_item)->node, "ingress"),
              "add '{from: self, port: %d, description: event source pollers}' to the ingress "
              "of '%s'",
              KAFKA_IAM_PORT, k->security_group);
  }
  /* public subnets do not serve: the pollers' interfaces get no public address */
  if (k->subnets != SUBNETS_PRIVATE || !vpc_tier_has_internet(k->vpc_item, k->subnets))
    diag_warning(ctx, c->node->pos, LK_KAFKA_NO_INTERNET,
                 "the pollers of this mapping run in the %s subnets of vpc '%s', from which "
                 "they do not reach Lambda and STS: they need private subnets with a NAT "
                 "gateway (or Lambda and STS endpoints) to invoke '%s'",
                 SUBNET_TIERS[k->subnets], k->vpc, c->function);
}

/* A mapping's logical id is its function's and topic's: one function
 * consumes one topic of a name, whatever the cluster. */
static void check_one_mapping(Ctx *ctx, StrIndex *mappings, const KafkaConsumer *c) {
  const char *key = arena_printf(&ctx->arena, "%s/%s", c->function, c->topic->name);
  const KafkaConsumer *first = strindex_get(mappings, key);
  if (!first) {
    strindex_put(ctx, mappings, key, (void *)c);
    return;
  }
  Diag *d = diag_error(ctx, c->key_at, LK_DUPLICATE,
                       "function '%s' consumes topic '%s' of cluster '%s' already: a function "
                       "consumes one topic of a name",
                       c->function, c->topic->name, first->cluster->key);
  diag_note(ctx, d, first->key_at, "the first mapping is here");
}

static void check_consumers(Ctx *ctx, Model *m, Kafka *k, KafkaTopic *t, bool *reported,
                            StrIndex *mappings) {
  for (size_t i = 0; i < t->consumers.len; i++) {
    KafkaConsumer *c = &t->consumers.items[i];
    c->topic = t;
    c->cluster = k;
    if (!c->group) /* one group per mapping: Lambda refuses a group two mappings share */
      c->group = check_default_name(ctx, m,
                                    arena_printf(&ctx->arena, "%s-%s", c->function, t->name));
    check_name(ctx, c->node, "group", c->group, group_rule, LK_NAME, "consumer group");
    c->key_at = key_pos(node_get(t->node, "consumers"), c->node);
    c->target = construct_resolve(ctx, m, &construct_function, c->function, c->key_at);
    if (!c->target)
      continue;
    check_one_mapping(ctx, mappings, c);
    grant_poll(ctx, c);
    if (!*reported)
      check_pollers_reach(ctx, m, k, c);
    *reported = true;
  }
}

/* MSK serves AWS::MSK::Topic (its topic API) on Kafka 3.6.0 and later. */
static void check_topic_version(Ctx *ctx, const Kafka *k) {
  unsigned major = 0, minor = 0;
  int used = 0;
  const char *v = k->version;
  bool dotted = sscanf(v, "%u.%u%n", &major, &minor, &used) == 2 &&
                strspn(v, "0123456789.") == strlen(v);
  if (dotted && (major > 3 || (major == 3 && minor >= 6)))
    return;
  Diag *d = diag_error(ctx, check_pos(k->node, "version"), LK_KAFKA_VERSION,
                       dotted ? "cluster '%s' declares topics, which MSK creates on Kafka 3.6.0 "
                                "or later, not %s"
                              : "cluster '%s': '%s' is not a Kafka version (3.6.0)",
                       k->key, v);
  diag_fixit(ctx, d, "3.6.0");
}

/* Each mapping of a cluster has a consumer group of its own. */
static void check_groups(Ctx *ctx, const Kafka *k) {
  StrIndex groups = {0};
  for (size_t i = 0; i < k->topics.len; i++)
    for (size_t j = 0; j < k->topics.items[i].consumers.len; j++) {
      const KafkaConsumer *c = &k->topics.items[i].consumers.items[j];
      const KafkaConsumer *first = strindex_get(&groups, c->group);
      if (!first) {
        strindex_put(ctx, &groups, c->group, (void *)c);
        continue;
      }
      Diag *d = diag_error(ctx, c->key_at, LK_KAFKA_GROUP,
                           "consumer group '%s' of cluster '%s' is another mapping's already: "
                           "Lambda gives each Kafka event source a group of its own",
                           c->group, k->key);
      diag_note(ctx, d, first->key_at, "the mapping with that group");
    }
}

static void check_topics(Ctx *ctx, Model *m, Kafka *k, StrIndex *mappings) {
  bool reported = false;
  if (k->topics.len && k->version)
    check_topic_version(ctx, k);
  for (size_t i = 0; i < k->topics.len; i++) {
    KafkaTopic *t = &k->topics.items[i];
    Pos at = key_pos(node_get(k->node, "topics"), t->node);
    const char *why = topic_name_rule(t->name);
    if (why)
      diag_error(ctx, at, LK_NAME, "topic name '%s' is invalid: %s", t->name, why);
    check_replication(ctx, m, k, t);
    check_consumers(ctx, m, k, t, &reported, mappings);
  }
  check_groups(ctx, k);
}

/* ---- check: the clients granted kafka_write / kafka_read ---- */

/* One of the function's groups is admitted (the cluster's own, by a `self` rule). */
static bool admitted(const Model *m, const Kafka *k, const Function *f) {
  for (size_t i = 0; i < f->vpc.security_groups.len; i++)
    if (security_group_admits(m, k->security_group, f->vpc.security_groups.items[i],
                              KAFKA_IAM_PORT))
      return true;
  return false;
}

static void check_client(Ctx *ctx, const Model *m, const Function *f, const Grant *g) {
  const Kafka *k = g->target;
  if (!k->vpc_item) /* reported */
    return;
  if (!f->vpc.node || !f->vpc.vpc || strcmp(f->vpc.vpc, k->vpc)) {
    Diag *d = diag_error(ctx, g->node->pos, LK_KAFKA_CLIENT,
                         "function '%s' talks to cluster '%s' but does not run in its vpc: give "
                         "it 'vpc: {vpc: %s, security_groups: [GROUP]}'",
                         f->key, k->key, k->vpc);
    diag_note(ctx, d, check_pos(k->node, "vpc"), "the vpc of '%s' is here", k->key);
    return;
  }
  if (!k->group_item || admitted(m, k, f))
    return;
  const char *from = f->vpc.security_groups.len ? f->vpc.security_groups.items[0] : "GROUP";
  Diag *d = diag_error(ctx, g->node->pos, LK_KAFKA_CLIENT,
                       "function '%s' talks to cluster '%s', whose security group '%s' admits "
                       "none of the function's groups on %d",
                       f->key, k->key, k->security_group, KAFKA_IAM_PORT);
  diag_note(ctx, d, check_pos(((const Item *)k->group_item)->node, "ingress"),
            "add '{from: %s, port: %d, description: ...}' to the ingress of '%s'", from,
            KAFKA_IAM_PORT, k->security_group);
}

static void check_clients(Ctx *ctx, const Model *m) {
  for (size_t i = 0; i < construct_count(m, &construct_function); i++) {
    const Function *f = construct_item(m, &construct_function, i);
    for (size_t j = 0; j < f->grants.len; j++) {
      const Grant *g = &f->grants.items[j];
      if (g->owner == &construct_kafka && g->verb && g->verb != &VERB_POLL && g->target)
        check_client(ctx, m, f, g);
    }
  }
}

static void kafka_check(Ctx *ctx, Model *m, const Construct *self) {
  StrIndex names = {0}, mappings = {0};
  for (size_t i = 0; i < construct_count(m, self); i++) {
    Kafka *k = construct_item_mut(m, self, i);
    check_cluster(ctx, m, k);
    check_unique_name(ctx, &names, self, (const Item *)k, k->name);
    check_topics(ctx, m, k, &mappings);
  }
  check_clients(ctx, m);
}

/* ---- references: "arn", "name", "topic.NAME" ---- */

static const KafkaTopic *find_topic(const Kafka *k, const char *name) {
  for (size_t i = 0; i < k->topics.len; i++)
    if (!strcmp(k->topics.items[i].name, name))
      return &k->topics.items[i];
  return NULL;
}

static const char *topic_id(Ctx *ctx, const Kafka *k, const KafkaTopic *t) {
  return lid(ctx, arena_printf(&ctx->arena, "%s-%s", k->key, t->name), "Topic");
}

static bool kafka_ref(Ctx *ctx, const void *item, const char *what, RefSpec *out) {
  const Kafka *k = item;
  out->id = lid(ctx, k->key, "Cluster");
  if (!strcmp(what, "arn"))
    return true; /* the Ref: known only once the cluster exists (it holds a UUID) */
  if (!strcmp(what, "name")) {
    out->literal = json_string(k->name);
    return true;
  }
  if (!strncmp(what, "topic.", 6)) {
    const KafkaTopic *t = find_topic(k, what + 6);
    out->id = t ? topic_id(ctx, k, t) : NULL;
    return t != NULL;
  }
  return false;
}

/* ---- lower ---- */

static json_t *broker_nodes(Ctx *ctx, Ir *ir, const Kafka *k) {
  return J("{s:s, s:o, s:[o], s:{s:{s:I}}}", "InstanceType", k->instance_type, "ClientSubnets",
           vpc_subnet_ids(ctx, ir, k->vpc_item, k->subnets), "SecurityGroups",
           construct_ref(ctx, ir, &construct_security_group, k->group_item, "id"), "StorageInfo",
           "EBSStorageInfo", "VolumeSize", (json_int_t)k->volume_gb);
}

/* IAM only, over TLS, and TLS between the brokers. */
static json_t *cluster_properties(Ctx *ctx, Ir *ir, const Kafka *k, const char *logs) {
  json_t *p = J("{s:s, s:s, s:I, s:o}", "ClusterName", k->name, "KafkaVersion", k->version,
                "NumberOfBrokerNodes", (json_int_t)k->brokers, "BrokerNodeGroupInfo",
                broker_nodes(ctx, ir, k));
  json_object_set_new(p, "ClientAuthentication",
                      J("{s:{s:{s:b}}, s:{s:b}}", "Sasl", "Iam", "Enabled", 1, "Unauthenticated",
                        "Enabled", 0));
  json_object_set_new(p, "EncryptionInfo",
                      J("{s:{s:s, s:b}}", "EncryptionInTransit", "ClientBroker", "TLS",
                        "InCluster", 1));
  json_object_set_new(p, "EnhancedMonitoring", json_string(MONITORING[k->monitoring]));
  json_object_set_new(p, "LoggingInfo",
                      J("{s:{s:{s:b, s:o}}}", "BrokerLogs", "CloudWatchLogs", "Enabled", 1,
                        "LogGroup", cfn_ref(logs)));
  return p;
}

static void lower_topic(Ctx *ctx, Ir *ir, const Model *m, const Kafka *k, const KafkaTopic *t) {
  json_t *p = J("{s:o, s:s, s:I, s:I}", "ClusterArn",
                construct_ref(ctx, ir, &construct_kafka, k, "arn"), "TopicName", t->name,
                "PartitionCount", (json_int_t)t->partitions, "ReplicationFactor",
                (json_int_t)t->replication);
  ir_set_policy(ir_add(ctx, ir, topic_id(ctx, k, t), "AWS::MSK::Topic", p),
                m->production ? "Retain" : "Delete");
}

/* The mapping lives with its function, like a queue's: the cluster's stack
 * does not need the function's. */
static void lower_mapping(Ctx *ctx, Ir *ir, const KafkaConsumer *c) {
  IrPlace was = lower_place_with(ir, c->target);
  json_t *p = J("{s:o, s:o, s:[s], s:s, s:I, s:{s:s}, s:b}", "EventSourceArn",
                construct_ref(ctx, ir, &construct_kafka, c->cluster, "arn"), "FunctionName",
                construct_ref(ctx, ir, &construct_function, c->target, "name"), "Topics",
                c->topic->name, "StartingPosition", STARTING_POSITIONS[c->starting_position],
                "BatchSize", (json_int_t)c->batch_size, "AmazonManagedKafkaEventSourceConfig",
                "ConsumerGroupId", c->group, "Enabled", 1);
  const char *id =
      lid(ctx, arena_printf(&ctx->arena, "%s-%s", c->function, c->topic->name), "Mapping");
  ir_suppress(ir_add(ctx, ir, id, "AWS::Lambda::EventSourceMapping", p),
              "Serverless-LambdaEventSourceMappingDestination",
              "A Kafka event source keeps its records in the topic: a failed batch is retried "
              "from its partition's offset until it succeeds or the records expire.",
              NULL);
  lower_place_restore(ir, was);
}

static void kafka_lower(Ctx *ctx, Ir *ir, const Model *m, const void *item) {
  const Kafka *k = item;
  const char *id = lid(ctx, k->key, "Cluster");
  const char *logs = lower_log_group(ctx, ir, m, lid(ctx, k->key, "LogGroup"),
                                     arena_printf(&ctx->arena, "/aws/msk/%s", k->name),
                                     k->log_retention);
  ir_set_policy(ir_add(ctx, ir, id, "AWS::MSK::Cluster", cluster_properties(ctx, ir, k, logs)),
                m->production ? "Retain" : "Delete");
  for (size_t i = 0; i < k->topics.len; i++) {
    const KafkaTopic *t = &k->topics.items[i];
    lower_topic(ctx, ir, m, k, t);
    for (size_t j = 0; j < t->consumers.len; j++)
      if (t->consumers.items[j].target)
        lower_mapping(ctx, ir, &t->consumers.items[j]);
  }
  ir_output(ctx, ir, lid(ctx, k->key, "ClusterArn"), cfn_ref(id),
            arena_printf(&ctx->arena, "ARN of MSK cluster '%s'", k->key));
}

/* ---- grants: kafka_write, kafka_read (and the mappings' own) ---- */

/* Where characters [at, at+len) of the grant's value are. */
static Pos text_pos(const Grant *g, Pos whole, size_t at, size_t len) {
  for (size_t i = 0; g->node && g->node->kind == NODE_MAP && i < g->node->count; i++) {
    const Node *v = g->node->pairs[i].value;
    if (v && v->kind == NODE_SCALAR && v->str == g->text)
      return node_pos_within(v, at, len);
  }
  return whole;
}

static const KafkaTopic *resolve_topic(Ctx *ctx, const Kafka *k, const char *name, Pos at) {
  const KafkaTopic *t = find_topic(k, name);
  if (t)
    return t;
  Diag *d = diag_error(ctx, at, LK_UNDEFINED_REF, "no topic named '%s' in kafka cluster '%s'",
                       name, k->key);
  const char **names = arena_alloc(&ctx->arena, (k->topics.len + 1) * sizeof *names);
  for (size_t i = 0; i < k->topics.len; i++)
    names[i] = k->topics.items[i].name;
  const char *best = suggest_closest(name, names, k->topics.len);
  if (best)
    diag_fixit(ctx, d, best);
  return NULL;
}

/* "CLUSTER/TOPIC": g->target the cluster, g->via the topic. */
static bool resolve_cluster_topic(Ctx *ctx, const Model *m, Grant *g, Pos at) {
  const char *slash = strchr(g->text, '/');
  if (!slash) {
    diag_error(ctx, at, LK_UNDEFINED_REF,
               "'%s' names no topic: write CLUSTER/TOPIC (a key of `kafka`, then one of its "
               "topics)",
               g->text);
    return false;
  }
  size_t n = (size_t)(slash - g->text);
  const char *cluster = arena_strndup(&ctx->arena, g->text, n);
  const Kafka *k = construct_resolve(ctx, m, &construct_kafka, cluster, text_pos(g, at, 0, n));
  if (!k)
    return false;
  g->target = k;
  g->via = resolve_topic(ctx, k, slash + 1, text_pos(g, at, n + 1, strlen(slash + 1)));
  return g->via != NULL;
}

/* Part i of the cluster's ARN split at ":cluster/" (0: arn:...:ACCOUNT, 1: NAME/UUID). */
static json_t *cluster_arn_part(Ctx *ctx, Ir *ir, const Kafka *k, int i) {
  return J("{s:[i,{s:[s,o]}]}", "Fn::Select", i, "Fn::Split", ":cluster/",
           construct_ref(ctx, ir, &construct_kafka, k, "arn"));
}

static json_t *group_arn(Ctx *ctx, Ir *ir, const Kafka *k, const char *group) {
  return J("{s:[s,[o,s,o,s]]}", "Fn::Join", "", cluster_arn_part(ctx, ir, k, 0), ":group/",
           cluster_arn_part(ctx, ir, k, 1), arena_printf(&ctx->arena, "/%s", group));
}

static void cluster_statement(Ctx *ctx, Ir *ir, const Grant *g, const char *verb,
                              json_t *actions, json_t *out) {
  json_array_append_new(out, iam_statement(iam_sid(ctx, verb, g->text), actions,
                                           construct_ref(ctx, ir, &construct_kafka, g->target,
                                                         "arn")));
}

static void topic_statement(Ctx *ctx, Ir *ir, const Grant *g, const char *verb, const char *what,
                            json_t *out) {
  const KafkaTopic *t = g->via;
  json_t *arn = construct_ref(ctx, ir, &construct_kafka, g->target,
                              arena_printf(&ctx->arena, "topic.%s", t->name));
  json_array_append_new(out, iam_statement(iam_sid(ctx, verb, g->text),
                                           J("[s,s]", "kafka-cluster:DescribeTopic", what), arn));
}

static void write_statements(Ctx *ctx, Ir *ir, const Model *m, const Grant *g, json_t *out) {
  (void)m;
  cluster_statement(ctx, ir, g, "KafkaWriteCluster",
                    J("[s,s,s]", "kafka:GetBootstrapBrokers", "kafka-cluster:Connect",
                      "kafka-cluster:WriteDataIdempotently"),
                    out);
  topic_statement(ctx, ir, g, "KafkaWriteTopic", "kafka-cluster:WriteData", out);
}

static json_t *group_actions(void) {
  return J("[s,s]", "kafka-cluster:DescribeGroup", "kafka-cluster:AlterGroup");
}

/* A reader names its consumer group itself: the stage's groups of the cluster. */
static void read_statements(Ctx *ctx, Ir *ir, const Model *m, const Grant *g, json_t *out) {
  cluster_statement(ctx, ir, g, "KafkaReadCluster",
                    J("[s,s]", "kafka:GetBootstrapBrokers", "kafka-cluster:Connect"), out);
  topic_statement(ctx, ir, g, "KafkaReadTopic", "kafka-cluster:ReadData", out);
  const char *groups = arena_printf(&ctx->arena, "%s-%s-*", m->project, m->stage);
  json_t *st = iam_statement(iam_sid(ctx, "KafkaReadGroups", g->text), group_actions(),
                             group_arn(ctx, ir, g->target, groups));
  json_array_append_new(
      out, iam_wildcard(st, "A reader names its consumer group when it runs; the groups are "
                            "those of this cluster named after the project and stage."));
}

static const char *const POLLER_NETWORK_REASON =
    "Lambda's pollers of an MSK event source create and describe network interfaces in the "
    "cluster's subnets; EC2 offers these actions on no narrower resource.";

/* What Lambda's pollers do as the consumer function's role. */
static void poll_statements(Ctx *ctx, Ir *ir, const Model *m, const Grant *g, json_t *out) {
  (void)m;
  const KafkaConsumer *c = g->via;
  cluster_statement(ctx, ir, g, "PollCluster",
                    J("[s,s,s,s]", "kafka:DescribeClusterV2", "kafka:GetBootstrapBrokers",
                      "kafka-cluster:Connect", "kafka-cluster:DescribeClusterDynamicConfiguration"),
                    out);
  Grant topic = *g;
  topic.via = c->topic;
  topic_statement(ctx, ir, &topic, "PollTopic", "kafka-cluster:ReadData", out);
  json_array_append_new(out, iam_statement(iam_sid(ctx, "PollGroup", g->text), group_actions(),
                                           group_arn(ctx, ir, c->cluster, c->group)));
  json_t *eni = iam_statement(iam_sid(ctx, "PollNetwork", g->text),
                              J("[s,s,s,s,s,s]", "ec2:CreateNetworkInterface",
                                "ec2:DescribeNetworkInterfaces", "ec2:DescribeVpcs",
                                "ec2:DeleteNetworkInterface", "ec2:DescribeSubnets",
                                "ec2:DescribeSecurityGroups"),
                              json_string("*"));
  json_array_append_new(out, iam_wildcard(eni, POLLER_NETWORK_REASON));
}

static void kafka_environment(Ctx *ctx, Ir *ir, const Model *m, const Grant *g, json_t *vars) {
  (void)m;
  const KafkaTopic *t = g->via;
  json_object_set_new(vars, "LAKEC_KAFKA_CLUSTER_ARN",
                      construct_ref(ctx, ir, &construct_kafka, g->target, "arn"));
  json_object_set_new(vars, "LAKEC_KAFKA_TOPIC", json_string(t->name));
}

/* The event carries the records: the consumer needs no variable. */
static void poll_environment(Ctx *ctx, Ir *ir, const Model *m, const Grant *g, json_t *vars) {
  (void)ctx, (void)ir, (void)m, (void)g, (void)vars;
}

static const GrantVerb VERB_KAFKA_WRITE = {
    "kafka_write", "CLUSTER/TOPIC: produce records to the topic (the function runs in the "
                   "cluster's vpc)",
    resolve_cluster_topic, write_statements, kafka_environment, NULL};
static const GrantVerb VERB_KAFKA_READ = {
    "kafka_read", "CLUSTER/TOPIC: consume the topic in groups named PROJECT-STAGE-* (the "
                  "function runs in the cluster's vpc)",
    resolve_cluster_topic, read_statements, kafka_environment, NULL};
/* A topic's consumer gets it from its mapping; nobody writes it. */
static const GrantVerb VERB_POLL = {"kafka_poll", "", resolve_cluster_topic, poll_statements,
                                    poll_environment, NULL};
static const GrantVerb *const KAFKA_VERBS[] = {&VERB_KAFKA_WRITE, &VERB_KAFKA_READ, NULL};

/* ---- names and tags ---- */

static void kafka_claims(Ctx *ctx, const Model *m, const void *item, PtrVec *claims) {
  (void)m;
  const Kafka *k = item;
  construct_claim(ctx, claims, "MSK cluster", k->name, k->node, "name", false);
}

static const TagRule KAFKA_TAGS[] = {{"AWS::MSK::Cluster", "Tags", TAGS_MAP},
                                     {"AWS::Logs::LogGroup", "Tags", TAGS_LIST},
                                     {NULL, NULL, 0}};

const Construct construct_kafka = {
    .key = "kafka",
    .kind = "kafka cluster",
    .doc = "Amazon MSK provisioned clusters, by key, with their topics and consumers",
    .shape = &SHAPE_KAFKA,
    .check = kafka_check,
    .lower = kafka_lower,
    .ref = kafka_ref,
    .verbs = KAFKA_VERBS,
    .claim_names = kafka_claims,
    .tags = KAFKA_TAGS,
    .codes = KAFKA_CODES,
};
