/* xmltree: an AWS Query API answer (CloudFormation, STS, S3's listings) as a
 * small tree, parsed by expat. Elements keep their local name (a namespace
 * prefix dropped), their text and their children in document order. */
#ifndef LAKEC_DEPLOY_XMLTREE_H
#define LAKEC_DEPLOY_XMLTREE_H

#include <stddef.h>

typedef struct XmlNode {
  char *name;
  char *text; /* the element's own text, "" when none */
  struct XmlNode **children;
  size_t len, cap;
  struct XmlNode *parent;
} XmlNode;

/* The document's root element, or NULL when the text is not well-formed. */
XmlNode *xml_parse(const char *text, size_t len);
void xml_free(XmlNode *n);

/* The first descendant found by following a path of element names separated
 * by '/' ("DescribeStacksResult/Stacks/member"), or NULL. */
const XmlNode *xml_at(const XmlNode *n, const char *path);
/* Its text, or "" (never NULL). */
const char *xml_text(const XmlNode *n, const char *path);
/* The first element of that name anywhere below n (n included), or NULL. */
const XmlNode *xml_find(const XmlNode *n, const char *name);

#endif
