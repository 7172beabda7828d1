/*  sla_policy - how long an order of each type and priority may take, and how
    long before its due time it counts as at risk. Each order's due time is
    fixed when it is created, from this table (sla_scan.c watches the clock).
*/
#include "dispatch.h"

int sla_policy_lookup (shr_call_t *call, const char *type, const char *priority,
                       int64_t *resolve_within_s, int64_t *at_risk_before_s)
{
    dispatch_sla_policy_t policy;
    int found = shr_call_get (call,
                              "SELECT type, priority, resolve_within_s, at_risk_before_s FROM"
                              " sla_policy WHERE type = :type AND priority = :priority",
                              NULL, NULL, &dispatch_sla_policy_shape, &policy,
                              SHR_TEXT (":type", type), SHR_TEXT (":priority", priority), SHR_END);
    if (found != 1)  //  every pair has a row since migration 1
        return found < 0 ? -1 : shr_call_db_error (call);
    *resolve_within_s = policy.resolve_within_s;
    *at_risk_before_s = policy.at_risk_before_s;
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
    if (shr_call_exec (call,
                       "INSERT INTO sla_policy (type, priority, resolve_within_s, at_risk_before_s)"
                       " VALUES (:type, :priority, :resolve_within_s, :at_risk_before_s)"
                       " ON CONFLICT (type, priority) DO UPDATE SET"
                       " resolve_within_s = excluded.resolve_within_s,"
                       " at_risk_before_s = excluded.at_risk_before_s",
                       &dispatch_sla_policy_set_request_shape, request, SHR_END))
        return -1;
    *reply = (dispatch_sla_policy_t) {request->type, request->priority, request->resolve_within_s,
                                      request->at_risk_before_s};
    return 0;
}

int sla_policy_get (shr_call_t *call, const dispatch_sla_policy_get_request_t *request,
                    dispatch_sla_policy_get_reply_t *reply)
{
    return shr_call_list (call,
                          "SELECT type, priority, resolve_within_s, at_risk_before_s FROM"
                          " sla_policy WHERE (:type IS NULL OR type = :type)"
                          " AND (:priority IS NULL OR priority = :priority)"
                          " ORDER BY type, resolve_within_s",
                          &dispatch_sla_policy_get_request_shape, request,
                          &dispatch_sla_policy_shape, &reply->policies, 0, NULL, SHR_END);
}
