/* rle: the RLE / bit-packing hybrid encoder. */
#include "rle.h"

/* Literal runs end after this many groups of 8, to keep headers short. */
#define MAX_LITERAL_GROUPS 63

int pq_bit_width(uint32_t max) {
  int width = 1;
  while (width < 32 && (max >> width) != 0) width++;
  return width;
}

static uint32_t value_at(const void *values, size_t value_size, size_t i) {
  if (value_size == 1) return ((const uint8_t *)values)[i];
  return ((const uint32_t *)values)[i];
}

/* How many values from i on equal values[i], counting no further than cap. */
static size_t run_length(const void *values, size_t value_size, size_t n, size_t i,
                         size_t cap) {
  uint32_t v = value_at(values, value_size, i);
  size_t j = i + 1;
  while (j < n && j - i < cap && value_at(values, value_size, j) == v) j++;
  return j - i;
}

static void emit_rle_run(PqBuf *out, uint32_t value, size_t count, int bit_width) {
  pq_buf_varint(out, (uint64_t)count << 1);
  for (int byte = 0; byte < (bit_width + 7) / 8; byte++)
    pq_buf_byte(out, (uint8_t)(value >> (8 * byte)));
}

/* `groups` groups of 8 values from `start`, LSB first; values past n are 0. */
static void emit_bit_packed(PqBuf *out, const void *values, size_t value_size, size_t n,
                            size_t start, size_t groups, int bit_width) {
  pq_buf_varint(out, (uint64_t)groups << 1 | 1);
  uint64_t acc = 0;
  int bits = 0;
  for (size_t i = start; i < start + groups * 8; i++) {
    uint64_t v = i < n ? value_at(values, value_size, i) : 0;
    acc |= v << bits;
    bits += bit_width;
    while (bits >= 8) {
      pq_buf_byte(out, (uint8_t)acc);
      acc >>= 8;
      bits -= 8;
    }
  }
  /* groups of 8 values always fill whole bytes: bits is 0 here */
}

void pq_rle_encode(PqBuf *out, const void *values, size_t value_size, size_t n,
                   int bit_width) {
  size_t i = 0;
  while (i < n) {
    if (run_length(values, value_size, n, i, 8) >= 8) {
      size_t run = run_length(values, value_size, n, i, SIZE_MAX);
      emit_rle_run(out, value_at(values, value_size, i), run, bit_width);
      i += run;
      continue;
    }
    /* Literal groups, cut only at a group boundary where a run starts. */
    size_t start = i, groups = 0;
    do {
      i += 8;
      groups++;
    } while (i < n && groups < MAX_LITERAL_GROUPS &&
             run_length(values, value_size, n, i, 8) < 8);
    emit_bit_packed(out, values, value_size, n, start, groups, bit_width);
    if (i > n) i = n;
  }
}
