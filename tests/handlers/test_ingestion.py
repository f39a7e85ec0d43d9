#!/usr/bin/env python3
"""planner and worker (seed 002's ingestion) against moto's SQS and S3 (moto on
a free 127.0.0.1 port), each program served by a fake Runtime API:

- the planner fills four queues with every (endpoint, date, page) once, in
  several SendMessageBatch calls a queue; the test then drains them as Lambda
  would (ReceiveMessage batches of 10 made into SQS events for the worker,
  successful records deleted, failed ones left); every page is written once
  as gzipped JSON Lines holding the generated values; planner and worker run
  again change nothing but the same objects;
- entries SQS lists under Failed are sent again (a stub SQS); entries still
  failing, or failing by the sender's fault, fail the planner;
- a scripted HTTP source (127.0.0.1, stopped by the test) answers 429, 500,
  then 200 for one page (the worker retries, honouring Retry-After, and keeps
  QPS_SLEEP_MS between requests) and always
  500 for another (only that record fails); through a queue with a redrive
  policy (maxReceiveCount 2) that message ends in the dead-letter queue;
- a malformed body fails only its record; records left near the deadline are
  reported as failures; bad configuration is a Configuration error naming it.

usage: test_ingestion.py HANDLERS_DIR PROJECT_ROOT
"""
import gzip
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
PLANNER = os.path.join(HANDLERS, "planner", "bootstrap")
WORKER = os.path.join(HANDLERS, "worker", "bootstrap")
KEY, SECRET, REGION = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "us-east-1"
BUCKET = "ingest-test-raw"
DATE = "2026-11-22"
SCHEDULED = {"version": "0", "id": "e-1", "detail-type": "Scheduled Event", "source": "aws.events",
             "time": DATE + "T01:00:00Z", "detail": {}}
ENDPOINTS = ["api-a", "api-b", "api-c", "api-d"]
PAGES = {"api-a": 12, "api-b": 12, "api-c": 12, "api-d": 25}


def queue_variable(endpoint):
    return "LAKEC_QUEUE_%s_URL" % endpoint.upper().replace("-", "_")


def mock_items(endpoint, date, page):
    """The worker's generated page, computed independently."""
    base = sum(endpoint.encode()) + sum(date.encode()) + page * 100
    return [{"id": "%s:%s:%d:%d" % (endpoint, date, page, i), "endpoint": endpoint, "date": date,
             "page": page, "item": i, "value": (base + i) % 100000} for i in range(3)]


def page_key(endpoint, date, page):
    return "raw/source=%s/ingestion_date=%s/page=%06d.json.gz" % (endpoint, date, page)


class ScriptedSource(LocalHttpServer):
    """GET ?date=D&page=N: page 1 answers 429 (Retry-After: 1), 500, then 200;
    page 2 always 500; the others 200. Records the pages asked, in order."""

    def __init__(self):
        self.asked = []
        self.first_page_statuses = [429, 500]
        source = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                query = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
                page = int(query["page"][0])
                source.asked.append((page, time.monotonic()))
                status = 200
                if page == 1 and source.first_page_statuses:
                    status = source.first_page_statuses.pop(0)
                elif page == 2:
                    status = 500
                body = json.dumps([{"page": page, "date": query["date"][0], "n": n, "text": "a\nb"}
                                   for n in range(2)]).encode() if status == 200 else b"{}"
                self.send_response(status)
                if status == 429:
                    self.send_header("Retry-After", "1")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        super().__init__(Handler)


class SqsStub(LocalHttpServer):
    """SQS's SendMessageBatch (JSON 1.0): the entries for which fail(call number,
    entry id) is true are listed under Failed (with sender_fault), the others
    under Successful. Records (X-Amz-Target, Content-Type, entry ids) a call."""

    def __init__(self, fail, sender_fault=False):
        self.calls = []
        stub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                ids = [e["Id"] for e in request["Entries"]]
                stub.calls.append((self.headers["X-Amz-Target"], self.headers["Content-Type"], ids))
                failed = [i for i in ids if fail(len(stub.calls), i)]
                answer = json.dumps({
                    "Successful": [{"Id": i, "MessageId": "m-" + i, "MD5OfMessageBody": "0"}
                                   for i in ids if i not in failed],
                    "Failed": [{"Id": i, "SenderFault": sender_fault, "Code": "InternalError",
                                "Message": "try again"} for i in failed]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-amz-json-1.0")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        super().__init__(Handler)


class Ingestion(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.moto = MotoServer()
        cls.addClassCleanup(cls.moto.stop)
        args = dict(endpoint_url=cls.moto.endpoint, region_name=REGION, aws_access_key_id=KEY,
                    aws_secret_access_key=SECRET)
        cls.s3 = boto3.client("s3", **args)
        cls.sqs = boto3.client("sqs", **args)
        cls.s3.create_bucket(Bucket=BUCKET)
        cls.queues = {e: cls.sqs.create_queue(QueueName="ingest-test-" + e)["QueueUrl"]
                      for e in ENDPOINTS}

    def setUp(self):
        for o in self.s3.list_objects_v2(Bucket=BUCKET).get("Contents", []):
            self.s3.delete_object(Bucket=BUCKET, Key=o["Key"])

    def base_env(self, **extra):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "LAKEC_"))}
        env.update(AWS_REGION=REGION, AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY=SECRET,
                   AWS_ENDPOINT_URL=self.moto.endpoint)
        env.update(extra)
        return {k: v for k, v in env.items() if v is not None}

    def run_program(self, program, events, **env):
        """[(kind, parsed body)] for the events (each a dict, or (dict, deadline ms))."""
        queued = []
        for i, event in enumerate(events):
            deadline = None
            if isinstance(event, tuple):
                event, deadline = event
            queued.append(("r%d" % i, json.dumps(event).encode()) + ((deadline,) if deadline else ()))
        api = FakeRuntimeApi(queued)
        try:
            proc = subprocess.run([program], env=self.base_env(AWS_LAMBDA_RUNTIME_API=api.address, **env),
                                  capture_output=True, text=True, timeout=300)
        finally:
            api.stop()
        # in a sanitized build: no report (a leak shows only at exit, here)
        self.assertNotRegex(proc.stderr, "Sanitizer|runtime error:")
        results = []
        for i in range(len(events)):
            self.assertIn("r%d" % i, api.results, proc.stderr)
            kind, body, _ = api.results["r%d" % i]
            results.append((kind, json.loads(body)))
        return results

    def planner_env(self, queues=None, **extra):
        queues = queues or self.queues
        env = {queue_variable(e): url for e, url in queues.items()}
        env.update(ENDPOINTS=",".join(queues), PAGES="12", PAGES_MAP=json.dumps({"api-d": 25}))
        env.update(extra)
        return env

    def worker_env(self, **extra):
        env = {"LAKEC_BUCKET_RAW": BUCKET}
        env.update(extra)
        return env

    def receive(self, url, wait=0):
        return self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=wait,
                                        AttributeNames=["All"]).get("Messages", [])

    def sqs_event(self, url, messages):
        arn = "arn:aws:sqs:%s:123456789012:%s" % (REGION, url.rsplit("/", 1)[1])
        return {"Records": [{"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"],
                             "body": m["Body"], "attributes": m.get("Attributes", {}),
                             "messageAttributes": {}, "md5OfBody": m["MD5OfBody"],
                             "eventSource": "aws:sqs", "eventSourceARN": arn, "awsRegion": REGION}
                            for m in messages]}

    def drain(self, url, **env):
        """Lambda's poller: batches of 10 to the worker, the successes deleted.
        Returns (bodies received, failed message ids, batches, wall seconds of each)."""
        bodies, failed, walls = [], [], []
        while True:
            messages = self.receive(url)
            if not messages:
                return bodies, failed, walls
            bodies += [json.loads(m["Body"]) for m in messages]
            start = time.monotonic()
            [(kind, result)] = self.run_program(WORKER, [self.sqs_event(url, messages)], **env)
            walls.append(time.monotonic() - start)
            self.assertEqual(kind, "response", result)
            bad = {f["itemIdentifier"] for f in result["batchItemFailures"]}
            failed += sorted(bad)
            done = [m for m in messages if m["MessageId"] not in bad]
            for i in range(0, len(done), 10):
                self.sqs.delete_message_batch(QueueUrl=url, Entries=[
                    {"Id": str(j), "ReceiptHandle": m["ReceiptHandle"]} for j, m in enumerate(done[i:i + 10])])
            if bad:
                return bodies, failed, walls

    def objects(self):
        return {o["Key"]: o for o in self.s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])}

    def read_lines(self, key):
        obj = self.s3.get_object(Bucket=BUCKET, Key=key)
        self.assertEqual(obj["ContentType"], "application/x-ndjson")
        self.assertNotIn("ContentEncoding", obj)
        text = gzip.decompress(obj["Body"].read()).decode()
        self.assertTrue(text.endswith("\n"))
        return [json.loads(line) for line in text.split("\n")[:-1]]

    def test_every_page_once_through_four_queues_and_a_rerun_changes_nothing(self):
        start = time.monotonic()
        [(kind, result)] = self.run_program(PLANNER, [SCHEDULED], **self.planner_env())
        print("\nplanner, 61 messages to 4 queues in 8 batches: %.0f ms wall time, process start "
              "included" % ((time.monotonic() - start) * 1000), file=sys.stderr)
        self.assertEqual(kind, "response", result)
        self.assertEqual(result, {"date": DATE, "messages": PAGES})
        expected = {(e, DATE, p) for e in ENDPOINTS for p in range(1, PAGES[e] + 1)}
        seen, walls = [], []
        for e in ENDPOINTS:
            bodies, failed, batch_walls = self.drain(self.queues[e], **self.worker_env())
            self.assertEqual(failed, [])
            self.assertGreater(len(batch_walls), 1)  # more than 10 messages: several batches
            walls += batch_walls
            for b in bodies:
                self.assertEqual(set(b), {"endpoint", "date", "page"})
                self.assertEqual(b["endpoint"], e)
            seen += [(b["endpoint"], b["date"], b["page"]) for b in bodies]
        self.assertEqual(len(seen), len(expected))
        self.assertEqual(set(seen), expected)
        objects = self.objects()
        self.assertEqual(set(objects), {page_key(*t) for t in expected})
        for t in expected:
            self.assertEqual(self.read_lines(page_key(*t)), mock_items(*t))
        print("\nworker batch of 10 (mock pages, moto S3): %.0f ms median wall time, process start "
              "included" % (sorted(walls)[len(walls) // 2] * 1000), file=sys.stderr)
        # again: the same keys, no extra object
        [(kind, result)] = self.run_program(PLANNER, [SCHEDULED], **self.planner_env())
        self.assertEqual(kind, "response", result)
        for e in ENDPOINTS:
            self.assertEqual(self.drain(self.queues[e], **self.worker_env())[1], [])
        self.assertEqual(set(self.objects()), set(objects))

    def test_a_real_source_retried_and_a_failing_page_ends_in_the_dead_letter_queue(self):
        source = ScriptedSource()
        self.addCleanup(source.stop)
        dlq = self.sqs.create_queue(QueueName="ingest-test-api-h-dlq")["QueueUrl"]
        dlq_arn = self.sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        url = self.sqs.create_queue(QueueName="ingest-test-api-h", Attributes={
            "VisibilityTimeout": "1",
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "2"})})["QueueUrl"]
        [(kind, result)] = self.run_program(PLANNER, [SCHEDULED], **self.planner_env(
            {"api-h": url}, PAGES="4", PAGES_MAP=None))
        self.assertEqual(result, {"date": DATE, "messages": {"api-h": 4}})
        env = self.worker_env(USE_REAL_HTTP="true", MAX_RETRIES="3", QPS_SLEEP_MS="150",
                              ENDPOINT_MAP=json.dumps({"api-h": "http://127.0.0.1:%d/v1/pages" % source.port}))
        messages = []
        while len(messages) < 4:
            messages += self.receive(url)
        start = time.monotonic()
        [(kind, result)] = self.run_program(WORKER, [self.sqs_event(url, messages)], **env)
        wall = time.monotonic() - start
        self.assertEqual(kind, "response", result)
        failing = [m["MessageId"] for m in messages if json.loads(m["Body"])["page"] == 2]
        self.assertEqual(result, {"batchItemFailures": [{"itemIdentifier": failing[0]}]})
        self.assertEqual([p for p, _ in source.asked].count(1), 3)  # 429, 500, 200
        self.assertEqual([p for p, _ in source.asked].count(2), 4)  # MAX_RETRIES 3: four tries
        starts = [t for _, t in source.asked]
        self.assertGreaterEqual(min(b - a for a, b in zip(starts, starts[1:])), 0.14)  # QPS_SLEEP_MS
        first = [t for p, t in source.asked if p == 1]
        self.assertGreaterEqual(first[1] - first[0], 0.95)  # Retry-After: 1 honoured
        print("\nworker batch of 4 against the scripted source (429 with Retry-After 1, 500s): "
              "%.0f ms wall time" % (wall * 1000), file=sys.stderr)
        self.assertEqual(set(self.objects()), {page_key("api-h", DATE, p) for p in (1, 3, 4)})
        self.assertEqual(self.read_lines(page_key("api-h", DATE, 1)),
                         [{"page": 1, "date": DATE, "n": n, "text": "a\nb"} for n in range(2)])
        self.sqs.delete_message_batch(QueueUrl=url, Entries=[
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
            for i, m in enumerate(messages) if m["MessageId"] not in failing])
        # the failing message comes back once more, fails again, then moves to the DLQ
        time.sleep(1.2)
        again = self.receive(url, wait=2)
        self.assertEqual([m["MessageId"] for m in again], failing)
        [(kind, result)] = self.run_program(WORKER, [self.sqs_event(url, again)], **env)
        self.assertEqual(result["batchItemFailures"], [{"itemIdentifier": failing[0]}])
        time.sleep(1.2)
        self.assertEqual(self.receive(url), [])
        dead = self.receive(dlq)
        self.assertEqual([json.loads(m["Body"]) for m in dead],
                         [{"endpoint": "api-h", "date": DATE, "page": 2}])

    def run_planner_against(self, stub):
        return self.run_program(PLANNER, [SCHEDULED], ENDPOINTS="api-a", PAGES="12",
                                AWS_ENDPOINT_URL_SQS="http://127.0.0.1:%d" % stub.port,
                                LAKEC_QUEUE_API_A_URL="http://127.0.0.1:%d/123456789012/q" % stub.port)[0]

    def test_the_planner_sends_again_what_sqs_failed_and_fails_when_some_remain(self):
        stub = SqsStub(lambda call, i: call == 1 and i in ("p3", "p7"))
        self.addCleanup(stub.stop)
        kind, result = self.run_planner_against(stub)
        self.assertEqual(kind, "response", result)
        self.assertEqual(result["messages"], {"api-a": 12})
        self.assertEqual([ids for _, _, ids in stub.calls],
                         [["p%d" % p for p in range(1, 11)], ["p3", "p7"], ["p11", "p12"]])
        self.assertEqual({c[:2] for c in stub.calls},
                         {("AmazonSQS.SendMessageBatch", "application/x-amz-json-1.0")})
        always = SqsStub(lambda call, i: i == "p5")
        self.addCleanup(always.stop)
        kind, result = self.run_planner_against(always)
        self.assertEqual((kind, result["errorType"]), ("error", "SQSError"), result)
        self.assertIn("still failing after 5 attempts", result["errorMessage"])
        self.assertEqual(len(always.calls), 5)
        refused = SqsStub(lambda call, i: i == "p2", sender_fault=True)
        self.addCleanup(refused.stop)
        kind, result = self.run_planner_against(refused)
        self.assertEqual((kind, result["errorType"]), ("error", "SQSError"), result)
        self.assertEqual(len(refused.calls), 1)  # the sender's fault: sending again would not help

    def test_a_malformed_body_fails_only_its_record(self):
        good = json.dumps({"endpoint": "api-a", "date": DATE, "page": 9})
        bodies = [good, "{not json", json.dumps({"endpoint": "api-a", "date": DATE, "page": 9, "x": 1}),
                  json.dumps({"endpoint": "api-a", "date": "2026-02-30", "page": 1}),
                  json.dumps({"endpoint": "API_A", "date": DATE, "page": 1}),
                  json.dumps({"endpoint": "api-a", "date": DATE, "page": 0})]
        event = {"Records": [{"messageId": "m%d" % i, "body": b, "eventSourceARN": "arn:aws:sqs:x"}
                             for i, b in enumerate(bodies)]}
        [(kind, result)] = self.run_program(WORKER, [event], **self.worker_env())
        self.assertEqual(kind, "response", result)
        self.assertEqual(result, {"batchItemFailures": [{"itemIdentifier": "m%d" % i} for i in range(1, 6)]})
        self.assertEqual(set(self.objects()), {page_key("api-a", DATE, 9)})
        # too near the deadline: every record is reported, none dropped
        deadline = int(time.time() * 1000) + 1500
        [(kind, result)] = self.run_program(WORKER, [(event, deadline)], **self.worker_env())
        self.assertEqual(result, {"batchItemFailures": [{"itemIdentifier": "m%d" % i} for i in range(6)]})

    def test_bad_configuration_is_named(self):
        cases = [
            (PLANNER, SCHEDULED, self.planner_env(ENDPOINTS=None), "ENDPOINTS"),
            (PLANNER, SCHEDULED, self.planner_env(ENDPOINTS=""), "ENDPOINTS"),
            (PLANNER, SCHEDULED, self.planner_env(ENDPOINTS="api-a,api-a"), "ENDPOINTS"),
            (PLANNER, SCHEDULED, self.planner_env(ENDPOINTS="api-a,api-x", PAGES_MAP=None), "LAKEC_QUEUE_API_X_URL"),
            (PLANNER, SCHEDULED, self.planner_env(PAGES="0"), "PAGES"),
            (PLANNER, SCHEDULED, self.planner_env(PAGES_MAP='{"api-z": 2}'), "PAGES_MAP"),
            (WORKER, {"Records": []}, {}, "LAKEC_BUCKET_"),
            (WORKER, {"Records": []}, self.worker_env(LAKEC_BUCKET_OTHER="x"), "LAKEC_BUCKET_"),
            (WORKER, {"Records": []}, self.worker_env(USE_REAL_HTTP="yes"), "USE_REAL_HTTP"),
            (WORKER, {"Records": []}, self.worker_env(USE_REAL_HTTP="true"), "ENDPOINT_MAP"),
            (WORKER, {"Records": []}, self.worker_env(MAX_RETRIES="11"), "MAX_RETRIES"),
            (WORKER, {"Records": []}, self.worker_env(QPS_SLEEP_MS="fast"), "QPS_SLEEP_MS"),
        ]
        for program, event, env, name in cases:
            with self.subTest(name=name, env=env):
                [(kind, result)] = self.run_program(program, [event], **env)
                self.assertEqual(kind, "error", result)
                self.assertEqual(result["errorType"], "Configuration")
                self.assertIn(name, result["errorMessage"])
        self.assertEqual(self.objects(), {})


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
