/*  contract - contracts sold from the catalogue: a customer, the asset where
    the kind applies (extended warranty, maintenance plan, upgrade), the
    offering, the first and last day, the price and its cost basis in cents
    (by default both as offering.quote gives them).
    A sale is announced with contract.sold (kind, revenue, cost basis); one
    that covers its asset changes the asset's coverage.
*/
#include "contracts.h"

int contract_read (shr_call_t *call, const char *id, contracts_contract_t *out)
{
    return shr_call_get (call, "SELECT " CONTRACT_COLUMNS " FROM contract WHERE id = :id", NULL,
                         NULL, &contracts_contract_shape, out, SHR_TEXT (":id", id), SHR_END);
}

int contract_insert (shr_call_t *call, const contract_sale_t *sale, contracts_contract_t *out)
{
    const contracts_offering_t *offering = sale->offering;
    if (shr_call_get (call,
                      "INSERT INTO contract (id, customer_id, asset_id, offering_id, kind,"
                      " starts_on, ends_on, price_cents, cost_basis_cents, currency, status,"
                      " renewal_of, offer_id, created_at_ms) VALUES (printf ('CT-%06d', (SELECT"
                      " coalesce (max (seq), 0) + 1 FROM contract)), :customer_id, :asset_id,"
                      " :offering_id, :kind, :starts_on, :ends_on, :price, :cost, :currency,"
                      " 'active', :renewal_of, :offer_id, :now) RETURNING " CONTRACT_COLUMNS,
                      NULL, NULL, &contracts_contract_shape, out,
                      SHR_TEXT (":customer_id", sale->customer_id),
                      SHR_TEXT (":asset_id", sale->asset_id),
                      SHR_TEXT (":offering_id", offering->id), SHR_TEXT (":kind", offering->kind),
                      SHR_TEXT (":starts_on", day_text (call, sale->starts_on)),
                      SHR_TEXT (":ends_on", day_text (call, sale->ends_on)),
                      SHR_INT (":price", sale->price_cents),
                      SHR_INT (":cost", sale->cost_basis_cents),
                      SHR_TEXT (":currency", offering->currency),
                      SHR_TEXT (":renewal_of", sale->renewal_of),
                      SHR_TEXT (":offer_id", sale->offer_id), SHR_END)
        != 1)
        return -1;
    if (sale->asset_id && offering_covers (offering->kind)
        && cover_changed (call, sale->asset_id, out->id))
        return -1;
    return visit_plan (call, out, offering);
}

//  The asset a sale names, checked against the customer and the offering.
static int s_check_asset (shr_call_t *call, const contracts_contract_create_request_t *request,
                          const contracts_offering_t *offering)
{
    bool needs = offering_covers (offering->kind) || streq (offering->kind, "upgrade");
    if (!request->asset_id)
        return needs ? shr_call_fail (call, SHR_INVALID_ARGUMENT, "/body/asset_id",
                                      "a %s contract is sold on an asset", offering->kind)
                     : 0;
    contracts_asset_t asset;
    if (asset_find (call, request->asset_id, "/body/asset_id", &asset))
        return -1;
    if (!streq (asset.customer_id, request->customer_id))
        return shr_call_fail (call, SHR_INVALID_ARGUMENT, "/body/customer_id",
                              "asset %s belongs to customer %s, not %s", asset.id,
                              asset.customer_id, request->customer_id);
    if (offering->model && !streq (offering->model, asset.model))
        return shr_call_fail (call, SHR_INVALID_ARGUMENT, "/body/offering_id",
                              "offering %s is for model %s; asset %s is a %s", offering->id,
                              offering->model, asset.id, asset.model);
    return 0;
}

//  The last day: as given, or the first plus the offering's term, less a day.
int contract_ends (shr_call_t *call, const char *ends_on, int64_t starts,
                   const contracts_offering_t *offering, int64_t *ends)
{
    if (ends_on) {
        if (day_field (call, ends_on, "/body/ends_on", ends))
            return -1;
    }
    else if (offering->has_term_months)
        *ends = day_add_months (starts, offering->term_months) - 1;
    else
        return shr_call_fail (call, SHR_INVALID_ARGUMENT, "/body/ends_on",
                              "offering %s has no term: give ends_on", offering->id);
    if (*ends < starts)
        return shr_call_fail (call, SHR_INVALID_ARGUMENT, "/body/ends_on",
                              "the contract would end on %s, before it starts on %s",
                              day_text (call, *ends), day_text (call, starts));
    return 0;
}

int contract_create (shr_call_t *call, const contracts_contract_create_request_t *request,
                     contracts_contract_t *reply)
{
    contracts_offering_t offering;
    if (offering_find (call, request->offering_id, "/body/offering_id", &offering))
        return -1;
    if (!offering.active)
        return shr_call_fail (call, SHR_FAILED_PRECONDITION, "/body/offering_id",
                              "offering %s is not sold any more", offering.id);
    if (streq (offering.kind, "rental"))
        return shr_call_fail (call, SHR_INVALID_ARGUMENT, "/body/offering_id",
                              "offering %s is a rental: rental.start lends the item",
                              offering.id);
    contract_sale_t sale = {.customer_id = request->customer_id,
                            .asset_id = request->asset_id,
                            .offering = &offering};
    contracts_quote_t quote;
    if (day_field (call, request->starts_on, "/body/starts_on", &sale.starts_on)
        || contract_ends (call, request->ends_on, sale.starts_on, &offering, &sale.ends_on)
        || s_check_asset (call, request, &offering) || quote_make (call, &offering, NULL, &quote))
        return -1;
    //  The quote's cost basis always; its price unless the seller agreed another.
    sale.price_cents = request->has_price_cents ? request->price_cents : quote.price_cents;
    sale.cost_basis_cents = quote.cost_basis_cents;
    if (contract_insert (call, &sale, reply))
        return -1;
    event_contract_sold_t event = {.contract = *reply, .revenue_cents = reply->price_cents};
    return event_contract_sold_emit (call, reply->id, &event) < 0 ? -1 : 0;
}

int contract_find (shr_call_t *call, const char *id, const char *field,
                   contracts_contract_t *out)
{
    int found = contract_read (call, id, out);
    return found ? (found < 0 ? -1 : 0)
                 : shr_call_fail (call, SHR_NOT_FOUND, field, "no contract %s", id);
}

int contract_get (shr_call_t *call, const contracts_contract_get_request_t *request,
                  contracts_contract_t *reply)
{
    return contract_find (call, request->id, "/body/id", reply);
}

#define LIST_FILTERS                                                                             \
    " AND (:status IS NULL OR status = :status) AND (:kind IS NULL OR kind = :kind)"             \
    " AND (:customer_id IS NULL OR customer_id = :customer_id)"                                  \
    " AND (:asset_id IS NULL OR asset_id = :asset_id) ORDER BY seq LIMIT :limit + 1"
#define LIST_AFTER                                                                               \
    "SELECT " CONTRACT_COLUMNS ", id AS _cursor FROM contract WHERE seq > coalesce ((SELECT seq" \
    " FROM contract WHERE id = :cursor), iif (:cursor IS NULL, 0, NULL))"

int contract_list (shr_call_t *call, const contracts_contract_list_request_t *request,
                   contracts_contract_list_reply_t *reply)
{
    //  One statement per index that narrows most; the other filters apply to what it yields.
    const char *sql = request->asset_id      ? LIST_AFTER " AND asset_id = :asset_id" LIST_FILTERS
                      : request->customer_id ? LIST_AFTER " AND customer_id = :customer_id"
                                               LIST_FILTERS
                                             : LIST_AFTER LIST_FILTERS;
    return shr_call_list (call, sql, &contracts_contract_list_request_shape, request,
                          &contracts_contract_shape, &reply->items, request->limit,
                          &reply->next_cursor, SHR_END);
}
