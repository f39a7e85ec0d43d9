#!/bin/sh
# How fast lakec builds a stage and how much memory it needs: runs
# `lakec build` on each stage file RUNS times (one process per build, as a user
# or CI runs it) and prints median and p95 wall time and peak RSS per stage,
# then the same for all stages in one process. The compiler alone is timed
# with --no-package; the last rows add the handler zips (a 5.7 MB
# program per handler, its libraries linked in), cold and warm:
#   cold: an empty output directory, so every file is deflated;
#   warm: the output of the build before, its deflate cache (DIR/.cache)
#         included, and the same handler programs: nothing to deflate.
# Then checks that warm builds made the same zips as cold ones.
# usage: bench/build.sh [BUILD_DIR] [RUNS]     (defaults: build, 300; RUNS=2 is a quick check)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bench/layout.sh"
build=$(cd "${1:-$root/build}" && pwd)
runs=${2:-300}
lakec=$build/lakec
runstat=$build/bench/runstat
[ -x "$lakec" ] && [ -x "$runstat" ] || { echo "build first: cmake --build $build"; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out=$work/out
project=metrics # of the stages (templates/metrics-lake.yaml), for stage_files
cd "$root"
row() { # row LABEL RUNSTAT_ARGS...
  label=$1
  shift
  figures=$("$runstat" "$@") || exit 1
  set -- $figures
  printf '%-52s %10s %8s %14s\n' "$label" "$1" "$2" "$3"
}
sha256s() { # sha256s STAGE...: each stage's zips by their manifest's sha256
  for stage; do
    stage_files "$out" "$project" "$stage"
    python3 -c 'import json,sys; print(*sorted(a["file"] + " " + a["sha256"] for a in json.load(open(sys.argv[1]))["assets"]), sep="\n")' "$manifest"
  done
}
printf 'lakec build, %s runs each, one process per run\n' "$runs"
printf '%-52s %10s %8s %14s\n' "input" "median ms" "p95 ms" "peak RSS KiB"
for f in stages/*.yaml; do
  row "$f (--no-package)" "$runs" "$lakec" build --no-package -o "$out" "$f"
done
row "all three stages (--no-package)" "$runs" "$lakec" build --no-package -o "$out" stages/*.yaml

n=$(( runs < 20 ? runs : 20 ))
for stages in "dev" "dev qa prod"; do
  files=$(for s in $stages; do printf 'stages/%s.yaml ' "$s"; done)
  what="stages/dev.yaml"
  [ "$stages" = dev ] || what="all three stages"
  row "$what, cold: empty DIR ($n runs)" --before "rm -rf '$out'" "$n" "$lakec" build -o "$out" $files
  cold=$(sha256s $stages)
  row "$what, warm: DIR and its cache there ($n runs)" "$n" "$lakec" build -o "$out" $files
  [ "$(sha256s $stages)" = "$cold" ] || { echo "warm builds made other zips than cold ones"; exit 1; }
done
[ -d "$out/.cache/deflate" ] || echo "(no deflate cache in DIR/.cache: this lakec keeps none, warm = cold)"
printf 'output of the three stages: %s in %s zips, deflate cache included\n' \
  "$(du -sh "$out" | cut -f1)" "$(find "$out" -name '*.zip' | wc -l)"
row "(/bin/true, for scale)" "$runs" /bin/true
