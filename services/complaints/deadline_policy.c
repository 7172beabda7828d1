/*  deadline_policy - how long a case of each severity may take to be
    acknowledged and resolved, when it counts as at risk, whether the time
    counts in business hours, and the business calendar (working days, hours,
    holidays) it then counts in. A case's deadlines are fixed from these when
    they start (deadline.c); a change applies to deadlines started after it.
*/
#include "complaints.h"

#define POLICY_COLUMNS                                                                           \
    "severity, acknowledge_within_s, resolve_within_s, at_risk_percent, business_hours"

int deadline_policy_lookup (shr_call_t *call, const char *severity,
                            complaints_deadline_policy_t *policy)
{
    int found = shr_call_get (
        call, "SELECT " POLICY_COLUMNS " FROM deadline_policy WHERE severity = :severity", NULL,
        NULL, &complaints_deadline_policy_shape, policy, SHR_TEXT (":severity", severity),
        SHR_END);
    if (found != 1)  //  every severity has a row since migration 1
        return found < 0 ? -1 : shr_call_db_error (call);
    return 0;
}

int deadline_policy_get (shr_call_t *call, const complaints_deadline_policy_get_request_t *request,
                         complaints_deadline_policy_get_reply_t *reply)
{
    return shr_call_list (call,
                          "SELECT " POLICY_COLUMNS " FROM deadline_policy"
                          " WHERE :severity IS NULL OR severity = :severity"
                          " ORDER BY resolve_within_s",
                          &complaints_deadline_policy_get_request_shape, request,
                          &complaints_deadline_policy_shape, &reply->policies, 0, NULL, SHR_END);
}

int deadline_policy_set (shr_call_t *call, const complaints_deadline_policy_set_request_t *request,
                         complaints_deadline_policy_t *reply)
{
    if (request->acknowledge_within_s > request->resolve_within_s)
        return shr_call_fail (call, SHR_INVALID_ARGUMENT, "/body/acknowledge_within_s",
                              "acknowledge_within_s (%lld) must not be more than"
                              " resolve_within_s (%lld)",
                              (long long) request->acknowledge_within_s,
                              (long long) request->resolve_within_s);
    if (shr_call_exec (call,
                       "UPDATE deadline_policy SET acknowledge_within_s = :acknowledge_within_s,"
                       " resolve_within_s = :resolve_within_s, at_risk_percent = :at_risk_percent,"
                       " business_hours = :business_hours WHERE severity = :severity",
                       &complaints_deadline_policy_set_request_shape, request, SHR_END))
        return -1;
    shr_log_info ("deadline policy of %s: acknowledge within %lld s, resolve within %lld s,"
                  " at risk with %lld %% left%s (by %s)",
                  request->severity, (long long) request->acknowledge_within_s,
                  (long long) request->resolve_within_s, (long long) request->at_risk_percent,
                  request->business_hours ? ", in business hours" : "", call->actor);
    return deadline_policy_lookup (call, request->severity, reply);
}

static int s_calendar_read (shr_call_t *call, complaints_calendar_t *calendar)
{
    int found = shr_call_get (call,
                              "SELECT days, start, end, utc_offset, (SELECT json_group_array (day)"
                              " FROM (SELECT day FROM holiday ORDER BY day)) AS holidays"
                              " FROM business_calendar",
                              NULL, NULL, &complaints_calendar_shape, calendar, SHR_END);
    if (found != 1)  //  the row exists since migration 1
        return found < 0 ? -1 : shr_call_db_error (call);
    return 0;
}

int calendar_load (shr_call_t *call, business_calendar_t *calendar)
{
    complaints_calendar_t stored;
    if (s_calendar_read (call, &stored))
        return -1;
    *calendar = (business_calendar_t) {
        .start_min = business_time_minutes (stored.start),
        .end_min = business_time_minutes (stored.end),
        .utc_offset_min = business_time_offset (stored.utc_offset)};
    for (size_t i = 0; i < stored.days.count; i++)
        calendar->days_mask |= 1 << (int) stored.days.items[i];
    size_t size = (stored.holidays.count + 1) * sizeof (int64_t);
    int64_t *days = (int64_t *) shr_call_alloc (call, size);
    if (!days)
        return shr_call_fail (call, SHR_INTERNAL, NULL, "out of memory");
    //  Stored in date order, which is day-number order; checked at calendar.set.
    for (size_t i = 0; i < stored.holidays.count; i++)
        if (business_time_day (stored.holidays.items[i], &days[calendar->holiday_count]) == 0)
            calendar->holiday_count++;
    calendar->holidays = days;
    return 0;
}

int calendar_get (shr_call_t *call, const complaints_calendar_get_request_t *request,
                  complaints_calendar_t *reply)
{
    (void) request;
    return s_calendar_read (call, reply);
}

int calendar_set (shr_call_t *call, const complaints_calendar_set_request_t *request,
                  complaints_calendar_t *reply)
{
    if (strcmp (request->end, request->start) <= 0)
        return shr_call_fail (call, SHR_INVALID_ARGUMENT, "/body/end",
                              "end (%s) must be after start (%s): business hours lie within a day",
                              request->end, request->start);
    for (size_t i = 0; i < request->holidays.count; i++) {
        int64_t day;
        if (business_time_day (request->holidays.items[i], &day))
            return shr_call_fail (call, SHR_INVALID_ARGUMENT,
                                  shr_call_printf (call, "/body/holidays/%zu", i),
                                  "%s is no date", request->holidays.items[i]);
    }
    if (shr_call_exec (call,
                       "UPDATE business_calendar SET days = :days, start = :start, end = :end,"
                       " utc_offset = :utc_offset",
                       &complaints_calendar_set_request_shape, request, SHR_END)
        || (request->has_holidays
            && (shr_call_exec (call, "DELETE FROM holiday", NULL, NULL, SHR_END)
                || shr_call_exec (call,
                                  "INSERT INTO holiday (day)"
                                  " SELECT value FROM json_each (:holidays)",
                                  &complaints_calendar_set_request_shape, request, SHR_END))))
        return -1;
    shr_log_info ("business calendar: %s-%s at %s, %zu holidays (by %s)", request->start,
                  request->end, request->utc_offset, request->holidays.count, call->actor);
    return s_calendar_read (call, reply);
}
