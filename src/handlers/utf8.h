/* utf8: well-formed UTF-8 (RFC 3629), for text the handlers put in JSON. */
#ifndef LAKEC_HANDLERS_UTF8_H
#define LAKEC_HANDLERS_UTF8_H

#include <stddef.h>

/* The length of the well-formed UTF-8 sequence at p, 0 when there is none
 * (no overlong forms, no surrogates, nothing past U+10FFFF). */
size_t utf8_sequence(const unsigned char *p);

/* Replaces, in place, every byte that is not part of a well-formed UTF-8
 * sequence with '?': a message cut short by a printf precision or a buffer's
 * size stays text that JSON can carry. */
void utf8_scrub(char *s);

#endif
