/* telemetry: the ACME telemetry vocabulary (seed 004) that telemetry_data
 * (the lake's batch tables) and generate (the live events) share: the PRNG,
 * weighted picks, the titles and the viewing events. The same stream gives
 * the same values in both, so a live event's customer_id and title_id exist
 * in the lake's default customers and titles, and its watch duration fits
 * the title's length there. */
#ifndef LAKEC_HANDLERS_TELEMETRY_H
#define LAKEC_HANDLERS_TELEMETRY_H

#include <stddef.h>
#include <stdint.h>

/* ---- the PRNG: splitmix64 seeds xoshiro256** ---- */

typedef struct Rng {
  uint64_t s[4];
} Rng;

/* One stream per use: the seed and the stream's own constant. */
Rng rng_for(uint64_t seed, uint64_t stream);
uint64_t rng_next(Rng *r);
/* Uniform in [0, 1) with 53 bits. */
double rng_unit(Rng *r);
/* Uniform in [0, n). */
uint64_t rng_below(Rng *r, uint64_t n);
/* Uniform in [lo, hi]. */
long long rng_range(Rng *r, long long lo, long long hi);

typedef struct Weighted {
  const char *value;
  unsigned weight; /* a list's weights add up to 100 */
} Weighted;

/* One value of a list ended by {NULL, 0}, as often as its weight says. */
const char *pick_weighted(Rng *r, const Weighted *list);

#define TELEMETRY_COUNT(a) (sizeof(a) / sizeof *(a))
#define TELEMETRY_PICK(r, a) ((a)[rng_below(r, TELEMETRY_COUNT(a))])

/* Stream numbers: fixed, so each table's values depend on the seed and its
 * own volume only; the live events have their own. */
enum {
  TELEMETRY_STREAM_CUSTOMERS = 1,
  TELEMETRY_STREAM_TITLES,
  TELEMETRY_STREAM_CAMPAIGNS,
  TELEMETRY_STREAM_EVENTS,
  TELEMETRY_STREAM_LIVE,
};

/* The lake's default population (telemetry_data's defaults): the customers
 * and titles the live events refer to. */
#define TELEMETRY_SEED 42
#define TELEMETRY_CUSTOMERS 10000
#define TELEMETRY_TITLES 1000

/* The genres; Documentary, the last, is the genre of documentaries only. */
extern const char *const TELEMETRY_GENRES[12];

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil). */
long telemetry_days_from_civil(long y, unsigned m, unsigned d);

/* ---- titles ---- */

#define TELEMETRY_TITLE_NAME 96

typedef struct TelemetryTitle {
  char name[TELEMETRY_TITLE_NAME];
  const char *type, *genre;
  int32_t minutes;
} TelemetryTitle;

/* The next title of the stream (the Nth is title-NNNNNN). */
void telemetry_title(Rng *r, TelemetryTitle *out);
/* The minutes of the first `count` titles of the seed's titles stream
 * (malloc'd): what bounds an event's watch. */
int32_t *telemetry_title_minutes(uint64_t seed, long long count);

/* ---- viewing events ---- */

#define TELEMETRY_ID 37 /* a UUID and its NUL */

typedef struct TelemetryEvent {
  char event_id[TELEMETRY_ID];
  char customer_id[32], title_id[32];
  const char *event_type, *device_type, *quality;
  int32_t watch_duration_seconds;
} TelemetryEvent;

/* The next event of the stream: customers uniformly among `customers`;
 * titles skewed to the first of `titles` (a few hits, a long tail), each
 * title's length in title_minutes. */
void telemetry_event(Rng *r, long long customers, long long titles, const int32_t *title_minutes,
                     TelemetryEvent *out);

#endif
