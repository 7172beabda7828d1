/*  Procurement's pure rules against hand-worked cases: the scorecard (rates,
    the score to one decimal, standings, unrated) and the choice of supplier
    by the weighted score. */
#include "../../services/procurement/procurement.h"
#include "testutil.h"

#include <math.h>

#define CHECK_NEAR(a, b, eps) CHECK (fabs ((double) (a) - (double) (b)) <= (eps))

static const procurement_weights_t s_weights = {0.4, 0.3, 0.3};

static void test_scorecard_from_counts (void)
{
    //  4 lines, 3 on time; 90 of 100 units accepted; price ratios adding to 3.6:
    //  100 x (0.4 x 0.9 + 0.3 x 0.75 + 0.3 x 0.9) = 85.5, excellent.
    scorecard_counts_t counts = {"S-1", 4, 3, 90, 100, 3.6};
    procurement_scorecard_t card = {0};
    scorecard_compute (&counts, &s_weights, &card);
    CHECK_INT (card.lines_received, 4);
    CHECK_NEAR (card.on_time_rate, 0.75, 1e-12);
    CHECK_NEAR (card.quality_rate, 0.9, 1e-12);
    CHECK_NEAR (card.price_index, 0.9, 1e-12);
    CHECK (card.has_score);
    CHECK_NEAR (card.score, 85.5, 1e-9);
    CHECK_STR (card.standing, "excellent");
    //  Late on every line, half rejected, dear: 100 x (0.4 x 0.5 + 0 + 0.3 x 0.5) = 35, poor.
    scorecard_counts_t late = {"S-2", 2, 0, 10, 20, 1.0};
    scorecard_compute (&late, &s_weights, &card);
    CHECK_NEAR (card.score, 35, 1e-9);
    CHECK_STR (card.standing, "poor");
    //  Nothing on time, a third accepted, a third of the best price:
    //  100 x (0.4/3 + 0 + 0.1) = 23.33 -> 23.3, very poor.
    scorecard_counts_t bad = {"S-3", 3, 0, 10, 30, 1.0};
    scorecard_compute (&bad, &s_weights, &card);
    CHECK_NEAR (card.score, 23.3, 1e-9);
    CHECK_STR (card.standing, "very_poor");
    //  Other weights: quality only.
    procurement_weights_t quality = {0, 0, 1};
    scorecard_compute (&late, &quality, &card);
    CHECK_NEAR (card.score, 50, 1e-9);
    CHECK_STR (card.standing, "average");
}

static void test_one_decimal_half_up (void)
{
    //  2/3 on time, all accepted, best price: 100 x (0.4 + 0.2 + 0.3) = 90.0;
    //  1/3 on time: 100 x (0.4 + 0.1 + 0.3) = 80.0 exactly, not 79.99...
    scorecard_counts_t counts = {"S-1", 3, 1, 30, 30, 3.0};
    procurement_scorecard_t card = {0};
    scorecard_compute (&counts, &s_weights, &card);
    CHECK_NEAR (card.score, 80, 1e-9);
    CHECK_STR (card.standing, "excellent");
    //  1/8 on time, price 1: 100 x (0.4 + 0.0375 + 0.3) = 73.75 -> 73.8.
    scorecard_counts_t eighth = {"S-1", 8, 1, 80, 80, 8.0};
    scorecard_compute (&eighth, &s_weights, &card);
    CHECK_NEAR (card.score, 73.8, 1e-9);
}

static void test_standings_at_their_bounds (void)
{
    CHECK_STR (scorecard_standing (100), "excellent");
    CHECK_STR (scorecard_standing (80), "excellent");
    CHECK_STR (scorecard_standing (79.9), "average");
    CHECK_STR (scorecard_standing (50), "average");
    CHECK_STR (scorecard_standing (49.9), "poor");
    CHECK_STR (scorecard_standing (30), "poor");
    CHECK_STR (scorecard_standing (29.9), "very_poor");
    CHECK_STR (scorecard_standing (0), "very_poor");
}

static void test_nothing_received_is_unrated (void)
{
    scorecard_counts_t none = {"S-9", 0, 0, 0, 0, 0};
    procurement_scorecard_t card = {0};
    scorecard_compute (&none, &s_weights, &card);
    CHECK_STR (card.standing, "unrated");
    CHECK (!card.has_score && !card.has_on_time_rate && !card.has_quality_rate
           && !card.has_price_index);
}

static void test_the_weighted_choice (void)
{
    //  Cheap and unreliable against dear and reliable: lowest price 1000.
    //  A: 0.4 x 1 + 0.3 x 0.5 + 0.3 x 0.6 = 0.73; B: 0.4 x 1000/1250 + 0.3 + 0.3 = 0.92.
    choice_offer_t offers[] = {{"A", 1000, 0.5, 0.6}, {"B", 1250, 1, 1}};
    CHECK_NEAR (supplier_choice_score (&offers[0], 1000, &s_weights), 0.73, 1e-12);
    CHECK_NEAR (supplier_choice_score (&offers[1], 1000, &s_weights), 0.92, 1e-12);
    CHECK_INT (supplier_choice_best (offers, 2, &s_weights), 1);
    //  Price alone: A.
    procurement_weights_t price = {1, 0, 0};
    CHECK_INT (supplier_choice_best (offers, 2, &price), 0);
    //  Equal scores: the lower price; equal prices too: the smaller id.
    choice_offer_t tied[] = {{"Z", 1000, 0.8, 0.8}, {"M", 1000, 0.8, 0.8}, {"Q", 1000, 0.8, 0.8}};
    CHECK_INT (supplier_choice_best (tied, 3, &s_weights), 1);
    CHECK_INT (supplier_choice_best (tied, 0, &s_weights), -1);
    //  A free part beats every price.
    choice_offer_t free_part[] = {{"A", 10, 1, 1}, {"B", 0, 1, 1}};
    CHECK_INT (supplier_choice_best (free_part, 2, &s_weights), 1);
}

int main (void)
{
    RUN (test_scorecard_from_counts);
    RUN (test_one_decimal_half_up);
    RUN (test_standings_at_their_bounds);
    RUN (test_nothing_received_is_unrated);
    RUN (test_the_weighted_choice);
    return TEST_DONE ("test_procurement_rules");
}
