/*  workorder - work orders: create, read (the queues: workorder_queue.c).

    Rows are read by column name into the generated structs (shr_shape), so
    each select list below is the only place a column is named for a reply.
*/
#include "dispatch.h"

//  workorder_t is no message, but it reads like one: by a field table.
static const shr_field_t s_row_fields[] = {
    {.name = "seq", .kind = SHR_FIELD_INT, .offset = offsetof (workorder_t, seq), .has_offset = -1},
    {.name = "started_at_ms", .kind = SHR_FIELD_INT,
     .offset = offsetof (workorder_t, started_at_ms), .has_offset = -1},
    {.name = "waiting_since_ms", .kind = SHR_FIELD_INT,
     .offset = offsetof (workorder_t, waiting_since_ms), .has_offset = -1},
    {.name = "summary", .kind = SHR_FIELD_EMBED, .offset = offsetof (workorder_t, summary),
     .has_offset = -1, .shape = &dispatch_workorder_summary_shape},
    {.name = "location_lat", .kind = SHR_FIELD_INT, .offset = offsetof (workorder_t, lat_e6),
     .has_offset = offsetof (workorder_t, has_location)},
    {.name = "location_lon", .kind = SHR_FIELD_INT, .offset = offsetof (workorder_t, lon_e6),
     .has_offset = offsetof (workorder_t, has_location)},
    {.name = "window_start", .kind = SHR_FIELD_INT,
     .offset = offsetof (workorder_t, window_start_ms), .has_offset = offsetof (workorder_t, has_window)},
    {.name = "window_end", .kind = SHR_FIELD_INT, .offset = offsetof (workorder_t, window_end_ms),
     .has_offset = offsetof (workorder_t, has_window)},
};
const shr_shape_t workorder_row_shape = {"dispatch's workorder row", sizeof (workorder_t),
                                         s_row_fields, 8};

int workorder_load (shr_call_t *call, const char *id, const char *field, workorder_t *order)
{
    int found = shr_call_get (call,
                              "SELECT " WORKORDER_ROW_COLUMNS " FROM workorder WHERE id = :id",
                              NULL, NULL, &workorder_row_shape, order, SHR_TEXT (":id", id),
                              SHR_END);
    if (found == 0)
        return shr_call_fail (call, SHR_NOT_FOUND, field, "no work order %s", id);
    return found < 0 ? -1 : 0;
}

int workorder_waiting (shr_call_t *call, const dispatch_run_request_t *request, shr_array_t *orders)
{
    return shr_call_list (call,
                          "SELECT " WORKORDER_PLAN_COLUMNS " FROM workorder WHERE status = 'reported'"
                          " AND (:region IS NULL OR region = :region)"
                          " ORDER BY due_at_ms, seq LIMIT coalesce (:limit, 100000)",
                          &dispatch_run_request_shape, request, &workorder_row_shape, orders, 0,
                          NULL, SHR_END);
}

int workorder_insert (shr_call_t *call, const dispatch_workorder_create_request_t *request,
                      const char *rework_of, workorder_t *order)
{
    dispatch_sla_policy_t policy;
    const dispatch_time_window_t *window = &request->window;
    if (request->has_window && window->end <= window->start)
        return shr_call_fail (call, SHR_INVALID_ARGUMENT, "/body/window/end",
                              "the window must end after it starts");
    if (sla_policy_lookup (call, request->type, request->priority, &policy))
        return -1;
    sqlite3_stmt *stmt = shr_store_stmt (call->store,
                                         "SELECT coalesce(max(seq), 0) + 1 FROM workorder");
    if (!stmt || sqlite3_step (stmt) != SQLITE_ROW) {
        if (stmt)
            sqlite3_reset (stmt);
        return shr_call_db_error (call);
    }
    int64_t seq = sqlite3_column_int64 (stmt, 0);
    sqlite3_reset (stmt);
    const char *id = shr_call_printf (call, "WO-%06lld", (long long) seq);
    int64_t due_ms = call->now_ms + policy.resolve_within_s * 1000;
    //  In warranty as the caller says; without a word, as contracts' cover of the
    //  product says today; without a serial, not. Kept with who decided.
    dispatch_workorder_create_request_t decided = *request;
    const char *basis = request->has_in_warranty ? "caller"
                        : request->product_serial ? "coverage"
                                                  : "default";
    if (!request->has_in_warranty && request->product_serial) {
        int covered = coverage_in_warranty (call, request->product_serial);
        if (covered < 0)
            return -1;
        decided.in_warranty = covered;
    }
    if (shr_call_exec (
            call,
            "INSERT INTO workorder (seq, id, customer_id, type, priority, channel, region, address,"
            " description, product_model, product_serial, required_skill, required_level,"
            " in_warranty, warranty_basis, status, open, rework_of, reported_at_ms, due_at_ms,"
            " at_risk_at_ms, lat_e6, lon_e6, window_start_ms, window_end_ms, assign_by_ms,"
            " sla_pauses) VALUES (:seq, :id, :customer_id, :type, :priority, :channel, :region,"
            " :address, :description, :product_model, :product_serial, :required_skill,"
            " :required_level, :in_warranty, :basis, :status, 1, :rework_of, :now, :due,"
            " :at_risk, :lat, :lon, :window_start, :window_end, :assign_by, :pauses)",
            &dispatch_workorder_create_request_shape, &decided, SHR_TEXT (":basis", basis),
            SHR_INT (":seq", seq),
            SHR_TEXT (":id", id), SHR_TEXT (":status", "reported"),
            SHR_TEXT (":rework_of", rework_of), SHR_INT (":due", due_ms),
            SHR_INT (":at_risk", due_ms - policy.at_risk_before_s * 1000),
            SHR_INT (":assign_by", call->now_ms + policy.assign_within_s * 1000),
            SHR_INT (":pauses", policy.pause_waiting_parts),
            SHR_INT_IF (":lat", request->has_location, llround (request->location.lat * 1e6)),
            SHR_INT_IF (":lon", request->has_location, llround (request->location.lon * 1e6)),
            SHR_INT_IF (":window_start", request->has_window, window->start),
            SHR_INT_IF (":window_end", request->has_window, window->end), SHR_END)
        || workorder_record_step (call, seq, "created", "reported", NULL,
                                  rework_of ? "rework of a rejected order" : NULL)
        || workorder_load (call, id, NULL, order))
        return -1;
    event_workorder_created_t event = {.workorder_summary = order->summary,
                                       .description = request->description};
    return event_workorder_created_emit (call, id, &event) < 0 ? -1 : 0;
}

int workorder_record_step (shr_call_t *call, int64_t seq, const char *step, const char *status,
                           const char *technician_id, const char *note)
{
    return shr_call_exec (call,
                          "INSERT INTO workorder_step (workorder_seq, step, at_ms, status,"
                          " technician_id, note, actor) VALUES (:seq, :step, :now, :status,"
                          " :technician, :note, :actor)",
                          NULL, NULL, SHR_INT (":seq", seq), SHR_TEXT (":step", step),
                          SHR_TEXT (":status", status),
                          SHR_TEXT (":technician",
                                    technician_id && *technician_id ? technician_id : NULL),
                          SHR_TEXT (":note", note), SHR_TEXT (":actor", call->actor), SHR_END);
}

int workorder_read (shr_call_t *call, int64_t seq, dispatch_workorder_t *out)
{
    int found = shr_call_get (
        call,
        "SELECT " WORKORDER_SUMMARY_COLUMNS ", product_serial, warranty_basis, address,"
        " lat_e6 / 1e6 AS \"location.lat\", lon_e6 / 1e6 AS \"location.lon\","
        " window_start_ms AS \"window.start\", window_end_ms AS \"window.end\","
        " description, reported_at_ms AS \"times.reported_at\","
        " assigned_at_ms AS \"times.assigned_at\", started_at_ms AS \"times.started_at\","
        " completed_at_ms AS \"times.completed_at\", accepted_at_ms AS \"times.accepted_at\","
        " rejected_at_ms AS \"times.rejected_at\", cancelled_at_ms AS \"times.cancelled_at\","
        " " WORKORDER_DUE " AS \"times.due_at\", at_risk_at_ms AS \"times.at_risk_at\","
        " assign_by_ms AS \"times.assign_by\", (paused_ms + CASE WHEN sla_pauses = 1 AND"
        " status = 'waiting_parts' THEN :now - waiting_since_ms ELSE 0 END) / 1000"
        " AS \"times.paused_s\","
        " parts_needed, parts_used, currency AS \"money.currency\","
        " labour_minutes AS \"money.labour_minutes\","
        " labour_cost_cents AS \"money.labour_cost_cents\","
        " parts_cost_cents AS \"money.parts_cost_cents\","
        " labour_charge_cents AS \"money.labour_charge_cents\","
        " parts_charge_cents AS \"money.parts_charge_cents\", fees_cents AS \"money.fees_cents\","
        " total_charge_cents AS \"money.total_charge_cents\","
        " total_charge_cents - labour_cost_cents - parts_cost_cents AS \"money.margin_cents\","
        " resolution, customer_score, reason, rework_id FROM workorder WHERE seq = :seq",
        NULL, NULL, &dispatch_workorder_shape, out, SHR_INT (":seq", seq), SHR_END);
    if (found != 1)
        return found == 0 ? shr_call_db_error (call) : -1;
    //  Its history, a row a step.
    return shr_call_list (call,
                          "SELECT at_ms AS at, text, by, parts_needed FROM workorder_diagnosis"
                          " WHERE workorder_seq = :seq ORDER BY n",
                          NULL, NULL, &dispatch_diagnosis_shape, &out->diagnoses, 0, NULL,
                          SHR_INT (":seq", seq), SHR_END)
           || shr_call_list (call,
                             "SELECT step, at_ms AS at, status, technician_id, note, actor FROM"
                             " workorder_step WHERE workorder_seq = :seq ORDER BY n",
                             NULL, NULL, &dispatch_step_shape, &out->steps, 0, NULL,
                             SHR_INT (":seq", seq), SHR_END);
}

int workorder_create (shr_call_t *call, const dispatch_workorder_create_request_t *request,
                      dispatch_workorder_t *reply)
{
    workorder_t order;
    if (workorder_insert (call, request, NULL, &order))
        return -1;
    return workorder_read (call, order.seq, reply);
}

int workorder_get (shr_call_t *call, const dispatch_workorder_get_request_t *request,
                   dispatch_workorder_t *reply)
{
    workorder_t order;
    if (workorder_load (call, request->id, "/body/id", &order))
        return -1;
    return workorder_read (call, order.seq, reply);
}
