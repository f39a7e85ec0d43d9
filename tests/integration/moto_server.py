"""moto_server with gaps closed, for the deploy tests.

1. moto's CloudFormation support for AWS::ApiGateway::Method reads
   Integration.IntegrationHttpMethod and Integration.Uri unconditionally, so a
   MOCK integration (the CORS preflight, which has neither, as AWS documents)
   crashes it. Real CloudFormation accepts the template; cfn-lint checks it
   against the published schema. This wrapper gives moto the same tolerance.
2. A stack created through a change set (what `aws cloudformation deploy`
   does) neither sees other stacks' exports (Fn::ImportValue fails) nor
   publishes its own in moto: only create_stack wires them. Real
   CloudFormation does both whichever way a stack is created. The wrapper
   gives a change set's new stack the region's exports and, once the change
   set is executed, registers the stack's outputs' exports as create_stack
   does (refusing a name another stack exports, like CloudFormation).

3. A template given by URL (`aws cloudformation deploy --s3-bucket`, needed
   for templates over 51,200 bytes) is looked up by host name: moto takes the
   path for the bucket only when the host is `localhost` or `s3…amazonaws.com`,
   so the path-style URL of a server on 127.0.0.1 names bucket "127". The
   wrapper reads path-style URLs of a loopback address the same way.

4. moto's AWS::KMS::Key reads the template's Tags as KMS's API spells them
   (TagKey/TagValue) and fails on CloudFormation's Key/Value, which real
   CloudFormation and the resource schema use. The wrapper renames them for
   moto.

5. moto's AWS::S3::Bucket applies only BucketEncryption and Tags of a
   template: a bucket made by CloudFormation neither sends its events to
   EventBridge (NotificationConfiguration.EventBridgeConfiguration) nor
   keeps versions (VersioningConfiguration), where real CloudFormation does
   both. The wrapper applies the two through moto's own S3 calls, so a
   deployed rule sees the bucket's "Object Created" events.
6. moto's EventBridge treats a rule without an event pattern (a schedule
   rule) as matching every event, and one rule whose target moto cannot
   deliver to (Lambda, a Glue workflow) stops the event from reaching the
   rules after it. In AWS a schedule rule matches no event and every rule
   gets the event whatever another's targets are: the wrapper lets only
   rules with a pattern see events, and a target moto cannot deliver to is
   skipped (nothing is delivered to it, as before; the test says so).
7. moto's Step Functions interpreter crashes on every `.sync` task that has
   no task token (`arn:aws:states:::glue:startJobRun.sync`): the `finally:`
   of StateTaskServiceCallback._eval_integration_pattern calls
   interrupt_all() on a callback endpoint that exists only for
   `.waitForTaskToken` tasks, and is None otherwise. AWS runs such tasks.
   The wrapper recompiles that one method with the call guarded by
   `is not None` (nothing else of it changes), so the interpreter waits for
   the Glue job run as AWS does.

8. moto's ExecuteChangeSet creates the resources inside the call: a resource
   moto refuses (a bucket name already taken) fails the API call itself and
   leaves the stack in REVIEW_IN_PROGRESS with no event naming the resource.
   Real CloudFormation accepts the execution, reports the resource's
   CREATE_FAILED (or UPDATE_FAILED) event with the reason, rolls back and
   settles in ROLLBACK_COMPLETE (UPDATE_ROLLBACK_COMPLETE for an update).
   The wrapper does the same with moto's own error as the reason: it removes
   what the failed create made and records the events CloudFormation would.
9. moto evaluates a bucket policy without its statements' Conditions: a
   statement applies as if its condition always held. The TLS-only policy
   `lakec bootstrap` gives the assets bucket (Deny s3:* when
   aws:SecureTransport is false, as lakec's own buckets have) then denies
   every object request, where S3 denies only plain-HTTP ones (its endpoints
   are HTTPS; the tests' plain-HTTP loopback server stands in for them). The
   wrapper evaluates a bucket's policy without the conditional statements,
   which moto cannot evaluate.
10. moto's DeleteStack deletes a bucket that still holds objects by leaving
   it in place and reporting the stack DELETE_COMPLETE. CloudFormation fails
   the bucket's deletion (BucketNotEmpty), reports its DELETE_FAILED event
   and leaves the stack in DELETE_FAILED. The wrapper refuses to delete a
   bucket with objects (any version) and records the failure the same way.
11. moto ignores x-amz-expected-bucket-owner: a request naming a bucket that
   another account owns is served. S3 answers it 403 AccessDenied (the
   header exists so a caller never reads from or writes to a bucket of the
   same name in someone else's account). The wrapper checks the header
   against the account that owns the bucket, on every bucket and object
   request, and answers 403 AccessDenied the same way.
12. moto's ExecuteChangeSet applies the change set's parameters to the
   resources but keeps the stack's old ones as what it compares the next
   change set with: after an update that changed only a parameter, changing
   it back is "no changes". CloudFormation records the executed change set's
   parameters as the stack's. The wrapper does too.

13. moto's Kafka backend names a cluster `cluster/<uuid>`, where AWS's ARN is
   `cluster/<name>/<uuid>`; templates split a cluster's ARN by `/` and take
   index 2 for the uuid (the group ARNs need it). The wrapper gives moto's
   clusters AWS's shape.
14. moto's CloudFormation skips AWS::MSK::Cluster and AWS::MSK::Topic (a Ref
   to them is dropped from outputs, a GetAtt fails the stack). The wrapper
   models both on moto's Kafka backend: the cluster is created (ACTIVE, as
   CloudFormation leaves it) and deleted with the stack, Ref and GetAtt Arn
   its ARN; a topic must name a cluster the backend knows, is recorded on it,
   and its Ref / GetAtt TopicArn is AWS's
   `topic/<cluster-name>/<cluster-uuid>/<topic>`.
15. moto's CloudFormation skips AWS::ApiGatewayV2::Api, Integration, Route
   and Stage. The wrapper creates them through moto's apigatewayv2 backend:
   Api (Ref the api id, GetAtt ApiEndpoint / ApiId), Integration (Ref its
   id), Route (Ref its id), Stage (Ref its name); each deleted with the stack.
16. moto's Lambda refuses an event source mapping on an MSK cluster ("Invalid
   EventSourceArn": only SQS, DynamoDB and Kinesis), which AWS accepts. The
   wrapper records one for a cluster moto's Kafka backend knows (nothing
   polls it: moto has no Kafka data plane); an unknown cluster is still
   refused.
17. moto answers kafka:GetBootstrapBrokers 500 "not implemented". The wrapper
   answers it from the Kafka backend: for a known cluster the strings AWS
   gives for its client authentication and encryption in transit, one
   broker per node (`b-N.<name>.<id>.c2.kafka.<region>.amazonaws.com`, port
   9098 IAM, 9096 SCRAM, 9094 TLS, 9092 plaintext); 404 NotFoundException
   for an unknown one.

Then it runs the normal server, so the templates are deployed exactly as built.

usage: python3 moto_server.py -H 127.0.0.1 -p PORT
"""
import json
import sys
from urllib.parse import unquote, urlparse

from moto.cloudformation import parsing as cfn_parsing
from moto.cloudformation import responses as cfn_responses
from moto.events import models as events_models
from moto.kms import models as kms_models
from moto.s3 import models as s3_models
from moto.s3 import responses as s3_responses
from moto.s3.exceptions import BucketNotEmpty, S3AccessDeniedError

from moto.apigateway import models
from moto.cloudformation.models import CloudFormationBackend, Event
from moto.server import main
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
    state_task_service_callback as sfn_callback)

_original = models.Method.create_from_cloudformation_json.__func__


def _tolerant_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    integration = cloudformation_json["Properties"].get("Integration", {})
    integration.setdefault("IntegrationHttpMethod", "POST")
    integration.setdefault("Uri", "")
    return _original(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)


models.Method.create_from_cloudformation_json = classmethod(_tolerant_create)

_original_kms_create = kms_models.Key.create_from_cloudformation_json.__func__


def _kms_key_with_cfn_tags(cls, resource_name, cloudformation_json, account_id, region_name,
                           **kwargs):
    props = cloudformation_json["Properties"]
    props["Tags"] = [{"TagKey": t["Key"], "TagValue": t["Value"]} for t in props.get("Tags", [])]
    return _original_kms_create(cls, resource_name, cloudformation_json, account_id, region_name,
                                **kwargs)


kms_models.Key.create_from_cloudformation_json = classmethod(_kms_key_with_cfn_tags)

_original_bucket_create = s3_models.FakeBucket.create_from_cloudformation_json.__func__


def _bucket_with_events_and_versions(cls, resource_name, cloudformation_json, account_id,
                                     region_name, **kwargs):
    bucket = _original_bucket_create(cls, resource_name, cloudformation_json, account_id,
                                     region_name, **kwargs)
    props = cloudformation_json.get("Properties", {})
    backend = s3_models.s3_backends[account_id][s3_models.get_partition(region_name)]
    events = props.get("NotificationConfiguration", {}).get("EventBridgeConfiguration", {})
    if events.get("EventBridgeEnabled") in (True, "true"):
        backend.put_bucket_notification_configuration(bucket.name, {"EventBridgeConfiguration": {}})
    versioning = props.get("VersioningConfiguration", {}).get("Status")
    if versioning:
        backend.put_bucket_versioning(bucket.name, versioning)
    return bucket


s3_models.FakeBucket.create_from_cloudformation_json = classmethod(_bucket_with_events_and_versions)

_original_send_to_targets = events_models.Rule.send_to_targets


def _only_patterns_match_events(self, original_event, transform_input=True):
    if not self.event_pattern.get_pattern():  # a schedule rule
        return None
    try:
        return _original_send_to_targets(self, original_event, transform_input)
    except NotImplementedError:  # a target moto does not deliver to
        return None


events_models.Rule.send_to_targets = _only_patterns_match_events

_original_stack_from_url = cfn_responses.get_stack_from_s3_url


def _stack_from_loopback_url(template_url, account_id, partition):
    parts = urlparse(template_url)
    if parts.hostname == "127.0.0.1":
        template_url = parts._replace(netloc=f"localhost:{parts.port}").geturl()
    return _original_stack_from_url(template_url, account_id=account_id, partition=partition)


cfn_responses.get_stack_from_s3_url = _stack_from_loopback_url

_original_create_change_set = CloudFormationBackend.create_change_set
_original_execute_change_set = CloudFormationBackend.execute_change_set


def _create_change_set_seeing_exports(self, *args, **kwargs):
    change_set_id, stack_id = _original_create_change_set(self, *args, **kwargs)
    stack = self.stacks[stack_id]
    stack.cross_stack_resources = self.exports  # read when the change set is applied
    stack.resource_map.cross_stack_resources = self.exports
    return change_set_id, stack_id


def _execute_change_set_publishing_exports(self, change_set_name, stack_name=None):
    _original_execute_change_set(self, change_set_name, stack_name)
    change_set = self.change_sets.get(change_set_name) or next(
        cs for cs in self.change_sets.values() if cs.change_set_name == change_set_name)
    stack = self.stacks[change_set.stack_id]
    stack.parameters = change_set.parameters  # patch 12
    stack._parse_template()
    stack.output_map = stack._create_output_map()
    for name in [n for n, e in self.exports.items() if e.exporting_stack_id == stack.stack_id]:
        self.exports.pop(name)  # an update replaces the stack's exports
    self._validate_export_uniqueness(stack)
    for export in stack.exports:
        self.exports[export.name] = export


CloudFormationBackend.create_change_set = _create_change_set_seeing_exports

_original_parse_and_create = cfn_parsing.parse_and_create_resource


def _create_naming_the_failing_resource(logical_id, resource_json, *args, **kwargs):
    try:
        return _original_parse_and_create(logical_id, resource_json, *args, **kwargs)
    except Exception as error:  # which resource failed: for the FAILED event
        if not hasattr(error, "failed_resource"):
            error.failed_resource = (logical_id, resource_json.get("Type", ""))
        raise


cfn_parsing.parse_and_create_resource = _create_naming_the_failing_resource


def _resource_event(stack, logical_id, resource_type, status, reason):
    stack.events.append(Event(stack_id=stack.stack_id, stack_name=stack.name,
                              logical_resource_id=logical_id, physical_resource_id="",
                              resource_type=resource_type, resource_status=status,
                              resource_status_reason=reason, resource_properties=None))


def _execute_change_set_rolling_back(self, change_set_name, stack_name=None):
    try:
        _execute_change_set_publishing_exports(self, change_set_name, stack_name)
    except Exception as error:
        change_set = self.change_sets.get(change_set_name) or next(
            cs for cs in self.change_sets.values() if cs.change_set_name == change_set_name)
        stack = self.stacks[change_set.stack_id]
        create = change_set.change_set_type == "CREATE"
        logical_id, resource_type = getattr(error, "failed_resource", (stack.name, ""))
        reason = getattr(error, "message", None) or str(error)
        _resource_event(stack, logical_id, resource_type,
                        "CREATE_FAILED" if create else "UPDATE_FAILED", reason)
        rollback = "ROLLBACK" if create else "UPDATE_ROLLBACK"
        stack._add_stack_event(f"{rollback}_IN_PROGRESS", resource_status_reason=(
            f"The following resource(s) failed to {'create' if create else 'update'}: "
            f"[{logical_id}]. Rollback requested by user."))
        if create:  # what the failed create made is deleted, as moto's DeleteStack does
            try:
                stack.resource_map.delete()
            except Exception:  # the resources never made cannot be deleted
                pass
        stack._add_stack_event(f"{rollback}_COMPLETE")
        stack.status = f"{rollback}_COMPLETE"
        change_set.execution_status = "EXECUTE_FAILED"


CloudFormationBackend.execute_change_set = _execute_change_set_rolling_back



_original_delete_resource = cfn_parsing.ResourceMap._delete_resource


def _delete_resource_naming_it(self, parsed_resource, resource_json):
    try:
        _original_delete_resource(self, parsed_resource, resource_json)
    except Exception as error:  # which resource failed: for the DELETE_FAILED event
        error.failed_resource = (parsed_resource.logical_resource_id, resource_json.get("Type", ""))
        raise


cfn_parsing.ResourceMap._delete_resource = _delete_resource_naming_it

_original_bucket_delete = s3_models.FakeBucket.delete_from_cloudformation_json.__func__


def _bucket_delete_refusing_objects(cls, resource_name, cloudformation_json, account_id,
                                    region_name):
    backend = s3_models.s3_backends[account_id][s3_models.get_partition(region_name)]
    bucket = backend.buckets.get(resource_name)
    if bucket is not None and len(bucket.keys):
        raise BucketNotEmpty(resource_name)
    return _original_bucket_delete(cls, resource_name, cloudformation_json, account_id,
                                   region_name)


s3_models.FakeBucket.delete_from_cloudformation_json = classmethod(_bucket_delete_refusing_objects)

_original_delete_stack = CloudFormationBackend.delete_stack


def _delete_stack_or_fail(self, name_or_stack_id):
    stack = next((st for st in self.stacks.values()
                  if name_or_stack_id in (st.stack_id, st.name)), None)
    if stack is None:
        return _original_delete_stack(self, name_or_stack_id)
    try:
        _original_delete_stack(self, stack.stack_id)
    except Exception as error:
        self.stacks[stack.stack_id] = stack  # a stack whose delete failed stays
        self.deleted_stacks.pop(stack.stack_id, None)
        logical_id, resource_type = getattr(error, "failed_resource", (stack.name, ""))
        reason = getattr(error, "message", None) or str(error)
        _resource_event(stack, logical_id, resource_type, "DELETE_FAILED", reason)
        stack._add_stack_event("DELETE_FAILED", resource_status_reason=(
            f"The following resource(s) failed to delete: [{logical_id}]. "))
        stack.status = "DELETE_FAILED"


CloudFormationBackend.delete_stack = _delete_stack_or_fail


def _permission_without_conditions(self, action, resource):
    from moto.iam.access_control import IAMPolicy, PermissionResult
    if self.policy is None:
        return PermissionResult.NEUTRAL
    policy = json.loads(self.policy.decode())
    statements = policy.get("Statement", [])
    statements = [st for st in (statements if isinstance(statements, list) else [statements])
                  if "Condition" not in st]
    if not statements:
        return PermissionResult.NEUTRAL
    return IAMPolicy(json.dumps({**policy, "Statement": statements})).is_action_permitted(
        action, resource)


s3_models.FakeBucket.get_permission = _permission_without_conditions



def _checking_expected_owner(dispatch):
    """Patch 11: a request whose expected bucket owner is not the bucket's is denied."""
    def checked(self, request, full_url, *args, **kwargs):
        expected = request.headers.get("x-amz-expected-bucket-owner")
        owner = s3_models.s3_backends.bucket_accounts.get(
            self.parse_bucket_name_from_url(request, full_url))
        if expected and owner and owner[1] != expected:
            raise S3AccessDeniedError()
        return dispatch(self, request, full_url, *args, **kwargs)
    return checked


s3_responses.S3Response._bucket_response = _checking_expected_owner(
    s3_responses.S3Response._bucket_response)
s3_responses.S3Response._key_response = _checking_expected_owner(
    s3_responses.S3Response._key_response)


def _guard_sync_interrupt():
    """Patch 7: the same method, its one unguarded call guarded."""
    import inspect
    import textwrap
    cls = sfn_callback.StateTaskServiceCallback
    source = textwrap.dedent(inspect.getsource(cls._eval_integration_pattern))
    unguarded = "\n        callback_endpoint.interrupt_all()\n"
    if unguarded not in source:  # moto changed: the patch must be looked at again
        raise SystemExit("moto_server.py: patch 7 no longer applies")
    source = source.replace(unguarded, "\n        if callback_endpoint is not None:\n"
                            "            callback_endpoint.interrupt_all()\n")
    namespace = {}
    exec(compile(source, inspect.getsourcefile(cls), "exec"), vars(sfn_callback), namespace)
    cls._eval_integration_pattern = namespace["_eval_integration_pattern"]


_guard_sync_interrupt()


# Patches 13-17: the telemetry system's Kafka cluster, topics, WebSocket API
# and the event source mapping on the cluster.
from moto.apigatewayv2 import models as apigwv2_models
from moto.awslambda import models as lambda_models
from moto.core.common_models import CloudFormationModel
from moto.cloudformation.exceptions import ValidationError as CfnValidationError
from moto.kafka import models as kafka_models
from moto.kafka import responses as kafka_responses
from moto.kafka.exceptions import NotFoundException


def _aws_shaped_cluster_arn(self):
    """Patch 13: `cluster/<name>/<uuid>`, as AWS names a cluster."""
    kind = "cluster" if self.cluster_type == "PROVISIONED" else "serverless-cluster"
    return (f"arn:{kafka_models.get_partition(self.region_name)}:kafka:{self.region_name}:"
            f"{self.account_id}:{kind}/{self.cluster_name}/{self.cluster_id}")


kafka_models.FakeKafkaCluster._generate_arn = _aws_shaped_cluster_arn

# Maps whose keys are the user's (names, route keys, tags), never renamed.
_VERBATIM_KEYS = {"Tags", "StageVariables", "RouteSettings", "RequestParameters",
                  "RequestTemplates", "ResponseParameters", "RequestModels", "ServerProperties"}


def _camel(value):
    """CloudFormation's PascalCase properties as the service API spells them."""
    if isinstance(value, list):
        return [_camel(v) for v in value]
    if not isinstance(value, dict):
        return value
    return {k[:1].lower() + k[1:]: (v if k in _VERBATIM_KEYS else _camel(v))
            for k, v in value.items()}


def _kafka_backend(account_id, region_name):
    return kafka_models.kafka_backends[account_id][region_name]


class _ClusterNotFound(NotFoundException):
    code = 404  # as MSK answers; moto's NotFoundException keeps RESTError's 400


def _known_cluster(account_id, region_name, arn, refusal=_ClusterNotFound):
    """The cluster of moto's Kafka backend, or `refusal` (Kafka's JSON error by
    default; CloudFormation's callers want one that renders as its XML)."""
    cluster = _kafka_backend(account_id, region_name).clusters.get(arn)
    if cluster is None:
        raise refusal(f"The cluster {arn} does not exist.")
    return cluster


class CfnMskCluster(CloudFormationModel):
    """Patch 14: AWS::MSK::Cluster on moto's Kafka backend."""
    __module__ = "moto.kafka.models"  # moto's model registry files models by service

    def __init__(self, cluster):
        self.cluster = cluster

    @staticmethod
    def cloudformation_type():
        return "AWS::MSK::Cluster"

    @staticmethod
    def cloudformation_name_type():
        return "ClusterName"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name, **kwargs):
        props = cloudformation_json["Properties"]
        backend = _kafka_backend(account_id, region_name)
        arn, _, _ = backend.create_cluster(
            broker_node_group_info=_camel(props["BrokerNodeGroupInfo"]),
            client_authentication=_camel(props.get("ClientAuthentication")),
            cluster_name=props.get("ClusterName", resource_name),
            configuration_info=_camel(props.get("ConfigurationInfo")),
            encryption_info=_camel(props.get("EncryptionInfo")),
            enhanced_monitoring=props.get("EnhancedMonitoring", "DEFAULT"),
            open_monitoring=_camel(props.get("OpenMonitoring")),
            kafka_version=props["KafkaVersion"],
            logging_info=_camel(props.get("LoggingInfo")),
            number_of_broker_nodes=int(props["NumberOfBrokerNodes"]),
            tags=props.get("Tags"),
            storage_mode=props.get("StorageMode", "LOCAL"))
        cluster = backend.clusters[arn]
        cluster.state = "ACTIVE"  # CloudFormation completes once the cluster is active
        cluster.topics = {}
        return cls(cluster)

    @property
    def physical_resource_id(self):
        return self.cluster.arn

    @classmethod
    def has_cfn_attr(cls, attr):
        return attr == "Arn"

    def get_cfn_attribute(self, attribute_name):
        from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
        if attribute_name == "Arn":
            return self.cluster.arn
        raise UnformattedGetAttTemplateException()

    def delete(self, account_id, region_name):
        _kafka_backend(account_id, region_name).clusters.pop(self.cluster.arn, None)


class CfnMskTopic(CloudFormationModel):
    """Patch 14: AWS::MSK::Topic, recorded on its cluster in moto's Kafka backend."""
    __module__ = "moto.kafka.models"

    def __init__(self, cluster, name, props):
        self.cluster = cluster
        self.name = name
        self.partitions = int(props["PartitionCount"])
        self.replication = int(props["ReplicationFactor"])
        _, _, _, region, account, resource = cluster.arn.split(":", 5)
        _, cluster_name, cluster_id = resource.split("/")
        self.arn = (f"arn:{kafka_models.get_partition(region)}:kafka:{region}:{account}:"
                    f"topic/{cluster_name}/{cluster_id}/{name}")

    @staticmethod
    def cloudformation_type():
        return "AWS::MSK::Topic"

    @staticmethod
    def cloudformation_name_type():
        return "TopicName"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name, **kwargs):
        props = cloudformation_json["Properties"]
        cluster = _known_cluster(account_id, region_name, props["ClusterArn"],
                                 refusal=CfnValidationError)
        name = props.get("TopicName", resource_name)
        if name in cluster.topics:
            raise CfnValidationError(message=f"The topic {name} already exists on {cluster.arn}.")
        if int(props["ReplicationFactor"]) > (cluster.number_of_broker_nodes or 0):
            raise CfnValidationError(message=f"The replication factor of {name} exceeds the "
                                             f"cluster's {cluster.number_of_broker_nodes} brokers.")
        topic = cls(cluster, name, props)
        cluster.topics[name] = topic
        return topic

    @property
    def physical_resource_id(self):
        return self.arn

    @classmethod
    def has_cfn_attr(cls, attr):
        return attr == "TopicArn"

    def get_cfn_attribute(self, attribute_name):
        from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
        if attribute_name == "TopicArn":
            return self.arn
        raise UnformattedGetAttTemplateException()

    def delete(self, account_id, region_name):
        getattr(self.cluster, "topics", {}).pop(self.name, None)


def _apigwv2_backend(account_id, region_name):
    return apigwv2_models.apigatewayv2_backends[account_id][region_name]


class CfnApiV2(CloudFormationModel):
    """Patch 15: AWS::ApiGatewayV2::Api on moto's apigatewayv2 backend."""
    __module__ = "moto.apigatewayv2.models"

    def __init__(self, api):
        self.api = api

    @staticmethod
    def cloudformation_type():
        return "AWS::ApiGatewayV2::Api"

    @staticmethod
    def cloudformation_name_type():
        return "Name"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name, **kwargs):
        props = cloudformation_json["Properties"]
        api = _apigwv2_backend(account_id, region_name).create_api(
            api_key_selection_expression=props.get("ApiKeySelectionExpression"),
            cors_configuration=_camel(props.get("CorsConfiguration")),
            description=props.get("Description"),
            disable_schema_validation=props.get("DisableSchemaValidation"),
            disable_execute_api_endpoint=props.get("DisableExecuteApiEndpoint"),
            name=props.get("Name", resource_name),
            protocol_type=props["ProtocolType"],
            route_selection_expression=props.get("RouteSelectionExpression"),
            tags=props.get("Tags", {}),
            version=props.get("Version"))
        return cls(api)

    @property
    def physical_resource_id(self):
        return self.api.api_id

    @classmethod
    def has_cfn_attr(cls, attr):
        return attr in ("ApiEndpoint", "ApiId")

    def get_cfn_attribute(self, attribute_name):
        from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
        if attribute_name == "ApiEndpoint":
            if self.api.protocol_type == "WEBSOCKET":  # AWS: wss://, HTTP APIs https://
                return self.api.api_endpoint.replace("https://", "wss://", 1)
            return self.api.api_endpoint
        if attribute_name == "ApiId":
            return self.api.api_id
        raise UnformattedGetAttTemplateException()

    def delete(self, account_id, region_name):
        _apigwv2_backend(account_id, region_name).delete_api(self.api.api_id)


class _ApiV2Part:
    """What an ApiGatewayV2 Integration, Route and Stage share: the api they
    belong to, made and removed through it (each part's _make and _remove).
    A mixin: moto registers only direct subclasses of CloudFormationModel."""

    def __init__(self, api, part_id):
        self.api = api
        self.part_id = part_id

    @staticmethod
    def cloudformation_name_type():
        return ""

    @property
    def physical_resource_id(self):
        return self.part_id

    @classmethod
    def has_cfn_attr(cls, attr):
        return False

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name, **kwargs):
        props = cloudformation_json["Properties"]
        api = _apigwv2_backend(account_id, region_name).get_api(props["ApiId"])
        return cls(api, cls._make(api, props))

    def delete(self, account_id, region_name):
        self._remove(self.api, self.part_id)


class CfnApiV2Integration(_ApiV2Part, CloudFormationModel):
    """Patch 15: AWS::ApiGatewayV2::Integration (Ref its id)."""
    __module__ = "moto.apigatewayv2.models"

    @staticmethod
    def cloudformation_type():
        return "AWS::ApiGatewayV2::Integration"

    @staticmethod
    def _make(api, props):
        return api.create_integration(
            connection_type=props.get("ConnectionType"),
            description=props.get("Description"),
            integration_method=props.get("IntegrationMethod"),
            integration_type=props["IntegrationType"],
            integration_uri=props.get("IntegrationUri"),
            credentials_arn=props.get("CredentialsArn"),
            payload_format_version=props.get("PayloadFormatVersion"),
            timeout_in_millis=props.get("TimeoutInMillis")).id

    @staticmethod
    def _remove(api, part_id):
        api.delete_integration(part_id)


class CfnApiV2Route(_ApiV2Part, CloudFormationModel):
    """Patch 15: AWS::ApiGatewayV2::Route (Ref its id)."""
    __module__ = "moto.apigatewayv2.models"

    @staticmethod
    def cloudformation_type():
        return "AWS::ApiGatewayV2::Route"

    @staticmethod
    def _make(api, props):
        return api.create_route(
            api_key_required=props.get("ApiKeyRequired", False),
            authorization_scopes=props.get("AuthorizationScopes", []),
            route_key=props["RouteKey"],
            target=props.get("Target"),
            authorization_type=props.get("AuthorizationType"),
            authorizer_id=props.get("AuthorizerId"),
            operation_name=props.get("OperationName")).route_id

    @staticmethod
    def _remove(api, part_id):
        api.delete_route(part_id)


class CfnApiV2Stage(_ApiV2Part, CloudFormationModel):
    """Patch 15: AWS::ApiGatewayV2::Stage (Ref its name)."""
    __module__ = "moto.apigatewayv2.models"

    @staticmethod
    def cloudformation_type():
        return "AWS::ApiGatewayV2::Stage"

    @staticmethod
    def _make(api, props):
        return api.create_stage(_camel({k: v for k, v in props.items() if k != "ApiId"})).name

    @staticmethod
    def _remove(api, part_id):
        api.delete_stage(part_id)


# moto finds its models through CloudFormationModel.__subclasses__(), which
# holds classes weakly: these references keep them registered.
_TELEMETRY_MODELS = (CfnMskCluster, CfnMskTopic, CfnApiV2, CfnApiV2Integration,
                     CfnApiV2Route, CfnApiV2Stage)

_original_create_esm = lambda_models.LambdaBackend.create_event_source_mapping
_original_esm_arn = lambda_models.EventSourceMapping.event_source_arn
_original_esm_batch = lambda_models.EventSourceMapping.batch_size


def _is_kafka(arn):
    return arn.split(":")[2:3] == ["kafka"]


def _set_source_arn_allowing_msk(self, arn):
    if _is_kafka(arn):
        self._event_source_arn = arn
    else:
        _original_esm_arn.fset(self, arn)


def _set_batch_size_allowing_msk(self, size):
    if not _is_kafka(self.event_source_arn):
        return _original_esm_batch.fset(self, size)
    if size is not None and not 1 <= int(size) <= 10000:  # Lambda's range for MSK
        raise ValueError("InvalidParameterValueException",
                         f"BatchSize {size} is out of the range 1..10000")
    self._batch_size = 100 if size is None else int(size)


def _create_esm_on_msk(self, spec):
    """Patch 16: a mapping on a cluster the Kafka backend knows is recorded."""
    arn = spec.get("EventSourceArn", "")
    if arn not in _kafka_backend(self.account_id, self.region_name).clusters:
        return _original_create_esm(self, spec)  # its refusal: "Invalid EventSourceArn"
    func = self._lambdas.get_function_by_name_or_arn_with_qualifier(spec["FunctionName"])
    spec.update({"RegionName": self.region_name, "AccountId": self.account_id,
                 "FunctionArn": func.function_arn})
    esm = lambda_models.EventSourceMapping(spec)
    self._event_source_mappings[esm.uuid] = esm
    return esm


lambda_models.EventSourceMapping.event_source_arn = _original_esm_arn.setter(
    _set_source_arn_allowing_msk)
lambda_models.EventSourceMapping.batch_size = _original_esm_batch.setter(
    _set_batch_size_allowing_msk)
lambda_models.LambdaBackend.create_event_source_mapping = _create_esm_on_msk

# Patch 17: the bootstrap broker strings, by client authentication and encryption.
_BOOTSTRAP_PORTS = (("BootstrapBrokerStringSaslIam", 9098), ("BootstrapBrokerStringSaslScram", 9096),
                    ("BootstrapBrokerStringTls", 9094), ("BootstrapBrokerString", 9092))


def _listeners(cluster):
    """Which of _BOOTSTRAP_PORTS the cluster has, as MSK decides them."""
    auth = cluster.client_authentication or {}
    sasl = auth.get("sasl", {})
    in_transit = (cluster.encryption_info or {}).get("encryptionInTransit", {})
    client_broker = in_transit.get("clientBroker", "TLS")
    unauthenticated = auth.get("unauthenticated", {}).get("enabled", not auth)
    return {
        "BootstrapBrokerStringSaslIam": sasl.get("iam", {}).get("enabled", False),
        "BootstrapBrokerStringSaslScram": sasl.get("scram", {}).get("enabled", False),
        "BootstrapBrokerStringTls": client_broker != "PLAINTEXT" and (
            unauthenticated or auth.get("tls", {}).get("enabled", False)),
        "BootstrapBrokerString": client_broker != "TLS" and unauthenticated,
    }


def _get_bootstrap_brokers(self):
    path = unquote(self.parsed_url.path)
    arn = path.split("/clusters/", 1)[-1].rsplit("/bootstrap-brokers", 1)[0]
    cluster = _known_cluster(self.current_account, self.region, arn)
    host = (f"{cluster.cluster_name.lower()}.{cluster.cluster_id[:6]}.c2.kafka."
            f"{cluster.region_name}.amazonaws.com")
    brokers = range(1, (cluster.number_of_broker_nodes or 1) + 1)
    enabled = _listeners(cluster)
    return json.dumps({key[:1].lower() + key[1:]: ",".join(f"b-{n}.{host}:{port}" for n in brokers)
                       for key, port in _BOOTSTRAP_PORTS if enabled[key]})  # the wire's camelCase


kafka_responses.KafkaResponse.get_bootstrap_brokers = _get_bootstrap_brokers


if __name__ == "__main__":
    main(sys.argv[1:])
