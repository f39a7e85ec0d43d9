# src/parquet/: the Parquet writer and CSV reader the handlers will link,
# with Debian's static zlib (zlib1g-dev) for GZIP. SNAPPY is compressed by
# src/parquet/snappy.c, not libsnappy: libsnappy is C++, and its runtime
# linked statically needs glibc symbols newer than Lambda's (see snappy.h).
find_library(LAKEC_LIBZ_A NAMES libz.a HINTS ${LAKEC_LIBRARY_DIRS} REQUIRED)
find_path(LAKEC_ZLIB_INCLUDE NAMES zlib.h REQUIRED)

add_library(lakec_parquet STATIC
  src/parquet/buf.c
  src/parquet/thrift.c
  src/parquet/rle.c
  src/parquet/dict.c
  src/parquet/snappy.c
  src/parquet/compress.c
  src/parquet/stats.c
  src/parquet/column.c
  src/parquet/page.c
  src/parquet/chunk.c
  src/parquet/schema.c
  src/parquet/writer.c
  src/parquet/csv.c
  src/parquet/convert.c)
target_include_directories(lakec_parquet PUBLIC src/parquet)
target_include_directories(lakec_parquet PRIVATE ${LAKEC_ZLIB_INCLUDE})
target_link_libraries(lakec_parquet PUBLIC ${LAKEC_LIBZ_A})
