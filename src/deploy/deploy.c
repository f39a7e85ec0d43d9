#include "deploy.h"
#include "assets.h"
#include "cfn.h"
#include "diff.h"
#include "diffout.h"
#include "ir.h"
#include "kafka.h"
#include "session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

enum { DEPLOY_FAILED = 1, DEPLOY_CANNOT = 2 };

/* CloudFormation takes a template body of at most this many bytes; a larger
 * one goes through the assets bucket (TemplateURL). */
#define TEMPLATE_BODY_MAX 51200

bool deploy_can_ask(void) { return isatty(STDIN_FILENO) && isatty(STDERR_FILENO); }

static bool ask(const char *question) {
  fprintf(stderr, "%s [y/N] ", question);
  fflush(stderr);
  char line[16];
  return fgets(line, sizeof line, stdin) && (line[0] == 'y' || line[0] == 'Y');
}

/* --yes, else a question on the terminal. */
static bool confirmed(const DeployOptions *o, const char *question) {
  return o->yes || (deploy_can_ask() && ask(question));
}

static double now_s(void) {
  struct timeval tv;
  gettimeofday(&tv, NULL);
  return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

static void sleep_ms(long ms) {
  struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&t, NULL);
}

static const char *str(json_t *o, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  return s ? s : "";
}

static char *stack_template_path(const StageFolder *s, json_t *stack) {
  const char *file = str(stack, "template");
  size_t n = strlen(s->dir) + strlen(file) + 2;
  char *path = malloc(n);
  snprintf(path, n, "%s/%s", s->dir, file);
  return path;
}

static int report(const QueryResult *r, const char *doing) {
  fprintf(stderr, "lakec: error: %s: %s\n", doing, query_error(r));
  return query_is_fatal(r) ? DEPLOY_CANNOT : DEPLOY_FAILED;
}

/* ---- bootstrap ---- */

static void resolve_bucket(Session *ss, const DeployOptions *o, char *bucket, size_t size) {
  if (o->assets_bucket)
    snprintf(bucket, size, "%s", o->assets_bucket);
  else
    assets_default_bucket(ss->account, ss->region, bucket, size);
}

int deploy_bootstrap(const DeployOptions *o, const char *region) {
  Session ss;
  if (!session_open(&ss, o->profile, region))
    return DEPLOY_CANNOT;
  char bucket[128], why[1200];
  resolve_bucket(&ss, o, bucket, sizeof bucket);
  bool ok = assets_bootstrap(ss.client, bucket, why, sizeof why);
  if (ok && o->json)
    printf("{\"bucket\": \"%s\", \"region\": \"%s\", \"account\": \"%s\"}\n", bucket,
           ss.region, ss.account);
  else if (ok)
    printf("assets bucket %s ready in %s (account %s)\n", bucket, ss.region, ss.account);
  else
    fprintf(stderr, "lakec: error: bootstrap: %s\n", why);
  session_close(&ss);
  return ok ? 0 : DEPLOY_CANNOT;
}

/* ---- uploading ---- */

static int upload_assets(Session *ss, const StageFolder *s, const char *bucket, bool quiet) {
  size_t i, uploaded = 0, present = 0;
  json_t *a;
  json_array_foreach(json_object_get(s->manifest, "assets"), i, a) {
    const char *file = json_string_value(json_object_get(a, "file"));
    if (!file)
      continue; /* a build without zips: nothing to upload */
    char path[8192], why[1200];
    bool sent;
    snprintf(path, sizeof path, "%s/%s", s->dir, file);
    if (!assets_upload(ss->client, bucket, file, path, &sent, why, sizeof why)) {
      fprintf(stderr, "lakec: error: uploading %s: %s\n", file, why);
      return DEPLOY_FAILED; /* the README's exit codes: a deploy that failed */
    }
    sent ? uploaded++ : present++;
  }
  if (!quiet)
    printf("assets: %zu uploaded, %zu already in s3://%s\n", uploaded, present, bucket);
  return 0;
}

/* ---- waiting and events ---- */

/* The newest event's id before an operation starts: events after it are its
 * ("" when the stack has none, or does not exist yet). NULL on an error:
 * without it every old event would be replayed as the operation's. */
static char *newest_event(Session *ss, const char *stack, QueryResult *err) {
  json_t *events = cfn_stack_events(ss->client, stack, NULL, err);
  if (!events && !(!strcmp(err->code, "ValidationError") && strstr(err->message, "does not exist")))
    return NULL;
  char *id = strdup(json_array_size(events) ? str(json_array_get(events, 0), "id") : "");
  json_decref(events);
  return id;
}

typedef struct Watch {
  const char *stack;
  char *since;     /* events up to this id are earlier operations' */
  size_t total;    /* resources in the template */
  json_t *done;    /* logical ids settled */
  json_t *failure; /* the first failing event, or NULL */
  double started;
  bool progress;   /* a live line on a terminal */
  bool quiet;
} Watch;

static bool failing(const char *status, const char *reason) {
  return strstr(status, "_FAILED") && !strstr(reason, "cancelled");
}

static void show_event(Watch *w, json_t *e) {
  const char *status = str(e, "status"), *logical = str(e, "logical"), *reason = str(e, "reason");
  if (strcmp(logical, w->stack) &&
      (strstr(status, "_COMPLETE") || strstr(status, "_FAILED") || strstr(status, "SKIPPED")))
    json_object_set_new(w->done, logical, json_true());
  if (!w->failure && failing(status, reason) && strcmp(logical, w->stack))
    w->failure = json_incref(e);
  if (w->quiet)
    return;
  const char *time = str(e, "time");
  const char *clock = strchr(time, 'T') ? strchr(time, 'T') + 1 : time;
  printf("%s  %.8s  %-28s %-32s %s%s%s\n", w->progress ? "\r\033[K" : "", clock, status,
         str(e, "type"), logical, *reason ? "  " : "", reason);
}

static void show_progress(const Watch *w) {
  if (!w->progress || w->quiet)
    return;
  printf("\r\033[K  %s: %zu/%zu resources, %.0fs", w->stack, json_object_size(w->done),
         w->total, now_s() - w->started);
  fflush(stdout);
}

/* New events, oldest first (every page back to the last one seen). */
static bool poll_events(Session *ss, Watch *w, QueryResult *err) {
  json_t *events = cfn_stack_events(ss->client, w->stack, w->since, err);
  if (!events)
    return !strcmp(err->code, "ValidationError") || /* the stack is gone (a delete) */
           query_is_transient(err);                 /* asked again at the next poll */
  size_t end = json_array_size(events);
  for (size_t i = end; i-- > 0;)
    show_event(w, json_array_get(events, i));
  if (end) {
    free(w->since);
    w->since = strdup(str(json_array_get(events, 0), "id"));
  }
  json_decref(events);
  return true;
}

/* How long lakec follows one stack operation before it stops waiting (the
 * operation goes on in CloudFormation). */
#define SETTLE_LIMIT_S (3 * 3600)

/* Polls until the stack is no longer in progress; its final status in out.
 * A throttled or 5xx poll is asked again after a longer pause: the stack
 * being deployed is not abandoned for it. */
static bool settle(Session *ss, Watch *w, StackInfo *out, QueryResult *err) {
  for (long delay = 250;; delay = cfn_next_delay(delay, err)) {
    if (!poll_events(ss, w, err))
      return false;
    bool described = cfn_describe_stack(ss->client, w->stack, out, err);
    if (!described && !query_is_transient(err))
      return false;
    if (described && !cfn_in_progress(out->status)) {
      if (w->progress && !w->quiet)
        printf("\r\033[K");
      return poll_events(ss, w, err);
    }
    json_decref(out->outputs);
    out->outputs = NULL;
    if (now_s() - w->started > SETTLE_LIMIT_S) {
      snprintf(err->code, sizeof err->code, "Timeout");
      snprintf(err->message, sizeof err->message,
               "still %s after %d hours: lakec stops waiting (CloudFormation goes on; "
               "'lakec outputs' or the console tell how it ends)",
               described ? out->status : "in progress", SETTLE_LIMIT_S / 3600);
      return false;
    }
    show_progress(w);
    sleep_ms(delay);
  }
}

static bool watch_init(Watch *w, Session *ss, const char *stack, size_t total, bool quiet,
                       QueryResult *err) {
  *w = (Watch){stack, newest_event(ss, stack, err), total, json_object(), NULL, now_s(),
               isatty(STDOUT_FILENO), quiet};
  return w->since != NULL;
}

static void watch_release(Watch *w) {
  free(w->since);
  json_decref(w->done);
  json_decref(w->failure);
}

/* ---- deleting a stack ---- */

static bool gone(const char *status) { return !*status || !strcmp(status, "DELETE_COMPLETE"); }

/* Deletes the stack and waits; 0, or the exit status after saying why. */
static int delete_and_wait(Session *ss, const char *stack, bool quiet) {
  QueryResult err;
  Watch w;
  StackInfo info = {0};
  int status = 0;
  char token[200];
  cfn_client_token(stack, "delete", token, sizeof token);
  if (!watch_init(&w, ss, stack, 0, quiet, &err) || !cfn_delete_stack(ss->client, stack, token, &err))
    status = report(&err, stack);
  else if (!settle(ss, &w, &info, &err))
    status = report(&err, stack);
  else if (!gone(info.status)) {
    const char *reason = w.failure ? str(w.failure, "reason") : "";
    fprintf(stderr, "lakec: error: stack %s: %s%s%s%s\n", stack, info.status, *reason ? ": " : "",
            reason,
            strstr(reason, "not empty") ? " (--empty-buckets deletes the objects first)" : "");
    status = DEPLOY_FAILED;
  }
  json_decref(info.outputs);
  watch_release(&w);
  return status;
}

/* A stack an earlier failed create left (ROLLBACK_COMPLETE, REVIEW_IN_PROGRESS)
 * cannot be updated: it is deleted first, when confirmed. */
static int clean_failed_create(Session *ss, const DeployOptions *o, const char *stack,
                               StackInfo *info) {
  if (strcmp(info->status, "ROLLBACK_COMPLETE") && strcmp(info->status, "REVIEW_IN_PROGRESS") &&
      strcmp(info->status, "ROLLBACK_FAILED"))
    return 0;
  char question[400];
  snprintf(question, sizeof question,
           "stack %s is %s after an earlier failed create; delete it and create it again?", stack,
           info->status);
  if (!confirmed(o, question)) {
    fprintf(stderr, "lakec: error: stack %s is %s: it must be deleted before it is created "
                    "again\n", stack, info->status);
    return DEPLOY_CANNOT;
  }
  if (!o->json)
    printf("stack %s: %s (an earlier create failed): deleting it first\n", stack, info->status);
  int status = delete_and_wait(ss, stack, o->json);
  info->status[0] = '\0';
  return status;
}

/* ---- the change set, as CloudFormation describes it ---- */

/* The deployed template (an empty one before a create); NULL after saying
 * why: a change set cannot be judged against a template lakec cannot read. */
static json_t *deployed_template(Session *ss, const char *stack, bool exists) {
  if (!exists)
    return json_pack("{s:{}}", "Resources");
  char *body;
  QueryResult err;
  if (!cfn_get_template(ss->client, stack, &body, &err)) {
    report(&err, stack);
    return NULL;
  }
  json_t *t = json_loads(body, 0, NULL);
  free(body);
  if (!json_is_object(t)) {
    fprintf(stderr, "lakec: error: stack %s: its deployed template is not JSON (a template "
                    "lakec did not write?)\n", stack);
    json_decref(t);
    return NULL;
  }
  return t;
}

static const ResourceDiff *local_change(const Diff *d, const char *id) {
  for (size_t i = 0; i < d->resources.len; i++) {
    const ResourceDiff *rd = d->resources.items[i];
    if (!strcmp(rd->id, id))
      return rd;
  }
  return NULL;
}

/* CloudFormation's Replacement, or, when the endpoint leaves it out (moto
 * does), what lakec's replacement table predicts for the same change ("" when
 * the local diff does not see it). *predicted tells which. */
static const char *replacement_of(json_t *change, const Diff *d, bool *predicted) {
  const char *given = str(change, "replacement");
  *predicted = !*given && !strcmp(str(change, "action"), "Modify");
  if (!*predicted)
    return given;
  const ResourceDiff *rd = local_change(d, str(change, "id"));
  if (!rd)
    return "";
  if (rd->replacement)
    return "True";
  for (size_t i = 0; i < rd->changes.len; i++)
    if (((const PropChange *)rd->changes.items[i])->may_replace)
      return "Conditional";
  return "False";
}

static bool retained(json_t *resource) { return !strcmp(str(resource, "DeletionPolicy"), "Retain"); }

static bool retained_in(json_t *template, const char *id) {
  return retained(json_object_get(json_object_get(template, "Resources"), id));
}

/* Data lost: a data-holding resource removed, or replaced (for sure or
 * maybe), that the deployed template does not retain. */
static bool loses_data(json_t *change, const char *replacement, json_t *deployed) {
  bool goes = !strcmp(str(change, "action"), "Remove") || !strcmp(replacement, "True") ||
              !strcmp(replacement, "Conditional");
  return goes && diff_holds_data(str(change, "type")) &&
         !retained_in(deployed, str(change, "id"));
}

static void print_details(json_t *change) {
  size_t i;
  json_t *d;
  if (*str(change, "scope"))
    printf("      scope: %s\n", str(change, "scope"));
  json_array_foreach(json_object_get(change, "details"), i, d) {
    const char *name = *str(d, "name") ? str(d, "name") : str(d, "attribute");
    printf("      %s %s%s%s%s%s\n", str(d, "attribute"), strcmp(name, str(d, "attribute")) ? name : "",
           *str(d, "recreation") ? "  recreation: " : "", str(d, "recreation"),
           *str(d, "evaluation") ? "  " : "", str(d, "evaluation"));
  }
}

/* Prints the resource changes; *destructive when one loses data. */
static void print_resource_changes(const DeployOptions *o, json_t *changes, const Diff *d,
                                   json_t *deployed, bool *destructive) {
  size_t i;
  json_t *c;
  bool any_predicted = false;
  json_array_foreach(changes, i, c) {
    bool predicted;
    const char *replacement = replacement_of(c, d, &predicted);
    bool loses = loses_data(c, replacement, deployed);
    *destructive |= loses;
    any_predicted |= predicted && *replacement;
    if (o->json)
      continue;
    printf("  %-7s %s (%s)%s%s%s%s\n", str(c, "action"), str(c, "id"), str(c, "type"),
           *replacement ? "  replacement: " : "", replacement, predicted && *replacement ? "*" : "",
           loses ? "  DESTRUCTIVE" : "");
    print_details(c);
  }
  if (!json_array_size(changes) && !o->json)
    printf("  no resource changes\n");
  if (any_predicted && !o->json)
    printf("  * this endpoint's change set does not say: lakec's replacement table's answer\n");
}

static void print_parameter_changes(json_t *before, json_t *after) {
  const char *key;
  json_t *v;
  json_object_foreach(after, key, v) {
    const char *old = json_string_value(json_object_get(before, key));
    if (!old || strcmp(old, json_string_value(v)))
      printf("  parameter %s: %s -> %s\n", key, old ? old : "(none)", json_string_value(v));
  }
}

/* Prints what DescribeChangeSet says (resources, replacements, parameters),
 * then lakec's property-level diff of the same templates as detail; sets
 * *destructive from CloudFormation's actions. 0 or the exit status. */
static int show_changes(Ctx *ctx, Session *ss, const DeployOptions *o, const char *stack,
                        bool exists, json_t *template, const char *id, bool *destructive) {
  QueryResult err;
  *destructive = false;
  json_t *described = cfn_change_set_changes(ss->client, id, &err);
  json_t *before_params = !described || !exists ? json_object()
                                                : cfn_stack_parameters(ss->client, stack, &err);
  json_t *deployed = described && before_params ? deployed_template(ss, stack, exists) : NULL;
  if (!described || !before_params) {
    json_decref(described), json_decref(before_params);
    return report(&err, stack);
  }
  if (!deployed) {
    json_decref(described), json_decref(before_params);
    return DEPLOY_CANNOT;
  }
  const char *why = NULL;
  Ir *before = ir_from_template(ctx, deployed, &why), *after = ir_from_template(ctx, template, &why);
  int status = 0;
  if (!before || !after) {
    fprintf(stderr, "lakec: error: stack %s: %s\n", stack, why ? why : "a template cannot be read");
    status = DEPLOY_CANNOT;
  } else {
    DiffOptions opts = {NULL, 0};
    Diff *d = diff_irs(ctx, before, after, &opts);
    if (!o->json)
      printf("stack %s: change set\n", stack);
    print_resource_changes(o, json_object_get(described, "changes"), d, deployed, destructive);
    if (!o->json)
      print_parameter_changes(before_params, json_object_get(described, "parameters"));
    if (!o->json && !diff_is_empty(d)) {
      printf("details (lakec diff of the templates):\n");
      diffout_text(d, "deployed", "this build", stdout, o->color);
    }
    diff_free(d);
  }
  ir_free(before), ir_free(after);
  json_decref(described), json_decref(before_params), json_decref(deployed);
  return status;
}

/* ---- deploying one stack ---- */

typedef struct StackRun {
  const char *name;
  const char *result; /* "created", "updated", "no changes", "failed", "refused" */
  char status[64];    /* outputs: the stack's status, which result then points at */
  json_t *outputs;
  json_t *brokers;    /* outputs: {cluster's logical id: its IAM bootstrap brokers}, or NULL */
} StackRun;

static char *template_url(Session *ss, const char *bucket, const char *name, const char *body,
                          size_t len, char *why, size_t why_size) {
  char sha[65], key[300];
  aws_sha256_hex(body, len, sha);
  snprintf(key, sizeof key, "templates/%s-%.16s.template.json", name, sha);
  if (!assets_put_bytes(ss->client, bucket, key, body, len, why, why_size))
    return NULL;
  size_t n = strlen(aws_endpoint(ss->client, "s3")) + strlen(bucket) + strlen(key) + 3;
  char *url = malloc(n);
  snprintf(url, n, "%s/%s/%s", aws_endpoint(ss->client, "s3"), bucket, key);
  return url;
}

static void print_failure(const Watch *w, const StackInfo *info) {
  if (w->failure)
    fprintf(stderr, "lakec: error: stack %s: %s %s (%s) failed: %s\n", w->stack,
            str(w->failure, "status"), str(w->failure, "logical"), str(w->failure, "type"),
            str(w->failure, "reason"));
  else
    fprintf(stderr, "lakec: error: stack %s failed%s%s\n", w->stack, *info->reason ? ": " : "",
            info->reason);
  fprintf(stderr, "lakec: stack %s rolled back: %s\n", w->stack, info->status);
}

/* A change set that is not executed is deleted. A CREATE's change set made
 * a REVIEW_IN_PROGRESS stack: it is deleted too, and waited for, so the next
 * deploy starts from nothing. Problems are warnings: the error that brought
 * us here is the one reported. */
static void discard_change_set(Session *ss, const char *id, const char *stack) {
  QueryResult err;
  if (id && *id && !cfn_delete_change_set(ss->client, id, &err))
    fprintf(stderr, "lakec: warning: stack %s: its change set was not deleted: %s\n", stack,
            query_error(&err));
  StackInfo info;
  if (!cfn_describe_stack(ss->client, stack, &info, &err))
    return;
  json_decref(info.outputs);
  if (!strcmp(info.status, "REVIEW_IN_PROGRESS") && delete_and_wait(ss, stack, true))
    fprintf(stderr, "lakec: warning: stack %s (REVIEW_IN_PROGRESS) was not deleted\n", stack);
}

/* Executes the change set and follows the stack until it settles. */
static int execute(Session *ss, const DeployOptions *o, const char *id, StackRun *run,
                   size_t total) {
  QueryResult err;
  Watch w;
  StackInfo info = {0};
  int status = 0;
  char token[200];
  cfn_client_token(run->name, "execute", token, sizeof token);
  bool executed = watch_init(&w, ss, run->name, total, o->json, &err) &&
                  cfn_execute_change_set(ss->client, id, token, &err);
  if (!executed || !settle(ss, &w, &info, &err)) {
    status = report(&err, run->name);
    run->result = "failed";
    if (!executed)
      discard_change_set(ss, id, run->name);
  } else if (strcmp(info.status, "CREATE_COMPLETE") && strcmp(info.status, "UPDATE_COMPLETE")) {
    print_failure(&w, &info);
    run->result = "failed";
    status = DEPLOY_FAILED;
  }
  json_decref(info.outputs);
  watch_release(&w);
  return status;
}

/* The assets bucket for the stack's bucket parameter, when it has one (the
 * other parameters keep their defaults: the code keys a build wrote). */
static const char *const *stack_parameters(const StageFolder *s, json_t *stack, const char *bucket,
                                           const char *params[3]) {
  const char *name = str(s->manifest, "bucket_parameter");
  bool takes = *name && json_object_get(json_object_get(stack, "parameters"), name);
  params[0] = takes ? name : NULL;
  params[1] = bucket;
  params[2] = NULL;
  return params;
}

static int deploy_one(Ctx *ctx, Session *ss, const DeployOptions *o, const StageFolder *s,
                      json_t *stack, const char *bucket, StackRun *run) {
  QueryResult err;
  StackInfo info;
  if (!cfn_describe_stack(ss->client, run->name, &info, &err))
    return report(&err, run->name);
  json_decref(info.outputs);
  if (cfn_in_progress(info.status) && strcmp(info.status, "REVIEW_IN_PROGRESS")) {
    fprintf(stderr, "lakec: error: stack %s is %s: wait until it settles\n", run->name, info.status);
    return DEPLOY_FAILED;
  }
  int status = clean_failed_create(ss, o, run->name, &info);
  if (status)
    return status;
  bool exists = *info.status != '\0';
  char *path = stack_template_path(s, stack), why[1200];
  size_t len = 0;
  char *body = assets_read_file(path, &len);
  free(path);
  json_t *template = body ? json_loadb(body, len, 0, NULL) : NULL;
  char *url = body && len > TEMPLATE_BODY_MAX
                  ? template_url(ss, bucket, run->name, body, len, why, sizeof why)
                  : NULL;
  if (!template || (len > TEMPLATE_BODY_MAX && !url)) {
    fprintf(stderr, "lakec: error: stack %s: %s\n", run->name,
            template ? why : "its template cannot be read");
    free(body), free(url), json_decref(template);
    return DEPLOY_FAILED;
  }
  const char *params[3];
  char name[64]; /* change-set names are unique per stack */
  snprintf(name, sizeof name, "lakec-%ld", (long)time(NULL));
  char token[200];
  cfn_client_token(run->name, "create", token, sizeof token);
  ChangeSetRequest req = {run->name, name, exists ? "UPDATE" : "CREATE", url ? NULL : body, url,
                          stack_parameters(s, stack, bucket, params), token};
  char *id = NULL;
  bool empty = false, destructive = false;
  if (!cfn_create_change_set(ss->client, &req, &id, &empty, &err)) {
    status = report(&err, run->name);
    run->result = "failed";
    discard_change_set(ss, id, run->name);
  } else if (empty) {
    if (!o->json)
      printf("stack %s: no changes\n", run->name);
    run->result = "no changes";
    cfn_delete_change_set(ss->client, id, &err);
  } else {
    status = show_changes(ctx, ss, o, run->name, exists, template, id, &destructive);
    run->result = status ? "failed" : "refused";
    char question[300];
    snprintf(question, sizeof question, "deploy these changes to stack %s?", run->name);
    if (!status && destructive && !o->allow_destructive) {
      fprintf(stderr, "lakec: error: stack %s: the change set loses data (marked above); "
                      "deploy it with --allow-destructive\n", run->name);
      status = DEPLOY_CANNOT;
    } else if (!status && !confirmed(o, question)) {
      fprintf(stderr, "lakec: stack %s not deployed%s\n", run->name,
              deploy_can_ask() ? "" : ": no terminal to ask; pass --yes");
      status = DEPLOY_CANNOT;
    }
    if (status) {
      discard_change_set(ss, id, run->name);
    } else {
      run->result = exists ? "updated" : "created";
      status = execute(ss, o, id, run, json_object_size(json_object_get(template, "Resources")));
    }
  }
  free(id), free(body), free(url), json_decref(template);
  return status;
}

/* ---- outputs ---- */

/* BootstrapServers, or BootstrapServers.<logical id> when the stack has
 * several clusters. */
static void print_brokers(json_t *brokers) {
  const char *logical;
  json_t *v;
  json_object_foreach(brokers, logical, v) {
    char label[160];
    snprintf(label, sizeof label, json_object_size(brokers) > 1 ? "BootstrapServers.%s"
                                                                : "BootstrapServers", logical);
    printf("  %-28s %s\n", label, json_string_value(v));
  }
}

static void print_runs(const DeployOptions *o, StackRun *runs, size_t n) {
  if (o->json) {
    json_t *stacks = json_array();
    for (size_t i = 0; i < n; i++) {
      json_t *stack = json_pack("{s:s, s:s, s:O}", "name", runs[i].name,
                                "result", runs[i].result ? runs[i].result : "skipped",
                                "outputs", runs[i].outputs);
      if (json_object_size(runs[i].brokers)) /* a field added only where there are clusters */
        json_object_set(stack, "BootstrapServers", runs[i].brokers);
      json_array_append_new(stacks, stack);
    }
    json_t *all = json_pack("{s:i, s:o}", "version", 1, "stacks", stacks);
    json_dumpf(all, stdout, JSON_INDENT(2) | JSON_SORT_KEYS); /* main's jansson allocates */
    printf("\n");                                             /* from an arena: no free() */
    json_decref(all);
    return;
  }
  for (size_t i = 0; i < n; i++) {
    if (!json_object_size(runs[i].outputs) && !json_object_size(runs[i].brokers))
      continue;
    printf("\noutputs of %s:\n", runs[i].name);
    const char *key;
    json_t *v;
    json_object_foreach(runs[i].outputs, key, v) printf("  %-28s %s\n", key, json_string_value(v));
    print_brokers(runs[i].brokers);
  }
}

/* The deployed stack's MSK clusters (its resources of that type) and each
 * one's IAM bootstrap brokers (kafka:GetBootstrapBrokers) into run->brokers.
 * 0, or the exit status after saying why. */
static int fetch_bootstrap_servers(Session *ss, StackRun *run) {
  QueryResult err;
  json_t *clusters = cfn_physical_ids_of_type(ss->client, run->name, "AWS::MSK::Cluster", &err);
  if (!clusters)
    return report(&err, run->name);
  run->brokers = json_object();
  int status = 0;
  const char *logical;
  json_t *arn;
  json_object_foreach(clusters, logical, arn) {
    if (!*json_string_value(arn))
      continue; /* not made yet: no ARN to ask about */
    long http;
    char why[600];
    char *brokers = kafka_bootstrap_brokers(ss->client, json_string_value(arn), &http, why, sizeof why);
    if (brokers) {
      json_object_set_new(run->brokers, logical, json_string(brokers));
    } else {
      fprintf(stderr, "lakec: error: %s: GetBootstrapBrokers of %s (%s): %s\n", run->name, logical,
              json_string_value(arn), why);
      status = http == 0 || http == 401 || http == 403 ? DEPLOY_CANNOT : DEPLOY_FAILED;
    }
    free(brokers);
  }
  json_decref(clusters);
  return status;
}

static void fetch_outputs(Session *ss, StackRun *run) {
  QueryResult err;
  StackInfo info;
  if (cfn_describe_stack(ss->client, run->name, &info, &err))
    run->outputs = info.outputs;
  else
    run->outputs = json_object();
}

static StackRun *new_runs(const StageFolder *s, size_t *n) {
  json_t *stacks = json_object_get(s->manifest, "stacks");
  *n = json_array_size(stacks);
  StackRun *runs = calloc(*n ? *n : 1, sizeof *runs);
  for (size_t i = 0; i < *n; i++)
    runs[i].name = str(json_array_get(stacks, i), "name");
  return runs;
}

static void free_runs(StackRun *runs, size_t n) {
  for (size_t i = 0; i < n; i++)
    json_decref(runs[i].outputs), json_decref(runs[i].brokers);
  free(runs);
}

int deploy_stage(Ctx *ctx, const DeployOptions *o, const StageFolder *s) {
  Session ss;
  if (!session_open(&ss, o->profile, s->region))
    return DEPLOY_CANNOT;
  char bucket[128], why[1200];
  resolve_bucket(&ss, o, bucket, sizeof bucket);
  int exists = assets_bucket_exists(ss.client, bucket, why, sizeof why);
  int status = 0;
  if (exists <= 0) {
    fprintf(stderr, "lakec: error: assets bucket %s: ", bucket);
    if (exists < 0)
      fprintf(stderr, "%s\n", why);
    else /* the exact command: the same account, region and bucket */
      fprintf(stderr, "does not exist; create it with 'lakec bootstrap --region %s%s%s%s%s' or "
                      "name one with --assets-bucket\n",
              ss.region, o->profile ? " --profile " : "", o->profile ? o->profile : "",
              o->assets_bucket ? " --assets-bucket " : "", o->assets_bucket ? o->assets_bucket : "");
    status = DEPLOY_CANNOT;
  }
  if (!status)
    status = upload_assets(&ss, s, bucket, o->json);
  size_t n;
  StackRun *runs = new_runs(s, &n);
  json_t *stacks = json_object_get(s->manifest, "stacks");
  for (size_t i = 0; !status && i < n; i++)
    status = deploy_one(ctx, &ss, o, s, json_array_get(stacks, i), bucket, &runs[i]);
  if (!status || o->json) { /* JSON says what happened, a failure too */
    for (size_t i = 0; i < n; i++)
      fetch_outputs(&ss, &runs[i]);
    print_runs(o, runs, n);
  }
  free_runs(runs, n);
  session_close(&ss);
  return status;
}

int deploy_outputs(const DeployOptions *o, const StageFolder *s) {
  Session ss;
  if (!session_open(&ss, o->profile, s->region))
    return DEPLOY_CANNOT;
  size_t n;
  StackRun *runs = new_runs(s, &n);
  int status = 0;
  for (size_t i = 0; i < n && !status; i++) {
    QueryResult err;
    StackInfo info;
    if (!cfn_describe_stack(ss.client, runs[i].name, &info, &err)) {
      status = report(&err, runs[i].name);
      continue;
    }
    runs[i].outputs = info.outputs;
    snprintf(runs[i].status, sizeof runs[i].status, "%s", *info.status ? info.status : "not deployed");
    runs[i].result = runs[i].status;
    if (!*info.status) {
      fprintf(stderr, "lakec: error: stack %s is not deployed\n", runs[i].name);
      status = DEPLOY_FAILED;
    } else {
      status = fetch_bootstrap_servers(&ss, &runs[i]);
    }
  }
  if (!status && !o->json) {
    for (size_t i = 0; i < n; i++)
      if (!json_object_size(runs[i].outputs) && !json_object_size(runs[i].brokers))
        printf("%s: no outputs\n", runs[i].name);
  }
  if (!status)
    print_runs(o, runs, n);
  free_runs(runs, n);
  session_close(&ss);
  return status;
}

/* ---- destroy ---- */

/* Empties the deployed stack's buckets that it does not retain (the
 * deployed template's DeletionPolicy, not this build's: a local edit must
 * not empty a bucket the stack keeps). A bucket the stack did not create (a
 * false condition) has no resource and is skipped; a failed lookup stops. */
static int empty_buckets(Session *ss, const DeployOptions *o, const char *stack,
                         json_t *deployed) {
  QueryResult err;
  json_t *ids = cfn_physical_ids(ss->client, stack, &err);
  if (!ids)
    return report(&err, stack);
  const char *logical;
  json_t *r;
  int status = 0;
  json_object_foreach(json_object_get(deployed, "Resources"), logical, r) {
    const char *bucket = json_string_value(json_object_get(ids, logical));
    if (strcmp(str(r, "Type"), "AWS::S3::Bucket") || retained(r) || !bucket || !*bucket)
      continue;
    size_t deleted;
    char why[1200];
    if (!assets_empty_bucket(ss->client, bucket, &deleted, why, sizeof why)) {
      fprintf(stderr, "lakec: error: emptying bucket %s: %s\n", bucket, why);
      status = DEPLOY_FAILED;
      break;
    }
    if (!o->json)
      printf("stack %s: bucket %s emptied (%zu object versions)\n", stack, bucket, deleted);
  }
  json_decref(ids);
  return status;
}

static void list_retained(const DeployOptions *o, const char *stack, json_t *deployed) {
  const char *logical;
  json_t *r;
  json_object_foreach(json_object_get(deployed, "Resources"), logical, r) if (retained(r) && !o->json)
      printf("stack %s: %s (%s) is retained: left behind\n", stack, logical, str(r, "Type"));
}

static int destroy_one(Session *ss, const DeployOptions *o, StackRun *run) {
  const char *name = run->name;
  QueryResult err;
  StackInfo info;
  run->result = "failed";
  if (!cfn_describe_stack(ss->client, name, &info, &err))
    return report(&err, name);
  json_decref(info.outputs);
  if (gone(info.status)) {
    if (!o->json)
      printf("stack %s: not deployed\n", name);
    run->result = "not deployed";
    return 0;
  }
  json_t *deployed = deployed_template(ss, name, true);
  if (!deployed)
    return DEPLOY_FAILED;
  int status = o->empty_buckets ? empty_buckets(ss, o, name, deployed) : 0;
  if (!status && !o->json)
    printf("stack %s: deleting\n", name);
  if (!status)
    status = delete_and_wait(ss, name, o->json);
  if (!status) {
    list_retained(o, name, deployed);
    if (!o->json)
      printf("stack %s: deleted\n", name);
    run->result = "deleted";
  }
  json_decref(deployed);
  return status;
}

int deploy_destroy(const DeployOptions *o, const StageFolder *s) {
  if (o->empty_buckets && s->production) {
    fprintf(stderr, "lakec: error: stage '%s' is production: its buckets are never emptied "
                    "(--empty-buckets refused); empty them yourself if you mean it\n",
            str(s->manifest, "stage"));
    return DEPLOY_CANNOT;
  }
  Session ss;
  if (!session_open(&ss, o->profile, s->region))
    return DEPLOY_CANNOT;
  size_t n;
  StackRun *runs = new_runs(s, &n);
  char question[300];
  snprintf(question, sizeof question, "delete the %zu stack(s) of stage %s%s?", n,
           str(s->manifest, "stage"), o->empty_buckets ? " and every object in its buckets" : "");
  int status = confirmed(o, question) ? 0 : DEPLOY_CANNOT;
  if (status) {
    fprintf(stderr, "lakec: nothing destroyed%s\n",
            deploy_can_ask() ? "" : ": no terminal to ask; pass --yes");
    for (size_t i = 0; i < n; i++)
      runs[i].result = "refused";
  }
  for (size_t i = n; !status && i-- > 0;) /* reverse deploy order */
    status = destroy_one(&ss, o, &runs[i]);
  if (o->json) {
    for (size_t i = 0; i < n; i++)
      runs[i].outputs = json_object();
    print_runs(o, runs, n);
  }
  free_runs(runs, n);
  session_close(&ss);
  return status;
}

/* ---- diff --deployed ---- */

json_t *deploy_deployed_templates(const DeployOptions *o, const StageFolder *s, int *status) {
  Session ss;
  *status = 0;
  if (!session_open(&ss, o->profile, s->region)) {
    *status = DEPLOY_CANNOT;
    return NULL;
  }
  json_t *out = json_array();
  size_t i;
  json_t *stack;
  json_array_foreach(json_object_get(s->manifest, "stacks"), i, stack) {
    QueryResult err;
    StackInfo info;
    char *body = NULL;
    if (!cfn_describe_stack(ss.client, str(stack, "name"), &info, &err) ||
        (!gone(info.status) && !cfn_get_template(ss.client, str(stack, "name"), &body, &err))) {
      report(&err, str(stack, "name"));
      *status = DEPLOY_CANNOT; /* 1 would read as "differences" */
      json_decref(out);
      out = NULL;
      break;
    }
    json_decref(info.outputs);
    bool deployed = body != NULL;
    json_t *t = deployed ? json_loads(body, 0, NULL) : NULL;
    free(body);
    if (deployed && !json_is_object(t)) { /* deployed, but not a template lakec can compare */
      fprintf(stderr, "lakec: error: stack %s: its deployed template is not JSON (a template "
                      "lakec did not write?)\n", str(stack, "name"));
      json_decref(t), json_decref(out);
      out = NULL;
      *status = DEPLOY_CANNOT;
      break;
    }
    json_array_append_new(out, t ? t : json_null());
  }
  session_close(&ss);
  return out;
}
