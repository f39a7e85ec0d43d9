/* handler_env: what lakec's own handler programs (src/handlers/) read from
 * their environment. A function running one of them gets only those of the
 * variables lakec sets (LAKEC_*): a variable no code reads is configuration
 * nobody checks. Programs lakec does not know get every variable. */
#ifndef LAKEC_HANDLER_ENV_H
#define LAKEC_HANDLER_ENV_H

#include <stdbool.h>

/* The names program reads, NULL-terminated ("LAKEC_CRAWLER_*" is a prefix),
 * or NULL when lakec does not know the program. */
const char *const *handler_env_reads(const char *program);

/* Whether a function running program should be given the variable name. */
bool handler_env_wanted(const char *program, const char *name);

/* Why program cannot take `value` for the variable `name` a stage sets (the
 * program would refuse it at run time), or NULL. */
const char *handler_env_refuses(const char *program, const char *name, const char *value);

#endif
