/* rawjson: YAML written as raw CloudFormation (a raw resource's properties,
 * a patch's value) turned into the template's JSON.
 *
 * A plain scalar keeps YAML's type: true / false a boolean, an integer or a
 * decimal a number, null (or nothing) null; a quoted or block scalar is a
 * string. lakec's own references, ${KEY.ITEM.ATTR}, are resolved here: a
 * scalar that is one reference and nothing else becomes its Ref or
 * Fn::GetAtt (or the literal lakec knows), one mixed with text becomes
 * Fn::Sub text, and inside the text of an Fn::Sub they become its variables,
 * next to CloudFormation's own (${AWS::Region}, ${Bucket.Arn}), which stay as
 * written. The references were checked before (refs_check). */
#ifndef LAKEC_RAWJSON_H
#define LAKEC_RAWJSON_H

#include "construct.h"

json_t *rawjson(Ctx *ctx, Ir *ir, const Model *m, const Node *n);

/* A plain scalar as YAML types it: a new JSON true/false/integer/real/null,
 * or NULL when it is text. */
json_t *rawjson_plain_scalar(const Node *n);

#endif
