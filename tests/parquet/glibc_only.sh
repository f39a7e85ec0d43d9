#!/bin/sh
# A program linking the Parquet writer and CSV reader (csv2parquet) needs
# glibc alone, at most GLIBC_2.34 (Lambda's provided.al2023): what the
# handlers will need of it. (libsnappy's static C++ runtime failed this;
# see src/parquet/snappy.h.)
# usage: glibc_only.sh PROGRAM
set -eu
program=$1
needed=$(readelf -d "$program" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
for lib in $needed; do
  case $lib in
  libc.so.6 | libm.so.6 | ld-linux-*.so.*) ;;
  *) echo "FAIL: $program needs $lib, not glibc's"; exit 1 ;;
  esac
done
newest=$(readelf --dyn-syms -W "$program" | grep -o 'GLIBC_[0-9.]*' | sort -t. -k2,2n | tail -1)
minor=${newest#GLIBC_2.}
minor=${minor%%.*}
if [ "${newest#GLIBC_2.}" = "$newest" ] || [ "$minor" -gt 34 ]; then
  echo "FAIL: $program needs $newest, newer than GLIBC_2.34"
  exit 1
fi
echo "$program: needs $(echo $needed) and at most $newest"
