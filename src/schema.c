/* schema: the stage's own keys (see schema.h); each construct's table is in
 * its file under src/constructs/, and constructs.c joins them into the whole
 * stage's shape. */
#include "schema.h"
#include "model.h"

#include <limits.h>
#include <stddef.h>

const char *const ENUM_ARCH[] = {"x86_64", "arm64", NULL};
const char *const ENUM_AUTH[] = {"none", "iam", "cognito", NULL};

/* Well under the account's 10,000 per second, which every API of the
 * account and region shares: one stage cannot starve the others. Shared by
 * the REST and the WebSocket APIs. */
static const Field THROTTLE_FIELDS[] = {
    {"rate", F_INT, offsetof(Throttle, rate), .def = THROTTLE_DEFAULT_RATE, .min = 1,
     .max = 1000000, .doc = "steady requests per second the stage accepts"},
    {"burst", F_INT, offsetof(Throttle, burst), .def = THROTTLE_DEFAULT_BURST, .min = 1,
     .max = 1000000, .doc = "requests the stage accepts at once above the rate"},
};
const Shape SCHEMA_THROTTLE = SHAPE(Throttle, "throttle", THROTTLE_FIELDS, .key_offset = NO_KEY);

static const Field POLICY_FIELDS[] = {
    {"allow_open_api", F_BOOL, offsetof(Policy, allow_open_api), .def = "false",
     .doc = "a production API may use auth: none"},
    {"allow_unversioned_buckets", F_BOOL, offsetof(Policy, allow_unversioned_buckets),
     .def = "false", .doc = "a production bucket may turn versioning off"},
    {"allow_unretained_buckets", F_BOOL, offsetof(Policy, allow_unretained_buckets),
     .def = "false", .doc = "a production bucket may be deleted with the stack"},
    {"allow_disabled_schedules", F_BOOL, offsetof(Policy, allow_disabled_schedules),
     .def = "false", .doc = "a production schedule may be switched off"},
};
static const Shape SHAPE_POLICY = SHAPE(Policy, "policy", POLICY_FIELDS, .key_offset = NO_KEY);

static const Field STACK_FIELDS[] = {
    {"name", F_STR, offsetof(Stack, name), .def = "PROJECT-STAGE-KEY", .computed = true,
     .doc = "the CloudFormation stack name"},
    {"description", F_STR, offsetof(Stack, description),
     .doc = "the template's Description (default: what lakec says it generated)"},
    {"tags", F_STRMAP, offsetof(Stack, tags),
     .doc = "tags of every resource of the stack, over the stage's (an item's own win)"},
};
static const Shape SHAPE_STACK = SHAPE(Stack, "stack", STACK_FIELDS, .key_offset = offsetof(Stack, key));

static const char *const ENUM_PATCH_OP[] = {"add", "replace", "remove", "test", NULL};

static const Field PATCH_FIELDS[] = {
    {"op", F_ENUM, offsetof(Patch, op), .required = true, .values = ENUM_PATCH_OP,
     .doc = "add, replace or remove a value, or test that it is the one given (RFC 6902)"},
    {"path", F_STR, offsetof(Patch, path), .required = true,
     .doc = "a JSON pointer: /LOGICAL_ID/Properties/..., or the resource's DependsOn, "
            "Metadata, DeletionPolicy or UpdateReplacePolicy; ~1 is '/', ~0 is '~', - the "
            "end of a list"},
    {"value", F_NODE, offsetof(Patch, value),
     .doc = "the value to add, replace with or test for (YAML; ${KEY.ITEM.ATTR} references "
            "resolved); not with remove"},
};
static const Shape SHAPE_PATCH = SHAPE(Patch, "patch", PATCH_FIELDS, .key_offset = NO_KEY);

const Field SCHEMA_STAGE_FIELDS[] = {
    {"lakec", F_INT, offsetof(Model, version), .required = true, .min = 1, .max = 9999,
     .doc = "version of the stage language; 1"},
    {"extends", F_STR, offsetof(Model, extends),
     .doc = "the .yaml or .yml stage file this one builds on, relative to this file, under "
            "the project root (see --root)"},
    {"project", F_STR, offsetof(Model, project), .required = true,
     .doc = "short project name, part of default resource names; ${project}"},
    {"stage", F_STR, offsetof(Model, stage), .required = true,
     .doc = "the stage name (dev, qa, prod, ...); ${stage}"},
    {"production", F_BOOL, offsetof(Model, production), .def = "false",
     .doc = "a production stage: stricter defaults and policy rules"},
    {"policy", F_STRUCT, offsetof(Model, policy), .shape = &SHAPE_POLICY,
     .doc = "explicit exceptions to the production rules"},
    {"region", F_STR, offsetof(Model, region), .def = "us-east-1", .doc = "${region}"},
    {"account", F_STR, offsetof(Model, account), .doc = "the 12-digit AWS account; ${account}"},
    {"tags", F_STRMAP, offsetof(Model, tags), .doc = "tags for every taggable resource"},
    {"vars", F_STRMAP, offsetof(Model, vars), .doc = "values for ${var.NAME}"},
    {"stacks", F_MAP_OF, offsetof(Model, stacks), .shape = &SHAPE_STACK,
     .doc = "the CloudFormation stacks of the stage, in the order written; default: one"},
    {"patches", F_LIST_OF, offsetof(Model, patches), .shape = &SHAPE_PATCH,
     .doc = "RFC 6902 operations on the generated resources, applied in order (see Patches)"},
};
const size_t SCHEMA_STAGE_FIELDS_COUNT = COUNT(SCHEMA_STAGE_FIELDS);
