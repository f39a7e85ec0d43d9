/* fuzz_support: what the handler fuzz targets share. An invariant that does
 * not hold aborts, which libFuzzer reports as a crash with the input. */
#ifndef LAKEC_FUZZ_SUPPORT_H
#define LAKEC_FUZZ_SUPPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REQUIRE(cond) ((cond) ? (void)0 : fuzz_broken(#cond, __FILE__, __LINE__))

static inline void fuzz_broken(const char *what, const char *file, int line) {
  fprintf(stderr, "%s:%d: invariant broken: %s\n", file, line, what);
  abort();
}

/* The input as a NUL-terminated string (malloc'd): what getenv or a body gives. */
static inline char *fuzz_text(const uint8_t *data, size_t size) {
  char *s = malloc(size + 1);
  REQUIRE(s != NULL);
  memcpy(s, data, size);
  s[size] = '\0';
  return s;
}

/* Dumps v and reads it back: what a caller of the handler would get. */
static inline json_t *fuzz_round_trip(json_t *v) {
  char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
  REQUIRE(text != NULL);
  json_t *back = json_loads(text, JSON_DECODE_ANY, NULL);
  free(text);
  REQUIRE(back != NULL);
  return back;
}

/* Whether s is digits where pattern has '9' and pattern's own byte elsewhere. */
static inline bool fuzz_shaped(const char *s, const char *pattern) {
  if (strlen(s) != strlen(pattern))
    return false;
  for (; *s; s++, pattern++)
    if (*pattern == '9' ? (*s < '0' || *s > '9') : *s != *pattern)
      return false;
  return true;
}

/* JSON Lines as worker and extract write them: each line one JSON object,
 * the last ending in '\n'. Returns the number of lines. */
static inline size_t fuzz_check_json_lines(const char *s, size_t n) {
  size_t lines = 0;
  REQUIRE(n == 0 || s[n - 1] == '\n');
  for (size_t start = 0; start < n; lines++) {
    const char *end = memchr(s + start, '\n', n - start);
    json_t *v = json_loadb(s + start, (size_t)(end - s) - start, 0, NULL);
    REQUIRE(json_is_object(v));
    json_decref(v);
    start = (size_t)(end - s) + 1;
  }
  return lines;
}

/* The metrics data set as the compiler describes it to process
 * (LAKEC_DATASET_<KEY>): what ingest writes and process converts. */
#define FUZZ_METRICS_DATASET                                                                     \
  "{\"format\":\"parquet\",\"codec\":\"snappy\",\"header\":true,\"list_separator\":\"|\","  \
  "\"row_group_mb\":32,\"columns\":["                                                          \
  "{\"name\":\"timestamp\",\"type\":\"timestamp\",\"optional\":false},"                     \
  "{\"name\":\"service\",\"type\":\"string\",\"optional\":false},"                          \
  "{\"name\":\"requests\",\"type\":\"int64\",\"optional\":false},"                          \
  "{\"name\":\"errors\",\"type\":\"int64\",\"optional\":false},"                            \
  "{\"name\":\"latency_ms_p50\",\"type\":\"double\",\"optional\":false},"                   \
  "{\"name\":\"latency_ms_p99\",\"type\":\"double\",\"optional\":false}]}"

/* Standard padded base64 of the bytes (malloc'd): what a Kafka record's
 * value looks like in an MSK event. */
static inline char *fuzz_base64(const uint8_t *data, size_t size) {
  static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  char *out = malloc((size + 2) / 3 * 4 + 1), *o = out;
  REQUIRE(out != NULL);
  for (size_t i = 0; i < size; i += 3) {
    unsigned v = (unsigned)data[i] << 16 | (i + 1 < size ? (unsigned)data[i + 1] << 8 : 0) |
                 (i + 2 < size ? data[i + 2] : 0);
    *o++ = digits[v >> 18 & 63];
    *o++ = digits[v >> 12 & 63];
    *o++ = i + 1 < size ? digits[v >> 6 & 63] : '=';
    *o++ = i + 2 < size ? digits[v & 63] : '=';
  }
  *o = '\0';
  return out;
}

#endif
