/*  business_time - deadline arithmetic in business hours. See business_time.h. */
#include "business_time.h"

#include <ctype.h>
#include <string.h>

#define MINUTE_MS 60000LL
#define DAY_MS 86400000LL

//  Floor division: a moment before 1970 belongs to the day before it.
static int64_t s_floor_div (int64_t a, int64_t b)
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

static bool s_counts_like_none (const business_calendar_t *calendar)
{
    return !calendar || (calendar->days_mask & 0xFE) == 0
           || calendar->start_min >= calendar->end_min;
}

static bool s_is_holiday (const business_calendar_t *calendar, int64_t day)
{
    size_t low = 0, high = calendar->holiday_count;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        if (calendar->holidays[middle] == day)
            return true;
        if (calendar->holidays[middle] < day)
            low = middle + 1;
        else
            high = middle;
    }
    return false;
}

static bool s_works (const business_calendar_t *calendar, int64_t day)
{
    //  1970-01-01 was a Thursday, ISO weekday 4.
    int weekday = (int) (((day % 7) + 7 + 3) % 7) + 1;
    return (calendar->days_mask & (1 << weekday)) && !s_is_holiday (calendar, day);
}

int64_t business_time_add (const business_calendar_t *calendar, int64_t from_ms, int64_t ms)
{
    if (s_counts_like_none (calendar))
        return from_ms + ms;
    //  Day by day in local time: each working day gives its window, what of
    //  it lies after the cursor counts. A working day comes within a week
    //  and the holidays are finite, so the loop ends.
    int64_t offset = calendar->utc_offset_min * MINUTE_MS;
    int64_t cursor = from_ms + offset;
    int64_t left = ms > 0 ? ms : 0;
    for (int64_t day = s_floor_div (cursor, DAY_MS);; day++) {
        if (!s_works (calendar, day))
            continue;
        int64_t open = day * DAY_MS + calendar->start_min * MINUTE_MS;
        int64_t close = day * DAY_MS + calendar->end_min * MINUTE_MS;
        int64_t begin = cursor > open ? cursor : open;
        if (begin >= close)
            continue;
        if (left <= close - begin)
            return begin + left - offset;
        left -= close - begin;
    }
}

int64_t business_time_between (const business_calendar_t *calendar, int64_t from_ms,
                               int64_t to_ms)
{
    if (to_ms <= from_ms)
        return 0;
    if (s_counts_like_none (calendar))
        return to_ms - from_ms;
    int64_t offset = calendar->utc_offset_min * MINUTE_MS;
    int64_t from = from_ms + offset, to = to_ms + offset;
    int64_t counted = 0;
    for (int64_t day = s_floor_div (from, DAY_MS); day <= s_floor_div (to, DAY_MS); day++) {
        if (!s_works (calendar, day))
            continue;
        int64_t open = day * DAY_MS + calendar->start_min * MINUTE_MS;
        int64_t close = day * DAY_MS + calendar->end_min * MINUTE_MS;
        int64_t begin = from > open ? from : open;
        int64_t end = to < close ? to : close;
        if (end > begin)
            counted += end - begin;
    }
    return counted;
}

int64_t business_time_shift (const business_calendar_t *calendar, int64_t moment_ms,
                             int64_t paused_at_ms, int64_t resumed_at_ms)
{
    if (moment_ms <= paused_at_ms)
        return moment_ms;
    return business_time_add (calendar, resumed_at_ms,
                              business_time_between (calendar, paused_at_ms, moment_ms));
}

//  Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
static int64_t s_days_from_civil (int64_t year, int month, int day)
{
    year -= month <= 2;
    int64_t era = s_floor_div (year, 400);
    int64_t year_of_era = year - era * 400;
    int64_t day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + day_of_era - 719468;
}

int business_time_day (const char *text, int64_t *day)
{
    if (!text || strlen (text) != 10 || text[4] != '-' || text[7] != '-')
        return -1;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit ((unsigned char) text[i]))
            return -1;
    int year =
        (text[0] - '0') * 1000 + (text[1] - '0') * 100 + (text[2] - '0') * 10 + (text[3] - '0');
    int month = (text[5] - '0') * 10 + (text[6] - '0');
    int mday = (text[8] - '0') * 10 + (text[9] - '0');
    static const int lengths[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (month < 1 || month > 12 || mday < 1
        || mday > lengths[month - 1] + (month == 2 && leap ? 1 : 0))
        return -1;
    *day = s_days_from_civil (year, month, mday);
    return 0;
}

int business_time_minutes (const char *hhmm)
{
    return ((hhmm[0] - '0') * 10 + (hhmm[1] - '0')) * 60 + (hhmm[3] - '0') * 10 + (hhmm[4] - '0');
}

int business_time_offset (const char *utc_offset)
{
    int minutes = business_time_minutes (utc_offset + 1);
    return utc_offset[0] == '-' ? -minutes : minutes;
}
