/* runtime: the Runtime API is plain HTTP on a local address; one curl handle
 * serves the loop. An event that is not JSON, or a handler failure, becomes an
 * error response for that invocation, never a crash of the process. */
#include "runtime.h"
#include "utf8.h"

#include <curl/curl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_EVENT_BYTES (6u << 20) /* Lambda's own limit on a synchronous payload */

json_t *handler_fail(HandlerError *err, const char *type, const char *fmt, ...) {
  snprintf(err->type, sizeof err->type, "%s", type);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->message, sizeof err->message, fmt, ap);
  va_end(ap);
  /* a key cut by "%.200s" or by the buffer's size may end mid-character: the
   * error document would not be JSON, and its post would crash the runtime */
  utf8_scrub(err->message);
  return NULL;
}

char *handler_vstrf(const char *fmt, va_list ap) {
  va_list again;
  va_copy(again, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
  if (!s)
    abort();
  vsnprintf(s, (size_t)n + 1, fmt, again);
  va_end(again);
  return s;
}

char *handler_strf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *s = handler_vstrf(fmt, ap);
  va_end(ap);
  return s;
}

typedef struct Received {
  Buffer body;
  bool too_big;
  char request_id[128];
  long long deadline_ms;
} Received;

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata) {
  Received *r = userdata;
  size_t n = size * nmemb;
  if (r->body.len + n > MAX_EVENT_BYTES) {
    r->too_big = true;
    return n; /* keep reading, drop the bytes */
  }
  return buffer_append(&r->body, ptr, n) ? n : 0;
}

/* Copies a header's value, trimmed, when the line is "Name: value". */
static bool header_value(const char *line, size_t n, const char *name, char *out, size_t size) {
  size_t k = strlen(name);
  if (n <= k + 1 || strncasecmp(line, name, k) != 0 || line[k] != ':')
    return false;
  const char *v = line + k + 1;
  size_t len = n - k - 1;
  while (len && (*v == ' ' || *v == '\t'))
    v++, len--;
  while (len && (v[len - 1] == '\r' || v[len - 1] == '\n' || v[len - 1] == ' '))
    len--;
  snprintf(out, size, "%.*s", (int)len, v);
  return true;
}

static size_t on_header(char *line, size_t size, size_t nmemb, void *userdata) {
  Received *r = userdata;
  size_t n = size * nmemb;
  char value[256];
  if (header_value(line, n, "Lambda-Runtime-Aws-Request-Id", r->request_id, sizeof r->request_id))
    return n;
  if (header_value(line, n, "Lambda-Runtime-Deadline-Ms", value, sizeof value))
    r->deadline_ms = atoll(value);
  else if (header_value(line, n, "Lambda-Runtime-Trace-Id", value, sizeof value))
    setenv("_X_AMZN_TRACE_ID", value, 1);
  return n;
}

static bool post(CURL *k, const char *url, const char *body, const char *error_type) {
  curl_easy_reset(k);
  struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
  char line[128];
  if (error_type) {
    snprintf(line, sizeof line, "Lambda-Runtime-Function-Error-Type: %s", error_type);
    h = curl_slist_append(h, line);
  }
  curl_easy_setopt(k, CURLOPT_URL, url);
  curl_easy_setopt(k, CURLOPT_HTTPHEADER, h);
  curl_easy_setopt(k, CURLOPT_POSTFIELDS, body);
  curl_easy_setopt(k, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
  CURLcode rc = curl_easy_perform(k);
  long status = 0;
  curl_easy_getinfo(k, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(h);
  return rc == CURLE_OK && status / 100 == 2;
}

char *handler_error_body(const HandlerError *err) {
  json_t *o = json_pack("{s:s, s:s}", "errorMessage", err->message, "errorType", err->type);
  char *s = json_dumps(o, JSON_COMPACT);
  json_decref(o);
  return s;
}

/* Runs the handler on raw event bytes; returns the body to post and sets *failed. */
static char *invoke(AwsClient *aws, HandlerFn handler, const Received *r, const char **failed,
                    HandlerError *err) {
  memset(err, 0, sizeof *err);
  json_t *response = NULL;
  if (r->too_big) {
    handler_fail(err, "InvalidEvent", "event is larger than %u bytes", MAX_EVENT_BYTES);
  } else {
    json_error_t jerr;
    json_t *event = json_loadb(r->body.data ? r->body.data : "", r->body.len, 0, &jerr);
    if (!event) {
      handler_fail(err, "InvalidEvent", "event is not JSON: %s", jerr.text);
    } else {
      Invocation inv = {r->request_id, r->deadline_ms, event};
      aws_client_set_deadline(aws, r->deadline_ms);
      response = handler(aws, &inv, err);
      json_decref(event);
    }
  }
  if (!response) {
    *failed = err->type[0] ? err->type : "HandlerError";
    return handler_error_body(err);
  }
  *failed = NULL;
  char *body = json_dumps(response, JSON_COMPACT | JSON_ENCODE_ANY);
  json_decref(response);
  return body;
}

static int run_loop(const char *api, AwsClient *aws, HandlerFn handler) {
  CURL *k = curl_easy_init();
  char url[512];
  for (;;) {
    Received r = {0};
    curl_easy_reset(k);
    snprintf(url, sizeof url, "http://%s/2018-06-01/runtime/invocation/next", api);
    curl_easy_setopt(k, CURLOPT_URL, url);
    curl_easy_setopt(k, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(k, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(k, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(k, CURLOPT_HEADERDATA, &r);
    CURLcode rc = curl_easy_perform(k);
    long status = 0;
    curl_easy_getinfo(k, CURLINFO_RESPONSE_CODE, &status);
    if (rc != CURLE_OK || status != 200 || !r.request_id[0]) {
      fprintf(stderr, "runtime: cannot get the next invocation (%s, HTTP %ld)\n",
              curl_easy_strerror(rc), status);
      free(r.body.data);
      curl_easy_cleanup(k);
      return 1; /* Lambda restarts the environment */
    }
    HandlerError err;
    const char *failed;
    char *body = invoke(aws, handler, &r, &failed, &err);
    snprintf(url, sizeof url, "http://%s/2018-06-01/runtime/invocation/%s/%s", api, r.request_id,
             failed ? "error" : "response");
    if (failed)
      fprintf(stderr, "%s: %s\n", err.type, err.message);
    if (!post(k, url, body, failed))
      fprintf(stderr, "runtime: could not deliver the result of %s\n", r.request_id);
    free(body);
    free(r.body.data);
  }
}

static void init_error(const char *api, const char *message) {
  fprintf(stderr, "init error: %s\n", message);
  if (!api)
    return;
  char url[512];
  snprintf(url, sizeof url, "http://%s/2018-06-01/runtime/init/error", api);
  HandlerError err;
  handler_fail(&err, "InitError", "%s", message);
  char *body = handler_error_body(&err);
  CURL *k = curl_easy_init();
  post(k, url, body, "Runtime.InitError");
  curl_easy_cleanup(k);
  free(body);
}

static int run_local(const char *path, AwsClient *aws, HandlerFn handler) {
  FILE *fp = fopen(path, "rb");
  if (!fp) {
    fprintf(stderr, "cannot read '%s'\n", path);
    return 2;
  }
  Received r = {0};
  snprintf(r.request_id, sizeof r.request_id, "local");
  char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
    on_body(chunk, 1, n, &r);
  fclose(fp);
  HandlerError err;
  const char *failed;
  char *body = invoke(aws, handler, &r, &failed, &err);
  puts(body);
  free(body);
  free(r.body.data);
  return failed ? 1 : 0;
}

int runtime_main(int argc, char **argv, const char *name, HandlerFn handler) {
  const char *event = NULL;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--event") && i + 1 < argc) {
      event = argv[++i];
    } else if (!strcmp(argv[i], "--help")) {
      printf("usage: %s [--event FILE]\n  with AWS_LAMBDA_RUNTIME_API set: serve invocations\n"
             "  --event FILE: run once on a JSON event and print the response\n",
             name);
      return 0;
    } else {
      fprintf(stderr, "usage: %s [--event FILE]\n", name);
      return 2;
    }
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  const char *api = getenv("AWS_LAMBDA_RUNTIME_API");
  char why[256];
  AwsClient *aws = aws_client_new(why, sizeof why);
  int status;
  if (!aws) {
    init_error(event ? NULL : api, why);
    status = 2;
  } else if (event) {
    status = run_local(event, aws, handler);
  } else if (!api) {
    fprintf(stderr, "%s: AWS_LAMBDA_RUNTIME_API is not set (use --event FILE to run once)\n", name);
    status = 2;
  } else {
    status = run_loop(api, aws, handler);
  }
  aws_client_free(aws);
  curl_global_cleanup();
  return status;
}
