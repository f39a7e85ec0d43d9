/* stats: a column chunk's statistics. */
#include "stats.h"

#include <math.h>
#include <string.h>

/* Statistics field ids (parquet.thrift). */
enum { ST_MAX = 1, ST_MIN = 2, ST_NULL_COUNT = 3, ST_MAX_VALUE = 5, ST_MIN_VALUE = 6 };

void pq_stats_null(PqStats *s) {
  s->null_count++;
}

void pq_stats_int(PqStats *s, int64_t v) {
  if (!s->has_value || v < s->int_min) s->int_min = v;
  if (!s->has_value || v > s->int_max) s->int_max = v;
  s->has_value = true;
}

void pq_stats_double(PqStats *s, double v) {
  if (isnan(v)) return;
  if (!s->has_value || v < s->double_min) s->double_min = v;
  if (!s->has_value || v > s->double_max) s->double_max = v;
  s->has_value = true;
}

/* Unsigned byte order, then length: the order of UTF8 / STRING. */
static int compare_bytes(const uint8_t *a, size_t alen, const char *b, size_t blen) {
  size_t common = alen < blen ? alen : blen;
  int c = common ? memcmp(a, b, common) : 0; /* an empty buffer's data may be NULL */
  if (c) return c;
  return alen < blen ? -1 : alen > blen;
}

static void set_bytes(PqBuf *b, const char *data, size_t len) {
  b->len = 0;
  pq_buf_append(b, data, len);
}

void pq_stats_string(PqStats *s, const char *data, size_t len) {
  if (!s->has_value || compare_bytes(s->string_min.data, s->string_min.len, data, len) > 0)
    set_bytes(&s->string_min, data, len);
  if (!s->has_value || compare_bytes(s->string_max.data, s->string_max.len, data, len) < 0)
    set_bytes(&s->string_max, data, len);
  s->has_value = true;
}

/* The PLAIN encoding of one value, as statistics hold it. */
static void encode_value(PqType type, int64_t i, double d, PqBuf *out) {
  switch (type) {
  case PQ_INT32:
  case PQ_DATE: pq_buf_u32le(out, (uint32_t)(int32_t)i); break;
  case PQ_BOOLEAN: pq_buf_byte(out, (uint8_t)i); break;
  case PQ_DOUBLE: {
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    pq_buf_u64le(out, bits);
    break;
  }
  default: pq_buf_u64le(out, (uint64_t)i); break;
  }
}

static bool is_string(PqType type) {
  return type == PQ_STRING || type == PQ_STRING_LIST;
}

static bool has_min_max(const PqStats *s, PqType type) {
  if (!s->has_value) return false;
  return !is_string(type) ||
         (s->string_min.len <= PQ_STATS_MAX_STRING && s->string_max.len <= PQ_STATS_MAX_STRING);
}

/* The encoded min and max. -0.0 and +0.0 compare equal: a zero min is
 * written -0.0 and a zero max +0.0, so that a reader skipping on either
 * sign stays right. */
static void encode_min_max(const PqStats *s, PqType type, PqBuf *min, PqBuf *max) {
  if (is_string(type)) {
    pq_buf_append(min, s->string_min.data, s->string_min.len);
    pq_buf_append(max, s->string_max.data, s->string_max.len);
    return;
  }
  encode_value(type, s->int_min, s->double_min == 0 ? -0.0 : s->double_min, min);
  encode_value(type, s->int_max, s->double_max == 0 ? 0.0 : s->double_max, max);
}

/* Numbers get min_value/max_value and the deprecated min/max too (the same
 * signed order, which older readers look for); strings only the former, as
 * the deprecated fields were compared as signed bytes. Field ids ascend. */
void pq_stats_write(const PqStats *s, PqType type, Thrift *t, int16_t id) {
  th_field_struct(t, id);
  PqBuf min = {0}, max = {0};
  bool min_max = has_min_max(s, type);
  if (min_max) encode_min_max(s, type, &min, &max);
  if (min_max && !is_string(type)) {
    th_field_binary(t, ST_MAX, max.data, max.len);
    th_field_binary(t, ST_MIN, min.data, min.len);
  }
  th_field_i64(t, ST_NULL_COUNT, s->null_count);
  if (min_max) {
    th_field_binary(t, ST_MAX_VALUE, max.data, max.len);
    th_field_binary(t, ST_MIN_VALUE, min.data, min.len);
  }
  th_struct_end(t);
  pq_buf_free(&min);
  pq_buf_free(&max);
}

void pq_stats_reset(PqStats *s) {
  s->has_value = false;
  s->null_count = 0;
  s->string_min.len = s->string_max.len = 0;
}

void pq_stats_free(PqStats *s) {
  pq_buf_free(&s->string_min);
  pq_buf_free(&s->string_max);
}
