#include "deploy.h"
#include "assets.h"
#include "cfn.h"
#include "diff.h"
#include "diffout.h"
#include "ir.h"
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
      return DEPLOY_CANNOT;
    }
    sent ? uploaded++ : present++;
  }
  if (!quiet)
    printf("assets: %zu uploaded, %zu already in s3://%s\n", uploaded, present, bucket);
  return 0;
}

/* ---- waiting and events ---- */

/* The newest event's id before an operation starts: events after it are its. */
static char *newest_event(Session *ss, const char *stack) {
  QueryResult r;
  json_t *events = cfn_stack_events(ss->client, stack, &r);
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

/* New events, oldest first. */
static bool poll_events(Session *ss, Watch *w, QueryResult *err) {
  json_t *events = cfn_stack_events(ss->client, w->stack, err);
  if (!events)
    return !strcmp(err->code, "ValidationError"); /* the stack is gone (a delete) */
  size_t end = json_array_size(events);
  for (size_t i = 0; i < json_array_size(events); i++)
    if (!strcmp(str(json_array_get(events, i), "id"), w->since)) {
      end = i;
      break;
    }
  for (size_t i = end; i-- > 0;)
    show_event(w, json_array_get(events, i));
  if (end) {
    free(w->since);
    w->since = strdup(str(json_array_get(events, 0), "id"));
  }
  json_decref(events);
  return true;
}

/* Polls until the stack is no longer in progress; its final status in out. */
static bool settle(Session *ss, Watch *w, StackInfo *out, QueryResult *err) {
  for (long delay = 250;; delay = delay < 5000 ? delay * 2 : 5000) {
    if (!poll_events(ss, w, err))
      return false;
    if (!cfn_describe_stack(ss->client, w->stack, out, err))
      return false;
    if (!cfn_in_progress(out->status)) {
      if (w->progress && !w->quiet)
        printf("\r\033[K");
      return poll_events(ss, w, err);
    }
    json_decref(out->outputs);
    show_progress(w);
    sleep_ms(delay);
  }
}

static void watch_init(Watch *w, Session *ss, const char *stack, size_t total, bool quiet) {
  *w = (Watch){stack, newest_event(ss, stack), total, json_object(), NULL, now_s(),
               isatty(STDOUT_FILENO), quiet};
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
  watch_init(&w, ss, stack, 0, quiet);
  StackInfo info = {0};
  int status = 0;
  if (!cfn_delete_stack(ss->client, stack, &err))
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

/* ---- the change set, shown as `lakec diff` shows changes ---- */

static Ir *deployed_ir(Ctx *ctx, Session *ss, const char *stack, bool exists) {
  if (!exists)
    return ir_new(ctx);
  char *body;
  QueryResult err;
  json_t *t = NULL;
  if (cfn_get_template(ss->client, stack, &body, &err))
    t = json_loads(body, 0, NULL);
  free(body);
  const char *why = NULL;
  Ir *ir = t ? ir_from_template(ctx, t, &why) : NULL;
  json_decref(t);
  return ir ? ir : ir_new(ctx);
}

/* Prints the changes; *destructive when data-holding resources are lost. */
static void show_changes(Ctx *ctx, Session *ss, const DeployOptions *o, const char *stack,
                         bool exists, json_t *template, bool *destructive) {
  Ir *before = deployed_ir(ctx, ss, stack, exists);
  const char *why = NULL;
  Ir *after = ir_from_template(ctx, template, &why);
  DiffOptions opts = {NULL, 0};
  Diff *d = diff_irs(ctx, before, after, &opts);
  *destructive = d->destructive > 0;
  if (!o->json) {
    printf("stack %s: change set\n", stack);
    diffout_text(d, "deployed", "this build", stdout, o->color);
  }
  diff_free(d);
  ir_free(before);
  ir_free(after);
}

/* ---- deploying one stack ---- */

typedef struct StackRun {
  const char *name;
  const char *result; /* "created", "updated", "no changes", "failed", "refused" */
  char status[64];    /* outputs: the stack's status, which result then points at */
  json_t *outputs;
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

/* Executes the change set and follows the stack until it settles. */
static int execute(Session *ss, const DeployOptions *o, const char *id, StackRun *run,
                   size_t total) {
  QueryResult err;
  Watch w;
  watch_init(&w, ss, run->name, total, o->json);
  StackInfo info = {0};
  int status = 0;
  if (!cfn_execute_change_set(ss->client, id, &err) || !settle(ss, &w, &info, &err)) {
    status = report(&err, run->name);
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
    return DEPLOY_CANNOT;
  }
  const char *params[3];
  char name[64]; /* change-set names are unique per stack */
  snprintf(name, sizeof name, "lakec-%ld", (long)time(NULL));
  ChangeSetRequest req = {run->name, name, exists ? "UPDATE" : "CREATE", url ? NULL : body, url,
                          stack_parameters(s, stack, bucket, params)};
  char *id = NULL;
  bool empty = false, destructive = false;
  if (!cfn_create_change_set(ss->client, &req, &id, &empty, &err)) {
    status = report(&err, run->name);
  } else if (empty) {
    if (!o->json)
      printf("stack %s: no changes\n", run->name);
    run->result = "no changes";
    cfn_delete_change_set(ss->client, id, &err);
  } else {
    show_changes(ctx, ss, o, run->name, exists, template, &destructive);
    char question[300];
    snprintf(question, sizeof question, "deploy these changes to stack %s?", run->name);
    if (destructive && !o->allow_destructive) {
      fprintf(stderr, "lakec: error: stack %s: the change set loses data (marked above); "
                      "deploy it with --allow-destructive\n", run->name);
      status = DEPLOY_CANNOT;
    } else if (!confirmed(o, question)) {
      fprintf(stderr, "lakec: stack %s not deployed%s\n", run->name,
              deploy_can_ask() ? "" : ": no terminal to ask; pass --yes");
      status = DEPLOY_CANNOT;
    }
    if (status) {
      run->result = "refused";
      cfn_delete_change_set(ss->client, id, &err);
      if (!exists) /* the change set made a REVIEW_IN_PROGRESS stack */
        cfn_delete_stack(ss->client, run->name, &err);
    } else {
      run->result = exists ? "updated" : "created";
      status = execute(ss, o, id, run, json_object_size(json_object_get(template, "Resources")));
    }
  }
  free(id), free(body), free(url), json_decref(template);
  return status;
}

/* ---- outputs ---- */

static void print_runs(const DeployOptions *o, StackRun *runs, size_t n) {
  if (o->json) {
    json_t *stacks = json_array();
    for (size_t i = 0; i < n; i++)
      json_array_append_new(stacks, json_pack("{s:s, s:s, s:O}", "name", runs[i].name,
                                               "result", runs[i].result ? runs[i].result : "",
                                               "outputs", runs[i].outputs));
    json_t *all = json_pack("{s:i, s:o}", "version", 1, "stacks", stacks);
    json_dumpf(all, stdout, JSON_INDENT(2) | JSON_SORT_KEYS); /* main's jansson allocates */
    printf("\n");                                             /* from an arena: no free() */
    json_decref(all);
    return;
  }
  for (size_t i = 0; i < n; i++) {
    if (!json_object_size(runs[i].outputs))
      continue;
    printf("\noutputs of %s:\n", runs[i].name);
    const char *key;
    json_t *v;
    json_object_foreach(runs[i].outputs, key, v) printf("  %-28s %s\n", key, json_string_value(v));
  }
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
    json_decref(runs[i].outputs);
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
    fprintf(stderr, "lakec: error: assets bucket %s: %s\n", bucket,
            exists < 0 ? why : "does not exist; create it with 'lakec bootstrap' or name one with "
                               "--assets-bucket");
    status = DEPLOY_CANNOT;
  }
  if (!status)
    status = upload_assets(&ss, s, bucket, o->json);
  size_t n;
  StackRun *runs = new_runs(s, &n);
  json_t *stacks = json_object_get(s->manifest, "stacks");
  for (size_t i = 0; !status && i < n; i++)
    status = deploy_one(ctx, &ss, o, s, json_array_get(stacks, i), bucket, &runs[i]);
  if (!status) {
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
    }
  }
  if (!status && !o->json) {
    for (size_t i = 0; i < n; i++)
      if (!json_object_size(runs[i].outputs))
        printf("%s: no outputs\n", runs[i].name);
  }
  if (!status)
    print_runs(o, runs, n);
  free_runs(runs, n);
  session_close(&ss);
  return status;
}

/* ---- destroy ---- */

static const char *physical_id(Session *ss, const char *stack, const char *logical) {
  static char id[300];
  const char *params[] = {"StackName", stack, "LogicalResourceId", logical, NULL};
  QueryResult r;
  id[0] = '\0';
  if (aws_query(ss->client, "cloudformation", "2010-05-15", "DescribeStackResources", params, &r))
    snprintf(id, sizeof id, "%s",
             xml_text(r.root, "DescribeStackResourcesResult/StackResources/member/PhysicalResourceId"));
  query_result_release(&r);
  return id;
}

static bool retained(json_t *resource) { return !strcmp(str(resource, "DeletionPolicy"), "Retain"); }

/* Empties the stack's buckets that are not retained; lists the retained. */
static int empty_buckets(Session *ss, const DeployOptions *o, const char *stack, json_t *template) {
  const char *logical;
  json_t *r;
  json_object_foreach(json_object_get(template, "Resources"), logical, r) {
    if (strcmp(str(r, "Type"), "AWS::S3::Bucket") || retained(r) || !o->empty_buckets)
      continue;
    const char *bucket = physical_id(ss, stack, logical);
    size_t deleted;
    char why[1200];
    if (*bucket && !assets_empty_bucket(ss->client, bucket, &deleted, why, sizeof why)) {
      fprintf(stderr, "lakec: error: emptying bucket %s: %s\n", bucket, why);
      return DEPLOY_FAILED;
    }
    if (*bucket && !o->json)
      printf("stack %s: bucket %s emptied (%zu object versions)\n", stack, bucket, deleted);
  }
  return 0;
}

static void list_retained(const DeployOptions *o, const char *stack, json_t *template) {
  const char *logical;
  json_t *r;
  json_object_foreach(json_object_get(template, "Resources"), logical, r) if (retained(r) && !o->json)
      printf("stack %s: %s (%s) is retained: left behind\n", stack, logical, str(r, "Type"));
}

static int destroy_one(Session *ss, const DeployOptions *o, const StageFolder *s, json_t *stack) {
  const char *name = str(stack, "name");
  QueryResult err;
  StackInfo info;
  if (!cfn_describe_stack(ss->client, name, &info, &err))
    return report(&err, name);
  json_decref(info.outputs);
  if (gone(info.status)) {
    if (!o->json)
      printf("stack %s: not deployed\n", name);
    return 0;
  }
  char *path = stack_template_path(s, stack);
  json_t *template = json_load_file(path, 0, NULL);
  free(path);
  int status = empty_buckets(ss, o, name, template);
  if (!status && !o->json)
    printf("stack %s: deleting\n", name);
  if (!status)
    status = delete_and_wait(ss, name, o->json);
  if (!status) {
    list_retained(o, name, template);
    if (!o->json)
      printf("stack %s: deleted\n", name);
  }
  json_decref(template);
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
  json_t *stacks = json_object_get(s->manifest, "stacks");
  char question[300];
  snprintf(question, sizeof question, "delete the %zu stack(s) of stage %s%s?",
           json_array_size(stacks), str(s->manifest, "stage"),
           o->empty_buckets ? " and every object in its buckets" : "");
  int status = confirmed(o, question) ? 0 : DEPLOY_CANNOT;
  if (status)
    fprintf(stderr, "lakec: nothing destroyed%s\n",
            deploy_can_ask() ? "" : ": no terminal to ask; pass --yes");
  for (size_t i = json_array_size(stacks); !status && i-- > 0;) /* reverse deploy order */
    status = destroy_one(&ss, o, s, json_array_get(stacks, i));
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
      *status = report(&err, str(stack, "name"));
      json_decref(out);
      out = NULL;
      break;
    }
    json_decref(info.outputs);
    json_t *t = body ? json_loads(body, 0, NULL) : NULL;
    json_array_append_new(out, t ? t : json_null());
    free(body);
  }
  session_close(&ss);
  return out;
}
