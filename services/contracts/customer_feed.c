/*  customer_feed - what complaints' events do here. The customer file is
    complaints'; contracts keeps only whether each customer consents to be
    contacted, which decides who is offered anything before a cover ends.
    Applied once each, in order, in the consumer's unit of work.
*/
#include "contracts.h"

static int s_on_updated (shr_call_t *call, const shr_event_t *event,
                         const event_customer_updated_t *data)
{
    (void) event;
    return shr_call_exec (call,
                          "INSERT INTO customer (id, consent, updated_at_ms) VALUES (:id, :consent,"
                          " :now) ON CONFLICT (id) DO UPDATE SET consent = excluded.consent,"
                          " updated_at_ms = excluded.updated_at_ms",
                          NULL, NULL, SHR_TEXT (":id", data->customer.id),
                          SHR_INT (":consent", data->customer.consent), SHR_END);
}

const shr_event_handler_t customer_feed[] = {SHR_ON (event_customer_updated, s_on_updated),
                                             {NULL, NULL}};
