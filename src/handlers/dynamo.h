/* dynamo: the few DynamoDB calls the WebSocket handlers make (JSON 1.0
 * protocol, X-Amz-Target DynamoDB_20120810.<Action>, through aws.c's signed
 * client and its retries): PutItem, DeleteItem, and a paged Scan of one
 * string attribute. Items and keys are in DynamoDB's attribute-value JSON
 * ({"S": "..."}, {"N": "..."}). */
#ifndef LAKEC_HANDLERS_DYNAMO_H
#define LAKEC_HANDLERS_DYNAMO_H

#include "aws.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Strings collected from a scan (each malloc'd). */
typedef struct DynamoStrings {
  char **items;
  size_t len, cap;
} DynamoStrings;

/* Each returns true on success, else false with why filled ("PutItem T: HTTP
 * 400 ..."). */
bool dynamo_put_item(AwsClient *aws, const char *table, json_t *item, char *why, size_t size);
bool dynamo_delete_item(AwsClient *aws, const char *table, json_t *key, char *why, size_t size);
/* Appends the value of the S attribute `attribute` of every item (items
 * without it are skipped), page after page of at most page_limit items,
 * until no LastEvaluatedKey comes. *pages counts the Scan calls. */
bool dynamo_scan_strings(AwsClient *aws, const char *table, const char *attribute,
                         long page_limit, DynamoStrings *out, unsigned *pages, char *why,
                         size_t size);
void dynamo_strings_release(DynamoStrings *s);

#endif
