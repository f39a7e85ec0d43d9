#!/usr/bin/env python3
"""The dev stage end to end: lakec builds it with the real handler zips, the
zips go to an assets bucket in moto, the template is deployed as a stack
(its code keys left at the defaults lakec wrote), and then the chain runs:
ingest writes a CSV under raw/, process converts it to Parquet under
processed/ (read back here by DuckDB, an independent reader) and starts the
crawler, query answers GET /metrics through Athena.

Each handler runs as Lambda would run it: the zip unpacked into a directory of
its own, `bootstrap` started with the deployed function's environment (read
back from moto's Lambda, which resolved the template's references), nothing
else from the build tree, and its events served by the fake Runtime API.
moto's stacks do not create Glue and Athena resources, so the test creates
the database, crawler and workgroup with the names the template gives them;
moto's Athena returns the rows the test queues, which are the raw CSV's.

usage: handlers_e2e.py LAKEC PROJECT_ROOT HANDLERS_DIR
"""
import base64
import csv
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request
import zipfile

import boto3

LAKEC, ROOT, HANDLERS = (os.path.abspath(a) for a in sys.argv[1:4])
del sys.argv[1:4]
sys.path.insert(0, os.path.join(ROOT, "tests", "handlers"))
from fakes import FakeRuntimeApi, MotoServer  # noqa: E402

REGION, KEY, SECRET = "us-east-1", "testing", "testing"
PARQUET_TESTS = os.path.join(ROOT, "tests", "parquet")


def duckdb_read(path):
    """What DuckDB reads from a Parquet file (tests/parquet/dump.mjs); the
    pinned @duckdb/node-api is installed as tests/parquet/run.sh does."""
    if not os.path.isdir(os.path.join(PARQUET_TESTS, "node_modules", "@duckdb", "node-api")):
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                       cwd=PARQUET_TESTS, check=True)
    out = subprocess.run(["node", os.path.join(PARQUET_TESTS, "dump.mjs"), path],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)
EVENTS = os.path.join(ROOT, "src", "handlers", "events")
ASSETS_BUCKET = "lakec-e2e-assets"


class DevStage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="lakec-e2e-")
        cls.moto = MotoServer()
        cls.endpoint = cls.moto.endpoint
        try:
            cls.build_and_deploy()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def client(cls, name):
        return boto3.client(name, endpoint_url=cls.endpoint, region_name=REGION,
                            aws_access_key_id=KEY, aws_secret_access_key=SECRET)

    @classmethod
    def build_and_deploy(cls):
        out = os.path.join(cls.work, "out")
        subprocess.run([LAKEC, "build", "--handlers", HANDLERS, "-o", out, "stages/dev.yaml"],
                       cwd=ROOT, check=True)
        cls.out = os.path.join(out, "metrics", "dev")
        with open(os.path.join(cls.out, "manifest.json")) as f:
            cls.manifest = json.load(f)
        (stack,) = cls.manifest["stacks"]
        with open(os.path.join(cls.out, stack["template"])) as f:
            cls.template_text = f.read()
        cls.template = json.loads(cls.template_text)
        s3 = cls.client("s3")
        s3.create_bucket(Bucket=ASSETS_BUCKET)
        for asset in cls.manifest["assets"]:  # the README's upload: the key is the file's path
            s3.upload_file(os.path.join(cls.out, asset["file"]), ASSETS_BUCKET, asset["file"])
        cfn = cls.client("cloudformation")
        cfn.create_stack(StackName="metrics-dev", TemplateBody=cls.template_text,
                         Parameters=[{"ParameterKey": "AssetsBucket", "ParameterValue": ASSETS_BUCKET}],
                         Capabilities=["CAPABILITY_IAM"])
        for _ in range(300):
            stack = cfn.describe_stacks(StackName="metrics-dev")["Stacks"][0]
            if not stack["StackStatus"].endswith("IN_PROGRESS"):
                break
            time.sleep(0.2)
        if stack["StackStatus"] != "CREATE_COMPLETE":
            raise AssertionError(f"stack: {stack['StackStatus']} {stack.get('StackStatusReason')}")
        resources = cfn.list_stack_resources(StackName="metrics-dev")["StackResourceSummaries"]
        cls.physical = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in resources}
        cls.create_what_moto_skips()

    @classmethod
    def create_what_moto_skips(cls):
        props = {k: r["Properties"] for k, r in cls.template["Resources"].items()}
        kinds = {k: r["Type"] for k, r in cls.template["Resources"].items()}
        glue, athena = cls.client("glue"), cls.client("athena")
        for logical, kind in kinds.items():
            p = props[logical]
            if kind == "AWS::Glue::Database":
                glue.create_database(DatabaseInput={"Name": p["DatabaseInput"]["Name"]})
                cls.database = p["DatabaseInput"]["Name"]
        for logical, kind in kinds.items():
            p = props[logical]
            if kind == "AWS::Glue::Crawler":
                glue.create_crawler(Name=p["Name"], Role="arn:aws:iam::123456789012:role/crawler",
                                    DatabaseName=cls.database,
                                    Targets={"S3Targets": [{"Path": "s3://%s/processed/" % cls.bucket()}]})
                cls.crawler = p["Name"]
            elif kind == "AWS::Athena::WorkGroup":
                athena.create_work_group(Name=p["Name"], Configuration={"ResultConfiguration": {
                    "OutputLocation": "s3://%s/athena-results/" % cls.bucket()}})
                cls.workgroup = p["Name"]

    @classmethod
    def bucket(cls):
        return cls.physical["DataBucket"]

    @classmethod
    def tearDownClass(cls):
        cls.moto.stop()
        shutil.rmtree(cls.work, ignore_errors=True)

    # ---- running a deployed function as Lambda does ----

    def function_resource(self, handler):
        """(logical id, resource) of the one function running handler."""
        asset = next(a for a in self.manifest["assets"] if a["handler"] == handler)
        found = [(k, r) for k, r in self.template["Resources"].items()
                 if r["Type"] == "AWS::Lambda::Function"
                 and r["Properties"]["Code"]["S3Key"] == {"Ref": asset["parameter"]}]
        self.assertEqual(len(found), 1)
        return found[0]

    def function(self, handler):
        logical, _ = self.function_resource(handler)
        return self.client("lambda").get_function_configuration(FunctionName=self.physical[logical])

    def task_root(self, handler):
        asset = next(a for a in self.manifest["assets"] if a["handler"] == handler)
        root = os.path.join(self.work, "task", handler)
        if not os.path.isdir(root):
            with zipfile.ZipFile(os.path.join(self.out, asset["file"])) as z:
                z.extractall(root)
                for info in z.infolist():
                    os.chmod(os.path.join(root, info.filename), (info.external_attr >> 16) & 0o777)
        return root

    def environment(self, handler, config):
        """The deployed function's variables. moto drops those that refer to
        resources it skipped (Glue, Athena), and the whole map when none is left:
        for them, what CloudFormation's Ref gives, the resource's name, comes
        from the template."""
        env = dict(config.get("Environment", {}).get("Variables", {}))
        _, resource = self.function_resource(handler)
        for name, value in resource["Properties"]["Environment"]["Variables"].items():
            if name in env:
                continue
            target = self.template["Resources"][value["Ref"]]
            self.assertIn(target["Type"], ("AWS::Glue::Crawler", "AWS::Glue::Database",
                                           "AWS::Athena::WorkGroup"), name)
            p = target["Properties"]
            env[name] = p["DatabaseInput"]["Name"] if "DatabaseInput" in p else p["Name"]
        return env

    def invoke(self, handler, event, deadline_s=20):
        config = self.function(handler)
        root = self.task_root(handler)
        env = self.environment(handler, config)
        env.update(PATH="/usr/bin:/bin", LAMBDA_TASK_ROOT=root, _HANDLER="bootstrap",
                   AWS_LAMBDA_FUNCTION_NAME=config["FunctionName"], AWS_REGION=REGION,
                   AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY=SECRET, AWS_SESSION_TOKEN="token",
                   AWS_ENDPOINT_URL=self.endpoint, LD_LIBRARY_PATH=os.path.join(root, "lib"))
        api = FakeRuntimeApi([("req-1", json.dumps(event).encode(), int((time.time() + deadline_s) * 1000))])
        env["AWS_LAMBDA_RUNTIME_API"] = api.address
        try:
            proc = subprocess.run([os.path.join(root, "bootstrap")], cwd=root, env=env,
                                  capture_output=True, timeout=60)
        finally:
            api.stop()
        # The fake answers 410 once its events are served, which ends the loop.
        self.assertIn("req-1", api.results, proc.stderr.decode())
        kind, body, _ = api.results["req-1"]
        self.assertEqual(kind, "response", body)
        return json.loads(body)

    # ---- the tests ----

    def test_deployed_code_is_the_zip_lakec_wrote(self):
        for asset in self.manifest["assets"]:
            config = self.function(asset["handler"])
            with open(os.path.join(self.out, asset["file"]), "rb") as f:
                digest = base64.b64encode(hashlib.sha256(f.read()).digest()).decode()
            self.assertEqual(config["CodeSha256"], digest, asset["handler"])
            self.assertEqual(config["Runtime"], "provided.al2023")
            self.assertEqual(config["Handler"], "bootstrap")

    def test_ingest_process_query(self):
        s3 = self.client("s3")
        with open(os.path.join(EVENTS, "scheduled.json")) as f:
            scheduled = json.load(f)
        scheduled["time"] = "2026-11-22T08:15:00Z"
        result = self.invoke("ingest", scheduled)
        raw_key = "raw/year=2026/month=11/day=22/hour=08/metris_api-08-15_.csv"
        self.assertEqual(result.get("key"), raw_key, result)
        raw = s3.get_object(Bucket=self.bucket(), Key=raw_key)["Body"].read()
        header, row = list(csv.reader(io.StringIO(raw.decode())))
        self.assertEqual(header[:2], ["timestamp", "service"])
        self.assertEqual(row[:2], ["2026-11-22T08:15:00Z", "metris_api"])

        # The event the stage's object-created rule delivers for that object.
        with open(os.path.join(EVENTS, "object-created.json")) as f:
            created = json.load(f)
        created["detail"]["bucket"]["name"] = self.bucket()
        created["detail"]["object"]["key"] = raw_key
        result = self.invoke("process", created)
        self.assertEqual(result["status"], "processed", result)
        processed_key = "processed/" + raw_key[len("raw/"):-len(".csv")] + ".parquet"
        self.assertEqual(result["to"], processed_key)
        parquet = os.path.join(self.work, "processed.parquet")
        s3.download_file(self.bucket(), processed_key, parquet)
        self.assert_parquet_holds(parquet, header, row)
        self.assertEqual(s3.list_objects_v2(Bucket=self.bucket(), Prefix="raw/")["KeyCount"], 0)
        crawler = self.client("glue").get_crawler(Name=self.crawler)["Crawler"]
        self.assertEqual(crawler["State"], "RUNNING")

        rows = [{"Data": [{"VarCharValue": v} for v in header]},
                {"Data": [{"VarCharValue": v} for v in row]}]
        queue = urllib.request.Request(self.endpoint + "/moto-api/static/athena/query-results",
                                       data=json.dumps({"results": [{"rows": rows}]}).encode(),
                                       headers={"Content-Type": "application/json"}, method="POST")
        urllib.request.urlopen(queue)
        with open(os.path.join(EVENTS, "get-metrics.json")) as f:
            request = json.load(f)
        request["queryStringParameters"] = {"service": "metris_api", "from": "2026-11-22", "limit": "10"}
        response = self.invoke("query", request)
        self.assertEqual(response["statusCode"], 200, response)
        self.assertEqual(response["headers"]["Access-Control-Allow-Origin"], "*")
        body = json.loads(response["body"])
        self.assertEqual(body["rows"], [dict(zip(header, row))])
        execution = self.client("athena").get_query_execution(
            QueryExecutionId=body["query_execution_id"])["QueryExecution"]
        self.assertEqual(execution["WorkGroup"], self.workgroup)
        # from also bounds the hour partitions: 2026-11-22T00 onwards
        self.assertEqual(execution["ExecutionParameters"],
                         ["'metris_api'", "'2026-11-22T00:00:00Z'", "'2026112200'"])

    def assert_parquet_holds(self, path, header, row):
        """The stage's data set, typed: DuckDB reads back the CSV's row."""
        seen = duckdb_read(path)
        self.assertEqual([(c["name"], c["type"]) for c in seen["columns"]],
                         list(zip(header, ["TIMESTAMP WITH TIME ZONE", "VARCHAR", "BIGINT", "BIGINT",
                                           "DOUBLE", "DOUBLE"])))
        self.assertEqual(len(seen["rows"]), 1)
        got = seen["rows"][0]
        self.assertEqual(got[0], row[0].replace("T", " ").replace("Z", "+00"))
        self.assertEqual(got[1:4], row[1:4])
        self.assertEqual([float(v) for v in got[4:]], [float(v) for v in row[4:]])
        self.assertEqual(seen["codecs"], ["SNAPPY"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
