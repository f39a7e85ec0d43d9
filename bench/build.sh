#!/bin/sh
# How fast lakec builds a stage and how much memory it needs: runs
# `lakec build` on each stage file RUNS times (one process per build, as a user
# or CI runs it) and prints median and p95 wall time and peak RSS per stage,
# then the same for all stages in one process. The compiler alone is timed
# with --no-package; the last rows add the handler zips (deflating about
# 17 MB of programs and libraries per build, compressed once per run).
# usage: bench/build.sh [BUILD_DIR] [RUNS]     (defaults: build, 300)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
runs=${2:-300}
lakec=$build/lakec
runstat=$build/bench/runstat
[ -x "$lakec" ] && [ -x "$runstat" ] || { echo "build first: cmake --build $build"; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cd "$root"
row() { # row LABEL RUNS COMMAND...
  label=$1 n=$2
  shift 2
  set -- $("$runstat" "$n" "$@")
  printf '%-40s %10s %8s %14s\n' "$label" "$1" "$2" "$3"
}
printf 'lakec build, %s runs each, one process per run\n' "$runs"
printf '%-40s %10s %8s %14s\n' "input" "median ms" "p95 ms" "peak RSS KiB"
for f in stages/*.yaml; do
  row "$f (--no-package)" "$runs" "$lakec" build --no-package -o "$out" "$f"
done
row "all three stages (--no-package)" "$runs" "$lakec" build --no-package -o "$out" stages/*.yaml
packaged_runs=$(( runs < 20 ? runs : 20 ))
row "stages/dev.yaml, with zips ($packaged_runs runs)" "$packaged_runs" "$lakec" build -o "$out" stages/dev.yaml
row "all three stages, with zips ($packaged_runs runs)" "$packaged_runs" "$lakec" build -o "$out" stages/*.yaml
row "(/bin/true, for scale)" "$runs" /bin/true
