/* workflow: a Glue workflow that runs jobs and crawlers one after the other,
 * each step when the one before it SUCCEEDED. Its first step starts
 *
 * - when objects are created under a prefix (`on_object_created`): S3 sends
 *   the events to EventBridge (the bucket's native EventBridge setting, no
 *   custom resource), a rule hands them to the workflow through a role
 *   allowed glue:NotifyEvent on this workflow alone, and an EVENT trigger
 *   starts the run once `batch_size` events arrived or `batch_window`
 *   seconds passed;
 * - on a schedule (a SCHEDULED trigger, Glue's cron);
 * - or when asked (an ON_DEMAND trigger: `start_workflow` grant, console).
 *
 * Every later step is a CONDITIONAL trigger on the previous step's success,
 * created active (StartOnCreation). Functions are granted
 * `start_workflow: WORKFLOW`. */
#include "check_util.h"
#include "construct.h"
#include "lower/lower_internal.h"

#include <string.h>

extern const Construct construct_workflow, construct_job, construct_database;

#define LK_SHARED_JOB "LK331"
#define STAGE_HEAD                                                                       \
  "lakec: 1\nproject: cats\nstage: dev\nbuckets: {reports: {name: cats-dev-reports}}\n"     \
  "jobs:\n  parquet: {script: compact.py, reads: [reports/clean/], writes: [reports/out/]}\n"

static const DiagCode WORKFLOW_CODES[] = {
    {LK_SHARED_JOB, "warning: a job that two workflows run",
     "Each workflow starts its own runs of its steps, but a job's bookmarks and its\n"
     "max_concurrency are the job's own: two workflows that run the same job share\n"
     "what the bookmarks say was processed, and one's run fails when the other's\n"
     "is going (ConcurrentRunsExceededException) unless max_concurrency allows\n"
     "both. Run the job from one workflow, or give each workflow a job of its own.",
     STAGE_HEAD "workflows:\n  a: {steps: [{job: parquet}]}\n  b: {steps: [{job: parquet}]}\n",
     STAGE_HEAD "workflows:\n  a: {steps: [{job: parquet}]}\n"},
    {NULL, NULL, NULL, NULL, NULL},
};

typedef struct Step {
  const Node *node;
  const char *job, *crawl;
  const void *target; /* resolved: a Job (job) or a Crawler (crawl) */
} Step;

typedef struct Workflow {
  MODEL_ITEM_HEADER;
  const char *name, *description;
  long long max_concurrent_runs;
  ObjectTrigger on_object_created;
  Schedule schedule;
  LIST(Step) steps;
} Workflow;

static const Field EVENT_FIELDS[] = {
    {"bucket", F_STR, offsetof(ObjectTrigger, bucket), .required = true,
     .doc = "the bucket (a key of `buckets`) whose new objects start the workflow"},
    {"prefix", F_STR, offsetof(ObjectTrigger, prefix), .def = "", .doc = "only keys under this prefix"},
    {"suffix", F_STR, offsetof(ObjectTrigger, suffix), .def = "", .doc = "only keys ending so"},
    {"batch_size", F_INT, offsetof(ObjectTrigger, batch_size), .def = "1", .min = 1, .max = 100,
     .doc = "events gathered before a run starts"},
    {"batch_window", F_INT, offsetof(ObjectTrigger, batch_window), .def = "900", .min = 1,
     .max = 900, .doc = "seconds after the first event a run starts however few arrived"},
};
static const Shape SHAPE_EVENT =
    SHAPE(ObjectTrigger, "workflow event", EVENT_FIELDS, .key_offset = NO_KEY);

static const Field SCHEDULE_FIELDS[] = {
    {"expression", F_STR, offsetof(Schedule, expression), .required = true,
     .doc = "cron(min hour day-of-month month day-of-week year), as Glue takes it"},
    {"enabled", F_BOOL, offsetof(Schedule, enabled), .def = "true",
     .doc = "false creates the trigger deactivated (run by hand)"},
};
static const Shape SHAPE_SCHEDULE = SHAPE(Schedule, "workflow schedule", SCHEDULE_FIELDS,
                                          .key_offset = NO_KEY, .shorthand = "expression");

static const Field STEP_FIELDS[] = {
    {"job", F_STR, offsetof(Step, job), .doc = "run this job (a key of `jobs`)"},
    {"crawl", F_STR, offsetof(Step, crawl), .doc = "run this crawler (a crawler key of `databases`)"},
};
static const Shape SHAPE_STEP =
    SHAPE(Step, "workflow step", STEP_FIELDS, .key_offset = NO_KEY, .exactly_one = true);

static const Field WORKFLOW_FIELDS[] = {
    {"name", F_STR, offsetof(Workflow, name), .def = "PROJECT-STAGE-KEY", .computed = true,
     .doc = "the Glue workflow name; its triggers are named after it"},
    {"description", F_STR, offsetof(Workflow, description), .doc = "free text"},
    {"max_concurrent_runs", F_INT, offsetof(Workflow, max_concurrent_runs), .def = "1", .min = 1,
     .max = 1000, .doc = "runs of the workflow at once (later events wait)"},
    {"on_object_created", F_STRUCT, offsetof(Workflow, on_object_created), .shape = &SHAPE_EVENT,
     .doc = "start when objects are created (EventBridge rule, EVENT trigger)"},
    {"schedule", F_STRUCT, offsetof(Workflow, schedule), .shape = &SHAPE_SCHEDULE,
     .doc = "start on a schedule (SCHEDULED trigger)"},
    {"steps", F_LIST_OF, offsetof(Workflow, steps), .shape = &SHAPE_STEP, .required = true,
     .doc = "`- job: JOB` or `- crawl: CRAWLER`, each run when the one before it SUCCEEDED"},
    ITEM_FIELDS(Workflow),
};
static const Shape SHAPE_WORKFLOW =
    SHAPE(Workflow, "workflow", WORKFLOW_FIELDS, .key_offset = offsetof(Workflow, key));

/* ---- check ---- */

static void check_step(Ctx *ctx, const Model *m, Step *s) {
  if (s->job)
    s->target = construct_resolve(ctx, m, &construct_job, s->job, check_pos(s->node, "job"));
  else if (s->crawl)
    s->target = database_find_crawler(ctx, m, s->crawl, check_pos(s->node, "crawl"));
}

/* A step twice would make the workflow wait on itself. */
static void check_repeated_steps(Ctx *ctx, const Workflow *w) {
  for (size_t i = 0; i < w->steps.len; i++)
    for (size_t k = 0; k < i; k++) {
      const Step *a = &w->steps.items[k], *b = &w->steps.items[i];
      if (!a->target || a->target != b->target)
        continue;
      Diag *d = diag_error(ctx, b->node->pos, LK_DUPLICATE,
                           "workflow '%s' runs this step twice: a trigger would wait on itself",
                           w->key);
      diag_note(ctx, d, a->node->pos, "the first time is here");
    }
}

static void check_start(Ctx *ctx, const Model *m, Workflow *w) {
  if (w->on_object_created.node && w->schedule.node)
    diag_error(ctx, check_pos(w->node, "schedule"), LK_CONFLICT,
               "workflow '%s' starts either on_object_created or on a schedule, not both "
               "(a Glue workflow has one starting trigger)",
               w->key);
  check_object_trigger(ctx, m, &w->on_object_created);
  check_schedule(ctx, w->schedule.node, "expression", w->schedule.expression, true,
                 "Glue triggers");
  check_schedule_on_in_production(ctx, m, w->schedule.node, w->schedule.enabled != 0, "workflow",
                                  w->key);
}

/* A job is a step of one workflow: its bookmarks and concurrency are its own. */
static void check_shared_jobs(Ctx *ctx, const Model *m, const Construct *self) {
  for (size_t i = 0; i < construct_count(m, self); i++) {
    const Workflow *w = construct_item(m, self, i);
    for (size_t s = 0; s < w->steps.len; s++) {
      const Step *step = &w->steps.items[s];
      for (size_t k = 0; step->job && step->target && k < i; k++) {
        const Workflow *o = construct_item(m, self, k);
        for (size_t t = 0; t < o->steps.len; t++) {
          if (o->steps.items[t].target != step->target)
            continue;
          Diag *d = diag_warning(ctx, step->node->pos, LK_SHARED_JOB,
                                 "job '%s' is also a step of workflow '%s': the two share its "
                                 "bookmarks and its max_concurrency",
                                 step->job, o->key);
          diag_note(ctx, d, o->steps.items[t].node->pos, "workflow '%s' runs it here", o->key);
        }
      }
    }
  }
}

static void workflow_check(Ctx *ctx, Model *m, const Construct *self) {
  StrIndex names = {0};
  for (size_t i = 0; i < construct_count(m, self); i++) {
    Workflow *w = construct_item_mut(m, self, i);
    if (!w->name)
      w->name = check_default_name(ctx, m, w->key);
    check_name(ctx, w->node, "name", w->name, awsname_glue_job, LK_GLUE_NAME,
               "workflow name");
    check_unique_name(ctx, &names, self, (const Item *)w, w->name);
    check_start(ctx, m, w);
    if (!w->steps.len && node_get(w->node, "steps"))
      diag_error(ctx, check_pos(w->node, "steps"), LK_MISSING_KEY, "workflow '%s' has no step",
                 w->key);
    for (size_t k = 0; k < w->steps.len; k++)
      check_step(ctx, m, &w->steps.items[k]);
    check_repeated_steps(ctx, w);
  }
  check_shared_jobs(ctx, m, self);
}

/* ---- references ---- */

static json_t *workflow_arn(const Workflow *w) {
  return cfn_subf("arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:workflow/%s",
                  w->name);
}

static bool workflow_ref(Ctx *ctx, const void *item, const char *what, RefSpec *out) {
  const Workflow *w = item;
  out->id = lid(ctx, w->key, "Workflow");
  if (!strcmp(what, "name")) {
    out->literal = json_string(w->name);
    return true;
  }
  return false;
}

/* ---- lower ---- */

/* What a trigger runs, or the condition on it that the next step waits for. */
static json_t *step_action(Ctx *ctx, Ir *ir, const Step *s) {
  if (s->job)
    return J("{s:o}", "JobName", construct_ref(ctx, ir, &construct_job, s->target, "name"));
  return J("{s:o}", "CrawlerName", construct_ref(ctx, ir, &construct_database, s->target, "crawler"));
}

static json_t *step_succeeded(Ctx *ctx, Ir *ir, const Step *s) {
  json_t *c = step_action(ctx, ir, s);
  json_object_set_new(c, "LogicalOperator", json_string("EQUALS"));
  json_object_set_new(c, s->job ? "State" : "CrawlState", json_string("SUCCEEDED"));
  return c;
}

static IrResource *add_trigger(Ctx *ctx, Ir *ir, const Workflow *w, const char *suffix,
                               const char *type, const Step *step) {
  json_t *p = J("{s:s, s:s, s:o, s:[o]}", "Name",
                arena_printf(&ctx->arena, "%s-%s", w->name, suffix), "Type", type,
                "WorkflowName", cfn_ref(lid(ctx, w->key, "Workflow")), "Actions",
                step_action(ctx, ir, step));
  const char *id = lid(ctx, w->key, arena_printf(&ctx->arena, "%sTrigger", lid(ctx, suffix, "")));
  return ir_add(ctx, ir, id, "AWS::Glue::Trigger", p);
}

/* The first step's trigger: EVENT, SCHEDULED or ON_DEMAND. */
static void lower_start(Ctx *ctx, Ir *ir, const Workflow *w) {
  const Step *first = &w->steps.items[0];
  if (w->on_object_created.node) {
    IrResource *t = add_trigger(ctx, ir, w, "start", "EVENT", first);
    json_object_set_new(t->properties, "EventBatchingCondition",
                        J("{s:I, s:I}", "BatchSize", (json_int_t)w->on_object_created.batch_size,
                          "BatchWindow", (json_int_t)w->on_object_created.batch_window));
  } else if (w->schedule.node) {
    IrResource *t = add_trigger(ctx, ir, w, "start", "SCHEDULED", first);
    json_object_set_new(t->properties, "Schedule", json_string(w->schedule.expression));
    json_object_set_new(t->properties, "StartOnCreation", json_boolean(w->schedule.enabled));
  } else {
    add_trigger(ctx, ir, w, "start", "ON_DEMAND", first);
  }
}

/* Step i runs when step i-1 SUCCEEDED. Logical AND is Glue's default, said
 * explicitly (some tools refuse a predicate without it). */
static void lower_later_steps(Ctx *ctx, Ir *ir, const Workflow *w) {
  for (size_t i = 1; i < w->steps.len; i++) {
    const Step *s = &w->steps.items[i];
    IrResource *t = add_trigger(ctx, ir, w, arena_printf(&ctx->arena, "step-%zu", i + 1),
                                "CONDITIONAL", s);
    json_object_set_new(t->properties, "StartOnCreation", json_true());
    json_object_set_new(t->properties, "Predicate",
                        J("{s:s, s:[o]}", "Logical", "AND", "Conditions",
                          step_succeeded(ctx, ir, &w->steps.items[i - 1])));
  }
}

/* S3 -> EventBridge -> the workflow: a rule whose target is the workflow,
 * through a role that may notify this workflow alone. The ARN is written
 * with the name lakec fixed, not a reference, so the rule does not wait on
 * the workflow. */
static void lower_event_rule(Ctx *ctx, Ir *ir, const Workflow *w) {
  const ObjectTrigger *t = &w->on_object_created;
  json_t *notify = iam_statement("NotifyWorkflow", J("[s]", "glue:NotifyEvent"), workflow_arn(w));
  json_t *statements = json_array();
  json_array_append_new(statements, notify);
  const char *role = iam_role(ctx, ir, lid(ctx, w->key, "WorkflowEventsRole"),
                              "events.amazonaws.com", statements);
  json_t *target = J("{s:o, s:s, s:o, s:{s:i, s:i}}", "Arn", workflow_arn(w), "Id",
                     lid(ctx, w->key, "Workflow"), "RoleArn", cfn_getatt(role, "Arn"),
                     "RetryPolicy", "MaximumEventAgeInSeconds", 3600, "MaximumRetryAttempts", 24);
  ir_add(ctx, ir, lid(ctx, w->key, "WorkflowObjectCreatedRule"), "AWS::Events::Rule",
         J("{s:s, s:o, s:s, s:[o]}", "Description",
           arena_printf(&ctx->arena, "starts workflow '%s' when an object is created in '%s/%s'",
                        w->key, t->bucket, t->prefix),
           "EventPattern", object_created_pattern(ctx, ir, t), "State", "ENABLED", "Targets",
           target));
}

static void workflow_lower(Ctx *ctx, Ir *ir, const Model *m, const void *item) {
  (void)m;
  const Workflow *w = item;
  json_t *p = J("{s:s, s:I}", "Name", w->name, "MaxConcurrentRuns",
                (json_int_t)w->max_concurrent_runs);
  if (w->description)
    json_object_set_new(p, "Description", json_string(w->description));
  ir_add(ctx, ir, lid(ctx, w->key, "Workflow"), "AWS::Glue::Workflow", p);
  if (!w->steps.len)
    return;
  lower_start(ctx, ir, w);
  lower_later_steps(ctx, ir, w);
  if (w->on_object_created.node)
    lower_event_rule(ctx, ir, w);
}

/* ---- grants: start_workflow ---- */

static bool resolve_workflow(Ctx *ctx, const Model *m, Grant *g, Pos at) {
  g->target = construct_resolve(ctx, m, &construct_workflow, g->text, at);
  return g->target != NULL;
}

static void start_statements(Ctx *ctx, Ir *ir, const Model *m, const Grant *g, json_t *out) {
  (void)ir, (void)m;
  json_array_append_new(
      out, iam_statement(iam_sid(ctx, "StartWorkflow", g->text),
                         J("[s,s,s]", "glue:StartWorkflowRun", "glue:GetWorkflowRun",
                           "glue:GetWorkflowRuns"),
                         workflow_arn(g->target)));
}

static void workflow_environment(Ctx *ctx, Ir *ir, const Model *m, const Grant *g, json_t *vars) {
  (void)m;
  json_object_set_new(vars, env_name(ctx, "LAKEC_WORKFLOW_", ((const Workflow *)g->target)->key, ""),
                      construct_ref(ctx, ir, &construct_workflow, g->target, "name"));
}

static const GrantVerb VERB_START = {"start_workflow", "WORKFLOW: start a run and follow it",
                                     resolve_workflow, start_statements, workflow_environment, NULL};
static const GrantVerb *const WORKFLOW_VERBS[] = {&VERB_START, NULL};

/* ---- names and tags ---- */

static void workflow_claims(Ctx *ctx, const Model *m, const void *item, PtrVec *claims) {
  (void)m;
  const Workflow *w = item;
  construct_claim(ctx, claims, "Glue workflow", w->name, w->node, "name", false);
}

static const TagRule WORKFLOW_TAGS[] = {{"AWS::Glue::Workflow", "Tags", TAGS_MAP},
                                        {"AWS::Glue::Trigger", "Tags", TAGS_MAP},
                                        {"AWS::Events::Rule", "Tags", TAGS_LIST},
                                        {"AWS::IAM::Role", "Tags", TAGS_LIST},
                                        {NULL, NULL, 0}};

const Construct construct_workflow = {
    .key = "workflows",
    .kind = "workflow",
    .doc = "Glue workflows: jobs and crawlers run in order, started by new objects, a schedule "
           "or on demand, by key",
    .shape = &SHAPE_WORKFLOW,
    .check = workflow_check,
    .lower = workflow_lower,
    .ref = workflow_ref,
    .verbs = WORKFLOW_VERBS,
    .claim_names = workflow_claims,
    .tags = WORKFLOW_TAGS,
    .codes = WORKFLOW_CODES,
};
