#include "cfn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CFN_VERSION "2010-05-15"

static bool call(AwsClient *c, const char *action, const char *const *params, QueryResult *r) {
  return aws_query(c, "cloudformation", CFN_VERSION, action, params, r);
}

static void sleep_ms(long ms) {
  struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&t, NULL);
}

bool cfn_in_progress(const char *status) { return strstr(status, "_IN_PROGRESS") != NULL; }

static bool no_such_stack(const QueryResult *r) {
  return !strcmp(r->code, "ValidationError") && strstr(r->message, "does not exist");
}

bool cfn_describe_stack(AwsClient *c, const char *stack, StackInfo *out, QueryResult *err) {
  memset(out, 0, sizeof *out);
  out->outputs = json_object();
  const char *params[] = {"StackName", stack, NULL};
  if (!call(c, "DescribeStacks", params, err)) {
    bool missing = no_such_stack(err);
    query_result_release(err);
    return missing; /* status "": no stack */
  }
  const XmlNode *s = xml_at(err->root, "DescribeStacksResult/Stacks/member");
  snprintf(out->status, sizeof out->status, "%s", xml_text(s, "StackStatus"));
  snprintf(out->reason, sizeof out->reason, "%s", xml_text(s, "StackStatusReason"));
  const XmlNode *outputs = xml_at(s, "Outputs");
  for (size_t i = 0; outputs && i < outputs->len; i++)
    json_object_set_new(out->outputs, xml_text(outputs->children[i], "OutputKey"),
                        json_string(xml_text(outputs->children[i], "OutputValue")));
  query_result_release(err);
  return true;
}

/* Parameters.member.N.ParameterKey/Value and the capabilities, after the fixed ones. */
static const char **change_set_params(const ChangeSetRequest *r, char ***owned) {
  size_t n = 0;
  for (const char *const *p = r->parameters; p && *p; p += 2)
    n++;
  const char **params = calloc(2 * (n * 2 + 12), sizeof *params);
  char **names = calloc(n * 2 + 1, sizeof *names);
  if (!params || !names)
    abort();
  size_t k = 0;
  const char *fixed[] = {"StackName", r->stack, "ChangeSetName", r->name, "ChangeSetType", r->type,
                         "Capabilities.member.1", "CAPABILITY_IAM", "Capabilities.member.2",
                         "CAPABILITY_NAMED_IAM",
                         r->template_url ? "TemplateURL" : "TemplateBody",
                         r->template_url ? r->template_url : r->template_body,
                         "ClientToken", r->client_token};
  for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
    params[k++] = fixed[i];
  for (size_t i = 0; i < n; i++) {
    char name[64];
    snprintf(name, sizeof name, "Parameters.member.%zu.ParameterKey", i + 1);
    names[2 * i] = strdup(name);
    snprintf(name, sizeof name, "Parameters.member.%zu.ParameterValue", i + 1);
    names[2 * i + 1] = strdup(name);
    params[k++] = names[2 * i];
    params[k++] = r->parameters[2 * i];
    params[k++] = names[2 * i + 1];
    params[k++] = r->parameters[2 * i + 1];
  }
  *owned = names;
  return params;
}

/* CloudFormation takes seconds to minutes to make a change set; a set not
 * ready after this long is reported, not waited for forever. */
#define CHANGE_SET_WAIT_LIMIT_S 1800

static bool wait_change_set(AwsClient *c, const char *id, bool *empty, QueryResult *err) {
  const char *params[] = {"ChangeSetName", id, NULL};
  time_t until = time(NULL) + CHANGE_SET_WAIT_LIMIT_S;
  for (long delay = 200;; delay = cfn_next_delay(delay, err)) {
    if (!call(c, "DescribeChangeSet", params, err) && !query_is_transient(err))
      return false;
    const XmlNode *r = xml_at(err->root, "DescribeChangeSetResult");
    const char *status = xml_text(r, "Status");
    if (!strcmp(status, "CREATE_COMPLETE")) {
      query_result_release(err);
      return true;
    }
    if (!strcmp(status, "FAILED")) {
      const char *reason = xml_text(r, "StatusReason");
      *empty = strstr(reason, "didn't contain changes") || strstr(reason, "No updates");
      snprintf(err->code, sizeof err->code, "ChangeSetFailed");
      snprintf(err->message, sizeof err->message, "%s", reason);
      query_result_release(err);
      return *empty;
    }
    query_result_release(err);
    if (time(NULL) > until) {
      snprintf(err->code, sizeof err->code, "Timeout");
      snprintf(err->message, sizeof err->message,
               "the change set is not ready after %d minutes; lakec stopped waiting",
               CHANGE_SET_WAIT_LIMIT_S / 60);
      return false;
    }
    sleep_ms(delay);
  }
}

long cfn_next_delay(long delay, const QueryResult *last) {
  if (query_is_transient(last)) { /* throttled: back off further, up to 20 s */
    long wait = last->retry_after_s > 0 ? last->retry_after_s * 1000 : delay * 2;
    return wait < 20000 ? wait : 20000;
  }
  return delay * 2 < 5000 ? delay * 2 : 5000;
}

bool cfn_create_change_set(AwsClient *c, const ChangeSetRequest *r, char **id, bool *empty,
                           QueryResult *err) {
  *id = NULL;
  *empty = false;
  char **owned;
  const char **params = change_set_params(r, &owned);
  bool ok = call(c, "CreateChangeSet", params, err);
  for (size_t i = 0; owned[i]; i++)
    free(owned[i]);
  free(owned);
  free(params);
  if (!ok)
    return false;
  *id = strdup(xml_text(err->root, "CreateChangeSetResult/Id"));
  query_result_release(err);
  return wait_change_set(c, *id, empty, err);
}

/* "Properties, Tags" from a Scope list. */
static json_t *joined(const XmlNode *list) {
  char text[256] = "";
  for (size_t i = 0; list && i < list->len; i++) {
    size_t n = strlen(text);
    snprintf(text + n, sizeof text - n, "%s%s", n ? ", " : "", list->children[i]->text);
  }
  return json_string(text);
}

static json_t *change_details(const XmlNode *details) {
  json_t *out = json_array();
  for (size_t i = 0; details && i < details->len; i++) {
    const XmlNode *d = details->children[i];
    json_array_append_new(
        out, json_pack("{s:s, s:s, s:s, s:s, s:s}", "attribute", xml_text(d, "Target/Attribute"),
                       "name", xml_text(d, "Target/Name"), "recreation",
                       xml_text(d, "Target/RequiresRecreation"), "evaluation",
                       xml_text(d, "Evaluation"), "source", xml_text(d, "ChangeSource")));
  }
  return out;
}

/* One page's changes and parameters added to out. */
static void read_change_page(const XmlNode *result, json_t *out) {
  const XmlNode *changes = xml_at(result, "Changes");
  for (size_t i = 0; changes && i < changes->len; i++) {
    const XmlNode *rc = xml_at(changes->children[i], "ResourceChange");
    json_array_append_new(
        json_object_get(out, "changes"),
        json_pack("{s:s, s:s, s:s, s:s, s:o, s:o}", "action", xml_text(rc, "Action"), "id",
                  xml_text(rc, "LogicalResourceId"), "type", xml_text(rc, "ResourceType"),
                  "replacement", xml_text(rc, "Replacement"), "scope", joined(xml_at(rc, "Scope")),
                  "details", change_details(xml_at(rc, "Details"))));
  }
  const XmlNode *params = xml_at(result, "Parameters");
  for (size_t i = 0; params && i < params->len; i++)
    json_object_set_new(json_object_get(out, "parameters"),
                        xml_text(params->children[i], "ParameterKey"),
                        json_string(xml_text(params->children[i], "ParameterValue")));
}

json_t *cfn_change_set_changes(AwsClient *c, const char *id, QueryResult *err) {
  json_t *out = json_pack("{s:[], s:{}}", "changes", "parameters");
  char *token = NULL;
  do { /* a large change set comes in pages */
    const char *params[] = {"ChangeSetName", id, token ? "NextToken" : NULL, token, NULL};
    bool ok = call(c, "DescribeChangeSet", params, err);
    free(token);
    token = NULL;
    if (!ok) {
      json_decref(out);
      return NULL;
    }
    const XmlNode *result = xml_at(err->root, "DescribeChangeSetResult");
    read_change_page(result, out);
    if (*xml_text(result, "NextToken"))
      token = strdup(xml_text(result, "NextToken"));
    query_result_release(err);
  } while (token);
  return out;
}

json_t *cfn_stack_parameters(AwsClient *c, const char *stack, QueryResult *err) {
  const char *params[] = {"StackName", stack, NULL};
  if (!call(c, "DescribeStacks", params, err))
    return NULL;
  json_t *out = json_object();
  const XmlNode *list = xml_at(err->root, "DescribeStacksResult/Stacks/member/Parameters");
  for (size_t i = 0; list && i < list->len; i++)
    json_object_set_new(out, xml_text(list->children[i], "ParameterKey"),
                        json_string(xml_text(list->children[i], "ParameterValue")));
  query_result_release(err);
  return out;
}

/* {logical: physical} of the stack's resources, of one type or (type NULL) all. */
static json_t *physical_ids(AwsClient *c, const char *stack, const char *type, QueryResult *err) {
  json_t *out = json_object();
  char *token = NULL;
  do { /* ListStackResources pages (DescribeStackResources stops at 100) */
    const char *params[] = {"StackName", stack, token ? "NextToken" : NULL, token, NULL};
    bool ok = call(c, "ListStackResources", params, err);
    free(token);
    token = NULL;
    if (!ok) {
      json_decref(out);
      return NULL;
    }
    const XmlNode *result = xml_at(err->root, "ListStackResourcesResult");
    const XmlNode *list = xml_at(result, "StackResourceSummaries");
    for (size_t i = 0; list && i < list->len; i++)
      if (!type || !strcmp(xml_text(list->children[i], "ResourceType"), type))
        json_object_set_new(out, xml_text(list->children[i], "LogicalResourceId"),
                            json_string(xml_text(list->children[i], "PhysicalResourceId")));
    if (*xml_text(result, "NextToken"))
      token = strdup(xml_text(result, "NextToken"));
    query_result_release(err);
  } while (token);
  return out;
}

json_t *cfn_physical_ids(AwsClient *c, const char *stack, QueryResult *err) {
  return physical_ids(c, stack, NULL, err);
}

json_t *cfn_physical_ids_of_type(AwsClient *c, const char *stack, const char *type,
                                 QueryResult *err) {
  return physical_ids(c, stack, type, err);
}

static bool simple(AwsClient *c, const char *action, const char *name, const char *value,
                   QueryResult *err) {
  const char *params[] = {name, value, NULL};
  bool ok = call(c, action, params, err);
  query_result_release(err);
  return ok;
}

bool cfn_execute_change_set(AwsClient *c, const char *id, const char *token, QueryResult *err) {
  const char *params[] = {"ChangeSetName", id, "ClientRequestToken", token, NULL};
  bool ok = call(c, "ExecuteChangeSet", params, err);
  query_result_release(err);
  return ok;
}

bool cfn_delete_change_set(AwsClient *c, const char *id, QueryResult *err) {
  return simple(c, "DeleteChangeSet", "ChangeSetName", id, err);
}

bool cfn_delete_stack(AwsClient *c, const char *stack, const char *token, QueryResult *err) {
  const char *params[] = {"StackName", stack, "ClientRequestToken", token, NULL};
  bool ok = call(c, "DeleteStack", params, err);
  query_result_release(err);
  return ok;
}

void cfn_client_token(const char *stack, const char *what, char *out, size_t size) {
  snprintf(out, size, "lakec-%.80s-%s-%ld", stack, what, (long)time(NULL));
}

bool cfn_get_template(AwsClient *c, const char *stack, char **body, QueryResult *err) {
  const char *params[] = {"StackName", stack, NULL};
  *body = NULL;
  if (!call(c, "GetTemplate", params, err))
    return false;
  *body = strdup(xml_text(err->root, "GetTemplateResult/TemplateBody"));
  query_result_release(err);
  return true;
}

/* One page's events appended to out, up to (not including) the event
 * `since`: *found when it was on the page. */
static void read_event_page(const XmlNode *events, const char *since, json_t *out, bool *found) {
  for (size_t i = 0; events && i < events->len && !*found; i++) {
    const XmlNode *e = events->children[i];
    if (since && !strcmp(xml_text(e, "EventId"), since)) {
      *found = true;
      break;
    }
    json_array_append_new(
        out, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", xml_text(e, "EventId"), "logical",
                       xml_text(e, "LogicalResourceId"), "type", xml_text(e, "ResourceType"),
                       "status", xml_text(e, "ResourceStatus"), "reason",
                       xml_text(e, "ResourceStatusReason"), "time", xml_text(e, "Timestamp")));
  }
}

json_t *cfn_stack_events(AwsClient *c, const char *stack, const char *since, QueryResult *err) {
  json_t *out = json_array();
  char *token = NULL;
  bool found = false;
  do { /* newer pages first: read on until `since` (NULL: the first page only) */
    const char *params[] = {"StackName", stack, token ? "NextToken" : NULL, token, NULL};
    bool ok = call(c, "DescribeStackEvents", params, err);
    free(token);
    token = NULL;
    if (!ok) {
      json_decref(out);
      return NULL;
    }
    const XmlNode *result = xml_at(err->root, "DescribeStackEventsResult");
    read_event_page(xml_at(result, "StackEvents"), since, out, &found);
    if (since && !found && *xml_text(result, "NextToken"))
      token = strdup(xml_text(result, "NextToken"));
    query_result_release(err);
  } while (token);
  return out;
}
