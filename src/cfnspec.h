/* cfnspec: what CloudFormation accepts of each resource type, and the check of
 * one raw resource (`resources:` in a stage file) against it before AWS sees it.
 *
 * The table (src/cfnspec_table.c) is generated from the resource provider
 * schemas cfn-lint ships (tools/gen_cfn_spec.py); nothing in it is typed by
 * hand. A type's Properties are a shape: property names, the JSON types each
 * value may have, which are required, and for objects (or lists of objects)
 * the nested shape; an "open" shape also takes names it does not list. */
#ifndef LAKEC_CFNSPEC_H
#define LAKEC_CFNSPEC_H

#include "node.h"

#include <stdbool.h>
#include <stddef.h>

struct Ctx;

enum { CFN_T_STRING = 1, CFN_T_INTEGER = 2, CFN_T_NUMBER = 4, CFN_T_BOOLEAN = 8,
       CFN_T_ARRAY = 16, CFN_T_OBJECT = 32 }; /* a value's allowed JSON types; 0 = anything */

typedef struct CfnShape CfnShape;
typedef struct CfnProp {
  const char *name;
  unsigned types;        /* CFN_T_* */
  unsigned item_types;   /* arrays: the items' CFN_T_*; 0 = anything */
  /* An object value's (or object items') properties; NULL = not checked.
   * When item_types has CFN_T_OBJECT, the shape is the items' and an object
   * value of the property itself (types with both) is not checked. */
  const CfnShape *shape;
  bool required;
  bool read_only; /* set by CloudFormation (read it with Fn::GetAtt); top-level properties only */
} CfnProp;
struct CfnShape { const CfnProp *props; size_t count; bool open; }; /* props sorted by name */

typedef struct CfnType {
  const char *name;               /* "AWS::S3::Bucket" */
  const CfnShape *properties;
  /* GetAtt names, sorted, NULL-terminated; nested ones dotted
   * ("Endpoint.Address"). A '*' stands for any text: a list item's index
   * ("Subscribers.*.Status") or a nested stack's output ("Outputs.*"). */
  const char *const *attributes;
} CfnType;

/* The generated table, sorted by name. */
extern const CfnType CFN_TYPES[];
extern const size_t CFN_TYPES_COUNT;

const CfnType *cfnspec_type(const char *name); /* NULL: unknown, or no name */
const CfnProp *cfnspec_prop(const CfnShape *s, const char *name); /* NULL: not a property */
bool cfnspec_attribute(const CfnType *t, const char *attr);
/* Did-you-mean for an unknown type: the same name in other case
 * ("aws::s3::bucket"), a near miss in the same service ("AWS::S3::Buckets"),
 * or a near miss of the whole name; NULL when nothing is near. */
const char *cfnspec_closest_type(const char *name);

/* Checks one resource: `type` is the YAML scalar of its Type (NULL: missing,
 * reported at `resource`), `properties` the YAML node of its Properties (may
 * be NULL). Reports an unknown type (LK390, then nothing else), unknown or
 * read-only property names (LK391), missing required properties (LK392) and values of
 * the wrong kind (LK393), each at the YAML node, at any depth. Intrinsic
 * functions ({Ref: X}, {Fn::...: ...}, {Condition: X}) and scalars holding
 * ${...} (references lakec resolves later) are not checked. Returns the type,
 * or NULL when it is missing or unknown. */
const CfnType *cfnspec_check(struct Ctx *ctx, const Node *type, const Node *properties,
                             Pos resource);
/* The same for the map of one resource (its Type and Properties; other keys
 * are the caller's): a missing required property is reported at the
 * Properties key rather than at its map. NULL for anything but a map. */
const CfnType *cfnspec_check_resource(struct Ctx *ctx, const Node *resource);

#endif
