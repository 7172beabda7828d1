/*  count - what warehouse staff do to stock by hand: a count that sets what is
    on hand (with its reason), and a transfer between warehouses.

    A count below what is reserved turns the newest reservations into
    back-orders first, so that nothing reserved is missing. Units a count
    finds are valued at the moving average, else at the cost given, else at
    the last receipt's; units it misses leave by the issue rule. A transfer
    moves its units' share of the source's value to the destination.
*/
#include "inventory.h"

//  What units a count found are worth: see above. -1 with the call failed.
static int64_t s_found_value (shr_call_t *call, const inventory_stock_adjust_request_t *request,
                              const stock_row_t *row, int64_t found)
{
    if (row->on_hand > 0 && !request->has_unit_cost_cents)
        return valuation_unit_cost_cents (row->value_cents, row->on_hand) * found;
    if (request->has_unit_cost_cents)
        return request->unit_cost_cents * found;
    if (row->has_last_unit_cost_cents)
        return row->last_unit_cost_cents * found;
    return shr_call_fail (call, SHR_INVALID_ARGUMENT, "/body/unit_cost_cents",
                          "nothing of %s is on hand or was ever received in %s: give"
                          " unit_cost_cents for the %lld found",
                          request->sku, request->warehouse_id, (long long) found);
}

int stock_adjust (shr_call_t *call, const inventory_stock_adjust_request_t *request,
                  inventory_stock_adjust_reply_t *reply)
{
    if (part_require (call, request->sku, "/body/sku")
        || warehouse_require (call, request->warehouse_id, "/body/warehouse_id")
        || stock_row_ensure (call, request->sku, request->warehouse_id))
        return -1;
    stock_row_t row, after;
    int found = stock_row_read (call, request->sku, request->warehouse_id, &row);
    if (found != 1)
        return found < 0 ? -1 : shr_call_db_error (call);
    int64_t delta = request->counted - row.on_hand;
    int64_t value = delta > 0   ? s_found_value (call, request, &row, delta)
                    : delta < 0 ? -valuation_issue_cents (row.value_cents, row.on_hand, -delta)
                                : 0;
    if (delta > 0 && value < 0)
        return -1;
    stock_move_t move = {.sku = request->sku, .warehouse_id = request->warehouse_id,
                         .kind = "adjustment", .qty = delta, .value_cents = value,
                         .reason = request->reason, .by = request->by};
    if ((request->counted < row.reserved
         && reservation_unfill (call, request->sku, request->warehouse_id, request->counted))
        || stock_move (call, &move, &after))
        return -1;
    event_stock_adjusted_t event = {
        .sku = request->sku, .warehouse_id = request->warehouse_id, .counted = request->counted,
        .delta = delta, .value_change_cents = value, .reason = request->reason,
        .by = request->by, .on_hand = after.on_hand, .stock_value_cents = after.value_cents};
    if (event_stock_adjusted_emit (
            call, shr_call_printf (call, "%s/%s", request->sku, request->warehouse_id), &event)
            < 0
        || stock_settle (call, request->sku, request->warehouse_id))
        return -1;
    reply->delta = delta;
    reply->value_change_cents = value;
    return stock_view_of (call, request->sku, request->warehouse_id, &reply->stock);
}

int stock_transfer (shr_call_t *call, const inventory_stock_transfer_request_t *request,
                    inventory_stock_transfer_reply_t *reply)
{
    const char *from = request->from_warehouse_id, *to = request->to_warehouse_id;
    if (streq (from, to))
        return shr_call_fail (call, SHR_INVALID_ARGUMENT, "/body/to_warehouse_id",
                              "a transfer goes to another warehouse than %s", from);
    if (part_require (call, request->sku, "/body/sku")
        || warehouse_require (call, from, "/body/from_warehouse_id")
        || warehouse_require (call, to, "/body/to_warehouse_id"))
        return -1;
    stock_row_t row;
    int found = stock_row_read (call, request->sku, from, &row);
    if (found < 0)
        return -1;
    int64_t available = found ? row.on_hand - row.reserved : 0;
    if (request->qty > available)
        return shr_call_fail (call, SHR_FAILED_PRECONDITION, "/body/qty",
                              "%s has %lld of %s available (%lld on hand, %lld reserved),"
                              " not %lld",
                              from, (long long) available, request->sku,
                              (long long) (found ? row.on_hand : 0),
                              (long long) (found ? row.reserved : 0), (long long) request->qty);
    int64_t value = valuation_issue_cents (row.value_cents, row.on_hand, request->qty);
    found = shr_call_get (call,
                          "INSERT INTO transfer (id, sku, from_warehouse_id, to_warehouse_id, qty,"
                          " value_cents, at_ms, actor, by) VALUES (printf ('TR-%06d', (SELECT"
                          " coalesce (max (n), 0) + 1 FROM transfer)), :sku, :from_warehouse_id,"
                          " :to_warehouse_id, :qty, :value, :now, :actor, :by) RETURNING id",
                          &inventory_stock_transfer_request_shape, request,
                          &inventory_stock_transfer_reply_shape, reply, SHR_INT (":value", value),
                          SHR_TEXT (":actor", call->actor), SHR_END);
    if (found != 1)
        return found < 0 ? -1 : shr_call_db_error (call);
    const char *id = reply->id;
    stock_move_t out = {.sku = request->sku, .warehouse_id = from, .kind = "transfer",
                        .qty = -request->qty, .value_cents = -value, .reference = id,
                        .reason = request->reason, .by = request->by};
    stock_move_t in = out;
    in.warehouse_id = to;
    in.qty = request->qty;
    in.value_cents = value;
    if (stock_row_ensure (call, request->sku, to) || stock_move (call, &out, NULL)
        || stock_move (call, &in, NULL))
        return -1;
    event_stock_transferred_t event = {id, request->sku, from, to, request->qty, value};
    if (event_stock_transferred_emit (call, id, &event) < 0 || stock_settle (call, request->sku, from)
        || stock_settle (call, request->sku, to))
        return -1;
    reply->value_cents = value;
    return stock_view_of (call, request->sku, from, &reply->from)
           || stock_view_of (call, request->sku, to, &reply->to);
}
