/* buf: a growing byte buffer. */
#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void out_of_memory(void) {
  fputs("parquet: out of memory\n", stderr);
  abort();
}

void *pq_calloc(size_t count, size_t size) {
  void *p = calloc(count ? count : 1, size ? size : 1);
  if (!p) out_of_memory();
  return p;
}

void pq_buf_reserve(PqBuf *b, size_t more) {
  if (b->cap - b->len >= more) return;
  size_t cap = b->cap ? b->cap : 256;
  while (cap - b->len < more) {
    if (cap > SIZE_MAX / 2) out_of_memory();
    cap *= 2;
  }
  uint8_t *data = realloc(b->data, cap);
  if (!data) out_of_memory();
  b->data = data;
  b->cap = cap;
}

void pq_buf_append(PqBuf *b, const void *data, size_t len) {
  if (!len) return;
  pq_buf_reserve(b, len);
  memcpy(b->data + b->len, data, len);
  b->len += len;
}

void pq_buf_byte(PqBuf *b, uint8_t byte) {
  pq_buf_reserve(b, 1);
  b->data[b->len++] = byte;
}

void pq_buf_u32le(PqBuf *b, uint32_t v) {
  uint8_t bytes[4];
  for (int i = 0; i < 4; i++) bytes[i] = (uint8_t)(v >> (8 * i));
  pq_buf_append(b, bytes, 4);
}

void pq_buf_u64le(PqBuf *b, uint64_t v) {
  uint8_t bytes[8];
  for (int i = 0; i < 8; i++) bytes[i] = (uint8_t)(v >> (8 * i));
  pq_buf_append(b, bytes, 8);
}

void pq_buf_varint(PqBuf *b, uint64_t v) {
  while (v >= 0x80) {
    pq_buf_byte(b, (uint8_t)(v | 0x80));
    v >>= 7;
  }
  pq_buf_byte(b, (uint8_t)v);
}

void pq_buf_free(PqBuf *b) {
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}
