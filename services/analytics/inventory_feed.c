/*  inventory_feed - what inventory's events become here: the cost of the
    parts issued to work orders (less what came back from them), and the
    stock's value after every movement (stock.c's journal), for the
    inventory turnover. Inventory keeps one currency; its issues name it.
*/
#include "analytics.h"

static int s_on_received (shr_call_t *call, const shr_event_t *event,
                          const event_stock_received_t *data)
{
    if (stock_move (call, event, data->value_cents))
        return -1;
    if (!data->source || !streq (data->source, "return"))
        return 0;
    //  Back from a work order: it undoes that much of the cost of goods.
    fact_t fact = {.metric = "issue_cost", .at_ms = event->ts_ms, .value = -data->value_cents,
                   .currency = data->currency, .workorder_id = data->reference};
    return fact_add (call, event, &fact);
}

static int s_on_issued (shr_call_t *call, const shr_event_t *event,
                        const event_stock_issued_t *data)
{
    if (stock_move (call, event, -data->value_cents))
        return -1;
    fact_t fact = {.metric = "issue_cost", .at_ms = event->ts_ms, .value = data->value_cents,
                   .currency = data->currency, .workorder_id = data->workorder_id};
    return fact_add (call, event, &fact);
}

static int s_on_adjusted (shr_call_t *call, const shr_event_t *event,
                          const event_stock_adjusted_t *data)
{
    return stock_move (call, event, data->value_change_cents);
}

const shr_event_handler_t inventory_feed[] = {
    SHR_ON (event_stock_received, s_on_received),
    SHR_ON (event_stock_issued, s_on_issued),
    SHR_ON (event_stock_adjusted, s_on_adjusted),
    {NULL, NULL}};
