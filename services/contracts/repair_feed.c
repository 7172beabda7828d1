/*  repair_feed - what dispatch's events do here: each completed work order
    in warranty with a product model joins that model's repair history, at
    its labour and parts cost, which prices extended warranties (quote.c).
    Applied once each, in order, in the consumer's unit of work; an order
    seen twice (a replay) counts once.
*/
#include "contracts.h"

static int s_on_completed (shr_call_t *call, const shr_event_t *event,
                           const event_workorder_completed_t *data)
{
    (void) event;
    if (!data->workorder_summary.in_warranty || !data->workorder_summary.product_model)
        return 0;
    return shr_call_exec (call,
                          "INSERT INTO repair (workorder_id, model, serial, cost_cents,"
                          " completed_at_ms) VALUES (:id, :model, :serial, :cost, :at)"
                          " ON CONFLICT (workorder_id) DO NOTHING",
                          NULL, NULL, SHR_TEXT (":id", data->workorder_summary.id),
                          SHR_TEXT (":model", data->workorder_summary.product_model),
                          SHR_TEXT (":serial", data->product_serial),
                          SHR_INT (":cost", data->money.labour_cost_cents
                                                + data->money.parts_cost_cents),
                          SHR_INT (":at", data->completed_at), SHR_END);
}

const shr_event_handler_t repair_feed[] = {SHR_ON (event_workorder_completed, s_on_completed),
                                           {NULL, NULL}};
