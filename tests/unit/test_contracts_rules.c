/*  Unit tests of contracts' pure rules: calendar days (parsing, leap years,
    adding months), the pro-rata refund of a cancelled contract, a quote's
    terms, and what a returned rental costs. */
#include "../../services/contracts/contracts.h"
#include "testutil.h"

static int64_t s_day (const char *text)
{
    int64_t day = INT64_MIN;
    CHECK (day_parse (text, &day) == 0);
    return day;
}

static const char *s_text (int64_t day)
{
    static char text[DAY_LEN];
    day_format (day, text);
    return text;
}

static void test_days_parse_and_format (void)
{
    int64_t day;
    CHECK_INT (s_day ("1970-01-01"), 0);
    CHECK_INT (s_day ("1969-12-31"), -1);
    CHECK_INT (s_day ("2000-03-01") - s_day ("2000-02-28"), 2);   //  2000 was a leap year
    CHECK_INT (s_day ("2100-03-01") - s_day ("2100-02-28"), 1);   //  2100 will not be
    CHECK (day_parse ("2027-02-29", &day) == -1);
    CHECK (day_parse ("2028-02-29", &day) == 0);
    CHECK (day_parse ("2027-04-31", &day) == -1);
    CHECK (day_parse ("2027-13-01", &day) == -1);
    CHECK (day_parse ("2027-00-10", &day) == -1);
    CHECK (day_parse ("2027-1-10", &day) == -1);
    CHECK (day_parse ("2027-01-1a", &day) == -1);
    CHECK (day_parse (NULL, &day) == -1);
    CHECK_STR (s_text (s_day ("2029-02-28")), "2029-02-28");
    CHECK_STR (s_text (0), "1970-01-01");
    CHECK_STR (s_text (-1), "1969-12-31");
    CHECK_INT (day_of_ms (0), 0);
    CHECK_INT (day_of_ms (86400000LL - 1), 0);
    CHECK_INT (day_of_ms (-1), -1);
    CHECK_INT (day_of_ms (1795770000000LL), s_day ("2026-11-27"));
}

static void test_months_keep_the_day_or_the_months_last (void)
{
    CHECK_STR (s_text (day_add_months (s_day ("2027-03-01"), 24)), "2029-03-01");
    CHECK_STR (s_text (day_add_months (s_day ("2027-01-31"), 1)), "2027-02-28");
    CHECK_STR (s_text (day_add_months (s_day ("2028-01-31"), 1)), "2028-02-29");
    CHECK_STR (s_text (day_add_months (s_day ("2027-12-15"), 1)), "2028-01-15");
    CHECK_STR (s_text (day_add_months (s_day ("2027-03-31"), -1)), "2027-02-28");
    CHECK_STR (s_text (day_add_months (s_day ("2027-01-15"), -13)), "2025-12-15");
    CHECK_STR (s_text (day_add_months (s_day ("2027-05-31"), 120)), "2037-05-31");
}

static void test_the_refund_is_pro_rata_by_days_rounded_down (void)
{
    int64_t starts = s_day ("2027-03-01"), ends = s_day ("2028-02-29");  //  366 days
    //  Cancelled on the 100th day: 266 days left; 36,500 x 266 / 366 = 26,527.32.
    CHECK_INT (refund_pro_rata (36500, starts, ends, s_day ("2027-06-08")), 26527);
    CHECK_INT (refund_pro_rata (36500, starts, ends, starts), 36500 * 365 / 366);
    CHECK_INT (refund_pro_rata (36500, starts, ends, starts - 1), 36500);
    CHECK_INT (refund_pro_rata (36500, starts, ends, ends), 0);
    CHECK_INT (refund_pro_rata (36500, starts, ends, ends - 1), 99);  //  36,500 / 366
    CHECK_INT (refund_pro_rata (0, starts, ends, starts), 0);
    //  A one-day contract: before it, all; on it, nothing.
    CHECK_INT (refund_pro_rata (999, starts, starts, starts - 1), 999);
    CHECK_INT (refund_pro_rata (999, starts, starts, starts), 0);
    //  The largest price the schema allows, over ten years: no overflow.
    int64_t decade = day_add_months (starts, 120) - 1;
    CHECK_INT (refund_pro_rata (1000000000000LL, starts, decade, starts + 3652 / 2),
               1000000000000LL * (decade - starts - 3652 / 2) / (decade - starts + 1));
}

static pricing_input_t s_warranty (void)
{
    //  Two repairs of 15,000 over 1,168 unit days; 24 months; 30 % margin;
    //  one offer, none accepted, against a 20 % target and a 10 % discount.
    return (pricing_input_t) {.configured_cost_cents = 20000,
                              .has_history = true,
                              .history = {.orders = 2, .repair_cost_cents = 30000,
                                          .unit_days = 1168},
                              .has_term = true,
                              .term_months = 24,
                              .target_margin_bp = 3000,
                              .uptake_offers = 1,
                              .uptake_target_bp = 2000,
                              .demand_discount_bp = 1000,
                              .band_bp = 1500};
}

static void test_a_quote_shows_each_term (void)
{
    pricing_input_t input = s_warranty ();
    contracts_quote_t quote;
    memset (&quote, 0, sizeof quote);
    pricing_quote (&input, &quote);
    CHECK_STR (quote.cost_source, "history");
    CHECK_INT (quote.history.per_unit_year_cents, 9375);  //  30,000 x 365 / 1,168
    CHECK_INT (quote.cost_basis_cents, 18750);             //  x 24 / 12
    CHECK_INT (quote.with_margin_cents, 24375);            //  x 1.3
    CHECK (quote.has_uptake_bp && quote.uptake_bp == 0);
    CHECK_INT (quote.demand_discount_bp, 1000);
    CHECK_INT (quote.after_demand_cents, 21938);           //  x 0.9 = 21,937.5, half up
    CHECK (!quote.has_band_low_cents && !quote.has_band_high_cents);
    CHECK_INT (quote.price_cents, 21938);
    //  A competitor at 18,000 with a 15 % band caps it at 20,700; at 30,000 it lifts it to 25,500.
    input.has_competitor = true;
    input.competitor_price_cents = 18000;
    pricing_quote (&input, &quote);
    CHECK_INT (quote.band_low_cents, 15300);
    CHECK_INT (quote.band_high_cents, 20700);
    CHECK_INT (quote.price_cents, 20700);
    input.competitor_price_cents = 30000;
    pricing_quote (&input, &quote);
    CHECK_INT (quote.price_cents, 25500);
    //  Uptake at its target: no step. No offers at all: no step either.
    input.has_competitor = false;
    input.uptake_offers = 5;
    input.uptake_accepted = 1;
    pricing_quote (&input, &quote);
    CHECK_INT (quote.uptake_bp, 2000);
    CHECK_INT (quote.demand_discount_bp, 0);
    CHECK_INT (quote.price_cents, 24375);
    input.uptake_offers = 0;
    input.uptake_accepted = 0;
    pricing_quote (&input, &quote);
    CHECK (!quote.has_uptake_bp);
    CHECK_INT (quote.demand_discount_bp, 0);
    //  Without history (or without a term to multiply it by): the configured cost.
    input.has_history = false;
    pricing_quote (&input, &quote);
    CHECK_STR (quote.cost_source, "configured");
    CHECK (!quote.has_history);
    CHECK_INT (quote.cost_basis_cents, 20000);
    CHECK_INT (quote.price_cents, 26000);
    input = s_warranty ();
    input.has_term = false;
    pricing_quote (&input, &quote);
    CHECK_STR (quote.cost_source, "configured");
    //  A band wider than the reference floors at 0; the largest cost does not overflow.
    input = s_warranty ();
    input.has_history = false;
    input.configured_cost_cents = 1000000000000LL;
    input.has_competitor = true;
    input.competitor_price_cents = 100;
    input.band_bp = 20000;
    pricing_quote (&input, &quote);
    CHECK_INT (quote.band_low_cents, 0);
    CHECK_INT (quote.with_margin_cents, 1300000000000LL);
    CHECK_INT (quote.price_cents, 300);
}

static void test_a_rental_pays_its_days_its_late_days_and_settles_the_deposit (void)
{
    contracts_rental_t rental = {.daily_rate_cents = 1000, .deposit_cents = 5000,
                                 .late_rate_bp = 15000};
    int64_t starts = s_day ("2027-03-01"), due = s_day ("2027-03-08");
    rental_settle (&rental, starts, due, s_day ("2027-03-11"));
    CHECK_INT (rental.days, 10);
    CHECK_INT (rental.late_days, 3);
    CHECK_INT (rental.rent_cents, 7000);
    CHECK_INT (rental.late_fee_cents, 4500);
    CHECK_INT (rental.deposit_refund_cents, 0);
    CHECK_INT (rental.balance_due_cents, 6500);
    rental_settle (&rental, starts, due, s_day ("2027-03-03"));  //  early: two days
    CHECK_INT (rental.days, 2);
    CHECK_INT (rental.late_days, 0);
    CHECK_INT (rental.rent_cents, 2000);
    CHECK_INT (rental.deposit_refund_cents, 3000);
    CHECK_INT (rental.balance_due_cents, 0);
    rental_settle (&rental, starts, due, starts);  //  out and back the same day: one day
    CHECK_INT (rental.days, 1);
    CHECK_INT (rental.rent_cents, 1000);
    rental.late_rate_bp = 12345;  //  3 x 1,000 x 1.2345 = 3,703.5: half up
    rental_settle (&rental, starts, due, s_day ("2027-03-11"));
    CHECK_INT (rental.late_fee_cents, 3704);
}

int main (void)
{
    RUN (test_days_parse_and_format);
    RUN (test_months_keep_the_day_or_the_months_last);
    RUN (test_the_refund_is_pro_rata_by_days_rounded_down);
    RUN (test_a_quote_shows_each_term);
    RUN (test_a_rental_pays_its_days_its_late_days_and_settles_the_deposit);
    return TEST_DONE ("test_contracts_rules");
}
