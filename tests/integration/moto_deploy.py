#!/usr/bin/env python3
"""Deploy every generated template into moto and check what it created.

Starts moto (through moto_server.py beside this file) on a free 127.0.0.1
port, builds stages/*.yaml and the fixtures with lakec --no-package, uploads
a placeholder zip per asset listed in each stage's manifest.json (the real zips
are handlers_e2e.py's), creates every stack of every stage in the manifest's
order with the aws CLI's library (boto3), waiting for each (a later stack may
import an earlier one's export), and asserts CREATE_COMPLETE and that the
buckets, roles, functions, rules, queues, event source mappings and REST APIs
exist with the properties the templates asked for.

usage: moto_deploy.py LAKEC PROJECT_ROOT
"""
import glob
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest
import zipfile

import boto3

LAKEC, ROOT = sys.argv[1], sys.argv[2]
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from motoproc import MotoServer  # noqa: E402


def placeholder_zip():
    """A zip with a bootstrap that says it is a placeholder: the test's own fixture."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("bootstrap", "#!/bin/sh\necho 'placeholder for the deploy test' >&2\nexit 1\n")
    return buf.getvalue()


def wait_stack(cfn, name):
    for _ in range(300):
        stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
        if not stack["StackStatus"].endswith("IN_PROGRESS"):
            return stack
        time.sleep(0.2)
    raise AssertionError(f"{name} still in progress")


class MotoDeploy(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = MotoServer()
        cls.endpoint = cls.server.endpoint
        try:
            cls.build_and_deploy()
        except BaseException:
            cls.stop_server()  # tearDownClass does not run when setUpClass fails
            raise

    @classmethod
    def build_and_deploy(cls):
        cls.out = tempfile.mkdtemp(prefix="lakec-moto-")
        inputs = sorted(os.path.relpath(f, ROOT) for f in glob.glob(os.path.join(ROOT, "stages", "*.yaml"))
                        + glob.glob(os.path.join(ROOT, "stages", "*", "*.yaml")))
        fixtures = os.path.join("tests", "integration", "fixtures")
        inputs += sorted(os.path.join(fixtures, f) for f in os.listdir(os.path.join(ROOT, fixtures))
                         if f.endswith(".yaml"))
        subprocess.run([LAKEC, "build", "--no-package", "-o", cls.out] + inputs, cwd=ROOT, check=True)
        session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                        region_name="us-east-1")
        cls.client = lambda self, name: session.client(name, endpoint_url=self.endpoint)
        cls.stacks = {}
        cls.cfn = session.client("cloudformation", endpoint_url=cls.endpoint)
        cls.deploy_all(cls)

    @classmethod
    def stop_server(cls):
        cls.server.stop()

    @classmethod
    def tearDownClass(cls):
        cls.stop_server()

    def deploy_all(self):
        s3 = self.client(self, "s3")
        s3.create_bucket(Bucket="lakec-test-assets")
        for project in sorted(os.listdir(self.out)):
            for stage in sorted(os.listdir(os.path.join(self.out, project))):
                self.deploy_stage(self, os.path.join(self.out, project, stage), stage)

    def deploy_stage(self, folder, stage):
        s3 = self.client(self, "s3")
        cfn = self.client(self, "cloudformation")
        with open(os.path.join(folder, "manifest.json")) as f:
            manifest = json.load(f)
        given = {manifest["bucket_parameter"]: "lakec-test-assets"}
        for asset in manifest["assets"]:
            if asset.get("kind") == "script":  # a Glue job's script: written even unpackaged
                key = asset["file"]
                with open(os.path.join(folder, key), "rb") as f:
                    s3.put_object(Bucket="lakec-test-assets", Key=key, Body=f.read())
            else:
                key = f"test/{manifest['project']}/{stage}/{asset['handler']}.zip"
                s3.put_object(Bucket="lakec-test-assets", Key=key, Body=placeholder_zip())
            given[asset["parameter"]] = key
        for stack in manifest["stacks"]:  # in deploy order
            with open(os.path.join(folder, stack["template"])) as f:
                body = f.read()
            params = [{"ParameterKey": k, "ParameterValue": given[k]} for k in stack["parameters"]]
            cfn.create_stack(StackName=stack["name"], TemplateBody=body, Parameters=params,
                             Capabilities=["CAPABILITY_IAM"])
            self.stacks[stack["name"]] = (stage, json.loads(body))
            wait_stack(cfn, stack["name"])

    def wait_complete(self, name):
        return wait_stack(self.cfn, name)

    def physical_ids(self, name):
        cfn = self.client("cloudformation")
        resources = cfn.list_stack_resources(StackName=name)["StackResourceSummaries"]
        return {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in resources}

    def resources_of(self, template, kind):
        return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}

    def test_every_stack_is_created(self):
        self.assertEqual(sorted(self.stacks), sorted([
            "cat-prod-etl2-stack", "cat-prod-normalize-stack", "cat-test-etl2-stack",
            "cat-test-normalize-stack", "kitchen-sink", "lakehouse-dev", "lakehouse-prod",
            "AcmeDashboardStack-dev", "AcmeDashboardStack-prod", "AcmeDataGenStack-dev",
            "AcmeDataGenStack-prod", "AcmeDataLakeStack-dev", "AcmeDataLakeStack-prod",
            "AcmeMskStack-dev", "AcmeMskStack-prod", "AcmeNetworkStack-dev", "AcmeNetworkStack-prod",
            "medallion-dev", "metrics-dev", "metrics-prod", "metrics-qa", "netmix-dev-compute",
            "netmix-dev-network", "option-a-dev",
            "option-a-prod", "patched-dev-compute", "patched-dev-storage", "pipes-fork",
            "pipes-line", "rawmix-dev-compute", "rawmix-dev-data", "telemetry-dev",
            "twostack-dev-clients", "twostack-dev-compute",
            "twostack-dev-edge", "twostack-dev-storage"]))
        for name in self.stacks:
            with self.subTest(stack=name):
                stack = self.wait_complete(name)
                self.assertEqual(stack["StackStatus"], "CREATE_COMPLETE", stack.get("StackStatusReason"))

    def test_catalog_tables_are_skipped_and_the_jobs_roles_created(self):
        """moto's CloudFormation skips AWS::Glue::Table (and Glue jobs); the
        stack completes, and the roles that grant the tables exist."""
        self.assertEqual(self.wait_complete("medallion-dev")["StackStatus"], "CREATE_COMPLETE")
        ids = self.physical_ids("medallion-dev")
        self.assertIn("SilverJobRole", ids)
        self.assertIn("GoldJobRole", ids)
        self.assertNotIn("OrdersCatalogTable", ids)
        self.assertNotIn("TelemetryCatalogTable", self.physical_ids("telemetry-dev"))

    def test_cat_etl_stacks_in_order_and_the_seeds_names(self):
        """Seed 001: ETL-1 is deployed before ETL-2, which uses its bucket;
        every name is the seed's."""
        order = list(self.stacks)
        for stage in ("test", "prod"):
            self.assertLess(order.index(f"cat-{stage}-normalize-stack"),
                            order.index(f"cat-{stage}-etl2-stack"))
            fn = self.client("lambda").get_function(
                FunctionName=f"cat-{stage}-lambda-normalize")["Configuration"]
            env = fn["Environment"]["Variables"]
            self.assertEqual(env["S3_BUCKET_NAME"], f"cat-{stage}-normalize-reports")
            self.assertEqual(env["DYNAMODB_TABLE_NAME"], f"cat-{stage}-catia-conversations-table")
            self.assertEqual(env["ENVIRONMENT"], stage.upper())
            self.assertEqual((fn["MemorySize"], fn["Timeout"]),
                             (512, 300) if stage == "test" else (1024, 900))
            s3 = self.client("s3")
            bucket = f"cat-{stage}-normalize-reports"
            self.assertEqual(s3.get_bucket_versioning(Bucket=bucket)["Status"], "Enabled")
            template = self.stacks[f"cat-{stage}-normalize-stack"][1]  # moto keeps no lifecycle
            rules = template["Resources"]["ReportsBucket"]["Properties"]["LifecycleConfiguration"]
            self.assertIn(30, [r.get("NoncurrentVersionExpiration", {}).get("NoncurrentDays")
                               for r in rules["Rules"]])
            events = self.client("events")
            rule = events.describe_rule(Name=self.physical_ids(f"cat-{stage}-etl2-stack")[
                "Etl2WorkflowObjectCreatedRule"])
            self.assertEqual(json.loads(rule["EventPattern"])["detail"]["object"]["key"],
                             [{"wildcard": "reports/etl-process1/*.csv"}])
            schedule = events.describe_rule(Name=self.physical_ids(f"cat-{stage}-normalize-stack")[
                "NormalizeScheduleRule"])
            self.assertEqual(schedule["ScheduleExpression"], "cron(30 4 * * ? *)")
            self.assertEqual(schedule["State"], "DISABLED" if stage == "test" else "ENABLED")

    def test_patched_values_are_deployed(self):
        """The patches fixture: the patched values are what CloudFormation
        created (a bucket's versioning, a queue's tag, a function's variable
        naming the other stack's queue)."""
        self.assertEqual(self.wait_complete("patched-dev-compute")["StackStatus"], "CREATE_COMPLETE")
        s3 = self.client("s3")
        self.assertEqual(s3.get_bucket_versioning(Bucket="patched-dev-data")["Status"], "Suspended")
        sqs = self.client("sqs")
        url = sqs.get_queue_url(QueueName="patched-dev-jobs")["QueueUrl"]
        self.assertEqual(sqs.list_queue_tags(QueueUrl=url)["Tags"].get("owner"), "data-team")
        fn = self.client("lambda").get_function(FunctionName="patched-dev-ingest")["Configuration"]
        self.assertTrue(fn["Environment"]["Variables"]["JOBS_URL"].endswith("/patched-dev-jobs"))

    def test_raw_resources_beside_constructs(self):
        """The raw fixture: the raw table (stack data) created as written (moto's
        CloudFormation skips its TimeToLiveSpecification),
        the function (stack compute) told its name through the export, its
        role granted the written-out statement on the table's ARN, the raw
        alarm's import of the table (moto skips alarms) exported."""
        self.assertEqual(self.wait_complete("rawmix-dev-compute")["StackStatus"], "CREATE_COMPLETE")
        ddb = self.client("dynamodb")
        table = ddb.describe_table(TableName="rawmix-dev-sessions")["Table"]
        self.assertEqual(table["KeySchema"], [{"AttributeName": "id", "KeyType": "HASH"}])
        self.assertEqual(table["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST")
        fn = self.client("lambda").get_function(FunctionName="rawmix-dev-api")["Configuration"]
        self.assertEqual(fn["Environment"]["Variables"]["SESSIONS_TABLE"], "rawmix-dev-sessions")
        iam = self.client("iam")
        role = fn["Role"].rsplit("/", 1)[1]
        policy = iam.get_role_policy(RoleName=role, PolicyName="ApiFunctionRolePolicy")
        document = policy["PolicyDocument"]  # moto may answer it as text, not JSON
        text = document if isinstance(document, str) else json.dumps(document)
        self.assertIn("dynamodb:GetItem", text)
        self.assertIn(table["TableArn"], text)
        # moto skips the alarm; what it imports is the data stack's export
        exports = {e["Name"]: e["Value"] for e in
                   self.client("cloudformation").list_exports()["Exports"]}
        self.assertEqual(exports["rawmix-dev-data-Sessions"], "rawmix-dev-sessions")
        self.assertEqual(exports["rawmix-dev-data-Sessions-Arn"], table["TableArn"])

    def test_network_vpc_groups_and_function_in_the_vpc(self):
        """The network fixture: the VPC with the subnets' blocks lakec computed
        (public first, then private), the NAT gateways, the compute stack's
        group admitting the network's group through the import, and the
        function placed in the private subnets with both groups."""
        self.assertEqual(self.wait_complete("netmix-dev-compute")["StackStatus"], "CREATE_COMPLETE")
        ec2 = self.client("ec2")
        vpc_id = self.physical_ids("netmix-dev-network")["MainVpc"]
        self.assertEqual(ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]["CidrBlock"], "10.0.0.0/16")
        subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
        self.assertEqual(sorted(s["CidrBlock"] for s in subnets),
                         ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"])
        nats = ec2.describe_nat_gateways(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])
        self.assertEqual(len(nats["NatGateways"]), 2)
        network, compute = self.physical_ids("netmix-dev-network"), self.physical_ids("netmix-dev-compute")
        fn = self.client("lambda").get_function(FunctionName="netmix-dev-worker")["Configuration"]
        private = {network["MainPrivateSubnet1"], network["MainPrivateSubnet2"]}
        self.assertEqual(set(fn["VpcConfig"]["SubnetIds"]), private)
        groups = ec2.describe_security_groups(GroupIds=[compute["CacheSecurityGroup"]])["SecurityGroups"]
        sources = {(p["FromPort"], p["ToPort"], g["GroupId"])
                   for p in groups[0]["IpPermissions"] for g in p.get("UserIdGroupPairs", [])}
        self.assertIn((6379, 6379, network["LambdaSecurityGroup"]), sources)
        self.assertIn((6379, 6380, compute["CacheSecurityGroup"]), sources)

    def test_telemetry_five_stacks_in_manifest_order(self):
        """Seed 004, both stages, deployed in the manifest's order (network, msk,
        datalake, datagen, dashboard). moto creates the network (VPC, subnets,
        NAT, routes, endpoints, flow log, groups and their rules) and the
        connections table itself; the tests' moto launcher adds the MSK cluster
        and topic, the WebSocket API and the Kafka event source mapping on
        moto's own backends (README: the moto gaps). moto skips the Glue
        database and tables."""
        ec2, lam, kafka = self.client("ec2"), self.client("lambda"), self.client("kafka")
        dynamodb, apigw2, glue = self.client("dynamodb"), self.client("apigatewayv2"), self.client("glue")
        order = list(self.stacks)
        for stage, zones, nats, brokers in (("dev", 2, 1, 2), ("prod", 3, 3, 3)):
            names = [f"Acme{s}Stack-{stage}" for s in ("Network", "Msk", "DataLake", "DataGen", "Dashboard")]
            self.assertEqual([n for n in order if n in names], names)
            for name in names:
                self.assertEqual(self.wait_complete(name)["StackStatus"], "CREATE_COMPLETE", name)
            net = self.physical_ids(names[0])
            vpc = ec2.describe_vpcs(VpcIds=[net["MainVpc"]])["Vpcs"][0]
            self.assertEqual(vpc["CidrBlock"], "10.0.0.0/16" if stage == "dev" else "10.1.0.0/16")
            subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["Subnets"]
            self.assertEqual(len(subnets), 2 * zones)
            self.assertEqual(len({s["AvailabilityZone"] for s in subnets}), zones)
            found = ec2.describe_nat_gateways(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])
            self.assertEqual(len(found["NatGateways"]), nats)
            endpoints = ec2.describe_vpc_endpoints(VpcEndpointIds=[net["MainS3Endpoint"], net["MainDynamodbEndpoint"]])
            self.assertEqual(sorted(e["ServiceName"].split(".")[-1] for e in endpoints["VpcEndpoints"]),
                             ["dynamodb", "s3"])
            msk_group = ec2.describe_security_groups(GroupIds=[net["MskSecurityGroup"]])["SecurityGroups"][0]
            admitted = {(p["FromPort"], g["GroupId"]) for p in msk_group["IpPermissions"]
                        for g in p.get("UserIdGroupPairs", [])}
            self.assertEqual(admitted, {(9098, net["LambdaSecurityGroup"]), (9098, net["MskSecurityGroup"])})
            # msk: the cluster in the private subnets, its ARN in AWS's shape, exported
            cluster_arn = self.outputs(names[1])["MskClusterArn"]
            self.assertRegex(cluster_arn, rf"^arn:aws:kafka:[^:]+:\d+:cluster/acme-data-{stage}-msk/[0-9a-f-]+$")
            info = kafka.describe_cluster(ClusterArn=cluster_arn)["ClusterInfo"]
            self.assertEqual(info["NumberOfBrokerNodes"], brokers)
            self.assertEqual(set(info["BrokerNodeGroupInfo"]["ClientSubnets"]),
                             {net[f"MainPrivateSubnet{z}"] for z in range(1, zones + 1)})
            # datagen: the producer in the private subnets and the functions' group, told the cluster
            producer = lam.get_function(FunctionName=f"acme-data-{stage}-producer")["Configuration"]
            self.assertEqual(set(producer["VpcConfig"]["SubnetIds"]),
                             {net[f"MainPrivateSubnet{z}"] for z in range(1, zones + 1)})
            self.assertEqual(producer["VpcConfig"]["SecurityGroupIds"], [net["LambdaSecurityGroup"]])
            env = producer["Environment"]["Variables"]
            self.assertEqual((env["LAKEC_KAFKA_CLUSTER_ARN"], env["LAKEC_KAFKA_TOPIC"]),
                             (cluster_arn, "acme-telemetry"))
            generator = lam.get_function(FunctionName=f"acme-data-{stage}-generator")["Configuration"]
            self.assertEqual(generator["Environment"]["Variables"]["LAKEC_FUNCTION_PRODUCER"],
                             f"acme-data-{stage}-producer")
            # dashboard: the table with its TTL, the mapping on the cluster, the API
            table = dynamodb.describe_table(TableName=f"acme-data-{stage}-connections")["Table"]
            self.assertEqual(table["KeySchema"], [{"AttributeName": "connectionId", "KeyType": "HASH"}])
            _, dashboard = self.stacks[names[4]]  # moto's CloudFormation ignores the TTL: the template
            self.assertEqual(dashboard["Resources"]["ConnectionsTable"]["Properties"]["TimeToLiveSpecification"],
                             {"AttributeName": "ttl", "Enabled": True})
            (mapping,) = lam.list_event_source_mappings(FunctionName=f"acme-data-{stage}-consumer")["EventSourceMappings"]
            self.assertEqual((mapping["EventSourceArn"], mapping["Topics"], mapping["StartingPosition"]),
                             (cluster_arn, ["acme-telemetry"], "LATEST"))
            apis = {a["Name"]: a for a in apigw2.get_apis()["Items"]}
            api = apis[f"acme-data-{stage}-dashboard"]
            self.assertEqual(api["ProtocolType"], "WEBSOCKET")
            self.assertEqual(self.outputs(names[4])["WebSocketApiEndpoint"],
                             f"wss://{api['ApiId']}.execute-api.us-east-1.amazonaws.com/live")
            consumer = lam.get_function(FunctionName=f"acme-data-{stage}-consumer")["Configuration"]
            self.assertEqual(consumer["Environment"]["Variables"]["LAKEC_WEBSOCKET_DASHBOARD_URL"],
                             f"https://{api['ApiId']}.execute-api.us-east-1.amazonaws.com/live")
            databases = {d["Name"] for d in glue.get_databases()["DatabaseList"]}
            self.assertNotIn(f"acme_telemetry_{stage}", databases)  # skipped by moto

    def outputs(self, stack):
        described = self.wait_complete(stack)
        return {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}

    def test_api_ingestion_queues_topic_and_worker(self):
        """Seed 002 as moto created it: four queues, each with its dead-letter
        queue after 5 receives, consumed by the worker (one mapping each, batches
        of 10, partial failures), the planner told the queue URLs, the alarm
        topic encrypted with its subscriptions."""
        sqs, lam, sns = self.client("sqs"), self.client("lambda"), self.client("sns")
        for stage in ("dev", "prod"):
            planner = lam.get_function(FunctionName=f"option-a-{stage}-planner")["Configuration"]
            env = planner["Environment"]["Variables"]
            self.assertEqual(env["ENDPOINTS"], "api-a,api-b,api-c,api-d")
            self.assertEqual(env["PAGES"], "1" if stage == "dev" else "3")
            mappings = lam.list_event_source_mappings(
                FunctionName=f"option-a-{stage}-worker")["EventSourceMappings"]
            self.assertEqual(len(mappings), 4)
            for endpoint in ("api-a", "api-b", "api-c", "api-d"):
                url = sqs.get_queue_url(QueueName=f"option-a-{stage}-{endpoint}")["QueueUrl"]
                # moto answers with its own host; the queue's path is what must agree
                told = env[f"LAKEC_QUEUE_{endpoint.upper().replace('-', '_')}_URL"]
                self.assertEqual(told.split("/", 3)[3], url.split("/", 3)[3])
                attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
                redrive = json.loads(attrs["RedrivePolicy"])
                self.assertEqual(int(redrive["maxReceiveCount"]), 5)
                self.assertTrue(redrive["deadLetterTargetArn"].endswith(f"{endpoint}-dlq"))
                self.assertEqual(attrs["VisibilityTimeout"], "720")
            topic = next(t["TopicArn"] for t in sns.list_topics()["Topics"]
                         if t["TopicArn"].endswith(f":option-a-{stage}-alerts"))
            subscribers = sorted(s["Endpoint"] for s in
                                 sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"])
            self.assertEqual(subscribers, ["data-oncall@example.com"] if stage == "dev" else
                             ["data-oncall@example.com", "platform-oncall@example.com"])

    def test_lakehouse_pipeline_buckets_and_what_moto_skips(self):
        """Seed 003 as moto created it: the three layer buckets, the extract
        function, the state machine with its definition resolved (the function's
        ARN substituted, the Glue jobs named literally), logging and tracing
        asked for, the nightly schedule off in dev and on in prod. moto skips
        the Glue databases, Iceberg tables and jobs (the README says so): none
        of them exists in moto's Glue."""
        sfn, lam, events, glue, s3 = (self.client(n) for n in
                                      ("stepfunctions", "lambda", "events", "glue", "s3"))
        buckets = {b["Name"] for b in s3.list_buckets()["Buckets"]}
        databases = {d["Name"] for d in glue.get_databases()["DatabaseList"]}
        for stage, state in (("dev", "DISABLED"), ("prod", "ENABLED")):
            ids = self.physical_ids(f"lakehouse-{stage}")
            for layer in ("bronze", "silver", "gold"):
                self.assertIn(f"lakehouse-{stage}-{layer}", buckets)
            machine = sfn.describe_state_machine(stateMachineArn=ids["PipelineStateMachine"])
            self.assertEqual(machine["name"], f"lakehouse-{stage}-pipeline")
            definition = json.loads(machine["definition"])
            extract = lam.get_function(FunctionName=ids["ExtractFunction"])["Configuration"]
            self.assertEqual(definition["States"]["Extract"]["Parameters"]["FunctionName"],
                             extract["FunctionArn"])
            self.assertEqual([definition["States"][s]["Parameters"]["JobName"] for s in ("Silver", "Gold")],
                             [f"lakehouse-{stage}-silver-transform", f"lakehouse-{stage}-gold-aggregate"])
            rule = events.describe_rule(Name=ids["PipelineStateMachineScheduleRule"])
            self.assertEqual((rule["State"], rule["ScheduleExpression"]), (state, "cron(0 2 * * ? *)"))
            (target,) = events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
            self.assertEqual(target["Arn"], machine["stateMachineArn"])
            self.assertNotIn(f"lakehouse_{stage}_silver", databases)
            self.assertNotIn("SilverJob", ids)

    def test_cat_etl_new_csv_reaches_the_workflow_rule(self):
        """S3 sends the bucket's events to EventBridge and the workflow's rule
        matches a new CSV under the clean prefix and nothing else. moto does
        not deliver to Glue (nor has NotifyEvent), so a probe rule with the
        deployed rule's own pattern and an SQS target shows what it matches."""
        sqs, events, s3 = self.client("sqs"), self.client("events"), self.client("s3")
        rule = self.physical_ids("cat-test-etl2-stack")["Etl2WorkflowObjectCreatedRule"]
        pattern = events.describe_rule(Name=rule)["EventPattern"]
        url = sqs.create_queue(QueueName="cat-test-rule-probe")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        events.put_rule(Name="cat-test-rule-probe", EventPattern=pattern)
        events.put_targets(Rule="cat-test-rule-probe", Targets=[{"Id": "probe", "Arn": arn}])
        bucket = "cat-test-normalize-reports"
        s3.put_object(Bucket=bucket, Key="reports/etl-process1/dt=2026-12-01/c.csv", Body=b"a\n1\n")
        s3.put_object(Bucket=bucket, Key="curated/dt=2026-12-01/part-0.parquet", Body=b"x")
        s3.put_object(Bucket=bucket, Key="reports/etl-process1/dt=2026-12-01/notes.txt", Body=b"x")
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=2)
        keys = [json.loads(m["Body"])["detail"]["object"]["key"] for m in got.get("Messages", [])]
        self.assertEqual(keys, ["reports/etl-process1/dt=2026-12-01/c.csv"])

    def test_import_across_stacks_resolves(self):
        """clients imports the API id that edge exports: the caller's invoke
        policy names the real API."""
        apigw, iam = self.client("apigateway"), self.client("iam")
        api_id = {a["name"]: a["id"] for a in apigw.get_rest_apis()["items"]}["twostack-dev"]
        role = next(r["RoleName"] for r in iam.list_roles()["Roles"]
                    if r["RoleName"].startswith("twostack-dev-clients-CallerFunctionRole"))
        names = iam.list_role_policies(RoleName=role)["PolicyNames"]
        text = json.dumps([iam.get_role_policy(RoleName=role, PolicyName=n)["PolicyDocument"]
                           for n in names])
        self.assertIn(f":execute-api:us-east-1:123456789012:{api_id}/", text)
        exports = {e["Name"]: e["Value"] for e in
                   self.client("cloudformation").list_exports()["Exports"]}
        self.assertEqual(exports["twostack-dev-edge-Api"], api_id)

    def test_queues_and_their_mappings(self):
        sqs, lam = self.client("sqs"), self.client("lambda")
        url = sqs.get_queue_url(QueueName="kitchen-sink-jobs.fifo")["QueueUrl"]
        attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        self.assertEqual(attrs["FifoQueue"], "true")
        self.assertEqual(attrs["VisibilityTimeout"], "180")
        redrive = json.loads(attrs["RedrivePolicy"])
        self.assertEqual(int(redrive["maxReceiveCount"]), 3)
        self.assertTrue(redrive["deadLetterTargetArn"].endswith(":kitchen-sink-jobs-dlq.fifo"))
        mapping = lam.list_event_source_mappings(
            FunctionName="kitchen-sink-worker")["EventSourceMappings"][0]
        self.assertTrue(mapping["EventSourceArn"].endswith(":kitchen-sink-jobs.fifo"))
        self.assertEqual(mapping["BatchSize"], 5)
        other = lam.list_event_source_mappings(FunctionName="kitchen-sink-on-suffix")
        self.assertTrue(other["EventSourceMappings"][0]["EventSourceArn"].endswith(
            ":kitchen-events-queue"))
        sqs.get_queue_url(QueueName="twostack-dev-jobs")  # storage's queue, used from compute

    def test_state_machines_with_their_logs_and_resolved_definitions(self):
        """Each state machine exists under its name, its Fn::Sub definition
        resolved (the functions' ARNs in, no ${...} left), with its log group
        and its schedule rule as asked. (moto's CloudFormation drops the
        logging and tracing configurations: the golden templates, the unit
        tests and the rule packs check them.)"""
        sfn, logs, events = self.client("stepfunctions"), self.client("logs"), self.client("events")
        arns = {m["name"]: m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"]}
        for name, schedule in (("pipes-line-pipeline", "ENABLED"),
                               ("pipes-fork-pipeline", "DISABLED")):
            with self.subTest(machine=name):
                self.assertIn(name, arns)
                m = sfn.describe_state_machine(stateMachineArn=arns[name])
                self.assertNotIn("${", m["definition"])
                definition = json.loads(m["definition"])
                extract = definition["States"].get("Extract") or \
                    definition["States"]["Parallel.1"]["Branches"][0]["States"]["Extract"]
                self.assertRegex(extract["Parameters"]["FunctionName"],
                                 r"^arn:aws:lambda:us-east-1:\d{12}:function:pipes-\w+-extract$")
                group = f"/aws/vendedlogs/states/{name}"
                self.assertIn(group, [g["logGroupName"] for g in
                                      logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]])
                rules = [r for r in events.list_rules()["Rules"]
                         if any(t["Arn"] == arns[name] for t in
                                events.list_targets_by_rule(Rule=r["Name"])["Targets"])]
                self.assertEqual([r["State"] for r in rules], [schedule])

    def test_topic_with_its_key_and_subscriptions(self):
        """The topic exists under its key, with the subscriptions written on it
        (moto skips the alarms and the topic policy)."""
        sns = self.client("sns")
        arn = next(t["TopicArn"] for t in sns.list_topics()["Topics"]
                   if t["TopicArn"].endswith(":kitchen-sink-alerts"))
        attrs = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
        self.assertTrue(attrs.get("KmsMasterKeyId"))
        subs = sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]
        self.assertEqual(sorted((s["Protocol"], s["Endpoint"]) for s in subs),
                         [("email", "oncall@example.com"),
                          ("https", "https://hooks.example.com/kitchen")])

    def test_tables_and_their_grants(self):
        """The kitchen's created tables as DynamoDB has them; the existing one
        is not created, and the clerk function knows both by name."""
        ddb, lam = self.client("dynamodb"), self.client("lambda")
        self.wait_complete("kitchen-sink")
        orders = ddb.describe_table(TableName="kitchen-sink-orders")["Table"]
        self.assertEqual(orders["KeySchema"], [{"AttributeName": "id", "KeyType": "HASH"},
                                               {"AttributeName": "placed_at", "KeyType": "RANGE"}])
        self.assertEqual(sorted((a["AttributeName"], a["AttributeType"])
                                for a in orders["AttributeDefinitions"]),
                         [("customer", "S"), ("id", "S"), ("placed_at", "N"), ("state", "S")])
        self.assertEqual(orders["ProvisionedThroughput"]["ReadCapacityUnits"], 5)
        indexes = {i["IndexName"]: i for i in orders["GlobalSecondaryIndexes"]}
        self.assertEqual(sorted(indexes), ["by-customer", "by-state"])
        self.assertEqual(indexes["by-customer"]["Projection"],
                         {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["total"]})
        self.assertEqual(orders["StreamSpecification"]["StreamViewType"], "NEW_AND_OLD_IMAGES")
        sessions = ddb.describe_table(TableName="kitchen.sessions")["Table"]
        self.assertEqual(sessions["AttributeDefinitions"][0],
                         {"AttributeName": "token", "AttributeType": "B"})
        self.assertNotIn("kitchen-conversations", ddb.list_tables()["TableNames"])
        env = lam.get_function(FunctionName="kitchen-sink-clerk")["Configuration"]["Environment"]
        self.assertEqual(env["Variables"]["LAKEC_TABLE_ORDERS"], "kitchen-sink-orders")
        self.assertEqual(env["Variables"]["LAKEC_TABLE_CONVERSATIONS"], "kitchen-conversations")

    def test_buckets_exist(self):
        s3 = self.client("s3")
        for name, (stage, template) in self.stacks.items():
            self.wait_complete(name)
            ids = self.physical_ids(name)
            for rid, bucket in self.resources_of(template, "AWS::S3::Bucket").items():
                # the access-log bucket is named by CloudFormation
                s3.head_bucket(Bucket=bucket["Properties"].get("BucketName", ids.get(rid)))
        self.assertIn("meticsxmin-prod", [b["Name"] for b in s3.list_buckets()["Buckets"]])

    def test_roles_exist_one_per_function_crawler_job_event_workflow_and_flow_log(self):
        iam = self.client("iam")
        for name, (stage, template) in self.stacks.items():
            self.wait_complete(name)
            ids = self.physical_ids(name)
            roles = self.resources_of(template, "AWS::IAM::Role")
            functions = self.resources_of(template, "AWS::Lambda::Function")
            crawlers = self.resources_of(template, "AWS::Glue::Crawler")
            jobs = self.resources_of(template, "AWS::Glue::Job")
            # a workflow started by new objects: EventBridge's role to notify it
            event_rules = [r for r in self.resources_of(template, "AWS::Events::Rule").values()
                           if r["Properties"]["Targets"][0].get("RoleArn")]
            analysts = [r for r in roles if r.endswith("AnalystRole")]
            machines = self.resources_of(template, "AWS::StepFunctions::StateMachine")
            flow_logs = self.resources_of(template, "AWS::EC2::FlowLog")  # a VPC's, its role
            self.assertEqual(len(roles), len(functions) + len(crawlers) + len(jobs) +
                             len(event_rules) + len(analysts) + len(machines) + len(flow_logs))
            for logical in roles:
                role = iam.get_role(RoleName=ids[logical])["Role"]
                self.assertTrue(role["Arn"].startswith("arn:aws:iam::"))

    def test_functions_run_bootstrap_on_al2023(self):
        lam = self.client("lambda")
        for name, (stage, template) in self.stacks.items():
            self.wait_complete(name)
            for fn in self.resources_of(template, "AWS::Lambda::Function").values():
                props = fn["Properties"]
                conf = lam.get_function(FunctionName=props["FunctionName"])["Configuration"]
                self.assertEqual(conf["Runtime"], "provided.al2023")
                self.assertEqual(conf["Handler"], "bootstrap")
                # (moto's CloudFormation ignores Architectures; test_lower checks the template)
                self.assertEqual(conf["MemorySize"], props["MemorySize"])
                # only what the handler reads (moto drops Glue/Athena references)
                names = set(conf.get("Environment", {}).get("Variables", {}))
                self.assertLessEqual(names, set(props.get("Environment", {}).get("Variables", {})))
        conf = lam.get_function(FunctionName="metrics-dev-ingest")["Configuration"]
        self.assertEqual(conf["Environment"]["Variables"]["SERVICE_NAME"], "metris_api")

    def test_rules_schedule_and_trigger(self):
        events = self.client("events")
        seen = 0
        for name, (stage, template) in self.stacks.items():
            self.wait_complete(name)
            ids = self.physical_ids(name)
            rules = self.resources_of(template, "AWS::Events::Rule")
            seen += len(rules)
            for logical, rule in rules.items():
                got = events.describe_rule(Name=ids[logical].split("/")[-1])
                self.assertEqual(got["State"], rule["Properties"]["State"])
                if "ScheduleExpression" in rule["Properties"]:
                    self.assertEqual(got["ScheduleExpression"], rule["Properties"]["ScheduleExpression"])
                else:
                    pattern = json.loads(got["EventPattern"])
                    self.assertEqual(pattern["detail-type"], ["Object Created"])
        self.assertGreaterEqual(seen, 10)  # 2 per metrics stage, 3 kitchen, 1 twostack
        _, dev = self.stacks["metrics-dev"]
        self.assertEqual(dev["Resources"]["IngestScheduleRule"]["Properties"]["ScheduleExpression"],
                         "rate(1 minute)")

    def test_rest_api_routes(self):
        apigw = self.client("apigateway")
        apis = {a["name"]: a["id"] for a in apigw.get_rest_apis()["items"]}
        for stage in ("dev", "qa", "prod"):
            self.wait_complete(f"metrics-{stage}")
            self.assertIn(f"orlandoapi_{stage}", apis)
            resources = apigw.get_resources(restApiId=apis[f"orlandoapi_{stage}"])["items"]
            metrics = [r for r in resources if r.get("path") == "/metrics"]
            self.assertEqual(len(metrics), 1)
            self.assertEqual(sorted(metrics[0]["resourceMethods"]), ["GET", "OPTIONS"])
        get = lambda stage: apigw.get_method(
            restApiId=apis[f"orlandoapi_{stage}"],
            resourceId=[r for r in apigw.get_resources(restApiId=apis[f"orlandoapi_{stage}"])["items"]
                        if r.get("path") == "/metrics"][0]["id"], httpMethod="GET")
        self.assertEqual(get("dev")["authorizationType"], "NONE")
        self.assertEqual(get("qa")["authorizationType"], "AWS_IAM")
        self.assertEqual(get("prod")["authorizationType"], "COGNITO_USER_POOLS")
        sink = apigw.get_resources(restApiId=apis["kitchen api"])["items"]
        self.assertIn("/events/{id}", [r.get("path") for r in sink])
        self.assertIn("/files/{proxy+}", [r.get("path") for r in sink])


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
