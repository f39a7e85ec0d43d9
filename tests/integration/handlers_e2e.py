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
import subprocess
import sys
import unittest
import urllib.request

LAKEC, ROOT, HANDLERS = (os.path.abspath(a) for a in sys.argv[1:4])
del sys.argv[1:4]
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from deployed_stage import DeployedStage  # noqa: E402

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


class DevStage(DeployedStage):
    LAKEC, ROOT, HANDLERS = LAKEC, ROOT, HANDLERS
    STAGE_FILE, STAGE_DIR, STACK = "stages/dev.yaml", os.path.join("metrics", "dev"), "metrics-dev"

    @classmethod
    def create_what_moto_skips(cls):
        glue, athena = cls.client("glue"), cls.client("athena")
        for p in cls.resources_of_type("AWS::Glue::Database").values():
            glue.create_database(DatabaseInput={"Name": p["DatabaseInput"]["Name"]})
            cls.database = p["DatabaseInput"]["Name"]
        for p in cls.resources_of_type("AWS::Glue::Crawler").values():
            glue.create_crawler(Name=p["Name"], Role="arn:aws:iam::123456789012:role/crawler",
                                DatabaseName=cls.database,
                                Targets={"S3Targets": [{"Path": "s3://%s/processed/" % cls.bucket()}]})
            cls.crawler = p["Name"]
        for p in cls.resources_of_type("AWS::Athena::WorkGroup").values():
            athena.create_work_group(Name=p["Name"], Configuration={"ResultConfiguration": {
                "OutputLocation": "s3://%s/athena-results/" % cls.bucket()}})
            cls.workgroup = p["Name"]

    @classmethod
    def bucket(cls):
        return cls.physical["DataBucket"]

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
