/* athena: the workgroup. Its settings are enforced, so every query (whatever
 * the client asks) writes encrypted results to the stage's results location
 * and stops at the bytes-scanned limit. */
#include "lower_internal.h"

void lower_athena(Ctx *ctx, Ir *ir, const Model *m) {
  const Athena *a = &m->athena;
  if (!a->node)
    return;
  json_t *result = J("{s:o, s:{s:s}}", "OutputLocation", location_s3_url(ctx, &a->results.where),
                     "EncryptionConfiguration", "EncryptionOption", "SSE_S3");
  json_t *config = J("{s:b, s:b, s:o}", "EnforceWorkGroupConfiguration", 1,
                     "PublishCloudWatchMetricsEnabled", 1, "ResultConfiguration", result);
  if (a->bytes_scanned_limit)
    json_object_set_new(config, "BytesScannedCutoffPerQuery",
                        json_integer(a->bytes_scanned_limit));
  /* RecursiveDeleteOption lets the stack delete a workgroup that has saved queries. */
  ir_add(ctx, ir, "AthenaWorkGroup", "AWS::Athena::WorkGroup",
         J("{s:s, s:s, s:b, s:o}", "Name", a->workgroup, "State", "ENABLED",
           "RecursiveDeleteOption", !m->production, "WorkGroupConfiguration", config));
}
