/*  visit - the work orders a contract needs from dispatch, planned when it
    is sold. An installation, upgrade or consulting contract needs its own
    job on its first day (visit 0). A maintenance plan needs visits_per_year
    x term months / 12 visits (at least one), the first on its first day and
    the others spread evenly over its days. visit_sender.c asks dispatch for
    each as its day comes near; visit.list shows them with their orders.
*/
#include "contracts.h"

//  dispatch's work order type for the job a contract of kind needs; NULL for none.
static const char *s_job_type (const char *kind)
{
    if (streq (kind, "installation") || streq (kind, "upgrade") || streq (kind, "consulting"))
        return kind;
    return streq (kind, "maintenance_plan") ? "maintenance" : NULL;
}

static int s_add (shr_call_t *call, const char *contract_id, int64_t visit, const char *type,
                  int64_t due_on)
{
    return shr_call_exec (call,
                          "INSERT INTO visit (contract_id, visit, type, due_on) VALUES (:id,"
                          " :visit, :type, :due)",
                          NULL, NULL, SHR_TEXT (":id", contract_id), SHR_INT (":visit", visit),
                          SHR_TEXT (":type", type), SHR_TEXT (":due", day_text (call, due_on)),
                          SHR_END);
}

int visit_plan (shr_call_t *call, const contracts_contract_t *contract,
                const contracts_offering_t *offering)
{
    const char *type = s_job_type (contract->kind);
    if (!type)
        return 0;
    int64_t starts, ends;
    day_parse (contract->starts_on, &starts);
    day_parse (contract->ends_on, &ends);
    if (!streq (type, "maintenance"))
        return s_add (call, contract->id, 0, type, starts);
    int64_t months = offering->has_term_months ? offering->term_months : 12;
    int64_t count = offering->visits_per_year * months / 12;
    count = count > 0 ? count : 1;
    int64_t days = ends - starts + 1;
    for (int64_t n = 0; n < count; n++)
        if (s_add (call, contract->id, n + 1, type, starts + n * days / count))
            return -1;
    return 0;
}

int visit_list (shr_call_t *call, const contracts_visit_list_request_t *request,
                contracts_visit_list_reply_t *reply)
{
    contracts_contract_t contract;
    return contract_find (call, request->contract_id, "/body/contract_id", &contract)
           || shr_call_list (call,
                          "SELECT contract_id, visit, type, due_on, workorder_id, requested_at_ms,"
                          " attempts, last_error FROM visit WHERE contract_id = :contract_id"
                          " ORDER BY visit",
                          &contracts_visit_list_request_shape, request, &contracts_visit_shape,
                          &reply->items, 0, NULL, SHR_END);
}
