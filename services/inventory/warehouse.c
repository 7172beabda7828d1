/*  warehouse - warehouses and the regions they serve. A region is served by
    one warehouse: a work order of that region takes its parts there.
*/
#include "inventory.h"

#define WAREHOUSE_COLUMNS                                                                        \
    "id, name, updated_at_ms AS updated_at,"                                                     \
    " (SELECT json_group_array (region) FROM (SELECT region FROM warehouse_region r"            \
    "  WHERE r.warehouse_id = w.id ORDER BY region)) AS regions"

int warehouse_require (shr_call_t *call, const char *id, const char *field)
{
    inventory_warehouse_t warehouse;
    int found = shr_call_get (call, "SELECT id FROM warehouse WHERE id = :id", NULL, NULL,
                              &inventory_warehouse_shape, &warehouse, SHR_TEXT (":id", id),
                              SHR_END);
    if (found == 0)
        return shr_call_fail (call, SHR_NOT_FOUND, field, "no warehouse %s", id);
    return found < 0 ? -1 : 0;
}

const char *warehouse_serving (shr_call_t *call, const char *region, bool *failed)
{
    inventory_warehouse_t warehouse;
    int found = shr_call_get (call, "SELECT warehouse_id AS id FROM warehouse_region"
                                    " WHERE region = :region",
                              NULL, NULL, &inventory_warehouse_shape, &warehouse,
                              SHR_TEXT (":region", region), SHR_END);
    *failed = found < 0;
    return found == 1 ? warehouse.id : NULL;
}

int warehouse_ensure (shr_call_t *call, const char *id, const char *because)
{
    inventory_warehouse_t warehouse;
    int found = shr_call_get (call, "SELECT id FROM warehouse WHERE id = :id", NULL, NULL,
                              &inventory_warehouse_shape, &warehouse, SHR_TEXT (":id", id),
                              SHR_END);
    if (found != 0)
        return found < 0 ? -1 : 0;
    shr_log_warn ("warehouse %s was not described: made a placeholder (%s)", id, because);
    return shr_call_exec (call,
                          "INSERT INTO warehouse (id, name, updated_at_ms) VALUES (:id, :name, :now)",
                          NULL, NULL, SHR_TEXT (":id", id),
                          SHR_TEXT (":name", shr_call_printf (call, "%s (%s)", id, because)),
                          SHR_END);
}

int warehouse_upsert (shr_call_t *call, const inventory_warehouse_upsert_request_t *request,
                      inventory_warehouse_t *reply)
{
    //  A region another warehouse serves stays with it until that one lets it go.
    for (size_t i = 0; i < request->regions.count; i++) {
        bool failed;
        const char *serving = warehouse_serving (call, request->regions.items[i], &failed);
        if (failed)
            return -1;
        if (serving && !streq (serving, request->id))
            return shr_call_fail (call, SHR_FAILED_PRECONDITION,
                                  shr_call_printf (call, "/body/regions/%zu", i),
                                  "region %s is served by warehouse %s: take it off there first",
                                  request->regions.items[i], serving);
    }
    if (shr_call_exec (call,
                       "INSERT INTO warehouse (id, name, updated_at_ms) VALUES (:id, :name, :now)"
                       " ON CONFLICT (id) DO UPDATE SET name = :name, updated_at_ms = :now",
                       &inventory_warehouse_upsert_request_shape, request, SHR_END)
        || shr_call_exec (call, "DELETE FROM warehouse_region WHERE warehouse_id = :id",
                          &inventory_warehouse_upsert_request_shape, request, SHR_END))
        return -1;
    for (size_t i = 0; i < request->regions.count; i++)
        if (shr_call_exec (call,
                           "INSERT INTO warehouse_region (region, warehouse_id) VALUES (:region, :id)",
                           &inventory_warehouse_upsert_request_shape, request,
                           SHR_TEXT (":region", request->regions.items[i]), SHR_END))
            return -1;
    int found = shr_call_get (call, "SELECT " WAREHOUSE_COLUMNS " FROM warehouse w WHERE id = :id",
                              &inventory_warehouse_upsert_request_shape, request,
                              &inventory_warehouse_shape, reply, SHR_END);
    return found == 1 ? 0 : found < 0 ? -1 : shr_call_db_error (call);
}

int warehouse_list (shr_call_t *call, const inventory_warehouse_list_request_t *request,
                    inventory_warehouse_list_reply_t *reply)
{
    (void) request;
    return shr_call_list (call, "SELECT " WAREHOUSE_COLUMNS " FROM warehouse w ORDER BY id", NULL,
                          NULL, &inventory_warehouse_shape, &reply->items, 0, NULL, SHR_END);
}
