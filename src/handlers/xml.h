/* xml: the little the handlers read of S3's XML answers (an upload's id, an
 * <Error> document's code and message), parsed by expat rather than
 * searched for as text: a key or a message that contains "<Error>" is not
 * an error, and entities come out decoded. */
#ifndef LAKEC_HANDLERS_XML_H
#define LAKEC_HANDLERS_XML_H

#include <stdbool.h>
#include <stddef.h>

/* The text of the first element named `element` (namespace prefixes are not
 * expected: S3 uses a default namespace), malloc'd; NULL when there is none
 * or the body is not well-formed up to it. */
char *xml_find_text(const char *body, size_t len, const char *element);

/* Whether the body is an S3 error document: its root element is <Error>
 * (what S3 may answer with a 200 to a copy or a multipart completion). */
bool xml_is_error(const char *body, size_t len);

/* "Code: Message" of an error document, cut to size, or "" when the body
 * is not one; returns out. */
const char *xml_error_text(const char *body, size_t len, char *out, size_t size);

#endif
