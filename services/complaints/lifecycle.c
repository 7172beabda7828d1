/*  lifecycle - the steps of a complaint, from intake to the customer's word.

        received -> acknowledged -> investigating -> resolved -> closed
                    acknowledged, investigating <-> waiting_customer
                    resolved, closed -> reopened -> investigating

    The tables below are the whole state machine: which statuses are open
    (still to be handled), and for each step where it may start, where it
    goes, what it is called in the audit trail, what it does to the case's
    deadlines, and the UPDATE that moves it. A step's target status is read
    from its row, never restated. customer_replied goes back to the status
    the case waited from; confirm (the customer) and close (silence, by the
    clock) both close a resolved case. assign and escalate move no status but
    need an open case. A step the status does not allow fails with
    failed_precondition naming the status.
*/
#include "complaints.h"

const char *const lifecycle_first_status = "received";

static const struct {
    const char *status;
    bool open;
} s_statuses[] = {
    {"received", true}, {"acknowledged", true}, {"investigating", true}, {"waiting_customer", true},
    {"reopened", true}, {"resolved", false},    {"closed", false},
};

//  What a step does to the case's deadlines.
typedef enum {
    S_CLOCK_NONE,
    S_CLOCK_MEET_ACKNOWLEDGE,  //  the acknowledge deadline is met
    S_CLOCK_MEET_RESOLVE,      //  the resolve deadline is met
    S_CLOCK_PAUSE,             //  the clock stands still while the customer is asked
    S_CLOCK_RESUME,            //  and runs again when they reply
    S_CLOCK_NEW_RESOLVE        //  a reopened case gets a new resolve deadline
} s_clock_t;

#define OPEN_STATUSES {"received", "acknowledged", "investigating", "waiting_customer", "reopened"}

//  :status and :open come from the tables (open only where a step opens or
//  closes the case: a column the indexes read costs index work when it is
//  set), the step's time is :now. RETURNING tells whether the row moved.
#define MOVE(set)                                                                                  \
    "UPDATE complaint SET status = :status" set " WHERE seq = :seq AND status = :from"             \
    " RETURNING seq"
static const struct {
    const char *step;
    const char *from[6];
    const char *to;        //  NULL: the status stays
    bool back;             //  to the status the case waited from
    const char *recorded;  //  the audit trail's action
    s_clock_t clock;
    const char *sql;
} s_steps[] = {
    {"acknowledge", {"received"}, "acknowledged", false, "acknowledged", S_CLOCK_MEET_ACKNOWLEDGE,
     MOVE (", acknowledged_at_ms = :now")},
    {"investigate", {"acknowledged", "reopened"}, "investigating", false, "investigating",
     S_CLOCK_NONE, MOVE ("")},
    {"wait_customer", {"acknowledged", "investigating"}, "waiting_customer", false,
     "waiting_customer", S_CLOCK_PAUSE,
     MOVE (", status_before_wait = :from, waiting_since_ms = :now")},
    {"customer_replied", {"waiting_customer"}, NULL, true, "customer_replied", S_CLOCK_RESUME,
     MOVE (", status_before_wait = NULL, waiting_since_ms = NULL")},
    {"resolve", {"investigating"}, "resolved", false, "resolved", S_CLOCK_MEET_RESOLVE,
     MOVE (", open = :open, resolved_at_ms = :now")},
    {"confirm", {"resolved"}, "closed", false, "confirmed", S_CLOCK_NONE,
     MOVE (", closed_at_ms = :now, closed_by = 'customer'")},
    {"close", {"resolved"}, "closed", false, "closed", S_CLOCK_NONE,
     MOVE (", closed_at_ms = :now, closed_by = 'silence'")},
    {"reopen", {"resolved", "closed"}, "reopened", false, "reopened", S_CLOCK_NEW_RESOLVE,
     MOVE (", open = :open, reopened_at_ms = :now, resolved_at_ms = NULL, closed_at_ms = NULL,"
           " closed_by = NULL, reopen_count = reopen_count + 1")},
    {"assign", OPEN_STATUSES, NULL, false, "assigned", S_CLOCK_NONE, NULL},
    {"escalate", OPEN_STATUSES, NULL, false, "escalated", S_CLOCK_NONE, NULL},
};

#define STEP_COUNT (sizeof s_steps / sizeof s_steps[0])

bool lifecycle_is_open (const char *status)
{
    for (size_t i = 0; i < sizeof s_statuses / sizeof s_statuses[0]; i++)
        if (streq (s_statuses[i].status, status))
            return s_statuses[i].open;
    return false;
}

static size_t s_step (const char *step)
{
    size_t i = 0;
    while (i < STEP_COUNT && !streq (s_steps[i].step, step))
        i++;
    assert (i < STEP_COUNT);  //  a step the table lacks is a programming error
    return i;
}

int lifecycle_begin (shr_call_t *call, const char *id, const char *step, complaint_t *complaint)
{
    if (complaint_load (call, id, "/body/id", complaint))
        return -1;
    size_t i = s_step (step);
    char allowed[128] = "";
    for (int j = 0; j < 6 && s_steps[i].from[j]; j++) {
        if (streq (s_steps[i].from[j], complaint->summary.status))
            return 0;
        snprintf (allowed + strlen (allowed), sizeof allowed - strlen (allowed), "%s%s",
                  j ? " or " : "", s_steps[i].from[j]);
    }
    return shr_call_fail (call, SHR_FAILED_PRECONDITION, "/body/id",
                          "cannot %s %s: it is %s; %s needs it %s", step, id,
                          complaint->summary.status, step, allowed);
}

static int s_clock (shr_call_t *call, const complaint_t *complaint, s_clock_t clock)
{
    switch (clock) {
    case S_CLOCK_MEET_ACKNOWLEDGE: return deadline_meet (call, complaint->seq, "acknowledge");
    case S_CLOCK_MEET_RESOLVE: return deadline_meet (call, complaint->seq, "resolve");
    case S_CLOCK_PAUSE: return deadline_pause (call, complaint->seq);
    case S_CLOCK_RESUME: return deadline_resume (call, complaint->seq);
    case S_CLOCK_NEW_RESOLVE:
        return deadline_start (call, complaint->seq, complaint->summary.severity, "resolve");
    default: return 0;
    }
}

int lifecycle_record (shr_call_t *call, const complaint_t *complaint, const char *step,
                      const char *by, const char *note, const complaints_change_t *changes,
                      size_t count)
{
    return audit_record (call, complaint->seq, s_steps[s_step (step)].recorded, by, note,
                         changes, count);
}

int lifecycle_advance (shr_call_t *call, complaint_t *complaint, const char *step, const char *by,
                       const char *note, const complaints_change_t *changes, size_t count)
{
    size_t i = s_step (step);
    const char *from = complaint->summary.status;
    const char *to = s_steps[i].back ? complaint->status_before_wait : s_steps[i].to;
    //  The status change first in the trail, then what the step itself changed.
    complaints_change_t *trail = (complaints_change_t *) shr_call_alloc (
        call, (count + 1) * sizeof (complaints_change_t));
    if (!trail)
        return shr_call_fail (call, SHR_INTERNAL, NULL, "out of memory");
    size_t recorded = 0;
    if (to) {
        trail[recorded++] = (complaints_change_t) {"status", from, to};
        bool opens_or_closes = lifecycle_is_open (to) != lifecycle_is_open (from);
        complaint_t moved;
        int found = shr_call_get (
            call, s_steps[i].sql, NULL, NULL, &complaint_row_shape, &moved,
            SHR_INT (":seq", complaint->seq), SHR_TEXT (":status", to), SHR_TEXT (":from", from),
            opens_or_closes ? SHR_INT (":open", lifecycle_is_open (to)) : SHR_NONE, SHR_END);
        if (found < 0)
            return -1;
        if (found == 0)
            return shr_call_fail (call, SHR_ABORTED, "/body/id", "%s changed while being %s",
                                  complaint->summary.id, s_steps[i].recorded);
    }
    if (count)
        memcpy (trail + recorded, changes, count * sizeof (complaints_change_t));
    recorded += count;
    if (s_clock (call, complaint, s_steps[i].clock)
        || audit_record (call, complaint->seq, s_steps[i].recorded, by, note, trail, recorded))
        return -1;
    return complaint_reload (call, complaint);
}
