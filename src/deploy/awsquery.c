#include "awsquery.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *query_encode(const char *s) { return aws_uri_encode(s, false); }

static char *form_body(const char *action, const char *version, const char *const *params) {
  Buffer b = {0};
  char head[256];
  snprintf(head, sizeof head, "Action=%s&Version=%s", action, version);
  buffer_append(&b, head, strlen(head));
  for (const char *const *p = params; p && p[0]; p += 2) {
    char *name = query_encode(p[0]), *value = query_encode(p[1] ? p[1] : "");
    buffer_append(&b, "&", 1);
    buffer_append(&b, name, strlen(name));
    buffer_append(&b, "=", 1);
    buffer_append(&b, value, strlen(value));
    free(name);
    free(value);
  }
  return b.data;
}

bool aws_query(AwsClient *c, const char *service, const char *version, const char *action,
               const char *const *params, QueryResult *out) {
  memset(out, 0, sizeof *out);
  char *body = form_body(action, version, params);
  AwsRequest req = {.service = service, .method = "POST", .path = "/", .body = body,
                    .body_len = strlen(body),
                    .content_type = "application/x-www-form-urlencoded; charset=utf-8"};
  AwsResponse resp;
  aws_call(c, &req, &resp);
  free(body);
  out->status = resp.status;
  out->retry_after_s = resp.retry_after_s;
  if (!resp.status) {
    snprintf(out->message, sizeof out->message, "%s: %s", aws_endpoint(c, service),
             resp.error[0] ? resp.error : "no answer");
  } else {
    out->root = xml_parse(resp.body, resp.len);
    const XmlNode *error = xml_find(out->root, "Error");
    if (error) {
      snprintf(out->code, sizeof out->code, "%s", xml_text(error, "Code"));
      snprintf(out->message, sizeof out->message, "%s", xml_text(error, "Message"));
    } else if (resp.status / 100 != 2) {
      snprintf(out->code, sizeof out->code, "HTTP %ld", resp.status);
      snprintf(out->message, sizeof out->message, "%.200s", resp.body ? resp.body : "");
    }
    if (resp.status / 100 != 2) { /* an error keeps only its code and message */
      xml_free(out->root);
      out->root = NULL;
    }
  }
  aws_response_release(&resp);
  return out->status / 100 == 2;
}

bool query_is_transient(const QueryResult *r) {
  if (r->status == 429 || r->status >= 500)
    return true;
  return r->status / 100 == 4 &&
         (strstr(r->code, "Throttl") || strstr(r->code, "TooManyRequests") ||
          strstr(r->code, "RequestLimitExceeded"));
}

void query_result_release(QueryResult *r) {
  xml_free(r->root);
  r->root = NULL;
}

bool query_is_fatal(const QueryResult *r) {
  static const char *const fatal[] = {"InvalidClientTokenId", "SignatureDoesNotMatch",
                                      "ExpiredToken", "UnrecognizedClientException",
                                      "InvalidAccessKeyId", "AccessDenied", "AuthFailure",
                                      "IncompleteSignature", "MissingAuthenticationToken", NULL};
  if (r->status == 0 || r->status == 401 || r->status == 403)
    return true;
  for (const char *const *f = fatal; *f; f++)
    if (!strcmp(r->code, *f))
      return true;
  return false;
}

const char *query_error(const QueryResult *r) {
  static char text[1200];
  if (!r->status)
    snprintf(text, sizeof text, "cannot reach %s", r->message);
  else
    snprintf(text, sizeof text, "%s: %s", r->code[0] ? r->code : "error", r->message);
  return text;
}
