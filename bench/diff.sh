#!/bin/sh
# How fast `lakec diff` compares two large stages: generates two stage files
# of N functions with a schedule each (8 resources per function with its
# failure queue, so 1250 functions give 10000 resources), 60 functions to a
# stack (CloudFormation allows 500 resources in one), where every tenth
# function differs, and
# times the diff of their built folders (every stack, through the
# manifests), of the stage files themselves (compiling both in memory
# first), and of one stack's templates. The functions' handler is not built:
# the stages are built and compared with --no-package, templates only.
# usage: bench/diff.sh [BUILD_DIR] [FUNCTIONS] [RUNS]     (defaults: build, 1250, 20;
#        100 2 is a quick check)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bench/layout.sh"
build=${1:-$root/build}
functions=${2:-1250}
runs=${3:-20}
lakec=$build/lakec
runstat=$build/bench/runstat
[ -x "$lakec" ] && [ -x "$runstat" ] || { echo "build first: cmake --build $build"; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

make_stage() { # make_stage STAGE MEMORY_OF_EVERY_TENTH ACCOUNT
  {
    printf 'lakec: 1\nproject: bench\nstage: %s\naccount: "%s"\nstacks:\n  data: {}\n' "$1" "$3"
    i=0
    while [ $i -lt "$functions" ]; do
      printf '  s%03d: {}\n' $((i / 60))
      i=$((i + 60))
    done
    printf 'buckets:\n  data: {name: bench-data-%s, stack: data}\nfunctions:\n' "$1"
    i=0
    while [ $i -lt "$functions" ]; do
      memory=256
      [ $((i % 10)) -eq 0 ] && memory=$2
      printf '  f%05d:\n    name: bench-f%05d\n    stack: s%03d\n    memory: %s\n    schedule: rate(5 minutes)\n    grants: [{write: data/f%05d/}]\n' \
        $i $i $((i / 60)) "$memory" $i
      i=$((i + 1))
    done
  } > "$work/$1.yaml"
}
row() { # row LABEL COMMAND...: runs it $runs times
  label=$1
  shift
  figures=$("$runstat" "$runs" "$@") || exit 1
  set -- $figures
  printf '%-40s %10s %8s %14s\n' "$label" "$1" "$2" "$3"
}
make_stage a 256 111111111111 # two accounts: same function names, no collision
make_stage b 512 222222222222
# Both stages build into the same place under different stage names.
"$lakec" build --no-package -o "$work/out" "$work/a.yaml" "$work/b.yaml"
stage_files "$work/out" bench a
a=$(dirname "$manifest")
stage_files "$work/out" bench b
b=$(dirname "$manifest")
resources=$(cat "$a"/*.template.json | grep -c '"Type": "AWS::')
stacks=$(ls "$a"/*.template.json | wc -l)
changed=$("$lakec" diff --no-package --format json "$a" "$b" |
  python3 -c 'import json,sys; print(sum(s["diff"]["summary"]["modified"] for s in json.load(sys.stdin)["stacks"]))')

printf 'lakec diff, %s resources in %s stacks per side, %s resources differ, %s runs each\n' \
  "$resources" "$stacks" "$changed" "$runs"
printf '%-40s %10s %8s %14s\n' "inputs" "median ms" "p95 ms" "peak RSS KiB"
row "built folder vs built folder" "$lakec" diff --no-package "$a" "$b"
row "stage vs stage (compiles both)" "$lakec" diff --no-package "$work/a.yaml" "$work/b.yaml"
row "one stack: template vs template" "$lakec" diff "$a/bench-a-s000.template.json" \
  "$b/bench-b-s000.template.json"
row "built folder vs itself" "$lakec" diff --no-package "$a" "$a"
