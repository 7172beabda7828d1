/*  parts_loop - dispatch's side of the parts loop, choreographed by
    inventory's events (inventory reserves and issues from dispatch's own
    workorder.diagnosed, .completed and .cancelled):

      stock.backordered  an order in progress waits for its parts
                         (waiting_parts); one not started yet waits once it
                         starts (parts_loop_after_start)
      stock.reserved     when nothing is owed to the order any more
                         (complete), a waiting order resumes by itself
      stock.issued       for a completion: the order's parts cost becomes what
                         inventory issued them at (the moving average), plus
                         the reported cost of what it did not issue, so that
                         margins are real; workorder.parts_costed says so

    The steps these take are the ops' own (workorder_wait_parts, _resume),
    with dispatch as their actor. They apply another service's facts, so an
    order they do not know or that moved on is left alone, never refused.
    What inventory still owes each order is kept in workorder_parts.
*/
#include "dispatch.h"

//  The order the event is about, or 0 when dispatch has none of that id.
static int s_order (shr_call_t *call, const char *id, workorder_t *order)
{
    int found = shr_call_get (call,
                              "SELECT " WORKORDER_ROW_COLUMNS " FROM workorder WHERE id = :id",
                              NULL, NULL, &workorder_row_shape, order, SHR_TEXT (":id", id),
                              SHR_END);
    if (found == 0)
        shr_log_debug ("inventory speaks of %s, which is no order of dispatch's", id);
    return found;
}

static int s_owed (shr_call_t *call, const workorder_t *order, int64_t backordered)
{
    return shr_call_exec (call,
                          "INSERT INTO workorder_parts (workorder_seq, backordered) VALUES"
                          " (:seq, :owed) ON CONFLICT DO UPDATE SET backordered = :owed",
                          NULL, NULL, SHR_INT (":seq", order->seq), SHR_INT (":owed", backordered),
                          SHR_END);
}

//  The order an event of inventory's is about (0 when dispatch has none),
//  with what inventory still owes it recorded.
static int s_owing_order (shr_call_t *call, const char *id, int64_t backordered,
                          workorder_t *order)
{
    int found = s_order (call, id, order);
    if (found <= 0)
        return found;
    return s_owed (call, order, backordered) ? -1 : 1;
}

static int s_wait (shr_call_t *call, const workorder_t *order, const char *note)
{
    dispatch_workorder_wait_parts_request_t request = {.id = order->summary.id, .note = note};
    dispatch_workorder_t reply;
    return workorder_wait_parts (call, &request, &reply);
}

static int s_on_backordered (shr_call_t *call, const shr_event_t *event,
                             const event_stock_backordered_t *data)
{
    (void) event;
    workorder_t order;
    int found = s_owing_order (call, data->workorder_id, data->backordered_total, &order);
    if (found <= 0)
        return found;
    if (!streq (order.summary.status, "in_progress"))
        return 0;
    const inventory_moved_line_t *first = &data->lines.items[0];
    return s_wait (call, &order,
                   shr_call_printf (call, "inventory back-ordered %lld of %s%s",
                                    (long long) first->qty, first->sku,
                                    data->lines.count > 1 ? " and more" : ""));
}

static int s_on_reserved (shr_call_t *call, const shr_event_t *event,
                          const event_stock_reserved_t *data)
{
    (void) event;
    workorder_t order;
    int found = s_owing_order (call, data->workorder_id, data->backordered_total, &order);
    if (found <= 0)
        return found;
    if (!data->complete || !streq (order.summary.status, "waiting_parts"))
        return 0;
    dispatch_workorder_resume_request_t request = {.id = order.summary.id};
    dispatch_workorder_t reply;
    return workorder_resume (call, &request, &reply);
}

//  What inventory still owes an order.
typedef struct {
    int64_t backordered;
} s_owed_t;
static const shr_field_t s_owed_fields[] = {
    {.name = "backordered", .kind = SHR_FIELD_INT, .offset = offsetof (s_owed_t, backordered),
     .has_offset = -1},
};
static const shr_shape_t s_owed_shape = {"dispatch's workorder_parts row", sizeof (s_owed_t),
                                         s_owed_fields, 1};

int parts_loop_after_start (shr_call_t *call, const workorder_t *order)
{
    s_owed_t owed;
    int found = shr_call_get (call,
                              "SELECT backordered FROM workorder_parts"
                              " WHERE workorder_seq = :seq AND backordered > 0",
                              NULL, NULL, &s_owed_shape, &owed, SHR_INT (":seq", order->seq),
                              SHR_END);
    if (found <= 0)
        return found;
    return s_wait (call, order,
                   shr_call_printf (call, "started with %lld units back-ordered",
                                    (long long) owed.backordered));
}

//  What the order's parts cost now: what inventory issued (all its issues)
//  plus, for what it could not issue, the unit cost the completion reported.
static int64_t s_parts_cost (const dispatch_workorder_t *order, const event_stock_issued_t *data)
{
    int64_t cost = data->order_value_cents;
    for (size_t i = 0; i < data->not_issued.count; i++) {
        const inventory_not_issued_t *missing = &data->not_issued.items[i];
        for (size_t j = 0; j < order->parts_used.count; j++)
            if (streq (order->parts_used.items[j].part_id, missing->sku)) {
                cost += missing->qty * order->parts_used.items[j].unit_cost_cents;
                break;
            }
    }
    return cost;
}

static int s_on_issued (shr_call_t *call, const shr_event_t *event,
                        const event_stock_issued_t *data)
{
    (void) event;
    workorder_t order;
    dispatch_workorder_t whole;
    if (!data->for_completion)
        return 0;  //  issued by hand while the order runs: its completion costs it all
    int found = s_order (call, data->workorder_id, &order);
    if (found <= 0)
        return found;
    if (workorder_read (call, order.seq, &whole))
        return -1;
    if (!whole.has_money) {
        shr_log_warn ("%s: inventory issued its parts for a completion dispatch has not seen",
                      data->workorder_id);
        return 0;
    }
    int64_t reported = whole.money.parts_cost_cents;
    if (shr_call_exec (call, "UPDATE workorder SET parts_cost_cents = :cost WHERE seq = :seq", NULL,
                       NULL, SHR_INT (":cost", s_parts_cost (&whole, data)),
                       SHR_INT (":seq", order.seq), SHR_END)
        || shr_call_exec (call,
                          "INSERT INTO workorder_parts (workorder_seq, reported_parts_cost_cents,"
                          " costed_at_ms) VALUES (:seq, :reported, :now) ON CONFLICT DO UPDATE SET"
                          " reported_parts_cost_cents = coalesce (reported_parts_cost_cents,"
                          " :reported), costed_at_ms = :now",
                          NULL, NULL, SHR_INT (":seq", order.seq), SHR_INT (":reported", reported),
                          SHR_END)
        || workorder_read (call, order.seq, &whole))
        return -1;
    event_workorder_parts_costed_t costed = {.workorder_summary = order.summary,
                                             .costed_at = call->now_ms,
                                             .money = whole.money,
                                             .reported_parts_cost_cents = reported};
    costed.lines.count = data->lines.count;
    costed.lines.items = (event_workorder_parts_costed_lines_item_t *) shr_call_alloc (
        call, (data->lines.count ? data->lines.count : 1) * sizeof *costed.lines.items);
    if (!costed.lines.items)
        return shr_call_fail (call, SHR_INTERNAL, NULL, "out of memory");
    for (size_t i = 0; i < data->lines.count; i++) {
        const inventory_issued_line_t *line = &data->lines.items[i];
        costed.lines.items[i] = (event_workorder_parts_costed_lines_item_t) {
            line->sku, line->qty, line->unit_cost_cents, line->value_cents};
    }
    shr_log_info ("%s: parts cost %lld at inventory's moving average (reported %lld)",
                  order.summary.id, (long long) whole.money.parts_cost_cents, (long long) reported);
    return event_workorder_parts_costed_emit (call, order.summary.id, &costed) < 0 ? -1 : 0;
}

const shr_event_handler_t parts_loop_handlers[] = {
    SHR_ON (event_stock_backordered, s_on_backordered),
    SHR_ON (event_stock_reserved, s_on_reserved),
    SHR_ON (event_stock_issued, s_on_issued),
    {NULL}};
