/*  price_list - what each supplier charges for a part: a unit price per
    quantity break (a quantity pays the price of the highest break at or
    below it), valid from a moment until another (exclusive) or open-ended.
    A supplier's prices for one part never overlap in time, so there is one
    price at any moment.
*/
#include "procurement.h"

#define PRICE_COLUMNS                                                                            \
    "supplier_id, sku, valid_from_ms AS valid_from, valid_to_ms AS valid_to,"                   \
    " :currency AS currency,"                                                                    \
    " (SELECT json_group_array (json_object ('min_qty', min_qty, 'unit_price_cents',"           \
    "   unit_price_cents)) FROM (SELECT * FROM price_break b WHERE b.price_n = p.n"             \
    "   ORDER BY min_qty)) AS breaks"

//  The prices valid at :at, each with its break for :qty (none when its
//  lowest break is above it).
#define OFFERS_AT                                                                                \
    "SELECT b.min_qty, b.unit_price_cents FROM price p JOIN price_break b ON b.price_n = p.n"    \
    " AND b.min_qty = (SELECT max (min_qty) FROM price_break WHERE price_n = p.n"                \
    "  AND min_qty <= :qty)"                                                                     \
    " WHERE p.valid_from_ms <= :at AND (p.valid_to_ms IS NULL OR p.valid_to_ms > :at)"

int price_offer (shr_call_t *call, const char *supplier_id, const char *sku, int64_t qty,
                 int64_t at, int64_t *unit_price)
{
    procurement_price_break_t offer = {0, 0};
    int found = shr_call_get (call, OFFERS_AT " AND p.supplier_id = :supplier AND p.sku = :sku",
                              NULL, NULL, &procurement_price_break_shape, &offer,
                              SHR_TEXT (":supplier", supplier_id), SHR_TEXT (":sku", sku),
                              SHR_INT (":qty", qty), SHR_INT (":at", at), SHR_END);
    *unit_price = offer.unit_price_cents;
    return found;
}

int price_best (shr_call_t *call, const char *sku, int64_t qty, int64_t at, int64_t *unit_price)
{
    procurement_price_break_t best = {0, 0};
    int found = shr_call_get (call, OFFERS_AT " AND p.sku = :sku ORDER BY b.unit_price_cents LIMIT 1",
                              NULL, NULL, &procurement_price_break_shape, &best,
                              SHR_TEXT (":sku", sku), SHR_INT (":qty", qty), SHR_INT (":at", at),
                              SHR_END);
    *unit_price = best.unit_price_cents;
    return found;
}

int supplier_price_set (shr_call_t *call, const procurement_supplier_price_set_request_t *request,
                        procurement_price_t *reply)
{
    const procurement_settings_t *settings = (const procurement_settings_t *) call->arg;
    procurement_supplier_t supplier;
    int found = supplier_read (call, request->supplier_id, &supplier);
    if (found == 0)
        return shr_call_fail (call, SHR_NOT_FOUND, "/body/supplier_id", "no supplier %s",
                              request->supplier_id);
    if (found < 0)
        return -1;
    if (request->has_valid_to && request->valid_to <= request->valid_from)
        return shr_call_fail (call, SHR_INVALID_ARGUMENT, "/body/valid_to",
                              "valid_to must be after valid_from");
    for (size_t i = 1; i < request->breaks.count; i++)
        if (request->breaks.items[i].min_qty <= request->breaks.items[i - 1].min_qty)
            return shr_call_fail (call, SHR_INVALID_ARGUMENT,
                                  shr_call_printf (call, "/body/breaks/%zu/min_qty", i),
                                  "breaks go by rising min_qty: %lld comes after %lld",
                                  (long long) request->breaks.items[i].min_qty,
                                  (long long) request->breaks.items[i - 1].min_qty);
    //  At most one price of a supplier for a part at any moment.
    procurement_price_t other;
    found = shr_call_get (call,
                          "SELECT " PRICE_COLUMNS " FROM price p WHERE supplier_id = :supplier_id"
                          " AND sku = :sku AND (:valid_to IS NULL OR valid_from_ms < :valid_to)"
                          " AND (valid_to_ms IS NULL OR valid_to_ms > :valid_from) LIMIT 1",
                          &procurement_supplier_price_set_request_shape, request,
                          &procurement_price_shape, &other,
                          SHR_TEXT (":currency", settings->currency), SHR_END);
    if (found < 0)
        return -1;
    if (found) {
        char from[32], to[32] = "open-ended";
        shr_time_format (other.valid_from, from);
        if (other.has_valid_to)
            shr_time_format (other.valid_to, to);
        return shr_call_fail (call, SHR_FAILED_PRECONDITION, "/body/valid_from",
                              "%s has a price for %s valid from %s to %s, which this overlaps",
                              request->supplier_id, request->sku, from, to);
    }
    if (shr_call_exec (call,
                       "INSERT INTO price (supplier_id, sku, valid_from_ms, valid_to_ms, set_at_ms,"
                       " actor) VALUES (:supplier_id, :sku, :valid_from, :valid_to, :now, :actor)",
                       &procurement_supplier_price_set_request_shape, request,
                       SHR_TEXT (":actor", call->actor), SHR_END))
        return -1;
    int64_t n = sqlite3_last_insert_rowid (shr_store_db (call->store));
    for (size_t i = 0; i < request->breaks.count; i++)
        if (shr_call_exec (call,
                           "INSERT INTO price_break (price_n, min_qty, unit_price_cents)"
                           " VALUES (:n, :min_qty, :unit_price_cents)",
                           &procurement_price_break_shape, &request->breaks.items[i],
                           SHR_INT (":n", n), SHR_END))
            return -1;
    found = shr_call_get (call, "SELECT " PRICE_COLUMNS " FROM price p WHERE n = :n", NULL, NULL,
                          &procurement_price_shape, reply, SHR_INT (":n", n),
                          SHR_TEXT (":currency", settings->currency), SHR_END);
    return found == 1 ? 0 : found < 0 ? -1 : shr_call_db_error (call);
}

int supplier_price_list (shr_call_t *call, const procurement_supplier_price_list_request_t *request,
                         procurement_supplier_price_list_reply_t *reply)
{
    const procurement_settings_t *settings = (const procurement_settings_t *) call->arg;
    return shr_call_list (call,
                          "SELECT " PRICE_COLUMNS " FROM price p"
                          " WHERE (:supplier_id IS NULL OR supplier_id = :supplier_id)"
                          " AND (:sku IS NULL OR sku = :sku) AND (:at IS NULL OR (valid_from_ms <= :at"
                          " AND (valid_to_ms IS NULL OR valid_to_ms > :at)))"
                          " ORDER BY supplier_id, sku, valid_from_ms",
                          &procurement_supplier_price_list_request_shape, request,
                          &procurement_price_shape, &reply->items, 0, NULL,
                          SHR_TEXT (":currency", settings->currency), SHR_END);
}
