/*  shr_call - one unit of work inside a transaction. See shr_call.h. */
#include "shr_call.h"
#include "shr_log.h"

#include <stdarg.h>
#include <stdio.h>

int shr_call_fail (shr_call_t *call, shr_code_t code, const char *field, const char *format, ...)
{
    call->error.code = code;
    snprintf (call->error.field, sizeof call->error.field, "%s", field ? field : "");
    va_list args;
    va_start (args, format);
    vsnprintf (call->error.message, sizeof call->error.message, format, args);
    va_end (args);
    return -1;
}

int64_t shr_call_emit (shr_call_t *call, const char *type, const char *key, const cJSON *data)
{
    if (!call->outbox)
        return shr_call_fail (call, SHR_INTERNAL, NULL, "this service has no outbox");
    return shr_outbox_append (call->outbox, type, key, call->now_ms, data, &call->error);
}

int shr_call_db_error (shr_call_t *call)
{
    const char *message = shr_store_errmsg (call->store);
    shr_log_error ("%s: database error: %s", call->op ? call->op : "?", message);
    return shr_call_fail (call, SHR_INTERNAL, NULL, "database error: %s", message);
}
