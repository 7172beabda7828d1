/*  technician - technicians: who they are, their skills, cost, job limit and shift. */
#include "dispatch.h"

//  "HH:MM" (validated by the schema) in minutes from midnight.
static int s_minutes (const char *text)
{
    return ((text[0] - '0') * 10 + (text[1] - '0')) * 60 + (text[3] - '0') * 10 + (text[4] - '0');
}

//  "+08:00" (validated) in minutes east of UTC.
static int s_offset (const char *text)
{
    int minutes = s_minutes (text + 1);
    return text[0] == '-' ? -minutes : minutes;
}

bool technician_on_shift (int days_mask, int start_min, int end_min, int utc_offset_min,
                          int64_t now_ms)
{
    if (days_mask == 0)
        return true;
    //  Floor division: a moment before 1970 belongs to the minute before it.
    int64_t utc_min = now_ms >= 0 ? now_ms / 60000 : -((59999 - now_ms) / 60000);
    int64_t local_min = utc_min + utc_offset_min;
    int64_t day = local_min >= 0 ? local_min / 1440 : (local_min - 1439) / 1440;
    int minute = (int) (local_min - day * 1440);
    //  1970-01-01 was a Thursday, ISO weekday 4.
    int weekday = (int) (((day % 7) + 7 + 3) % 7) + 1;
    int yesterday = weekday == 1 ? 7 : weekday - 1;
    bool today_works = days_mask & (1 << weekday);
    if (start_min == end_min)
        return today_works;
    if (start_min < end_min)
        return today_works && minute >= start_min && minute < end_min;
    //  Past midnight: the evening part belongs to today, the morning part to yesterday's shift.
    return (today_works && minute >= start_min)
           || ((days_mask & (1 << yesterday)) && minute < end_min);
}

cJSON *technician_json (shr_call_t *call, const char *id)
{
    sqlite3_stmt *stmt = shr_store_stmt (
        call->store,
        "SELECT name, region, active, hourly_cost_cents, max_jobs, working_hours, updated_at_ms,"
        " (SELECT count(*) FROM workorder w WHERE w.technician_id = t.id AND " DISPATCH_OPEN
        ") FROM technician t WHERE id = ?");
    if (!stmt)
        return NULL;
    sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
    if (sqlite3_step (stmt) != SQLITE_ROW) {
        sqlite3_reset (stmt);
        return NULL;
    }
    const dispatch_settings_t *settings = (const dispatch_settings_t *) call->arg;
    cJSON *technician = cJSON_CreateObject ();
    cJSON_AddStringToObject (technician, "id", id);
    cJSON_AddStringToObject (technician, "name", shr_store_column_text (stmt, 0));
    cJSON_AddStringToObject (technician, "region", shr_store_column_text (stmt, 1));
    cJSON *skills = cJSON_AddArrayToObject (technician, "skills");
    cJSON_AddBoolToObject (technician, "active", sqlite3_column_int (stmt, 2));
    shr_body_add_int (technician, "hourly_cost_cents", sqlite3_column_int64 (stmt, 3));
    cJSON_AddStringToObject (technician, "currency", settings->currency);
    shr_body_add_int (technician, "max_jobs", sqlite3_column_int64 (stmt, 4));
    if (sqlite3_column_type (stmt, 5) != SQLITE_NULL)
        cJSON_AddItemToObject (technician, "working_hours",
                               cJSON_Parse (shr_store_column_text (stmt, 5)));
    shr_body_add_int (technician, "open_jobs", sqlite3_column_int64 (stmt, 7));
    shr_body_add_time (technician, "updated_at", sqlite3_column_int64 (stmt, 6));
    sqlite3_reset (stmt);

    stmt = shr_store_stmt (call->store, "SELECT skill, level FROM technician_skill"
                                        " WHERE technician_id = ? ORDER BY skill");
    if (!stmt) {
        cJSON_Delete (technician);
        return NULL;
    }
    sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
    while (sqlite3_step (stmt) == SQLITE_ROW) {
        cJSON *skill = cJSON_CreateObject ();
        cJSON_AddStringToObject (skill, "skill", shr_store_column_text (stmt, 0));
        shr_body_add_int (skill, "level", sqlite3_column_int64 (stmt, 1));
        cJSON_AddItemToArray (skills, skill);
    }
    sqlite3_reset (stmt);
    return technician;
}

//  Stores the working hours: the bit mask and minutes for the roster, the JSON to read back.
static int s_bind_hours (sqlite3_stmt *stmt, const cJSON *hours)
{
    if (!hours) {
        for (int column = 6; column <= 10; column++)
            sqlite3_bind_null (stmt, column);
        return 0;
    }
    int mask = 0;
    const cJSON *day;
    cJSON_ArrayForEach (day, cJSON_GetObjectItem (hours, "days"))
        mask |= 1 << (int) day->valuedouble;
    sqlite3_bind_int (stmt, 6, mask);
    sqlite3_bind_int (stmt, 7, s_minutes (shr_body_string (hours, "start")));
    sqlite3_bind_int (stmt, 8, s_minutes (shr_body_string (hours, "end")));
    sqlite3_bind_int (stmt, 9, s_offset (shr_body_string (hours, "utc_offset")));
    char *text = shr_json_print (hours);
    sqlite3_bind_text (stmt, 10, text, -1, SQLITE_TRANSIENT);
    free (text);
    return 0;
}

int technician_upsert (shr_call_t *call, const cJSON *body, cJSON **reply_p)
{
    const char *id = shr_body_string (body, "id");
    //  Optional fields left out keep their stored value (or take the default).
    sqlite3_stmt *stmt = shr_store_stmt (
        call->store,
        "INSERT INTO technician (id, name, region, active, hourly_cost_cents, max_jobs,"
        " work_days, shift_start_min, shift_end_min, utc_offset_min, working_hours, updated_at_ms)"
        " VALUES (?1, ?2, ?3, coalesce(?4, 1), ?5, coalesce(?11, 3), coalesce(?6, 0),"
        " coalesce(?7, 0), coalesce(?8, 0), coalesce(?9, 0), ?10, ?12)"
        " ON CONFLICT (id) DO UPDATE SET name = ?2, region = ?3, active = coalesce(?4, active),"
        " hourly_cost_cents = ?5, max_jobs = coalesce(?11, max_jobs),"
        " work_days = coalesce(?6, work_days), shift_start_min = coalesce(?7, shift_start_min),"
        " shift_end_min = coalesce(?8, shift_end_min),"
        " utc_offset_min = coalesce(?9, utc_offset_min),"
        " working_hours = coalesce(?10, working_hours), updated_at_ms = ?12");
    if (!stmt)
        return shr_call_db_error (call);
    sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 2, shr_body_string (body, "name"), -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 3, shr_body_string (body, "region"), -1, SQLITE_STATIC);
    if (shr_body_has (body, "active"))
        sqlite3_bind_int (stmt, 4, shr_body_bool (body, "active", true));
    sqlite3_bind_int64 (stmt, 5, shr_body_int (body, "hourly_cost_cents", 0));
    s_bind_hours (stmt, cJSON_GetObjectItem (body, "working_hours"));
    if (shr_body_has (body, "max_jobs"))
        sqlite3_bind_int64 (stmt, 11, shr_body_int (body, "max_jobs", 3));
    sqlite3_bind_int64 (stmt, 12, call->now_ms);
    if (shr_store_step_done (stmt))
        return shr_call_db_error (call);

    stmt = shr_store_stmt (call->store, "DELETE FROM technician_skill WHERE technician_id = ?");
    if (!stmt)
        return shr_call_db_error (call);
    sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
    if (shr_store_step_done (stmt))
        return shr_call_db_error (call);
    const cJSON *skill;
    cJSON_ArrayForEach (skill, cJSON_GetObjectItem (body, "skills"))
    {
        stmt = shr_store_stmt (call->store, "INSERT INTO technician_skill (technician_id, skill,"
                                            " level) VALUES (?, ?, ?) ON CONFLICT DO UPDATE"
                                            " SET level = max(level, excluded.level)");
        if (!stmt)
            return shr_call_db_error (call);
        sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_text (stmt, 2, shr_body_string (skill, "skill"), -1, SQLITE_STATIC);
        sqlite3_bind_int64 (stmt, 3, shr_body_int (skill, "level", 1));
        if (shr_store_step_done (stmt))
            return shr_call_db_error (call);
    }
    cJSON *technician = technician_json (call, id);
    if (!technician)
        return shr_call_db_error (call);
    if (shr_call_emit (call, "technician.updated", id, technician) < 0) {
        cJSON_Delete (technician);
        return -1;
    }
    *reply_p = technician;
    return 0;
}

int technician_get (shr_call_t *call, const cJSON *body, cJSON **reply_p)
{
    const char *id = shr_body_string (body, "id");
    *reply_p = technician_json (call, id);
    if (!*reply_p)
        return shr_call_fail (call, SHR_NOT_FOUND, "/body/id", "no technician %s", id);
    return 0;
}

int technician_list (shr_call_t *call, const cJSON *body, cJSON **reply_p)
{
    int64_t limit = shr_body_int (body, "limit", 100);
    sqlite3_stmt *stmt = shr_store_stmt (
        call->store,
        "SELECT id FROM technician t WHERE (?1 IS NULL OR region = ?1)"
        " AND (?2 IS NULL OR active = ?2)"
        " AND (?3 IS NULL OR EXISTS (SELECT 1 FROM technician_skill s"
        "      WHERE s.technician_id = t.id AND s.skill = ?3))"
        " AND id > ?4 ORDER BY id LIMIT ?5");
    if (!stmt)
        return shr_call_db_error (call);
    shr_store_bind_text (stmt, 1, shr_body_string (body, "region"));
    if (shr_body_has (body, "active"))
        sqlite3_bind_int (stmt, 2, shr_body_bool (body, "active", true));
    shr_store_bind_text (stmt, 3, shr_body_string (body, "skill"));
    const char *cursor = shr_body_string (body, "cursor");
    sqlite3_bind_text (stmt, 4, cursor ? cursor : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64 (stmt, 5, limit + 1);
    //  Collect the ids first: technician_json reuses statements of its own.
    zlistx_t *ids = zlistx_new ();
    zlistx_set_destructor (ids, (zlistx_destructor_fn *) zstr_free);
    int rc;
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        zlistx_add_end (ids, strdup (shr_store_column_text (stmt, 0)));
    sqlite3_reset (stmt);
    if (rc != SQLITE_DONE) {
        zlistx_destroy (&ids);
        return shr_call_db_error (call);
    }
    cJSON *reply = cJSON_CreateObject ();
    cJSON *items = cJSON_AddArrayToObject (reply, "items");
    int64_t count = 0;
    const char *last = NULL;
    for (const char *id = (const char *) zlistx_first (ids); id && count < limit;
         id = (const char *) zlistx_next (ids), count++) {
        cJSON_AddItemToArray (items, technician_json (call, id));
        last = id;
    }
    if ((int64_t) zlistx_size (ids) > limit)
        cJSON_AddStringToObject (reply, "next_cursor", last);
    else
        cJSON_AddNullToObject (reply, "next_cursor");
    zlistx_destroy (&ids);
    *reply_p = reply;
    return 0;
}
