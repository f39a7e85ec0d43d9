# The producer handler's Kafka client: Debian's librdkafka (librdkafka-dev),
# linked statically like the handlers' other libraries (cmake/curl.cmake),
# with the static archives of what it needs (liblz4-dev, libzstd-dev,
# zlib1g-dev). Linked as a shared library, it would bring Debian's
# libssl.so.3 and libcrypto.so.3 into a program that already holds a static
# OpenSSL: two copies of OpenSSL in one process, librdkafka's calls bound to
# either. Statically, there is one.
#
# Cyrus SASL stays shared (libsasl2-dev; the bundling step copies
# libsasl2.so.2 into lib/, it needs glibc alone, at most 2.34): Debian's
# librdkafka is built with it, and Debian's libsasl2.a holds its plugins
# (GSSAPI, sasldb), which would need Kerberos and Berkeley DB, Kerberos
# having no static archive. OAUTHBEARER does not use it; librdkafka only
# initialises it, and its plugins (not on Lambda) are never loaded.
find_library(LAKEC_LIBRDKAFKA_A NAMES librdkafka.a HINTS ${LAKEC_LIBRARY_DIRS} REQUIRED)
find_library(LAKEC_LIBLZ4_A NAMES liblz4.a HINTS ${LAKEC_LIBRARY_DIRS} REQUIRED)
find_library(LAKEC_LIBZSTD_A NAMES libzstd.a HINTS ${LAKEC_LIBRARY_DIRS} REQUIRED)
find_library(LAKEC_LIBSASL2 NAMES sasl2 HINTS ${LAKEC_LIBRARY_DIRS} REQUIRED)
find_path(LAKEC_RDKAFKA_INCLUDE NAMES librdkafka/rdkafka.h REQUIRED)
add_library(lakec_kafka_libs INTERFACE)
target_include_directories(lakec_kafka_libs INTERFACE ${LAKEC_RDKAFKA_INCLUDE})
# OpenSSL and zlib again after librdkafka: a static archive only serves
# the ones before it.
target_link_libraries(lakec_kafka_libs INTERFACE ${LAKEC_LIBRDKAFKA_A} ${LAKEC_LIBLZ4_A}
  ${LAKEC_LIBZSTD_A} ${LAKEC_LIBSASL2} ${LAKEC_LIBSSL_A} ${LAKEC_LIBCRYPTO_A} ${LAKEC_LIBZ_A}
  ${CMAKE_DL_LIBS} Threads::Threads m rt)
