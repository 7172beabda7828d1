/*  dispatch_run - assigns every waiting order in one pass, earliest due first.

    The roster of all active technicians is read once, with their loads; each
    order then takes the best eligible technician by assign_policy, and that
    technician's load grows before the next order is placed. Orders nobody can
    take stay reported (the reply counts them). One unit of work, like any request.
*/
#include "dispatch.h"
#include "roster.h"

#define LISTED_MAX 1000  //  assignments listed in the reply; the rest are counted

int dispatch_run (shr_call_t *call, const dispatch_run_request_t *request,
                  dispatch_run_reply_t *reply)
{
    int64_t started_us = shr_time_mono_us ();
    //  All of them first: assigning changes the rows a cursor would scan.
    shr_array_t waiting;
    if (workorder_waiting (call, request, &waiting))
        return -1;
    workorder_t *orders = (workorder_t *) waiting.items;
    int64_t count = (int64_t) waiting.count;
    roster_t *roster = request->region ? roster_of_region (call, request->region) : roster_all (call);
    if (!roster)
        return -1;
    reply->assignments.items = shr_call_alloc (
        call, (count < LISTED_MAX ? (size_t) count + 1 : LISTED_MAX) * sizeof *reply->assignments.items);
    int rc = 0;
    for (int64_t i = 0; i < count && rc == 0; i++) {
        workorder_t *order = &orders[i];
        const dispatch_workorder_summary_t *summary = &order->summary;
        const char *skill = summary->required_skill ? summary->required_skill : "";
        size_t candidates_count;
        const assign_candidate_t *candidates
            = roster_candidates (roster, summary->region, skill, &candidates_count);
        assign_job_t job = {call->now_ms, summary->due_at, assign_policy_job_seconds (summary->type),
                            *skill ? (int) summary->required_level : 0};
        int best = assign_policy_choose (&job, candidates, candidates_count, NULL);
        if (best < 0)
            continue;
        const char *technician_id = shr_call_strdup (call, candidates[best].id);
        const char *order_id = shr_call_strdup (call, summary->id);
        rc = workorder_assign_to (call, order, technician_id, "service");
        if (rc == 0) {
            roster_add_load (roster, technician_id);
            if (reply->assigned++ < LISTED_MAX) {
                dispatch_run_reply_assignments_item_t *pair
                    = &reply->assignments.items[reply->assignments.count++];
                pair->workorder_id = order_id;
                pair->technician_id = technician_id;
            }
        }
    }
    roster_destroy (&roster);
    if (rc)
        return -1;
    reply->unassigned = count - reply->assigned;
    reply->elapsed_ms = (shr_time_mono_us () - started_us) / 1000;
    shr_log_info ("dispatch.run: %lld assigned, %lld left waiting, %lld ms",
                  (long long) reply->assigned, (long long) reply->unassigned,
                  (long long) reply->elapsed_ms);
    return 0;
}
