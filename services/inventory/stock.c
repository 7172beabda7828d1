/*  stock - a part's stock in one warehouse: its row, and how replies show it
    (available, the moving-average unit cost, the reorder control with the
    inputs it used). A stock has a row once it has a policy or a movement.
*/
#include "inventory.h"

static const shr_field_t s_row_fields[] = {
    {.name = "sku", .kind = SHR_FIELD_STRING, .offset = offsetof (stock_row_t, sku), .has_offset = -1},
    {.name = "warehouse_id", .kind = SHR_FIELD_STRING,
     .offset = offsetof (stock_row_t, warehouse_id), .has_offset = -1},
    {.name = "category", .kind = SHR_FIELD_STRING, .offset = offsetof (stock_row_t, category),
     .has_offset = -1},
    {.name = "on_hand", .kind = SHR_FIELD_INT, .offset = offsetof (stock_row_t, on_hand), .has_offset = -1},
    {.name = "reserved", .kind = SHR_FIELD_INT, .offset = offsetof (stock_row_t, reserved),
     .has_offset = -1},
    {.name = "on_order", .kind = SHR_FIELD_INT, .offset = offsetof (stock_row_t, on_order),
     .has_offset = -1},
    {.name = "backordered", .kind = SHR_FIELD_INT, .offset = offsetof (stock_row_t, backordered),
     .has_offset = -1},
    {.name = "value_cents", .kind = SHR_FIELD_INT, .offset = offsetof (stock_row_t, value_cents),
     .has_offset = -1},
    {.name = "last_unit_cost_cents", .kind = SHR_FIELD_INT,
     .offset = offsetof (stock_row_t, last_unit_cost_cents),
     .has_offset = offsetof (stock_row_t, has_last_unit_cost_cents)},
    {.name = "below_reorder", .kind = SHR_FIELD_BOOL, .offset = offsetof (stock_row_t, below_reorder),
     .has_offset = -1},
    {.name = "overstock", .kind = SHR_FIELD_BOOL, .offset = offsetof (stock_row_t, overstock),
     .has_offset = -1},
    {.name = "policy", .kind = SHR_FIELD_OBJECT, .offset = offsetof (stock_row_t, policy),
     .has_offset = offsetof (stock_row_t, has_policy), .shape = &inventory_policy_shape},
    {.name = "updated_at_ms", .kind = SHR_FIELD_INT, .offset = offsetof (stock_row_t, updated_at_ms),
     .has_offset = -1},
};
const shr_shape_t stock_row_shape = {"inventory's stock row", sizeof (stock_row_t), s_row_fields,
                                     sizeof s_row_fields / sizeof s_row_fields[0]};

//  The columns of a stock_row_t: the stock, its part's category, its policy.
#define STOCK_ROW_SELECT                                                                         \
    "SELECT s.sku AS sku, s.warehouse_id AS warehouse_id, p.category AS category,"              \
    " s.on_hand AS on_hand, s.reserved AS reserved, s.on_order AS on_order,"                    \
    " s.backordered AS backordered, s.value_cents AS value_cents,"                              \
    " s.last_unit_cost_cents AS last_unit_cost_cents, s.below_reorder AS below_reorder,"        \
    " s.overstock AS overstock, s.updated_at_ms AS updated_at_ms,"                              \
    " r.warehouse_id AS \"policy.warehouse_id\", r.kind AS \"policy.kind\","                    \
    " r.reorder_point AS \"policy.reorder_point\", r.order_up_to AS \"policy.order_up_to\","   \
    " r.order_multiple AS \"policy.order_multiple\","                                           \
    " r.min_order_qty AS \"policy.min_order_qty\","                                             \
    " r.lead_time_days AS \"policy.lead_time_days\","                                           \
    " r.service_level AS \"policy.service_level\", r.window_days AS \"policy.window_days\","    \
    " r.ordering_cost_cents AS \"policy.ordering_cost_cents\","                                 \
    " r.holding_cost_cents AS \"policy.holding_cost_cents\","                                   \
    " r.cover_days AS \"policy.cover_days\""
#define STOCK_ROW_FROM                                                                           \
    " FROM stock s JOIN part p ON p.sku = s.sku"                                                 \
    " LEFT JOIN reorder_policy r ON r.sku = s.sku AND r.warehouse_id = s.warehouse_id"

int stock_row_read (shr_call_t *call, const char *sku, const char *warehouse_id, stock_row_t *row)
{
    return shr_call_get (call,
                         STOCK_ROW_SELECT STOCK_ROW_FROM " WHERE s.sku = :sku AND s.warehouse_id = :wh",
                         NULL, NULL, &stock_row_shape, row, SHR_TEXT (":sku", sku),
                         SHR_TEXT (":wh", warehouse_id), SHR_END);
}

int stock_row_ensure (shr_call_t *call, const char *sku, const char *warehouse_id)
{
    return shr_call_exec (call,
                          "INSERT OR IGNORE INTO stock (sku, warehouse_id, updated_at_ms)"
                          " VALUES (:sku, :wh, :now)",
                          NULL, NULL, SHR_TEXT (":sku", sku), SHR_TEXT (":wh", warehouse_id),
                          SHR_END);
}

int64_t stock_position (const stock_row_t *row)
{
    return row->on_hand - row->reserved + row->on_order - row->backordered;
}

int stock_view (shr_call_t *call, const stock_row_t *row, inventory_stock_t *out)
{
    const inventory_settings_t *settings = (const inventory_settings_t *) call->arg;
    memset (out, 0, sizeof *out);
    out->sku = row->sku;
    out->warehouse_id = row->warehouse_id;
    out->category = row->category;
    out->on_hand = row->on_hand;
    out->reserved = row->reserved;
    out->available = row->on_hand - row->reserved;
    out->on_order = row->on_order;
    out->backordered = row->backordered;
    out->value_cents = row->value_cents;
    out->has_unit_cost_cents = row->on_hand > 0;
    if (row->on_hand > 0)
        out->unit_cost_cents = valuation_unit_cost_cents (row->value_cents, row->on_hand);
    out->currency = settings->currency;
    out->below_reorder = row->below_reorder;
    out->overstock = row->overstock;
    out->updated_at = row->updated_at_ms;
    return reorder_now (call, row, &out->reorder, &out->has_reorder);
}

int stock_view_of (shr_call_t *call, const char *sku, const char *warehouse_id,
                   inventory_stock_t *out)
{
    stock_row_t row;
    int found = stock_row_read (call, sku, warehouse_id, &row);
    if (found != 1)
        return found < 0 ? -1 : shr_call_db_error (call);
    return stock_view (call, &row, out);
}

int stock_get (shr_call_t *call, const inventory_stock_get_request_t *request,
               inventory_stock_t *reply)
{
    if (part_require (call, request->sku, "/body/sku")
        || warehouse_require (call, request->warehouse_id, "/body/warehouse_id"))
        return -1;
    stock_row_t row;
    int found = stock_row_read (call, request->sku, request->warehouse_id, &row);
    if (found < 0)
        return -1;
    if (found == 0)
        //  Never moved and no policy: nothing there, as a row of zeros would say.
        row = (stock_row_t) {.sku = request->sku, .warehouse_id = request->warehouse_id,
                             .updated_at_ms = call->now_ms};
    return stock_view (call, &row, reply);
}

int stock_list (shr_call_t *call, const inventory_stock_list_request_t *request,
                inventory_stock_list_reply_t *reply)
{
    //  The cursor is "sku warehouse" of the last row: rows come in that order.
    shr_array_t rows;
    const char *next = NULL;
    if (shr_call_list (call,
                       STOCK_ROW_SELECT ", s.sku || ' ' || s.warehouse_id AS _cursor" STOCK_ROW_FROM
                       " WHERE (:warehouse_id IS NULL OR s.warehouse_id = :warehouse_id)"
                       " AND (:category IS NULL OR p.category = :category)"
                       " AND (:below_reorder IS NULL OR s.below_reorder = :below_reorder)"
                       " AND (:overstock IS NULL OR s.overstock = :overstock)"
                       " AND (:zero IS NULL OR (s.on_hand = 0) = :zero)"
                       " AND s.sku || ' ' || s.warehouse_id > coalesce (:cursor, '')"
                       " ORDER BY s.sku, s.warehouse_id LIMIT :limit + 1",
                       &inventory_stock_list_request_shape, request, &stock_row_shape, &rows,
                       request->limit, &next, SHR_END))
        return -1;
    reply->next_cursor = next;
    reply->items.count = rows.count;
    reply->items.items = (inventory_stock_t *) shr_call_alloc (
        call, (rows.count ? rows.count : 1) * sizeof (inventory_stock_t));
    if (!reply->items.items)
        return shr_call_fail (call, SHR_INTERNAL, NULL, "out of memory");
    for (size_t i = 0; i < rows.count; i++)
        if (stock_view (call, &((stock_row_t *) rows.items)[i], &reply->items.items[i]))
            return -1;
    return 0;
}
