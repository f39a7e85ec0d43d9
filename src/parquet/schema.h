/* schema: the footer's schema (SchemaElement list, depth-first) and column
 * orders. */
#ifndef LAKEC_PARQUET_SCHEMA_H
#define LAKEC_PARQUET_SCHEMA_H

#include "column.h"
#include "thrift.h"

/* FileMetaData field 2: the root, then each column (a list: three elements). */
void pq_schema_write(Thrift *t, int16_t id, const PqColumnState *columns, size_t count);
/* FileMetaData field 7: TypeDefinedOrder for every leaf, without which
 * readers must ignore min_value / max_value. */
void pq_column_orders_write(Thrift *t, int16_t id, size_t count);

#endif
