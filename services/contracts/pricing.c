/*  pricing - a price from cost, demand and competition, each term shown.

    1. The cost basis. With history (completed in-warranty repairs of the
       model, and the days its registered units have spent under warranty):
       per unit-year = repair cost x 365 / unit days, then x term months / 12.
       Without: the offering's configured cost.
    2. The target margin: cost basis x (10000 + margin bp) / 10000.
    3. The demand step: when the offering's uptake over the last period
       (offers accepted x 10000 / offers made, in bp) is under its target,
       the discount (bp) comes off; no offers yet, no step.
    4. The band: with a competitor's reference price, the result is kept
       within reference x (10000 -/+ band bp) / 10000.
    Each step rounds half up to the cent, and the next starts from the
    rounded figure, so a quote can be worked by hand from what it shows.
    Pure: no store, no clock.
*/
#include "contracts.h"

//  value x num / den, rounded half up (value, num >= 0, den > 0), without overflow.
static int64_t s_scale (int64_t value, int64_t num, int64_t den)
{
    __int128 product = (__int128) value * num;
    __int128 result = (product + den / 2) / den;
    return result > INT64_MAX ? INT64_MAX : (int64_t) result;
}

void pricing_quote (const pricing_input_t *input, contracts_quote_t *quote)
{
    quote->has_term_months = input->has_term;
    quote->term_months = input->term_months;
    quote->has_history = input->has_history && input->history.orders > 0
                         && input->history.unit_days > 0 && input->has_term;
    if (quote->has_history) {
        quote->history = input->history;
        quote->history.per_unit_year_cents
            = s_scale (input->history.repair_cost_cents, 365, input->history.unit_days);
        quote->cost_source = "history";
        quote->cost_basis_cents = s_scale (quote->history.per_unit_year_cents,
                                           input->term_months, 12);
    }
    else {
        quote->cost_source = "configured";
        quote->cost_basis_cents = input->configured_cost_cents;
    }
    quote->target_margin_bp = input->target_margin_bp;
    quote->with_margin_cents
        = s_scale (quote->cost_basis_cents, 10000 + input->target_margin_bp, 10000);

    quote->uptake_offers = input->uptake_offers;
    quote->uptake_accepted = input->uptake_accepted;
    quote->uptake_target_bp = input->uptake_target_bp;
    quote->has_uptake_bp = input->uptake_offers > 0;
    quote->uptake_bp = quote->has_uptake_bp
                           ? input->uptake_accepted * 10000 / input->uptake_offers
                           : 0;
    bool under = quote->has_uptake_bp && quote->uptake_bp < input->uptake_target_bp;
    int64_t discount = input->demand_discount_bp < 10000 ? input->demand_discount_bp : 10000;
    quote->demand_discount_bp = under ? discount : 0;
    quote->after_demand_cents
        = s_scale (quote->with_margin_cents, 10000 - quote->demand_discount_bp, 10000);

    quote->band_bp = input->band_bp;
    quote->has_competitor_price_cents = input->has_competitor;
    quote->competitor_price_cents = input->competitor_price_cents;
    quote->price_cents = quote->after_demand_cents;
    quote->has_band_low_cents = quote->has_band_high_cents = input->has_competitor;
    if (input->has_competitor) {
        int64_t below = input->band_bp < 10000 ? 10000 - input->band_bp : 0;
        quote->band_low_cents = s_scale (input->competitor_price_cents, below, 10000);
        quote->band_high_cents
            = s_scale (input->competitor_price_cents, 10000 + input->band_bp, 10000);
        if (quote->price_cents < quote->band_low_cents)
            quote->price_cents = quote->band_low_cents;
        if (quote->price_cents > quote->band_high_cents)
            quote->price_cents = quote->band_high_cents;
    }
}
