/*  profit_breakdown - profit.breakdown: where the after-sales profit points
    are. Revenue, parts and labour cost and margin of the work orders
    completed in the period, per group and currency, the best margin first,
    each with its share of the currency's total margin.
*/
#include "analytics.h"

static int s_by_margin (const void *a, const void *b)
{
    const analytics_profit_breakdown_reply_items_item_t *x = a, *y = b;
    if (x->margin_cents != y->margin_cents)
        return x->margin_cents > y->margin_cents ? -1 : 1;
    int c = strcmp (x->currency, y->currency);
    return c ? c : strcmp (x->group ? x->group : "", y->group ? y->group : "");
}

int profit_breakdown (shr_call_t *call, const analytics_profit_breakdown_request_t *request,
                      analytics_profit_breakdown_reply_t *reply)
{
    int64_t from, to;
    rollup_t sums = {0};
    if (calendar_period (call, request->from, request->to, "/body/from", "/body/to", &from, &to)
        || rollup_read (call, request->by, from, to, &sums))
        return -1;
    static const char *const money[] = {"revenue", NULL};
    size_t groups_n = 0, all_n = 0;
    const char **groups = shr_call_alloc (call, (sums.count + 1) * sizeof *groups);
    const char *all[8];
    reply->items.items = shr_call_alloc (call, (sums.count + 1) * sizeof *reply->items.items);
    reply->totals.items = shr_call_alloc (call, 8 * sizeof *reply->totals.items);
    if (!groups || !reply->items.items || !reply->totals.items)
        return shr_call_fail (call, SHR_INTERNAL, NULL, "out of memory");
    rollup_groups (&sums, groups, &groups_n);
    for (size_t g = 0; g < groups_n; g++)
        rollup_currencies (&sums, groups[g], money, all, &all_n, 8);
    rollup_sort (all, all_n);
    for (size_t c = 0; c < all_n; c++) {
        analytics_money_line_t total = {.currency = all[c]};
        for (size_t g = 0; g < groups_n; g++) {
            int64_t jobs;
            int64_t revenue = rollup_get (&sums, *groups[g] ? groups[g] : NULL, "revenue", all[c],
                                          &jobs);
            if (!jobs)
                continue;
            analytics_profit_breakdown_reply_items_item_t *item =
                &reply->items.items[reply->items.count++];
            const char *group = *groups[g] ? groups[g] : NULL;
            *item = (analytics_profit_breakdown_reply_items_item_t) {
                .group = group, .currency = all[c], .jobs = jobs, .revenue_cents = revenue,
                .parts_cost_cents = rollup_get (&sums, group, "parts_cost", all[c], NULL),
                .labour_cost_cents = rollup_get (&sums, group, "labour_cost", all[c], NULL),
                .margin_cents = rollup_get (&sums, group, "margin", all[c], NULL)};
            if (revenue) {
                item->margin_pct = 100.0 * item->margin_cents / revenue;
                item->has_margin_pct = true;
            }
            total.revenue_cents += item->revenue_cents;
            total.parts_cost_cents += item->parts_cost_cents;
            total.labour_cost_cents += item->labour_cost_cents;
            total.margin_cents += item->margin_cents;
        }
        reply->totals.items[reply->totals.count++] = total;
    }
    for (size_t i = 0; i < reply->items.count; i++) {
        analytics_profit_breakdown_reply_items_item_t *item = &reply->items.items[i];
        for (size_t c = 0; c < reply->totals.count; c++)
            if (streq (reply->totals.items[c].currency, item->currency)
                && reply->totals.items[c].margin_cents) {
                item->share_of_margin_pct =
                    100.0 * item->margin_cents / reply->totals.items[c].margin_cents;
                item->has_share_of_margin_pct = true;
            }
    }
    qsort (reply->items.items, reply->items.count, sizeof *reply->items.items, s_by_margin);
    static const char *notes[] = {
        "margin = revenue - parts cost - labour cost of the orders completed in the period, plus"
        " what contracts sold (less refunds) and rentals returned, whose costs are the orders"
        " they pay for; site rent and other costs are in no service analytics follows"};
    reply->by = request->by;
    reply->notes.items = notes;
    reply->notes.count = 1;
    return 0;
}
