/* buf: a growing byte buffer, the writer's only storage for data. Running
 * out of memory aborts: a handler cannot go on without it, and Lambda
 * starts a fresh process. */
#ifndef LAKEC_PARQUET_BUF_H
#define LAKEC_PARQUET_BUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  uint8_t *data;
  size_t len, cap;
} PqBuf;

void pq_buf_reserve(PqBuf *b, size_t more);
void pq_buf_append(PqBuf *b, const void *data, size_t len);
void pq_buf_byte(PqBuf *b, uint8_t byte);
void pq_buf_u32le(PqBuf *b, uint32_t v);
void pq_buf_u64le(PqBuf *b, uint64_t v);
void pq_buf_varint(PqBuf *b, uint64_t v); /* ULEB128 */
void pq_buf_free(PqBuf *b);
/* Allocation that aborts on failure (zeroed). */
void *pq_calloc(size_t count, size_t size);

#endif
