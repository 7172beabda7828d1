/*  Inventory's pure rules against hand-worked cases: the exact-cents
    valuation, the inverse normal, suggested quantities (with a minimum and a
    multiple), and the fixed and auto reorder levels. */
#include "../../services/inventory/inventory.h"
#include "testutil.h"

#include <math.h>

#define CHECK_NEAR(a, b, eps) CHECK (fabs ((double) (a) - (double) (b)) <= (eps))

static const reorder_defaults_t s_defaults = {0.95, 90, 30, 50};

static void test_an_issue_takes_its_share_rounded_half_up (void)
{
    //  13,000 for 11 units: 5 take 5 x 13000 / 11 = 5909.09 -> 5909.
    CHECK_INT (valuation_issue_cents (13000, 11, 5), 5909);
    //  5 for 2 units: 1 takes 2.5 -> 3; the last takes the 2 left.
    CHECK_INT (valuation_issue_cents (5, 2, 1), 3);
    CHECK_INT (valuation_issue_cents (2, 1, 1), 2);
    //  1 for 3 units: two take 0.67 -> 1, the last 0.
    CHECK_INT (valuation_issue_cents (1, 3, 2), 1);
    CHECK_INT (valuation_issue_cents (0, 1, 1), 0);
    CHECK_INT (valuation_issue_cents (777, 9, 0), 0);
    //  No overflow: 999,999 of a million units worth 10^15 cents.
    CHECK_INT (valuation_issue_cents (1000000000000000LL, 1000000, 999999), 999999000000000LL);
    CHECK_INT (valuation_unit_cost_cents (13000, 11), 1182);
    CHECK_INT (valuation_unit_cost_cents (5, 2), 3);
}

static void test_issuing_one_by_one_never_drifts (void)
{
    //  Whatever the order of issues, the values taken add up to the value held.
    int64_t value = 100003, on_hand = 97, taken = 0;
    int64_t sizes[] = {1, 7, 13, 2, 30, 1, 43};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        int64_t out = valuation_issue_cents (value, on_hand, sizes[i]);
        CHECK (out >= 0 && out <= value);
        value -= out;
        on_hand -= sizes[i];
        taken += out;
    }
    CHECK_INT (on_hand, 0);
    CHECK_INT (value, 0);
    CHECK_INT (taken, 100003);
}

static void test_z_is_the_normal_quantile (void)
{
    CHECK_NEAR (reorder_z (0.5), 0, 1e-9);
    CHECK_NEAR (reorder_z (0.9), 1.2815515655446008, 1e-8);
    CHECK_NEAR (reorder_z (0.95), 1.6448536269514715, 1e-8);
    CHECK_NEAR (reorder_z (0.99), 2.3263478740408408, 1e-8);
    CHECK_NEAR (reorder_z (0.999), 3.090232306167813, 1e-8);
    CHECK_NEAR (reorder_z (0.9999), 3.7190164854557084, 1e-7);
    CHECK_NEAR (reorder_z (0.01), -2.3263478740408408, 1e-8);
}

static void test_suggested_quantities (void)
{
    //  Up to 8 from -2 is 10: already the minimum 10 and a multiple of 5.
    CHECK_INT (reorder_suggested_qty (8, -2, 10, 5), 10);
    //  Up to 20 from 3: 17, no minimum, no multiple.
    CHECK_INT (reorder_suggested_qty (20, 3, 0, 0), 17);
    //  17 rounded up to a multiple of 6: 18.
    CHECK_INT (reorder_suggested_qty (20, 3, 5, 6), 18);
    //  6 raised to the minimum 12, then to a multiple of 5: 15.
    CHECK_INT (reorder_suggested_qty (10, 4, 12, 5), 15);
    //  At order-up-to already: at least one.
    CHECK_INT (reorder_suggested_qty (10, 10, 0, 0), 1);
    CHECK_INT (reorder_suggested_qty (10, 10, 0, 4), 4);
}

static void test_fixed_levels (void)
{
    inventory_policy_t policy = {.warehouse_id = "W", .kind = "fixed", .reorder_point = 5,
                                 .has_reorder_point = true, .order_up_to = 20,
                                 .has_order_up_to = true, .min_order_qty = 12,
                                 .has_min_order_qty = true, .order_multiple = 5,
                                 .has_order_multiple = true};
    reorder_demand_t none = {0, 0, 0};
    inventory_reorder_t out;
    reorder_evaluate (&policy, &s_defaults, &none, 6, &out);
    CHECK_STR (out.kind, "fixed");
    CHECK_INT (out.suggested_qty, 0);  //  above the reorder point
    CHECK_INT (out.overstock_above, 30);
    CHECK (!out.has_z && !out.has_demand_mean);
    reorder_evaluate (&policy, &s_defaults, &none, 5, &out);
    CHECK_INT (out.suggested_qty, 15);  //  20 - 5 = 15: above the minimum, a multiple of 5
    reorder_evaluate (&policy, &s_defaults, &none, 11 - 10, &out);
    CHECK_INT (out.suggested_qty, 20);  //  19 -> 20
    reorder_evaluate (&policy, &s_defaults, &none, 12, &out);
    CHECK_INT (out.suggested_qty, 0);
}

static void test_auto_levels (void)
{
    //  Ten days of issues: 3 0 5 2 0 4 6 0 1 9. Mean 3, variance 172/10 - 9 =
    //  8.2, deviation 2.8636; lead time 4 days at 0.95 (z 1.6449): safety stock
    //  1.6449 x 2.8636 x 2 = 9.4203, reorder point ceil (12 + 9.4203) = 22.
    inventory_policy_t policy = {.warehouse_id = "W", .kind = "auto", .lead_time_days = 4,
                                 .has_lead_time_days = true, .window_days = 10,
                                 .has_window_days = true};
    reorder_demand_t demand = {10, 30, 172};
    inventory_reorder_t out;
    CHECK_INT (reorder_window_days (&policy, &s_defaults), 10);
    reorder_evaluate (&policy, &s_defaults, &demand, 50, &out);
    CHECK_STR (out.kind, "auto");
    CHECK_NEAR (out.demand_mean, 3, 1e-12);
    CHECK_NEAR (out.demand_stddev, 2.8635642126552705, 1e-12);
    CHECK_NEAR (out.z, 1.6448536269514715, 1e-8);
    CHECK_NEAR (out.safety_stock, 9.420287962388914, 1e-7);
    CHECK_INT (out.reorder_point, 22);
    //  Without costs: + 30 days' cover of 3 a day.
    CHECK_INT (out.order_up_to, 22 + 90);
    CHECK (out.has_cover_days && out.cover_days == 30 && !out.has_eoq);
    CHECK_INT (out.suggested_qty, 0);
    //  With costs: EOQ sqrt (2 x 1095 x 5000 / 200) = 233.99 -> 234.
    policy.ordering_cost_cents = 5000;
    policy.has_ordering_cost_cents = true;
    policy.holding_cost_cents = 200;
    policy.has_holding_cost_cents = true;
    reorder_evaluate (&policy, &s_defaults, &demand, 22, &out);
    CHECK_NEAR (out.eoq, 233.9871791359518, 1e-9);
    CHECK_INT (out.order_up_to, 256);
    CHECK_INT (out.suggested_qty, 256 - 22);
    //  A higher service level, from the policy: z 2.3263, safety 13.323, ROP 26.
    policy.service_level = 0.99;
    policy.has_service_level = true;
    reorder_evaluate (&policy, &s_defaults, &demand, 100, &out);
    CHECK_INT (out.reorder_point, 26);
    //  No demand at all: nothing to keep, and at 0 a unit is still suggested.
    reorder_demand_t quiet = {10, 0, 0};
    reorder_evaluate (&policy, &s_defaults, &quiet, 0, &out);
    CHECK_INT (out.reorder_point, 0);
    CHECK_INT (out.order_up_to, 0);
    CHECK_INT (out.suggested_qty, 1);
    //  A whole-number result is not rounded up past itself: 2 a day for 5 days.
    inventory_policy_t steady = {.warehouse_id = "W", .kind = "auto", .lead_time_days = 5,
                                 .has_lead_time_days = true};
    reorder_demand_t flat = {90, 180, 360};
    reorder_evaluate (&steady, &s_defaults, &flat, 100, &out);
    CHECK_NEAR (out.demand_stddev, 0, 1e-9);
    CHECK_INT (out.reorder_point, 10);
    CHECK_INT (out.order_up_to, 10 + 60);
}

int main (void)
{
    RUN (test_an_issue_takes_its_share_rounded_half_up);
    RUN (test_issuing_one_by_one_never_drifts);
    RUN (test_z_is_the_normal_quantile);
    RUN (test_suggested_quantities);
    RUN (test_fixed_levels);
    RUN (test_auto_levels);
    return TEST_DONE ("test_inventory_rules");
}
