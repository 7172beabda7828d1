/*  business_time - deadline arithmetic, in business hours or not: pure.

    A business calendar is the weekdays that work, one window a day in local
    time (a fixed offset from UTC; start before end, so a window never runs
    past midnight) and the holidays, local dates when nothing counts. Without
    a calendar (NULL) every millisecond counts. Deadlines are moments reached
    after an amount of counted time; a case waiting on its customer stops the
    count, and business_time_shift moves its moments on when the count
    resumes. No store, no clock of its own.
*/
#ifndef BUSINESS_TIME_H_INCLUDED
#define BUSINESS_TIME_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    int days_mask;            //  bit n set: ISO weekday n works (1 Monday ... 7 Sunday)
    int start_min, end_min;   //  the window, minutes after local midnight; start < end
    int utc_offset_min;       //  local time = UTC + this
    const int64_t *holidays;  //  local day numbers (business_time_day), ascending; borrowed
    size_t holiday_count;
} business_calendar_t;

//  The moment at which ms of counted time have passed since from_ms. With a
//  calendar only business hours count: a moment outside them starts counting
//  at the next opening. A calendar with no working day, or whose window is
//  empty, counts like none. Cannot fail.
int64_t business_time_add (const business_calendar_t *calendar, int64_t from_ms, int64_t ms);

//  The counted time between from_ms and to_ms (0 if to_ms is not later).
int64_t business_time_between (const business_calendar_t *calendar, int64_t from_ms,
                               int64_t to_ms);

//  Where a moment lands once a count that stood still from paused_at_ms
//  resumes at resumed_at_ms: a moment at or before the pause stays where it
//  is (it was reached, or missed, already); a later one keeps the counted
//  time it lay ahead of the pause, counted again from the resumption.
int64_t business_time_shift (const business_calendar_t *calendar, int64_t moment_ms,
                             int64_t paused_at_ms, int64_t resumed_at_ms);

//  The day number (days since 1970-01-01) of a date "YYYY-MM-DD". Returns 0,
//  or -1 when the text is no real date (2026-02-30).
int business_time_day (const char *text, int64_t *day);

//  Minutes after midnight of "HH:MM", and minutes east of UTC of "+08:00";
//  both as the schemas' patterns allow them (checked there).
int business_time_minutes (const char *hhmm);
int business_time_offset (const char *utc_offset);

#endif
