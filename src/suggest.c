/* suggest: a two-row Levenshtein distance; the threshold keeps suggestions honest. */
#include "suggest.h"

#include <string.h>

unsigned edit_distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  if (la > 64 || lb > 64)
    return 255;
  unsigned prev[65], cur[65];
  for (size_t j = 0; j <= lb; j++)
    prev[j] = (unsigned)j;
  for (size_t i = 1; i <= la; i++) {
    cur[0] = (unsigned)i;
    for (size_t j = 1; j <= lb; j++) {
      unsigned sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
      unsigned del = prev[j] + 1, ins = cur[j - 1] + 1;
      cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
    }
    memcpy(prev, cur, (lb + 1) * sizeof *prev);
  }
  return prev[lb] > 255 ? 255 : prev[lb];
}

const char *suggest_closest(const char *word, const char *const *candidates, size_t n) {
  size_t len = strlen(word);
  unsigned limit = (unsigned)(len / 3);
  if (limit < 1)
    limit = 1;
  if (limit > 3)
    limit = 3;
  const char *best = NULL;
  unsigned best_d = limit + 1;
  for (size_t i = 0; i < n; i++) {
    unsigned d = edit_distance(word, candidates[i]);
    if (d < best_d) {
      best_d = d;
      best = candidates[i];
    }
  }
  return best;
}
