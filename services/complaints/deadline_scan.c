/*  deadline_scan - the clock that watches every running deadline.

    A timer: announces each deadline that reached its at-risk moment
    (complaint.sla_at_risk) or passed unmet (complaint.sla_breached), marking
    it in the same unit of work, so each is announced exactly once whenever
    the service restarts. At risk, a case below supervisor level goes up to
    supervisor; breached, up to manager (complaint.escalated). A deadline
    standing still while its case waits on the customer is not read. The
    same clock closes cases resolved COMPLAINTS_CLOSE_AFTER_S ago that the
    customer never answered. Time comes from the service's clock, which tests
    move with test.clock.advance.
*/
#include "complaints.h"
#include "routing_policy.h"

#define SCAN_BATCH 500  //  deadlines per kind of moment per scan; the next scan takes the rest

typedef enum { S_AT_RISK, S_BREACHED } s_moment_t;

//  A deadline as the scan needs it.
typedef struct {
    int64_t complaint_seq;
    const char *kind;
    int64_t round;
    int64_t due_at_ms;
} s_pending_t;

static const shr_field_t s_pending_fields[] = {
    {.name = "complaint_seq", .kind = SHR_FIELD_INT,
     .offset = offsetof (s_pending_t, complaint_seq), .has_offset = -1},
    {.name = "kind", .kind = SHR_FIELD_STRING, .offset = offsetof (s_pending_t, kind),
     .has_offset = -1},
    {.name = "round", .kind = SHR_FIELD_INT, .offset = offsetof (s_pending_t, round),
     .has_offset = -1},
    {.name = "due_at_ms", .kind = SHR_FIELD_INT, .offset = offsetof (s_pending_t, due_at_ms),
     .has_offset = -1},
};
static const shr_shape_t s_pending_shape = {"complaints' pending deadline", sizeof (s_pending_t),
                                            s_pending_fields, 4};

//  The WHERE terms repeat the partial indexes' own, so SQLite reads only pending deadlines.
static const char *const s_pending_sql[] = {
    "SELECT complaint_seq, kind, round, due_at_ms FROM complaint_deadline"
    " WHERE at_risk_announced_at_ms IS NULL AND met_at_ms IS NULL AND paused_at_ms IS NULL"
    " AND at_risk_at_ms <= :now ORDER BY at_risk_at_ms LIMIT :batch",
    "SELECT complaint_seq, kind, round, due_at_ms FROM complaint_deadline"
    " WHERE breach_announced_at_ms IS NULL AND met_at_ms IS NULL AND paused_at_ms IS NULL"
    " AND due_at_ms < :now ORDER BY due_at_ms LIMIT :batch"};
static const char *const s_mark_sql[] = {
    "UPDATE complaint_deadline SET at_risk_announced_at_ms = :now"
    " WHERE complaint_seq = :seq AND kind = :kind AND round = :round",
    "UPDATE complaint_deadline SET breach_announced_at_ms = :now"
    " WHERE complaint_seq = :seq AND kind = :kind AND round = :round"};

//  Marks the deadline, records it, announces it, and escalates the case if
//  it is below the level the moment calls for.
static int s_announce (shr_call_t *call, s_moment_t moment, const s_pending_t *deadline)
{
    complaint_t complaint = {.seq = deadline->complaint_seq};
    char due[SHR_TIME_LEN];
    shr_time_format (deadline->due_at_ms, due);
    const char *note = shr_call_printf (call, "%s deadline %s: due %s", deadline->kind,
                                        moment == S_AT_RISK ? "at risk" : "breached", due);
    if (shr_call_exec (call, s_mark_sql[moment], NULL, NULL,
                       SHR_INT (":seq", deadline->complaint_seq),
                       SHR_TEXT (":kind", deadline->kind), SHR_INT (":round", deadline->round),
                       SHR_END)
        || complaint_reload (call, &complaint)
        || audit_record (call, complaint.seq, moment == S_AT_RISK ? "sla_at_risk" : "sla_breached",
                         NULL, note, NULL, 0))
        return -1;
    const char *id = complaint.summary.id;
    int64_t emitted;
    if (moment == S_AT_RISK) {
        event_complaint_sla_at_risk_t event = {
            .complaint_summary = complaint.summary,
            .deadline = deadline->kind,
            .due_at = deadline->due_at_ms,
            .at_risk_at = call->now_ms,
            .seconds_left = (deadline->due_at_ms - call->now_ms) / 1000};
        emitted = event_complaint_sla_at_risk_emit (call, id, &event);
    }
    else {
        event_complaint_sla_breached_t event = {.complaint_summary = complaint.summary,
                                                .deadline = deadline->kind,
                                                .due_at = deadline->due_at_ms,
                                                .breached_at = call->now_ms};
        emitted = event_complaint_sla_breached_emit (call, id, &event);
    }
    if (emitted < 0)
        return -1;
    int wanted = moment == S_AT_RISK ? 1 : 2;  //  supervisor, manager
    if (routing_level_rank (complaint.summary.level) >= wanted)
        return 0;
    return complaint_escalate_to (call, &complaint, wanted,
                                  moment == S_AT_RISK ? "at_risk" : "breached", NULL, note);
}

//  Announces one kind of moment for every deadline that reached it. Returns
//  how many, or -1 with the call failed.
static int s_scan (shr_call_t *call, s_moment_t moment)
{
    struct {
        size_t count;
        s_pending_t *items;
    } pending;
    //  All read first: marking changes the rows scanned.
    if (shr_call_list (call, s_pending_sql[moment], NULL, NULL, &s_pending_shape, &pending, 0,
                       NULL, SHR_INT (":batch", SCAN_BATCH), SHR_END))
        return -1;
    for (size_t i = 0; i < pending.count; i++)
        if (s_announce (call, moment, &pending.items[i]))
            return -1;
    return (int) pending.count;
}

//  Closes the cases resolved long enough ago that the customer stayed silent.
static int s_close_silent (shr_call_t *call)
{
    const complaints_settings_t *settings = (const complaints_settings_t *) call->arg;
    struct {
        size_t count;
        complaint_t *items;
    } silent;
    if (shr_call_list (call,
                       "SELECT seq FROM complaint WHERE status = 'resolved'"
                       " AND resolved_at_ms <= :now - :after ORDER BY resolved_at_ms LIMIT :batch",
                       NULL, NULL, &complaint_row_shape, &silent, 0, NULL,
                       SHR_INT (":after", settings->close_after_s * 1000LL),
                       SHR_INT (":batch", SCAN_BATCH), SHR_END))
        return -1;
    const char *note = shr_call_printf (call, "no word from the customer in the %d s after the"
                                              " resolution (COMPLAINTS_CLOSE_AFTER_S)",
                                        settings->close_after_s);
    for (size_t i = 0; i < silent.count; i++) {
        complaint_t complaint = silent.items[i];
        if (complaint_reload (call, &complaint)
            || lifecycle_begin (call, complaint.summary.id, "close", &complaint)
            || complaint_close (call, &complaint, "close", NULL, note))
            return -1;
    }
    return (int) silent.count;
}

int deadline_scan (shr_call_t *call)
{
    //  A warning first, then the breach: a deadline found past both gets both, in order.
    int at_risk = s_scan (call, S_AT_RISK);
    int breached = at_risk < 0 ? -1 : s_scan (call, S_BREACHED);
    int closed = breached < 0 ? -1 : s_close_silent (call);
    if (closed < 0)
        return -1;
    if (at_risk || breached || closed)
        shr_log_info ("deadlines: %d at risk, %d breached; %d cases closed after silence", at_risk,
                      breached, closed);
    return 0;
}
