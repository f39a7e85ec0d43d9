#!/usr/bin/env python3
"""normalize against moto's DynamoDB and S3 (moto on a free 127.0.0.1 port), the
program served by a fake Runtime API:

- a table of 3000 conversations (nested maps, lists, every set type, missing
  attributes, numbers, booleans, nulls, strings with commas, quotes, CR, LF and
  non-ASCII text) becomes exactly the CSV an independent computation gives
  (Python's csv module, json.dumps(sort_keys=True, separators=(",", ":"))), read
  in several Scan pages, with the metadata; a parallel scan in 3 segments gives
  the same rows; a second run for the same scheduled time rewrites the one key;
- 25,000 items of 400-byte text (over 8 MiB of CSV) go up as a multipart
  upload, with the peak memory measured by bench/runstat;
- a Scan that fails on a late page (after a part was sent) leaves no object
  and no incomplete multipart upload; so does a deadline too near;
- bad configuration is a Configuration error naming the variable.

usage: test_normalize.py HANDLERS_DIR PROJECT_ROOT
"""
import base64
import csv
import http.server
import io
import json
import os
import random
import subprocess
import sys
import threading
import time
import unittest
import urllib.error
import urllib.request

import boto3

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fakes import FakeRuntimeApi, MotoServer, free_port  # noqa: E402

HANDLERS, ROOT = sys.argv[1], sys.argv[2]
NORMALIZE = os.path.join(HANDLERS, "normalize", "bootstrap")
RUNSTAT = os.path.join(os.path.dirname(os.path.abspath(HANDLERS)), "bench", "runstat")
KEY, SECRET, REGION = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "us-east-1"
BUCKET, TABLE, BIG_TABLE = "cat-test-normalize-reports", "cat-test-conversations", "cat-test-big"
SANITIZED = os.environ.get("LAKEC_TEST_SANITIZED") == "1"

COLUMNS = [("id", ["id"]), ("channel", ["metadata", "channel"]), ("score", ["metadata", "score"]),
           ("deep", ["metadata", "nested"]), ("text", ["text"]), ("amount", ["amount"]),
           ("active", ["active"]), ("note", ["note"]), ("tags", ["tags"]), ("counts", ["counts"]),
           ("blobs", ["blobs"]), ("blob", ["blob"]), ("turns", ["turns"]),
           ("absent", ["nope", "x"]), ("metadata", ["metadata"])]
COLUMNS_SPEC = ",".join(n if p == [n] else n + "=" + ".".join(p) for n, p in COLUMNS)
SCHEDULED = {"version": "0", "id": "e-1", "detail-type": "Scheduled Event", "source": "aws.events",
             "time": "2026-11-22T04:30:00Z", "detail": {}}
EXPECTED_KEY = "reports/etl-process1/dt=2026-11-22/conversations-20261122T0430.csv"

TEXTS = ["plain", "with, comma", 'say "hi"', "two\nlines", "cr\rhere", "crlf\r\nend", "ñandú café 日本語",
         "tab\there", "", " lead and trail ", "emoji 😀", 'all, of "it"\n\r', "back\\slash", "\x01ctl"]


def number(rng):
    """N texts that json.dumps of the Python number prints the same way."""
    return rng.choice([str(rng.randrange(-10**6, 10**6)), repr(rng.randrange(-4000, 4000) / 4), "0"])


def conversation(i, rng):
    """One item as DynamoDB attribute values; some attributes missing."""
    item = {"id": {"S": "c-%05d" % i}}
    if i % 7:
        meta = {"channel": {"S": rng.choice(["web", "whatsapp, chat", 'say "hi"', "é"])},
                "score": {"N": number(rng)}}
        if i % 3 == 0:
            meta["nested"] = {"M": {"z": {"L": [{"S": rng.choice(TEXTS)}, {"N": number(rng)},
                                                 {"BOOL": bool(i % 2)}, {"NULL": True}]},
                                    "a": {"M": {"k": {"S": "v\n"}, "ü": {"NS": ["3", "-1", "2.5"]}}}}}
        if i % 5 == 0:
            del meta["channel"]
        item["metadata"] = {"M": meta}
    if i % 11:
        item["text"] = {"S": rng.choice(TEXTS)}
    if i % 2:
        item["amount"] = {"N": number(rng)}
    if i % 4 != 1:
        item["active"] = {"BOOL": rng.random() < 0.5}
    if i % 6 == 0:
        item["note"] = {"NULL": True}
    if i % 5 == 1:
        item["tags"] = {"SS": rng.sample(["b", "a", "é", "Z", "a b", 'q"'], rng.randrange(1, 5))}
    if i % 8 == 3:
        item["counts"] = {"NS": list({str(rng.randrange(-100, 100)) for _ in range(rng.randrange(1, 5))})}
    if i % 9 == 2:
        item["blobs"] = {"BS": [base64.b64encode(bytes([j, i % 256])).decode() for j in range(3)]}
    if i % 10 == 4:
        item["blob"] = {"B": base64.b64encode(rng.randbytes(7)).decode()}
    if i % 4 == 2:
        item["turns"] = {"L": [{"M": {"role": {"S": "user"}, "text": {"S": rng.choice(TEXTS)}}},
                               {"L": []}, {"M": {}}, {"N": number(rng)}]}
    return item


# ---- the independent computation ----

def python_value(av):
    (kind, v), = av.items()
    if kind in ("S", "B"):
        return v
    if kind == "N":
        return float(v) if "." in v or "e" in v.lower() else int(v)
    if kind == "BOOL":
        return v
    if kind == "NULL":
        return None
    if kind == "M":
        return {k: python_value(x) for k, x in v.items()}
    if kind == "L":
        return [python_value(x) for x in v]
    if kind in ("SS", "BS"):
        return sorted(v, key=lambda s: s.encode())
    if kind == "NS":
        return sorted((python_value({"N": x}) for x in v), key=float)
    raise ValueError(kind)


def field(av):
    if av is None:
        return ""
    (kind, v), = av.items()
    if kind in ("S", "B", "N"):
        return v
    if kind == "BOOL":
        return "true" if v else "false"
    if kind == "NULL":
        return ""
    return json.dumps(python_value(av), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def value_at(item, path):
    av = item.get(path[0])
    for name in path[1:]:
        av = av["M"].get(name) if av and "M" in av else None
    return av


def csv_record(fields):
    # CRLF as the writer's terminator so that CR alone is quoted too, then "\n"
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(fields)
    return out.getvalue()[:-2] + "\n"


def expected_csv(items):
    return ",".join(n for n, _ in COLUMNS) + "\n" + "".join(
        csv_record([field(value_at(item, p)) for _, p in COLUMNS]) for item in items)


class ScanFailsLate:
    """A DynamoDB endpoint in front of moto's that answers the Nth Scan with a
    ValidationException (not retried) and passes every other request on."""

    def __init__(self, upstream, fail_at):
        self.scans = 0
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                proxy.scans += 1
                if proxy.scans == fail_at:
                    status, answer = 400, json.dumps({"__type": "com.amazonaws.dynamodb.v20120810#"
                                                      "ValidationException", "message": "stop"}).encode()
                else:
                    headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                    req = urllib.request.Request(upstream + self.path, data=body, headers=headers)
                    try:
                        with urllib.request.urlopen(req, timeout=60) as r:
                            status, answer = r.status, r.read()
                    except urllib.error.HTTPError as e:
                        status, answer = e.code, e.read()
                self.send_response(status)
                self.send_header("Content-Type", "application/x-amz-json-1.0")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        self.port = free_port()
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def base_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_REGION=REGION, AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY=SECRET,
               S3_BUCKET_NAME=BUCKET, DYNAMODB_TABLE_NAME=TABLE, PROJECT_ID="P2124",
               ENVIRONMENT="test", CLIENT="CAT", NORMALIZE_COLUMNS=COLUMNS_SPEC)
    env.update(extra)
    return {k: v for k, v in env.items() if v is not None}


class Normalize(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.moto = MotoServer()
        cls.addClassCleanup(cls.moto.stop)  # also when the set-up fails
        args = dict(endpoint_url=cls.moto.endpoint, region_name=REGION, aws_access_key_id=KEY,
                    aws_secret_access_key=SECRET)
        cls.s3 = boto3.client("s3", **args)
        cls.ddb = boto3.client("dynamodb", **args)
        cls.s3.create_bucket(Bucket=BUCKET)
        rng = random.Random(1)
        cls.items = [conversation(i, rng) for i in range(3000)]
        cls.fill(TABLE, cls.items)
        big_rng = random.Random(2)
        cls.fill(BIG_TABLE, ({"id": {"S": "b-%06d" % i}, "text": {"S": "".join(
            big_rng.choice("abcdefghij, \"\n") for _ in range(400))}} for i in range(25_000)))

    @classmethod
    def fill(cls, table, items):
        cls.ddb.create_table(TableName=table, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                             AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                             BillingMode="PAY_PER_REQUEST")
        batch = []
        for item in items:
            batch.append({"PutRequest": {"Item": {k: cls.wire(v) for k, v in item.items()}}})
            if len(batch) == 25:
                cls.ddb.batch_write_item(RequestItems={table: batch})
                batch = []
        if batch:
            cls.ddb.batch_write_item(RequestItems={table: batch})

    @classmethod
    def wire(cls, av):
        """boto3 takes B as bytes (it base64-encodes them itself)."""
        (kind, v), = av.items()
        if kind == "B":
            return {"B": base64.b64decode(v)}
        if kind == "BS":
            return {"BS": [base64.b64decode(x) for x in v]}
        if kind == "M":
            return {"M": {k: cls.wire(x) for k, x in v.items()}}
        if kind == "L":
            return {"L": [cls.wire(x) for x in v]}
        return av

    def scan_order(self, table):
        """The ids in the order moto's Scan gives them (what the handler reads)."""
        ids, start = [], None
        while True:
            page = self.ddb.scan(TableName=table, **({"ExclusiveStartKey": start} if start else {}))
            ids += [i["id"]["S"] for i in page["Items"]]
            start = page.get("LastEvaluatedKey")
            if not start:
                return ids

    def setUp(self):
        for o in self.s3.list_objects_v2(Bucket=BUCKET).get("Contents", []):
            self.s3.delete_object(Bucket=BUCKET, Key=o["Key"])

    def run_handler(self, event=SCHEDULED, deadline=None, measure=False, **env):
        """(kind, parsed body[, runstat's wall ms and peak KiB])."""
        events = [("r1", json.dumps(event).encode()) + ((deadline,) if deadline else ())]
        api = FakeRuntimeApi(events)
        program = [RUNSTAT, "--any-status", "1", NORMALIZE] if measure else [NORMALIZE]
        try:
            proc = subprocess.run(program, env=base_env(AWS_LAMBDA_RUNTIME_API=api.address,
                                                        AWS_ENDPOINT_URL=self.moto.endpoint, **env),
                                  capture_output=True, text=True, timeout=300)
        finally:
            api.stop()
        self.assertIn("r1", api.results, proc.stderr)
        kind, body, _ = api.results["r1"]
        if measure:
            wall_ms, _, peak_kib = proc.stdout.split()[:3]
            return kind, json.loads(body), float(wall_ms), int(peak_kib)
        return kind, json.loads(body)

    def keys(self):
        return [o["Key"] for o in self.s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]

    def assertNothingWritten(self):
        self.assertEqual(self.keys(), [])
        self.assertEqual(self.s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", []), [])

    def test_the_csv_is_exactly_the_items_normalized(self):
        kind, result = self.run_handler()
        self.assertEqual(kind, "response", result)
        self.assertEqual((result["bucket"], result["key"], result["rows"]), (BUCKET, EXPECTED_KEY, 3000))
        self.assertGreater(result["pages"], 1)
        obj = self.s3.get_object(Bucket=BUCKET, Key=EXPECTED_KEY)
        body = obj["Body"].read()
        self.assertEqual(len(body), result["bytes"])
        self.assertEqual(obj["ContentType"], "text/csv")
        self.assertEqual(obj["Metadata"], {"project-id": "P2124", "environment": "test", "client": "CAT"})
        by_id = {i["id"]["S"]: i for i in self.items}
        expected = expected_csv([by_id[i] for i in self.scan_order(TABLE)])
        self.assertEqual(body.decode(), expected)  # scan order, byte for byte
        # and csv reads it back as the same records, one per item
        records = list(csv.reader(io.StringIO(body.decode(), newline="")))
        self.assertEqual(len(records), 3001)

    def test_a_parallel_scan_gives_the_same_rows(self):
        kind, result = self.run_handler(SCAN_SEGMENTS="3")
        self.assertEqual(kind, "response", result)
        self.assertEqual(result["rows"], 3000)
        body = self.s3.get_object(Bucket=BUCKET, Key=EXPECTED_KEY)["Body"].read().decode()
        got = list(csv.reader(io.StringIO(body, newline="")))
        want = list(csv.reader(io.StringIO(expected_csv(self.items), newline="")))
        self.assertEqual(got[0], want[0])
        self.assertEqual(sorted(got[1:]), sorted(want[1:]))

    def test_a_retried_event_rewrites_the_same_key(self):
        for _ in range(2):
            kind, result = self.run_handler(OUTPUT_PREFIX="clean/")
            self.assertEqual(kind, "response", result)
        self.assertEqual(self.keys(), ["clean/dt=2026-11-22/conversations-20261122T0430.csv"])

    def test_a_manual_invoke_uses_the_clock(self):
        before = time.gmtime()
        kind, result = self.run_handler(event={})
        self.assertEqual(kind, "response", result)
        self.assertTrue(result["key"].startswith(time.strftime("reports/etl-process1/dt=%Y-%m-%d/", before)),
                        result["key"])

    def test_a_large_table_goes_up_in_parts(self):
        kind, result, wall_ms, peak_kib = self.run_handler(measure=True, DYNAMODB_TABLE_NAME=BIG_TABLE,
                                                           NORMALIZE_COLUMNS="id,text")
        self.assertEqual(kind, "response", result)
        self.assertEqual(result["rows"], 25_000)
        self.assertGreater(result["bytes"], 8 << 20)
        head = self.s3.head_object(Bucket=BUCKET, Key=result["key"], PartNumber=1)
        self.assertGreater(head["PartsCount"], 1)
        self.assertEqual(self.s3.head_object(Bucket=BUCKET, Key=result["key"])["ContentLength"],
                         result["bytes"])
        print(f"\nnormalize: {result['rows']} items, {result['pages']} pages -> "
              f"{result['bytes'] / 1e6:.1f} MB of CSV in {head['PartsCount']} parts: "
              f"{wall_ms / 1000:.2f} s, peak RSS {peak_kib / 1024:.1f} MiB", file=sys.stderr)
        if not SANITIZED:  # a page and its JSON, a part, the program
            self.assertLess(peak_kib, 48 << 10)

    def test_a_scan_failing_after_a_part_was_sent_leaves_nothing(self):
        proxy = ScanFailsLate(self.moto.endpoint, fail_at=22)  # ~9 MB read: one part sent
        try:
            kind, result = self.run_handler(DYNAMODB_TABLE_NAME=BIG_TABLE, NORMALIZE_COLUMNS="id,text",
                                            AWS_ENDPOINT_URL_DYNAMODB=f"http://127.0.0.1:{proxy.port}")
        finally:
            proxy.stop()
        self.assertEqual(kind, "error", result)
        self.assertEqual(result["errorType"], "DynamoDBError")
        self.assertIn("ValidationException", result["errorMessage"])
        self.assertEqual(proxy.scans, 22)
        self.assertNothingWritten()

    def test_a_deadline_too_near_stops_before_writing(self):
        kind, result = self.run_handler(deadline=int((time.time() + 5) * 1000))
        self.assertEqual(kind, "error", result)
        self.assertEqual(result["errorType"], "Timeout")
        self.assertNothingWritten()

    def test_a_missing_bucket_is_an_s3_error(self):
        kind, result = self.run_handler(S3_BUCKET_NAME="no-such-bucket-here")
        self.assertEqual((kind, result["errorType"]), ("error", "S3Error"), result)

    def test_bad_configuration_names_the_variable(self):
        cases = [({"S3_BUCKET_NAME": None}, "S3_BUCKET_NAME"),
                 ({"DYNAMODB_TABLE_NAME": ""}, "DYNAMODB_TABLE_NAME"),
                 ({"NORMALIZE_COLUMNS": None}, "NORMALIZE_COLUMNS"),
                 ({"NORMALIZE_COLUMNS": "id,Channel"}, "NORMALIZE_COLUMNS"),
                 ({"NORMALIZE_COLUMNS": "id,c=metadata..channel"}, "NORMALIZE_COLUMNS"),
                 ({"NORMALIZE_COLUMNS": "id,id=x"}, "NORMALIZE_COLUMNS"),
                 ({"NORMALIZE_COLUMNS": "id,"}, "NORMALIZE_COLUMNS"),
                 ({"SCAN_SEGMENTS": "0"}, "SCAN_SEGMENTS"),
                 ({"SCAN_SEGMENTS": "two"}, "SCAN_SEGMENTS"),
                 ({"OUTPUT_PREFIX": "/reports/"}, "OUTPUT_PREFIX"),
                 ({"OUTPUT_PREFIX": "reports"}, "OUTPUT_PREFIX"),
                 ({"OUTPUT_PREFIX": "a/../b/"}, "OUTPUT_PREFIX"),
                 ({"PROJECT_ID": "P\n2124"}, "PROJECT_ID"),
                 ({"CLIENT": "café"}, "CLIENT")]
        for env, name in cases:
            with self.subTest(env=env):
                kind, result = self.run_handler(**env)
                self.assertEqual((kind, result["errorType"]), ("error", "Configuration"), result)
                self.assertIn(name, result["errorMessage"])
        self.assertNothingWritten()


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
