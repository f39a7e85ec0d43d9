#!/bin/sh
# The command line: help, version, exit codes (0 / 1 input errors / 2 usage
# or I/O), the default output folder, and that a failed build writes nothing.
set -u
lakec=$1
root=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0
fail=0
# A sanitized build's handlers carry the sanitizer runtime, which needs a
# newer glibc than Lambda's: lakec rightly refuses to package them
# (tests/package/ checks that), so the builds here leave the zips out.
nopkg=""
[ "${LAKEC_TEST_SANITIZED:-}" = 1 ] && nopkg=--no-package

check() { # check DESCRIPTION EXPECTED_EXIT COMMAND...
  desc=$1 want=$2
  shift 2
  "$@" >"$work/stdout" 2>"$work/stderr"
  got=$?
  if [ "$got" -eq "$want" ]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL: $desc: exit $got, expected $want"
    sed 's/^/    /' "$work/stderr"
  fi
}

expect() { # expect DESCRIPTION SHELL-TEST
  if eval "$2"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1"; fi
}

cp -r "$root/stages" "$root/templates" "$work/"
cd "$work"
bad="$root/tests/bad/unknown-key.yaml"

check "--version" 0 "$lakec" --version
expect "--version names the version" "grep -q '^lakec [0-9]' stdout"
check "--help" 0 "$lakec" --help
expect "--help lists build and validate" "grep -q build stdout && grep -q validate stdout"
check "build --help" 0 "$lakec" build $nopkg --help
expect "build --help shows -o" "grep -q -- '--output DIR' stdout"
check "validate --help" 0 "$lakec" validate --help
for c in bootstrap deploy outputs destroy; do
  check "$c --help" 0 "$lakec" $c --help
  expect "--help lists $c" "\"$lakec\" --help | grep -q '^  $c '"
done
expect "deploy --help shows --yes and --as" "\"$lakec\" deploy --help | grep -q -- '--as NAME' && \"$lakec\" deploy --help | grep -q -- '--allow-destructive'"
check "deploy without files" 2 "$lakec" deploy --yes
check "deploy --as of two stages" 2 "$lakec" deploy --yes --as pr1 -o o2 stages/dev.yaml stages/qa.yaml
expect "deploy --as of two stages is refused" "grep -q 'take one stage file' stderr && [ ! -e o2 ]"
check "deploy without --yes nor terminal" 2 "$lakec" deploy -o o2 stages/dev.yaml </dev/null
expect "deploy without --yes builds nothing" "[ ! -e o2 ] && grep -q -- 'pass --yes' stderr"
check "destroy without --yes nor terminal" 2 "$lakec" destroy -o o2 stages/dev.yaml </dev/null
check "diff --deployed of two stages" 2 "$lakec" diff --deployed stages/dev.yaml stages/qa.yaml
check "build --as" 0 "$lakec" build $nopkg --as pr9 -o o3 stages/dev.yaml
expect "build --as names the preview's folder and stack" "[ -f o3/metrics/pr9/metrics-pr9.template.json ] && [ ! -e o3/metrics/dev ]"
check "build --as of two stages" 2 "$lakec" build $nopkg --as pr9 -o o4 stages/dev.yaml stages/qa.yaml
check "build --as of a production stage" 1 "$lakec" build $nopkg --as pr9 -o o4 stages/prod.yaml
expect "production has no preview copy" "grep -q LK600 stderr && [ ! -e o4 ]"
check "no arguments" 2 "$lakec"
check "unknown command" 2 "$lakec" frobnicate
expect "unknown command is named" "grep -q frobnicate stderr"
check "a misspelt command" 2 "$lakec" biuld stages/dev.yaml
expect "a misspelt command offers the one meant" "grep -q \"'biuld' is not a lakec command; did you mean 'lakec build'?\" stderr"
check "help COMMAND" 0 "$lakec" help build
expect "help build is build --help" "head -1 stdout | grep -q '^usage: lakec build ' && grep -q -- '--output DIR' stdout"
check "help of a misspelt command" 2 "$lakec" help valdiate
expect "help offers the command meant" "grep -q \"did you mean 'lakec validate'\" stderr"
check "build without files" 2 "$lakec" build
check "unknown option" 2 "$lakec" build $nopkg --bogus stages/dev.yaml
expect "unknown option is named" "grep -q \"unknown option '--bogus'\" stderr"
check "option without its value" 2 "$lakec" build $nopkg -o
check "missing input file" 2 "$lakec" build $nopkg -o o1 nope.yaml
expect "missing input writes nothing" "[ ! -e o1 ]"
check "directory as input" 2 "$lakec" validate stages

check "validate good stages" 0 "$lakec" validate stages/dev.yaml stages/qa.yaml stages/prod.yaml
expect "validate is silent on success" "[ ! -s stderr ] && [ ! -s stdout ]"
expect "validate writes nothing" "[ ! -e out ]"
check "validate bad stage" 1 "$lakec" validate "$bad"
expect "validate prints the error" "grep -q 'error: unknown key' stderr"

check "build default folder" 0 "$lakec" build $nopkg stages/dev.yaml stages/qa.yaml stages/prod.yaml
expect "build writes out/<project>/<stage>/" "[ -s out/metrics/dev/metrics-dev.template.json ] && [ -s out/metrics/prod/manifest.json ] && [ -s out/metrics/qa/metrics-qa.template.json ]"
expect "no temporaries are left" "[ -z \"\$(find out -name '*.tmp.*')\" ]"

# A stage against its own fresh build: its code keys are hashed in memory.
check "a stage against its build folder" 0 "$lakec" diff $nopkg --exit-code stages/dev.yaml out/metrics/dev
expect "a stage against its build folder: no differences" "grep -q '^no differences\$' stdout"
check "a stage against its manifest" 0 "$lakec" diff $nopkg --exit-code stages/prod.yaml out/metrics/prod/manifest.json
check "diff --handlers with --no-package" 2 "$lakec" diff --no-package --handlers . stages/dev.yaml stages/qa.yaml
check "a folder without a manifest" 2 "$lakec" diff --no-package stages/dev.yaml templates
check "the same file twice in the matrix" 0 "$lakec" diff --no-package stages/dev.yaml stages/dev.yaml stages/qa.yaml
expect "the same file twice: no overwrite warning" "[ ! -s stderr ]"

# A stack renamed or removed leaves no template behind.
printf 'lakec: 1\nproject: st\nstage: dev\nstacks: {one: {}, two: {}}\nbuckets:\n  a: {name: st-dev-a, stack: one}\n  b: {name: st-dev-b, stack: two}\n' > st.yaml
check "two stacks" 0 "$lakec" build --no-package -o stk st.yaml
expect "two stacks: two templates, in deploy order in the manifest" "[ -s stk/st/dev/st-dev-one.template.json ] && [ -s stk/st/dev/st-dev-two.template.json ] && python3 -c 'import json; m=json.load(open(\"stk/st/dev/manifest.json\")); assert [s[\"name\"] for s in m[\"stacks\"]] == [\"st-dev-one\", \"st-dev-two\"]'"
printf 'lakec: 1\nproject: st\nstage: dev\nbuckets:\n  a: {name: st-dev-a}\n' > st.yaml
check "back to one stack" 0 "$lakec" build --no-package -o stk st.yaml
expect "the old stacks' templates are removed" "[ ! -e stk/st/dev/st-dev-one.template.json ] && [ ! -e stk/st/dev/st-dev-two.template.json ] && [ -s stk/st/dev/st-dev.template.json ]"

cp out/metrics/dev/metrics-dev.template.json before.json
check "one bad file stops the build" 1 "$lakec" build $nopkg -o out stages/dev.yaml "$bad"
expect "a failed build leaves old output untouched" "cmp -s before.json out/metrics/dev/metrics-dev.template.json"
check "bad file alone" 1 "$lakec" build $nopkg -o fresh "$bad"
expect "a failed build creates nothing" "[ ! -e fresh ]"

check "same stage twice" 1 "$lakec" build $nopkg -o twice stages/dev.yaml stages/dev.yaml
expect "same stage twice is explained" "grep -q \"stage 'dev' of project 'metrics' is also built from\" stderr"
expect "same stage twice writes nothing" "[ ! -e twice ]"

: > blocker
check "output folder is a file" 2 "$lakec" build $nopkg -o blocker stages/dev.yaml
expect "I/O error is explained" "grep -q 'cannot write' stderr"

# explain and schema
check "explain a code" 0 "$lakec" explain LK104
expect "explain shows the title and both examples" "grep -q '^LK104: unknown key' stdout && grep -q '^Wrong:' stdout && grep -q '^Right:' stdout"
check "explain digits only" 0 "$lakec" explain 206
check "explain an unknown code" 2 "$lakec" explain LK999
check "explain without a code" 2 "$lakec" explain
check "explain --list" 0 "$lakec" explain --list
expect "explain --list lists every code once, in order, with its title" "grep -q '^LK104  unknown key\$' stdout && grep -q '^LK206  ' stdout && [ \"\$(cut -c1-5 stdout | sort -u)\" = \"\$(cut -c1-5 stdout)\" ] && [ \"\$(grep -vc '^LK[0-9][0-9][0-9]  ' stdout)\" -eq 0 ]"
check "explain --list with a code" 2 "$lakec" explain --list LK104
check "schema" 0 "$lakec" schema
expect "schema is JSON with the stage keys" "python3 -c 'import json,sys; s=json.load(open(\"stdout\")); assert \"functions\" in s[\"properties\"]'"

# formats, --werror, --max-errors
check "validate --format json" 1 "$lakec" validate --format json "$bad"
expect "json is one object per line" "python3 -c 'import json; [json.loads(l) for l in open(\"stdout\")]' && [ \"\$(wc -l < stdout)\" -eq 1 ] && grep -q '\"code\":\"LK104\"' stdout && [ ! -s stderr ]"
check "validate --format sarif" 1 "$lakec" validate --format sarif "$bad"
expect "sarif names version 2.1.0 and the result" "python3 -c 'import json; d=json.load(open(\"stdout\")); r=d[\"runs\"][0]; assert d[\"version\"]==\"2.1.0\" and r[\"results\"][0][\"ruleId\"]==\"LK104\" and len(r[\"tool\"][\"driver\"][\"rules\"])>=30'"
check "validate --format sarif on good input" 0 "$lakec" validate --format sarif stages/dev.yaml
expect "clean sarif has no results" "python3 -c 'import json; assert json.load(open(\"stdout\"))[\"runs\"][0][\"results\"]==[]'"
check "bad --format" 2 "$lakec" validate --format xml stages/dev.yaml
check "bad --max-errors" 2 "$lakec" validate --max-errors many stages/dev.yaml
warn="$root/tests/bad/api-timeout-warning.yaml"
check "a warning alone passes" 0 "$lakec" validate "$warn"
expect "the warning is shown" "grep -q 'warning: function' stderr"
check "--werror fails on a warning" 1 "$lakec" validate --werror "$warn"
expect "--werror shows it as an error" "grep -q 'error: function' stderr"
check "--werror build writes nothing" 1 "$lakec" build $nopkg --werror -o werror "$warn"
expect "nothing written with --werror" "[ ! -e werror ]"

# diff
rm -rf out
check "diff two stages" 0 "$lakec" diff $nopkg stages/dev.yaml stages/qa.yaml
expect "diff names both sides" "head -1 stdout | grep -q 'lakec diff stages/dev.yaml -> stages/qa.yaml'"
check "diff --exit-code with differences" 1 "$lakec" diff $nopkg --exit-code stages/dev.yaml stages/qa.yaml
check "diff --exit-code without" 0 "$lakec" diff $nopkg --exit-code stages/dev.yaml stages/dev.yaml
check "diff writes nothing" 0 "$lakec" diff $nopkg stages/dev.yaml stages/prod.yaml
expect "diff writes no output folder" "[ ! -e out ]"
check "diff of a stage with errors" 2 "$lakec" diff $nopkg --exit-code "$bad" stages/dev.yaml
expect "its errors are shown" "grep -q 'unknown key' stderr"
printf '{"Resources": ' > broken.json
check "diff of broken JSON" 2 "$lakec" diff $nopkg --exit-code stages/dev.yaml broken.json
expect "broken JSON is explained" "grep -q 'not valid JSON' stderr"
printf '{"Parameters": {}}' > notemplate.json
check "diff of JSON that is no template" 2 "$lakec" diff $nopkg stages/dev.yaml notemplate.json
check "diff of one file" 2 "$lakec" diff $nopkg stages/dev.yaml
check "matrix refuses templates" 2 "$lakec" diff $nopkg stages/dev.yaml stages/qa.yaml notemplate.json
check "diff --format json" 1 "$lakec" diff $nopkg --format json --exit-code stages/qa.yaml stages/prod.yaml
expect "diff json parses" "python3 -c 'import json; d=json.load(open(\"stdout\")); assert d[\"version\"]==1 and d[\"summary\"][\"security\"]>0'"
check "matrix --exit-code" 1 "$lakec" diff $nopkg --exit-code stages/dev.yaml stages/qa.yaml stages/prod.yaml
expect "matrix shows apis.api.auth per stage" "grep -q '^apis.api.auth  *none  *iam  *cognito$' stdout"

# build --check
rm -rf out
check "check before any build" 1 "$lakec" build $nopkg --check stages/dev.yaml
expect "missing files are named" "grep -q \"'out/metrics/dev/metrics-dev.template.json' is missing\" stderr && [ ! -e out ]"
check "build" 0 "$lakec" build $nopkg stages/dev.yaml stages/qa.yaml
check "check after the build" 0 "$lakec" build $nopkg --check stages/dev.yaml stages/qa.yaml
echo ' ' >> out/metrics/qa/metrics-qa.template.json
check "check after an edit" 1 "$lakec" build $nopkg --check stages/dev.yaml stages/qa.yaml
expect "the stale file is named, and only it" "grep -q \"'out/metrics/qa/metrics-qa.template.json' is out of date\" stderr && [ \"\$(wc -l < stderr)\" -eq 1 ]"
check "check with a bad stage" 1 "$lakec" build $nopkg --check "$bad"
# What a killed build left (a pid no process has) is removed, then named.
mkdir out/metrics/.lakec-tmp.999999999.AbCdEf
: > out/metrics/qa/manifest.json.tmp.999999999
check "build" 0 "$lakec" build $nopkg stages/dev.yaml stages/qa.yaml
expect "a build removes what killed builds left" "[ -z \"\$(find out -name '*.tmp.*' -o -name '.lakec-tmp.*')\" ]"
mkdir out/metrics/.lakec-tmp.999999999.AbCdEf
check "check with a leftover" 1 "$lakec" build $nopkg --check stages/dev.yaml stages/qa.yaml
expect "the leftover is named, and only it" "grep -q \"'out/metrics/.lakec-tmp.999999999.AbCdEf' is left over from an interrupted build; the next build removes it\" stderr && [ \"\$(wc -l < stderr)\" -eq 1 ]"

# extends stays in the stage file's project; --root widens it
mkdir -p app/.git shared
printf 'lakec: 1\nproject: ext\nbuckets:\n  a: {name: "ext-${stage}-a"}\n' > shared/blueprint.yaml
printf 'extends: ../shared/blueprint.yaml\nstage: dev\n' > app/stage.yaml
check "extends out of the project" 1 "$lakec" validate app/stage.yaml
expect "the refusal names the root and --root" "grep -q 'outside the project root \\[LK014\\]' stderr && grep -q \"project root 'app'\" stderr && grep -q -- '--root DIR' stderr"
check "--root widens the project" 0 "$lakec" validate --root . app/stage.yaml
check "build --root" 0 "$lakec" build --no-package --root . -o rooted app/stage.yaml
check "diff --root" 0 "$lakec" diff --no-package --exit-code --root . app/stage.yaml app/stage.yaml
check "matrix --root" 0 "$lakec" diff --no-package --root "$work" app/stage.yaml app/stage.yaml app/stage.yaml
check "--root that is no directory" 2 "$lakec" validate --root blocker app/stage.yaml
for command in build validate diff; do
  check "$command --help" 0 "$lakec" $command --help
  expect "$command --help shows --root" "grep -q -- '--root DIR' stdout && head -1 stdout | grep -q -- '--root DIR'"
done
mkfifo pipe.yaml
check "a FIFO as input does not hang" 2 timeout 10 "$lakec" validate pipe.yaml
expect "a FIFO as input is named" "grep -q \"'pipe.yaml' is not a regular file\" stderr"
mkdir -p fifo-out
check "build for the FIFO case" 0 "$lakec" build $nopkg -o fifo-out stages/dev.yaml
rm fifo-out/metrics/dev/metrics-dev.template.json
mkfifo fifo-out/metrics/dev/metrics-dev.template.json
check "a FIFO named by a manifest does not hang diff" 2 timeout 10 "$lakec" diff $nopkg stages/dev.yaml fifo-out/metrics/dev
expect "the FIFO template is named" "grep -q 'metrics-dev.template.json: cannot be read' stderr"

# Iceberg column ids are append-only across builds into the same folder.
mkdir -p evolve/scripts
cp "$root/tests/integration/fixtures/iceberg.yaml" evolve/
cp "$root/tests/integration/fixtures/scripts/"*.py evolve/scripts/
check "build an Iceberg stage" 0 "$lakec" build --no-package -o evolve-out evolve/iceberg.yaml
sed 's/{name: updated_at, type: timestamptz, required: true}$/&\n      - {name: channel, type: string}/' \
  evolve/iceberg.yaml >evolve/appended.yaml
check "a column appended to an Iceberg table" 0 "$lakec" build --no-package -o evolve-out evolve/appended.yaml
grep -v 'name: status, type: string}$' evolve/appended.yaml >evolve/removed.yaml
check "a column removed from an Iceberg table" 1 "$lakec" build --no-package -o evolve-out evolve/removed.yaml
expect "the removal is LK366 at the column now in its place" \
  "grep -q \"field id 3 of Iceberg table 'orders' was column 'status' (string)\" stderr && grep -q LK366 stderr"
expect "a refused build keeps the previous template" \
  "grep -q '\"Name\": \"status\"' evolve-out/medallion/dev/medallion-dev.template.json"
sed 's/    write_mode: merge-on-read/    write_mode: merge-on-read\n    allow_rewrite: true/' \
  evolve/removed.yaml >evolve/rewritten.yaml
check "allow_rewrite lets it through" 0 "$lakec" build --no-package -o evolve-out evolve/rewritten.yaml
check "another folder has no previous build" 0 "$lakec" build --no-package -o evolve-other evolve/removed.yaml

# --settings: the stage matrix of two stages
check "diff --settings of two stages" 1 "$lakec" diff $nopkg --settings --exit-code stages/dev.yaml stages/prod.yaml
expect "the matrix has a column per stage" "head -1 stdout | grep -q '^setting  *dev  *prod' && grep -q '^production  *false  *true' stdout"
check "diff --settings with --deployed" 2 "$lakec" diff --settings --deployed stages/dev.yaml
expect "the refusal says why" "grep -q -- '--settings compares stage files' stderr"

echo "command line: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
