# Copies the shared libraries a handler program needs into lib/ beside it, so
# that the directory is what its Lambda zip holds: provided.al2023 has glibc
# and little else, and Lambda searches /var/task/lib. The handlers link
# libcurl, OpenSSL and jansson statically (cmake/curl.cmake), so in a normal
# build lib/ stays empty; a sanitizer build gets the sanitizer runtimes (which
# lakec refuses to package), and a library linked dynamically again would
# land here and still run. glibc's own libraries
# stay out (they are the runtime's, and must be). `lakec build` checks the
# result again before packaging: every library needed is here or glibc's, and
# nothing needs a glibc symbol newer than the runtime's 2.34.
#
#   cmake -DPROGRAM=<dir>/bootstrap [-DOBJDUMP=tool] [-DLIBRARY_DIRS=dirs] -P bundle-libs.cmake
#
# A cross build passes its objdump and where its target's libraries live
# (cmake/aarch64-linux-gnu.cmake), so that the host's own are not picked.
cmake_minimum_required(VERSION 3.18)
get_filename_component(dir "${PROGRAM}" DIRECTORY)
set(glibc_libraries
  "^ld-linux.*" "^libc\\.so.*" "^libm\\.so.*" "^libpthread\\.so.*" "^libdl\\.so.*"
  "^librt\\.so.*" "^libresolv\\.so.*" "^libutil\\.so.*" "^libanl\\.so.*")
# Emptied first: the program's rpath points there, and the libraries must come
# from the system, not from the previous build's copies.
file(REMOVE_RECURSE "${dir}/lib")
set(CMAKE_GET_RUNTIME_DEPENDENCIES_PLATFORM "linux+elf")
set(CMAKE_GET_RUNTIME_DEPENDENCIES_TOOL "objdump")
if(OBJDUMP)
  set(CMAKE_GET_RUNTIME_DEPENDENCIES_COMMAND "${OBJDUMP}")
endif()
file(GET_RUNTIME_DEPENDENCIES
  EXECUTABLES "${PROGRAM}"
  DIRECTORIES ${LIBRARY_DIRS}
  RESOLVED_DEPENDENCIES_VAR found
  UNRESOLVED_DEPENDENCIES_VAR missing
  PRE_EXCLUDE_REGEXES ${glibc_libraries}
  POST_EXCLUDE_REGEXES ".*/ld-linux[^/]*$" ".*/libc\\.so\\.6$")
if(missing)
  message(FATAL_ERROR "${PROGRAM}: cannot find ${missing}")
endif()
file(MAKE_DIRECTORY "${dir}/lib")
foreach(library IN LISTS found)
  get_filename_component(name "${library}" NAME) # the name the loader asks for
  file(REAL_PATH "${library}" real)
  file(COPY_FILE "${real}" "${dir}/lib/${name}")
endforeach()
