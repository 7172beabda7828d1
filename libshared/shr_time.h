/*  shr_time - wall clock and RFC 3339 times.

    Inside, times are int64_t milliseconds since the Unix epoch; outside they are
    RFC 3339 UTC with milliseconds: "2026-11-27T04:13:57.123Z".
*/
#ifndef SHR_TIME_H_INCLUDED
#define SHR_TIME_H_INCLUDED

#include <stdint.h>

#define SHR_TIME_LEN 32  //  room for a formatted time and its NUL

//  A service's clock: ms since the epoch (the wall clock, or a test's).
typedef int64_t (shr_clock_fn) (void *arg);

//  Wall-clock time in ms since the epoch. Cannot fail.
int64_t shr_time_now_ms (void);

//  Monotonic time in microseconds, for measuring durations. Cannot fail.
int64_t shr_time_mono_us (void);

//  Writes ms as "YYYY-MM-DDTHH:MM:SS.mmmZ" into buf (SHR_TIME_LEN bytes). Cannot fail.
void shr_time_format (int64_t ms, char *buf);

//  Parses an RFC 3339 date-time (any offset, optional fraction) into ms since the
//  epoch, UTC. Returns 0, or -1 if the text is not a valid date-time.
int shr_time_parse (const char *text, int64_t *ms);

//  Days since 1970-01-01 of the civil date y-m-d (proleptic Gregorian, any
//  year), and back.
int64_t shr_time_days_from_civil (int64_t y, int m, int d);
void shr_time_civil_from_days (int64_t days, int64_t *y, int *m, int *d);

#endif
