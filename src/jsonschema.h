/* jsonschema: the stage language as a JSON Schema, generated from schema.c's
 * tables (the checker's own), so YAML editors complete and check stage files. */
#ifndef LAKEC_JSONSCHEMA_H
#define LAKEC_JSONSCHEMA_H

#include <jansson.h>

/* A new JSON Schema (draft-07) object for one stage file. */
json_t *jsonschema_stage(void);

#endif
