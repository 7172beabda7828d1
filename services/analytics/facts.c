/*  facts - one number an event contributed, kept with the event's source and
    seq (kpi.explain shows them). A fact from another source about a work order (a complaint,
    a survey) takes the order's technician, type and model from what dispatch
    said at its completion, whichever of the two streams comes first, so a
    rebuild from replay ends with the same roll-ups as the live run. Adding a
    fact only appends it: rollup.c's tick adds it to the roll-ups.
*/
#include "analytics.h"

int fact_add (shr_call_t *call, const shr_event_t *event, const fact_t *fact)
{
    const char *technician = fact->technician_id, *type = fact->type;
    const char *model = fact->product_model;
    int waiting = 0;
    if (fact->workorder_id && !type) {
        typedef struct {
            const char *technician_id, *type, *product_model;
            int64_t completed_at_ms;
            bool has_completed_at_ms;
        } order_t;
        static const shr_field_t fields[] = {
            ROW_TEXT (order_t, technician_id),
            ROW_TEXT (order_t, type),
            ROW_TEXT (order_t, product_model),
            ROW_INT_OPT (order_t, completed_at_ms),
        };
        static const shr_shape_t shape = ROW_SHAPE ("a work order's dimensions", order_t, fields);
        order_t order = {0};
        int found = shr_call_get (call,
                                  "SELECT technician_id, type, product_model, completed_at_ms"
                                  " FROM workorder WHERE id = :id",
                                  NULL, NULL, &shape, &order,
                                  SHR_TEXT (":id", fact->workorder_id), SHR_END);
        if (found < 0)
            return -1;
        if (found && order.has_completed_at_ms) {
            technician = order.technician_id;
            type = order.type;
            model = order.product_model;
        }
        else
            waiting = 1;
    }
    int64_t day = calendar_day_of_ms (fact->at_ms);
    return shr_call_exec (
        call,
        "INSERT INTO fact (source, seq, type, key, metric, at_ms, day, month, currency, value,"
        " region, technician_id, type_of_order, product_model, workorder_id, waiting) VALUES"
        " (:source, :seq, :type, :key, :metric, :at, :day, :month, coalesce (:currency, ''),"
        " :value,"
        " coalesce (:region, ''), coalesce (:technician, ''), coalesce (:order_type, ''),"
        " coalesce (:model, ''), :workorder, :waiting)",
        NULL, NULL, SHR_TEXT (":source", event->source), SHR_INT (":seq", event->seq),
        SHR_TEXT (":type", event->type), SHR_TEXT (":key", event->key ? event->key : ""),
        SHR_TEXT (":metric", fact->metric), SHR_INT (":at", fact->at_ms),
        SHR_INT (":day", day), SHR_INT (":month", calendar_month_of_day (day)),
        SHR_TEXT (":currency", fact->currency),
        SHR_INT (":value", fact->value), SHR_TEXT (":region", fact->region),
        SHR_TEXT (":technician", technician), SHR_TEXT (":order_type", type),
        SHR_TEXT (":model", model), SHR_TEXT (":workorder", fact->workorder_id),
        SHR_INT (":waiting", waiting), SHR_END);
}

int fact_job (shr_call_t *call, const shr_event_t *event,
              const dispatch_workorder_summary_t *order, const job_t *job)
{
    int64_t day = calendar_day_of_ms (job->at_ms);
    return shr_call_exec (
        call,
        "INSERT INTO fact (source, seq, type, key, metric, at_ms, day, month, currency, value,"
        " region, technician_id, type_of_order, product_model, workorder_id, repair_s, on_time,"
        " revenue, labour_cost, parts_cost, margin, va_revenue) VALUES"
        " (:source, :seq, :type, :key, 'job', :at, :day, :month, coalesce (:currency, ''), 1,"
        " coalesce (:region, ''), coalesce (:technician, ''), coalesce (:order_type, ''),"
        " coalesce (:model, ''), :workorder, :repair_s, :on_time, :revenue, :labour_cost,"
        " :parts_cost, :margin, :va_revenue)",
        NULL, NULL, SHR_TEXT (":source", event->source), SHR_INT (":seq", event->seq),
        SHR_TEXT (":type", event->type), SHR_TEXT (":key", event->key ? event->key : ""),
        SHR_INT (":at", job->at_ms), SHR_INT (":day", day),
        SHR_INT (":month", calendar_month_of_day (day)), SHR_TEXT (":currency", job->currency),
        SHR_TEXT (":region", order->region), SHR_TEXT (":technician", order->technician_id),
        SHR_TEXT (":order_type", order->type), SHR_TEXT (":model", order->product_model),
        SHR_TEXT (":workorder", order->id), SHR_INT (":repair_s", job->repair_s),
        SHR_INT (":on_time", job->on_time), SHR_INT (":revenue", job->revenue),
        SHR_INT (":labour_cost", job->labour_cost), SHR_INT (":parts_cost", job->parts_cost),
        SHR_INT (":margin", job->margin),
        SHR_INT_IF (":va_revenue", job->value_added, job->revenue), SHR_END);
}

int fact_workorder (shr_call_t *call, const dispatch_workorder_summary_t *order,
                    int64_t completed_at_ms, int64_t parts_cost_cents)
{
    if (shr_call_exec (call,
                       "INSERT INTO workorder (id, region, technician_id, type, product_model,"
                       " completed_at_ms, parts_cost_cents) VALUES (:id, :region, :technician_id,"
                       " :type, :product_model, :completed, :parts) ON CONFLICT (id) DO UPDATE SET"
                       " region = excluded.region, technician_id = excluded.technician_id, type ="
                       " excluded.type, product_model = excluded.product_model,"
                       " completed_at_ms = coalesce (completed_at_ms,"
                       " excluded.completed_at_ms), parts_cost_cents = coalesce"
                       " (parts_cost_cents, excluded.parts_cost_cents)",
                       &dispatch_workorder_summary_shape, order,
                       SHR_INT_IF (":completed", completed_at_ms > 0, completed_at_ms),
                       SHR_INT_IF (":parts", completed_at_ms > 0, parts_cost_cents), SHR_END))
        return -1;
    return completed_at_ms > 0 ? rollup_resolve (call, order->id) : 0;
}

int fact_workorder_read (shr_call_t *call, const char *id, int64_t *completed_at_ms,
                         int64_t *parts_cost_cents)
{
    *completed_at_ms = *parts_cost_cents = 0;
    typedef struct {
        int64_t completed_at_ms;
        bool has_completed_at_ms;
        int64_t parts_cost_cents;
        bool has_parts_cost_cents;
    } row_t;
    static const shr_field_t fields[] = {ROW_INT_OPT (row_t, completed_at_ms),
                                         ROW_INT_OPT (row_t, parts_cost_cents)};
    static const shr_shape_t shape = ROW_SHAPE ("a completion", row_t, fields);
    row_t row = {0};
    int found = shr_call_get (call,
                              "SELECT completed_at_ms, parts_cost_cents FROM workorder"
                              " WHERE id = :id",
                              NULL, NULL, &shape, &row, SHR_TEXT (":id", id), SHR_END);
    if (found < 0)
        return -1;
    if (found && row.has_completed_at_ms) {
        *completed_at_ms = row.completed_at_ms;
        *parts_cost_cents = row.parts_cost_cents;
    }
    return 0;
}

int fact_workorder_costed (shr_call_t *call, const char *id, int64_t parts_cost_cents)
{
    return shr_call_exec (call, "UPDATE workorder SET parts_cost_cents = :parts WHERE id = :id",
                          NULL, NULL, SHR_INT (":parts", parts_cost_cents), SHR_TEXT (":id", id),
                          SHR_END);
}
