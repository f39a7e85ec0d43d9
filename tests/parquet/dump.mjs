// Prints what DuckDB (an independent reader) reads from one Parquet file, as
// JSON on stdout, for tests in other languages to compare with their source:
//   {"columns": [{"name", "type"}], "rows": [[text or null, ...]],
//    "codecs": [the column chunks' compression codecs, distinct],
//    "row_groups": N}
// Every value is DuckDB's own VARCHAR cast of it (time zone UTC), so a test
// compares text, not JavaScript's idea of a 64-bit integer.
//
// usage: node dump.mjs FILE.parquet
import { DuckDBInstance } from '@duckdb/node-api';

const file = process.argv[2];
const db = await (await DuckDBInstance.create(':memory:', { threads: '1' })).connect();
await db.run("SET TimeZone = 'UTC'");
const literal = (text) => `'${text.replaceAll("'", "''")}'`;
const quote = (name) => `"${name.replaceAll('"', '""')}"`;
const all = async (sql) => (await db.runAndReadAll(sql)).getRowObjectsJS();

const columns = (await all(`DESCRIBE SELECT * FROM read_parquet(${literal(file)})`))
  .map((c) => ({ name: c.column_name, type: c.column_type }));
const select = columns.map((c) => `CAST(${quote(c.name)} AS VARCHAR)`).join(', ');
const rows = (await db.runAndReadAll(`SELECT ${select} FROM read_parquet(${literal(file)})`))
  .getRows();
const meta = await all(`SELECT DISTINCT compression, row_group_id FROM parquet_metadata(${literal(file)})`);
const codecs = [...new Set(meta.map((m) => m.compression))].sort();
const rowGroups = new Set(meta.map((m) => Number(m.row_group_id))).size;
process.stdout.write(JSON.stringify({ columns, rows, codecs, row_groups: rowGroups }) + '\n');
