#!/bin/sh
# Golden templates: build stages/*.yaml and compare every file with the
# reviewed copy under tests/golden/<stage>/; then build again and require
# byte-identical output. The golden files describe the compiler, so the
# handler zips are left out (--no-package; tests/package/ checks them).
# To accept a deliberate change, run with
# LAKEC_UPDATE_GOLDEN=1 and review `git diff tests/golden` before committing.
set -eu
lakec=$1
root=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cd "$root"
"$lakec" build --no-package -o "$work/a" stages/*.yaml
"$lakec" build --no-package -o "$work/b" stages/*.yaml

status=0
for dir in "$work"/a/*/; do
  stage=$(basename "$dir")
  for file in template.json assets.json; do
    if ! cmp -s "$work/a/$stage/$file" "$work/b/$stage/$file"; then
      echo "FAIL: $stage/$file differs between two builds of the same input"
      status=1
    fi
    if [ "${LAKEC_UPDATE_GOLDEN:-}" = 1 ]; then
      mkdir -p "$here/$stage"
      cp "$work/a/$stage/$file" "$here/$stage/$file"
    elif ! diff -u "$here/$stage/$file" "$work/a/$stage/$file"; then
      echo "FAIL: $stage/$file differs from tests/golden/$stage/$file"
      status=1
    fi
  done
done
n=$(ls "$work/a" | wc -l)
[ "$n" -eq 3 ] || { echo "FAIL: expected 3 stages, built $n"; status=1; }
[ $status -eq 0 ] && echo "golden: $n stages match and rebuild byte-identically"
exit $status
