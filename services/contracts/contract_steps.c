/*  contract_steps - what happens to a contract after its sale. A renewal is
    a new contract from the day after the old one's last, for the offering's
    term (or the old one's length) at its quoted price now, linked both
    ways; a contract is renewed once. A cancellation refunds pro rata
    (refund.c) and ends its cover on the day it is cancelled.
*/
#include "contracts.h"

int contract_renew (shr_call_t *call, const contracts_contract_renew_request_t *request,
                    contracts_contract_t *reply)
{
    contracts_contract_t old;
    contracts_offering_t offering;
    if (contract_find (call, request->id, "/body/id", &old))
        return -1;
    if (streq (old.status, "cancelled"))
        return shr_call_fail (call, SHR_FAILED_PRECONDITION, "/body/id",
                              "cannot renew %s: it is cancelled", old.id);
    if (old.renewed_by)
        return shr_call_fail (call, SHR_FAILED_PRECONDITION, "/body/id",
                              "%s was renewed already, by %s", old.id, old.renewed_by);
    if (offering_read (call, old.offering_id, &offering) != 1)
        return shr_call_db_error (call);
    if (!offering.active)
        return shr_call_fail (call, SHR_FAILED_PRECONDITION, "/body/id",
                              "cannot renew %s: offering %s is not sold any more", old.id,
                              offering.id);
    int64_t old_starts, old_ends;
    contracts_quote_t quote;
    day_parse (old.starts_on, &old_starts);
    day_parse (old.ends_on, &old_ends);
    if (quote_make (call, &offering, NULL, &quote))
        return -1;
    contract_sale_t sale = {.customer_id = old.customer_id,
                            .asset_id = old.asset_id,
                            .offering = &offering,
                            .starts_on = old_ends + 1,
                            .ends_on = old_ends + 1 + (old_ends - old_starts),
                            .price_cents = request->has_price_cents ? request->price_cents
                                                                    : quote.price_cents,
                            .cost_basis_cents = quote.cost_basis_cents,
                            .renewal_of = old.id};
    if ((offering.has_term_months
         && contract_ends (call, NULL, sale.starts_on, &offering, &sale.ends_on))
        || contract_insert (call, &sale, reply)
        || shr_call_exec (call, "UPDATE contract SET renewed_by = :new WHERE id = :id", NULL,
                          NULL, SHR_TEXT (":new", reply->id), SHR_TEXT (":id", old.id), SHR_END))
        return -1;
    event_contract_renewed_t event = {.contract = *reply, .revenue_cents = reply->price_cents};
    return event_contract_renewed_emit (call, reply->id, &event) < 0 ? -1 : 0;
}

int contract_cancel (shr_call_t *call, const contracts_contract_cancel_request_t *request,
                     contracts_contract_t *reply)
{
    contracts_contract_t contract;
    int64_t on, starts, ends;
    if (contract_find (call, request->id, "/body/id", &contract) || day_field (call, request->on, "/body/on", &on))
        return -1;
    if (!streq (contract.status, "active"))
        return shr_call_fail (call, SHR_FAILED_PRECONDITION, "/body/id",
                              "cannot cancel %s: it is %s; cancel needs it active", contract.id,
                              contract.status);
    day_parse (contract.starts_on, &starts);
    day_parse (contract.ends_on, &ends);
    if (on > ends)
        return shr_call_fail (call, SHR_FAILED_PRECONDITION, "/body/on",
                              "cannot cancel %s on %s: its last day is %s", contract.id,
                              day_text (call, on), contract.ends_on);
    int64_t refund = refund_pro_rata (contract.price_cents, starts, ends, on);
    if (shr_call_exec (call,
                       "UPDATE contract SET status = 'cancelled', cancelled_on = :on,"
                       " refund_cents = :refund WHERE id = :id",
                       NULL, NULL, SHR_TEXT (":on", day_text (call, on)),
                       SHR_INT (":refund", refund), SHR_TEXT (":id", contract.id), SHR_END)
        || contract_read (call, contract.id, reply) != 1
        || (reply->asset_id && offering_covers (reply->kind)
            && cover_changed (call, reply->asset_id, reply->id)))
        return -1;
    event_contract_cancelled_t event = {.contract = *reply};
    return event_contract_cancelled_emit (call, reply->id, &event) < 0 ? -1 : 0;
}
