/*  complaint_steps - the ops that move a case: acknowledge, investigate,
    wait_customer, customer_replied, resolve, confirm, reopen; and assign and
    escalate, which move no status. Each checks the step (lifecycle_begin),
    records what is its own, advances (lifecycle_advance: status, deadlines,
    audit trail), emits its event and replies with the case.
*/
#include "complaints.h"
#include "routing_policy.h"

//  The deadline of kind in its latest round, or NULL.
static const complaints_deadline_t *s_deadline (const complaints_complaint_t *complaint,
                                                const char *kind)
{
    const complaints_deadline_t *latest = NULL;
    for (size_t i = 0; i < complaint->deadlines.count; i++)
        if (streq (complaint->deadlines.items[i].kind, kind))
            latest = &complaint->deadlines.items[i];
    return latest;
}

//  The steps that only move the case: checked, taken, and the case read into reply.
static int s_take (shr_call_t *call, const char *id, const char *step, const char *by,
                   const char *note, complaint_t *complaint, complaints_complaint_t *reply)
{
    return lifecycle_begin (call, id, step, complaint)
           || lifecycle_advance (call, complaint, step, by, note, NULL, 0)
           || complaint_read (call, complaint->seq, reply);
}

int complaint_assigned (shr_call_t *call, const complaint_t *complaint, const char *previous,
                        const char *chosen_by, const char *by)
{
    event_complaint_assigned_t event = {.complaint_summary = complaint->summary,
                                        .previous_handler_id = previous,
                                        .chosen_by = chosen_by,
                                        .assigned_at = call->now_ms,
                                        .by = by};
    return event_complaint_assigned_emit (call, complaint->summary.id, &event) < 0 ? -1 : 0;
}

int complaint_assign_to (shr_call_t *call, complaint_t *complaint, const char *handler_id,
                         const char *chosen_by, const char *by, const char *note)
{
    const char *previous = complaint->summary.handler_id;
    complaints_change_t changes[] = {{"handler_id", previous, handler_id}};
    if (shr_call_exec (call, "UPDATE complaint SET handler_id = :handler WHERE seq = :seq", NULL,
                       NULL, SHR_TEXT (":handler", handler_id), SHR_INT (":seq", complaint->seq),
                       SHR_END)
        || lifecycle_advance (call, complaint, "assign", by, note, changes, 1))
        return -1;
    return complaint_assigned (call, complaint, previous, chosen_by, by);
}

int complaint_escalate_to (shr_call_t *call, complaint_t *complaint, int rank, const char *reason,
                           const char *by, const char *note)
{
    const char *from_level = complaint->summary.level;
    const char *to_level = routing_level_name (rank);
    const char *previous = complaint->summary.handler_id;
    const char *handler_id;
    if (team_choose (call, complaint->summary.category, rank, &handler_id))
        return -1;
    if (!handler_id) {
        shr_log_warn ("%s escalated to %s, but nobody active is at that level: it stays with %s",
                      complaint->summary.id, to_level, previous ? previous : "nobody");
        handler_id = previous;
    }
    complaints_change_t changes[] = {{"level", from_level, to_level},
                                     {"handler_id", previous, handler_id}};
    bool handed_over = (handler_id == NULL) != (previous == NULL)
                       || (handler_id && !streq (handler_id, previous));
    if (shr_call_exec (call,
                       "UPDATE complaint SET level = :level, handler_id = :handler"
                       " WHERE seq = :seq",
                       NULL, NULL, SHR_TEXT (":level", to_level), SHR_TEXT (":handler", handler_id),
                       SHR_INT (":seq", complaint->seq), SHR_END)
        || lifecycle_advance (call, complaint, "escalate", by, note, changes, handed_over ? 2 : 1))
        return -1;
    event_complaint_escalated_t event = {.complaint_summary = complaint->summary,
                                         .escalated_at = call->now_ms,
                                         .from_level = from_level,
                                         .to_level = to_level,
                                         .reason = reason,
                                         .previous_handler_id = previous,
                                         .note = note,
                                         .by = by};
    shr_log_info ("%s escalated from %s to %s (%s), now with %s", complaint->summary.id,
                  from_level, to_level, reason, handler_id ? handler_id : "nobody");
    return event_complaint_escalated_emit (call, complaint->summary.id, &event) < 0 ? -1 : 0;
}

int complaint_close (shr_call_t *call, complaint_t *complaint, const char *step, const char *by,
                     const char *note)
{
    if (lifecycle_advance (call, complaint, step, by, note, NULL, 0))
        return -1;
    event_complaint_closed_t event = {.complaint_summary = complaint->summary,
                                      .closed_at = call->now_ms,
                                      .closed_by = streq (step, "confirm") ? "customer" : "silence",
                                      .by = by};
    if (event_complaint_closed_emit (call, complaint->summary.id, &event) < 0)
        return -1;
    return survey_open (call, complaint->summary.customer_id, "complaint", NULL,
                        complaint->summary.id);
}

int complaint_acknowledge (shr_call_t *call,
                           const complaints_complaint_acknowledge_request_t *request,
                           complaints_complaint_t *reply)
{
    complaint_t complaint;
    if (s_take (call, request->id, "acknowledge", request->by, request->note, &complaint, reply))
        return -1;
    const complaints_complaint_summary_t *summary = &complaint.summary;
    event_complaint_acknowledged_t event = {
        .complaint_summary = *summary,
        .acknowledged_at = call->now_ms,
        .acknowledge_s = (call->now_ms - summary->received_at) / 1000,
        .on_time = call->now_ms <= summary->acknowledge_due_at,
        .by = request->by};
    return event_complaint_acknowledged_emit (call, summary->id, &event) < 0 ? -1 : 0;
}

int complaint_investigate (shr_call_t *call,
                           const complaints_complaint_investigate_request_t *request,
                           complaints_complaint_t *reply)
{
    complaint_t complaint;
    if (s_take (call, request->id, "investigate", request->by, request->note, &complaint, reply))
        return -1;
    event_complaint_investigating_t event = {.complaint_summary = complaint.summary,
                                             .investigating_at = call->now_ms,
                                             .by = request->by};
    return event_complaint_investigating_emit (call, complaint.summary.id, &event) < 0 ? -1 : 0;
}

int complaint_wait_customer (shr_call_t *call,
                             const complaints_complaint_wait_customer_request_t *request,
                             complaints_complaint_t *reply)
{
    complaint_t complaint;
    if (s_take (call, request->id, "wait_customer", request->by, request->note, &complaint, reply))
        return -1;
    event_complaint_waiting_customer_t event = {.complaint_summary = complaint.summary,
                                                .since = call->now_ms,
                                                .note = request->note,
                                                .by = request->by};
    return event_complaint_waiting_customer_emit (call, complaint.summary.id, &event) < 0 ? -1 : 0;
}

int complaint_customer_replied (shr_call_t *call,
                                const complaints_complaint_customer_replied_request_t *request,
                                complaints_complaint_t *reply)
{
    complaint_t complaint;
    if (lifecycle_begin (call, request->id, "customer_replied", &complaint))
        return -1;
    int64_t since_ms = complaint.waiting_since_ms;
    if (lifecycle_advance (call, &complaint, "customer_replied", request->by, request->note, NULL,
                           0)
        || complaint_read (call, complaint.seq, reply))
        return -1;
    event_complaint_customer_replied_t event = {.complaint_summary = complaint.summary,
                                                .replied_at = call->now_ms,
                                                .waited_s = (call->now_ms - since_ms) / 1000,
                                                .by = request->by};
    return event_complaint_customer_replied_emit (call, complaint.summary.id, &event) < 0 ? -1 : 0;
}

int complaint_resolve (shr_call_t *call, const complaints_complaint_resolve_request_t *request,
                       complaints_complaint_t *reply)
{
    const complaints_settings_t *settings = (const complaints_settings_t *) call->arg;
    complaint_t complaint;
    complaints_complaint_t before;
    if (lifecycle_begin (call, request->id, "resolve", &complaint)
        || complaint_read (call, complaint.seq, &before))
        return -1;
    //  Compensation adds up over the case's resolutions: what the customer got.
    int64_t given = request->has_compensation_cents ? request->compensation_cents : 0;
    const char *total_before = before.has_compensation_cents
                                   ? shr_call_printf (call, "%lld",
                                                      (long long) before.compensation_cents)
                                   : NULL;
    complaints_change_t changes[] = {
        {"resolution", before.resolution, request->resolution},
        {"compensation_cents", total_before,
         shr_call_printf (call, "%lld",
                          (long long) (before.has_compensation_cents ? before.compensation_cents
                                                                     : 0)
                              + given)}};
    if (shr_call_exec (call,
                       "UPDATE complaint SET resolution = :resolution, compensation_cents ="
                       " CASE WHEN :compensation_cents IS NULL THEN compensation_cents ELSE"
                       " coalesce (compensation_cents, 0) + :compensation_cents END WHERE id = :id",
                       &complaints_complaint_resolve_request_shape, request, SHR_END)
        || lifecycle_advance (call, &complaint, "resolve", request->by, request->note, changes,
                              request->has_compensation_cents ? 2 : 1)
        || complaint_read (call, complaint.seq, reply))
        return -1;
    const complaints_deadline_t *deadline = s_deadline (reply, "resolve");
    int64_t started = deadline ? deadline->started_at : complaint.summary.received_at;
    event_complaint_resolved_t event = {
        .complaint_summary = complaint.summary,
        .resolved_at = call->now_ms,
        .resolution = request->resolution,
        .compensation_cents = given,
        .currency = settings->currency,
        .resolve_s = (call->now_ms - started) / 1000,
        .paused_s = deadline ? deadline->paused_s : 0,
        .on_time = call->now_ms <= complaint.summary.resolve_due_at,
        .by = request->by};
    return event_complaint_resolved_emit (call, complaint.summary.id, &event) < 0 ? -1 : 0;
}

int complaint_confirm (shr_call_t *call, const complaints_complaint_confirm_request_t *request,
                       complaints_complaint_t *reply)
{
    complaint_t complaint;
    if (lifecycle_begin (call, request->id, "confirm", &complaint)
        || complaint_close (call, &complaint, "confirm", request->by, request->note))
        return -1;
    return complaint_read (call, complaint.seq, reply);
}

int complaint_reopen (shr_call_t *call, const complaints_complaint_reopen_request_t *request,
                      complaints_complaint_t *reply)
{
    complaint_t complaint;
    if (s_take (call, request->id, "reopen", request->by, request->reason, &complaint, reply))
        return -1;
    event_complaint_reopened_t event = {.complaint_summary = complaint.summary,
                                        .reopened_at = call->now_ms,
                                        .reason = request->reason,
                                        .by = request->by};
    return event_complaint_reopened_emit (call, complaint.summary.id, &event) < 0 ? -1 : 0;
}

int complaint_assign (shr_call_t *call, const complaints_complaint_assign_request_t *request,
                      complaints_complaint_t *reply)
{
    complaint_t complaint;
    if (lifecycle_begin (call, request->id, "assign", &complaint))
        return -1;
    const char *chosen = request->handler_id;
    if (chosen && team_check (call, chosen, "/body/handler_id"))
        return -1;
    if (!chosen) {
        int rank = routing_level_rank (complaint.summary.level);
        if (team_choose (call, complaint.summary.category, rank, &chosen))
            return -1;
        if (!chosen)
            return shr_call_fail (call, SHR_FAILED_PRECONDITION, "/body/id",
                                  "nobody active can take %s: no %s or above%s%s",
                                  request->id, complaint.summary.level,
                                  rank == 0 ? " who covers " : "",
                                  rank == 0 ? complaint.summary.category : "");
    }
    if (complaint.summary.handler_id && streq (complaint.summary.handler_id, chosen))
        return shr_call_fail (call, SHR_FAILED_PRECONDITION,
                              request->handler_id ? "/body/handler_id" : "/body/id",
                              "%s is with %s already", request->id, chosen);
    if (complaint_assign_to (call, &complaint, chosen, request->handler_id ? "caller" : "service",
                             request->by, request->note))
        return -1;
    return complaint_read (call, complaint.seq, reply);
}

int complaint_escalate (shr_call_t *call, const complaints_complaint_escalate_request_t *request,
                        complaints_complaint_t *reply)
{
    complaint_t complaint;
    if (lifecycle_begin (call, request->id, "escalate", &complaint))
        return -1;
    int rank = routing_level_rank (complaint.summary.level);
    if (!routing_level_name (rank + 1))
        return shr_call_fail (call, SHR_FAILED_PRECONDITION, "/body/id",
                              "cannot escalate %s: it is at %s level, the highest", request->id,
                              complaint.summary.level);
    if (complaint_escalate_to (call, &complaint, rank + 1, "manual", request->by, request->note))
        return -1;
    return complaint_read (call, complaint.seq, reply);
}
