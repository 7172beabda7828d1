/*  followup - follow-up visits: one after each completed work order (due
    COMPLAINTS_FOLLOWUP_DELAY_S after the completion), and periodic care,
    scheduled per customer every so many days. Only customers who consent to
    be contacted get them. A customer who cannot be reached is tried again
    COMPLAINTS_FOLLOWUP_RETRY_S later, at most COMPLAINTS_FOLLOWUP_ATTEMPTS
    times in all; then the follow-up closes as unreachable. A follow-up is
    overdue COMPLAINTS_FOLLOWUP_GRACE_S after it is due.

        scheduled -> completed
                  -> unreachable (after the last attempt)
*/
#include "complaints.h"

#define DAY_MS 86400000LL

static int s_load (shr_call_t *call, const char *id, complaints_followup_t *out)
{
    int found = shr_call_get (call, "SELECT " FOLLOWUP_COLUMNS " FROM followup WHERE id = :id",
                              NULL, NULL, &complaints_followup_shape, out, SHR_TEXT (":id", id),
                              SHR_END);
    if (found == 0)
        return shr_call_fail (call, SHR_NOT_FOUND, "/body/id", "no follow-up %s", id);
    return found < 0 ? -1 : 0;
}

//  Schedules a follow-up and announces it. Fills out. Returns 0 or -1.
static int s_schedule (shr_call_t *call, const complaints_customer_t *customer, const char *kind,
                       const char *workorder_id, int64_t due_ms, int64_t every_days,
                       const char *note, const char *by, complaints_followup_t *out)
{
    const complaints_settings_t *settings = (const complaints_settings_t *) call->arg;
    int64_t seq;
    const char *id;
    if (complaints_next_id (call, "SELECT coalesce (max (seq), 0) + 1 FROM followup", "FU", &seq,
                            &id))
        return -1;
    if (shr_call_exec (call,
                       "INSERT INTO followup (seq, id, customer_id, region, kind, workorder_id,"
                       " status, due_at_ms, overdue_at_ms, every_days, note, by, created_at_ms)"
                       " VALUES (:seq, :id, :customer, :region, :kind, :workorder, 'scheduled',"
                       " :due, :due + :grace, :every, :note, :by, :now)",
                       NULL, NULL, SHR_INT (":seq", seq), SHR_TEXT (":id", id),
                       SHR_TEXT (":customer", customer->id), SHR_TEXT (":region", customer->region),
                       SHR_TEXT (":kind", kind), SHR_TEXT (":workorder", workorder_id),
                       SHR_INT (":due", due_ms),
                       SHR_INT (":grace", settings->followup_grace_s * 1000LL),
                       SHR_INT_IF (":every", every_days > 0, every_days), SHR_TEXT (":note", note),
                       SHR_TEXT (":by", by), SHR_END)
        || s_load (call, id, out))
        return -1;
    event_followup_scheduled_t event = {.followup = *out, .by = by};
    return event_followup_scheduled_emit (call, id, &event) < 0 ? -1 : 0;
}

int followup_after_repair (shr_call_t *call, const char *customer_id, const char *workorder_id,
                           int64_t completed_at_ms)
{
    const complaints_settings_t *settings = (const complaints_settings_t *) call->arg;
    complaints_customer_t customer;
    int found = customer_read (call, customer_id, &customer);
    if (found < 0)
        return -1;
    if (!found || !customer.consent) {
        shr_log_debug ("no follow-up of %s: customer %s has not consented to be contacted",
                       workorder_id, customer_id);
        return 0;
    }
    complaints_followup_t followup;
    return s_schedule (call, &customer, "after_repair", workorder_id,
                       completed_at_ms + settings->followup_delay_s * 1000LL, 0, NULL, NULL,
                       &followup);
}

int followup_schedule (shr_call_t *call, const complaints_followup_schedule_request_t *request,
                       complaints_followup_t *reply)
{
    complaints_customer_t customer;
    int found = customer_read (call, request->customer_id, &customer);
    if (found <= 0)
        return found < 0 ? -1
                         : shr_call_fail (call, SHR_NOT_FOUND, "/body/customer_id",
                                          "no customer %s", request->customer_id);
    if (!customer.consent)
        return shr_call_fail (call, SHR_FAILED_PRECONDITION, "/body/customer_id",
                              "customer %s has not consented to be contacted",
                              request->customer_id);
    int64_t every = request->has_every_days ? request->every_days : 0;
    int64_t due = request->has_due_at ? request->due_at : call->now_ms + every * DAY_MS;
    return s_schedule (call, &customer, "care", NULL, due, every, request->note, request->by,
                       reply);
}

//  A care follow-up that ends makes way for the next one, on its cadence.
static int s_next_care (shr_call_t *call, const complaints_followup_t *done, const char *by)
{
    if (!done->has_every_days)
        return 0;
    complaints_customer_t customer;
    if (customer_read (call, done->customer_id, &customer) != 1)
        return shr_call_db_error (call);
    if (!customer.consent)
        return 0;
    int64_t period = done->every_days * DAY_MS;
    int64_t due = done->due_at + period;
    if (due <= call->now_ms)
        due += ((call->now_ms - due) / period + 1) * period;
    complaints_followup_t next;
    return s_schedule (call, &customer, "care", NULL, due, done->every_days, NULL, by, &next);
}

static int s_begin (shr_call_t *call, const char *id, const char *step,
                    complaints_followup_t *followup)
{
    if (s_load (call, id, followup))
        return -1;
    if (!streq (followup->status, "scheduled"))
        return shr_call_fail (call, SHR_FAILED_PRECONDITION, "/body/id",
                              "cannot %s %s: it is %s; that needs it scheduled", step, id,
                              followup->status);
    return 0;
}

static int s_ended (shr_call_t *call, const char *id, const char *by, complaints_followup_t *reply)
{
    if (s_load (call, id, reply))
        return -1;
    event_followup_completed_t event = {.followup = *reply, .by = by};
    if (event_followup_completed_emit (call, id, &event) < 0)
        return -1;
    return s_next_care (call, reply, by);
}

int followup_complete (shr_call_t *call, const complaints_followup_complete_request_t *request,
                       complaints_followup_t *reply)
{
    complaints_followup_t followup;
    if (s_begin (call, request->id, "complete", &followup)
        || shr_call_exec (call,
                          "UPDATE followup SET status = 'completed', outcome = :outcome,"
                          " note = coalesce (:note, note), by = :by, completed_at_ms = :now"
                          " WHERE id = :id",
                          &complaints_followup_complete_request_shape, request, SHR_END))
        return -1;
    return s_ended (call, request->id, request->by, reply);
}

int followup_unreachable (shr_call_t *call,
                          const complaints_followup_unreachable_request_t *request,
                          complaints_followup_t *reply)
{
    const complaints_settings_t *settings = (const complaints_settings_t *) call->arg;
    complaints_followup_t followup;
    if (s_begin (call, request->id, "record an unreachable customer on", &followup))
        return -1;
    if (followup.attempts + 1 >= settings->followup_attempts) {
        if (shr_call_exec (call,
                           "UPDATE followup SET status = 'unreachable', attempts = attempts + 1,"
                           " note = coalesce (:note, note), by = :by, completed_at_ms = :now"
                           " WHERE id = :id",
                           &complaints_followup_unreachable_request_shape, request, SHR_END))
            return -1;
        shr_log_info ("follow-up %s closed: customer %s unreachable %d times", request->id,
                      followup.customer_id, settings->followup_attempts);
        return s_ended (call, request->id, request->by, reply);
    }
    //  Tried again later: the same follow-up, due once more.
    if (shr_call_exec (call,
                       "UPDATE followup SET attempts = attempts + 1, due_at_ms = :now + :retry,"
                       " overdue_at_ms = :now + :retry + :grace, note = coalesce (:note, note),"
                       " by = :by WHERE id = :id",
                       &complaints_followup_unreachable_request_shape, request,
                       SHR_INT (":retry", settings->followup_retry_s * 1000LL),
                       SHR_INT (":grace", settings->followup_grace_s * 1000LL), SHR_END)
        || s_load (call, request->id, reply))
        return -1;
    event_followup_scheduled_t event = {.followup = *reply, .by = request->by};
    return event_followup_scheduled_emit (call, request->id, &event) < 0 ? -1 : 0;
}

int followup_list (shr_call_t *call, const complaints_followup_list_request_t *request,
                   complaints_followup_list_reply_t *reply)
{
    int64_t after;
    if (complaints_cursor (call, request->cursor, "followup.list", &after))
        return -1;
    return shr_call_list (
        call,
        "SELECT " FOLLOWUP_COLUMNS ", seq AS _cursor FROM followup WHERE seq > :after"
        " AND (:customer_id IS NULL OR customer_id = :customer_id)"
        " AND (:status IS NULL OR status = :status)"
        " AND (:due IS NULL OR (status = 'scheduled' AND (due_at_ms <= :now) = :due))"
        " AND (:overdue IS NULL OR (status = 'scheduled' AND (overdue_at_ms < :now) = :overdue))"
        " ORDER BY seq LIMIT :limit + 1",
        &complaints_followup_list_request_shape, request, &complaints_followup_shape,
        &reply->items, request->limit, &reply->next_cursor, SHR_INT (":after", after), SHR_END);
}
