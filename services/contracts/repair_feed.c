/*  repair_feed - what dispatch's events do here: each completed work order
    in warranty with a product model joins that model's repair history, at
    its labour and parts cost, which prices extended warranties (quote.c);
    and each part such a repair replaced on a known serial is covered on its
    own for CONTRACTS_PART_COVER_DAYS from the repair's day (the longest of
    its covers kept), beyond the product's own cover: asset.get shows it.
    Applied once each, in order, in the consumer's unit of work; an order
    seen twice (a replay) counts once.
*/
#include "contracts.h"

static int s_cover_parts (shr_call_t *call, const event_workorder_completed_t *data, int days)
{
    if (days == 0 || !data->product_serial || data->parts_used.count == 0)
        return 0;
    const char *ends_on = day_text (call, day_of_ms (data->completed_at) + days);
    if (!ends_on)
        return shr_call_fail (call, SHR_INTERNAL, NULL, "out of memory");
    for (size_t i = 0; i < data->parts_used.count; i++)
        if (shr_call_exec (call,
                           "INSERT INTO part_cover (serial, part_id, ends_on, workorder_id)"
                           " VALUES (:serial, :part, :ends, :id) ON CONFLICT (serial, part_id)"
                           " DO UPDATE SET workorder_id = excluded.workorder_id,"
                           " ends_on = excluded.ends_on WHERE excluded.ends_on > ends_on",
                           NULL, NULL, SHR_TEXT (":serial", data->product_serial),
                           SHR_TEXT (":part", data->parts_used.items[i].part_id),
                           SHR_TEXT (":ends", ends_on),
                           SHR_TEXT (":id", data->workorder_summary.id), SHR_END))
            return -1;
    return 0;
}

static int s_on_completed (shr_call_t *call, const shr_event_t *event,
                           const event_workorder_completed_t *data)
{
    (void) event;
    const contracts_settings_t *settings = (const contracts_settings_t *) call->arg;
    if (!data->workorder_summary.in_warranty)
        return 0;
    if (s_cover_parts (call, data, settings->part_cover_days))
        return -1;
    if (!data->workorder_summary.product_model)
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
