#!/usr/bin/env python3
"""The README's deploy instructions, run as they are written.

Takes the shell block of the README's "Deploying a stage" section, builds the
stage it names (with the real handler zips), and runs the block with the aws
CLI pointed at moto through AWS_ENDPOINT_URL (started on a free 127.0.0.1
port, stopped by its PID). Then checks that every stack of the manifest was
created, in the manifest's order, with the code keys the manifest lists: the
README's deploy section cannot drift from what lakec writes.

usage: readme_deploy.py LAKEC PROJECT_ROOT HANDLERS_DIR
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

import boto3

LAKEC, ROOT, HANDLERS = (os.path.abspath(a) for a in sys.argv[1:4])
del sys.argv[1:4]
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from motoproc import MotoServer  # noqa: E402


def readme_deploy_block():
    with open(os.path.join(ROOT, "README.md")) as f:
        text = f.read()
    section = text.split("## Deploying a stage", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
    if len(blocks) != 1:
        raise AssertionError("the deploy section should have one sh block, has %d" % len(blocks))
    return blocks[0]


class ReadmeDeploy(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="lakec-readme-")
        cls.moto = MotoServer()

    @classmethod
    def tearDownClass(cls):
        cls.moto.stop()
        shutil.rmtree(cls.work)

    def test_the_metrics_lake(self):
        self.deploy_as_the_readme_says(os.path.join(ROOT, "stages", "dev.yaml"), None)

    def test_several_stacks_with_an_import(self):
        """The same block for a stage of four stacks: the last imports an export of the third."""
        self.deploy_as_the_readme_says(
            os.path.join(ROOT, "tests", "integration", "fixtures", "two-stacks.yaml"),
            "out/twostack/dev")

    def deploy_as_the_readme_says(self, stage_file, folder):
        block = readme_deploy_block()
        written = re.search(r"^dir=(\S+)", block, re.M).group(1)
        bucket = re.search(r"\bbucket=(\S+)", block).group(1)
        self.assertEqual(written, "out/metrics/dev")
        if folder:  # the same instructions for another stage's folder
            block = block.replace("dir=" + written, "dir=" + folder, 1)
        folder = folder or written
        r = subprocess.run([LAKEC, "build", "--handlers", HANDLERS, "-o", os.path.join(self.work, "out"),
                            stage_file], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        env = dict(os.environ, AWS_ENDPOINT_URL=self.moto.endpoint, AWS_ACCESS_KEY_ID="testing",
                   AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
        env.pop("AWS_PROFILE", None)
        s3 = boto3.client("s3", endpoint_url=self.moto.endpoint, region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
        if "Buckets" not in s3.list_buckets() or bucket not in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
            s3.create_bucket(Bucket=bucket)
        r = subprocess.run(["sh", "-e", "-c", block], cwd=self.work, env=env, capture_output=True,
                           text=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        with open(os.path.join(self.work, folder, "manifest.json")) as f:
            manifest = json.load(f)
        cfn = boto3.client("cloudformation", endpoint_url=self.moto.endpoint, region_name="us-east-1",
                           aws_access_key_id="testing", aws_secret_access_key="testing")
        created = {}
        for stack in manifest["stacks"]:
            got = cfn.describe_stacks(StackName=stack["name"])["Stacks"][0]
            self.assertEqual(got["StackStatus"], "CREATE_COMPLETE", got.get("StackStatusReason"))
            created[stack["name"]] = got["CreationTime"]
        times = [created[s["name"]] for s in manifest["stacks"]]
        self.assertEqual(times, sorted(times))  # deployed in the manifest's order
        keys = {o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]}
        for asset in manifest["assets"]:
            self.assertIn(asset["file"], keys)  # the zips went where the code keys say


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
