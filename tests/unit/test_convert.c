/* convert: CSV field text as typed Parquet values: each type's accepted
 * forms and values (dates and timestamps against known epoch values), the
 * refusals with their reasons, nulls and empty strings, and a writer that a
 * refused value leaves usable. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"

#define S(text) text, strlen(text)

static void whole_numbers(void **state) {
  (void)state;
  int64_t v;
  const char *why;
  assert_int_equal(pq_parse_int64(S("-9223372036854775808"), INT64_MIN, INT64_MAX, &v, &why), 0);
  assert_true(v == INT64_MIN);
  assert_int_equal(pq_parse_int64(S("9223372036854775807"), INT64_MIN, INT64_MAX, &v, &why), 0);
  assert_true(v == INT64_MAX);
  assert_int_equal(pq_parse_int64(S("+42"), INT32_MIN, INT32_MAX, &v, &why), 0);
  assert_int_equal(v, 42);
  assert_int_equal(pq_parse_int64(S("9223372036854775808"), INT64_MIN, INT64_MAX, &v, &why), -1);
  assert_string_equal(why, "out of range");
  assert_int_equal(pq_parse_int64(S("2147483648"), INT32_MIN, INT32_MAX, &v, &why), -1);
  assert_string_equal(why, "out of range");
  const char *bad[] = {"", "-", "1.0", " 1", "1 ", "0x10", "1e3"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    assert_int_equal(pq_parse_int64(S(bad[i]), INT64_MIN, INT64_MAX, &v, &why), -1);
    assert_string_equal(why, "not a whole number");
  }
}

static void real_numbers_and_booleans(void **state) {
  (void)state;
  double d;
  bool b;
  const char *why;
  assert_int_equal(pq_parse_double(S("-1.5e3"), &d, &why), 0);
  assert_true(d == -1500.0);
  assert_int_equal(pq_parse_double(S("12.25"), &d, &why), 0);
  assert_true(d == 12.25);
  assert_int_equal(pq_parse_double(S("nan"), &d, &why), -1);
  assert_string_equal(why, "not a finite number");
  assert_int_equal(pq_parse_double(S("1e999"), &d, &why), -1);
  assert_int_equal(pq_parse_double(S(" 1"), &d, &why), -1);
  assert_int_equal(pq_parse_double(S("1x"), &d, &why), -1);
  assert_string_equal(why, "not a number");
  assert_int_equal(pq_parse_boolean(S("TRUE"), &b, &why), 0);
  assert_true(b);
  assert_int_equal(pq_parse_boolean(S("0"), &b, &why), 0);
  assert_false(b);
  assert_int_equal(pq_parse_boolean(S("yes"), &b, &why), -1);
}

static void dates(void **state) {
  (void)state;
  int32_t days;
  const char *why;
  assert_int_equal(pq_parse_date(S("1970-01-01"), &days, &why), 0);
  assert_int_equal(days, 0);
  assert_int_equal(pq_parse_date(S("2000-03-01"), &days, &why), 0);
  assert_int_equal(days, 11017);
  assert_int_equal(pq_parse_date(S("1969-12-31"), &days, &why), 0);
  assert_int_equal(days, -1);
  assert_int_equal(pq_parse_date(S("2024-02-29"), &days, &why), 0);
  assert_int_equal(days, 19782);
  assert_int_equal(pq_parse_date(S("2023-02-29"), &days, &why), -1);
  assert_string_equal(why, "not a day of the calendar");
  assert_int_equal(pq_parse_date(S("2023-1-05"), &days, &why), -1);
  assert_int_equal(pq_parse_date(S("2023-01-05T00:00:00Z"), &days, &why), -1);
}

static void timestamps(void **state) {
  (void)state;
  int64_t t;
  const char *why;
  assert_int_equal(pq_parse_timestamp(S("1970-01-01T00:00:01Z"), false, &t, &why), 0);
  assert_int_equal(t, 1000);
  assert_int_equal(pq_parse_timestamp(S("2026-12-01 13:00:42.123456789"), true, &t, &why), 0);
  assert_true(t == 1796130042123456LL);
  assert_int_equal(pq_parse_timestamp(S("2026-12-01T14:00:42.5+01:00"), false, &t, &why), 0);
  assert_true(t == 1796130042500LL);
  assert_int_equal(pq_parse_timestamp(S("1969-12-31T23:59:59.5Z"), true, &t, &why), 0);
  assert_true(t == -500000);
  const char *bad[] = {"2026-12-01", "2026-12-01T24:00:00Z", "2026-12-01T10:00:00.Z",
                       "2026-12-01T10:00:00.1234567890Z", "2026-12-01T10:00:00+0100",
                       "2026-12-01T10:00:00 Z", "2026-13-01T10:00:00Z"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    assert_int_equal(pq_parse_timestamp(S(bad[i]), true, &t, &why), -1);
}

static void utf8(void **state) {
  (void)state;
  assert_true(pq_utf8_valid(S("Z\xc3\xbcrich \xf0\x9f\x8c\x8d")));
  assert_false(pq_utf8_valid(S("\xc0\xaf")));         /* overlong */
  assert_false(pq_utf8_valid(S("\xed\xa0\x80")));     /* surrogate */
  assert_false(pq_utf8_valid(S("\xf4\x90\x80\x80"))); /* above U+10FFFF */
  assert_false(pq_utf8_valid(S("\xe2\x82")));         /* cut */
}

static int count_bytes(void *user, const void *data, size_t len) {
  (void)data;
  *(size_t *)user += len;
  return 0;
}

static void fields_written_to_a_writer(void **state) {
  (void)state;
  static const PqColumn COLUMNS[] = {{"id", PQ_INT64, false},
                                     {"name", PQ_STRING, true},
                                     {"genres", PQ_STRING_LIST, true}};
  PqSchema schema = {COLUMNS, 3};
  PqOptions options = pq_default_options();
  size_t bytes = 0;
  const char *error = NULL, *why = NULL;
  PqWriter *w = pq_writer_open(&schema, &options, count_bytes, &bytes, &error);
  assert_non_null(w);
  /* a refused value leaves the writer as it was: the row can be abandoned */
  assert_int_equal(pq_write_text(w, 0, &COLUMNS[0], S("x"), false, '|', &why), -1);
  assert_string_equal(why, "not a whole number");
  assert_int_equal(pq_write_text(w, 0, &COLUMNS[0], "", 0, false, '|', &why), -1);
  assert_string_equal(why, "empty, and the column is required");
  assert_int_equal(pq_write_text(w, 0, &COLUMNS[0], S("7"), false, '|', &why), 0);
  assert_int_equal(pq_write_text(w, 1, &COLUMNS[1], "", 0, true, '|', &why), 0); /* "" */
  assert_int_equal(pq_write_text(w, 2, &COLUMNS[2], S("rock|jazz"), false, '|', &why), 0);
  assert_int_equal(pq_end_row(w), 0);
  assert_int_equal(pq_write_text(w, 0, &COLUMNS[0], S("8"), false, '|', &why), 0);
  assert_int_equal(pq_write_text(w, 1, &COLUMNS[1], "", 0, false, '|', &why), 0); /* null */
  assert_int_equal(pq_write_text(w, 2, &COLUMNS[2], "", 0, true, '|', &why), 0);  /* [] */
  assert_int_equal(pq_end_row(w), 0);
  assert_int_equal(pq_write_text(w, 0, &COLUMNS[0], S("9"), false, '|', &why), 0);
  assert_int_equal(pq_write_text(w, 1, &COLUMNS[1], S("\xff"), false, '|', &why), -1);
  assert_string_equal(why, "not UTF-8 text");
  assert_int_equal(pq_write_null(w, 1), 0);
  assert_int_equal(pq_write_text(w, 2, &COLUMNS[2], "", 0, false, '|', &why), 0); /* null */
  assert_int_equal(pq_end_row(w), 0);
  assert_int_equal(pq_writer_close(w), 0);
  assert_true(pq_rows(w) == 3);
  assert_true(bytes == pq_bytes_written(w) && bytes > 12);
  pq_writer_free(w);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(whole_numbers), cmocka_unit_test(real_numbers_and_booleans),
      cmocka_unit_test(dates),         cmocka_unit_test(timestamps),
      cmocka_unit_test(utf8),          cmocka_unit_test(fields_written_to_a_writer),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
