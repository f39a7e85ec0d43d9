/* check_util: what the constructs' checks share (check.c implements it):
 * positions, AWS naming rules, key prefixes, default names, duplicate names,
 * and bucket locations ("BUCKET/PREFIX", implemented by the bucket). */
#ifndef LAKEC_CHECK_UTIL_H
#define LAKEC_CHECK_UTIL_H

#include "awsnames.h"
#include "construct.h"
#include "ctx.h"
#include "model.h"
#include "strindex.h"
#include "suggest.h"

/* The position of key's value in map (of the map itself when absent). */
Pos check_pos(const Node *map, const char *key);
/* Reports value (map's key) when rule says why it is invalid. */
void check_name(Ctx *ctx, const Node *map, const char *key, const char *value,
                const char *(*rule)(const char *), const char *code, const char *what);
/* map's `key` is a schedule expression (cron(...) only when cron_only, for
 * Glue's schedulers, `who` names them): reported inside the value, with the
 * fix when it is clear. */
void check_schedule(Ctx *ctx, const Node *map, const char *key, const char *expr, bool cron_only,
                    const char *who);
/* A schedule that is off (its map `schedule`) in a production stage, unless
 * the policy allows it: "the schedule of workflow 'x' is off ...". */
void check_schedule_on_in_production(Ctx *ctx, const Model *m, const Node *schedule, bool enabled,
                                     const char *kind, const char *key);
/* A plain key prefix: no leading '/', '//', '..' or '*'. */
bool check_prefix(Ctx *ctx, const char *prefix, Pos at);
/* map's `log_retention` (days) is one CloudWatch offers. */
void check_log_retention(Ctx *ctx, const Node *map, long long days);
/* The same for a retention under another key (a vpc's `flow_logs.retention`). */
void check_log_retention_at(Ctx *ctx, const Node *map, const char *key, long long days);
/* Keys of a map that become logical ids: valid, and not too close to each other. */
void check_keys(Ctx *ctx, const char *what, const Node *map);
/* PROJECT-STAGE-KEY. */
const char *check_default_name(Ctx *ctx, const Model *m, const char *key);
/* "queues 'a' and 'b' have the same name 'x'" when `names` already has name. */
void check_unique_name(Ctx *ctx, StrIndex *names, const Construct *c, const Item *item,
                       const char *name);
/* "BUCKET/PREFIX" resolved to its bucket (NULL bucket when reported). */
Location bucket_location(Ctx *ctx, const Model *m, const char *text, Pos at);
/* bucket + prefix keys resolved the same way. */
Location bucket_location_of(Ctx *ctx, const Model *m, const char *bucket, const char *prefix,
                            Pos bucket_at, Pos prefix_at);

/* What one construct's check asks of another's item, through the owner's
 * own code (function.c, bucket.c) rather than by writing its fields. */
/* A grant the function gets from elsewhere (a queue's consumer: consume). */
void function_add_grant(Ctx *ctx, Function *f, const Grant *g);
/* An environment variable lakec sets for the function (LAKEC_CORS_ORIGINS). */
void function_add_env(Ctx *ctx, Function *f, const char *name, const char *value);
/* A grant's verb found and its target resolved (function.c; analysts too). */
void check_grant(Ctx *ctx, const Model *m, Grant *g);
/* An object-created trigger's bucket resolved (t->source) and asked to send
 * its events to EventBridge, its prefix checked (a function's, a workflow's). */
void check_object_trigger(Ctx *ctx, const Model *m, ObjectTrigger *t);
/* What running a job asks of it (job.c): its timeout in minutes (0: none)
 * and how often Glue runs it again after a failed run. */
void job_run_settings(const void *job, long long *timeout_minutes, long long *max_retries);
/* The bucket sends its object events to EventBridge (a function's trigger). */
void bucket_send_events(Bucket *b);
/* Objects under prefix in the bucket expire after `days` (Athena results). */
void bucket_expire(Ctx *ctx, const Bucket *b, const char *prefix, long long days);

/* The crawler named key in any database, or NULL (reported at `at`). */
const Crawler *database_find_crawler(Ctx *ctx, const Model *m, const char *key, Pos at);

#endif
