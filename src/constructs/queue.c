/* queue: an SQS queue, encrypted (SSE-SQS, or the AWS-managed KMS key), with
 * a policy that denies any request without TLS, optionally FIFO, and, when
 * the stage asks, a dead-letter queue created alongside (same encryption and
 * TLS rule, longer retention by default) that takes a message after
 * `max_receives` failed receives. A production stage retains its queues.
 *
 * A function consumes it through an event source mapping (batch size,
 * batching window, maximum concurrency, ReportBatchItemFailures so a handler
 * can return the messages that failed); the mapping gives the function the
 * `consume` grant. Other functions are granted `send: QUEUE`. A handler finds
 * the queue's URL in LAKEC_QUEUE_<KEY>_URL. */
#include "check_util.h"
#include "construct.h"
#include "lower/lower_internal.h"

#include <string.h>

extern const Construct construct_queue, construct_function;

/* The queue's own diagnostics (lakec explain LK310). */
#define LK_QUEUE_TIMEOUT "LK310"
#define LK_DLQ_RETENTION "LK311"
#define STAGE_HEAD "lakec: 1\nproject: metrics\nstage: dev\n"

static const DiagCode QUEUE_CODES[] = {
    {LK_QUEUE_TIMEOUT, "queue visibility shorter than its consumer's timeout",
     "Lambda refuses an event source mapping from a queue whose visibility timeout is\n"
     "shorter than the function's timeout: a message would become visible again while\n"
     "the first invocation still works on it. AWS recommends six times the timeout.",
     STAGE_HEAD "functions:\n  worker: {timeout: 60}\nqueues:\n"
     "  jobs: {visibility_timeout: 30, consumer: worker}\n",
     STAGE_HEAD "functions:\n  worker: {timeout: 60}\nqueues:\n"
     "  jobs: {visibility_timeout: 360, consumer: worker}\n"},
    {LK_DLQ_RETENTION, "dead-letter queue keeps messages for less time than its queue",
     "A message moved to a dead-letter queue keeps its first enqueue time, so the dead-\n"
     "letter queue's retention counts from when it entered the source queue. When the\n"
     "dead-letter queue keeps messages for less time than the queue, a message can\n"
     "expire there the moment it arrives. A warning: make the dead-letter retention\n"
     "longer (its default is 14 days).",
     STAGE_HEAD "queues:\n  jobs:\n    retention: 604800\n    dead_letter: {retention: 86400}\n",
     STAGE_HEAD "queues:\n  jobs:\n    retention: 604800\n    dead_letter: {retention: 1209600}\n"},
    {NULL, NULL, NULL, NULL, NULL},
};

typedef struct DeadLetter {
  const Node *node;
  long long max_receives, retention;
} DeadLetter;

typedef struct Consumer {
  const Node *node;
  const char *function;
  long long batch_size, batching_window, max_concurrency;
  int report_failures;
  const Function *target; /* resolved */
} Consumer;

typedef struct Queue {
  MODEL_ITEM_HEADER;
  const char *name;
  int fifo;
  int encryption; /* index into ENCRYPTIONS */
  long long visibility_timeout, retention;
  DeadLetter dead_letter;
  Consumer consumer;
} Queue;

static const char *const ENCRYPTIONS[] = {"sqs", "kms", NULL};

static const Field DEAD_LETTER_FIELDS[] = {
    {"max_receives", F_INT, offsetof(DeadLetter, max_receives), .def = "5", .min = 1, .max = 1000,
     .doc = "receives after which a message moves to the dead-letter queue"},
    {"retention", F_INT, offsetof(DeadLetter, retention), .def = "1209600", .min = 60,
     .max = 1209600, .doc = "seconds the dead-letter queue keeps a message (default 14 days)"},
};
static const Shape SHAPE_DEAD_LETTER = SHAPE(DeadLetter, "dead-letter queue", DEAD_LETTER_FIELDS,
                                             .key_offset = NO_KEY);

static const Field CONSUMER_FIELDS[] = {
    {"function", F_STR, offsetof(Consumer, function), .required = true,
     .doc = "the function (a key of `functions`) that receives the messages"},
    {"batch_size", F_INT, offsetof(Consumer, batch_size), .def = "10", .min = 1, .max = 10000,
     .doc = "messages per invocation (at most 10 for a FIFO queue)"},
    {"batching_window", F_INT, offsetof(Consumer, batching_window), .def = "0", .min = 0,
     .max = 300, .doc = "seconds to gather a batch (at least 1 when batch_size > 10)"},
    {"max_concurrency", F_INT, offsetof(Consumer, max_concurrency), .min = 2, .max = 1000,
     .doc = "most concurrent invocations the queue drives (default: Lambda's)"},
    {"report_failures", F_BOOL, offsetof(Consumer, report_failures), .def = "true",
     .doc = "the handler may return the failed messages (ReportBatchItemFailures)"},
};
static const Shape SHAPE_CONSUMER =
    SHAPE(Consumer, "queue consumer", CONSUMER_FIELDS, .key_offset = NO_KEY,
          .shorthand = "function");

static const Field QUEUE_FIELDS[] = {
    {"name", F_STR, offsetof(Queue, name), .def = "PROJECT-STAGE-KEY", .computed = true,
     .doc = "the SQS queue name (a FIFO queue's ends with .fifo, added when missing)"},
    {"fifo", F_BOOL, offsetof(Queue, fifo), .def = "false",
     .doc = "first-in-first-out, exactly-once processing"},
    {"encryption", F_ENUM, offsetof(Queue, encryption), .values = ENCRYPTIONS, .def = "sqs",
     .doc = "sqs (SSE-SQS) or kms (the AWS-managed key alias/aws/sqs)"},
    {"visibility_timeout", F_INT, offsetof(Queue, visibility_timeout), .def = "30", .min = 0,
     .max = 43200, .doc = "seconds a received message stays hidden from other receivers"},
    {"retention", F_INT, offsetof(Queue, retention), .def = "345600", .min = 60, .max = 1209600,
     .doc = "seconds a message is kept (default 4 days)"},
    {"dead_letter", F_STRUCT, offsetof(Queue, dead_letter), .shape = &SHAPE_DEAD_LETTER,
     .doc = "create a dead-letter queue for messages that keep failing"},
    {"consumer", F_STRUCT, offsetof(Queue, consumer), .shape = &SHAPE_CONSUMER,
     .doc = "the function that receives the messages (event source mapping)"},
    ITEM_FIELDS(Queue),
};
static const Shape SHAPE_QUEUE =
    SHAPE(Queue, "queue", QUEUE_FIELDS, .key_offset = offsetof(Queue, key));

/* ---- check ---- */

/* 1 to 80 letters, digits, '-' and '_'; a FIFO queue's name ends with .fifo. */
static const char *queue_name_rule(const char *name, bool fifo) {
  size_t n = strlen(name), body = fifo ? n - 5 : n;
  if (fifo && (n < 6 || strcmp(name + n - 5, ".fifo") != 0))
    return "a FIFO queue's name ends with '.fifo'";
  if (n < 1 || n > 80)
    return "SQS queue names are 1 to 80 characters long";
  for (size_t i = 0; i < body; i++) {
    char c = name[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
          c == '-' || c == '_'))
      return "SQS queue names use only letters, digits, '-' and '_' (and '.fifo' at the end)";
  }
  return NULL;
}

static const char *dead_letter_name(Ctx *ctx, const Queue *q) {
  size_t n = strlen(q->name);
  if (q->fifo)
    return arena_printf(&ctx->arena, "%.*s-dlq.fifo", (int)(n - 5), q->name);
  return arena_printf(&ctx->arena, "%s-dlq", q->name);
}

static void report_name(Ctx *ctx, const Queue *q, const char *what, const char *name) {
  const Node *v = node_get(q->node, "name");
  const char *why = v && v->unresolved ? NULL : queue_name_rule(name, q->fifo == 1);
  if (why)
    diag_error(ctx, check_pos(q->node, "name"), LK_NAME, "%s '%s' is invalid: %s", what, name,
               why);
}

static void check_queue_name(Ctx *ctx, const Model *m, Queue *q) {
  if (!q->name)
    q->name = check_default_name(ctx, m, q->key);
  size_t n = strlen(q->name);
  if (q->fifo == 1 && (n < 5 || strcmp(q->name + n - 5, ".fifo") != 0))
    q->name = arena_printf(&ctx->arena, "%s.fifo", q->name);
  report_name(ctx, q, "queue name", q->name);
  if (q->dead_letter.node) /* <name>-dlq must be a valid name too */
    report_name(ctx, q, "dead-letter queue name", dead_letter_name(ctx, q));
}

/* Messages keep their first enqueue time in the dead-letter queue. */
static void check_dead_letter(Ctx *ctx, const Queue *q) {
  const DeadLetter *d = &q->dead_letter;
  if (!d->node || d->retention >= q->retention)
    return;
  diag_warning(ctx, check_pos(d->node, "retention"), LK_DLQ_RETENTION,
               "the dead-letter queue of '%s' keeps messages %lld seconds, less than the queue's "
               "%lld: a message keeps its first enqueue time and may expire as it arrives",
               q->key, d->retention, q->retention);
}

static const GrantVerb VERB_CONSUME;

/* The mapping's function gets the consume grant, unless it wrote one. */
static void grant_consume(Ctx *ctx, Queue *q, Function *f) {
  for (size_t i = 0; i < f->grants.len; i++) {
    const Node *g = f->grants.items[i].node;
    const Node *v = g && g->kind == NODE_MAP ? node_get(g, "consume") : NULL;
    if (v && v->kind == NODE_SCALAR && !strcmp(v->str, q->key))
      return;
  }
  Grant g = {.node = q->consumer.node, .text = q->key, .verb = &VERB_CONSUME,
             .owner = &construct_queue, .target = q};
  function_add_grant(ctx, f, &g);
}

static void check_consumer(Ctx *ctx, Model *m, Queue *q) {
  Consumer *c = &q->consumer;
  if (!c->node || !c->function)
    return;
  c->target = construct_resolve(ctx, m, &construct_function, c->function,
                                check_pos(c->node, "function"));
  if (q->fifo == 1 && c->batch_size > 10)
    diag_error(ctx, check_pos(c->node, "batch_size"), LK_OUT_OF_RANGE,
               "'batch_size' is %lld, but a FIFO queue delivers at most 10 messages a batch",
               c->batch_size);
  if (q->fifo == 1 && c->batching_window > 0)
    diag_error(ctx, check_pos(c->node, "batching_window"), LK_CONFLICT,
               "a FIFO queue's consumer cannot wait for a batch: remove 'batching_window'");
  if (q->fifo != 1 && c->batch_size > 10 && c->batching_window < 1)
    diag_error(ctx, check_pos(c->node, "batch_size"), LK_CONFLICT,
               "a 'batch_size' over 10 needs a 'batching_window' of at least 1 second");
  if (!c->target)
    return;
  grant_consume(ctx, q, (Function *)c->target);
  if (q->visibility_timeout >= c->target->timeout)
    return;
  Pos at = node_get(q->node, "visibility_timeout") ? check_pos(q->node, "visibility_timeout")
                                                   : check_pos(c->node, "function");
  Diag *d = diag_error(ctx, at, LK_QUEUE_TIMEOUT,
                       "queue '%s' hides a message for %lld seconds, less than the %lld seconds "
                       "function '%s' may run: AWS refuses such an event source mapping",
                       q->key, q->visibility_timeout, c->target->timeout, c->target->key);
  diag_note(ctx, d, check_pos(c->target->node, "timeout"), "the timeout of '%s' is here",
            c->target->key);
}

static void queue_check(Ctx *ctx, Model *m, const Construct *self) {
  StrIndex names = {0};
  for (size_t i = 0; i < construct_count(m, self); i++) {
    Queue *q = construct_item_mut(m, self, i);
    check_queue_name(ctx, m, q);
    check_unique_name(ctx, &names, self, (const Item *)q, q->name);
    if (q->dead_letter.node)
      check_unique_name(ctx, &names, self, (const Item *)q, dead_letter_name(ctx, q));
    check_dead_letter(ctx, q);
    check_consumer(ctx, m, q);
  }
}

/* ---- references: "url" (Ref), "arn", "name" ---- */

static bool queue_ref(Ctx *ctx, const void *item, const char *what, RefSpec *out) {
  const Queue *q = item;
  out->id = lid(ctx, q->key, "Queue");
  if (!strcmp(what, "url")) {
    out->literal = cfn_subf("https://sqs.${AWS::Region}.${AWS::URLSuffix}/${AWS::AccountId}/%s",
                            q->name);
    return true;
  }
  if (!strcmp(what, "arn")) {
    out->attr = "Arn";
    out->literal = cfn_subf("arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:%s",
                            q->name);
    return true;
  }
  if (!strcmp(what, "name")) {
    out->attr = "QueueName";
    out->literal = json_string(q->name);
    return true;
  }
  if (!strcmp(what, "dead_letter_name") && q->dead_letter.node) {
    out->id = lid(ctx, q->key, "DeadLetterQueue");
    out->attr = "QueueName";
    out->literal = json_string(dead_letter_name(ctx, q));
    return true;
  }
  return false;
}

/* ---- metrics (alarms) ---- */

static json_t *queue_dimensions(Ctx *ctx, Ir *ir, const void *item) {
  return J("[{s:s, s:o}]", "Name", "QueueName", "Value",
           construct_ref(ctx, ir, &construct_queue, item, "name"));
}

static json_t *dead_letter_dimensions(Ctx *ctx, Ir *ir, const void *item) {
  return J("[{s:s, s:o}]", "Name", "QueueName", "Value",
           construct_ref(ctx, ir, &construct_queue, item, "dead_letter_name"));
}

static bool has_dead_letter(const void *item) { return ((const Queue *)item)->dead_letter.node; }

#define QUEUE_METRICS(prefix, dims, offered)                                                     {prefix "visible_messages", "AWS/SQS", "ApproximateNumberOfMessagesVisible", "Maximum",         METRIC_COUNT, "messages waiting to be received", offered, dims},                                  {prefix "oldest_message_age", "AWS/SQS", "ApproximateAgeOfOldestMessage", "Maximum",            METRIC_SECONDS, "seconds the oldest waiting message has waited", offered, dims},              {prefix "messages_sent", "AWS/SQS", "NumberOfMessagesSent", "Sum", METRIC_COUNT,                "messages sent to it", offered, dims}

static const Metric QUEUE_METRICS[] = {
    QUEUE_METRICS("", queue_dimensions, NULL),
    QUEUE_METRICS("dead_letter.", dead_letter_dimensions, has_dead_letter),
    {NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL},
};

/* ---- lower ---- */

static json_t *queue_properties(const Queue *q, const char *name, long long retention) {
  json_t *p = J("{s:s}", "QueueName", name);
  if (q->fifo)
    json_object_set_new(p, "FifoQueue", json_true());
  if (q->encryption == 1)
    json_object_set_new(p, "KmsMasterKeyId", json_string("alias/aws/sqs"));
  else
    json_object_set_new(p, "SqsManagedSseEnabled", json_true());
  json_object_set_new(p, "MessageRetentionPeriod", json_integer(retention));
  return p;
}

/* Both queues refuse requests that do not use TLS. */
static void lower_tls_policy(Ctx *ctx, Ir *ir, const Queue *q, const char *id, const char *dlq) {
  json_t *queues = J("[o]", cfn_ref(id)), *arns = J("[o]", cfn_getatt(id, "Arn"));
  if (dlq) {
    json_array_append_new(queues, cfn_ref(dlq));
    json_array_append_new(arns, cfn_getatt(dlq, "Arn"));
  }
  json_t *deny = J("{s:s, s:s, s:s, s:s, s:o, s:{s:{s:s}}}", "Sid", "DenyInsecureTransport",
                   "Effect", "Deny", "Principal", "*", "Action", "sqs:*", "Resource", arns,
                   "Condition", "Bool", "aws:SecureTransport", "false");
  ir_add(ctx, ir, lid(ctx, q->key, "QueuePolicy"), "AWS::SQS::QueuePolicy",
         J("{s:o, s:{s:s, s:[o]}}", "Queues", queues, "PolicyDocument", "Version", "2012-10-17",
           "Statement", deny));
}

/* The mapping lives with its function: a queue in a shared stack can feed
 * functions of other stacks without those stacks needing each other. */
static void lower_mapping(Ctx *ctx, Ir *ir, const Queue *q) {
  const Consumer *c = &q->consumer;
  IrPlace was = lower_place_with(ir, c->target);
  json_t *p = J("{s:o, s:o, s:I, s:b}", "EventSourceArn",
                construct_ref(ctx, ir, &construct_queue, q, "arn"), "FunctionName",
                construct_ref(ctx, ir, &construct_function, c->target, "name"), "BatchSize",
                (json_int_t)c->batch_size, "Enabled", 1);
  if (c->batching_window)
    json_object_set_new(p, "MaximumBatchingWindowInSeconds", json_integer(c->batching_window));
  if (c->max_concurrency)
    json_object_set_new(p, "ScalingConfig",
                        J("{s:I}", "MaximumConcurrency", (json_int_t)c->max_concurrency));
  if (c->report_failures)
    json_object_set_new(p, "FunctionResponseTypes", J("[s]", "ReportBatchItemFailures"));
  IrResource *r = ir_add(ctx, ir, lid(ctx, q->key, "QueueMapping"),
                         "AWS::Lambda::EventSourceMapping", p);
  if (q->dead_letter.node)
    ir_suppress(r, "Serverless-LambdaEventSourceMappingDestination",
                "Lambda offers no on-failure destination for SQS event sources; a message that "
                "keeps failing moves to the queue's dead-letter queue after max_receives tries.",
                NULL);
  lower_place_restore(ir, was);
}

/* Messages are data: a production stage keeps its queues when the stack goes. */
static void queue_lower(Ctx *ctx, Ir *ir, const Model *m, const void *item) {
  const Queue *q = item;
  const char *id = lid(ctx, q->key, "Queue"), *dlq = NULL;
  const char *policy = m->production ? "Retain" : "Delete";
  if (q->dead_letter.node) {
    dlq = lid(ctx, q->key, "DeadLetterQueue");
    IrResource *r = ir_add(ctx, ir, dlq, "AWS::SQS::Queue",
                           queue_properties(q, dead_letter_name(ctx, q), q->dead_letter.retention));
    ir_set_policy(r, policy);
    const char *why = arena_printf(&ctx->arena,
                                   "This queue is itself the dead-letter queue of queue '%s'.",
                                   q->key);
    ir_suppress(r, "Serverless-SQSRedrivePolicy", why, NULL);
  }
  json_t *p = queue_properties(q, q->name, q->retention);
  json_object_set_new(p, "VisibilityTimeout", json_integer(q->visibility_timeout));
  if (dlq)
    json_object_set_new(p, "RedrivePolicy",
                        J("{s:o, s:I}", "deadLetterTargetArn", cfn_getatt(dlq, "Arn"),
                          "maxReceiveCount", (json_int_t)q->dead_letter.max_receives));
  ir_set_policy(ir_add(ctx, ir, id, "AWS::SQS::Queue", p), policy);
  lower_tls_policy(ctx, ir, q, id, dlq);
  if (q->consumer.target)
    lower_mapping(ctx, ir, q);
  ir_output(ctx, ir, lid(ctx, q->key, "QueueUrl"), cfn_ref(id),
            arena_printf(&ctx->arena, "URL of queue '%s'", q->key));
}

/* ---- grants: send, consume ---- */

static bool resolve_queue(Ctx *ctx, const Model *m, Grant *g, Pos at) {
  g->target = construct_resolve(ctx, m, &construct_queue, g->text, at);
  return g->target != NULL;
}

static void queue_statement(Ctx *ctx, Ir *ir, const Grant *g, const char *verb, json_t *actions,
                            json_t *out) {
  json_array_append_new(out, iam_statement(iam_sid(ctx, verb, g->text), actions,
                                           construct_ref(ctx, ir, &construct_queue, g->target,
                                                         "arn")));
}

static void send_statements(Ctx *ctx, Ir *ir, const Model *m, const Grant *g, json_t *out) {
  (void)m;
  queue_statement(ctx, ir, g, "Send",
                  J("[s,s,s]", "sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"),
                  out);
}

static void consume_statements(Ctx *ctx, Ir *ir, const Model *m, const Grant *g, json_t *out) {
  (void)m;
  queue_statement(ctx, ir, g, "Consume",
                  J("[s,s,s,s,s]", "sqs:ReceiveMessage", "sqs:DeleteMessage",
                    "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"),
                  out);
}

static void queue_environment(Ctx *ctx, Ir *ir, const Model *m, const Grant *g, json_t *vars) {
  (void)m;
  const Queue *q = g->target;
  json_object_set_new(vars, env_name(ctx, "LAKEC_QUEUE_", q->key, "_URL"),
                      construct_ref(ctx, ir, &construct_queue, q, "url"));
}

static const GrantVerb VERB_SEND = {"send", "QUEUE: send messages to it", resolve_queue,
                                    send_statements, queue_environment, NULL};
static const GrantVerb VERB_CONSUME = {
    "consume", "QUEUE: receive and delete its messages (a consumer mapping grants it itself)",
    resolve_queue, consume_statements, queue_environment, NULL};
static const GrantVerb *const QUEUE_VERBS[] = {&VERB_SEND, &VERB_CONSUME, NULL};

/* ---- names and tags ---- */

static void queue_claims(Ctx *ctx, const Model *m, const void *item, PtrVec *claims) {
  (void)m;
  const Queue *q = item;
  construct_claim(ctx, claims, "queue", q->name, q->node, "name", false);
  if (q->dead_letter.node)
    construct_claim(ctx, claims, "queue", dead_letter_name(ctx, q), q->node, "dead_letter", false);
}

static const TagRule QUEUE_TAGS[] = {{"AWS::SQS::Queue", "Tags", TAGS_LIST}, {NULL, NULL, 0}};

const Construct construct_queue = {
    .key = "queues",
    .kind = "queue",
    .doc = "SQS queues, by key",
    .shape = &SHAPE_QUEUE,
    .check = queue_check,
    .lower = queue_lower,
    .ref = queue_ref,
    .verbs = QUEUE_VERBS,
    .claim_names = queue_claims,
    .tags = QUEUE_TAGS,
    .codes = QUEUE_CODES,
    .metrics = QUEUE_METRICS,
};
