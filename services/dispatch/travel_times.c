/*  travel_times - the travel times an integrator supplies (from a routing
    engine, say), one per technician and order; dispatch.run takes them over
    its estimate from distance (assign_plan.h). A time given again replaces
    the one before; the times of an order go with it once it is no longer
    waiting (dispatch_run reads those of waiting orders only).
*/
#include "dispatch.h"

int travel_times_set (shr_call_t *call, const dispatch_travel_times_set_request_t *request,
                      dispatch_travel_times_set_reply_t *reply)
{
    for (size_t i = 0; i < request->times.count; i++)
        if (shr_call_exec (call,
                           "INSERT INTO travel_time (technician_id, workorder_id, minutes)"
                           " VALUES (:technician_id, :workorder_id, :minutes)"
                           " ON CONFLICT (workorder_id, technician_id)"
                           " DO UPDATE SET minutes = excluded.minutes",
                           &dispatch_travel_times_set_request_times_item_shape,
                           &request->times.items[i], SHR_END))
            return -1;
    reply->stored = (int64_t) request->times.count;
    return 0;
}
