/*  shr_log - JSON-lines logging to stderr.

    One line per record: {"ts":"...","level":"info","service":"dispatch","msg":"..."}.
    Process-wide, like czmq's zsys log: a service has one name and one level.
    Records below LOG_LEVEL (error, warn, info, debug; default info) are dropped.
*/
#ifndef SHR_LOG_H_INCLUDED
#define SHR_LOG_H_INCLUDED

#include <stdarg.h>

typedef enum { SHR_LOG_ERROR = 0, SHR_LOG_WARN, SHR_LOG_INFO, SHR_LOG_DEBUG } shr_log_level_t;

//  Sets the service name and the level ("error", "warn", "info", "debug"; NULL
//  or unknown means info). Copies both. Returns -1 if level is not recognised
//  (the level is then info), else 0.
int shr_log_init (const char *service, const char *level);

//  True if records of this level are written; lets callers skip building them.
int shr_log_enabled (shr_log_level_t level);

//  Writes one record; the message is printf-formatted and JSON-escaped. Cannot fail
//  (a record that does not fit 8 KiB is truncated).
void shr_log (shr_log_level_t level, const char *format, ...)
    __attribute__ ((format (printf, 2, 3)));

#define shr_log_error(...) shr_log (SHR_LOG_ERROR, __VA_ARGS__)
#define shr_log_warn(...)  shr_log (SHR_LOG_WARN, __VA_ARGS__)
#define shr_log_info(...)  shr_log (SHR_LOG_INFO, __VA_ARGS__)
#define shr_log_debug(...)                                                                 \
    do {                                                                                   \
        if (shr_log_enabled (SHR_LOG_DEBUG))                                               \
            shr_log (SHR_LOG_DEBUG, __VA_ARGS__);                                          \
    } while (0)

#endif
