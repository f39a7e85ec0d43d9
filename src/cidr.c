#include "cidr.h"

#include <stdio.h>

/* A decimal number of 1 to 3 digits, no leading zero (010 reads as octal
 * in some tools, so it is refused rather than guessed). */
static const char *read_number(const char *s, unsigned *value, unsigned max) {
  unsigned v = 0;
  int digits = 0;
  if (s[0] == '0' && s[1] >= '0' && s[1] <= '9')
    return NULL;
  while (*s >= '0' && *s <= '9' && digits < 3) {
    v = v * 10 + (unsigned)(*s++ - '0');
    digits++;
  }
  if (!digits || (*s >= '0' && *s <= '9') || v > max)
    return NULL;
  *value = v;
  return s;
}

const char *cidr_parse(const char *text, Cidr *out) {
  const char *s = text;
  uint32_t address = 0;
  for (int i = 0; i < 4; i++) {
    unsigned octet;
    if (!(s = read_number(s, &octet, 255)))
      return "an address is four numbers 0 to 255 separated by '.' (10.0.0.0)";
    address = address << 8 | octet;
    if (i < 3 && *s++ != '.')
      return "an address is four numbers 0 to 255 separated by '.' (10.0.0.0)";
  }
  if (*s++ != '/')
    return "a CIDR block ends with '/' and its prefix length (10.0.0.0/16)";
  unsigned prefix;
  if (!(s = read_number(s, &prefix, 32)) || *s)
    return "the prefix length after '/' is a number 0 to 32";
  *out = (Cidr){address, (int)prefix};
  return NULL;
}

static uint32_t host_mask(int prefix) {
  return prefix >= 32 ? 0 : 0xffffffffu >> prefix;
}

bool cidr_has_host_bits(Cidr c) { return (c.address & host_mask(c.prefix)) != 0; }

Cidr cidr_network(Cidr c) { return (Cidr){c.address & ~host_mask(c.prefix), c.prefix}; }

uint32_t cidr_capacity(Cidr c, int prefix) {
  if (prefix < c.prefix || prefix > 32)
    return 0;
  int bits = prefix - c.prefix;
  return bits >= 31 ? 1u << 31 : 1u << bits;
}

Cidr cidr_subnet(Cidr c, int prefix, uint32_t index) {
  uint32_t size = prefix >= 32 ? 1 : 1u << (32 - prefix);
  return (Cidr){cidr_network(c).address + index * size, prefix};
}

char *cidr_format(Cidr c, char buf[static 19]) {
  snprintf(buf, 19, "%u.%u.%u.%u/%d", c.address >> 24, c.address >> 16 & 255,
           c.address >> 8 & 255, c.address & 255, c.prefix);
  return buf;
}
