/*  supplier - who procurement buys from: contacts, the default lead time that
    sets an order's promised date, active, and blocked (by an officer, or by a
    very poor score until an officer unblocks). Every change leaves an audit
    row with its actor.
*/
#include "procurement.h"

#define SUPPLIER_COLUMNS                                                                         \
    "id, name, contacts, lead_time_days, active, blocked, blocked_reason,"                      \
    " updated_at_ms AS updated_at"

int supplier_read (shr_call_t *call, const char *id, procurement_supplier_t *out)
{
    return shr_call_get (call, "SELECT " SUPPLIER_COLUMNS " FROM supplier WHERE id = :id", NULL,
                         NULL, &procurement_supplier_shape, out, SHR_TEXT (":id", id), SHR_END);
}

static int s_audit (shr_call_t *call, const char *id, const char *action, const char *note,
                    const char *by)
{
    return shr_call_exec (call,
                          "INSERT INTO supplier_audit (supplier_id, at_ms, action, blocked, note,"
                          " actor, by) VALUES (:id, :now, :action, (SELECT blocked FROM supplier"
                          " WHERE id = :id), :note, :actor, :by)",
                          NULL, NULL, SHR_TEXT (":id", id), SHR_TEXT (":action", action),
                          SHR_TEXT (":note", note), SHR_TEXT (":actor", call->actor),
                          SHR_TEXT (":by", by), SHR_END);
}

//  The supplier as it now is, announced.
static int s_announce (shr_call_t *call, const char *id, procurement_supplier_t *supplier)
{
    int found = supplier_read (call, id, supplier);
    if (found != 1)
        return found < 0 ? -1 : shr_call_db_error (call);
    return event_supplier_updated_emit (call, id, supplier) < 0 ? -1 : 0;
}

int supplier_block (shr_call_t *call, const char *id, const char *reason)
{
    procurement_supplier_t supplier;
    return shr_call_exec (call,
                          "UPDATE supplier SET blocked = 1, blocked_reason = :reason,"
                          " updated_at_ms = :now WHERE id = :id",
                          NULL, NULL, SHR_TEXT (":id", id), SHR_TEXT (":reason", reason), SHR_END)
           || s_audit (call, id, "blocked by its score", reason, NULL)
           || s_announce (call, id, &supplier);
}

int supplier_upsert (shr_call_t *call, const procurement_supplier_upsert_request_t *request,
                     procurement_supplier_t *reply)
{
    //  Left out: kept (or the default). Blocking without a reason says who.
    const char *reason = !request->has_blocked || !request->blocked ? NULL
                         : request->blocked_reason
                             ? request->blocked_reason
                             : shr_call_printf (call, "blocked by %s", call->actor);
    if (shr_call_exec (
            call,
            "INSERT INTO supplier (id, name, contacts, lead_time_days, active, blocked,"
            " blocked_reason, updated_at_ms) VALUES (:id, :name, coalesce (:contacts, '[]'),"
            " :lead_time_days, coalesce (:set_active, 1), coalesce (:set_blocked, 0), :reason, :now)"
            " ON CONFLICT (id) DO UPDATE SET name = :name,"
            " contacts = coalesce (:contacts, contacts), lead_time_days = :lead_time_days,"
            " active = coalesce (:set_active, active), blocked = coalesce (:set_blocked, blocked),"
            " blocked_reason = CASE WHEN :set_blocked IS NULL THEN blocked_reason ELSE :reason END,"
            " updated_at_ms = :now",
            &procurement_supplier_upsert_request_shape, request,
            SHR_INT_IF (":set_active", request->has_active, request->active),
            SHR_INT_IF (":set_blocked", request->has_blocked, request->blocked),
            SHR_TEXT (":reason", reason), SHR_END)
        || s_audit (call, request->id,
                    !request->has_blocked ? "upsert" : request->blocked ? "blocked" : "unblocked",
                    reason, request->by))
        return -1;
    return s_announce (call, request->id, reply);
}

int supplier_get (shr_call_t *call, const procurement_supplier_get_request_t *request,
                  procurement_supplier_t *reply)
{
    int found = supplier_read (call, request->id, reply);
    if (found == 0)
        return shr_call_fail (call, SHR_NOT_FOUND, "/body/id", "no supplier %s", request->id);
    return found < 0 ? -1 : 0;
}

int supplier_list (shr_call_t *call, const procurement_supplier_list_request_t *request,
                   procurement_supplier_list_reply_t *reply)
{
    return shr_call_list (call,
                          "SELECT " SUPPLIER_COLUMNS ", id AS _cursor FROM supplier"
                          " WHERE (:active IS NULL OR active = :active)"
                          " AND (:blocked IS NULL OR blocked = :blocked)"
                          " AND id > coalesce (:cursor, '') ORDER BY id LIMIT :limit + 1",
                          &procurement_supplier_list_request_shape, request,
                          &procurement_supplier_shape, &reply->items, request->limit,
                          &reply->next_cursor, SHR_END);
}
