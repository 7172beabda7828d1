/*  requisition - a need to buy a part for a warehouse: by hand, or from
    inventory's stock.below_reorder (the suggested quantity). One open
    requisition per part and warehouse at a time: a reorder alert while one
    is open adds nothing. procurement.run turns open ones into orders.
*/
#include "procurement.h"

#define REQUISITION_COLUMNS                                                                      \
    "id, sku, warehouse_id, qty, source, status, reason, po_id, created_at_ms AS created_at,"   \
    " actor, by"

//  The open requisition of the part and warehouse. Returns 1, 0 if none, or -1.
static int s_open_one (shr_call_t *call, const char *sku, const char *warehouse_id,
                       procurement_requisition_t *out)
{
    return shr_call_get (call,
                         "SELECT " REQUISITION_COLUMNS " FROM requisition WHERE sku = :sku"
                         " AND warehouse_id = :wh AND status = 'open'",
                         NULL, NULL, &procurement_requisition_shape, out, SHR_TEXT (":sku", sku),
                         SHR_TEXT (":wh", warehouse_id), SHR_END);
}

int requisition_open (shr_call_t *call, const char *sku, const char *warehouse_id, int64_t qty,
                      const char *source, const char *by, const char *field,
                      procurement_requisition_t *out)
{
    procurement_requisition_t made;
    int found = s_open_one (call, sku, warehouse_id, &made);
    if (found < 0)
        return -1;
    if (found)
        return shr_call_fail (call, SHR_ALREADY_EXISTS, field,
                              "requisition %s for %lld of %s in %s is open already", made.id,
                              (long long) made.qty, sku, warehouse_id);
    found = shr_call_get (call,
                          "INSERT INTO requisition (id, sku, warehouse_id, qty, source, status,"
                          " created_at_ms, actor, by) VALUES (printf ('RQ-%06d', (SELECT"
                          " coalesce (max (seq), 0) + 1 FROM requisition)), :sku, :wh, :qty,"
                          " :source, 'open', :now, :actor, :by) RETURNING " REQUISITION_COLUMNS,
                          NULL, NULL, &procurement_requisition_shape, &made,
                          SHR_TEXT (":sku", sku), SHR_TEXT (":wh", warehouse_id),
                          SHR_INT (":qty", qty), SHR_TEXT (":source", source),
                          SHR_TEXT (":actor", call->actor), SHR_TEXT (":by", by), SHR_END);
    if (found != 1)
        return found < 0 ? -1 : shr_call_db_error (call);
    if (out)
        *out = made;
    return event_requisition_created_emit (call, made.id, &made) < 0 ? -1 : 0;
}

int requisition_create (shr_call_t *call, const procurement_requisition_create_request_t *request,
                        procurement_requisition_t *reply)
{
    return requisition_open (call, request->sku, request->warehouse_id, request->qty, "manual",
                             request->by, "/body/sku", reply);
}

int requisition_list (shr_call_t *call, const procurement_requisition_list_request_t *request,
                      procurement_requisition_list_reply_t *reply)
{
    int64_t after = 0;
    char *end = NULL;
    if (request->cursor && ((after = strtoll (request->cursor, &end, 10)) < 0 || *end))
        return shr_call_fail (call, SHR_INVALID_ARGUMENT, "/body/cursor",
                              "cursor %s is not one that requisition.list returned",
                              request->cursor);
    return shr_call_list (call,
                          "SELECT " REQUISITION_COLUMNS ", seq AS _cursor FROM requisition"
                          " WHERE seq > :after AND (:status IS NULL OR status = :status)"
                          " AND (:sku IS NULL OR sku = :sku)"
                          " AND (:warehouse_id IS NULL OR warehouse_id = :warehouse_id)"
                          " ORDER BY seq LIMIT :limit + 1",
                          &procurement_requisition_list_request_shape, request,
                          &procurement_requisition_shape, &reply->items, request->limit,
                          &reply->next_cursor, SHR_INT (":after", after), SHR_END);
}

//  Inventory's reorder alert: a requisition for the suggested quantity, unless
//  one is open for the part and warehouse.
static int s_on_below_reorder (shr_call_t *call, const shr_event_t *event,
                               const event_stock_below_reorder_t *data)
{
    (void) event;
    procurement_requisition_t open;
    int found = s_open_one (call, data->sku, data->warehouse_id, &open);
    if (found < 0)
        return -1;
    if (found) {
        shr_log_info ("%s in %s is below its reorder point; %s is open for it already",
                      data->sku, data->warehouse_id, open.id);
        return 0;
    }
    return requisition_open (call, data->sku, data->warehouse_id, data->suggested_qty, "reorder",
                             NULL, NULL, NULL);
}

const shr_event_handler_t requisition_handlers[] = {
    SHR_ON (event_stock_below_reorder, s_on_below_reorder), {NULL}};
