#!/bin/sh
# Golden diffs: lakec diff between the three stages (text and JSON), the
# stage matrix, and the empty diff of each stage with itself and with its own
# template. LAKEC_UPDATE_GOLDEN=1 rewrites the files: review them before committing.
set -u
lakec=$1
cd "$2"
here=tests/golden/diff
fail=0

golden() { # golden NAME EXPECTED_EXIT ARGS...
  name=$1 want=$2
  shift 2
  actual=$(NO_COLOR=1 "$lakec" diff "$@")
  code=$?
  [ "${LAKEC_UPDATE_GOLDEN:-}" = 1 ] && printf '%s\n' "$actual" > "$here/$name"
  if [ $code -ne "$want" ]; then
    echo "FAIL: diff $*: exit $code, expected $want"; fail=1
  elif [ "$actual" != "$(cat "$here/$name")" ]; then
    echo "FAIL: diff $* differs from $here/$name:"
    printf '%s\n' "$actual" | diff -u "$here/$name" - | head -40; fail=1
  fi
}

golden dev-qa.txt 1 --exit-code stages/dev.yaml stages/qa.yaml
golden qa-prod.txt 1 --exit-code stages/qa.yaml stages/prod.yaml
golden dev-prod.json 1 --exit-code --format json stages/dev.yaml stages/prod.yaml
golden qa-prod-ignoring-names.txt 0 --ignore 'Resources.*.Properties.Tags.*' --ignore '*Name' \
  stages/qa.yaml stages/prod.yaml
golden matrix.txt 1 --exit-code stages/dev.yaml stages/qa.yaml stages/prod.yaml
golden matrix.json 0 --format json stages/dev.yaml stages/qa.yaml stages/prod.yaml

for stage in dev qa prod; do
  for other in "stages/$stage.yaml" "tests/golden/$stage/template.json"; do
    out=$(NO_COLOR=1 "$lakec" diff --exit-code "stages/$stage.yaml" "$other")
    code=$?
    if [ $code -ne 0 ] || [ "$(printf '%s\n' "$out" | tail -n 1)" != "no differences" ]; then
      echo "FAIL: stages/$stage.yaml vs $other is not empty (exit $code)"; fail=1
    fi
  done
done
[ $fail -eq 0 ] && echo "golden diffs match; every stage equals itself and its template"
exit $fail
