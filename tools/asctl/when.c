/*  when - days and durations for a person. */
#include "asctl.h"

#include <stdio.h>
#include <time.h>

void asctl_duration (char *out, size_t size, int64_t seconds)
{
    long long d = seconds / 86400, h = seconds % 86400 / 3600, m = seconds % 3600 / 60,
              s = seconds % 60;
    if (d)
        snprintf (out, size, "%lldd %lldh", d, h);
    else if (h)
        snprintf (out, size, "%lldh %lldm", h, m);
    else if (m)
        snprintf (out, size, "%lldm %llds", m, s);
    else
        snprintf (out, size, "%llds", s);
}

int asctl_days_before (const char *day, int days, char *out, size_t size)
{
    struct tm tm = {0};
    char tail;
    if (sscanf (day, "%4d-%2d-%2d%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tail) != 3)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t at = timegm (&tm) - (time_t) days * 86400;
    strftime (out, size, "%Y-%m-%d", gmtime (&at));
    return 0;
}
