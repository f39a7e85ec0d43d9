/* cfnspec: placeholder until the generated table lands (same API). */
#ifndef LAKEC_CFNSPEC_H
#define LAKEC_CFNSPEC_H
#include "ctx.h"
#include "node.h"
#include <stdbool.h>
#include <stddef.h>
enum { CFN_T_STRING = 1, CFN_T_INTEGER = 2, CFN_T_NUMBER = 4, CFN_T_BOOLEAN = 8,
       CFN_T_ARRAY = 16, CFN_T_OBJECT = 32 };
typedef struct CfnShape CfnShape;
typedef struct CfnProp {
  const char *name;
  unsigned types;
  unsigned item_types;
  const CfnShape *shape;
  bool required;
} CfnProp;
struct CfnShape { const CfnProp *props; size_t count; bool open; };
typedef struct CfnType {
  const char *name;
  const CfnShape *properties;
  const char *const *attributes;
} CfnType;
const CfnType *cfnspec_type(const char *name);
const CfnProp *cfnspec_prop(const CfnShape *s, const char *name);
bool cfnspec_attribute(const CfnType *t, const char *attr);
const char *cfnspec_closest_type(const char *name);
const CfnType *cfnspec_check(Ctx *ctx, const Node *type, const Node *properties, Pos resource);
#endif
