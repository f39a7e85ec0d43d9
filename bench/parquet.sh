#!/bin/sh
# How fast the Parquet writer (src/parquet/) writes, and how much memory it
# holds: pqwrite --generate writes ROWS rows of the nine-column synthetic
# table (every type, nulls, a list) with each codec; prints rows/s, the MB/s
# of Parquet written and the writer's peak RSS (median of RUNS runs).
# usage: bench/parquet.sh [BUILD_DIR] [ROWS] [RUNS]   (defaults: build, 2000000, 3)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
rows=${2:-2000000}
runs=${3:-3}
pqwrite=$build/tests/pqwrite
runstat=$build/bench/runstat
[ -x "$pqwrite" ] && [ -x "$runstat" ] || { echo "build first: cmake --build $build"; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

printf '%-10s %12s %10s %10s %10s %14s\n' codec rows median_ms rows/s MB/s peak_rss_MiB
for codec in snappy gzip none; do
  set -- $("$runstat" "$runs" "$pqwrite" --generate "$rows" --codec "$codec" "$work/out.parquet")
  bytes=$(wc -c <"$work/out.parquet")
  awk -v codec="$codec" -v rows="$rows" -v ms="$1" -v rss="$3" -v bytes="$bytes" 'BEGIN {
    s = (ms > 0 ? ms : 1) / 1000
    printf "%-10s %12d %10.0f %10.0f %10.1f %14.1f\n", codec, rows, ms, rows / s, bytes / 1e6 / s, rss / 1024 }'
done
