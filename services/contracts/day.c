/*  day - calendar days, the unit of warranties and contracts: a count of
    days since 1970-01-01 in the proleptic Gregorian calendar, UTC. Dates on
    the wire are YYYY-MM-DD; one that does not exist (2026-02-30) is refused.
    Pure but for day_field and day_text, which take the call's clock and arena.
*/
#include "contracts.h"

#define MS_PER_DAY 86400000LL

static int64_t s_month_days (int64_t y, int64_t m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

int day_parse (const char *text, int64_t *day)
{
    if (!text || strlen (text) != 10 || text[4] != '-' || text[7] != '-')
        return -1;
    int64_t parts[3] = {0, 0, 0};
    const int start[3] = {0, 5, 8}, len[3] = {4, 2, 2};
    for (int p = 0; p < 3; p++)
        for (int i = 0; i < len[p]; i++) {
            char c = text[start[p] + i];
            if (c < '0' || c > '9')
                return -1;
            parts[p] = parts[p] * 10 + (c - '0');
        }
    if (parts[1] < 1 || parts[1] > 12 || parts[2] < 1
        || parts[2] > s_month_days (parts[0], parts[1]))
        return -1;
    *day = shr_time_days_from_civil (parts[0], (int) parts[1], (int) parts[2]);
    return 0;
}

void day_format (int64_t day, char *out)
{
    int64_t y;
    int m, d;
    shr_time_civil_from_days (day, &y, &m, &d);
    //  Digit by digit: years 0-9999 only, which the wire's pattern allows.
    int64_t year = y < 0 ? 0 : y > 9999 ? 9999 : y;
    const int64_t parts[3] = {year, m, d};
    const int width[3] = {4, 2, 2};
    char *at = out;
    for (int p = 0; p < 3; p++) {
        for (int i = width[p] - 1, value = (int) parts[p]; i >= 0; i--, value /= 10)
            at[i] = (char) ('0' + value % 10);
        at += width[p];
        *at++ = p < 2 ? '-' : '\0';
    }
}

int64_t day_of_ms (int64_t ms)
{
    return ms >= 0 ? ms / MS_PER_DAY : -((-ms + MS_PER_DAY - 1) / MS_PER_DAY);
}

int64_t day_add_months (int64_t day, int64_t months)
{
    int64_t y;
    int m, d;
    shr_time_civil_from_days (day, &y, &m, &d);
    int64_t index = y * 12 + (m - 1) + months;
    y = index >= 0 ? index / 12 : -((-index + 11) / 12);
    m = (int) (index - y * 12 + 1);
    int last = (int) s_month_days (y, m);
    return shr_time_days_from_civil (y, m, d < last ? d : last);
}

int day_field (shr_call_t *call, const char *text, const char *field, int64_t *day)
{
    if (!text) {
        *day = day_of_ms (call->now_ms);
        return 0;
    }
    if (day_parse (text, day))
        return shr_call_fail (call, SHR_INVALID_ARGUMENT, field, "%s is not a day (YYYY-MM-DD)",
                              text);
    return 0;
}

const char *day_text (shr_call_t *call, int64_t day)
{
    char text[DAY_LEN];
    day_format (day, text);
    return shr_call_strdup (call, text);
}
