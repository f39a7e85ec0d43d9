/* dict: a column chunk's dictionary of strings (an open-addressing hash set). */
#include "dict.h"

#include <stdlib.h>
#include <string.h>

static uint64_t fnv1a(const char *data, size_t len) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < len; i++) {
    h ^= (uint8_t)data[i];
    h *= 1099511628211ull;
  }
  return h;
}

static int entry_equals(const PqDict *d, uint32_t entry, const char *data, size_t len) {
  return d->lengths[entry] == len && memcmp(d->plain.data + d->offsets[entry], data, len) == 0;
}

static size_t find_slot(const PqDict *d, const char *data, size_t len) {
  size_t mask = d->slot_count - 1;
  size_t slot = (size_t)fnv1a(data, len) & mask;
  while (d->slots[slot] && !entry_equals(d, d->slots[slot] - 1, data, len))
    slot = (slot + 1) & mask;
  return slot;
}

static void grow_slots(PqDict *d) {
  free(d->slots);
  d->slot_count = d->slot_count ? d->slot_count * 2 : 1024;
  d->slots = pq_calloc(d->slot_count, sizeof *d->slots);
  for (uint32_t e = 0; e < d->count; e++) {
    const char *data = (const char *)d->plain.data + d->offsets[e];
    d->slots[find_slot(d, data, d->lengths[e])] = e + 1;
  }
}

static void grow_entries(PqDict *d) {
  uint32_t capacity = d->capacity ? d->capacity * 2 : 256;
  size_t *offsets = pq_calloc(capacity, sizeof *offsets);
  uint32_t *lengths = pq_calloc(capacity, sizeof *lengths);
  if (d->count) {
    memcpy(offsets, d->offsets, d->count * sizeof *offsets);
    memcpy(lengths, d->lengths, d->count * sizeof *lengths);
  }
  free(d->offsets);
  free(d->lengths);
  d->offsets = offsets;
  d->lengths = lengths;
  d->capacity = capacity;
}

uint32_t pq_dict_index(PqDict *d, const char *data, size_t len) {
  if ((d->count + 1) * 2 > d->slot_count) grow_slots(d);
  size_t slot = find_slot(d, data, len);
  if (d->slots[slot]) return d->slots[slot] - 1;
  if (d->count == d->capacity) grow_entries(d);
  uint32_t entry = d->count++;
  pq_buf_u32le(&d->plain, (uint32_t)len);
  d->offsets[entry] = d->plain.len;
  d->lengths[entry] = (uint32_t)len;
  pq_buf_append(&d->plain, data, len);
  d->slots[slot] = entry + 1;
  return entry;
}

void pq_dict_reset(PqDict *d) {
  d->plain.len = 0;
  d->count = 0;
  if (d->slots) memset(d->slots, 0, d->slot_count * sizeof *d->slots);
}

void pq_dict_free(PqDict *d) {
  pq_buf_free(&d->plain);
  free(d->offsets);
  free(d->lengths);
  free(d->slots);
  memset(d, 0, sizeof *d);
}
