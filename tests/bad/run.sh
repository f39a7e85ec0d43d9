#!/bin/sh
# The bad-input corpus: every CASE.yaml here must make `lakec validate` exit 1
# (exit 0 for CASE-warning.yaml: warnings alone pass) and print exactly
# CASE.err (the whole diagnostic text, carets included).
# Files under lib/ are blueprints that cases extend, not cases themselves.
# LAKEC_UPDATE_GOLDEN=1 rewrites the .err files: review the diff before committing.
set -u
lakec=$1
cd "$2"
fail=0
count=0
for input in *.yaml; do
  name=${input%.yaml}
  count=$((count + 1))
  actual=$(NO_COLOR=1 "$lakec" validate "$input" 2>&1 >/dev/null)
  code=$?
  if [ "${LAKEC_UPDATE_GOLDEN:-}" = 1 ]; then
    printf '%s\n' "$actual" > "$name.err"
  fi
  want=1
  case $name in *-warning) want=0 ;; esac
  if [ $code -ne $want ]; then
    echo "FAIL: $input: exit $code, expected $want"
    fail=$((fail + 1))
  elif [ "$actual" != "$(cat "$name.err" 2>/dev/null)" ]; then
    echo "FAIL: $input: diagnostics differ from $name.err:"
    printf '%s\n' "$actual" | diff -u "$name.err" - | sed 's/^/    /'
    fail=$((fail + 1))
  fi
done
echo "bad-input corpus: $((count - fail)) of $count cases give the expected diagnostics"
[ $fail -eq 0 ]
