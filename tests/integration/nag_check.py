"""The AWS Solutions and Serverless rule packs (the rules cdk-nag implements),
written as properties of lakec's templates, for the resource types lakec
makes.

Each rule below follows cdk-nag's own code (src/rules/** of cdklabs/cdk-nag,
v2.38 and v3.0 agree on the logic): it names the finding cdk-nag reports,
with IAM5's finding strings flattened as cdk-nag flattens references
(`${X}` and Ref X as <X>, GetAtt as <X.Attr>). A finding is suppressed by the
resource's Metadata in cdk-nag's convention, `cdk_nag.rules_to_suppress:
[{id, reason, applies_to}]`, matched as cdk-nag matches it (an exact id;
applies_to entries equal to the finding or `{regex: "/.../"}`).

The tests build every shipped stage and require:
- no finding left unsuppressed;
- every suppression a real sentence (at least 10 characters, cdk-nag's
  minimum, and ending with a full stop), and every suppression matching a
  finding (a suppression with nothing to excuse is stale);
and the same of the fixtures' suppressions. A self-test feeds each rule a
resource that breaks it.

usage: python3 nag_check.py LAKEC SOURCE_DIR
"""
import glob
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

LAKEC, ROOT = sys.argv[1], sys.argv[2]
del sys.argv[1:3]


def flatten(v):
    """cdk-nag's flattenCfnReference."""
    if isinstance(v, str):
        return v.replace("${", "<").replace("}", ">")
    if isinstance(v, dict):
        if "Fn::Join" in v:
            sep, parts = v["Fn::Join"]
            return sep.join(flatten(p) for p in parts)
        if "Fn::Sub" in v:
            x = v["Fn::Sub"]
            return flatten(x) if isinstance(x, str) else json.dumps(x, separators=(",", ":"))
        if "Fn::GetAtt" in v:
            r, a = v["Fn::GetAtt"] if isinstance(v["Fn::GetAtt"], list) else v["Fn::GetAtt"].split(".", 1)
            return f"<{r}.{a}>"
        if "Fn::ImportValue" in v:
            return flatten(v["Fn::ImportValue"])
        if "Ref" in v:
            return f"<{v['Ref']}>"
    return json.dumps(v, separators=(",", ":"))


def as_list(v):
    return v if isinstance(v, list) else [v]


def target(v):
    """cdk-nag's resolveResourceFromIntrinsic: the logical id of a Ref/GetAtt."""
    if isinstance(v, dict) and "Ref" in v:
        return v["Ref"]
    if isinstance(v, dict) and "Fn::GetAtt" in v:
        g = v["Fn::GetAtt"]
        return g[0] if isinstance(g, list) else g.split(".")[0]
    return v


def of_type(resources, t):
    return [(i, r) for i, r in resources.items() if r["Type"] == t]


def props(r):
    return r.get("Properties", {})


def tls_deny(statements, actions):
    for s in as_list(statements):
        if (s.get("Effect") == "Deny" and s.get("Principal") in ("*", {"AWS": "*"})
                and any(a in actions for a in as_list(s.get("Action")))
                and str(s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport")).lower() == "false"):
            return True
    return False


# ---- the rules: each yields (rule id, finding id) for one resource ----

def bucket_rules(rid, r, res):
    p = props(r)
    log = p.get("LoggingConfiguration", {})
    is_target = any(re.search(re.escape(rid) + r"(?![\w])", flatten(props(o).get("LoggingConfiguration", {}).get("DestinationBucketName", "")))
                    for _, o in of_type(res, "AWS::S3::Bucket"))
    if not (log.get("DestinationBucketName") or log.get("LogFilePrefix") or is_target):
        yield "AwsSolutions-S1", ""
    pab = p.get("PublicAccessBlockConfiguration")
    if pab is not None and not all(pab.get(k) is True for k in (
            "BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")):
        yield "AwsSolutions-S2", ""
    ok = False
    for _, pol in of_type(res, "AWS::S3::BucketPolicy"):
        if target(props(pol).get("Bucket")) != rid:
            continue
        for s in props(pol)["PolicyDocument"]["Statement"]:
            arns = [flatten(x) for x in as_list(s.get("Resource"))]
            if (tls_deny([s], ("*", "s3:*")) and isinstance(s.get("Resource"), list)
                    and f"<{rid}.Arn>" in arns and f"<{rid}.Arn>/*" in arns):
                ok = True
    if not ok:
        yield "AwsSolutions-S10", ""


def role_rules(rid, r, res):
    p = props(r)
    for arn in p.get("ManagedPolicyArns", []):
        if ":iam::aws:" in flatten(arn):
            yield "AwsSolutions-IAM4", "Policy::" + flatten(arn)
    lambda_role = any("lambda.amazonaws.com" in as_list(s.get("Principal", {}).get("Service", []))
                      for s in p["AssumeRolePolicyDocument"]["Statement"])
    star = False
    for pol in p.get("Policies", []):
        for s in as_list(pol["PolicyDocument"]["Statement"]):
            if s.get("Effect") != "Allow":
                continue
            for a in as_list(s.get("Action", [])):
                if "*" in a:
                    yield "AwsSolutions-IAM5", "Action::" + a
                star = star or a == "*" or a.endswith(":*")
            for x in as_list(s.get("Resource", [])):
                if "*" in flatten(x):
                    yield "AwsSolutions-IAM5", "Resource::" + flatten(x)
                star = star or x == "*"
    if lambda_role and star:
        yield "Serverless-LambdaStarPermissions", ""


def function_rules(rid, r, res):
    p = props(r)
    runtime = p.get("Runtime", "")
    if runtime and not runtime.startswith("provided"):
        yield "AwsSolutions-L1", ""  # lakec's functions run provided.al2023, the newest of its family
    if not p.get("MemorySize"):
        yield "Serverless-LambdaDefaultMemorySize", ""
    if not p.get("Timeout"):
        yield "Serverless-LambdaDefaultTimeout", ""
    if not p.get("DeadLetterConfig", {}).get("TargetArn"):
        yield "Serverless-LambdaDLQ", ""
    if p.get("TracingConfig", {}).get("Mode") != "Active":
        yield "Serverless-LambdaTracing", ""


def invoke_config_rules(rid, r, res):
    if not props(r).get("DestinationConfig", {}).get("OnFailure", {}).get("Destination"):
        yield "Serverless-LambdaAsyncFailureDestination", ""


def mapping_rules(rid, r, res):
    if not props(r).get("DestinationConfig", {}).get("OnFailure", {}).get("Destination"):
        yield "Serverless-LambdaEventSourceMappingDestination", ""


def log_group_rules(rid, r, res):
    if not props(r).get("RetentionInDays"):
        yield "Serverless-CloudWatchLogGroupRetentionPeriod", ""


def rule_rules(rid, r, res):
    if any(not t.get("DeadLetterConfig") for t in props(r).get("Targets", [])):
        yield "Serverless-EventBusDLQ", ""


def queue_rules(rid, r, res):
    p = props(r)
    if p.get("SqsManagedSseEnabled") is False and not p.get("KmsMasterKeyId"):
        yield "AwsSolutions-SQS2", ""
    is_dlq = any(target(props(q).get("RedrivePolicy", {}).get("deadLetterTargetArn")) == rid
                 for _, q in of_type(res, "AWS::SQS::Queue")) or any(
        target(props(f).get("DeadLetterConfig", {}).get("TargetArn")) == rid
        for _, f in of_type(res, "AWS::Lambda::Function"))
    if not p.get("RedrivePolicy") and not is_dlq:
        yield "AwsSolutions-SQS3", ""
    if not p.get("RedrivePolicy"):
        yield "Serverless-SQSRedrivePolicy", ""
    if not any(rid in [target(q) for q in props(pol).get("Queues", [])]
               and tls_deny(props(pol)["PolicyDocument"]["Statement"], ("*", "sqs:*"))
               for _, pol in of_type(res, "AWS::SQS::QueuePolicy")):
        yield "AwsSolutions-SQS4", ""


def rest_api_rules(rid, r, res):
    if not any(target(props(v).get("RestApiId")) == rid and props(v).get("ValidateRequestBody")
               and props(v).get("ValidateRequestParameters")
               for _, v in of_type(res, "AWS::ApiGateway::RequestValidator")):
        yield "AwsSolutions-APIG2", ""


def access_log_rules(log):
    """A stage's access logs (REST AccessLogSetting, v2 AccessLogSettings): JSON."""
    if not (log.get("DestinationArn") and log.get("Format")):
        yield "AwsSolutions-APIG1", ""
        yield "Serverless-APIGWAccessLogging", ""
    else:
        try:
            json.loads(log["Format"])
        except ValueError:
            yield "Serverless-APIGWStructuredLogging", ""


def stage_rules(rid, r, res):
    p = props(r)
    yield from access_log_rules(p.get("AccessLogSetting", {}))
    # cdk-nag's own test, left boundary missing as in cdk-nag: REST API id,
    # anything, then the stage's logical id or name
    api = re.escape(str(target(p.get("RestApiId"))))
    ends = (re.escape(rid), re.escape(str(p.get("StageName"))))
    if not any(re.search(f"{api}.+{end}(?![\\w])", json.dumps(props(a).get("ResourceArn", "")))
               for _, a in of_type(res, "AWS::WAFv2::WebACLAssociation") for end in ends):
        yield "AwsSolutions-APIG3", ""
    default = [m for m in p.get("MethodSettings", [])
               if m.get("HttpMethod") == "*" and m.get("ResourcePath") == "/*"]
    if not any(m.get("LoggingLevel") in ("ERROR", "INFO") for m in default):
        yield "AwsSolutions-APIG6", ""
    if not any(m.get("ThrottlingBurstLimit") is not None and m.get("ThrottlingRateLimit") is not None
               for m in default):
        yield "Serverless-APIGWDefaultThrottling", ""
    if p.get("TracingEnabled") is not True:
        yield "Serverless-APIGWXrayEnabled", ""


def preflight_exempt(p):
    responses = p.get("MethodResponses")
    return p.get("HttpMethod") == "OPTIONS" and responses is not None and all(
        str(m.get("StatusCode")) == "204" and any(
            k.startswith("method.response.header.Access-Control-Allow-") and v is True
            for k, v in m.get("ResponseParameters", {}).items()) for m in responses)


def method_rules(rid, r, res):
    p = props(r)
    if p.get("AuthorizationType", "NONE") == "NONE" and not preflight_exempt(p):
        yield "AwsSolutions-APIG4", ""
    if p.get("HttpMethod") != "OPTIONS" and p.get("AuthorizationType") != "COGNITO_USER_POOLS":
        yield "AwsSolutions-COG4", ""


def stage_v2_rules(rid, r, res):
    """An ApiGatewayV2 stage (WebSocket, HTTP): access logs as JSON, default throttling."""
    p = props(r)
    yield from access_log_rules(p.get("AccessLogSettings", {}))
    default = p.get("DefaultRouteSettings", {})
    if default.get("ThrottlingBurstLimit") is None or default.get("ThrottlingRateLimit") is None:
        yield "Serverless-APIGWDefaultThrottling", ""


def route_v2_rules(rid, r, res):
    if props(r).get("AuthorizationType", "NONE") == "NONE":
        yield "AwsSolutions-APIG4", ""


def user_pool_rules(rid, r, res):
    p = props(r)
    pw = p.get("Policies", {}).get("PasswordPolicy", {})
    if not (pw.get("MinimumLength", 0) >= 8 and all(pw.get(k) is True for k in (
            "RequireUppercase", "RequireNumbers", "RequireSymbols"))):
        yield "AwsSolutions-COG1", ""
    if p.get("MfaConfiguration") != "ON":
        yield "AwsSolutions-COG2", ""
    if p.get("UserPoolTier") != "PLUS":
        yield "AwsSolutions-COG8", ""


def crawler_rules(rid, r, res):
    conf = props(r).get("CrawlerSecurityConfiguration")
    ok = any(props(c).get("Name") == conf or cid == target(conf)
             for cid, c in of_type(res, "AWS::Glue::SecurityConfiguration")
             if props(c).get("EncryptionConfiguration", {}).get("CloudWatchEncryption", {})
             .get("CloudWatchEncryptionMode") == "SSE-KMS")
    if not ok:
        yield "AwsSolutions-GL1", ""


def security_configuration(conf, res):
    """The security configuration a job or crawler names (by name or Ref), or {}."""
    for cid, c in of_type(res, "AWS::Glue::SecurityConfiguration"):
        if props(c).get("Name") == conf or cid == target(conf):
            return props(c).get("EncryptionConfiguration", {})
    return {}


def job_rules(rid, r, res):
    enc = security_configuration(props(r).get("SecurityConfiguration"), res)
    if enc.get("CloudWatchEncryption", {}).get("CloudWatchEncryptionMode") != "SSE-KMS":
        yield "AwsSolutions-GL1", ""
    if enc.get("JobBookmarksEncryption", {}).get("JobBookmarksEncryptionMode") != "CSE-KMS":
        yield "AwsSolutions-GL3", ""


def table_rules(rid, r, res):
    pitr = props(r).get("PointInTimeRecoverySpecification")
    if pitr is None or pitr.get("PointInTimeRecoveryEnabled") is not True:
        yield "AwsSolutions-DDB3", ""


def kms_key_rules(rid, r, res):
    if props(r).get("EnableKeyRotation") is not True:
        yield "AwsSolutions-KMS5", ""


def topic_rules(rid, r, res):
    if not props(r).get("KmsMasterKeyId"):
        yield "AwsSolutions-SNS2", ""
    if not any(rid in [target(t) for t in props(pol).get("Topics", [])]
               and tls_deny(props(pol)["PolicyDocument"]["Statement"], ("*", "sns:*", "sns:Publish"))
               for _, pol in of_type(res, "AWS::SNS::TopicPolicy")):
        yield "AwsSolutions-SNS3", ""


def state_machine_rules(rid, r, res):
    p = props(r)
    log = p.get("LoggingConfiguration", {})
    if log.get("Level") != "ALL" or not log.get("Destinations"):
        yield "AwsSolutions-SF1", ""
    if p.get("TracingConfiguration", {}).get("Enabled") is not True:
        yield "AwsSolutions-SF2", ""
        yield "Serverless-StepFunctionStateMachineXray", ""


RULES = {
    "AWS::StepFunctions::StateMachine": state_machine_rules,
    "AWS::KMS::Key": kms_key_rules,
    "AWS::SNS::Topic": topic_rules,
    "AWS::S3::Bucket": bucket_rules,
    "AWS::IAM::Role": role_rules,
    "AWS::Lambda::Function": function_rules,
    "AWS::Lambda::EventInvokeConfig": invoke_config_rules,
    "AWS::Lambda::EventSourceMapping": mapping_rules,
    "AWS::Logs::LogGroup": log_group_rules,
    "AWS::Events::Rule": rule_rules,
    "AWS::SQS::Queue": queue_rules,
    "AWS::DynamoDB::Table": table_rules,
    "AWS::ApiGateway::RestApi": rest_api_rules,
    "AWS::ApiGateway::Stage": stage_rules,
    "AWS::ApiGateway::Method": method_rules,
    "AWS::ApiGatewayV2::Stage": stage_v2_rules,
    "AWS::ApiGatewayV2::Route": route_v2_rules,
    "AWS::Cognito::UserPool": user_pool_rules,
    "AWS::Glue::Crawler": crawler_rules,
    "AWS::Glue::Job": job_rules,
}


def matches(entry, finding):
    if isinstance(entry, str):
        return entry == finding
    m = re.fullmatch(r"/(.*)/([a-z]*)", entry["regex"], re.S)
    return bool(m and re.search(m.group(1), finding))


def check(template):
    """(unsuppressed findings, suppressions that excuse nothing, bad reasons)."""
    res = template["Resources"]
    open_findings, stale, bad = [], [], []
    for rid, r in res.items():
        rule = RULES.get(r["Type"])
        findings = set(rule(rid, r, res)) if rule else set()
        sups = r.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])
        used = [False] * len(sups)
        for rule_id, finding in sorted(findings):
            hit = False
            for i, s in enumerate(sups):
                if s["id"] != rule_id:
                    continue
                applies = s.get("applies_to")
                if applies is None or (finding and any(matches(e, finding) for e in applies)):
                    used[i] = hit = True
            if not hit:
                open_findings.append(f"{rid}: {rule_id}" + (f"[{finding}]" if finding else ""))
        for s, u in zip(sups, used):
            if not u:
                stale.append(f"{rid}: {s['id']} ({s.get('applies_to')})")
            reason = s.get("reason", "")
            if len(reason) < 10 or not reason.endswith(".") or not reason[0].isupper():
                bad.append(f"{rid}: {s['id']}: {reason!r}")
    return open_findings, stale, bad


def build(stage_files, out):
    subprocess.run([LAKEC, "build", "--no-package", "-o", out, *stage_files], check=True,
                   cwd=ROOT, capture_output=True)
    return sorted(glob.glob(os.path.join(out, "*", "*", "*.template.json")))


class RulePacks(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.shipped = build(sorted(glob.glob(os.path.join(ROOT, "stages", "*.yaml"))),
                            os.path.join(cls.tmp.name, "stages"))
        cls.fixtures = build(sorted(glob.glob(os.path.join(ROOT, "tests", "integration", "fixtures", "*.yaml"))),
                             os.path.join(cls.tmp.name, "fixtures"))

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_shipped_stages_have_no_unsuppressed_finding(self):
        self.assertEqual(len(self.shipped), 3)
        for path in self.shipped:
            with self.subTest(template=os.path.basename(path)):
                with open(path) as f:
                    open_findings, stale, bad = check(json.load(f))
                self.assertEqual(open_findings, [])
                self.assertEqual(stale, [])
                self.assertEqual(bad, [])

    def test_telemetry_stages_have_no_unsuppressed_finding(self):
        """Seed 004's ten templates: VPC functions, MSK, the WebSocket API."""
        paths = build([os.path.join(ROOT, "stages", "telemetry", s + ".yaml") for s in ("dev", "prod")],
                      os.path.join(self.tmp.name, "telemetry"))
        self.assertEqual(len(paths), 10)
        for path in paths:
            with self.subTest(template=os.path.basename(path)):
                with open(path) as f:
                    self.assertEqual(check(json.load(f)), ([], [], []))

    def test_fixtures_suppress_only_real_findings_with_reasons(self):
        self.assertGreater(len(self.fixtures), 1)
        for path in self.fixtures:
            with self.subTest(template=os.path.basename(path)):
                with open(path) as f:
                    _, stale, bad = check(json.load(f))
                self.assertEqual(stale, [])
                self.assertEqual(bad, [])

    def test_websocket_fixture_has_no_unsuppressed_finding(self):
        """The WebSocket API's routes and stage (auth on $connect only)."""
        fixture = os.path.join(ROOT, "tests", "constructs", "websockets.yaml")
        paths = build([fixture], os.path.join(self.tmp.name, "websockets"))
        self.assertEqual(len(paths), 1)
        with open(paths[0]) as f:
            template = json.load(f)
        self.assertEqual(check(template), ([], [], []))
        routes = [r for r in template["Resources"].values() if r["Type"] == "AWS::ApiGatewayV2::Route"]
        self.assertEqual(len(routes), 3)

    def test_the_rules_catch_what_they_describe(self):
        """Each rule fires on a resource that breaks it; suppressions need a match."""
        res = {
            "Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {}},
            "Rule": {"Type": "AWS::Events::Rule", "Properties": {"Targets": [{"Arn": "x", "Id": "F"}]}},
            "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Runtime": "python3.9"}},
            "Cfg": {"Type": "AWS::Lambda::EventInvokeConfig", "Properties": {}},
            "Q": {"Type": "AWS::SQS::Queue", "Properties": {"SqsManagedSseEnabled": False}},
            "B": {"Type": "AWS::S3::Bucket", "Properties": {}},
            "K": {"Type": "AWS::KMS::Key", "Properties": {}},
            "Tp": {"Type": "AWS::SNS::Topic", "Properties": {}},
            "Sm": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
                "LoggingConfiguration": {"Level": "ERROR"}}},
            "T": {"Type": "AWS::DynamoDB::Table", "Properties": {
                "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": False}}},
            "St": {"Type": "AWS::ApiGateway::Stage", "Properties": {"AccessLogSetting": {
                "DestinationArn": "x", "Format": "$context.requestId"}}},
            "M": {"Type": "AWS::ApiGateway::Method", "Properties": {"HttpMethod": "GET"}},
            "St2": {"Type": "AWS::ApiGatewayV2::Stage", "Properties": {"DefaultRouteSettings": {
                "ThrottlingRateLimit": 10}}},
            "Ro": {"Type": "AWS::ApiGatewayV2::Route", "Properties": {"RouteKey": "$default"}},
            "R": {"Type": "AWS::IAM::Role", "Properties": {
                "AssumeRolePolicyDocument": {"Statement": [{"Principal": {"Service": "lambda.amazonaws.com"}}]},
                "Policies": [{"PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "s3:*",
                              "Resource": {"Fn::Sub": "${B.Arn}/raw/*"}}]}}]},
                "Metadata": {"cdk_nag": {"rules_to_suppress": [
                    {"id": "AwsSolutions-IAM5", "reason": "Keys are made at run time.",
                     "applies_to": [{"regex": "/^Resource::.+\\/raw\\/\\*$/"}]},
                    {"id": "AwsSolutions-S1", "reason": "short"}]}}},
        }
        open_findings, stale, bad = check({"Resources": res})
        for expected in ("Logs: Serverless-CloudWatchLogGroupRetentionPeriod", "Rule: Serverless-EventBusDLQ",
                         "Fn: AwsSolutions-L1", "Fn: Serverless-LambdaDLQ", "Fn: Serverless-LambdaDefaultTimeout",
                         "Cfg: Serverless-LambdaAsyncFailureDestination", "Q: AwsSolutions-SQS2",
                         "Q: AwsSolutions-SQS3", "Q: AwsSolutions-SQS4", "B: AwsSolutions-S1", "B: AwsSolutions-S10", "K: AwsSolutions-KMS5",
                         "Tp: AwsSolutions-SNS2", "Tp: AwsSolutions-SNS3",
                         "Sm: AwsSolutions-SF1", "Sm: AwsSolutions-SF2",
                         "Sm: Serverless-StepFunctionStateMachineXray",
                         "T: AwsSolutions-DDB3",
                         "St: Serverless-APIGWStructuredLogging", "St: AwsSolutions-APIG6",
                         "St: Serverless-APIGWDefaultThrottling", "M: AwsSolutions-APIG4",
                         "M: AwsSolutions-COG4", "St2: AwsSolutions-APIG1",
                         "St2: Serverless-APIGWAccessLogging", "St2: Serverless-APIGWDefaultThrottling",
                         "Ro: AwsSolutions-APIG4", "R: AwsSolutions-IAM5[Action::s3:*]",
                         "R: Serverless-LambdaStarPermissions"):
            self.assertIn(expected, open_findings)
        # the regex excused the resource wildcard, not the action
        self.assertNotIn("R: AwsSolutions-IAM5[Resource::<B.Arn>/raw/*]", open_findings)
        self.assertEqual(stale, ["R: AwsSolutions-S1 (None)"])
        self.assertEqual(bad, ["R: AwsSolutions-S1: 'short'"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
