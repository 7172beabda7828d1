/*  dispatch_feed - what dispatch's work order events become here: a
    completion gives the order's repair time, on-time flag and money; an
    acceptance its customer's score; a rejection a rework of the rejected
    order, counted on the day it was completed (first-time fix is judged per
    completed job); inventory's costing of its parts (workorder.parts_costed)
    the difference to the parts cost and margin it reported, on the same day.
    Applied once each, in order (shr_service_consume).
*/
#include "analytics.h"

//  The work order types that are value-added services in the plan (§4.4).
static bool s_value_added (const char *type)
{
    return streq (type, "installation") || streq (type, "upgrade") || streq (type, "consulting");
}

//  A fact with the order's own dimensions.
static fact_t s_fact (const dispatch_workorder_summary_t *order, const char *metric,
                      int64_t at_ms, int64_t value, const char *currency)
{
    return (fact_t) {.metric = metric, .at_ms = at_ms, .value = value, .currency = currency,
                     .region = order->region, .technician_id = order->technician_id,
                     .type = order->type, .product_model = order->product_model,
                     .workorder_id = order->id};
}

static int s_on_completed (shr_call_t *call, const shr_event_t *event,
                           const event_workorder_completed_t *data)
{
    const dispatch_workorder_summary_t *order = &data->workorder_summary;
    const dispatch_money_t *money = &data->money;
    //  Its repair time, on-time flag and money: one row (fact_job).
    const job_t job = {.at_ms = data->completed_at, .repair_s = data->repair_duration_s,
                       .on_time = data->on_time ? 1 : 0, .revenue = money->total_charge_cents,
                       .labour_cost = money->labour_cost_cents,
                       .parts_cost = money->parts_cost_cents, .margin = money->margin_cents,
                       .value_added = s_value_added (order->type), .currency = money->currency};
    return fact_workorder (call, order, data->completed_at, money->parts_cost_cents)
           || fact_job (call, event, order, &job);
}

static int s_on_accepted (shr_call_t *call, const shr_event_t *event,
                          const event_workorder_accepted_t *data)
{
    if (!data->has_customer_score)
        return 0;  //  the customer gave none: left out, not a zero
    fact_t score = s_fact (&data->workorder_summary, "score", data->accepted_at,
                           data->customer_score, NULL);
    return fact_add (call, event, &score);
}

static int s_on_rejected (shr_call_t *call, const shr_event_t *event,
                          const event_workorder_rejected_t *data)
{
    const dispatch_workorder_summary_t *order = &data->workorder_summary;
    int64_t completed_at, parts_cost;
    if (fact_workorder_read (call, order->id, &completed_at, &parts_cost))
        return -1;
    if (!completed_at)
        return 0;  //  rejected before any completion we saw: no job to judge
    fact_t rework = s_fact (order, "rework", completed_at, 1, NULL);
    if (fact_add (call, event, &rework))
        return -1;
    if (data->rejected_at - completed_at > 30LL * 86400 * 1000)
        return 0;
    fact_t within = s_fact (order, "rework_30d", completed_at, 1, NULL);
    return fact_add (call, event, &within);
}

static int s_on_parts_costed (shr_call_t *call, const shr_event_t *event,
                              const event_workorder_parts_costed_t *data)
{
    const dispatch_workorder_summary_t *order = &data->workorder_summary;
    int64_t completed_at, before;
    if (fact_workorder_read (call, order->id, &completed_at, &before))
        return -1;
    int64_t change = data->money.parts_cost_cents - before;
    if (!completed_at || !change)
        return 0;
    //  On the completion's day, so that the order's margin is what it really made.
    const fact_t facts[] = {
        s_fact (order, "parts_cost", completed_at, change, data->money.currency),
        s_fact (order, "margin", completed_at, -change, data->money.currency),
    };
    return fact_workorder_costed (call, order->id, data->money.parts_cost_cents)
           || fact_add (call, event, &facts[0]) || fact_add (call, event, &facts[1]);
}

const shr_event_handler_t dispatch_feed[] = {
    SHR_ON (event_workorder_completed, s_on_completed),
    SHR_ON (event_workorder_accepted, s_on_accepted),
    SHR_ON (event_workorder_rejected, s_on_rejected),
    SHR_ON (event_workorder_parts_costed, s_on_parts_costed),
    {NULL, NULL}};
