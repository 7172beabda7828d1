/*  shr_log - JSON-lines logging to stderr. See shr_log.h. */
#include "shr_log.h"
#include "shr_time.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char s_service[64] = "-";
static shr_log_level_t s_level = SHR_LOG_INFO;
static const char *s_level_names[] = {"error", "warn", "info", "debug"};

int shr_log_init (const char *service, const char *level)
{
    snprintf (s_service, sizeof s_service, "%s", service ? service : "-");
    s_level = SHR_LOG_INFO;
    if (!level || !*level)
        return 0;
    for (int i = 0; i <= SHR_LOG_DEBUG; i++)
        if (strcmp (level, s_level_names[i]) == 0) {
            s_level = (shr_log_level_t) i;
            return 0;
        }
    return -1;
}

int shr_log_enabled (shr_log_level_t level)
{
    return level <= s_level;
}

//  Appends text to out as the inside of a JSON string; returns the new length.
static size_t s_escape (char *out, size_t len, size_t cap, const char *text)
{
    for (const unsigned char *p = (const unsigned char *) text; *p && len + 7 < cap; p++) {
        if (*p == '"' || *p == '\\') {
            out[len++] = '\\';
            out[len++] = (char) *p;
        }
        else if (*p == '\n') {
            out[len++] = '\\';
            out[len++] = 'n';
        }
        else if (*p < 0x20)
            len += (size_t) snprintf (out + len, cap - len, "\\u%04x", *p);
        else
            out[len++] = (char) *p;
    }
    return len;
}

void shr_log (shr_log_level_t level, const char *format, ...)
{
    if (level > s_level)
        return;
    char message[6144];
    va_list args;
    va_start (args, format);
    vsnprintf (message, sizeof message, format, args);
    va_end (args);

    char ts[32];
    shr_time_format (shr_time_now_ms (), ts);
    char line[8192];
    size_t len = (size_t) snprintf (line, sizeof line,
                                    "{\"ts\":\"%s\",\"level\":\"%s\",\"service\":\"", ts,
                                    s_level_names[level]);
    len = s_escape (line, len, sizeof line - 16, s_service);
    len += (size_t) snprintf (line + len, sizeof line - len, "\",\"msg\":\"");
    len = s_escape (line, len, sizeof line - 8, message);
    len += (size_t) snprintf (line + len, sizeof line - len, "\"}\n");
    //  One write per record, so lines from several threads never interleave.
    ssize_t rc = write (STDERR_FILENO, line, len);
    (void) rc;
}
