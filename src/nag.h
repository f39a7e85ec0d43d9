/* nag: the findings of the AWS Solutions / Serverless rule packs (cdk-nag)
 * that IAM wildcards give, written as cdk-nag writes them, so that a
 * suppression names exactly what it excuses. */
#ifndef LAKEC_NAG_H
#define LAKEC_NAG_H

#include <jansson.h>

/* Adds a suppression {id: rule, reason, applies_to} (applies_to stolen, or
 * NULL) to a resource's metadata (created when NULL; returned); the same
 * rule and reason given twice merge their applies_to. */
json_t *nag_suppress(json_t *metadata, const char *rule, const char *reason,
                     json_t *applies_to);

/* Marks, in a resource's cdk-nag metadata (created when NULL; returned), that
 * the wildcards of the IAM statement `sid` are inherent, for `reason`. */
json_t *nag_mark_statement(json_t *metadata, const char *reason, const char *sid);

/* The metadata as the template says it (new reference): each marked
 * suppression gets the exact IAM5 findings ("Resource::<Bucket.Arn>/raw/" and a star)
 * of its statements in `properties`, the resource's final properties (after
 * linking, which may write ARNs out or import them). */
json_t *nag_finish_metadata(json_t *metadata, json_t *properties);

/* cdk-nag's flattenCfnReference: ${X} and Ref X as <X>, GetAtt as <X.Attr>,
 * Fn::Join joined, Fn::ImportValue unwrapped, anything else as compact JSON.
 * malloc'd. */
char *nag_flatten(json_t *v);

#endif
