/* codes: the long form of every diagnostic (see codes.h). */
#include "codes.h"
#include "construct.h"

#include <pthread.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#define STAGE_HEAD "lakec: 1\nproject: metrics\nstage: dev\n"

const DiagCode DIAG_CODES[] = {
    {LK_YAML_SYNTAX, "YAML syntax error",
     "The file is not well-formed YAML: an unclosed bracket or quote, an indentation that\n"
     "does not line up, a tab used for indentation, or an alias naming no anchor. The\n"
     "caret shows where the parser gave up; a note shows where the construct it was\n"
     "reading began.",
     STAGE_HEAD "buckets: {data: {name: metrics-dev}\n", STAGE_HEAD "buckets: {data: {name: metrics-dev}}\n"},
    {LK_DUPLICATE_KEY, "duplicate key",
     "A map names the same key twice. YAML parsers disagree about which one wins, so\n"
     "lakec refuses both; a note points at the first.",
     STAGE_HEAD "functions:\n  ingest: {}\n  ingest: {memory: 512}\n",
     STAGE_HEAD "functions:\n  ingest: {memory: 512}\n"},
    {LK_INPUT_LIMIT, "input too large",
     "A stage file is limited to 4 MiB, 64 levels of nesting and 200000 nodes, counting\n"
     "each alias as a copy of what it names. The limits stop hostile input (a \"billion\n"
     "laughs\" alias bomb) in milliseconds instead of exhausting memory.",
     STAGE_HEAD "vars:\n  a: &a [x, x, x, x, x, x, x, x, x, x]\n  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n  # ... and so on, ten times each\n",
     STAGE_HEAD "vars:\n  a: x\n"},
    {LK_ENCODING, "not UTF-8 text",
     "Stage files are UTF-8 text. A NUL byte (a binary file) or a byte sequence that is\n"
     "not UTF-8 (a file saved as Latin-1 or UTF-16) is refused; re-save the file as UTF-8.",
     "tags:\n  Owner: caf\\xe9   # the byte 0xE9 alone, Latin-1\n", "tags:\n  Owner: café\n"},
    {LK_EMPTY_FILE, "empty file", "The file holds no YAML at all, only blank lines or comments.",
     "# nothing yet\n", STAGE_HEAD "buckets: {data: {name: metrics-dev}}\n"},
    {LK_YAML_UNSUPPORTED, "YAML feature not supported",
     "lakec reads one YAML document of plain maps, lists and scalars. Custom tags (but\n"
     "CloudFormation's short forms, !Ref, !Sub, !GetAtt ..., read as their long forms in\n"
     "raw CloudFormation), several documents separated by ---, and keys that are maps or\n"
     "lists are refused.",
     STAGE_HEAD "buckets:\n  data: {name: !Secret bucket-name}\n", STAGE_HEAD "buckets:\n  data: {name: 'metrics-${stage}'}\n"},
    {LK_EXTENDS_NOT_FOUND, "extends file not found",
     "'extends' names a file, relative to the file that says it, that cannot be read.",
     "extends: metrics-lake.yaml   # in stages/, the blueprint is in templates/\n",
     "extends: ../templates/metrics-lake.yaml\n"},
    {LK_EXTENDS_CYCLE, "extends cycle",
     "A chain of 'extends' comes back to a file already in it, or is longer than 16 files.",
     "# a.yaml\nextends: b.yaml\n# b.yaml\nextends: a.yaml\n", "# a.yaml\nextends: b.yaml\n# b.yaml: no extends\n"},
    {LK_UNDEFINED_VAR, "undefined variable",
     "A string uses ${...} with a name lakec does not know. The variables are ${stage},\n"
     "${project}, ${region}, ${account} (each needs its key set) and ${var.NAME} for the\n"
     "names under 'vars'. Variables under 'vars' may use the built-in ones, not each other.",
     STAGE_HEAD "buckets:\n  data: {name: 'metrics-${stag}'}\n", STAGE_HEAD "buckets:\n  data: {name: 'metrics-${stage}'}\n"},
    {LK_BAD_INTERPOLATION, "malformed ${...}",
     "A '${' is not closed by '}', or a built-in value (stage, project, region, account)\n"
     "itself uses ${...}. Write '$${' for a literal '${'.",
     STAGE_HEAD "vars:\n  path: ${stage\n",
     STAGE_HEAD "vars:\n  path: ${stage}\nbuckets: {data: {name: 'metrics-${var.path}'}}\n"},
    {LK_EXTENDS_REFUSED, "extends refused",
     "'extends' may only name a YAML stage file of the project: a regular file whose name\n"
     "ends in .yaml or .yml, under the project root, whose top level is a map. The root is\n"
     "the nearest directory, from the stage file's own upwards, that holds a 'templates'\n"
     "folder or a '.git' entry; without one, the stage file's own directory. Symbolic\n"
     "links are followed, and where they lead must be under the root too. --root DIR\n"
     "(build, validate, diff) sets the root. A refused file is not read (a FIFO, a\n"
     "directory or a device included), and no diagnostic quotes its lines.",
     "extends: /etc/lakec/metrics-lake.yaml   # outside the project\n",
     "extends: ../templates/metrics-lake.yaml\n"},
    {LK_WRONG_TYPE, "wrong type",
     "A value has the wrong type: a map where a string is expected, text where a number\n"
     "is, or anything but true/false for a boolean ('yes' and 'on' are strings in YAML 1.2).",
     STAGE_HEAD "functions:\n  ingest: {memory: large}\n", STAGE_HEAD "functions:\n  ingest: {memory: 512}\n"},
    {LK_MISSING_KEY, "missing required key",
     "A required key is absent after merging the stage file with what it extends.",
     STAGE_HEAD "buckets:\n  data: {versioned: true}\n", STAGE_HEAD "buckets:\n  data: {name: metrics-dev, versioned: true}\n"},
    {LK_BAD_ENUM, "value not allowed",
     "The key takes one of a fixed set of values; the message lists them and the fix-it\n"
     "suggests the nearest.",
     STAGE_HEAD "functions: {q: {}}\napis: {api: {name: a, auth: cognitto, routes: {GET /m: q}}}\n",
     STAGE_HEAD "functions: {q: {}}\napis: {api: {name: a, auth: cognito, routes: {GET /m: q}}}\n"},
    {LK_UNKNOWN_KEY, "unknown key",
     "The key does not exist at this place of the language. The fix-it suggests the\n"
     "nearest valid key (typos, swapped letters). 'lakec schema' prints every key.",
     STAGE_HEAD "functions:\n  ingest:\n    scheduel: rate(1 minute)\n",
     STAGE_HEAD "functions:\n  ingest:\n    schedule: rate(1 minute)\n"},
    {LK_OUT_OF_RANGE, "number out of range",
     "A number is outside what AWS accepts: memory 128-10240 MB, timeout 1-900 s, a\n"
     "CloudWatch retention value, at least 10 MB for bytes_scanned_limit, 4 KB of\n"
     "environment per function.",
     STAGE_HEAD "functions:\n  ingest: {timeout: 1200}\n", STAGE_HEAD "functions:\n  ingest: {timeout: 900}\n"},
    {LK_LANG_VERSION, "unsupported language version",
     "'lakec:' names the version of the stage language the file is written in. This\n"
     "lakec reads version 1.",
     "lakec: 2\n", "lakec: 1\n"},
    {LK_BUCKET_NAME, "invalid S3 bucket name",
     "S3 bucket names are 3-63 characters of lowercase letters, digits, '.' and '-',\n"
     "begin and end with a letter or digit, have no '..' or '.-', do not look like an IP\n"
     "address, and avoid reserved prefixes (xn--, sthree-, amzn-s3-demo-) and suffixes\n"
     "(-s3alias, --ol-s3, .mrap, --x-s3, --table-s3).",
     STAGE_HEAD "buckets:\n  data: {name: Metrics_Dev}\n", STAGE_HEAD "buckets:\n  data: {name: metrics-dev}\n"},
    {LK_GLUE_NAME, "invalid Glue name",
     "Glue database names are lowercase letters, digits and '_' (Athena cannot read\n"
     "others without quoting); crawler names are letters, digits, '.', '_' and '-'.",
     STAGE_HEAD "databases: {catalog: {name: metrics-dev}}\n",
     STAGE_HEAD "databases: {catalog: {name: metrics_dev}}\n"},
    {LK_LAMBDA_NAME, "invalid Lambda function name",
     "Function names are 1-64 letters, digits, '-' and '_'. The default name is\n"
     "PROJECT-STAGE-KEY, so long project or stage names can push it over.",
     STAGE_HEAD "functions:\n  ingest: {name: metrics.dev.ingest}\n", STAGE_HEAD "functions:\n  ingest: {name: metrics-dev-ingest}\n"},
    {LK_API_NAME, "invalid API name",
     "REST API names are 1-128 letters, digits, spaces, '.', '_' and '-'; stage names\n"
     "are letters, digits, '-' and '_'.",
     STAGE_HEAD "functions: {q: {}}\napis: {api: {name: 'orlando/api', routes: {GET /m: q}}}\n",
     STAGE_HEAD "functions: {q: {}}\napis: {api: {name: orlandoapi_dev, routes: {GET /m: q}}}\n"},
    {LK_SCHEDULE, "invalid schedule expression",
     "A schedule is rate(VALUE UNIT), with minute/hour/day singular for 1 and plural\n"
     "otherwise, or cron(minute hour day-of-month month day-of-week year) with each field\n"
     "in range and exactly one of day-of-month and day-of-week set to '?'. The caret\n"
     "points at the field that is wrong.",
     STAGE_HEAD "functions:\n  ingest: {schedule: cron(0 25 * * ? *)}\n",
     STAGE_HEAD "functions:\n  ingest: {schedule: cron(0 23 * * ? *)}\n"},
    {LK_ROUTE, "invalid route",
     "A route is written 'METHOD /path': METHOD one of GET, POST, PUT, PATCH, DELETE,\n"
     "HEAD, OPTIONS, ANY; the path starts with '/' and has plain segments or {params}.",
     STAGE_HEAD "functions: {q: {}}\napis: {api: {name: a, routes: {GET metrics: q}}}\n",
     STAGE_HEAD "functions: {q: {}}\napis: {api: {name: a, routes: {GET /metrics: q}}}\n"},
    {LK_LOCATION, "invalid location",
     "A location is BUCKET/PREFIX with a plain key prefix: no leading '/', no '//',\n"
     "'..' or '*'. Grants and triggers are scoped to it, so it must be exact. The\n"
     "'write' grant of a function running extract or telemetry_data is the prefix of\n"
     "its keys: it ends in '/'.",
     STAGE_HEAD "buckets: {data: {name: metrics-dev}}\nfunctions:\n  f: {grants: [{read: data/raw/*}]}\n",
     STAGE_HEAD "buckets: {data: {name: metrics-dev}}\nfunctions:\n  f: {grants: [{read: data/raw/}]}\n"},
    {LK_TAG, "invalid tag",
     "Tag keys are 1-128 characters and values at most 256, of letters, digits, spaces\n"
     "and _ . : / = + - @. Keys starting with 'aws:' are AWS's; Project, Stage and\n"
     "ManagedBy are set by lakec on every resource.",
     STAGE_HEAD "tags: {Stage: production}\n",
     STAGE_HEAD "tags: {Environment: production}\nbuckets: {data: {name: metrics-dev}}\n"},
    {LK_ENV_NAME, "invalid environment variable",
     "Environment variable names start with a letter and use letters, digits and '_'.\n"
     "Lambda reserves AWS_REGION, AWS_LAMBDA_*, _HANDLER and others; lakec sets the\n"
     "LAKEC_* variables itself.",
     STAGE_HEAD "functions:\n  f: {environment: {AWS_REGION: eu-west-1}}\n",
     STAGE_HEAD "functions:\n  f: {environment: {TARGET_REGION: eu-west-1}}\n"},
    {LK_NAME, "invalid name",
     "Project, stage and the keys of buckets, functions and crawlers become parts of\n"
     "names and logical ids: 1-48 letters, digits, '-' and '_', starting with a letter.\n"
     "Also: an account is 12 digits, a region looks like us-east-1, a workgroup name\n"
     "uses letters, digits, '.', '_' and '-'.",
     STAGE_HEAD "functions:\n  2nd-step: {}\n", STAGE_HEAD "functions:\n  second-step: {}\n"},
    {LK_UNDEFINED_REF, "undefined reference",
     "A value names a bucket, crawler or function that does not exist: a grant's bucket,\n"
     "a trigger's bucket, a route's function, a 'crawl' or 'query' grant's crawler; or a\n"
     "handler needs a grant the function lacks (extract and telemetry_data write where\n"
     "their 'write' grant says).",
     STAGE_HEAD "functions: {query: {}}\napis: {api: {name: a, routes: {GET /m: qeury}}}\n",
     STAGE_HEAD "functions: {query: {}}\napis: {api: {name: a, routes: {GET /m: query}}}\n"},
    {LK_DUPLICATE, "duplicate",
     "Two things would get the same name: two buckets with one bucket name, two routes\n"
     "for one method and path (ANY covers every method), the same grant twice, two keys\n"
     "that give one logical id (raw-data and raw_data), or two files building one stage.",
     STAGE_HEAD "functions: {q: {}}\napis: {api: {name: a, routes: {GET /m: q, ANY /m: q}}}\n",
     STAGE_HEAD "functions: {q: {}}\napis: {api: {name: a, routes: {GET /m: q, POST /m: q}}}\n"},
    {LK_CONFLICT, "conflicting settings",
     "Settings that cannot both hold: a grant with two actions, an OPTIONS route on\n"
     "an API whose 'cors' already answers OPTIONS, or two grants of the verb a handler\n"
     "works on exactly one of (write: extract, telemetry_data; kafka_write: produce;\n"
     "invoke: generate).",
     STAGE_HEAD "buckets: {d: {name: metrics-dev}}\nfunctions:\n  f: {grants: [{read: d/a/, write: d/a/}]}\n",
     STAGE_HEAD "buckets: {d: {name: metrics-dev}}\nfunctions:\n  f: {grants: [{read: d/a/}, {write: d/a/}]}\n"},
    {LK_TRIGGER_LOOP, "function triggers itself",
     "A function runs when objects are created under a prefix and may also write under\n"
     "it: each object it writes would invoke it again, without end (and without limit\n"
     "on the bill). Write the output under another prefix.",
     STAGE_HEAD "buckets: {d: {name: metrics-dev}}\nfunctions:\n  p:\n    on_object_created: {bucket: d, prefix: raw/}\n    grants: [{write: d/raw/out/}]\n",
     STAGE_HEAD "buckets: {d: {name: metrics-dev}}\nfunctions:\n  p:\n    on_object_created: {bucket: d, prefix: raw/}\n    grants: [{write: d/processed/}]\n"},
    {LK_TRIGGER_OVERLAP, "overlapping triggers (warning)",
     "Two functions run on objects created under overlapping prefixes of one bucket, so\n"
     "one object invokes both. That is sometimes meant (fan-out); often a prefix is wrong.",
     STAGE_HEAD "buckets: {d: {name: metrics-dev}}\nfunctions:\n  a: {on_object_created: {bucket: d, prefix: raw/}}\n  b: {on_object_created: {bucket: d, prefix: raw/csv/}}\n",
     STAGE_HEAD "buckets: {d: {name: metrics-dev}}\nfunctions:\n  a: {on_object_created: {bucket: d, prefix: raw/json/}}\n  b: {on_object_created: {bucket: d, prefix: raw/csv/}}\n"},
    {LK_API_TIMEOUT, "timeout longer than the API waits (warning)",
     "API Gateway stops waiting for a REST integration after 29 seconds; a function\n"
     "behind a route with a longer timeout keeps running after the client got a 504.",
     STAGE_HEAD "functions: {q: {timeout: 120}}\napis: {api: {name: a, routes: {GET /m: q}}}\n",
     STAGE_HEAD "functions: {q: {timeout: 29}}\napis: {api: {name: a, routes: {GET /m: q}}}\n"},
    {LK_STAGE_COLLISION, "two stages create the same name",
     "When several stage files are checked together, two of them would create a resource\n"
     "with the same globally unique name (an S3 bucket), or the same regional name\n"
     "(function, crawler, database, workgroup) in the same account and region.",
     "# dev.yaml and prod.yaml both say\nbuckets: {data: {name: metrics-data}}\n",
     "buckets: {data: {name: 'metrics-${stage}'}}\n"},
    {LK_STACK_CYCLE, "stacks depend on each other in a cycle",
     "A construct in one stack refers to a construct in another, which (directly or\n"
     "through further stacks) refers back. Each stack must be deployed after the stacks\n"
     "it uses, so a cycle cannot be deployed. Move the constructs of the cycle into one\n"
     "stack, or break a reference. The notes show a reference of each step.",
     STAGE_HEAD "stacks: {a: {}, b: {}}\n"
     "buckets:\n  one: {name: metrics-dev-one, stack: a}\n  two: {name: metrics-dev-two, stack: b}\n"
     "functions:\n  f1: {stack: a, grants: [{read: two}]}\n  f2: {stack: b, grants: [{read: one}]}\n",
     STAGE_HEAD "stacks: {a: {}, b: {}}\n"
     "buckets:\n  one: {name: metrics-dev-one, stack: a}\n  two: {name: metrics-dev-two, stack: b}\n"
     "functions:\n  f1: {stack: b, grants: [{read: two}]}\n  f2: {stack: b, grants: [{read: one}]}\n"},
    {LK_STACK_LIMIT, "a stack over a CloudFormation limit",
     "CloudFormation refuses a template with more than 500 resources, 200 parameters or\n"
     "200 outputs, or a body over 1 MB (the limit of a template uploaded to S3). lakec\n"
     "checks each stack and says which limit it passes; put some of its constructs in\n"
     "another stack ('stacks:' and each construct's 'stack:').",
     STAGE_HEAD "functions:\n  f0001: {}\n  f0002: {}\n  # ... 150 functions: 4 resources each\n",
     STAGE_HEAD "stacks: {one: {}, two: {}}\nfunctions:\n  f0001: {stack: one}\n  f0002: {stack: two}\n"},
    {LK_EMPTY_STAGE, "a stage or stack without resources",
     "CloudFormation rejects a template without resources. The stage (or one of its\n"
     "stacks) has no construct that creates one: add one, or remove the empty stack.",
     STAGE_HEAD "stacks: {main: {}, spare: {}}\nbuckets: {data: {name: metrics-dev}}\n",
     STAGE_HEAD "buckets: {data: {name: metrics-dev}}\n"},
    {LK_PATCH_ID, "patch of a resource that does not exist",
     "A patch's path starts with a logical id the stage does not generate (in any of its\n"
     "stacks), or a patched DependsOn names one. The fix-it suggests the nearest id; the\n"
     "ids are the keys of Resources in the templates 'lakec build' writes.",
     STAGE_HEAD "buckets: {data: {name: metrics-dev, versioned: true}}\npatches:\n  - {op: add, path: /DataBuckt/Properties/AccelerateConfiguration, value: {AccelerationStatus: Enabled}}\n",
     STAGE_HEAD "buckets: {data: {name: metrics-dev, versioned: true}}\npatches:\n  - {op: add, path: /DataBucket/Properties/AccelerateConfiguration, value: {AccelerationStatus: Enabled}}\n"},
    {LK_PATCH_PATH, "patch path that does not exist",
     "A patch's path goes through a key or a list item the generated resource does not\n"
     "have. replace, remove and test need the whole path to exist; add needs all but its\n"
     "last segment (it creates that). The caret is at the first segment that names\n"
     "nothing, a note lists what exists there and the fix-it suggests the nearest key. A\n"
     "patch changes a resource's Properties, DependsOn, Metadata, DeletionPolicy or\n"
     "UpdateReplacePolicy only.",
     STAGE_HEAD "buckets: {data: {name: metrics-dev, versioned: true}}\npatches:\n  - {op: replace, path: /DataBucket/Properties/VersioningConfig/Status, value: Suspended}\n",
     STAGE_HEAD "buckets: {data: {name: metrics-dev, versioned: true}}\npatches:\n  - {op: replace, path: /DataBucket/Properties/VersioningConfiguration/Status, value: Suspended}\n"},
    {LK_PATCH_VALUE, "patch value missing or not allowed",
     "add, replace and test take a 'value:' (to take a property away, use remove);\n"
     "remove takes none.",
     STAGE_HEAD "buckets: {data: {name: metrics-dev, versioned: true}}\npatches:\n  - {op: replace, path: /DataBucket/Properties/VersioningConfiguration/Status}\n",
     STAGE_HEAD "buckets: {data: {name: metrics-dev, versioned: true}}\npatches:\n  - {op: replace, path: /DataBucket/Properties/VersioningConfiguration/Status, value: Suspended}\n"},
    {LK_PATCH_POINTER, "patch path that is not a JSON pointer",
     "A patch's path is an RFC 6901 JSON pointer: '/' before every segment, '~1' for a '/'\n"
     "inside one and '~0' for a '~'. It names a logical id and a part of that resource\n"
     "(at least two segments). A list item is named by its index, 0 for the first,\n"
     "without leading zeros; '-' names the end of a list, where only add can put a value.",
     STAGE_HEAD "buckets: {data: {name: metrics-dev, versioned: true}}\npatches:\n  - {op: add, path: DataBucket/Properties/AccelerateConfiguration, value: {AccelerationStatus: Enabled}}\n",
     STAGE_HEAD "buckets: {data: {name: metrics-dev, versioned: true}}\npatches:\n  - {op: add, path: /DataBucket/Properties/AccelerateConfiguration, value: {AccelerationStatus: Enabled}}\n"},
    {LK_PATCH_TEST, "patch test failed",
     "A 'test' patch found another value than the one it gives: the build stops. Put a test\n"
     "before a patch that relies on what lakec generates, so that a lakec upgrade that\n"
     "changes it stops the build instead of patching something else.",
     STAGE_HEAD "buckets: {data: {name: metrics-dev, versioned: true}}\npatches:\n  - {op: test, path: /DataBucket/Properties/VersioningConfiguration/Status, value: Suspended}\n",
     STAGE_HEAD "buckets: {data: {name: metrics-dev, versioned: true}}\npatches:\n  - {op: test, path: /DataBucket/Properties/VersioningConfiguration/Status, value: Enabled}\n"},
    {LK_PATCH_KNOWN, "patch of a value lakec uses elsewhere",
     "A warning: the patch changes a value that lakec also writes, as it is, into other\n"
     "resources (a bucket's or queue's name in IAM policies, function variables, other\n"
     "stacks). Those keep the old value. Set it with the construct's own key instead.",
     STAGE_HEAD "buckets: {data: {name: metrics-dev, versioned: true}}\npatches:\n  - {op: replace, path: /DataBucket/Properties/BucketName, value: metrics-dev-2}\n",
     STAGE_HEAD "buckets: {data: {name: metrics-dev-2, versioned: true}}\n"},
    {LK_CFN_TYPE, "unknown CloudFormation resource type",
     "A resource under 'resources:' names a Type that is not a CloudFormation resource\n"
     "type: lakec knows every type of the public registry, from the resource schemas\n"
     "cfn-lint ships, and Custom::NAME for a custom resource. The names are case-sensitive;\n"
     "the fix-it suggests the nearest type. Nothing else of the resource is checked until\n"
     "its type is known.",
     STAGE_HEAD "resources:\n  Sessions:\n    Type: AWS::DynamoDB::Tables\n    Properties:\n"
                "      BillingMode: PAY_PER_REQUEST\n      KeySchema: [{AttributeName: id, KeyType: HASH}]\n"
                "      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]\n",
     STAGE_HEAD "resources:\n  Sessions:\n    Type: AWS::DynamoDB::Table\n    Properties:\n"
                "      BillingMode: PAY_PER_REQUEST\n      KeySchema: [{AttributeName: id, KeyType: HASH}]\n"
                "      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]\n"},
    {LK_CFN_PROPERTY, "unknown CloudFormation property",
     "A resource under 'resources:' sets a property its type does not have, at the top\n"
     "of Properties or inside a nested setting. CloudFormation would refuse it at deploy\n"
     "time; the fix-it suggests the nearest property of the same place. Settings that take\n"
     "names of your own (a map of tags, a policy document) are not checked. A read-only\n"
     "property (a bucket's Arn, a table's StreamArn) is refused too: CloudFormation sets\n"
     "it and ignores a template's value; read it with Fn::GetAtt.",
     STAGE_HEAD "resources:\n  Sessions:\n    Type: AWS::DynamoDB::Table\n    Properties:\n"
                "      BilingMode: PAY_PER_REQUEST\n      KeySchema: [{AttributeName: id, KeyType: HASH}]\n"
                "      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]\n",
     STAGE_HEAD "resources:\n  Sessions:\n    Type: AWS::DynamoDB::Table\n    Properties:\n"
                "      BillingMode: PAY_PER_REQUEST\n      KeySchema: [{AttributeName: id, KeyType: HASH}]\n"
                "      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]\n"},
    {LK_CFN_REQUIRED, "missing required CloudFormation property",
     "A resource under 'resources:' lacks a property its type requires (a DynamoDB table\n"
     "its KeySchema, a Lambda function its Code and Role), or a nested setting lacks one\n"
     "of its own (each KeySchema entry its AttributeName and KeyType). The message lists\n"
     "every missing name.",
     STAGE_HEAD "resources:\n  Sessions:\n    Type: AWS::DynamoDB::Table\n    Properties:\n"
                "      BillingMode: PAY_PER_REQUEST\n"
                "      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]\n",
     STAGE_HEAD "resources:\n  Sessions:\n    Type: AWS::DynamoDB::Table\n    Properties:\n"
                "      BillingMode: PAY_PER_REQUEST\n      KeySchema: [{AttributeName: id, KeyType: HASH}]\n"
                "      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]\n"},
    {LK_CFN_VALUE, "CloudFormation property of the wrong kind",
     "A property of a resource under 'resources:' has a value of the wrong kind: a map or\n"
     "a list where a single value belongs or the other way round, text where only a\n"
     "number is allowed, anything but true or false where a boolean is ('yes' is text in\n"
     "YAML 1.2), or null, which CloudFormation refuses. A number or a boolean where text\n"
     "is expected is fine: CloudFormation converts it. Intrinsic functions ({Ref: X},\n"
     "{Fn::GetAtt: [...]}) and ${...} references are not checked here.",
     STAGE_HEAD "resources:\n  Sessions:\n    Type: AWS::DynamoDB::Table\n    Properties:\n"
                "      BillingMode: PAY_PER_REQUEST\n      KeySchema: [{AttributeName: id, KeyType: HASH}]\n"
                "      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]\n"
                "      PointInTimeRecoverySpecification: {PointInTimeRecoveryEnabled: yes}\n",
     STAGE_HEAD "resources:\n  Sessions:\n    Type: AWS::DynamoDB::Table\n    Properties:\n"
                "      BillingMode: PAY_PER_REQUEST\n      KeySchema: [{AttributeName: id, KeyType: HASH}]\n"
                "      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]\n"
                "      PointInTimeRecoverySpecification: {PointInTimeRecoveryEnabled: true}\n"},
    {LK_PROD_AUTH, "open API in production",
     "A stage with 'production: true' serves its API with 'auth: none'. Use iam or\n"
     "cognito, or, for an API that is public on purpose, say so with\n"
     "'policy: {allow_open_api: true}'.",
     STAGE_HEAD "production: true\nfunctions: {q: {}}\napis: {api: {name: a, auth: none, routes: {GET /m: q}}}\n",
     STAGE_HEAD "production: true\nfunctions: {q: {}}\napis: {api: {name: a, auth: iam, routes: {GET /m: q}}}\n"},
    {LK_PROD_BUCKET, "unprotected bucket in production",
     "A production stage turns off versioning or retention of a bucket. Losing a\n"
     "production bucket loses its data; if that is meant (a scratch bucket), say so with\n"
     "'policy: {allow_unversioned_buckets: true}' or 'policy: {allow_unretained_buckets: true}'.",
     STAGE_HEAD "production: true\nbuckets: {data: {name: metrics-prod, retain: false}}\n",
     STAGE_HEAD "production: true\nbuckets: {data: {name: metrics-prod}}\n"},
    {LK_PROD_SCHEDULE, "disabled schedule in production",
     "A production stage switches a schedule off, so the function never runs on its\n"
     "own. If the stage is run by hand on purpose, say so with\n"
     "'policy: {allow_disabled_schedules: true}'.",
     STAGE_HEAD "production: true\nfunctions:\n  f: {schedule: {expression: rate(1 hour), enabled: false}}\n",
     STAGE_HEAD "production: true\nfunctions:\n  f: {schedule: rate(1 hour)}\n"},
    {LK_PREVIEW_PRODUCTION, "preview copy of a production stage",
     "'--as NAME' builds, deploys or destroys a copy of a stage under another stage\n"
     "name (every physical name follows it), for per-branch environments. A\n"
     "production stage is not copied: its copies would carry production's settings\n"
     "(retained data, alarms, stricter access) and look like production in every\n"
     "name and tag. Preview a non-production stage instead, e.g. dev.",
     "# lakec deploy --as pr-42 stages/prod.yaml\nstage: prod\nproduction: true\n",
     "# lakec deploy --as pr-42 stages/dev.yaml\nstage: dev\n"},
    {LK_HANDLER_MISSING, "handler program not found",
     "'lakec build' packages each handler program a stage runs: the directory\n"
     "DIR/<handler>/ with an executable 'bootstrap' in it (and the libraries it needs\n"
     "in lib/). DIR is given with --handlers, else $LAKEC_HANDLERS, else the 'handlers'\n"
     "directory beside the lakec executable, which is where the CMake build puts\n"
     "lakec's own handlers. A function's handler is its key unless it says 'handler:'.\n"
     "'lakec build --no-package' writes templates without zips.",
     "# with no DIR/loader/bootstrap:\nfunctions:\n  load: {}\n",
     "# run a program that exists, or build it first:\nfunctions:\n  load: {handler: ingest}\n"},
    {LK_HANDLER_ARCH, "handler built for another architecture",
     "A function runs on x86_64 or arm64 ('architecture:', by default the build\n"
     "host's), and Lambda starts its bootstrap on that CPU: an executable built for the\n"
     "other one fails there with 'exec format error'. lakec reads the ELF header of\n"
     "bootstrap and refuses the mismatch. Build the handlers for the function's\n"
     "architecture (README: \"Building the handlers for another architecture\")\n"
     "and pass that build's handler directory with --handlers.",
     "# handlers built on an x86_64 host:\nfunctions:\n  ingest: {architecture: arm64}\n",
     "functions:\n  ingest: {architecture: x86_64}\n"},
    {LK_HANDLER_RUNTIME, "handler cannot run on provided.al2023",
     "The provided.al2023 runtime has glibc 2.34 and little else. lakec reads every\n"
     "ELF file of a handler and refuses one that needs a glibc symbol version newer\n"
     "than GLIBC_2.34 (it would fail to load with 'version not found'), a shared\n"
     "library that is neither glibc's nor carried in the handler's lib/ (Lambda\n"
     "searches /var/task/lib), a library built for another CPU than bootstrap, a\n"
     "bootstrap that is not executable, or files over Lambda's 250 MB. The CMake\n"
     "build copies the libraries a handler needs into lib/; build on a system whose\n"
     "glibc is no newer than the libraries you link need (Debian 12's are fine).",
     "# bootstrap links libyaml-0.so.2 and lib/ is empty:\nfunctions:\n  ingest: {}\n",
     "# lib/libyaml-0.so.2 is there:\nfunctions:\n  ingest: {}\n"},
    {NULL, NULL, NULL, NULL, NULL},
};

/* The core's codes, then each construct's, sorted by code; built once, in
 * static storage (nothing to free at exit). */
static DiagCode all_codes[256];

static int compare_codes(const void *a, const void *b) {
  return strcmp(((const DiagCode *)a)->code, ((const DiagCode *)b)->code);
}

static void add_code(size_t *n, const DiagCode *c) {
  if (*n + 1 >= sizeof all_codes / sizeof *all_codes)
    BUG("more diagnostic codes than diag_codes() holds");
  all_codes[(*n)++] = *c;
}

static void gather_codes(void) {
  size_t n = 0;
  for (const DiagCode *c = DIAG_CODES; c->code; c++)
    add_code(&n, c);
  for (size_t i = 0; i < CONSTRUCTS_COUNT; i++)
    for (const DiagCode *c = CONSTRUCTS[i]->codes; c && c->code; c++)
      add_code(&n, c);
  qsort(all_codes, n, sizeof *all_codes, compare_codes);
}

const DiagCode *diag_codes(void) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, gather_codes);
  return all_codes;
}

const DiagCode *diag_code_find(const char *code) {
  const char *digits = !strncasecmp(code, "LK", 2) ? code + 2 : code;
  for (const DiagCode *c = diag_codes(); c->code; c++)
    if (!strcmp(c->code + 2, digits))
      return c;
  return NULL;
}
