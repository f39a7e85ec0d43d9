#!/bin/sh
# Every template lakec generates passes cfn-lint with no finding of any level
# (errors, warnings or informational): the three stages, the fixtures (every
# construct, several stacks) and each construct's own fixture. The stages are
# built with their handler zips (so the code keys carry defaults); the
# fixtures' handlers are not all programs that exist, so they are built
# without.
set -u
lakec=$1
root=$2
command -v cfn-lint >/dev/null || { echo "FAIL: cfn-lint is not installed"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$root"
nopkg="" # a sanitized build's handlers cannot be packaged (tests/package/)
[ "${LAKEC_TEST_SANITIZED:-}" = 1 ] && nopkg=--no-package
"$lakec" build $nopkg -o "$work" stages/*.yaml stages/*/*.yaml || exit 1
"$lakec" build --no-package -o "$work" tests/integration/fixtures/*.yaml || exit 1
# The construct registry's fixtures (one per construct) share a project and
# stage, so each builds into a folder of its own.
for f in tests/constructs/*.yaml; do
  "$lakec" build --no-package -o "$work/constructs/$(basename "$f" .yaml)" "$f" || exit 1
done
templates=$(find "$work" -name "*.template.json" | sort)
count=$(echo "$templates" | wc -l)
# --include-checks I: informational findings count too.
# shellcheck disable=SC2086
cfn-lint --format parseable --include-checks I -- $templates >"$work/findings" 2>&1
code=$?
if [ $code -ne 0 ] || [ -s "$work/findings" ]; then
  echo "FAIL: cfn-lint exit $code on $count templates:"
  cat "$work/findings"
  exit 1
fi
echo "cfn-lint: $count templates, 0 findings"
