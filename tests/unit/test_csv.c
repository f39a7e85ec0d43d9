/* csv: the streaming CSV reader, on inputs fed whole and in chunks of every
 * small size (a record must not depend on where the chunks end): quotes,
 * line ends inside them, CRLF, lone CR, a BOM (split too), ragged rows,
 * empty fields and lines, and each refusal with its line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

typedef struct {
  char *text; /* the records as "@line f1|q:f2|...;" */
  size_t len, cap;
  int stop_after;
} Seen;

static void add(Seen *s, const char *data, size_t len) {
  if (s->len + len + 1 > s->cap) {
    s->cap = (s->len + len + 1) * 2;
    s->text = realloc(s->text, s->cap);
  }
  memcpy(s->text + s->len, data, len);
  s->len += len;
  s->text[s->len] = '\0';
}

static int on_record(void *user, const CsvField *fields, size_t count, uint64_t line) {
  Seen *s = user;
  char head[32];
  add(s, head, (size_t)snprintf(head, sizeof head, "@%llu ", (unsigned long long)line));
  for (size_t i = 0; i < count; i++) {
    if (i) add(s, "|", 1);
    if (fields[i].quoted) add(s, "q:", 2);
    assert_int_equal(fields[i].data[fields[i].len], '\0');
    add(s, fields[i].data, fields[i].len);
  }
  add(s, ";", 1);
  return s->stop_after && --s->stop_after == 0;
}

/* The records of `input` fed in chunks of `chunk` bytes (0: whole), or
 * "ERROR <message>"; malloc'd. */
static char *read_in_chunks(const char *input, size_t len, size_t chunk, int stop_after) {
  Seen seen = {NULL, 0, 0, stop_after};
  add(&seen, "", 0);
  CsvReader *r = csv_open(on_record, &seen, 64);
  int rc = 0;
  for (size_t at = 0; at < len && rc == 0; at += chunk ? chunk : len) {
    size_t n = chunk && len - at > chunk ? chunk : len - at;
    rc = csv_feed(r, input + at, n);
  }
  if (rc == 0) rc = csv_finish(r);
  if (rc) {
    seen.len = 0;
    add(&seen, "ERROR ", 6);
    add(&seen, csv_error(r), strlen(csv_error(r)));
  }
  csv_free(r);
  return seen.text;
}

/* The same result whole and in chunks of 1 to 7 bytes. */
static void expect(const char *input, size_t len, const char *want) {
  for (size_t chunk = 0; chunk <= 7; chunk++) {
    char *got = read_in_chunks(input, len, chunk, 0);
    if (strcmp(got, want) != 0)
      fail_msg("input %s in chunks of %zu:\n got  %s\n want %s", input, chunk, got, want);
    free(got);
  }
}
#define EXPECT(input, want) expect(input, sizeof input - 1, want)

static void plain_records(void **state) {
  (void)state;
  EXPECT("a,b,c\n1,2,3\n", "@1 a|b|c;@2 1|2|3;");
  EXPECT("a,b\n1,2", "@1 a|b;@2 1|2;"); /* no line end at the end */
  EXPECT("", "");
  EXPECT("x", "@1 x;");
}

static void quoted_fields(void **state) {
  (void)state;
  EXPECT("\"x,y\",\"say \"\"hi\"\"\",\"\"\n", "@1 q:x,y|q:say \"hi\"|q:;");
  EXPECT("\"two\nlines\",b\nc\n", "@1 q:two\nlines|b;@3 c;");
  EXPECT("\"cr\r\nlf\",b\r\nc\r\n", "@1 q:cr\r\nlf|b;@3 c;");
  EXPECT("\"\"\"\"\n", "@1 q:\";");
}

static void line_ends(void **state) {
  (void)state;
  EXPECT("a,b\r\nc,d\r\n", "@1 a|b;@2 c|d;");
  EXPECT("a\rb\rc", "@1 a;@2 b;@3 c;");
  EXPECT("a\n\n\r\n\nb\n", "@1 a;@5 b;"); /* empty lines skipped, still counted */
  EXPECT("\"q\"\r\n\"r\"\n", "@1 q:q;@2 q:r;");
}

static void byte_order_mark(void **state) {
  (void)state;
  EXPECT("\xEF\xBB\xBF" "a,b\n", "@1 a|b;");
  EXPECT("\xEF\xBB\xBF\"a\",b\n", "@1 q:a|b;");
  EXPECT("\xEF\xBBx\n", "@1 \xEF\xBBx;"); /* not a BOM: data */
  EXPECT("\xEF", "@1 \xEF;");
  EXPECT("a\xEF\xBB\xBF\n", "@1 a\xEF\xBB\xBF;"); /* only at the start */
}

static void ragged_and_empty(void **state) {
  (void)state;
  EXPECT("a\nb,c,d\ne,f\n", "@1 a;@2 b|c|d;@3 e|f;");
  EXPECT(",,\n", "@1 ||;");
  EXPECT(",\"\",\n", "@1 |q:|;");
}

static void embedded_nul(void **state) {
  (void)state;
  char *got = read_in_chunks("a\0b,c\n", 6, 0, 0);
  assert_memory_equal(got, "@1 a\0b|c;", 10);
  free(got);
}

static void refusals(void **state) {
  (void)state;
  EXPECT("ok\na\"b\n", "ERROR line 2: a quote inside an unquoted field");
  EXPECT("\"a\"b\n", "ERROR line 1: a byte after a closing quote that is not a comma or a line end");
  EXPECT("a\n\"open\nstill", "ERROR line 3: a quote left open at the end of the input");
  EXPECT("0123456789012345678901234567890123456789,0123456789012345678901234567890\n",
         "ERROR line 1: a record longer than the limit");
}

static void the_caller_stops(void **state) {
  (void)state;
  char *got = read_in_chunks("a\nb\nc\n", 6, 0, 2);
  assert_string_equal(got, "ERROR line 3: stopped by the caller");
  free(got);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(plain_records),   cmocka_unit_test(quoted_fields),
      cmocka_unit_test(line_ends),       cmocka_unit_test(byte_order_mark),
      cmocka_unit_test(ragged_and_empty), cmocka_unit_test(embedded_nul),
      cmocka_unit_test(refusals),        cmocka_unit_test(the_caller_stops),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
