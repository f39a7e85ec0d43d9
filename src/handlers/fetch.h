/* fetch: a GET of a source outside AWS (a plain request, not signed),
 * retried on 429, 5xx and network errors after worker_backoff_ms (the
 * answer's Retry-After when it has one, else full jitter on an exponential
 * cap), a bounded number of times and never past the invocation's deadline.
 * worker's pages and extract's share it. */
#ifndef LAKEC_HANDLERS_FETCH_H
#define LAKEC_HANDLERS_FETCH_H

#include "aws.h"

typedef struct FetchPolicy {
  int max_retries;        /* tries after the first */
  long long deadline_ms;  /* wall clock, ms since the epoch; 0: none */
  long margin_ms;         /* a retry waits only when this much is left after the pause */
  size_t max_bytes;       /* a longer answer fails at once (AwsResponse.too_big) */
  unsigned *seed;         /* rand_r's state, for the jitter */
  void (*before_request)(void *user); /* pacing between requests, or NULL */
  void *user;
} FetchPolicy;

typedef enum {
  FETCH_OK,       /* 200: resp->body is the answer */
  FETCH_FAILED,   /* another answer, or the retries ran out: resp is the last one */
  FETCH_DEADLINE, /* the next retry would end too near the deadline: resp is the last one */
} FetchOutcome;

/* GETs url with "Accept: application/json". *attempts counts the requests
 * made. Always release resp with aws_response_release. */
FetchOutcome fetch_get(AwsClient *aws, const char *url, const FetchPolicy *policy,
                       AwsResponse *resp, int *attempts);

/* The wall clock in ms since the epoch. */
long long fetch_now_ms(void);

#endif
