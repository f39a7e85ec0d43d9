#!/usr/bin/env python3
"""Patches 13-17 of moto_server.py (the telemetry system's gaps) with
hand-written templates against moto on a free 127.0.0.1 port: a stack with
an MSK cluster, a topic, a WebSocket API (integration, route, stage), a
function and an event source mapping on the cluster, its outputs exported;
a second stack importing them (the cluster's uuid through Fn::Split, as the
group ARNs take it); kafka:GetBootstrapBrokers through boto3; the stacks'
deletion removing what they made. Then `lakec outputs` of a small stage with
a raw MSK cluster: its BootstrapServers, in text and JSON.

usage: moto_telemetry.py LAKEC
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
import urllib.parse

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError
from botocore.parsers import ResponseParserError

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from motoproc import MotoServer  # noqa: E402

sys.path.insert(0, os.path.join(HERE, "..", "handlers"))
from fakes import RequestRecorder  # noqa: E402

LAKEC = sys.argv[1]
REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's

KAFKA_STAGE = """\
lakec: 1
project: kafkaout
stage: dev
stacks:
  msk: {name: kafkaout-dev-msk}
  other: {name: kafkaout-dev-other}
resources:
  Telemetry:
    stack: msk
    Type: AWS::MSK::Cluster
    Properties:
      ClusterName: kafkaout-dev-telemetry
      KafkaVersion: 3.5.1
      NumberOfBrokerNodes: 2
      BrokerNodeGroupInfo:
        InstanceType: kafka.t3.small
        ClientSubnets: [subnet-0a, subnet-0b]
        StorageInfo: {EBSStorageInfo: {VolumeSize: 20}}
      ClientAuthentication: {Sasl: {Iam: {Enabled: true}}}
      EncryptionInfo: {EncryptionInTransit: {ClientBroker: TLS, InCluster: true}}
  Notes:
    stack: other
    Type: AWS::SNS::Topic
    Properties:
      KmsMasterKeyId: alias/aws/sns
"""

CLUSTER = {
    "Type": "AWS::MSK::Cluster",
    "Properties": {
        "ClusterName": "acme-data-dev-msk",
        "KafkaVersion": "3.5.1",
        "NumberOfBrokerNodes": 2,
        "BrokerNodeGroupInfo": {"InstanceType": "kafka.t3.small",
                                "ClientSubnets": ["subnet-1", "subnet-2"],
                                "StorageInfo": {"EBSStorageInfo": {"VolumeSize": 20}}},
        "ClientAuthentication": {"Sasl": {"Iam": {"Enabled": True}}},
        "EncryptionInfo": {"EncryptionInTransit": {"ClientBroker": "TLS", "InCluster": True}},
    },
}

ROLE = {
    "Type": "AWS::IAM::Role",
    "Properties": {"AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
         "Action": "sts:AssumeRole"}]}},
}


def function(name):
    return {"Type": "AWS::Lambda::Function", "Properties": {
        "FunctionName": name, "Runtime": "python3.12", "Handler": "index.handler",
        "Role": {"Fn::GetAtt": ["ConsumerRole", "Arn"]},
        "Code": {"ZipFile": "def handler(event, context):\n    return event\n"}}}


def export(name, value):
    return {"Value": value, "Export": {"Name": name}}


MSK_STACK = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Resources": {
        "TelemetryCluster": CLUSTER,
        "TelemetryAcmeTelemetryTopic": {"Type": "AWS::MSK::Topic", "Properties": {
            "ClusterArn": {"Ref": "TelemetryCluster"}, "TopicName": "acme-telemetry",
            "PartitionCount": 6, "ReplicationFactor": 2}},
        "DashboardApi": {"Type": "AWS::ApiGatewayV2::Api", "Properties": {
            "Name": "acme-data-dev-dashboard", "ProtocolType": "WEBSOCKET",
            "RouteSelectionExpression": "$request.body.action"}},
        "DashboardConnectIntegration": {"Type": "AWS::ApiGatewayV2::Integration", "Properties": {
            "ApiId": {"Ref": "DashboardApi"}, "IntegrationType": "AWS_PROXY",
            "IntegrationUri": {"Fn::Sub": "arn:aws:apigateway:${AWS::Region}:lambda:path/"
                                          "2015-03-31/functions/${Consumer.Arn}/invocations"}}},
        "DashboardConnectRoute": {"Type": "AWS::ApiGatewayV2::Route", "Properties": {
            "ApiId": {"Ref": "DashboardApi"}, "RouteKey": "$connect",
            "AuthorizationType": "AWS_IAM",
            "Target": {"Fn::Sub": "integrations/${DashboardConnectIntegration}"}}},
        "DashboardStage": {"Type": "AWS::ApiGatewayV2::Stage", "Properties": {
            "ApiId": {"Ref": "DashboardApi"}, "StageName": "live",
            "DefaultRouteSettings": {"ThrottlingRateLimit": 50, "ThrottlingBurstLimit": 100}}},
        "ConsumerRole": ROLE,
        "Consumer": function("acme-data-dev-consumer"),
        "ConsumerAcmeTelemetryMapping": {"Type": "AWS::Lambda::EventSourceMapping", "Properties": {
            "EventSourceArn": {"Ref": "TelemetryCluster"}, "FunctionName": {"Ref": "Consumer"},
            "Topics": ["acme-telemetry"], "StartingPosition": "LATEST", "BatchSize": 100,
            "AmazonManagedKafkaEventSourceConfig": {"ConsumerGroupId": "acme-data-dev-dashboard"}}},
    },
    "Outputs": {
        "ClusterArn": export("dev-TelemetryClusterArn", {"Ref": "TelemetryCluster"}),
        "ClusterArnAttribute": {"Value": {"Fn::GetAtt": ["TelemetryCluster", "Arn"]}},
        "TopicArn": export("dev-TelemetryTopicArn", {"Ref": "TelemetryAcmeTelemetryTopic"}),
        "ApiId": export("dev-DashboardApiId", {"Ref": "DashboardApi"}),
        "ApiEndpoint": {"Value": {"Fn::GetAtt": ["DashboardApi", "ApiEndpoint"]}},
        "StageName": {"Value": {"Ref": "DashboardStage"}},
        "MappingId": {"Value": {"Ref": "ConsumerAcmeTelemetryMapping"}},
    },
}

IMPORTING_STACK = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Resources": {
        "ProducerRole": ROLE,
    },
    "Outputs": {
        "ClusterArn": {"Value": {"Fn::ImportValue": "dev-TelemetryClusterArn"}},
        "ClusterUuid": {"Value": {"Fn::Select": [2, {"Fn::Split": [
            "/", {"Fn::ImportValue": "dev-TelemetryClusterArn"}]}]}},
        "GroupArn": {"Value": {"Fn::Sub": [
            "arn:${AWS::Partition}:kafka:${AWS::Region}:${AWS::AccountId}:group/"
            "acme-data-dev-msk/${Uuid}/acme-data-dev-dashboard",
            {"Uuid": {"Fn::Select": [2, {"Fn::Split": [
                "/", {"Fn::ImportValue": "dev-TelemetryClusterArn"}]}]}}]}},
        "TopicArn": {"Value": {"Fn::ImportValue": "dev-TelemetryTopicArn"}},
        "CallbackUrl": {"Value": {"Fn::Sub": [
            "https://${Api}.execute-api.${AWS::Region}.amazonaws.com/live",
            {"Api": {"Fn::ImportValue": "dev-DashboardApiId"}}]}},
    },
}


class MotoTelemetry(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.moto = MotoServer()
        kw = dict(endpoint_url=cls.moto.endpoint, region_name=REGION,
                  aws_access_key_id="testing", aws_secret_access_key="testing")
        cls.cfn = boto3.client("cloudformation", **kw)
        cls.kafka = boto3.client("kafka", **kw)
        cls.apigw = boto3.client("apigatewayv2", **kw)
        cls.lam = boto3.client("lambda", **kw)

    @classmethod
    def tearDownClass(cls):
        cls.moto.stop()

    def lakec(self, work, *args, status=0, **more_env):
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(AWS_ENDPOINT_URL=self.moto.endpoint, AWS_ACCESS_KEY_ID="testing",
                   AWS_SECRET_ACCESS_KEY="testing", AWS_REGION=REGION, NO_COLOR="1", **more_env)
        r = subprocess.run([LAKEC, *args], cwd=work, env=env, stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=300)
        self.assertEqual(r.returncode, status, f"lakec {' '.join(args)}:\n{r.stdout}\n{r.stderr}")
        return r

    def check_signed_request(self, work, arn, brokers):
        """What lakec sends: the ARN escaped in the path, signed as botocore
        signs it (the canonical path encoded once more)."""
        stub = RequestRecorder(body=json.dumps({"bootstrapBrokerStringSaslIam": brokers}).encode())
        try:
            text = self.lakec(work, "outputs", "out/kafkaout/dev",
                              AWS_ENDPOINT_URL_KAFKA=f"http://127.0.0.1:{stub.port}").stdout
        finally:
            stub.stop()
        self.assertIn(brokers, text)
        method, path, headers, _ = stub.request
        self.assertEqual((method, path), ("GET", "/v1/clusters/" + urllib.parse.quote(arn, safe="")
                                          + "/bootstrap-brokers"))
        request = AWSRequest(method="GET", url=f"http://127.0.0.1:{stub.port}{path}",
                             headers={"X-Amz-Date": headers["X-Amz-Date"]})
        signer = SigV4Auth(Credentials("testing", "testing"), "kafka", REGION)
        request.context["timestamp"] = headers["X-Amz-Date"]
        string_to_sign = signer.string_to_sign(request, signer.canonical_request(request))
        self.assertEqual(headers["Authorization"].rpartition("Signature=")[2],
                         signer.signature(string_to_sign, request))

    def test_lakec_outputs_bootstrap_servers(self):
        work = tempfile.mkdtemp(prefix="lakec-kafka-")
        self.addCleanup(shutil.rmtree, work, ignore_errors=True)
        with open(os.path.join(work, "stage.yaml"), "w") as f:
            f.write(KAFKA_STAGE)
        self.lakec(work, "build", "--no-package", "stage.yaml")
        self.lakec(work, "bootstrap")
        self.lakec(work, "deploy", "--yes", "out/kafkaout/dev")
        arn = self.cfn.describe_stack_resource(
            StackName="kafkaout-dev-msk", LogicalResourceId="Telemetry")[
            "StackResourceDetail"]["PhysicalResourceId"]
        uuid = re.fullmatch(r"arn:aws:kafka:[^:]+:\d+:cluster/kafkaout-dev-telemetry/(.+)", arn)[1]
        host = f"kafkaout-dev-telemetry.{uuid[:6]}.c2.kafka.{REGION}.amazonaws.com"
        brokers = f"b-1.{host}:9098,b-2.{host}:9098"
        self.assertEqual(self.kafka.get_bootstrap_brokers(ClusterArn=arn)[
            "BootstrapBrokerStringSaslIam"], brokers)

        text = self.lakec(work, "outputs", "out/kafkaout/dev").stdout
        self.assertIn(f"outputs of kafkaout-dev-msk:\n  {'BootstrapServers':<28} {brokers}\n", text)
        self.assertEqual(text.count("BootstrapServers"), 1)  # the other stack has no cluster
        self.assertIn("kafkaout-dev-other: no outputs", text)
        stacks = json.loads(self.lakec(work, "outputs", "--format", "json",
                                       "out/kafkaout/dev").stdout)["stacks"]
        self.assertEqual(stacks, [
            {"name": "kafkaout-dev-msk", "result": "CREATE_COMPLETE", "outputs": {},
             "BootstrapServers": {"Telemetry": brokers}},
            {"name": "kafkaout-dev-other", "result": "CREATE_COMPLETE", "outputs": {}}])

        self.check_signed_request(work, arn, brokers)

        # a cluster that no longer answers: its stack's brokers cannot be told (exit 1)
        self.kafka.delete_cluster(ClusterArn=arn)
        r = self.lakec(work, "outputs", "out/kafkaout/dev", status=1)
        self.assertIn(f"lakec: error: kafkaout-dev-msk: GetBootstrapBrokers of Telemetry ({arn}): "
                      "HTTP 404", r.stderr)
        self.assertEqual(r.stdout, "")

    def create(self, name, template):
        self.cfn.create_stack(StackName=name, TemplateBody=json.dumps(template),
                              Capabilities=["CAPABILITY_IAM"])
        stack = self.cfn.describe_stacks(StackName=name)["Stacks"][0]
        self.assertEqual(stack["StackStatus"], "CREATE_COMPLETE", stack)
        return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}

    def test_telemetry_stacks(self):
        out = self.create("acme-data-msk-dev", MSK_STACK)
        arn = out["ClusterArn"]
        shape = rf"arn:aws:kafka:{REGION}:{ACCOUNT}:cluster/acme-data-dev-msk/([0-9a-f-]{{36}})"
        uuid = re.fullmatch(shape, arn).group(1)
        self.assertEqual(out["ClusterArnAttribute"], arn)
        info = self.kafka.describe_cluster(ClusterArn=arn)["ClusterInfo"]
        self.assertEqual((info["ClusterName"], info["State"], info["NumberOfBrokerNodes"],
                          info["CurrentBrokerSoftwareInfo"]["KafkaVersion"]),
                         ("acme-data-dev-msk", "ACTIVE", 2, "3.5.1"))
        self.assertTrue(info["ClientAuthentication"]["Sasl"]["Iam"]["Enabled"])
        self.assertEqual(out["TopicArn"], f"arn:aws:kafka:{REGION}:{ACCOUNT}:topic/"
                                          f"acme-data-dev-msk/{uuid}/acme-telemetry")

        api = self.apigw.get_api(ApiId=out["ApiId"])
        self.assertEqual((api["Name"], api["ProtocolType"]), ("acme-data-dev-dashboard", "WEBSOCKET"))
        self.assertEqual(out["ApiEndpoint"],
                         f"wss://{out['ApiId']}.execute-api.{REGION}.amazonaws.com")
        routes = self.apigw.get_routes(ApiId=out["ApiId"])["Items"]
        integrations = self.apigw.get_integrations(ApiId=out["ApiId"])["Items"]
        self.assertEqual([(r["RouteKey"], r["AuthorizationType"], r["Target"]) for r in routes],
                         [("$connect", "AWS_IAM", f"integrations/{integrations[0]['IntegrationId']}")])
        self.assertIn(":function:acme-data-dev-consumer/invocations",
                      integrations[0]["IntegrationUri"])
        stage = self.apigw.get_stage(ApiId=out["ApiId"], StageName="live")
        self.assertEqual(stage["DefaultRouteSettings"]["ThrottlingBurstLimit"], 100)
        self.assertEqual(out["StageName"], "live")

        mappings = self.lam.list_event_source_mappings(
            FunctionName="acme-data-dev-consumer")["EventSourceMappings"]
        self.assertEqual([(m["UUID"], m["EventSourceArn"], m["Topics"], m["BatchSize"],
                           m["StartingPosition"]) for m in mappings],
                         [(out["MappingId"], arn, ["acme-telemetry"], 100, "LATEST")])
        self.assertEqual(mappings[0]["AmazonManagedKafkaEventSourceConfig"],
                         {"ConsumerGroupId": "acme-data-dev-dashboard"})

        imported = self.create("acme-data-datagen-dev", IMPORTING_STACK)
        self.assertEqual(imported["ClusterArn"], arn)
        self.assertEqual(imported["ClusterUuid"], uuid)
        self.assertEqual(imported["GroupArn"], f"arn:aws:kafka:{REGION}:{ACCOUNT}:group/"
                                               f"acme-data-dev-msk/{uuid}/acme-data-dev-dashboard")
        self.assertEqual(imported["TopicArn"], out["TopicArn"])
        self.assertEqual(imported["CallbackUrl"],
                         f"https://{out['ApiId']}.execute-api.{REGION}.amazonaws.com/live")

        brokers = self.kafka.get_bootstrap_brokers(ClusterArn=arn)
        host = f"acme-data-dev-msk.{uuid[:6]}.c2.kafka.{REGION}.amazonaws.com"
        self.assertEqual(brokers["BootstrapBrokerStringSaslIam"],
                         f"b-1.{host}:9098,b-2.{host}:9098")
        self.assertNotIn("BootstrapBrokerString", brokers)  # TLS only, IAM only
        self.assertNotIn("BootstrapBrokerStringTls", brokers)

        self.cfn.delete_stack(StackName="acme-data-datagen-dev")
        self.cfn.delete_stack(StackName="acme-data-msk-dev")
        self.assertNotIn(arn, [c["ClusterArn"] for c in self.kafka.list_clusters()["ClusterInfoList"]])
        self.assertNotIn(out["ApiId"], [a["ApiId"] for a in self.apigw.get_apis()["Items"]])
        self.assertEqual(self.lam.list_event_source_mappings(
            FunctionName="acme-data-dev-consumer")["EventSourceMappings"], [])
        with self.assertRaises(ClientError) as gone:
            self.kafka.get_bootstrap_brokers(ClusterArn=arn)
        self.assertEqual(gone.exception.response["ResponseMetadata"]["HTTPStatusCode"], 404)
        self.assertEqual(gone.exception.response["Error"]["Code"], "NotFoundException")

    def test_bootstrap_strings_follow_the_listeners(self):
        created = self.kafka.create_cluster(
            ClusterName="plain", KafkaVersion="3.5.1", NumberOfBrokerNodes=3,
            BrokerNodeGroupInfo={"InstanceType": "kafka.t3.small",
                                 "ClientSubnets": ["subnet-1", "subnet-2", "subnet-3"]},
            EncryptionInfo={"EncryptionInTransit": {"ClientBroker": "TLS_PLAINTEXT"}})
        arn = created["ClusterArn"]
        self.assertRegex(arn, rf"^arn:aws:kafka:{REGION}:{ACCOUNT}:cluster/plain/[0-9a-f-]{{36}}$")
        brokers = self.kafka.get_bootstrap_brokers(ClusterArn=arn)
        self.assertEqual(brokers["BootstrapBrokerString"].count(":9092"), 3)
        self.assertEqual(brokers["BootstrapBrokerStringTls"].count(":9094"), 3)
        self.assertNotIn("BootstrapBrokerStringSaslIam", brokers)
        self.kafka.delete_cluster(ClusterArn=arn)

    def test_refusals_stay(self):
        unknown = f"arn:aws:kafka:{REGION}:{ACCOUNT}:cluster/none/0000"
        with self.assertRaises(ClientError) as missing:
            self.kafka.get_bootstrap_brokers(ClusterArn=unknown)
        self.assertEqual(missing.exception.response["ResponseMetadata"]["HTTPStatusCode"], 404)
        template = {"Resources": {
            "ConsumerRole": ROLE, "Consumer": function("orphan-consumer"),
            "Mapping": {"Type": "AWS::Lambda::EventSourceMapping", "Properties": {
                "EventSourceArn": unknown, "FunctionName": {"Ref": "Consumer"},
                "Topics": ["t"], "StartingPosition": "LATEST"}}}}
        # a mapping on no cluster is still refused (moto's own refusal, which reaches
        # CloudFormation's caller as Lambda's JSON error, unparsed as XML)
        with self.assertRaisesRegex((ClientError, ResponseParserError), "Invalid EventSourceArn"):
            self.cfn.create_stack(StackName="orphan", TemplateBody=json.dumps(template))
        template = {"Resources": {"Topic": {"Type": "AWS::MSK::Topic", "Properties": {
            "ClusterArn": unknown, "TopicName": "t", "PartitionCount": 1,
            "ReplicationFactor": 1}}}}
        with self.assertRaisesRegex(ClientError, "cluster/none/0000 does not exist"):  # a topic
            self.cfn.create_stack(StackName="orphan-topic", TemplateBody=json.dumps(template))
        arn = self.create("small-cluster", {"Resources": {"Cluster": CLUSTER}, "Outputs": {
            "Arn": {"Value": {"Ref": "Cluster"}}}})["Arn"]
        template = {"Resources": {"Topic": {"Type": "AWS::MSK::Topic", "Properties": {
            "ClusterArn": arn, "TopicName": "t", "PartitionCount": 1, "ReplicationFactor": 3}}}}
        with self.assertRaisesRegex(ClientError, "exceeds the cluster's 2 brokers"):
            self.cfn.create_stack(StackName="wide-topic", TemplateBody=json.dumps(template))
        self.cfn.delete_stack(StackName="small-cluster")


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
