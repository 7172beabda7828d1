/*  kpi_def - the indicators of docs/domain.md (§6): name, unit, how a target
    is judged, the facts each reads, and the formulas over a period's sums.
    Pure: no store. An indicator whose data does not exist is unavailable with
    the reason, never a zero.
*/
#include "analytics.h"
#include "kpi_def.h"

const kpi_def_t kpi_defs[KPI_COUNT] = {
    [KPI_AVG_REPAIR_TIME] = {"avg_repair_time", "s", RULE_REDUCE_PCT,
                             "shorter than the baseline by at least target %", false, false,
                             {"repair_s"}},
    [KPI_ON_TIME_RATE] = {"on_time_rate", "%", RULE_AT_LEAST, "at least target %", false, false,
                          {"on_time"}},
    [KPI_COMPLAINT_RATE] = {"complaint_rate", "%", RULE_REDUCE_PCT,
                            "lower than the baseline by at least target %", false, false,
                            {"complaint", "customer"}},
    [KPI_SATISFACTION_SCORE] = {"satisfaction_score", "points", RULE_AT_LEAST,
                                "at least target points of 10", false, false, {"score"}},
    [KPI_PARTS_COST_REDUCTION] = {"parts_cost_reduction", "%", RULE_AT_LEAST, "at least target %",
                                  true, true, {"purchase_cost"}},
    [KPI_INVENTORY_TURNOVER] = {"inventory_turnover", "turns", RULE_INCREASE_BY,
                                "higher than the baseline by at least target turns", true, false,
                                {"issue_cost"}},
    [KPI_LABOUR_COST_GROWTH] = {"labour_cost_growth", "%", RULE_AT_MOST, "at most target %", true,
                                true, {"labour_cost"}},
    [KPI_PROFIT_GROWTH] = {"profit_growth", "%", RULE_AT_LEAST, "at least target %", true, true,
                           {"margin"}},
    [KPI_VALUE_ADDED_SHARE] = {"value_added_share", "%", RULE_AT_LEAST, "at least target %", true,
                               false, {"va_revenue", "revenue"}},
};

int kpi_find (const char *name)
{
    for (int i = 0; i < KPI_COUNT; i++)
        if (streq (kpi_defs[i].name, name))
            return i;
    return -1;
}

//  The value of a ratio or mean indicator over one period (rollup r, the
//  customers known at its end c). Returns false with *reason when there is none.
static bool s_value (kpi_id_t id, const rollup_t *r, const rollup_t *c, const double *stock,
                     const char *group, const char *customer_group, const char *currency,
                     double *value, int64_t *facts, const char **reason)
{
    int64_t n, total;
    switch (id) {
        case KPI_AVG_REPAIR_TIME:
        case KPI_ON_TIME_RATE:
            total = rollup_get (r, group, id == KPI_ON_TIME_RATE ? "on_time" : "repair_s", NULL,
                                &n);
            *facts = n;
            if (!n) {
                *reason = "no work order was completed in the period";
                return false;
            }
            *value = id == KPI_ON_TIME_RATE ? 100.0 * total / n : (double) total / n;
            return true;
        case KPI_COMPLAINT_RATE: {
            total = rollup_get (r, group, "complaint", NULL, &n);
            int64_t customers = rollup_get (c, customer_group, "customer", NULL, NULL);
            *facts = n;
            if (!customers) {
                *reason = "no customer was in complaints' file by the period's end";
                return false;
            }
            *value = 100.0 * total / customers;
            return true;
        }
        case KPI_SATISFACTION_SCORE:
            total = rollup_get (r, group, "score", NULL, &n);
            *facts = n;
            if (!n) {
                *reason = "no satisfaction score was collected in the period";
                return false;
            }
            *value = (double) total / n;
            return true;
        case KPI_INVENTORY_TURNOVER: {
            int64_t issued = rollup_get (r, group, "issue_cost", currency, &n);
            *facts = n;
            if (!stock) {
                *reason = "no stock value is known by the period's end (inventory's movements)";
                return false;
            }
            if (*stock <= 0) {
                *reason = "the stock's value averaged over the period is zero";
                return false;
            }
            *value = (double) issued / *stock;
            return true;
        }
        case KPI_VALUE_ADDED_SHARE: {
            int64_t revenue = rollup_get (r, group, "revenue", currency, &n);
            int64_t va = rollup_get (r, group, "va_revenue", currency, NULL);
            *facts = n;
            if (!n) {
                *reason = "no work order was completed in the period";
                return false;
            }
            if (!revenue) {
                *reason = "no after-sales revenue in the period (every order was free)";
                return false;
            }
            *value = 100.0 * va / revenue;
            return true;
        }
        default:
            *reason = "not a ratio";
            return false;
    }
}

//  The amount a growth indicator compares: labour cost, profit, purchasing cost.
static int64_t s_amount (kpi_id_t id, const rollup_t *r, const char *group, const char *currency,
                         int64_t *facts)
{
    return rollup_get (r, group, kpi_defs[id].metrics[0], currency, facts);
}

static void s_judge (const kpi_def_t *def, analytics_kpi_value_t *out)
{
    if (!out->has_target || !out->has_value)
        return;
    switch (def->rule) {
        case RULE_AT_LEAST:
            out->met = out->value >= out->target;
            break;
        case RULE_AT_MOST:
            out->met = out->value <= out->target;
            break;
        case RULE_REDUCE_PCT:
            if (!out->has_change_pct)
                return;
            out->met = out->change_pct <= -out->target;
            break;
        case RULE_INCREASE_BY:
            if (!out->has_change)
                return;
            out->met = out->change >= out->target;
            break;
    }
    out->has_met = true;
}

void kpi_compute (kpi_id_t id, const kpi_input_t *in, const char *currency,
                  analytics_kpi_value_t *out)
{
    const kpi_def_t *def = &kpi_defs[id];
    *out = (analytics_kpi_value_t) {.kpi = def->name, .unit = def->unit, .currency = currency,
                                    .rule = def->rule_text};
    if (in->target && in->target->has_target) {
        out->target = in->target->target;
        out->has_target = true;
    }
    if (in->missing_source) {
        out->reason = in->missing_source;
        return;
    }
    if (def->growth) {
        int64_t base_facts;
        out->amount = s_amount (id, in->now, in->group, currency, &out->facts);
        out->has_amount = true;
        const rollup_t *growth_base = in->growth_base ? in->growth_base : in->base;
        if (!growth_base) {
            out->reason = "needs a baseline period to grow from (the plan: the previous year)";
            return;
        }
        out->baseline_amount = s_amount (id, growth_base, in->group, currency, &base_facts);
        out->has_baseline_amount = true;
        if (!out->facts) {
            out->reason = id == KPI_PARTS_COST_REDUCTION
                               ? "no parts were received in the period (procurement's po.received)"
                               : "no work order was completed in the period";
            return;
        }
        if (!base_facts || !out->baseline_amount) {
            if (in->growth_default_reason[0])
                out->reason = in->growth_default_reason[id == KPI_PARTS_COST_REDUCTION];
            else
                out->reason = id == KPI_PARTS_COST_REDUCTION
                                   ? "no parts were received in the baseline period to compare"
                                     " with"
                                   : "nothing in the baseline period to compare with";
            return;
        }
        //  Over the baseline's size, so that a loss turning into a profit reads as growth.
        double base = (double) out->baseline_amount;
        double change = (double) (out->amount - out->baseline_amount) / (base < 0 ? -base : base);
        //  The reduction is the other way round: lower cost is a positive figure.
        out->value = 100.0 * (id == KPI_PARTS_COST_REDUCTION ? -change : change);
        out->has_value = out->available = true;
        s_judge (def, out);
        return;
    }
    const char *reason = NULL;
    if (!s_value (id, in->now, in->customers_now, in->stock_now_known ? &in->stock_now : NULL,
                  in->group, in->customer_group, currency, &out->value, &out->facts, &reason)) {
        out->reason = reason;
        return;
    }
    out->has_value = out->available = true;
    int64_t base_facts;
    double base;
    if (in->base
        && s_value (id, in->base, in->customers_base,
                    in->stock_base_known ? &in->stock_base : NULL, in->group, in->customer_group,
                    currency, &base, &base_facts, &reason)) {
        out->baseline = base;
        out->has_baseline = true;
        out->change = out->value - base;
        out->has_change = true;
        if (base != 0) {
            out->change_pct = 100.0 * out->change / base;
            out->has_change_pct = true;
        }
    }
    s_judge (def, out);
}
