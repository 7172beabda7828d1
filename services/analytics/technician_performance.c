/*  technician_performance - technician.performance: per technician, the
    jobs completed in the period and how they went, from the roll-ups by
    technician. A job is a first-time fix when the customer did not reject
    it within 30 days of its completion (the rework is counted on the
    completion's day). Scores are those of the period, acceptance and survey.
*/
#include "analytics.h"

static double s_pct (int64_t part, int64_t whole)
{
    return 100.0 * (double) part / (double) whole;
}

int technician_performance (shr_call_t *call,
                            const analytics_technician_performance_request_t *request,
                            analytics_technician_performance_reply_t *reply)
{
    int64_t from, to;
    rollup_t sums = {0};
    if (calendar_period (call, request->from, request->to, "/body/from", "/body/to", &from, &to)
        || rollup_read (call, "technician", from, to, &sums))
        return -1;
    const char **ids = shr_call_alloc (call, (sums.count + 1) * sizeof *ids);
    reply->items.items = shr_call_alloc (call, (sums.count + 1) * sizeof *reply->items.items);
    if (!ids || !reply->items.items)
        return shr_call_fail (call, SHR_INTERNAL, NULL, "out of memory");
    size_t count = 0;
    rollup_groups (&sums, ids, &count);
    rollup_sort (ids, count);
    for (size_t i = 0; i < count; i++) {
        const char *id = ids[i];
        if (!*id || (request->technician_id && !streq (id, request->technician_id)))
            continue;  //  facts of no technician are no one's performance
        analytics_technician_performance_reply_items_item_t *item =
            &reply->items.items[reply->items.count];
        int64_t jobs, on_time_n, scores;
        int64_t repair = rollup_get (&sums, id, "repair_s", NULL, &jobs);
        int64_t on_time = rollup_get (&sums, id, "on_time", NULL, &on_time_n);
        int64_t reworks = rollup_get (&sums, id, "rework", NULL, NULL);
        int64_t within = rollup_get (&sums, id, "rework_30d", NULL, NULL);
        int64_t score = rollup_get (&sums, id, "score", NULL, &scores);
        *item = (analytics_technician_performance_reply_items_item_t) {
            .technician_id = id, .jobs = jobs, .scores = scores};
        if (jobs) {
            item->avg_repair_s = (double) repair / jobs;
            item->on_time_pct = s_pct (on_time, on_time_n);
            item->first_time_fix_pct = s_pct (jobs - within, jobs);
            item->rework_pct = s_pct (reworks, jobs);
            item->has_avg_repair_s = item->has_on_time_pct = item->has_first_time_fix_pct =
                item->has_rework_pct = true;
        }
        if (scores) {
            item->mean_score = (double) score / scores;
            item->has_mean_score = true;
        }
        static const char *const money[] = {"revenue", NULL};
        const char *currencies[8];
        size_t n = 0;
        rollup_currencies (&sums, id, money, currencies, &n, 8);
        rollup_sort (currencies, n);
        item->money.items = shr_call_alloc (call, (n ? n : 1) * sizeof *item->money.items);
        if (!item->money.items)
            return shr_call_fail (call, SHR_INTERNAL, NULL, "out of memory");
        for (size_t c = 0; c < n; c++)
            item->money.items[item->money.count++] = (analytics_money_line_t) {
                .currency = currencies[c],
                .revenue_cents = rollup_get (&sums, id, "revenue", currencies[c], NULL),
                .parts_cost_cents = rollup_get (&sums, id, "parts_cost", currencies[c], NULL),
                .labour_cost_cents = rollup_get (&sums, id, "labour_cost", currencies[c], NULL),
                .margin_cents = rollup_get (&sums, id, "margin", currencies[c], NULL)};
        if (jobs || scores || n)
            reply->items.count++;
    }
    return 0;
}
