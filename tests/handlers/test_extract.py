#!/usr/bin/env python3
"""extract (seed 003's first step) against moto's S3 (moto on a free 127.0.0.1
port), the program served by a fake Runtime API as Step Functions' lambda:invoke
would call it:

- the generated orders: three parts of JSON Lines under
  raw/<source>/ingest_date=<day>/, exactly the orders an independent computation
  gives, updates of earlier orders (this day's and the day before's) included;
  the answer lists bucket, prefix, keys, records and pages; a second run writes
  the same bytes; without ingestDate the day is today's (UTC);
- a null (or missing) executionId: the Lambda request id stands in;
- a paged HTTP source (a local server, stopped by the test): pages until an
  empty one, both page shapes, '&page=N' after a query; a 500 then success and
  a 429 with Retry-After retried; a 404 fails at once with the status and the
  URL (never its query); a page that is not JSON fails; a source longer than
  MAX_PAGES fails; a later run with fewer pages answers only its own parts;
  retries stop before the invocation's deadline;
- bad configuration is a Configuration error naming the variable.

usage: test_extract.py HANDLERS_DIR PROJECT_ROOT
"""
import datetime
import http.server
import json
import os
import subprocess
import sys
import time
import unittest
import urllib.parse

import boto3

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fakes import FakeRuntimeApi, LocalHttpServer, MotoServer  # noqa: E402

HANDLERS = sys.argv[1]
EXTRACT = os.path.join(HANDLERS, "extract", "bootstrap")
KEY, SECRET, REGION = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "us-east-1"
BUCKET = "lakehouse-test-bronze"
DAY = "2026-11-22"
EXECUTION = "arn:aws:states:us-east-1:123456789012:execution:lakehouse-test-pipeline:run-1"


# ---- the generated orders, computed independently (README, "extract") ----

def mock_order(ymd, k, status, date, hour, minute):
    cents = 500 + (31 * ymd + 7919 * k) % 99500
    return {"order_id": "ord-%08d-%04d" % (ymd, k), "customer_id": "cust-%03d" % ((ymd + 7 * k) % 97),
            "status": status, "amount": "%d.%02d" % (cents // 100, cents % 100),
            "currency": ["EUR", "USD", "GBP"][(ymd + k) % 3],
            "updated_at": "%sT%02d:%02d:00Z" % (date, hour, minute)}


def mock_pages(date):
    day = datetime.date.fromisoformat(date)
    today = int(day.strftime("%Y%m%d"))
    yesterday = int((day - datetime.timedelta(days=1)).strftime("%Y%m%d"))
    created = [mock_order(today, n, "paid" if n % 2 else "pending", date, 8, n) for n in range(20)]
    updates = ([mock_order(today, k, "shipped", date, 12, k) for k in range(5)] +
               [mock_order(yesterday, k, "delivered", date, 13, k) for k in range(5)])
    return [created[:10], created[10:], updates]


class ScriptedSource(LocalHttpServer):
    """GET ...?page=N: each page's scripted answers in turn (status, body,
    headers), the last one repeated; a page not scripted answers []. Records
    (page, monotonic time, path) of every request."""

    def __init__(self, script):
        self.script = {page: list(answers) for page, answers in script.items()}
        self.asked = []
        source = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
                page = int(query["page"][0])
                source.asked.append((page, time.monotonic(), self.path))
                answers = source.script.get(page, [(200, b"[]", {})])
                status, body, headers = answers.pop(0) if len(answers) > 1 else answers[0]
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        super().__init__(Handler)

    def pages_asked(self):
        return [page for page, _, _ in self.asked]


def ok(items):
    return (200, json.dumps(items).encode(), {})


class Extract(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.moto = MotoServer()
        cls.addClassCleanup(cls.moto.stop)
        cls.s3 = boto3.client("s3", endpoint_url=cls.moto.endpoint, region_name=REGION,
                              aws_access_key_id=KEY, aws_secret_access_key=SECRET)
        cls.s3.create_bucket(Bucket=BUCKET)

    def setUp(self):
        for o in self.s3.list_objects_v2(Bucket=BUCKET).get("Contents", []):
            self.s3.delete_object(Bucket=BUCKET, Key=o["Key"])

    def run_extract(self, event, deadline=None, **env):
        """(kind, parsed body) of one invocation ("response" or "error")."""
        base = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "LAKEC_"))}
        base.update(AWS_REGION=REGION, AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY=SECRET,
                    AWS_ENDPOINT_URL=self.moto.endpoint, LAKEC_WRITE_BUCKET=BUCKET,
                    LAKEC_WRITE_PREFIX="raw/")
        base.update(env)
        base = {k: v for k, v in base.items() if v is not None}
        api = FakeRuntimeApi([("req-1", json.dumps(event).encode()) + ((deadline,) if deadline else ())])
        try:
            proc = subprocess.run([EXTRACT], env=dict(base, AWS_LAMBDA_RUNTIME_API=api.address),
                                  capture_output=True, text=True, timeout=300)
        finally:
            api.stop()
        self.assertNotRegex(proc.stderr, "Sanitizer|runtime error:")
        self.assertIn("req-1", api.results, proc.stderr)
        kind, body, _ = api.results["req-1"]
        return kind, json.loads(body)

    def objects(self):
        return {o["Key"]: o for o in self.s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])}

    def read_lines(self, key):
        obj = self.s3.get_object(Bucket=BUCKET, Key=key)
        self.assertEqual(obj["ContentType"], "application/x-ndjson")
        text = obj["Body"].read().decode()
        self.assertTrue(text.endswith("\n"))
        lines = text.split("\n")[:-1]
        for line in lines:  # compact: what json.dumps with these separators prints
            self.assertEqual(line, json.dumps(json.loads(line), separators=(",", ":"), ensure_ascii=False))
        return [json.loads(line) for line in lines], obj["Metadata"]

    def expect_answer(self, result, parts, records, source="orders", day=DAY, execution=EXECUTION):
        prefix = "raw/%s/ingest_date=%s/" % (source, day)
        self.assertEqual(result, {"bucket": BUCKET, "prefix": prefix,
                                  "keys": [prefix + "part-%05d.json" % i for i in range(parts)],
                                  "records": records, "pages": parts, "source": source,
                                  "executionId": execution, "ingestDate": day})

    # ---- the generated source ----

    def test_the_generated_orders_are_written_as_json_lines_and_again_the_same(self):
        event = {"executionId": EXECUTION, "source": "orders", "ingestDate": DAY + "T04:30:00.123Z"}
        kind, result = self.run_extract(event)
        self.assertEqual(kind, "response", result)
        self.expect_answer(result, 3, 30)
        self.assertEqual(set(self.objects()), set(result["keys"]))
        expected = mock_pages(DAY)
        for key, page in zip(result["keys"], expected):
            lines, metadata = self.read_lines(key)
            self.assertEqual(lines, page)
            self.assertEqual(metadata, {"execution-id": EXECUTION})
        # updates of earlier orders: five of this day's, five of the day before's
        rows = [row for page in expected for row in page]
        ids = [row["order_id"] for row in rows]
        repeated = {i for i in ids if ids.count(i) == 2}
        self.assertEqual(len(repeated), 5)
        for order in repeated:
            first, later = [row for row in rows if row["order_id"] == order]
            self.assertGreater(later["updated_at"], first["updated_at"])
            self.assertNotEqual(later["status"], first["status"])
        self.assertEqual(sum(1 for i in ids if i.startswith("ord-20261121-")), 5)
        # the same execution again: the same keys, the same bytes
        etags = {k: o["ETag"] for k, o in self.objects().items()}
        kind, again = self.run_extract(event)
        self.assertEqual((kind, again), ("response", result))
        self.assertEqual({k: o["ETag"] for k, o in self.objects().items()}, etags)

    def test_without_a_day_the_invocation_s_utc_day_is_used(self):
        before = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
        kind, result = self.run_extract({"executionId": EXECUTION, "source": "orders"})
        after = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
        self.assertEqual(kind, "response", result)
        self.assertIn(result["ingestDate"], {before, after})
        self.expect_answer(result, 3, 30, day=result["ingestDate"])
        self.assertEqual(self.read_lines(result["keys"][2])[0], mock_pages(result["ingestDate"])[2])

    def test_on_the_first_of_a_month_the_updates_are_of_the_month_before_s_last_day(self):
        for day, before in (("2026-03-01", "20260228"), ("2028-03-01", "20280229"), ("2027-01-01", "20261231")):
            kind, result = self.run_extract({"source": "orders", "ingestDate": day, "executionId": "e"})
            self.assertEqual(kind, "response", result)
            lines, _ = self.read_lines(result["keys"][2])
            self.assertEqual(lines, mock_pages(day)[2])
            self.assertEqual(lines[5]["order_id"], "ord-%s-0000" % before)

    def test_a_null_execution_id_falls_back_to_the_request_id(self):
        for event in ({"executionId": None, "ingestDate": DAY}, {"ingestDate": DAY}):
            kind, result = self.run_extract(event, SOURCE_NAME="shop_orders")
            self.assertEqual(kind, "response", result)
            self.expect_answer(result, 3, 30, source="shop_orders", execution="req-1")
            self.assertEqual(self.read_lines(result["keys"][0])[1], {"execution-id": "req-1"})

    def test_bad_events_are_refused(self):
        for event, words in [([1], "JSON object"), ({"source": "Orders"}, "source"),
                             ({"source": "a/b"}, "source"), ({"executionId": 7}, "executionId"),
                             ({"source": "o", "ingestDate": "2026-02-30"}, "ingestDate"),
                             ({"ingestDate": DAY}, "no source")]:
            kind, result = self.run_extract(event)
            self.assertEqual(kind, "error", event)
            self.assertEqual(result["errorType"], "InvalidEvent", result)
            self.assertIn(words, result["errorMessage"])
        self.assertEqual(self.objects(), {})

    def test_bad_configuration_is_named(self):
        event = {"source": "orders", "ingestDate": DAY}
        for env, name in [({"LAKEC_WRITE_BUCKET": None}, "LAKEC_WRITE_BUCKET"),
                          ({"LAKEC_WRITE_PREFIX": "raw"}, "LAKEC_WRITE_PREFIX"),
                          ({"SOURCE_NAME": "Bad Name"}, "SOURCE_NAME"),
                          ({"SOURCE_API_URL": "ftp://x/"}, "SOURCE_API_URL"),
                          ({"MAX_PAGES": "0"}, "MAX_PAGES"), ({"MAX_RETRIES": "11"}, "MAX_RETRIES")]:
            kind, result = self.run_extract(event, **env)
            self.assertEqual((kind, result["errorType"]), ("error", "Configuration"), env)
            self.assertIn(name, result["errorMessage"])
        self.assertEqual(self.objects(), {})

    # ---- an HTTP source ----

    def serve(self, script):
        source = ScriptedSource(script)
        self.addCleanup(source.stop)
        return source, "http://127.0.0.1:%d/v1/orders" % source.port

    def test_pages_until_an_empty_one(self):
        pages = [[{"order_id": "a%d" % i, "n": i, "text": "x\ny é"} for i in range(4)],
                 [{"order_id": "b"}], [{"order_id": "c%d" % i} for i in range(2)]]
        source, url = self.serve({1: [ok(pages[0])], 2: [(200, json.dumps({"items": pages[1]}).encode(), {})],
                                  3: [ok(pages[2])], 4: [(200, b'{"items": []}', {})]})
        event = {"executionId": EXECUTION, "source": "orders", "ingestDate": DAY}
        kind, result = self.run_extract(event, SOURCE_API_URL=url + "?key=k1")
        self.assertEqual(kind, "response", result)
        self.expect_answer(result, 3, 7)
        self.assertEqual(source.pages_asked(), [1, 2, 3, 4])
        self.assertEqual(source.asked[0][2], "/v1/orders?key=k1&page=1")
        for key, page in zip(result["keys"], pages):
            self.assertEqual(self.read_lines(key)[0], page)
        # a later run whose source has fewer pages answers only its own parts;
        # the third part of the first run stays (README: why)
        source2, url2 = self.serve({1: [ok(pages[0])]})
        kind, again = self.run_extract(event, SOURCE_API_URL=url2)
        self.assertEqual(kind, "response", again)
        self.expect_answer(again, 1, 4)
        self.assertEqual(set(self.objects()), set(result["keys"]))

    def test_a_500_and_a_429_are_retried_with_backoff_and_retry_after(self):
        source, url = self.serve({1: [(500, b"oops", {}), ok([{"order_id": "a"}])],
                                  2: [(429, b"", {"Retry-After": "1"}), ok([{"order_id": "b"}])]})
        kind, result = self.run_extract({"source": "orders", "ingestDate": DAY, "executionId": "e"},
                                        SOURCE_API_URL=url, MAX_RETRIES="2")
        self.assertEqual(kind, "response", result)
        self.expect_answer(result, 2, 2, execution="e")
        self.assertEqual(source.pages_asked(), [1, 1, 2, 2, 3])
        second = [t for page, t, _ in source.asked if page == 2]
        self.assertGreaterEqual(second[1] - second[0], 0.95)  # Retry-After: 1 honoured

    def test_retries_are_bounded(self):
        source, url = self.serve({1: [(503, b"", {})]})
        kind, result = self.run_extract({"source": "orders", "ingestDate": DAY}, SOURCE_API_URL=url,
                                        MAX_RETRIES="2")
        self.assertEqual((kind, result["errorType"]), ("error", "SourceError"), result)
        self.assertIn("HTTP 503 after 3 attempts", result["errorMessage"])
        self.assertEqual(source.pages_asked(), [1, 1, 1])
        self.assertEqual(self.objects(), {})

    def test_a_404_fails_at_once_without_the_query_in_the_message(self):
        source, url = self.serve({1: [ok([{"order_id": "a"}])], 2: [(404, b"no", {})]})
        kind, result = self.run_extract({"source": "orders", "ingestDate": DAY},
                                        SOURCE_API_URL=url + "?api_key=s3cr3t")
        self.assertEqual((kind, result["errorType"]), ("error", "SourceError"), result)
        self.assertEqual(result["errorMessage"], "GET %s page 2: HTTP 404 after 1 attempt" % url)
        self.assertNotIn("s3cr3t", json.dumps(result))
        self.assertEqual(source.pages_asked(), [1, 2])

    def test_a_page_that_is_not_json_fails(self):
        for body in (b"<html>busy</html>", b'{"data": []}', b"[1, 2]"):
            source, url = self.serve({1: [(200, body, {})]})
            kind, result = self.run_extract({"source": "orders", "ingestDate": DAY}, SOURCE_API_URL=url)
            self.assertEqual((kind, result["errorType"]), ("error", "InvalidPage"), result)
            self.assertIn("page 1 of %s" % url, result["errorMessage"])
        self.assertEqual(self.objects(), {})

    def test_a_source_longer_than_max_pages_fails(self):
        source, url = self.serve({p: [ok([{"p": p}])] for p in range(1, 10)})
        kind, result = self.run_extract({"source": "orders", "ingestDate": DAY}, SOURCE_API_URL=url,
                                        MAX_PAGES="3")
        self.assertEqual((kind, result["errorType"]), ("error", "TooManyPages"), result)
        self.assertEqual(source.pages_asked(), [1, 2, 3, 4])

    def test_retries_stop_before_the_deadline(self):
        source, url = self.serve({1: [(500, b"", {"Retry-After": "3"})]})
        start = time.monotonic()
        kind, result = self.run_extract({"source": "orders", "ingestDate": DAY}, SOURCE_API_URL=url,
                                        deadline=int(time.time() * 1000) + 5000)
        self.assertLess(time.monotonic() - start, 4)
        self.assertEqual((kind, result["errorType"]), ("error", "DeadlineNear"), result)
        self.assertIn("deadline", result["errorMessage"])
        self.assertEqual(source.pages_asked(), [1])


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
