/*  Unit tests of analytics' pure parts: UTC days and months, and the
    indicators' formulas over a period's sums: values, baselines, changes,
    the four target rules, growth over a loss, and unavailable with the
    reason, never a zero. */
#include "../../services/analytics/kpi_def.h"
#include "testutil.h"

static void test_days_and_months (void)
{
    CHECK_INT (calendar_day ("1970-01-01"), 0);
    CHECK_INT (calendar_day ("2026-12-01"), 20788);
    CHECK_INT (calendar_day ("2024-02-29"), 19782);
    CHECK_INT (calendar_day ("2026-02-29"), -1);
    CHECK_INT (calendar_day ("2026-13-01"), -1);
    CHECK_INT (calendar_day ("2026-12-01x"), -1);
    CHECK_INT (calendar_day ("1969-12-31"), -1);
    CHECK_INT (calendar_day_of_ms (20788LL * 86400000 + 86399999), 20788);
    //  Every day of four years: its month starts on or before it, the next after.
    for (int64_t day = calendar_day ("2023-01-01"); day < calendar_day ("2027-01-01"); day++) {
        int64_t month = calendar_month_of_day (day);
        CHECK (calendar_month_first_day (month) <= day);
        CHECK (calendar_month_first_day (month + 1) > day);
    }
    CHECK_INT (calendar_month_of_day (calendar_day ("2026-12-31")), 2026 * 12 + 11);
    CHECK_INT (calendar_month_first_day (2024 * 12 + 2), calendar_day ("2024-03-01"));
}

static rollup_sum_t s_now[] = {
    {"", "repair_s", "", 9000, 3},   {"", "on_time", "", 2, 3},  {"", "score", "", 17, 2},
    {"", "complaint", "", 1, 1},     {"", "revenue", "CNY", 10000, 3},
    {"", "va_revenue", "CNY", 2500, 1}, {"", "labour_cost", "CNY", 3300, 3},
    {"", "margin", "CNY", 500, 3},   {"", "revenue", "EUR", 0, 1}};
static rollup_sum_t s_base[] = {
    {"", "repair_s", "", 12000, 3}, {"", "on_time", "", 1, 2},     {"", "complaint", "", 2, 2},
    {"", "labour_cost", "CNY", 3000, 2}, {"", "margin", "CNY", -1000, 2}};
static rollup_sum_t s_customers[] = {{"", "customer", "", 4, 4}};

static analytics_kpi_value_t s_compute (kpi_id_t id, bool with_base, const char *currency,
                                        double target)
{
    static rollup_t now = {sizeof s_now / sizeof *s_now, s_now};
    static rollup_t base = {sizeof s_base / sizeof *s_base, s_base};
    static rollup_t customers = {1, s_customers};
    analytics_target_t goal = {.target = target, .has_target = target != 0};
    kpi_input_t in = {.now = &now, .base = with_base ? &base : NULL, .customers_now = &customers,
                      .customers_base = &customers, .target = &goal};
    analytics_kpi_value_t out;
    kpi_compute (id, &in, currency, &out);
    return out;
}

static void test_values_against_the_baseline (void)
{
    analytics_kpi_value_t v = s_compute (KPI_AVG_REPAIR_TIME, true, NULL, 20);
    CHECK (v.available && v.value == 3000.0 && v.baseline == 4000.0 && v.change == -1000.0);
    CHECK (v.change_pct == -25.0 && v.has_met && v.met);  //  25 % shorter: at least 20 %
    v = s_compute (KPI_ON_TIME_RATE, true, NULL, 70);
    CHECK (v.value == 100.0 * 2 / 3 && v.baseline == 50.0 && v.has_met && !v.met);
    v = s_compute (KPI_COMPLAINT_RATE, true, NULL, 40);
    CHECK (v.value == 25.0 && v.baseline == 50.0 && v.change_pct == -50.0 && v.met);
    v = s_compute (KPI_SATISFACTION_SCORE, true, NULL, 0);
    CHECK (v.value == 8.5 && !v.has_baseline && !v.has_met);  //  no scores in the baseline
    v = s_compute (KPI_VALUE_ADDED_SHARE, false, "CNY", 30);
    CHECK (v.value == 25.0 && v.has_met && !v.met);
}

static void test_growth_and_reduction (void)
{
    analytics_kpi_value_t v = s_compute (KPI_LABOUR_COST_GROWTH, true, "CNY", 5);
    CHECK (v.available && v.value == 10.0 && v.amount == 3300 && v.baseline_amount == 3000);
    CHECK (v.has_met && !v.met);  //  10 % is more than at most 5 %
    //  From a loss of 1000 to a profit of 500: +150 % of the loss's size.
    v = s_compute (KPI_PROFIT_GROWTH, true, "CNY", 100);
    CHECK (v.value == 150.0 && v.met);
    v = s_compute (KPI_PROFIT_GROWTH, false, "CNY", 100);
    CHECK (!v.available && !v.has_value && strstr (v.reason, "baseline") && !v.has_met);
}

//  Without a baseline period, growth against the year before (growth_base):
//  its amounts, or the reason kpi.report gives, naming the period.
static void test_growth_against_the_year_before (void)
{
    static rollup_t now = {sizeof s_now / sizeof *s_now, s_now};
    static rollup_t year_before = {sizeof s_base / sizeof *s_base, s_base};
    static rollup_t nothing = {0, NULL};
    kpi_input_t in = {.now = &now, .growth_base = &year_before,
                      .growth_default_reason = {"nothing in 2025-03-01..2025-05-31", "parts"}};
    analytics_kpi_value_t v;
    kpi_compute (KPI_LABOUR_COST_GROWTH, &in, "CNY", &v);
    CHECK (v.available && v.value == 10.0 && v.baseline_amount == 3000 && !v.has_baseline);
    kpi_compute (KPI_AVG_REPAIR_TIME, &in, NULL, &v);
    CHECK (v.available && v.value == 3000.0 && !v.has_baseline);  //  no baseline but growth's
    in.growth_base = &nothing;
    kpi_compute (KPI_PROFIT_GROWTH, &in, "CNY", &v);
    CHECK (!v.available && !v.has_value && v.amount == 500 && v.baseline_amount == 0);
    CHECK (streq (v.reason, "nothing in 2025-03-01..2025-05-31"));
}

static void test_unavailable_says_why (void)
{
    analytics_kpi_value_t v = s_compute (KPI_VALUE_ADDED_SHARE, false, "EUR", 0);
    CHECK (!v.available && !v.has_value && strstr (v.reason, "no after-sales revenue"));
    v = s_compute (KPI_INVENTORY_TURNOVER, true, "CNY", 1);
    CHECK (!v.available && strstr (v.reason, "stock value"));
    v = s_compute (KPI_LABOUR_COST_GROWTH, true, "EUR", 0);
    CHECK (!v.available && strstr (v.reason, "no work order was completed"));
    CHECK_INT (kpi_find ("profit_growth"), KPI_PROFIT_GROWTH);
    CHECK_INT (kpi_find ("nope"), -1);
}

int main (void)
{
    RUN (test_days_and_months);
    RUN (test_values_against_the_baseline);
    RUN (test_growth_and_reduction);
    RUN (test_growth_against_the_year_before);
    RUN (test_unavailable_says_why);
    return TEST_DONE ("test_analytics_kpi");
}
