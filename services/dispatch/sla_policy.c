/*  sla_policy - how long an order of each type and priority may take, how
    long before its due time it counts as at risk, by when it is to be
    assigned (first response), and whether its clock stops while it waits for
    parts. Each order's times are fixed when it is created, from this table
    (sla_scan.c watches the clock; a pause moves the due time on resuming).
*/
#define POLICY_COLUMNS                                                                           \
    "type, priority, resolve_within_s, at_risk_before_s, assign_within_s, pause_waiting_parts"
#include "dispatch.h"

int sla_policy_lookup (shr_call_t *call, const char *type, const char *priority,
                       dispatch_sla_policy_t *policy)
{
    int found = shr_call_get (call,
                              "SELECT " POLICY_COLUMNS " FROM sla_policy WHERE type = :type"
                              " AND priority = :priority",
                              NULL, NULL, &dispatch_sla_policy_shape, policy,
                              SHR_TEXT (":type", type), SHR_TEXT (":priority", priority), SHR_END);
    if (found != 1)  //  every pair has a row since migration 1
        return found < 0 ? -1 : shr_call_db_error (call);
    return 0;
}

int sla_policy_set (shr_call_t *call, const dispatch_sla_policy_set_request_t *request,
                    dispatch_sla_policy_t *reply)
{
    if (request->at_risk_before_s >= request->resolve_within_s)
        return shr_call_fail (call, SHR_INVALID_ARGUMENT, "/body/at_risk_before_s",
                              "at_risk_before_s (%lld) must be less than resolve_within_s (%lld)",
                              (long long) request->at_risk_before_s,
                              (long long) request->resolve_within_s);
    //  Without an assign-by time, an eighth of the time to resolve (30 min of 4 h).
    int64_t assign_within_s = request->has_assign_within_s ? request->assign_within_s
                                                           : request->resolve_within_s / 8;
    if (assign_within_s > request->resolve_within_s)
        return shr_call_fail (call, SHR_INVALID_ARGUMENT, "/body/assign_within_s",
                              "assign_within_s (%lld) must not be more than resolve_within_s (%lld)",
                              (long long) assign_within_s, (long long) request->resolve_within_s);
    if (shr_call_exec (call,
                       "INSERT INTO sla_policy (type, priority, resolve_within_s, at_risk_before_s,"
                       " assign_within_s, pause_waiting_parts) VALUES (:type, :priority,"
                       " :resolve_within_s, :at_risk_before_s, :assign, :pause_waiting_parts)"
                       " ON CONFLICT (type, priority) DO UPDATE SET"
                       " resolve_within_s = excluded.resolve_within_s,"
                       " at_risk_before_s = excluded.at_risk_before_s,"
                       " assign_within_s = excluded.assign_within_s,"
                       " pause_waiting_parts = excluded.pause_waiting_parts",
                       &dispatch_sla_policy_set_request_shape, request,
                       SHR_INT (":assign", assign_within_s), SHR_END))
        return -1;
    return sla_policy_lookup (call, request->type, request->priority, reply);
}

int sla_policy_get (shr_call_t *call, const dispatch_sla_policy_get_request_t *request,
                    dispatch_sla_policy_get_reply_t *reply)
{
    return shr_call_list (call,
                          "SELECT " POLICY_COLUMNS " FROM"
                          " sla_policy WHERE (:type IS NULL OR type = :type)"
                          " AND (:priority IS NULL OR priority = :priority)"
                          " ORDER BY type, resolve_within_s",
                          &dispatch_sla_policy_get_request_shape, request,
                          &dispatch_sla_policy_shape, &reply->policies, 0, NULL, SHR_END);
}
