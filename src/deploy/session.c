#include "session.h"
#include "awsquery.h"
#include "assets.h"
#include "credentials.h"

#include <stdio.h>
#include <string.h>

static bool fail(const char *fmt, const char *a, const char *b) {
  fprintf(stderr, "lakec: error: ");
  fprintf(stderr, fmt, a, b);
  fprintf(stderr, "\n");
  return false;
}

bool session_open(Session *s, const char *profile, const char *region) {
  memset(s, 0, sizeof *s);
  Credentials cr;
  char why[600];
  if (!credentials_find(profile, &cr, why, sizeof why))
    return fail("%s%s", why, "");
  if (region && *region)
    snprintf(cr.region, sizeof cr.region, "%s", region);
  if (!cr.region[0])
    return fail("no AWS region: the stage names none; set AWS_REGION or the profile's region%s%s",
                "", "");
  snprintf(s->region, sizeof s->region, "%s", cr.region);
  s->client = aws_client_with(cr.region, cr.key, cr.secret, cr.token, why, sizeof why);
  if (!s->client)
    return fail("%s%s", why, "");
  QueryResult r;
  bool ok = aws_query(s->client, "sts", "2011-06-15", "GetCallerIdentity", NULL, &r);
  if (ok)
    snprintf(s->account, sizeof s->account, "%s", xml_text(r.root, "GetCallerIdentityResult/Account"));
  assets_expect_owner(ok ? s->account : NULL);
  query_result_release(&r);
  if (!ok) {
    /* only a 4xx judges the credentials: a 5xx or no answer says nothing of them */
    fail(r.status / 100 == 4 ? "the credentials from %s were refused: %s"
         : r.status         ? "STS could not check the credentials from %s: %s (try again)"
                            : "%s%s",
         r.status ? cr.source : "", query_error(&r));
    session_close(s);
    return false;
  }
  return true;
}

void session_close(Session *s) {
  aws_client_free(s->client);
  s->client = NULL;
}
