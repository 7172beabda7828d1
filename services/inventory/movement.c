/*  movement - the one way a stock changes.

    stock_move applies a change to the stock's row, writes its ledger entry
    (so on hand is always the sum of the ledger) and keeps the value journal:
    per warehouse and for all, the value after the change, its integral over
    time and the cost of goods issued so far. Reports of any period then read
    two points of it instead of scanning the ledger (report.c).

    stock_settle is what follows a change, once the caller has announced it:
    back-orders are filled from what became available, then the reorder
    control looks at where the stock now stands.
*/
#include "inventory.h"

//  One point of a scope's value journal: the last one's totals carried
//  forward. Time never runs back in the journal, even if the clock does.
static int s_journal (shr_call_t *call, const char *scope, const stock_move_t *move)
{
    return shr_call_exec (
        call,
        "INSERT INTO valuation_point (scope, at_ms, value_cents, value_ms, cogs_cents)"
        " SELECT :scope, max (:now, coalesce (last.at_ms, :now)),"
        " coalesce (last.value_cents, 0) + :value,"
        " coalesce (last.value_ms, 0) + coalesce (last.value_cents, 0)"
        "   * (max (:now, coalesce (last.at_ms, :now)) - coalesce (last.at_ms, :now)),"
        " coalesce (last.cogs_cents, 0) + :cogs"
        " FROM (SELECT 1) LEFT JOIN (SELECT at_ms, value_cents, value_ms, cogs_cents"
        "  FROM valuation_point WHERE scope = :scope ORDER BY at_ms DESC, n DESC LIMIT 1) last",
        NULL, NULL, SHR_TEXT (":scope", scope), SHR_INT (":value", move->value_cents),
        SHR_INT (":cogs", move->cogs_cents), SHR_END);
}

int stock_move (shr_call_t *call, const stock_move_t *move, stock_row_t *after)
{
    stock_row_t row;
    int found = shr_call_get (
        call,
        "UPDATE stock SET on_hand = on_hand + :qty, reserved = reserved + :reserved,"
        " value_cents = value_cents + :value, on_order = on_order + :on_order,"
        " backordered = backordered + :backordered, updated_at_ms = :now"
        " WHERE sku = :sku AND warehouse_id = :wh"
        " RETURNING sku, warehouse_id, on_hand, reserved, on_order, backordered, value_cents",
        NULL, NULL, &stock_row_shape, &row, SHR_TEXT (":sku", move->sku),
        SHR_TEXT (":wh", move->warehouse_id), SHR_INT (":qty", move->qty),
        SHR_INT (":reserved", move->reserved), SHR_INT (":value", move->value_cents),
        SHR_INT (":on_order", move->on_order), SHR_INT (":backordered", move->backordered),
        SHR_END);
    if (found != 1)
        return found < 0 ? -1 : shr_call_db_error (call);
    if (move->kind
        && shr_call_exec (call,
                          "INSERT INTO ledger (at_ms, sku, warehouse_id, kind, qty, reserved_change,"
                          " value_change_cents, on_hand_after, reserved_after, value_after_cents,"
                          " reference, reason, actor, by) VALUES (:now, :sku, :wh, :kind, :qty,"
                          " :reserved, :value, :on_hand, :reserved_after, :value_after,"
                          " :reference, :reason, :actor, :by)",
                          NULL, NULL, SHR_TEXT (":sku", move->sku),
                          SHR_TEXT (":wh", move->warehouse_id), SHR_TEXT (":kind", move->kind),
                          SHR_INT (":qty", move->qty), SHR_INT (":reserved", move->reserved),
                          SHR_INT (":value", move->value_cents), SHR_INT (":on_hand", row.on_hand),
                          SHR_INT (":reserved_after", row.reserved),
                          SHR_INT (":value_after", row.value_cents),
                          SHR_TEXT (":reference", move->reference),
                          SHR_TEXT (":reason", move->reason), SHR_TEXT (":actor", call->actor),
                          SHR_TEXT (":by", move->by), SHR_END))
        return -1;
    if ((move->value_cents || move->cogs_cents)
        && (s_journal (call, move->warehouse_id, move) || s_journal (call, "*", move)))
        return -1;
    if (after)
        *after = row;
    return 0;
}

int stock_settle (shr_call_t *call, const char *sku, const char *warehouse_id)
{
    stock_row_t row;
    if (reservation_fill (call, sku, warehouse_id))
        return -1;
    int found = stock_row_read (call, sku, warehouse_id, &row);
    if (found < 0)
        return -1;
    return found ? reorder_check (call, &row) : 0;
}
