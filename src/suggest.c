/* suggest: a two-row Levenshtein distance; the threshold keeps suggestions honest. */
#include "suggest.h"

#include <string.h>

static unsigned min3(unsigned a, unsigned b, unsigned c) {
  unsigned m = a < b ? a : b;
  return m < c ? m : c;
}

/* Optimal string alignment: Levenshtein plus adjacent transpositions, the
 * commonest typo ("arm46"). Three rows: the one before last is for swaps. */
unsigned edit_distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  if (la > 64 || lb > 64)
    return 255;
  unsigned older[65] = {0}, prev[65], cur[65];
  for (size_t j = 0; j <= lb; j++)
    prev[j] = (unsigned)j;
  for (size_t i = 1; i <= la; i++) {
    cur[0] = (unsigned)i;
    for (size_t j = 1; j <= lb; j++) {
      unsigned cost = a[i - 1] != b[j - 1];
      cur[j] = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && older[j - 2] + 1 < cur[j])
        cur[j] = older[j - 2] + 1;
    }
    memcpy(older, prev, sizeof prev);
    memcpy(prev, cur, (lb + 1) * sizeof *prev);
  }
  return prev[lb];
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
    if (!candidates[i]) /* a name the input left out (reported where it is missing) */
      continue;
    unsigned d = edit_distance(word, candidates[i]);
    if (d < best_d) {
      best_d = d;
      best = candidates[i];
    }
  }
  return best;
}
