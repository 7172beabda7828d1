/*  workorder_queue - the desk's queues: workorder.list with its filters and
    sorts, a page at a time, and workorder.count for a dashboard.

    A page's cursor is the last row's sort key and number ("key:seq"; the
    number alone when sorted as created), so pages follow on without gaps or
    repeats while orders are added or change.
*/
#include "dispatch.h"

//  The sort key of each order, by :sort (created: the number itself).
#define SORT_KEY                                                                                   \
    "(CASE :sort WHEN 'due_at' THEN " WORKORDER_DUE " WHEN 'reported_at' THEN reported_at_ms"              \
    " ELSE seq END)"

int workorder_list (shr_call_t *call, const dispatch_workorder_list_request_t *request,
                    dispatch_workorder_list_reply_t *reply)
{
    const char *sort = request->sort ? request->sort : "created";
    bool by_seq = streq (sort, "created");
    long long key = 0, after = 0;
    int used = 0;
    if (request->cursor) {
        int read = by_seq ? sscanf (request->cursor, "%lld%n", &after, &used)
                          : sscanf (request->cursor, "%lld:%lld%n", &key, &after, &used);
        if (read != (by_seq ? 1 : 2) || request->cursor[used] || after < 0)
            return shr_call_fail (call, SHR_INVALID_ARGUMENT, "/body/cursor",
                                  "cursor %s is not one that workorder.list returned sorted by %s",
                                  request->cursor, sort);
        if (by_seq)
            key = after;
    }
    //  One statement for every combination of filters: a NULL filter matches all.
    return shr_call_list (
        call,
        "SELECT " WORKORDER_SUMMARY_COLUMNS ", (CASE :sort WHEN 'created' THEN seq"
        " ELSE " SORT_KEY " || ':' || seq END) AS _cursor FROM workorder"
        " WHERE (:has_cursor = 0 OR " SORT_KEY " > :key OR (" SORT_KEY " = :key AND seq > :after))"
        " AND (:status IS NULL OR status IN (SELECT value FROM json_each (:status)))"
        " AND (:priority IS NULL OR priority IN (SELECT value FROM json_each (:priority)))"
        " AND (:type IS NULL OR type IN (SELECT value FROM json_each (:type)))"
        " AND (:technician_id IS NULL OR technician_id = :technician_id)"
        " AND (:region IS NULL OR region = :region)"
        " AND (:customer_id IS NULL OR customer_id = :customer_id)"
        " AND (:required_skill IS NULL OR required_skill = :required_skill)"
        " AND (:product_model IS NULL OR product_model = :product_model)"
        " AND (:due_before IS NULL OR " WORKORDER_DUE " < :due_before)"
        " AND (:reported_after IS NULL OR reported_at_ms >= :reported_after)"
        " AND (:reported_before IS NULL OR reported_at_ms < :reported_before)"
        " AND (:overdue IS NULL OR :overdue = (CASE WHEN completed_at_ms IS NOT NULL"
        "      THEN completed_at_ms > due_at_ms"
        "      ELSE cancelled_at_ms IS NULL AND :now > " WORKORDER_DUE " END))"
        " ORDER BY " SORT_KEY ", seq LIMIT :limit + 1",
        &dispatch_workorder_list_request_shape, request, &dispatch_workorder_summary_shape,
        &reply->items, request->limit, &reply->next_cursor, SHR_TEXT (":sort", sort),
        SHR_INT (":has_cursor", request->cursor != NULL), SHR_INT (":key", key),
        SHR_INT (":after", after), SHR_END);
}

int workorder_count (shr_call_t *call, const dispatch_workorder_count_request_t *request,
                     dispatch_workorder_count_reply_t *reply)
{
    if (shr_call_list (call,
                       "SELECT status, count(*) AS count FROM workorder"
                       " WHERE (:region IS NULL OR region = :region) GROUP BY status"
                       " ORDER BY status",
                       &dispatch_workorder_count_request_shape, request,
                       &dispatch_workorder_count_reply_by_status_item_shape, &reply->by_status, 0,
                       NULL, SHR_END)
        || shr_call_list (call,
                          "SELECT region, count(*) AS open, sum (status = 'reported') AS waiting,"
                          " sum (:now > " WORKORDER_DUE ") AS overdue FROM workorder WHERE open = 1"
                          " AND (:region IS NULL OR region = :region) GROUP BY region"
                          " ORDER BY region",
                          &dispatch_workorder_count_request_shape, request,
                          &dispatch_workorder_count_reply_by_region_item_shape, &reply->by_region,
                          0, NULL, SHR_END))
        return -1;
    for (size_t i = 0; i < reply->by_status.count; i++)
        reply->total += reply->by_status.items[i].count;
    for (size_t i = 0; i < reply->by_region.count; i++) {
        reply->open += reply->by_region.items[i].open;
        reply->overdue += reply->by_region.items[i].overdue;
    }
    return 0;
}
