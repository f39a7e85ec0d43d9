/* websocket: the routes of a WebSocket API, one program for its three
 * functions, dispatched on requestContext.routeKey:
 * - $connect puts {connectionId, connectedAt (ms), ttl (s)} into the
 *   connections table, ttl being 2 hours after connectedAt (API Gateway
 *   closes a connection then; the table's TTL removes what no $disconnect
 *   did);
 * - $disconnect deletes the connection's item;
 * - $default (and any other route key) answers the message on the caller's
 *   own connection (websocket_reply: ping gets pong).
 * Each answers {"statusCode":200}, as API Gateway expects.
 * The table is the function's one LAKEC_TABLE_<KEY> (its table grant); the
 * callback URL is the event's https://<domainName>/<stage> (wsapi.h names
 * its override). */
#include "dynamo.h"
#include "parse.h"
#include "runtime.h"
#include "wsapi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

extern char **environ;

static const char *connections_table(HandlerError *err) {
  char why[300];
  const char *table = env_sole(environ, "LAKEC_TABLE_", "", why, sizeof why);
  if (!table)
    handler_fail(err, "Configuration", "the connections table: %s", why);
  return table;
}

static json_t *ok_response(void) { return json_pack("{s:i}", "statusCode", 200); }

static json_t *on_connect(AwsClient *aws, const WsEvent *e, HandlerError *err) {
  const char *table = connections_table(err);
  if (!table)
    return NULL;
  long long at_ms = e->connected_at_ms ? e->connected_at_ms : (long long)time(NULL) * 1000;
  char at[24], ttl[24], why[512];
  snprintf(at, sizeof at, "%lld", at_ms);
  snprintf(ttl, sizeof ttl, "%lld", at_ms / 1000 + WEBSOCKET_TTL_S);
  json_t *item = json_pack("{s:{s:s}, s:{s:s}, s:{s:s}}", "connectionId", "S", e->connection_id,
                           "connectedAt", "N", at, "ttl", "N", ttl);
  bool stored = dynamo_put_item(aws, table, item, why, sizeof why);
  json_decref(item);
  return stored ? ok_response() : handler_fail(err, "DynamoDBError", "%s", why);
}

static json_t *on_disconnect(AwsClient *aws, const WsEvent *e, HandlerError *err) {
  const char *table = connections_table(err);
  if (!table)
    return NULL;
  char why[512];
  json_t *key = json_pack("{s:{s:s}}", "connectionId", "S", e->connection_id);
  bool deleted = dynamo_delete_item(aws, table, key, why, sizeof why);
  json_decref(key);
  return deleted ? ok_response() : handler_fail(err, "DynamoDBError", "%s", why);
}

static json_t *message(AwsClient *aws, const WsEvent *e, HandlerError *err) {
  char *callback = websocket_callback_url(e);
  const char *base = wsapi_base_url(callback);
  if (!base) {
    free(callback);
    return handler_fail(err, "InvalidEvent", "requestContext has no usable domainName and stage "
                        "to answer on");
  }
  char *reply = websocket_reply(e->body);
  AwsResponse resp;
  long status = wsapi_post(aws, base, e->connection_id, reply, strlen(reply), 0, &resp);
  if (status == 410) /* gone meanwhile: nothing to answer */
    fprintf(stderr, "websocket: connection %s is gone\n", e->connection_id);
  else if (status < 200 || status > 299)
    handler_fail(err, "PostToConnectionError", "%s: %s", e->connection_id,
                 status ? resp.body : resp.error); /* cut by handler_fail */
  aws_response_release(&resp);
  free(reply);
  free(callback);
  return err->type[0] ? NULL : ok_response();
}

static json_t *handle(AwsClient *aws, const Invocation *inv, HandlerError *err) {
  WsEvent e;
  char why[300];
  if (!websocket_read_event(inv->event, &e, why, sizeof why))
    return handler_fail(err, "InvalidEvent", "%s", why);
  switch (e.route) {
  case WS_CONNECT:
    return on_connect(aws, &e, err);
  case WS_DISCONNECT:
    return on_disconnect(aws, &e, err);
  default:
    return message(aws, &e, err);
  }
}

int main(int argc, char **argv) { return runtime_main(argc, argv, "websocket", handle); }
