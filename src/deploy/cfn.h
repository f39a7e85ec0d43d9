/* cfn: the CloudFormation calls the deploy commands make (Query API, version
 * 2010-05-15), each answer parsed by expat (xmltree). Every function returns
 * false after filling `err` (the call's error, query_is_fatal tells whether
 * it is the credentials or the endpoint). */
#ifndef LAKEC_DEPLOY_CFN_H
#define LAKEC_DEPLOY_CFN_H

#include "awsquery.h"

#include <jansson.h>

/* A stack as DescribeStacks tells it; status "" when there is no such stack. */
typedef struct StackInfo {
  char status[64];
  char reason[1024];
  json_t *outputs; /* {OutputKey: OutputValue}, new reference (empty when none) */
} StackInfo;

bool cfn_describe_stack(AwsClient *c, const char *stack, StackInfo *out, QueryResult *err);

/* Change-set type and template: body, or URL (templates over 51,200 bytes). */
typedef struct ChangeSetRequest {
  const char *stack, *name, *type; /* type "CREATE" or "UPDATE" */
  const char *template_body, *template_url;
  const char *const *parameters; /* key, value, ..., NULL */
  const char *client_token;      /* cfn_client_token: a retried create is the same one */
} ChangeSetRequest;

/* Creates the change set and waits until it is ready; *id is malloc'd.
 * *empty when CloudFormation found nothing to change (the set is then FAILED
 * and should be deleted). */
bool cfn_create_change_set(AwsClient *c, const ChangeSetRequest *r, char **id, bool *empty,
                           QueryResult *err);
/* What DescribeChangeSet says, every page: {"changes": [{"action", "id",
 * "type", "replacement", "scope", "details": [{"attribute", "name",
 * "recreation", "evaluation", "source"}]}], "parameters": {key: value}}. */
json_t *cfn_change_set_changes(AwsClient *c, const char *id, QueryResult *err);
/* The deployed stack's parameters {key: value}. */
json_t *cfn_stack_parameters(AwsClient *c, const char *stack, QueryResult *err);
/* The stack's resources' physical ids {logical: physical}. */
json_t *cfn_physical_ids(AwsClient *c, const char *stack, QueryResult *err);
/* The same for the resources of one type ("AWS::MSK::Cluster") only. */
json_t *cfn_physical_ids_of_type(AwsClient *c, const char *stack, const char *type,
                                 QueryResult *err);
/* token: a ClientRequestToken (cfn_client_token): a call retried after it
 * succeeded is the same call to CloudFormation, not a failure (as the
 * request's client_token for CreateChangeSet). */
bool cfn_execute_change_set(AwsClient *c, const char *id, const char *token, QueryResult *err);
bool cfn_delete_change_set(AwsClient *c, const char *id, QueryResult *err);
bool cfn_delete_stack(AwsClient *c, const char *stack, const char *token, QueryResult *err);
/* "lakec-<stack>-<what>-<time>": one operation's token. */
void cfn_client_token(const char *stack, const char *what, char *out, size_t size);
/* The next poll's pause after `delay` ms: doubling to 5 s, and after a
 * throttled or 5xx answer (last) up to 20 s, or the Retry-After it gave. */
long cfn_next_delay(long delay, const QueryResult *last);
/* The deployed template's text (malloc'd). */
bool cfn_get_template(AwsClient *c, const char *stack, char **body, QueryResult *err);

/* The stack's events, newest first, as {"id","logical","type","status","reason","time"}:
 * with since NULL the newest page; else every event newer than the event
 * since, paging back until it (all of them when it is not found). */
json_t *cfn_stack_events(AwsClient *c, const char *stack, const char *since, QueryResult *err);

/* A status CloudFormation is still working on. */
bool cfn_in_progress(const char *status);

#endif
