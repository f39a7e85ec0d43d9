/* compress: SNAPPY (raw Snappy, as Parquet wants it; snappy.c) and GZIP (a
 * gzip member, as Parquet's GZIP codec means; zlib). */
#include "compress.h"

#include <zlib.h>

#include "snappy.h"

static int compress_gzip(const uint8_t *data, size_t len, PqBuf *out) {
  z_stream z = {0};
  /* 15 + 16: a gzip header and trailer (mtime 0: the same bytes every time) */
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return -1;
  size_t room = deflateBound(&z, (uLong)len);
  pq_buf_reserve(out, room);
  z.next_in = (Bytef *)data;
  z.avail_in = (uInt)len;
  z.next_out = out->data + out->len;
  z.avail_out = (uInt)room;
  int rc = deflate(&z, Z_FINISH);
  out->len += room - z.avail_out;
  deflateEnd(&z);
  return rc == Z_STREAM_END ? 0 : -1;
}

int pq_compress(PqCodec codec, const uint8_t *data, size_t len, PqBuf *out) {
  switch (codec) {
  case PQ_SNAPPY: pq_snappy_compress(data, len, out); return 0;
  case PQ_GZIP: return compress_gzip(data, len, out);
  case PQ_UNCOMPRESSED: pq_buf_append(out, data, len); return 0;
  }
  return -1;
}

int pq_codec_id(PqCodec codec) {
  switch (codec) {
  case PQ_SNAPPY: return 1;
  case PQ_GZIP: return 2;
  case PQ_UNCOMPRESSED: return 0;
  }
  return 0;
}
