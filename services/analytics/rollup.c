/*  rollup - the roll-ups: sums per dimension, group, metric and currency, per
    day and per month. A tick adds the facts that came since the last one in
    one statement per table (a group's facts of a day become one row), so
    that applying an event only appends its facts; a report reads the
    roll-ups and adds the few facts after the mark itself, so it is never
    behind what was applied. A period reads its whole months from the
    monthly rows and the days at its ends from the daily ones.
*/
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

//  The group of a fact by a dimension (:dim), as a column expression.
#define GROUP_OF(f)                                                                              \
    " CASE d.dim WHEN 'region' THEN " f ".region WHEN 'technician' THEN " f ".technician_id"      \
    " WHEN 'type' THEN " f ".type_of_order ELSE " f ".product_model END"
//  The dimensions, and which of a fact's it counts in: by region at once,
//  by technician, type and model once it knows them (waiting = 0).
#define DIMS                                                                                     \
    " (SELECT 'region' AS dim UNION ALL SELECT 'technician' UNION ALL SELECT 'type'"             \
    " UNION ALL SELECT 'product_model') d"
#define COUNTS_IN(f) " (d.dim = 'region' OR " f ".waiting = 0)"
#define ADD_UP " ON CONFLICT DO UPDATE SET total = total + excluded.total, n = n + excluded.n"

//  A tick's additions, per dimension, metric, day, group and currency, before
//  they go into both tables (a temporary table of the connection: rollup_setup).
#define DELTA "INSERT INTO temp.rollup_delta (dim, metric, day, month, grp, currency, total, n)"

int rollup_setup (shr_store_t *store)
{
    return shr_store_exec (store, "CREATE TEMP TABLE IF NOT EXISTS rollup_delta (dim TEXT, metric"
                                  " TEXT, day INTEGER, month INTEGER, grp TEXT, currency TEXT,"
                                  " total INTEGER, n INTEGER)");
}

int rollup_tick (shr_call_t *call)
{
    typedef struct {
        int64_t mark, top;
    } row_t;
    static const shr_field_t fields[] = {ROW_INT (row_t, mark), ROW_INT (row_t, top)};
    static const shr_shape_t shape = ROW_SHAPE ("the roll-ups' mark", row_t, fields);
    row_t row;
    if (shr_call_get (call,
                      "SELECT fact_id AS mark, (SELECT coalesce (max (id), 0) FROM fact) AS top"
                      " FROM rollup_mark",
                      NULL, NULL, &shape, &row, SHR_END)
        < 0)
        return -1;
    if (row.top <= row.mark)
        return 0;
    //  A job row's metrics are summed per group first, then unpivoted: a row
    //  per group and metric, not per order and metric.
#define JOB_SUMS(c) " sum (f." c ") AS " c ", count (f." c ") AS " c "_n,"
#define JOB_COUNT(f)                                                                             \
    " CASE m.metric WHEN 'repair_s' THEN " f ".repair_s_n WHEN 'on_time' THEN " f ".on_time_n"  \
    " WHEN 'revenue' THEN " f ".revenue_n WHEN 'labour_cost' THEN " f ".labour_cost_n"          \
    " WHEN 'parts_cost' THEN " f ".parts_cost_n WHEN 'margin' THEN " f ".margin_n"              \
    " ELSE " f ".va_revenue_n END"
    return shr_call_exec (call, "DELETE FROM temp.rollup_delta", NULL, NULL, SHR_END)
           || shr_call_exec (call,
                             DELTA " SELECT d.dim, f.metric, f.day, f.month," GROUP_OF ("f") ","
                             " f.currency, sum (f.value), count (*) FROM fact f NOT INDEXED," DIMS
                             " WHERE f.id > :mark AND f.id <= :top AND f.metric <> 'job' AND"
                             COUNTS_IN ("f") " GROUP BY 1, 2, 3, 5, 6",
                             NULL, NULL, SHR_INT (":mark", row.mark), SHR_INT (":top", row.top),
                             SHR_END)
           || shr_call_exec (call,
                             DELTA " SELECT j.dim, m.metric, j.day, j.month, j.grp,"
                             JOB_CURRENCY ("j") "," JOB_VALUE ("j") "," JOB_COUNT ("j")
                             " FROM (SELECT d.dim, f.day, f.month," GROUP_OF ("f") " AS grp,"
                             " f.currency," JOB_SUMS ("repair_s") JOB_SUMS ("on_time")
                             JOB_SUMS ("revenue") JOB_SUMS ("labour_cost") JOB_SUMS ("parts_cost")
                             JOB_SUMS ("margin") JOB_SUMS ("va_revenue")
                             " 0 AS _ FROM fact f NOT INDEXED," DIMS " WHERE f.id > :mark AND f.id <= :top AND f.metric = 'job' AND"
                             COUNTS_IN ("f") " GROUP BY 1, 2, 4, 5) j," JOB_METRICS
                             " WHERE" JOB_COUNT ("j") " > 0",
                             NULL, NULL, SHR_INT (":mark", row.mark), SHR_INT (":top", row.top),
                             SHR_END)
           || shr_call_exec (call,
                             "INSERT INTO rollup (dim, metric, day, grp, currency, total, n)"
                             " SELECT dim, metric, day, grp, currency, total, n"
                             " FROM temp.rollup_delta WHERE true" ADD_UP,
                             NULL, NULL, SHR_END)
           || shr_call_exec (call,
                             "INSERT INTO rollup_month (dim, metric, month, grp, currency, total,"
                             " n) SELECT dim, metric, month, grp, currency, sum (total), sum (n)"
                             " FROM temp.rollup_delta GROUP BY 1, 2, 3, 4, 5" ADD_UP,
                             NULL, NULL, SHR_END)
           || shr_call_exec (call, "UPDATE rollup_mark SET fact_id = :top", NULL, NULL,
                             SHR_INT (":top", row.top), SHR_END);
#undef JOB_SUMS
#undef JOB_COUNT
}

int rollup_resolve (shr_call_t *call, const char *workorder_id)
{
    //  Those already rolled up by region go in by the order's dimensions now;
    //  later ones wait for the tick, which finds them no longer waiting.
#define RESOLVED(table, at)                                                                      \
    "INSERT INTO " table " SELECT d.dim, f.metric, f." at ", CASE d.dim WHEN 'technician'"      \
    " THEN coalesce (w.technician_id, '') WHEN 'type' THEN w.type ELSE"                          \
    " coalesce (w.product_model, '') END, f.currency, sum (f.value), count (*)"                  \
    " FROM fact f JOIN workorder w ON w.id = f.workorder_id,"                                    \
    " (SELECT 'technician' AS dim UNION ALL SELECT 'type' UNION ALL SELECT 'product_model') d"   \
    " WHERE f.waiting = 1 AND f.workorder_id = :id"                                              \
    " AND f.id <= (SELECT fact_id FROM rollup_mark) GROUP BY 1, 2, 3, 4, 5" ADD_UP
    //  Most orders have nothing waiting for them: one look at the index.
    typedef struct {
        int64_t waiting;
    } row_t;
    static const shr_field_t fields[] = {ROW_INT (row_t, waiting)};
    static const shr_shape_t shape = ROW_SHAPE ("facts waiting", row_t, fields);
    row_t row = {0};
    if (shr_call_get (call,
                      "SELECT EXISTS (SELECT 1 FROM fact WHERE workorder_id = :id AND waiting = 1)"
                      " AS waiting",
                      NULL, NULL, &shape, &row, SHR_TEXT (":id", workorder_id), SHR_END)
        < 0)
        return -1;
    if (!row.waiting)
        return 0;
    return shr_call_exec (call, RESOLVED ("rollup", "day"), NULL, NULL,
                          SHR_TEXT (":id", workorder_id), SHR_END)
           || shr_call_exec (call, RESOLVED ("rollup_month", "month"), NULL, NULL,
                             SHR_TEXT (":id", workorder_id), SHR_END)
           || shr_call_exec (call,
                             "UPDATE fact SET technician_id = coalesce (w.technician_id, ''),"
                             " type_of_order = w.type, product_model = coalesce (w.product_model,"
                             " ''), waiting = 0 FROM workorder w WHERE fact.waiting = 1"
                             " AND fact.workorder_id = :id AND w.id = :id",
                             NULL, NULL, SHR_TEXT (":id", workorder_id), SHR_END);
#undef RESOLVED
}

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
    " 'issue_cost')"
    return shr_call_list (
        call,
        "SELECT CASE :whole WHEN 1 THEN '' ELSE grp END AS \"group\", metric, currency,"
        " sum (total) AS total, sum (n) AS count FROM ("
        " SELECT grp, metric, currency, total, n FROM rollup_month WHERE dim = :dim AND" METRICS
        "  AND month BETWEEN :first_month AND :last_month"
        " UNION ALL SELECT grp, metric, currency, total, n FROM rollup WHERE dim = :dim AND" METRICS
        "  AND day BETWEEN :from AND :head_to"
        " UNION ALL SELECT grp, metric, currency, total, n FROM rollup WHERE dim = :dim AND" METRICS
        "  AND day BETWEEN :tail_from AND :to"
        //  After the mark by the rowid: the metric's index would read the period.
        " UNION ALL SELECT" GROUP_OF ("f") ", metric, currency, value, 1 FROM fact f NOT INDEXED,"
        "  (SELECT :dim AS dim) d WHERE f.id > (SELECT fact_id FROM rollup_mark) AND" METRICS
        "  AND f.day BETWEEN :from AND :to AND" COUNTS_IN ("f")
        " UNION ALL SELECT" GROUP_OF ("f") ", m.metric," JOB_CURRENCY ("f") "," JOB_VALUE ("f")
        ", 1 FROM fact f NOT INDEXED," JOB_METRICS ", (SELECT :dim AS dim) d"
        "  WHERE f.id > (SELECT fact_id FROM rollup_mark) AND f.metric = 'job'"
        "  AND f.day BETWEEN :from AND :to AND" JOB_VALUE ("f") " IS NOT NULL)"
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
                          " GROUP BY 1, metric, currency UNION ALL"
                          " SELECT CASE :whole WHEN 1 THEN '' ELSE region END, metric, currency,"
                          " sum (value), count (*) FROM fact NOT INDEXED WHERE id > (SELECT"
                          " fact_id FROM rollup_mark) AND metric = 'customer' AND day <= :to"
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
