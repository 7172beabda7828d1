/*  workorder_feed - what dispatch's events do here. Each work order joins
    its customer's history (and a customer first seen in one joins the
    file); a completed order schedules its follow-up visit and opens its
    survey; the customer_score of an accepted order answers that survey.
    Applied once each, in order, in the consumer's unit of work
    (shr_service_consume), so a restart neither loses nor repeats one.
*/
#include "complaints.h"

//  The order as its customer's history shows it, as of this event.
static int s_track (shr_call_t *call, const dispatch_workorder_summary_t *order)
{
    return customer_ensure (call, order->customer_id, order->region)
           || shr_call_exec (call,
                             "INSERT INTO customer_workorder (id, customer_id, type, status,"
                             " region, reported_at_ms) VALUES (:id, :customer_id, :type, :status,"
                             " :region, :reported_at_ms) ON CONFLICT (id) DO UPDATE SET status ="
                             " excluded.status, region = excluded.region",
                             &dispatch_workorder_summary_shape, order, SHR_END);
}

static int s_on_created (shr_call_t *call, const shr_event_t *event,
                         const event_workorder_created_t *data)
{
    (void) event;
    return s_track (call, &data->workorder_summary);
}

static int s_on_assigned (shr_call_t *call, const shr_event_t *event,
                          const event_workorder_assigned_t *data)
{
    (void) event;
    return s_track (call, &data->workorder_summary);
}

static int s_on_started (shr_call_t *call, const shr_event_t *event,
                         const event_workorder_started_t *data)
{
    (void) event;
    return s_track (call, &data->workorder_summary);
}

static int s_on_waiting_parts (shr_call_t *call, const shr_event_t *event,
                               const event_workorder_waiting_parts_t *data)
{
    (void) event;
    return s_track (call, &data->workorder_summary);
}

static int s_on_resumed (shr_call_t *call, const shr_event_t *event,
                         const event_workorder_resumed_t *data)
{
    (void) event;
    return s_track (call, &data->workorder_summary);
}

static int s_on_completed (shr_call_t *call, const shr_event_t *event,
                           const event_workorder_completed_t *data)
{
    (void) event;
    const dispatch_workorder_summary_t *order = &data->workorder_summary;
    return s_track (call, order)
           || shr_call_exec (call,
                             "UPDATE customer_workorder SET completed_at_ms = :at WHERE id = :id",
                             NULL, NULL, SHR_INT (":at", data->completed_at),
                             SHR_TEXT (":id", order->id), SHR_END)
           || followup_after_repair (call, order->customer_id, order->id, data->completed_at)
           || survey_open (call, order->customer_id, "workorder", order->id, NULL);
}

static int s_on_accepted (shr_call_t *call, const shr_event_t *event,
                          const event_workorder_accepted_t *data)
{
    (void) event;
    const dispatch_workorder_summary_t *order = &data->workorder_summary;
    if (s_track (call, order)
        || shr_call_exec (call,
                          "UPDATE customer_workorder SET accepted_at_ms = :at, customer_score ="
                          " :score WHERE id = :id",
                          NULL, NULL, SHR_INT (":at", data->accepted_at),
                          SHR_INT_IF (":score", data->has_customer_score, data->customer_score),
                          SHR_TEXT (":id", order->id), SHR_END))
        return -1;
    return data->has_customer_score
               ? survey_answer_from_acceptance (call, order->id, data->customer_score)
               : 0;
}

static int s_on_rejected (shr_call_t *call, const shr_event_t *event,
                          const event_workorder_rejected_t *data)
{
    (void) event;
    return s_track (call, &data->workorder_summary);
}

static int s_on_cancelled (shr_call_t *call, const shr_event_t *event,
                           const event_workorder_cancelled_t *data)
{
    (void) event;
    return s_track (call, &data->workorder_summary);
}

const shr_event_handler_t workorder_feed[] = {
    SHR_ON (event_workorder_created, s_on_created),
    SHR_ON (event_workorder_assigned, s_on_assigned),
    SHR_ON (event_workorder_started, s_on_started),
    SHR_ON (event_workorder_waiting_parts, s_on_waiting_parts),
    SHR_ON (event_workorder_resumed, s_on_resumed),
    SHR_ON (event_workorder_completed, s_on_completed),
    SHR_ON (event_workorder_accepted, s_on_accepted),
    SHR_ON (event_workorder_rejected, s_on_rejected),
    SHR_ON (event_workorder_cancelled, s_on_cancelled),
    {NULL, NULL}};
