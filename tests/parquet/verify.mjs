// Reads every file lakec's Parquet writer produces (through pqwrite) with
// DuckDB, an independent reader, and compares every value, type, null and
// row count with the source; then the footer as DuckDB sees it:
// parquet_schema() (physical, converted and logical types, repetition) and
// parquet_metadata() (codec, encodings, row groups, statistics).
//
// Then CSV files through the streaming CSV reader into Parquet
// (csv2parquet), compared by DuckDB with its own reading of the CSV.
//
// Last, check_layout.py reads every file's footer and walks its pages.
//
// usage: node verify.mjs PQWRITE RUNSTAT CSV2PARQUET
import { DuckDBInstance } from '@duckdb/node-api';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [pqwrite, runstat, csv2parquet] = process.argv.slice(2);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'lakec-parquet-'));
const db = await (await DuckDBInstance.create(':memory:', { threads: '1' })).connect();
let failures = 0, checks = 0;

function check(ok, what) {
  checks++;
  if (!ok) {
    failures++;
    console.error(`FAIL ${what}`);
  }
}

async function rows(sql) {
  return (await db.runAndReadAll(sql)).getRowObjectsJS();
}

const quote = (name) => `"${name.replaceAll('"', '""')}"`;
const literal = (text) => `'${text.replaceAll("'", "''")}'`;

// Per type: DuckDB's type, the physical / converted / logical types in the
// schema, and a select expression whose JS value compares with the source.
const TYPES = {
  string: { duck: 'VARCHAR', physical: 'BYTE_ARRAY', converted: 'UTF8', logical: 'StringType', sql: (c) => c },
  int32: { duck: 'INTEGER', physical: 'INT32', converted: null, logical: null, sql: (c) => c },
  int64: { duck: 'BIGINT', physical: 'INT64', converted: null, logical: null, sql: (c) => `CAST(${c} AS VARCHAR)` },
  double: { duck: 'DOUBLE', physical: 'DOUBLE', converted: null, logical: null, sql: (c) => c },
  boolean: { duck: 'BOOLEAN', physical: 'BOOLEAN', converted: null, logical: null, sql: (c) => c },
  date: { duck: 'DATE', physical: 'INT32', converted: 'DATE', logical: 'DateType', sql: (c) => `CAST(${c} - DATE '1970-01-01' AS INTEGER)` },
  timestamp_millis: {
    duck: 'TIMESTAMP WITH TIME ZONE', physical: 'INT64', converted: 'TIMESTAMP_MILLIS',
    logical: 'TimestampType(isAdjustedToUTC=1, unit=TimeUnit(MILLIS', sql: (c) => `CAST(epoch_ms(${c}) AS VARCHAR)`,
  },
  timestamp_micros: {
    duck: 'TIMESTAMP WITH TIME ZONE', physical: 'INT64', converted: 'TIMESTAMP_MICROS',
    logical: 'TimestampType(isAdjustedToUTC=1, unit=TimeUnit(MILLIS=<null>, MICROS', sql: (c) => `CAST(epoch_us(${c}) AS VARCHAR)`,
  },
  string_list: { duck: 'VARCHAR[]', physical: 'BYTE_ARRAY', converted: 'UTF8', logical: 'StringType', sql: (c) => c },
};

// The source value as the select expression above returns it.
function expected(type, v) {
  if (v === null) return null;
  if (['int64', 'timestamp_millis', 'timestamp_micros'].includes(type)) return BigInt(v).toString();
  return v;
}

function same(a, b) {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  return Object.is(a, b);
}

const show = (v) => JSON.stringify(v, (k, x) => (typeof x === 'bigint' ? `${x}n` : x))?.slice(0, 120);

const written = []; // every file, for check_layout.py at the end

function writeFile(name, description) {
  const json = path.join(work, `${name}.json`);
  const out = path.join(work, `${name}.parquet`);
  fs.writeFileSync(json, JSON.stringify(description));
  execFileSync(pqwrite, [json, out], { stdio: 'inherit' });
  written.push(out);
  return out;
}

async function checkValues(name, file, d) {
  const select = d.columns.map((c, i) => `${TYPES[c.type].sql(quote(c.name))} AS c${i}`).join(', ');
  const got = await rows(`SELECT ${select} FROM read_parquet(${literal(file)})`);
  check(got.length === d.rows.length, `${name}: ${got.length} rows, not ${d.rows.length}`);
  d.rows.forEach((row, r) => d.columns.forEach((c, i) => {
    const want = expected(c.type, row[i]);
    const have = got[r]?.[`c${i}`];
    check(same(have, want), `${name}: row ${r} ${c.name}: ${show(have)}, not ${show(want)}`);
  }));
}

async function checkTypes(name, file, d) {
  const described = await rows(`DESCRIBE SELECT * FROM read_parquet(${literal(file)})`);
  check(described.length === d.columns.length, `${name}: ${described.length} columns`);
  d.columns.forEach((c, i) => {
    check(described[i]?.column_name === c.name, `${name}: column ${i} named ${described[i]?.column_name}`);
    check(described[i]?.column_type === TYPES[c.type].duck,
      `${name}: ${c.name} read as ${described[i]?.column_type}, not ${TYPES[c.type].duck}`);
  });
}

// The schema elements: a list is name (LIST) > list (repeated) > element.
async function checkSchema(name, file, d) {
  const elements = await rows(`SELECT * FROM parquet_schema(${literal(file)})`);
  const byName = new Map();
  let parent = null;
  for (const e of elements.slice(1)) {
    const key = e.name === 'list' || e.name === 'element' ? `${parent}.${e.name}` : e.name;
    if (e.name !== 'list' && e.name !== 'element') parent = e.name;
    byName.set(key, e);
  }
  for (const c of d.columns) {
    const t = TYPES[c.type];
    const repetition = c.optional ? 'OPTIONAL' : 'REQUIRED';
    let leaf = byName.get(c.name);
    if (c.type === 'string_list') {
      check(leaf?.converted_type === 'LIST' && leaf?.logical_type === 'ListType()', `${name}: ${c.name} not a LIST`);
      check(leaf?.repetition_type === repetition, `${name}: ${c.name} ${leaf?.repetition_type}`);
      check(byName.get(`${c.name}.list`)?.repetition_type === 'REPEATED', `${name}: ${c.name}.list not repeated`);
      leaf = byName.get(`${c.name}.element`);
      check(leaf?.repetition_type === 'REQUIRED', `${name}: ${c.name}.element ${leaf?.repetition_type}`);
    } else {
      check(leaf?.repetition_type === repetition, `${name}: ${c.name} ${leaf?.repetition_type}, not ${repetition}`);
    }
    check(leaf?.type === t.physical, `${name}: ${c.name} physical ${leaf?.type}`);
    check(leaf?.converted_type === t.converted, `${name}: ${c.name} converted ${leaf?.converted_type}`);
    check(t.logical === null ? leaf?.logical_type === null : String(leaf?.logical_type).startsWith(t.logical),
      `${name}: ${c.name} logical ${leaf?.logical_type}`);
  }
}

// Statistics as this file computes them from the source, per row group:
// strings in UTF-8 byte order; a null or empty list counts as a null leaf;
// strings longer than 1024 bytes leave min and max out.
function expectedStats(type, values) {
  let nulls = 0;
  let leaves = [];
  for (const v of values) {
    if (v === null || (type === 'string_list' && v.length === 0)) nulls++;
    else if (type === 'string_list') leaves.push(...v);
    else leaves.push(v);
  }
  if (type === 'double') leaves = leaves.filter((x) => !Number.isNaN(x));
  if (leaves.length === 0) return { nulls, min: null, max: null };
  let order;
  if (type === 'string' || type === 'string_list') order = (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b));
  else if (['int64', 'timestamp_millis', 'timestamp_micros'].includes(type)) order = (a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b));
  else order = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
  const sorted = [...leaves].sort(order);
  let min = sorted[0], max = sorted[sorted.length - 1];
  // Parquet's rule for zeros: a zero min is written -0.0, a zero max +0.0.
  if (type === 'double' && min === 0) min = -0;
  if (type === 'double' && max === 0) max = 0;
  if (type.startsWith('string') && (Buffer.byteLength(min) > 1024 || Buffer.byteLength(max) > 1024)) min = max = null;
  return { nulls, min: expected(type, min), max: expected(type, max) };
}

// DuckDB shows statistics as text: read back into the select expressions' terms.
function statsSql(type, column) {
  switch (type) {
    case 'int32': return `CAST(${column} AS INTEGER)`;
    case 'int64': return column;
    case 'double': return `CAST(${column} AS DOUBLE)`;
    case 'boolean': return `CAST(${column} AS BOOLEAN)`;
    case 'date': return `CAST(CAST(${column} AS DATE) - DATE '1970-01-01' AS INTEGER)`;
    case 'timestamp_millis': return `CAST(epoch_ms(CAST(${column} AS TIMESTAMPTZ)) AS VARCHAR)`;
    case 'timestamp_micros': return `CAST(epoch_us(CAST(${column} AS TIMESTAMPTZ)) AS VARCHAR)`;
    default: return column;
  }
}

async function checkMetadata(name, file, d) {
  const options = d.options ?? {};
  const codec = { snappy: 'SNAPPY', gzip: 'GZIP', none: 'UNCOMPRESSED' }[options.codec ?? 'snappy'];
  const groupRows = options.row_group_rows ?? 1000000;
  const groups = Math.ceil(d.rows.length / groupRows);
  const file_meta = await rows(`SELECT * FROM parquet_file_metadata(${literal(file)})`);
  check(file_meta[0].created_by.startsWith('lakec version '), `${name}: created_by ${file_meta[0].created_by}`);
  check(file_meta[0].num_rows === BigInt(d.rows.length), `${name}: num_rows ${file_meta[0].num_rows}`);
  check(file_meta[0].num_row_groups === BigInt(groups), `${name}: ${file_meta[0].num_row_groups} row groups, not ${groups}`);
  for (const [i, c] of d.columns.entries()) {
    const path_in_schema = c.type === 'string_list' ? `${c.name}, list, element` : c.name;
    const meta = await rows(`SELECT row_group_id, row_group_num_rows, compression, encodings, stats_null_count,
        ${statsSql(c.type, 'stats_min_value')} AS min, ${statsSql(c.type, 'stats_max_value')} AS max
      FROM parquet_metadata(${literal(file)}) WHERE path_in_schema = ${literal(path_in_schema)} ORDER BY row_group_id`);
    check(meta.length === groups, `${name}: ${c.name} in ${meta.length} row groups`);
    for (const [g, m] of meta.entries()) {
      const slice = d.rows.slice(g * groupRows, (g + 1) * groupRows).map((r) => r[i]);
      const want = expectedStats(c.type, slice);
      const where = `${name}: ${c.name} row group ${g}`;
      check(m.row_group_num_rows === BigInt(slice.length), `${where}: ${m.row_group_num_rows} rows`);
      check(m.compression === codec, `${where}: codec ${m.compression}, not ${codec}`);
      check(m.stats_null_count === BigInt(want.nulls), `${where}: null_count ${m.stats_null_count}, not ${want.nulls}`);
      check(same(m.min ?? null, want.min), `${where}: min ${show(m.min)}, not ${show(want.min)}`);
      check(same(m.max ?? null, want.max), `${where}: max ${show(m.max)}, not ${show(want.max)}`);
      const dictionary = c.type.startsWith('string') && options.dictionary !== false;
      check(m.encodings.includes('PLAIN_DICTIONARY') === dictionary, `${where}: encodings ${m.encodings}`);
      if (d.expectEncodings) check(m.encodings === d.expectEncodings[c.name] || !d.expectEncodings[c.name],
        `${where}: encodings ${m.encodings}, not ${d.expectEncodings[c.name]}`);
    }
  }
}

async function verify(name, description) {
  const file = writeFile(name, description);
  await checkValues(name, file, description);
  await checkTypes(name, file, description);
  await checkSchema(name, file, description);
  await checkMetadata(name, file, description);
  return file;
}

// Every type, each required and optional; the optional ones null in some row.
const ALL_TYPES = Object.keys(TYPES);
const long = 'long ✓ text '.repeat(20000); // ~280 KB: longer than a page
const VALUES = {
  string: ['plain', '', 'Ünïcødé — 日本語 🦆', long, 'a,b;"c"\nd', 'zzz', '\u00ff', 'é'],
  int32: [0, -1, 2147483647, -2147483648, 42, 7, 100, -100],
  int64: ['0', '-1', '9223372036854775807', '-9223372036854775808', '9007199254740993', '5', '6', '7'],
  double: [0.5, -0.125, 1.7976931348623157e308, -5e-324, 3.14159, 1e-10, -2.5, 0],
  boolean: [true, false, true, true, false, false, true, false],
  date: [0, -1, 19723, 2932896, -719162, 1, 365, 20000],
  timestamp_millis: ['0', '-1', '1700000000123', '253402300799999', '-62135596800000', '1', '2', '3'],
  timestamp_micros: ['0', '-1', '1700000000123456', '253402300799999999', '-62135596800000000', '1', '2', '3'],
  string_list: [['action', 'drama'], [], ['日本語', ''], [long], ['x'], ['a', 'b', 'c', 'd'], ['drama'], []],
};

function allTypes(rowCount, nullEvery) {
  const columns = [];
  for (const t of ALL_TYPES) {
    columns.push({ name: `${t}_required`, type: t, optional: false });
    columns.push({ name: `${t}_optional`, type: t, optional: true });
  }
  const data = [];
  for (let r = 0; r < rowCount; r++) {
    data.push(columns.map((c, i) => {
      if (c.optional && (r + i) % nullEvery === 0) return null;
      return VALUES[c.type][(r + i) % VALUES[c.type].length];
    }));
  }
  return { columns, rows: data };
}

const cases = [];
const base = allTypes(8, 3);
cases.push(['all_types_snappy', base]);
cases.push(['all_types_gzip', { ...base, options: { codec: 'gzip' } }]);
cases.push(['all_types_uncompressed', { ...base, options: { codec: 'none' } }]);
cases.push(['all_types_plain', { ...base, options: { dictionary: false } }]);
cases.push(['one_row', allTypes(1, 1000)]);
cases.push(['one_row_all_null', { ...allTypes(1, 1), rows: [allTypes(1, 1).columns.map((c) => (c.optional ? null : VALUES[c.type][0]))] }]);
cases.push(['zero_rows', { ...base, rows: [] }]);
cases.push(['row_groups', { ...allTypes(50, 4), options: { row_group_rows: 7, page_bytes: 64 } }]);
// Past the dictionary's limit: its pages, then PLAIN ones, in one chunk.
const many = [];
for (let i = 0; i < 3000; i++) many.push([`value-${i % 2000}`, i % 5 === 0 ? null : `low-${i % 3}`]);
cases.push(['dictionary_fallback', {
  columns: [{ name: 'high', type: 'string', optional: false }, { name: 'low', type: 'string', optional: true }],
  options: { dictionary_bytes: 4096, page_bytes: 1024 },
  rows: many,
  expectEncodings: { high: 'PLAIN_DICTIONARY, PLAIN, RLE', low: 'PLAIN_DICTIONARY, RLE' },
}]);

for (const [name, description] of cases) await verify(name, description);

// The same description twice: the same bytes.
{
  const a = fs.readFileSync(writeFile('determinism_a', base));
  const b = fs.readFileSync(writeFile('determinism_b', base));
  check(a.equals(b), 'the same input wrote different bytes');
}

// A large generated file (several row groups), each value checked in SQL
// against the formulas of pqwrite's generate_row, and the writer's peak
// memory measured while it writes.
{
  const count = 2000000, groupRows = 250000;
  const file = path.join(work, 'generated.parquet');
  written.push(file);
  const t0 = Date.now();
  const [, , rssKiB] = execFileSync(runstat, ['1', pqwrite, '--generate', String(count),
    '--row-group-rows', String(groupRows), file]).toString().trim().split(/\s+/).map(Number);
  const seconds = (Date.now() - t0) / 1000;
  const size = fs.statSync(file).size;
  console.log(`generated: ${count} rows, ${(size / 1e6).toFixed(1)} MB in ${seconds.toFixed(2)} s ` +
    `(${Math.round(count / seconds)} rows/s), writer peak RSS ${(rssKiB / 1024).toFixed(1)} MiB`);
  // (A sanitized build's allocator keeps freed memory: no bound there.)
  if (!process.env.LAKEC_TEST_SANITIZED)
    check(rssKiB < 64 * 1024, `the writer's peak RSS ${rssKiB} KiB for ${count} rows`);
  const [r] = await rows(`SELECT count(*) AS n,
      bool_and(category = 'category-' || (id % 100)) AS category,
      bool_and(CASE WHEN id % 13 = 0 THEN unique_text IS NULL ELSE unique_text = 'unique-' || (id * 7919) END) AS unique_text,
      bool_and(CASE WHEN id % 17 = 0 THEN score IS NULL ELSE score = id * 0.25 END) AS score,
      bool_and(flag = (id % 3 = 0)) AS flag,
      bool_and(CASE WHEN id % 19 = 0 THEN day IS NULL ELSE day = DATE '1970-01-01' + CAST(id % 30000 AS INTEGER) END) AS day,
      bool_and(epoch_ms("at") = 1700000000000 + id) AS "at",
      bool_and(CASE WHEN id % 7 = 0 THEN small IS NULL ELSE small = id % 1000 - 500 END) AS small,
      bool_and(CASE WHEN id % 11 = 0 THEN tags IS NULL
               ELSE tags = list_transform(range(CAST(id % 5 AS BIGINT)), k -> 't' || k) END) AS tags,
      sum(id) = ${BigInt(count) * BigInt(count - 1) / 2n} AS ids
    FROM read_parquet(${literal(file)})`);
  check(r.n === BigInt(count), `generated: ${r.n} rows`);
  for (const [k, v] of Object.entries(r)) if (k !== 'n') check(v === true, `generated: column ${k} differs`);
  const [g] = await rows(`SELECT count(DISTINCT row_group_id) AS groups FROM parquet_metadata(${literal(file)})`);
  check(g.groups === BigInt(count / groupRows), `generated: ${g.groups} row groups`);
}

// CSV in, Parquet out: DuckDB's own CSV reader against what csv2parquet
// wrote. Quoted empty fields are empty strings, unquoted ones null (both
// sides); short rows end in nulls.
async function compareCsv(name, csv, columns, ragged) {
  // (DuckDB pads short rows only in its serial reader.)
  const padding = ragged ? 'null_padding = true, parallel = false' : 'null_padding = false';
  const source = `read_csv(${literal(csv)}, all_varchar = true, header = true, ${padding},
    allow_quoted_nulls = false, quote = '"', escape = '"', delim = ',')`;
  const parquet = `read_parquet(${literal(csv + '.parquet')})`;
  const list = columns.map(quote).join(', ');
  const summary = async (from) => (await rows(
    `SELECT count(*) AS n, sum(hash(${list})::HUGEINT) AS h FROM ${from}`))[0];
  const [want, have] = [await summary(source), await summary(parquet)];
  check(want.n === have.n && want.n > 0n, `${name}: ${have.n} rows from the CSV, DuckDB reads ${want.n}`);
  check(want.h === have.h, `${name}: the values differ from DuckDB's reading of the CSV`);
  const [diff] = await rows(`SELECT count(*) AS n FROM (FROM ${source} EXCEPT ALL FROM ${parquet})`);
  check(diff.n === 0n, `${name}: ${diff.n} rows of the CSV are not in the Parquet file`);
}

{
  const csv = path.join(work, 'tricky.csv');
  fs.writeFileSync(csv, '\uFEFFid,text,note\r\n' +
    '1,"comma, inside","quote ""inside"""\r\n' +
    '2,"line\nbreak","crlf\r\ninside"\r\n' +
    '3,Ünïcødé — 日本語 🦆,""\r\n' +
    '4,,\r\n' +
    '5\r\n' +
    `6,${'x'.repeat(300000)},end`);
  execFileSync(csv2parquet, [csv, csv + '.parquet'], { stdio: 'ignore' });
  written.push(csv + '.parquet');
  await compareCsv('tricky.csv', csv, ['id', 'text', 'note'], true);
}

// 100 MB of CSV streamed through in 64 KiB reads: the converter's peak
// memory stays that of a row group, not of the input.
{
  const csv = path.join(work, 'large.csv');
  const fd = fs.openSync(csv, 'w');
  fs.writeSync(fd, 'id,name,text,city,amount\r\n');
  let size = 0, i = 0;
  while (size < 100e6) {
    let block = '';
    for (let k = 0; k < 10000; k++, i++)
      block += `${i},"name ${i % 1000}, ${i % 7}","say ""${i}""\nthen more",Zürich ${i % 13},${i * 0.5}\r\n`;
    size += fs.writeSync(fd, block);
  }
  fs.closeSync(fd);
  const t0 = Date.now();
  const [, , rssKiB] = execFileSync(runstat, ['1', csv2parquet, csv, csv + '.parquet'])
    .toString().trim().split(/\s+/).map(Number);
  const seconds = (Date.now() - t0) / 1000;
  written.push(csv + '.parquet');
  console.log(`csv: ${(size / 1e6).toFixed(0)} MB, ${i} rows in ${seconds.toFixed(2)} s ` +
    `(${(size / 1e6 / seconds).toFixed(1)} MB/s of CSV in), peak RSS ${(rssKiB / 1024).toFixed(1)} MiB`);
  if (!process.env.LAKEC_TEST_SANITIZED)
    check(rssKiB < 64 * 1024, `csv2parquet's peak RSS ${rssKiB} KiB for ${size} bytes`);
  await compareCsv('large.csv', csv, ['id', 'name', 'text', 'city', 'amount'], false);
}

// A second opinion on every file's layout, from Python's standard library.
{
  const script = path.join(path.dirname(new URL(import.meta.url).pathname), 'check_layout.py');
  try {
    execFileSync('python3', [script, ...written], { stdio: 'inherit' });
    check(true, 'layout');
  } catch {
    check(false, 'check_layout.py found the layout wrong (above)');
  }
}

fs.rmSync(work, { recursive: true, force: true });
if (failures) {
  console.error(`${failures} check(s) failed`);
  process.exit(1);
}
console.log(`parquet: ${cases.length} files and a generated one read back by DuckDB, all ${checks} checks passed`);
