/*  assign_choice - who takes one order: the dispatcher's choice, checked, or
    the service's by assign_policy; and whether a technician is absent. */
#include "dispatch.h"
#include "roster.h"

int technician_absent (shr_call_t *call, const char *id, int64_t now_ms)
{
    sqlite3_stmt *stmt
        = shr_store_stmt (call->store, "SELECT 1 FROM technician_absence WHERE technician_id = ?1"
                                       " AND from_ms <= ?2 AND to_ms > ?2");
    if (!stmt)
        return shr_call_db_error (call);
    shr_store_bind_text (stmt, 1, id);
    sqlite3_bind_int64 (stmt, 2, now_ms);
    int rc = sqlite3_step (stmt);
    sqlite3_reset (stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return shr_call_db_error (call);
    return rc == SQLITE_ROW;
}

//  Whether technician id's working hours include now. Returns 1 or 0, or -1.
static int s_on_shift (shr_call_t *call, const char *id)
{
    sqlite3_stmt *stmt
        = shr_store_stmt (call->store, "SELECT work_days, shift_start_min, shift_end_min,"
                                       " utc_offset_min FROM technician WHERE id = ?1");
    if (!stmt)
        return shr_call_db_error (call);
    shr_store_bind_text (stmt, 1, id);
    int rc = sqlite3_step (stmt);
    bool on_shift = rc == SQLITE_ROW
                    && technician_on_shift (
                        sqlite3_column_int (stmt, 0), sqlite3_column_int (stmt, 1),
                        sqlite3_column_int (stmt, 2), sqlite3_column_int (stmt, 3), call->now_ms);
    sqlite3_reset (stmt);
    if (rc != SQLITE_ROW)
        return shr_call_db_error (call);
    return on_shift;
}

int assign_check_technician (shr_call_t *call, const workorder_t *order, const char *id,
                             bool override, const char **note)
{
    *note = NULL;
    dispatch_technician_t technician;
    int found = technician_read (call, id, &technician);
    if (found <= 0)
        return found < 0 ? -1
                         : shr_call_fail (call, SHR_NOT_FOUND, "/body/technician_id",
                                          "no technician %s", id);
    const dispatch_workorder_summary_t *summary = &order->summary;
    int64_t level = 0;
    for (size_t i = 0; summary->required_skill && i < technician.skills.count; i++)
        if (streq (technician.skills.items[i].skill, summary->required_skill))
            level = technician.skills.items[i].level;
    if (!technician.active)
        return shr_call_fail (call, SHR_FAILED_PRECONDITION, "/body/technician_id",
                              "technician %s is not active", id);
    if (summary->required_skill && level < summary->required_level)
        return shr_call_fail (call, SHR_FAILED_PRECONDITION, "/body/technician_id",
                              "technician %s has %s at level %lld; %s needs level %lld", id,
                              summary->required_skill, (long long) level, summary->id,
                              (long long) summary->required_level);
    if (technician.open_jobs >= technician.max_jobs)
        return shr_call_fail (call, SHR_FAILED_PRECONDITION, "/body/technician_id",
                              "technician %s already has %lld open jobs (at most %lld)", id,
                              (long long) technician.open_jobs, (long long) technician.max_jobs);
    //  Off shift or absent: the dispatcher may know better, and says so.
    int absent = technician_absent (call, id, call->now_ms);
    int on_shift = absent == 0 ? s_on_shift (call, id) : 0;
    if (absent < 0 || on_shift < 0)
        return -1;
    const char *why = absent ? "absent" : on_shift ? NULL : "off shift";
    if (why && !override)
        return shr_call_fail (call, SHR_FAILED_PRECONDITION, "/body/technician_id",
                              "technician %s is %s now; give override: true to assign anyway", id,
                              why);
    if (why)
        *note = shr_call_printf (call, "override: technician %s is %s", id, why);
    return 0;
}

int assign_rework_rule (shr_call_t *call, const workorder_t *order, const char **technician_id,
                        int *level)
{
    *technician_id = NULL;
    *level = 0;
    if (!order->summary.rework_of)
        return 0;
    sqlite3_stmt *stmt = shr_store_stmt (
        call->store, "SELECT o.technician_id, coalesce (s.level, 0) FROM workorder o"
                     " LEFT JOIN technician_skill s ON s.technician_id = o.technician_id"
                     " AND s.skill = ?2 WHERE o.id = ?1");
    if (!stmt)
        return shr_call_db_error (call);
    shr_store_bind_text (stmt, 1, order->summary.rework_of);
    shr_store_bind_text (stmt, 2, order->summary.required_skill);
    int rc = sqlite3_step (stmt);
    if (rc == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL) {
        *technician_id = shr_call_strdup (call, shr_store_column_text (stmt, 0));
        *level = sqlite3_column_int (stmt, 1);
    }
    sqlite3_reset (stmt);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : shr_call_db_error (call);
}

const char *assign_pick (shr_call_t *call, const workorder_t *order, const char *technician_id,
                         bool override, const char **note)
{
    *note = NULL;
    if (!technician_id)
        return assign_choose_technician (call, order, order->summary.technician_id, NULL);
    return assign_check_technician (call, order, technician_id, override, note) ? NULL
                                                                                : technician_id;
}

const char *assign_choose_technician (shr_call_t *call, const workorder_t *order,
                                      const char *exclude, bool *nobody)
{
    if (nobody)
        *nobody = false;
    const dispatch_workorder_summary_t *summary = &order->summary;
    roster_t *roster = roster_of_region (call, summary->region);
    if (!roster)
        return NULL;
    size_t count;
    const char *skill = summary->required_skill ? summary->required_skill : "";
    const assign_candidate_t *all = roster_candidates (roster, summary->region, skill, &count);
    assign_candidate_t *candidates
        = (assign_candidate_t *) shr_call_alloc (call, (count + 1) * sizeof *candidates);
    //  A rework goes to someone else than who did the rejected work, as good or better.
    const char *redone_by;
    int redone_level;
    if (assign_rework_rule (call, order, &redone_by, &redone_level)) {
        roster_destroy (&roster);
        return NULL;
    }
    size_t kept = 0;
    for (size_t i = 0; candidates && i < count; i++)
        if ((!exclude || !streq (all[i].id, exclude))
            && (!redone_by || (!streq (all[i].id, redone_by) && all[i].level >= redone_level)))
            candidates[kept++] = all[i];
    assign_job_t job = {call->now_ms, summary->due_at, assign_policy_job_seconds (summary->type),
                        *skill ? (int) summary->required_level : 0};
    assign_refusals_t refusals = {0, 0, 0};
    int best = candidates ? assign_policy_choose (&job, candidates, kept, &refusals) : -1;
    const char *chosen = best >= 0 ? shr_call_strdup (call, candidates[best].id) : NULL;
    roster_destroy (&roster);
    if (!chosen && nobody)
        *nobody = true;
    else if (!chosen)
        shr_call_fail (call, SHR_FAILED_PRECONDITION, "/body/id",
                       "no eligible technician for %s in region %s%s%s: %zu with the skill,"
                       " %d below level %lld, %d at their job limit, %d off shift",
                       summary->id, summary->region, *skill ? " with skill " : "", skill, kept,
                       refusals.under_level, (long long) summary->required_level, refusals.at_limit,
                       refusals.off_shift);
    return chosen;
}
