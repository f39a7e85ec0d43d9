"""A stage built with its real handler zips and deployed into moto, for the
end-to-end tests (handlers_e2e.py, lakehouse_e2e.py): lakec builds it, the
assets go to an assets bucket, the one stack is created with its code keys
left at the defaults lakec wrote, and a deployed function runs as Lambda
would run it: its zip unpacked into a directory of its own, `bootstrap`
started with the deployed function's environment (read back from moto's
Lambda, which resolved the template's references), nothing else from the
build tree, its event served by the fake Runtime API.

A test module sets LAKEC, ROOT and HANDLERS, and subclasses DeployedStage
with STAGE_FILE, STAGE_DIR (the built folder under the output) and STACK."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import zipfile

import boto3

REGION, KEY, SECRET = "us-east-1", "testing", "testing"
ASSETS_BUCKET = "lakec-e2e-assets"
# Types moto's CloudFormation skips whose Ref a function's environment may hold.
SKIPPED_NAMED = ("AWS::Glue::Crawler", "AWS::Glue::Database", "AWS::Glue::Job",
                 "AWS::Athena::WorkGroup")


class DeployedStage(unittest.TestCase):
    LAKEC = ROOT = HANDLERS = None
    STAGE_FILE = STAGE_DIR = STACK = None

    @classmethod
    def setUpClass(cls):
        sys.path.insert(0, os.path.join(cls.ROOT, "tests", "handlers"))
        from fakes import MotoServer
        cls.work = tempfile.mkdtemp(prefix="lakec-e2e-")
        cls.moto = MotoServer()
        cls.endpoint = cls.moto.endpoint
        try:
            cls.build_and_deploy()
            cls.create_what_moto_skips()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.moto.stop()
        shutil.rmtree(cls.work, ignore_errors=True)

    @classmethod
    def client(cls, name):
        return boto3.client(name, endpoint_url=cls.endpoint, region_name=REGION,
                            aws_access_key_id=KEY, aws_secret_access_key=SECRET)

    @classmethod
    def build_and_deploy(cls):
        out = os.path.join(cls.work, "out")
        subprocess.run([cls.LAKEC, "build", "--handlers", cls.HANDLERS, "-o", out, cls.STAGE_FILE],
                       cwd=cls.ROOT, check=True)
        cls.out = os.path.join(out, cls.STAGE_DIR)
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
        cfn.create_stack(StackName=cls.STACK, TemplateBody=cls.template_text,
                         Parameters=[{"ParameterKey": "AssetsBucket", "ParameterValue": ASSETS_BUCKET}],
                         Capabilities=["CAPABILITY_IAM"])
        for _ in range(300):
            stack = cfn.describe_stacks(StackName=cls.STACK)["Stacks"][0]
            if not stack["StackStatus"].endswith("IN_PROGRESS"):
                break
            time.sleep(0.2)
        if stack["StackStatus"] != "CREATE_COMPLETE":
            raise AssertionError(f"stack: {stack['StackStatus']} {stack.get('StackStatusReason')}")
        resources = cfn.list_stack_resources(StackName=cls.STACK)["StackResourceSummaries"]
        cls.physical = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in resources}

    @classmethod
    def create_what_moto_skips(cls):
        """A test creates the Glue and Athena resources it needs itself."""

    @classmethod
    def resources_of_type(cls, kind):
        return {k: r["Properties"] for k, r in cls.template["Resources"].items() if r["Type"] == kind}

    # ---- running a deployed function as Lambda does ----

    def function_resource(self, handler):
        """(logical id, resource) of the one function running handler."""
        asset = next(a for a in self.manifest["assets"] if a.get("handler") == handler)
        found = [(k, r) for k, r in self.template["Resources"].items()
                 if r["Type"] == "AWS::Lambda::Function"
                 and r["Properties"]["Code"]["S3Key"] == {"Ref": asset["parameter"]}]
        self.assertEqual(len(found), 1)
        return found[0]

    def function(self, handler):
        logical, _ = self.function_resource(handler)
        return self.client("lambda").get_function_configuration(FunctionName=self.physical[logical])

    def task_root(self, handler):
        asset = next(a for a in self.manifest["assets"] if a.get("handler") == handler)
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
        for name, value in resource["Properties"].get("Environment", {}).get("Variables", {}).items():
            if name in env:
                continue
            target = self.template["Resources"][value["Ref"]]
            self.assertIn(target["Type"], SKIPPED_NAMED, name)
            p = target["Properties"]
            env[name] = p["DatabaseInput"]["Name"] if "DatabaseInput" in p else p["Name"]
        return env

    def invoke(self, handler, event, deadline_s=20):
        """Runs the deployed function once on event; its JSON answer."""
        from fakes import FakeRuntimeApi
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
