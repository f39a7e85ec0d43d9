/* chunk: a column chunk and its ColumnChunk metadata. */
#include "chunk.h"

#include "compress.h"

/* ColumnChunk and ColumnMetaData field ids (parquet.thrift). */
enum { CC_FILE_OFFSET = 2, CC_META_DATA = 3 };
enum {
  CM_TYPE = 1, CM_ENCODINGS = 2, CM_PATH = 3, CM_CODEC = 4, CM_NUM_VALUES = 5,
  CM_UNCOMPRESSED = 6, CM_COMPRESSED = 7, CM_DATA_PAGE_OFFSET = 9,
  CM_DICTIONARY_PAGE_OFFSET = 11, CM_STATISTICS = 12
};

int pq_out_write(PqOut *out, const void *data, size_t len) {
  if (len && out->sink(out->user, data, len) != 0) return -1;
  out->offset += len;
  return 0;
}

static void write_encodings(Thrift *t, const PqColumnState *c) {
  int encodings[3], n = 0;
  if (c->dictionary_used) encodings[n++] = PQ_ENC_PLAIN_DICTIONARY;
  if (c->plain_used || !c->dictionary_used) encodings[n++] = PQ_ENC_PLAIN;
  encodings[n++] = PQ_ENC_RLE; /* the levels */
  th_field_list(t, CM_ENCODINGS, TH_I32, (uint32_t)n);
  for (int i = 0; i < n; i++) th_elem_i32(t, encodings[i]);
}

/* A list's leaf is name.list.element (the three-level LIST). */
static void write_path(Thrift *t, const PqColumnState *c) {
  bool list = c->type == PQ_STRING_LIST;
  th_field_list(t, CM_PATH, TH_BINARY, list ? 3 : 1);
  th_elem_string(t, c->name);
  if (list) {
    th_elem_string(t, "list");
    th_elem_string(t, "element");
  }
}

static void write_metadata(Thrift *t, const PqColumnState *c, PqCodec codec,
                           const PqChunkSizes *chunk, int64_t start, int64_t data_start) {
  th_struct_begin(t);
  th_field_i64(t, CC_FILE_OFFSET, 0); /* deprecated: 0, the metadata is in the footer */
  th_field_struct(t, CC_META_DATA);
  th_field_i32(t, CM_TYPE, pq_physical_type(c->type));
  write_encodings(t, c);
  write_path(t, c);
  th_field_i32(t, CM_CODEC, pq_codec_id(codec));
  th_field_i64(t, CM_NUM_VALUES, c->chunk_values);
  th_field_i64(t, CM_UNCOMPRESSED, chunk->uncompressed);
  th_field_i64(t, CM_COMPRESSED, chunk->compressed);
  th_field_i64(t, CM_DATA_PAGE_OFFSET, data_start);
  if (c->dictionary_used) th_field_i64(t, CM_DICTIONARY_PAGE_OFFSET, start);
  pq_stats_write(&c->stats, c->type, t, CM_STATISTICS);
  th_struct_end(t);
  th_struct_end(t);
}

int pq_chunk_write(const PqColumnState *c, PqCodec codec, PqScratch *s, PqOut *out,
                   Thrift *meta, PqChunkSizes *sizes, const char **error) {
  PqChunkSizes chunk = {c->chunk_uncompressed, c->chunk_compressed};
  int64_t start = (int64_t)out->offset;
  s->dictionary.len = 0;
  if (c->dictionary_used &&
      pq_page_dictionary(c, codec, s, &s->dictionary, &chunk.uncompressed, &chunk.compressed)) {
    *error = "the dictionary page failed to compress or passed 2 GiB";
    return -1;
  }
  if (pq_out_write(out, s->dictionary.data, s->dictionary.len) ||
      pq_out_write(out, c->pages.data, c->pages.len)) {
    *error = "the sink failed";
    return -1;
  }
  write_metadata(meta, c, codec, &chunk, start, start + (int64_t)s->dictionary.len);
  sizes->uncompressed += chunk.uncompressed;
  sizes->compressed += chunk.compressed;
  return 0;
}
