/* state_machine: a Step Functions state machine from a terse pipeline: steps
 * that invoke functions (lambda:invoke) or run Glue jobs
 * (glue:startJobRun.sync), each with retries and a timeout, in sequence or
 * in parallel (`after:` makes the steps a graph), a failure path that may
 * notify a topic, logging of ALL events to a log group of its own and X-Ray
 * tracing; an EventBridge schedule may start it.
 *
 * The graph is lowered to Amazon States Language with nested Parallel
 * states: a step with several successors forks, and its branches end at the
 * fork's immediate post-dominator (the first step every path from the fork
 * goes through), computed with bitsets once the steps are known to form a
 * DAG with a single final step. A graph that is not series-parallel (a step
 * of one branch waits for a step of another branch of the same fork) has no
 * nested-Parallel form and is refused.
 *
 * The definition is written with Fn::Sub (not DefinitionSubstitutions,
 * which some emulators ignore): functions are ${Id.Arn}, Glue jobs are
 * named literally (a Ref to a job is only known once created) and the state
 * machine DependsOn the jobs of its stack. Functions are granted
 * `start_execution: MACHINE`. */
#include "check_util.h"
#include "construct.h"
#include "lower/lower_internal.h"

#include <stdint.h>
#include <string.h>

extern const Construct construct_state_machine, construct_function, construct_job,
    construct_topic;

#define LK_SFN_NAME "LK350"
#define LK_SFN_CYCLE "LK351"
#define LK_SFN_NO_JOIN "LK352"
#define LK_SFN_CROSSING "LK353"
#define LK_SFN_ACTION "LK354"
#define LK_SFN_PATH "LK355"
#define LK_SFN_JOB_RETRIES "LK356"
#define LK_SFN_STREAMING "LK357"
#define STAGE_HEAD                                                                       \
  "lakec: 1\nproject: lake\nstage: dev\nfunctions: {fetch: {}, load: {}, audit: {}}\n"    \
  "state_machines:\n  pipeline:\n    steps:\n"

static const DiagCode STATE_MACHINE_CODES[] = {
    {LK_SFN_NAME, "invalid state machine name, step name or retry error",
     "A state machine name is 1 to 80 letters, digits, '-' and '_'. A step name is\n"
     "the state's name in the definition: 1 to 80 letters, digits, spaces, '-' and\n"
     "'_' (lakec names its own states with a '.', so they never collide with a\n"
     "step's). A retry's error names are Step Functions' (States.ALL, States.Timeout\n"
     "...) or the service's (Lambda.ServiceException ...): no spaces.",
     STAGE_HEAD "      - {name: Fetch.Orders, invoke: fetch}\n",
     STAGE_HEAD "      - {name: FetchOrders, invoke: fetch}\n"},
    {LK_SFN_CYCLE, "steps that wait for each other (a cycle)",
     "`after:` lists the steps a step waits for. Steps that wait for each other,\n"
     "directly or through others, would never start.",
     STAGE_HEAD "      - {name: A, invoke: fetch, after: [B]}\n"
     "      - {name: B, invoke: load, after: [A]}\n",
     STAGE_HEAD "      - {name: A, invoke: fetch}\n"
                "      - {name: B, invoke: load, after: [A]}\n"},
    {LK_SFN_NO_JOIN, "a parallel branch that never joins",
     "A pipeline ends with exactly one step: every parallel branch must join a later\n"
     "step (one whose `after:` names the branch's last step), so that the execution\n"
     "succeeds only when every branch has.",
     STAGE_HEAD "      - {name: A, invoke: fetch}\n      - {name: B, invoke: load, after: [A]}\n"
     "      - {name: C, invoke: audit, after: [A]}\n",
     STAGE_HEAD "      - {name: A, invoke: fetch}\n      - {name: B, invoke: load, after: [A]}\n"
     "      - {name: C, invoke: audit, after: [A]}\n"
     "      - {name: D, invoke: audit, after: [B, C]}\n"},
    {LK_SFN_CROSSING, "parallel branches that cross",
     "lakec lowers the steps to nested Parallel states: the steps after a fork run in\n"
     "branches that meet again at the first step all of them lead to. A step of one\n"
     "branch that waits for a step of another branch of the same fork has no place in\n"
     "such a nesting (a Parallel branch cannot wait for another branch). Make the\n"
     "step wait for the join instead, or split the branches differently.",
     STAGE_HEAD "      - {name: A, invoke: fetch}\n      - {name: B, invoke: load, after: [A]}\n"
     "      - {name: C, invoke: audit, after: [A]}\n"
     "      - {name: D, invoke: load, after: [B, C]}\n"
     "      - {name: E, invoke: audit, after: [C]}\n"
     "      - {name: F, invoke: fetch, after: [D, E]}\n",
     STAGE_HEAD "      - {name: A, invoke: fetch}\n      - {name: B, invoke: load, after: [A]}\n"
     "      - {name: C, invoke: audit, after: [A]}\n"
     "      - {name: D, invoke: load, after: [B, C]}\n"
     "      - {name: F, invoke: fetch, after: [D]}\n"},
    {LK_SFN_ACTION, "a step with both or neither of invoke and run_job",
     "A step does one thing: `invoke: FUNCTION` (a key of `functions`) or\n"
     "`run_job: JOB` (a key of `jobs`), exactly one of them. `payload` goes with\n"
     "invoke, `arguments` with run_job.",
     STAGE_HEAD "      - {name: A, invoke: fetch, run_job: compact}\n",
     STAGE_HEAD "      - {name: A, invoke: fetch}\n"},
    {LK_SFN_PATH, "a JSONPath or result name Step Functions would refuse",
     "A payload or argument value that starts with '$' is a JSONPath (lakec writes\n"
     "the key as \"key.$\"): '$' alone, or '$.', '$[', '$$.' followed by the path. A\n"
     "key written with '.$' needs such a path as its value. A step's `result` is the\n"
     "name its output is kept under ($.NAME): letters, digits and '_', not 'error'\n"
     "(the failure path keeps the error there), each name once.",
     STAGE_HEAD "      - {name: A, invoke: fetch, payload: {run: $Execution.Name}}\n",
     STAGE_HEAD "      - {name: A, invoke: fetch, payload: {run: $$.Execution.Name}}\n"},
    {LK_SFN_JOB_RETRIES, "warning: a job with max_retries run by a state machine",
     "A step retries its job when the run fails (its `retry:`); a job with\n"
     "`max_retries` above 0 is also run again by Glue, so the retries multiply and\n"
     "the step waits through all of them. Leave retries to the step: `max_retries: 0`.",
     "lakec: 1\nproject: lake\nstage: dev\njobs: {compact: {script: compact.py, max_retries: 2}}\n"
     "state_machines:\n  pipeline: {steps: [{name: A, run_job: compact}]}\n",
     "lakec: 1\nproject: lake\nstage: dev\njobs: {compact: {script: compact.py}}\n"
     "state_machines:\n  pipeline: {steps: [{name: A, run_job: compact}]}\n"},
    {LK_SFN_STREAMING, "a step that runs a streaming job",
     "A run_job step starts the job and waits for its run to end (glue:startJobRun.sync).\n"
     "A streaming job (type: gluestreaming) runs until it is stopped, so the step would\n"
     "never end: start streaming jobs on their own, and let a state machine run batch\n"
     "jobs.",
     "lakec: 1\nproject: lake\nstage: dev\njobs: {stream: {script: compact.py, type: "
     "gluestreaming, worker_type: G.025X}}\n"
     "state_machines:\n  pipeline: {steps: [{name: A, run_job: stream}]}\n",
     "lakec: 1\nproject: lake\nstage: dev\njobs: {compact: {script: compact.py}}\n"
     "state_machines:\n  pipeline: {steps: [{name: A, run_job: compact}]}\n"},
    {NULL, NULL, NULL, NULL, NULL},
};

typedef struct Retry {
  const Node *node;
  StrList errors;
  long long attempts, interval, backoff;
} Retry;

typedef struct Step {
  const Node *node;
  const char *name, *invoke, *run_job, *result;
  StrMap payload, arguments;
  Retry retry;
  long long timeout; /* 0 until check derives it */
  StrList after;
  /* resolved */
  const Function *function;
  const void *job;
  const char *job_name;
} Step;

typedef struct OnFailure {
  const Node *node;
  const char *notify, *error, *cause;
  const void *topic; /* resolved */
} OnFailure;

typedef struct Graph Graph;

typedef struct StateMachine {
  MODEL_ITEM_HEADER;
  const char *name;
  long long timeout, log_retention;
  int tracing;
  Schedule schedule;
  OnFailure on_failure;
  LIST(Step) steps;
  const Graph *graph; /* NULL when the steps did not check */
} StateMachine;

static const Field RETRY_FIELDS[] = {
    {"errors", F_STRLIST, offsetof(Retry, errors),
     .doc = "the errors retried (ErrorEquals); default: the service's transient errors"},
    {"attempts", F_INT, offsetof(Retry, attempts), .def = "2 (3 for run_job)", .computed = true,
     .min = 0, .max = 99999999, .doc = "retries after the first attempt (0: none)"},
    {"interval", F_INT, offsetof(Retry, interval), .def = "2 (60 for run_job)", .computed = true,
     .min = 1, .max = 99999999, .doc = "seconds before the first retry"},
    {"backoff", F_INT, offsetof(Retry, backoff), .def = "2", .computed = true, .min = 1,
     .max = 10, .doc = "each retry waits this many times longer than the one before"},
};
static const Shape SHAPE_RETRY = SHAPE(Retry, "retry", RETRY_FIELDS, .key_offset = NO_KEY);

static const Field STEP_FIELDS[] = {
    {"name", F_STR, offsetof(Step, name), .required = true,
     .doc = "the state's name (1 to 80 letters, digits, spaces, '-', '_'), unique"},
    {"invoke", F_STR, offsetof(Step, invoke), .doc = "invoke this function (a key of `functions`)"},
    {"run_job", F_STR, offsetof(Step, run_job),
     .doc = "run this Glue job (a key of `jobs`) and wait for the run to end"},
    {"payload", F_STRMAP, offsetof(Step, payload),
     .doc = "the function's event (NAME: value; a value starting with '$' is a JSONPath); "
            "default: the whole state"},
    {"arguments", F_STRMAP, offsetof(Step, arguments),
     .doc = "the job run's arguments (NAME: value; '--' is added; '$' starts a JSONPath)"},
    {"result", F_STR, offsetof(Step, result),
     .doc = "keep the step's output at $.NAME (default: discarded, the state passes on)"},
    {"retry", F_STRUCT, offsetof(Step, retry), .shape = &SHAPE_RETRY,
     .doc = "how the step is retried when it fails"},
    {"timeout", F_INT, offsetof(Step, timeout),
     .def = "the function's timeout + 60, the job's timeout × 60 + 300", .computed = true,
     .min = 1, .max = 31536000, .doc = "seconds an attempt may take"},
    {"after", F_STRLIST, offsetof(Step, after),
     .doc = "the steps (names) it waits for (default: the previous step); [] starts it with "
            "the execution"},
};
static const Shape SHAPE_STEP = SHAPE(Step, "step", STEP_FIELDS, .key_offset = NO_KEY);

static const Field FAILURE_FIELDS[] = {
    {"notify", F_STR, offsetof(OnFailure, notify),
     .doc = "publish the error to this topic (a key of `topics`) before failing"},
    {"error", F_STR, offsetof(OnFailure, error), .def = "KEY in PascalCase + Failed",
     .computed = true, .doc = "the execution's error name (a '$' path: taken from the state)"},
    {"cause", F_STR, offsetof(OnFailure, cause), .def = "$.error.Cause", .computed = true,
     .doc = "the execution's cause (a '$' path: taken from the state)"},
};
static const Shape SHAPE_FAILURE =
    SHAPE(OnFailure, "on_failure", FAILURE_FIELDS, .key_offset = NO_KEY);

static const Field SCHEDULE_FIELDS[] = {
    {"expression", F_STR, offsetof(Schedule, expression), .required = true,
     .doc = "rate(N unit) or cron(min hour day-of-month month day-of-week year)"},
    {"enabled", F_BOOL, offsetof(Schedule, enabled), .def = "true",
     .doc = "false keeps the rule but stops it starting executions"},
};
static const Shape SHAPE_SCHEDULE = SHAPE(Schedule, "state machine schedule", SCHEDULE_FIELDS,
                                          .key_offset = NO_KEY, .shorthand = "expression");

static const Field STATE_MACHINE_FIELDS[] = {
    {"name", F_STR, offsetof(StateMachine, name), .def = "PROJECT-STAGE-KEY", .computed = true,
     .doc = "the state machine name (1 to 80 letters, digits, '-', '_')"},
    {"timeout", F_INT, offsetof(StateMachine, timeout), .def = "none", .computed = true,
     .min = 1, .max = 31536000, .doc = "seconds an execution may take (TimeoutSeconds)"},
    {"log_retention", F_INT, offsetof(StateMachine, log_retention), .def = "30", .min = 1,
     .max = 3653, .doc = "days its log group keeps the execution events"},
    {"tracing", F_BOOL, offsetof(StateMachine, tracing), .def = "true",
     .doc = "X-Ray tracing of the executions"},
    {"schedule", F_STRUCT, offsetof(StateMachine, schedule), .shape = &SHAPE_SCHEDULE,
     .doc = "start an execution on a schedule (EventBridge rule)"},
    {"on_failure", F_STRUCT, offsetof(StateMachine, on_failure), .shape = &SHAPE_FAILURE,
     .doc = "what a failed step leads to: a notification, then the Fail state"},
    {"steps", F_LIST_OF, offsetof(StateMachine, steps), .shape = &SHAPE_STEP, .required = true,
     .doc = "the steps, each `invoke: FUNCTION` or `run_job: JOB`"},
    ITEM_FIELDS(StateMachine),
};
static const Shape SHAPE_STATE_MACHINE = SHAPE(StateMachine, "state machine", STATE_MACHINE_FIELDS,
                                               .key_offset = offsetof(StateMachine, key));

/* ---- bitsets over the graph's nodes ---- */

typedef uint64_t *Bits;

static Bits bits_new(Ctx *ctx, size_t n) {
  return arena_alloc(&ctx->arena, ((n + 63) / 64) * sizeof(uint64_t));
}
static void bits_set(Bits b, size_t i) { b[i / 64] |= (uint64_t)1 << (i % 64); }
static void bits_clear(Bits b, size_t i) { b[i / 64] &= ~((uint64_t)1 << (i % 64)); }
static bool bits_has(const uint64_t *b, size_t i) { return b[i / 64] >> (i % 64) & 1; }
static size_t bits_count(const uint64_t *b, size_t n) {
  size_t c = 0;
  for (size_t i = 0; i < n; i++)
    c += bits_has(b, i);
  return c;
}

/* ---- the graph: nodes 0..n-1 are the steps, node n starts the execution ---- */

enum { NONE = (size_t)-1 };

struct Graph {
  size_t n, nodes, final;
  Bits *succ, *pred;
  Bits *anc;     /* the steps before each node */
  size_t *ipdom; /* immediate post-dominator; NONE for the final step */
};

static bool step_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '-' || c == '_' || c == ' ';
}

static const char *step_name_rule(const char *name) {
  size_t n = strlen(name);
  if (n < 1 || n > 80)
    return "state names are 1 to 80 characters long";
  for (size_t i = 0; i < n; i++)
    if (!step_name_char(name[i]))
      return "step names use letters, digits, spaces, '-' and '_' ('.' marks lakec's own states)";
  return NULL;
}

static const char *machine_name_rule(const char *name) {
  size_t n = strlen(name);
  if (n < 1 || n > 80)
    return "state machine names are 1 to 80 characters long";
  for (size_t i = 0; i < n; i++)
    if (name[i] == ' ' || !step_name_char(name[i]))
      return "state machine names use only letters, digits, '-' and '_'";
  return NULL;
}

/* The position of the i-th item of map's list `key`. */
static Pos item_pos(const Node *map, const char *key, size_t i) {
  const Node *seq = node_get(map, key);
  return seq && seq->kind == NODE_SEQ && i < seq->count ? seq->items[i]->pos
                                                         : check_pos(map, key);
}

static size_t step_index(const StateMachine *sm, const char *name) {
  for (size_t i = 0; i < sm->steps.len; i++)
    if (sm->steps.items[i].name && !strcmp(sm->steps.items[i].name, name))
      return i;
  return NONE;
}

static void report_unknown_step(Ctx *ctx, const StateMachine *sm, const char *name, Pos at) {
  Diag *d = diag_error(ctx, at, LK_UNDEFINED_REF, "no step named '%s' in state machine '%s'",
                       name, sm->key);
  const char **names = arena_alloc(&ctx->arena, (sm->steps.len + 1) * sizeof *names);
  for (size_t i = 0; i < sm->steps.len; i++)
    names[i] = sm->steps.items[i].name ? sm->steps.items[i].name : "";
  const char *best = suggest_closest(name, names, sm->steps.len);
  if (best)
    diag_fixit(ctx, d, best);
}

/* Edges from `after:` (the previous step when it is not written). */
static bool graph_edges(Ctx *ctx, const StateMachine *sm, Graph *g) {
  bool ok = true;
  for (size_t i = 0; i < g->n; i++) {
    const Step *s = &sm->steps.items[i];
    if (!node_get(s->node, "after")) {
      size_t from = i ? i - 1 : g->n;
      bits_set(g->succ[from], i), bits_set(g->pred[i], from);
      continue;
    }
    for (size_t k = 0; k < s->after.len; k++) {
      size_t from = step_index(sm, s->after.items[k]);
      if (from == NONE) {
        report_unknown_step(ctx, sm, s->after.items[k], item_pos(s->node, "after", k));
        ok = false;
        continue;
      }
      bits_set(g->succ[from], i), bits_set(g->pred[i], from);
    }
    if (!s->after.len)
      bits_set(g->succ[g->n], i), bits_set(g->pred[i], g->n);
  }
  return ok;
}

/* Where step s says it waits for node v: its `after` item, or the step. */
static Pos waits_pos(const StateMachine *sm, size_t s, size_t v) {
  const Step *step = &sm->steps.items[s];
  for (size_t k = 0; v < sm->steps.len && k < step->after.len; k++)
    if (!strcmp(step->after.items[k], sm->steps.items[v].name))
      return item_pos(step->node, "after", k);
  return step->node->pos;
}

/* Depth-first: a step met again while on the path closes a cycle, named
 * step by step. `order` collects the nodes finished (reverse topological). */
typedef struct Walk {
  Ctx *ctx;
  const StateMachine *sm;
  const Graph *g;
  char *color; /* 0 new, 1 on the path, 2 done */
  size_t *path, depth, *order, done;
} Walk;

static bool walk_from(Walk *w, size_t v) {
  w->color[v] = 1;
  w->path[w->depth++] = v;
  for (size_t s = 0; s < w->g->n; s++) {
    if (!bits_has(w->g->succ[v], s))
      continue;
    if (w->color[s] == 1) {
      size_t at = 0;
      while (w->path[at] != s)
        at++;
      char *names = arena_printf(&w->ctx->arena, "'%s'", w->sm->steps.items[s].name);
      for (size_t k = at + 1; k < w->depth; k++)
        names = arena_printf(&w->ctx->arena, "%s, '%s'", names,
                             w->sm->steps.items[w->path[k]].name);
      if (at + 1 == w->depth)
        diag_error(w->ctx, waits_pos(w->sm, s, v), LK_SFN_CYCLE,
                   "step %s waits for itself: it would never start", names);
      else
        diag_error(w->ctx, waits_pos(w->sm, s, v), LK_SFN_CYCLE,
                   "steps %s wait for each other in state machine '%s': none of them would "
                   "start",
                   names, w->sm->key);
      return false;
    }
    if (!w->color[s] && !walk_from(w, s))
      return false;
  }
  w->color[v] = 2;
  w->depth--;
  w->order[w->done++] = v;
  return true;
}

static bool graph_acyclic(Ctx *ctx, const StateMachine *sm, const Graph *g, size_t *order) {
  Walk w = {.ctx = ctx, .sm = sm, .g = g, .order = order};
  w.color = arena_alloc(&ctx->arena, g->nodes);
  w.path = arena_alloc(&ctx->arena, g->nodes * sizeof *w.path);
  if (!walk_from(&w, g->n))
    return false;
  for (size_t v = 0; v < g->n; v++) /* steps in a cycle no start reaches */
    if (!w.color[v] && !walk_from(&w, v))
      return false;
  return true;
}

/* Exactly one step ends the pipeline: every branch joins. */
static bool graph_final(Ctx *ctx, const StateMachine *sm, Graph *g) {
  g->final = NONE;
  for (size_t v = 0; v < g->n; v++) {
    if (bits_count(g->succ[v], g->nodes))
      continue;
    if (g->final == NONE) {
      g->final = v;
      continue;
    }
    const Step *first = &sm->steps.items[g->final], *s = &sm->steps.items[v];
    Diag *d = diag_error(ctx, s->node->pos, LK_SFN_NO_JOIN,
                         "step '%s' ends a parallel branch that never joins: no step waits for "
                         "it, and step '%s' ends the pipeline too",
                         s->name, first->name);
    diag_note(ctx, d, first->node->pos, "make a later step wait for both ('after: [%s, %s]')",
              first->name, s->name);
    return false;
  }
  return g->final != NONE;
}

/* Post-dominators in reverse topological order: pdom(v) = {v} and what
 * every successor's post-dominators share. */
static void graph_post_dominators(Ctx *ctx, Graph *g, const size_t *order) {
  Bits *pdom = arena_alloc(&ctx->arena, g->nodes * sizeof *pdom);
  size_t words = (g->nodes + 63) / 64;
  for (size_t k = 0; k < g->nodes; k++) {
    size_t v = order[k];
    pdom[v] = bits_new(ctx, g->nodes);
    bool first = true;
    for (size_t s = 0; s < g->n; s++) {
      if (!bits_has(g->succ[v], s))
        continue;
      for (size_t w = 0; w < words; w++)
        pdom[v][w] = first ? pdom[s][w] : pdom[v][w] & pdom[s][w];
      first = false;
    }
    bits_set(pdom[v], v);
  }
  /* the nearest post-dominator is the one with one fewer of its own */
  size_t *count = arena_alloc(&ctx->arena, g->nodes * sizeof *count);
  for (size_t v = 0; v < g->nodes; v++)
    count[v] = bits_count(pdom[v], g->nodes);
  for (size_t v = 0; v < g->nodes; v++) {
    g->ipdom[v] = NONE;
    for (size_t w = 0; w < g->n; w++)
      if (w != v && bits_has(pdom[v], w) && count[w] == count[v] - 1)
        g->ipdom[v] = w;
  }
}

/* The steps before each node, in topological order. */
static void graph_ancestors(Ctx *ctx, Graph *g, const size_t *order) {
  size_t words = (g->nodes + 63) / 64;
  for (size_t k = g->nodes; k-- > 0;) {
    size_t v = order[k];
    g->anc[v] = bits_new(ctx, g->nodes);
    for (size_t p = 0; p < g->nodes; p++) {
      if (!bits_has(g->pred[v], p))
        continue;
      for (size_t w = 0; w < words; w++)
        g->anc[v][w] |= g->anc[p][w];
      if (p < g->n)
        bits_set(g->anc[v], p);
    }
  }
}

/* Drops the edges the order already implies (p -> x when another step x
 * waits for comes after p), so that they make no fork: `after: [A, B]`
 * with B after A is B then the step. The start precedes every step. */
static void graph_reduce(Graph *g) {
  for (size_t x = 0; x < g->n; x++)
    for (size_t p = 0; p < g->nodes; p++) {
      if (!bits_has(g->pred[x], p))
        continue;
      for (size_t q = 0; q < g->n; q++) {
        if (q == p || !bits_has(g->pred[x], q) || (p < g->n && !bits_has(g->anc[q], p)))
          continue;
        bits_clear(g->pred[x], p), bits_clear(g->succ[p], x);
        break;
      }
    }
}

/* The steps reachable from s before the join j: one branch of a fork. */
static void branch_of(const Graph *g, size_t s, size_t j, Bits out) {
  if (s == j || bits_has(out, s))
    return;
  bits_set(out, s);
  for (size_t t = 0; t < g->n; t++)
    if (bits_has(g->succ[s], t))
      branch_of(g, t, j, out);
}

/* Branches of one fork share no step: a step in two of them waits for both. */
static bool check_fork(Ctx *ctx, const StateMachine *sm, const Graph *g, size_t u) {
  size_t j = g->ipdom[u];
  Bits *branch = arena_alloc(&ctx->arena, g->n * sizeof *branch);
  for (size_t s = 0; s < g->n; s++) {
    if (!bits_has(g->succ[u], s) || s == j)
      continue;
    branch[s] = bits_new(ctx, g->nodes);
    branch_of(g, s, j, branch[s]);
    for (size_t t = 0; t < s; t++) {
      if (!branch[t])
        continue;
      for (size_t x = 0; x < g->n; x++) {
        if (!bits_has(branch[s], x) || !bits_has(branch[t], x))
          continue;
        const Step *step = &sm->steps.items[x];
        Diag *d = diag_error(ctx, check_pos(step->node, "after"), LK_SFN_CROSSING,
                             "step '%s' waits for steps of two parallel branches (the one "
                             "starting with '%s' and the one starting with '%s') that only "
                             "join at '%s': nested Parallel states cannot express that",
                             step->name, sm->steps.items[t].name, sm->steps.items[s].name,
                             j == NONE ? "the end" : sm->steps.items[j].name);
        diag_note(ctx, d, sm->steps.items[s].node->pos,
                  "the branches fork %s; make '%s' wait for the join, or split the branches "
                  "differently",
                  u == g->n ? "at the start" : arena_printf(&ctx->arena, "after '%s'",
                                                            sm->steps.items[u].name),
                  step->name);
        return false;
      }
    }
  }
  return true;
}

static const Graph *check_graph(Ctx *ctx, const StateMachine *sm) {
  Graph *g = arena_alloc(&ctx->arena, sizeof *g);
  g->n = sm->steps.len, g->nodes = g->n + 1;
  g->succ = arena_alloc(&ctx->arena, g->nodes * sizeof *g->succ);
  g->pred = arena_alloc(&ctx->arena, g->nodes * sizeof *g->pred);
  g->anc = arena_alloc(&ctx->arena, g->nodes * sizeof *g->anc);
  g->ipdom = arena_alloc(&ctx->arena, g->nodes * sizeof *g->ipdom);
  for (size_t v = 0; v < g->nodes; v++)
    g->succ[v] = bits_new(ctx, g->nodes), g->pred[v] = bits_new(ctx, g->nodes);
  size_t *order = arena_alloc(&ctx->arena, g->nodes * sizeof *order);
  if (!graph_edges(ctx, sm, g) || !graph_acyclic(ctx, sm, g, order) || !graph_final(ctx, sm, g))
    return NULL;
  graph_ancestors(ctx, g, order);
  graph_reduce(g);
  graph_post_dominators(ctx, g, order);
  for (size_t u = 0; u < g->nodes; u++)
    if (bits_count(g->succ[u], g->nodes) > 1 && !check_fork(ctx, sm, g, u))
      return NULL;
  return g;
}

/* ---- check ---- */

/* '$' alone, or '$.', '$[', '$$.' and a path; intrinsic functions too. */
static bool json_path(const char *v) {
  return !strcmp(v, "$") || !strncmp(v, "$.", 2) || !strncmp(v, "$[", 2) ||
         !strncmp(v, "$$.", 3) || (!strncmp(v, "States.", 7) && strchr(v, '('));
}

static void check_values(Ctx *ctx, const StrMap *values) {
  for (size_t i = 0; i < values->len; i++) {
    const StrPair *p = &values->items[i];
    size_t n = strlen(p->key);
    bool path_key = n > 2 && !strcmp(p->key + n - 2, ".$");
    if ((p->value[0] == '$' || path_key) && !json_path(p->value))
      diag_error(ctx, p->value_node->pos, LK_SFN_PATH,
                 "'%s' is not a JSONPath: write '$.NAME' (the state), '$$.NAME' (the "
                 "context object) or '$' (the whole state)%s",
                 p->value, path_key ? "; a key ending in '.$' takes a path" : "");
  }
}

static bool result_name(const char *s) {
  if (!*s || !strcmp(s, "error"))
    return false;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
          *s == '_'))
      return false;
  return true;
}

static const char *const LAMBDA_ERRORS[] = {"Lambda.ServiceException", "Lambda.AWSLambdaException",
                                            "Lambda.SdkClientException",
                                            "Lambda.TooManyRequestsException"};
static const char *const GLUE_ERRORS[] = {"Glue.ConcurrentRunsExceededException",
                                          "Glue.InternalServiceException",
                                          "Glue.ThrottlingException"};

/* The errors Step Functions names itself; States.DataLimitExceeded and
 * States.Runtime end the execution whatever a retrier says, so they are not
 * here. */
static const char *const STATES_ERRORS[] = {
    "States.ALL", "States.HeartbeatTimeout", "States.Timeout", "States.TaskFailed",
    "States.Permissions", "States.ResultPathMatchFailure", "States.ParameterPathFailure",
    "States.BranchFailed", "States.NoChoiceMatched", "States.IntrinsicFailure",
    "States.ExceedToleratedFailureThreshold", "States.ItemReaderFailed",
    "States.ResultWriterFailed", "States.QueryEvaluationError"};

/* One name of a retry's errors: no spaces; a States.* name Step Functions
 * has; States.ALL alone (it must be the last retrier's only error). */
static void check_retry_error(Ctx *ctx, const Retry *r, size_t i) {
  const char *e = r->errors.items[i];
  Pos at = item_pos(r->node, "errors", i);
  if (!*e || strpbrk(e, " \t")) {
    diag_error(ctx, at, LK_SFN_NAME,
               "'%s' is not an error name (States.ALL, Lambda.ServiceException ...)", e);
    return;
  }
  if (strncmp(e, "States.", 7) != 0)
    return;
  bool known = false;
  for (size_t k = 0; k < COUNT(STATES_ERRORS); k++)
    known |= !strcmp(e, STATES_ERRORS[k]);
  if (!known) {
    Diag *d = diag_error(ctx, at, LK_SFN_NAME, "Step Functions has no error '%s' to retry", e);
    const char *best = suggest_closest(e, STATES_ERRORS, COUNT(STATES_ERRORS));
    if (best)
      diag_fixit(ctx, d, best);
  } else if (!strcmp(e, "States.ALL") && r->errors.len > 1) {
    diag_error(ctx, at, LK_SFN_NAME,
               "States.ALL matches every error: it must be a retry's only error name");
  }
}

/* The defaults of an invoke step and of a run_job step, for what retry does not say. */
static void check_retry(Ctx *ctx, Step *s) {
  Retry *r = &s->retry;
  bool job = s->run_job != NULL;
  if (!r->node || !node_get(r->node, "errors")) {
    r->errors.len = job ? COUNT(GLUE_ERRORS) : COUNT(LAMBDA_ERRORS);
    r->errors.items = (const char **)(job ? GLUE_ERRORS : LAMBDA_ERRORS);
  }
  if (!r->node || !node_get(r->node, "attempts"))
    r->attempts = job ? 3 : 2;
  if (!r->node || !node_get(r->node, "interval"))
    r->interval = job ? 60 : 2;
  if (!r->node || !node_get(r->node, "backoff"))
    r->backoff = 2;
  if (r->errors.len == 0)
    diag_error(ctx, check_pos(r->node, "errors"), LK_SFN_NAME,
               "a retry needs at least one error name (States.ALL retries every error)");
  for (size_t i = 0; i < r->errors.len; i++)
    check_retry_error(ctx, r, i);
}

static const char *job_literal_name(Ctx *ctx, const void *job) {
  RefSpec r = {0};
  if (!construct_job.ref(ctx, job, "name", &r) || !json_is_string(r.literal))
    BUG("a job without a literal name");
  const char *name = arena_strdup(&ctx->arena, json_string_value(r.literal));
  json_decref(r.literal);
  return name;
}

static void check_job_step(Ctx *ctx, const Model *m, Step *s) {
  s->job = construct_resolve(ctx, m, &construct_job, s->run_job, check_pos(s->node, "run_job"));
  if (!s->job)
    return;
  s->job_name = job_literal_name(ctx, s->job);
  long long minutes, retries;
  job_run_settings(s->job, &minutes, &retries);
  if (!minutes) /* only a streaming job has no timeout */
    diag_error(ctx, check_pos(s->node, "run_job"), LK_SFN_STREAMING,
               "job '%s' is a streaming job: it runs until stopped, so a step waiting for its "
               "run would never end",
               s->run_job);
  if (!s->timeout && minutes)
    s->timeout = minutes * 60 + 300;
  if (retries > 0)
    diag_warning(ctx, check_pos(s->node, "run_job"), LK_SFN_JOB_RETRIES,
                 "job '%s' has max_retries %lld: Glue runs it again on top of this step's "
                 "retries (set the job's 'max_retries: 0' and keep the step's 'retry')",
                 s->run_job, retries);
}

static void check_step_action(Ctx *ctx, const Model *m, Step *s) {
  if (s->invoke && s->run_job) {
    Diag *d = diag_error(ctx, check_pos(s->node, "run_job"), LK_SFN_ACTION,
                         "step '%s' both invokes a function and runs a job: a step does one",
                         s->name);
    diag_note(ctx, d, check_pos(s->node, "invoke"), "'invoke' is set here");
    return;
  }
  if (!s->invoke && !s->run_job) {
    diag_error(ctx, s->node->pos, LK_SFN_ACTION,
               "step '%s' needs 'invoke: FUNCTION' or 'run_job: JOB'", s->name);
    return;
  }
  if (s->invoke && s->arguments.len)
    diag_error(ctx, check_pos(s->node, "arguments"), LK_CONFLICT,
               "'arguments' are a job run's: step '%s' invokes a function (say 'payload')",
               s->name);
  if (s->run_job && s->payload.len)
    diag_error(ctx, check_pos(s->node, "payload"), LK_CONFLICT,
               "'payload' is a function's event: step '%s' runs a job (say 'arguments')",
               s->name);
  if (s->invoke) {
    s->function = construct_resolve(ctx, m, &construct_function, s->invoke,
                                     check_pos(s->node, "invoke"));
    if (s->function && !s->timeout)
      s->timeout = s->function->timeout + 60;
  } else {
    check_job_step(ctx, m, s);
  }
  check_retry(ctx, s);
}

/* False when two steps share a name (`after:` could not tell them apart). */
static bool check_steps(Ctx *ctx, const Model *m, StateMachine *sm) {
  StrIndex names = {0}, results = {0};
  bool distinct = true;
  for (size_t i = 0; i < sm->steps.len; i++) {
    Step *s = &sm->steps.items[i];
    distinct = distinct && s->name;
    check_name(ctx, s->node, "name", s->name, step_name_rule, LK_SFN_NAME, "step name");
    const Step *same = s->name ? strindex_get(&names, s->name) : NULL;
    if (same) {
      Diag *d = diag_error(ctx, check_pos(s->node, "name"), LK_DUPLICATE,
                           "state machine '%s' has two steps named '%s'", sm->key, s->name);
      diag_note(ctx, d, check_pos(same->node, "name"), "the first one is here");
      distinct = false;
    } else if (s->name) {
      strindex_put(ctx, &names, s->name, s);
    }
    if (s->result && !result_name(s->result))
      diag_error(ctx, check_pos(s->node, "result"), LK_SFN_PATH,
                 "result '%s' is not a name for $.NAME: letters, digits and '_', not 'error'",
                 s->result);
    else if (s->result && strindex_get(&results, s->result))
      diag_error(ctx, check_pos(s->node, "result"), LK_SFN_PATH,
                 "another step keeps its result as '%s' already", s->result);
    else if (s->result)
      strindex_put(ctx, &results, s->result, s);
    check_values(ctx, &s->payload);
    check_values(ctx, &s->arguments);
    check_step_action(ctx, m, s);
  }
  return distinct;
}

static void check_on_failure(Ctx *ctx, const Model *m, StateMachine *sm) {
  OnFailure *f = &sm->on_failure;
  if (f->notify)
    f->topic = construct_resolve(ctx, m, &construct_topic, f->notify, check_pos(f->node, "notify"));
  if (!f->error)
    f->error = arena_printf(&ctx->arena, "%sFailed", lid(ctx, sm->key, ""));
  if (!f->cause)
    f->cause = "$.error.Cause";
  if (f->error[0] == '$' && !json_path(f->error))
    diag_error(ctx, check_pos(f->node, "error"), LK_SFN_PATH, "'%s' is not a JSONPath", f->error);
  if (f->cause[0] == '$' && !json_path(f->cause))
    diag_error(ctx, check_pos(f->node, "cause"), LK_SFN_PATH, "'%s' is not a JSONPath", f->cause);
}

static void check_machine_schedule(Ctx *ctx, const Model *m, const StateMachine *sm) {
  check_schedule(ctx, sm->schedule.node, "expression", sm->schedule.expression, false, NULL);
  check_schedule_on_in_production(ctx, m, sm->schedule.node, sm->schedule.enabled != 0,
                                  "state machine", sm->key);
}

static void state_machine_check(Ctx *ctx, Model *m, const Construct *self) {
  StrIndex names = {0};
  for (size_t i = 0; i < construct_count(m, self); i++) {
    StateMachine *sm = construct_item_mut(m, self, i);
    if (!sm->name)
      sm->name = check_default_name(ctx, m, sm->key);
    check_name(ctx, sm->node, "name", sm->name, machine_name_rule, LK_SFN_NAME,
               "state machine name");
    check_unique_name(ctx, &names, self, (const Item *)sm, sm->name);
    check_log_retention(ctx, sm->node, sm->log_retention);
    check_machine_schedule(ctx, m, sm);
    check_on_failure(ctx, m, sm);
    if (!sm->steps.len && node_get(sm->node, "steps")) {
      diag_error(ctx, check_pos(sm->node, "steps"), LK_MISSING_KEY,
                 "state machine '%s' has no step", sm->key);
      continue;
    }
    if (check_steps(ctx, m, sm) && sm->steps.len)
      sm->graph = check_graph(ctx, sm);
  }
}

/* ---- references: "arn" (Ref), "name" ---- */

static json_t *machine_arn(const StateMachine *sm) {
  return cfn_subf("arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:%s",
                  sm->name);
}

static bool state_machine_ref(Ctx *ctx, const void *item, const char *what, RefSpec *out) {
  const StateMachine *sm = item;
  out->id = lid(ctx, sm->key, "StateMachine");
  if (!strcmp(what, "arn")) {
    out->literal = machine_arn(sm);
    return true;
  }
  if (!strcmp(what, "name")) {
    out->attr = "Name";
    out->literal = json_string(sm->name);
    return true;
  }
  return false;
}

/* ---- the definition (Amazon States Language) ---- */

/* lakec's own states have a '.' in their names, which step names cannot. */
#define STATE_NOTIFY "Notify.Failure"
#define STATE_FAILED "Execution.Failed"
#define STATE_SUCCEEDED "Execution.Succeeded"

typedef struct Asl {
  Ctx *ctx;
  Ir *ir;
  const StateMachine *sm;
  const Graph *g;
  const char *on_error; /* where a failed state of the top level goes */
  unsigned parallels;   /* Parallel states named so far */
} Asl;

/* The definition is Fn::Sub text: a "${" of the stage's own is "${!". */
static const char *sub_text(Ctx *ctx, const char *s) {
  if (!strstr(s, "${"))
    return s;
  char *out = arena_alloc(&ctx->arena, strlen(s) * 2 + 1), *o = out;
  for (; *s; s++) {
    *o++ = *s;
    if (s[0] == '$' && s[1] == '{')
      *o++ = '{', *o++ = '!', s++;
  }
  *o = '\0';
  return out;
}

/* NAME: value, or "NAME.$": path (job arguments get their '--'). */
static json_t *value_map(Asl *a, const StrMap *values, bool job) {
  json_t *out = json_object();
  for (size_t i = 0; i < values->len; i++) {
    const StrPair *p = &values->items[i];
    size_t n = strlen(p->key);
    bool path_key = n > 2 && !strcmp(p->key + n - 2, ".$");
    const char *key = job && strncmp(p->key, "--", 2) ? arena_printf(&a->ctx->arena, "--%s", p->key)
                                                      : p->key;
    if (json_path(p->value) && !path_key)
      key = arena_printf(&a->ctx->arena, "%s.$", key);
    json_object_set_new(out, sub_text(a->ctx, key), json_string(sub_text(a->ctx, p->value)));
  }
  return out;
}

static json_t *catch_all(const char *next) {
  return J("[{s:[s], s:s, s:s}]", "ErrorEquals", "States.ALL", "ResultPath", "$.error", "Next",
           next);
}

static json_t *retry(const Retry *r) {
  json_t *errors = json_array();
  for (size_t i = 0; i < r->errors.len; i++)
    json_array_append_new(errors, json_string(r->errors.items[i]));
  return J("[{s:o, s:I, s:I, s:I}]", "ErrorEquals", errors, "IntervalSeconds",
           (json_int_t)r->interval, "MaxAttempts", (json_int_t)r->attempts, "BackoffRate",
           (json_int_t)r->backoff);
}

/* lambda:invoke; the function's answer is its Payload (a step's result
 * keeps only that: $.NAME.Payload). */
static void invoke_task(Asl *a, const Step *s, json_t *st) {
  json_t *params = J("{s:s}", "FunctionName",
                     construct_sub(a->ctx, a->ir, &construct_function, s->function, "arn"));
  if (s->payload.len)
    json_object_set_new(params, "Payload", value_map(a, &s->payload, false));
  else
    json_object_set_new(params, "Payload.$", json_string("$"));
  json_object_set_new(st, "Resource", json_string("arn:${AWS::Partition}:states:::lambda:invoke"));
  json_object_set_new(st, "Parameters", params);
  if (s->result)
    json_object_set_new(st, "ResultSelector", J("{s:s}", "Payload.$", "$.Payload"));
}

/* glue:startJobRun.sync under the job's literal name; of the run only its
 * id and final state are kept (GetJobRun's answer is large, a state holds
 * at most 256 KB). */
static void job_task(Asl *a, const Step *s, json_t *st) {
  json_t *params = J("{s:s}", "JobName", sub_text(a->ctx, s->job_name));
  if (s->arguments.len)
    json_object_set_new(params, "Arguments", value_map(a, &s->arguments, true));
  json_object_set_new(st, "Resource",
                      json_string("arn:${AWS::Partition}:states:::glue:startJobRun.sync"));
  json_object_set_new(st, "Parameters", params);
  json_object_set_new(st, "ResultSelector", J("{s:s, s:s}", "JobRunId.$", "$.Id",
                                              "JobRunState.$", "$.JobRunState"));
}

/* A step's Task. Inside a Parallel branch a failure is left to the
 * Parallel state (a branch cannot move to a state outside it). */
static json_t *task_state(Asl *a, const Step *s, bool top) {
  json_t *st = J("{s:s}", "Type", "Task");
  if (s->function)
    invoke_task(a, s, st);
  else
    job_task(a, s, st);
  json_object_set_new(st, "ResultPath",
                      s->result ? json_string(arena_printf(&a->ctx->arena, "$.%s", s->result))
                                : json_null());
  if (s->timeout > 0)
    json_object_set_new(st, "TimeoutSeconds", json_integer(s->timeout));
  if (s->retry.attempts > 0)
    json_object_set_new(st, "Retry", retry(&s->retry));
  if (top)
    json_object_set_new(st, "Catch", catch_all(a->on_error));
  return st;
}

static const char *lower_chain(Asl *a, size_t v, size_t stop, json_t *states, bool top);

/* After a join, the state is what the branches kept: each `result:` of the
 * steps before the fork (in every branch's output: the first is read) and
 * of the steps of each branch (read from that branch). */
static void parallel_results(Asl *a, json_t *st, size_t fork, const Bits *branches, size_t nb) {
  json_t *selector = json_object();
  for (size_t x = 0; x < a->g->n; x++) {
    const Step *s = &a->sm->steps.items[x];
    bool kept = fork < a->g->n && (x == fork || bits_has(a->g->anc[fork], x));
    size_t from = 0;
    for (size_t b = 0; b < nb; b++)
      if (bits_has(branches[b], x))
        from = b, kept = true;
    if (!s->result || !kept)
      continue;
    json_object_set_new(selector, arena_printf(&a->ctx->arena, "%s.$", s->result),
                        json_string(arena_printf(&a->ctx->arena, "$[%zu].%s", from, s->result)));
  }
  if (!json_object_size(selector)) {
    json_decref(selector);
    json_object_set_new(st, "ResultPath", json_null());
    return;
  }
  json_object_set_new(st, "ResultSelector", selector);
  json_object_set_new(st, "ResultPath", json_string("$"));
}

/* A fork at v: one branch per successor, each up to the join. */
static json_t *parallel_state(Asl *a, size_t v, size_t join, bool top) {
  const Graph *g = a->g;
  json_t *st = J("{s:s, s:[]}", "Type", "Parallel", "Branches");
  Bits *branches = arena_alloc(&a->ctx->arena, g->n * sizeof *branches);
  size_t nb = 0;
  for (size_t s = 0; s < g->n; s++) {
    if (!bits_has(g->succ[v], s) || s == join)
      continue;
    json_t *states = json_object();
    const char *start = lower_chain(a, s, join, states, false);
    json_array_append_new(json_object_get(st, "Branches"),
                          J("{s:s, s:o}", "StartAt", start, "States", states));
    branches[nb] = bits_new(a->ctx, g->nodes);
    branch_of(g, s, join, branches[nb++]);
  }
  parallel_results(a, st, v, branches, nb);
  if (top)
    json_object_set_new(st, "Catch", catch_all(a->on_error));
  return st;
}

/* Heads of v's branches: its successors but the join (an edge to the join
 * itself only repeats what the branches wait for). */
static size_t branch_heads(const Graph *g, size_t v, size_t *only) {
  size_t n = 0;
  for (size_t s = 0; s < g->n; s++)
    if (bits_has(g->succ[v], s) && s != g->ipdom[v])
      n++, *only = s;
  return n;
}

static void add_state(json_t *states, const char *name, json_t *st, json_t **prev,
                      const char **first) {
  if (*prev)
    json_object_set_new(*prev, "Next", json_string(name));
  json_object_set_new(states, name, st);
  *prev = st;
  if (!*first)
    *first = name;
}

/* The states from node v up to (not including) stop, in series, forks
 * as Parallel states; the name of the first. The last one ends the branch
 * or, at the top, leads to the Succeed state. */
static const char *lower_chain(Asl *a, size_t v, size_t stop, json_t *states, bool top) {
  const Graph *g = a->g;
  json_t *prev = NULL;
  const char *first = NULL;
  while (v != stop && v != NONE) {
    if (v < g->n) {
      const Step *s = &a->sm->steps.items[v];
      add_state(states, sub_text(a->ctx, s->name), task_state(a, s, top), &prev, &first);
    }
    size_t join = g->ipdom[v], head = NONE, heads = branch_heads(g, v, &head);
    if (heads == 1) {
      v = head;
      continue;
    }
    if (heads > 1) {
      const char *name = arena_printf(&a->ctx->arena, "Parallel.%u", ++a->parallels);
      add_state(states, name, parallel_state(a, v, join, top), &prev, &first);
    }
    v = join;
  }
  if (!prev)
    BUG("an empty chain of states");
  if (top)
    json_object_set_new(prev, "Next", json_string(STATE_SUCCEEDED));
  else
    json_object_set_new(prev, "End", json_true());
  return first;
}

/* ErrorPath / CausePath when on_failure gives a path. */
static json_t *fail_state(Ctx *ctx, const OnFailure *f) {
  json_t *st = J("{s:s}", "Type", "Fail");
  json_object_set_new(st, f->error[0] == '$' ? "ErrorPath" : "Error",
                      json_string(sub_text(ctx, f->error)));
  json_object_set_new(st, f->cause[0] == '$' ? "CausePath" : "Cause",
                      json_string(sub_text(ctx, f->cause)));
  return st;
}

/* sns:publish of the error, then the Fail state whatever the publish did. */
static json_t *notify_state(Asl *a) {
  const StateMachine *sm = a->sm;
  json_t *params = J("{s:s, s:s, s:s}", "TopicArn",
                     construct_sub(a->ctx, a->ir, &construct_topic, sm->on_failure.topic, "arn"),
                     "Subject", arena_printf(&a->ctx->arena, "State machine %.79s failed", sm->name),
                     "Message.$",
                     arena_printf(&a->ctx->arena,
                                  "States.Format('State machine %s failed: {}: {}', "
                                  "$.error.Error, $.error.Cause)",
                                  sm->name));
  return J("{s:s, s:s, s:o, s:n, s:[{s:[s], s:s, s:s}], s:s}", "Type", "Task", "Resource",
           "arn:${AWS::Partition}:states:::sns:publish", "Parameters", params, "ResultPath",
           "Catch", "ErrorEquals", "States.ALL", "ResultPath", "$.notifyError", "Next",
           STATE_FAILED, "Next", STATE_FAILED);
}

/* The whole definition as Fn::Sub text, keys in a fixed order. */
static const char *definition(Ctx *ctx, Ir *ir, const StateMachine *sm) {
  Asl a = {ctx, ir, sm, sm->graph, sm->on_failure.topic ? STATE_NOTIFY : STATE_FAILED, 0};
  json_t *states = json_object();
  const char *start = lower_chain(&a, sm->graph->n, NONE, states, true);
  json_object_set_new(states, STATE_SUCCEEDED, J("{s:s}", "Type", "Succeed"));
  if (sm->on_failure.topic)
    json_object_set_new(states, STATE_NOTIFY, notify_state(&a));
  json_object_set_new(states, STATE_FAILED, fail_state(ctx, &sm->on_failure));
  json_t *asl = J("{s:s, s:s}", "Comment",
                  arena_printf(&ctx->arena, "%s: generated by lakec from state machine '%s'",
                               sm->name, sm->key),
                  "StartAt", start);
  if (sm->timeout)
    json_object_set_new(asl, "TimeoutSeconds", json_integer(sm->timeout));
  json_object_set_new(asl, "States", states);
  char *text = ir_json_text(asl, JSON_COMPACT | JSON_PRESERVE_ORDER);
  const char *out = arena_strdup(&ctx->arena, text);
  free(text);
  json_decref(asl);
  return out;
}

/* ---- lower ---- */

static const char *const NO_RESOURCE_LEVEL =
    "Step Functions delivers execution logs through CloudWatch Logs' vended-log API, whose "
    "actions have no resource-level permissions (IAM takes only \"*\").";
static const char *const XRAY_ANY_RESOURCE =
    "X-Ray has no resource-level permissions: trace segments can only be allowed on '*'.";

/* lambda:InvokeFunction on the function's ARN alone (not <arn>:*: lakec
 * invokes the unqualified function), or a job's runs under its name. */
static json_t *step_statement(Ctx *ctx, Ir *ir, const Step *s) {
  if (s->function)
    return iam_statement(iam_sid(ctx, "Invoke", s->invoke), J("[s]", "lambda:InvokeFunction"),
                         construct_ref(ctx, ir, &construct_function, s->function, "arn"));
  return iam_statement(iam_sid(ctx, "RunJob", s->run_job),
                       J("[s,s,s,s]", "glue:StartJobRun", "glue:GetJobRun", "glue:GetJobRuns",
                         "glue:BatchStopJobRun"),
                       cfn_subf("arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:"
                                "job/%s",
                                sub_text(ctx, s->job_name)));
}

/* One statement per function or job, however many steps name it. */
static void step_statements(Ctx *ctx, Ir *ir, const StateMachine *sm, json_t *st) {
  StrIndex seen = {0};
  for (size_t i = 0; i < sm->steps.len; i++) {
    const Step *s = &sm->steps.items[i];
    const char *target = s->function ? arena_printf(&ctx->arena, "function %s", s->invoke)
                                     : arena_printf(&ctx->arena, "job %s", s->run_job);
    if (strindex_get(&seen, target))
      continue;
    strindex_put(ctx, &seen, target, (void *)s);
    json_array_append_new(st, step_statement(ctx, ir, s));
  }
}

/* The topic's own publish grant says what publishing needs (its key too). */
static void notify_statements(Ctx *ctx, Ir *ir, const Model *m, const StateMachine *sm,
                              json_t *st) {
  if (!sm->on_failure.topic)
    return;
  const GrantVerb *publish = construct_verb("publish", NULL);
  Grant g = {.node = sm->on_failure.node, .text = sm->on_failure.notify, .verb = publish,
             .target = sm->on_failure.topic};
  publish->statements(ctx, ir, m, &g, st);
}

static const char *machine_role(Ctx *ctx, Ir *ir, const Model *m, const StateMachine *sm) {
  json_t *st = json_array();
  step_statements(ctx, ir, sm, st);
  notify_statements(ctx, ir, m, sm, st);
  json_array_append_new(
      st, iam_wildcard(iam_statement("DeliverLogs",
                                     J("[s,s,s,s,s,s,s,s]", "logs:CreateLogDelivery",
                                       "logs:GetLogDelivery", "logs:UpdateLogDelivery",
                                       "logs:DeleteLogDelivery", "logs:ListLogDeliveries",
                                       "logs:PutResourcePolicy", "logs:DescribeResourcePolicies",
                                       "logs:DescribeLogGroups"),
                                     json_string("*")),
                       NO_RESOURCE_LEVEL));
  if (sm->tracing)
    json_array_append_new(
        st, iam_wildcard(iam_statement("WriteTraces",
                                       J("[s,s,s,s]", "xray:PutTraceSegments",
                                         "xray:PutTelemetryRecords", "xray:GetSamplingRules",
                                         "xray:GetSamplingTargets"),
                                       json_string("*")),
                         XRAY_ANY_RESOURCE));
  return iam_role(ctx, ir, lid(ctx, sm->key, "StateMachineRole"), "states.amazonaws.com", st);
}


/* The rule starts executions through a role that may start this one only. */
static void lower_schedule(Ctx *ctx, Ir *ir, const StateMachine *sm, const char *machine) {
  const Schedule *s = &sm->schedule;
  if (!s->node)
    return;
  json_t *st = json_array();
  json_array_append_new(st, iam_statement("StartExecution", J("[s]", "states:StartExecution"),
                                          cfn_ref(machine)));
  const char *role = iam_role(ctx, ir, lid(ctx, sm->key, "StateMachineScheduleRole"),
                              "events.amazonaws.com", st);
  json_t *target = J("{s:o, s:s, s:o, s:{s:i, s:i}}", "Arn", cfn_ref(machine), "Id", machine,
                     "RoleArn", cfn_getatt(role, "Arn"), "RetryPolicy",
                     "MaximumEventAgeInSeconds", 3600, "MaximumRetryAttempts", 24);
  IrResource *r = ir_add(
      ctx, ir, lid(ctx, sm->key, "StateMachineScheduleRule"), "AWS::Events::Rule",
      J("{s:s, s:s, s:s, s:[o]}", "Description",
        arena_printf(&ctx->arena, "starts state machine '%s' on %s", sm->key, s->expression),
        "ScheduleExpression", s->expression, "State", s->enabled ? "ENABLED" : "DISABLED",
        "Targets", target));
  ir_suppress(r, "Serverless-EventBusDLQ",
              "A scheduled start that EventBridge cannot deliver is retried for an hour and "
              "counted in the rule's FailedInvocations metric; the next schedule starts a new "
              "execution.",
              NULL);
}

/* The jobs its steps run are named literally in the definition: it waits
 * for those of its own stack. */
static void depend_on_jobs(Ctx *ctx, IrResource *r, const Model *m, const StateMachine *sm) {
  StrIndex seen = {0};
  for (size_t i = 0; i < sm->steps.len; i++) {
    const Step *s = &sm->steps.items[i];
    const Item *job = s->job;
    if (!job || strindex_get(&seen, s->run_job) ||
        model_stack(m, job->stack) != model_stack(m, sm->stack))
      continue;
    strindex_put(ctx, &seen, s->run_job, (void *)s);
    ir_depends_on(ctx, r, lid(ctx, job->key, "Job"));
  }
}

static void state_machine_lower(Ctx *ctx, Ir *ir, const Model *m, const void *item) {
  const StateMachine *sm = item;
  if (!sm->graph)
    BUG("state machine '%s' is lowered without its graph", sm->key);
  /* under /aws/vendedlogs/ the log group's resource policy stays small */
  const char *logs = lower_log_group(ctx, ir, m, lid(ctx, sm->key, "StateMachineLogGroup"),
                                     arena_printf(&ctx->arena, "/aws/vendedlogs/states/%s",
                                                  sm->name),
                                     sm->log_retention);
  const char *role = machine_role(ctx, ir, m, sm);
  const char *id = lid(ctx, sm->key, "StateMachine");
  json_t *p = J("{s:s, s:s, s:o, s:{s:s}}", "StateMachineName", sm->name, "StateMachineType",
                "STANDARD", "RoleArn", cfn_getatt(role, "Arn"), "DefinitionString", "Fn::Sub",
                definition(ctx, ir, sm));
  json_object_set_new(p, "LoggingConfiguration",
                      J("{s:s, s:b, s:[{s:{s:o}}]}", "Level", "ALL", "IncludeExecutionData", 1,
                        "Destinations", "CloudWatchLogsLogGroup", "LogGroupArn",
                        cfn_getatt(logs, "Arn")));
  json_object_set_new(p, "TracingConfiguration", J("{s:b}", "Enabled", sm->tracing));
  IrResource *r = ir_add(ctx, ir, id, "AWS::StepFunctions::StateMachine", p);
  if (!sm->tracing)
    for (size_t k = 0; k < 2; k++)
      ir_suppress(r, k ? "Serverless-StepFunctionStateMachineXray" : "AwsSolutions-SF2",
                  "X-Ray tracing is off for this state machine ('tracing: false').", NULL);
  depend_on_jobs(ctx, r, m, sm);
  lower_schedule(ctx, ir, sm, id);
  ir_output(ctx, ir, lid(ctx, sm->key, "StateMachineArn"), cfn_ref(id),
            arena_printf(&ctx->arena, "ARN of state machine '%s'", sm->key));
}

/* ---- grant: start_execution ---- */

static bool resolve_machine(Ctx *ctx, const Model *m, Grant *g, Pos at) {
  g->target = construct_resolve(ctx, m, &construct_state_machine, g->text, at);
  return g->target != NULL;
}

static void start_statements(Ctx *ctx, Ir *ir, const Model *m, const Grant *g, json_t *out) {
  (void)m;
  json_array_append_new(out, iam_statement(iam_sid(ctx, "StartExecution", g->text),
                                           J("[s]", "states:StartExecution"),
                                           construct_ref(ctx, ir, &construct_state_machine,
                                                         g->target, "arn")));
}

static void start_environment(Ctx *ctx, Ir *ir, const Model *m, const Grant *g, json_t *vars) {
  (void)m;
  json_object_set_new(vars,
                      env_name(ctx, "LAKEC_STATE_MACHINE_",
                               ((const StateMachine *)g->target)->key, "_ARN"),
                      construct_ref(ctx, ir, &construct_state_machine, g->target, "arn"));
}

static const GrantVerb VERB_START = {"start_execution", "MACHINE: start executions of it",
                                     resolve_machine, start_statements, start_environment, NULL};
static const GrantVerb *const STATE_MACHINE_VERBS[] = {&VERB_START, NULL};

/* ---- names and tags ---- */

static void state_machine_claims(Ctx *ctx, const Model *m, const void *item, PtrVec *claims) {
  (void)m;
  const StateMachine *sm = item;
  construct_claim(ctx, claims, "state machine", sm->name, sm->node, "name", false);
  construct_claim(ctx, claims, "log group",
                  arena_printf(&ctx->arena, "/aws/vendedlogs/states/%s", sm->name), sm->node,
                  "name", false);
}

static const TagRule STATE_MACHINE_TAGS[] = {
    {"AWS::StepFunctions::StateMachine", "Tags", TAGS_LIST},
    {"AWS::Logs::LogGroup", "Tags", TAGS_LIST},
    {"AWS::IAM::Role", "Tags", TAGS_LIST},
    {"AWS::Events::Rule", "Tags", TAGS_LIST},
    {NULL, NULL, 0},
};

const Construct construct_state_machine = {
    .key = "state_machines",
    .kind = "state machine",
    .doc = "Step Functions state machines: functions and Glue jobs run as a pipeline of "
           "steps, in sequence or in parallel, by key",
    .shape = &SHAPE_STATE_MACHINE,
    .check = state_machine_check,
    .lower = state_machine_lower,
    .ref = state_machine_ref,
    .verbs = STATE_MACHINE_VERBS,
    .claim_names = state_machine_claims,
    .tags = STATE_MACHINE_TAGS,
    .codes = STATE_MACHINE_CODES,
};
