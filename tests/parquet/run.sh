#!/bin/sh
# The Parquet writer's files read back by DuckDB (verify.mjs). Installs the
# pinned @duckdb/node-api (package-lock.json) into node_modules when missing.
# usage: run.sh PQWRITE RUNSTAT CSV2PARQUET
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -d "$here/node_modules/@duckdb/node-api" ]; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi
exec node "$here/verify.mjs" "$1" "$2" "$3"
