/* dict: a column chunk's dictionary of strings. Its entries, in the order
 * first seen, are kept PLAIN-encoded: that is the dictionary page. */
#ifndef LAKEC_PARQUET_DICT_H
#define LAKEC_PARQUET_DICT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

typedef struct {
  PqBuf plain;       /* the entries: 4-byte little-endian length, bytes */
  size_t *offsets;   /* entry i's bytes start at plain.data + offsets[i] */
  uint32_t *lengths;
  uint32_t count, capacity;
  uint32_t *slots;   /* open addressing: 0 empty, else entry index + 1 */
  size_t slot_count; /* a power of two, kept at least twice count */
} PqDict;

/* The index of the string, added when new. */
uint32_t pq_dict_index(PqDict *d, const char *data, size_t len);
/* Empties it for the next column chunk (keeps the memory). */
void pq_dict_reset(PqDict *d);
void pq_dict_free(PqDict *d);

#endif
