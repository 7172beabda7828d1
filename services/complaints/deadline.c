/*  deadline - the deadlines of one case: acknowledge-by, and resolve-by (a
    new round each time the case is reopened). Each is fixed when it starts,
    from the policy of the case's severity (deadline_policy.c): due after the
    time allowed, at risk when at_risk_percent of it is left, both counted in
    business hours if the policy says so. Steps meet them; while the case
    waits on its customer they stand still, and when the customer replies
    their moments move on (business_time_shift). deadline_scan.c announces
    them.
*/
#include "complaints.h"

#define DEADLINE_COLUMNS                                                                         \
    "kind, round, started_at_ms, due_at_ms, at_risk_at_ms, business_hours, paused_at_ms,"       \
    " paused_ms / 1000 AS paused_s, met_at_ms, at_risk_announced_at_ms, breach_announced_at_ms"

//  Inserts the next round of kind, by policy (calendar if it counts business hours).
static int s_start (shr_call_t *call, int64_t complaint_seq,
                    const complaints_deadline_policy_t *policy,
                    const business_calendar_t *calendar, const char *kind)
{
    const business_calendar_t *counted_in = policy->business_hours ? calendar : NULL;
    int64_t within_ms = 1000
                        * (streq (kind, "acknowledge") ? policy->acknowledge_within_s
                                                       : policy->resolve_within_s);
    int64_t due = business_time_add (counted_in, call->now_ms, within_ms);
    int64_t at_risk = business_time_add (counted_in, call->now_ms,
                                         within_ms / 100 * (100 - policy->at_risk_percent));
    return shr_call_exec (
        call,
        "INSERT INTO complaint_deadline (complaint_seq, kind, round, started_at_ms, due_at_ms,"
        " at_risk_at_ms, business_hours) VALUES (:seq, :kind, (SELECT coalesce (max (round), 0)"
        " + 1 FROM complaint_deadline WHERE complaint_seq = :seq AND kind = :kind), :now, :due,"
        " :at_risk, :business_hours)",
        NULL, NULL, SHR_INT (":seq", complaint_seq), SHR_TEXT (":kind", kind),
        SHR_INT (":due", due), SHR_INT (":at_risk", at_risk),
        SHR_INT (":business_hours", policy->business_hours), SHR_END);
}

//  The policy of severity, and the calendar if the policy counts in it.
static int s_policy (shr_call_t *call, const char *severity,
                     complaints_deadline_policy_t *policy, business_calendar_t *calendar)
{
    return deadline_policy_lookup (call, severity, policy)
           || (policy->business_hours && calendar_load (call, calendar));
}

int deadline_start (shr_call_t *call, int64_t complaint_seq, const char *severity,
                    const char *kind)
{
    complaints_deadline_policy_t policy;
    business_calendar_t calendar;
    return s_policy (call, severity, &policy, &calendar)
           || s_start (call, complaint_seq, &policy, &calendar, kind);
}

int deadline_start_both (shr_call_t *call, int64_t complaint_seq, const char *severity)
{
    complaints_deadline_policy_t policy;
    business_calendar_t calendar;
    return s_policy (call, severity, &policy, &calendar)
           || s_start (call, complaint_seq, &policy, &calendar, "acknowledge")
           || s_start (call, complaint_seq, &policy, &calendar, "resolve");
}

int deadline_meet (shr_call_t *call, int64_t complaint_seq, const char *kind)
{
    return shr_call_exec (
        call,
        "UPDATE complaint_deadline SET met_at_ms = :now WHERE complaint_seq = :seq"
        " AND kind = :kind AND met_at_ms IS NULL",
        NULL, NULL, SHR_INT (":seq", complaint_seq), SHR_TEXT (":kind", kind), SHR_END);
}

int deadline_pause (shr_call_t *call, int64_t complaint_seq)
{
    return shr_call_exec (call,
                          "UPDATE complaint_deadline SET paused_at_ms = :now WHERE complaint_seq ="
                          " :seq AND met_at_ms IS NULL AND paused_at_ms IS NULL",
                          NULL, NULL, SHR_INT (":seq", complaint_seq), SHR_END);
}

int deadline_resume (shr_call_t *call, int64_t complaint_seq)
{
    struct {
        size_t count;
        complaints_deadline_t *items;
    } paused;
    if (shr_call_list (call,
                       "SELECT " DEADLINE_COLUMNS " FROM complaint_deadline WHERE complaint_seq ="
                       " :seq AND paused_at_ms IS NOT NULL",
                       NULL, NULL, &complaints_deadline_shape, &paused, 0, NULL,
                       SHR_INT (":seq", complaint_seq), SHR_END))
        return -1;
    business_calendar_t calendar;
    bool calendar_loaded = false;
    for (size_t i = 0; i < paused.count; i++) {
        const complaints_deadline_t *deadline = &paused.items[i];
        if (deadline->business_hours && !calendar_loaded) {
            if (calendar_load (call, &calendar))
                return -1;
            calendar_loaded = true;
        }
        const business_calendar_t *counted_in = deadline->business_hours ? &calendar : NULL;
        int64_t paused_at = deadline->paused_at;
        if (shr_call_exec (
                call,
                "UPDATE complaint_deadline SET due_at_ms = :due, at_risk_at_ms = :at_risk,"
                " paused_ms = paused_ms + :now - paused_at_ms, paused_at_ms = NULL"
                " WHERE complaint_seq = :seq AND kind = :kind AND round = :round",
                NULL, NULL, SHR_INT (":seq", complaint_seq), SHR_TEXT (":kind", deadline->kind),
                SHR_INT (":round", deadline->round),
                SHR_INT (":due", business_time_shift (counted_in, deadline->due_at, paused_at,
                                                      call->now_ms)),
                SHR_INT (":at_risk", business_time_shift (counted_in, deadline->at_risk_at,
                                                          paused_at, call->now_ms)),
                SHR_END))
            return -1;
    }
    return 0;
}

int deadline_read (shr_call_t *call, int64_t complaint_seq, void *deadlines)
{
    return shr_call_list (call,
                          "SELECT " DEADLINE_COLUMNS " FROM complaint_deadline WHERE"
                          " complaint_seq = :seq ORDER BY started_at_ms, kind",
                          NULL, NULL, &complaints_deadline_shape, deadlines, 0, NULL,
                          SHR_INT (":seq", complaint_seq), SHR_END);
}
