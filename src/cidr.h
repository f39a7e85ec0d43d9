/* cidr: IPv4 CIDR blocks as lakec writes a VPC's subnets: "10.0.0.0/16"
 * parsed and checked, and the Nth block of a given prefix length inside it. */
#ifndef LAKEC_CIDR_H
#define LAKEC_CIDR_H

#include <stdbool.h>
#include <stdint.h>

typedef struct Cidr {
  uint32_t address; /* host order */
  int prefix;       /* 0..32 */
} Cidr;

/* Reads "A.B.C.D/P" (four decimal octets 0..255 without leading zeros, a
 * prefix 0..32). NULL on success, or why the text is not a CIDR block. */
const char *cidr_parse(const char *text, Cidr *out);
/* Whether the address has bits set past the prefix (10.0.0.1/16). */
bool cidr_has_host_bits(Cidr c);
/* The block with the host bits cleared (the one the text probably meant). */
Cidr cidr_network(Cidr c);
/* How many blocks of prefix length `prefix` fit in c (0 when prefix is
 * shorter than c's; capped at 2^31). */
uint32_t cidr_capacity(Cidr c, int prefix);
/* The index-th block of length `prefix` inside c, counting from its start;
 * index < cidr_capacity(c, prefix). */
Cidr cidr_subnet(Cidr c, int prefix, uint32_t index);
/* "A.B.C.D/P" into buf (at least 19 bytes); returns buf. */
char *cidr_format(Cidr c, char buf[static 19]);

#endif
