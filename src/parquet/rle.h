/* rle: the RLE / bit-packing hybrid of Parquet's Encodings.md, for
 * definition and repetition levels and dictionary indices. */
#ifndef LAKEC_PARQUET_RLE_H
#define LAKEC_PARQUET_RLE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Bits to hold every value in 0..max (at least 1). */
int pq_bit_width(uint32_t max);
/* Encodes n values of width 1 or 4 bytes each (uint8_t / uint32_t) at
 * `bit_width` bits: runs of 8 or more equal values as RLE runs, the rest
 * bit-packed in groups of 8 (the last group padded with zeros). */
void pq_rle_encode(PqBuf *out, const void *values, size_t value_size, size_t n,
                   int bit_width);

#endif
