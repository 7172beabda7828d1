/*  customer_feed - what complaints' events do here. The customer file is
    complaints'; contracts keeps only whether each customer consents to be
    contacted, which decides who is offered anything before a cover ends,
    and their region, which the work orders it asks dispatch for carry.
    Applied once each, in order, in the consumer's unit of work.
*/
#include "contracts.h"

static int s_on_updated (shr_call_t *call, const shr_event_t *event,
                         const event_customer_updated_t *data)
{
    (void) event;
    return shr_call_exec (call,
                          "INSERT INTO customer (id, consent, region, updated_at_ms) VALUES (:id,"
                          " :consent, :region, :now) ON CONFLICT (id) DO UPDATE SET consent ="
                          " excluded.consent, region = excluded.region, updated_at_ms ="
                          " excluded.updated_at_ms",
                          NULL, NULL, SHR_TEXT (":id", data->customer.id),
                          SHR_INT (":consent", data->customer.consent),
                          SHR_TEXT (":region", data->customer.region), SHR_END);
}

const shr_event_handler_t customer_feed[] = {SHR_ON (event_customer_updated, s_on_updated),
                                             {NULL, NULL}};
