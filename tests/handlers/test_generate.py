#!/usr/bin/env python3
"""generate, seed 004's telemetry generator, against a scripted Lambda
Invoke endpoint on a free 127.0.0.1 port that records every request:

- a scheduled event: POST /2015-03-31/functions/<LAKEC_FUNCTION_*>/invocations
  with X-Amz-Invocation-Type: Event, signed for service lambda as botocore
  signs it (an ARN's colons too); the answer {"events", "invocations"};
- the records: the telemetry table's columns and a timestamp, BATCH_SIZE of
  them, ids and words from the lake's vocabulary, each timestamp in the 5
  minutes before the scheduled time, in time order; their customers and
  titles are the lake's (telemetry_data's default tables, read back by
  DuckDB: a completed session watched its title's whole length);
- the same event twice gives byte-identical payloads, another time other
  ones; an event without a time takes the current one;
- a large BATCH_SIZE is split into several invocations, each within the
  payload budget, together all the records once;
- an Invoke answered 500 (after the retries) or 4xx fails the invocation,
  naming the payload; bad settings and bad events fail before any request.

usage: test_generate.py HANDLERS_DIR PROJECT_ROOT
"""
import http.server
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import unittest
from datetime import datetime

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fakes import LocalHttpServer, assert_signed_as_botocore_signs, run_event  # noqa: E402
from test_telemetry_data import duckdb  # noqa: E402

HANDLERS = sys.argv[1]
PROGRAM = os.path.join(HANDLERS, "generate", "bootstrap")
TELEMETRY_DATA = os.path.join(HANDLERS, "telemetry_data", "bootstrap")
KEY, SECRET, REGION = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "us-west-2"
PRODUCER = "acme-data-test-producer"
TIME = "2026-12-02T10:05:00Z"
PAYLOAD_BUDGET = 1024 * 1024 // 4 * 3  # GENERATE_PAYLOAD_BYTES: within the 1 MB async limit
FIELDS = ["event_id", "customer_id", "title_id", "event_type", "watch_duration_seconds",
          "device_type", "quality", "timestamp"]
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def scheduled(when=TIME):
    return {"version": "0", "id": "89d1a02d-5ec7-412e-82f5-13505f849b41",
            "detail-type": "Scheduled Event", "source": "aws.events", "account": "123456789012",
            "time": when, "region": REGION,
            "resources": ["arn:aws:events:us-west-2:123456789012:rule/acme-data-test-generator"],
            "detail": {}}


def epoch_ms(text):
    return round(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


class InvokeStub(LocalHttpServer):
    """Lambda's Invoke: answers each request with the next scripted status
    (then `otherwise`), and records (path, headers, body) of every one."""

    def __init__(self, statuses=(), otherwise=202):
        self.requests = []
        self.statuses = list(statuses)
        stub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                stub.requests.append((self.path, dict(self.headers), body))
                status = stub.statuses.pop(0) if stub.statuses else otherwise
                answer = b"" if status == 202 else b'{"Message":"scripted failure"}'
                self.send_response(status)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        super().__init__(Handler)

    @property
    def endpoint(self):
        return "http://127.0.0.1:%d" % self.port

    def records(self):
        return [r for _, _, body in self.requests for r in json.loads(body)["records"]]


class Generate(unittest.TestCase):
    def setUp(self):
        self.stub = InvokeStub()
        self.addCleanup(self.stub.stop)

    def run_handler(self, event, stub=None, **env):
        """(exit status, parsed output) of one local run (--event)."""
        base = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "LAKEC_", "BATCH_"))}
        base.update(AWS_REGION=REGION, AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY=SECRET,
                    AWS_ENDPOINT_URL_LAMBDA=(stub or self.stub).endpoint,
                    LAKEC_FUNCTION_PRODUCER=PRODUCER)
        base.update(env)
        status, out, err = run_event(PROGRAM, event, {k: v for k, v in base.items() if v is not None})
        self.assertNotRegex(err, "Sanitizer|runtime error:")
        return status, out

    def expect_ok(self, event, **env):
        status, out = self.run_handler(event, **env)
        self.assertEqual(status, 0, out)
        return out

    def expect_error(self, event, kind, text, stub=None, **env):
        status, out = self.run_handler(event, stub=stub, **env)
        self.assertEqual(status, 1, out)
        self.assertEqual(out["errorType"], kind, out)
        self.assertIn(text, out["errorMessage"])

    def check_signature(self, request, token=None):
        path, headers, body = request
        assert_signed_as_botocore_signs(self, self.stub.endpoint + path, body, headers, "lambda", REGION,
                                        (KEY, SECRET, token), also=["x-amz-invocation-type"])

    # ---- the invocation ----

    def test_a_scheduled_batch_is_one_asynchronous_invoke_signed_for_lambda(self):
        self.assertEqual(self.expect_ok(scheduled(), AWS_SESSION_TOKEN="token/with+chars="),
                         {"events": 100, "invocations": 1})
        [request] = self.stub.requests
        path, headers, body = request
        self.assertEqual(path, "/2015-03-31/functions/%s/invocations" % PRODUCER)
        self.assertEqual(headers["X-Amz-Invocation-Type"], "Event")
        self.assertEqual(headers["Content-Type"], "application/json")
        self.check_signature(request, "token/with+chars=")
        self.assertEqual(list(json.loads(body)), ["records"])

    def test_a_function_arn_is_encoded_in_the_path_and_signed_as_botocore_signs(self):
        arn = "arn:aws:lambda:us-west-2:123456789012:function:%s:live" % PRODUCER
        self.expect_ok(scheduled(), LAKEC_FUNCTION_PRODUCER=arn)
        [request] = self.stub.requests
        self.assertEqual(request[0], "/2015-03-31/functions/%s/invocations" % arn.replace(":", "%3A"))
        self.check_signature(request)

    # ---- the records ----

    def test_the_records_have_the_telemetry_columns_and_plausible_values(self):
        self.expect_ok(scheduled(), BATCH_SIZE="3000")
        records = self.stub.records()
        self.assertEqual(len(records), 3000)
        end = epoch_ms(TIME)
        for r in records:
            self.assertEqual(list(r), FIELDS, r)
            self.assertRegex(r["event_id"], UUID4)
            self.assertTrue(1 <= int(r["customer_id"][len("cust-"):]) <= 10000, r)
            self.assertRegex(r["customer_id"], r"^cust-\d{7}$")
            self.assertRegex(r["title_id"], r"^title-\d{6}$")
            self.assertTrue(1 <= int(r["title_id"][len("title-"):]) <= 1000, r)
            self.assertIn(r["event_type"], {"start", "pause", "resume", "stop", "complete"})
            self.assertIn(r["device_type"], {"tv", "mobile", "tablet", "web"})
            self.assertIn(r["quality"], {"SD", "HD", "4K"})
            self.assertFalse(r["device_type"] == "mobile" and r["quality"] == "4K", r)
            seconds = r["watch_duration_seconds"]
            self.assertIsInstance(seconds, int)
            self.assertTrue(0 <= seconds <= 165 * 60, r)
            if r["event_type"] == "start":
                self.assertLessEqual(seconds, 120)
            self.assertRegex(r["timestamp"], STAMP)
            self.assertTrue(end - 300000 <= epoch_ms(r["timestamp"]) < end, r)
        self.assertEqual(len({r["event_id"] for r in records}), 3000)
        stamps = [r["timestamp"] for r in records]
        self.assertEqual(stamps, sorted(stamps))
        # the vocabulary's weights show: every value occurs, the hits lead
        self.assertEqual({r["event_type"] for r in records}, {"start", "pause", "resume", "stop", "complete"})
        self.assertEqual({r["quality"] for r in records}, {"SD", "HD", "4K"})
        self.assertGreater(len({r["customer_id"] for r in records}), 2000)
        first_titles = sum(int(r["title_id"][6:]) <= 100 for r in records)
        self.assertGreater(first_titles, 3000 * 0.25)

    def test_customers_and_titles_are_the_lake_s(self):
        self.expect_ok(scheduled(), BATCH_SIZE="2000")
        records = self.stub.records()
        with tempfile.TemporaryDirectory() as lake:
            proc = subprocess.run([TELEMETRY_DATA, "--out", lake, "--events", "1", "--days", "1"],
                                  capture_output=True, text=True, timeout=300)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            titles = {row["title_id"]: int(row["duration_minutes"]) for row in duckdb(
                "SELECT title_id, duration_minutes FROM read_parquet('%s/titles/*.parquet')" % lake)}
            customers = {row["customer_id"] for row in duckdb(
                "SELECT customer_id FROM read_parquet('%s/customers/*.parquet')" % lake)}
        completed = 0
        for r in records:
            self.assertIn(r["customer_id"], customers)
            whole = titles[r["title_id"]] * 60
            self.assertLessEqual(r["watch_duration_seconds"], whole, r)
            if r["event_type"] == "complete":
                self.assertEqual(r["watch_duration_seconds"], whole, r)
                completed += 1
        self.assertGreater(completed, 100)

    def test_the_same_schedule_gives_the_same_bytes_another_time_others(self):
        self.expect_ok(scheduled(), BATCH_SIZE="500")
        self.expect_ok(scheduled(), BATCH_SIZE="500")
        self.expect_ok(scheduled("2026-12-02T10:10:00Z"), BATCH_SIZE="500")
        first, again, later = (body for _, _, body in self.stub.requests)
        self.assertEqual(first, again)
        self.assertNotEqual(first, later)
        ids = {r["event_id"] for r in json.loads(first)["records"]}
        self.assertFalse(ids & {r["event_id"] for r in json.loads(later)["records"]})
        end = epoch_ms("2026-12-02T10:10:00Z")
        self.assertTrue(all(end - 300000 <= epoch_ms(r["timestamp"]) < end
                            for r in json.loads(later)["records"]))

    def test_an_event_without_a_time_takes_the_current_one(self):
        before = int(time.time()) * 1000
        self.assertEqual(self.expect_ok({}, BATCH_SIZE="50"), {"events": 50, "invocations": 1})
        after = (int(time.time()) + 1) * 1000
        for r in self.stub.records():
            self.assertTrue(before - 300000 <= epoch_ms(r["timestamp"]) < after, r)

    # ---- splitting ----

    def test_a_large_batch_is_split_into_invocations_within_the_limit(self):
        out = self.expect_ok(scheduled(), BATCH_SIZE="100000")
        bodies = [body for _, _, body in self.stub.requests]
        self.assertEqual(out, {"events": 100000, "invocations": len(bodies)})
        self.assertGreater(len(bodies), 20)  # ~233 bytes a record: 23 MB in 768 KB payloads
        for body in bodies:
            self.assertLessEqual(len(body), PAYLOAD_BUDGET)
        for body in bodies[:-1]:  # each filled before the next begins
            self.assertGreater(len(body), PAYLOAD_BUDGET - 400)
        records = self.stub.records()
        self.assertEqual(len(records), 100000)
        self.assertEqual(len({r["event_id"] for r in records}), 100000)
        stamps = [r["timestamp"] for r in records]
        self.assertEqual(stamps, sorted(stamps))  # across the payloads too
        self.assertEqual({p for p, _, _ in self.stub.requests},
                         {"/2015-03-31/functions/%s/invocations" % PRODUCER})

    # ---- failures ----

    def test_an_invoke_that_keeps_failing_fails_the_invocation(self):
        stub = InvokeStub(otherwise=500)
        self.addCleanup(stub.stop)
        self.expect_error(scheduled(), "LambdaError", "HTTP 500", stub=stub)
        self.assertGreater(len(stub.requests), 1)  # a 500 is retried first

    def test_an_invoke_refused_midway_fails_naming_the_payload(self):
        stub = InvokeStub(statuses=[202, 404])
        self.addCleanup(stub.stop)
        self.expect_error(scheduled(), "LambdaError", "(payload 2 of ", stub=stub, BATCH_SIZE="10000")
        self.assertEqual(len(stub.requests), 2)  # a 404 is not retried, nothing after it
        stub = InvokeStub(statuses=[200])  # a synchronous answer is not an accepted event
        self.addCleanup(stub.stop)
        self.expect_error(scheduled(), "LambdaError", "HTTP 200", stub=stub)

    def test_a_transient_failure_is_retried_and_the_batch_still_goes(self):
        stub = InvokeStub(statuses=[500, 429])
        self.addCleanup(stub.stop)
        self.assertEqual(self.expect_ok(scheduled(), stub=stub), {"events": 100, "invocations": 1})
        self.assertEqual(len(stub.requests), 3)
        self.assertEqual(stub.requests[0][2], stub.requests[2][2])

    def test_bad_settings_and_events_fail_before_any_request(self):
        for size in ("0", "100001", "12x", "-5", " 10", "1000000000000"):
            self.expect_error(scheduled(), "Configuration", "BATCH_SIZE", BATCH_SIZE=size)
        self.expect_error(scheduled(), "Configuration", "the function to invoke",
                          LAKEC_FUNCTION_PRODUCER=None)
        self.expect_error(scheduled(), "Configuration", "the function to invoke",
                          LAKEC_FUNCTION_OTHER="other")
        self.expect_error(scheduled(), "Configuration", "not a function name",
                          LAKEC_FUNCTION_PRODUCER="a/b")
        for when in ("2026-02-30T10:00:00Z", "2026-12-02 10:05:00Z", "2026-12-02T24:00:00Z",
                     "1999-12-31T23:59:59Z", "2026-12-02T10:05:00", "2026-12-02T10:05:00.000Z",
                     "yesterday", 5, None):
            self.expect_error(scheduled(when), "InvalidEvent", "YYYY-MM-DDTHH:MM:SSZ")
        for event in ([], "tick", 7):  # the runtime refuses them before the handler
            self.expect_error(event, "InvalidEvent", "event")
        self.assertEqual(self.stub.requests, [])
        # an empty BATCH_SIZE is the default
        self.assertEqual(self.expect_ok(scheduled(), BATCH_SIZE=""), {"events": 100, "invocations": 1})


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
