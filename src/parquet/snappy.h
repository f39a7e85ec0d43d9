/* snappy: Snappy compression (the raw format of google/snappy's
 * format_description.txt, which Parquet's SNAPPY codec means), written here
 * in C. libsnappy is C++: linked statically its runtime (libstdc++, the
 * static unwinder) asks Debian 12's glibc for GLIBC_2.35 and 2.36 symbols,
 * newer than Lambda's provided.al2023 has (2.34), and dynamically it would
 * be a library the handler zips do not carry. The tests decompress every
 * output with libsnappy itself (tests/unit/test_parquet.c). */
#ifndef LAKEC_PARQUET_SNAPPY_H
#define LAKEC_PARQUET_SNAPPY_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Appends the Snappy compression of in[0..len) to out. */
void pq_snappy_compress(const uint8_t *in, size_t len, PqBuf *out);

#endif
