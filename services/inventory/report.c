/*  report - what the stock is worth at a time, and how often it turned over
    in a period: cost of goods issued / the stock value averaged over the
    period's time. Both read the value journal that stock_move keeps (per
    warehouse and for all: the value after each change, its integral over
    time, the cost of goods so far), so a year over a million movements is
    two index lookups per end of the period, not a scan.
*/
#include "inventory.h"

//  A point of the value journal.
typedef struct {
    int64_t at_ms;
    int64_t value_cents;
    double value_ms;
    int64_t cogs_cents;
} s_point_t;
static const shr_field_t s_point_fields[] = {
    {.name = "at_ms", .kind = SHR_FIELD_INT, .offset = offsetof (s_point_t, at_ms), .has_offset = -1},
    {.name = "value_cents", .kind = SHR_FIELD_INT, .offset = offsetof (s_point_t, value_cents),
     .has_offset = -1},
    {.name = "value_ms", .kind = SHR_FIELD_NUMBER, .offset = offsetof (s_point_t, value_ms),
     .has_offset = -1},
    {.name = "cogs_cents", .kind = SHR_FIELD_INT, .offset = offsetof (s_point_t, cogs_cents),
     .has_offset = -1},
};
static const shr_shape_t s_point_shape = {"inventory's value journal point", sizeof (s_point_t),
                                          s_point_fields, 4};

//  The journal of scope as of at: the last point at or before it (zeros if none).
static int s_point_at (shr_call_t *call, const char *scope, int64_t at, s_point_t *point)
{
    int found = shr_call_get (call,
                              "SELECT at_ms, value_cents, value_ms, cogs_cents FROM valuation_point"
                              " WHERE scope = :scope AND at_ms <= :at ORDER BY at_ms DESC, n DESC"
                              " LIMIT 1",
                              NULL, NULL, &s_point_shape, point, SHR_TEXT (":scope", scope),
                              SHR_INT (":at", at), SHR_END);
    if (found == 0)
        *point = (s_point_t) {at, 0, 0, 0};
    return found < 0 ? -1 : 0;
}

//  The integral of the value from the journal's start to at (cent-milliseconds).
static double s_integral (const s_point_t *point, int64_t at)
{
    return point->value_ms + (double) point->value_cents * (double) (at - point->at_ms);
}

int inventory_valuation (shr_call_t *call, const inventory_valuation_request_t *request,
                         inventory_valuation_reply_t *reply)
{
    const inventory_settings_t *settings = (const inventory_settings_t *) call->arg;
    int64_t at = request->has_at ? request->at : call->now_ms;
    if (request->warehouse_id && warehouse_require (call, request->warehouse_id, "/body/warehouse_id"))
        return -1;
    s_point_t total;
    if (s_point_at (call, request->warehouse_id ? request->warehouse_id : "*", at, &total))
        return -1;
    *reply = (inventory_valuation_reply_t) {.at = at, .currency = settings->currency,
                                            .total_value_cents = total.value_cents};
    //  Each stock as its last ledger entry at or before the moment left it.
    return shr_call_list (
        call,
        "SELECT s.sku AS sku, s.warehouse_id AS warehouse_id, l.on_hand_after AS on_hand,"
        " l.value_after_cents AS value_cents, CASE WHEN l.on_hand_after > 0 THEN"
        " (2 * l.value_after_cents + l.on_hand_after) / (2 * l.on_hand_after) END"
        " AS unit_cost_cents, s.sku || ' ' || s.warehouse_id AS _cursor"
        " FROM stock s JOIN ledger l ON l.n = (SELECT n FROM ledger WHERE sku = s.sku"
        "  AND warehouse_id = s.warehouse_id AND at_ms <= :at ORDER BY at_ms DESC, n DESC LIMIT 1)"
        " WHERE (:warehouse_id IS NULL OR s.warehouse_id = :warehouse_id)"
        " AND s.sku || ' ' || s.warehouse_id > coalesce (:cursor, '')"
        " ORDER BY s.sku, s.warehouse_id LIMIT :limit + 1",
        &inventory_valuation_request_shape, request, &inventory_valuation_reply_items_item_shape,
        &reply->items, request->limit, &reply->next_cursor, SHR_INT (":at", at), SHR_END);
}

int inventory_turnover (shr_call_t *call, const inventory_turnover_request_t *request,
                        inventory_turnover_reply_t *reply)
{
    const inventory_settings_t *settings = (const inventory_settings_t *) call->arg;
    if (request->to <= request->from)
        return shr_call_fail (call, SHR_INVALID_ARGUMENT, "/body/to",
                              "the period must end after it begins");
    if (request->warehouse_id && warehouse_require (call, request->warehouse_id, "/body/warehouse_id"))
        return -1;
    const char *scope = request->warehouse_id ? request->warehouse_id : "*";
    s_point_t start, end;
    if (s_point_at (call, scope, request->from, &start) || s_point_at (call, scope, request->to, &end))
        return -1;
    double span = (double) (request->to - request->from);
    *reply = (inventory_turnover_reply_t) {
        .from = request->from, .to = request->to, .warehouse_id = request->warehouse_id,
        .currency = settings->currency, .cogs_cents = end.cogs_cents - start.cogs_cents,
        .average_value_cents = (s_integral (&end, request->to) - s_integral (&start, request->from))
                               / span,
        .days = span / DAY_MS};
    reply->has_turnover = reply->average_value_cents > 0;
    if (reply->has_turnover)
        reply->turnover = (double) reply->cogs_cents / reply->average_value_cents;
    return 0;
}
