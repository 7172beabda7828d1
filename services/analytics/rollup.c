/*  rollup - a period's sums per group, metric and currency, read from the
    roll-ups (a row per day and group), never from the facts. */
#include "analytics.h"

static const shr_field_t s_fields[] = {
    {.name = "group", .kind = SHR_FIELD_STRING, .offset = offsetof (rollup_sum_t, group),
     .has_offset = -1},
    ROW_TEXT (rollup_sum_t, metric),
    ROW_TEXT (rollup_sum_t, currency),
    ROW_INT (rollup_sum_t, total),
    ROW_INT (rollup_sum_t, count),
};
static const shr_shape_t s_shape = ROW_SHAPE ("a roll-up's sum", rollup_sum_t, s_fields);

//  The roll-ups a grouping reads: the whole is the regions' sum.
static const char *s_dim (const char *dim)
{
    return streq (dim, "none") ? "region" : dim;
}

int rollup_read (shr_call_t *call, const char *dim, int64_t from_day, int64_t to_day,
                 rollup_t *rollup)
{
    //  The whole months first_month..last_month (none if first > last), and
    //  the days before and after them.
    int64_t first_month = calendar_month_of_day (from_day);
    if (calendar_month_first_day (first_month) != from_day)
        first_month++;
    int64_t last_month = calendar_month_of_day (to_day);
    if (calendar_month_first_day (last_month + 1) - 1 != to_day)
        last_month--;
    int64_t head_to = to_day, tail_from = to_day + 1;
    if (first_month <= last_month) {
        head_to = calendar_month_first_day (first_month) - 1;
        tail_from = calendar_month_first_day (last_month + 1);
    }
//  The metrics every indicator reads, by the primary key's range per metric.
#define METRICS                                                                                  \
    " metric IN ('repair_s', 'on_time', 'revenue', 'labour_cost', 'parts_cost', 'margin',"       \
    " 'va_revenue', 'score', 'complaint', 'rework', 'rework_30d', 'purchase_cost',"              \
    " 'issue_cost', 'stock_value_day')"
    return shr_call_list (
        call,
        "SELECT CASE :whole WHEN 1 THEN '' ELSE grp END AS \"group\", metric, currency,"
        " sum (total) AS total, sum (n) AS count FROM ("
        " SELECT grp, metric, currency, total, n FROM rollup_month WHERE dim = :dim AND" METRICS
        "  AND month BETWEEN :first_month AND :last_month"
        " UNION ALL SELECT grp, metric, currency, total, n FROM rollup WHERE dim = :dim AND" METRICS
        "  AND day BETWEEN :from AND :head_to"
        " UNION ALL SELECT grp, metric, currency, total, n FROM rollup WHERE dim = :dim AND" METRICS
        "  AND day BETWEEN :tail_from AND :to)"
        " GROUP BY 1, metric, currency",
        NULL, NULL, &s_shape, rollup, 0, NULL, SHR_TEXT (":dim", s_dim (dim)),
        SHR_INT (":whole", streq (dim, "none")),
        SHR_INT (":first_month", first_month), SHR_INT (":last_month", last_month),
        SHR_INT (":from", from_day), SHR_INT (":head_to", head_to),
        SHR_INT (":tail_from", tail_from), SHR_INT (":to", to_day), SHR_END);
#undef METRICS
}

int rollup_customers (shr_call_t *call, const char *dim, int64_t to_day, rollup_t *rollup)
{
    return shr_call_list (call,
                          "SELECT CASE :whole WHEN 1 THEN '' ELSE grp END AS \"group\", metric,"
                          " currency, sum (total) AS total, sum (n) AS count FROM rollup_month"
                          " WHERE dim = 'region' AND metric = 'customer' AND month < :month"
                          " GROUP BY 1, metric, currency UNION ALL"
                          " SELECT CASE :whole WHEN 1 THEN '' ELSE grp END, metric, currency,"
                          " sum (total), sum (n) FROM rollup WHERE dim = 'region' AND metric ="
                          " 'customer' AND day BETWEEN :month_day AND :to"
                          " GROUP BY 1, metric, currency",
                          NULL, NULL, &s_shape, rollup, 0, NULL,
                          SHR_INT (":whole", !streq (dim, "region")),
                          SHR_INT (":month", calendar_month_of_day (to_day)),
                          SHR_INT (":month_day", calendar_month_first_day (
                                                     calendar_month_of_day (to_day))),
                          SHR_INT (":to", to_day), SHR_END);
}

const char *rollup_key (const char *group)
{
    return group ? group : "";
}

int64_t rollup_get (const rollup_t *rollup, const char *group, const char *metric,
                    const char *currency, int64_t *count)
{
    int64_t total = 0, n = 0;
    for (size_t i = 0; rollup && i < rollup->count; i++) {
        const rollup_sum_t *sum = &rollup->items[i];
        if (streq (sum->group, rollup_key (group)) && streq (sum->metric, metric)
            && (!currency || streq (sum->currency, currency))) {
            total += sum->total;
            n += sum->count;
        }
    }
    if (count)
        *count = n;
    return total;
}

bool rollup_has (const rollup_t *rollup, const char *group, const char *metric)
{
    int64_t count;
    rollup_get (rollup, group, metric, NULL, &count);
    return count > 0;
}

static int s_compare (const void *a, const void *b)
{
    return strcmp (*(const char *const *) a, *(const char *const *) b);
}

void rollup_sort (const char **set, size_t count)
{
    qsort (set, count, sizeof *set, s_compare);
}

void rollup_groups (const rollup_t *rollup, const char **set, size_t *count)
{
    for (size_t i = 0; rollup && i < rollup->count; i++) {
        size_t j = 0;
        while (j < *count && !streq (set[j], rollup->items[i].group))
            j++;
        if (j == *count)
            set[(*count)++] = rollup->items[i].group;
    }
}

void rollup_currencies (const rollup_t *rollup, const char *group, const char *const *metrics,
                        const char **set, size_t *count, size_t max)
{
    for (size_t i = 0; rollup && i < rollup->count; i++) {
        const rollup_sum_t *sum = &rollup->items[i];
        bool wanted = false;
        for (int m = 0; metrics[m]; m++)
            wanted |= streq (sum->metric, metrics[m]);
        if (!wanted || !*sum->currency || !streq (sum->group, rollup_key (group)))
            continue;
        size_t j = 0;
        while (j < *count && !streq (set[j], sum->currency))
            j++;
        if (j == *count && *count < max)
            set[(*count)++] = sum->currency;
    }
}
