/* handler_env: what lakec's own handler programs (src/handlers/) read from
 * their environment. A function running one of them gets only those of the
 * variables lakec sets (LAKEC_*): a variable no code reads is configuration
 * nobody checks. Programs lakec does not know get every variable. */
#ifndef LAKEC_HANDLER_ENV_H
#define LAKEC_HANDLER_ENV_H

#include <stdbool.h>
#include <stddef.h>

/* The names program reads, NULL-terminated ("LAKEC_CRAWLER_*" is a prefix),
 * or NULL when lakec does not know the program. */
const char *const *handler_env_reads(const char *program);

/* Whether a function running program should be given the variable name. */
bool handler_env_wanted(const char *program, const char *name);

/* Why program cannot take `value` for the variable `name` a stage sets (the
 * program would refuse it at run time), or NULL. */
const char *handler_env_refuses(const char *program, const char *name, const char *value);

/* The grant verb ("write", "kafka_write") of which a function running
 * program must have exactly one: the program writes where that grant
 * allows, and learns where from the grant's variables (a bucket grant's
 * bucket and prefix as LAKEC_<VERB>_BUCKET and LAKEC_<VERB>_PREFIX, which
 * the function sets from it). NULL for the other programs. */
const char *handler_env_sole_grant(const char *program);
/* The same, and the form of the grant's target ("BUCKET/PREFIX", "FUNCTION"). */
const char *handler_env_sole_grant_target(const char *program, const char **target);

/* The lakec variables a value makes the program look up: for planner's
 * ENDPOINTS "api-a,api-b", LAKEC_QUEUE_API_A_URL and LAKEC_QUEUE_API_B_URL,
 * which only a `send` grant on queue api-a (api-b) sets. Calls need(user,
 * item, offset, variable) for each; item is the part of the value that asks,
 * offset where it starts in the value. */
typedef void (*HandlerEnvNeed)(void *user, const char *item, size_t offset,
                               const char *variable);
void handler_env_lookups(const char *program, const char *name, const char *value,
                         HandlerEnvNeed need, void *user);

#endif
