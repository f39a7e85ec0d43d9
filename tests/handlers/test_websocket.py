#!/usr/bin/env python3
"""The dashboard's handlers (seed 004) against moto's DynamoDB and API Gateway
Management API (moto on a free 127.0.0.1 port), and a scripted stand-in for
the Management API where moto cannot answer (410 Gone, failures):

websocket:
- $connect puts {connectionId, connectedAt, ttl} (ttl 2 h after connectedAt,
  or after now without one); $disconnect deletes it; both answer
  {"statusCode": 200};
- $default answers ping with pong on the caller's connection (moto accepts
  the post; the stand-in sees the path, the body and a signature that
  botocore computes the same), anything else with an error message;
- bad events, a missing or ambiguous table, a missing table in DynamoDB;

consume:
- an MSK batch posted to every connection in moto: the summary;
- the stand-in: one connection answers 410 and leaves the table, the others
  got exactly the records (decoded, in order; non-JSON values as text, bad
  base64 skipped); a 500 is retried, a connection that always fails is
  counted and the batch still succeeds;
- large batches become several messages, each at most one 32 KB frame, and
  more than one Scan page of connections all get them;
- near the invocation's deadline nothing more is posted: counted as unsent;
- an empty batch scans nothing; bad events and missing settings fail.

usage: test_websocket.py HANDLERS_DIR PROJECT_ROOT
"""
import base64
import http.server
import json
import os
import subprocess
import sys
import threading
import time
import unittest
import urllib.parse

import boto3

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fakes import FakeRuntimeApi, LocalHttpServer, MotoServer, assert_signed_as_botocore_signs, run_event  # noqa: E402

HANDLERS = sys.argv[1]
WEBSOCKET = os.path.join(HANDLERS, "websocket", "bootstrap")
CONSUME = os.path.join(HANDLERS, "consume", "bootstrap")
KEY, SECRET, REGION = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "us-west-2"
TABLE = "acme-data-test-connections"
CONNECTION = "L0SM9cOFvHcCIhw="
CONNECTED_AT = 1764626400123


def ws_event(route, connection=CONNECTION, body=None, connected_at=CONNECTED_AT):
    context = {"routeKey": route, "connectionId": connection, "eventType": "MESSAGE",
               "domainName": "abc123.execute-api.us-west-2.amazonaws.com", "stage": "dev",
               "apiId": "abc123"}
    if connected_at is not None:
        context["connectedAt"] = connected_at
    event = {"requestContext": context, "isBase64Encoded": False}
    if body is not None:
        event["body"] = body
    return event


def b64(data):
    return base64.b64encode(data if isinstance(data, bytes) else data.encode()).decode()


def kafka_event(values, per_partition=None):
    """An MSK event with the values (bytes, str or None), split over two partitions."""
    records, offset = {}, 0
    split = per_partition or (len(values) + 1) // 2
    for p, start in enumerate(range(0, len(values), split) if values else []):
        records["acme-telemetry-%d" % p] = [
            {"topic": "acme-telemetry", "partition": p, "offset": offset + i,
             "timestamp": 1764626400000 + i, "timestampType": "CREATE_TIME",
             "key": b64("cust-%d" % i), "headers": [],
             **({"value": b64(v)} if v is not None else {})}
            for i, v in enumerate(values[start:start + split])]
        offset += split
    return {"eventSource": "aws:kafka",
            "eventSourceArn": "arn:aws:kafka:us-west-2:123456789012:cluster/telemetry/abc-1",
            "bootstrapServers": "b-1.telemetry:9098", "records": records}


class ConnectionsStub(LocalHttpServer):
    """POST /@connections/<id>: 410 for the ids in `gone`, the scripted
    statuses of `script[id]` in turn (then 200); records (id, status, body,
    headers, raw path) of every post."""

    def __init__(self, gone=(), script=None):
        self.gone = set(gone)
        self.script = {k: list(v) for k, v in (script or {}).items()}
        self.posts = []
        self.lock = threading.Lock()
        stub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                prefix = "/@connections/"
                cid = urllib.parse.unquote(self.path[len(prefix):]) if self.path.startswith(prefix) else None
                with stub.lock:
                    answers = stub.script.get(cid, [])
                    status = (404 if cid is None else 410 if cid in stub.gone
                              else answers.pop(0) if answers else 200)
                    stub.posts.append((cid, status, body, dict(self.headers), self.path))
                answer = b'{"message":"Gone"}' if status == 410 else b""
                self.send_response(status)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        super().__init__(Handler)

    @property
    def endpoint(self):
        return "http://127.0.0.1:%d" % self.port

    def delivered(self):
        """id -> the bodies posted to it with answer 200, as JSON."""
        got = {}
        for cid, status, body, _, _ in self.posts:
            if status == 200:
                got.setdefault(cid, []).append(json.loads(body))
        return got


class Dashboard(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.moto = MotoServer()
        cls.addClassCleanup(cls.moto.stop)
        cls.dynamodb = boto3.client("dynamodb", endpoint_url=cls.moto.endpoint, region_name=REGION,
                                    aws_access_key_id=KEY, aws_secret_access_key=SECRET)
        cls.dynamodb.create_table(TableName=TABLE, BillingMode="PAY_PER_REQUEST",
                                  KeySchema=[{"AttributeName": "connectionId", "KeyType": "HASH"}],
                                  AttributeDefinitions=[{"AttributeName": "connectionId",
                                                         "AttributeType": "S"}])
        cls.dynamodb.update_time_to_live(TableName=TABLE, TimeToLiveSpecification={
            "Enabled": True, "AttributeName": "ttl"})

    def setUp(self):
        for item in self.items():
            self.dynamodb.delete_item(TableName=TABLE, Key={"connectionId": item["connectionId"]})

    def items(self):
        pages = self.dynamodb.get_paginator("scan").paginate(TableName=TABLE)
        return [item for page in pages for item in page["Items"]]

    def connection_ids(self):
        return sorted(item["connectionId"]["S"] for item in self.items())

    def add_connections(self, ids):
        for start in range(0, len(ids), 25):
            self.dynamodb.batch_write_item(RequestItems={TABLE: [
                {"PutRequest": {"Item": {"connectionId": {"S": cid}, "ttl": {"N": "9999999999"}}}}
                for cid in ids[start:start + 25]]})

    def run_handler(self, program, event, **env):
        """(exit status, parsed output, stderr) of one local run (--event)."""
        base = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "LAKEC_"))}
        base.update(AWS_REGION=REGION, AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY=SECRET,
                    AWS_ENDPOINT_URL_DYNAMODB=self.moto.endpoint, LAKEC_TABLE_CONNECTIONS=TABLE)
        base.update(env)
        status, out, err = run_event(program, event, {k: v for k, v in base.items() if v is not None})
        self.assertNotRegex(err, "Sanitizer|runtime error:")
        return status, out, err

    def expect_ok(self, program, event, **env):
        status, out, err = self.run_handler(program, event, **env)
        self.assertEqual(status, 0, (out, err))
        return out

    def expect_error(self, program, event, kind, text, **env):
        status, out, err = self.run_handler(program, event, **env)
        self.assertEqual(status, 1, (out, err))
        self.assertEqual(out["errorType"], kind, out)
        self.assertIn(text, out["errorMessage"])

    # ---- websocket ----

    def test_connect_puts_the_connection_with_its_ttl_and_disconnect_deletes_it(self):
        self.assertEqual(self.expect_ok(WEBSOCKET, ws_event("$connect")), {"statusCode": 200})
        self.assertEqual(self.items(), [{"connectionId": {"S": CONNECTION},
                                         "connectedAt": {"N": str(CONNECTED_AT)},
                                         "ttl": {"N": str(CONNECTED_AT // 1000 + 7200)}}])
        self.assertEqual(self.expect_ok(WEBSOCKET, ws_event("$disconnect")), {"statusCode": 200})
        self.assertEqual(self.items(), [])
        # a connection never stored (or deleted already): still 200
        self.assertEqual(self.expect_ok(WEBSOCKET, ws_event("$disconnect")), {"statusCode": 200})

    def test_without_connected_at_the_ttl_counts_from_now(self):
        before = int(time.time())
        self.expect_ok(WEBSOCKET, ws_event("$connect", connection="a-b_c+d/e=", connected_at=None))
        after = int(time.time())
        [item] = self.items()
        self.assertEqual(item["connectionId"], {"S": "a-b_c+d/e="})
        self.assertTrue(before + 7200 <= int(item["ttl"]["N"]) <= after + 7200, item)
        self.assertTrue(before * 1000 <= int(item["connectedAt"]["N"]) <= (after + 1) * 1000, item)

    def test_default_answers_ping_on_moto(self):
        out = self.expect_ok(WEBSOCKET, ws_event("$default", body='{"action":"ping"}'),
                             AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI=self.moto.endpoint)
        self.assertEqual(out, {"statusCode": 200})

    def test_default_answers_on_the_caller_s_connection_signed_as_botocore_signs(self):
        stub = ConnectionsStub()
        try:
            for body, reply in (('{"action":"ping"}', {"type": "pong"}),
                                ('{"action":"subscribe"}', None), ("not json", None), (None, None)):
                self.expect_ok(WEBSOCKET, ws_event("$default", body=body),
                               AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI=stub.endpoint,
                               AWS_SESSION_TOKEN="token/with+chars=")
                cid, status, got, headers, path = stub.posts[-1]
                self.assertEqual((cid, path), (CONNECTION, "/@connections/L0SM9cOFvHcCIhw%3D"))
                if reply:
                    self.assertEqual(json.loads(got), reply)
                else:
                    self.assertEqual(json.loads(got)["type"], "error")
                    self.assertIn('{"action":"ping"}', json.loads(got)["message"])
            self.check_signature(stub.posts[0], stub.endpoint, "token/with+chars=")
            self.expect_ok(WEBSOCKET, ws_event("$default", connection="a+b/c=", body="{}"),
                           AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI=stub.endpoint + "/")
            self.assertEqual(stub.posts[-1][4], "/@connections/a%2Bb%2Fc%3D")
            self.check_signature(stub.posts[-1], stub.endpoint, None)
        finally:
            stub.stop()
        self.assertEqual(self.items(), [])  # a message touches no table

    def check_signature(self, post, endpoint, token):
        _, _, body, headers, path = post
        assert_signed_as_botocore_signs(self, endpoint + path, body, headers, "execute-api", REGION,
                                        (KEY, SECRET, token))

    def test_bad_websocket_events_and_settings_fail(self):
        self.expect_error(WEBSOCKET, {"requestContext": {"connectionId": "x"}}, "InvalidEvent",
                          "routeKey")
        self.expect_error(WEBSOCKET, ws_event("$connect", connection="a b"), "InvalidEvent",
                          "not 1 to 128 characters of base64")
        self.expect_error(WEBSOCKET, ws_event("$connect"), "Configuration",
                          "no LAKEC_TABLE_* variable", LAKEC_TABLE_CONNECTIONS=None)
        self.expect_error(WEBSOCKET, ws_event("$disconnect"), "Configuration", "are both set",
                          LAKEC_TABLE_OTHER="other")
        self.expect_error(WEBSOCKET, ws_event("$connect"), "DynamoDBError",
                          "PutItem no-such-table: HTTP 400", LAKEC_TABLE_CONNECTIONS="no-such-table")
        event = ws_event("$default", body="{}")
        del event["requestContext"]["domainName"]
        self.expect_error(WEBSOCKET, event, "InvalidEvent", "domainName and stage")

    # ---- consume ----

    def test_a_batch_reaches_every_connection_in_moto(self):
        self.add_connections(["conn-%d=" % i for i in range(3)])
        values = [json.dumps({"event_id": "e%d" % i, "device_type": "tv"}) for i in range(5)]
        out = self.expect_ok(CONSUME, kafka_event(values),
                             LAKEC_WEBSOCKET_DASHBOARD_URL="https://abc123.execute-api.us-west-2.amazonaws.com/dev",
                             AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI=self.moto.endpoint)
        self.assertEqual(out, {"records": 5, "skipped": 0, "messages": 1, "connections": 3,
                               "sent": 3, "stale": 0, "failed": 0, "unsent": 0})

    def test_a_gone_connection_leaves_the_table_and_the_others_get_the_records(self):
        self.add_connections(["alive-1", "gone-2=", "alive-3"])
        values = [json.dumps({"event_id": "e1", "quality": "4K"}), "plain text, not JSON",
                  json.dumps([1, 2]), None, b"\xff\xfe", json.dumps({"event_id": "e2"})]
        event = kafka_event(values)
        event["records"]["acme-telemetry-1"].append({"topic": "acme-telemetry", "partition": 1,
                                                     "offset": 99, "value": "not base64!"})
        stub = ConnectionsStub(gone={"gone-2="})
        try:
            out = self.expect_ok(CONSUME, event, LAKEC_WEBSOCKET_DASHBOARD_URL=stub.endpoint)
        finally:
            stub.stop()
        self.assertEqual(out, {"records": 7, "skipped": 1, "messages": 1, "connections": 3,
                               "sent": 2, "stale": 1, "failed": 0, "unsent": 0})
        expected = {"type": "records", "records": [{"event_id": "e1", "quality": "4K"},
                                                   "plain text, not JSON", [1, 2], None, None,
                                                   {"event_id": "e2"}]}
        self.assertEqual(stub.delivered(), {"alive-1": [expected], "alive-3": [expected]})
        self.assertEqual(sorted(p[0] for p in stub.posts), ["alive-1", "alive-3", "gone-2="])
        self.assertEqual(self.connection_ids(), ["alive-1", "alive-3"])

    def test_failures_are_retried_then_counted_without_failing_the_batch(self):
        self.add_connections(["flaky", "broken", "fine"])
        stub = ConnectionsStub(script={"flaky": [500], "broken": [500] * 10 + [403] * 10})
        try:
            out = self.expect_ok(CONSUME, kafka_event(['{"n":1}']),
                                 LAKEC_WEBSOCKET_DASHBOARD_URL=stub.endpoint)
        finally:
            stub.stop()
        self.assertEqual(out, {"records": 1, "skipped": 0, "messages": 1, "connections": 3,
                               "sent": 2, "stale": 0, "failed": 1, "unsent": 0})
        tries = {}
        for cid, *_ in stub.posts:
            tries[cid] = tries.get(cid, 0) + 1
        self.assertEqual(tries, {"flaky": 2, "broken": 3, "fine": 1})
        self.assertEqual(self.connection_ids(), ["broken", "fine", "flaky"])  # only 410 removes

    def test_large_batches_are_split_into_frames_and_every_scan_page_is_reached(self):
        ids = ["c%04d" % i for i in range(1050)]  # more than one Scan page (1000)
        self.add_connections(ids)
        values = [json.dumps({"event_id": "e%03d" % i, "pad": "x" * 1500}) for i in range(60)]
        stub = ConnectionsStub()
        try:
            out = self.expect_ok(CONSUME, kafka_event(values, per_partition=25),
                                 LAKEC_WEBSOCKET_DASHBOARD_URL=stub.endpoint + "/")
        finally:
            stub.stop()
        messages = out["messages"]
        self.assertGreaterEqual(messages, 3)
        self.assertEqual(out, {"records": 60, "skipped": 0, "messages": messages, "connections": 1050,
                               "sent": 1050 * messages, "stale": 0, "failed": 0, "unsent": 0})
        delivered = stub.delivered()
        self.assertEqual(sorted(delivered), ids)
        first = delivered["c0000"]
        self.assertEqual([r["event_id"] for m in first for r in m["records"]],
                         ["e%03d" % i for i in range(60)])
        for cid, _, body, _, _ in stub.posts:
            self.assertLessEqual(len(body), 32 * 1024)
        self.assertTrue(all(bodies == first for bodies in delivered.values()))

    def test_a_record_larger_than_a_message_is_skipped(self):
        self.add_connections(["one"])
        values = [json.dumps({"big": "x" * (130 * 1024)}), json.dumps({"small": 1}),
                  json.dumps({"frame": "y" * (40 * 1024)})]
        stub = ConnectionsStub()
        try:
            out = self.expect_ok(CONSUME, kafka_event(values, per_partition=3),
                                 LAKEC_WEBSOCKET_DASHBOARD_URL=stub.endpoint)
        finally:
            stub.stop()
        self.assertEqual((out["records"], out["skipped"], out["messages"], out["sent"]), (3, 1, 2, 2))
        bodies = stub.delivered()["one"]
        self.assertEqual(bodies[0]["records"], [{"small": 1}])
        self.assertEqual(len(bodies[1]["records"][0]["frame"]), 40 * 1024)

    def test_near_the_deadline_the_posts_left_are_counted_as_unsent(self):
        self.add_connections(["one", "two"])
        stub = ConnectionsStub()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "LAKEC_"))}
        env.update(AWS_REGION=REGION, AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY=SECRET,
                   AWS_ENDPOINT_URL_DYNAMODB=self.moto.endpoint, LAKEC_TABLE_CONNECTIONS=TABLE,
                   LAKEC_WEBSOCKET_DASHBOARD_URL=stub.endpoint)
        # 4 s left: less than the 5 s the consumer keeps in hand
        deadline = int(time.time() * 1000) + 4000
        api = FakeRuntimeApi([("req-1", json.dumps(kafka_event(['{"n":1}'])).encode(), deadline)])
        try:
            proc = subprocess.run([CONSUME], env=dict(env, AWS_LAMBDA_RUNTIME_API=api.address),
                                  capture_output=True, text=True, timeout=60)
        finally:
            api.stop()
            stub.stop()
        kind, body, _ = api.results["req-1"]
        self.assertEqual(kind, "response", (body, proc.stderr))
        self.assertEqual(json.loads(body), {"records": 1, "skipped": 0, "messages": 1,
                                            "connections": 2, "sent": 0, "stale": 0, "failed": 0,
                                            "unsent": 2})
        self.assertEqual(stub.posts, [])

    def test_an_empty_batch_posts_nothing(self):
        out = self.expect_ok(CONSUME, {"eventSource": "aws:kafka", "records": {}},
                             LAKEC_WEBSOCKET_DASHBOARD_URL="http://127.0.0.1:9/",
                             LAKEC_TABLE_CONNECTIONS="no-such-table")
        self.assertEqual((out["records"], out["messages"], out["connections"], out["sent"]), (0, 0, 0, 0))

    def test_bad_consumer_events_and_settings_fail(self):
        url = "https://abc123.execute-api.us-west-2.amazonaws.com/dev"
        self.expect_error(CONSUME, {"eventSource": "aws:sqs", "records": {}}, "InvalidEvent",
                          "not an MSK event", LAKEC_WEBSOCKET_DASHBOARD_URL=url)
        self.expect_error(CONSUME, kafka_event(["{}"]), "Configuration",
                          "no LAKEC_WEBSOCKET_*_URL variable")
        self.expect_error(CONSUME, kafka_event(["{}"]), "Configuration", "no LAKEC_TABLE_* variable",
                          LAKEC_TABLE_CONNECTIONS=None, LAKEC_WEBSOCKET_DASHBOARD_URL=url)
        self.expect_error(CONSUME, kafka_event(["{}"]), "DynamoDBError", "Scan no-such-table",
                          LAKEC_TABLE_CONNECTIONS="no-such-table", LAKEC_WEBSOCKET_DASHBOARD_URL=url)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
