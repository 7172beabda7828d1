/*  kpi_report - kpi.report: every indicator for a period, against the
    baseline period if given, per group. Reads the roll-ups of the two
    periods and the customer counts at their ends: a few hundred rows per day
    and group, whatever the number of work orders.
*/
#include "analytics.h"
#include "kpi_def.h"

//  Why an indicator has no data for a grouping whatever the period. NULL
//  when it may have.
static const char *s_missing_source (kpi_id_t id, const char *by)
{
    if (id == KPI_INVENTORY_TURNOVER && !streq (by, "none"))
        return "inventory's stock value is known for the whole only: group by none";
    return NULL;
}

//  The currencies in which group has money facts of the indicator's metrics.
static size_t s_currencies (const kpi_def_t *def, const rollup_t *now, const rollup_t *base,
                            const char *group, const char **set, size_t max)
{
    size_t count = 0;
    rollup_currencies (now, group, def->metrics, set, &count, max);
    rollup_currencies (base, group, def->metrics, set, &count, max);
    rollup_sort (set, count);
    return count;
}

//  The same day a year earlier: the same month and day, 28 February for a 29th
//  the year before does not have.
static int64_t s_year_earlier (int64_t day)
{
    int64_t y;
    int m, d;
    shr_time_civil_from_days (day, &y, &m, &d);
    bool leap = ((y - 1) % 4 == 0 && (y - 1) % 100 != 0) || (y - 1) % 400 == 0;
    if (m == 2 && d == 29 && !leap)
        d = 28;
    return shr_time_days_from_civil (y - 1, m, d);
}

//  A day as YYYY-MM-DD, in the call's arena.
static const char *s_date (shr_call_t *call, int64_t day)
{
    int64_t y;
    int m, d;
    shr_time_civil_from_days (day, &y, &m, &d);
    return shr_call_printf (call, "%04lld-%02d-%02d", (long long) y, m, d);
}

int kpi_report (shr_call_t *call, const analytics_kpi_report_request_t *request,
                analytics_kpi_report_reply_t *reply)
{
    int64_t from, to, base_from = 0, base_to = 0;
    bool has_base = request->baseline_from || request->baseline_to;
    if (calendar_period (call, request->from, request->to, "/body/from", "/body/to", &from, &to))
        return -1;
    if (has_base && (!request->baseline_from || !request->baseline_to))
        return shr_call_fail (call, SHR_INVALID_ARGUMENT,
                              request->baseline_from ? "/body/baseline_to" : "/body/baseline_from",
                              "a baseline period needs both baseline_from and baseline_to");
    if (has_base
        && calendar_period (call, request->baseline_from, request->baseline_to,
                            "/body/baseline_from", "/body/baseline_to", &base_from, &base_to))
        return -1;
    const char *by = request->by;
    //  The growth indicators compare with the baseline, or without one with
    //  the same days a year earlier (the plan: against the previous year).
    int64_t growth_from = has_base ? base_from : s_year_earlier (from);
    int64_t growth_to = has_base ? base_to : s_year_earlier (to);
    analytics_target_t targets[KPI_COUNT];
    rollup_t now = {0}, base = {0}, customers_now = {0}, customers_base = {0}, year_before = {0};
    if (kpi_targets_read (call, targets) || rollup_read (call, by, from, to, &now)
        || rollup_customers (call, by, to, &customers_now)
        || (has_base
            && (rollup_read (call, by, base_from, base_to, &base)
                || rollup_customers (call, by, base_to, &customers_base)))
        || (!has_base && rollup_read (call, by, growth_from, growth_to, &year_before)))
        return -1;
    const char *growth_period[2] = {s_date (call, growth_from), s_date (call, growth_to)};
    const char *growth_reason[2] = {NULL, NULL};
    if (!has_base) {
        growth_reason[0] = shr_call_printf (call,
                                            "nothing in %s..%s (the same days a year earlier; no"
                                            " baseline period given) to compare with",
                                            growth_period[0], growth_period[1]);
        growth_reason[1] = shr_call_printf (call,
                                            "no parts were received in %s..%s (the same days a"
                                            " year earlier; no baseline period given) to compare"
                                            " with",
                                            growth_period[0], growth_period[1]);
    }

    //  The stock's average value: for the whole only (inventory's journal).
    double stock_now = 0, stock_base = 0;
    bool stock_now_known = false, stock_base_known = false;
    if (streq (by, "none")
        && (stock_average (call, from, to, &stock_now, &stock_now_known)
            || (has_base
                && stock_average (call, base_from, base_to, &stock_base, &stock_base_known))))
        return -1;

    //  The groups: the whole, or every value seen in either period.
    size_t max = now.count + base.count + customers_now.count + 1, count = 0;
    const char **groups = shr_call_alloc (call, max * sizeof *groups);
    if (!groups)
        return shr_call_fail (call, SHR_INTERNAL, NULL, "out of memory");
    if (streq (by, "none"))
        groups[count++] = "";
    else {
        rollup_groups (&now, groups, &count);
        rollup_groups (has_base ? &base : NULL, groups, &count);
        if (streq (by, "region"))
            rollup_groups (&customers_now, groups, &count);
        rollup_sort (groups, count);
    }

    reply->from = request->from;
    reply->to = request->to;
    reply->baseline_from = has_base ? request->baseline_from : NULL;
    reply->baseline_to = has_base ? request->baseline_to : NULL;
    reply->growth_baseline = (analytics_kpi_report_reply_growth_baseline_t) {
        .from = has_base ? request->baseline_from : growth_period[0],
        .to = has_base ? request->baseline_to : growth_period[1], .defaulted = !has_base};
    reply->by = by;
    reply->groups.count = count;
    reply->groups.items = shr_call_alloc (call, (count ? count : 1) * sizeof *reply->groups.items);
    if (!reply->groups.items)
        return shr_call_fail (call, SHR_INTERNAL, NULL, "out of memory");
    for (size_t g = 0; g < count; g++) {
        const char *group = *groups[g] ? groups[g] : NULL;
        analytics_kpi_report_reply_groups_item_t *item = &reply->groups.items[g];
        item->group = group;
        //  At most one row per indicator and currency.
        const char *currencies[KPI_COUNT][8];
        size_t per_kpi[KPI_COUNT], rows = 0;
        for (int k = 0; k < KPI_COUNT; k++) {
            //  A growth indicator's currencies: those of either period it compares.
            const rollup_t *other = has_base ? &base : kpi_defs[k].growth ? &year_before : NULL;
            per_kpi[k] = kpi_defs[k].money ? s_currencies (&kpi_defs[k], &now, other, group,
                                                           currencies[k], 8)
                                           : 0;
            rows += per_kpi[k] ? per_kpi[k] : 1;
        }
        item->kpis.items = shr_call_alloc (call, rows * sizeof *item->kpis.items);
        if (!item->kpis.items)
            return shr_call_fail (call, SHR_INTERNAL, NULL, "out of memory");
        kpi_input_t in = {.now = &now, .base = has_base ? &base : NULL,
                          .growth_base = has_base ? &base : &year_before,
                          .growth_default_reason = {growth_reason[0], growth_reason[1]},
                          .stock_now = stock_now, .stock_base = stock_base,
                          .stock_now_known = stock_now_known, .stock_base_known = stock_base_known,
                          .customers_now = &customers_now,
                          .customers_base = has_base ? &customers_base : NULL, .group = group,
                          .customer_group = streq (by, "region") ? group : NULL};
        for (int k = 0; k < KPI_COUNT; k++) {
            in.target = &targets[k];
            in.missing_source = s_missing_source ((kpi_id_t) k, by);
            size_t n = per_kpi[k] ? per_kpi[k] : 1;
            for (size_t c = 0; c < n; c++)
                kpi_compute ((kpi_id_t) k, &in, per_kpi[k] ? currencies[k][c] : NULL,
                             &item->kpis.items[item->kpis.count++]);
        }
    }

    static const char *notes_all[] = {
        "value_added_share and profit_growth: value-added revenue is what contracts sells"
        " (contracts and renewals less refunds, rentals returned) plus the charges of dispatch's"
        " installation, upgrade and consulting orders; profit is revenue - labour - parts (no"
        " site rent or other costs)",
        "complaint_rate: complaints of kind complaint received in the period per 100 customers"
        " in complaints' file at its end",
    };
    reply->notes.items = notes_all;
    reply->notes.count = sizeof notes_all / sizeof *notes_all;
    return 0;
}
