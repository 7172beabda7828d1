/*  part - parts and their reorder policies, one per warehouse that controls
    the part's stock. Setting a policy gives the stock its row and checks it at
    once: a part already at or below its new reorder point is announced.
*/
#include "inventory.h"

//  A part as replies show it: its policies come along, so one statement reads
//  a page. json_object's NULLs read as absent.
#define PART_COLUMNS                                                                             \
    "sku, name, unit, category, updated_at_ms AS updated_at,"                                    \
    " (SELECT json_group_array (json_object ('warehouse_id', warehouse_id, 'kind', kind,"       \
    "   'reorder_point', reorder_point, 'order_up_to', order_up_to,"                             \
    "   'order_multiple', order_multiple, 'min_order_qty', min_order_qty,"                       \
    "   'lead_time_days', lead_time_days, 'service_level', service_level,"                       \
    "   'window_days', window_days, 'ordering_cost_cents', ordering_cost_cents,"                 \
    "   'holding_cost_cents', holding_cost_cents, 'cover_days', cover_days)) FROM"               \
    "  (SELECT * FROM reorder_policy r WHERE r.sku = p.sku ORDER BY warehouse_id)) AS policies"

int part_exists (shr_call_t *call, const char *sku)
{
    inventory_part_t part;
    return shr_call_get (call, "SELECT sku FROM part WHERE sku = :sku", NULL, NULL,
                         &inventory_part_shape, &part, SHR_TEXT (":sku", sku), SHR_END);
}

int part_require (shr_call_t *call, const char *sku, const char *field)
{
    int found = part_exists (call, sku);
    if (found == 0)
        return shr_call_fail (call, SHR_NOT_FOUND, field, "no part %s", sku);
    return found < 0 ? -1 : 0;
}

int part_ensure (shr_call_t *call, const char *sku, const char *because)
{
    int found = part_exists (call, sku);
    if (found != 0)
        return found < 0 ? -1 : 0;
    shr_log_warn ("part %s was not described: made a placeholder (%s)", sku, because);
    return shr_call_exec (call,
                          "INSERT INTO part (sku, name, unit, updated_at_ms)"
                          " VALUES (:sku, :name, 'each', :now)",
                          NULL, NULL, SHR_TEXT (":sku", sku),
                          SHR_TEXT (":name", shr_call_printf (call, "%s (%s)", sku, because)),
                          SHR_END);
}

static int s_read (shr_call_t *call, const char *sku, inventory_part_t *out)
{
    return shr_call_get (call, "SELECT " PART_COLUMNS " FROM part p WHERE sku = :sku", NULL, NULL,
                         &inventory_part_shape, out, SHR_TEXT (":sku", sku), SHR_END);
}

//  A policy must say what its kind needs, and nothing it cannot use.
static int s_check_policy (shr_call_t *call, const inventory_policy_t *policy, size_t i)
{
    const char *at = shr_call_printf (call, "/body/policies/%zu", i);
    if (streq (policy->kind, "fixed")) {
        if (!policy->has_reorder_point || !policy->has_order_up_to)
            return shr_call_fail (call, SHR_INVALID_ARGUMENT,
                                  shr_call_printf (call, "%s/%s", at,
                                                   policy->has_reorder_point ? "order_up_to"
                                                                             : "reorder_point"),
                                  "a fixed policy needs reorder_point and order_up_to");
        if (policy->order_up_to < policy->reorder_point)
            return shr_call_fail (call, SHR_INVALID_ARGUMENT,
                                  shr_call_printf (call, "%s/order_up_to", at),
                                  "order_up_to %lld is below the reorder point %lld",
                                  (long long) policy->order_up_to,
                                  (long long) policy->reorder_point);
    }
    if (streq (policy->kind, "auto")) {
        if (!policy->has_lead_time_days)
            return shr_call_fail (call, SHR_INVALID_ARGUMENT,
                                  shr_call_printf (call, "%s/lead_time_days", at),
                                  "an auto policy needs lead_time_days");
        if (policy->has_reorder_point || policy->has_order_up_to)
            return shr_call_fail (call, SHR_INVALID_ARGUMENT,
                                  shr_call_printf (call, "%s/%s", at,
                                                   policy->has_reorder_point ? "reorder_point"
                                                                             : "order_up_to"),
                                  "an auto policy works its levels out from demand: give no"
                                  " reorder_point or order_up_to");
        if (policy->has_ordering_cost_cents != policy->has_holding_cost_cents)
            return shr_call_fail (call, SHR_INVALID_ARGUMENT,
                                  shr_call_printf (call, "%s/%s", at,
                                                   policy->has_ordering_cost_cents
                                                       ? "holding_cost_cents"
                                                       : "ordering_cost_cents"),
                                  "the economic order quantity needs both ordering_cost_cents"
                                  " and holding_cost_cents");
    }
    return warehouse_require (call, policy->warehouse_id,
                              shr_call_printf (call, "%s/warehouse_id", at));
}

//  Sets (or, kind none, removes) one policy; the stock gets its row and is checked.
static int s_set_policy (shr_call_t *call, const char *sku, const inventory_policy_t *policy)
{
    if (streq (policy->kind, "none"))
        return shr_call_exec (call,
                              "DELETE FROM reorder_policy WHERE sku = :sku"
                              " AND warehouse_id = :warehouse_id",
                              &inventory_policy_shape, policy, SHR_TEXT (":sku", sku), SHR_END)
               || stock_settle (call, sku, policy->warehouse_id);
    return stock_row_ensure (call, sku, policy->warehouse_id)
           || shr_call_exec (
               call,
               "INSERT OR REPLACE INTO reorder_policy (sku, warehouse_id, kind, reorder_point,"
               " order_up_to, order_multiple, min_order_qty, lead_time_days, service_level,"
               " window_days, ordering_cost_cents, holding_cost_cents, cover_days) VALUES (:sku,"
               " :warehouse_id, :kind, :reorder_point, :order_up_to, :order_multiple,"
               " :min_order_qty, :lead_time_days, :service_level, :window_days,"
               " :ordering_cost_cents, :holding_cost_cents, :cover_days)",
               &inventory_policy_shape, policy, SHR_TEXT (":sku", sku), SHR_END)
           || stock_settle (call, sku, policy->warehouse_id);
}

int part_upsert (shr_call_t *call, const inventory_part_upsert_request_t *request,
                 inventory_part_t *reply)
{
    const inventory_policy_t *policies = request->policies.items;
    for (size_t i = 0; i < request->policies.count; i++) {
        if (s_check_policy (call, &policies[i], i))
            return -1;
        for (size_t j = 0; j < i; j++)
            if (streq (policies[j].warehouse_id, policies[i].warehouse_id))
                return shr_call_fail (call, SHR_INVALID_ARGUMENT,
                                      shr_call_printf (call, "/body/policies/%zu/warehouse_id", i),
                                      "warehouse %s has a policy at /body/policies/%zu already",
                                      policies[i].warehouse_id, j);
    }
    if (shr_call_exec (call,
                       "INSERT INTO part (sku, name, unit, category, updated_at_ms) VALUES (:sku,"
                       " :name, coalesce (:unit, 'each'), :category, :now) ON CONFLICT (sku) DO"
                       " UPDATE SET name = :name, unit = coalesce (:unit, unit),"
                       " category = coalesce (:category, category), updated_at_ms = :now",
                       &inventory_part_upsert_request_shape, request, SHR_END))
        return -1;
    //  The part first, then its policies: the part.updated event below shows
    //  them, and any reorder alert a policy raised comes before it.
    for (size_t i = 0; i < request->policies.count; i++)
        if (s_set_policy (call, request->sku, &policies[i]))
            return -1;
    if (s_read (call, request->sku, reply) != 1)
        return shr_call_db_error (call);
    return event_part_updated_emit (call, request->sku, reply) < 0 ? -1 : 0;
}

int part_get (shr_call_t *call, const inventory_part_get_request_t *request,
              inventory_part_t *reply)
{
    int found = s_read (call, request->sku, reply);
    if (found == 0)
        return shr_call_fail (call, SHR_NOT_FOUND, "/body/sku", "no part %s", request->sku);
    return found < 0 ? -1 : 0;
}

int part_list (shr_call_t *call, const inventory_part_list_request_t *request,
               inventory_part_list_reply_t *reply)
{
    return shr_call_list (call,
                          "SELECT " PART_COLUMNS ", sku AS _cursor FROM part p"
                          " WHERE (:category IS NULL OR category = :category)"
                          " AND sku > coalesce (:cursor, '') ORDER BY sku LIMIT :limit + 1",
                          &inventory_part_list_request_shape, request, &inventory_part_shape,
                          &reply->items, request->limit, &reply->next_cursor, SHR_END);
}
