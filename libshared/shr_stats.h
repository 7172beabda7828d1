/*  shr_stats - counters and latency quantiles for sys.stats.

    Per op: requests, errors and a log-linear latency histogram (8 buckets per
    power of two, so a quantile is within 12.5 %), from which p50, p99 and max
    are read. Plus named counters ("events.published"). Used from one thread.
*/
#ifndef SHR_STATS_H_INCLUDED
#define SHR_STATS_H_INCLUDED

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct _shr_stats_t shr_stats_t;

//  Returns NULL only when out of memory.
shr_stats_t *shr_stats_new (void);

//  Nulls *self_p. Safe twice.
void shr_stats_destroy (shr_stats_t **self_p);

//  Records one request of op that took latency_us and failed or not. Cannot fail.
void shr_stats_record (shr_stats_t *self, const char *op, int64_t latency_us, bool error);

//  Adds delta to a named counter. Cannot fail.
void shr_stats_add (shr_stats_t *self, const char *counter, int64_t delta);

//  A named counter's value, 0 if never added to.
int64_t shr_stats_get (shr_stats_t *self, const char *counter);

//  The q-quantile (0..1) of op's latency in microseconds, 0 if none recorded.
int64_t shr_stats_quantile (shr_stats_t *self, const char *op, double q);

//  {"ops":[{"op","count","errors","p50_us","p99_us","max_us"}...],"counters":{...}}.
//  Returns a tree the caller owns.
cJSON *shr_stats_json (shr_stats_t *self);

#endif
