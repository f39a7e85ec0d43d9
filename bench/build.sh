#!/bin/sh
# How fast lakec builds a stage and how much memory it needs: runs
# `lakec build` on each stage file RUNS times (one process per build, as a user
# or CI runs it) and prints median and p95 wall time and peak RSS per stage,
# then the same for all stages in one process.
# usage: bench/build.sh [BUILD_DIR] [RUNS]     (defaults: build, 300)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
runs=${2:-300}
lakec=$build/lakec
runstat=$build/bench/runstat
[ -x "$lakec" ] && [ -x "$runstat" ] || { echo "build first: cmake --build $build"; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cd "$root"
printf 'lakec build, %s runs each, one process per run\n' "$runs"
printf '%-34s %10s %8s %14s\n' "input" "median ms" "p95 ms" "peak RSS KiB"
for f in stages/*.yaml; do
  set -- $("$runstat" "$runs" "$lakec" build -o "$out" "$f")
  printf '%-34s %10s %8s %14s\n' "$f" "$1" "$2" "$3"
done
set -- $("$runstat" "$runs" "$lakec" build -o "$out" stages/*.yaml)
printf '%-34s %10s %8s %14s\n' "all three stages" "$1" "$2" "$3"
set -- $("$runstat" "$runs" /bin/true)
printf '%-34s %10s %8s %14s\n' "(/bin/true, for scale)" "$1" "$2" "$3"
