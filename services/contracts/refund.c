/*  refund - what a cancelled contract gives back, pro rata by days.

    The rule: a contract runs from its first day to its last, both counted
    (term = ends_on - starts_on + 1 days). The day of cancellation counts as
    used. The refund is the price times the days left after it over the term,
    rounded down to the cent: price x (ends_on - cancelled_on) / term. A
    contract cancelled before its first day gives everything back; on its
    last day, nothing. No fee is kept. Pure.
*/
#include "contracts.h"

int64_t refund_pro_rata (int64_t price_cents, int64_t starts_on, int64_t ends_on,
                         int64_t cancelled_on)
{
    int64_t term = ends_on - starts_on + 1;
    if (term <= 0 || cancelled_on < starts_on)
        return price_cents;
    int64_t left = ends_on - cancelled_on;
    if (left <= 0)
        return 0;
    //  price <= 10^12 cents and a term of at most a few thousand years of days: no overflow.
    return price_cents * left / term;
}
