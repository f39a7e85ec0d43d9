/* aws: a small AWS client for the handlers. Requests are signed with SigV4 by
 * libcurl (CURLOPT_AWS_SIGV4, region and service named explicitly so loopback
 * endpoints work); configuration comes from the standard environment:
 * AWS_REGION (or AWS_DEFAULT_REGION), AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 * AWS_SESSION_TOKEN, AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>.
 * Throttling, 5xx answers and network errors are retried with exponential
 * backoff and full jitter, bounded in attempts and in time. */
#ifndef LAKEC_HANDLERS_AWS_H
#define LAKEC_HANDLERS_AWS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

typedef struct AwsClient AwsClient;

/* A growable, NUL-terminated byte buffer (what curl's write callbacks fill). */
typedef struct Buffer {
  char *data; /* malloc'd, or NULL while empty */
  size_t len, cap;
} Buffer;
/* Appends n bytes; false when memory runs out. */
bool buffer_append(Buffer *b, const void *bytes, size_t n);

typedef struct AwsRequest {
  const char *service;      /* "s3", "glue", "athena": signing name and endpoint */
  const char *url;          /* instead: a plain request to this URL (not AWS: not signed) */
  const char *method;       /* "GET", "PUT", ... */
  const char *path;         /* already percent-encoded, starting with '/' */
  const char *query;        /* already encoded and sorted ("a=1&b=2"), or NULL */
  const char *target;       /* X-Amz-Target for JSON 1.1 services, or NULL */
  const char *content_type; /* NULL: none for S3, application/x-amz-json-1.1 with a target */
  const char *const *headers; /* extra "Name: value" lines, NULL-terminated, or NULL */
  const char *body;
  size_t body_len;
  size_t max_bytes; /* 0: any size; else a longer answer stops (AwsResponse.too_big) */
  size_t expect_bytes; /* the answer's length when known (a range): allocated once */
  int attempts;        /* most attempts; 0: the client's own (5). 1: the caller retries */
  /* A signed request to this base URL (scheme, host, and a path prefix such
   * as a WebSocket API's stage) instead of the service's endpoint. aws.c
   * signs it itself, the path encoded twice as SigV4 wants for every service
   * but S3: curl 7.88 signs the path as sent, which fails for paths with
   * reserved characters ('@connections'). The X-Amz-* lines of headers are
   * signed with host and x-amz-date. Only with service and no query. */
  const char *endpoint;
} AwsRequest;

typedef struct AwsResponse {
  long status;      /* HTTP status, 0 when no answer came */
  char *body;       /* NUL-terminated, malloc'd */
  size_t len;
  char error[256];  /* transport problem, when status is 0 */
  char etag[136];   /* the ETag header, quotes included, or "" */
  long long content_length; /* the Content-Length header (a HEAD's object size), or -1 */
  long retry_after_s; /* the Retry-After header in seconds, or -1 */
  bool too_big;     /* the answer was longer than the request's max_bytes: not read */
  int attempts;
} AwsResponse;

/* NULL and why filled when the environment lacks region or credentials. */
AwsClient *aws_client_new(char *why, size_t why_size);
/* The same with the region and credentials given (the compiler finds them
 * in the shared files as well); the endpoints still come from the
 * environment. token may be NULL. */
AwsClient *aws_client_with(const char *region, const char *key, const char *secret,
                           const char *token, char *why, size_t why_size);
void aws_client_free(AwsClient *c);
/* Stops retrying once this wall-clock time (ms since the epoch) is near; 0 = none. */
void aws_client_set_deadline(AwsClient *c, long long deadline_ms);

/* Sends the request, retrying as described above. Returns true when an HTTP
 * answer came (look at resp->status); false on a transport failure after the
 * retries. Always free with aws_response_release. */
bool aws_call(AwsClient *c, const AwsRequest *req, AwsResponse *resp);
void aws_response_release(AwsResponse *resp);

/* A JSON 1.1 call (Glue, Athena): POSTs body to the service with X-Amz-Target
 * "<prefix>.<action>"; the answer is parsed into *out (new reference, or NULL
 * when it is not JSON). Returns the HTTP status, 0 on transport failure. */
long aws_json_call(AwsClient *c, const char *service, const char *target, json_t *body,
                   json_t **out, AwsResponse *resp);

/* A GET to sign in its URL (SigV4 query authentication) instead of its
 * headers: what a broker checks in an MSK IAM token, and a request whose
 * path holds escapes (libcurl's signer would not encode them again, as SigV4
 * wants outside S3). */
#define AWS_PRESIGN_MAX_PARAMS 32
typedef struct AwsPresign {
  const char *service;  /* signing name: "kafka-cluster", "kafka" */
  const char *base_url; /* "https://host[:port]", no trailing slash */
  const char *path;     /* already percent-encoded, starting with '/' */
  const char *query;    /* the operation's parameters, already encoded ("Action=..."), or NULL;
                         * at most AWS_PRESIGN_MAX_PARAMS of them */
  long expires_s;       /* X-Amz-Expires */
  time_t when;          /* the signing time */
} AwsPresign;
/* The URL, signed with the client's region and credentials (its session
 * token as X-Amz-Security-Token), its query laid out as botocore's
 * SigV4QueryAuth lays it out: the operation's parameters, the X-Amz-*
 * ones, X-Amz-Signature last. Returns malloc'd text. */
char *aws_presign_get(const AwsClient *c, const AwsPresign *p);
/* A JSON 1.0 call (DynamoDB, SQS): POSTs body with X-Amz-Target
 * "<prefix>.<action>". The answer object (new reference) on HTTP 200, else
 * NULL with why "<action> <name>: <the transport error | HTTP <status>
 * <body> | an answer that is not JSON>" (name: the table, queue ...). */
json_t *aws_json10_call(AwsClient *c, const char *service, const char *prefix,
                        const char *action, const char *name, json_t *body, char *why,
                        size_t why_size);

/* RFC 3986 encoding as SigV4 wants it: unreserved characters stay, everything
 * else (and '/' unless keep_slash) becomes %XX. Returns malloc'd text. */
char *aws_uri_encode(const char *s, bool keep_slash);
/* Lowercase hex SHA-256 of data (65 bytes with the NUL). */
void aws_sha256_hex(const void *data, size_t len, char out[65]);
/* The endpoint base URL for a service (no trailing slash), honouring overrides. */
const char *aws_endpoint(AwsClient *c, const char *service);
const char *aws_region(const AwsClient *c);
/* AWS_ENDPOINT_URL_<SERVICE>, else AWS_ENDPOINT_URL, else NULL (no override). */
const char *aws_endpoint_override(const char *service);

#endif
