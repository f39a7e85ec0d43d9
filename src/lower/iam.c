/* iam: roles and the building blocks of least-privilege statements. A grant
 * names exactly what it covers (a bucket prefix, a crawler, a queue, ...) and
 * its verb, which the construct offering it describes, says the statements;
 * no statement ever has Action "*" and no Allow has Resource "*". */
#include "construct.h"
#include "lower_internal.h"
#include "nag.h"

#include <string.h>

json_t *iam_statement(const char *sid, json_t *actions, json_t *resources) {
  return J("{s:s, s:s, s:o, s:o}", "Sid", sid, "Effect", "Allow", "Action", actions, "Resource",
           resources);
}

/* A statement's reason for its wildcard travels in this member until
 * iam_role turns it into the role's suppression. */
#define WILDCARD_REASON "lakec:wildcard-reason"

json_t *iam_wildcard(json_t *statement, const char *reason) {
  json_object_set_new(statement, WILDCARD_REASON, json_string(reason));
  return statement;
}

const char **iam_any_resource_reasons(Ctx *ctx, json_t *statements) {
  const char **reasons = arena_alloc(&ctx->arena, (json_array_size(statements) + 1) * sizeof *reasons);
  size_t i, n = 0;
  json_t *st;
  json_array_foreach(statements, i, st) {
    const char *resource = json_string_value(json_object_get(st, "Resource"));
    const char *reason = json_string_value(json_object_get(st, WILDCARD_REASON));
    if (resource && !strcmp(resource, "*") && reason)
      reasons[n++] = arena_strdup(&ctx->arena, reason);
  }
  reasons[n] = NULL;
  return reasons;
}

/* IAM5 suppressions for the statements that carry a wildcard reason: the
 * findings they excuse are written with the template (nag.c). */
static void suppress_wildcards(IrResource *role, json_t *statements) {
  size_t i;
  json_t *st;
  json_array_foreach(statements, i, st) {
    const char *reason = json_string_value(json_object_get(st, WILDCARD_REASON));
    if (!reason)
      continue;
    role->metadata = nag_mark_statement(role->metadata, reason,
                                        json_string_value(json_object_get(st, "Sid")));
    json_object_del(st, WILDCARD_REASON);
  }
}

const char *iam_role(Ctx *ctx, Ir *ir, const char *id, const char *service, json_t *statements) {
  return iam_role_for(ctx, ir, id, J("{s:s}", "Service", service), statements)->id;
}

IrResource *iam_role_for(Ctx *ctx, Ir *ir, const char *id, json_t *principal,
                         json_t *statements) {
  json_t *assume = J("{s:s, s:[{s:s, s:o, s:s}]}", "Version", "2012-10-17", "Statement",
                     "Effect", "Allow", "Principal", principal, "Action", "sts:AssumeRole");
  json_t *policy = J("{s:s, s:{s:s, s:o}}", "PolicyName", arena_printf(&ctx->arena, "%sPolicy", id),
                     "PolicyDocument", "Version", "2012-10-17", "Statement", statements);
  IrResource *role = ir_add(ctx, ir, id, "AWS::IAM::Role",
                            J("{s:o, s:[o]}", "AssumeRolePolicyDocument", assume, "Policies", policy));
  suppress_wildcards(role, statements);
  return role;
}

/* ---- the Glue catalog resources a reader or crawler touches ---- */

static json_t *catalog_arns(const char *db_sub) {
  return J("[o,o,o]", cfn_sub("arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:catalog"),
           cfn_subf("arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:database/%s",
                    db_sub),
           cfn_subf("arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:table/%s/*",
                    db_sub));
}

/* Why the catalog statements name every table of the database. */
static const char *const TABLES_AT_RUN_TIME =
    "The crawler creates the database's tables at run time under names lakec cannot know; the "
    "statement is limited to the tables of this one database.";

json_t *iam_catalog_read(const char *sid, const char *db_sub) {
  return iam_wildcard(iam_statement(sid,
                       J("[s,s,s,s,s,s]", "glue:GetDatabase", "glue:GetTable", "glue:GetTables",
                         "glue:GetPartition", "glue:GetPartitions", "glue:BatchGetPartition"),
                       catalog_arns(db_sub)), TABLES_AT_RUN_TIME);
}

json_t *iam_catalog_write(const char *sid, const char *db_sub) {
  return iam_wildcard(iam_statement(sid,
                       J("[s,s,s,s,s,s,s,s,s,s,s]", "glue:GetDatabase", "glue:GetTable",
                         "glue:GetTables", "glue:CreateTable", "glue:UpdateTable",
                         "glue:GetPartition", "glue:GetPartitions", "glue:CreatePartition",
                         "glue:BatchCreatePartition", "glue:UpdatePartition",
                         "glue:BatchGetPartition"),
                       catalog_arns(db_sub)), TABLES_AT_RUN_TIME);
}

/* ---- grants ---- */

/* IAM statement ids are letters and digits only. */
const char *iam_sid(Ctx *ctx, const char *verb, const char *text) {
  char *sid = arena_printf(&ctx->arena, "%s%s", verb, lid(ctx, text, ""));
  size_t k = 0;
  for (const char *p = sid; *p; p++)
    if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9'))
      sid[k++] = *p;
  sid[k] = '\0';
  return sid;
}

json_t *iam_grant_statements(Ctx *ctx, Ir *ir, const Model *m, const Function *f) {
  json_t *out = json_array();
  for (size_t i = 0; i < f->grants.len; i++) {
    const Grant *g = &f->grants.items[i];
    g->verb->statements(ctx, ir, m, g, out);
  }
  return out;
}
