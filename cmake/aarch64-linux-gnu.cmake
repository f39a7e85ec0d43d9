# Cross-building the handlers for arm64 Lambda functions on an x86_64 Debian 12
# host (README: "Building the handlers for another architecture"): Debian's
# cross compiler and the arm64 packages of the handlers' static libraries
# (dpkg --add-architecture arm64; gcc-aarch64-linux-gnu, libjansson-dev:arm64,
# libssl-dev:arm64, and zlib1g-dev:arm64 for the Parquet writer). libcurl is built from Debian's source with this file
# (cmake/curl.cmake).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_OBJDUMP aarch64-linux-gnu-objdump)
# pkg-config reads the arm64 .pc files only.
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig)
set(LAKEC_LIBRARY_DIRS /usr/lib/aarch64-linux-gnu /lib/aarch64-linux-gnu)
