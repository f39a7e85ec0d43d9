#include "fetch.h"
#include "parse.h"

#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

long long fetch_now_ms(void) {
  struct timeval tv;
  gettimeofday(&tv, NULL);
  return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static void pause_ms(long ms) {
  struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&t, NULL);
}

static bool retry_status(long status) { return status == 0 || status == 429 || status >= 500; }

FetchOutcome fetch_get(AwsClient *aws, const char *url, const FetchPolicy *policy,
                       AwsResponse *resp, int *attempts) {
  const char *accept[] = {"Accept: application/json", NULL};
  AwsRequest req = {.service = "source", .url = url, .method = "GET", .headers = accept,
                    .attempts = 1, .max_bytes = policy->max_bytes};
  for (int attempt = 0;; attempt++) {
    if (policy->before_request)
      policy->before_request(policy->user);
    aws_call(aws, &req, resp);
    *attempts = attempt + 1;
    if (resp->status == 200)
      return FETCH_OK;
    if (resp->too_big || !retry_status(resp->status) || attempt >= policy->max_retries)
      return FETCH_FAILED;
    long delay = worker_backoff_ms(attempt, resp->retry_after_s, rand_r(policy->seed));
    if (policy->deadline_ms &&
        fetch_now_ms() + delay + policy->margin_ms > policy->deadline_ms)
      return FETCH_DEADLINE;
    aws_response_release(resp);
    pause_ms(delay);
  }
}
