#!/bin/sh
# How fast the Parquet writer (src/parquet/) writes, and how much memory it
# holds: pqwrite --generate writes ROWS rows of the nine-column synthetic
# table (every type, nulls, a list) with each codec; prints rows/s, the MB/s
# of Parquet written and the writer's peak RSS (median of RUNS runs). Then
# CSV_MB megabytes of CSV (quoted fields, line ends in quotes, CRLF) through
# the streaming CSV reader into Parquet (csv2parquet): MB/s of CSV in and
# peak RSS, which stays that of a row group whatever the input's size.
# Then the same CSV through DuckDB's COPY ... TO parquet (bench/duckdb_copy.mjs,
# single-threaded and with DuckDB's default threads): MB/s of CSV in, the
# Parquet size, and the peak RSS of its whole Node process. DuckDB is the
# tests' pinned @duckdb/node-api (tests/parquet/run.sh installs it).
# usage: bench/parquet.sh [BUILD_DIR] [ROWS] [RUNS] [CSV_MB]
#        (defaults: build, 2000000, 3, 1000)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
rows=${2:-2000000}
runs=${3:-3}
csv_mb=${4:-1000}
pqwrite=$build/tests/pqwrite
csv2parquet=$build/tests/csv2parquet
runstat=$build/bench/runstat
[ -x "$pqwrite" ] && [ -x "$csv2parquet" ] && [ -x "$runstat" ] || { echo "build first: cmake --build $build"; exit 2; }
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

awk -v bytes="$((csv_mb * 1000000))" 'BEGIN {
  printf "id,name,text,city,amount\r\n"; size = 26
  for (i = 0; size < bytes; i++) {
    line = sprintf("%d,\"name %d, %d\",\"say \"\"%d\"\"\nthen more\",Z\303\274rich %d,%.1f\r\n",
                   i, i % 1000, i % 7, i, i % 13, i * 0.5)
    printf "%s", line; size += length(line)
  } }' >"$work/in.csv"
bytes=$(wc -c <"$work/in.csv")
set -- $("$runstat" 1 "$csv2parquet" "$work/in.csv" "$work/out.parquet")
awk -v ms="$1" -v rss="$3" -v bytes="$bytes" -v out="$(wc -c <"$work/out.parquet")" 'BEGIN {
  s = (ms > 0 ? ms : 1) / 1000
  printf "\ncsv to parquet: %.0f MB of CSV in %.0f ms: %.1f MB/s of CSV in, %.1f MB of Parquet, peak RSS %.1f MiB\n",
    bytes / 1e6, ms, bytes / 1e6 / s, out / 1e6, rss / 1024 }'

duckdb_modules=$root/tests/parquet/node_modules
if ! command -v node >/dev/null || [ ! -d "$duckdb_modules/@duckdb/node-api" ]; then
  echo "duckdb: not compared (needs node and tests/parquet/node_modules: run tests/parquet/run.sh once)"
  exit 0
fi
ln -s "$duckdb_modules" "$work/node_modules"
cp "$root/bench/duckdb_copy.mjs" "$work/"
for threads in 1 default; do
  "$runstat" 1 node "$work/duckdb_copy.mjs" "$work/in.csv" "$work/duck.parquet" "$threads" \
    >"$work/stat"
  set -- $(cat "$work/stat")
  copy_ms=$(node "$work/duckdb_copy.mjs" "$work/in.csv" "$work/duck.parquet" "$threads")
  awk -v t="$threads" -v ms="$copy_ms" -v rss="$3" -v bytes="$bytes" -v out="$(wc -c <"$work/duck.parquet")" 'BEGIN {
    s = (ms > 0 ? ms : 1) / 1000
    printf "duckdb COPY, threads=%s: %.0f ms: %.1f MB/s of CSV in, %.1f MB of Parquet, peak RSS %.1f MiB (its Node process)\n",
      t, ms, bytes / 1e6 / s, out / 1e6, rss / 1024 }'
done
