#!/bin/sh
# Golden templates: build stages/*.yaml and the fixtures (every construct,
# queues included, and several stacks with a literal reference and an
# import), and compare every file of DIR/<project>/<stage>/ (one template per
# stack, manifest.json) with the reviewed copy under tests/golden/; then build
# again and require byte-identical output. The metrics-lake templates are the
# first release's files, moved, not regenerated: their logical ids must never
# change silently. The handler zips are left out (--no-package;
# tests/package/ checks them).
# To accept a deliberate change, run with LAKEC_UPDATE_GOLDEN=1 and review
# `git diff tests/golden` before committing.
set -eu
lakec=$1
root=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cd "$root"
inputs="stages/dev.yaml stages/qa.yaml stages/prod.yaml stages/cat-etl/test.yaml
  stages/cat-etl/prod.yaml stages/api-ingestion/dev.yaml stages/api-ingestion/prod.yaml
  stages/lakehouse/dev.yaml stages/lakehouse/prod.yaml
  stages/telemetry/dev.yaml stages/telemetry/prod.yaml
  tests/integration/fixtures/everything.yaml
  tests/integration/fixtures/two-stacks.yaml
  tests/integration/fixtures/pipeline-linear.yaml
  tests/integration/fixtures/pipeline-fork.yaml
  tests/integration/fixtures/iceberg.yaml tests/integration/fixtures/hive-projection.yaml
  tests/integration/fixtures/patches.yaml tests/integration/fixtures/raw.yaml
  tests/integration/fixtures/network.yaml"
# shellcheck disable=SC2086
"$lakec" build --no-package -o "$work/a" $inputs
# shellcheck disable=SC2086
"$lakec" build --no-package -o "$work/b" $inputs

status=0
if ! diff -r "$work/a" "$work/b" >/dev/null; then
  echo "FAIL: two builds of the same input differ:"
  diff -r "$work/a" "$work/b" | head -20
  status=1
fi
if [ "${LAKEC_UPDATE_GOLDEN:-}" = 1 ]; then
  for d in "$work"/a/*/*/; do
    rel=${d#"$work"/a/}
    mkdir -p "$here/$rel"
    cp "$d"/*.json "$here/$rel"
  done
fi
files=0
for f in $(cd "$work/a" && find . -name '*.json' | sort); do
  files=$((files + 1))
  if ! diff -u "$here/$f" "$work/a/$f"; then
    echo "FAIL: $f differs from tests/golden/$f"
    status=1
  fi
done
# A golden file the build no longer writes is a stack or stage that vanished.
for f in $(cd "$here" && find . \( -path ./diff -o -path ./asl \) -prune -o -name '*.json' -print | sort); do
  [ -f "$work/a/$f" ] || { echo "FAIL: tests/golden/$f is no longer built"; status=1; }
done
[ $status -eq 0 ] && echo "golden: $files files match and rebuild byte-identically"
exit $status
