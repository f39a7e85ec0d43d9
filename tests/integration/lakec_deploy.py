#!/usr/bin/env python3
"""`lakec bootstrap`, `deploy`, `outputs`, `diff --deployed` and `destroy`
end to end against moto (moto_server.py beside this file, on a free
127.0.0.1 port), with the real handler zips.

A copy of the project's stages/, templates/ and jobs/ in a temporary folder
is what the tests deploy and edit. lakec finds its credentials in a shared
credentials file (--profile) or the environment, its endpoint in
AWS_ENDPOINT_URL. boto3 looks at what lakec did. The steps run in order
(test_NN_): each builds on what the earlier ones deployed.

usage: lakec_deploy.py LAKEC PROJECT_ROOT HANDLERS_DIR
"""
import json
import os
import pty
import shutil
import socket
import subprocess
import sys
import tempfile
import unittest

import boto3

LAKEC, ROOT, HANDLERS = sys.argv[1], sys.argv[2], sys.argv[3]
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from motoproc import MotoServer  # noqa: E402

REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's
BUCKET = f"lakec-assets-{ACCOUNT}-{REGION}"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LakecDeploy(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.moto = MotoServer()
        cls.work = tempfile.mkdtemp(prefix="lakec-deploy-")
        for d in ("stages", "templates", "jobs"):
            shutil.copytree(os.path.join(ROOT, d), os.path.join(cls.work, d))
        cls.home = os.path.join(cls.work, "home")
        os.makedirs(os.path.join(cls.home, ".aws"))
        with open(os.path.join(cls.home, ".aws", "credentials"), "w") as f:
            f.write("[deployer]\naws_access_key_id = testing\naws_secret_access_key = testing\n")
        with open(os.path.join(cls.home, ".aws", "config"), "w") as f:
            f.write(f"[profile deployer]\nregion = {REGION}\n")
        kw = dict(endpoint_url=cls.moto.endpoint, region_name=REGION,
                  aws_access_key_id="testing", aws_secret_access_key="testing")
        cls.s3 = boto3.client("s3", **kw)
        cls.cfn = boto3.client("cloudformation", **kw)
        cls.lam = boto3.client("lambda", **kw)

    @classmethod
    def tearDownClass(cls):
        cls.moto.stop()
        shutil.rmtree(cls.work, ignore_errors=True)

    def env(self, **changes):
        """No AWS variables but the endpoint (and what the step adds)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(HOME=self.home, AWS_ENDPOINT_URL=self.moto.endpoint, LAKEC_HANDLERS=HANDLERS,
                   NO_COLOR="1")
        env.update(changes)
        return env

    def lakec(self, *args, env=None, status=0):
        """lakec with stdin not a terminal; asserts its exit status."""
        r = subprocess.run([LAKEC, *args], cwd=self.work, env=env or self.env(),
                           stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300)
        self.assertEqual(r.returncode, status, f"lakec {' '.join(args)}:\n{r.stdout}\n{r.stderr}")
        return r

    def profile(self, *args, status=0):
        return self.lakec(*args, "--profile", "deployer", status=status)

    def stack(self, name):
        stacks = [s for s in self.cfn.list_stacks()["StackSummaries"]
                  if s["StackName"] == name and s["StackStatus"] != "DELETE_COMPLETE"]
        return stacks[0]["StackStatus"] if stacks else None

    def bucket_exists(self, name):
        return name in [b["Name"] for b in self.s3.list_buckets()["Buckets"]]

    def template_resource(self, folder, stack, logical):
        with open(os.path.join(self.work, folder, f"{stack}.template.json")) as f:
            return json.load(f)["Resources"][logical]

    # ---- before anything exists ----

    def test_01_no_credentials(self):
        r = self.lakec("bootstrap", status=2)
        self.assertIn("no AWS credentials", r.stderr)

    def test_02_unreachable_endpoint(self):
        env = self.env(AWS_ENDPOINT_URL=f"http://127.0.0.1:{free_port()}",
                       AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                       AWS_REGION=REGION)
        r = self.lakec("bootstrap", env=env, status=2)
        self.assertIn("cannot reach http://127.0.0.1:", r.stderr)

    def test_02b_sts_unavailable_is_not_a_refusal(self):
        """A 5xx from STS says nothing of the credentials."""
        import http.server
        import threading

        class Unavailable(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                body = (b"<ErrorResponse><Error><Code>ServiceUnavailable</Code>"
                        b"<Message>try later</Message></Error></ErrorResponse>")
                self.send_response(503)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Unavailable)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            env = self.env(AWS_ENDPOINT_URL_STS=f"http://127.0.0.1:{server.server_port}",
                           AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                           AWS_REGION=REGION)
            r = self.lakec("bootstrap", env=env, status=2)
        finally:
            server.shutdown()
            server.server_close()
        self.assertIn("STS could not check the credentials from the environment", r.stderr)
        self.assertIn("ServiceUnavailable", r.stderr)
        self.assertNotIn("refused", r.stderr)

    def test_03_bad_credentials(self):
        os.environ["INITIAL_NO_AUTH_ACTION_COUNT"] = "0"  # this moto checks every signature
        try:
            strict = MotoServer()
        finally:
            del os.environ["INITIAL_NO_AUTH_ACTION_COUNT"]
        try:
            env = self.env(AWS_ENDPOINT_URL=strict.endpoint, AWS_ACCESS_KEY_ID="AKIANOTAKEY",
                           AWS_SECRET_ACCESS_KEY="wrong", AWS_REGION=REGION)
            r = self.lakec("deploy", "--yes", "-o", "out", "stages/dev.yaml", env=env, status=2)
            self.assertIn("were refused: InvalidClientTokenId", r.stderr)
        finally:
            strict.stop()

    def test_04_no_assets_bucket_then_bootstrap(self):
        r = self.profile("deploy", "--yes", "-o", "out", "stages/dev.yaml", status=2)
        self.assertIn(f"create it with 'lakec bootstrap --region {REGION} --profile deployer'",
                      r.stderr)
        self.assertIsNone(self.stack("metrics-dev"))
        r = self.profile("bootstrap")
        self.assertIn(f"assets bucket {BUCKET} ready in {REGION}", r.stdout)
        enc = self.s3.get_bucket_encryption(Bucket=BUCKET)["ServerSideEncryptionConfiguration"]
        self.assertEqual(enc["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"],
                         "AES256")
        block = self.s3.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"]
        self.assertTrue(all(block.values()), block)
        self.assertEqual(self.s3.get_bucket_versioning(Bucket=BUCKET)["Status"], "Enabled")
        policy = json.loads(self.s3.get_bucket_policy(Bucket=BUCKET)["Policy"])
        self.assertEqual(policy["Statement"][0]["Condition"],
                         {"Bool": {"aws:SecureTransport": "false"}})
        self.profile("bootstrap")  # again: harmless

    def test_04a_bootstrap_the_stage_region(self):
        with open(os.path.join(self.work, "stages", "euro.yaml"), "w") as f:
            f.write("lakec: 1\nextends: ../templates/metrics-lake.yaml\nstage: euro\n"
                    "region: eu-west-2\n")
        r = self.profile("bootstrap", "-o", "out", "stages/euro.yaml")
        self.assertIn(f"assets bucket lakec-assets-{ACCOUNT}-eu-west-2 ready in eu-west-2", r.stdout)
        where = self.s3.get_bucket_location(Bucket=f"lakec-assets-{ACCOUNT}-eu-west-2")
        self.assertEqual(where["LocationConstraint"], "eu-west-2")
        r = self.profile("bootstrap", "--region", "eu-west-3")
        self.assertIn(f"assets bucket lakec-assets-{ACCOUNT}-eu-west-3 ready in eu-west-3", r.stdout)

    def test_04b_assets_bucket_of_another_account(self):
        """Every S3 request sends x-amz-expected-bucket-owner: a bucket of the
        same name in another account answers 403 (moto_server.py patch 11)."""
        sts = boto3.client("sts", endpoint_url=self.moto.endpoint, region_name=REGION,
                           aws_access_key_id="testing", aws_secret_access_key="testing")
        creds = sts.assume_role(RoleArn="arn:aws:iam::111111111111:role/other",
                                RoleSessionName="other")["Credentials"]
        other = boto3.client("s3", endpoint_url=self.moto.endpoint, region_name=REGION,
                             aws_access_key_id=creds["AccessKeyId"],
                             aws_secret_access_key=creds["SecretAccessKey"],
                             aws_session_token=creds["SessionToken"])
        other.create_bucket(Bucket="lakec-foreign-assets")
        r = self.profile("bootstrap", "--assets-bucket", "lakec-foreign-assets", status=2)
        self.assertIn("exists in another account", r.stderr)
        self.assertIn(f"expected owner {ACCOUNT}", r.stderr)
        r = self.profile("deploy", "--yes", "--assets-bucket", "lakec-foreign-assets", "-o", "out",
                         "stages/dev.yaml", status=2)
        self.assertIn("exists in another account", r.stderr)
        self.assertIsNone(self.stack("metrics-dev"))
        self.assertNotIn("KeyCount", {k: v for k, v in other.list_objects_v2(
            Bucket="lakec-foreign-assets").items() if k == "KeyCount" and v})

    def test_05_no_terminal_no_yes(self):
        r = self.profile("deploy", "-o", "out", "stages/dev.yaml", status=2)
        self.assertIn("pass --yes", r.stderr)
        self.assertIsNone(self.stack("metrics-dev"))
        self.assertEqual(self.s3.list_objects_v2(Bucket=BUCKET).get("KeyCount"), 0)

    def test_06_stage_with_errors(self):
        bad = os.path.join(self.work, "stages", "broken.yaml")
        with open(bad, "w") as f:
            f.write("lakec: 1\nproject: metrics\nstage: broken\nregion: us-east-1\nbuckets:\n"
                    "  data: {nmae: x}\n")
        r = self.profile("deploy", "--yes", "-o", "out", "stages/broken.yaml", status=1)
        self.assertIn("LK104", r.stderr)

    # ---- the dev stage ----

    def test_10_deploy_dev(self):
        r = self.profile("deploy", "--yes", "-o", "out", "stages/dev.yaml")
        self.assertIn("assets: 3 uploaded, 0 already", r.stdout)
        self.assertIn("stack metrics-dev: change set", r.stdout)
        self.assertIn("  Add     DataBucket (AWS::S3::Bucket)\n", r.stdout)  # CloudFormation's
        self.assertIn("+ DataBucket (AWS::S3::Bucket)", r.stdout)  # lakec diff's detail
        self.assertIn("CREATE_COMPLETE", r.stdout)
        self.assertEqual(self.stack("metrics-dev"), "CREATE_COMPLETE")
        self.assertIn("outputs of metrics-dev:", r.stdout)
        self.assertIn("DataBucketName", r.stdout)
        keys = {o["Key"] for o in self.s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
        with open(os.path.join(self.work, "out/metrics/dev/manifest.json")) as f:
            manifest = json.load(f)
        self.assertEqual({k for k in keys if not k.startswith("templates/")},
                         {a["file"] for a in manifest["assets"]})
        # the template is over CloudFormation's 51,200-byte body: given by URL
        self.assertTrue([k for k in keys if k.startswith("templates/metrics-dev-")], keys)

    def test_11_redeploy_unchanged(self):
        r = self.profile("deploy", "--yes", "out/metrics/dev")
        self.assertIn("assets: 0 uploaded, 3 already", r.stdout)
        self.assertIn("stack metrics-dev: no changes", r.stdout)
        self.assertNotIn("change set", r.stdout)
        sets = [s for s in self.cfn.list_change_sets(StackName="metrics-dev")["Summaries"]
                if s["StackName"] == "metrics-dev"]  # moto lists every stack's
        self.assertTrue(sets)
        self.assertEqual([s for s in sets if s["ExecutionStatus"] != "EXECUTE_COMPLETE"], [])

    def test_12_outputs(self):
        r = self.profile("outputs", "out/metrics/dev")
        self.assertIn("DataBucketName", r.stdout)
        r = self.profile("outputs", "--format", "json", "out/metrics/dev")
        outputs = json.loads(r.stdout)["stacks"][0]["outputs"]
        deployed = {o["OutputKey"]: o["OutputValue"]
                    for o in self.cfn.describe_stacks(StackName="metrics-dev")["Stacks"][0]["Outputs"]}
        self.assertEqual(outputs, deployed)

    def test_13_diff_deployed_empty(self):
        r = self.profile("diff", "--deployed", "--exit-code", "out/metrics/dev")
        self.assertIn("no differences", r.stdout)

    def test_14_hand_edited_folder_refused(self):
        self.lakec("build", "-o", "edited", "stages/dev.yaml")
        path = os.path.join(self.work, "edited/metrics/dev/metrics-dev.template.json")
        with open(path) as f:
            t = json.load(f)
        t["Resources"]["IngestFunction"]["Properties"]["MemorySize"] = 2048
        with open(path, "w") as f:
            json.dump(t, f, indent=2)
        r = self.profile("deploy", "--yes", "edited/metrics/dev", status=2)
        self.assertIn("stale or was edited by hand", r.stderr)
        self.assertNotIn("assets:", r.stdout)  # refused before any upload
        os.remove(os.path.join(self.work, "edited/metrics/dev/manifest.json"))
        r = self.profile("deploy", "--yes", "edited/metrics/dev", status=2)
        self.assertIn("is a directory", r.stderr)

    def test_15_change_memory(self):
        path = os.path.join(self.work, "templates/metrics-lake.yaml")
        with open(path) as f:
            text = f.read()
        self.assertIn("    memory: 256\n", text)
        with open(path, "w") as f:
            f.write(text.replace("    memory: 256\n", "    memory: 384\n", 1))
        r = self.profile("diff", "--deployed", "--exit-code", "-o", "out", "stages/dev.yaml",
                         status=1)
        self.assertIn("~ Properties.MemorySize: 256 -> 384", r.stdout)
        r = self.profile("deploy", "--yes", "-o", "out", "stages/dev.yaml")
        self.assertIn("  Modify  IngestFunction (AWS::Lambda::Function)  replacement: False",
                      r.stdout)
        self.assertIn("~ IngestFunction (AWS::Lambda::Function)", r.stdout)
        self.assertIn("UPDATE_COMPLETE", r.stdout)
        self.assertEqual(self.stack("metrics-dev"), "UPDATE_COMPLETE")
        name = self.template_resource("out/metrics/dev", "metrics-dev",
                                      "IngestFunction")["Properties"]["FunctionName"]
        self.assertEqual(self.lam.get_function(FunctionName=name)["Configuration"]["MemorySize"],
                         384)
        self.profile("diff", "--deployed", "--exit-code", "out/metrics/dev")

    def test_16_destructive_change_refused(self):
        path = os.path.join(self.work, "templates/metrics-lake.yaml")
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:  # a new bucket name replaces the bucket: its data is lost
            f.write(text.replace("name: meticsxmin-${stage}", "name: meticsxmin2-${stage}", 1))
        try:
            r = self.profile("deploy", "--yes", "-o", "out", "stages/dev.yaml", status=2)
        finally:
            with open(path, "w") as f:
                f.write(text)
        # moto's change set has no Replacement: lakec's table answers, marked '*'
        self.assertIn("  Modify  DataBucket (AWS::S3::Bucket)  replacement: True*  DESTRUCTIVE",
                      r.stdout)
        self.assertIn("lakec's replacement table", r.stdout)
        self.assertIn("~ DataBucket (AWS::S3::Bucket)  REPLACEMENT  DESTRUCTIVE", r.stdout)
        self.assertIn("--allow-destructive", r.stderr)
        self.assertEqual(self.stack("metrics-dev"), "UPDATE_COMPLETE")
        sets = [s for s in self.cfn.list_change_sets(StackName="metrics-dev")["Summaries"]
                if s["StackName"] == "metrics-dev"]
        self.assertEqual([s for s in sets if s["ExecutionStatus"] != "EXECUTE_COMPLETE"], [])
        self.profile("diff", "--deployed", "--exit-code", "-o", "out", "stages/dev.yaml")

    def test_16b_parameter_only_change_is_shown(self):
        """Another assets bucket changes only a parameter: the change set says so."""
        self.profile("bootstrap", "--assets-bucket", "lakec-other-assets")
        try:
            r = self.profile("deploy", "--yes", "--assets-bucket", "lakec-other-assets",
                             "out/metrics/dev")
            self.assertIn(f"  parameter AssetsBucket: {BUCKET} -> lakec-other-assets", r.stdout)
            self.assertIn("UPDATE_COMPLETE", r.stdout)
        finally:
            r = self.profile("deploy", "--yes", "out/metrics/dev")
        self.assertIn(f"  parameter AssetsBucket: lakec-other-assets -> {BUCKET}", r.stdout)

    def test_16c_unreadable_deployed_template(self):
        """A deployed template lakec cannot read is an error: the change set is
        not judged against an empty one (deploy), nor the stack called not
        deployed (diff --deployed, exit 2, not 1)."""
        self.cfn.create_stack(StackName="metrics-pr5", TemplateBody=(
            "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n"))
        try:
            r = self.profile("diff", "--deployed", "--exit-code", "--as", "pr5", "-o", "out",
                             "stages/dev.yaml", status=2)
            self.assertIn("stack metrics-pr5: its deployed template is not JSON", r.stderr)
            r = self.profile("deploy", "--yes", "--as", "pr5", "-o", "out", "stages/dev.yaml",
                             status=2)
            self.assertIn("stack metrics-pr5: its deployed template is not JSON", r.stderr)
            self.assertEqual(self.stack("metrics-pr5"), "CREATE_COMPLETE")  # not updated
            sets = [c for c in self.cfn.list_change_sets(StackName="metrics-pr5")["Summaries"]
                    if c["StackName"] == "metrics-pr5"]
            self.assertEqual(sets, [])  # the change set lakec made is deleted
        finally:
            self.cfn.delete_stack(StackName="metrics-pr5")

    def test_16d_diff_deployed_errors_exit_2(self):
        with open(os.path.join(self.work, "stages", "broken2.yaml"), "w") as f:
            f.write("lakec: 1\nproject: metrics\nstage: broken2\nregion: us-east-1\n"
                    "buckets:\n  data: {nmae: x}\n")
        r = self.profile("diff", "--deployed", "--exit-code", "-o", "out", "stages/broken2.yaml",
                         status=2)
        self.assertIn("LK104", r.stderr)

    def on_terminal(self, args, answer):
        """lakec with stdin and stderr on a terminal, `answer` typed ahead."""
        master, slave = pty.openpty()
        p = subprocess.Popen([LAKEC, *args], cwd=self.work, env=self.env(), stdin=slave,
                             stdout=subprocess.PIPE, stderr=slave, text=True)
        os.close(slave)
        os.write(master, answer.encode())
        stdout, _ = p.communicate(timeout=300)
        terminal = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the terminal's other side is closed
                break
            if not chunk:
                break
            terminal += chunk
        os.close(master)
        return p.returncode, stdout, terminal.decode(errors="replace")

    def test_17_asks_on_a_terminal(self):
        path = os.path.join(self.work, "templates/metrics-lake.yaml")
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text.replace("    memory: 384\n", "    memory: 448\n", 1))
        args = ["deploy", "--profile", "deployer", "-o", "out", "stages/dev.yaml"]
        status, stdout, terminal = self.on_terminal(args, "n\n")
        self.assertEqual(status, 2, stdout + terminal)
        self.assertIn("deploy these changes to stack metrics-dev? [y/N]", terminal)
        self.assertIn("stack metrics-dev not deployed", terminal)
        self.assertIn("~ Properties.MemorySize: 384 -> 448", stdout)
        self.profile("diff", "--deployed", "--exit-code", "-o", "out", "stages/dev.yaml", status=1)
        status, stdout, terminal = self.on_terminal(args, "y\n")
        self.assertEqual(status, 0, stdout + terminal)
        self.assertIn("UPDATE_COMPLETE", stdout)
        self.profile("diff", "--deployed", "--exit-code", "-o", "out", "stages/dev.yaml")

    def test_18_declined_create_leaves_nothing(self):
        args = ["deploy", "--profile", "deployer", "--as", "pr9", "-o", "out", "stages/dev.yaml"]
        status, stdout, terminal = self.on_terminal(args, "n\n")
        self.assertEqual(status, 2, stdout + terminal)
        self.assertIn("  Add     DataBucket (AWS::S3::Bucket)", stdout)
        self.assertIsNone(self.stack("metrics-pr9"))  # the REVIEW_IN_PROGRESS stack is deleted
        sets = [c for c in self.cfn.list_change_sets(StackName="metrics-pr9")["Summaries"]
                if c["StackName"] == "metrics-pr9" and c["Status"] != "DELETE_COMPLETE"]
        self.assertEqual(sets, [])

    # ---- a failed create, and the recovery ----

    def test_20_failing_deploy_then_recovery(self):
        self.lakec("build", "-o", "out", "stages/qa.yaml")
        taken = self.template_resource("out/metrics/qa", "metrics-qa",
                                       "DataBucket")["Properties"]["BucketName"]
        self.s3.create_bucket(Bucket=taken)  # the name moto refuses to the stack
        r = self.profile("deploy", "--yes", "--format", "json", "out/metrics/qa", status=1)
        self.assertEqual([(s["name"], s["result"]) for s in json.loads(r.stdout)["stacks"]],
                         [("metrics-qa", "failed")])
        self.assertIn("CREATE_FAILED DataBucket (AWS::S3::Bucket) failed: The requested bucket "
                      "name is not available", r.stderr)
        self.assertIn("rolled back: ROLLBACK_COMPLETE", r.stderr)
        self.assertEqual(self.stack("metrics-qa"), "ROLLBACK_COMPLETE")
        self.s3.delete_bucket(Bucket=taken)
        r = self.profile("deploy", "--yes", "out/metrics/qa")
        self.assertIn("ROLLBACK_COMPLETE (an earlier create failed): deleting it first", r.stdout)
        self.assertEqual(self.stack("metrics-qa"), "CREATE_COMPLETE")

    # ---- two stacks ----

    def test_30_two_stacks(self):
        r = self.profile("deploy", "--yes", "--format", "json", "-o", "out",
                         "stages/cat-etl/test.yaml")
        result = json.loads(r.stdout)
        self.assertEqual([(s["name"], s["result"]) for s in result["stacks"]],
                         [("cat-test-normalize-stack", "created"),
                          ("cat-test-etl2-stack", "created")])
        self.assertEqual(self.stack("cat-test-normalize-stack"), "CREATE_COMPLETE")
        self.assertEqual(self.stack("cat-test-etl2-stack"), "CREATE_COMPLETE")
        r = self.profile("deploy", "--yes", "out/metrics/dev", "out/cat/test")  # two stages
        self.assertIn("stack metrics-dev: no changes", r.stdout)
        self.assertIn("stack cat-test-normalize-stack: no changes", r.stdout)
        self.assertIn("stack cat-test-etl2-stack: no changes", r.stdout)
        r = self.profile("outputs", "out/metrics/dev", "out/cat/test")
        self.assertLess(r.stdout.index("outputs of metrics-dev:"),
                        r.stdout.index("outputs of cat-test-normalize-stack:"))

    # ---- preview stages (--as) ----

    def test_35_preview_stage(self):
        r = self.profile("deploy", "--yes", "--as", "pr7", "-o", "out", "stages/dev.yaml")
        self.assertIn("stack metrics-pr7: change set", r.stdout)
        self.assertEqual(self.stack("metrics-pr7"), "CREATE_COMPLETE")
        self.assertEqual(self.stack("metrics-dev"), "UPDATE_COMPLETE")  # the stage itself untouched
        self.assertTrue(self.bucket_exists("meticsxmin-pr7"))
        outputs = json.loads(self.profile("outputs", "--format", "json", "--as", "pr7",
                                          "out/metrics/pr7").stdout)["stacks"][0]["outputs"]
        self.assertEqual(outputs["DataBucketName"], "meticsxmin-pr7")
        r = self.profile("outputs", "out/metrics/pr7", status=2)  # the folder is pr7's
        self.assertIn("needs its --as NAME", r.stderr)
        self.profile("diff", "--deployed", "--exit-code", "--as", "pr7", "out/metrics/pr7")
        r = self.profile("destroy", "--yes", "--empty-buckets", "--as", "pr7", "stages/dev.yaml")
        self.assertIn("stack metrics-pr7: deleted", r.stdout)
        self.assertIsNone(self.stack("metrics-pr7"))
        self.assertFalse(self.bucket_exists("meticsxmin-pr7"))

    def test_36_preview_refusals(self):
        r = self.profile("deploy", "--yes", "--as", "pr7", "-o", "out", "stages/prod.yaml",
                         status=1)
        self.assertIn("[LK600]", r.stderr)
        self.assertIsNone(self.stack("metrics-pr7"))
        fixed = os.path.join(self.work, "stages", "fixed.yaml")
        with open(fixed, "w") as f:  # a bucket name that does not follow the stage
            f.write("lakec: 1\nextends: ../templates/metrics-lake.yaml\nstage: fixed\n"
                    "buckets:\n  data:\n    name: fixed-data-bucket-name\n")
        r = self.profile("deploy", "--yes", "--as", "pr8", "-o", "out", "stages/fixed.yaml",
                         status=1)
        self.assertIn("fixed-data-bucket-name", r.stderr)
        self.assertIn("[LK307]", r.stderr)
        self.assertIsNone(self.stack("metrics-pr8"))

    # ---- destroy ----

    def test_40_production_refuses_empty_buckets(self):
        r = self.profile("destroy", "--yes", "--empty-buckets", "-o", "out", "stages/prod.yaml",
                         status=2)
        self.assertIn("is production", r.stderr)

    def test_41_destroy_needs_empty_buckets(self):
        bucket = self.template_resource("out/metrics/dev", "metrics-dev",
                                        "DataBucket")["Properties"]["BucketName"]
        self.s3.put_object(Bucket=bucket, Key="raw/a.json", Body=b"{}")
        r = self.profile("destroy", "--yes", "--format", "json", "out/metrics/dev", status=1)
        self.assertEqual(json.loads(r.stdout)["stacks"][0]["result"], "failed")
        self.assertIn("The bucket you tried to delete is not empty", r.stderr)
        self.assertIn("--empty-buckets", r.stderr)
        self.assertEqual(self.stack("metrics-dev"), "DELETE_FAILED")
        r = self.profile("destroy", "--yes", "--empty-buckets", "out/metrics/dev")
        self.assertIn(f"bucket {bucket} emptied", r.stdout)
        self.assertIsNone(self.stack("metrics-dev"))
        self.assertFalse(self.bucket_exists(bucket))

    def test_42_destroy_two_stacks_keeps_retained(self):
        """Which buckets are retained comes from the deployed stack: a local
        edit that drops `retain` does not empty the bucket the stack keeps."""
        self.s3.put_object(Bucket="cat-test-normalize-reports", Key="report.csv", Body=b"a,b\n")
        path = os.path.join(self.work, "templates/cat-etl.yaml")
        with open(path) as f:
            text = f.read()
        self.assertIn("    retain: true", text)
        with open(path, "w") as f:
            f.write(text.replace("    retain: true", "    retain: false", 1))
        try:
            r = self.profile("destroy", "--yes", "--empty-buckets", "-o", "edited",
                             "stages/cat-etl/test.yaml")
        finally:
            with open(path, "w") as f:
                f.write(text)
        out = r.stdout
        self.assertLess(out.index("cat-test-etl2-stack: deleting"),
                        out.index("cat-test-normalize-stack: deleting"))  # reverse order
        self.assertIn("ReportsBucket (AWS::S3::Bucket) is retained: left behind", out)
        self.assertNotIn("cat-test-normalize-reports emptied", out)
        self.assertIsNone(self.stack("cat-test-etl2-stack"))
        self.assertIsNone(self.stack("cat-test-normalize-stack"))
        self.assertTrue(self.bucket_exists("cat-test-normalize-reports"))
        self.assertEqual(self.s3.list_objects_v2(Bucket="cat-test-normalize-reports")["KeyCount"], 1)
        r = self.profile("destroy", "--yes", "--format", "json", "out/cat/test")  # nothing left
        self.assertEqual([(s["name"], s["result"]) for s in json.loads(r.stdout)["stacks"]],
                         [("cat-test-normalize-stack", "not deployed"),
                          ("cat-test-etl2-stack", "not deployed")])

if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
