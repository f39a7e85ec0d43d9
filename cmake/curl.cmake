# The handlers' libraries, linked statically: a libcurl of our own, and
# Debian's static OpenSSL, jansson and expat (libssl-dev, libjansson-dev,
# libexpat1-dev). glibc stays dynamic: provided.al2023 has it, and it must be
# the runtime's.
#
# Why a libcurl of our own: Debian's is built for every protocol and links
# ldap, sasl2, krb5/gssapi, gnutls (through librtmp), nettle, p11-kit, ssh2,
# psl, idn2, nghttp2, brotli and zstd, none of which the handlers use; its
# libcurl.a needs the same libraries, of which krb5 and p11-kit ship no static
# archive, and the others would link their code into every handler.
# Bundled, they were 31 files and 17 MB per handler. This one is Debian's own
# curl source package (Debian's patches, its security fixes among them,
# applied) built for HTTP and HTTPS over OpenSSL, nothing else, as a static
# library in the build tree. It is built once per build tree, with curl's own
# CMake build (the Debian patches that touch autotools files do not matter to
# it) and for the same target as the handlers (a cross build's toolchain file
# is passed on).
#
# LAKEC_CURL_SOURCE names an unpacked curl source tree to build instead of
# fetching Debian's (cmake/debian-source.sh), e.g. on a machine without
# access to the archive.
include(ExternalProject)
set(LAKEC_CURL_SOURCE "" CACHE PATH "curl source tree for the handlers (default: Debian's, fetched with apt-get source)")
set(curl_prefix ${CMAKE_BINARY_DIR}/curl)
if(LAKEC_CURL_SOURCE)
  set(curl_source ${LAKEC_CURL_SOURCE})
  set(curl_download DOWNLOAD_COMMAND "")
else()
  set(curl_source ${curl_prefix}/source)
  set(curl_download DOWNLOAD_COMMAND sh ${CMAKE_SOURCE_DIR}/cmake/debian-source.sh curl ${curl_source})
endif()
set(curl_cross "")
if(CMAKE_TOOLCHAIN_FILE)
  get_filename_component(toolchain "${CMAKE_TOOLCHAIN_FILE}" ABSOLUTE BASE_DIR "${CMAKE_SOURCE_DIR}")
  set(curl_cross -DCMAKE_TOOLCHAIN_FILE=${toolchain})
endif()
ExternalProject_Add(curl_build
  PREFIX ${curl_prefix}
  SOURCE_DIR ${curl_source}
  INSTALL_DIR ${curl_prefix}/install
  ${curl_download}
  CMAKE_ARGS
    ${curl_cross}
    -DCMAKE_C_COMPILER=${CMAKE_C_COMPILER}
    -DCMAKE_BUILD_TYPE=Release
    -DCMAKE_INSTALL_PREFIX=<INSTALL_DIR>
    -DCMAKE_INSTALL_LIBDIR=lib
    -DCMAKE_POSITION_INDEPENDENT_CODE=ON
    -DBUILD_SHARED_LIBS=OFF
    -DBUILD_CURL_EXE=OFF
    -DBUILD_TESTING=OFF
    -DENABLE_MANUAL=OFF
    # HTTP and HTTPS only, TLS by OpenSSL; SigV4 (CURLOPT_AWS_SIGV4) is part of
    # HTTP authentication and stays. No DNS resolver library: the threaded
    # resolver (getaddrinfo in a thread) keeps timeouts working.
    -DHTTP_ONLY=ON
    -DCURL_USE_OPENSSL=ON
    -DENABLE_THREADED_RESOLVER=ON
    -DCURL_DISABLE_LDAP=ON
    -DCURL_DISABLE_LDAPS=ON
    -DCURL_DISABLE_NTLM=ON
    -DCURL_DISABLE_COOKIES=ON
    -DCURL_DISABLE_NETRC=ON
    -DCURL_DISABLE_ALTSVC=ON
    -DENABLE_UNIX_SOCKETS=OFF
    -DUSE_NGHTTP2=OFF
    -DUSE_LIBIDN2=OFF
    -DCURL_USE_LIBPSL=OFF
    -DCURL_USE_LIBSSH2=OFF
    -DCURL_USE_GSSAPI=OFF
    -DCURL_ZLIB=OFF # the handlers ask for no compressed transfer
    -DCURL_BROTLI=OFF
    -DCURL_ZSTD=OFF
    # Debian's places, as its own libcurl has them; on Amazon Linux the
    # handlers name its bundle themselves (src/handlers/aws.c).
    -DCURL_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
    -DCURL_CA_PATH=/etc/ssl/certs
  BUILD_BYPRODUCTS <INSTALL_DIR>/lib/libcurl.a
  LOG_DOWNLOAD ON LOG_CONFIGURE ON LOG_BUILD ON LOG_INSTALL ON LOG_OUTPUT_ON_FAILURE ON)
ExternalProject_Get_Property(curl_build INSTALL_DIR)
file(MAKE_DIRECTORY ${INSTALL_DIR}/include) # named by the target below before it exists

# Debian's static archives: find_library looks in the compiler's multiarch
# directory (/usr/lib/aarch64-linux-gnu in a cross build) and in the ones a
# toolchain file names (cmake/aarch64-linux-gnu.cmake), not in the host's.
find_library(LAKEC_LIBSSL_A NAMES libssl.a HINTS ${LAKEC_LIBRARY_DIRS} REQUIRED)
find_library(LAKEC_LIBCRYPTO_A NAMES libcrypto.a HINTS ${LAKEC_LIBRARY_DIRS} REQUIRED)
find_library(LAKEC_LIBJANSSON_A NAMES libjansson.a HINTS ${LAKEC_LIBRARY_DIRS} REQUIRED)
# expat (libexpat1-dev) parses S3's XML answers (src/handlers/xml.c).
find_library(LAKEC_LIBEXPAT_A NAMES libexpat.a HINTS ${LAKEC_LIBRARY_DIRS} REQUIRED)
find_path(LAKEC_EXPAT_INCLUDE NAMES expat.h REQUIRED)
find_path(LAKEC_OPENSSL_INCLUDE NAMES openssl/evp.h REQUIRED)
find_path(LAKEC_JANSSON_INCLUDE NAMES jansson.h REQUIRED)
find_package(Threads REQUIRED)

# libcurl then what it needs, in link order: libcrypto loads its providers
# with dlopen (the built-in ones are all the handlers use) and locks with
# pthreads. A target that links this must also depend on curl_build, which
# makes libcurl.a and its headers.
add_library(lakec_handler_libs INTERFACE)
target_include_directories(lakec_handler_libs INTERFACE
  ${INSTALL_DIR}/include ${LAKEC_OPENSSL_INCLUDE} ${LAKEC_JANSSON_INCLUDE} ${LAKEC_EXPAT_INCLUDE})
target_link_libraries(lakec_handler_libs INTERFACE
  ${INSTALL_DIR}/lib/libcurl.a ${LAKEC_LIBSSL_A} ${LAKEC_LIBCRYPTO_A} ${LAKEC_LIBJANSSON_A}
  ${LAKEC_LIBEXPAT_A} ${CMAKE_DL_LIBS} Threads::Threads)
