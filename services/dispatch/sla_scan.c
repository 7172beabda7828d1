/*  sla_scan - the clock that watches every open order's due time.

    A timer: emits workorder.at_risk and workorder.overdue for open orders that
    reached those moments (not while their clock is paused for parts), and
    workorder.assign_overdue for orders still waiting past their assign-by time, and marks them in the same unit of work, so each
    event happens exactly once per order, whenever the service restarts. Time
    comes from the service's clock, which tests move with test.clock.advance.
*/
#include "dispatch.h"

#define SCAN_BATCH 1000  //  orders per event kind per scan; the next scan takes the rest

typedef enum { S_AT_RISK, S_OVERDUE, S_ASSIGN_LATE } s_kind_t;

//  The orders past their moment (all read first: marking changes the rows scanned).
//  The WHERE terms repeat the partial indexes' own, so SQLite reads only pending orders.
//  An order whose clock is paused for parts waits (its deadlines move on resuming).
#define NOT_PAUSED " AND NOT (sla_pauses = 1 AND status = 'waiting_parts')"
static const char *const s_pending_sql[] = {
    "SELECT id FROM workorder WHERE at_risk_emitted = 0 AND open = 1 AND at_risk_at_ms <= :now"
    NOT_PAUSED " ORDER BY at_risk_at_ms LIMIT :batch",
    "SELECT id FROM workorder WHERE overdue_emitted = 0 AND open = 1 AND due_at_ms <= :now"
    NOT_PAUSED " ORDER BY due_at_ms LIMIT :batch",
    "SELECT id FROM workorder WHERE assign_late_emitted = 0 AND status = 'reported'"
    " AND assign_by_ms <= :now ORDER BY assign_by_ms LIMIT :batch"};
static const char *const s_mark_sql[] = {
    "UPDATE workorder SET at_risk_emitted = 1 WHERE seq = :seq",
    "UPDATE workorder SET overdue_emitted = 1 WHERE seq = :seq",
    "UPDATE workorder SET assign_late_emitted = 1 WHERE seq = :seq"};
static const char *const s_step[] = {"at_risk", "overdue", "assign_overdue"};

//  Marks the order, records the step and emits its event.
static int s_announce (shr_call_t *call, s_kind_t kind, const char *id)
{
    workorder_t order;
    if (workorder_load (call, id, NULL, &order))
        return -1;
    const dispatch_workorder_summary_t *summary = &order.summary;
    if (shr_call_exec (call, s_mark_sql[kind], NULL, NULL, SHR_INT (":seq", order.seq), SHR_END)
        || workorder_record_step (call, order.seq, s_step[kind], summary->status,
                                  summary->technician_id, NULL))
        return -1;
    if (kind == S_ASSIGN_LATE) {
        event_workorder_assign_overdue_t event = {.workorder_summary = *summary,
                                                  .overdue_at = call->now_ms};
        return event_workorder_assign_overdue_emit (call, id, &event) < 0 ? -1 : 0;
    }
    if (kind == S_AT_RISK) {
        event_workorder_at_risk_t event = {*summary, call->now_ms,
                                           (summary->due_at - call->now_ms) / 1000};
        return event_workorder_at_risk_emit (call, id, &event) < 0 ? -1 : 0;
    }
    event_workorder_overdue_t event = {.workorder_summary = *summary, .overdue_at = call->now_ms};
    return event_workorder_overdue_emit (call, id, &event) < 0 ? -1 : 0;
}

//  Announces one kind of moment for every order that reached it. Returns how
//  many, or -1 with the call failed.
static int s_scan (shr_call_t *call, s_kind_t kind)
{
    sqlite3_stmt *stmt = shr_store_stmt (call->store, s_pending_sql[kind]);
    if (!stmt || shr_store_set_int (stmt, ":now", call->now_ms)
        || shr_store_set_int (stmt, ":batch", SCAN_BATCH))
        return shr_call_db_error (call);
    const char *ids[SCAN_BATCH];
    int count = 0;
    while (count < SCAN_BATCH && sqlite3_step (stmt) == SQLITE_ROW)
        ids[count++] = shr_call_strdup (call, shr_store_column_text (stmt, 0));
    sqlite3_reset (stmt);
    for (int i = 0; i < count; i++)
        if (s_announce (call, kind, ids[i]))
            return -1;
    return count;
}

int sla_scan (shr_call_t *call)
{
    //  A warning first, then the deadline: an order found past both gets both, in order.
    int warned = s_scan (call, S_AT_RISK);
    int overdue = warned < 0 ? -1 : s_scan (call, S_OVERDUE);
    int unassigned = overdue < 0 ? -1 : s_scan (call, S_ASSIGN_LATE);
    if (unassigned < 0)
        return -1;
    if (warned || overdue || unassigned)
        shr_log_info ("sla: %d orders at risk, %d overdue, %d not assigned in time", warned,
                      overdue, unassigned);
    return 0;
}
