/*  technician_absence - a technician away (sick, on leave) from..to: off
    shift for every assignment meanwhile (roster, assign_choice); an absence
    that covers now hands over their orders not started at once.
*/
#include "dispatch.h"

int technician_absence_set (shr_call_t *call,
                            const dispatch_technician_absence_set_request_t *request,
                            dispatch_technician_absence_set_reply_t *reply)
{
    if (request->to <= request->from)
        return shr_call_fail (call, SHR_INVALID_ARGUMENT, "/body/to",
                              "the absence must end after it starts");
    if (technician_must_exist (call, request->technician_id))
        return -1;
    if (shr_call_exec (call,
                       "INSERT INTO technician_absence (technician_id, from_ms, to_ms, reason)"
                       " VALUES (:technician_id, :from, :to, :reason) ON CONFLICT DO UPDATE SET"
                       " to_ms = excluded.to_ms, reason = excluded.reason",
                       &dispatch_technician_absence_set_request_shape, request, SHR_END))
        return -1;
    reply->technician_id = request->technician_id;
    reply->from = request->from;
    reply->to = request->to;
    reply->reason = request->reason;
    if (request->from <= call->now_ms && call->now_ms < request->to) {
        if (technician_hand_over (call, request->technician_id, NULL, false,
                                  shr_call_printf (call, "absent: %s", request->reason),
                                  &reply->handover))
            return -1;
        reply->has_handover = true;
    }
    event_technician_absent_t event
        = {request->technician_id, request->from, request->to, request->reason};
    return event_technician_absent_emit (call, request->technician_id, &event) < 0 ? -1 : 0;
}
