/* generate: the ACME telemetry generator (seed 004). Its schedule (an
 * EventBridge rule, every 5 minutes) runs it; it makes BATCH_SIZE telemetry
 * events (default 100, 1 to 100000) with the lake's vocabulary
 * (telemetry.h) and hands them to the producer function with asynchronous
 * Lambda Invokes (POST /2015-03-31/functions/<name>/invocations,
 * X-Amz-Invocation-Type: Event), as payloads {"records": [...]} each within
 * Lambda's limit (generate_batch, GENERATE_PAYLOAD_BYTES).
 * - The batch follows from the scheduled time alone (the event's "time",
 *   generate_read_event): a schedule delivered twice sends the same
 *   records, event_ids included, so that a consumer can drop the repeats.
 *   The events' timestamps fall in the 5 minutes before that time.
 * - An Invoke that is not accepted (202) after the client's retries fails
 *   the invocation: Lambda's retry of the scheduled invocation sends the
 *   whole batch again (the same records).
 * The producer is the function's one LAKEC_FUNCTION_<KEY> (its `invoke`
 * grant): a function name or ARN. The answer is {"events": N,
 * "invocations": K}. */
#include "parse.h"
#include "runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_BATCH 100
#define MAX_FUNCTION_NAME 256 /* an ARN's most (Invoke's FunctionName) */

extern char **environ;

/* BATCH_SIZE: unset or empty for the default, else digits only. */
static bool read_batch_size(long long *out, HandlerError *err) {
  const char *text = getenv("BATCH_SIZE");
  size_t n = text ? strlen(text) : 0;
  *out = DEFAULT_BATCH;
  if (!n)
    return true;
  if (n <= 6 && strspn(text, "0123456789") == n) {
    *out = strtoll(text, NULL, 10);
    if (*out >= 1 && *out <= GENERATE_MAX_EVENTS)
      return true;
  }
  handler_fail(err, "Configuration",
               "BATCH_SIZE must be a whole number of events from 1 to %d (got '%.40s')",
               GENERATE_MAX_EVENTS, text);
  return false;
}

/* A function name, or its ARN (with a version or alias), as Invoke takes it. */
static bool function_name_ok(const char *name) {
  size_t n = strlen(name);
  return n >= 1 && n <= MAX_FUNCTION_NAME &&
         strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:$") == n;
}

/* The path of the producer's Invoke (malloc'd), or NULL with err filled. */
static char *invoke_path(HandlerError *err) {
  char why[300];
  const char *name = env_sole(environ, "LAKEC_FUNCTION_", "", why, sizeof why);
  if (!name) {
    handler_fail(err, "Configuration", "the function to invoke: %s", why);
    return NULL;
  }
  if (!function_name_ok(name)) {
    handler_fail(err, "Configuration",
                 "the function to invoke: '%.300s' is not a function name or ARN", name);
    return NULL;
  }
  char *encoded = aws_uri_encode(name, false);
  char *path = handler_strf("/2015-03-31/functions/%s/invocations", encoded);
  free(encoded);
  return path;
}

/* One asynchronous Invoke: Lambda accepts the event with 202. */
static bool invoke_async(AwsClient *aws, const char *path, const char *payload, char *why,
                         size_t size) {
  static const char *const headers[] = {"X-Amz-Invocation-Type: Event", NULL};
  char endpoint[512];
  /* Signed by aws.c itself: a path with an ARN's colons is encoded twice in
   * the signature, as SigV4 wants it for Lambda. */
  snprintf(endpoint, sizeof endpoint, "%s", aws_endpoint(aws, "lambda"));
  AwsRequest req = {.service = "lambda", .endpoint = endpoint, .method = "POST", .path = path,
                    .content_type = "application/json", .headers = headers, .body = payload,
                    .body_len = strlen(payload)};
  AwsResponse resp;
  aws_call(aws, &req, &resp);
  bool accepted = resp.status == 202;
  if (!resp.status)
    snprintf(why, size, "%s", resp.error);
  else if (!accepted)
    snprintf(why, size, "HTTP %ld %.300s", resp.status, resp.body);
  aws_response_release(&resp);
  return accepted;
}

static json_t *send_batch(AwsClient *aws, const char *path, const GenerateBatch *batch,
                          long long events, HandlerError *err) {
  for (size_t i = 0; i < batch->count; i++) {
    char why[400];
    if (!invoke_async(aws, path, batch->payloads[i], why, sizeof why))
      return handler_fail(err, "LambdaError", "Invoke %s (payload %zu of %zu): %s", path, i + 1,
                          batch->count, why);
  }
  return json_pack("{s:I, s:I}", "events", (json_int_t)events, "invocations",
                   (json_int_t)batch->count);
}

static json_t *handle(AwsClient *aws, const Invocation *inv, HandlerError *err) {
  time_t when;
  long long events;
  char why[300];
  if (!generate_read_event(inv->event, time(NULL), &when, why, sizeof why))
    return handler_fail(err, "InvalidEvent", "%s", why);
  if (!read_batch_size(&events, err))
    return NULL;
  char *path = invoke_path(err);
  if (!path)
    return NULL;
  GenerateBatch batch;
  generate_batch(when, events, GENERATE_PAYLOAD_BYTES, &batch);
  json_t *result = send_batch(aws, path, &batch, events, err);
  generate_batch_release(&batch);
  free(path);
  return result;
}

int main(int argc, char **argv) { return runtime_main(argc, argv, "generate", handle); }
