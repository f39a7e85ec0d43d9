/* snappy: a greedy LZ77 compressor writing Snappy's elements: the
 * uncompressed length as a varint, then literals and copies. A 4-byte hash
 * of each position finds an earlier occurrence within 64 KiB, so every copy
 * fits the 2-byte offset form; copies may overlap their own output, as the
 * format allows. Any valid stream will do: this one is not byte-for-byte
 * libsnappy's, only readable by it. */
#include "snappy.h"

#include <stdlib.h>
#include <string.h>

#define HASH_BITS 14
#define MAX_OFFSET 65535
#define MAX_COPY 64 /* the 2-byte offset form's longest copy */
enum { TAG_LITERAL = 0, TAG_COPY_2 = 2 };

static uint32_t load32(const uint8_t *p) {
  uint32_t v;
  memcpy(&v, p, sizeof v);
  return v;
}

static uint32_t hash4(uint32_t v) {
  return (v * 0x1e35a7bdu) >> (32 - HASH_BITS);
}

/* A literal's length - 1 fits the tag below 60; else the tag says how many
 * little-endian bytes follow with it. */
static void emit_literal(PqBuf *out, const uint8_t *p, size_t len) {
  size_t n = len - 1;
  if (n < 60) {
    pq_buf_byte(out, (uint8_t)(n << 2 | TAG_LITERAL));
  } else {
    int bytes = n < (1u << 8) ? 1 : n < (1u << 16) ? 2 : n < (1u << 24) ? 3 : 4;
    pq_buf_byte(out, (uint8_t)((59 + bytes) << 2 | TAG_LITERAL));
    for (int i = 0; i < bytes; i++) pq_buf_byte(out, (uint8_t)(n >> (8 * i)));
  }
  pq_buf_append(out, p, len);
}

static void emit_copy(PqBuf *out, size_t offset, size_t len) {
  while (len > 0) {
    size_t n = len > MAX_COPY ? MAX_COPY : len;
    pq_buf_byte(out, (uint8_t)((n - 1) << 2 | TAG_COPY_2));
    pq_buf_byte(out, (uint8_t)offset);
    pq_buf_byte(out, (uint8_t)(offset >> 8));
    len -= n;
  }
}

/* The length of the match of in[candidate..] with in[at..], at least 4:
 * 8 bytes at a time, then the first differing byte is the lowest set byte
 * of their XOR (little-endian loads: x86_64 and arm64). */
static size_t match_length(const uint8_t *in, size_t len, size_t candidate, size_t at) {
  size_t m = 4;
  while (at + m + 8 <= len) {
    uint64_t a, b;
    memcpy(&a, in + candidate + m, sizeof a);
    memcpy(&b, in + at + m, sizeof b);
    if (a != b) return m + (size_t)(__builtin_ctzll(a ^ b) >> 3);
    m += 8;
  }
  while (at + m < len && in[candidate + m] == in[at + m]) m++;
  return m;
}

void pq_snappy_compress(const uint8_t *in, size_t len, PqBuf *out) {
  pq_buf_reserve(out, 32 + len + len / 6); /* libsnappy's bound */
  pq_buf_varint(out, len);
  uint32_t *table = pq_calloc((size_t)1 << HASH_BITS, sizeof *table);
  size_t literal = 0, at = 0;
  while (at + 4 <= len) {
    uint32_t v = load32(in + at);
    uint32_t h = hash4(v);
    size_t candidate = table[h];
    table[h] = (uint32_t)at;
    if (candidate < at && at - candidate <= MAX_OFFSET && load32(in + candidate) == v) {
      size_t m = match_length(in, len, candidate, at);
      if (literal < at) emit_literal(out, in + literal, at - literal);
      emit_copy(out, at - candidate, m);
      at += m;
      literal = at;
    } else {
      /* the longer nothing matched, the bigger the steps (as libsnappy does) */
      at += 1 + ((at - literal) >> 5);
    }
  }
  if (literal < len) emit_literal(out, in + literal, len - literal);
  free(table);
}
