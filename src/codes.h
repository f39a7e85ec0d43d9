/* codes: every diagnostic code, with the text `lakec explain` prints and the
 * rule descriptions SARIF output carries. Codes are stable: never reuse one. */
#ifndef LAKEC_CODES_H
#define LAKEC_CODES_H

#define LK_YAML_SYNTAX "LK001"
#define LK_DUPLICATE_KEY "LK002"
#define LK_INPUT_LIMIT "LK003"
#define LK_ENCODING "LK004"
#define LK_EMPTY_FILE "LK005"
#define LK_YAML_UNSUPPORTED "LK006"
#define LK_EXTENDS_NOT_FOUND "LK010"
#define LK_EXTENDS_CYCLE "LK011"
#define LK_UNDEFINED_VAR "LK012"
#define LK_BAD_INTERPOLATION "LK013"
#define LK_EXTENDS_REFUSED "LK014"
#define LK_WRONG_TYPE "LK101"
#define LK_MISSING_KEY "LK102"
#define LK_BAD_ENUM "LK103"
#define LK_UNKNOWN_KEY "LK104"
#define LK_OUT_OF_RANGE "LK105"
#define LK_LANG_VERSION "LK106"
#define LK_BUCKET_NAME "LK201"
#define LK_GLUE_NAME "LK202"
#define LK_LAMBDA_NAME "LK203"
#define LK_API_NAME "LK204"
#define LK_SCHEDULE "LK206"
#define LK_ROUTE "LK207"
#define LK_LOCATION "LK208"
#define LK_TAG "LK209"
#define LK_ENV_NAME "LK210"
#define LK_NAME "LK211"
#define LK_UNDEFINED_REF "LK301"
#define LK_DUPLICATE "LK302"
#define LK_CONFLICT "LK303"
#define LK_TRIGGER_LOOP "LK304"
#define LK_TRIGGER_OVERLAP "LK305"
#define LK_API_TIMEOUT "LK306"
#define LK_STAGE_COLLISION "LK307"
#define LK_STACK_CYCLE "LK308"
#define LK_STACK_LIMIT "LK309"
#define LK_EMPTY_STAGE "LK312"
#define LK_PATCH_ID "LK370"
#define LK_PATCH_PATH "LK371"
#define LK_PATCH_VALUE "LK372"
#define LK_PATCH_POINTER "LK373"
#define LK_PATCH_TEST "LK374"
#define LK_PATCH_KNOWN "LK375"
#define LK_CFN_TYPE "LK390"     /* resources: (cfnspec.h) */
#define LK_CFN_PROPERTY "LK391"
#define LK_CFN_REQUIRED "LK392"
#define LK_CFN_VALUE "LK393"
#define LK_PROD_AUTH "LK401"
#define LK_PROD_BUCKET "LK402"
#define LK_PROD_SCHEDULE "LK403"
#define LK_HANDLER_MISSING "LK501"
#define LK_PREVIEW_PRODUCTION "LK600"
#define LK_HANDLER_ARCH "LK502"
#define LK_HANDLER_RUNTIME "LK503"

typedef struct DiagCode {
  const char *code;
  const char *title;       /* a short phrase: "unknown key" */
  const char *explanation; /* paragraphs for `lakec explain` */
  const char *bad, *good;  /* YAML examples */
} DiagCode;

/* The core's codes, in order, ending with a zeroed entry. */
extern const DiagCode DIAG_CODES[];
/* Every code: the core's (DIAG_CODES) and those the constructs bring
 * (Construct.codes), sorted, ending with a zeroed entry. */
const DiagCode *diag_codes(void);
/* The entry for code ("LK104", case-insensitive, "104" accepted), or NULL. */
const DiagCode *diag_code_find(const char *code);

#endif
