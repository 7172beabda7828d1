/*  technician - technicians: who they are, their skills, cost, job limit and shift. */
#include "dispatch.h"

//  A technician as the replies show them: skills and open jobs come along, so
//  one statement reads a whole page. :currency is the service's.
#define TECHNICIAN_COLUMNS                                                                       \
    "id, name, region,"                                                                          \
    " (SELECT json_group_array (json_object ('skill', skill, 'level', level)) FROM"              \
    "  (SELECT skill, level FROM technician_skill s WHERE s.technician_id = t.id"                \
    "   ORDER BY skill)) AS skills,"                                                             \
    " active, hourly_cost_cents, :currency AS currency, max_jobs, working_hours,"                \
    " home_lat_e6 / 1e6 AS \"home.lat\", home_lon_e6 / 1e6 AS \"home.lon\","                  \
    " at_lat_e6 / 1e6 AS \"location.lat\", at_lon_e6 / 1e6 AS \"location.lon\","              \
    " (SELECT count(*) FROM workorder w WHERE w.technician_id = t.id AND w.open = 1)"            \
    "  AS open_jobs, updated_at_ms"

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

//  The local minute of now_ms, its ISO weekday and the day before's.
static int s_local (int utc_offset_min, int64_t now_ms, int *weekday, int *yesterday)
{
    //  Floor division: a moment before 1970 belongs to the minute before it.
    int64_t utc_min = now_ms >= 0 ? now_ms / 60000 : -((59999 - now_ms) / 60000);
    int64_t local_min = utc_min + utc_offset_min;
    int64_t day = local_min >= 0 ? local_min / 1440 : (local_min - 1439) / 1440;
    //  1970-01-01 was a Thursday, ISO weekday 4.
    *weekday = (int) (((day % 7) + 7 + 3) % 7) + 1;
    *yesterday = *weekday == 1 ? 7 : *weekday - 1;
    return (int) (local_min - day * 1440);
}

bool technician_on_shift (int days_mask, int start_min, int end_min, int utc_offset_min,
                          int64_t now_ms)
{
    if (days_mask == 0)
        return true;
    int weekday, yesterday;
    int minute = s_local (utc_offset_min, now_ms, &weekday, &yesterday);
    bool today_works = days_mask & (1 << weekday);
    if (start_min == end_min)
        return today_works;
    if (start_min < end_min)
        return today_works && minute >= start_min && minute < end_min;
    //  Past midnight: the evening part belongs to today, the morning part to yesterday's shift.
    return (today_works && minute >= start_min)
           || ((days_mask & (1 << yesterday)) && minute < end_min);
}

int64_t technician_shift_left (int days_mask, int start_min, int end_min, int utc_offset_min,
                               int64_t now_ms)
{
    if (days_mask == 0)
        return -1;
    if (!technician_on_shift (days_mask, start_min, end_min, utc_offset_min, now_ms))
        return 0;
    int weekday, yesterday;
    int minute = s_local (utc_offset_min, now_ms, &weekday, &yesterday);
    if (start_min == end_min || (start_min > end_min && minute >= start_min))
        return 1440 - minute + (start_min == end_min ? 0 : end_min);
    return end_min - minute;
}

int technician_read (shr_call_t *call, const char *id, dispatch_technician_t *out)
{
    const dispatch_settings_t *settings = (const dispatch_settings_t *) call->arg;
    return shr_call_get (call, "SELECT " TECHNICIAN_COLUMNS " FROM technician t WHERE id = :id",
                         NULL, NULL, &dispatch_technician_shape, out, SHR_TEXT (":id", id),
                         SHR_TEXT (":currency", settings->currency), SHR_END);
}

int technician_upsert (shr_call_t *call, const dispatch_technician_upsert_request_t *request,
                       dispatch_technician_t *reply)
{
    //  The working hours as the roster reads them: a days bit mask and minutes.
    const dispatch_working_hours_t *hours = &request->working_hours;
    bool given = request->has_working_hours;
    int mask = 0;
    for (size_t i = 0; given && i < hours->days.count; i++)
        mask |= 1 << (int) hours->days.items[i];
    //  A new technician needs the facts nobody could default; a known one
    //  changes only what is given (a deactivation hands over below).
    dispatch_technician_t before;
    int known = technician_read (call, request->id, &before);
    if (known < 0)
        return -1;
    const char *missing = !request->name                    ? "name"
                          : !request->region                ? "region"
                          : !request->has_hourly_cost_cents ? "hourly_cost_cents"
                                                            : NULL;
    if (!known && missing)
        return shr_call_fail (call, SHR_INVALID_ARGUMENT, shr_call_printf (call, "/body/%s", missing),
                              "a new technician needs %s", missing);
    bool deactivated = known && before.active && request->has_active && !request->active;
    //  Optional fields left out keep their stored value (or take the default);
    //  the VALUES' coalesce only satisfies NOT NULL before the conflict is seen.
    if (shr_call_exec (
            call,
            "INSERT INTO technician (id, name, region, active, hourly_cost_cents, max_jobs,"
            " work_days, shift_start_min, shift_end_min, utc_offset_min, working_hours,"
            " home_lat_e6, home_lon_e6, at_lat_e6, at_lon_e6, updated_at_ms) VALUES (:id, coalesce (:name, ''),"
            " coalesce (:region, ''), coalesce (:set_active, 1), coalesce (:hourly_cost_cents, 0),"
            " coalesce (:set_max_jobs, 3),"
            " coalesce (:days, 0), coalesce (:start, 0), coalesce (:end, 0), coalesce (:offset, 0),"
            " :working_hours, :home_lat, :home_lon, :at_lat, :at_lon, :now)"
            " ON CONFLICT (id) DO UPDATE SET name = coalesce (:name, name),"
            " region = coalesce (:region, region), active = coalesce (:set_active, active),"
            " hourly_cost_cents = coalesce (:hourly_cost_cents, hourly_cost_cents),"
            " max_jobs = coalesce (:set_max_jobs, max_jobs), work_days = coalesce (:days, work_days),"
            " shift_start_min = coalesce (:start, shift_start_min),"
            " shift_end_min = coalesce (:end, shift_end_min),"
            " utc_offset_min = coalesce (:offset, utc_offset_min),"
            " working_hours = coalesce (:working_hours, working_hours),"
            " home_lat_e6 = coalesce (:home_lat, home_lat_e6),"
            " home_lon_e6 = coalesce (:home_lon, home_lon_e6),"
            " at_lat_e6 = coalesce (:at_lat, at_lat_e6), at_lon_e6 = coalesce (:at_lon, at_lon_e6),"
            " updated_at_ms = :now",
            &dispatch_technician_upsert_request_shape, request,
            SHR_INT_IF (":set_active", request->has_active, request->active),
            SHR_INT_IF (":set_max_jobs", request->has_max_jobs, request->max_jobs),
            SHR_INT_IF (":days", given, mask),
            SHR_INT_IF (":start", given, given ? s_minutes (hours->start) : 0),
            SHR_INT_IF (":end", given, given ? s_minutes (hours->end) : 0),
            SHR_INT_IF (":offset", given, given ? s_offset (hours->utc_offset) : 0),
            SHR_INT_IF (":home_lat", request->has_home, llround (request->home.lat * 1e6)),
            SHR_INT_IF (":home_lon", request->has_home, llround (request->home.lon * 1e6)),
            SHR_INT_IF (":at_lat", request->has_location, llround (request->location.lat * 1e6)),
            SHR_INT_IF (":at_lon", request->has_location, llround (request->location.lon * 1e6)),
            SHR_END))
        return -1;
    //  Skills, when given, are replaced as a whole; a skill listed twice keeps
    //  its highest level.
    if (request->has_skills
        && shr_call_exec (call, "DELETE FROM technician_skill WHERE technician_id = :id",
                          &dispatch_technician_upsert_request_shape, request, SHR_END))
        return -1;
    for (size_t i = 0; i < request->skills.count; i++)
        if (shr_call_exec (call, "INSERT INTO technician_skill (technician_id, skill, level)"
                                 " VALUES (:technician, :skill, :level) ON CONFLICT"
                                 " DO UPDATE SET level = max (level, excluded.level)",
                           &dispatch_skill_level_shape, &request->skills.items[i],
                           SHR_TEXT (":technician", request->id), SHR_END))
            return -1;
    if (deactivated && technician_hand_over (call, request->id, NULL, false, "deactivated", NULL))
        return -1;
    if (technician_read (call, request->id, reply) != 1)
        return shr_call_db_error (call);
    return event_technician_updated_emit (call, request->id, reply) < 0 ? -1 : 0;
}

int technician_must_exist (shr_call_t *call, const char *id)
{
    int found = shr_call_get (call, "SELECT 1 AS seq FROM technician WHERE id = :id", NULL, NULL,
                              &workorder_row_shape, &(workorder_t){0}, SHR_TEXT (":id", id), SHR_END);
    if (found == 0)
        return shr_call_fail (call, SHR_NOT_FOUND, "/body/technician_id", "no technician %s", id);
    return found < 0 ? -1 : 0;
}

int technician_get (shr_call_t *call, const dispatch_technician_get_request_t *request,
                    dispatch_technician_t *reply)
{
    int found = technician_read (call, request->id, reply);
    if (found == 0)
        return shr_call_fail (call, SHR_NOT_FOUND, "/body/id", "no technician %s", request->id);
    return found < 0 ? -1 : 0;
}

int technician_list (shr_call_t *call, const dispatch_technician_list_request_t *request,
                     dispatch_technician_list_reply_t *reply)
{
    const dispatch_settings_t *settings = (const dispatch_settings_t *) call->arg;
    return shr_call_list (
        call,
        "SELECT " TECHNICIAN_COLUMNS ", id AS _cursor FROM technician t"
        " WHERE (:region IS NULL OR region = :region) AND (:active IS NULL OR active = :active)"
        " AND (:skill IS NULL OR EXISTS (SELECT 1 FROM technician_skill s"
        "      WHERE s.technician_id = t.id AND s.skill = :skill))"
        " AND id > coalesce (:cursor, '') ORDER BY id LIMIT :limit + 1",
        &dispatch_technician_list_request_shape, request, &dispatch_technician_shape,
        &reply->items, request->limit, &reply->next_cursor,
        SHR_TEXT (":currency", settings->currency), SHR_END);
}
