/*  workorder_moves - a dispatcher moves work between technicians:
    workorder.reassign (to a named technician or the service's choice, from
    assigned or waiting_parts), workorder.unassign (back to reported), and
    technician.handover (all of one technician's orders not started, at
    once). Deactivating a technician or recording an absence hands over the
    same way (technician.c, technician_absence.c).
*/
#include "dispatch.h"

int workorder_reassign_to (shr_call_t *call, workorder_t *order, const char *technician_id,
                           const char *chosen_by, const char *reason)
{
    const char *previous = shr_call_strdup (call, order->summary.technician_id);
    int found = shr_call_get (call,
                              "UPDATE workorder SET technician_id = :technician WHERE seq = :seq"
                              " AND status = :status RETURNING " WORKORDER_ROW_COLUMNS,
                              NULL, NULL, &workorder_row_shape, order,
                              SHR_TEXT (":technician", technician_id), SHR_INT (":seq", order->seq),
                              SHR_TEXT (":status", shr_call_strdup (call, order->summary.status)),
                              SHR_END);
    if (found <= 0)
        return found < 0 ? -1
                         : shr_call_fail (call, SHR_ABORTED, "/body/id",
                                          "%s changed while being reassigned", order->summary.id);
    if (lifecycle_advance (call, order, "reassign", technician_id,
                           shr_call_printf (call, "from %s: %s", previous, reason)))
        return -1;
    event_workorder_reassigned_t event = {.workorder_summary = order->summary,
                                          .previous_technician_id = previous,
                                          .reassigned_at = call->now_ms,
                                          .reason = reason,
                                          .chosen_by = chosen_by};
    return event_workorder_reassigned_emit (call, order->summary.id, &event) < 0 ? -1 : 0;
}

int workorder_unassign_order (shr_call_t *call, workorder_t *order, const char *reason)
{
    const char *previous = shr_call_strdup (call, order->summary.technician_id);
    if (lifecycle_advance (call, order, "unassign", NULL,
                           shr_call_printf (call, "from %s: %s", previous, reason)))
        return -1;
    event_workorder_unassigned_t event = {.workorder_summary = order->summary,
                                          .previous_technician_id = previous,
                                          .unassigned_at = call->now_ms,
                                          .reason = reason};
    return event_workorder_unassigned_emit (call, order->summary.id, &event) < 0 ? -1 : 0;
}

int workorder_reassign (shr_call_t *call, const dispatch_workorder_reassign_request_t *request,
                        dispatch_workorder_t *reply)
{
    workorder_t order;
    if (lifecycle_begin (call, request->id, "reassign", &order))
        return -1;
    if (request->technician_id && streq (request->technician_id, order.summary.technician_id))
        return shr_call_fail (call, SHR_FAILED_PRECONDITION, "/body/technician_id",
                              "%s is assigned to %s already", order.summary.id,
                              request->technician_id);
    const char *note;
    const char *chosen
        = assign_pick (call, &order, request->technician_id, request->override, &note);
    if (!chosen)
        return -1;
    const char *reason
        = note ? shr_call_printf (call, "%s (%s)", request->reason, note) : request->reason;
    if (workorder_reassign_to (call, &order, chosen,
                               request->technician_id ? "dispatcher" : "service", reason))
        return -1;
    return workorder_read (call, order.seq, reply);
}

int workorder_unassign (shr_call_t *call, const dispatch_workorder_unassign_request_t *request,
                        dispatch_workorder_t *reply)
{
    workorder_t order;
    if (lifecycle_begin (call, request->id, "unassign", &order)
        || workorder_unassign_order (call, &order, request->reason))
        return -1;
    return workorder_read (call, order.seq, reply);
}

//  One not-started order of a technician who hands over: to to, the queue, or the
//  service's choice (the queue if nobody). Fills where. Returns 0 or -1.
static int s_hand_over_one (shr_call_t *call, workorder_t *order, const char *to,
                            bool back_to_queue, const char *reason,
                            dispatch_handover_moved_item_t *where)
{
    where->workorder_id = shr_call_strdup (call, order->summary.id);
    const char *note = NULL, *chosen = to;
    bool nobody = back_to_queue;
    if (to && assign_check_technician (call, order, to, false, &note)) {
        //  The check speaks of assign's field; here the target is this one.
        snprintf (call->error.field, sizeof call->error.field, "/body/to_technician_id");
        return -1;
    }
    if (!to && !back_to_queue
        && !(chosen = assign_choose_technician (call, order, order->summary.technician_id, &nobody))
        && !nobody)
        return -1;
    if (nobody)
        return workorder_unassign_order (call, order, reason);
    where->technician_id = chosen;
    return workorder_reassign_to (call, order, chosen, to ? "dispatcher" : "service", reason);
}

int technician_hand_over (shr_call_t *call, const char *id, const char *to, bool back_to_queue,
                          const char *reason, dispatch_handover_t *out)
{
    dispatch_handover_t handover = {.technician_id = id, .reason = reason};
    shr_array_t orders;
    if (shr_call_list (call,
                       "SELECT " WORKORDER_ROW_COLUMNS " FROM workorder WHERE technician_id = :id"
                       " AND open = 1 ORDER BY due_at_ms, seq",
                       NULL, NULL, &workorder_row_shape, &orders, 0, NULL, SHR_TEXT (":id", id),
                       SHR_END))
        return -1;
    handover.moved.items = shr_call_alloc (call, (orders.count + 1) * sizeof *handover.moved.items);
    handover.kept.items = shr_call_alloc (call, (orders.count + 1) * sizeof *handover.kept.items);
    if (!handover.moved.items || !handover.kept.items)
        return shr_call_fail (call, SHR_INTERNAL, NULL, "out of memory");
    for (size_t i = 0; i < orders.count; i++) {
        workorder_t *order = &((workorder_t *) orders.items)[i];
        if (streq (order->summary.status, "assigned")) {
            if (s_hand_over_one (call, order, to, back_to_queue, reason,
                                 &handover.moved.items[handover.moved.count++]))
                return -1;
            continue;
        }
        handover.kept.items[handover.kept.count++] = shr_call_strdup (call, order->summary.id);
        if (lifecycle_advance (call, order, "flag", NULL,
                               shr_call_printf (call, "%s handed over: %s", id, reason)))
            return -1;
    }
    if (out)
        *out = handover;
    return event_technician_handed_over_emit (call, id, &handover) < 0 ? -1 : 0;
}

int technician_handover (shr_call_t *call, const dispatch_technician_handover_request_t *request,
                         dispatch_handover_t *reply)
{
    if (technician_must_exist (call, request->technician_id))
        return -1;
    if (request->to_technician_id && request->back_to_queue)
        return shr_call_fail (call, SHR_INVALID_ARGUMENT, "/body/back_to_queue",
                              "give to_technician_id or back_to_queue, not both");
    if (request->to_technician_id && streq (request->to_technician_id, request->technician_id))
        return shr_call_fail (call, SHR_INVALID_ARGUMENT, "/body/to_technician_id",
                              "%s cannot hand over to themselves", request->technician_id);
    return technician_hand_over (call, request->technician_id, request->to_technician_id,
                                 request->back_to_queue, request->reason, reply);
}
