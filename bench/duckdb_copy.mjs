// The same CSV written as Parquet by DuckDB, for bench/parquet.sh:
// COPY (SELECT * FROM read_csv(CSV)) TO OUT (FORMAT parquet), SNAPPY (DuckDB's
// default), with THREADS threads ("default": DuckDB's choice). Prints the
// milliseconds of the COPY alone (not Node's or DuckDB's start).
// usage: node duckdb_copy.mjs CSV OUT THREADS
import { DuckDBInstance } from '@duckdb/node-api';

const [csv, out, threads] = process.argv.slice(2);
const options = threads === 'default' ? {} : { threads };
const db = await (await DuckDBInstance.create(':memory:', options)).connect();
const quote = (s) => `'${s.replaceAll("'", "''")}'`;
const start = process.hrtime.bigint();
await db.run(`COPY (SELECT * FROM read_csv(${quote(csv)})) TO ${quote(out)} (FORMAT parquet)`);
console.log(Number(process.hrtime.bigint() - start) / 1e6);
