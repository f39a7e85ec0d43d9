/* libFuzzer target: the Parquet writer's Snappy compressor
 * (src/parquet/snappy.c). Every input, compressed, must be a stream that
 * libsnappy (the reference implementation) validates and decompresses back
 * to the input, within libsnappy's size bound. */
#include <snappy-c.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snappy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REQUIRE(cond) ((cond) ? (void)0 : broken(#cond, __LINE__))

static void broken(const char *what, int line) {
  fprintf(stderr, "fuzz_snappy.c:%d: invariant broken: %s\n", line, what);
  abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  PqBuf out = {0};
  pq_snappy_compress(data, size, &out);
  REQUIRE(out.len <= snappy_max_compressed_length(size));
  REQUIRE(snappy_validate_compressed_buffer((const char *)out.data, out.len) == SNAPPY_OK);
  size_t len = 0;
  REQUIRE(snappy_uncompressed_length((const char *)out.data, out.len, &len) == SNAPPY_OK);
  REQUIRE(len == size);
  char *back = malloc(size ? size : 1);
  REQUIRE(snappy_uncompress((const char *)out.data, out.len, back, &len) == SNAPPY_OK);
  REQUIRE(len == size && (size == 0 || memcmp(back, data, size) == 0));
  free(back);
  pq_buf_free(&out);
  return 0;
}
