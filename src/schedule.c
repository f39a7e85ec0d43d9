/* schedule: rate(VALUE UNIT) and EventBridge's six-field cron(...). Each cron
 * field is a comma list of items (*, ?, N, N-M, X/STEP and the day specials
 * L, W, #), and each number is checked against its field's range. */
#include "schedule.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool fail(ScheduleError *e, size_t off, size_t len, const char *fmt, const char *a) {
  snprintf(e->message, sizeof e->message, fmt, a);
  e->offset = off;
  e->len = len ? len : 1;
  return false;
}

static bool check_rate(const char *expr, const char *body, size_t body_len, ScheduleError *e) {
  size_t off = (size_t)(body - expr);
  char buf[64];
  if (body_len >= sizeof buf)
    return fail(e, off, body_len, "%s", "rate(...) is too long");
  memcpy(buf, body, body_len);
  buf[body_len] = '\0';
  char *unit = strchr(buf, ' ');
  if (!unit)
    return fail(e, off, body_len, "%s", "rate(...) needs a value and a unit, as in rate(5 minutes)");
  *unit++ = '\0';
  for (const char *p = buf; *p; p++)
    if (!isdigit((unsigned char)*p))
      return fail(e, off, strlen(buf), "rate value '%s' is not a positive whole number", buf);
  long v = strtol(buf, NULL, 10);
  if (!*buf || v <= 0 || strlen(buf) > 9)
    return fail(e, off, strlen(buf), "rate value '%s' is not a positive whole number", buf);
  size_t uoff = off + (size_t)(unit - buf);
  static const char *const singular[] = {"minute", "hour", "day"};
  static const char *const plural[] = {"minutes", "hours", "days"};
  for (int i = 0; i < 3; i++) {
    if (!strcmp(unit, singular[i]) && v == 1)
      return true;
    if (!strcmp(unit, plural[i]) && v > 1)
      return true;
    if (!strcmp(unit, singular[i]))
      return fail(e, uoff, strlen(unit), "use the plural '%ss' for a value above 1", unit);
    if (!strcmp(unit, plural[i]))
      return fail(e, uoff, strlen(unit), "use the singular for a value of 1, not '%s'", unit);
  }
  return fail(e, uoff, strlen(unit), "rate unit '%s' is not minute(s), hour(s) or day(s)", unit);
}

typedef struct CronField {
  const char *name;
  int min, max;
  const char *const *names; /* JAN.. or SUN.., index + min = value */
  const char *specials;     /* extra single characters allowed: "?", "LW", "L#" */
} CronField;

static const char *const MONTHS[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                     "JUL", "AUG", "SEP", "OCT", "NOV", "DEC", NULL};
static const char *const DAYS[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", NULL};

static const CronField CRON_FIELDS[6] = {
    {"minute", 0, 59, NULL, ""},
    {"hour", 0, 23, NULL, ""},
    {"day-of-month", 1, 31, NULL, "?LW"},
    {"month", 1, 12, MONTHS, ""},
    {"day-of-week", 1, 7, DAYS, "?L#"},
    {"year", 1970, 2199, NULL, ""},
};

/* A single value (number or name) of the field; false if not one. */
static bool cron_value(const CronField *f, const char *s, size_t n, int *out) {
  if (n == 0 || n > 4)
    return false;
  if (isdigit((unsigned char)s[0])) {
    int v = 0;
    for (size_t i = 0; i < n; i++) {
      if (!isdigit((unsigned char)s[i]))
        return false;
      v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
  }
  for (int i = 0; f->names && f->names[i]; i++)
    if (n == 3 && !strncasecmp(s, f->names[i], 3)) {
      *out = f->min + i;
      return true;
    }
  return false;
}

static bool cron_number(const CronField *f, const char *s, size_t n, size_t off,
                        ScheduleError *e) {
  int v;
  char text[16];
  snprintf(text, sizeof text, "%.*s", (int)(n < 15 ? n : 15), s);
  if (!cron_value(f, s, n, &v)) {
    char msg[96];
    snprintf(msg, sizeof msg, "'%%s' is not a valid %s value", f->name);
    return fail(e, off, n, msg, text);
  }
  if (v < f->min || v > f->max) {
    char msg[96];
    snprintf(msg, sizeof msg, "%s '%%s' is outside %d..%d", f->name, f->min, f->max);
    return fail(e, off, n, msg, text);
  }
  return true;
}

/* One comma-separated item of a field. */
static bool cron_item(const CronField *f, const char *s, size_t n, size_t off,
                      ScheduleError *e) {
  if (n == 1 && (s[0] == '*' || (s[0] == '?' && strchr(f->specials, '?'))))
    return true;
  if (strchr(f->specials, 'L') && n == 1 && s[0] == 'L')
    return true;
  if (strchr(f->specials, 'W') && n == 2 && !strncmp(s, "LW", 2))
    return true;
  const char *slash = memchr(s, '/', n);
  if (slash) {
    size_t head = (size_t)(slash - s);
    if (!(head == 1 && s[0] == '*') && !cron_item(f, s, head, off, e))
      return false;
    int step;
    size_t tail = n - head - 1;
    if (!cron_value(&(CronField){"step", 1, 1000, NULL, ""}, slash + 1, tail, &step) || step < 1)
      return fail(e, off + head + 1, tail, "%s", "the step after '/' must be a positive number");
    return true;
  }
  const char *dash = memchr(s, '-', n);
  if (dash && dash != s) {
    size_t head = (size_t)(dash - s);
    return cron_number(f, s, head, off, e) &&
           cron_number(f, dash + 1, n - head - 1, off + head + 1, e);
  }
  if (strchr(f->specials, '#')) {
    const char *hash = memchr(s, '#', n);
    if (hash) {
      size_t head = (size_t)(hash - s);
      if (!cron_number(f, s, head, off, e))
        return false;
      if (n - head - 1 != 1 || hash[1] < '1' || hash[1] > '5')
        return fail(e, off + head + 1, n - head - 1, "%s", "the week after '#' is 1 to 5");
      return true;
    }
  }
  if (n > 1 && (s[n - 1] == 'W' || s[n - 1] == 'L') && strchr(f->specials, s[n - 1]))
    return cron_number(f, s, n - 1, off, e);
  return cron_number(f, s, n, off, e);
}

static bool cron_field(const CronField *f, const char *s, size_t n, size_t off,
                       ScheduleError *e) {
  size_t start = 0;
  for (size_t i = 0; i <= n; i++) {
    if (i < n && s[i] != ',')
      continue;
    if (i == start)
      return fail(e, off + start, 1, "empty item in the %s field", f->name);
    if (!cron_item(f, s + start, i - start, off + start, e))
      return false;
    start = i + 1;
  }
  return true;
}

/* Exactly one of day-of-month (field 2) and day-of-week (field 4) is '?'.
 * When the other one is '*' (or both are '?'), the fix is clear. */
static bool check_day_fields(ScheduleError *e, const char *body, const size_t *starts,
                             const size_t *lens, size_t off) {
  bool dom_any = lens[2] == 1 && body[starts[2]] == '?';
  bool dow_any = lens[4] == 1 && body[starts[4]] == '?';
  bool dow_every = lens[4] == 1 && body[starts[4]] == '*';
  if (dom_any != dow_any)
    return true;
  if (dom_any) { /* both '?': every day is day-of-week '*' */
    fail(e, off + starts[4], lens[4], "%s",
         "day-of-month and day-of-week cannot both be '?'; '*' for day-of-week runs every day");
    snprintf(e->fix, sizeof e->fix, "*");
    return false;
  }
  int k = dow_every ? 4 : 2; /* the field that says nothing is the one to make '?' */
  bool clear = dow_every || (lens[2] == 1 && body[starts[2]] == '*');
  fail(e, off + starts[k], lens[k], "%s",
       clear ? "exactly one of day-of-month and day-of-week must be '?': this one, which "
               "picks every day anyway"
             : "exactly one of day-of-month and day-of-week must be '?': write '?' in the one "
               "that should not choose the days");
  if (clear)
    snprintf(e->fix, sizeof e->fix, "?");
  return false;
}

static bool check_cron(const char *expr, const char *body, size_t body_len, ScheduleError *e) {
  size_t starts[7], lens[7];
  int count = 0;
  size_t i = 0;
  while (i < body_len) {
    while (i < body_len && body[i] == ' ')
      i++;
    if (i == body_len)
      break;
    size_t start = i;
    while (i < body_len && body[i] != ' ')
      i++;
    if (count < 7) {
      starts[count] = start;
      lens[count] = i - start;
    }
    count++;
  }
  size_t off = (size_t)(body - expr);
  if (count != 6)
    return fail(e, off, body_len,
                "cron(...) needs 6 fields (minute hour day-of-month month day-of-week year), "
                "not %s",
                count < 6 ? "fewer" : "more");
  for (int k = 0; k < 6; k++)
    if (!cron_field(&CRON_FIELDS[k], body + starts[k], lens[k], off + starts[k], e))
      return false;
  return check_day_fields(e, body, starts, lens, off);
}

bool schedule_check(const char *expr, ScheduleError *e) {
  size_t n = strlen(expr);
  memset(e, 0, sizeof *e);
  bool is_rate = !strncmp(expr, "rate(", 5), is_cron = !strncmp(expr, "cron(", 5);
  if (!is_rate && !is_cron)
    return fail(e, 0, n, "%s", "a schedule is rate(VALUE UNIT) or cron(FIELDS)");
  if (n < 6 || expr[n - 1] != ')')
    return fail(e, n ? n - 1 : 0, 1, "%s", "the expression must end with ')'");
  const char *body = expr + 5;
  size_t body_len = n - 6;
  return is_rate ? check_rate(expr, body, body_len, e) : check_cron(expr, body, body_len, e);
}
