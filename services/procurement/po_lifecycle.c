/*  po_lifecycle - a purchase order's life:

        draft -> approved -> partially_received -> received
        cancelled from draft, approved or partially_received

    The table below is the whole state machine: where each step may start,
    where it goes, and what else its UPDATE records. A step the status does
    not allow fails with failed_precondition naming the status. A receipt
    records accepted and rejected quantities per line and the days late
    against the promised date; the order is received once every line has
    come (accepted or rejected) in full.
*/
#include "procurement.h"

#define MOVE(set) "UPDATE po SET status = :status" set " WHERE id = :id AND status = :from"
static const struct {
    const char *step;
    const char *from[3];
    const char *to;
    const char *sql;
} s_steps[] = {
    {"approve", {"draft"}, "approved",
     MOVE (", approved_at_ms = :now, approved_by = :actor, by = coalesce (:by, by)")},
    {"receive", {"approved", "partially_received"}, "partially_received", MOVE ("")},
    {"complete", {"partially_received"}, "received", MOVE ("")},
    {"cancel", {"draft", "approved", "partially_received"}, "cancelled",
     MOVE (", cancelled_at_ms = :now, reason = :note, by = coalesce (:by, by)")},
};
#define STEP_COUNT (sizeof s_steps / sizeof s_steps[0])

static size_t s_step (const char *step)
{
    size_t i = 0;
    while (i < STEP_COUNT && !streq (s_steps[i].step, step))
        i++;
    assert (i < STEP_COUNT);  //  a step the table lacks is a programming error
    return i;
}

//  Loads order id for step and checks that its status allows it.
static int s_begin (shr_call_t *call, const char *id, const char *step, procurement_po_t *po)
{
    int found = po_read (call, id, po);
    if (found == 0)
        return shr_call_fail (call, SHR_NOT_FOUND, "/body/id", "no purchase order %s", id);
    if (found < 0)
        return -1;
    size_t i = s_step (step);
    char allowed[80] = "";
    for (int j = 0; j < 3 && s_steps[i].from[j]; j++) {
        if (streq (s_steps[i].from[j], po->po_summary.status))
            return 0;
        snprintf (allowed + strlen (allowed), sizeof allowed - strlen (allowed), "%s%s",
                  j ? " or " : "", s_steps[i].from[j]);
    }
    return shr_call_fail (call, SHR_FAILED_PRECONDITION, "/body/id",
                          "cannot %s %s: it is %s; %s needs it %s", step, id,
                          po->po_summary.status, step, allowed);
}

//  Moves the order through step (from the status it was loaded with) and
//  records it. The status is then the table's.
static int s_advance (shr_call_t *call, procurement_po_t *po, const char *step, const char *by,
                      const char *note)
{
    size_t i = s_step (step);
    if (shr_call_exec (call, s_steps[i].sql, NULL, NULL, SHR_TEXT (":id", po->po_summary.id),
                       SHR_TEXT (":status", s_steps[i].to),
                       SHR_TEXT (":from", po->po_summary.status),
                       strstr (s_steps[i].sql, ":by") ? SHR_TEXT (":by", by) : SHR_NONE,
                       strstr (s_steps[i].sql, ":actor") ? SHR_TEXT (":actor", call->actor)
                                                         : SHR_NONE,
                       strstr (s_steps[i].sql, ":note") ? SHR_TEXT (":note", note) : SHR_NONE,
                       SHR_END))
        return -1;
    if (sqlite3_changes (shr_store_db (call->store)) != 1)
        return shr_call_fail (call, SHR_ABORTED, "/body/id", "%s changed while being %sd",
                              po->po_summary.id, step);
    po->po_summary.status = s_steps[i].to;
    return po_record_step (call, po->po_summary.id, step, by, note);
}

static int s_reply (shr_call_t *call, const char *id, procurement_po_t *reply)
{
    int found = po_read (call, id, reply);
    return found == 1 ? 0 : found < 0 ? -1 : shr_call_db_error (call);
}

int po_approve (shr_call_t *call, const procurement_po_approve_request_t *request,
                procurement_po_t *reply)
{
    procurement_po_t po;
    if (s_begin (call, request->id, "approve", &po)
        || s_advance (call, &po, "approve", request->by, NULL)
        || po_announce_approved (call, request->id))
        return -1;
    return s_reply (call, request->id, reply);
}

int po_cancel (shr_call_t *call, const procurement_po_cancel_request_t *request,
               procurement_po_t *reply)
{
    procurement_po_t po;
    if (s_begin (call, request->id, "cancel", &po))
        return -1;
    bool was_approved = !streq (po.po_summary.status, "draft");
    event_po_cancelled_t event = {.was_approved = was_approved, .reason = request->reason};
    event.lines.count = po.lines.count;
    event.lines.items = (event_po_cancelled_lines_item_t *) shr_call_alloc (
        call, (po.lines.count ? po.lines.count : 1) * sizeof *event.lines.items);
    if (!event.lines.items)
        return shr_call_fail (call, SHR_INTERNAL, NULL, "out of memory");
    for (size_t i = 0; i < po.lines.count; i++) {
        const procurement_po_line_t *line = &po.lines.items[i];
        event.lines.items[i] = (event_po_cancelled_lines_item_t) {
            line->sku, line->qty - line->accepted - line->rejected};
    }
    if (s_advance (call, &po, "cancel", request->by, request->reason))
        return -1;
    //  A draft's requisitions are needed still: open again (unless another
    //  is open for the part). An approved order's quantities leave inventory's
    //  on-order, so its reorder control asks again where it must.
    const char *reason = shr_call_printf (call, "%s was cancelled", request->id);
    if ((!was_approved
         && shr_call_exec (call,
                           "UPDATE requisition SET status = 'open', po_id = NULL, reason = NULL"
                           " WHERE po_id = :id AND status = 'ordered' AND NOT EXISTS (SELECT 1"
                           " FROM requisition o WHERE o.sku = requisition.sku AND o.warehouse_id"
                           " = requisition.warehouse_id AND o.status = 'open')",
                           NULL, NULL, SHR_TEXT (":id", request->id), SHR_END))
        || shr_call_exec (call,
                          "UPDATE requisition SET status = 'cancelled', reason = :reason"
                          " WHERE po_id = :id AND status = 'ordered'",
                          NULL, NULL, SHR_TEXT (":id", request->id), SHR_TEXT (":reason", reason),
                          SHR_END))
        return -1;
    event.po_summary = po.po_summary;
    if (event_po_cancelled_emit (call, request->id, &event) < 0)
        return -1;
    return s_reply (call, request->id, reply);
}

//  Checks the receipt's lines against the order: each names one of its
//  parts once, brings at least a unit, and no more than is still to come.
//  index[i] gets the order's line of the receipt's line i.
static int s_check_receipt (shr_call_t *call, const procurement_po_receive_request_t *request,
                            const procurement_po_t *po, size_t *index)
{
    for (size_t i = 0; i < request->lines.count; i++) {
        const procurement_po_receive_request_lines_item_t *line = &request->lines.items[i];
        const char *at = shr_call_printf (call, "/body/lines/%zu", i);
        size_t j = 0;
        while (j < po->lines.count && !streq (po->lines.items[j].sku, line->sku))
            j++;
        if (j == po->lines.count)
            return shr_call_fail (call, SHR_INVALID_ARGUMENT, shr_call_printf (call, "%s/sku", at),
                                  "%s has no line for %s", request->id, line->sku);
        for (size_t k = 0; k < i; k++)
            if (index[k] == j)
                return shr_call_fail (call, SHR_INVALID_ARGUMENT,
                                      shr_call_printf (call, "%s/sku", at),
                                      "part %s is on /body/lines/%zu already", line->sku, k);
        index[i] = j;
        const procurement_po_line_t *ordered = &po->lines.items[j];
        int64_t before = ordered->accepted + ordered->rejected;
        if (line->accepted + line->rejected == 0)
            return shr_call_fail (call, SHR_INVALID_ARGUMENT,
                                  shr_call_printf (call, "%s/accepted", at),
                                  "a receipt line brings at least one unit, accepted or rejected");
        if (before + line->accepted + line->rejected > ordered->qty)
            return shr_call_fail (call, SHR_INVALID_ARGUMENT,
                                  shr_call_printf (call, "%s/accepted", at),
                                  "a receipt over what was ordered: %lld of %s ordered, %lld"
                                  " received before, %lld now",
                                  (long long) ordered->qty, line->sku, (long long) before,
                                  (long long) (line->accepted + line->rejected));
    }
    return 0;
}

int po_receive (shr_call_t *call, const procurement_po_receive_request_t *request,
                procurement_po_t *reply)
{
    procurement_po_t po;
    size_t count = request->lines.count;
    size_t *index = (size_t *) shr_call_alloc (call, count * sizeof *index);
    if (!index)
        return shr_call_fail (call, SHR_INTERNAL, NULL, "out of memory");
    if (s_begin (call, request->id, "receive", &po) || s_check_receipt (call, request, &po, index))
        return -1;
    //  Whole days after the promised one: received on it is on time.
    int64_t days_late = procurement_day (call->now_ms) - procurement_day (po.po_summary.promised_at);
    if (days_late < 0)
        days_late = 0;
    if (shr_call_exec (call,
                       "INSERT INTO receipt (po_seq, at_ms, actor, by) VALUES ((SELECT seq FROM po"
                       " WHERE id = :id), :now, :actor, :by)",
                       NULL, NULL, SHR_TEXT (":id", request->id), SHR_TEXT (":actor", call->actor),
                       SHR_TEXT (":by", request->by), SHR_END))
        return -1;
    int64_t receipt = sqlite3_last_insert_rowid (shr_store_db (call->store));
    event_po_received_t event = {.received_at = call->now_ms};
    event.lines.count = count;
    event.lines.items = (event_po_received_lines_item_t *) shr_call_alloc (
        call, count * sizeof *event.lines.items);
    if (!event.lines.items)
        return shr_call_fail (call, SHR_INTERNAL, NULL, "out of memory");
    bool complete = true;
    for (size_t i = 0; i < count; i++) {
        const procurement_po_receive_request_lines_item_t *line = &request->lines.items[i];
        procurement_po_line_t *ordered = &po.lines.items[index[i]];
        ordered->accepted += line->accepted;
        ordered->rejected += line->rejected;
        if (shr_call_exec (call,
                           "INSERT INTO receipt_line (receipt_n, line, supplier_id, sku, accepted,"
                           " rejected, days_late, on_time, unit_price_cents, best_price_cents,"
                           " at_ms) VALUES (:receipt, :line, :supplier, :sku, :accepted, :rejected,"
                           " :late, :late = 0, :price, :best, :now)",
                           NULL, NULL, SHR_INT (":receipt", receipt),
                           SHR_INT (":line", (int64_t) i + 1),
                           SHR_TEXT (":supplier", po.po_summary.supplier_id),
                           SHR_TEXT (":sku", line->sku), SHR_INT (":accepted", line->accepted),
                           SHR_INT (":rejected", line->rejected), SHR_INT (":late", days_late),
                           SHR_INT (":price", ordered->unit_price_cents),
                           SHR_INT_IF (":best", ordered->has_best_price_cents,
                                       ordered->best_price_cents),
                           SHR_END)
            || shr_call_exec (call,
                              "UPDATE po_line SET accepted = :accepted, rejected = :rejected"
                              " WHERE po_seq = (SELECT seq FROM po WHERE id = :id) AND sku = :sku",
                              &procurement_po_line_shape, ordered, SHR_TEXT (":id", request->id),
                              SHR_END))
            return -1;
        event.lines.items[i] = (event_po_received_lines_item_t) {
            line->sku, po.po_summary.warehouse_id, line->accepted, line->rejected,
            ordered->unit_price_cents, days_late};
    }
    for (size_t j = 0; j < po.lines.count; j++)
        complete = complete
                   && po.lines.items[j].accepted + po.lines.items[j].rejected
                          == po.lines.items[j].qty;
    if (s_advance (call, &po, "receive", request->by, NULL)
        || (complete && s_advance (call, &po, "complete", request->by, NULL)))
        return -1;
    event.po_summary = po.po_summary;
    if (event_po_received_emit (call, request->id, &event) < 0
        || supplier_rating_after_receipt (call, po.po_summary.supplier_id))
        return -1;
    return s_reply (call, request->id, reply);
}
