#!/bin/sh
# The golden templates' state machine definitions validated by asl-validator
# (validate.cjs). Installs the pinned asl-validator (package-lock.json) into
# node_modules when missing.
# usage: run.sh SOURCE_DIR
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -d "$here/node_modules/asl-validator" ]; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi
# shellcheck disable=SC2046
exec node "$here/validate.cjs" $(find "$1/tests/golden" -name '*.template.json' | sort)
