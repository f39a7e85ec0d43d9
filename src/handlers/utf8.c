/* utf8: see utf8.h. */
#include "utf8.h"

/* The length of the well-formed UTF-8 sequence at p, 0 when there is none
 * (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF). */
size_t utf8_sequence(const unsigned char *p) {
  unsigned lo = 0x80, hi = 0xbf;
  size_t n;
  if (p[0] < 0x80)
    return 1;
  if (p[0] >= 0xc2 && p[0] <= 0xdf) {
    n = 2;
  } else if (p[0] >= 0xe0 && p[0] <= 0xef) {
    n = 3;
    lo = p[0] == 0xe0 ? 0xa0 : lo; /* overlong below */
    hi = p[0] == 0xed ? 0x9f : hi; /* surrogates above */
  } else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
    n = 4;
    lo = p[0] == 0xf0 ? 0x90 : lo; /* overlong below */
    hi = p[0] == 0xf4 ? 0x8f : hi; /* past U+10FFFF above */
  } else {
    return 0;
  }
  if (p[1] < lo || p[1] > hi) /* also stops at the terminating NUL */
    return 0;
  for (size_t i = 2; i < n; i++)
    if ((p[i] & 0xc0) != 0x80)
      return 0;
  return n;
}

void utf8_scrub(char *s) {
  unsigned char *p = (unsigned char *)s;
  while (*p) {
    size_t n = utf8_sequence(p);
    if (n == 0)
      *p++ = '?';
    else
      p += n;
  }
}
