/*  supplier_choice - which supplier a requisition's line goes to. Pure.

    Each eligible offer (an active, unblocked supplier with a price valid
    today at the line's quantity) is scored
        price weight x (lowest eligible price / its price)
      + on-time weight x its on-time rate + quality weight x its quality rate
    with the weights of PROCUREMENT_WEIGHTS and the rates of its scorecard
    over the default period (a supplier with no deliveries yet gets
    PROCUREMENT_UNRATED_RATE for both). The highest score wins; a tie goes to
    the lower price, then to the smaller supplier id.
*/
#include "procurement.h"

#include <math.h>

double supplier_choice_score (const choice_offer_t *offer, int64_t lowest_price_cents,
                              const procurement_weights_t *weights)
{
    double price = offer->unit_price_cents > 0
                       ? (double) lowest_price_cents / (double) offer->unit_price_cents
                       : 1;
    return weights->price * price + weights->on_time * offer->on_time_rate
           + weights->quality * offer->quality_rate;
}

int supplier_choice_best (const choice_offer_t *offers, size_t count,
                          const procurement_weights_t *weights)
{
    if (count == 0)
        return -1;
    int64_t lowest = offers[0].unit_price_cents;
    for (size_t i = 1; i < count; i++)
        if (offers[i].unit_price_cents < lowest)
            lowest = offers[i].unit_price_cents;
    int best = 0;
    double best_score = supplier_choice_score (&offers[0], lowest, weights);
    for (size_t i = 1; i < count; i++) {
        double score = supplier_choice_score (&offers[i], lowest, weights);
        const choice_offer_t *a = &offers[i], *b = &offers[best];
        //  Scores equal to the last bits are a tie, not a preference.
        bool tie = fabs (score - best_score) < 1e-12;
        if ((!tie && score > best_score)
            || (tie && (a->unit_price_cents < b->unit_price_cents
                        || (a->unit_price_cents == b->unit_price_cents
                            && strcmp (a->supplier_id, b->supplier_id) < 0)))) {
            best = (int) i;
            best_score = score;
        }
    }
    return best;
}
