/*  reorder - the reorder control over the store: the levels of a stock's
    policy (auto ones from the demand of the window's whole days), and an
    alert per crossing. The stock row keeps which side of its levels it was
    last seen on, so stock.below_reorder goes out when the position falls to
    or below the reorder point and not again until it has risen above it, or
    until an order for it is approved, received or cancelled and leaves it
    there (orders that did not lift it: more was owed by the time it was
    placed, or units were rejected), so a stock is never left short with
    nobody asked to buy; the same for stock.overstock above order-up-to plus
    the margin. The levels of
    auto policies move with demand once a day, without any movement: the
    timer looks at them again when a day has passed.
*/
#include "inventory.h"

#define SCAN_BATCH 1000  //  stocks per tick; the next tick takes the rest

static reorder_defaults_t s_defaults (const inventory_settings_t *settings)
{
    return (reorder_defaults_t) {settings->service_level, settings->window_days,
                                 settings->cover_days, settings->overstock_margin_pct};
}

//  Units issued per whole day over the window that ends with yesterday.
typedef struct {
    int64_t sum;
    double sum_of_squares;
} s_demand_row_t;
static const shr_field_t s_demand_fields[] = {
    {.name = "sum", .kind = SHR_FIELD_INT, .offset = offsetof (s_demand_row_t, sum), .has_offset = -1},
    {.name = "sum_of_squares", .kind = SHR_FIELD_NUMBER,
     .offset = offsetof (s_demand_row_t, sum_of_squares), .has_offset = -1},
};
static const shr_shape_t s_demand_shape = {"inventory's demand sums", sizeof (s_demand_row_t),
                                           s_demand_fields, 2};

static int s_demand (shr_call_t *call, const stock_row_t *row, int64_t window_days,
                     reorder_demand_t *demand)
{
    int64_t today = inventory_day (call->now_ms);
    s_demand_row_t sums;
    int found = shr_call_get (call,
                              "SELECT coalesce (sum (qty), 0) AS sum,"
                              " coalesce (sum (1.0 * qty * qty), 0) AS sum_of_squares"
                              " FROM demand_day WHERE sku = :sku AND warehouse_id = :wh"
                              " AND day >= :first AND day < :today",
                              NULL, NULL, &s_demand_shape, &sums, SHR_TEXT (":sku", row->sku),
                              SHR_TEXT (":wh", row->warehouse_id),
                              SHR_INT (":first", today - window_days), SHR_INT (":today", today),
                              SHR_END);
    if (found != 1)
        return found < 0 ? -1 : shr_call_db_error (call);
    *demand = (reorder_demand_t) {window_days, sums.sum, sums.sum_of_squares};
    return 0;
}

int reorder_now (shr_call_t *call, const stock_row_t *row, inventory_reorder_t *out, bool *found)
{
    *found = row->has_policy;
    if (!row->has_policy)
        return 0;
    reorder_defaults_t defaults = s_defaults ((const inventory_settings_t *) call->arg);
    reorder_demand_t demand = {0, 0, 0};
    if (streq (row->policy.kind, "auto")
        && s_demand (call, row, reorder_window_days (&row->policy, &defaults), &demand))
        return -1;
    reorder_evaluate (&row->policy, &defaults, &demand, stock_position (row), out);
    return 0;
}

static int s_announce_below (shr_call_t *call, const stock_row_t *row,
                             const inventory_reorder_t *levels)
{
    event_stock_below_reorder_t event = {
        .sku = row->sku, .warehouse_id = row->warehouse_id,
        .available = row->on_hand - row->reserved, .on_order = row->on_order,
        .backordered = row->backordered, .position = levels->position,
        .reorder_point = levels->reorder_point, .order_up_to = levels->order_up_to,
        .suggested_qty = levels->suggested_qty, .kind = levels->kind};
    //  The price a buyer can expect: the moving average, else the last receipt's.
    event.has_unit_cost_cents = row->on_hand > 0 || row->has_last_unit_cost_cents;
    event.unit_cost_cents = row->on_hand > 0
                                ? valuation_unit_cost_cents (row->value_cents, row->on_hand)
                                : row->last_unit_cost_cents;
    shr_log_info ("%s in %s at %lld, reorder point %lld: suggest %lld", row->sku,
                  row->warehouse_id, (long long) levels->position,
                  (long long) levels->reorder_point, (long long) levels->suggested_qty);
    return event_stock_below_reorder_emit (
               call, shr_call_printf (call, "%s/%s", row->sku, row->warehouse_id), &event)
                   < 0
               ? -1
               : 0;
}

static int s_announce_overstock (shr_call_t *call, const stock_row_t *row,
                                 const inventory_reorder_t *levels)
{
    event_stock_overstock_t event = {.sku = row->sku, .warehouse_id = row->warehouse_id,
                                     .position = levels->position,
                                     .order_up_to = levels->order_up_to,
                                     .overstock_above = levels->overstock_above,
                                     .excess = levels->position - levels->overstock_above};
    return event_stock_overstock_emit (
               call, shr_call_printf (call, "%s/%s", row->sku, row->warehouse_id), &event)
                   < 0
               ? -1
               : 0;
}

int reorder_check (shr_call_t *call, const stock_row_t *row)
{
    inventory_reorder_t levels;
    bool controlled;
    if (reorder_now (call, row, &levels, &controlled))
        return -1;
    bool below = controlled && levels.position <= levels.reorder_point;
    bool over = controlled && levels.position > levels.overstock_above;
    if ((below && !row->below_reorder && s_announce_below (call, row, &levels))
        || (over && !row->overstock && s_announce_overstock (call, row, &levels)))
        return -1;
    return shr_call_exec (call,
                          "UPDATE stock SET reorder_point = :reorder_point,"
                          " order_up_to = :order_up_to, evaluated_day = :day,"
                          " below_reorder = :below, overstock = :over"
                          " WHERE sku = :sku AND warehouse_id = :wh",
                          NULL, NULL, SHR_TEXT (":sku", row->sku),
                          SHR_TEXT (":wh", row->warehouse_id),
                          SHR_INT_IF (":reorder_point", controlled, levels.reorder_point),
                          SHR_INT_IF (":order_up_to", controlled, levels.order_up_to),
                          SHR_INT (":day", inventory_day (call->now_ms)),
                          SHR_INT (":below", below), SHR_INT (":over", over), SHR_END);
}

int reorder_rearm (shr_call_t *call, const char *sku, const char *warehouse_id)
{
    return shr_call_exec (call,
                          "UPDATE stock SET below_reorder = 0 WHERE sku = :sku AND warehouse_id = :wh",
                          NULL, NULL, SHR_TEXT (":sku", sku), SHR_TEXT (":wh", warehouse_id),
                          SHR_END);
}

int reorder_record_demand (shr_call_t *call, const char *sku, const char *warehouse_id,
                           int64_t qty)
{
    return shr_call_exec (call,
                          "INSERT INTO demand_day (sku, warehouse_id, day, qty)"
                          " VALUES (:sku, :wh, :day, :qty) ON CONFLICT DO UPDATE"
                          " SET qty = max (0, qty + excluded.qty)",
                          NULL, NULL, SHR_TEXT (":sku", sku), SHR_TEXT (":wh", warehouse_id),
                          SHR_INT (":day", inventory_day (call->now_ms)), SHR_INT (":qty", qty),
                          SHR_END);
}

//  A stock to look at again: its key.
typedef struct {
    const char *sku;
    const char *warehouse_id;
} s_key_t;
static const shr_field_t s_key_fields[] = {
    {.name = "sku", .kind = SHR_FIELD_STRING, .offset = offsetof (s_key_t, sku), .has_offset = -1},
    {.name = "warehouse_id", .kind = SHR_FIELD_STRING, .offset = offsetof (s_key_t, warehouse_id),
     .has_offset = -1},
};
static const shr_shape_t s_key_shape = {"inventory's stock key", sizeof (s_key_t), s_key_fields, 2};

int reorder_scan (shr_call_t *call)
{
    shr_array_t keys;
    if (shr_call_list (call,
                       "SELECT s.sku, s.warehouse_id FROM stock s JOIN reorder_policy r"
                       " ON r.sku = s.sku AND r.warehouse_id = s.warehouse_id"
                       " WHERE r.kind = 'auto' AND coalesce (s.evaluated_day, -1) < :day"
                       " LIMIT :batch",
                       NULL, NULL, &s_key_shape, &keys, 0, NULL,
                       SHR_INT (":day", inventory_day (call->now_ms)),
                       SHR_INT (":batch", SCAN_BATCH), SHR_END))
        return -1;
    for (size_t i = 0; i < keys.count; i++) {
        const s_key_t *key = &((const s_key_t *) keys.items)[i];
        stock_row_t row;
        int found = stock_row_read (call, key->sku, key->warehouse_id, &row);
        if (found != 1)
            return found < 0 ? -1 : shr_call_db_error (call);
        if (reorder_check (call, &row))
            return -1;
    }
    if (keys.count)
        shr_log_info ("reorder: %zu auto policies evaluated for a new day", keys.count);
    return 0;
}
