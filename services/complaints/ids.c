/*  ids - the ids this service chooses (CP-000001, FU-000001, SV-000001: the
    next seq of their table after a prefix) and the cursors of its lists.
*/
#include "complaints.h"

int complaints_next_id (shr_call_t *call, const char *next_seq_sql, const char *prefix,
                        int64_t *seq, const char **id)
{
    sqlite3_stmt *stmt = shr_store_stmt (call->store, next_seq_sql);
    if (!stmt || sqlite3_step (stmt) != SQLITE_ROW) {
        if (stmt)
            sqlite3_reset (stmt);
        return shr_call_db_error (call);
    }
    *seq = sqlite3_column_int64 (stmt, 0);
    sqlite3_reset (stmt);
    *id = shr_call_printf (call, "%s-%06lld", prefix, (long long) *seq);
    return 0;
}

int complaints_cursor (shr_call_t *call, const char *cursor, const char *op, int64_t *after)
{
    char *end = NULL;
    *after = 0;
    if (cursor && ((*after = strtoll (cursor, &end, 10)) < 0 || *end || end == cursor))
        return shr_call_fail (call, SHR_INVALID_ARGUMENT, "/body/cursor",
                              "cursor %s is not one that %s returned", cursor, op);
    return 0;
}
