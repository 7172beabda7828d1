/*  valuation - the exact-cents rules of a stock's value. Pure.

    A stock's value is kept as an integer number of cents. A receipt adds
    qty x unit cost; an issue takes qty x (value / on hand), rounded half up,
    and the last unit out takes what is left, so the value never drifts from
    what the ledger says came in and went out.
*/
#include "inventory.h"

int64_t valuation_divide (__int128 numerator, int64_t denominator)
{
    assert (denominator > 0 && numerator >= 0);
    return (int64_t) ((2 * numerator + denominator) / (2 * (__int128) denominator));
}

int64_t valuation_issue_cents (int64_t value_cents, int64_t on_hand, int64_t qty)
{
    assert (qty >= 0 && qty <= on_hand);
    if (qty == on_hand)
        return value_cents;
    return valuation_divide ((__int128) qty * value_cents, on_hand);
}

int64_t valuation_unit_cost_cents (int64_t value_cents, int64_t on_hand)
{
    return valuation_divide (value_cents, on_hand);
}
