/* awsquery: AWS's Query protocol (CloudFormation, STS) over the handlers'
 * SigV4 client: a form-encoded POST of Action, Version and the parameters,
 * an XML answer parsed into a tree. Throttling and 5xx answers are retried
 * with backoff by the client. */
#ifndef LAKEC_DEPLOY_AWSQUERY_H
#define LAKEC_DEPLOY_AWSQUERY_H

#include "aws.h"
#include "xmltree.h"

#include <stdbool.h>

typedef struct QueryResult {
  long status;      /* HTTP status; 0: no answer (the endpoint is unreachable) */
  XmlNode *root;    /* a 2xx answer's document (query_result_release), else NULL */
  char code[128];   /* an error's code ("ValidationError"), or "" */
  char message[1024]; /* an error's message, or the transport problem */
  long retry_after_s; /* the answer's Retry-After, or -1 */
} QueryResult;

/* params: name, value, name, value, ..., NULL. true on a 2xx answer. */
bool aws_query(AwsClient *c, const char *service, const char *version, const char *action,
               const char *const *params, QueryResult *out);
void query_result_release(QueryResult *r);

/* An answer that says the credentials are wrong or not allowed (or no answer
 * at all): nothing lakec can do about it but say so (exit 2). */
bool query_is_fatal(const QueryResult *r);
/* Throttled, or a 5xx: the client's own retries ran out, but a poll can
 * wait longer and ask again. */
bool query_is_transient(const QueryResult *r);
/* "Code: message" or the transport problem, for messages. */
const char *query_error(const QueryResult *r);

/* Form encoding of a value (RFC 3986, as SigV4 signs it). malloc'd. */
char *query_encode(const char *s);

#endif
