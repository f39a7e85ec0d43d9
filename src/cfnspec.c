#include "cfnspec.h"
#include <string.h>
static const char *const DDB_ATTRS[] = {"Arn", "StreamArn", NULL};
static const char *const ALARM_ATTRS[] = {"Arn", NULL};
static const CfnType TYPES[] = {{"AWS::CloudWatch::Alarm", NULL, ALARM_ATTRS},
                                {"AWS::DynamoDB::Table", NULL, DDB_ATTRS},
                                {"AWS::IAM::Role", NULL, ALARM_ATTRS},
                                {"AWS::Lambda::Function", NULL, ALARM_ATTRS},
                                {"AWS::S3::Bucket", NULL, ALARM_ATTRS},
                                {"AWS::SQS::Queue", NULL, ALARM_ATTRS}};
const CfnType *cfnspec_type(const char *name) {
  for (size_t i = 0; i < sizeof TYPES / sizeof *TYPES; i++)
    if (!strcmp(TYPES[i].name, name))
      return &TYPES[i];
  return NULL;
}
const CfnProp *cfnspec_prop(const CfnShape *s, const char *name) { (void)s; (void)name; return NULL; }
bool cfnspec_attribute(const CfnType *t, const char *attr) {
  for (const char *const *a = t->attributes; *a; a++)
    if (!strcmp(*a, attr))
      return true;
  return false;
}
const char *cfnspec_closest_type(const char *name) { (void)name; return NULL; }
const CfnType *cfnspec_check(Ctx *ctx, const Node *type, const Node *properties, Pos resource) {
  (void)ctx; (void)properties; (void)resource;
  return type ? cfnspec_type(type->str) : NULL;
}
