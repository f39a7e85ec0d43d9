#!/usr/bin/env python3
"""The lakehouse's dev stage end to end in moto: lakec builds it with the real
handler zips, the stack is created (moto skips the Glue database, tables and
jobs; the test creates the databases and jobs through Glue's API with the
template's names), then

- the extract function, run from its deployed zip with its deployed
  environment, writes the generated orders to the bronze bucket as JSON
  Lines under raw/orders/ingest_date=YYYY-MM-DD/ and answers the keys;
- the state machine lakec generated runs in moto's Step Functions
  interpreter: Extract (a lambda:invoke task whose answer is the real
  handler's, queued because moto does not run Lambda code) -> Silver
  (glue:startJobRun.sync, given the folder Extract wrote) -> Gold, and the
  execution succeeds with both Glue runs recorded.

moto's interpreter sees only state machines created while it is switched on
(a separate backend from CloudFormation's), so the test reads the deployed
definition and role back and creates the same machine again once the
interpreter is on: the definition it runs is the deployed one, byte for byte,
with CloudFormation's substitutions done.

usage: lakehouse_e2e.py LAKEC PROJECT_ROOT HANDLERS_DIR
"""
import datetime
import json
import os
import sys
import time
import unittest
import urllib.request

LAKEC, ROOT, HANDLERS = (os.path.abspath(a) for a in sys.argv[1:4])
del sys.argv[1:4]
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from deployed_stage import DeployedStage  # noqa: E402


class LakehouseDev(DeployedStage):
    LAKEC, ROOT, HANDLERS = LAKEC, ROOT, HANDLERS
    STAGE_FILE, STAGE_DIR, STACK = ("stages/lakehouse/dev.yaml", os.path.join("lakehouse", "dev"),
                                    "lakehouse-dev")

    @classmethod
    def create_what_moto_skips(cls):
        glue = cls.client("glue")
        for p in cls.resources_of_type("AWS::Glue::Database").values():
            glue.create_database(DatabaseInput={"Name": p["DatabaseInput"]["Name"]})
        cls.jobs = {}
        for p in cls.resources_of_type("AWS::Glue::Job").values():
            glue.create_job(Name=p["Name"], Role="arn:aws:iam::123456789012:role/job",
                            Command={"Name": p["Command"]["Name"], "ScriptLocation": "s3://assets/job.py"},
                            DefaultArguments={k: v for k, v in p["DefaultArguments"].items()
                                              if isinstance(v, str)})
            cls.jobs[p["Name"]] = p
        # The deployed machine, read before moto's interpreter is switched on.
        (machine_id,) = cls.resources_of_type("AWS::StepFunctions::StateMachine")
        sfn = cls.client("stepfunctions")
        cls.deployed_machine = sfn.describe_state_machine(stateMachineArn=cls.physical[machine_id])

    def moto_config(self, config):
        request = urllib.request.Request(self.endpoint + "/moto-api/config", data=json.dumps(config).encode(),
                                         headers={"Content-Type": "application/json"}, method="POST")
        urllib.request.urlopen(request)

    def queue_lambda_answer(self, answer):
        body = {"results": [json.dumps(answer)], "region": "us-east-1"}
        request = urllib.request.Request(self.endpoint + "/moto-api/static/lambda-simple/response",
                                         data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"}, method="POST")
        urllib.request.urlopen(request)

    def bronze(self):
        (bucket_id,) = [k for k, p in self.resources_of_type("AWS::S3::Bucket").items()
                        if p["BucketName"].endswith("-bronze")]
        return self.physical[bucket_id]

    def test_extract_writes_json_lines_to_bronze(self):
        answer = self.invoke("extract", {"executionId": "run-1", "source": "orders"})
        today = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
        prefix = f"raw/orders/ingest_date={today}/"
        self.assertEqual(answer["prefix"], prefix, answer)
        self.assertEqual(answer["bucket"], self.bronze())
        self.assertGreater(len(answer["keys"]), 0)
        s3 = self.client("s3")
        listed = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=self.bronze(), Prefix=prefix)["Contents"])
        self.assertEqual(listed, sorted(answer["keys"]))
        records = []
        for key in answer["keys"]:
            body = s3.get_object(Bucket=self.bronze(), Key=key)["Body"].read().decode()
            records += [json.loads(line) for line in body.splitlines()]
        self.assertEqual(len(records), answer["records"])
        self.assertEqual(set(records[0]) >= {"order_id", "status", "amount", "updated_at"}, True, records[0])
        # The generated source re-sends updated orders, which silver's MERGE keeps once.
        ids = [r["order_id"] for r in records]
        self.assertLess(len(set(ids)), len(ids))

    def test_pipeline_runs_extract_silver_gold(self):
        # What the extract task answers: the real handler's answer, run as the
        # interpreter runs it (moto passes $$.Execution.Name to a Lambda task as null).
        answer = self.invoke("extract", {"executionId": None, "source": "orders"})
        definition = self.deployed_machine["definition"]
        function_arn = self.function("extract")["FunctionArn"]
        self.assertIn(function_arn, definition)  # CloudFormation's Fn::Sub, resolved
        self.assertNotIn("${", definition)
        self.moto_config({"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}})
        try:
            self.queue_lambda_answer(answer)
            sfn = self.client("stepfunctions")
            machine = sfn.create_state_machine(name=self.deployed_machine["name"], definition=definition,
                                               roleArn=self.deployed_machine["roleArn"])["stateMachineArn"]
            execution = sfn.start_execution(stateMachineArn=machine, input="{}")["executionArn"]
            for _ in range(300):
                described = sfn.describe_execution(executionArn=execution)
                if described["status"] != "RUNNING":
                    break
                time.sleep(0.2)
            events = sfn.get_execution_history(executionArn=execution)["events"]
        finally:
            self.moto_config({"stepfunctions": {"execute_state_machine": False}})
        self.assertEqual(described["status"], "SUCCEEDED", (described, events))
        scheduled = [json.loads(e["taskScheduledEventDetails"]["parameters"]) | {
            "resource": e["taskScheduledEventDetails"]["resource"]}
            for e in events if e["type"] == "TaskScheduled"]
        self.assertEqual([s["resource"] for s in scheduled], ["invoke", "startJobRun.sync", "startJobRun.sync"])
        self.assertEqual(scheduled[0]["FunctionName"], function_arn)
        silver, gold = sorted(self.jobs, key=lambda name: "gold" in name)
        self.assertEqual([s["JobName"] for s in scheduled[1:]], [silver, gold])
        glue = self.client("glue")
        (silver_run,) = glue.get_job_runs(JobName=silver)["JobRuns"]
        self.assertEqual(silver_run["Arguments"]["--bronze_prefix"], answer["prefix"])
        self.assertEqual(len(glue.get_job_runs(JobName=gold)["JobRuns"]), 1)

    def test_schedule_starts_the_machine_and_is_off_in_dev(self):
        (rule,) = self.resources_of_type("AWS::Events::Rule").values()
        self.assertEqual(rule["State"], "DISABLED")
        self.assertEqual(rule["ScheduleExpression"], "cron(0 2 * * ? *)")


if __name__ == "__main__":
    unittest.main(verbosity=2)
