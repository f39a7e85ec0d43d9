/* page: a column's open page encoded, compressed and framed by its
 * PageHeader; the dictionary page likewise. */
#ifndef LAKEC_PARQUET_PAGE_H
#define LAKEC_PARQUET_PAGE_H

#include "buf.h"
#include "column.h"
#include "parquet.h"

/* Buffers reused from page to page. */
typedef struct {
  PqBuf body, compressed, header, dictionary;
} PqScratch;

/* Parquet's Encoding numbers used here. */
enum { PQ_ENC_PLAIN = 0, PQ_ENC_PLAIN_DICTIONARY = 2, PQ_ENC_RLE = 3 };

/* Appends the open page (if it has any level) to c->pages and empties it.
 * NULL, or why it could not: compression failed, or the page passed the
 * 2 GiB a page header can state (one row's values can make it so). */
const char *pq_page_flush(PqColumnState *c, PqCodec codec, PqScratch *s);
/* The chunk's dictionary page, header and body, into out; its sizes with
 * the header are added to *uncompressed and *compressed. -1 if compression
 * failed or the page would pass 2 GiB. */
int pq_page_dictionary(const PqColumnState *c, PqCodec codec, PqScratch *s, PqBuf *out,
                       int64_t *uncompressed, int64_t *compressed);
void pq_scratch_free(PqScratch *s);

#endif
