/* column: one column's state while a row group fills: the open page's
 * levels and values, the chunk's finished pages, dictionary and statistics. */
#ifndef LAKEC_PARQUET_COLUMN_H
#define LAKEC_PARQUET_COLUMN_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "dict.h"
#include "parquet.h"
#include "stats.h"

typedef struct {
  char *name;
  PqType type;
  bool optional;
  int max_def, max_rep;
  /* the open page */
  PqBuf values;  /* PLAIN values (booleans one byte each until the page ends) */
  PqBuf indices; /* uint32_t dictionary indices, in dictionary mode */
  PqBuf defs, reps; /* uint8_t levels, kept only when the maximum is > 0 */
  int64_t page_levels; /* the page's num_values: one per level entry */
  /* the column chunk */
  bool dictionary_mode; /* values go to the dictionary (else PLAIN) */
  bool dictionary_used, plain_used; /* the encodings of its pages */
  PqDict dict;
  PqBuf pages; /* finished data pages: header, compressed body */
  int64_t chunk_values, chunk_uncompressed, chunk_compressed;
  PqStats stats;
  bool row_has_value; /* this row's value given */
} PqColumnState;

void pq_column_init(PqColumnState *c, const PqColumn *spec, bool dictionary);
void pq_column_free(PqColumnState *c);
/* Parquet's physical Type number. */
int pq_physical_type(PqType type);
bool pq_is_string_type(PqType type);

/* Level entries: one per value, null, or list item. */
void pq_column_level(PqColumnState *c, int def, int rep);
/* Values (after their level): appended PLAIN or as a dictionary index. */
void pq_column_string(PqColumnState *c, const char *data, size_t len);
void pq_column_fixed(PqColumnState *c, const void *le_bytes, size_t size);

/* The open page's rough size in bytes, and the chunk's so far. */
size_t pq_column_page_size(const PqColumnState *c);
size_t pq_column_chunk_size(const PqColumnState *c);
/* Empties it for the next row group. */
void pq_column_reset_chunk(PqColumnState *c, bool dictionary);

#endif
