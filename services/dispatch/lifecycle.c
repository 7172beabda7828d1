/*  lifecycle - the steps of a work order, following the plan's four: report,
    diagnose, repair, acceptance.

        reported -> assigned -> in_progress (<-> waiting_parts) -> completed -> accepted
                                                                            -> rejected (+ a rework order)
        cancelled from any open state

    A diagnosis is a recorded, time-stamped step, not a status: remote triage
    while reported, on site while assigned or in progress. A step the current
    status does not allow fails with failed_precondition naming the status.
    Orders are handled one at a time, so of two dispatchers assigning the same
    order at once exactly one wins; the other finds it assigned.
*/
#include "dispatch.h"
#include "roster.h"

//  Which statuses each step starts from, and where it goes ("" = stays).
static const struct {
    const char *step;
    const char *from[5];
    const char *to;
} s_steps[] = {
    {"diagnose", {"reported", "assigned", "in_progress"}, ""},
    {"assign", {"reported"}, "assigned"},
    {"start", {"assigned"}, "in_progress"},
    {"wait_parts", {"in_progress"}, "waiting_parts"},
    {"resume", {"waiting_parts"}, "in_progress"},
    {"complete", {"in_progress"}, "completed"},
    {"accept", {"completed"}, "accepted"},
    {"reject", {"completed"}, "rejected"},
    {"cancel", {"reported", "assigned", "in_progress", "waiting_parts"}, "cancelled"},
};

//  Loads the order of the body and checks that step may run on it now. Returns
//  0, or -1 with the call failed (not_found, failed_precondition).
static int s_begin (shr_call_t *call, const cJSON *body, const char *step, workorder_t *order)
{
    if (workorder_load (call, shr_body_string (body, "id"), "/body/id", order))
        return -1;
    for (size_t i = 0; i < sizeof s_steps / sizeof s_steps[0]; i++) {
        if (!streq (s_steps[i].step, step))
            continue;
        char allowed[80] = "";
        for (int j = 0; j < 5 && s_steps[i].from[j]; j++) {
            if (streq (s_steps[i].from[j], order->status))
                return 0;
            snprintf (allowed + strlen (allowed), sizeof allowed - strlen (allowed), "%s%s",
                      j ? " or " : "", s_steps[i].from[j]);
        }
        return shr_call_fail (call, SHR_FAILED_PRECONDITION, "/body/id",
                              "cannot %s %s: it is %s; %s needs it %s", step, order->id,
                              order->status, step, allowed);
    }
    return shr_call_fail (call, SHR_INTERNAL, NULL, "no such step %s", step);
}

//  Prepares an UPDATE of the order with ?1 bound to its seq and ?2 to now (a
//  statement without ?2 just ignores it); the caller binds the rest.
static sqlite3_stmt *s_update (shr_call_t *call, const char *sql, const workorder_t *order)
{
    sqlite3_stmt *stmt = shr_store_stmt (call->store, sql);
    if (stmt) {
        sqlite3_bind_int64 (stmt, 1, order->seq);
        sqlite3_bind_int64 (stmt, 2, call->now_ms);
    }
    return stmt;
}

//  Records the step, emits its event (extra taken over) and replies with the order.
static int s_finish (shr_call_t *call, const workorder_t *order, const char *step,
                     const char *status, const char *event, cJSON *extra, const char *note,
                     cJSON **reply_p)
{
    if (workorder_record_step (call, order->seq, step, status, order->technician_id, note)) {
        cJSON_Delete (extra);
        return -1;
    }
    if (workorder_emit (call, event, order->seq, extra))
        return -1;
    *reply_p = workorder_full_json (call, order->seq);
    return *reply_p ? 0 : shr_call_db_error (call);
}

static cJSON *s_time_object (const char *name, int64_t ms)
{
    cJSON *extra = cJSON_CreateObject ();
    shr_body_add_time (extra, name, ms);
    return extra;
}

int workorder_diagnose (shr_call_t *call, const cJSON *body, cJSON **reply_p)
{
    workorder_t order;
    if (s_begin (call, body, "diagnose", &order))
        return -1;
    const cJSON *parts = cJSON_GetObjectItem (body, "parts_needed");
    char *parts_text = parts ? shr_json_print (parts) : strdup ("[]");
    sqlite3_stmt *stmt = shr_store_stmt (call->store,
                                         "INSERT INTO workorder_diagnosis (workorder_seq, at_ms,"
                                         " text, by, parts_needed) VALUES (?, ?, ?, ?, ?)");
    if (stmt) {
        sqlite3_bind_int64 (stmt, 1, order.seq);
        sqlite3_bind_int64 (stmt, 2, call->now_ms);
        shr_store_bind_text (stmt, 3, shr_body_string (body, "text"));
        shr_store_bind_text (stmt, 4, shr_body_string (body, "by"));
        shr_store_bind_text (stmt, 5, parts_text);
    }
    bool failed = !stmt || shr_store_step_done (stmt);
    //  A new diagnosis may add parts and refine the skill the job needs.
    stmt = failed ? NULL
                  : s_update (call,
                              "UPDATE workorder SET parts_needed = coalesce(?3, parts_needed),"
                              " required_skill = coalesce(?4, required_skill),"
                              " required_level = coalesce(?5, required_level) WHERE seq = ?1",
                              &order);
    if (stmt) {
        shr_store_bind_text (stmt, 3, parts ? parts_text : NULL);
        shr_store_bind_text (stmt, 4, shr_body_string (body, "required_skill"));
        if (shr_body_has (body, "required_level"))
            sqlite3_bind_int64 (stmt, 5, shr_body_int (body, "required_level", 1));
    }
    failed = failed || !stmt || shr_store_step_done (stmt);
    cJSON *extra = cJSON_CreateObject ();
    cJSON_AddStringToObject (extra, "diagnosis", shr_body_string (body, "text"));
    cJSON_AddItemToObject (extra, "parts_needed", cJSON_Parse (parts_text));
    shr_body_add_time (extra, "diagnosed_at", call->now_ms);
    free (parts_text);
    if (failed) {
        cJSON_Delete (extra);
        return shr_call_db_error (call);
    }
    return s_finish (call, &order, "diagnosed", order.status, "workorder.diagnosed", extra,
                     shr_body_string (body, "text"), reply_p);
}

int workorder_assign_to (shr_call_t *call, workorder_t *order, const char *technician_id,
                         const char *chosen_by)
{
    sqlite3_stmt *stmt = s_update (call,
                                   "UPDATE workorder SET status = 'assigned', technician_id = ?3,"
                                   " assigned_at_ms = ?2 WHERE seq = ?1 AND status = 'reported'",
                                   order);
    if (!stmt)
        return shr_call_db_error (call);
    sqlite3_bind_text (stmt, 3, technician_id, -1, SQLITE_STATIC);
    if (shr_store_step_done (stmt))
        return shr_call_db_error (call);
    if (sqlite3_changes (shr_store_db (call->store)) != 1)
        return shr_call_fail (call, SHR_ABORTED, "/body/id", "%s changed while being assigned",
                              order->id);
    snprintf (order->technician_id, sizeof order->technician_id, "%s", technician_id);
    snprintf (order->status, sizeof order->status, "assigned");
    if (workorder_record_step (call, order->seq, "assigned", "assigned", technician_id,
                               streq (chosen_by, "service") ? "chosen by the service" : NULL))
        return -1;
    cJSON *extra = s_time_object ("assigned_at", call->now_ms);
    cJSON_AddStringToObject (extra, "chosen_by", chosen_by);
    return workorder_emit (call, "workorder.assigned", order->seq, extra);
}

//  A dispatcher's choice: the technician must exist, be active, have the skill at
//  the level, and have room. Region and shift are the dispatcher's call.
static int s_check_technician (shr_call_t *call, const workorder_t *order, const char *id)
{
    sqlite3_stmt *stmt = shr_store_stmt (
        call->store,
        "SELECT active, max_jobs, (SELECT level FROM technician_skill s WHERE s.technician_id"
        " = t.id AND s.skill = ?2), (SELECT count(*) FROM workorder w WHERE w.technician_id ="
        " t.id AND " DISPATCH_OPEN ") FROM technician t WHERE id = ?1");
    if (!stmt)
        return shr_call_db_error (call);
    sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 2, order->required_skill, -1, SQLITE_STATIC);
    int rc = sqlite3_step (stmt);
    if (rc != SQLITE_ROW) {
        sqlite3_reset (stmt);
        return rc == SQLITE_DONE ? shr_call_fail (call, SHR_NOT_FOUND, "/body/technician_id",
                                                  "no technician %s", id)
                                 : shr_call_db_error (call);
    }
    bool active = sqlite3_column_int (stmt, 0);
    int max_jobs = sqlite3_column_int (stmt, 1);
    int level = sqlite3_column_int (stmt, 2);
    int load = sqlite3_column_int (stmt, 3);
    sqlite3_reset (stmt);
    if (!active)
        return shr_call_fail (call, SHR_FAILED_PRECONDITION, "/body/technician_id",
                              "technician %s is not active", id);
    if (*order->required_skill && level < order->required_level)
        return shr_call_fail (call, SHR_FAILED_PRECONDITION, "/body/technician_id",
                              "technician %s has %s at level %d; %s needs level %d", id,
                              order->required_skill, level, order->id, order->required_level);
    if (load >= max_jobs)
        return shr_call_fail (call, SHR_FAILED_PRECONDITION, "/body/technician_id",
                              "technician %s already has %d open jobs (at most %d)", id, load,
                              max_jobs);
    return 0;
}

//  The service's choice, by assign_policy, among the region's technicians.
static int s_choose_technician (shr_call_t *call, const workorder_t *order, char *chosen,
                                size_t size)
{
    roster_t *roster = roster_of_region (call, order->region);
    if (!roster)
        return -1;
    size_t count;
    const assign_candidate_t *candidates
        = roster_candidates (roster, order->region, order->required_skill, &count);
    assign_job_t job = {call->now_ms, order->due_at_ms, assign_policy_job_seconds (order->type),
                        *order->required_skill ? order->required_level : 0};
    assign_refusals_t refusals = {0, 0, 0};
    int best = assign_policy_choose (&job, candidates, count, &refusals);
    if (best >= 0)
        snprintf (chosen, size, "%s", candidates[best].id);
    roster_destroy (&roster);
    if (best >= 0)
        return 0;
    return shr_call_fail (call, SHR_FAILED_PRECONDITION, "/body/id",
                          "no eligible technician for %s in region %s%s%s: %zu with the skill,"
                          " %d below level %d, %d at their job limit, %d off shift",
                          order->id, order->region, *order->required_skill ? " with skill " : "",
                          order->required_skill, count, refusals.under_level,
                          order->required_level, refusals.at_limit, refusals.off_shift);
}

int workorder_assign (shr_call_t *call, const cJSON *body, cJSON **reply_p)
{
    workorder_t order;
    if (s_begin (call, body, "assign", &order))
        return -1;
    const char *technician_id = shr_body_string (body, "technician_id");
    char chosen[65];
    if (technician_id) {
        if (s_check_technician (call, &order, technician_id))
            return -1;
        snprintf (chosen, sizeof chosen, "%s", technician_id);
    }
    else if (s_choose_technician (call, &order, chosen, sizeof chosen))
        return -1;
    if (workorder_assign_to (call, &order, chosen, technician_id ? "dispatcher" : "service"))
        return -1;
    *reply_p = workorder_full_json (call, order.seq);
    return *reply_p ? 0 : shr_call_db_error (call);
}

int workorder_start (shr_call_t *call, const cJSON *body, cJSON **reply_p)
{
    workorder_t order;
    if (s_begin (call, body, "start", &order))
        return -1;
    sqlite3_stmt *stmt = s_update (call, "UPDATE workorder SET status = 'in_progress',"
                                         " started_at_ms = ?2 WHERE seq = ?1", &order);
    if (!stmt || shr_store_step_done (stmt))
        return shr_call_db_error (call);
    cJSON *extra = s_time_object ("started_at", call->now_ms);
    shr_body_add_int (extra, "wait_s", (call->now_ms - order.reported_at_ms) / 1000);
    return s_finish (call, &order, "started", "in_progress", "workorder.started", extra, NULL,
                     reply_p);
}

int workorder_wait_parts (shr_call_t *call, const cJSON *body, cJSON **reply_p)
{
    workorder_t order;
    if (s_begin (call, body, "wait_parts", &order))
        return -1;
    const cJSON *parts = cJSON_GetObjectItem (body, "parts_needed");
    char *parts_text = parts ? shr_json_print (parts) : NULL;
    sqlite3_stmt *stmt = s_update (call, "UPDATE workorder SET status = 'waiting_parts',"
                                         " waiting_since_ms = ?2, parts_needed ="
                                         " coalesce(?3, parts_needed) WHERE seq = ?1", &order);
    if (stmt)
        shr_store_bind_text (stmt, 3, parts_text);
    free (parts_text);
    if (!stmt || shr_store_step_done (stmt))
        return shr_call_db_error (call);
    //  The event carries the parts the order now waits for.
    stmt = shr_store_stmt (call->store, "SELECT parts_needed FROM workorder WHERE seq = ?");
    if (!stmt)
        return shr_call_db_error (call);
    sqlite3_bind_int64 (stmt, 1, order.seq);
    cJSON *needed = sqlite3_step (stmt) == SQLITE_ROW
                        ? cJSON_Parse (shr_store_column_text (stmt, 0))
                        : NULL;
    sqlite3_reset (stmt);
    cJSON *extra = cJSON_CreateObject ();
    cJSON_AddItemToObject (extra, "parts_needed", needed ? needed : cJSON_CreateArray ());
    shr_body_add_time (extra, "since", call->now_ms);
    return s_finish (call, &order, "waiting_parts", "waiting_parts", "workorder.waiting_parts",
                     extra, shr_body_string (body, "note"), reply_p);
}

int workorder_resume (shr_call_t *call, const cJSON *body, cJSON **reply_p)
{
    workorder_t order;
    if (s_begin (call, body, "resume", &order))
        return -1;
    sqlite3_stmt *stmt = s_update (call, "UPDATE workorder SET status = 'in_progress',"
                                         " waiting_since_ms = NULL WHERE seq = ?1", &order);
    if (!stmt || shr_store_step_done (stmt))
        return shr_call_db_error (call);
    cJSON *extra = s_time_object ("resumed_at", call->now_ms);
    shr_body_add_int (extra, "waited_s", (call->now_ms - order.waiting_since_ms) / 1000);
    return s_finish (call, &order, "resumed", "in_progress", "workorder.resumed", extra, NULL,
                     reply_p);
}

static int64_t s_hourly_cost (shr_call_t *call, const char *technician_id)
{
    sqlite3_stmt *stmt = shr_store_stmt (call->store,
                                         "SELECT hourly_cost_cents FROM technician WHERE id = ?");
    if (!stmt)
        return -1;
    sqlite3_bind_text (stmt, 1, technician_id, -1, SQLITE_STATIC);
    int64_t cost = sqlite3_step (stmt) == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : -1;
    sqlite3_reset (stmt);
    return cost;
}

static cJSON *s_money_json (const dispatch_money_t *money, const char *currency)
{
    cJSON *json = cJSON_CreateObject ();
    cJSON_AddStringToObject (json, "currency", currency);
    shr_body_add_int (json, "labour_minutes", money->labour_minutes);
    shr_body_add_int (json, "labour_cost_cents", money->labour_cost_cents);
    shr_body_add_int (json, "parts_cost_cents", money->parts_cost_cents);
    shr_body_add_int (json, "labour_charge_cents", money->labour_charge_cents);
    shr_body_add_int (json, "parts_charge_cents", money->parts_charge_cents);
    shr_body_add_int (json, "fees_cents", money->fees_cents);
    shr_body_add_int (json, "total_charge_cents", money->total_charge_cents);
    shr_body_add_int (json, "margin_cents", money->margin_cents);
    return json;
}

int workorder_complete (shr_call_t *call, const cJSON *body, cJSON **reply_p)
{
    const dispatch_settings_t *settings = (const dispatch_settings_t *) call->arg;
    workorder_t order;
    if (s_begin (call, body, "complete", &order))
        return -1;
    int64_t hourly_cost = s_hourly_cost (call, order.technician_id);
    if (hourly_cost < 0)
        return shr_call_db_error (call);
    dispatch_money_t money;
    if (dispatch_money_compute (call, body, hourly_cost, settings->labour_rate_cents,
                                order.in_warranty, &money))
        return -1;
    const cJSON *parts = cJSON_GetObjectItem (body, "parts_used");
    char *parts_text = shr_json_print (parts);
    sqlite3_stmt *stmt = s_update (
        call,
        "UPDATE workorder SET status = 'completed', completed_at_ms = ?2, labour_minutes = ?3,"
        " labour_cost_cents = ?4, parts_cost_cents = ?5, labour_charge_cents = ?6,"
        " parts_charge_cents = ?7, fees_cents = ?8, total_charge_cents = ?9, currency = ?10,"
        " parts_used = coalesce(?11, '[]'), resolution = ?12 WHERE seq = ?1",
        &order);
    if (stmt) {
        sqlite3_bind_int64 (stmt, 3, money.labour_minutes);
        sqlite3_bind_int64 (stmt, 4, money.labour_cost_cents);
        sqlite3_bind_int64 (stmt, 5, money.parts_cost_cents);
        sqlite3_bind_int64 (stmt, 6, money.labour_charge_cents);
        sqlite3_bind_int64 (stmt, 7, money.parts_charge_cents);
        sqlite3_bind_int64 (stmt, 8, money.fees_cents);
        sqlite3_bind_int64 (stmt, 9, money.total_charge_cents);
        sqlite3_bind_text (stmt, 10, settings->currency, -1, SQLITE_STATIC);
        shr_store_bind_text (stmt, 11, parts ? parts_text : NULL);
        shr_store_bind_text (stmt, 12, shr_body_string (body, "resolution"));
    }
    bool failed = !stmt || shr_store_step_done (stmt);
    cJSON *extra = s_time_object ("completed_at", call->now_ms);
    shr_body_add_int (extra, "repair_duration_s", (call->now_ms - order.reported_at_ms) / 1000);
    cJSON_AddBoolToObject (extra, "on_time", call->now_ms <= order.due_at_ms);
    cJSON_AddItemToObject (extra, "money", s_money_json (&money, settings->currency));
    cJSON *used = parts ? cJSON_Parse (parts_text) : NULL;
    cJSON_AddItemToObject (extra, "parts_used", used ? used : cJSON_CreateArray ());
    free (parts_text);
    if (failed) {
        cJSON_Delete (extra);
        return shr_call_db_error (call);
    }
    return s_finish (call, &order, "completed", "completed", "workorder.completed", extra,
                     shr_body_string (body, "resolution"), reply_p);
}

int workorder_accept (shr_call_t *call, const cJSON *body, cJSON **reply_p)
{
    workorder_t order;
    if (s_begin (call, body, "accept", &order))
        return -1;
    bool scored = shr_body_has (body, "customer_score");
    sqlite3_stmt *stmt = s_update (call, "UPDATE workorder SET status = 'accepted',"
                                         " accepted_at_ms = ?2, customer_score = ?3"
                                         " WHERE seq = ?1", &order);
    if (stmt && scored)
        sqlite3_bind_int64 (stmt, 3, shr_body_int (body, "customer_score", 0));
    if (!stmt || shr_store_step_done (stmt))
        return shr_call_db_error (call);
    cJSON *extra = s_time_object ("accepted_at", call->now_ms);
    if (scored)
        shr_body_add_int (extra, "customer_score", shr_body_int (body, "customer_score", 0));
    else
        cJSON_AddNullToObject (extra, "customer_score");
    return s_finish (call, &order, "accepted", "accepted", "workorder.accepted", extra,
                     shr_body_string (body, "comment"), reply_p);
}

int workorder_reject (shr_call_t *call, const cJSON *body, cJSON **reply_p)
{
    workorder_t order;
    if (s_begin (call, body, "reject", &order))
        return -1;
    const char *reason = shr_body_string (body, "reason");
    sqlite3_stmt *stmt = s_update (call, "UPDATE workorder SET status = 'rejected',"
                                         " rejected_at_ms = ?2, reason = ?3 WHERE seq = ?1",
                                   &order);
    if (stmt)
        sqlite3_bind_text (stmt, 3, reason, -1, SQLITE_STATIC);
    if (!stmt || shr_store_step_done (stmt))
        return shr_call_db_error (call);
    //  The rework redoes the job at our cost: same customer, product and need, in warranty.
    cJSON *original = workorder_full_json (call, order.seq);
    if (!original)
        return shr_call_db_error (call);
    cJSON *rework = cJSON_CreateObject ();
    static const char *copied[] = {"customer_id", "type", "priority", "channel", "region",
                                   "address", "product_model", "product_serial",
                                   "required_skill", NULL};
    for (int i = 0; copied[i]; i++) {
        const char *value = shr_body_string (original, copied[i]);
        if (value)
            cJSON_AddStringToObject (rework, copied[i], value);
    }
    shr_body_add_int (rework, "required_level", order.required_level);
    cJSON_AddBoolToObject (rework, "in_warranty", true);
    char description[4200];
    snprintf (description, sizeof description, "Rework of %s, rejected: %s", order.id, reason);
    cJSON_AddStringToObject (rework, "description", description);
    cJSON_Delete (original);
    workorder_t redo;
    int rc = workorder_insert (call, rework, order.id, &redo);
    cJSON_Delete (rework);
    if (rc)
        return -1;
    stmt = shr_store_stmt (call->store, "UPDATE workorder SET rework_id = ? WHERE seq = ?");
    if (!stmt)
        return shr_call_db_error (call);
    sqlite3_bind_text (stmt, 1, redo.id, -1, SQLITE_STATIC);
    sqlite3_bind_int64 (stmt, 2, order.seq);
    if (shr_store_step_done (stmt))
        return shr_call_db_error (call);
    cJSON *extra = s_time_object ("rejected_at", call->now_ms);
    cJSON_AddStringToObject (extra, "reason", reason);
    cJSON_AddStringToObject (extra, "rework_id", redo.id);
    return s_finish (call, &order, "rejected", "rejected", "workorder.rejected", extra, reason,
                     reply_p);
}

int workorder_cancel (shr_call_t *call, const cJSON *body, cJSON **reply_p)
{
    workorder_t order;
    if (s_begin (call, body, "cancel", &order))
        return -1;
    const char *reason = shr_body_string (body, "reason");
    sqlite3_stmt *stmt = s_update (call, "UPDATE workorder SET status = 'cancelled',"
                                         " cancelled_at_ms = ?2, reason = ?3 WHERE seq = ?1",
                                   &order);
    if (stmt)
        sqlite3_bind_text (stmt, 3, reason, -1, SQLITE_STATIC);
    if (!stmt || shr_store_step_done (stmt))
        return shr_call_db_error (call);
    cJSON *extra = s_time_object ("cancelled_at", call->now_ms);
    cJSON_AddStringToObject (extra, "reason", reason);
    return s_finish (call, &order, "cancelled", "cancelled", "workorder.cancelled", extra,
                     reason, reply_p);
}
