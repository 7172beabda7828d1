/*  dispatch_run - assigns every waiting order in one pass, earliest due first.

    The roster of all active technicians is read once, with their loads; each
    order then takes the best eligible technician by assign_policy, and that
    technician's load grows before the next order is placed. Orders nobody can
    take stay reported (the reply counts them). One transaction, like any request.
*/
#include "dispatch.h"
#include "roster.h"

#define LISTED_MAX 1000  //  assignments listed in the reply; the rest are counted

typedef struct {
    workorder_t order;
} s_waiting_t;

//  Reads the waiting orders (all of them first: assigning changes the rows scanned).
static s_waiting_t *s_waiting (shr_call_t *call, const char *region, int64_t limit,
                               size_t *count)
{
    sqlite3_stmt *stmt = shr_store_stmt (
        call->store,
        "SELECT seq, id, region, required_skill, required_level, due_at_ms, type FROM workorder"
        " WHERE status = 'reported' AND (?1 IS NULL OR region = ?1)"
        " ORDER BY due_at_ms, seq LIMIT ?2");
    if (!stmt) {
        shr_call_db_error (call);
        return NULL;
    }
    shr_store_bind_text (stmt, 1, region);
    sqlite3_bind_int64 (stmt, 2, limit);
    size_t size = 256;
    *count = 0;
    s_waiting_t *waiting = (s_waiting_t *) malloc (size * sizeof (s_waiting_t));
    int rc;
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW) {
        if (*count == size) {
            size *= 2;
            waiting = (s_waiting_t *) realloc (waiting, size * sizeof (s_waiting_t));
        }
        workorder_t *order = &waiting[(*count)++].order;
        memset (order, 0, sizeof *order);
        order->seq = sqlite3_column_int64 (stmt, 0);
        snprintf (order->id, sizeof order->id, "%s", shr_store_column_text (stmt, 1));
        snprintf (order->region, sizeof order->region, "%s", shr_store_column_text (stmt, 2));
        snprintf (order->required_skill, sizeof order->required_skill, "%s",
                  shr_store_column_text (stmt, 3));
        order->required_level = sqlite3_column_int (stmt, 4);
        order->due_at_ms = sqlite3_column_int64 (stmt, 5);
        snprintf (order->type, sizeof order->type, "%s", shr_store_column_text (stmt, 6));
        snprintf (order->status, sizeof order->status, "reported");
    }
    sqlite3_reset (stmt);
    if (rc != SQLITE_DONE) {
        free (waiting);
        shr_call_db_error (call);
        return NULL;
    }
    return waiting;
}

int dispatch_run (shr_call_t *call, const cJSON *body, cJSON **reply_p)
{
    int64_t started_us = shr_time_mono_us ();
    const char *region = shr_body_string (body, "region");
    size_t count;
    s_waiting_t *waiting = s_waiting (call, region, shr_body_int (body, "limit", 100000), &count);
    if (!waiting)
        return -1;
    roster_t *roster = region ? roster_of_region (call, region) : roster_all (call);
    if (!roster) {
        free (waiting);
        return -1;
    }
    cJSON *reply = cJSON_CreateObject ();
    cJSON *assignments = cJSON_CreateArray ();
    int64_t assigned = 0;
    int rc = 0;
    for (size_t i = 0; i < count && rc == 0; i++) {
        workorder_t *order = &waiting[i].order;
        size_t candidates_count;
        const assign_candidate_t *candidates = roster_candidates (
            roster, order->region, order->required_skill, &candidates_count);
        assign_job_t job = {call->now_ms, order->due_at_ms, assign_policy_job_seconds (order->type),
                            *order->required_skill ? order->required_level : 0};
        int best = assign_policy_choose (&job, candidates, candidates_count, NULL);
        if (best < 0)
            continue;
        char technician_id[65];
        snprintf (technician_id, sizeof technician_id, "%s", candidates[best].id);
        rc = workorder_assign_to (call, order, technician_id, "service");
        if (rc == 0) {
            roster_add_load (roster, technician_id);
            if (assigned++ < LISTED_MAX) {
                cJSON *pair = cJSON_CreateObject ();
                cJSON_AddStringToObject (pair, "workorder_id", order->id);
                cJSON_AddStringToObject (pair, "technician_id", technician_id);
                cJSON_AddItemToArray (assignments, pair);
            }
        }
    }
    roster_destroy (&roster);
    free (waiting);
    if (rc) {
        cJSON_Delete (assignments);
        cJSON_Delete (reply);
        return -1;
    }
    shr_body_add_int (reply, "assigned", assigned);
    shr_body_add_int (reply, "unassigned", (int64_t) count - assigned);
    cJSON_AddItemToObject (reply, "assignments", assignments);
    shr_body_add_int (reply, "elapsed_ms", (shr_time_mono_us () - started_us) / 1000);
    shr_log_info ("dispatch.run: %lld assigned, %lld left waiting, %lld ms", (long long) assigned,
                  (long long) count - assigned,
                  (long long) (shr_time_mono_us () - started_us) / 1000);
    *reply_p = reply;
    return 0;
}
