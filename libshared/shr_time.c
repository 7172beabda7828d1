/*  shr_time - wall clock and RFC 3339 times. See shr_time.h. */
#include "shr_time.h"

#include <ctype.h>
#include <stdio.h>
#include <time.h>

int64_t shr_time_now_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_REALTIME, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t shr_time_mono_us (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

//  Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm): no timegm,
//  no time zone state, valid for any year.
int64_t shr_time_days_from_civil (int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void shr_time_civil_from_days (int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int) (doy - (153 * mp + 2) / 5 + 1);
    *m = (int) (mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

void shr_time_format (int64_t ms, char *buf)
{
    int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
    int millis = (int) (ms - secs * 1000);
    int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
    int64_t rem = secs - days * 86400;
    int64_t year;
    int month, day;
    shr_time_civil_from_days (days, &year, &month, &day);
    //  Years outside 0-9999 have no RFC 3339 form; clamp. Written by hand: this
    //  runs for every time in every reply and event, and snprintf costs ten times more.
    unsigned y = (unsigned) (year < 0 ? 0 : year > 9999 ? 9999 : year);
    unsigned fields[] = {(unsigned) month, (unsigned) day, (unsigned) (rem / 3600),
                         (unsigned) (rem / 60 % 60), (unsigned) (rem % 60)};
    static const char separators[] = "-T::.";
    char *p = buf;
    *p++ = (char) ('0' + y / 1000);
    *p++ = (char) ('0' + y / 100 % 10);
    *p++ = (char) ('0' + y / 10 % 10);
    *p++ = (char) ('0' + y % 10);
    *p++ = '-';
    for (int i = 0; i < 5; i++) {
        *p++ = (char) ('0' + fields[i] / 10 % 10);
        *p++ = (char) ('0' + fields[i] % 10);
        *p++ = separators[i];
    }
    *p++ = (char) ('0' + millis / 100);
    *p++ = (char) ('0' + millis / 10 % 10);
    *p++ = (char) ('0' + millis % 10);
    *p++ = 'Z';
    *p = 0;
}

static int s_digits (const char **p, int count)
{
    int value = 0;
    for (int i = 0; i < count; i++, (*p)++) {
        if (!isdigit ((unsigned char) **p))
            return -1;
        value = value * 10 + (**p - '0');
    }
    return value;
}

static int s_days_in_month (int64_t year, int month)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month == 2 && (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)))
        return 29;
    return days[month - 1];
}

int shr_time_parse (const char *text, int64_t *ms)
{
    const char *p = text;
    int year = s_digits (&p, 4);
    if (year < 0 || *p++ != '-')
        return -1;
    int month = s_digits (&p, 2);
    if (month < 1 || month > 12 || *p++ != '-')
        return -1;
    int day = s_digits (&p, 2);
    if (day < 1 || day > s_days_in_month (year, month))
        return -1;
    if (*p != 'T' && *p != 't')
        return -1;
    p++;
    int hour = s_digits (&p, 2);
    if (hour < 0 || hour > 23 || *p++ != ':')
        return -1;
    int minute = s_digits (&p, 2);
    if (minute < 0 || minute > 59 || *p++ != ':')
        return -1;
    int second = s_digits (&p, 2);
    if (second < 0 || second > 60)
        return -1;
    int millis = 0;
    if (*p == '.') {
        p++;
        if (!isdigit ((unsigned char) *p))
            return -1;
        for (int scale = 100; isdigit ((unsigned char) *p); p++, scale /= 10)
            millis += (*p - '0') * scale;
    }
    int offset_min = 0;
    if (*p == 'Z' || *p == 'z')
        p++;
    else if (*p == '+' || *p == '-') {
        int sign = *p++ == '-' ? -1 : 1;
        int oh = s_digits (&p, 2);
        if (oh < 0 || oh > 23 || *p++ != ':')
            return -1;
        int om = s_digits (&p, 2);
        if (om < 0 || om > 59)
            return -1;
        offset_min = sign * (oh * 60 + om);
    }
    else
        return -1;
    if (*p)
        return -1;
    //  A leap second (:60) has no epoch value of its own; it counts as :59.999.
    if (second == 60) {
        second = 59;
        millis = 999;
    }
    int64_t secs = shr_time_days_from_civil (year, month, day) * 86400 + hour * 3600 + minute * 60
                   + second - (int64_t) offset_min * 60;
    *ms = secs * 1000 + millis;
    return 0;
}
