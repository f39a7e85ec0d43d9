/* deploy: `lakec bootstrap`, `deploy`, `outputs` and `destroy`, and the
 * deployed side of `diff --deployed`, over a built stage folder whose
 * manifest main.c has checked is current (a stage file is built first).
 *
 * Exit statuses: 0 done, 1 a deploy or destroy failed (or was refused for a
 * reason in the stage), 2 no credentials, an endpoint that does not answer,
 * refused credentials, no terminal to ask and no --yes. */
#ifndef LAKEC_DEPLOY_DEPLOY_H
#define LAKEC_DEPLOY_DEPLOY_H

#include "ctx.h"

#include <jansson.h>
#include <stdbool.h>

typedef struct DeployOptions {
  const char *profile;       /* --profile, or NULL */
  const char *assets_bucket; /* --assets-bucket, or NULL: bootstrap's */
  const char *region;        /* bootstrap --region, or NULL */
  bool yes, allow_destructive, empty_buckets, json;
  bool color;
} DeployOptions;

/* A built stage folder and what its stage says. */
typedef struct StageFolder {
  const char *dir;
  json_t *manifest; /* borrowed */
  const char *region; /* the stage's region, or NULL */
  bool production;
} StageFolder;

int deploy_bootstrap(const DeployOptions *o, const char *region);
int deploy_stage(Ctx *ctx, const DeployOptions *o, const StageFolder *s);
int deploy_outputs(const DeployOptions *o, const StageFolder *s);
int deploy_destroy(const DeployOptions *o, const StageFolder *s);

/* Each stack's deployed template (JSON null for a stack not deployed), in
 * manifest order; NULL after saying why (*status: the exit status). */
json_t *deploy_deployed_templates(const DeployOptions *o, const StageFolder *s, int *status);

/* Whether a yes/no question can be asked (stdin and stderr are terminals). */
bool deploy_can_ask(void);

#endif
