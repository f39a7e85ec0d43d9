/* parquet: the writer's building blocks against the examples of the format's
 * own documents (the RLE / bit-packing hybrid of Encodings.md, the Thrift
 * compact protocol's field and list headers), the Snappy compressor against
 * libsnappy's own decompressor, and the API's refusals:
 * DuckDB reads the files the tests/parquet/ test writes, this checks what a
 * reader never sees. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <snappy-c.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "parquet.h"
#include "rle.h"
#include "snappy.h"
#include "thrift.h"

static void bit_packed_example(void **state) {
  (void)state;
  /* Encodings.md: 0..7 at 3 bits pack to 10001000 11000110 11111010 */
  uint32_t values[8] = {0, 1, 2, 3, 4, 5, 6, 7};
  PqBuf out = {0};
  pq_rle_encode(&out, values, 4, 8, 3);
  const uint8_t want[] = {0x03 /* one group of 8, bit-packed */, 0x88, 0xC6, 0xFA};
  assert_int_equal(out.len, sizeof want);
  assert_memory_equal(out.data, want, sizeof want);
  pq_buf_free(&out);
}

static void runs_and_padding(void **state) {
  (void)state;
  uint8_t levels[13] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0};
  PqBuf out = {0};
  pq_rle_encode(&out, levels, 1, 13, 1);
  /* a run of ten 1s, then 0 1 0 bit-packed in a group padded with zeros */
  const uint8_t want[] = {0x14, 0x01, 0x03, 0x02};
  assert_int_equal(out.len, sizeof want);
  assert_memory_equal(out.data, want, sizeof want);
  pq_buf_free(&out);
  assert_int_equal(pq_bit_width(0), 1);
  assert_int_equal(pq_bit_width(1), 1);
  assert_int_equal(pq_bit_width(2), 2);
  assert_int_equal(pq_bit_width(255), 8);
  assert_int_equal(pq_bit_width(256), 9);
}

static void compact_protocol(void **state) {
  (void)state;
  PqBuf out = {0};
  Thrift t;
  th_init(&t, &out);
  th_struct_begin(&t);
  th_field_i32(&t, 1, 0);       /* delta 1, i32: 0x15, zigzag 0 */
  th_field_i64(&t, 2, -1);      /* delta 1, i64: 0x16, zigzag 1 */
  th_field_bool(&t, 3, true);   /* the value in the type: 0x11 */
  th_field_bool(&t, 4, false);  /* 0x12 */
  th_field_i32(&t, 40, 150);    /* delta 36: long form 0x05, zigzag id 80, zigzag 300 */
  th_field_list(&t, 41, TH_I32, 3); /* 0x19, size 3 and type: 0x35 */
  th_elem_i32(&t, 1);
  th_elem_i32(&t, -1);
  th_elem_i32(&t, 64);
  th_field_list(&t, 42, TH_BINARY, 15); /* 15 elements: the long list header */
  th_struct_end(&t);
  const uint8_t want[] = {0x15, 0x00, 0x16, 0x01, 0x11, 0x12, 0x05, 0x50, 0xAC, 0x02,
                          0x19, 0x35, 0x02, 0x01, 0x80, 0x01, 0x19, 0xF8, 0x0F, 0x00};
  assert_int_equal(out.len, sizeof want);
  assert_memory_equal(out.data, want, sizeof want);
  pq_buf_free(&out);
}

/* Compressed by snappy.c, then checked and decompressed by libsnappy. */
static void snappy_round_trip(const uint8_t *in, size_t len) {
  PqBuf out = {0};
  pq_snappy_compress(in, len, &out);
  assert_true(out.len <= 32 + len + len / 6);
  assert_int_equal(snappy_validate_compressed_buffer((const char *)out.data, out.len), SNAPPY_OK);
  size_t back_len = 0;
  assert_int_equal(snappy_uncompressed_length((const char *)out.data, out.len, &back_len), SNAPPY_OK);
  assert_int_equal(back_len, len);
  char *back = malloc(len ? len : 1);
  assert_int_equal(snappy_uncompress((const char *)out.data, out.len, back, &back_len), SNAPPY_OK);
  assert_int_equal(back_len, len);
  if (len) assert_memory_equal(back, in, len);
  free(back);
  pq_buf_free(&out);
}

static void snappy_against_libsnappy(void **state) {
  (void)state;
  size_t size = 1 << 20;
  uint8_t *data = malloc(size);
  snappy_round_trip((const uint8_t *)"", 0);
  snappy_round_trip((const uint8_t *)"a", 1);
  snappy_round_trip((const uint8_t *)"abcd", 4);
  snappy_round_trip((const uint8_t *)"abcdabcdabcdabcdabcdx", 21); /* overlapping copies */
  memset(data, 0, size);
  snappy_round_trip(data, size); /* one long run */
  memcpy(data, "Q7#x!k2@", 8); /* the same 8 bytes again past the 2-byte offset's reach */
  memcpy(data + 66000, "Q7#x!k2@", 8);
  snappy_round_trip(data, 66008);
  uint32_t x = 12345;
  for (size_t i = 0; i < size; i++) { /* noise, then the same 70 KB again: too far back */
    x = x * 1103515245u + 12345u;
    data[i] = i < 70000 || i >= 140000 ? (uint8_t)(x >> 24) : data[i - 70000];
  }
  snappy_round_trip(data, size);
  for (size_t i = 0; i < size; i++) data[i] = (uint8_t)("column,value;"[i % 13] + (i / 4096) % 3);
  snappy_round_trip(data, size); /* text-like, with literals of every length */
  for (size_t len = 1; len < 300; len += 7) snappy_round_trip(data + 5, len);
  free(data);
}

typedef struct {
  PqBuf bytes;
  size_t fail_after; /* 0: never */
} Sink;

static int memory_sink(void *user, const void *data, size_t len) {
  Sink *s = user;
  if (s->fail_after && s->bytes.len + len > s->fail_after) return -1;
  pq_buf_append(&s->bytes, data, len);
  return 0;
}

static const PqColumn COLUMNS[] = {{"name", PQ_STRING, false}, {"n", PQ_INT32, true}};
static const PqSchema SCHEMA = {COLUMNS, 2};

static PqWriter *open_writer(Sink *sink) {
  PqOptions options = pq_default_options();
  const char *error = NULL;
  PqWriter *w = pq_writer_open(&SCHEMA, &options, memory_sink, sink, &error);
  assert_non_null(w);
  return w;
}

static void refused_schemas(void **state) {
  (void)state;
  Sink sink = {0};
  PqOptions options = pq_default_options();
  const char *error = NULL;
  PqSchema none = {COLUMNS, 0};
  assert_null(pq_writer_open(&none, &options, memory_sink, &sink, &error));
  assert_string_equal(error, "the schema has no column");
  PqColumn twice[] = {{"a", PQ_INT32, false}, {"a", PQ_INT64, false}};
  PqSchema dup = {twice, 2};
  assert_null(pq_writer_open(&dup, &options, memory_sink, &sink, &error));
  assert_string_equal(error, "two columns have the same name");
  options.page_bytes = 0;
  assert_null(pq_writer_open(&SCHEMA, &options, memory_sink, &sink, &error));
  assert_string_equal(error, "a size limit is zero");
  assert_int_equal(sink.bytes.len, 0);
}

static void refused_values(void **state) {
  (void)state;
  Sink sink = {0};
  PqWriter *w = open_writer(&sink);
  assert_int_equal(pq_write_int32(w, 0, 1), -1);
  assert_string_equal(pq_error(w), "a value of the wrong type for its column");
  assert_int_equal(pq_end_row(w), -1); /* the first error stays */
  pq_writer_free(w);

  w = open_writer(&sink);
  assert_int_equal(pq_write_null(w, 0), -1);
  assert_string_equal(pq_error(w), "a null in a required column");
  pq_writer_free(w);

  w = open_writer(&sink);
  assert_int_equal(pq_write_string(w, 0, "a", 1), 0);
  assert_int_equal(pq_end_row(w), -1);
  assert_string_equal(pq_error(w), "a row without a value for every column");
  pq_writer_free(w);

  w = open_writer(&sink);
  assert_int_equal(pq_write_null(w, 1), 0);
  assert_int_equal(pq_write_int32(w, 1, 2), -1);
  assert_string_equal(pq_error(w), "a second value for a column in one row");
  pq_writer_free(w);

  w = open_writer(&sink);
  assert_int_equal(pq_write_string(w, 5, "a", 1), -1);
  assert_string_equal(pq_error(w), "no such column");
  pq_writer_free(w);
  pq_buf_free(&sink.bytes);
}

static void write_rows(PqWriter *w, int rows) {
  for (int i = 0; i < rows; i++) {
    assert_int_equal(pq_write_string(w, 0, "row", 3), 0);
    assert_int_equal(i % 2 ? pq_write_null(w, 1) : pq_write_int32(w, 1, i), 0);
    assert_int_equal(pq_end_row(w), 0);
  }
}

/* Zero rows: the magic, a footer with the schema and no row group, its
 * length, the magic. */
static void zero_rows(void **state) {
  (void)state;
  Sink sink = {0};
  PqWriter *w = open_writer(&sink);
  assert_int_equal(pq_writer_close(w), 0);
  pq_writer_free(w);
  const uint8_t *b = sink.bytes.data;
  size_t n = sink.bytes.len;
  assert_true(n > 12);
  assert_memory_equal(b, "PAR1", 4);
  assert_memory_equal(b + n - 4, "PAR1", 4);
  uint32_t footer = (uint32_t)b[n - 8] | (uint32_t)b[n - 7] << 8 | (uint32_t)b[n - 6] << 16 |
                    (uint32_t)b[n - 5] << 24;
  assert_int_equal(footer, n - 12);
  pq_buf_free(&sink.bytes);
}

static void same_input_same_bytes(void **state) {
  (void)state;
  Sink a = {0}, b = {0};
  PqWriter *wa = open_writer(&a), *wb = open_writer(&b);
  write_rows(wa, 1000);
  write_rows(wb, 1000);
  assert_int_equal(pq_writer_close(wa), 0);
  assert_int_equal(pq_writer_close(wb), 0);
  assert_int_equal(pq_rows(wa), 1000);
  assert_int_equal(pq_bytes_written(wa), a.bytes.len);
  assert_int_equal(pq_writer_close(wa), -1); /* once only */
  assert_int_equal(pq_write_string(wa, 0, "late", 4), -1);
  assert_string_equal(pq_error(wa), "the writer is closed");
  assert_int_equal(a.bytes.len, b.bytes.len);
  assert_memory_equal(a.bytes.data, b.bytes.data, a.bytes.len);
  pq_writer_free(wa);
  pq_writer_free(wb);
  pq_buf_free(&a.bytes);
  pq_buf_free(&b.bytes);
}

static void the_sink_fails(void **state) {
  (void)state;
  Sink sink = {.fail_after = 100};
  PqWriter *w = open_writer(&sink);
  write_rows(w, 1000);
  assert_int_equal(pq_writer_close(w), -1);
  assert_string_equal(pq_error(w), "the sink failed");
  pq_writer_free(w);
  pq_buf_free(&sink.bytes);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(bit_packed_example), cmocka_unit_test(runs_and_padding),
      cmocka_unit_test(compact_protocol),   cmocka_unit_test(snappy_against_libsnappy),
      cmocka_unit_test(refused_schemas),
      cmocka_unit_test(refused_values),     cmocka_unit_test(zero_rows),
      cmocka_unit_test(same_input_same_bytes), cmocka_unit_test(the_sink_fails),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
