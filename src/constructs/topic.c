/* topic: an SNS topic that alarms notify, with its subscriptions written on
 * the topic (e-mail addresses, HTTPS endpoints), encrypted by default with a
 * customer-managed KMS key lakec creates (rotated yearly) whose key policy
 * lets CloudWatch use it: CloudWatch cannot publish to a topic under the
 * AWS-managed key alias/aws/sns, whose policy nobody can change. A topic
 * policy denies any request without TLS and lets CloudWatch alarms of this
 * account publish. A function is granted `publish: TOPIC`; its handler finds
 * the topic's ARN in LAKEC_TOPIC_<KEY>_ARN. */
#include "check_util.h"
#include "construct.h"
#include "lower/lower_internal.h"

#include <string.h>

extern const Construct construct_topic;

#define LK_TOPIC "LK340"
#define LK_TOPIC_PLAIN "LK344"
#define STAGE_HEAD "lakec: 1\nproject: metrics\nstage: dev\n"
#define PROD_HEAD "lakec: 1\nproject: metrics\nstage: prod\nproduction: true\n"

static const DiagCode TOPIC_CODES[] = {
    {LK_TOPIC, "invalid SNS topic name or subscription",
     "An SNS topic name is 1 to 256 letters, digits, '-' and '_'. A subscription is\n"
     "`email: ADDRESS` (one address, local@domain) or `url: https://...` (SNS confirms\n"
     "the endpoint over HTTPS; lakec does not send alarms in clear text).",
     STAGE_HEAD "topics:\n  alerts:\n    subscriptions: [{url: http://hooks.example.com/a}]\n",
     STAGE_HEAD "topics:\n  alerts:\n    subscriptions: [{url: https://hooks.example.com/a}]\n"},
    {LK_TOPIC_PLAIN, "an unencrypted topic in a production stage",
     "A production stage's topics are encrypted with the key lakec creates for them\n"
     "(`encryption: kms`, the default); `encryption: none` is for other stages.",
     PROD_HEAD "topics:\n  alerts: {encryption: none}\n",
     PROD_HEAD "topics:\n  alerts: {}\n"},
    {NULL, NULL, NULL, NULL, NULL},
};

typedef struct Subscription {
  const Node *node;
  const char *email, *url;
} Subscription;

typedef struct Topic {
  MODEL_ITEM_HEADER;
  const char *name;
  int encryption; /* index into ENCRYPTIONS */
  LIST(Subscription) subscriptions;
} Topic;

enum { TOPIC_KMS, TOPIC_PLAIN };
static const char *const ENCRYPTIONS[] = {"kms", "none", NULL};

static const Field SUBSCRIPTION_FIELDS[] = {
    {"email", F_STR, offsetof(Subscription, email), .doc = "an e-mail address (SNS asks it to confirm)"},
    {"url", F_STR, offsetof(Subscription, url), .doc = "an https:// endpoint (SNS asks it to confirm)"},
};
static const Shape SHAPE_SUBSCRIPTION = SHAPE(Subscription, "subscription", SUBSCRIPTION_FIELDS,
                                              .key_offset = NO_KEY, .exactly_one = true);

static const Field TOPIC_FIELDS[] = {
    {"name", F_STR, offsetof(Topic, name), .def = "PROJECT-STAGE-KEY", .computed = true,
     .doc = "the SNS topic name (1 to 256 letters, digits, '-' and '_')"},
    {"subscriptions", F_LIST_OF, offsetof(Topic, subscriptions), .shape = &SHAPE_SUBSCRIPTION,
     .doc = "`- email: ADDRESS` or `- url: https://...`"},
    {"encryption", F_ENUM, offsetof(Topic, encryption), .values = ENCRYPTIONS, .def = "kms",
     .doc = "kms (a key lakec creates, which CloudWatch may use) or none (not in production)"},
    ITEM_FIELDS(Topic),
};
static const Shape SHAPE_TOPIC =
    SHAPE(Topic, "topic", TOPIC_FIELDS, .key_offset = offsetof(Topic, key));

/* ---- check ---- */

static const char *topic_name_rule(const char *name) {
  size_t n = strlen(name);
  if (n < 1 || n > 256)
    return "SNS topic names are 1 to 256 characters long";
  for (size_t i = 0; i < n; i++) {
    char c = name[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
          c == '-' || c == '_'))
      return "SNS topic names use only letters, digits, '-' and '_'";
  }
  return NULL;
}

/* local@domain.tld: one '@', no spaces, a dot in a domain that neither
 * starts nor ends with one. */
static bool plausible_email(const char *s) {
  const char *at = strchr(s, '@');
  if (!at || at == s || strchr(at + 1, '@') || strpbrk(s, " \t,;<>()[]\\\""))
    return false;
  const char *domain = at + 1, *dot = strchr(domain, '.');
  size_t n = strlen(domain);
  return dot && dot != domain && n > 0 && domain[n - 1] != '.' && !strstr(domain, "..");
}

/* https://host[/...]: a host that is not empty and has no spaces. */
static bool https_url(const char *s) {
  if (strncmp(s, "https://", 8) != 0)
    return false;
  const char *host = s + 8;
  return *host && *host != '/' && !strpbrk(s, " \t");
}

static void check_subscriptions(Ctx *ctx, const Topic *t) {
  for (size_t i = 0; i < t->subscriptions.len; i++) {
    const Subscription *s = &t->subscriptions.items[i];
    if (s->email && !plausible_email(s->email))
      diag_error(ctx, check_pos(s->node, "email"), LK_TOPIC,
                 "'%s' is not an e-mail address (local@domain)", s->email);
    if (s->url && !https_url(s->url))
      diag_error(ctx, check_pos(s->node, "url"), LK_TOPIC,
                 "'%s' is not an https:// URL: SNS delivers alarms to HTTPS endpoints only "
                 "(lakec does not send them in clear text)",
                 s->url);
  }
}

static void topic_check(Ctx *ctx, Model *m, const Construct *self) {
  StrIndex names = {0};
  for (size_t i = 0; i < construct_count(m, self); i++) {
    Topic *t = construct_item_mut(m, self, i);
    if (!t->name)
      t->name = check_default_name(ctx, m, t->key);
    check_name(ctx, t->node, "name", t->name, topic_name_rule, LK_TOPIC, "topic name");
    check_unique_name(ctx, &names, self, (const Item *)t, t->name);
    check_subscriptions(ctx, t);
    if (m->production && t->encryption == TOPIC_PLAIN)
      diag_error(ctx, check_pos(t->node, "encryption"), LK_TOPIC_PLAIN,
                 "topic '%s' of a production stage is not encrypted: remove "
                 "'encryption: none' (lakec then creates a key CloudWatch may use)",
                 t->key);
  }
}

/* ---- references: "arn" (Ref), "name" ---- */

static bool topic_ref(Ctx *ctx, const void *item, const char *what, RefSpec *out) {
  const Topic *t = item;
  out->id = lid(ctx, t->key, "Topic");
  if (!strcmp(what, "arn")) {
    out->literal = cfn_subf("arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:%s",
                            t->name);
    return true;
  }
  if (!strcmp(what, "key_arn") && t->encryption == TOPIC_KMS) {
    out->id = lid(ctx, t->key, "TopicKey");
    out->attr = "Arn"; /* known once created */
    return true;
  }
  if (!strcmp(what, "name")) {
    out->attr = "TopicName";
    out->literal = json_string(t->name);
    return true;
  }
  return false;
}

/* ---- lower ---- */

/* The account administers the key; CloudWatch may use it to publish alarm
 * notifications to the topic (SNS asks for a data key on its behalf). */
static json_t *topic_key_policy(void) {
  json_t *admin = J("{s:s, s:s, s:{s:o}, s:s, s:s}", "Sid", "AccountAdministers", "Effect",
                    "Allow", "Principal", "AWS",
                    cfn_sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root"), "Action",
                    "kms:*", "Resource", "*");
  json_t *cloudwatch = J("{s:s, s:s, s:{s:s}, s:[s,s], s:s}", "Sid", "CloudWatchPublishes",
                         "Effect", "Allow", "Principal", "Service", "cloudwatch.amazonaws.com",
                         "Action", "kms:Decrypt", "kms:GenerateDataKey*", "Resource", "*");
  return J("{s:s, s:[o,o]}", "Version", "2012-10-17", "Statement", admin, cloudwatch);
}

static json_t *subscriptions(const Topic *t) {
  json_t *out = json_array();
  for (size_t i = 0; i < t->subscriptions.len; i++) {
    const Subscription *s = &t->subscriptions.items[i];
    json_array_append_new(out, J("{s:s, s:s}", "Protocol", s->email ? "email" : "https",
                                 "Endpoint", s->email ? s->email : s->url));
  }
  return out;
}

/* Requests without TLS are denied; CloudWatch alarms of this account may publish. */
static void lower_topic_policy(Ctx *ctx, Ir *ir, const Topic *t, const char *id) {
  json_t *deny = J("{s:s, s:s, s:s, s:s, s:o, s:{s:{s:s}}}", "Sid", "DenyInsecureTransport",
                   "Effect", "Deny", "Principal", "*", "Action", "sns:*", "Resource",
                   cfn_ref(id), "Condition", "Bool", "aws:SecureTransport", "false");
  json_t *alarms = J("{s:s, s:s, s:{s:s}, s:s, s:o, s:{s:{s:o}}}", "Sid", "CloudWatchAlarms",
                     "Effect", "Allow", "Principal", "Service", "cloudwatch.amazonaws.com",
                     "Action", "sns:Publish", "Resource", cfn_ref(id), "Condition",
                     "StringEquals", "aws:SourceAccount", cfn_ref("AWS::AccountId"));
  ir_add(ctx, ir, lid(ctx, t->key, "TopicPolicy"), "AWS::SNS::TopicPolicy",
         J("{s:[o], s:{s:s, s:[o,o]}}", "Topics", cfn_ref(id), "PolicyDocument", "Version",
           "2012-10-17", "Statement", deny, alarms));
}

static void topic_lower(Ctx *ctx, Ir *ir, const Model *m, const void *item) {
  const Topic *t = item;
  const char *id = lid(ctx, t->key, "Topic");
  json_t *p = J("{s:s}", "TopicName", t->name);
  if (t->encryption == TOPIC_KMS) {
    const char *key = lid(ctx, t->key, "TopicKey");
    IrResource *k = ir_add(ctx, ir, key, "AWS::KMS::Key",
                           J("{s:s, s:b, s:o}", "Description",
                             arena_printf(&ctx->arena, "%s %s: messages of topic %s", m->project,
                                          m->stage, t->name),
                             "EnableKeyRotation", 1, "KeyPolicy", topic_key_policy()));
    /* A topic keeps no messages once delivered: nothing needs the key after
     * the topic goes (KMS still waits its pending window before deleting). */
    ir_set_policy(k, "Delete");
    json_object_set_new(p, "KmsMasterKeyId", cfn_ref(key));
  }
  if (t->subscriptions.len)
    json_object_set_new(p, "Subscription", subscriptions(t));
  IrResource *r = ir_add(ctx, ir, id, "AWS::SNS::Topic", p);
  if (t->encryption == TOPIC_PLAIN)
    ir_suppress(r, "AwsSolutions-SNS2",
                "The stage chose 'encryption: none' for this topic (not a production stage); "
                "its messages are alarm notifications.",
                NULL);
  lower_topic_policy(ctx, ir, t, id);
  ir_output(ctx, ir, lid(ctx, t->key, "TopicArn"), cfn_ref(id),
            arena_printf(&ctx->arena, "ARN of topic '%s'", t->key));
}

/* ---- grant: publish ---- */

static bool resolve_topic(Ctx *ctx, const Model *m, Grant *g, Pos at) {
  g->target = construct_resolve(ctx, m, &construct_topic, g->text, at);
  return g->target != NULL;
}

/* A publisher needs the key too when the topic is encrypted. */
static void publish_statements(Ctx *ctx, Ir *ir, const Model *m, const Grant *g, json_t *out) {
  (void)m;
  const Topic *t = g->target;
  json_array_append_new(out, iam_statement(iam_sid(ctx, "Publish", g->text),
                                           J("[s]", "sns:Publish"),
                                           construct_ref(ctx, ir, &construct_topic, t, "arn")));
  if (t->encryption == TOPIC_KMS)
    json_array_append_new(out, iam_statement(iam_sid(ctx, "PublishKey", g->text),
                                             J("[s,s]", "kms:Decrypt", "kms:GenerateDataKey*"),
                                             construct_ref(ctx, ir, &construct_topic, t,
                                                           "key_arn")));
}

static void publish_environment(Ctx *ctx, Ir *ir, const Model *m, const Grant *g, json_t *vars) {
  (void)m;
  json_object_set_new(vars, env_name(ctx, "LAKEC_TOPIC_", ((const Topic *)g->target)->key, "_ARN"),
                      construct_ref(ctx, ir, &construct_topic, g->target, "arn"));
}

static const GrantVerb VERB_PUBLISH = {"publish", "TOPIC: publish messages to it",
                                       resolve_topic, publish_statements, publish_environment, NULL};
static const GrantVerb *const TOPIC_VERBS[] = {&VERB_PUBLISH, NULL};

/* ---- names and tags ---- */

static void topic_claims(Ctx *ctx, const Model *m, const void *item, PtrVec *claims) {
  (void)m;
  const Topic *t = item;
  construct_claim(ctx, claims, "topic", t->name, t->node, "name", false);
}

static const TagRule TOPIC_TAGS[] = {{"AWS::SNS::Topic", "Tags", TAGS_LIST},
                                     {"AWS::KMS::Key", "Tags", TAGS_LIST},
                                     {NULL, NULL, 0}};

const Construct construct_topic = {
    .key = "topics",
    .kind = "topic",
    .doc = "SNS topics, by key",
    .shape = &SHAPE_TOPIC,
    .check = topic_check,
    .lower = topic_lower,
    .ref = topic_ref,
    .verbs = TOPIC_VERBS,
    .claim_names = topic_claims,
    .tags = TOPIC_TAGS,
    .codes = TOPIC_CODES,
};
