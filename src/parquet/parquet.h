/* parquet: a streaming Apache Parquet writer.
 *
 * The caller declares a schema (flat columns of the types below, each
 * required or optional), opens a writer on a sink, appends rows value by
 * value and closes it. Bytes leave through the sink as row groups fill up:
 * memory holds one row group's encoded, compressed pages at most (bounded by
 * PqOptions.row_group_bytes), never the whole file.
 *
 * The file: DataPage v1 pages; definition and repetition levels in the
 * RLE/bit-packed hybrid; strings dictionary-encoded (PLAIN_DICTIONARY) until
 * the column chunk's dictionary outgrows PqOptions.dictionary_bytes, PLAIN
 * after that and for every other type; SNAPPY, GZIP or no compression;
 * ConvertedType and LogicalType annotations; column chunk statistics
 * (min_value, max_value, null_count) with the type-defined column order. */
#ifndef LAKEC_PARQUET_H
#define LAKEC_PARQUET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
  PQ_STRING,            /* BYTE_ARRAY, UTF8 / STRING */
  PQ_INT32,             /* INT32 */
  PQ_INT64,             /* INT64 */
  PQ_DOUBLE,            /* DOUBLE */
  PQ_BOOLEAN,           /* BOOLEAN */
  PQ_DATE,              /* INT32 days since 1970-01-01, DATE */
  PQ_TIMESTAMP_MILLIS,  /* INT64 ms since the epoch, TIMESTAMP(MILLIS, UTC) */
  PQ_TIMESTAMP_MICROS,  /* INT64 us since the epoch, TIMESTAMP(MICROS, UTC) */
  PQ_STRING_LIST        /* the three-level LIST of required strings */
} PqType;

typedef struct {
  const char *name;
  PqType type;
  bool optional; /* may be null (for a list: the list itself may be null) */
} PqColumn;

typedef struct {
  const PqColumn *columns;
  size_t count;
} PqSchema;

typedef enum { PQ_SNAPPY, PQ_GZIP, PQ_UNCOMPRESSED } PqCodec;

typedef struct {
  PqCodec codec;
  size_t page_bytes;       /* a data page is cut at a row end past this */
  size_t row_group_rows;   /* a row group ends at this many rows ... */
  size_t row_group_bytes;  /* ... or once its encoded pages pass this */
  size_t dictionary_bytes; /* a chunk's dictionary past this: PLAIN */
  bool dictionary;         /* dictionary-encode string columns at all */
} PqOptions;

/* The defaults: SNAPPY, 1 MiB pages, 1,000,000 rows or 64 MiB per row
 * group, 1 MiB dictionaries. */
PqOptions pq_default_options(void);

/* Receives the file's bytes in order. Returns 0, or nonzero to fail the
 * write (the writer then reports PQ_ERR_SINK). */
typedef int (*PqSink)(void *user, const void *data, size_t len);

typedef struct {
  const char *data;
  size_t len;
} PqBytes;

typedef struct PqWriter PqWriter;

/* NULL when the schema is unusable (no columns, a name missing or twice,
 * an unknown type) or the options are (a zero limit); *error says why. */
PqWriter *pq_writer_open(const PqSchema *schema, const PqOptions *options,
                         PqSink sink, void *user, const char **error);

/* One value for column `column` of the current row. Every column takes
 * exactly one value (or null) per row; pq_end_row checks it. Each returns 0,
 * or -1 with pq_error saying why (a type mismatch, a null for a required
 * column, a second value, the sink failing). */
int pq_write_null(PqWriter *w, size_t column);
int pq_write_string(PqWriter *w, size_t column, const char *data, size_t len);
int pq_write_int32(PqWriter *w, size_t column, int32_t value);  /* INT32, DATE */
int pq_write_int64(PqWriter *w, size_t column, int64_t value);  /* INT64, TIMESTAMP_* */
int pq_write_double(PqWriter *w, size_t column, double value);
int pq_write_boolean(PqWriter *w, size_t column, bool value);
/* A list of `count` strings (0: the empty list, which is not null). */
int pq_write_list(PqWriter *w, size_t column, const PqBytes *items, size_t count);
/* Ends the row; may flush a page or a whole row group to the sink. */
int pq_end_row(PqWriter *w);

/* Flushes the last row group and writes the footer. A file of zero rows is
 * a valid Parquet file: the schema and no row group. Returns 0 or -1
 * (pq_error). Does not free the writer; any call after it but the ones
 * below fails. */
int pq_writer_close(PqWriter *w);
void pq_writer_free(PqWriter *w);

/* The last failure, for a message. */
const char *pq_error(const PqWriter *w);
/* Rows ended so far, bytes handed to the sink so far. */
uint64_t pq_rows(const PqWriter *w);
uint64_t pq_bytes_written(const PqWriter *w);

#endif
