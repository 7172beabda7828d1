/*  quote - a quote's terms from the store, then pricing.c's rule. For an
    extended warranty the cost basis comes from the model's history where it
    exists: dispatch's completed in-warranty orders of the model (repair_feed.c)
    over the days its registered units have spent under warranty, from
    installation to today or their last warranty day, whichever is first.
    The demand step reads the offering's offers over the last
    CONTRACTS_UPTAKE_DAYS.
*/
#include "contracts.h"

//  One row of counts: history and uptake are read into it.
typedef struct {
    int64_t orders, cost_cents, unit_days, offers, accepted;
} s_counts_t;

static const shr_field_t s_counts_fields[] = {
    {.name = "orders", .kind = SHR_FIELD_INT, .offset = offsetof (s_counts_t, orders),
     .has_offset = -1},
    {.name = "cost_cents", .kind = SHR_FIELD_INT, .offset = offsetof (s_counts_t, cost_cents),
     .has_offset = -1},
    {.name = "unit_days", .kind = SHR_FIELD_INT, .offset = offsetof (s_counts_t, unit_days),
     .has_offset = -1},
    {.name = "offers", .kind = SHR_FIELD_INT, .offset = offsetof (s_counts_t, offers),
     .has_offset = -1},
    {.name = "accepted", .kind = SHR_FIELD_INT, .offset = offsetof (s_counts_t, accepted),
     .has_offset = -1},
};
static const shr_shape_t s_counts_shape = {"contracts' quote counts", sizeof (s_counts_t),
                                           s_counts_fields, 5};

int quote_make (shr_call_t *call, const contracts_offering_t *offering, const char *model,
                contracts_quote_t *quote)
{
    const contracts_settings_t *settings = (const contracts_settings_t *) call->arg;
    const char *today = day_text (call, day_of_ms (call->now_ms));
    int64_t since_ms = call->now_ms - (int64_t) settings->uptake_days * 86400000LL;
    s_counts_t counts = {0, 0, 0, 0, 0};
    bool warranty = streq (offering->kind, "extended_warranty");
    model = model ? model : offering->model;
    if (shr_call_get (call,
                      "SELECT (SELECT count (*) FROM repair WHERE model = :model) AS orders,"
                      " (SELECT coalesce (sum (cost_cents), 0) FROM repair WHERE model = :model)"
                      " AS cost_cents, (SELECT CAST (coalesce (sum (max (0, julianday (min"
                      " (:today, covered_until)) - julianday (installed_on) + 1)), 0) AS INTEGER)"
                      " FROM asset WHERE model = :model) AS unit_days, (SELECT count (*)"
                      " FROM offer WHERE offering_id = :offering AND made_at_ms >= :since)"
                      " AS offers, (SELECT count (*) FROM offer"
                      " WHERE offering_id = :offering AND made_at_ms >= :since"
                      " AND status = 'accepted') AS accepted",
                      NULL, NULL, &s_counts_shape, &counts, SHR_TEXT (":model", model),
                      SHR_TEXT (":today", today), SHR_TEXT (":offering", offering->id),
                      SHR_INT (":since", since_ms), SHR_END)
        != 1)
        return shr_call_db_error (call);
    pricing_input_t input = {
        .configured_cost_cents = offering->cost_cents,
        .has_history = warranty && model && counts.orders > 0,
        .history = {.orders = counts.orders,
                    .repair_cost_cents = counts.cost_cents,
                    .unit_days = counts.unit_days},
        .has_term = offering->has_term_months,
        .term_months = offering->term_months,
        .target_margin_bp = offering->target_margin_bp,
        .uptake_offers = counts.offers,
        .uptake_accepted = counts.accepted,
        .uptake_target_bp = offering->uptake_target_bp,
        .demand_discount_bp = offering->demand_discount_bp,
        .has_competitor = offering->has_competitor_price_cents,
        .competitor_price_cents = offering->competitor_price_cents,
        .band_bp = offering->band_bp};
    pricing_quote (&input, quote);
    quote->offering_id = offering->id;
    quote->kind = offering->kind;
    quote->model = model;
    quote->currency = offering->currency;
    return 0;
}

int offering_quote (shr_call_t *call, const contracts_offering_quote_request_t *request,
                    contracts_quote_t *reply)
{
    contracts_offering_t offering;
    contracts_asset_t asset;
    if (offering_find (call, request->offering_id, "/body/offering_id", &offering))
        return -1;
    if (request->asset_id) {
        if (asset_find (call, request->asset_id, "/body/asset_id", &asset))
            return -1;
        if (request->customer_id && !streq (request->customer_id, asset.customer_id))
            return shr_call_fail (call, SHR_INVALID_ARGUMENT, "/body/customer_id",
                                  "asset %s belongs to customer %s, not %s", asset.id,
                                  asset.customer_id, request->customer_id);
    }
    if (quote_make (call, &offering, request->asset_id ? asset.model : NULL, reply))
        return -1;
    reply->asset_id = request->asset_id;
    return 0;
}
