# src/parquet/: the Parquet writer the handlers link, with Debian's static
# libsnappy (libsnappy-dev) and zlib (zlib1g-dev). libsnappy is C++: its
# runtime, libstdc++, is linked statically too (allowed by the GCC Runtime
# Library Exception), and libgcc with it (-static-libgcc), so that a program
# linking the writer still needs only glibc at run time.
find_library(LAKEC_LIBSNAPPY_A NAMES libsnappy.a HINTS ${LAKEC_LIBRARY_DIRS} REQUIRED)
find_library(LAKEC_LIBZ_A NAMES libz.a HINTS ${LAKEC_LIBRARY_DIRS} REQUIRED)
find_path(LAKEC_SNAPPY_INCLUDE NAMES snappy-c.h REQUIRED)
execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=libstdc++.a
  OUTPUT_VARIABLE LAKEC_LIBSTDCXX_A OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT IS_ABSOLUTE "${LAKEC_LIBSTDCXX_A}" OR NOT EXISTS "${LAKEC_LIBSTDCXX_A}")
  message(FATAL_ERROR "libstdc++.a not found (libsnappy needs it): install g++")
endif()

add_library(lakec_parquet STATIC
  src/parquet/buf.c
  src/parquet/thrift.c
  src/parquet/rle.c
  src/parquet/dict.c
  src/parquet/compress.c
  src/parquet/stats.c
  src/parquet/column.c
  src/parquet/page.c
  src/parquet/chunk.c
  src/parquet/schema.c
  src/parquet/writer.c
  src/parquet/csv.c)
target_include_directories(lakec_parquet PUBLIC src/parquet)
target_include_directories(lakec_parquet PRIVATE ${LAKEC_SNAPPY_INCLUDE})
target_link_libraries(lakec_parquet PUBLIC
  ${LAKEC_LIBSNAPPY_A} ${LAKEC_LIBSTDCXX_A} ${LAKEC_LIBZ_A} m)
target_link_options(lakec_parquet INTERFACE -static-libgcc)
