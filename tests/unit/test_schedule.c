/* schedule: rate and cron expressions, field by field. */
#include "support.h"
#include "schedule.h"

#include <string.h>

static void valid(const char *expr) {
  ScheduleError e;
  if (!schedule_check(expr, &e))
    fail_msg("'%s' rejected: %s", expr, e.message);
}

static void invalid(const char *expr, const char *message_part, size_t offset) {
  ScheduleError e;
  if (schedule_check(expr, &e))
    fail_msg("'%s' accepted", expr);
  if (!strstr(e.message, message_part))
    fail_msg("'%s': message '%s' lacks '%s'", expr, e.message, message_part);
  assert_int_equal(e.offset, offset);
}

/* The fix a diagnostic offers for the offending part ("" when none is clear). */
static void fixed(const char *expr, size_t offset, const char *fix) {
  ScheduleError e;
  if (schedule_check(expr, &e))
    fail_msg("'%s' accepted", expr);
  assert_int_equal(e.offset, offset);
  assert_string_equal(e.fix, fix);
}

static void day_field_fixes(void **state) {
  (void)state;
  fixed("cron(0 12 * * MON *)", 10, "?"); /* day-of-month '*' says nothing: '?' */
  fixed("cron(0 12 1 * * *)", 14, "?");   /* day-of-week '*' says nothing: '?' */
  fixed("cron(0 12 * * * *)", 14, "?");
  fixed("cron(0 12 ? * ? *)", 14, "*");   /* both '?': every day */
  fixed("cron(0 12 1 * MON *)", 10, "");  /* which one was meant is the user's to say */
  fixed("cron(60 12 * * ? *)", 5, "");    /* only the day fields have a fix */
}

static void rates(void **state) {
  (void)state;
  valid("rate(1 minute)");
  valid("rate(5 minutes)");
  valid("rate(1 hour)");
  valid("rate(12 days)");
  invalid("rate(1 minutes)", "singular", 7);
  invalid("rate(2 hour)", "plural", 7);
  invalid("rate(0 minutes)", "positive", 5);
  invalid("rate(x minutes)", "positive", 5);
  invalid("rate(5 weeks)", "minute(s), hour(s) or day(s)", 7);
  invalid("rate(5)", "value and a unit", 5);
  invalid("every minute", "rate(VALUE UNIT) or cron(FIELDS)", 0);
  invalid("rate(5 minutes", "end with ')'", 13);
}

static void crons(void **state) {
  (void)state;
  valid("cron(0 12 * * ? *)");
  valid("cron(30 4 ? * MON-FRI *)");
  valid("cron(0/15 * * * ? *)");
  valid("cron(0 8 1,15 * ? 2026)");
  valid("cron(0 0 L * ? *)");
  valid("cron(0 0 ? * 6#3 *)");
  valid("cron(0 0 15W jan-mar ? *)");
  invalid("cron(0 12 * * *)", "6 fields", 5);
  invalid("cron(60 12 * * ? *)", "minute '60' is outside 0..59", 5);
  invalid("cron(0 24 * * ? *)", "hour '24' is outside 0..23", 7);
  invalid("cron(0 12 32 * ? *)", "day-of-month '32'", 10);
  invalid("cron(0 12 * 13 ? *)", "month '13'", 12);
  invalid("cron(0 12 ? * FUN *)", "'FUN' is not a valid day-of-week", 14);
  invalid("cron(0 12 * * MON *)", "exactly one of day-of-month and day-of-week", 10);
  invalid("cron(0 12 ? * ? *)", "cannot both be '?'", 14);
  invalid("cron(0 12 * * ? 1900)", "year '1900'", 16);
  invalid("cron(0/0 * * * ? *)", "step", 7);
  invalid("cron(1,,2 * * * ? *)", "empty item", 7);
  invalid("cron(0 0 ? * 2#6 *)", "1 to 5", 15);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(rates), cmocka_unit_test(crons),
                                     cmocka_unit_test(day_field_fixes)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
