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
    const char *sql;
    if (!column)
        sql = "SELECT source, seq, type, key, at_ms AS at, metric, value,"
              " nullif (currency, '') AS currency, NULL AS \"group\","
              " metric || '/' || day || '/' || id AS _cursor FROM fact"
              " WHERE metric IN (:m1, :m2)"
              " AND day BETWEEN CASE metric WHEN 'customer' THEN 0 ELSE :from END AND :to"
              " AND (metric, day, id) > (:metric, :day, :id)"
              " AND (:group IS NULL OR :group IS NOT NULL)"
              " ORDER BY metric, day, id LIMIT :limit + 1";
    else if (streq (column, "region"))
        sql = "SELECT source, seq, type, key, at_ms AS at, metric, value,"
              " nullif (currency, '') AS currency, nullif (region, '') AS \"group\","
              " metric || '/' || day || '/' || id AS _cursor FROM fact"
              " WHERE metric IN (:m1, :m2)"
              " AND day BETWEEN CASE metric WHEN 'customer' THEN 0 ELSE :from END AND :to"
              " AND (metric, day, id) > (:metric, :day, :id) AND region = coalesce (:group, '')"
              " ORDER BY metric, day, id LIMIT :limit + 1";
    else
        //  By technician, type or model: as the roll-ups count them, the facts
        //  still waiting for their order's dimensions left out; customers
        //  count whole.
        sql = "SELECT source, seq, type, key, at_ms AS at, metric, value,"
              " nullif (currency, '') AS currency,"
              " CASE metric WHEN 'customer' THEN NULL ELSE nullif (CASE :dim"
              "  WHEN 'technician' THEN technician_id WHEN 'type' THEN type_of_order"
              "  ELSE product_model END, '') END AS \"group\","
              " metric || '/' || day || '/' || id AS _cursor FROM fact"
              " WHERE metric IN (:m1, :m2)"
              " AND day BETWEEN CASE metric WHEN 'customer' THEN 0 ELSE :from END AND :to"
              " AND (metric, day, id) > (:metric, :day, :id) AND (metric = 'customer' OR"
              "  (waiting = 0 AND CASE :dim WHEN 'technician' THEN technician_id"
              "   WHEN 'type' THEN type_of_order ELSE product_model END = coalesce (:group, '')))"
              " ORDER BY metric, day, id LIMIT :limit + 1";
    reply->kpi = def->name;
    return shr_call_list (call, sql, NULL, NULL, &analytics_fact_shape, &reply->items,
                          request->limit, &reply->next_cursor, SHR_TEXT (":m1", def->metrics[0]),
                          SHR_TEXT (":m2", def->metrics[1]), SHR_INT (":from", from),
                          SHR_INT (":to", to), SHR_TEXT (":metric", metric), SHR_INT (":day", day),
                          SHR_INT (":id", id), SHR_TEXT (":group", request->group),
                          column && !streq (column, "region") ? SHR_TEXT (":dim", request->by)
                                                              : SHR_NONE,
                          SHR_INT (":limit", request->limit), SHR_END);
}
