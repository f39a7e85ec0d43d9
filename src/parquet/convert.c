#include "convert.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- numbers ---- */

int pq_parse_int64(const char *text, size_t len, int64_t min, int64_t max, int64_t *out,
                   const char **why) {
  size_t i = 0;
  bool negative = len > 0 && text[0] == '-';
  if (len > 0 && (text[0] == '-' || text[0] == '+'))
    i = 1;
  if (i == len) {
    *why = "not a whole number";
    return -1;
  }
  /* accumulate as a negative number: its range holds INT64_MIN */
  int64_t value = 0;
  for (; i < len; i++) {
    if (text[i] < '0' || text[i] > '9') {
      *why = "not a whole number";
      return -1;
    }
    int digit = text[i] - '0';
    if (value < (INT64_MIN + digit) / 10) {
      *why = "out of range";
      return -1;
    }
    value = value * 10 - digit;
  }
  if (!negative && value == INT64_MIN) {
    *why = "out of range";
    return -1;
  }
  value = negative ? value : -value;
  if (value < min || value > max) {
    *why = "out of range";
    return -1;
  }
  *out = value;
  return 0;
}

int pq_parse_double(const char *text, size_t len, double *out, const char **why) {
  char small[64];
  char *copy = len < sizeof small ? small : malloc(len + 1);
  if (!copy)
    abort();
  memcpy(copy, text, len);
  copy[len] = '\0';
  char *end;
  double value = len && !strchr(" \t\n\r\f\v", text[0]) ? strtod(copy, &end) : 0;
  bool whole = len && !strchr(" \t\n\r\f\v", text[0]) && end == copy + len;
  if (copy != small)
    free(copy);
  if (!whole) {
    *why = "not a number";
    return -1;
  }
  if (!isfinite(value)) {
    *why = "not a finite number";
    return -1;
  }
  *out = value;
  return 0;
}

static bool same_ignoring_case(const char *text, size_t len, const char *word) {
  if (strlen(word) != len)
    return false;
  for (size_t i = 0; i < len; i++)
    if ((text[i] | 0x20) != word[i])
      return false;
  return true;
}

int pq_parse_boolean(const char *text, size_t len, bool *out, const char **why) {
  if (same_ignoring_case(text, len, "true") || (len == 1 && text[0] == '1'))
    *out = true;
  else if (same_ignoring_case(text, len, "false") || (len == 1 && text[0] == '0'))
    *out = false;
  else {
    *why = "not true, false, 1 or 0";
    return -1;
  }
  return 0;
}

/* ---- dates and times ---- */

/* Digits at text[at..at+n) as a number, or -1. */
static int digits(const char *text, size_t at, size_t n) {
  int value = 0;
  for (size_t i = at; i < at + n; i++) {
    if (text[i] < '0' || text[i] > '9')
      return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

static bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int days_in_month(int y, int m) {
  static const int DAYS[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : DAYS[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil). */
static int64_t days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/* YYYY-MM-DD at the start of text (at least 10 bytes). */
static int parse_day(const char *text, int64_t *days, const char **why) {
  int y = digits(text, 0, 4), m = digits(text, 5, 2), d = digits(text, 8, 2);
  if (y < 0 || m < 0 || d < 0 || text[4] != '-' || text[7] != '-') {
    *why = "not a date (YYYY-MM-DD)";
    return -1;
  }
  if (y < 1 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) {
    *why = "not a day of the calendar";
    return -1;
  }
  *days = days_from_civil(y, m, d);
  return 0;
}

int pq_parse_date(const char *text, size_t len, int32_t *days, const char **why) {
  int64_t value;
  if (len != 10) {
    *why = "not a date (YYYY-MM-DD)";
    return -1;
  }
  if (parse_day(text, &value, why))
    return -1;
  *days = (int32_t)value;
  return 0;
}

/* HH:MM:SS at text (8 bytes) as seconds of the day. */
static int parse_clock(const char *text, int64_t *seconds, const char **why) {
  int h = digits(text, 0, 2), mi = digits(text, 3, 2), s = digits(text, 6, 2);
  if (h < 0 || mi < 0 || s < 0 || text[2] != ':' || text[5] != ':' || h > 23 || mi > 59 ||
      s > 59) {
    *why = "not a time of day (HH:MM:SS)";
    return -1;
  }
  *seconds = h * 3600 + mi * 60 + s;
  return 0;
}

/* ".fff..." (1 to 9 digits) from *at, as nanoseconds. */
static int parse_fraction(const char *text, size_t len, size_t *at, int64_t *nanos,
                          const char **why) {
  *nanos = 0;
  if (*at >= len || text[*at] != '.')
    return 0;
  size_t start = ++*at, n = 0;
  int64_t scale = 100000000;
  for (; *at < len && text[*at] >= '0' && text[*at] <= '9'; ++*at, n++, scale /= 10)
    *nanos += (text[*at] - '0') * scale;
  if (n < 1 || n > 9 || *at - start != n) {
    *why = "a fraction of a second has 1 to 9 digits";
    return -1;
  }
  return 0;
}

/* "", "Z", "+HH:MM" or "-HH:MM" from at to the end, as seconds east of UTC. */
static int parse_zone(const char *text, size_t len, size_t at, int64_t *offset, const char **why) {
  *offset = 0;
  if (at == len || (at + 1 == len && text[at] == 'Z'))
    return 0;
  int h = at + 6 == len ? digits(text, at + 1, 2) : -1, m = h >= 0 ? digits(text, at + 4, 2) : -1;
  if (m < 0 || (text[at] != '+' && text[at] != '-') || text[at + 3] != ':' || h > 23 || m > 59) {
    *why = "a time zone is Z, +HH:MM or -HH:MM";
    return -1;
  }
  *offset = (text[at] == '-' ? -1 : 1) * (h * 3600 + m * 60);
  return 0;
}

int pq_parse_timestamp(const char *text, size_t len, bool micros, int64_t *out, const char **why) {
  int64_t days, seconds, nanos, offset;
  if (len < 19 || (text[10] != 'T' && text[10] != ' ')) {
    *why = "not a timestamp (YYYY-MM-DDTHH:MM:SS)";
    return -1;
  }
  size_t at = 19;
  if (parse_day(text, &days, why) || parse_clock(text + 11, &seconds, why) ||
      parse_fraction(text, len, &at, &nanos, why) || parse_zone(text, len, at, &offset, why))
    return -1;
  int64_t utc = days * 86400 + seconds - offset; /* years 1-9999: no overflow below */
  *out = micros ? utc * 1000000 + nanos / 1000 : utc * 1000 + nanos / 1000000;
  return 0;
}

/* ---- text ---- */

bool pq_utf8_valid(const char *text, size_t len) {
  const unsigned char *s = (const unsigned char *)text;
  for (size_t i = 0; i < len;) {
    unsigned char c = s[i];
    size_t n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
    if (n == 0 || i + n > len)
      return false;
    uint32_t cp = n == 1 ? c : (uint32_t)(c & (0x7f >> n));
    for (size_t k = 1; k < n; k++) {
      if ((s[i + k] & 0xc0) != 0x80)
        return false;
      cp = cp << 6 | (s[i + k] & 0x3f);
    }
    static const uint32_t MIN[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < MIN[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    i += n;
  }
  return true;
}

/* ---- writing ---- */

static int write_list(PqWriter *w, size_t column, const char *text, size_t len, bool quoted,
                      char separator, const char **why) {
  size_t count = 0, cap = 8;
  PqBytes *items = NULL;
  int result = 0;
  if (len > 0 || !quoted) { /* "" quoted: the empty list */
    items = malloc(cap * sizeof *items);
    for (size_t start = 0; items;) {
      const char *end = memchr(text + start, separator, len - start);
      size_t n = end ? (size_t)(end - (text + start)) : len - start;
      if (count == cap)
        items = realloc(items, (cap *= 2) * sizeof *items);
      if (!items)
        break;
      items[count++] = (PqBytes){text + start, n};
      if (!end)
        break;
      start += n + 1;
    }
    if (!items)
      abort();
  }
  for (size_t i = 0; i < count && !result; i++)
    if (!pq_utf8_valid(items[i].data, items[i].len)) {
      *why = "an item is not UTF-8 text";
      result = -1;
    }
  if (!result && pq_write_list(w, column, items, count))
    result = -2;
  free(items);
  return result;
}

static int write_number(PqWriter *w, size_t column, PqType type, const char *text, size_t len,
                        const char **why) {
  int64_t whole;
  double real;
  bool truth;
  int32_t days;
  switch (type) {
  case PQ_INT32:
    if (pq_parse_int64(text, len, INT32_MIN, INT32_MAX, &whole, why))
      return -1;
    return pq_write_int32(w, column, (int32_t)whole) ? -2 : 0;
  case PQ_INT64:
    if (pq_parse_int64(text, len, INT64_MIN, INT64_MAX, &whole, why))
      return -1;
    return pq_write_int64(w, column, whole) ? -2 : 0;
  case PQ_DOUBLE:
    if (pq_parse_double(text, len, &real, why))
      return -1;
    return pq_write_double(w, column, real) ? -2 : 0;
  case PQ_BOOLEAN:
    if (pq_parse_boolean(text, len, &truth, why))
      return -1;
    return pq_write_boolean(w, column, truth) ? -2 : 0;
  case PQ_DATE:
    if (pq_parse_date(text, len, &days, why))
      return -1;
    return pq_write_int32(w, column, days) ? -2 : 0;
  default:
    if (pq_parse_timestamp(text, len, type == PQ_TIMESTAMP_MICROS, &whole, why))
      return -1;
    return pq_write_int64(w, column, whole) ? -2 : 0;
  }
}

int pq_write_text(PqWriter *w, size_t column, const PqColumn *type, const char *text, size_t len,
                  bool quoted, char list_separator, const char **why) {
  if (len == 0 && !quoted) {
    if (!type->optional) {
      *why = "empty, and the column is required";
      return -1;
    }
    return pq_write_null(w, column) ? -2 : 0;
  }
  if (type->type == PQ_STRING_LIST)
    return write_list(w, column, text, len, quoted, list_separator, why);
  if (type->type == PQ_STRING) {
    if (!pq_utf8_valid(text, len)) {
      *why = "not UTF-8 text";
      return -1;
    }
    return pq_write_string(w, column, text, len) ? -2 : 0;
  }
  return write_number(w, column, type->type, text, len, why);
}
