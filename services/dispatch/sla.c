/*  sla - due times by type and priority, and the clock that watches them.

    Each order's due time is fixed when it is created, from the policy of its
    type and priority; at_risk_before_s ahead of it the order is "at risk". The
    scan, a timer, emits workorder.at_risk and workorder.overdue for open orders
    that reached those moments, and marks them in the same transaction, so each
    event happens exactly once per order, whenever the service restarts. Time
    comes from the service's clock, which tests move with test.clock.advance.
*/
#include "dispatch.h"

#define SCAN_BATCH 1000  //  orders per event kind per scan; the next scan takes the rest

static cJSON *s_policy_json (sqlite3_stmt *stmt)
{
    cJSON *policy = cJSON_CreateObject ();
    cJSON_AddStringToObject (policy, "type", shr_store_column_text (stmt, 0));
    cJSON_AddStringToObject (policy, "priority", shr_store_column_text (stmt, 1));
    shr_body_add_int (policy, "resolve_within_s", sqlite3_column_int64 (stmt, 2));
    shr_body_add_int (policy, "at_risk_before_s", sqlite3_column_int64 (stmt, 3));
    return policy;
}

int sla_policy_lookup (shr_call_t *call, const char *type, const char *priority,
                       int64_t *resolve_within_s, int64_t *at_risk_before_s)
{
    sqlite3_stmt *stmt = shr_store_stmt (call->store,
                                         "SELECT resolve_within_s, at_risk_before_s FROM"
                                         " sla_policy WHERE type = ? AND priority = ?");
    if (!stmt)
        return shr_call_db_error (call);
    sqlite3_bind_text (stmt, 1, type, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 2, priority, -1, SQLITE_STATIC);
    int rc = sqlite3_step (stmt);
    if (rc == SQLITE_ROW) {
        *resolve_within_s = sqlite3_column_int64 (stmt, 0);
        *at_risk_before_s = sqlite3_column_int64 (stmt, 1);
    }
    sqlite3_reset (stmt);
    if (rc != SQLITE_ROW)
        return shr_call_db_error (call);  //  every pair has a row since migration 1
    return 0;
}

int sla_policy_set (shr_call_t *call, const cJSON *body, cJSON **reply_p)
{
    int64_t within = shr_body_int (body, "resolve_within_s", 0);
    int64_t before = shr_body_int (body, "at_risk_before_s", 0);
    if (before >= within)
        return shr_call_fail (call, SHR_INVALID_ARGUMENT, "/body/at_risk_before_s",
                              "at_risk_before_s (%lld) must be less than resolve_within_s (%lld)",
                              (long long) before, (long long) within);
    sqlite3_stmt *stmt = shr_store_stmt (
        call->store, "INSERT INTO sla_policy (type, priority, resolve_within_s, at_risk_before_s)"
                     " VALUES (?, ?, ?, ?) ON CONFLICT (type, priority) DO UPDATE SET"
                     " resolve_within_s = excluded.resolve_within_s,"
                     " at_risk_before_s = excluded.at_risk_before_s");
    if (!stmt)
        return shr_call_db_error (call);
    sqlite3_bind_text (stmt, 1, shr_body_string (body, "type"), -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 2, shr_body_string (body, "priority"), -1, SQLITE_STATIC);
    sqlite3_bind_int64 (stmt, 3, within);
    sqlite3_bind_int64 (stmt, 4, before);
    if (shr_store_step_done (stmt))
        return shr_call_db_error (call);
    cJSON *policy = cJSON_CreateObject ();
    cJSON_AddStringToObject (policy, "type", shr_body_string (body, "type"));
    cJSON_AddStringToObject (policy, "priority", shr_body_string (body, "priority"));
    shr_body_add_int (policy, "resolve_within_s", within);
    shr_body_add_int (policy, "at_risk_before_s", before);
    *reply_p = policy;
    return 0;
}

int sla_policy_get (shr_call_t *call, const cJSON *body, cJSON **reply_p)
{
    sqlite3_stmt *stmt = shr_store_stmt (
        call->store, "SELECT type, priority, resolve_within_s, at_risk_before_s FROM sla_policy"
                     " WHERE (?1 IS NULL OR type = ?1) AND (?2 IS NULL OR priority = ?2)"
                     " ORDER BY type, resolve_within_s");
    if (!stmt)
        return shr_call_db_error (call);
    shr_store_bind_text (stmt, 1, shr_body_string (body, "type"));
    shr_store_bind_text (stmt, 2, shr_body_string (body, "priority"));
    cJSON *reply = cJSON_CreateObject ();
    cJSON *policies = cJSON_AddArrayToObject (reply, "policies");
    while (sqlite3_step (stmt) == SQLITE_ROW)
        cJSON_AddItemToArray (policies, s_policy_json (stmt));
    sqlite3_reset (stmt);
    *reply_p = reply;
    return 0;
}

//  Emits one kind of SLA event for every open order past its moment. The WHERE
//  terms repeat the partial indexes' own, so SQLite reads only pending orders.
static int s_emit_due (shr_call_t *call, const char *select_sql, const char *mark_sql,
                       const char *step, const char *type, const char *time_name)
{
    sqlite3_stmt *stmt = shr_store_stmt (call->store, select_sql);
    if (!stmt)
        return shr_call_db_error (call);
    sqlite3_bind_int64 (stmt, 1, call->now_ms);
    sqlite3_bind_int (stmt, 2, SCAN_BATCH);
    int64_t seqs[SCAN_BATCH], dues[SCAN_BATCH];
    char technicians[SCAN_BATCH][65], statuses[SCAN_BATCH][16];
    int count = 0;
    while (count < SCAN_BATCH && sqlite3_step (stmt) == SQLITE_ROW) {
        seqs[count] = sqlite3_column_int64 (stmt, 0);
        dues[count] = sqlite3_column_int64 (stmt, 1);
        snprintf (technicians[count], 65, "%s", shr_store_column_text (stmt, 2));
        snprintf (statuses[count], 16, "%s", shr_store_column_text (stmt, 3));
        count++;
    }
    sqlite3_reset (stmt);
    for (int i = 0; i < count; i++) {
        stmt = shr_store_stmt (call->store, mark_sql);
        if (!stmt)
            return shr_call_db_error (call);
        sqlite3_bind_int64 (stmt, 1, seqs[i]);
        if (shr_store_step_done (stmt))
            return shr_call_db_error (call);
        if (workorder_record_step (call, seqs[i], step, statuses[i], technicians[i], NULL))
            return -1;
        cJSON *extra = cJSON_CreateObject ();
        shr_body_add_time (extra, time_name, call->now_ms);
        if (streq (step, "at_risk"))
            shr_body_add_int (extra, "seconds_left", (dues[i] - call->now_ms) / 1000);
        if (workorder_emit (call, type, seqs[i], extra))
            return -1;
    }
    return count;
}

int sla_scan (shr_call_t *call)
{
    //  A warning first, then the deadline: an order found past both gets both, in order.
    int warned = s_emit_due (
        call,
        "SELECT seq, due_at_ms, technician_id, status FROM workorder WHERE at_risk_emitted = 0"
        " AND " DISPATCH_OPEN " AND at_risk_at_ms <= ?1"
        " ORDER BY at_risk_at_ms LIMIT ?2",
        "UPDATE workorder SET at_risk_emitted = 1 WHERE seq = ?", "at_risk",
        "workorder.at_risk", "at_risk_at");
    if (warned < 0)
        return -1;
    int overdue = s_emit_due (
        call,
        "SELECT seq, due_at_ms, technician_id, status FROM workorder WHERE overdue_emitted = 0"
        " AND " DISPATCH_OPEN " AND due_at_ms <= ?1"
        " ORDER BY due_at_ms LIMIT ?2",
        "UPDATE workorder SET overdue_emitted = 1 WHERE seq = ?", "overdue",
        "workorder.overdue", "overdue_at");
    if (overdue < 0)
        return -1;
    if (warned || overdue)
        shr_log_info ("sla: %d orders at risk, %d overdue", warned, overdue);
    return 0;
}
