/* suggest: "did you mean" — the closest candidate by edit distance. */
#ifndef LAKEC_SUGGEST_H
#define LAKEC_SUGGEST_H

#include <stddef.h>

/* Edit distance (with transpositions) between a and b; 255 for very long words. */
unsigned edit_distance(const char *a, const char *b);
/* The candidate nearest to word if it is near enough to be a likely typo
 * (at most a third of the word's length, at least 1, at most 3), else NULL. */
const char *suggest_closest(const char *word, const char *const *candidates, size_t n);

#endif
