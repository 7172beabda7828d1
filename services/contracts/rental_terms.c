/*  rental_terms - what a rental costs when it comes back.

    Days out = returned - started (at least 1: an item out and back the same
    day is a day). Late days = returned - due, when positive. Rent = (days out
    - late days) x the daily rate: an early return pays only the days used.
    Late fee = late days x daily rate x the late rate (bp, fixed when it went
    out), rounded half up. The deposit settles the charges: what is left of it
    goes back (deposit refund), what it does not cover is due (balance due).
    Pure.
*/
#include "contracts.h"

void rental_settle (contracts_rental_t *rental, int64_t starts_on, int64_t due_on,
                    int64_t returned_on)
{
    int64_t out = returned_on - starts_on;
    rental->days = out > 1 ? out : 1;
    rental->late_days = returned_on > due_on ? returned_on - due_on : 0;
    if (rental->late_days > rental->days)
        rental->late_days = rental->days;
    rental->rent_cents = (rental->days - rental->late_days) * rental->daily_rate_cents;
    __int128 fee = (__int128) rental->late_days * rental->daily_rate_cents * rental->late_rate_bp;
    rental->late_fee_cents = (int64_t) ((fee + 5000) / 10000);
    int64_t charges = rental->rent_cents + rental->late_fee_cents;
    rental->deposit_refund_cents
        = rental->deposit_cents > charges ? rental->deposit_cents - charges : 0;
    rental->balance_due_cents = charges > rental->deposit_cents ? charges - rental->deposit_cents
                                                                 : 0;
}
