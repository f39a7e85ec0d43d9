/* zipfile: deterministic zip archives in memory, with zlib's deflate.
 *
 * Nothing in an archive depends on when or where it was made: every entry
 * carries the same timestamp (1980-01-01 00:00, the format's epoch), the
 * mode given by the caller, no extra fields, and entries appear in the order
 * they are added. A member is compressed once and may go into several
 * archives (the handlers share their libraries). No zip64: an archive
 * stays under 4 GiB, far above Lambda's 250 MB. */
#ifndef LAKEC_ZIPFILE_H
#define LAKEC_ZIPFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ZipMember {
  uint32_t crc;
  uint16_t method;         /* 8 deflate, 0 stored (when deflate does not shrink it) */
  size_t size, csize;      /* uncompressed, compressed */
  unsigned char *cdata;    /* malloc'd */
} ZipMember;

/* Compresses data into m; false when too large for a zip without zip64. */
bool zip_member_make(ZipMember *m, const unsigned char *data, size_t size);
void zip_member_release(ZipMember *m);
/* What zip_member_make's output depends on besides the data (method, level,
 * zlib's version), as text in buf: a member kept from an earlier run under
 * another text could differ from one made now. Returns buf. */
#define ZIP_SETTINGS_SIZE 160
const char *zip_member_settings(char buf[ZIP_SETTINGS_SIZE]);
/* True if m holds exactly data: the method known, the sizes and CRC right,
 * and (deflated) the stream inflating to data and ending there. Checks a
 * member that did not come from zip_member_make. */
bool zip_member_holds(const ZipMember *m, const unsigned char *data, size_t size);

typedef struct ZipBytes {
  unsigned char *data;
  size_t len, cap;
} ZipBytes;

typedef struct ZipWriter {
  ZipBytes out, central;
  unsigned entries;
} ZipWriter;

/* Adds name (a relative path with '/') with Unix permission bits mode. */
void zip_add(ZipWriter *w, const char *name, unsigned mode, const ZipMember *m);
/* The archive; the caller owns it (free). The writer is left empty. */
unsigned char *zip_finish(ZipWriter *w, size_t *len);

/* Reading an archive made elsewhere (a function's own .zip): calls each with
 * every entry's name (not NUL-terminated: len bytes) in central-directory
 * order. NULL when data is a zip whose directory lakec could read, else why
 * not ("has no end of central directory record", ...). */
typedef void (*ZipEntryFn)(const char *name, size_t len, void *arg);
const char *zip_entries(const unsigned char *data, size_t size, ZipEntryFn each, void *arg);

#endif
