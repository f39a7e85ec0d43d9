#!/usr/bin/env python3
"""Cold start and peak memory of the handlers: lakec's C programs beside the
same jobs written in Python with boto3 (bench/python/handler.py).

Each run starts a fresh process, as Lambda does for a cold start, with one
event waiting in a fake Runtime API (tests/handlers/fakes.py) and moto behind
the AWS endpoints. Cold start is the time from the fork (taken by
bench/runstat, the same launcher for both) to the moment the fake API
receives the first response: process start, runtime start-up, the handler's
AWS calls against moto, and the response post. Init is the part before the
runtime asks for its first event: loading the program and its libraries and
setting up the client, with no AWS call in it. Peak RSS is the process's own
(wait4), not the launcher's. The AWS calls are the same for both, so the
difference is the runtime and the client library.

usage: bench/handlers.py [BUILD_DIR] [RUNS]     (defaults: build, 20; RUNS=1 is a quick check)
"""
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "handlers"))
from fakes import FakeRuntimeApi, MotoServer  # noqa: E402

import boto3  # noqa: E402

BUILD = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build"))
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 20
RUNSTAT = os.path.join(BUILD, "bench", "runstat")
EVENTS = os.path.join(ROOT, "src", "handlers", "events")
BUCKET, REGION = "meticsxmin-dev", "us-east-1"
# The data set process curates, as the compiler describes it (LAKEC_DATASET_<KEY>).
METRICS_DATASET = json.dumps({
    "format": "parquet", "codec": "snappy", "header": True, "list_separator": "|", "row_group_mb": 32,
    "columns": [{"name": n, "type": t, "optional": False} for n, t in (
        ("timestamp", "timestamp"), ("service", "string"), ("requests", "int64"), ("errors", "int64"),
        ("latency_ms_p50", "double"), ("latency_ms_p99", "double"))]}, separators=(",", ":"))
RAW_KEY = "raw/year=2026/month=11/day=22/hour=05/metris_api-05-17_.csv"
CSV = (b"timestamp,service,requests,errors,latency_ms_p50,latency_ms_p99\n"
       b"2026-11-22T05:17:00Z,metris_api,812,3,41.20,150.75\n")


def event(name, **change):
    with open(os.path.join(EVENTS, name)) as f:
        e = json.load(f)
    e.update(change)
    return json.dumps(e).encode()


class Bench:
    def __init__(self):
        self.moto = MotoServer()
        self.endpoint = self.moto.endpoint
        try:
            self.populate()
        except BaseException:
            self.moto.stop()  # not left running when the set-up fails
            raise

    def populate(self):
        """The bucket, crawler and workgroup the handlers use."""
        kw = dict(endpoint_url=self.endpoint, region_name=REGION, aws_access_key_id="testing",
                  aws_secret_access_key="testing")
        self.s3 = boto3.client("s3", **kw)
        self.s3.create_bucket(Bucket=BUCKET)
        glue = boto3.client("glue", **kw)
        glue.create_database(DatabaseInput={"Name": "metrics_dev"})
        glue.create_crawler(Name="metrics-dev-processed", Role="arn:aws:iam::123456789012:role/c",
                            DatabaseName="metrics_dev",
                            Targets={"S3Targets": [{"Path": f"s3://{BUCKET}/processed/"}]})
        boto3.client("athena", **kw).create_work_group(
            Name="metrics-dev",
            Configuration={"ResultConfiguration": {"OutputLocation": f"s3://{BUCKET}/athena-results/"}})

    def stop(self):
        self.moto.stop()

    def env(self, api):
        env = {"PATH": "/usr/bin:/bin", "AWS_LAMBDA_RUNTIME_API": api.address,
               "AWS_ENDPOINT_URL": self.endpoint, "AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION,
               "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
               "SERVICE_NAME": "metris_api", "LAKEC_BUCKET_DATA": BUCKET,
               "LAKEC_CRAWLER_PROCESSED": "metrics-dev-processed", "LAKEC_DATABASE": "metrics_dev",
               "LAKEC_WORKGROUP": "metrics-dev", "LAKEC_CORS_ORIGINS": "*",
               "LAKEC_DATASET_METRICS": METRICS_DATASET}
        return env

    def prepare(self, job):
        """What one run of job needs in moto, and its event."""
        if job == "ingest":
            return event("scheduled.json")
        if job == "process":
            self.s3.put_object(Bucket=BUCKET, Key=RAW_KEY, Body=CSV)
            return event("object-created.json")
        rows = [{"Data": [{"VarCharValue": c} for c in CSV.decode().split("\n")[i].split(",")]}
                for i in (0, 1)]
        urllib.request.urlopen(urllib.request.Request(
            self.endpoint + "/moto-api/static/athena/query-results",
            data=json.dumps({"results": [{"rows": rows}]}).encode(),
            headers={"Content-Type": "application/json"}, method="POST"))
        e = json.loads(event("get-metrics.json"))
        e["queryStringParameters"] = {"service": "metris_api", "from": "2026-11-22"}
        return json.dumps(e).encode()

    def run_once(self, job, command):
        body = self.prepare(job)
        api = FakeRuntimeApi([("r1", body, int((time.time() + 30) * 1000))])
        try:
            out = subprocess.run([RUNSTAT, "--any-status", "1"] + command, env=self.env(api),
                                 capture_output=True, text=True, timeout=60)
        finally:
            api.stop()
        if "r1" not in api.results or api.results["r1"][0] != "response":
            raise RuntimeError(f"{job}: {command[0]} did not answer: {api.results} {out.stderr}")
        _, _, rss, started = out.stdout.split()
        forked = float(started) / 1000
        return (api.first_next - forked) * 1000, (api.times["r1"] - forked) * 1000, int(rss)

    def measure(self, job, command):
        self.run_once(job, command)  # warm the page cache and moto, not the process
        inits, starts, rss = [], [], []
        for _ in range(RUNS):
            init, first, kib = self.run_once(job, command)
            inits.append(init)
            starts.append(first)
            rss.append(kib)
        starts.sort()
        p95 = starts[min(len(starts) - 1, int(len(starts) * 0.95))]
        return statistics.median(inits), statistics.median(starts), p95, max(rss)


def main():
    if not os.access(RUNSTAT, os.X_OK):
        sys.exit(f"build first: cmake --build {BUILD}")
    bench = Bench()
    try:
        print(f"handler cold start (fork to first response, moto behind), {RUNS} runs each")
        print(f"{'handler':<22}{'init ms':>9}{'first response ms':>19}{'p95 ms':>9}{'peak RSS KiB':>14}")
        print(f"{'':<22}{'(median)':>9}{'(median)':>19}")
        for job in ("ingest", "process", "query"):
            c = [os.path.join(BUILD, "handlers", job, "bootstrap")]
            py = [sys.executable, os.path.join(ROOT, "bench", "python", "handler.py"), job]
            for label, command in ((f"{job} (C)", c), (f"{job} (Python+boto3)", py)):
                init, first, p95, rss = bench.measure(job, command)
                print(f"{label:<22}{init:>9.2f}{first:>19.2f}{p95:>9.2f}{rss:>14}", flush=True)
    finally:
        bench.stop()


if __name__ == "__main__":
    main()
