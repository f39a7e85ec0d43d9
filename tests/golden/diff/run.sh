#!/bin/sh
# Golden diffs: lakec diff between the three stages (text and JSON), the
# stage matrix, and the empty diff of each stage with itself and with its own
# template and its built folder; a multi-stack stage against one template and
# against another built folder (stacks matched by name). Stage files are
# compiled without their zips (--no-package), as the golden templates are.
# LAKEC_UPDATE_GOLDEN=1 rewrites the files: review them before committing.
set -u
lakec=$1
cd "$2"
here=tests/golden/diff
fail=0

golden() { # golden NAME EXPECTED_EXIT ARGS...
  name=$1 want=$2
  shift 2
  actual=$(NO_COLOR=1 "$lakec" diff --no-package "$@")
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

# seed 001 (cat-etl): test against prod, two stacks matched by key
golden cat-etl-test-prod.txt 1 --exit-code stages/cat-etl/test.yaml stages/cat-etl/prod.yaml
# ... and only what the seed says differs: what is left once the names that
# carry the stage (and the policies, tags and paths built from them) are set aside
golden cat-etl-test-prod-settings.txt 1 --exit-code --ignore '*Name' --ignore '*NAME' \
  --ignore 'Resources.*.Properties.Tags.*' --ignore 'Resources.*.Metadata.*' \
  --ignore 'Resources.*.Properties.Policies.*' --ignore '*.Fn::Sub' --ignore '*PATH' \
  --ignore '*.S3Targets' --ignore '*.bucket.name.*' --ignore '*Description' \
  stages/cat-etl/test.yaml stages/cat-etl/prod.yaml
# seed 002 (api-ingestion): dev against prod, whole and without the names
golden api-ingestion-dev-prod.txt 1 --exit-code stages/api-ingestion/dev.yaml \
  stages/api-ingestion/prod.yaml
golden api-ingestion-dev-prod-settings.txt 1 --exit-code --ignore '*Name' --ignore '*NAME' \
  --ignore 'Resources.*.Properties.Tags.*' --ignore 'Resources.*.Metadata.*' \
  --ignore 'Resources.*.Properties.Policies.*' --ignore '*.Fn::Sub' --ignore '*.S3Targets' \
  --ignore '*Description' stages/api-ingestion/dev.yaml stages/api-ingestion/prod.yaml
# seed 003 (lakehouse): dev against prod, whole and without the names
golden lakehouse-dev-prod.txt 1 --exit-code stages/lakehouse/dev.yaml stages/lakehouse/prod.yaml
golden lakehouse-dev-prod-settings.txt 1 --exit-code --ignore '*Name' --ignore '*NAME' \
  --ignore 'Resources.*.Properties.Tags.*' --ignore 'Resources.*.Metadata.*' \
  --ignore 'Resources.*.Properties.Policies.*' --ignore '*.Fn::Sub' --ignore '*Description' \
  stages/lakehouse/dev.yaml stages/lakehouse/prod.yaml
# seed 004 (telemetry): dev against prod, stack by stack, and the settings
# matrix of the two stages
golden telemetry-dev-prod.txt 1 --exit-code stages/telemetry/dev.yaml stages/telemetry/prod.yaml
golden telemetry-matrix.txt 1 --exit-code --settings stages/telemetry/dev.yaml \
  stages/telemetry/prod.yaml
golden two-stacks.txt 1 --exit-code tests/integration/fixtures/two-stacks.yaml \
  tests/golden/diff/two-stacks-prod.yaml
golden two-stacks.json 1 --exit-code --format json tests/golden/twostack/dev \
  tests/golden/diff/two-stacks-prod.yaml
golden two-stacks-one-template.txt 0 --exit-code tests/integration/fixtures/two-stacks.yaml \
  tests/golden/twostack/dev/twostack-dev-compute.template.json
# patches: a patched property that changes, one that replaces its resource
golden patches.txt 1 --exit-code tests/integration/fixtures/patches.yaml \
  tests/golden/diff/patches-changed.yaml
# raw CloudFormation: an intrinsic replaced whole across extends, a raw
# resource's own tags beside the stage's, a name that replaces the table
golden raw.txt 1 --exit-code tests/integration/fixtures/raw.yaml \
  tests/golden/diff/raw-changed.yaml

# Every stage equals itself, its template, and its built folder (the golden
# copy, whose manifest lists its stacks).
for stage in dev qa prod; do
  for other in "stages/$stage.yaml" "tests/golden/metrics/$stage/metrics-$stage.template.json" \
               "tests/golden/metrics/$stage"; do
    out=$(NO_COLOR=1 "$lakec" diff --no-package --exit-code "stages/$stage.yaml" "$other")
    code=$?
    if [ $code -ne 0 ] || [ "$(printf '%s\n' "$out" | tail -n 1)" != "no differences" ]; then
      echo "FAIL: stages/$stage.yaml vs $other is not empty (exit $code)"; fail=1
    fi
  done
done
out=$(NO_COLOR=1 "$lakec" diff --no-package --exit-code tests/integration/fixtures/two-stacks.yaml \
  tests/golden/twostack/dev)
[ $? -eq 0 ] || { echo "FAIL: two-stacks.yaml differs from its golden folder: $out"; fail=1; }
[ $fail -eq 0 ] && echo "golden diffs match; every stage equals itself, its templates and its folder"
exit $fail
