/*  workorder_update - a dispatcher or agent changes an open order: priority,
    address, location, the customer's window, description, required skill
    and level, or adds a note. Each field that changes is a step of its own
    ("priority: normal -> urgent"); a note is a step too. A new priority moves
    the due time only if recompute_due asks: the promise made at creation
    stands unless the dispatcher says otherwise.
*/
#include "dispatch.h"

typedef struct {
    event_workorder_updated_changes_item_t *items;
    size_t count;
} s_changes_t;

//  Adds field's change if from and to differ (NULL is "none"), copying both.
static void s_compare (shr_call_t *call, s_changes_t *changes, const char *field, const char *from,
                       const char *to)
{
    if (!to || (from && streq (from, to)))
        return;
    changes->items[changes->count++] = (event_workorder_updated_changes_item_t){
        field, from ? shr_call_strdup (call, from) : NULL, shr_call_strdup (call, to)};
}

static const char *s_window_text (shr_call_t *call, bool has, const dispatch_time_window_t *window)
{
    if (!has)
        return NULL;
    char start[SHR_TIME_LEN], end[SHR_TIME_LEN];
    shr_time_format (window->start, start);
    shr_time_format (window->end, end);
    return shr_call_printf (call, "%s/%s", start, end);
}

static const char *s_location_text (shr_call_t *call, bool has, const dispatch_location_t *at)
{
    return has ? shr_call_printf (call, "%.6f,%.6f", at->lat, at->lon) : NULL;
}

//  The time order seq's SLA clock stood still so far. Returns 0 or -1.
static int s_paused_ms (shr_call_t *call, int64_t seq, int64_t *paused_ms)
{
    sqlite3_stmt *stmt
        = shr_store_stmt (call->store, "SELECT paused_ms FROM workorder WHERE seq = ?1");
    if (!stmt)
        return shr_call_db_error (call);
    sqlite3_bind_int64 (stmt, 1, seq);
    int rc = sqlite3_step (stmt);
    *paused_ms = rc == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : 0;
    sqlite3_reset (stmt);
    return rc == SQLITE_ROW ? 0 : shr_call_db_error (call);
}

int workorder_update (shr_call_t *call, const dispatch_workorder_update_request_t *request,
                      dispatch_workorder_t *reply)
{
    workorder_t order;
    dispatch_workorder_t before;
    if (lifecycle_begin (call, request->id, "update", &order)
        || workorder_read (call, order.seq, &before))
        return -1;
    const dispatch_time_window_t *window = &request->window;
    if (request->has_window && window->end <= window->start)
        return shr_call_fail (call, SHR_INVALID_ARGUMENT, "/body/window/end",
                              "the window must end after it starts");
    if (request->recompute_due && !request->priority)
        return shr_call_fail (call, SHR_INVALID_ARGUMENT, "/body/recompute_due",
                              "recompute_due goes with a new priority");
    const dispatch_workorder_summary_t *was = &before.workorder_summary;
    event_workorder_updated_changes_item_t items[9];
    s_changes_t changes = {items, 0};
    s_compare (call, &changes, "priority", was->priority, request->priority);
    s_compare (call, &changes, "address", before.address, request->address);
    s_compare (call, &changes, "location",
               s_location_text (call, before.has_location, &before.location),
               s_location_text (call, request->has_location, &request->location));
    s_compare (call, &changes, "window", s_window_text (call, before.has_window, &before.window),
               s_window_text (call, request->has_window, window));
    s_compare (call, &changes, "description", before.description, request->description);
    s_compare (call, &changes, "required_skill", was->required_skill, request->required_skill);
    s_compare (call, &changes, "required_level",
               shr_call_printf (call, "%lld", (long long) was->required_level),
               request->has_required_level
                   ? shr_call_printf (call, "%lld", (long long) request->required_level)
                   : NULL);
    //  The due time again from the policy, from when the order was reported.
    bool recompute = request->recompute_due && !streq (was->priority, request->priority);
    dispatch_sla_policy_t policy = {0};
    int64_t paused_ms = 0;  //  a pause for parts so far moves the new due time too
    if (recompute
        && (sla_policy_lookup (call, was->type, request->priority, &policy)
            || s_paused_ms (call, order.seq, &paused_ms)))
        return -1;
    int64_t due = was->reported_at + policy.resolve_within_s * 1000 + paused_ms,
            at_risk_s = policy.at_risk_before_s;
    if (recompute) {
        char from[SHR_TIME_LEN], to[SHR_TIME_LEN];
        shr_time_format (was->due_at, from);
        shr_time_format (due, to);
        s_compare (call, &changes, "due_at", from, to);
    }
    if (shr_call_exec (
            call,
            "UPDATE workorder SET priority = coalesce (:priority, priority),"
            " address = coalesce (:address, address), description = coalesce (:description,"
            " description), required_skill = coalesce (:required_skill, required_skill),"
            " required_level = coalesce (:required_level, required_level),"
            " lat_e6 = coalesce (:lat, lat_e6), lon_e6 = coalesce (:lon, lon_e6),"
            " window_start_ms = coalesce (:window_start, window_start_ms),"
            " window_end_ms = coalesce (:window_end, window_end_ms),"
            //  A moved deadline is announced again when it comes, not before.
            " at_risk_emitted = CASE WHEN :due IS NULL THEN at_risk_emitted"
            "  ELSE at_risk_emitted AND :at_risk <= :now END,"
            " overdue_emitted = CASE WHEN :due IS NULL THEN overdue_emitted"
            "  ELSE overdue_emitted AND :due <= :now END,"
            " due_at_ms = coalesce (:due, due_at_ms), at_risk_at_ms = coalesce (:at_risk,"
            " at_risk_at_ms) WHERE seq = :seq",
            &dispatch_workorder_update_request_shape, request, SHR_INT (":seq", order.seq),
            SHR_INT_IF (":lat", request->has_location, llround (request->location.lat * 1e6)),
            SHR_INT_IF (":lon", request->has_location, llround (request->location.lon * 1e6)),
            SHR_INT_IF (":window_start", request->has_window, window->start),
            SHR_INT_IF (":window_end", request->has_window, window->end),
            SHR_INT_IF (":due", recompute, due),
            SHR_INT_IF (":at_risk", recompute, due - at_risk_s * 1000), SHR_END)
        || workorder_load (call, request->id, "/body/id", &order))
        return -1;
    for (size_t i = 0; i < changes.count; i++) {
        const event_workorder_updated_changes_item_t *change = &changes.items[i];
        if (lifecycle_advance (call, &order, "update", NULL,
                               shr_call_printf (call, "%s: %s -> %s", change->field,
                                                change->from ? change->from : "none", change->to)))
            return -1;
    }
    if (request->note && lifecycle_advance (call, &order, "note", NULL, request->note))
        return -1;
    if (changes.count || request->note) {
        event_workorder_updated_t event = {.workorder_summary = order.summary,
                                           .updated_at = call->now_ms,
                                           .changes = {changes.count, changes.items},
                                           .note = request->note};
        if (event_workorder_updated_emit (call, order.summary.id, &event) < 0)
            return -1;
    }
    return workorder_read (call, order.seq, reply);
}
