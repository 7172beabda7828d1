/*  procurement_feed - what procurement's events become here: the parts
    purchasing cost of each receipt (accepted quantity x the order's unit
    price, per line), on the day it was received, for the parts cost
    reduction rate.
*/
#include "analytics.h"

static int s_on_received (shr_call_t *call, const shr_event_t *event,
                          const event_po_received_t *data)
{
    int64_t cost = 0;
    for (size_t i = 0; i < data->lines.count; i++)
        cost += data->lines.items[i].accepted * data->lines.items[i].unit_price_cents;
    fact_t fact = {.metric = "purchase_cost", .at_ms = data->received_at, .value = cost,
                   .currency = data->po_summary.currency};
    return fact_add (call, event, &fact);
}

const shr_event_handler_t procurement_feed[] = {
    SHR_ON (event_po_received, s_on_received),
    {NULL, NULL}};
