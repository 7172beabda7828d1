/*  ledger - stock.ledger: every movement of stock, in the order it happened,
    with its reason, its reference and who made it. On hand is the sum of a
    stock's qty column (stock_move writes both in one statement pair).
*/
#include "inventory.h"

#define ENTRY_COLUMNS                                                                            \
    "SELECT n, at_ms AS at, sku, warehouse_id, kind, qty, reserved_change,"                     \
    " value_change_cents, on_hand_after, reserved_after, value_after_cents, reference, reason,"  \
    " actor, by, n AS _cursor FROM ledger"
#define ENTRY_FILTERS                                                                            \
    " AND n > :after AND (:sku IS NULL OR sku = :sku)"                                           \
    " AND (:warehouse_id IS NULL OR warehouse_id = :warehouse_id)"                               \
    " AND (:reference IS NULL OR reference = :reference)"                                        \
    " AND (:from IS NULL OR at_ms >= :from) AND (:to IS NULL OR at_ms < :to)"                    \
    " ORDER BY n LIMIT :limit + 1"

int stock_ledger (shr_call_t *call, const inventory_stock_ledger_request_t *request,
                  inventory_stock_ledger_reply_t *reply)
{
    int64_t after = 0;
    char *end = NULL;
    if (request->cursor && ((after = strtoll (request->cursor, &end, 10)) < 0 || *end))
        return shr_call_fail (call, SHR_INVALID_ARGUMENT, "/body/cursor",
                              "cursor %s is not one that stock.ledger returned", request->cursor);
    //  The index that narrows most: a reference's entries, a part's, or all by number.
    const char *sql = request->reference
                          ? ENTRY_COLUMNS " WHERE reference = :reference" ENTRY_FILTERS
                      : request->sku ? ENTRY_COLUMNS " WHERE sku = :sku" ENTRY_FILTERS
                                     : ENTRY_COLUMNS " WHERE 1" ENTRY_FILTERS;
    return shr_call_list (call, sql, &inventory_stock_ledger_request_shape, request,
                          &inventory_ledger_entry_shape, &reply->items, request->limit,
                          &reply->next_cursor, SHR_INT (":after", after), SHR_END);
}
