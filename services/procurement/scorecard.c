/*  scorecard - a supplier's rates, score and standing over a period. Pure:
    the counts come from the received lines (supplier_rating.c).

      on-time rate  = lines received on or before their promised date / lines received
      quality rate  = accepted / received quantity
      price index   = mean over lines of (lowest offer for that sku and quantity
                      on the order date / this supplier's price), each at most 1
      score         = 100 x (price weight x price index + on-time weight x
                      on-time rate + quality weight x quality rate), one decimal
    Standings by score: 80-100 excellent, 50 to under 80 average, 30 to under
    50 poor, under 30 very poor. A supplier with nothing received in the
    period is unrated: no rates, no score, and nothing to block it for.
*/
#include "procurement.h"

#include <math.h>

const char *scorecard_standing (double score)
{
    return score >= 80 ? "excellent" : score >= 50 ? "average" : score >= 30 ? "poor" : "very_poor";
}

void scorecard_compute (const scorecard_counts_t *counts, const procurement_weights_t *weights,
                        procurement_scorecard_t *out)
{
    out->lines_received = counts->lines;
    out->has_on_time_rate = out->has_quality_rate = out->has_price_index = out->has_score
        = counts->lines > 0;
    if (counts->lines == 0) {
        out->standing = "unrated";
        return;
    }
    out->on_time_rate = (double) counts->on_time_lines / (double) counts->lines;
    out->quality_rate
        = counts->received > 0 ? (double) counts->accepted / (double) counts->received : 1;
    out->price_index = counts->price_ratio_sum / (double) counts->lines;
    double score = 100 * (weights->price * out->price_index + weights->on_time * out->on_time_rate
                          + weights->quality * out->quality_rate);
    //  Half up at one decimal; the slack keeps 74.95 from becoming 74.9 by a last bit.
    out->score = floor (score * 10 + 0.5 + 1e-9) / 10;
    out->standing = scorecard_standing (out->score);
}
