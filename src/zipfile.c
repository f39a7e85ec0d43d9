/* zipfile: see zipfile.h. The layout is APPNOTE.TXT's: for each entry a
 * local header and its data, then the central directory and its end record.
 * All integers are little-endian. */
#include "zipfile.h"
#include "arena.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

enum {
  LOCAL_HEADER = 0x04034b50,
  CENTRAL_HEADER = 0x02014b50,
  END_OF_CENTRAL = 0x06054b50,
  VERSION_NEEDED = 20,                 /* 2.0: deflate */
  VERSION_MADE_BY = (3 << 8) | 20,     /* Unix, so the external attributes hold a mode */
  DOS_DATE_1980_01_01 = (0 << 9) | (1 << 5) | 1,
  DOS_TIME_MIDNIGHT = 0,
  S_IFREG_BITS = 0100000,
};

static void bytes_reserve(ZipBytes *b, size_t more) {
  if (b->len + more <= b->cap)
    return;
  size_t cap = b->cap ? b->cap : 4096;
  while (cap < b->len + more)
    cap *= 2;
  unsigned char *grown = realloc(b->data, cap);
  if (!grown)
    BUG("out of memory");
  b->data = grown;
  b->cap = cap;
}

static void put(ZipBytes *b, const void *p, size_t n) {
  bytes_reserve(b, n);
  memcpy(b->data + b->len, p, n);
  b->len += n;
}

static void put16(ZipBytes *b, unsigned v) {
  unsigned char c[2] = {(unsigned char)v, (unsigned char)(v >> 8)};
  put(b, c, 2);
}

static void put32(ZipBytes *b, uint32_t v) {
  unsigned char c[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                        (unsigned char)(v >> 24)};
  put(b, c, 4);
}

/* Raw deflate (window bits -15: no zlib header), zlib's default level. */
enum { LEVEL = Z_DEFAULT_COMPRESSION, WINDOW_BITS = -15, MEM_LEVEL = 8, STRATEGY = Z_DEFAULT_STRATEGY };

static bool deflate_all(const unsigned char *data, size_t size, unsigned char **out, size_t *len) {
  z_stream z = {0};
  if (deflateInit2(&z, LEVEL, Z_DEFLATED, WINDOW_BITS, MEM_LEVEL, STRATEGY) != Z_OK)
    BUG("deflateInit2 failed");
  size_t cap = deflateBound(&z, (uLong)size);
  unsigned char *buf = malloc(cap ? cap : 1);
  if (!buf)
    BUG("out of memory");
  z.next_in = (unsigned char *)data;
  z.avail_in = (uInt)size;
  z.next_out = buf;
  z.avail_out = (uInt)cap;
  int rc = deflate(&z, Z_FINISH);
  *len = z.total_out;
  deflateEnd(&z);
  if (rc != Z_STREAM_END) {
    free(buf);
    return false;
  }
  *out = buf;
  return true;
}

bool zip_member_make(ZipMember *m, const unsigned char *data, size_t size) {
  memset(m, 0, sizeof *m);
  if (size >= UINT32_MAX)
    return false;
  m->size = size;
  m->crc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), data, (uInt)size);
  unsigned char *packed = NULL;
  size_t packed_len = 0;
  if (deflate_all(data, size, &packed, &packed_len) && packed_len < size) {
    m->method = 8;
    m->cdata = packed;
    m->csize = packed_len;
    return true;
  }
  free(packed);
  m->method = 0;
  m->cdata = malloc(size ? size : 1);
  if (!m->cdata)
    BUG("out of memory");
  memcpy(m->cdata, data, size);
  m->csize = size;
  return true;
}

void zip_member_release(ZipMember *m) {
  free(m->cdata);
  m->cdata = NULL;
}

/* The runtime zlib's version, not the header's: that is the code that deflates. */
const char *zip_member_settings(char buf[ZIP_SETTINGS_SIZE]) {
  snprintf(buf, ZIP_SETTINGS_SIZE,
           "zipfile 1: raw deflate level %d window %d memlevel %d strategy %d, stored when not "
           "smaller; zlib %s",
           LEVEL, WINDOW_BITS, MEM_LEVEL, STRATEGY, zlibVersion());
  return buf;
}

/* Inflates the stream a piece at a time, comparing as it goes: no buffer of
 * the whole size, and a stream that ends early, late or differently fails. */
static bool inflates_to(const ZipMember *m, const unsigned char *data, size_t size) {
  z_stream z = {0};
  if (inflateInit2(&z, WINDOW_BITS) != Z_OK)
    return false;
  unsigned char piece[65536];
  size_t done = 0;
  int rc = Z_OK;
  z.next_in = m->cdata;
  z.avail_in = (uInt)m->csize;
  while (rc == Z_OK) {
    z.next_out = piece;
    z.avail_out = sizeof piece;
    rc = inflate(&z, Z_NO_FLUSH);
    size_t got = sizeof piece - z.avail_out;
    if ((rc != Z_OK && rc != Z_STREAM_END) || got > size - done ||
        memcmp(piece, data + done, got) != 0)
      rc = Z_DATA_ERROR;
    done += got;
    if (rc == Z_OK && got == 0 && z.avail_in == 0)
      rc = Z_BUF_ERROR; /* input used up before the end of the stream */
  }
  bool whole = rc == Z_STREAM_END && done == size && z.avail_in == 0;
  inflateEnd(&z);
  return whole;
}

bool zip_member_holds(const ZipMember *m, const unsigned char *data, size_t size) {
  if (m->size != size || size >= UINT32_MAX || !m->cdata ||
      m->crc != (uint32_t)crc32(crc32(0L, Z_NULL, 0), data, (uInt)size))
    return false;
  if (m->method == 0)
    return m->csize == size && memcmp(m->cdata, data, size) == 0;
  return m->method == 8 && m->csize < size && m->csize < UINT32_MAX && inflates_to(m, data, size);
}

/* The fields local and central headers share, from "version needed" on. */
static void put_common(ZipBytes *b, const ZipMember *m, size_t name_len) {
  put16(b, VERSION_NEEDED);
  put16(b, 0); /* flags */
  put16(b, m->method);
  put16(b, DOS_TIME_MIDNIGHT);
  put16(b, DOS_DATE_1980_01_01);
  put32(b, m->crc);
  put32(b, (uint32_t)m->csize);
  put32(b, (uint32_t)m->size);
  put16(b, (unsigned)name_len);
  put16(b, 0); /* extra field length */
}

void zip_add(ZipWriter *w, const char *name, unsigned mode, const ZipMember *m) {
  size_t name_len = strlen(name);
  if (name_len > 0xffff || w->entries == 0xffff || w->out.len + m->csize >= UINT32_MAX)
    BUG("zip entry '%s' does not fit a zip without zip64", name);
  uint32_t offset = (uint32_t)w->out.len;
  put32(&w->out, LOCAL_HEADER);
  put_common(&w->out, m, name_len);
  put(&w->out, name, name_len);
  put(&w->out, m->cdata, m->csize);

  put32(&w->central, CENTRAL_HEADER);
  put16(&w->central, VERSION_MADE_BY);
  put_common(&w->central, m, name_len);
  put16(&w->central, 0); /* comment length */
  put16(&w->central, 0); /* disk number */
  put16(&w->central, 0); /* internal attributes */
  put32(&w->central, (uint32_t)(S_IFREG_BITS | (mode & 07777)) << 16);
  put32(&w->central, offset);
  put(&w->central, name, name_len);
  w->entries++;
}

unsigned char *zip_finish(ZipWriter *w, size_t *len) {
  uint32_t central_offset = (uint32_t)w->out.len;
  put(&w->out, w->central.data, w->central.len);
  put32(&w->out, END_OF_CENTRAL);
  put16(&w->out, 0); /* this disk */
  put16(&w->out, 0); /* disk with the central directory */
  put16(&w->out, w->entries);
  put16(&w->out, w->entries);
  put32(&w->out, (uint32_t)w->central.len);
  put32(&w->out, central_offset);
  put16(&w->out, 0); /* comment length */
  unsigned char *data = w->out.data;
  *len = w->out.len;
  free(w->central.data);
  memset(w, 0, sizeof *w);
  return data;
}

static uint32_t read_le(const unsigned char *p, int n) {
  uint32_t v = 0;
  while (n--)
    v = v << 8 | p[n];
  return v;
}

/* The end of central directory record: the last signature from which the
 * record and its comment reach exactly the end of the data. */
static const unsigned char *find_eocd(const unsigned char *data, size_t size) {
  enum { EOCD_LEN = 22, MAX_COMMENT = 65535 };
  if (size < EOCD_LEN)
    return NULL;
  size_t lowest = size - EOCD_LEN > MAX_COMMENT ? size - EOCD_LEN - MAX_COMMENT : 0;
  for (size_t at = size - EOCD_LEN + 1; at-- > lowest;)
    if (read_le(data + at, 4) == 0x06054b50 && at + EOCD_LEN + read_le(data + at + 20, 2) == size)
      return data + at;
  return NULL;
}

const char *zip_entries(const unsigned char *data, size_t size, ZipEntryFn each, void *arg) {
  const unsigned char *eocd = find_eocd(data, size);
  if (!eocd)
    return "has no end of central directory record";
  uint32_t count = read_le(eocd + 10, 2), cd_size = read_le(eocd + 12, 4),
           cd_at = read_le(eocd + 16, 4);
  if (count == 0xffff || cd_at == 0xffffffffu)
    return "is a zip64 archive, which lakec does not read";
  if ((size_t)cd_at > size || (size_t)cd_size > size - cd_at)
    return "has a central directory outside the file";
  const unsigned char *p = data + cd_at, *end = p + cd_size;
  for (uint32_t i = 0; i < count; i++) {
    if (end - p < 46 || read_le(p, 4) != 0x02014b50)
      return "has a damaged central directory";
    size_t name_len = read_le(p + 28, 2),
           skip = 46 + name_len + read_le(p + 30, 2) + read_le(p + 32, 2);
    if ((size_t)(end - p) < skip)
      return "has a damaged central directory";
    each((const char *)p + 46, name_len, arg);
    p += skip;
  }
  return NULL;
}
