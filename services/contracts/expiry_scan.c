/*  expiry_scan - the clock that ends contracts. Each active contract whose
    last day has passed is marked expired and announced (contract.expired)
    in the same unit of work, so each is announced exactly once whenever the
    service restarts. Its cover period stays as it was: it simply ended.
    Time comes from the service's clock, which tests move with
    test.clock.advance.
*/
#include "contracts.h"

#define SCAN_BATCH 500  //  contracts per tick; the next tick takes the rest

int expiry_scan (shr_call_t *call)
{
    const char *today = day_text (call, day_of_ms (call->now_ms));
    struct {
        size_t count;
        contracts_contract_t *items;
    } due = {0, NULL};
    //  The WHERE repeats the partial index's own, so SQLite reads only active contracts.
    if (!today
        || shr_call_list (call,
                          "SELECT " CONTRACT_COLUMNS " FROM contract WHERE status = 'active'"
                          " AND ends_on < :today ORDER BY ends_on LIMIT :batch",
                          NULL, NULL, &contracts_contract_shape, &due, 0, NULL,
                          SHR_TEXT (":today", today), SHR_INT (":batch", SCAN_BATCH), SHR_END))
        return -1;
    for (size_t i = 0; i < due.count; i++) {
        contracts_contract_t *contract = &due.items[i];
        if (shr_call_exec (call,
                           "UPDATE contract SET status = 'expired', expired_at_ms = :now"
                           " WHERE id = :id AND status = 'active'",
                           NULL, NULL, SHR_TEXT (":id", contract->id), SHR_END))
            return -1;
        contract->status = "expired";
        event_contract_expired_t event = {.contract = *contract};
        if (event_contract_expired_emit (call, contract->id, &event) < 0)
            return -1;
        shr_log_info ("contract %s expired: its last day was %s", contract->id,
                      contract->ends_on);
    }
    return 0;
}
