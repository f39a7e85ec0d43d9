"""moto_server with one gap closed, for the deploy tests.

moto's CloudFormation support for AWS::ApiGateway::Method reads
Integration.IntegrationHttpMethod and Integration.Uri unconditionally, so a
MOCK integration (the CORS preflight, which has neither, as AWS documents)
crashes it. Real CloudFormation accepts the template; cfn-lint checks it
against the published schema. This wrapper gives moto the same tolerance and
then runs the normal server, so the templates are deployed exactly as built.

usage: python3 moto_server.py -H 127.0.0.1 -p PORT
"""
import sys

from moto.apigateway import models
from moto.server import main

_original = models.Method.create_from_cloudformation_json.__func__


def _tolerant_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    integration = cloudformation_json["Properties"].get("Integration", {})
    integration.setdefault("IntegrationHttpMethod", "POST")
    integration.setdefault("Uri", "")
    return _original(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)


models.Method.create_from_cloudformation_json = classmethod(_tolerant_create)

if __name__ == "__main__":
    main(sys.argv[1:])
