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

int rollup_read (shr_call_t *call, const char *dim, int64_t from_day, int64_t to_day,
                 rollup_t *rollup)
{
    //  The metrics every indicator reads, by the primary key's range per metric.
    return shr_call_list (call,
                          "SELECT grp AS \"group\", metric, currency, sum (total) AS total,"
                          " sum (n) AS count FROM rollup WHERE dim = :dim AND metric IN"
                          " ('repair_s', 'on_time', 'revenue', 'labour_cost', 'parts_cost',"
                          " 'margin', 'va_revenue', 'score', 'complaint', 'rework', 'rework_30d',"
                          " 'purchase_cost', 'issue_cost', 'stock_value_day')"
                          " AND day BETWEEN :from AND :to GROUP BY grp, metric, currency",
                          NULL, NULL, &s_shape, rollup, 0, NULL, SHR_TEXT (":dim", dim),
                          SHR_INT (":from", from_day), SHR_INT (":to", to_day), SHR_END);
}

int rollup_customers (shr_call_t *call, const char *dim, int64_t to_day, rollup_t *rollup)
{
    return shr_call_list (call,
                          "SELECT grp AS \"group\", metric, currency, sum (total) AS total,"
                          " sum (n) AS count FROM rollup WHERE dim = :dim AND metric = 'customer'"
                          " AND day <= :to GROUP BY grp, metric, currency",
                          NULL, NULL, &s_shape, rollup, 0, NULL,
                          SHR_TEXT (":dim", streq (dim, "region") ? "region" : "none"),
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
