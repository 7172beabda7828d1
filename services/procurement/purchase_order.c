/*  purchase_order - orders to suppliers: made (by procurement.run or by
    hand), read whole with their lines, receipts and history, listed. An
    order is promised for its date plus the supplier's lead time, and is
    approved at once when its total is under PROCUREMENT_APPROVAL_LIMIT_CENTS;
    the rest wait for po.approve (po_lifecycle.c).
*/
#include "procurement.h"

#define PO_SUMMARY_COLUMNS                                                                       \
    "id, supplier_id, warehouse_id, status, currency, total_cents, ordered_at_ms AS ordered_at," \
    " promised_at_ms AS promised_at"

int po_check_supplier (shr_call_t *call, const procurement_supplier_t *supplier, const char *field)
{
    if (!supplier->active)
        return shr_call_fail (call, SHR_FAILED_PRECONDITION, field, "supplier %s is not active",
                              supplier->id);
    if (supplier->blocked)
        return shr_call_fail (call, SHR_FAILED_PRECONDITION, field,
                              "supplier %s is blocked (%s): an officer must unblock it first",
                              supplier->id,
                              supplier->blocked_reason ? supplier->blocked_reason : "no reason");
    return 0;
}

//  A step of order seq, or (seq 0) of the one called id.
static int s_record_step (shr_call_t *call, int64_t seq, const char *id, const char *step,
                          const char *by, const char *note)
{
    return shr_call_exec (call,
                          "INSERT INTO po_step (po_seq, step, at_ms, actor, by, note) VALUES"
                          " (coalesce (:seq, (SELECT seq FROM po WHERE id = :id)), :step, :now,"
                          " :actor, :by, :note)",
                          NULL, NULL, SHR_INT_IF (":seq", seq > 0, seq), SHR_TEXT (":id", id),
                          SHR_TEXT (":step", step), SHR_TEXT (":actor", call->actor),
                          SHR_TEXT (":by", by), SHR_TEXT (":note", note), SHR_END);
}

int po_record_step (shr_call_t *call, const char *id, const char *step, const char *by,
                    const char *note)
{
    return s_record_step (call, 0, id, step, by, note);
}

//  The order's lines as its events carry them.
static int s_ordered_lines (shr_call_t *call, const char *id, void *lines)
{
    return shr_call_list (call,
                          "SELECT sku, qty, unit_price_cents FROM po_line"
                          " WHERE po_seq = (SELECT seq FROM po WHERE id = :id) ORDER BY line",
                          NULL, NULL, &procurement_ordered_line_shape, lines, 0, NULL,
                          SHR_TEXT (":id", id), SHR_END);
}

int po_announce_approved (shr_call_t *call, const char *id)
{
    procurement_po_t po;
    int found = shr_call_get (call,
                              "SELECT " PO_SUMMARY_COLUMNS ", auto_approved FROM po WHERE id = :id",
                              NULL, NULL, &procurement_po_shape, &po, SHR_TEXT (":id", id),
                              SHR_END);
    if (found != 1)
        return found < 0 ? -1 : shr_call_db_error (call);
    event_po_approved_t event = {.po_summary = po.po_summary, .approved_at = call->now_ms,
                                 .auto_approved = po.auto_approved};
    if (s_ordered_lines (call, id, &event.lines))
        return -1;
    return event_po_approved_emit (call, id, &event) < 0 ? -1 : 0;
}

int po_make (shr_call_t *call, const procurement_supplier_t *supplier, const char *warehouse_id,
             const po_line_in_t *lines, size_t count, const char *by, const char *field,
             procurement_po_summary_t *summary)
{
    const procurement_settings_t *settings = (const procurement_settings_t *) call->arg;
    int64_t total = 0, amount;
    for (size_t i = 0; i < count; i++)
        if (__builtin_mul_overflow (lines[i].qty, lines[i].unit_price_cents, &amount)
            || __builtin_add_overflow (total, amount, &total))
            return shr_call_fail (call, SHR_INVALID_ARGUMENT, field,
                                  "the order's amounts overflow at line %zu", i);
    bool approved = total < settings->approval_limit_cents;
    int found = shr_call_get (
        call,
        "INSERT INTO po (id, supplier_id, warehouse_id, status, currency, total_cents,"
        " ordered_at_ms, promised_at_ms, auto_approved, approved_at_ms, approved_by, created_by,"
        " by) VALUES (printf ('PO-%06d', (SELECT coalesce (max (seq), 0) + 1 FROM po)),"
        " :supplier, :wh, :status, :currency, :total, :now, :now + :lead_ms, :auto,"
        " CASE WHEN :auto THEN :now END, CASE WHEN :auto THEN :actor END, :actor, :by)"
        " RETURNING " PO_SUMMARY_COLUMNS,
        NULL, NULL, &procurement_po_summary_shape, summary, SHR_TEXT (":supplier", supplier->id),
        SHR_TEXT (":wh", warehouse_id), SHR_TEXT (":status", approved ? "approved" : "draft"),
        SHR_TEXT (":currency", settings->currency), SHR_INT (":total", total),
        SHR_INT (":lead_ms", supplier->lead_time_days * DAY_MS), SHR_INT (":auto", approved),
        SHR_TEXT (":actor", call->actor), SHR_TEXT (":by", by), SHR_END);
    if (found != 1)
        return found < 0 ? -1 : shr_call_db_error (call);
    int64_t seq = sqlite3_last_insert_rowid (shr_store_db (call->store));
    //  The events carry the lines as made, not read back: procurement.run
    //  makes hundreds of orders in one call.
    procurement_ordered_line_t *ordered
        = (procurement_ordered_line_t *) shr_call_alloc (call, count * sizeof *ordered);
    if (!ordered)
        return shr_call_fail (call, SHR_INTERNAL, NULL, "out of memory");
    for (size_t i = 0; i < count; i++)
        if (shr_call_exec (call,
                           "INSERT INTO po_line (po_seq, line, sku, qty, unit_price_cents,"
                           " amount_cents, best_price_cents, requisition_id) VALUES (:seq, :line,"
                           " :sku, :qty, :price, :qty * :price, :best, :requisition)",
                           NULL, NULL, SHR_INT (":seq", seq), SHR_INT (":line", (int64_t) i + 1),
                           SHR_TEXT (":sku", lines[i].sku), SHR_INT (":qty", lines[i].qty),
                           SHR_INT (":price", lines[i].unit_price_cents),
                           SHR_INT_IF (":best", lines[i].has_best_price_cents,
                                       lines[i].best_price_cents),
                           SHR_TEXT (":requisition", lines[i].requisition_id), SHR_END))
            return -1;
    for (size_t i = 0; i < count; i++)
        ordered[i] = (procurement_ordered_line_t) {lines[i].sku, lines[i].qty,
                                                   lines[i].unit_price_cents};
    event_po_created_t created = {.po_summary = *summary, .lines = {count, ordered}};
    if (s_record_step (call, seq, summary->id, "created", by, NULL)
        || event_po_created_emit (call, summary->id, &created) < 0)
        return -1;
    if (!approved)
        return 0;
    event_po_approved_t approval = {.po_summary = *summary, .lines = {count, ordered},
                                    .approved_at = call->now_ms, .auto_approved = true};
    return s_record_step (call, seq, summary->id, "approved", by, "under the approval limit")
                   || event_po_approved_emit (call, summary->id, &approval) < 0
               ? -1
               : 0;
}

int po_read (shr_call_t *call, const char *id, procurement_po_t *out)
{
    return shr_call_get (
        call,
        "SELECT " PO_SUMMARY_COLUMNS ", auto_approved, approved_at_ms AS approved_at,"
        " approved_by, created_by, by, cancelled_at_ms AS cancelled_at, reason,"
        " (SELECT json_group_array (json_object ('sku', sku, 'qty', qty, 'unit_price_cents',"
        "   unit_price_cents, 'amount_cents', amount_cents, 'best_price_cents', best_price_cents,"
        "   'accepted', accepted, 'rejected', rejected, 'requisition_id', requisition_id))"
        "  FROM (SELECT * FROM po_line l WHERE l.po_seq = po.seq ORDER BY line)) AS lines,"
        " (SELECT json_group_array (json_object ('at', at_ms, 'actor', actor, 'by', by, 'lines',"
        "   json ((SELECT json_group_array (json_object ('sku', sku, 'accepted', accepted,"
        "    'rejected', rejected, 'days_late', days_late)) FROM (SELECT * FROM receipt_line rl"
        "    WHERE rl.receipt_n = r.n ORDER BY line)))))"
        "  FROM (SELECT * FROM receipt r WHERE r.po_seq = po.seq ORDER BY n) r) AS receipts"
        " FROM po WHERE id = :id",
        NULL, NULL, &procurement_po_shape, out, SHR_TEXT (":id", id), SHR_END);
}

int po_create (shr_call_t *call, const procurement_po_create_request_t *request,
               procurement_po_t *reply)
{
    procurement_supplier_t supplier;
    int found = supplier_read (call, request->supplier_id, &supplier);
    if (found == 0)
        return shr_call_fail (call, SHR_NOT_FOUND, "/body/supplier_id", "no supplier %s",
                              request->supplier_id);
    if (found < 0 || po_check_supplier (call, &supplier, "/body/supplier_id"))
        return -1;
    size_t count = request->lines.count;
    po_line_in_t *lines = (po_line_in_t *) shr_call_alloc (call, count * sizeof *lines);
    if (!lines)
        return shr_call_fail (call, SHR_INTERNAL, NULL, "out of memory");
    for (size_t i = 0; i < count; i++) {
        const procurement_po_create_request_lines_item_t *line = &request->lines.items[i];
        for (size_t j = 0; j < i; j++)
            if (streq (request->lines.items[j].sku, line->sku))
                return shr_call_fail (call, SHR_INVALID_ARGUMENT,
                                      shr_call_printf (call, "/body/lines/%zu/sku", i),
                                      "part %s is on /body/lines/%zu already", line->sku, j);
        lines[i] = (po_line_in_t) {line->sku, line->qty, line->unit_price_cents, 0, false, NULL};
        if (!line->has_unit_price_cents) {
            found = price_offer (call, supplier.id, line->sku, line->qty, call->now_ms,
                                 &lines[i].unit_price_cents);
            if (found == 0)
                return shr_call_fail (call, SHR_INVALID_ARGUMENT,
                                      shr_call_printf (call, "/body/lines/%zu/unit_price_cents", i),
                                      "%s has no price for %lld of %s today: give"
                                      " unit_price_cents",
                                      supplier.id, (long long) line->qty, line->sku);
            if (found < 0)
                return -1;
        }
        found = price_best (call, line->sku, line->qty, call->now_ms, &lines[i].best_price_cents);
        if (found < 0)
            return -1;
        lines[i].has_best_price_cents = found == 1;
    }
    procurement_po_summary_t summary;
    if (po_make (call, &supplier, request->warehouse_id, lines, count, request->by, "/body/lines",
                 &summary))
        return -1;
    found = po_read (call, summary.id, reply);
    return found == 1 ? 0 : found < 0 ? -1 : shr_call_db_error (call);
}

int po_get (shr_call_t *call, const procurement_po_get_request_t *request, procurement_po_t *reply)
{
    int found = po_read (call, request->id, reply);
    if (found == 0)
        return shr_call_fail (call, SHR_NOT_FOUND, "/body/id", "no purchase order %s",
                              request->id);
    return found < 0 ? -1 : 0;
}

int po_list (shr_call_t *call, const procurement_po_list_request_t *request,
             procurement_po_list_reply_t *reply)
{
    int64_t after = 0;
    char *end = NULL;
    if (request->cursor && ((after = strtoll (request->cursor, &end, 10)) < 0 || *end))
        return shr_call_fail (call, SHR_INVALID_ARGUMENT, "/body/cursor",
                              "cursor %s is not one that po.list returned", request->cursor);
    return shr_call_list (call,
                          "SELECT " PO_SUMMARY_COLUMNS ", seq AS _cursor FROM po WHERE seq > :after"
                          " AND (:status IS NULL OR status = :status)"
                          " AND (:supplier_id IS NULL OR supplier_id = :supplier_id)"
                          " AND (:warehouse_id IS NULL OR warehouse_id = :warehouse_id)"
                          " ORDER BY seq LIMIT :limit + 1",
                          &procurement_po_list_request_shape, request,
                          &procurement_po_summary_shape, &reply->items, request->limit,
                          &reply->next_cursor, SHR_INT (":after", after), SHR_END);
}
