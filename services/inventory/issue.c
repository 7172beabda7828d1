/*  issue - parts out of stock for work orders, at the moving-average cost, and
    back into stock when they return. An issue takes the order's reservation
    first, then what is available (never what others hold); what it takes
    out of the stock's value is the cost of goods, recorded for turnover and
    as the day's demand for auto policies.
*/
#include "inventory.h"

//  The order's line of sku: what it holds and was issued, 0s if none.
static int s_line (shr_call_t *call, const char *workorder_id, const char *sku,
                   inventory_reservation_line_t *line)
{
    int found = shr_call_get (call,
                              "SELECT sku, reserved, backordered, issued FROM reservation"
                              " WHERE workorder_id = :wo AND sku = :sku",
                              NULL, NULL, &inventory_reservation_line_shape, line,
                              SHR_TEXT (":wo", workorder_id), SHR_TEXT (":sku", sku), SHR_END);
    if (found == 0)
        *line = (inventory_reservation_line_t) {sku, 0, 0, 0};
    return found < 0 ? -1 : 0;
}

int64_t issue_possible (shr_call_t *call, const char *workorder_id, const char *sku,
                        const char *warehouse_id)
{
    stock_row_t row;
    inventory_reservation_line_t line;
    int found = stock_row_read (call, sku, warehouse_id, &row);
    if (found < 0 || s_line (call, workorder_id, sku, &line))
        return -1;
    return found ? line.reserved + row.on_hand - row.reserved : 0;
}

int issue_to_workorder (shr_call_t *call, const char *workorder_id, const char *sku,
                        const char *warehouse_id, int64_t qty, const char *by, const char *field,
                        inventory_issued_line_t *issued)
{
    stock_row_t row;
    inventory_reservation_line_t line;
    int found = stock_row_read (call, sku, warehouse_id, &row);
    if (found < 0 || s_line (call, workorder_id, sku, &line))
        return -1;
    if (!found)
        row = (stock_row_t) {.sku = sku, .warehouse_id = warehouse_id};
    int64_t taken = qty < line.reserved ? qty : line.reserved;
    int64_t available = row.on_hand - row.reserved;
    if (qty - taken > available)
        return shr_call_fail (call, SHR_FAILED_PRECONDITION, field,
                              "%s can take %lld of %s in %s (%lld its own, %lld available"
                              " of %lld on hand), not %lld",
                              workorder_id, (long long) (taken + available), sku, warehouse_id,
                              (long long) taken, (long long) available, (long long) row.on_hand,
                              (long long) qty);
    int64_t value = valuation_issue_cents (row.value_cents, row.on_hand, qty);
    stock_move_t move = {.sku = sku, .warehouse_id = warehouse_id, .kind = "issue", .qty = -qty,
                         .reserved = -taken, .value_cents = -value, .cogs_cents = value,
                         .reference = workorder_id, .by = by};
    if (stock_move (call, &move, NULL)
        || reservation_record_issue (call, workorder_id, sku, warehouse_id, taken, qty, value)
        || reorder_record_demand (call, sku, warehouse_id, qty))
        return -1;
    *issued = (inventory_issued_line_t) {sku, qty, valuation_unit_cost_cents (value, qty), value};
    return 0;
}

int stock_issue (shr_call_t *call, const inventory_stock_issue_request_t *request,
                 inventory_stock_issue_reply_t *reply)
{
    const inventory_settings_t *settings = (const inventory_settings_t *) call->arg;
    bool failed;
    const char *warehouse_id = request->warehouse_id;
    const char *held_in = reservation_warehouse (call, request->workorder_id, &failed);
    if (failed)
        return -1;
    if (!warehouse_id && !(warehouse_id = held_in))
        return shr_call_fail (call, SHR_INVALID_ARGUMENT, "/body/warehouse_id",
                              "%s holds no stock: say which warehouse to issue from",
                              request->workorder_id);
    if (warehouse_require (call, warehouse_id, "/body/warehouse_id"))
        return -1;
    size_t count = request->lines.count;
    event_stock_issued_t event = {.workorder_id = request->workorder_id,
                                  .warehouse_id = warehouse_id, .currency = settings->currency};
    event.lines.count = count;
    event.lines.items
        = (inventory_issued_line_t *) shr_call_alloc (call, count * sizeof *event.lines.items);
    if (!event.lines.items)
        return shr_call_fail (call, SHR_INTERNAL, NULL, "out of memory");
    for (size_t i = 0; i < count; i++) {
        const inventory_line_t *line = &request->lines.items[i];
        const char *field = shr_call_printf (call, "/body/lines/%zu/sku", i);
        for (size_t j = 0; j < i; j++)
            if (streq (request->lines.items[j].sku, line->sku))
                return shr_call_fail (call, SHR_INVALID_ARGUMENT, field,
                                      "part %s is on /body/lines/%zu already", line->sku, j);
        if (part_require (call, line->sku, field)
            || issue_to_workorder (call, request->workorder_id, line->sku, warehouse_id,
                                   line->qty, request->by,
                                   shr_call_printf (call, "/body/lines/%zu/qty", i),
                                   &event.lines.items[i]))
            return -1;
        event.value_cents += event.lines.items[i].value_cents;
    }
    if (reservation_issued_value (call, request->workorder_id, &event.order_value_cents)
        || event_stock_issued_emit (call, request->workorder_id, &event) < 0)
        return -1;
    if (request->release_rest
        && reservation_release_all (call, request->workorder_id, "issued: the rest let go",
                                    request->by))
        return -1;
    for (size_t i = 0; i < count; i++)
        if (stock_settle (call, request->lines.items[i].sku, warehouse_id))
            return -1;
    *reply = (inventory_stock_issue_reply_t) {.workorder_id = request->workorder_id,
                                              .warehouse_id = warehouse_id,
                                              .currency = settings->currency,
                                              .value_cents = event.value_cents};
    reply->lines.count = count;
    reply->lines.items = event.lines.items;
    return 0;
}

//  What an order was issued of a part, and what it cost.
typedef struct {
    int64_t issued;
    int64_t issued_value_cents;
} s_issued_t;
static const shr_field_t s_issued_fields[] = {
    {.name = "issued", .kind = SHR_FIELD_INT, .offset = offsetof (s_issued_t, issued), .has_offset = -1},
    {.name = "issued_value_cents", .kind = SHR_FIELD_INT,
     .offset = offsetof (s_issued_t, issued_value_cents), .has_offset = -1},
};
static const shr_shape_t s_issued_shape = {"inventory's issued line", sizeof (s_issued_t),
                                           s_issued_fields, 2};

//  What returned units are worth: at the unit cost asked; else, back from an
//  order, their share of what the order paid (all of it for all units);
//  else at the moving average, or the last receipt's price. Returns the
//  value, or -1 with the call failed.
static int64_t s_return_value (shr_call_t *call, const inventory_stock_return_request_t *request,
                               const s_issued_t *issued, const stock_row_t *row)
{
    if (request->has_unit_cost_cents)
        return request->unit_cost_cents * request->qty;
    if (request->workorder_id)
        return valuation_issue_cents (issued->issued_value_cents, issued->issued, request->qty);
    if (row->on_hand > 0)
        return valuation_unit_cost_cents (row->value_cents, row->on_hand) * request->qty;
    if (row->has_last_unit_cost_cents)
        return row->last_unit_cost_cents * request->qty;
    return shr_call_fail (call, SHR_INVALID_ARGUMENT, "/body/unit_cost_cents",
                          "%s has no cost to take the units back at: give unit_cost_cents",
                          request->sku);
}

int stock_return (shr_call_t *call, const inventory_stock_return_request_t *request,
                  inventory_stock_return_reply_t *reply)
{
    const inventory_settings_t *settings = (const inventory_settings_t *) call->arg;
    if (part_require (call, request->sku, "/body/sku")
        || warehouse_require (call, request->warehouse_id, "/body/warehouse_id")
        || stock_row_ensure (call, request->sku, request->warehouse_id))
        return -1;
    stock_row_t row;
    int found = stock_row_read (call, request->sku, request->warehouse_id, &row);
    if (found != 1)
        return found < 0 ? -1 : shr_call_db_error (call);
    //  Back from an order: no more than it was issued, less what came back before.
    s_issued_t issued = {0, 0};
    bool from_order = request->workorder_id != NULL;
    if (from_order) {
        found = shr_call_get (call,
                              "SELECT issued, issued_value_cents FROM reservation"
                              " WHERE workorder_id = :wo AND sku = :sku",
                              NULL, NULL, &s_issued_shape, &issued,
                              SHR_TEXT (":wo", request->workorder_id),
                              SHR_TEXT (":sku", request->sku), SHR_END);
        if (found < 0)
            return -1;
        if (request->qty > issued.issued)
            return shr_call_fail (call, SHR_FAILED_PRECONDITION, "/body/qty",
                                  "%s was issued %lld of %s (less what came back), not %lld",
                                  request->workorder_id, (long long) issued.issued, request->sku,
                                  (long long) request->qty);
    }
    int64_t value = s_return_value (call, request, &issued, &row);
    if (value < 0)
        return -1;
    //  Units back from an order undo part of its cost of goods.
    stock_move_t move = {.sku = request->sku, .warehouse_id = request->warehouse_id,
                         .kind = "return", .qty = request->qty, .value_cents = value,
                         .cogs_cents = from_order ? -value : 0,
                         .reference = request->workorder_id, .reason = request->reason,
                         .by = request->by};
    stock_row_t after;
    if (stock_move (call, &move, &after))
        return -1;
    if (from_order
        && (reservation_record_issue (call, request->workorder_id, request->sku,
                                      request->warehouse_id, 0, -request->qty, -value)
            || reorder_record_demand (call, request->sku, request->warehouse_id, -request->qty)))
        return -1;
    event_stock_received_t event = {
        .sku = request->sku, .warehouse_id = request->warehouse_id, .qty = request->qty,
        .unit_cost_cents = valuation_unit_cost_cents (value, request->qty), .value_cents = value,
        .source = "return", .reference = request->workorder_id, .on_hand = after.on_hand,
        .stock_value_cents = after.value_cents, .currency = settings->currency};
    if (event_stock_received_emit (
            call, shr_call_printf (call, "%s/%s", request->sku, request->warehouse_id), &event)
            < 0
        || stock_settle (call, request->sku, request->warehouse_id))
        return -1;
    reply->value_cents = value;
    return stock_view_of (call, request->sku, request->warehouse_id, &reply->stock);
}
