#!/usr/bin/env python3
"""The handler runtime and AWS client, end to end on this machine:

- the Runtime API loop against a fake Runtime API (tests/handlers/fakes.py):
  responses, error responses for bad events (not JSON, not an object, larger
  than Lambda's 6 MB), and a clean exit when the API stops serving;
- ingest against moto's S3 (moto started on a free 127.0.0.1 port): the
  object lands at the partitioned key, with the CSV, and a retried event
  rewrites the same object;
- `bootstrap --event FILE` runs once and prints the response;
- the SigV4 signature libcurl computes for a request equals the one botocore
  computes, independently, for the same request.

- process against moto's S3 and Glue: a good CSV becomes a Parquet object
  under processed/ that DuckDB reads back value by value (every column type,
  every codec; a data set of format csv is copied unchanged), written in
  parts when large, with the handler's peak memory measured; the crawler
  starts (a running crawler is fine); a CSV that does not fit moves to
  quarantine/ with reason, line and column in its metadata and nothing left
  under processed/ (no incomplete multipart upload either); a re-delivered
  event loses and duplicates nothing; a bad data set configuration, and
  malformed events, get error responses.

usage: test_handlers.py HANDLERS_DIR PROJECT_ROOT   (HANDLERS_DIR/<name>/bootstrap)
"""
import base64
import datetime
import json
import os
import sqlite3
import subprocess
import sys
import time
import unittest
import urllib.parse
import urllib.request

import random
import shutil
import tempfile

import boto3
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fakes import AthenaStub, FakeRuntimeApi, MotoServer, RequestRecorder  # noqa: E402

HANDLERS, ROOT = sys.argv[1], sys.argv[2]
INGEST = os.path.join(HANDLERS, "ingest", "bootstrap")
PROCESS = os.path.join(HANDLERS, "process", "bootstrap")
QUERY = os.path.join(HANDLERS, "query", "bootstrap")
RUNSTAT = os.path.join(os.path.dirname(os.path.abspath(HANDLERS)), "bench", "runstat")
EVENTS = os.path.join(ROOT, "src", "handlers", "events")
KEY, SECRET, REGION = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "us-east-1"
PARQUET_TESTS = os.path.join(ROOT, "tests", "parquet")

METRICS_COLUMNS = [("timestamp", "timestamp", False), ("service", "string", False),
                   ("requests", "int64", False), ("errors", "int64", False),
                   ("latency_ms_p50", "double", False), ("latency_ms_p99", "double", False)]


def make_dataset(columns, **settings):
    """A data set's LAKEC_DATASET_<KEY> value, in the shape the compiler writes."""
    value = {"format": "parquet", "codec": "snappy", "header": True, "list_separator": "|",
             "row_group_mb": 32}
    value.update(settings)
    value["columns"] = [{"name": n, "type": t, "optional": o} for n, t, o in columns]
    return json.dumps(value, separators=(",", ":"))


METRICS_DATASET = make_dataset(METRICS_COLUMNS)


def epoch_ms(text):
    return int(datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


def metrics_csv(rows):
    """A metrics CSV of poorly compressible text (each service a distinct random name,
    errors counting up from 0), and its number of data rows."""
    rng = random.Random(rows)
    lines = ["timestamp,service,requests,errors,latency_ms_p50,latency_ms_p99"]
    for i in range(rows):
        service = base64.b64encode(rng.randbytes(60)).decode()
        lines.append(f"2026-11-21T09:{i % 60:02d}:00Z,{i}-{service},{rng.randrange(10**12)},{i},"
                     f"{rng.random() * 1000:.3f},{rng.random():.17f}")
    return ("\n".join(lines) + "\n").encode(), rows


def duckdb(sql):
    """Rows DuckDB (an independent reader) answers for sql, as JSON values."""
    if not os.path.isdir(os.path.join(PARQUET_TESTS, "node_modules", "@duckdb", "node-api")):
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=PARQUET_TESTS,
                       check=True)
    out = subprocess.run(["node", os.path.join(PARQUET_TESTS, "query.mjs"), sql], capture_output=True,
                         check=True, timeout=120)
    return json.loads(out.stdout)


def base_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_REGION=REGION, AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY=SECRET,
               SERVICE_NAME="metris_api", LAKEC_BUCKET_DATA="meticsxmin-dev")
    env.update(extra)
    return env


class Handlers(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="lakec-handlers-")
        cls.moto = MotoServer()
        cls.moto_url = cls.moto.endpoint
        try:
            cls.s3 = boto3.client("s3", endpoint_url=cls.moto_url, region_name=REGION,
                                  aws_access_key_id=KEY, aws_secret_access_key=SECRET)
            cls.s3.create_bucket(Bucket="meticsxmin-dev")
            cls.glue = boto3.client("glue", endpoint_url=cls.moto_url, region_name=REGION,
                                    aws_access_key_id=KEY, aws_secret_access_key=SECRET)
            cls.glue.create_database(DatabaseInput={"Name": "metrics_dev"})
            cls.athena = boto3.client("athena", endpoint_url=cls.moto_url, region_name=REGION,
                                      aws_access_key_id=KEY, aws_secret_access_key=SECRET)
            cls.athena.create_work_group(Name="metrics-dev", Configuration={"ResultConfiguration": {
                "OutputLocation": "s3://meticsxmin-dev/athena-results/"}})
            cls.glue.create_crawler(Name="metrics-dev-processed", Role="arn:aws:iam::123456789012:role/c",
                                    DatabaseName="metrics_dev",
                                    Targets={"S3Targets": [{"Path": "s3://meticsxmin-dev/processed/"}]})
        except BaseException:
            cls.moto.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.moto.stop()
        shutil.rmtree(cls.work, ignore_errors=True)

    def serve(self, events, program=INGEST, **env):
        api = FakeRuntimeApi(events)
        try:
            proc = subprocess.run([program], env=base_env(AWS_LAMBDA_RUNTIME_API=api.address,
                                                         AWS_ENDPOINT_URL=self.moto_url, **env),
                                  capture_output=True, timeout=60)
        finally:
            api.stop()
        return api, proc

    def test_loop_answers_every_invocation(self):
        with open(os.path.join(EVENTS, "scheduled.json"), "rb") as f:
            scheduled = f.read()
        api, proc = self.serve([
            ("req-1", scheduled),
            ("req-2", b"not json at all"),
            ("req-3", b"[1, 2, 3]"),
            ("req-4", b'{"pad": "' + b"x" * (7 << 20) + b'"}'),
            ("req-5", scheduled),
        ])
        self.assertEqual(proc.returncode, 1, proc.stderr)  # the API stopped serving
        self.assertIn(b"cannot get the next invocation", proc.stderr)
        kind, body, _ = api.results["req-1"]
        self.assertEqual(kind, "response")
        answer = json.loads(body)
        self.assertEqual(answer["key"], "raw/year=2026/month=11/day=22/hour=05/metris_api-05-17_.csv")
        for request_id, needle in (("req-2", "not JSON"), ("req-3", "JSON object"),
                                   ("req-4", "larger than")):
            kind, body, headers = api.results[request_id]
            self.assertEqual(kind, "error", request_id)
            error = json.loads(body)
            self.assertEqual(error["errorType"], "InvalidEvent")
            self.assertIn(needle, error["errorMessage"])
            self.assertEqual(headers.get("Lambda-Runtime-Function-Error-Type"), "InvalidEvent")
        self.assertEqual(api.results["req-5"][0], "response")
        obj = self.s3.get_object(Bucket="meticsxmin-dev", Key=answer["key"])
        csv = obj["Body"].read().decode()
        lines = csv.splitlines()
        self.assertEqual(lines[0], "timestamp,service,requests,errors,latency_ms_p50,latency_ms_p99")
        self.assertTrue(lines[1].startswith("2026-11-22T05:17:00Z,metris_api,"))
        listing = self.s3.list_objects_v2(Bucket="meticsxmin-dev", Prefix="raw/year=2026/month=11/day=22/")
        self.assertEqual(listing["KeyCount"], 1)  # the retried event rewrote the same object

    def test_missing_configuration_is_an_error_response(self):
        with open(os.path.join(EVENTS, "scheduled.json"), "rb") as f:
            api, proc = self.serve([("r", f.read())], LAKEC_BUCKET_DATA="")
        kind, body, _ = api.results["r"]
        self.assertEqual(kind, "error")
        self.assertEqual(json.loads(body)["errorType"], "Configuration")

    def test_a_service_name_ingest_cannot_put_in_a_key_is_refused(self):
        """A 600-character SERVICE_NAME once made ingest upload bytes of its stack."""
        with open(os.path.join(EVENTS, "scheduled.json")) as f:
            event = json.load(f)
        event["time"] = "2026-11-24T07:00:00Z"  # a day of its own
        event = json.dumps(event).encode()
        # "s\udcbb": the byte 0xbb, not UTF-8 (found by fuzz_handler_ingest: the object was
        # written, then the JSON result could not be made)
        for name in ("s" * 600, "a/b", "x,y", "..", "tab\there", "s\udcbbe"):
            api, _ = self.serve([("n", event)], SERVICE_NAME=name)
            kind, body, _ = api.results["n"]
            self.assertEqual(kind, "error", name)
            self.assertEqual(json.loads(body)["errorType"], "Configuration")
        api, _ = self.serve([("m", event)], SERVICE_NAME="s" * 128)  # the longest it takes
        kind, body, _ = api.results["m"]
        self.assertEqual(kind, "response", body)
        key = json.loads(body)["key"]
        csv = self.s3.get_object(Bucket="meticsxmin-dev", Key=key)["Body"].read().decode()
        self.assertEqual(len(csv), json.loads(body)["bytes"])
        self.assertEqual(csv.splitlines()[1].split(",")[1], "s" * 128)

    def test_missing_credentials_is_an_init_error(self):
        api = FakeRuntimeApi([])
        env = base_env(AWS_LAMBDA_RUNTIME_API=api.address)
        del env["AWS_SECRET_ACCESS_KEY"]
        proc = subprocess.run([INGEST], env=env, capture_output=True, timeout=30)
        api.stop()
        self.assertEqual(proc.returncode, 2)
        self.assertIsNotNone(api.init_error)
        self.assertEqual(json.loads(api.init_error[0])["errorType"], "InitError")

    def test_local_event_runs_once(self):
        proc = subprocess.run([INGEST, "--event", os.path.join(EVENTS, "scheduled.json")],
                              env=base_env(AWS_ENDPOINT_URL=self.moto_url), capture_output=True,
                              timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(json.loads(proc.stdout)["bucket"], "meticsxmin-dev")

    def ingest_from_source(self, minute, statuses=(), body=b""):
        source = RequestRecorder(statuses, body)
        with open(os.path.join(EVENTS, "scheduled.json")) as f:
            event = json.load(f)
        event["time"] = f"2026-11-23T06:{minute}:00Z"  # a day of its own
        try:
            api, _ = self.serve([("s", json.dumps(event).encode())],
                                METRICS_SOURCE_URL=f"http://127.0.0.1:{source.port}/metrics?region=eu")
        finally:
            source.stop()
        key = f"raw/year=2026/month=11/day=23/hour=06/metris_api-06-{minute}_.csv"
        return api.results["s"], source, key

    def test_ingest_reads_a_real_http_source(self):
        record = {"requests": 1234, "errors": 5, "latency_ms_p50": 12.5, "latency_ms_p99": 99}
        (kind, body, _), source, key = self.ingest_from_source("40", [503], json.dumps(record).encode())
        self.assertEqual(kind, "response", body)
        self.assertEqual(json.loads(body)["source"], "http")
        self.assertEqual(source.count, 2)  # the 503 was retried
        method, path, headers, _ = source.request
        self.assertEqual((method, path), ("GET", "/metrics?region=eu&service=metris_api&time=2026-11-23T06%3A40%3A00Z"))
        self.assertEqual(headers["Accept"], "application/json")
        self.assertNotIn("Authorization", headers)  # AWS credentials never go to a source
        csv = self.s3.get_object(Bucket="meticsxmin-dev", Key=key)["Body"].read().decode()
        self.assertEqual(csv.splitlines()[1], "2026-11-23T06:40:00Z,metris_api,1234,5,12.50,99.00")

    def test_ingest_writes_a_negative_zero_latency_as_zero(self):
        """Found by fuzz_handler_ingest: -0.0 passed the range check and was written "-0.00",
        a field process then quarantined."""
        record = b'{"requests": 1, "errors": 0, "latency_ms_p50": -0.0, "latency_ms_p99": 2}'
        (kind, body, _), _, key = self.ingest_from_source("47", [], record)
        self.assertEqual(kind, "response", body)
        csv = self.s3.get_object(Bucket="meticsxmin-dev", Key=key)["Body"].read().decode()
        self.assertEqual(csv.splitlines()[1], "2026-11-23T06:47:00Z,metris_api,1,0,0.00,2.00")

    def test_ingest_refuses_a_bad_source_answer_and_writes_nothing(self):
        for minute, statuses, body, needle in (
                ("41", [], b'{"requests": "many"}', "expected a JSON object"),
                ("42", [], b"not json", "expected a JSON object"),
                ("43", [], b'{"requests": -1, "errors": 0, "latency_ms_p50": 1, "latency_ms_p99": 2}',
                 "non-negative"),
                ("44", [404], b"", "HTTP 404"),
                # a value whose text is longer than any fixed buffer: once read past the
                # CSV's buffer and uploaded bytes of the stack
                ("45", [], b'{"requests": 1, "errors": 0, "latency_ms_p50": 1e308, "latency_ms_p99": 2}',
                 "finite"),
                ("46", [], b'{"requests": 1, "errors": 0, "latency_ms_p50": 1, "latency_ms_p99": 1e10}',
                 "finite")):
            (kind, answer, _), source, key = self.ingest_from_source(minute, statuses, body)
            self.assertEqual(kind, "error", minute)
            error = json.loads(answer)
            self.assertEqual(error["errorType"], "SourceError")
            self.assertIn(needle, error["errorMessage"])
            self.assertEqual(source.count, 1, minute)  # a 404 or a bad body is not retried
            with self.assertRaises(self.s3.exceptions.ClientError):
                self.s3.head_object(Bucket="meticsxmin-dev", Key=key)

    def run_against(self, statuses):
        recorder = RequestRecorder(statuses)
        try:
            proc = subprocess.run(
                [INGEST, "--event", os.path.join(EVENTS, "scheduled.json")],
                env=base_env(AWS_ENDPOINT_URL=f"http://127.0.0.1:{recorder.port}"),
                capture_output=True, timeout=60)
        finally:
            recorder.stop()
        return proc, recorder.count

    def test_throttling_and_5xx_are_retried_with_a_bound(self):
        proc, count = self.run_against([503, 429, 500])
        self.assertEqual((proc.returncode, count), (0, 4), proc.stderr)
        proc, count = self.run_against([503] * 10)
        self.assertEqual((proc.returncode, count), (1, 5))  # five attempts, then the error
        self.assertIn(b"S3Error", proc.stdout)

    def test_client_errors_are_not_retried(self):
        proc, count = self.run_against([403])
        self.assertEqual((proc.returncode, count), (1, 1))

    def test_signature_matches_botocore(self):
        recorder = RequestRecorder()
        try:
            proc = subprocess.run(
                [INGEST, "--event", os.path.join(EVENTS, "scheduled.json")],
                env=base_env(AWS_ENDPOINT_URL_S3=f"http://127.0.0.1:{recorder.port}",
                             AWS_SESSION_TOKEN="token/with+chars=", SERVICE_NAME="a b=c"),
                capture_output=True, timeout=60)
        finally:
            recorder.stop()
        self.assertEqual(proc.returncode, 0, proc.stderr)
        method, path, headers, body = recorder.request
        headers = {k.lower(): v for k, v in headers.items()}
        self.assertIn("%3D", path)  # '=' in the key is encoded before signing
        auth = headers["authorization"]
        signed = auth.split("SignedHeaders=")[1].split(",")[0].split(";")
        self.assertIn("x-amz-content-sha256", signed)
        self.assertIn("x-amz-security-token", signed)
        request = AWSRequest(method=method, url=f"http://127.0.0.1:{recorder.port}{path}", data=body,
                             headers={h: headers[h] for h in signed})
        signer = S3SigV4Auth(Credentials(KEY, SECRET, "token/with+chars="), "s3", REGION)
        request.context["timestamp"] = headers["x-amz-date"]
        canonical = signer.canonical_request(request)
        string_to_sign = signer.string_to_sign(request, canonical)
        expected = signer.signature(string_to_sign, request)
        self.assertEqual(auth.split("Signature=")[1], expected)


    def object_event(self, key):
        with open(os.path.join(EVENTS, "object-created.json")) as f:
            event = json.load(f)
        event["detail"]["object"]["key"] = key
        return json.dumps(event).encode()

    def process_against(self, s3, key, dataset=None):
        """process on one event for key, with the recording S3 `s3` (stopped after)."""
        api = FakeRuntimeApi([("r", self.object_event(key))])
        try:
            subprocess.run([PROCESS], env=base_env(AWS_LAMBDA_RUNTIME_API=api.address,
                                                   AWS_ENDPOINT_URL_S3=f"http://127.0.0.1:{s3.port}",
                                                   LAKEC_DATASET_METRICS=dataset or METRICS_DATASET),
                           capture_output=True, timeout=60)
        finally:
            api.stop()
            s3.stop()
        return api.results["r"]

    def process(self, events, dataset=None, **env):
        env.setdefault("LAKEC_DATASET_METRICS", dataset or METRICS_DATASET)
        return self.serve(events, program=PROCESS, LAKEC_CRAWLER_PROCESSED="metrics-dev-processed", **env)

    def process_one(self, key, body, dataset=None, status="processed"):
        """process on body put at key: the result, checked to have `status`."""
        self.s3.put_object(Bucket="meticsxmin-dev", Key=key, Body=body)
        api, proc = self.process([("one", self.object_event(key))], dataset)
        kind, answer, _ = api.results["one"]
        self.assertEqual(kind, "response", (answer, proc.stderr))
        result = json.loads(answer)
        self.assertEqual(result["status"], status, result)
        return result

    def parquet_file(self, key):
        """The object at key, in a file DuckDB can read."""
        path = os.path.join(self.work, "%08x.parquet" % (hash(key) & 0xffffffff))
        with open(path, "wb") as f:
            f.write(self.s3.get_object(Bucket="meticsxmin-dev", Key=key)["Body"].read())
        return path

    def assertGone(self, key):
        with self.assertRaises(self.s3.exceptions.ClientError):
            self.s3.head_object(Bucket="meticsxmin-dev", Key=key)

    def assertNothingProcessedUnder(self, prefix):
        """Nothing under processed/, whole or in parts."""
        listing = self.s3.list_objects_v2(Bucket="meticsxmin-dev", Prefix="processed/" + prefix)
        self.assertEqual(listing["KeyCount"], 0, listing.get("Contents"))
        uploads = self.s3.list_multipart_uploads(Bucket="meticsxmin-dev", Prefix="processed/" + prefix)
        self.assertEqual(uploads.get("Uploads", []), [])

    def test_process_converts_good_csv_to_parquet_and_starts_the_crawler(self):
        key = "raw/year=2026/month=11/day=21/hour=09/metris_api-09-30_.csv"
        csv = b"timestamp,service,requests,errors,latency_ms_p50,latency_ms_p99\n" \
              b"2026-11-21T09:30:00Z,metris_api,812,3,41.20,150.75\r\n" \
              b"2026-11-21T09:30:00.123+01:00,\"a, b\",9007199254740993,0,0.5,1e3\n"
        self.s3.put_object(Bucket="meticsxmin-dev", Key=key, Body=csv)
        event = self.object_event(key)
        api, _ = self.process([("p1", event), ("p2", event)])
        kind, body, _ = api.results["p1"]
        self.assertEqual(kind, "response", body)
        parquet = "processed/year=2026/month=11/day=21/hour=09/metris_api-09-30_.parquet"
        self.assertEqual(json.loads(body), {
            "status": "processed", "from": key, "to": parquet, "crawler": "metrics-dev-processed",
            "rows": 2, "bytes": self.s3.head_object(Bucket="meticsxmin-dev", Key=parquet)["ContentLength"]})
        self.assertEqual(self.s3.head_object(Bucket="meticsxmin-dev", Key=parquet)["ContentType"],
                         "application/vnd.apache.parquet")
        path = self.parquet_file(parquet)
        self.assertEqual(duckdb(
            f"SELECT CAST(epoch_ms(\"timestamp\") AS VARCHAR) AS ms, service, CAST(requests AS VARCHAR) AS requests, "
            f"CAST(errors AS VARCHAR) AS errors, latency_ms_p50, latency_ms_p99 FROM read_parquet('{path}')"), [
            {"ms": str(epoch_ms("2026-11-21T09:30:00Z")), "service": "metris_api", "requests": "812",
             "errors": "3", "latency_ms_p50": 41.2, "latency_ms_p99": 150.75},
            {"ms": str(epoch_ms("2026-11-21T09:30:00.123+01:00")), "service": "a, b",
             "requests": "9007199254740993", "errors": "0", "latency_ms_p50": 0.5, "latency_ms_p99": 1000.0}])
        types = {r["name"]: (r["type"], r["converted_type"], r["repetition_type"]) for r in
                 duckdb(f"SELECT * FROM parquet_schema('{path}')") if r["name"] != "schema"}
        self.assertEqual(types["timestamp"], ("INT64", "TIMESTAMP_MILLIS", "REQUIRED"))
        self.assertEqual(types["latency_ms_p99"], ("DOUBLE", None, "REQUIRED"))
        codecs = {r["compression"] for r in duckdb(f"SELECT compression FROM parquet_metadata('{path}')")}
        self.assertEqual(codecs, {"SNAPPY"})
        self.assertGone(key)
        state = self.glue.get_crawler(Name="metrics-dev-processed")["Crawler"]["State"]
        self.assertEqual(state, "RUNNING")
        kind, body, _ = api.results["p2"]  # the same event again
        self.assertEqual((kind, json.loads(body)["status"]), ("response", "already handled"))
        listing = self.s3.list_objects_v2(Bucket="meticsxmin-dev", Prefix="processed/year=2026/month=11/day=21/")
        self.assertEqual(listing["KeyCount"], 1)
        # A second file while the crawler still runs is not an error.
        key2 = key.replace("09-30", "09-31")
        self.s3.put_object(Bucket="meticsxmin-dev", Key=key2, Body=csv)
        api, _ = self.process([("p3", self.object_event(key2))])
        self.assertEqual(api.results["p3"][0], "response", api.results["p3"][1])

    def test_process_writes_every_type_with_every_codec(self):
        """Every column type, nulls in optional columns, lists (empty, null, with items),
        no header line; read back value by value by DuckDB for gzip, none and snappy."""
        columns = [("s", "string", True), ("i", "int32", True), ("l", "int64", False),
                   ("d", "double", True), ("b", "boolean", True), ("day", "date", True),
                   ("ms", "timestamp", True), ("us", "timestamp_us", True), ("tags", "list<string>", True)]
        csv = ("héllo,-2147483648,-9223372036854775808,-1.5,TRUE,0001-01-01,"
               "1970-01-01T00:00:00.001Z,2026-11-21 09:30:00.123456-02:30,a;b;\n"
               "\"\",2147483647,9223372036854775807,,0,2024-02-29,,1970-01-01T00:00:00Z,\"\"\n"
               ",,0,1e-300,,,2026-11-21T09:30:00,,\n").encode()
        expected = [
            {"s": "héllo", "i": -2147483648, "l": "-9223372036854775808", "d": -1.5, "b": True,
             "day": "0001-01-01", "ms": "1", "us": str(epoch_ms("2026-11-21T12:00:00Z") * 1000 + 123456), "tags": ["a", "b", ""]},
            {"s": "", "i": 2147483647, "l": "9223372036854775807", "d": None, "b": False,
             "day": "2024-02-29", "ms": None, "us": "0", "tags": []},
            {"s": None, "i": None, "l": "0", "d": 1e-300, "b": None, "day": None,
             "ms": str(epoch_ms("2026-11-21T09:30:00Z")), "us": None, "tags": None}]
        for n, codec in enumerate(("gzip", "none", "snappy")):
            dataset = make_dataset(columns, codec=codec, header=False, list_separator=";")
            key = f"raw/year=2026/month=11/day=28/hour=0{n}/types"  # no .csv: .parquet is added
            result = self.process_one(key, csv, dataset)
            self.assertEqual((result["to"], result["rows"]), ("processed/" + key[4:] + ".parquet", 3))
            path = self.parquet_file(result["to"])
            rows = duckdb(f"SELECT s, i, CAST(l AS VARCHAR) AS l, d, b, CAST(day AS VARCHAR) AS day, "
                          f"CAST(epoch_ms(ms) AS VARCHAR) AS ms, CAST(epoch_us(us) AS VARCHAR) AS us, tags "
                          f"FROM read_parquet('{path}')")
            self.assertEqual(rows, expected, codec)
            compression = {r["compression"] for r in duckdb(f"SELECT compression FROM parquet_metadata('{path}')")}
            self.assertEqual(compression, {{"gzip": "GZIP", "none": "UNCOMPRESSED", "snappy": "SNAPPY"}[codec]})

    def test_process_format_csv_copies_the_checked_csv_unchanged(self):
        dataset = make_dataset(METRICS_COLUMNS, format="csv")
        key = "raw/year=2026/month=11/day=29/hour=01/m.csv"
        csv = b"timestamp,service,requests,errors,latency_ms_p50,latency_ms_p99\n" \
              b"2026-11-29T01:00:00Z,metris_api,7,0,1.00,2.00\n"
        result = self.process_one(key, csv, dataset)
        self.assertEqual((result["to"], result["rows"], result["bytes"]), ("processed/" + key[4:], 1, len(csv)))
        moved = self.s3.get_object(Bucket="meticsxmin-dev", Key="processed/" + key[4:])
        self.assertEqual(moved["Body"].read(), csv)
        self.assertGone(key)
        # checked like Parquet's values: a bad one is quarantined, and not copied
        key = "raw/year=2026/month=11/day=29/hour=02/m.csv"
        result = self.process_one(key, csv.replace(b",7,", b",7.5,"), dataset, status="quarantined")
        self.assertEqual((result["line"], result["column"]), (2, "requests"))
        self.assertNothingProcessedUnder("year=2026/month=11/day=29/hour=02/")

    def quarantined(self, key, csv, dataset=None):
        """process on csv put at key: it must be quarantined whole, the raw object gone and
        nothing under processed/; returns the result and the quarantine metadata."""
        result = self.process_one(key, csv, dataset, status="quarantined")
        self.assertEqual(result["to"], "quarantine/" + key[4:])
        copy = self.s3.get_object(Bucket="meticsxmin-dev", Key="quarantine/" + key[4:])
        self.assertEqual(copy["Body"].read(), csv)
        self.assertGone(key)
        self.assertNothingProcessedUnder(key[4:key.rindex("/") + 1])
        return result, copy["Metadata"]

    def test_process_quarantines_what_it_cannot_parse(self):
        header = b"timestamp,service,requests,errors,latency_ms_p50,latency_ms_p99"
        good = b"2026-11-21T10:00:00Z,metris_api,812,3,41.2,150.7\n"
        for hour, csv, line, column, needle in (
                ("10", header + b"\n" + good + b"\n\n2026-11-21T10:00:00Z,metris_api,lots,3,41.2,150.7\n",
                 "5", "requests", "not a whole number"),  # the physical line: empty lines count
                # found by fuzz_handler_process: "<header>\\r<junk>\\n" once passed as the header
                # line; a lone CR ends a record, so the junk is a record of its own
                ("11", header + b"\r\xfb\n" + good, "2", None, "1 fields where the data set has 6 columns"),
                ("12", header + b"\n" + good + b"2026-11-21T10:00:00Z,metris_api,1,2\n", "3", None,
                 "4 fields where the data set has 6 columns"),
                ("13", header + b"\n2026-13-21T10:00:00Z,metris_api,1,2,3,4\n", "2", "timestamp",
                 "not a day of the calendar"),
                ("14", header + b"\n" + good + b"2026-11-21T10:00:00Z,metris\"api,1,2,3,4\n", "3", None,
                 "a quote inside an unquoted field"),
                ("15", header + b"\n" + good + b"2026-11-21T10:00:00Z,\"metris_api,1,2,3,4\n", "4", None,
                 "a quote left open at the end of the input"),
                ("16", header + b"\n", None, None, "there is no data row"),
                ("17", good, "1", None, "the first line is not the header"),
                ("18", header + b"\n2026-11-21T10:00:00Z,\xff\xfe,1,2,3,4\n", "2", "service", "not UTF-8 text"),
                ("19", header + b"\n2026-11-21T10:00:00Z,metris_api,,2,3,4\n", "2", "requests",
                 "empty, and the column is required")):
            key = f"raw/year=2026/month=11/day=21/hour={hour}/metris_api-{hour}-00_.csv"
            result, meta = self.quarantined(key, csv)
            self.assertIn(needle, meta["lakec-quarantine-reason"], hour)
            self.assertEqual(meta.get("lakec-quarantine-line"), line, hour)
            self.assertEqual(meta.get("lakec-quarantine-column"), column, hour)
            self.assertEqual((result["line"], result["column"]), (line and int(line), column), hour)
            self.assertIn(needle, result["reason"], hour)
            self.assertTrue(all(0x20 <= ord(c) <= 0x7e for c in meta["lakec-quarantine-reason"]))

    def test_process_aborts_the_multipart_upload_of_a_csv_refused_late(self):
        """A bad record after 20 MB of good ones: parts of the Parquet object were already
        uploaded; the upload is aborted, nothing stays under processed/, the CSV goes to
        quarantine with the record's line."""
        csv, rows = metrics_csv(150_000)
        csv += b"2026-11-21T10:00:00Z,metris_api,1,2,3,not-a-number\n"
        self.assertGreater(len(csv), 20 << 20)
        key = "raw/year=2026/month=11/day=30/hour=01/late.csv"
        result, meta = self.quarantined(key, csv)
        self.assertEqual(meta["lakec-quarantine-line"], str(rows + 2))
        self.assertEqual(meta["lakec-quarantine-column"], "latency_ms_p99")
        self.assertEqual(meta["lakec-quarantine-reason"], "not a number")

    def test_process_streams_a_large_csv_into_a_multipart_parquet(self):
        """40 MB of poorly compressible CSV: read in 8 MiB ranges, written in 8 MiB parts
        (several), read back whole by DuckDB; the handler's peak memory is bounded by a
        range, a part and a row group, not by the object."""
        csv, rows = metrics_csv(300_000)
        self.assertGreater(len(csv), 40 << 20)
        key = "raw/year=2026/month=11/day=30/hour=02/large.csv"
        self.s3.put_object(Bucket="meticsxmin-dev", Key=key, Body=csv)
        api = FakeRuntimeApi([("big", self.object_event(key))])
        try:  # runstat forks from a small process: the peak memory is the handler's own
            r = subprocess.run([RUNSTAT, "--any-status", "1", PROCESS], env=base_env(
                AWS_LAMBDA_RUNTIME_API=api.address, AWS_ENDPOINT_URL=self.moto_url,
                LAKEC_CRAWLER_PROCESSED="metrics-dev-processed", LAKEC_DATASET_METRICS=METRICS_DATASET),
                capture_output=True, text=True, timeout=300)
        finally:
            api.stop()
        wall_ms, _, peak_kib = r.stdout.split()[:3]
        kind, body, _ = api.results["big"]
        self.assertEqual(kind, "response", body)
        result = json.loads(body)
        self.assertEqual((result["status"], result["rows"]), ("processed", rows))
        head = self.s3.head_object(Bucket="meticsxmin-dev", Key=result["to"], PartNumber=1)
        self.assertGreater(head["PartsCount"], 1)
        self.assertEqual(head["ContentLength"], 8 << 20)  # a whole part
        path = self.parquet_file(result["to"])
        self.assertEqual(os.path.getsize(path), result["bytes"])
        self.assertEqual(duckdb(f"SELECT CAST(count(*) AS VARCHAR) AS n, CAST(sum(errors) AS VARCHAR) AS e, "
                                f"CAST(count(DISTINCT service) AS VARCHAR) AS s FROM read_parquet('{path}')"),
                         [{"n": str(rows), "e": str(rows * (rows - 1) // 2), "s": str(rows)}])
        self.assertGone(key)
        self.assertEqual(self.s3.list_multipart_uploads(Bucket="meticsxmin-dev").get("Uploads", []), [])
        print(f"\nprocess: {len(csv) / 1e6:.1f} MB of CSV, {rows} rows -> {result['bytes'] / 1e6:.1f} MB "
              f"of Parquet in {head['PartsCount']} parts: {float(wall_ms) / 1000:.2f} s, "
              f"peak RSS {int(peak_kib) / 1024:.1f} MiB", file=sys.stderr)
        # a range (8 MiB) + a part (8 MiB) + the row group (32 MiB) + the program;
        # AddressSanitizer's shadow memory and quarantine make a sanitized
        # handler's figure meaningless (the normal build's run checks it)
        if not os.environ.get("LAKEC_TEST_SANITIZED"):
            self.assertLess(int(peak_kib), 80 << 10)

    def test_process_moves_a_long_utf8_key_whole(self):
        """A 780-byte UTF-8 key: its copy-source header once was cut at 2 KiB, which copied
        another object and then deleted this one."""
        key = "raw/year=2026/month=11/day=22/hour=08/" + "é" * 369 + ".csv"
        self.assertEqual(len(key.encode()), 780)
        csv = b"timestamp,service,requests,errors,latency_ms_p50,latency_ms_p99\n" \
              b"2026-11-22T08:00:00Z,metris_api,7,0,1.00,2.00\n"
        result = self.process_one(key, csv)
        self.assertEqual(result["to"], "processed/" + key[4:-4] + ".parquet")
        path = self.parquet_file(result["to"])
        self.assertEqual(duckdb(f"SELECT CAST(requests AS VARCHAR) AS r FROM read_parquet('{path}')"), [{"r": "7"}])
        self.assertGone(key)
        # and quarantined whole
        key = key.replace("hour=08", "hour=09")
        self.quarantined(key, csv.replace(b",7,", b",x,"))

    def test_process_never_follows_dots_out_of_raw(self):
        """raw/../processed/... once made curl resolve the dots: process read, overwrote and
        deleted an object outside raw/. Such keys are refused and left where they are.
        The last key's message, cut at 200 bytes inside an 'é', once made an error document
        that was not JSON, and the runtime crashed posting it (found by fuzz_handler_process)."""
        victim = "processed/year=2026/month=11/day=25/hour=01/victim.csv"
        csv = b"timestamp,service,requests,errors,latency_ms_p50,latency_ms_p99\n" \
              b"2026-11-25T01:00:00Z,victim,1,0,1.00,2.00\n"
        self.s3.put_object(Bucket="meticsxmin-dev", Key=victim, Body=csv)
        for i, key in enumerate(("raw/../" + victim, "raw/./x.csv", "raw//x.csv", "raw/a\x01.csv",
                                 "raw/year=2026/..", "raw/x" + "é" * 120 + "//x.csv")):
            api, _ = self.process([(f"d{i}", self.object_event(key))])
            kind, body, _ = api.results[f"d{i}"]
            self.assertEqual((kind, json.loads(body)["errorType"]), ("error", "UnsafeKey"), key)
        self.assertEqual(self.s3.get_object(Bucket="meticsxmin-dev", Key=victim)["Body"].read(), csv)
        listing = self.s3.list_objects_v2(Bucket="meticsxmin-dev", Prefix="processed/year=2026/month=11/day=25/")
        self.assertEqual(listing["KeyCount"], 1)  # nothing written beside it

    def test_process_reads_only_the_version_it_saw(self):
        """Every range is pinned to the HEAD's ETag (If-Match), and so are the copies (moto
        ignores the conditions, so a recording S3 stands in): an object replaced meanwhile
        is neither read in pieces of two versions nor copied. A 412 is an error, and
        nothing is deleted."""
        csv = b"timestamp,service,requests,errors,latency_ms_p50,latency_ms_p99\n" \
              b"2026-11-25T02:00:00Z,metris_api,1,0,1.00,2.00\n"
        etag = '"3858f62230ac3c915f300c664312c63f"'
        path = lambda k: "/meticsxmin-dev/" + urllib.parse.quote(k, safe="/-_.~")
        key = "raw/year=2026/month=11/day=25/hour=02/x.csv"
        for dataset, dest, method in ((make_dataset(METRICS_COLUMNS, format="csv"), key[4:], "copy"),
                                      (METRICS_DATASET, key[4:-4] + ".parquet", "put")):
            s3 = RequestRecorder(body=csv, headers={"ETag": etag})
            kind, body, _ = self.process_against(s3, key, dataset)
            self.assertEqual(kind, "response", body)
            methods = [(m, p) for m, p, _, _ in s3.requests]
            self.assertEqual(methods, [("HEAD", path(key)), ("GET", path(key)),
                                       ("PUT", path("processed/" + dest)), ("DELETE", path(key))])
            get = {k.lower(): v for k, v in s3.requests[1][2].items()}
            self.assertEqual((get["range"], get["if-match"]), (f"bytes=0-{len(csv) - 1}", etag))
            put = {k.lower(): v for k, v in s3.requests[2][2].items()}
            if method == "copy":
                self.assertEqual(put["x-amz-copy-source"], path(key))
                self.assertEqual(put["x-amz-copy-source-if-match"], etag)
            else:
                self.assertEqual(put["content-type"], "application/vnd.apache.parquet")
                self.assertEqual(s3.requests[2][3][:4], b"PAR1")
        s3 = RequestRecorder([200, 412], body=csv, headers={"ETag": etag})
        kind, body, _ = self.process_against(s3, key)
        self.assertEqual((kind, json.loads(body)["errorType"]), ("error", "ObjectChanged"), body)
        self.assertEqual([m for m, _, _, _ in s3.requests], ["HEAD", "GET"])

    def test_process_knows_a_redelivered_event_when_s3_says_403(self):
        """With ListBucket limited to prefixes, S3 answers 403, not 404, for a missing key:
        the work already done must still be recognised."""
        key = "raw/year=2026/month=11/day=27/hour=01/gone.csv"
        for statuses, answer in (([403, 200], ("response", "already handled")),
                                 ([404, 404, 200], ("response", "already handled")),
                                 ([403, 403, 403], ("error", "NotFound"))):
            s3 = RequestRecorder(statuses)
            kind, body, _ = self.process_against(s3, key)
            got = json.loads(body)
            self.assertEqual((kind, got.get("status") or got.get("errorType")), answer, statuses)
            self.assertEqual([m for m, _, _, _ in s3.requests], ["HEAD"] * len(statuses))
            self.assertTrue(s3.requests[1][1].endswith("/gone.parquet"))  # the Parquet object's key

    def test_process_leaves_a_key_too_long_to_move(self):
        for key in ("raw/" + "k" * 1016,  # 1020 bytes: quarantine/... would pass S3's 1024
                    "raw/" + "k" * 1007 + ".csv"):  # 1015: processed/....parquet would (1025)
            self.s3.put_object(Bucket="meticsxmin-dev", Key=key, Body=b"x")
            api, _ = self.process([("l1", self.object_event(key))])
            kind, body, _ = api.results["l1"]
            self.assertEqual((kind, json.loads(body)["errorType"]), ("error", "KeyTooLong"), body)
            self.s3.head_object(Bucket="meticsxmin-dev", Key=key)  # still there

    def test_process_refuses_bad_events(self):
        api, _ = self.process([
            ("b1", b"{}"),
            ("b2", b'{"detail": {"bucket": {"name": 7}, "object": {"key": "raw/x.csv"}}}'),
            ("b3", self.object_event("elsewhere/x.csv")),
            ("b4", self.object_event("raw/never-written.csv")),
        ])
        for request_id, error_type in (("b1", "InvalidEvent"), ("b2", "InvalidEvent"),
                                       ("b3", "InvalidEvent"), ("b4", "NotFound")):
            kind, body, _ = api.results[request_id]
            self.assertEqual(kind, "error", request_id)
            self.assertEqual(json.loads(body)["errorType"], error_type, request_id)

    def test_process_refuses_a_bad_data_set_configuration(self):
        """The data set's JSON is read strictly; none or two LAKEC_DATASET_* is an error too.
        The raw object stays where it is."""
        key = "raw/year=2026/month=12/day=01/hour=01/c.csv"
        self.s3.put_object(Bucket="meticsxmin-dev", Key=key, Body=b"x")
        good = json.loads(METRICS_DATASET)
        column = good["columns"][0]
        cases = [("not json", "not JSON"), ("[]", "not a JSON object"),
                 (dict(good, extra=1), "unknown field 'extra'"),
                 ({k: v for k, v in good.items() if k != "codec"}, "no field 'codec'"),
                 (dict(good, codec="lz4"), "codec must be"), (dict(good, format="orc"), "format must be"),
                 (dict(good, columns=[]), "columns must be"),
                 (dict(good, columns=[dict(column, type="timestamp_ns")]), "unknown type"),
                 (dict(good, columns=[{"name": "a", "type": "string"}]), "no field 'optional'"),
                 (dict(good, columns=[column, column]), "used twice"),
                 (dict(good, list_separator="||"), "list_separator"), (dict(good, row_group_mb=0), "row_group_mb"),
                 (dict(good, header="yes"), "header must be")]
        for i, (value, needle) in enumerate(cases):
            text = value if isinstance(value, str) else json.dumps(value)
            api, _ = self.process([(f"c{i}", self.object_event(key))], text)
            kind, body, _ = api.results[f"c{i}"]
            error = json.loads(body)
            self.assertEqual((kind, error["errorType"]), ("error", "Configuration"), text)
            self.assertIn(needle, error["errorMessage"], text)
            self.assertIn("LAKEC_DATASET_METRICS", error["errorMessage"])
        for env, needle in ((dict(LAKEC_DATASET_OTHER=METRICS_DATASET), "found 2"),
                            (dict(LAKEC_DATASET_METRICS=""), "not JSON")):
            api, _ = self.process([("two", self.object_event(key))], **env)
            kind, body, _ = api.results["two"]
            self.assertEqual((kind, json.loads(body)["errorType"]), ("error", "Configuration"), env)
            self.assertIn(needle, json.loads(body)["errorMessage"])
        api, _ = self.serve([("none", self.object_event(key))], program=PROCESS)
        kind, body, _ = api.results["none"]
        self.assertEqual((kind, json.loads(body)["errorType"]), ("error", "Configuration"))
        self.assertIn("found 0", json.loads(body)["errorMessage"])
        self.s3.head_object(Bucket="meticsxmin-dev", Key=key)  # still there

    # ---- query ----

    def api_event(self, **params):
        with open(os.path.join(EVENTS, "get-metrics.json")) as f:
            event = json.load(f)
        event["queryStringParameters"] = params or None
        return json.dumps(event).encode()

    def query(self, events, **env):
        defaults = dict(LAKEC_DATABASE="metrics_dev", LAKEC_WORKGROUP="metrics-dev",
                        LAKEC_CORS_ORIGINS="*")
        defaults.update(env)
        return self.serve(events, program=QUERY, **defaults)

    def answer(self, api, request_id):
        kind, body, _ = api.results[request_id]
        self.assertEqual(kind, "response", body)
        response = json.loads(body)
        return response["statusCode"], json.loads(response["body"]), response["headers"]

    def test_query_runs_athena_with_parameters(self):
        rows = [{"Data": [{"VarCharValue": c} for c in
                          ("timestamp", "service", "requests", "errors", "latency_ms_p50", "latency_ms_p99")]},
                {"Data": [{"VarCharValue": v} for v in
                          ("2026-11-21T09:31:00Z", "metris_api", "900", "1", "40.00", "120.00")]},
                {"Data": [{"VarCharValue": v} for v in
                          ("2026-11-21T09:30:00Z", "metris_api", "812", "3", "41.20", "150.75")]}]
        request = urllib.request.Request(self.moto_url + "/moto-api/static/athena/query-results",
                                         data=json.dumps({"results": [{"rows": rows}]}).encode(),
                                         headers={"Content-Type": "application/json"}, method="POST")
        urllib.request.urlopen(request)
        api, _ = self.query([("g1", self.api_event(service="metris_api", **{"from": "2026-11-21"}, limit="1"))])
        status, body, headers = self.answer(api, "g1")
        self.assertEqual(status, 200, body)
        self.assertEqual(body["rows"], [{"timestamp": "2026-11-21T09:31:00Z", "service": "metris_api",
                                         "requests": "900", "errors": "1", "latency_ms_p50": "40.00",
                                         "latency_ms_p99": "120.00"}])
        self.assertEqual(headers["Access-Control-Allow-Origin"], "*")
        execution = self.athena.get_query_execution(QueryExecutionId=body["query_execution_id"])["QueryExecution"]
        self.assertNotIn("metris_api", execution["Query"])  # values never spliced into SQL
        self.assertIn("service = ?", execution["Query"])
        self.assertTrue(execution["Query"].endswith('ORDER BY m."timestamp" DESC LIMIT 1'), execution["Query"])
        self.assertIn('SELECT format_datetime(m."timestamp", \'yyyy-MM-dd\'\'T\'\'HH:mm:ss\'\'Z\'\'\') AS "timestamp", '
                      'service,', execution["Query"])
        self.assertIn('AND m."timestamp" >= from_iso8601_timestamp(?) AND', execution["Query"])
        self.assertEqual(execution["ExecutionParameters"],
                         ["'metris_api'", "'2026-11-21T00:00:00Z'", "'2026112100'"])
        self.assertEqual(execution["WorkGroup"], "metrics-dev")

    def started_queries(self, cases):
        """The StartQueryExecution bodies query sends for each case's parameters."""
        stub = AthenaStub("SUCCEEDED")
        try:
            api, _ = self.query([(f"s{i}", self.api_event(**c)) for i, c in enumerate(cases)],
                                AWS_ENDPOINT_URL_ATHENA=f"http://127.0.0.1:{stub.port}")
        finally:
            stub.stop()
        for i in range(len(cases)):
            self.assertEqual(self.answer(api, f"s{i}")[0], 200, cases[i])
        return [b for a, b in stub.bodies if a == "StartQueryExecution"]

    def test_query_bounds_the_partitions_with_from_and_to(self):
        """from and to also bound the hour partitions (year || month || day || hour, strings
        as the crawler types them), so Athena reads only those hours' objects; the values
        are parameters like the others."""
        hour = "(year || month || day || hour)"
        starts = self.started_queries([
            {"from": "2026-11-21T09:30:00Z", "to": "2026-11-21T11:00:00Z"},
            {"to": "2026-12-31T23:59:59Z"}, {"service": "metris_api"}])
        ts = 'm."timestamp"'
        self.assertIn(f"WHERE 1 = 1 AND {ts} >= from_iso8601_timestamp(?) AND {hour} >= ? "
                      f"AND {ts} < from_iso8601_timestamp(?) AND {hour} < ? ORDER BY", starts[0]["QueryString"])
        self.assertEqual(starts[0]["ExecutionParameters"], [
            "'2026-11-21T09:30:00Z'", "'2026112109'", "'2026-11-21T11:00:00Z'", "'2026112111'"])
        self.assertIn(f"AND {ts} < from_iso8601_timestamp(?) AND {hour} <= ? ORDER BY", starts[1]["QueryString"])
        self.assertEqual(starts[1]["ExecutionParameters"], ["'2026-12-31T23:59:59Z'", "'2026123123'"])
        self.assertNotIn("year", starts[2]["QueryString"])  # no time bound, no partition bound

    def test_query_partition_bounds_are_exact_in_sqlite(self):
        """The SQL query sends, run in SQLite over rows ingest would write around hour, day,
        month and year boundaries: it answers exactly the rows of the timestamp bounds, and
        its partition bounds alone select exactly the hours that hold them.

        The timestamp column is stored as process writes it (milliseconds since the epoch,
        UTC), and SQLite is given the two Trino functions the SQL uses, for exactly the
        forms it uses them in: from_iso8601_timestamp of a YYYY-MM-DDTHH:MM:SSZ parameter
        (what query_parse_params normalizes every bound to), and format_datetime with the
        pattern yyyy-MM-dd'T'HH:mm:ss'Z' (anything else fails the test). Comparing
        milliseconds is what comparing Athena's timestamps does."""
        def from_iso8601_timestamp(text):
            self.assertRegex(text, r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
            return epoch_ms(text)

        def format_datetime(ms, pattern):
            self.assertEqual(pattern, "yyyy-MM-dd'T'HH:mm:ss'Z'")
            return datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

        db = sqlite3.connect(":memory:")
        db.create_function("from_iso8601_timestamp", 1, from_iso8601_timestamp, deterministic=True)
        db.create_function("format_datetime", 2, format_datetime, deterministic=True)
        db.execute("CREATE TABLE processed (timestamp, service, requests, errors, latency_ms_p50,"
                   " latency_ms_p99, year, month, day, hour)")
        rows = []
        for start in ("2026-02-28T21", "2026-11-30T21", "2026-12-31T21"):
            first = datetime.datetime.strptime(start, "%Y-%m-%dT%H")
            for h in range(6):
                for minute in (0, 30, 59):
                    t = first + datetime.timedelta(hours=h, minutes=minute)
                    rows.append((t.strftime("%Y-%m-%dT%H:%M:00Z"), "metris_api", 1, 0, 1.0, 2.0,
                                 t.strftime("%Y"), t.strftime("%m"), t.strftime("%d"), t.strftime("%H")))
        db.executemany("INSERT INTO processed VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       [(epoch_ms(r[0]),) + r[1:] for r in rows])
        cases = [{"from": "2026-11-30T23:30:00Z", "to": "2026-12-01T01:00:00Z"},
                 {"from": "2026-02-28T23:00:00Z", "to": "2026-03-01T00:30:00Z"},
                 {"from": "2026-12-31T22:59:00Z", "to": "2027-01-01T00:00:00Z"},
                 {"from": "2027-01-01"}, {"to": "2026-03-01"}, {"from": "2026-12-01T02:00:00Z"},
                 {"to": "2026-11-30T22:59:00Z"}, {"from": "2026-03-01T00:59:00Z", "to": "2026-03-01T01:00:00Z"}]
        ts = 'm."timestamp"'
        for case, start in zip(cases, self.started_queries([dict(c, limit="1000") for c in cases])):
            sql, params = start["QueryString"], [v.strip("'") for v in start.get("ExecutionParameters", [])]
            low, high = case.get("from", "0000"), case.get("to", "9999")
            low = low if "T" in low else low + "T00:00:00Z"
            high = high if "T" in high else high + "T00:00:00Z"
            expected = sorted((r for r in rows if low <= r[0] < high), reverse=True)
            self.assertEqual(db.execute(sql, params).fetchall(), [r[:6] for r in expected], case)
            # the partition bounds alone: the timestamp bounds made always true
            partitions_only = (sql.replace(f"{ts} >= from_iso8601_timestamp(?)", f"(1 = 1 OR {ts} >= from_iso8601_timestamp(?))")
                               .replace(f"{ts} < from_iso8601_timestamp(?)", f"(1 = 1 OR {ts} < from_iso8601_timestamp(?))")
                               .replace("SELECT format_datetime(", "SELECT DISTINCT year, month, day, hour, format_datetime("))
            self.assertNotEqual(partitions_only, sql)
            hours = {r[:4] for r in db.execute(partitions_only, params).fetchall()}
            self.assertEqual(hours, {r[6:] for r in expected}, case)

    def test_query_refuses_bad_parameters(self):
        cases = [dict(limit="0"), dict(limit="ten"), dict(service="x' OR '1'='1"),
                 dict(**{"from": "yesterday"}), dict(color="red"),
                 dict(**{"from": "2026-11-22", "to": "2026-11-01"}),
                 # found by fuzz_handler_query: strptime took " 226-11-01" and "226-11-01",
                 # normalized to "226-...", which sorts after "2026-..." (from <= to held)
                 dict(**{"from": "2026-11-22", "to": " 226-11-01"}),
                 dict(**{"from": "2026-11-22", "to": "226-11-01"}),
                 dict(**{"from": "2026-11-22", "to": "0226-11-01"}),
                 dict(**{"to": "2026-1-1"}),
                 # its message, cut inside an 'é', once was no JSON: a Lambda error, not a 400
                 {"a" + "é" * 40: "1"}]
        api, _ = self.query([(f"bad{i}", self.api_event(**c)) for i, c in enumerate(cases)])
        for i in range(len(cases)):
            status, body, headers = self.answer(api, f"bad{i}")
            self.assertEqual(status, 400, cases[i])
            self.assertIn("error", body)
            self.assertEqual(headers["Access-Control-Allow-Origin"], "*")

    def test_query_echoes_only_allowed_origins(self):
        event = self.api_event()
        api, _ = self.query([("o1", event)], LAKEC_CORS_ORIGINS="https://a.example,https://dashboard.example.com")
        self.assertEqual(self.answer(api, "o1")[2]["Access-Control-Allow-Origin"], "https://dashboard.example.com")
        api, _ = self.query([("o2", event)], LAKEC_CORS_ORIGINS="https://a.example")
        self.assertNotIn("Access-Control-Allow-Origin", self.answer(api, "o2")[2])

    def test_query_gives_502_when_athena_fails_and_504_when_time_runs_out(self):
        for state, deadline_in, code in (("FAILED", 60000, 502), ("RUNNING", 2500, 504)):
            stub = AthenaStub(state)
            try:
                api, proc = self.query([("t", self.api_event(), int(time.time() * 1000) + deadline_in)],
                                       AWS_ENDPOINT_URL_ATHENA=f"http://127.0.0.1:{stub.port}")
            finally:
                stub.stop()
            status, body, _ = self.answer(api, "t")
            self.assertEqual(status, code, body)
            if state == "RUNNING":
                self.assertEqual(stub.actions[-1], "StopQueryExecution")
            else:  # Athena's reason names tables and columns: logged, never answered
                self.assertNotIn("reason", body)
                self.assertNotIn("stubbed", json.dumps(body))
                self.assertIn(b"SYNTAX_ERROR: stubbed", proc.stderr)

    def test_query_pages_up_to_a_thousand_rows_with_one_start(self):
        """limit=1000 once asked Athena for 1001 rows (it allows 1000): always a 502."""
        stub = AthenaStub("SUCCEEDED", rows=1500)
        try:
            api, _ = self.query([("k", self.api_event(limit="1000"))],
                                AWS_ENDPOINT_URL_ATHENA=f"http://127.0.0.1:{stub.port}")
        finally:
            stub.stop()
        status, body, _ = self.answer(api, "k")
        self.assertEqual(status, 200, body)
        self.assertEqual(len(body["rows"]), 1000)
        self.assertEqual(body["rows"][0], {"timestamp": "2026-11-21T09:00:00Z", "requests": "0"})
        self.assertEqual(body["rows"][-1]["requests"], "999")
        pages = [b for a, b in stub.bodies if a == "GetQueryResults"]
        self.assertEqual([p["MaxResults"] for p in pages], [1000, 1])  # the names row, then one more
        start = [b for a, b in stub.bodies if a == "StartQueryExecution"]
        self.assertEqual(len(start), 1)
        self.assertTrue(start[0]["QueryString"].endswith("LIMIT 1000"))
        token = start[0]["ClientRequestToken"]  # a retried start would not run it twice
        self.assertTrue(32 <= len(token) <= 128 and "k" in token, token)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
