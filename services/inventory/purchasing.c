/*  purchasing - procurement's purchase orders, as their events tell them.

      po.approved   its quantities are on order in its warehouse
      po.received   what was accepted comes into stock at the order's unit
                    price (the value grows by accepted x price, the moving
                    average follows); accepted and rejected leave on order;
                    back-orders are filled from it, oldest first
      po.cancelled  what was still to come of an approved order is off order

    After each, a stock still at or below its reorder point is announced
    again (reorder_rearm): the order did not lift it.

    Goods for a part or warehouse inventory was never told of still count:
    a placeholder is made (and logged) rather than lose stock that arrived.
    A receipt in another currency than INVENTORY_CURRENCY cannot be valued:
    the event fails and the stream stops there, named in sys.health, until
    the configuration is mended.
*/
#include "inventory.h"

//  The stock a line of a purchase order goes to, with a row.
static int s_stock_of (shr_call_t *call, const char *sku, const char *warehouse_id,
                       const char *po_id, stock_row_t *row)
{
    const char *because = shr_call_printf (call, "on %s", po_id);
    if (part_ensure (call, sku, because) || warehouse_ensure (call, warehouse_id, because)
        || stock_row_ensure (call, sku, warehouse_id))
        return -1;
    int found = stock_row_read (call, sku, warehouse_id, row);
    return found == 1 ? 0 : found < 0 ? -1 : shr_call_db_error (call);
}

//  Takes qty off order (no more than is on order: a receipt may outrun what
//  inventory was told was ordered).
static int64_t s_off_order (const stock_row_t *row, int64_t qty)
{
    return qty < row->on_order ? qty : row->on_order;
}

static int s_on_approved (shr_call_t *call, const shr_event_t *event,
                          const event_po_approved_t *data)
{
    (void) event;
    const char *po_id = data->po_summary.id, *warehouse_id = data->po_summary.warehouse_id;
    for (size_t i = 0; i < data->lines.count; i++) {
        const char *sku = data->lines.items[i].sku;
        stock_row_t row;
        stock_move_t move = {.sku = sku, .warehouse_id = warehouse_id,
                             .on_order = data->lines.items[i].qty, .reference = po_id};
        if (s_stock_of (call, sku, warehouse_id, po_id, &row) || stock_move (call, &move, NULL)
            || reorder_rearm (call, sku, warehouse_id) || stock_settle (call, sku, warehouse_id))
            return -1;
    }
    return 0;
}

static int s_on_received (shr_call_t *call, const shr_event_t *event,
                          const event_po_received_t *data)
{
    (void) event;
    const inventory_settings_t *settings = (const inventory_settings_t *) call->arg;
    const char *po_id = data->po_summary.id;
    if (!streq (data->po_summary.currency, settings->currency))
        return shr_call_fail (call, SHR_FAILED_PRECONDITION, NULL,
                              "%s is in %s; inventory values stock in %s (INVENTORY_CURRENCY)",
                              po_id, data->po_summary.currency, settings->currency);
    for (size_t i = 0; i < data->lines.count; i++) {
        const event_po_received_lines_item_t *line = &data->lines.items[i];
        stock_row_t row, after;
        if (s_stock_of (call, line->sku, line->warehouse_id, po_id, &row))
            return -1;
        int64_t value = line->accepted * line->unit_price_cents;
        stock_move_t move = {.sku = line->sku, .warehouse_id = line->warehouse_id,
                             .kind = line->accepted ? "receipt" : NULL, .qty = line->accepted,
                             .value_cents = value,
                             .on_order = -s_off_order (&row, line->accepted + line->rejected),
                             .reference = po_id,
                             .reason = line->rejected ? shr_call_printf (call, "%lld rejected",
                                                                         (long long) line->rejected)
                                                      : NULL};
        if (stock_move (call, &move, &after) || reorder_rearm (call, line->sku, line->warehouse_id))
            return -1;
        if (!line->accepted) {
            if (stock_settle (call, line->sku, line->warehouse_id))
                return -1;
            continue;
        }
        event_stock_received_t received = {
            .sku = line->sku, .warehouse_id = line->warehouse_id, .qty = line->accepted,
            .unit_cost_cents = line->unit_price_cents, .value_cents = value, .source = "purchase",
            .reference = po_id, .on_hand = after.on_hand, .stock_value_cents = after.value_cents,
            .currency = settings->currency};
        if (shr_call_exec (call,
                           "UPDATE stock SET last_unit_cost_cents = :price"
                           " WHERE sku = :sku AND warehouse_id = :wh",
                           NULL, NULL, SHR_INT (":price", line->unit_price_cents),
                           SHR_TEXT (":sku", line->sku), SHR_TEXT (":wh", line->warehouse_id),
                           SHR_END)
            || event_stock_received_emit (
                   call, shr_call_printf (call, "%s/%s", line->sku, line->warehouse_id), &received)
                   < 0
            || stock_settle (call, line->sku, line->warehouse_id))
            return -1;
    }
    return 0;
}

static int s_on_cancelled (shr_call_t *call, const shr_event_t *event,
                           const event_po_cancelled_t *data)
{
    (void) event;
    const char *po_id = data->po_summary.id, *warehouse_id = data->po_summary.warehouse_id;
    for (size_t i = 0; data->was_approved && i < data->lines.count; i++) {
        const char *sku = data->lines.items[i].sku;
        stock_row_t row;
        if (s_stock_of (call, sku, warehouse_id, po_id, &row))
            return -1;
        stock_move_t move = {.sku = sku, .warehouse_id = warehouse_id,
                             .on_order = -s_off_order (&row, data->lines.items[i].remaining),
                             .reference = po_id};
        if (stock_move (call, &move, NULL) || reorder_rearm (call, sku, warehouse_id)
            || stock_settle (call, sku, warehouse_id))
            return -1;
    }
    return 0;
}

const shr_event_handler_t purchasing_handlers[] = {
    SHR_ON (event_po_approved, s_on_approved),
    SHR_ON (event_po_received, s_on_received),
    SHR_ON (event_po_cancelled, s_on_cancelled),
    {NULL}};
