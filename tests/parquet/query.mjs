// Runs one SQL statement in DuckDB and prints its rows as a JSON array of
// objects (getRowObjectsJson: BIGINT and the like as strings). For the
// handler tests, which read process's Parquet objects back with DuckDB; it
// lives here for the @duckdb/node-api installed beside it (run.sh).
// usage: node query.mjs SQL
import { DuckDBInstance } from '@duckdb/node-api';

const db = await (await DuckDBInstance.create(':memory:', { threads: '1' })).connect();
const reader = await db.runAndReadAll(process.argv[2]);
process.stdout.write(JSON.stringify(reader.getRowObjectsJson()));
