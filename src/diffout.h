/* diffout: a Diff as text for people (coloured on a terminal) and as JSON for
 * tools (a versioned shape, documented in the README). */
#ifndef LAKEC_DIFFOUT_H
#define LAKEC_DIFFOUT_H

#include "diff.h"
#include <stdio.h>

void diffout_text(const Diff *d, const char *a_name, const char *b_name, FILE *out, bool color);
/* New reference. */
json_t *diffout_json(const Diff *d, const char *a_name, const char *b_name);

#endif
