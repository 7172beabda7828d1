/*  lifecycle - the steps of a work order, following the plan's four: report,
    diagnose, repair, acceptance.

        reported <-> assigned -> in_progress (<-> waiting_parts) -> completed -> accepted
                                                                            -> rejected (+ a rework order)
        cancelled from any open state

    The two tables below are the whole state machine: which statuses are open,
    and for each step where it may start, where it goes, and which time it
    stamps. A step's target status is read from its row, never restated. A
    diagnosis is a recorded, time-stamped step, not a status: remote triage
    while reported, on site while assigned or in progress. A step the current
    status does not allow fails with failed_precondition naming the status.
    Orders are handled one at a time, so of two dispatchers assigning the same
    order at once exactly one wins; the other finds it assigned.
*/
#include "dispatch.h"

static const struct {
    const char *status;
    bool open;
} s_statuses[] = {
    {"reported", true},   {"assigned", true},  {"in_progress", true}, {"waiting_parts", true},
    {"completed", false}, {"accepted", false}, {"rejected", false},   {"cancelled", false},
};

//  Each step: the statuses it starts from, where it goes (NULL: stays), what
//  it is called in the order's history, and the UPDATE that moves it, which
//  returns the order as it then is. :status and :open come from the tables
//  (open only where a step opens or closes: a column the partial indexes read
//  costs index work whenever it is set), the step's time is :now.
#define MOVE(set) "UPDATE workorder SET status = :status" set " WHERE seq = :seq AND status = :from" \
                  " RETURNING " WORKORDER_ROW_COLUMNS
#define PAUSE "(CASE WHEN sla_pauses = 1 THEN :now - waiting_since_ms ELSE 0 END)"
static const struct {
    const char *step;
    const char *from[5];
    const char *to;
    const char *recorded;
    const char *sql;
} s_steps[] = {
    {"diagnose", {"reported", "assigned", "in_progress"}, NULL, "diagnosed", NULL},
    {"assign", {"reported"}, "assigned", "assigned",
     MOVE (", assigned_at_ms = :now, technician_id = :technician_id")},
    //  Another technician (workorder_moves.c sets who), or none: back to the queue.
    {"reassign", {"assigned", "waiting_parts"}, NULL, "reassigned", NULL},
    //  Changes and notes while open (workorder_update.c says what changed).
    {"update", {"reported", "assigned", "in_progress", "waiting_parts"}, NULL, "updated", NULL},
    {"note", {"reported", "assigned", "in_progress", "waiting_parts"}, NULL, "noted", NULL},
    //  A started order whose technician left (handover, deactivation, absence).
    {"flag", {"in_progress", "waiting_parts"}, NULL, "flagged", NULL},
    {"unassign", {"assigned"}, "reported", "unassigned",
     MOVE (", assigned_at_ms = NULL, technician_id = NULL")},
    {"start", {"assigned"}, "in_progress", "started", MOVE (", started_at_ms = :now")},
    {"wait_parts", {"in_progress"}, "waiting_parts", "waiting_parts",
     MOVE (", waiting_since_ms = :now")},
    //  Where the policy pauses the SLA clock for parts, the wait moves the deadlines.
    {"resume", {"waiting_parts"}, "in_progress", "resumed",
     MOVE (", waiting_since_ms = NULL, paused_ms = paused_ms + " PAUSE ", due_at_ms = due_at_ms + "
           PAUSE ", at_risk_at_ms = at_risk_at_ms + " PAUSE)},
    {"complete", {"in_progress"}, "completed", "completed",
     MOVE (", open = :open, completed_at_ms = :now")},
    {"accept", {"completed"}, "accepted", "accepted", MOVE (", accepted_at_ms = :now")},
    {"reject", {"completed"}, "rejected", "rejected", MOVE (", rejected_at_ms = :now")},
    {"cancel", {"reported", "assigned", "in_progress", "waiting_parts"}, "cancelled", "cancelled",
     MOVE (", open = :open, cancelled_at_ms = :now")},
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

int lifecycle_begin (shr_call_t *call, const char *id, const char *step, workorder_t *order)
{
    if (workorder_load (call, id, "/body/id", order))
        return -1;
    size_t i = s_step (step);
    char allowed[80] = "";
    for (int j = 0; j < 5 && s_steps[i].from[j]; j++) {
        if (streq (s_steps[i].from[j], order->summary.status))
            return 0;
        snprintf (allowed + strlen (allowed), sizeof allowed - strlen (allowed), "%s%s",
                  j ? " or " : "", s_steps[i].from[j]);
    }
    return shr_call_fail (call, SHR_FAILED_PRECONDITION, "/body/id",
                          "cannot %s %s: it is %s; %s needs it %s", step, id,
                          order->summary.status, step, allowed);
}

int lifecycle_advance (shr_call_t *call, workorder_t *order, const char *step,
                       const char *technician_id, const char *note)
{
    size_t i = s_step (step);
    const char *to = s_steps[i].to;
    if (to) {
        //  Only assign's statement names a technician; only a step that opens or
        //  closes the order sets the flag.
        bool opens_or_closes = lifecycle_is_open (to) != lifecycle_is_open (order->summary.status);
        int found = shr_call_get (
            call, s_steps[i].sql, NULL, NULL, &workorder_row_shape, order,
            SHR_INT (":seq", order->seq), SHR_TEXT (":status", to),
            SHR_TEXT (":from", shr_call_strdup (call, order->summary.status)),
            opens_or_closes ? SHR_INT (":open", lifecycle_is_open (to)) : SHR_NONE,
            technician_id ? SHR_TEXT (":technician_id", technician_id) : SHR_NONE, SHR_END);
        if (found < 0)
            return -1;
        if (found == 0)
            return shr_call_fail (call, SHR_ABORTED, "/body/id", "%s changed while being %s",
                                  order->summary.id, s_steps[i].recorded);
    }
    return workorder_record_step (call, order->seq, s_steps[i].recorded, order->summary.status,
                                  order->summary.technician_id, note);
}
