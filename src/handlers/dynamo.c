#include "dynamo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *call(AwsClient *aws, const char *action, const char *table, json_t *body,
                    char *why, size_t size) {
  return aws_json10_call(aws, "dynamodb", "DynamoDB_20120810", action, table, body, why, size);
}

/* A call whose answer is not needed. Takes body's reference. */
static bool call_only(AwsClient *aws, const char *action, const char *table, json_t *body,
                      char *why, size_t size) {
  json_t *answer = call(aws, action, table, body, why, size);
  json_decref(body);
  json_decref(answer);
  return answer != NULL;
}

bool dynamo_put_item(AwsClient *aws, const char *table, json_t *item, char *why, size_t size) {
  return call_only(aws, "PutItem", table, json_pack("{s:s, s:O}", "TableName", table, "Item", item),
                   why, size);
}

bool dynamo_delete_item(AwsClient *aws, const char *table, json_t *key, char *why, size_t size) {
  return call_only(aws, "DeleteItem", table, json_pack("{s:s, s:O}", "TableName", table, "Key", key),
                   why, size);
}

static void strings_add(DynamoStrings *s, const char *value) {
  if (s->len == s->cap) {
    s->cap = s->cap ? s->cap * 2 : 64;
    s->items = realloc(s->items, s->cap * sizeof *s->items);
    if (!s->items)
      abort();
  }
  s->items[s->len] = strdup(value);
  if (!s->items[s->len++])
    abort();
}

/* The attribute's S values of one page's items. */
static void collect_page(json_t *page, const char *attribute, DynamoStrings *out) {
  size_t i;
  json_t *item;
  json_array_foreach(json_object_get(page, "Items"), i, item) {
    const char *value = json_string_value(json_object_get(json_object_get(item, attribute), "S"));
    if (value)
      strings_add(out, value);
  }
}

bool dynamo_scan_strings(AwsClient *aws, const char *table, const char *attribute,
                         long page_limit, DynamoStrings *out, unsigned *pages, char *why,
                         size_t size) {
  json_t *start = NULL;
  do {
    /* "#a": the attribute may be a reserved word */
    json_t *body = json_pack("{s:s, s:I, s:s, s:{s:s}}", "TableName", table, "Limit",
                             (json_int_t)page_limit, "ProjectionExpression", "#a",
                             "ExpressionAttributeNames", "#a", attribute);
    if (start)
      json_object_set_new(body, "ExclusiveStartKey", start);
    json_t *page = call(aws, "Scan", table, body, why, size);
    json_decref(body);
    if (!page)
      return false;
    ++*pages;
    if (!json_is_array(json_object_get(page, "Items"))) {
      snprintf(why, size, "Scan %s: an answer without Items", table);
      json_decref(page);
      return false;
    }
    collect_page(page, attribute, out);
    json_t *next = json_object_get(page, "LastEvaluatedKey");
    start = json_is_object(next) ? json_incref(next) : NULL;
    json_decref(page);
  } while (start);
  return true;
}

void dynamo_strings_release(DynamoStrings *s) {
  for (size_t i = 0; i < s->len; i++)
    free(s->items[i]);
  free(s->items);
  memset(s, 0, sizeof *s);
}
