/*  workorder_steps - the ops that move an order through its lifecycle:
    diagnose, assign, start, wait_parts, resume, complete, accept, reject,
    cancel. Each checks the step (lifecycle_begin), records what is its own,
    advances (lifecycle_advance), emits its event and replies with the order.
*/
#include "dispatch.h"

//  The reply of every step: the order as it now is, once its event is out.
static int s_reply (shr_call_t *call, const workorder_t *order, int64_t emitted,
                    dispatch_workorder_t *reply)
{
    return emitted < 0 ? -1 : workorder_read (call, order->seq, reply);
}

int workorder_diagnose (shr_call_t *call, const dispatch_workorder_diagnose_request_t *request,
                        dispatch_workorder_t *reply)
{
    workorder_t order;
    if (lifecycle_begin (call, request->id, "diagnose", &order))
        return -1;
    //  A new diagnosis may add parts and refine the skill the job needs.
    const shr_shape_t *shape = &dispatch_workorder_diagnose_request_shape;
    if (shr_call_exec (call, "INSERT INTO workorder_diagnosis (workorder_seq, at_ms, text, by,"
                             " parts_needed) VALUES ((SELECT seq FROM workorder WHERE id = :id),"
                             " :now, :text, :by, coalesce (:parts_needed, '[]'))",
                       shape, request, SHR_END)
        || shr_call_exec (call, "UPDATE workorder SET parts_needed = coalesce (:parts_needed,"
                                " parts_needed), required_skill = coalesce (:required_skill,"
                                " required_skill), required_level = coalesce (:required_level,"
                                " required_level) WHERE id = :id",
                          shape, request, SHR_END)
        || lifecycle_advance (call, &order, "diagnose", NULL, request->text))
        return -1;
    event_workorder_diagnosed_t event = {.workorder_summary = order.summary,
                                         .diagnosis = request->text,
                                         .diagnosed_at = call->now_ms};
    event.parts_needed.count = request->parts_needed.count;
    event.parts_needed.items = request->parts_needed.items;
    return s_reply (call, &order, event_workorder_diagnosed_emit (call, order.summary.id, &event),
                    reply);
}

int workorder_assign_to (shr_call_t *call, workorder_t *order, const char *technician_id,
                         const char *chosen_by, const char *note)
{
    if (lifecycle_advance (call, order, "assign", technician_id,
                           note ? note : streq (chosen_by, "service") ? "chosen by the service" : NULL))
        return -1;
    event_workorder_assigned_t event = {.workorder_summary = order->summary,
                                        .assigned_at = call->now_ms,
                                        .chosen_by = chosen_by};
    return event_workorder_assigned_emit (call, order->summary.id, &event) < 0 ? -1 : 0;
}

int workorder_assign (shr_call_t *call, const dispatch_workorder_assign_request_t *request,
                      dispatch_workorder_t *reply)
{
    workorder_t order;
    if (lifecycle_begin (call, request->id, "assign", &order))
        return -1;
    const char *note;
    const char *chosen
        = assign_pick (call, &order, request->technician_id, request->override, &note);
    const char *chosen_by = request->technician_id ? "dispatcher" : "service";
    if (!chosen || workorder_assign_to (call, &order, chosen, chosen_by, note))
        return -1;
    return workorder_read (call, order.seq, reply);
}

int workorder_start (shr_call_t *call, const dispatch_workorder_start_request_t *request,
                     dispatch_workorder_t *reply)
{
    workorder_t order;
    if (lifecycle_begin (call, request->id, "start", &order)
        || lifecycle_advance (call, &order, "start", NULL, NULL))
        return -1;
    event_workorder_started_t event = {
        .workorder_summary = order.summary, .started_at = call->now_ms,
        .wait_s = (call->now_ms - order.summary.reported_at) / 1000};
    if (event_workorder_started_emit (call, order.summary.id, &event) < 0
        || parts_loop_after_start (call, &order))
        return -1;
    return workorder_read (call, order.seq, reply);
}

int workorder_wait_parts (shr_call_t *call, const dispatch_workorder_wait_parts_request_t *request,
                          dispatch_workorder_t *reply)
{
    workorder_t order;
    if (lifecycle_begin (call, request->id, "wait_parts", &order))
        return -1;
    if (shr_call_exec (call, "UPDATE workorder SET parts_needed = coalesce (:parts_needed,"
                             " parts_needed) WHERE id = :id",
                       &dispatch_workorder_wait_parts_request_shape, request, SHR_END)
        || lifecycle_advance (call, &order, "wait_parts", NULL, request->note))
        return -1;
    //  The event carries the parts the order now waits for.
    dispatch_workorder_t now;
    if (workorder_read (call, order.seq, &now))
        return -1;
    event_workorder_waiting_parts_t event = {.workorder_summary = order.summary,
                                             .since = call->now_ms};
    event.parts_needed.count = now.parts_needed.count;
    event.parts_needed.items = now.parts_needed.items;
    return s_reply (call, &order,
                    event_workorder_waiting_parts_emit (call, order.summary.id, &event), reply);
}

int workorder_resume (shr_call_t *call, const dispatch_workorder_resume_request_t *request,
                      dispatch_workorder_t *reply)
{
    workorder_t order;
    if (lifecycle_begin (call, request->id, "resume", &order))
        return -1;
    int64_t since_ms = order.waiting_since_ms;
    if (lifecycle_advance (call, &order, "resume", NULL, NULL))
        return -1;
    event_workorder_resumed_t event = {.workorder_summary = order.summary,
                                       .resumed_at = call->now_ms,
                                       .waited_s = (call->now_ms - since_ms) / 1000};
    return s_reply (call, &order, event_workorder_resumed_emit (call, order.summary.id, &event),
                    reply);
}

int workorder_complete (shr_call_t *call, const dispatch_workorder_complete_request_t *request,
                        dispatch_workorder_t *reply)
{
    const dispatch_settings_t *settings = (const dispatch_settings_t *) call->arg;
    workorder_t order;
    dispatch_technician_t technician;
    if (lifecycle_begin (call, request->id, "complete", &order))
        return -1;
    //  Only the technician's cost is wanted here: a row of one column.
    if (shr_call_get (call, "SELECT hourly_cost_cents FROM technician WHERE id = :id", NULL, NULL,
                      &dispatch_technician_shape, &technician,
                      SHR_TEXT (":id", order.summary.technician_id), SHR_END)
        != 1)
        return shr_call_db_error (call);
    dispatch_money_input_t input = {
        request->labour_minutes, technician.hourly_cost_cents, settings->labour_rate_cents,
        request->has_labour_charge_cents, request->labour_charge_cents, request->fees_cents,
        order.summary.in_warranty, request->parts_used.items, request->parts_used.count};
    event_workorder_completed_t event = {.completed_at = call->now_ms};
    char field[64], message[128];
    if (dispatch_money_compute (&input, &event.money, field, sizeof field, message, sizeof message))
        return shr_call_fail (call, SHR_INVALID_ARGUMENT, field, "%s", message);
    event.money.currency = settings->currency;
    //  The money as computed (0 charged in warranty), then what the request says.
    if (shr_call_exec (
            call,
            "UPDATE workorder SET labour_minutes = :labour_minutes,"
            " labour_cost_cents = :labour_cost_cents, parts_cost_cents = :parts_cost_cents,"
            " labour_charge_cents = :labour_charge_cents, parts_charge_cents = :parts_charge_cents,"
            " fees_cents = :fees_cents, total_charge_cents = :total_charge_cents,"
            " currency = :currency WHERE id = :id",
            &dispatch_money_shape, &event.money, SHR_TEXT (":id", request->id), SHR_END)
        || shr_call_exec (call, "UPDATE workorder SET parts_used = coalesce (:parts_used, '[]'),"
                                " resolution = :resolution WHERE id = :id",
                          &dispatch_workorder_complete_request_shape, request, SHR_END)
        || lifecycle_advance (call, &order, "complete", NULL, request->resolution))
        return -1;
    event.workorder_summary = order.summary;
    event.repair_duration_s = (call->now_ms - order.summary.reported_at) / 1000;
    event.on_time = call->now_ms <= order.summary.due_at;
    event.parts_used.count = request->parts_used.count;
    event.parts_used.items = request->parts_used.items;
    //  The product's serial beside its model (in the summary), for the repair
    //  history of each model and serial (contracts prices warranties by it).
    event_workorder_completed_t product;
    if (shr_call_get (call, "SELECT product_serial FROM workorder WHERE id = :id",
                      NULL, NULL, &event_workorder_completed_shape, &product,
                      SHR_TEXT (":id", order.summary.id), SHR_END)
        != 1)
        return shr_call_db_error (call);
    event.product_serial = product.product_serial;
    return s_reply (call, &order, event_workorder_completed_emit (call, order.summary.id, &event),
                    reply);
}

int workorder_accept (shr_call_t *call, const dispatch_workorder_accept_request_t *request,
                      dispatch_workorder_t *reply)
{
    workorder_t order;
    if (lifecycle_begin (call, request->id, "accept", &order))
        return -1;
    if (shr_call_exec (call, "UPDATE workorder SET customer_score = :customer_score WHERE id = :id",
                       &dispatch_workorder_accept_request_shape, request, SHR_END)
        || lifecycle_advance (call, &order, "accept", NULL, request->comment))
        return -1;
    event_workorder_accepted_t event = {.workorder_summary = order.summary,
                                        .accepted_at = call->now_ms,
                                        .customer_score = request->customer_score,
                                        .has_customer_score = request->has_customer_score};
    return s_reply (call, &order, event_workorder_accepted_emit (call, order.summary.id, &event),
                    reply);
}

//  The rework redoes the job at our cost: same customer, product, place and need,
//  in warranty, with the original's diagnoses and parts needed (so nobody
//  diagnoses again what is known); the service gives it to someone else
//  (assign_rework_rule). Its parts are announced as its diagnosis, so inventory
//  reserves them for it as for any diagnosed order.
static int s_announce_copied_parts (shr_call_t *call, const workorder_t *redo,
                                    const dispatch_workorder_t *original)
{
    if (original->parts_needed.count == 0)
        return 0;
    size_t diagnoses = original->diagnoses.count;
    event_workorder_diagnosed_t event = {
        .workorder_summary = redo->summary,
        .diagnosis = diagnoses ? original->diagnoses.items[diagnoses - 1].text
                               : "parts needed by the rejected order",
        .diagnosed_at = call->now_ms};
    event.parts_needed.count = original->parts_needed.count;
    event.parts_needed.items = original->parts_needed.items;
    return event_workorder_diagnosed_emit (call, redo->summary.id, &event) < 0 ? -1 : 0;
}

static int s_open_rework (shr_call_t *call, const workorder_t *order, const char *reason,
                          workorder_t *redo)
{
    dispatch_workorder_t original;
    if (workorder_read (call, order->seq, &original))
        return -1;
    const dispatch_workorder_summary_t *summary = &original.workorder_summary;
    dispatch_workorder_create_request_t rework = {
        .customer_id = summary->customer_id, .type = summary->type,
        .priority = summary->priority, .channel = summary->channel, .region = summary->region,
        .address = original.address, .location = original.location,
        .has_location = original.has_location, .product_model = summary->product_model,
        .product_serial = original.product_serial, .required_skill = summary->required_skill,
        .required_level = summary->required_level, .has_required_level = true,
        .in_warranty = true, .has_in_warranty = true,
        .description = shr_call_printf (call, "Rework of %s, rejected: %s", summary->id, reason)};
    return workorder_insert (call, &rework, summary->id, redo)
           || shr_call_exec (call,
                             "INSERT INTO workorder_diagnosis (workorder_seq, at_ms, text, by,"
                             " parts_needed) SELECT :redo, at_ms, text, by, parts_needed FROM"
                             " workorder_diagnosis WHERE workorder_seq = :seq ORDER BY n",
                             NULL, NULL, SHR_INT (":redo", redo->seq), SHR_INT (":seq", order->seq),
                             SHR_END)
           || shr_call_exec (call,
                             "UPDATE workorder SET parts_needed = (SELECT parts_needed FROM"
                             " workorder WHERE seq = :seq) WHERE seq = :redo",
                             NULL, NULL, SHR_INT (":redo", redo->seq), SHR_INT (":seq", order->seq),
                             SHR_END)
           || s_announce_copied_parts (call, redo, &original);
}

int workorder_reject (shr_call_t *call, const dispatch_workorder_reject_request_t *request,
                      dispatch_workorder_t *reply)
{
    workorder_t order, redo;
    if (lifecycle_begin (call, request->id, "reject", &order))
        return -1;
    if (shr_call_exec (call, "UPDATE workorder SET reason = :reason WHERE id = :id",
                       &dispatch_workorder_reject_request_shape, request, SHR_END)
        || lifecycle_advance (call, &order, "reject", NULL, request->reason)
        || s_open_rework (call, &order, request->reason, &redo)
        || shr_call_exec (call, "UPDATE workorder SET rework_id = :rework WHERE id = :id",
                          &dispatch_workorder_reject_request_shape, request,
                          SHR_TEXT (":rework", redo.summary.id), SHR_END))
        return -1;
    event_workorder_rejected_t event = {.workorder_summary = order.summary,
                                        .rejected_at = call->now_ms,
                                        .reason = request->reason,
                                        .rework_id = redo.summary.id};
    return s_reply (call, &order, event_workorder_rejected_emit (call, order.summary.id, &event),
                    reply);
}

int workorder_cancel (shr_call_t *call, const dispatch_workorder_cancel_request_t *request,
                      dispatch_workorder_t *reply)
{
    workorder_t order;
    if (lifecycle_begin (call, request->id, "cancel", &order))
        return -1;
    if (shr_call_exec (call, "UPDATE workorder SET reason = :reason WHERE id = :id",
                       &dispatch_workorder_cancel_request_shape, request, SHR_END)
        || lifecycle_advance (call, &order, "cancel", NULL, request->reason))
        return -1;
    event_workorder_cancelled_t event = {.workorder_summary = order.summary,
                                         .cancelled_at = call->now_ms,
                                         .reason = request->reason};
    return s_reply (call, &order, event_workorder_cancelled_emit (call, order.summary.id, &event),
                    reply);
}
