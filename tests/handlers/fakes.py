"""Test fakes for the handlers: a Lambda Runtime API that serves queued events
and records what the runtime answers, and an HTTP server that records one
request (to check its signature). Both listen on free 127.0.0.1 ports and stop
with the test."""
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
import time


sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "integration"))
from motoproc import MotoServer, free_port  # noqa: E402,F401 - shared with the tests that import fakes


def run_event(program, event, env, timeout=300):
    """(exit status, parsed output, stderr) of one local run of a handler
    program on event (bootstrap --event FILE) with the environment env."""
    with tempfile.NamedTemporaryFile("w", suffix=".json") as f:
        json.dump(event, f)
        f.flush()
        proc = subprocess.run([program, "--event", f.name], env=env, capture_output=True, text=True,
                              timeout=timeout)
    return proc.returncode, json.loads(proc.stdout), proc.stderr


def assert_signed_as_botocore_signs(test, url, body, headers, service, region, credentials,
                                    also=()):
    """The Authorization header of a POST to url is SigV4 for service and
    region, signs host, x-amz-date, the headers named in `also` (and the
    session token when credentials have one: key, secret, token or None),
    and its signature is the one botocore computes."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    headers = {k.lower(): v for k, v in headers.items()}
    auth = headers["authorization"]
    test.assertIn("/%s/%s/aws4_request" % (region, service), auth)
    signed = auth.split("SignedHeaders=")[1].split(",")[0].split(";")
    test.assertEqual(signed, sorted(["host", "x-amz-date", *also] +
                                    (["x-amz-security-token"] if credentials[2] else [])))
    request = AWSRequest(method="POST", url=url, data=body, headers={h: headers[h] for h in signed})
    signer = SigV4Auth(Credentials(*credentials), service, region)
    request.context["timestamp"] = headers["x-amz-date"]
    string_to_sign = signer.string_to_sign(request, signer.canonical_request(request))
    test.assertEqual(auth.split("Signature=")[1], signer.signature(string_to_sign, request))


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


class LocalHttpServer:
    """A threaded HTTP server for handler_class on a free 127.0.0.1 port; stop() ends it."""

    def __init__(self, handler_class):
        self.port = free_port()
        self.server = _Server(("127.0.0.1", self.port), handler_class)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class FakeRuntimeApi:
    """Serves each queued event once, then answers 410 so the runtime exits."""

    def __init__(self, events):
        self.events = list(events)  # (request_id, body bytes[, deadline ms since the epoch])
        self.results = {}  # request_id -> ("response"|"error", body, headers)
        self.times = {}  # request_id -> time.monotonic() when its answer arrived
        self.first_next = None  # time.monotonic() of the first request for an event
        self.init_error = None
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                if fake.first_next is None:
                    fake.first_next = time.monotonic()
                if self.path != "/2018-06-01/runtime/invocation/next" or not fake.events:
                    self.send_response(410)
                    self.end_headers()
                    return
                request_id, body, *rest = fake.events.pop(0)
                deadline = rest[0] if rest else 9999999999999
                self.send_response(200)
                self.send_header("Lambda-Runtime-Aws-Request-Id", request_id)
                self.send_header("Lambda-Runtime-Deadline-Ms", str(deadline))
                self.send_header("Lambda-Runtime-Trace-Id", "Root=1-test")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                parts = self.path.split("/")
                if self.path == "/2018-06-01/runtime/init/error":
                    fake.init_error = (body, dict(self.headers))
                elif len(parts) == 6 and parts[3] == "invocation":
                    fake.times[parts[4]] = time.monotonic()
                    fake.results[parts[4]] = (parts[5], body, dict(self.headers))
                self.send_response(202)
                self.end_headers()

        self.port = free_port()
        self.server = _Server(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def address(self):
        return f"127.0.0.1:{self.port}"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class RequestRecorder:
    """Answers requests with the scripted statuses (then 200 with `body` and the
    `headers` given), keeps the first request in `request` and all of them in
    `requests`, and counts them."""

    def __init__(self, statuses=(), body=b"", headers=None):
        self.request = None
        self.requests = []
        self.count = 0
        self.statuses = list(statuses)
        self.body = body
        self.headers = headers or {}
        recorder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _record(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                if recorder.request is None:
                    recorder.request = (self.command, self.path, dict(self.headers), body)
                recorder.requests.append((self.command, self.path, dict(self.headers), body))
                recorder.count += 1
                status = recorder.statuses.pop(0) if recorder.statuses else 200
                answer = recorder.body if status == 200 else b""
                self.send_response(status)
                for name, value in (recorder.headers.items() if status == 200 else ()):
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer)))  # a HEAD's too: the object's size
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(answer)

            do_PUT = do_GET = do_POST = do_DELETE = do_HEAD = _record

        self.port = free_port()
        self.server = _Server(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class AthenaStub:
    """Answers Athena's JSON API: the query starts, then stays in `state`
    (RUNNING forever, FAILED with a reason, or SUCCEEDED with `rows` data rows
    served in pages as Athena does: at most 1000 rows a call, the first page
    led by the column names; MaxResults over 1000 is refused like Athena
    refuses it). Records the actions called and their bodies."""

    def __init__(self, state, rows=0):
        self.actions = []
        self.bodies = []
        stub = self
        columns = {"Data": [{"VarCharValue": "timestamp"}, {"VarCharValue": "requests"}]}
        data = [{"Data": [{"VarCharValue": "2026-11-21T09:%02d:00Z" % (i % 60)},
                          {"VarCharValue": str(i)}]} for i in range(rows)]
        all_rows = [columns] + data

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
                action = self.headers.get("X-Amz-Target", "").split(".")[-1]
                stub.actions.append(action)
                stub.bodies.append((action, request))
                status, answer = 200, {"QueryExecutionId": "q-stub"}
                if action == "GetQueryExecution":
                    answer = {"QueryExecution": {"QueryExecutionId": "q-stub", "Status": {
                        "State": state, "StateChangeReason": "SYNTAX_ERROR: stubbed"}}}
                elif action == "GetQueryResults" and request.get("MaxResults", 1000) > 1000:
                    status, answer = 400, {"__type": "InvalidRequestException",
                                           "Message": "MaxResults must be at most 1000"}
                elif action == "GetQueryResults":
                    start = int(request.get("NextToken", "0"))
                    end = start + request.get("MaxResults", 1000)
                    answer = {"ResultSet": {"Rows": all_rows[start:end]}}
                    if end < len(all_rows):
                        answer["NextToken"] = str(end)
                body = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.port = free_port()
        self.server = _Server(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
