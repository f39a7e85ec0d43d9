"""State machine definitions run by moto's Step Functions interpreter (an
implementation apart from lakec's): a pipeline of functions that forks and
joins (two steps start together, one forks again, and both forks join at
the same step, which reads the other branch's result) is built by lakec,
its definition created in moto with the functions' ARNs put in (as
CloudFormation's Fn::Sub would) and executed: it must succeed, run every
step once, and start each step only after the steps it waits for ended.
(moto's Lambda answers even for a function that does not exist, so the
failure path is not run here: the unit tests and asl-validator check it.)

moto runs state machines only when asked (`stepfunctions.execute_state_machine`,
under which the machines CloudFormation created are not visible, so the
definition is created through the API), and its Lambda answers with the event
it was given (`lambda.use_docker: false`). Glue's .sync integration does not
run in moto 5.2 (a crash in its callback handling), so the pipeline has
functions only; the Glue steps are checked by asl-validator and the goldens.

usage: python3 sfn_execute.py LAKEC
"""
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from motoproc import MotoServer  # noqa: E402

import boto3  # noqa: E402

LAKEC = sys.argv[1]
del sys.argv[1:2]

STAGE = """lakec: 1
project: run
stage: dev
functions: {fetch: {}, audit: {}, silver: {}, gold: {}, report: {}, publish: {}}
state_machines:
  pipeline:
    on_failure: {error: PipelineFailed}
    steps:
      - {name: Extract, invoke: fetch, result: extract}
      - {name: Audit, invoke: audit, after: [], result: audit}
      - {name: Silver, invoke: silver, after: [Extract], result: silver}
      - {name: Gold, invoke: gold, after: [Extract]}
      - {name: Report, invoke: report, after: [Silver, Gold, Audit], payload: {audit.$: $.audit}}
      - {name: Publish, invoke: publish}
"""
AFTER = {"Extract": [], "Audit": [], "Silver": ["Extract"], "Gold": ["Extract"],
         "Report": ["Silver", "Gold", "Audit"], "Publish": ["Report"]}


class Execute(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        with open(os.path.join(cls.tmp.name, "stage.yaml"), "w") as f:
            f.write(STAGE)
        out = os.path.join(cls.tmp.name, "out")
        subprocess.run([LAKEC, "build", "--no-package", "-o", out, "stage.yaml"], cwd=cls.tmp.name,
                       check=True)
        with open(os.path.join(out, "run", "dev", "run-dev.template.json")) as f:
            template = json.load(f)
        cls.definition = template["Resources"]["PipelineStateMachine"]["Properties"][
            "DefinitionString"]["Fn::Sub"]
        cls.server = MotoServer()
        try:
            cls.configure()
        except BaseException:
            cls.server.stop()
            raise

    @classmethod
    def configure(cls):
        body = json.dumps({"stepfunctions": {"execute_state_machine": True},
                           "lambda": {"use_docker": False}}).encode()
        urllib.request.urlopen(urllib.request.Request(cls.server.endpoint + "/moto-api/config",
                                                      data=body, method="POST"))
        session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                        region_name="us-east-1")
        cls.lam = session.client("lambda", endpoint_url=cls.server.endpoint)
        cls.sfn = session.client("stepfunctions", endpoint_url=cls.server.endpoint)
        iam = session.client("iam", endpoint_url=cls.server.endpoint)
        cls.role = iam.create_role(RoleName="run", AssumeRolePolicyDocument="{}")["Role"]["Arn"]

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.tmp.cleanup()

    def execute(self, name):
        """Creates the functions and the state machine, runs it."""
        text = self.definition.replace("${AWS::Partition}", "aws")
        for key in ("fetch", "audit", "silver", "gold", "report", "publish"):
            fn = f"{name}-{key}"
            arn = self.lam.create_function(FunctionName=fn, Runtime="python3.12", Role=self.role,
                                           Handler="x", Code={"ZipFile": b"PK\x05\x06" + bytes(18)}
                                           )["FunctionArn"]
            text = text.replace("${%sFunction.Arn}" % key.capitalize(), arn)
        self.assertNotIn("${", text)
        machine = self.sfn.create_state_machine(name=name, definition=text, roleArn=self.role)
        run = self.sfn.start_execution(stateMachineArn=machine["stateMachineArn"], name=f"{name}-1",
                                       input='{"day": 1}')
        deadline = time.time() + 60
        while True:
            d = self.sfn.describe_execution(executionArn=run["executionArn"])
            if d["status"] != "RUNNING" or time.time() > deadline:
                break
            time.sleep(0.2)
        events = self.sfn.get_execution_history(executionArn=run["executionArn"])["events"]
        return d, events

    def test_every_step_runs_once_after_the_steps_it_waits_for(self):
        d, events = self.execute("fine")
        self.assertEqual(d["status"], "SUCCEEDED", d)
        entered = [e["stateEnteredEventDetails"]["name"] for e in events
                   if e["type"] == "TaskStateEntered"]
        self.assertEqual(sorted(entered), sorted(AFTER))
        at = {}
        for i, e in enumerate(events):
            if e["type"] == "TaskStateEntered":
                at.setdefault(e["stateEnteredEventDetails"]["name"], {})["entered"] = i
            if e["type"] == "TaskStateExited":
                at.setdefault(e["stateExitedEventDetails"]["name"], {})["exited"] = i
        for step, waits in AFTER.items():
            for before in waits:
                self.assertLess(at[before]["exited"], at[step]["entered"], f"{step} after {before}")
        # the joins kept the other branch's audit result, which Report reads
        report = next(e for e in events if e["type"] == "TaskScheduled"
                      and "report" in e["taskScheduledEventDetails"]["parameters"])
        payload = json.loads(report["taskScheduledEventDetails"]["parameters"])["Payload"]
        self.assertIn("audit", payload)
        self.assertTrue(any(e["type"] == "SucceedStateEntered" for e in events))


if __name__ == "__main__":
    unittest.main(verbosity=2)
