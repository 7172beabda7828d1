/*  dispatch_run - assigns the waiting orders together, and says why the rest wait.

    The waiting orders (earliest due first) and the roster of active
    technicians are read once; assign_plan turns them, with the travel times
    an integrator supplied (travel_time), into one assignment problem and
    solves it; then each planned order is assigned (unless a dry run) and
    each other one listed with its reason. One unit of work, like any request.
*/
#include "dispatch.h"
#include "roster.h"

#define LISTED_MAX                                                                                 \
    1000  //  assignments and waiting orders listed in the reply; the rest are counted

//  The supplied travel times of the waiting orders: "order\x1ftechnician" ->
//  minutes + 1. NULL with the call failed on a database error.
static zhashx_t *s_travel_matrix (shr_call_t *call)
{
    zhashx_t *matrix = zhashx_new ();
    sqlite3_stmt *stmt = shr_store_stmt (
        call->store, "SELECT t.workorder_id, t.technician_id, t.minutes FROM travel_time t"
                     " JOIN workorder w ON w.id = t.workorder_id WHERE w.status = 'reported'");
    int rc = stmt ? SQLITE_ROW : SQLITE_ERROR;
    while (stmt && (rc = sqlite3_step (stmt)) == SQLITE_ROW) {
        char key[160];
        snprintf (key, sizeof key, "%s\x1f%s", shr_store_column_text (stmt, 0),
                  shr_store_column_text (stmt, 1));
        zhashx_update (matrix, key, (void *) (uintptr_t) (sqlite3_column_int64 (stmt, 2) + 1));
    }
    if (stmt)
        sqlite3_reset (stmt);
    if (rc != SQLITE_DONE) {
        zhashx_destroy (&matrix);
        shr_call_db_error (call);
    }
    return matrix;
}

//  Adds every waiting order to plan with its candidates. Returns 0 or -1.
//  A rework's candidates: not who did the rejected work, and at their level or
//  higher (assign_rework_rule), copied into kept and kept_levels. Returns how
//  many, or -1 with the call failed.
static int64_t s_rework_candidates (shr_call_t *call, const workorder_t *order,
                                    const assign_technician_t *technicians, const size_t *members,
                                    const int *levels, size_t count, size_t *kept, int *kept_levels)
{
    const char *redone_by;
    int redone_level;
    if (assign_rework_rule (call, order, &redone_by, &redone_level))
        return -1;
    size_t found = 0;
    for (size_t k = 0; k < count; k++)
        if (!redone_by
            || (!streq (technicians[members[k]].id, redone_by) && levels[k] >= redone_level)) {
            kept[found] = members[k];
            kept_levels[found++] = levels[k];
        }
    return (int64_t) found;
}

static int s_add_orders (shr_call_t *call, assign_plan_t *plan, roster_t *roster, zhashx_t *matrix,
                         const workorder_t *orders, size_t count)
{
    size_t technician_count;
    const assign_technician_t *technicians = roster_technicians (roster, &technician_count);
    int64_t *travel = (int64_t *) shr_call_alloc (call, (technician_count + 1) * sizeof (int64_t));
    size_t *kept = (size_t *) shr_call_alloc (call, (technician_count + 1) * sizeof (size_t));
    int *kept_levels = (int *) shr_call_alloc (call, (technician_count + 1) * sizeof (int));
    if (!travel || !kept || !kept_levels)
        return shr_call_fail (call, SHR_INTERNAL, NULL, "out of memory");
    for (size_t i = 0; i < count; i++) {
        const workorder_t *order = &orders[i];
        const dispatch_workorder_summary_t *summary = &order->summary;
        const char *skill = summary->required_skill ? summary->required_skill : "";
        const int *levels;
        size_t members_count;
        const size_t *members
            = roster_members (roster, summary->region, skill, &levels, &members_count);
        if (summary->rework_of) {
            int64_t found = s_rework_candidates (call, order, technicians, members, levels,
                                                 members_count, kept, kept_levels);
            if (found < 0)
                return -1;
            members = kept;
            levels = kept_levels;
            members_count = (size_t) found;
        }
        for (size_t k = 0; k < members_count; k++) {
            uintptr_t minutes = 0;
            if (zhashx_size (matrix)) {  //  the usual case is none: no key to format
                char key[160];
                snprintf (key, sizeof key, "%s\x1f%s", summary->id, technicians[members[k]].id);
                minutes = (uintptr_t) zhashx_lookup (matrix, key);
            }
            travel[k] = minutes ? (int64_t) minutes - 1 : -1;
        }
        assign_order_t facts = {.due_ms = summary->due_at,
                                .job_s = assign_policy_job_seconds (summary->type),
                                .required_level = *skill ? (int) summary->required_level : 0,
                                .has_window = order->has_window,
                                .window_start_ms = order->window_start_ms,
                                .window_end_ms = order->window_end_ms,
                                .has_location = order->has_location,
                                .lat_e6 = order->lat_e6,
                                .lon_e6 = order->lon_e6};
        if (assign_plan_add_order (plan, i, &facts, members, levels, travel, members_count))
            return shr_call_fail (call, SHR_INTERNAL, NULL, "out of memory");
    }
    return 0;
}

//  Assigns (unless a dry run) and lists what the plan says. Returns 0 or -1.
static int s_apply (shr_call_t *call, const dispatch_run_request_t *request, roster_t *roster,
                    workorder_t *orders, size_t count, const int *technician_of,
                    const assign_wait_t *reason_of, dispatch_run_reply_t *reply)
{
    size_t technician_count;
    const assign_technician_t *technicians = roster_technicians (roster, &technician_count);
    size_t listed = count < LISTED_MAX ? count + 1 : LISTED_MAX;
    reply->assignments.items = shr_call_alloc (call, listed * sizeof *reply->assignments.items);
    reply->waiting.items = shr_call_alloc (call, listed * sizeof *reply->waiting.items);
    if (!reply->assignments.items || !reply->waiting.items)
        return shr_call_fail (call, SHR_INTERNAL, NULL, "out of memory");
    for (size_t i = 0; i < count; i++) {
        workorder_t *order = &orders[i];
        if (technician_of[i] < 0) {
            if (reply->waiting.count < LISTED_MAX)
                reply->waiting.items[reply->waiting.count++] = (dispatch_run_reply_waiting_item_t){
                    order->summary.id, assign_wait_name (reason_of[i])};
            continue;
        }
        const char *technician_id = technicians[technician_of[i]].id;
        if (reply->assigned++ < LISTED_MAX)
            reply->assignments.items[reply->assignments.count++]
                = (dispatch_run_reply_assignments_item_t){shr_call_strdup (call, order->summary.id),
                                                          shr_call_strdup (call, technician_id)};
        if (!request->dry_run && workorder_assign_to (call, order, technician_id, "service", NULL))
            return -1;
    }
    return 0;
}

int dispatch_run (shr_call_t *call, const dispatch_run_request_t *request,
                  dispatch_run_reply_t *reply)
{
    int64_t started_us = shr_time_mono_us ();
    const dispatch_settings_t *settings = (const dispatch_settings_t *) call->arg;
    bool greedy = request->policy && streq (request->policy, "greedy");
    //  All of them first: assigning changes the rows a cursor would scan.
    shr_array_t waiting;
    if (workorder_waiting (call, request, &waiting))
        return -1;
    workorder_t *orders = (workorder_t *) waiting.items;
    size_t count = waiting.count;
    roster_t *roster
        = request->region ? roster_of_region (call, request->region) : roster_all (call);
    if (!roster)
        return -1;
    size_t technician_count;
    const assign_technician_t *technicians = roster_technicians (roster, &technician_count);
    zhashx_t *matrix = s_travel_matrix (call);
    assign_plan_t *plan
        = assign_plan_new (&settings->assign, call->now_ms, technicians, technician_count, count);
    int *technician_of = (int *) shr_call_alloc (call, (count + 1) * sizeof (int));
    assign_wait_t *reason_of
        = (assign_wait_t *) shr_call_alloc (call, (count + 1) * sizeof *reason_of);
    assign_result_t result = {0};
    int rc = -1;
    if (!matrix)
        goto out;
    if (!plan || !technician_of || !reason_of) {
        shr_call_fail (call, SHR_INTERNAL, NULL, "out of memory");
        goto out;
    }
    int64_t plan_us = shr_time_mono_us ();
    if (s_add_orders (call, plan, roster, matrix, orders, count))
        goto out;
    if (assign_plan_solve (plan, greedy, technician_of, reason_of, &result)) {
        shr_call_fail (call, SHR_INTERNAL, NULL, "out of memory");
        goto out;
    }
    reply->plan_ms = (shr_time_mono_us () - plan_us) / 1000;
    reply->has_plan_ms = true;
    rc = s_apply (call, request, roster, orders, count, technician_of, reason_of, reply);
out:
    assign_plan_destroy (&plan);
    zhashx_destroy (&matrix);
    roster_destroy (&roster);
    if (rc)
        return -1;
    reply->unassigned = (int64_t) count - reply->assigned;
    reply->dry_run = request->dry_run;
    reply->policy = greedy ? "greedy" : "optimiser";
    reply->cost = result.cost;
    reply->has_lower_bound = !greedy && result.has_lower_bound;
    reply->lower_bound = result.lower_bound;
    reply->elapsed_ms = (shr_time_mono_us () - started_us) / 1000;
    shr_log_info ("dispatch.run%s (%s): %lld assigned, %lld left waiting, cost %lld, %zu pairs,"
                  " planned in %lld ms (solved in %.0f, %lld units of work%s), %lld ms in all",
                  request->dry_run ? " dry run" : "", reply->policy, (long long) reply->assigned,
                  (long long) reply->unassigned, (long long) reply->cost, result.pairs,
                  (long long) reply->plan_ms, result.solve_ms, (long long) result.work,
                  result.stopped_by_time ? ", stopped by DISPATCH_PLAN_MS" : "",
                  (long long) reply->elapsed_ms);
    return 0;
}
