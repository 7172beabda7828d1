/*  offer - an extended warranty offered to a customer before the asset's
    last warranty day (offer_campaign.c makes them), at its quoted price.
    Accepted, it becomes a contract from the day after that cover ends (or
    today, if it has ended), which changes the asset's coverage; declined,
    the answer is kept. Either way the offering's uptake counts it.
*/
#include "contracts.h"

static int s_load (shr_call_t *call, const char *id, const char *step, contracts_offer_t *offer)
{
    int found = shr_call_get (call, "SELECT " OFFER_COLUMNS " FROM offer WHERE id = :id", NULL,
                              NULL, &contracts_offer_shape, offer, SHR_TEXT (":id", id), SHR_END);
    if (found <= 0)
        return found < 0 ? -1 : shr_call_fail (call, SHR_NOT_FOUND, "/body/id", "no offer %s", id);
    if (!streq (offer->status, "made"))
        return shr_call_fail (call, SHR_FAILED_PRECONDITION, "/body/id",
                              "cannot %s %s: it is %s; %s needs it made", step, id, offer->status,
                              step);
    return 0;
}

static int s_answer (shr_call_t *call, contracts_offer_t *offer, const char *status,
                     const char *contract_id, const char *reason)
{
    return shr_call_exec (call,
                          "UPDATE offer SET status = :status, answered_at_ms = :now,"
                          " contract_id = :contract, reason = :reason WHERE id = :id",
                          NULL, NULL, SHR_TEXT (":status", status),
                          SHR_TEXT (":contract", contract_id), SHR_TEXT (":reason", reason),
                          SHR_TEXT (":id", offer->id), SHR_END)
                   || shr_call_get (call, "SELECT " OFFER_COLUMNS " FROM offer WHERE id = :id",
                                    NULL, NULL, &contracts_offer_shape, offer,
                                    SHR_TEXT (":id", offer->id), SHR_END)
                          != 1
               ? -1
               : 0;
}

int offer_accept (shr_call_t *call, const contracts_offer_accept_request_t *request,
                  contracts_offer_t *reply)
{
    contracts_offering_t offering;
    if (s_load (call, request->id, "accept", reply))
        return -1;
    if (offering_read (call, reply->offering_id, &offering) != 1)
        return shr_call_db_error (call);
    if (!offering.active)
        return shr_call_fail (call, SHR_FAILED_PRECONDITION, "/body/id",
                              "cannot accept %s: offering %s is not sold any more", reply->id,
                              offering.id);
    int64_t cover_ends, today = day_of_ms (call->now_ms);
    day_parse (reply->cover_ends_on, &cover_ends);
    contract_sale_t sale = {.customer_id = reply->customer_id,
                            .asset_id = reply->asset_id,
                            .offering = &offering,
                            .starts_on = cover_ends + 1 > today ? cover_ends + 1 : today,
                            .price_cents = reply->price_cents,
                            .cost_basis_cents = reply->cost_basis_cents,
                            .offer_id = reply->id};
    contracts_contract_t contract;
    if (contract_ends (call, NULL, sale.starts_on, &offering, &sale.ends_on)
        || contract_insert (call, &sale, &contract))
        return -1;
    event_contract_sold_t sold = {.contract = contract, .revenue_cents = contract.price_cents};
    if (event_contract_sold_emit (call, contract.id, &sold) < 0
        || s_answer (call, reply, "accepted", contract.id, NULL))
        return -1;
    event_offer_accepted_t event = {.offer = *reply};
    return event_offer_accepted_emit (call, reply->id, &event) < 0 ? -1 : 0;
}

int offer_decline (shr_call_t *call, const contracts_offer_decline_request_t *request,
                   contracts_offer_t *reply)
{
    if (s_load (call, request->id, "decline", reply)
        || s_answer (call, reply, "declined", NULL, request->reason))
        return -1;
    event_offer_declined_t event = {.offer = *reply};
    return event_offer_declined_emit (call, reply->id, &event) < 0 ? -1 : 0;
}

int offer_list (shr_call_t *call, const contracts_offer_list_request_t *request,
                contracts_offer_list_reply_t *reply)
{
    return shr_call_list (call,
                          "SELECT " OFFER_COLUMNS ", id AS _cursor FROM offer WHERE seq >"
                          " coalesce ((SELECT seq FROM offer WHERE id = :cursor),"
                          " iif (:cursor IS NULL, 0, NULL))"
                          " AND (:customer_id IS NULL OR customer_id = :customer_id)"
                          " AND (:asset_id IS NULL OR asset_id = :asset_id)"
                          " AND (:status IS NULL OR status = :status) ORDER BY seq"
                          " LIMIT :limit + 1",
                          &contracts_offer_list_request_shape, request, &contracts_offer_shape,
                          &reply->items, request->limit, &reply->next_cursor, SHR_END);
}
