#include "xml.h"

#include <errno.h>
#include <expat.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

/* Debian 12's libexpat.a seeds its hash salt with arc4random_buf, which
 * glibc has only since 2.36; Lambda's provided.al2023 has 2.34. Defined
 * here, the static link resolves expat's call to this one (getrandom, glibc
 * 2.25) and the handlers need no newer glibc. */
void arc4random_buf(void *buf, size_t n);
void arc4random_buf(void *buf, size_t n) {
  unsigned char *p = buf;
  while (n > 0) {
    ssize_t got = getrandom(p, n, 0);
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0)
      break;
    p += got;
    n -= (size_t)got;
  }
  /* no entropy at all (never seen on Linux): a salt that still differs by
   * process and time, which is what expat's hash flooding protection needs */
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  uint64_t mix = (uint64_t)t.tv_nsec * 0x9e3779b97f4a7c15u ^ (uint64_t)(uintptr_t)buf;
  for (size_t i = 0; i < n; i++, mix = mix * 6364136223846793005u + 1442695040888963407u)
    p[i] = (unsigned char)(mix >> 56);
}

/* What one parse looks for: the first element of a name (its text kept), or
 * only the root element's name. */
typedef struct Search {
  XML_Parser parser;
  const char *element; /* NULL: the root is all that is wanted */
  char root[16];       /* the root element's name, cut */
  int depth_inside;    /* > 0 while inside the element searched for */
  char *text;
  size_t len;
  bool found, failed;
} Search;

static void XMLCALL on_start(void *user, const XML_Char *name, const XML_Char **attributes) {
  (void)attributes;
  Search *s = user;
  if (!s->root[0])
    snprintf(s->root, sizeof s->root, "%s", name);
  if (!s->element) {
    XML_StopParser(s->parser, XML_FALSE);
    return;
  }
  if (s->depth_inside > 0)
    s->depth_inside++;
  else if (!s->found && !strcmp(name, s->element))
    s->depth_inside = 1;
}

static void XMLCALL on_end(void *user, const XML_Char *name) {
  (void)name;
  Search *s = user;
  if (s->depth_inside > 0 && --s->depth_inside == 0) {
    s->found = true;
    XML_StopParser(s->parser, XML_FALSE); /* the rest does not matter */
  }
}

static void XMLCALL on_text(void *user, const XML_Char *text, int len) {
  Search *s = user;
  if (s->depth_inside <= 0 || s->failed)
    return;
  char *grown = realloc(s->text, s->len + (size_t)len + 1);
  if (!grown) {
    s->failed = true;
    return;
  }
  memcpy(grown + s->len, text, (size_t)len);
  s->len += (size_t)len;
  grown[s->len] = '\0';
  s->text = grown;
}

static void search(Search *s, const char *body, size_t len) {
  s->parser = XML_ParserCreate("UTF-8");
  if (!s->parser || len > INT_MAX) {
    s->failed = true;
  } else {
    XML_SetUserData(s->parser, s);
    XML_SetElementHandler(s->parser, on_start, on_end);
    XML_SetCharacterDataHandler(s->parser, on_text);
    /* a stop from a handler ends the parse with XML_STATUS_SUSPENDED/ERROR
     * and error code XML_ERROR_ABORTED: what was found stays found */
    if (XML_Parse(s->parser, body, (int)len, XML_TRUE) == XML_STATUS_ERROR &&
        XML_GetErrorCode(s->parser) != XML_ERROR_ABORTED)
      s->failed = true;
  }
  if (s->parser)
    XML_ParserFree(s->parser);
}

char *xml_find_text(const char *body, size_t len, const char *element) {
  Search s = {.element = element};
  search(&s, body, len);
  if (s.found && !s.failed)
    return s.text ? s.text : calloc(1, 1);
  free(s.text);
  return NULL;
}

bool xml_is_error(const char *body, size_t len) {
  Search s = {0};
  search(&s, body, len);
  return !strcmp(s.root, "Error");
}

const char *xml_error_text(const char *body, size_t len, char *out, size_t size) {
  out[0] = '\0';
  if (!xml_is_error(body, len))
    return out;
  char *code = xml_find_text(body, len, "Code"), *message = xml_find_text(body, len, "Message");
  snprintf(out, size, "%s: %s", code ? code : "?", message ? message : "");
  free(code);
  free(message);
  return out;
}
