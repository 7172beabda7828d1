/*  reorder_policy - reorder points, order-up-to levels and suggested
    quantities. Pure: the store's part (reading demand, storing the levels,
    the alerts) is reorder.c.

    fixed: the reorder point and order-up-to level are as the policy gives them.
    auto:  reorder point = mean daily demand x lead time
                           + z x (standard deviation of daily demand) x sqrt(lead time),
           rounded up, where z is the standard normal quantile of the service
           level and daily demand is the units issued per whole day over the
           window (days without issues count, as 0); the deviation is that of
           the window's days (divided by their number). order-up-to = reorder
           point + the economic order quantity sqrt(2 x annual demand x
           ordering cost / holding cost per unit and year), rounded up, when
           both costs are set; else + mean daily demand x the cover days,
           rounded up.
    Either: at or below the reorder point the suggested quantity is
    order-up-to - position (at least 1), raised to the minimum order quantity
    and rounded up to the order multiple; above order-up-to by the overstock
    margin the stock is overstocked.
*/
#include "inventory.h"

#include <math.h>

//  Rounding up what floating point left a hair above an integer (3.0000000001).
#define CEIL_SLACK 1e-9

static int64_t s_ceil (double value)
{
    return value <= 0 ? 0 : (int64_t) ceil (value - CEIL_SLACK);
}

//  Acklam's rational approximation of the inverse normal distribution
//  (relative error below 1.2e-9 over (0, 1)).
double reorder_z (double p)
{
    static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                               -2.759285104469687e+02, 1.383577518672690e+02,
                               -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                               -1.556989798598866e+02, 6.680131188771972e+01,
                               -1.328068155288572e+01};
    static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                               -2.400758277161838e+00, -2.549732539343734e+00,
                               4.374664141464968e+00,  2.938163982698783e+00};
    static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                               2.445134137142996e+00, 3.754408661907416e+00};
    const double low = 0.02425;
    assert (p > 0 && p < 1);
    if (p < low) {
        double q = sqrt (-2 * log (p));
        return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
               / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    if (p > 1 - low)
        return -reorder_z (1 - p);
    double q = p - 0.5, r = q * q;
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
           / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

int64_t reorder_window_days (const inventory_policy_t *policy, const reorder_defaults_t *defaults)
{
    return policy->has_window_days ? policy->window_days : defaults->window_days;
}

int64_t reorder_suggested_qty (int64_t order_up_to, int64_t position, int64_t min_qty,
                               int64_t multiple)
{
    int64_t qty = order_up_to - position;
    if (qty < 1)
        qty = 1;
    if (qty < min_qty)
        qty = min_qty;
    if (multiple > 1)
        qty = (qty + multiple - 1) / multiple * multiple;
    return qty;
}

//  The levels of an auto policy, with the inputs they came from.
static void s_auto_levels (const inventory_policy_t *policy, const reorder_defaults_t *defaults,
                           const reorder_demand_t *demand, inventory_reorder_t *out)
{
    double days = (double) demand->window_days;
    double mean = days > 0 ? (double) demand->sum / days : 0;
    double variance = days > 0 ? demand->sum_of_squares / days - mean * mean : 0;
    double stddev = variance > 0 ? sqrt (variance) : 0;
    double service_level = policy->has_service_level ? policy->service_level
                                                     : defaults->service_level;
    double lead_time = (double) (policy->has_lead_time_days ? policy->lead_time_days : 0);
    double z = reorder_z (service_level);
    double safety_stock = z * stddev * sqrt (lead_time);
    out->reorder_point = s_ceil (mean * lead_time + safety_stock);
    if (policy->has_ordering_cost_cents && policy->has_holding_cost_cents
        && policy->holding_cost_cents > 0) {
        double annual = mean * 365;
        out->eoq = sqrt (2 * annual * (double) policy->ordering_cost_cents
                         / (double) policy->holding_cost_cents);
        out->has_eoq = true;
        out->order_up_to = out->reorder_point + s_ceil (out->eoq);
    }
    else {
        out->cover_days = policy->has_cover_days ? policy->cover_days : defaults->cover_days;
        out->has_cover_days = true;
        out->order_up_to = out->reorder_point + s_ceil (mean * (double) out->cover_days);
    }
    out->lead_time_days = (int64_t) lead_time;
    out->has_lead_time_days = true;
    out->service_level = service_level;
    out->has_service_level = true;
    out->z = z;
    out->has_z = true;
    out->window_days = demand->window_days;
    out->has_window_days = true;
    out->demand_mean = mean;
    out->has_demand_mean = true;
    out->demand_stddev = stddev;
    out->has_demand_stddev = true;
    out->safety_stock = safety_stock;
    out->has_safety_stock = true;
}

void reorder_evaluate (const inventory_policy_t *policy, const reorder_defaults_t *defaults,
                       const reorder_demand_t *demand, int64_t position, inventory_reorder_t *out)
{
    memset (out, 0, sizeof *out);
    bool automatic = streq (policy->kind, "auto");
    out->kind = automatic ? "auto" : "fixed";
    if (automatic)
        s_auto_levels (policy, defaults, demand, out);
    else {
        out->reorder_point = policy->reorder_point;
        out->order_up_to = policy->order_up_to;
    }
    out->position = position;
    out->order_multiple = policy->order_multiple;
    out->has_order_multiple = policy->has_order_multiple;
    out->min_order_qty = policy->min_order_qty;
    out->has_min_order_qty = policy->has_min_order_qty;
    out->overstock_above
        = out->order_up_to + out->order_up_to * defaults->overstock_margin_pct / 100;
    if (position <= out->reorder_point)
        out->suggested_qty = reorder_suggested_qty (
            out->order_up_to, position, policy->has_min_order_qty ? policy->min_order_qty : 0,
            policy->has_order_multiple ? policy->order_multiple : 0);
}
