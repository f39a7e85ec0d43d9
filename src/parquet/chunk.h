/* chunk: a row group's column chunk written out (dictionary page, data
 * pages) and described by its ColumnChunk metadata. */
#ifndef LAKEC_PARQUET_CHUNK_H
#define LAKEC_PARQUET_CHUNK_H

#include <stdbool.h>
#include <stdint.h>

#include "column.h"
#include "page.h"
#include "parquet.h"
#include "thrift.h"

/* The file as it goes to the sink: the offset is where the next byte lands. */
typedef struct {
  PqSink sink;
  void *user;
  uint64_t offset;
} PqOut;

/* 0, or -1 when the sink failed. */
int pq_out_write(PqOut *out, const void *data, size_t len);

/* Sizes summed over a row group's chunks. */
typedef struct {
  int64_t uncompressed, compressed;
} PqChunkSizes;

/* Writes c's chunk (its open page must be flushed) at out->offset and
 * appends its ColumnChunk, as a list element, to meta. -1: the sink or the
 * codec failed (*error says which). */
int pq_chunk_write(const PqColumnState *c, PqCodec codec, PqScratch *s, PqOut *out,
                   Thrift *meta, PqChunkSizes *sizes, const char **error);

#endif
