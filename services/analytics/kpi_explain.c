/*  kpi_explain - kpi.explain: the facts an indicator of a period and group
    was computed from, each with the source and seq of the event that made
    it, by metric, day and arrival; a page at a time. For complaint_rate the
    customers are those added up to the period's end, as the rate counts them.
*/
#include "analytics.h"

//  The column of a fact that holds its group, by the report's dimension.
static const char *s_column (const char *by)
{
    return streq (by, "region")       ? "region"
           : streq (by, "technician") ? "technician_id"
           : streq (by, "type")       ? "type_of_order"
           : streq (by, "product_model") ? "product_model"
                                         : NULL;
}

int kpi_explain (shr_call_t *call, const analytics_kpi_explain_request_t *request,
                 analytics_kpi_explain_reply_t *reply)
{
    int64_t from, to;
    if (calendar_period (call, request->from, request->to, "/body/from", "/body/to", &from, &to))
        return -1;
    int kpi = kpi_find (request->kpi);
    const kpi_def_t *def = &kpi_defs[kpi < 0 ? 0 : kpi];
    const char *column = s_column (request->by);
    //  The cursor: metric, day and id of the last fact given.
    char metric[32] = "";
    long long day = 0, id = 0;
    if (request->cursor) {
        int used = 0;
        if (sscanf (request->cursor, "%31[a-z_0-9]/%lld/%lld%n", metric, &day, &id, &used) != 3
            || request->cursor[used])
            return shr_call_fail (call, SHR_INVALID_ARGUMENT, "/body/cursor",
                                  "%s is no cursor kpi.explain gave", request->cursor);
    }
    //  Each of the indicator's metrics from the rows of one metric (index
    //  fact_by_metric) and from the job rows (the same index, metric 'job',
    //  by day and id), merged in (metric, day, id) order: each arm reads
    //  its index from the cursor on, none is sorted. A job arm starts after
    //  the cursor if it is its metric's, after nothing if its metric comes
    //  later, and reads nothing if it came before. (CROSS JOIN: the fact rows
    //  are the outer loop, so that their index gives the order.)
#define FIELDS(metric, value, currency, group)                                                  \
    " SELECT f.source, f.seq, f.type, f.key, f.at_ms AS at, " metric " AS metric, " value        \
    " AS value, nullif (" currency ", '') AS currency, " group " AS \"group\", " metric           \
    " || '/' || f.day || '/' || f.id AS _cursor, " metric " AS _metric, f.day AS _day,"          \
    " f.id AS _id"
#define PLAIN(group, where)                                                                      \
    "SELECT * FROM (" FIELDS ("f.metric", "f.value", "f.currency", group)                        \
    " FROM fact f WHERE f.metric IN (:m1, :m2)"                                                  \
    " AND f.day BETWEEN CASE f.metric WHEN 'customer' THEN 0 ELSE :from END AND :to"            \
    " AND (f.metric, f.day, f.id) > (:metric, :day, :id)" where                                  \
    " ORDER BY f.metric, f.day, f.id LIMIT :limit + 1)"
#define JOB(n, group, where)                                                                     \
    " UNION ALL SELECT * FROM (" FIELDS ("m.metric", JOB_VALUE ("f"), JOB_CURRENCY ("f"), group) \
    " FROM fact f CROSS JOIN" JOB_METRICS " WHERE m.metric = :m" n " AND f.metric = 'job'"       \
    " AND f.day BETWEEN :from AND :to AND (f.day, f.id) > (:day" n ", :id" n ") AND"            \
    JOB_VALUE ("f") " IS NOT NULL" where " ORDER BY f.day, f.id LIMIT :limit + 1)"
#define EXPLAIN(group, where)                                                                    \
    PLAIN (group, where) JOB ("1", group, where) JOB ("2", group, where)                         \
    " ORDER BY _metric, _day, _id LIMIT :limit + 1"
    const char *sql;
    if (!column)
        sql = EXPLAIN ("NULL", " AND (:group IS NULL OR :group IS NOT NULL)");
    else if (streq (column, "region"))
        sql = EXPLAIN ("nullif (f.region, '')", " AND f.region = coalesce (:group, '')");
    else
        //  By technician, type or model: as the roll-ups count them, the facts
        //  still waiting for their order's dimensions left out; customers
        //  count whole.
        sql = EXPLAIN ("CASE f.metric WHEN 'customer' THEN NULL ELSE nullif (CASE :dim"
                       " WHEN 'technician' THEN f.technician_id WHEN 'type' THEN f.type_of_order"
                       " ELSE f.product_model END, '') END",
                       " AND (f.metric = 'customer' OR (f.waiting = 0 AND CASE :dim"
                       " WHEN 'technician' THEN f.technician_id WHEN 'type' THEN f.type_of_order"
                       " ELSE f.product_model END = coalesce (:group, '')))");
    //  Where each job arm starts: (day, id) after which it reads.
    int64_t after[2][2];
    for (int n = 0; n < 2; n++) {
        const char *mine = def->metrics[n];
        int order = mine ? strcmp (mine, metric) : -1;
        after[n][0] = order > 0 ? INT64_MIN : order == 0 ? day : INT64_MAX;
        after[n][1] = order > 0 ? INT64_MIN : order == 0 ? id : INT64_MAX;
    }
    reply->kpi = def->name;
    return shr_call_list (call, sql, NULL, NULL, &analytics_fact_shape, &reply->items,
                          request->limit, &reply->next_cursor, SHR_TEXT (":m1", def->metrics[0]),
                          SHR_TEXT (":m2", def->metrics[1]), SHR_INT (":from", from),
                          SHR_INT (":to", to), SHR_TEXT (":metric", metric), SHR_INT (":day", day),
                          SHR_INT (":id", id), SHR_INT (":day1", after[0][0]),
                          SHR_INT (":id1", after[0][1]), SHR_INT (":day2", after[1][0]),
                          SHR_INT (":id2", after[1][1]), SHR_TEXT (":group", request->group),
                          column && !streq (column, "region") ? SHR_TEXT (":dim", request->by)
                                                              : SHR_NONE,
                          SHR_INT (":limit", request->limit), SHR_END);
}
