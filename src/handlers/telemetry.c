/* telemetry: see telemetry.h. The order of the draws is the data: changing
 * it changes every file telemetry_data writes and every live batch. */
#include "telemetry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the PRNG ---- */

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15u);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}

Rng rng_for(uint64_t seed, uint64_t stream) {
  Rng r;
  uint64_t x = seed ^ (stream * 0xd1b54a32d192ed03u);
  for (int i = 0; i < 4; i++)
    r.s[i] = splitmix64(&x);
  return r;
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t rng_next(Rng *r) {
  uint64_t *s = r->s, result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

double rng_unit(Rng *r) { return (double)(rng_next(r) >> 11) * 0x1.0p-53; }

uint64_t rng_below(Rng *r, uint64_t n) { return (uint64_t)(rng_unit(r) * (double)n); }

long long rng_range(Rng *r, long long lo, long long hi) {
  return lo + (long long)rng_below(r, (uint64_t)(hi - lo + 1));
}

const char *pick_weighted(Rng *r, const Weighted *list) {
  unsigned roll = (unsigned)rng_below(r, 100), sum = 0;
  for (;; list++) {
    sum += list->weight;
    if (roll < sum || !list[1].value)
      return list->value;
  }
}

/* ---- dates ---- */

long telemetry_days_from_civil(long y, unsigned m, unsigned d) {
  y -= m <= 2;
  long era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = (unsigned)(y - era * 400);
  unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (long)doe - 719468;
}

/* ---- titles ---- */

const char *const TELEMETRY_GENRES[12] = {"Action", "Comedy",  "Drama",   "Thriller",
                                          "Sci-Fi", "Horror",  "Romance", "Animation",
                                          "Crime",  "Fantasy", "Family",  "Documentary"};
/* Movies and series draw from the genres but the last. */
#define STORY_GENRES (TELEMETRY_COUNT(TELEMETRY_GENRES) - 1)

static const Weighted TITLE_TYPES[] = {
    {"movie", 55}, {"series", 35}, {"documentary", 10}, {NULL, 0}};
static const char *const ADJECTIVES[] = {
    "Silent", "Crimson", "Last",     "Hidden",    "Broken",   "Golden", "Midnight", "Distant",
    "Frozen", "Wild",    "Electric", "Forgotten", "Restless", "Quiet",  "Burning",  "Lonely"};
static const char *const NOUNS[] = {
    "Harbor",   "Empire",  "Signal",  "Garden",  "Frontier", "Echo",   "Kingdom", "River",
    "Protocol", "Horizon", "Circuit", "Orchard", "Voyage",   "Mirror", "Summit",  "Lantern"};

static void title_name(Rng *r, char *out, size_t size) {
  const char *adjective = TELEMETRY_PICK(r, ADJECTIVES), *noun = TELEMETRY_PICK(r, NOUNS);
  switch (rng_below(r, 4)) {
  case 0:
    snprintf(out, size, "The %s %s", adjective, noun);
    break;
  case 1:
    snprintf(out, size, "%s %s", adjective, noun);
    break;
  case 2:
    snprintf(out, size, "The %s of the %s", noun, TELEMETRY_PICK(r, NOUNS));
    break;
  default:
    snprintf(out, size, "%s %s %d", adjective, noun, (int)rng_range(r, 2, 4));
    break;
  }
}

/* Movies run 85-165 minutes, a series' episode 22-60, documentaries 50-110. */
static int32_t title_minutes(Rng *r, const char *type) {
  if (!strcmp(type, "movie"))
    return (int32_t)rng_range(r, 85, 165);
  if (!strcmp(type, "series"))
    return (int32_t)rng_range(r, 22, 60);
  return (int32_t)rng_range(r, 50, 110);
}

void telemetry_title(Rng *r, TelemetryTitle *out) {
  title_name(r, out->name, sizeof out->name);
  out->type = pick_weighted(r, TITLE_TYPES);
  out->genre = !strcmp(out->type, "documentary") ? "Documentary"
                                                 : TELEMETRY_GENRES[rng_below(r, STORY_GENRES)];
  out->minutes = title_minutes(r, out->type);
}

int32_t *telemetry_title_minutes(uint64_t seed, long long count) {
  int32_t *minutes = malloc((size_t)count * sizeof *minutes);
  if (!minutes)
    abort();
  Rng r = rng_for(seed, TELEMETRY_STREAM_TITLES);
  for (long long i = 0; i < count; i++) {
    TelemetryTitle t;
    telemetry_title(&r, &t);
    minutes[i] = t.minutes;
  }
  return minutes;
}

/* ---- viewing events ---- */

static const Weighted EVENT_TYPES[] = {{"start", 30}, {"pause", 15},    {"resume", 15},
                                       {"stop", 20},  {"complete", 20}, {NULL, 0}};
static const Weighted DEVICES[] = {
    {"tv", 40}, {"mobile", 30}, {"tablet", 15}, {"web", 15}, {NULL, 0}};
/* Quality by device, in DEVICES' order: phones do not stream 4K. */
static const Weighted QUALITY_BY_DEVICE[][4] = {
    {{"SD", 10}, {"HD", 50}, {"4K", 40}, {NULL, 0}},
    {{"SD", 35}, {"HD", 65}, {NULL, 0}, {NULL, 0}},
    {{"SD", 20}, {"HD", 70}, {"4K", 10}, {NULL, 0}},
    {{"SD", 15}, {"HD", 75}, {"4K", 10}, {NULL, 0}},
};

/* A version 4 UUID made of the stream's bits. */
static void event_id(Rng *r, char out[TELEMETRY_ID]) {
  uint64_t a = rng_next(r), b = rng_next(r);
  snprintf(out, TELEMETRY_ID, "%08x-%04x-4%03x-%04x-%012llx", (unsigned)(a >> 32),
           (unsigned)(a >> 16) & 0xffff, (unsigned)a & 0xfff,
           (unsigned)((b >> 48) & 0x3fff) | 0x8000, (unsigned long long)(b & 0xffffffffffffu));
}

/* How long this event's session watched: a start only begins, a completion
 * saw the whole title, the others stopped somewhere inside it. */
static int32_t watched_seconds(Rng *r, const char *type, int32_t minutes) {
  long long whole = (long long)minutes * 60;
  if (!strcmp(type, "start"))
    return (int32_t)rng_range(r, 0, 120);
  if (!strcmp(type, "complete"))
    return (int32_t)whole;
  if (!strcmp(type, "stop"))
    return (int32_t)rng_range(r, 60, whole);
  return (int32_t)rng_range(r, 60, whole / 2); /* pause, resume */
}

static size_t device_index(const char *device) {
  size_t i = 0;
  while (DEVICES[i].value && strcmp(DEVICES[i].value, device))
    i++;
  return i;
}

void telemetry_event(Rng *r, long long customers, long long titles, const int32_t *title_minutes,
                     TelemetryEvent *out) {
  event_id(r, out->event_id);
  snprintf(out->customer_id, sizeof out->customer_id, "cust-%07lld",
           1 + (long long)rng_below(r, (uint64_t)customers));
  double u = rng_unit(r);
  long long t = (long long)(u * u * (double)titles);
  snprintf(out->title_id, sizeof out->title_id, "title-%06lld", t + 1);
  out->event_type = pick_weighted(r, EVENT_TYPES);
  out->device_type = pick_weighted(r, DEVICES);
  out->quality = pick_weighted(r, QUALITY_BY_DEVICE[device_index(out->device_type)]);
  out->watch_duration_seconds = watched_seconds(r, out->event_type, title_minutes[t]);
}
