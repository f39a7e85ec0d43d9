#!/usr/bin/env python3
"""The MSK IAM token and the producer handler, on this machine:

- the token (src/handlers/msk_token.c) for fixed credentials, region and
  time is byte for byte the one AWS's aws-msk-iam-sasl-signer-python builds
  with botocore's SigV4QueryAuth (same steps, same User-Agent), with and
  without a session token; its expiry is the signing time + 900 s;
- librdkafka accepts a token made now for OAUTHBEARER (as produce's
  token refresh callback gives it);
- presigned URLs (aws_presign_get) equal botocore's, for a path whose
  escapes SigV4 encodes again (the GetBootstrapBrokers path) and a query;
- produce against librdkafka's mock cluster (kafka_mock): every record
  arrives once, its value the record's JSON, keyed by customer_id (else
  session_id, else no key), one customer's records in order on one
  partition; failed produce requests fail the invocation, and so do
  brokers that do not answer before the deadline; bad events and settings
  are refused; in the Runtime API loop one producer serves the invocations;
- without LAKEC_KAFKA_BROKERS, produce asks GetBootstrapBrokers (a stub
  server answering AWS's JSON): the request's path, its SigV4 scope (service
  kafka) and its signature (recomputed with botocore), and the brokers it
  answers are used;
- librdkafka is linked in; the handler's lib/ holds only libsasl2.so.2, and
  neither needs a glibc newer than 2.34.

usage: test_msk.py HANDLERS_DIR PRESIGN_TOOL KAFKA_MOCK VERSION
"""
import base64
import datetime
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse
from unittest import mock

import botocore.auth
from botocore.auth import SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fakes import FakeRuntimeApi, RequestRecorder  # noqa: E402

HANDLERS, PRESIGN_TOOL, KAFKA_MOCK, VERSION = sys.argv[1:5]
PRODUCE = os.path.join(HANDLERS, "produce", "bootstrap")
KEY, SECRET = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
SESSION = "IQoJb3JpZ2luX2VjEMb//////////wEaCXVzLXdlc3QtMiJHMEUCIQ+token/with+chars=="
TOPIC = "acme-telemetry"
CLUSTER_ARN = "arn:aws:kafka:us-west-2:123456789012:cluster/acme-msk-dev/6ad8b7c4-1f2e-4a3b-9c8d-0e1f2a3b4c5d-2"


def botocore_token(region, key, secret, token, when):
    """aws-msk-iam-sasl-signer-python's __construct_auth_token, step by step."""
    at = datetime.datetime.fromtimestamp(when, datetime.timezone.utc)
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=at):
        request = AWSRequest(method="GET", url=f"https://kafka.{region}.amazonaws.com/",
                             params={"Action": "kafka-cluster:Connect"})
        SigV4QueryAuth(Credentials(key, secret, token), "kafka-cluster", region,
                       expires=900).add_auth(request)
    request.params = {"User-Agent": f"lakec/{VERSION}"}
    url = request.prepare().url
    return base64.urlsafe_b64encode(url.encode()).decode().rstrip("="), url


def botocore_presign(region, token, when, service, url, expires):
    at = datetime.datetime.fromtimestamp(when, datetime.timezone.utc)
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=at):
        request = AWSRequest(method="GET", url=url)
        SigV4QueryAuth(Credentials(KEY, SECRET, token), service, region,
                       expires=expires).add_auth(request)
    return request.url


def run_tool(*args):
    proc = subprocess.run([PRESIGN_TOOL, *args], capture_output=True, text=True, timeout=30)
    if proc.returncode:
        raise AssertionError(proc.stderr)
    return proc.stdout.splitlines()


class Token(unittest.TestCase):
    CASES = [  # region, key, secret, session token, time: lengths vary the padding
        ("us-west-2", KEY, SECRET, None, 1700000000),
        ("us-west-2", KEY, SECRET, SESSION, 1700000000),
        ("eu-central-1", "ASIAXYZ", "s/e+c=r", SESSION + "x", 1735689599),
        ("ap-southeast-2", "AKIA0", "0", "t", 946684800),
    ]

    def test_token_equals_botocore(self):
        for region, key, secret, token, when in self.CASES:
            with self.subTest(region=region, token=token):
                ours, expires = run_tool("token", region, key, secret, token or "-", str(when))
                expected, url = botocore_token(region, key, secret, token, when)
                self.assertEqual(ours, expected)
                self.assertEqual(int(expires), (when + 900) * 1000)
                self.assertRegex(ours, r"^[A-Za-z0-9_-]+$")  # base64url, no padding
                decoded = base64.urlsafe_b64decode(ours + "=" * (-len(ours) % 4)).decode()
                self.assertEqual(decoded, url)
                self.assertTrue(decoded.startswith(
                    f"https://kafka.{region}.amazonaws.com/?Action=kafka-cluster%3AConnect&"
                    "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="))
                query = urllib.parse.parse_qs(urllib.parse.urlsplit(decoded).query)
                self.assertEqual(query["X-Amz-Expires"], ["900"])
                self.assertEqual(query["X-Amz-SignedHeaders"], ["host"])
                self.assertTrue(query["X-Amz-Credential"][0].endswith(
                    f"/{region}/kafka-cluster/aws4_request"))
                self.assertEqual(query.get("X-Amz-Security-Token"), [token] if token else None)
                self.assertTrue(decoded.endswith(f"&User-Agent=lakec%2F{VERSION}"))

    def test_librdkafka_accepts_the_token(self):
        # what produce's refresh callback hands over: a token made now
        for token in (None, SESSION):
            self.assertEqual(run_tool("accept", "us-west-2", KEY, SECRET, token or "-"), ["accepted"])

    def test_presigned_url_equals_botocore(self):
        path = "/v1/clusters/" + urllib.parse.quote(CLUSTER_ARN, safe="") + "/bootstrap-brokers"
        for base, query, token in [("http://127.0.0.1:8080", None, SESSION),
                                   ("https://kafka.us-west-2.amazonaws.com", "b=2&a=1&a-b=%2F", None)]:
            with self.subTest(base=base):
                (ours,) = run_tool("url", "us-west-2", KEY, SECRET, token or "-", "1700000000",
                                   "kafka", base, path, query or "-", "300")
                url = base + path + (f"?{query}" if query else "")
                self.assertEqual(ours, botocore_presign("us-west-2", token, 1700000000, "kafka",
                                                        url, 300))


def handler_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "LAKEC_"))}
    env.update(AWS_REGION="us-west-2", AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY=SECRET,
               LAKEC_KAFKA_TOPIC=TOPIC, LAKEC_KAFKA_SECURITY="plaintext")
    env.update(extra)
    return env


def telemetry(n, batch="a"):
    """Events as the generator makes them; a few with session_id only, one with neither."""
    records = []
    for i in range(n):
        r = {"event_id": f"evt-{batch}-{i:05d}", "customer_id": f"cust-{i % 7:04d}",
             "title_id": f"title-{i % 11:03d}", "event_type": ["start", "pause", "stop"][i % 3],
             "watch_duration_seconds": i * 13, "device_type": "tv", "quality": "4K",
             "timestamp": f"2024-05-01T12:{i % 60:02d}:00Z", "note": "é ✓"}
        if i % 10 == 3:
            del r["customer_id"]
            r["session_id"] = f"sess-{i}"
        records.append(r)
    del records[-1]["customer_id"]
    return records


def record_key(r):
    return r.get("customer_id", r.get("session_id"))


class Produce(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="lakec-produce-")
        cls.mock = subprocess.Popen([KAFKA_MOCK, TOPIC, "3"], stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, text=True)
        cls.brokers = cls.mock.stdout.readline().strip()
        cls.consumed = 0

    @classmethod
    def tearDownClass(cls):
        cls.mock.stdin.close()
        cls.mock.wait(timeout=30)

    def produce(self, event, **env):
        path = os.path.join(self.work, "event.json")
        with open(path, "w") as f:
            f.write(event if isinstance(event, str) else json.dumps(event))
        proc = subprocess.run([PRODUCE, "--event", path], env=handler_env(**env),
                              capture_output=True, text=True, timeout=120)
        return proc.returncode, json.loads(proc.stdout), proc.stderr

    def consume_all(self, count):
        """Every record of the topic; the first `self.consumed` were seen before."""
        self.mock.stdin.write(f"consume {count}\n")
        self.mock.stdin.flush()
        lines = []
        for line in self.mock.stdout:
            if line.strip() == "end":
                break
            lines.append(json.loads(line))
        return lines

    def test_1_every_record_arrives_keyed(self):
        records = telemetry(60)
        rc, answer, err = self.produce({"records": records}, LAKEC_KAFKA_BROKERS=self.brokers)
        self.assertEqual((rc, answer), (0, {"published": 60, "failed": 0}), err)
        got = self.consume_all(60)
        self.assertEqual(len(got), 60)
        by_id = {json.loads(g["value"])["event_id"]: g for g in got}
        self.assertEqual(len(by_id), 60)  # each once
        for r in records:
            g = by_id[r["event_id"]]
            self.assertEqual(json.loads(g["value"]), r)
            self.assertEqual(g["key"], record_key(r))
        self.assertIsNone(by_id[records[-1]["event_id"]]["key"])
        # one customer's records on one partition, in the batch's order
        for customer in {r["customer_id"] for r in records if "customer_id" in r}:
            mine = [by_id[r["event_id"]] for r in records if r.get("customer_id") == customer]
            self.assertEqual(len({g["partition"] for g in mine}), 1)
            self.assertEqual([g["offset"] for g in mine], sorted(g["offset"] for g in mine))

    def test_2_empty_batch(self):
        rc, answer, err = self.produce({"records": []}, LAKEC_KAFKA_BROKERS=self.brokers)
        self.assertEqual((rc, answer), (0, {"published": 0, "failed": 0}), err)

    def test_3_bad_events_and_settings(self):
        cases = [
            ("[1]", {}, "InvalidEvent", "array \"records\""),
            ({"records": {}}, {}, "InvalidEvent", "array \"records\""),
            ({"records": [{}, 3]}, {}, "InvalidEvent", "records[1] is not a JSON object"),
            ({"records": []}, {"LAKEC_KAFKA_TOPIC": ""}, "Configuration", "LAKEC_KAFKA_TOPIC"),
            ({"records": []}, {"LAKEC_KAFKA_SECURITY": "ssl"}, "Configuration",
             "LAKEC_KAFKA_SECURITY must be iam"),
            ({"records": []}, {"LAKEC_KAFKA_BROKERS": ""}, "Configuration",
             "LAKEC_KAFKA_CLUSTER_ARN"),
        ]
        for event, env, kind, message in cases:
            with self.subTest(event=event, env=env):
                env = {"LAKEC_KAFKA_BROKERS": self.brokers, **env}
                rc, answer, _ = self.produce(event, **env)
                self.assertEqual((rc, answer["errorType"]), (1, kind))
                self.assertIn(message, answer["errorMessage"])

    def test_4_one_producer_for_the_container(self):
        """The Runtime API loop: the brokers are looked up once, a bad event
        in between is refused, and each invocation counts its own records."""
        answer = {"bootstrapBrokerStringSaslIam": self.brokers}
        stub = RequestRecorder(body=json.dumps(answer).encode())
        first, second = telemetry(10, "loop1"), telemetry(15, "loop2")
        api = FakeRuntimeApi([("r1", json.dumps({"records": first}).encode()),
                              ("r2", b'{"records": 7}'),
                              ("r3", json.dumps({"records": second}).encode())])
        try:
            proc = subprocess.run([PRODUCE], env=handler_env(
                AWS_LAMBDA_RUNTIME_API=api.address, LAKEC_KAFKA_CLUSTER_ARN=CLUSTER_ARN,
                AWS_ENDPOINT_URL_KAFKA=f"http://127.0.0.1:{stub.port}"), capture_output=True,
                timeout=120)
        finally:
            api.stop()
            stub.stop()
        self.assertEqual(proc.returncode, 1, proc.stderr)  # the API stopped serving
        self.assertEqual(stub.count, 1)
        outcome = {r: (kind, json.loads(body)) for r, (kind, body, _) in api.results.items()}
        self.assertEqual(outcome["r1"], ("response", {"published": 10, "failed": 0}))
        self.assertEqual((outcome["r2"][0], outcome["r2"][1]["errorType"]), ("error", "InvalidEvent"))
        self.assertEqual(outcome["r3"], ("response", {"published": 15, "failed": 0}))
        ids = {json.loads(g["value"])["event_id"] for g in self.consume_all(60 + 25)}
        self.assertLessEqual({r["event_id"] for r in first + second}, ids)

    def test_8_unreachable_brokers_fail_at_the_deadline(self):
        stub = RequestRecorder()  # a port nothing listens on once stopped
        stub.stop()
        deadline = int(time.time() * 1000) + 3000
        api = FakeRuntimeApi([("r", json.dumps({"records": telemetry(5)}).encode(), deadline)])
        try:
            subprocess.run([PRODUCE], env=handler_env(AWS_LAMBDA_RUNTIME_API=api.address,
                                                      LAKEC_KAFKA_BROKERS=f"127.0.0.1:{stub.port}"),
                           capture_output=True, timeout=60)
        finally:
            api.stop()
        kind, body, _ = api.results["r"]
        self.assertEqual((kind, json.loads(body)["errorType"]), ("error", "KafkaError"))
        self.assertIn("5 of 5 records were not published to acme-telemetry: not acknowledged "
                      "before the deadline", json.loads(body)["errorMessage"])
        self.assertLess(time.time() * 1000, deadline + 1000)  # answered about a second before

    def test_9_failed_produce_fails_the_invocation(self):
        self.mock.stdin.write("fail-produce 200\n")
        self.mock.stdin.flush()
        self.assertEqual(self.mock.stdout.readline().strip(), "ok")
        rc, answer, _ = self.produce({"records": telemetry(5)}, LAKEC_KAFKA_BROKERS=self.brokers)
        self.assertEqual((rc, answer["errorType"]), (1, "KafkaError"))
        self.assertRegex(answer["errorMessage"], r"^5 of 5 records were not published to acme-telemetry: ")
        self.assertIn("authoriz", answer["errorMessage"].lower())

    def test_5_brokers_from_get_bootstrap_brokers(self):
        answer = {"bootstrapBrokerStringTls": "b-1.example:9094",
                  "bootstrapBrokerStringSaslIam": self.brokers}
        stub = RequestRecorder(body=json.dumps(answer).encode(),
                               headers={"Content-Type": "application/json"})
        try:
            rc, out, err = self.produce({"records": telemetry(3)}, LAKEC_KAFKA_CLUSTER_ARN=CLUSTER_ARN,
                                        AWS_ENDPOINT_URL_KAFKA=f"http://127.0.0.1:{stub.port}",
                                        AWS_SESSION_TOKEN=SESSION)
        finally:
            stub.stop()
        self.assertEqual((rc, out), (0, {"published": 3, "failed": 0}), err)
        self.assertEqual(stub.count, 1)
        method, target, _, _ = stub.request
        path, _, query = target.partition("?")
        self.assertEqual(method, "GET")
        self.assertEqual(path, "/v1/clusters/arn%3Aaws%3Akafka%3Aus-west-2%3A123456789012%3Acluster"
                               "%2Facme-msk-dev%2F6ad8b7c4-1f2e-4a3b-9c8d-0e1f2a3b4c5d-2/bootstrap-brokers")
        params = urllib.parse.parse_qs(query)
        self.assertRegex(params["X-Amz-Credential"][0], rf"^{KEY}/\d{{8}}/us-west-2/kafka/aws4_request$")
        self.assertEqual(params["X-Amz-Security-Token"], [SESSION])
        # the signature, recomputed by botocore from what the stub received
        unsigned, _, signature = target.rpartition("&X-Amz-Signature=")
        request = AWSRequest(method="GET", url=f"http://127.0.0.1:{stub.port}{unsigned}")
        signer = SigV4QueryAuth(Credentials(KEY, SECRET, SESSION), "kafka", "us-west-2", expires=300)
        request.context["timestamp"] = params["X-Amz-Date"][0]
        string_to_sign = signer.string_to_sign(request, signer.canonical_request(request))
        self.assertEqual(signature, signer.signature(string_to_sign, request))

    def test_6_get_bootstrap_brokers_failures(self):
        cases = [([403], b"", "HTTP 403"),
                 ([], json.dumps({"bootstrapBrokerStringTls": "b-1:9094"}).encode(),
                  "no BootstrapBrokerStringSaslIam")]
        for statuses, body, message in cases:
            with self.subTest(message=message):
                stub = RequestRecorder(statuses=statuses, body=body)
                try:
                    rc, out, _ = self.produce({"records": telemetry(2)},
                                              LAKEC_KAFKA_CLUSTER_ARN=CLUSTER_ARN,
                                              AWS_ENDPOINT_URL_KAFKA=f"http://127.0.0.1:{stub.port}")
                finally:
                    stub.stop()
                self.assertEqual((rc, out["errorType"]), (1, "KafkaError"))
                self.assertIn(message, out["errorMessage"])

    def test_7_bundle(self):
        """librdkafka, OpenSSL, lz4 and zstd are linked in; lib/ holds Cyrus
        SASL alone (and a sanitized build's runtimes); glibc at most 2.34."""
        lib = os.path.join(HANDLERS, "produce", "lib")
        bundled = [f for f in os.listdir(lib) if not re.match(r"lib(a|ub|l|t)san|libstdc|libgcc", f)]
        self.assertEqual(bundled, ["libsasl2.so.2"])
        dynamic = subprocess.run(["readelf", "-d", PRODUCE], capture_output=True, text=True).stdout
        needed = set(re.findall(r"\(NEEDED\).*\[(.*)\]", dynamic))
        glibc = {"libc.so.6", "libm.so.6", "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1"}
        self.assertEqual({n for n in needed - glibc if "san" not in n}, {"libsasl2.so.2"})
        for program in (PRODUCE, os.path.join(lib, "libsasl2.so.2")):
            symbols = subprocess.run(["readelf", "--dyn-syms", "-W", program], capture_output=True,
                                     text=True).stdout
            newest = max(int(m) for m in re.findall(r"GLIBC_2\.(\d+)", symbols))
            self.assertLessEqual(newest, 34, program)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
