/* alarm: a CloudWatch alarm on a metric of another construct's item, named
 * the way the stage names things: `metric: queues.jobs.oldest_message_age`
 * is the stage key, the item's key and the metric's name (each construct
 * lists the metrics it offers, with their CloudWatch namespace, name,
 * dimensions and default statistic, in its own file). The alarm fires
 * `above` or `below` a threshold and notifies topics (alarm and OK actions). */
#include "check_util.h"
#include "refs.h"
#include "rawjson.h"
#include "rawcheck.h"
#include "construct.h"
#include "lower/lower_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

extern const Construct construct_alarm, construct_topic;

#define LK_ALARM_METRIC "LK341"
#define LK_ALARM_THRESHOLD "LK342"
#define LK_ALARM_PERIOD "LK343"
#define STAGE_HEAD "lakec: 1\nproject: metrics\nstage: dev\nqueues:\n  jobs: {}\nalarms:\n  late:\n"

static const DiagCode ALARM_CODES[] = {
    {LK_ALARM_METRIC, "an alarm's metric that does not exist",
     "An alarm names its metric as STAGE_KEY.ITEM.METRIC: `queues.jobs.oldest_message_age`.\n"
     "The stage key is a construct that offers metrics (queues, functions), the item one\n"
     "of its keys, the metric one it offers (the README lists them; a queue's dead-letter\n"
     "metrics exist only when it has a dead-letter queue).",
     STAGE_HEAD "    metric: queues.jobs.oldest_age\n    above: 600\n",
     STAGE_HEAD "    metric: queues.jobs.oldest_message_age\n    above: 600\n"},
    {LK_ALARM_THRESHOLD, "an alarm threshold of the wrong kind",
     "`above` or `below` is a number of the metric's kind: a count (messages, errors) is\n"
     "a whole number of at least 0, a duration in seconds or milliseconds at least 0.",
     STAGE_HEAD "    metric: queues.jobs.visible_messages\n    above: 0.5\n",
     STAGE_HEAD "    metric: queues.jobs.visible_messages\n    above: 0\n"},
    {LK_ALARM_PERIOD, "an alarm period CloudWatch refuses",
     "CloudWatch takes a period of 10, 30 or 60 seconds or a multiple of 60, and evaluates\n"
     "at most one day of periods when the period is under an hour (seven days\n"
     "otherwise): period x evaluation_periods.",
     STAGE_HEAD "    metric: queues.jobs.visible_messages\n    above: 0\n    period: 90\n",
     STAGE_HEAD "    metric: queues.jobs.visible_messages\n    above: 0\n    period: 120\n"},
    {NULL, NULL, NULL, NULL, NULL},
};

typedef struct Alarm {
  MODEL_ITEM_HEADER;
  const char *name, *metric_text, *above, *below, *description;
  long long period, evaluation_periods;
  int statistic, missing_data;
  StrList notify;
  /* resolved */
  const Construct *owner;
  const void *target;
  const Metric *metric;
  double threshold;
  const void **topics;
} Alarm;

static const char *const STATISTICS[] = {"Average", "Sum", "Minimum", "Maximum", "SampleCount",
                                         NULL};
static const char *const MISSING[] = {"not_breaching", "breaching", "ignore", "missing", NULL};
static const char *const MISSING_CFN[] = {"notBreaching", "breaching", "ignore", "missing"};

static const Field ALARM_FIELDS[] = {
    {"name", F_STR, offsetof(Alarm, name), .def = "PROJECT-STAGE-KEY", .computed = true,
     .doc = "the CloudWatch alarm name"},
    {"metric", F_STR, offsetof(Alarm, metric_text), .required = true,
     .doc = "STAGE_KEY.ITEM.METRIC: queues.jobs.oldest_message_age"},
    {"above", F_STR, offsetof(Alarm, above), .number = true,
     .doc = "fire when the statistic is greater than this number"},
    {"below", F_STR, offsetof(Alarm, below), .number = true,
     .doc = "fire when the statistic is less than this number"},
    {"period", F_INT, offsetof(Alarm, period), .def = "60", .min = 10, .max = 86400,
     .doc = "seconds per evaluated data point: 10, 30, 60 or a multiple of 60"},
    {"evaluation_periods", F_INT, offsetof(Alarm, evaluation_periods), .def = "1", .min = 1,
     .max = 10080, .doc = "periods in a row that must breach"},
    {"statistic", F_ENUM, offsetof(Alarm, statistic), .values = STATISTICS,
     .def = "the metric's", .computed = true, .doc = "how a period's data points are combined"},
    {"missing_data", F_ENUM, offsetof(Alarm, missing_data), .values = MISSING,
     .def = "not_breaching", .doc = "how a period without data counts"},
    {"notify", F_STRLIST, offsetof(Alarm, notify),
     .doc = "topics (keys of `topics`) told when it fires and when it recovers"},
    {"description", F_STR, offsetof(Alarm, description), .doc = "free text"},
    ITEM_FIELDS(Alarm),
};
static const Shape SHAPE_ALARM =
    SHAPE(Alarm, "alarm", ALARM_FIELDS, .key_offset = offsetof(Alarm, key));

/* ---- check ---- */

static void report_no_metric(Ctx *ctx, Pos at, const Construct *c, const void *item,
                             const char *name) {
  const char *names[32];
  size_t n = 0;
  const char *list = "";
  for (const Metric *mt = c->metrics; mt && mt->name && n < 32; mt++)
    if (!mt->offered || mt->offered(item)) {
      names[n++] = mt->name;
      list = arena_printf(&ctx->arena, "%s%s%s", list, *list ? ", " : "", mt->name);
    }
  Diag *d = diag_error(ctx, at, LK_ALARM_METRIC, "%s '%s' has no metric '%s'; it has: %s",
                       c->kind, ((const Item *)item)->key, name, list);
  const char *best = suggest_closest(name, names, n);
  if (best)
    diag_fixit(ctx, d, best);
}

/* STAGE_KEY.ITEM.METRIC; the metric may itself hold dots (dead_letter.x). */
static void resolve_metric(Ctx *ctx, const Model *m, Alarm *a) {
  Pos at = check_pos(a->node, "metric");
  const char *s = a->metric_text, *dot1 = strchr(s, '.');
  const char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
  if (!dot1 || !dot2 || dot2 == dot1 + 1 || !dot2[1]) {
    diag_error(ctx, at, LK_ALARM_METRIC,
               "'%s' is not STAGE_KEY.ITEM.METRIC (queues.jobs.oldest_message_age)", s);
    return;
  }
  const char *kind = arena_printf(&ctx->arena, "%.*s", (int)(dot1 - s), s);
  const char *key = arena_printf(&ctx->arena, "%.*s", (int)(dot2 - dot1 - 1), dot1 + 1);
  const Construct *c = construct_named(kind);
  if (!c || !c->metrics) {
    const char *keys[16];
    size_t n = 0;
    const char *list = "";
    for (size_t i = 0; i < CONSTRUCTS_COUNT && n < 16; i++)
      if (CONSTRUCTS[i]->metrics) {
        keys[n++] = CONSTRUCTS[i]->key;
        list = arena_printf(&ctx->arena, "%s%s%s", list, *list ? ", " : "", CONSTRUCTS[i]->key);
      }
    Diag *d = diag_error(ctx, at, LK_ALARM_METRIC,
                         "'%s' offers no metrics; alarms watch the items of: %s", kind, list);
    const char *best = suggest_closest(kind, keys, n);
    if (best)
      diag_fixit(ctx, d, arena_printf(&ctx->arena, "%s.%s.%s", best, key, dot2 + 1));
    return;
  }
  const void *item = construct_resolve(ctx, m, c, key, at);
  if (!item)
    return;
  const Metric *mt = construct_metric(c, item, dot2 + 1);
  if (!mt) {
    report_no_metric(ctx, at, c, item, dot2 + 1);
    return;
  }
  a->owner = c, a->target = item, a->metric = mt;
}

static const char *const UNIT_WORDS[] = {"a count", "seconds", "milliseconds"};

static void check_threshold(Ctx *ctx, Alarm *a) {
  const char *which = a->above ? "above" : "below", *text = a->above ? a->above : a->below;
  if (a->above && a->below) {
    diag_error(ctx, check_pos(a->node, "below"), LK_CONFLICT,
               "alarm '%s' has both 'above' and 'below': write one (an alarm compares once)",
               a->key);
    return;
  }
  if (!text) {
    diag_error(ctx, a->node ? check_pos(a->node, "metric") : (Pos){0}, LK_MISSING_KEY,
               "alarm '%s' needs 'above' or 'below': the threshold it compares with", a->key);
    return;
  }
  const Node *v = node_get(a->node, which);
  if (v && v->unresolved)
    return;
  char *end = NULL;
  double x = strtod(text, &end);
  Pos at = check_pos(a->node, which);
  if (!*text || *end || !isfinite(x)) {
    diag_error(ctx, at, LK_ALARM_THRESHOLD, "'%s' of alarm '%s' is '%s', not a number", which,
               a->key, text);
    return;
  }
  a->threshold = x;
  if (!a->metric)
    return;
  if (x < 0)
    diag_error(ctx, at, LK_ALARM_THRESHOLD,
               "'%s' of alarm '%s' is %s, but %s (%s) is never negative", which, a->key, text,
               a->metric->name, UNIT_WORDS[a->metric->unit]);
  else if (a->metric->unit == METRIC_COUNT && x != floor(x))
    diag_error(ctx, at, LK_ALARM_THRESHOLD,
               "'%s' of alarm '%s' is %s, but %s is a count: write a whole number", which,
               a->key, text, a->metric->name);
}

static void check_period(Ctx *ctx, const Alarm *a) {
  Pos at = check_pos(a->node, "period");
  if (!(a->period == 10 || a->period == 30 || a->period % 60 == 0)) {
    diag_error(ctx, at, LK_ALARM_PERIOD,
               "'period' is %lld seconds: CloudWatch takes 10, 30, 60 or a multiple of 60",
               a->period);
    return;
  }
  long long total = a->period * a->evaluation_periods, most = a->period < 3600 ? 86400 : 604800;
  if (total > most)
    diag_error(ctx, check_pos(a->node, "evaluation_periods"), LK_ALARM_PERIOD,
               "alarm '%s' evaluates %lld periods of %lld seconds (%lld seconds), over "
               "CloudWatch's %s",
               a->key, a->evaluation_periods, a->period, total,
               most == 86400 ? "one day for periods under an hour" : "seven days");
}

/* A notify entry naming a raw resource is its topic's ARN: ${resources.ID.Ref}
 * of an AWS::SNS::Topic. */
static void check_raw_topic(Ctx *ctx, void *arg, const Construct *c, const void *item,
                            const char *attr, Pos at) {
  (void)arg;
  const char *type = c == &construct_resource ? rawcheck_item_type(item) : NULL;
  if (c == &construct_topic && !strcmp(attr, "arn"))
    return;
  if (type && !strcmp(type, "AWS::SNS::Topic") && !strcmp(attr, "Ref"))
    return;
  diag_error(ctx, at, LK_UNDEFINED_REF,
             "an alarm notifies a topic: a key of `topics`, or ${resources.ID.Ref} of a raw "
             "AWS::SNS::Topic");
}

static void alarm_check(Ctx *ctx, Model *m, const Construct *self) {
  StrIndex names = {0};
  const Construct *topics = &construct_topic;
  for (size_t i = 0; i < construct_count(m, self); i++) {
    Alarm *a = construct_item_mut(m, self, i);
    if (!a->name)
      a->name = check_default_name(ctx, m, a->key);
    if (strlen(a->name) > 255)
      diag_error(ctx, check_pos(a->node, "name"), LK_NAME,
                 "alarm name '%s' is invalid: CloudWatch alarm names are 1 to 255 characters",
                 a->name);
    check_unique_name(ctx, &names, self, (const Item *)a, a->name);
    if (a->metric_text)
      resolve_metric(ctx, m, a);
    check_threshold(ctx, a);
    check_period(ctx, a);
    if (a->statistic == TRI_UNSET && a->metric)
      for (int s = 0; STATISTICS[s]; s++)
        if (!strcmp(STATISTICS[s], a->metric->statistic))
          a->statistic = s;
    a->topics = arena_alloc(&ctx->arena, (a->notify.len ? a->notify.len : 1) * sizeof *a->topics);
    const Node *list = node_get(a->node, "notify");
    for (size_t t = 0; t < a->notify.len; t++) {
      const Node *el = list && list->kind == NODE_SEQ && t < list->count ? list->items[t] : NULL;
      Pos at = el ? el->pos : check_pos(a->node, "notify");
      if (el && strstr(a->notify.items[t], "${")) /* a raw topic: ${resources.ID.Ref} */
        refs_check(ctx, m, el, check_raw_topic, NULL);
      else
        a->topics[t] = construct_resolve(ctx, m, topics, a->notify.items[t], at);
    }
  }
}

/* ---- lower ---- */

static void alarm_lower(Ctx *ctx, Ir *ir, const Model *m, const void *item) {
  const Alarm *a = item;
  if (!a->metric)
    return;
  const Metric *mt = a->metric;
  json_t *threshold = a->threshold == floor(a->threshold) && fabs(a->threshold) < 1e15
                          ? json_integer((json_int_t)a->threshold)
                          : json_real(a->threshold);
  json_t *p = J("{s:s, s:s, s:s, s:o, s:s, s:I, s:I, s:o, s:s, s:s}", "AlarmName", a->name,
                "Namespace", mt->space, "MetricName", mt->metric, "Dimensions",
                mt->dimensions(ctx, ir, a->target), "Statistic",
                STATISTICS[a->statistic == TRI_UNSET ? 3 : a->statistic], "Period",
                (json_int_t)a->period, "EvaluationPeriods", (json_int_t)a->evaluation_periods,
                "Threshold", threshold, "ComparisonOperator",
                a->above ? "GreaterThanThreshold" : "LessThanThreshold", "TreatMissingData",
                MISSING_CFN[a->missing_data == TRI_UNSET ? 0 : a->missing_data]);
  if (a->description)
    json_object_set_new(p, "AlarmDescription", json_string(a->description));
  if (a->notify.len) {
    json_t *actions = json_array();
    const Node *list = node_get(a->node, "notify");
    for (size_t t = 0; t < a->notify.len; t++)
      if (a->topics[t])
        json_array_append_new(actions, construct_ref(ctx, ir, &construct_topic, a->topics[t],
                                                     "arn"));
      else if (list && list->kind == NODE_SEQ && t < list->count)
        json_array_append_new(actions, rawjson(ctx, ir, m, list->items[t]));
    json_object_set_new(p, "AlarmActions", json_deep_copy(actions));
    json_object_set_new(p, "OKActions", actions);
  }
  ir_add(ctx, ir, lid(ctx, a->key, "Alarm"), "AWS::CloudWatch::Alarm", p);
}

static void alarm_claims(Ctx *ctx, const Model *m, const void *item, PtrVec *claims) {
  (void)m;
  const Alarm *a = item;
  construct_claim(ctx, claims, "alarm", a->name, a->node, "name", false);
}

static const TagRule ALARM_TAGS[] = {{"AWS::CloudWatch::Alarm", "Tags", TAGS_LIST},
                                     {NULL, NULL, 0}};

const Construct construct_alarm = {
    .key = "alarms",
    .kind = "alarm",
    .doc = "CloudWatch alarms on the metrics of queues and functions, by key",
    .shape = &SHAPE_ALARM,
    .check = alarm_check,
    .lower = alarm_lower,
    .claim_names = alarm_claims,
    .tags = ALARM_TAGS,
    .codes = ALARM_CODES,
};
