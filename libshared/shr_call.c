/*  shr_call - one unit of work inside a transaction. See shr_call.h. */
#include "shr_call.h"
#include "shr_json.h"
#include "shr_log.h"

#include <stdarg.h>
#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int64_t shr_call_emit (shr_call_t *call, const shr_event_def_t *event, const char *key,
                       const void *data)
{
    if (!call->outbox)
        return shr_call_fail (call, SHR_INTERNAL, NULL, "this service has no outbox");
    shr_json_t *json = shr_json_new ();
    char err[256];
    int64_t seq = -1;
    if (!json)
        return shr_call_fail (call, SHR_INTERNAL, NULL, "out of memory");
    if (shr_shape_encode (event->data, data, json, err, sizeof err))
        shr_call_fail (call, SHR_INTERNAL, NULL, "event %s: %s", event->type, err);
    else if (!shr_json_text (json))
        shr_call_fail (call, SHR_INTERNAL, NULL, "out of memory");
    else
        seq = shr_outbox_append (call->outbox, event->type, key, call->actor, call->now_ms,
                                 shr_json_text (json), &call->error);
    shr_json_destroy (&json);
    return seq;
}

int shr_call_db_error (shr_call_t *call)
{
    const char *message = shr_store_errmsg (call->store);
    shr_log_error ("%s: database error: %s", call->op ? call->op : "?", message);
    return shr_call_fail (call, SHR_INTERNAL, NULL, "database error: %s", message);
}

void *shr_call_alloc (shr_call_t *call, size_t size)
{
    return shr_arena_alloc (call->arena, size);
}

char *shr_call_strdup (shr_call_t *call, const char *text)
{
    return shr_arena_strdup (call->arena, text);
}

char *shr_call_printf (shr_call_t *call, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    char *text = NULL;
    if (vasprintf (&text, format, args) < 0)
        text = NULL;
    va_end (args);
    char *copy = shr_arena_strdup (call->arena, text);
    free (text);
    return copy;
}

int shr_call_read (shr_call_t *call, const shr_shape_t *shape, sqlite3_stmt *stmt, void *out)
{
    char err[256];
    if (shr_shape_read (shape, stmt, out, call->arena, err, sizeof err) == 0)
        return 0;
    shr_log_error ("%s: %s (in %s)", call->op ? call->op : "?", err, sqlite3_sql (stmt));
    return shr_call_fail (call, SHR_INTERNAL, NULL, "%s", err);
}

int shr_call_op (shr_call_t *call, const shr_op_def_t *def, const cJSON *body, char **reply_p)
{
    char err[512];
    void *request = shr_call_alloc (call, def->request->size);
    void *reply = shr_call_alloc (call, def->reply->size);
    if (!request || !reply)
        return shr_call_fail (call, SHR_INTERNAL, NULL, "out of memory");
    if (shr_shape_decode (def->request, body, request, call->arena, err, sizeof err))
        return shr_call_fail (call, SHR_INTERNAL, NULL, "cannot decode the body: %s", err);
    if (def->handler (call, request, reply))
        return -1;
    shr_json_t *json = shr_json_new ();
    int rc = json ? shr_shape_encode (def->reply, reply, json, err, sizeof err) : -1;
    *reply_p = rc == 0 ? shr_json_take (json) : NULL;
    shr_json_destroy (&json);
    if (rc)
        return shr_call_fail (call, SHR_INTERNAL, NULL, "cannot encode the reply: %s", err);
    return *reply_p ? 0 : shr_call_fail (call, SHR_INTERNAL, NULL, "out of memory");
}

int shr_call_read_one (shr_call_t *call, const shr_shape_t *shape, sqlite3_stmt *stmt, void *out)
{
    int rc = sqlite3_step (stmt);
    int found = rc == SQLITE_ROW    ? shr_call_read (call, shape, stmt, out) == 0 ? 1 : -1
                : rc == SQLITE_DONE ? 0
                                    : shr_call_db_error (call);
    sqlite3_reset (stmt);
    return found;
}

//  The index of the column called name, or -1.
static int s_column (sqlite3_stmt *stmt, const char *name)
{
    for (int i = 0; i < sqlite3_column_count (stmt); i++)
        if (strcmp (sqlite3_column_name (stmt, i), name) == 0)
            return i;
    return -1;
}

//  Reads the row into out by the map kept in slot, made on first use (or
//  again, if the statement is read into another shape).
static int s_read_cached (shr_call_t *call, const shr_shape_t *shape, sqlite3_stmt *stmt,
                          void **slot, void *out)
{
    shr_shape_map_t *map = (shr_shape_map_t *) *slot;
    char err[256];
    if (!map || shr_shape_map_shape (map) != shape) {
        shr_shape_map_destroy ((shr_shape_map_t **) slot);
        if (!(map = shr_shape_map_new (shape, stmt, err, sizeof err))) {
            shr_log_error ("%s: %s (in %s)", call->op ? call->op : "?", err, sqlite3_sql (stmt));
            return shr_call_fail (call, SHR_INTERNAL, NULL, "%s", err);
        }
        *slot = map;
    }
    if (shr_shape_read_mapped (map, stmt, out, call->arena, err, sizeof err) == 0)
        return 0;
    return shr_call_fail (call, SHR_INTERNAL, NULL, "%s", err);
}

static int s_read_rows (shr_call_t *call, const shr_shape_t *shape, sqlite3_stmt *stmt,
                        void **slot, void *array, int64_t limit, const char **next_cursor);

int shr_call_read_rows (shr_call_t *call, const shr_shape_t *shape, sqlite3_stmt *stmt,
                        void *array, int64_t limit, const char **next_cursor)
{
    return s_read_rows (call, shape, stmt, NULL, array, limit, next_cursor);
}

//  shr_call_read_rows, reading by the map in slot when there is one.
static int s_read_rows (shr_call_t *call, const shr_shape_t *shape, sqlite3_stmt *stmt,
                        void **slot, void *array, int64_t limit, const char **next_cursor)
{
    shr_array_t *out = (shr_array_t *) array;
    out->count = 0;
    out->items = NULL;
    if (next_cursor)
        *next_cursor = NULL;
    size_t size = 0;
    int cursor_column = next_cursor ? s_column (stmt, "_cursor") : -1;
    const char *last_cursor = NULL;
    int rc;
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW) {
        if (limit > 0 && (int64_t) out->count == limit) {
            if (next_cursor)
                *next_cursor = last_cursor;
            break;
        }
        if (out->count == size) {
            //  Grows by doubling; the old copy stays in the arena until it is reset.
            size_t grown = size ? size * 2 : 16;
            void *items = shr_arena_alloc (call->arena, grown * shape->size);
            if (!items) {
                sqlite3_reset (stmt);
                return shr_call_fail (call, SHR_INTERNAL, NULL, "out of memory");
            }
            if (out->count)
                memcpy (items, out->items, out->count * shape->size);
            out->items = items;
            size = grown;
        }
        void *item = (char *) out->items + out->count * shape->size;
        if (slot ? s_read_cached (call, shape, stmt, slot, item)
                 : shr_call_read (call, shape, stmt, item)) {
            sqlite3_reset (stmt);
            return -1;
        }
        out->count++;
        if (cursor_column >= 0)
            last_cursor = shr_arena_strdup (call->arena,
                                            (const char *) sqlite3_column_text (stmt, cursor_column));
    }
    sqlite3_reset (stmt);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : shr_call_db_error (call);
}

//  The cached statement for sql, bound: fields of value by shape, :now, then
//  the extra parameters of args. NULL with the call failed.
static sqlite3_stmt *s_prepare (shr_call_t *call, const char *sql, const shr_shape_t *shape,
                                const void *value, void ***slot_p, va_list args)
{
    void **slot;
    sqlite3_stmt *stmt = shr_store_stmt_slot (call->store, sql, slot_p ? slot_p : &slot,
                                              (void (*) (void **)) shr_shape_map_destroy);
    if (!stmt || (shape && shr_shape_bind (shape, value, stmt) != SQLITE_OK)) {
        shr_call_db_error (call);
        return NULL;
    }
    int now = sqlite3_bind_parameter_index (stmt, ":now");
    if (now)
        sqlite3_bind_int64 (stmt, now, call->now_ms);
    for (shr_param_t param = va_arg (args, shr_param_t); param.name;
         param = va_arg (args, shr_param_t)) {
        if (param.type == 0)
            continue;
        int rc = param.type == 1   ? shr_store_set_int (stmt, param.name, param.integer)
                 : param.type == 2 ? shr_store_set_text (stmt, param.name, param.text)
                                   : shr_store_set_null (stmt, param.name);
        if (rc) {
            shr_call_fail (call, SHR_INTERNAL, NULL, "cannot bind %s", param.name);
            return NULL;
        }
    }
    return stmt;
}

int shr_call_exec (shr_call_t *call, const char *sql, const shr_shape_t *shape, const void *value,
                   ...)
{
    va_list args;
    va_start (args, value);
    sqlite3_stmt *stmt = s_prepare (call, sql, shape, value, NULL, args);
    va_end (args);
    if (!stmt)
        return -1;
    return shr_store_step_done (stmt) ? shr_call_db_error (call) : 0;
}

int shr_call_get (shr_call_t *call, const char *sql, const shr_shape_t *shape, const void *value,
                  const shr_shape_t *out_shape, void *out, ...)
{
    va_list args;
    va_start (args, out);
    void **slot;
    sqlite3_stmt *stmt = s_prepare (call, sql, shape, value, &slot, args);
    va_end (args);
    if (!stmt)
        return -1;
    int rc = sqlite3_step (stmt);
    int found = rc == SQLITE_ROW    ? s_read_cached (call, out_shape, stmt, slot, out) == 0 ? 1 : -1
                : rc == SQLITE_DONE ? 0
                                    : shr_call_db_error (call);
    sqlite3_reset (stmt);
    return found;
}

int shr_call_list (shr_call_t *call, const char *sql, const shr_shape_t *shape, const void *value,
                   const shr_shape_t *item_shape, void *array, int64_t limit,
                   const char **next_cursor, ...)
{
    va_list args;
    va_start (args, next_cursor);
    void **slot;
    sqlite3_stmt *stmt = s_prepare (call, sql, shape, value, &slot, args);
    va_end (args);
    return stmt ? s_read_rows (call, item_shape, stmt, slot, array, limit, next_cursor) : -1;
}
