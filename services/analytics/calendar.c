/*  calendar - UTC days: what a period's dates mean. Pure but for the error. */
#include "analytics.h"

int64_t calendar_day (const char *date)
{
    int y, m, d;
    char tail;
    if (!date || sscanf (date, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || m < 1 || m > 12
        || d < 1)
        return -1;
    static const int length[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > length[m - 1] || (m == 2 && d == 29 && !leap) || y < 1970)
        return -1;
    return shr_time_days_from_civil (y, m, d);
}

int64_t calendar_month_of_day (int64_t day)
{
    int64_t y;
    int m, d;
    shr_time_civil_from_days (day, &y, &m, &d);
    return y * 12 + m - 1;
}

int64_t calendar_month_first_day (int64_t month)
{
    return shr_time_days_from_civil (month / 12, (int) (month % 12) + 1, 1);
}

int64_t calendar_day_of_ms (int64_t ms)
{
    return ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
}

int calendar_period (shr_call_t *call, const char *from, const char *to, const char *from_field,
                     const char *to_field, int64_t *from_day, int64_t *to_day)
{
    *from_day = calendar_day (from);
    if (*from_day < 0)
        return shr_call_fail (call, SHR_INVALID_ARGUMENT, from_field,
                              "%s is not a day from 1970 on (YYYY-MM-DD)", from);
    *to_day = calendar_day (to);
    if (*to_day < 0)
        return shr_call_fail (call, SHR_INVALID_ARGUMENT, to_field,
                              "%s is not a day from 1970 on (YYYY-MM-DD)", to);
    if (*to_day < *from_day)
        return shr_call_fail (call, SHR_INVALID_ARGUMENT, to_field,
                              "the period ends (%s) before it starts (%s)", to, from);
    return 0;
}
