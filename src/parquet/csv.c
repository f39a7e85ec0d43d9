/* csv: a streaming CSV reader, a state machine over the bytes pushed. */
#include "csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

typedef enum {
  FIELD_START,  /* at the start of a field */
  UNQUOTED,     /* in an unquoted field */
  QUOTED,       /* in quotes */
  QUOTE_QUOTED, /* a quote in quotes: the closing one, or the first of "" */
} CsvState;

static const char BOM[3] = {'\xEF', '\xBB', '\xBF'};

struct CsvReader {
  CsvRecordFn on_record;
  void *user;
  size_t max_record;
  CsvState state;
  PqBuf record;   /* the record's field bytes, each followed by a NUL */
  PqBuf fields;   /* CsvField per field, pointed into record at the end */
  size_t field_start;
  int field_quoted;
  int record_open;  /* a byte of this record has been read */
  int after_cr;     /* the last byte ended a record with CR: skip one LF */
  int quoted_cr;    /* the last byte in quotes was a CR (for line numbers) */
  int bom_matched;  /* BOM bytes matched at the start; -1 once past it */
  uint64_t line, record_line, records;
  uint64_t error_line; /* the line an error was found on */
  char error[160];
};

CsvReader *csv_open(CsvRecordFn on_record, void *user, size_t max_record_bytes) {
  CsvReader *r = pq_calloc(1, sizeof *r);
  r->on_record = on_record;
  r->user = user;
  r->max_record = max_record_bytes ? max_record_bytes : CSV_DEFAULT_MAX_RECORD;
  r->line = r->record_line = 1;
  return r;
}

static int fail(CsvReader *r, const char *what) {
  if (!r->error[0]) {
    snprintf(r->error, sizeof r->error, "line %llu: %s", (unsigned long long)r->line, what);
    r->error_line = r->line;
  }
  return -1;
}

static int append(CsvReader *r, const char *data, size_t len) {
  if (r->record.len + len > r->max_record) return fail(r, "a record longer than the limit");
  pq_buf_append(&r->record, data, len);
  return 0;
}

static void end_field(CsvReader *r) {
  CsvField f = {NULL, r->record.len - r->field_start, r->field_quoted};
  /* data is an offset until the record ends (the buffer may move) */
  f.data = (const char *)(uintptr_t)r->field_start;
  pq_buf_byte(&r->record, 0);
  pq_buf_append(&r->fields, &f, sizeof f);
  r->field_start = r->record.len;
  r->field_quoted = 0;
  r->state = FIELD_START;
}

static int end_record(CsvReader *r) {
  if (!r->record_open) return 0; /* an empty line */
  end_field(r);
  CsvField *fields = (CsvField *)r->fields.data;
  size_t count = r->fields.len / sizeof *fields;
  for (size_t i = 0; i < count; i++)
    fields[i].data = (const char *)r->record.data + (uintptr_t)fields[i].data;
  int stop = r->on_record(r->user, fields, count, r->record_line);
  r->records++;
  r->record.len = r->fields.len = r->field_start = 0;
  r->record_open = 0;
  return stop ? fail(r, "stopped by the caller") : 0;
}

/* A line end outside quotes, LF or CR (a CRLF's LF is skipped in step). */
static int line_end(CsvReader *r, char c) {
  r->after_cr = c == '\r';
  r->line++;
  int rc = end_record(r);
  r->record_line = r->line;
  return rc;
}

/* The length of the run of plain bytes at p (no comma, quote or line end). */
static size_t unquoted_run(const char *p, size_t len) {
  size_t i = 0;
  while (i < len && p[i] != ',' && p[i] != '"' && p[i] != '\n' && p[i] != '\r') i++;
  return i;
}

/* The run up to a quote, counting the line ends in it (CR, LF, CRLF). */
static size_t quoted_run(CsvReader *r, const char *p, size_t len) {
  size_t i = 0;
  for (; i < len && p[i] != '"'; i++) {
    if (p[i] == '\r' || (p[i] == '\n' && !r->quoted_cr)) r->line++;
    r->quoted_cr = p[i] == '\r';
  }
  return i;
}

/* One special byte (or a run of plain ones) in the given state; returns the
 * bytes consumed, or -1. */
static long step(CsvReader *r, const char *p, size_t len) {
  char c = p[0];
  if (r->after_cr) {
    r->after_cr = 0;
    if (c == '\n') return 1; /* CRLF: one line end */
  }
  switch (r->state) {
  case FIELD_START:
    if (c == '"') {
      r->record_open = 1;
      r->field_quoted = 1;
      r->quoted_cr = 0;
      r->state = QUOTED;
      return 1;
    }
    /* any other first byte: as in an unquoted field */
    /* fall through */
  case UNQUOTED:
    if (c == ',') {
      r->record_open = 1;
      end_field(r);
      return 1;
    }
    if (c == '\n' || c == '\r') return line_end(r, c) ? -1 : 1;
    if (c == '"') return fail(r, "a quote inside an unquoted field");
    r->record_open = 1;
    r->state = UNQUOTED;
    size_t n = unquoted_run(p, len);
    return append(r, p, n) ? -1 : (long)n;
  case QUOTED: {
    if (c == '"') {
      r->state = QUOTE_QUOTED;
      return 1;
    }
    size_t m = quoted_run(r, p, len);
    return append(r, p, m) ? -1 : (long)m;
  }
  case QUOTE_QUOTED:
    if (c == '"') { /* "" is one quote */
      r->state = QUOTED;
      return append(r, "\"", 1) ? -1 : 1;
    }
    if (c == ',') {
      end_field(r);
      return 1;
    }
    if (c == '\n' || c == '\r') return line_end(r, c) ? -1 : 1;
    return fail(r, "a byte after a closing quote that is not a comma or a line end");
  }
  return -1;
}

static int feed_bytes(CsvReader *r, const char *data, size_t len) {
  size_t i = 0;
  while (i < len) {
    long used = step(r, data + i, len - i);
    if (used < 0) return -1;
    i += (size_t)used;
  }
  return 0;
}

/* A BOM may arrive split over chunks: the bytes matched so far are held
 * back, and fed as data if the rest does not match. */
static size_t skip_bom(CsvReader *r, const char *data, size_t len, int *rc) {
  size_t i = 0;
  while (r->bom_matched >= 0 && i < len) {
    if (data[i] == BOM[r->bom_matched]) {
      i++;
      if (++r->bom_matched == 3) r->bom_matched = -1;
      continue;
    }
    int matched = r->bom_matched;
    r->bom_matched = -1;
    *rc = feed_bytes(r, BOM, (size_t)matched);
  }
  return i;
}

int csv_feed(CsvReader *r, const char *data, size_t len) {
  if (r->error[0]) return -1;
  int rc = 0;
  size_t skipped = skip_bom(r, data, len, &rc);
  if (rc) return -1;
  return feed_bytes(r, data + skipped, len - skipped);
}

int csv_finish(CsvReader *r) {
  if (r->error[0]) return -1;
  if (r->bom_matched > 0) { /* the input was a BOM's first bytes */
    int matched = r->bom_matched;
    r->bom_matched = -1;
    if (feed_bytes(r, BOM, (size_t)matched)) return -1;
  }
  if (r->state == QUOTED) return fail(r, "a quote left open at the end of the input");
  return end_record(r);
}

const char *csv_error(const CsvReader *r) {
  return r->error[0] ? r->error : "no error";
}

uint64_t csv_error_line(const CsvReader *r) {
  return r->error_line;
}

uint64_t csv_records(const CsvReader *r) {
  return r->records;
}

void csv_free(CsvReader *r) {
  if (!r) return;
  pq_buf_free(&r->record);
  pq_buf_free(&r->fields);
  free(r);
}
