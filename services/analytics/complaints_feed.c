/*  complaints_feed - what complaints' events become here: each complaint
    received (kind complaint; suggestions, praise and inquiries are not
    complaints), each customer added to the file (the complaint rate's
    denominator), and each survey score that no work order acceptance gave
    (those come from dispatch's workorder.accepted, counted once).
*/
#include "analytics.h"

static int s_on_received (shr_call_t *call, const shr_event_t *event,
                          const event_complaint_received_t *data)
{
    const complaints_complaint_summary_t *complaint = &data->complaint_summary;
    if (!streq (complaint->kind, "complaint"))
        return 0;
    fact_t fact = {.metric = "complaint", .at_ms = complaint->received_at, .value = 1,
                   .region = complaint->region, .workorder_id = complaint->workorder_id};
    return fact_add (call, event, &fact);
}

static int s_on_customer (shr_call_t *call, const shr_event_t *event,
                          const event_customer_updated_t *data)
{
    if (!data->created)
        return 0;
    fact_t fact = {.metric = "customer", .at_ms = data->customer.created_at, .value = 1,
                   .region = data->customer.region};
    return fact_add (call, event, &fact);
}

static int s_on_answered (shr_call_t *call, const shr_event_t *event,
                          const event_survey_answered_t *data)
{
    const complaints_survey_t *survey = &data->survey;
    if (!survey->has_score || !survey->has_answered_at
        || (survey->source && streq (survey->source, "acceptance")))
        return 0;
    fact_t fact = {.metric = "score", .at_ms = survey->answered_at, .value = survey->score,
                   .region = survey->region, .workorder_id = survey->workorder_id};
    return fact_add (call, event, &fact);
}

const shr_event_handler_t complaints_feed[] = {
    SHR_ON (event_complaint_received, s_on_received),
    SHR_ON (event_customer_updated, s_on_customer),
    SHR_ON (event_survey_answered, s_on_answered),
    {NULL, NULL}};
