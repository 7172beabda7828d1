/*  contracts_feed - what contracts' events become here: the money of what it
    sells beyond the repair itself, all of it value-added revenue (§4.4): a
    contract sold or renewed brings its price, a cancellation takes its
    refund back, a returned rental brings its rent and late fees. Each counts
    when the event happened, under its kind as the type ("extended_warranty",
    "rental", ...), so profit.breakdown by type shows it beside the work
    orders. Its margin is its revenue: the cost of honouring a contract is
    the work orders it pays for, which dispatch reports in warranty (charge
    0, their labour and parts costs), so nothing is counted twice. The
    events carry no region or technician.
*/
#include "analytics.h"

//  The revenue, value-added revenue and margin of an amount of money.
static int s_money (shr_call_t *call, const shr_event_t *event, const char *kind,
                    int64_t cents, const char *currency)
{
    static const char *metrics[] = {"revenue", "va_revenue", "margin"};
    for (size_t i = 0; i < sizeof metrics / sizeof *metrics; i++) {
        fact_t fact = {.metric = metrics[i], .at_ms = event->ts_ms, .value = cents,
                       .currency = currency, .type = kind};
        if (fact_add (call, event, &fact))
            return -1;
    }
    return 0;
}

static int s_on_sold (shr_call_t *call, const shr_event_t *event, const event_contract_sold_t *data)
{
    return s_money (call, event, data->contract.kind, data->revenue_cents, data->contract.currency);
}

static int s_on_renewed (shr_call_t *call, const shr_event_t *event,
                         const event_contract_renewed_t *data)
{
    return s_money (call, event, data->contract.kind, data->revenue_cents, data->contract.currency);
}

static int s_on_cancelled (shr_call_t *call, const shr_event_t *event,
                           const event_contract_cancelled_t *data)
{
    const contracts_contract_t *contract = &data->contract;
    if (!contract->has_refund_cents || contract->refund_cents == 0)
        return 0;
    return s_money (call, event, contract->kind, -contract->refund_cents, contract->currency);
}

static int s_on_returned (shr_call_t *call, const shr_event_t *event,
                          const event_rental_returned_t *data)
{
    return s_money (call, event, "rental", data->revenue_cents, data->rental.currency);
}

const shr_event_handler_t contracts_feed[] = {
    SHR_ON (event_contract_sold, s_on_sold),
    SHR_ON (event_contract_renewed, s_on_renewed),
    SHR_ON (event_contract_cancelled, s_on_cancelled),
    SHR_ON (event_rental_returned, s_on_returned),
    {NULL, NULL}};
