/* aws: one curl handle per client, reused across calls (connections stay
 * open between invocations). What libcurl 7.88 does not do for SigV4, this
 * file does: S3's x-amz-content-sha256 header, the session token header,
 * explicit Content-Type, and callers pass paths and queries already encoded
 * and sorted, because curl signs them exactly as given. */
#include "aws.h"

#include <ctype.h>
#include <curl/curl.h>
#include <stdarg.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define MAX_ATTEMPTS 5
#define BASE_DELAY_MS 100
#define MAX_DELAY_MS 5000

struct AwsClient {
  CURL *curl;
  char region[64];
  char userpwd[600];
  char key[128], secret[256]; /* the same credentials, for presigned URLs */
  char token[4096];
  char endpoint[256];       /* AWS_ENDPOINT_URL, or "" */
  char service_endpoint[512];
  long long deadline_ms;
  unsigned seed;
};

static const char *env(const char *name) {
  const char *v = getenv(name);
  return v && *v ? v : NULL;
}

/* This file is shared with the compiler (which has no handler runtime), so
 * it formats its own strings. Aborts when out of memory, as the runtime's. */
static char *strf(const char *fmt, ...) {
  va_list ap, again;
  va_start(ap, fmt);
  va_copy(again, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
  if (!s)
    abort();
  vsnprintf(s, (size_t)n + 1, fmt, again);
  va_end(again);
  return s;
}

AwsClient *aws_client_new(char *why, size_t why_size) {
  const char *region = env("AWS_REGION") ? env("AWS_REGION") : env("AWS_DEFAULT_REGION");
  const char *key = env("AWS_ACCESS_KEY_ID"), *secret = env("AWS_SECRET_ACCESS_KEY");
  if (!region || !key || !secret) {
    snprintf(why, why_size, "AWS_REGION, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set");
    return NULL;
  }
  return aws_client_with(region, key, secret, env("AWS_SESSION_TOKEN"), why, why_size);
}

AwsClient *aws_client_with(const char *region, const char *key, const char *secret,
                           const char *token, char *why, size_t why_size) {
  AwsClient *c = calloc(1, sizeof *c);
  if (!c) {
    snprintf(why, why_size, "out of memory");
    return NULL;
  }
  c->curl = curl_easy_init();
  snprintf(c->region, sizeof c->region, "%s", region);
  snprintf(c->userpwd, sizeof c->userpwd, "%s:%s", key, secret);
  snprintf(c->key, sizeof c->key, "%s", key);
  snprintf(c->secret, sizeof c->secret, "%s", secret);
  if (token && *token)
    snprintf(c->token, sizeof c->token, "%s", token);
  if (env("AWS_ENDPOINT_URL"))
    snprintf(c->endpoint, sizeof c->endpoint, "%s", env("AWS_ENDPOINT_URL"));
  c->seed = (unsigned)time(NULL) ^ (unsigned)getpid();
  return c;
}

void aws_client_free(AwsClient *c) {
  if (!c)
    return;
  curl_easy_cleanup(c->curl);
  free(c);
}

void aws_client_set_deadline(AwsClient *c, long long deadline_ms) { c->deadline_ms = deadline_ms; }

const char *aws_region(const AwsClient *c) { return c->region; }

/* AWS_ENDPOINT_URL_<SERVICE> (uppercase). */
static void service_variable(const char *service, char name[64]) {
  size_t n = (size_t)snprintf(name, 64, "AWS_ENDPOINT_URL_");
  for (const char *p = service; *p && n + 1 < 64; p++)
    name[n++] = (char)toupper((unsigned char)*p);
  name[n] = '\0';
}

const char *aws_endpoint_override(const char *service) {
  char name[64];
  service_variable(service, name);
  return env(name) ? env(name) : env("AWS_ENDPOINT_URL");
}

/* AWS_ENDPOINT_URL_<SERVICE> (uppercase), then AWS_ENDPOINT_URL (as the
 * client read it), then AWS's own. */
const char *aws_endpoint(AwsClient *c, const char *service) {
  char name[64];
  service_variable(service, name);
  const char *url = env(name);
  if (!url && *c->endpoint)
    url = c->endpoint;
  if (url)
    snprintf(c->service_endpoint, sizeof c->service_endpoint, "%s", url);
  else
    snprintf(c->service_endpoint, sizeof c->service_endpoint, "https://%s.%s.amazonaws.com",
             service, c->region);
  size_t len = strlen(c->service_endpoint);
  if (len && c->service_endpoint[len - 1] == '/')
    c->service_endpoint[len - 1] = '\0';
  return c->service_endpoint;
}

char *aws_uri_encode(const char *s, bool keep_slash) {
  size_t n = strlen(s);
  char *out = malloc(n * 3 + 1), *o = out;
  if (!out)
    return NULL;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (isalnum(*p) || *p == '-' || *p == '_' || *p == '.' || *p == '~' || (keep_slash && *p == '/'))
      *o++ = (char)*p;
    else
      o += sprintf(o, "%%%02X", *p);
  }
  *o = '\0';
  return out;
}

static void hex32(const unsigned char digest[32], char out[65]) {
  for (unsigned i = 0; i < 32; i++)
    sprintf(out + 2 * i, "%02x", digest[i]);
  out[64] = '\0';
}

void aws_sha256_hex(const void *data, size_t len, char out[65]) {
  unsigned char digest[32];
  unsigned int n = 0;
  EVP_Digest(data, len, digest, &n, EVP_sha256(), NULL);
  hex32(digest, out);
}

/* ---- presigned URLs (SigV4 query authentication) ---- */

static void hmac_sha256(const void *key, size_t key_len, const char *data, unsigned char out[32]) {
  unsigned int n = 32;
  HMAC(EVP_sha256(), key, (int)key_len, (const unsigned char *)data, strlen(data), out, &n);
}

/* One query parameter, both halves already encoded. */
typedef struct QueryParam {
  char *name, *value;
} QueryParam;

/* The canonical query string sorts by name, then by value (not by the
 * joined "name=value", which would put "a-b" before "a"). */
static int param_order(const void *a, const void *b) {
  const QueryParam *x = a, *y = b;
  int by_name = strcmp(x->name, y->name);
  return by_name ? by_name : strcmp(x->value, y->value);
}

/* Splits the caller's encoded "a=1&b=2" into params[] (malloc'd halves);
 * returns how many were added. */
static size_t split_query(const char *query, QueryParam *params, size_t room) {
  size_t n = 0;
  for (const char *p = query; p && *p && n < room;) {
    size_t len = strcspn(p, "&");
    const char *eq = memchr(p, '=', len);
    size_t name_len = eq ? (size_t)(eq - p) : len;
    params[n].name = strf("%.*s", (int)name_len, p);
    params[n].value = eq ? strf("%.*s", (int)(len - name_len - 1), eq + 1) : strf("%s", "");
    n++;
    p += len + (p[len] == '&');
  }
  return n;
}

static char *join_params(const QueryParam *params, size_t n) {
  Buffer b = {0};
  for (size_t i = 0; i < n; i++) {
    if ((i && !buffer_append(&b, "&", 1)) ||
        !buffer_append(&b, params[i].name, strlen(params[i].name)) || !buffer_append(&b, "=", 1) ||
        !buffer_append(&b, params[i].value, strlen(params[i].value)))
      abort();
  }
  return b.data ? b.data : strf("%s", "");
}

/* The signature of SigV4's string to sign, as lowercase hex (the HMAC
 * chain of the secret over the date, region, service and "aws4_request"). */
static void signature_hex(const AwsClient *c, const char *service, const char *date,
                          const char *to_sign, char out[65]) {
  char *secret = strf("AWS4%s", c->secret);
  unsigned char key[32];
  hmac_sha256(secret, strlen(secret), date, key);
  free(secret);
  const char *chain[] = {c->region, service, "aws4_request", to_sign};
  for (size_t i = 0; i < 4; i++)
    hmac_sha256(key, sizeof key, chain[i], key);
  hex32(key, out);
}

/* The signature of the canonical request. */
static void presign_signature(const AwsClient *c, const char *service, const char *amz_date,
                              const char *scope, const char *canonical, char out[65]) {
  char hash[65], date[9];
  aws_sha256_hex(canonical, strlen(canonical), hash);
  char *to_sign = strf("AWS4-HMAC-SHA256\n%s\n%s\n%s", amz_date, scope, hash);
  snprintf(date, sizeof date, "%.8s", amz_date);
  signature_hex(c, service, date, to_sign, out);
  free(to_sign);
}

/* SigV4's query parameters after the operation's, in the order botocore
 * writes them; returns the new count. */
static size_t add_auth_params(const AwsClient *c, const AwsPresign *p, const char *amz_date,
                              const char *scope, QueryParam *params, size_t n) {
  char *credential = strf("%s/%s", c->key, scope);
  params[n++] = (QueryParam){strf("X-Amz-Algorithm"), strf("AWS4-HMAC-SHA256")};
  params[n++] = (QueryParam){strf("X-Amz-Credential"), aws_uri_encode(credential, false)};
  params[n++] = (QueryParam){strf("X-Amz-Date"), strf("%s", amz_date)};
  params[n++] = (QueryParam){strf("X-Amz-Expires"), strf("%ld", p->expires_s)};
  params[n++] = (QueryParam){strf("X-Amz-SignedHeaders"), strf("host")};
  if (*c->token)
    params[n++] = (QueryParam){strf("X-Amz-Security-Token"), aws_uri_encode(c->token, false)};
  free(credential);
  return n;
}

/* GET, the path, the sorted query, the host (the one header signed), the
 * empty body's hash. */
static char *presign_canonical_request(const AwsPresign *p, QueryParam *params, size_t n) {
  const char *host = strstr(p->base_url, "://") ? strstr(p->base_url, "://") + 3 : p->base_url;
  qsort(params, n, sizeof *params, param_order);
  char *sorted = join_params(params, n);
  /* Outside S3 the canonical path is the sent (encoded) path encoded again. */
  char *path = strcmp(p->service, "s3") ? aws_uri_encode(p->path, true) : strf("%s", p->path);
  char empty_hash[65];
  aws_sha256_hex("", 0, empty_hash);
  char *canonical = strf("GET\n%s\n%s\nhost:%s\n\nhost\n%s", path, sorted, host, empty_hash);
  free(path);
  free(sorted);
  return canonical;
}

char *aws_presign_get(const AwsClient *c, const AwsPresign *p) {
  char amz_date[17], signature[65];
  struct tm tm;
  gmtime_r(&p->when, &tm);
  strftime(amz_date, sizeof amz_date, "%Y%m%dT%H%M%SZ", &tm);
  char *scope = strf("%.8s/%s/%s/aws4_request", amz_date, c->region, p->service);
  QueryParam params[AWS_PRESIGN_MAX_PARAMS + 6];
  size_t first_auth = split_query(p->query, params, AWS_PRESIGN_MAX_PARAMS);
  size_t n = add_auth_params(c, p, amz_date, scope, params, first_auth);
  char *operation = join_params(params, first_auth);
  char *auth = join_params(params + first_auth, n - first_auth);
  char *canonical = presign_canonical_request(p, params, n);
  presign_signature(c, p->service, amz_date, scope, canonical, signature);
  char *url = strf("%s%s?%s%s%s&X-Amz-Signature=%s", p->base_url, p->path, operation,
                   *operation ? "&" : "", auth, signature);
  for (size_t i = 0; i < n; i++) {
    free(params[i].name);
    free(params[i].value);
  }
  free(operation);
  free(auth);
  free(canonical);
  free(scope);
  return url;
}

/* ---- one attempt ---- */

bool buffer_append(Buffer *b, const void *bytes, size_t n) {
  if (b->len + n + 1 > b->cap) {
    size_t cap = (b->len + n + 1) * 2;
    char *grown = realloc(b->data, cap);
    if (!grown)
      return false;
    b->data = grown;
    b->cap = cap;
  }
  memcpy(b->data + b->len, bytes, n);
  b->len += n;
  b->data[b->len] = '\0';
  return true;
}

/* The body, up to the request's cap (then the transfer stops: returning
 * less than given makes curl end it). */
typedef struct Collected {
  Buffer body;
  size_t max, expect;
  bool too_big;
} Collected;

static size_t collect(char *ptr, size_t size, size_t nmemb, void *userdata) {
  Collected *c = userdata;
  size_t n = size * nmemb;
  if (c->max && c->body.len + n > c->max) {
    c->too_big = true;
    return 0;
  }
  /* an answer of known length in one allocation: growing by doubling would
   * hold up to twice an 8 MiB range */
  if (!c->body.data && c->expect >= n) {
    c->body.data = malloc(c->expect + 1);
    c->body.cap = c->body.data ? c->expect + 1 : 0;
  }
  return buffer_append(&c->body, ptr, n) ? n : 0;
}

/* Keeps the ETag header (the version a GET read, to pin a copy to it) and
 * the Content-Length (a HEAD's object size). A status line starts a new
 * answer's headers (a "100 Continue" comes before the real one). */
static size_t on_header(char *ptr, size_t size, size_t nmemb, void *userdata) {
  size_t n = size * nmemb;
  AwsResponse *resp = userdata;
  if (n > 5 && !strncmp(ptr, "HTTP/", 5)) {
    resp->etag[0] = '\0';
    resp->content_length = -1;
    resp->retry_after_s = -1;
  }
  if (n > 12 && !strncasecmp(ptr, "Retry-After:", 12)) { /* seconds; an HTTP date is ignored */
    char line[32], *end;
    snprintf(line, sizeof line, "%.*s", (int)(n - 12 < 31 ? n - 12 : 31), ptr + 12);
    long v = strtol(line, &end, 10);
    if (end != line && v >= 0 && (*end == '\r' || *end == '\n' || *end == ' ' || !*end))
      resp->retry_after_s = v;
  }
  if (n > 15 && !strncasecmp(ptr, "Content-Length:", 15)) {
    char line[32], *end;
    snprintf(line, sizeof line, "%.*s", (int)(n - 15 < 31 ? n - 15 : 31), ptr + 15);
    long long v = strtoll(line, &end, 10);
    if (end != line && v >= 0)
      resp->content_length = v;
  }
  if (n > 5 && !strncasecmp(ptr, "ETag:", 5)) {
    const char *v = ptr + 5;
    size_t len = n - 5;
    while (len && (*v == ' ' || *v == '\t'))
      v++, len--;
    while (len && (v[len - 1] == '\r' || v[len - 1] == '\n' || v[len - 1] == ' '))
      len--;
    if (len < sizeof resp->etag)
      snprintf(resp->etag, sizeof resp->etag, "%.*s", (int)len, v);
  }
  return n;
}

static struct curl_slist *request_headers(const AwsClient *c, const AwsRequest *req) {
  struct curl_slist *h = NULL;
  char line[4200];
  if (req->url) { /* not AWS: only what the caller asks for */
    for (const char *const *p = req->headers; p && *p; p++)
      h = curl_slist_append(h, *p);
    return h;
  }
  const char *type = req->content_type;
  if (!type && req->target)
    type = "application/x-amz-json-1.1";
  /* curl would send form encoding for a body without a type, so always name one;
   * a header removed with "Name:" would still be signed, and the signature fail. */
  snprintf(line, sizeof line, "Content-Type: %s", type ? type : "application/octet-stream");
  h = curl_slist_append(h, line);
  if (req->target) {
    snprintf(line, sizeof line, "X-Amz-Target: %s", req->target);
    h = curl_slist_append(h, line);
  }
  if (!strcmp(req->service, "s3")) {
    char sha[65];
    aws_sha256_hex(req->body ? req->body : "", req->body_len, sha);
    snprintf(line, sizeof line, "x-amz-content-sha256: %s", sha);
    h = curl_slist_append(h, line);
  }
  if (*c->token) {
    snprintf(line, sizeof line, "x-amz-security-token: %s", c->token);
    h = curl_slist_append(h, line);
  }
  if (!req->body_len && strcmp(req->method, "GET") && strcmp(req->method, "HEAD"))
    h = curl_slist_append(h, "Content-Length: 0"); /* S3's CopyObject insists */
  for (const char *const *p = req->headers; p && *p; p++)
    h = curl_slist_append(h, *p);
  return h;
}

/* ---- SigV4 for requests to an explicit endpoint (AwsRequest.endpoint) ---- */

/* The host (with its port) of an absolute URL, and where its path starts. */
static char *url_host(const char *url, const char **path) {
  const char *host = strstr(url, "://");
  host = host ? host + 3 : url;
  size_t n = strcspn(host, "/?#");
  *path = host + n;
  return strf("%.*s", (int)n, host);
}

/* "name:value" lines by name alone (x-amz-date before x-amz-date-x). */
static int by_name(const void *a, const void *b) {
  const char *x = *(char *const *)a, *y = *(char *const *)b;
  size_t n = strcspn(x, ":"), m = strcspn(y, ":");
  int order = strncmp(x, y, n < m ? n : m);
  return order ? order : (n > m) - (n < m);
}

#define MAX_SIGNED 20

/* SigV4's canonical headers, "name:value\n" lines in the order of their
 * names: host, x-amz-date, the session token's and the request's own
 * X-Amz-* headers ("X-Amz-Invocation-Type: Event"), names in lowercase;
 * the names joined by ';' in *names. Both malloc'd. */
static char *canonical_headers(const AwsRequest *req, const char *host, const char *stamp,
                               const char *token, char **names) {
  char *lines[MAX_SIGNED];
  size_t n = 0;
  lines[n++] = strf("host:%s", host);
  lines[n++] = strf("x-amz-date:%s", stamp);
  if (*token)
    lines[n++] = strf("x-amz-security-token:%s", token);
  for (const char *const *p = req->headers; p && *p && n < MAX_SIGNED; p++) {
    const char *colon = strchr(*p, ':');
    if (!colon || strncasecmp(*p, "x-amz-", 6))
      continue;
    lines[n] = strf("%.*s:%s", (int)(colon - *p), *p, colon + 1 + strspn(colon + 1, " "));
    for (char *c = lines[n]; *c != ':'; c++)
      *c = (char)tolower((unsigned char)*c);
    n++;
  }
  qsort(lines, n, sizeof *lines, by_name);
  char *text = strf("%s", ""), *joined = strf("%s", "");
  for (size_t i = 0; i < n; i++) {
    char *more = strf("%s%s\n", text, lines[i]);
    char *more_names = strf("%s%s%.*s", joined, i ? ";" : "", (int)strcspn(lines[i], ":"), lines[i]);
    free(text), free(joined), free(lines[i]);
    text = more, joined = more_names;
  }
  *names = joined;
  return text;
}

/* Host, X-Amz-Date and Authorization for req sent to url: the headers signed
 * are canonical_headers' (request_headers sends the token's and the
 * request's own); the canonical path is the sent path encoded once more. */
static struct curl_slist *sign_request(const AwsClient *c, const AwsRequest *req,
                                       const char *url, struct curl_slist *h) {
  char stamp[17], date[9], body_hash[65], request_hash[65], signature[65];
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
  snprintf(date, sizeof date, "%.8s", stamp);
  const char *path;
  char *host = url_host(url, &path), *uri = aws_uri_encode(*path ? path : "/", true);
  if (!uri)
    abort();
  aws_sha256_hex(req->body ? req->body : "", req->body_len, body_hash);
  char *names, *headers = canonical_headers(req, host, stamp, c->token, &names);
  char *canonical = strf("%s\n%s\n\n%s\n%s\n%s", req->method, uri, headers, names, body_hash);
  aws_sha256_hex(canonical, strlen(canonical), request_hash);
  char *scope = strf("%s/%s/%s/aws4_request", date, c->region, req->service);
  char *to_sign = strf("AWS4-HMAC-SHA256\n%s\n%s\n%s", stamp, scope, request_hash);
  signature_hex(c, req->service, date, to_sign, signature);
  const char *colon = strchr(c->userpwd, ':');
  int key_len = colon ? (int)(colon - c->userpwd) : (int)strlen(c->userpwd);
  char *lines[] = {strf("Host: %s", host), strf("X-Amz-Date: %s", stamp),
                   strf("Authorization: AWS4-HMAC-SHA256 Credential=%.*s/%s, "
                        "SignedHeaders=%s, Signature=%s",
                        key_len, c->userpwd, scope, names, signature)};
  for (size_t i = 0; i < 3; i++) {
    h = curl_slist_append(h, lines[i]);
    free(lines[i]);
  }
  free(host), free(uri), free(headers), free(names), free(canonical), free(scope), free(to_sign);
  return h;
}

static long long now_ms(void);

/* A minute at most, and never past the invocation's deadline (a little is
 * always allowed, so that the attempt can answer at all). */
static long attempt_timeout_ms(const AwsClient *c) {
  long long left = c->deadline_ms ? c->deadline_ms - now_ms() : 60000;
  return left > 60000 ? 60000L : left < 200 ? 200L : (long)left;
}

static bool attempt(AwsClient *c, const AwsRequest *req, AwsResponse *resp) {
  CURL *k = c->curl;
  curl_easy_reset(k);
  char sigv4[160], *url;
  if (req->url) {
    url = strf("%s", req->url);
  } else if (req->endpoint) { /* signed below, by sign_request */
    size_t n = strlen(req->endpoint);
    url = strf("%.*s%s", (int)(n && req->endpoint[n - 1] == '/' ? n - 1 : n), req->endpoint,
               req->path);
  } else {
    url = strf("%s%s%s%s", aws_endpoint(c, req->service), req->path,
                       req->query && *req->query ? "?" : "", req->query ? req->query : "");
    snprintf(sigv4, sizeof sigv4, "aws:amz:%s:%s", c->region, req->service);
    curl_easy_setopt(k, CURLOPT_AWS_SIGV4, sigv4);
    curl_easy_setopt(k, CURLOPT_USERPWD, c->userpwd);
  }
  Collected got = {{0}, req->max_bytes, req->expect_bytes, false};
  struct curl_slist *headers = request_headers(c, req);
  if (req->endpoint && !req->url)
    headers = sign_request(c, req, url, headers);
  curl_easy_setopt(k, CURLOPT_URL, url);
  curl_easy_setopt(k, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(k, CURLOPT_CUSTOMREQUEST, req->method);
  if (req->url) { /* a source may redirect (AWS endpoints are addressed exactly) */
    curl_easy_setopt(k, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(k, CURLOPT_MAXREDIRS, 3L);
    curl_easy_setopt(k, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(k, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(k, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)(1 << 20));
  }
  if (!strcmp(req->method, "HEAD"))
    curl_easy_setopt(k, CURLOPT_NOBODY, 1L);
  if (req->body_len || strcmp(req->method, "GET")) {
    curl_easy_setopt(k, CURLOPT_POSTFIELDS, req->body ? req->body : "");
    curl_easy_setopt(k, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
  }
  curl_easy_setopt(k, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(k, CURLOPT_WRITEDATA, &got);
  if (req->max_bytes) /* refused before any byte when the length is announced */
    curl_easy_setopt(k, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)req->max_bytes);
  resp->etag[0] = '\0';
  resp->content_length = -1;
  resp->retry_after_s = -1;
  curl_easy_setopt(k, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(k, CURLOPT_HEADERDATA, resp);
  /* Paths go out exactly as given: curl would otherwise resolve "/../" in
   * an object key and address another object than the one named. */
  curl_easy_setopt(k, CURLOPT_PATH_AS_IS, 1L);
  curl_easy_setopt(k, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
  curl_easy_setopt(k, CURLOPT_TIMEOUT_MS, attempt_timeout_ms(c));
  curl_easy_setopt(k, CURLOPT_NOSIGNAL, 1L);
  /* Amazon Linux keeps its CA bundle here; Debian's path is curl's default. */
  if (access("/etc/pki/tls/certs/ca-bundle.crt", R_OK) == 0)
    curl_easy_setopt(k, CURLOPT_CAINFO, "/etc/pki/tls/certs/ca-bundle.crt");
  CURLcode rc = curl_easy_perform(k);
  curl_slist_free_all(headers);
  free(url);
  free(resp->body);
  resp->body = got.body.data ? got.body.data : calloc(1, 1);
  resp->len = got.body.len;
  resp->status = 0;
  resp->too_big = got.too_big || rc == CURLE_FILESIZE_EXCEEDED;
  if (rc != CURLE_OK) {
    snprintf(resp->error, sizeof resp->error, "%s", curl_easy_strerror(rc));
    return false;
  }
  curl_easy_getinfo(k, CURLINFO_RESPONSE_CODE, &resp->status);
  return true;
}

/* ---- retries ---- */

static long long now_ms(void) {
  struct timeval tv;
  gettimeofday(&tv, NULL);
  return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* Throttling comes as 429, 503 (S3's SlowDown) or a 400 naming it. */
static bool retryable(const AwsResponse *r) {
  if (r->too_big) /* the same answer again would be as long */
    return false;
  if (r->status == 0 || r->status == 429 || r->status >= 500)
    return true;
  return r->status == 400 && r->body &&
         (strstr(r->body, "Throttling") || strstr(r->body, "TooManyRequests") ||
          strstr(r->body, "RequestLimitExceeded") || strstr(r->body, "SlowDown"));
}

bool aws_call(AwsClient *c, const AwsRequest *req, AwsResponse *resp) {
  memset(resp, 0, sizeof *resp);
  for (int i = 0;; i++) {
    bool answered = attempt(c, req, resp);
    resp->attempts = i + 1;
    if (!retryable(resp) || i + 1 == (req->attempts > 0 ? req->attempts : MAX_ATTEMPTS))
      return answered;
    long cap = BASE_DELAY_MS << i;
    if (cap > MAX_DELAY_MS)
      cap = MAX_DELAY_MS;
    long delay = (long)(rand_r(&c->seed) % (unsigned)(cap + 1)); /* full jitter */
    if (resp->retry_after_s > 0) /* the server said how long: honoured, up to 20 s */
      delay = resp->retry_after_s < 20 ? resp->retry_after_s * 1000 : 20000;
    if (c->deadline_ms && now_ms() + delay + 1000 > c->deadline_ms)
      return answered; /* no time left for another try */
    struct timespec pause = {delay / 1000, (delay % 1000) * 1000000L};
    nanosleep(&pause, NULL);
  }
}

long aws_json_call(AwsClient *c, const char *service, const char *target, json_t *body,
                   json_t **out, AwsResponse *resp) {
  char *text = json_dumps(body, JSON_COMPACT);
  AwsRequest req = {.service = service, .method = "POST", .path = "/", .target = target,
                    .body = text, .body_len = strlen(text)};
  aws_call(c, &req, resp);
  free(text);
  *out = resp->body ? json_loadb(resp->body, resp->len, 0, NULL) : NULL;
  return resp->status;
}

json_t *aws_json10_call(AwsClient *c, const char *service, const char *prefix,
                        const char *action, const char *name, json_t *body, char *why,
                        size_t why_size) {
  char *target = strf("%s.%s", prefix, action), *text = json_dumps(body, JSON_COMPACT);
  if (!text)
    abort();
  AwsRequest req = {.service = service, .method = "POST", .path = "/", .target = target,
                    .content_type = "application/x-amz-json-1.0", .body = text,
                    .body_len = strlen(text)};
  AwsResponse resp;
  aws_call(c, &req, &resp);
  free(text);
  free(target);
  json_t *answer = resp.status == 200 ? json_loadb(resp.body, resp.len, 0, NULL) : NULL;
  if (!resp.status)
    snprintf(why, why_size, "%s %s: %s", action, name, resp.error);
  else if (resp.status != 200)
    snprintf(why, why_size, "%s %s: HTTP %ld %.300s", action, name, resp.status, resp.body);
  else if (!json_is_object(answer))
    snprintf(why, why_size, "%s %s: an answer that is not JSON", action, name);
  aws_response_release(&resp);
  if (!json_is_object(answer)) {
    json_decref(answer);
    return NULL;
  }
  return answer;
}

void aws_response_release(AwsResponse *resp) {
  free(resp->body);
  resp->body = NULL;
}
