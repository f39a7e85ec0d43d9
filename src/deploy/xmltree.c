#include "xmltree.h"

#include <expat.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

typedef struct Builder {
  XmlNode *root, *current;
  int failed;
} Builder;

static void *must(void *p) {
  if (!p)
    abort(); /* out of memory */
  return p;
}

static char *dup_n(const char *s, size_t n) {
  char *d = must(malloc(n + 1));
  memcpy(d, s, n);
  d[n] = '\0';
  return d;
}

static void XMLCALL on_start(void *user, const XML_Char *name, const XML_Char **attributes) {
  (void)attributes;
  Builder *b = user;
  const char *colon = strrchr(name, ':'); /* "namespace-uri:local" */
  XmlNode *n = must(calloc(1, sizeof *n));
  n->name = dup_n(colon ? colon + 1 : name, strlen(colon ? colon + 1 : name));
  n->text = dup_n("", 0);
  n->parent = b->current;
  if (!b->current) {
    b->root = n;
  } else {
    XmlNode *p = b->current;
    if (p->len == p->cap) {
      p->cap = p->cap ? p->cap * 2 : 4;
      p->children = must(realloc(p->children, p->cap * sizeof *p->children));
    }
    p->children[p->len++] = n;
  }
  b->current = n;
}

static void XMLCALL on_end(void *user, const XML_Char *name) {
  (void)name;
  Builder *b = user;
  b->current = b->current->parent;
}

static void XMLCALL on_text(void *user, const XML_Char *text, int len) {
  Builder *b = user;
  if (!b->current)
    return;
  size_t old = strlen(b->current->text);
  b->current->text = must(realloc(b->current->text, old + (size_t)len + 1));
  memcpy(b->current->text + old, text, (size_t)len);
  b->current->text[old + (size_t)len] = '\0';
}

XmlNode *xml_parse(const char *text, size_t len) {
  if (len > INT_MAX)
    return NULL;
  XML_Parser p = XML_ParserCreateNS("UTF-8", ':');
  if (!p)
    return NULL;
  Builder b = {0};
  XML_SetUserData(p, &b);
  XML_SetElementHandler(p, on_start, on_end);
  XML_SetCharacterDataHandler(p, on_text);
  if (XML_Parse(p, text, (int)len, XML_TRUE) == XML_STATUS_ERROR) {
    xml_free(b.root);
    b.root = NULL;
  }
  XML_ParserFree(p);
  return b.root;
}

void xml_free(XmlNode *n) {
  if (!n)
    return;
  for (size_t i = 0; i < n->len; i++)
    xml_free(n->children[i]);
  free(n->children);
  free(n->name);
  free(n->text);
  free(n);
}

static const XmlNode *child(const XmlNode *n, const char *name, size_t len) {
  for (size_t i = 0; n && i < n->len; i++)
    if (strlen(n->children[i]->name) == len && !strncmp(n->children[i]->name, name, len))
      return n->children[i];
  return NULL;
}

const XmlNode *xml_at(const XmlNode *n, const char *path) {
  while (n && *path) {
    const char *slash = strchr(path, '/');
    size_t len = slash ? (size_t)(slash - path) : strlen(path);
    n = child(n, path, len);
    path += len + (slash ? 1 : 0);
  }
  return n;
}

const char *xml_text(const XmlNode *n, const char *path) {
  const XmlNode *at = xml_at(n, path);
  return at ? at->text : "";
}

const XmlNode *xml_find(const XmlNode *n, const char *name) {
  if (!n)
    return NULL;
  if (!strcmp(n->name, name))
    return n;
  for (size_t i = 0; i < n->len; i++) {
    const XmlNode *found = xml_find(n->children[i], name);
    if (found)
      return found;
  }
  return NULL;
}
