/* compress: a page's bytes through the column's codec (libsnappy, zlib). */
#ifndef LAKEC_PARQUET_COMPRESS_H
#define LAKEC_PARQUET_COMPRESS_H

#include "buf.h"
#include "parquet.h"

/* Appends `data` compressed with `codec` to out. -1 if the codec failed. */
int pq_compress(PqCodec codec, const uint8_t *data, size_t len, PqBuf *out);
/* Parquet's CompressionCodec number. */
int pq_codec_id(PqCodec codec);

#endif
