/*  workorder_steps - the ops that move an order through its lifecycle:
    diagnose, assign, start, wait_parts, resume, complete, accept, reject,
    cancel. Each checks the step (lifecycle_begin), records what is its own,
    advances (lifecycle_advance), emits its event and replies with the order.
*/
#include "dispatch.h"
#include "roster.h"

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
                         const char *chosen_by)
{
    if (lifecycle_advance (call, order, "assign", technician_id,
                           streq (chosen_by, "service") ? "chosen by the service" : NULL))
        return -1;
    event_workorder_assigned_t event = {.workorder_summary = order->summary,
                                        .assigned_at = call->now_ms,
                                        .chosen_by = chosen_by};
    return event_workorder_assigned_emit (call, order->summary.id, &event) < 0 ? -1 : 0;
}

//  A dispatcher's choice: the technician must exist, be active, have the skill at
//  the level, and have room. Region and shift are the dispatcher's call.
static int s_check_technician (shr_call_t *call, const workorder_t *order, const char *id)
{
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
    return 0;
}

//  The service's choice, by assign_policy, among the region's technicians.
static const char *s_choose_technician (shr_call_t *call, const workorder_t *order)
{
    const dispatch_workorder_summary_t *summary = &order->summary;
    roster_t *roster = roster_of_region (call, summary->region);
    if (!roster)
        return NULL;
    size_t count;
    const char *skill = summary->required_skill ? summary->required_skill : "";
    const assign_candidate_t *candidates
        = roster_candidates (roster, summary->region, skill, &count);
    assign_job_t job = {call->now_ms, summary->due_at, assign_policy_job_seconds (summary->type),
                        *skill ? (int) summary->required_level : 0};
    assign_refusals_t refusals = {0, 0, 0};
    int best = assign_policy_choose (&job, candidates, count, &refusals);
    const char *chosen = best >= 0 ? shr_call_strdup (call, candidates[best].id) : NULL;
    roster_destroy (&roster);
    if (!chosen)
        shr_call_fail (call, SHR_FAILED_PRECONDITION, "/body/id",
                       "no eligible technician for %s in region %s%s%s: %zu with the skill,"
                       " %d below level %lld, %d at their job limit, %d off shift",
                       summary->id, summary->region, *skill ? " with skill " : "", skill, count,
                       refusals.under_level, (long long) summary->required_level,
                       refusals.at_limit, refusals.off_shift);
    return chosen;
}

int workorder_assign (shr_call_t *call, const dispatch_workorder_assign_request_t *request,
                      dispatch_workorder_t *reply)
{
    workorder_t order;
    if (lifecycle_begin (call, request->id, "assign", &order))
        return -1;
    //  The dispatcher's choice, checked; or the service's.
    const char *chosen = request->technician_id;
    if (chosen && s_check_technician (call, &order, chosen))
        return -1;
    if (!chosen && !(chosen = s_choose_technician (call, &order)))
        return -1;
    if (workorder_assign_to (call, &order, chosen, request->technician_id ? "dispatcher" : "service"))
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
    //  The product, for the repair history of its model (contracts prices warranties by it).
    event_workorder_completed_t product;
    if (shr_call_get (call, "SELECT product_model, product_serial FROM workorder WHERE id = :id",
                      NULL, NULL, &event_workorder_completed_shape, &product,
                      SHR_TEXT (":id", order.summary.id), SHR_END)
        != 1)
        return shr_call_db_error (call);
    event.product_model = product.product_model;
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

//  The rework redoes the job at our cost: same customer, product and need, in warranty.
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
        .address = original.address, .product_model = original.product_model,
        .product_serial = original.product_serial, .required_skill = summary->required_skill,
        .required_level = summary->required_level, .has_required_level = true,
        .in_warranty = true, .has_in_warranty = true,
        .description = shr_call_printf (call, "Rework of %s, rejected: %s", summary->id, reason)};
    return workorder_insert (call, &rework, summary->id, redo);
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
