/* page: DataPage v1 and dictionary pages. A v1 page's body is: the
 * repetition levels, the definition levels (each RLE hybrid behind a 4-byte
 * length, present when the maximum level is > 0), then the values; the
 * whole body is compressed, the header is not. */
#include "page.h"

#include "compress.h"
#include "rle.h"
#include "thrift.h"

enum { PAGE_DATA = 0, PAGE_DICTIONARY = 2 };
/* PageHeader, DataPageHeader, DictionaryPageHeader field ids. */
enum { PH_TYPE = 1, PH_UNCOMPRESSED = 2, PH_COMPRESSED = 3, PH_DATA = 5, PH_DICTIONARY = 7 };
enum { DP_NUM_VALUES = 1, DP_ENCODING = 2, DP_DEF_ENCODING = 3, DP_REP_ENCODING = 4 };
enum { DICT_NUM_VALUES = 1, DICT_ENCODING = 2 };

static void put_levels(PqBuf *body, const PqBuf *levels, int max_level) {
  if (max_level == 0) return;
  size_t at = body->len;
  pq_buf_u32le(body, 0); /* the length, filled in below */
  pq_rle_encode(body, levels->data, 1, levels->len, pq_bit_width((uint32_t)max_level));
  uint32_t len = (uint32_t)(body->len - at - 4);
  for (int i = 0; i < 4; i++) body->data[at + i] = (uint8_t)(len >> (8 * i));
}

/* PLAIN booleans: one bit each, LSB first. */
static void put_booleans(PqBuf *body, const PqBuf *bytes) {
  uint8_t acc = 0;
  for (size_t i = 0; i < bytes->len; i++) {
    acc |= (uint8_t)(bytes->data[i] << (i % 8));
    if (i % 8 == 7) {
      pq_buf_byte(body, acc);
      acc = 0;
    }
  }
  if (bytes->len % 8) pq_buf_byte(body, acc);
}

/* Dictionary indices: the bit width in one byte, then the RLE hybrid. */
static void put_indices(PqBuf *body, const PqColumnState *c) {
  int width = pq_bit_width(c->dict.count ? c->dict.count - 1 : 0);
  pq_buf_byte(body, (uint8_t)width);
  pq_rle_encode(body, c->indices.data, 4, c->indices.len / 4, width);
}

static void put_values(PqBuf *body, const PqColumnState *c) {
  if (c->dictionary_mode) put_indices(body, c);
  else if (c->type == PQ_BOOLEAN) put_booleans(body, &c->values);
  else pq_buf_append(body, c->values.data, c->values.len);
}

/* Opens a PageHeader: the caller adds the type's own header and closes it. */
static void page_header_begin(Thrift *t, int type, size_t uncompressed, size_t compressed) {
  th_struct_begin(t);
  th_field_i32(t, PH_TYPE, type);
  th_field_i32(t, PH_UNCOMPRESSED, (int32_t)uncompressed);
  th_field_i32(t, PH_COMPRESSED, (int32_t)compressed);
}

static void data_page_header(PqBuf *out, const PqColumnState *c, size_t uncompressed,
                             size_t compressed) {
  Thrift t;
  th_init(&t, out);
  page_header_begin(&t, PAGE_DATA, uncompressed, compressed);
  th_field_struct(&t, PH_DATA);
  th_field_i32(&t, DP_NUM_VALUES, (int32_t)c->page_levels);
  th_field_i32(&t, DP_ENCODING, c->dictionary_mode ? PQ_ENC_PLAIN_DICTIONARY : PQ_ENC_PLAIN);
  th_field_i32(&t, DP_DEF_ENCODING, PQ_ENC_RLE);
  th_field_i32(&t, DP_REP_ENCODING, PQ_ENC_RLE);
  th_struct_end(&t);
  th_struct_end(&t);
}

static void clear_page(PqColumnState *c) {
  c->values.len = c->indices.len = c->defs.len = c->reps.len = 0;
  c->page_levels = 0;
}

const char *pq_page_flush(PqColumnState *c, PqCodec codec, PqScratch *s) {
  if (c->page_levels == 0) return NULL;
  s->body.len = s->compressed.len = s->header.len = 0;
  put_levels(&s->body, &c->reps, c->max_rep);
  put_levels(&s->body, &c->defs, c->max_def);
  put_values(&s->body, c);
  if (s->body.len > INT32_MAX) return "a page larger than 2 GiB (a row's values too long)";
  if (pq_compress(codec, s->body.data, s->body.len, &s->compressed) != 0)
    return "compression failed";
  if (s->compressed.len > INT32_MAX) return "a page larger than 2 GiB (a row's values too long)";
  data_page_header(&s->header, c, s->body.len, s->compressed.len);
  pq_buf_append(&c->pages, s->header.data, s->header.len);
  pq_buf_append(&c->pages, s->compressed.data, s->compressed.len);
  c->chunk_values += c->page_levels;
  c->chunk_uncompressed += (int64_t)(s->header.len + s->body.len);
  c->chunk_compressed += (int64_t)(s->header.len + s->compressed.len);
  if (c->dictionary_mode) c->dictionary_used = true;
  else c->plain_used = true;
  clear_page(c);
  return NULL;
}

int pq_page_dictionary(const PqColumnState *c, PqCodec codec, PqScratch *s, PqBuf *out,
                       int64_t *uncompressed, int64_t *compressed) {
  s->compressed.len = s->header.len = 0;
  if (c->dict.plain.len > INT32_MAX) return -1;
  if (pq_compress(codec, c->dict.plain.data, c->dict.plain.len, &s->compressed) != 0) return -1;
  if (s->compressed.len > INT32_MAX) return -1;
  Thrift t;
  th_init(&t, &s->header);
  page_header_begin(&t, PAGE_DICTIONARY, c->dict.plain.len, s->compressed.len);
  th_field_struct(&t, PH_DICTIONARY);
  th_field_i32(&t, DICT_NUM_VALUES, (int32_t)c->dict.count);
  th_field_i32(&t, DICT_ENCODING, PQ_ENC_PLAIN_DICTIONARY);
  th_struct_end(&t);
  th_struct_end(&t);
  pq_buf_append(out, s->header.data, s->header.len);
  pq_buf_append(out, s->compressed.data, s->compressed.len);
  *uncompressed += (int64_t)(s->header.len + c->dict.plain.len);
  *compressed += (int64_t)(s->header.len + s->compressed.len);
  return 0;
}

void pq_scratch_free(PqScratch *s) {
  pq_buf_free(&s->body);
  pq_buf_free(&s->compressed);
  pq_buf_free(&s->header);
  pq_buf_free(&s->dictionary);
}
