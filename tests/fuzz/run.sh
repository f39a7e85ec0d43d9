#!/bin/sh
# Runs one libFuzzer target for a bounded time and fails on any crash,
# sanitizer report, leak, broken invariant or timeout; prints libFuzzer's
# figures. Seeds by target: fuzz_compile takes stages/, templates/, the
# bad-input corpus and the fixtures; fuzz_handler_<name> takes
# tests/fuzz/corpus/handler_<name>/ and the sample events; fuzz_csv takes
# tests/fuzz/corpus/csv/, fuzz_snappy those and the README.
# usage: tests/fuzz/run.sh FUZZ_BINARY SECONDS
set -eu
fuzzer=$1
seconds=${2:-60}
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus" "$work/artifacts"
target=$(basename "$fuzzer")
case $target in
fuzz_compile)
  cp "$root"/stages/*.yaml "$root"/templates/*.yaml "$root"/tests/bad/*.yaml \
     "$root"/tests/integration/fixtures/*.yaml "$work/corpus/"
  # Stages with their blueprint inlined, so mutations reach check and lower.
  for f in "$root"/stages/*.yaml; do
    grep -v '^extends:' "$f" | cat "$root/templates/metrics-lake.yaml" - > "$work/corpus/inlined-$(basename "$f")"
  done ;;
fuzz_csv)
  cp "$root"/tests/fuzz/corpus/csv/* "$work/corpus/" ;;
fuzz_snappy)
  # text with repeats, a page's worth of levels, the CSV seeds
  cp "$root"/README.md "$root"/tests/fuzz/corpus/csv/* "$work/corpus/" ;;
fuzz_handler_*)
  cp "$root/tests/fuzz/corpus/${target#fuzz_}"/* "$root"/src/handlers/events/*.json "$work/corpus/" ;;
*)
  echo "run.sh: no seeds known for '$target'" >&2
  exit 2 ;;
esac
if ! "$fuzzer" -max_total_time="$seconds" -max_len=8192 -rss_limit_mb=2048 -timeout=10 \
     -print_final_stats=1 -artifact_prefix="$work/artifacts/" "$work/corpus" >"$work/log" 2>&1; then
  tail -40 "$work/log"
  for a in "$work"/artifacts/*; do echo "input that failed:"; od -c "$a" | head -20; done
  exit 1
fi
grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' "$work/log"
echo "fuzz: $target: nothing found in ${seconds}s"
