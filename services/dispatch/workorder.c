/*  workorder - work orders: create, read, list, and their JSON. */
#include "dispatch.h"

//  The columns of a summary, in the order s_summary_from_row reads them.
#define SUMMARY_COLUMNS                                                                          \
    "id, customer_id, type, priority, channel, region, status, technician_id, required_skill,"  \
    " required_level, in_warranty, rework_of, reported_at_ms, due_at_ms, completed_at_ms"

static void s_copy (char *to, size_t size, const char *from)
{
    snprintf (to, size, "%s", from ? from : "");
}

int workorder_load (shr_call_t *call, const char *id, const char *field, workorder_t *order)
{
    sqlite3_stmt *stmt = shr_store_stmt (
        call->store,
        "SELECT seq, status, technician_id, customer_id, type, priority, channel, region,"
        " required_skill, required_level, in_warranty, reported_at_ms, due_at_ms,"
        " started_at_ms, waiting_since_ms FROM workorder WHERE id = ?");
    if (!stmt)
        return shr_call_db_error (call);
    sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step (stmt);
    if (rc != SQLITE_ROW) {
        sqlite3_reset (stmt);
        if (rc != SQLITE_DONE)
            return shr_call_db_error (call);
        return shr_call_fail (call, SHR_NOT_FOUND, field, "no work order %s", id);
    }
    memset (order, 0, sizeof *order);
    order->seq = sqlite3_column_int64 (stmt, 0);
    s_copy (order->id, sizeof order->id, id);
    s_copy (order->status, sizeof order->status, shr_store_column_text (stmt, 1));
    s_copy (order->technician_id, sizeof order->technician_id, shr_store_column_text (stmt, 2));
    s_copy (order->customer_id, sizeof order->customer_id, shr_store_column_text (stmt, 3));
    s_copy (order->type, sizeof order->type, shr_store_column_text (stmt, 4));
    s_copy (order->priority, sizeof order->priority, shr_store_column_text (stmt, 5));
    s_copy (order->channel, sizeof order->channel, shr_store_column_text (stmt, 6));
    s_copy (order->region, sizeof order->region, shr_store_column_text (stmt, 7));
    s_copy (order->required_skill, sizeof order->required_skill, shr_store_column_text (stmt, 8));
    order->required_level = sqlite3_column_int (stmt, 9);
    order->in_warranty = sqlite3_column_int (stmt, 10);
    order->reported_at_ms = sqlite3_column_int64 (stmt, 11);
    order->due_at_ms = sqlite3_column_int64 (stmt, 12);
    order->started_at_ms = sqlite3_column_int64 (stmt, 13);
    order->waiting_since_ms = sqlite3_column_int64 (stmt, 14);
    sqlite3_reset (stmt);
    return 0;
}

int workorder_insert (shr_call_t *call, const cJSON *body, const char *rework_of,
                      workorder_t *order)
{
    const char *type = shr_body_string (body, "type");
    const char *priority = shr_body_string (body, "priority");
    int64_t within_s, at_risk_s;
    if (sla_policy_lookup (call, type, priority, &within_s, &at_risk_s))
        return -1;
    sqlite3_stmt *stmt = shr_store_stmt (call->store,
                                         "SELECT coalesce(max(seq), 0) + 1 FROM workorder");
    if (!stmt || sqlite3_step (stmt) != SQLITE_ROW) {
        if (stmt)
            sqlite3_reset (stmt);
        return shr_call_db_error (call);
    }
    int64_t seq = sqlite3_column_int64 (stmt, 0);
    sqlite3_reset (stmt);
    char id[16];
    snprintf (id, sizeof id, "WO-%06lld", (long long) seq);

    int64_t due_ms = call->now_ms + within_s * 1000;
    stmt = shr_store_stmt (
        call->store,
        "INSERT INTO workorder (seq, id, customer_id, type, priority, channel, region, address,"
        " description, product_model, product_serial, required_skill, required_level,"
        " in_warranty, status, rework_of, reported_at_ms, due_at_ms, at_risk_at_ms)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, 'reported', ?15,"
        " ?16, ?17, ?18)");
    if (!stmt)
        return shr_call_db_error (call);
    sqlite3_bind_int64 (stmt, 1, seq);
    sqlite3_bind_text (stmt, 2, id, -1, SQLITE_STATIC);
    shr_store_bind_text (stmt, 3, shr_body_string (body, "customer_id"));
    shr_store_bind_text (stmt, 4, type);
    shr_store_bind_text (stmt, 5, priority);
    shr_store_bind_text (stmt, 6, shr_body_string (body, "channel"));
    shr_store_bind_text (stmt, 7, shr_body_string (body, "region"));
    shr_store_bind_text (stmt, 8, shr_body_string (body, "address"));
    shr_store_bind_text (stmt, 9, shr_body_string (body, "description"));
    shr_store_bind_text (stmt, 10, shr_body_string (body, "product_model"));
    shr_store_bind_text (stmt, 11, shr_body_string (body, "product_serial"));
    shr_store_bind_text (stmt, 12, shr_body_string (body, "required_skill"));
    sqlite3_bind_int64 (stmt, 13, shr_body_int (body, "required_level", 1));
    sqlite3_bind_int (stmt, 14, shr_body_bool (body, "in_warranty", false));
    shr_store_bind_text (stmt, 15, rework_of);
    sqlite3_bind_int64 (stmt, 16, call->now_ms);
    sqlite3_bind_int64 (stmt, 17, due_ms);
    sqlite3_bind_int64 (stmt, 18, due_ms - at_risk_s * 1000);
    if (shr_store_step_done (stmt))
        return shr_call_db_error (call);
    if (workorder_record_step (call, seq, "created", "reported", NULL,
                               rework_of ? "rework of a rejected order" : NULL))
        return -1;
    cJSON *extra = cJSON_CreateObject ();
    cJSON_AddStringToObject (extra, "description", shr_body_string (body, "description"));
    if (workorder_emit (call, "workorder.created", seq, extra))
        return -1;
    return workorder_load (call, id, NULL, order);
}

int workorder_record_step (shr_call_t *call, int64_t seq, const char *step, const char *status,
                           const char *technician_id, const char *note)
{
    sqlite3_stmt *stmt = shr_store_stmt (
        call->store, "INSERT INTO workorder_step (workorder_seq, step, at_ms, status,"
                     " technician_id, note) VALUES (?, ?, ?, ?, ?, ?)");
    if (!stmt)
        return shr_call_db_error (call);
    sqlite3_bind_int64 (stmt, 1, seq);
    sqlite3_bind_text (stmt, 2, step, -1, SQLITE_STATIC);
    sqlite3_bind_int64 (stmt, 3, call->now_ms);
    sqlite3_bind_text (stmt, 4, status, -1, SQLITE_STATIC);
    shr_store_bind_text (stmt, 5, technician_id && *technician_id ? technician_id : NULL);
    shr_store_bind_text (stmt, 6, note);
    return shr_store_step_done (stmt) ? shr_call_db_error (call) : 0;
}

//  Open and past due now, or finished after its due time.
static bool s_overdue (const char *status, int64_t due_ms, int64_t completed_ms, int64_t now_ms)
{
    if (completed_ms)
        return completed_ms > due_ms;
    bool open = streq (status, "reported") || streq (status, "assigned")
                || streq (status, "in_progress") || streq (status, "waiting_parts");
    return open && now_ms > due_ms;
}

//  Builds a summary from a statement positioned on a row of SUMMARY_COLUMNS.
static cJSON *s_summary_from_row (sqlite3_stmt *stmt, int64_t now_ms)
{
    cJSON *summary = cJSON_CreateObject ();
    static const char *names[] = {"id", "customer_id", "type", "priority", "channel", "region",
                                  "status"};
    for (int i = 0; i < 7; i++)
        cJSON_AddStringToObject (summary, names[i], shr_store_column_text (stmt, i));
    shr_body_add_string (summary, "technician_id", shr_store_column_text (stmt, 7));
    shr_body_add_string (summary, "required_skill", shr_store_column_text (stmt, 8));
    shr_body_add_int (summary, "required_level", sqlite3_column_int64 (stmt, 9));
    cJSON_AddBoolToObject (summary, "in_warranty", sqlite3_column_int (stmt, 10));
    shr_body_add_string (summary, "rework_of", shr_store_column_text (stmt, 11));
    shr_body_add_time (summary, "reported_at", sqlite3_column_int64 (stmt, 12));
    shr_body_add_time (summary, "due_at", sqlite3_column_int64 (stmt, 13));
    cJSON_AddBoolToObject (summary, "overdue",
                           s_overdue (shr_store_column_text (stmt, 6), sqlite3_column_int64 (stmt, 13),
                                      sqlite3_column_int64 (stmt, 14), now_ms));
    return summary;
}

cJSON *workorder_summary_json (shr_call_t *call, int64_t seq)
{
    sqlite3_stmt *stmt = shr_store_stmt (call->store,
                                         "SELECT " SUMMARY_COLUMNS " FROM workorder WHERE seq = ?");
    if (!stmt)
        return NULL;
    sqlite3_bind_int64 (stmt, 1, seq);
    cJSON *summary = sqlite3_step (stmt) == SQLITE_ROW ? s_summary_from_row (stmt, call->now_ms)
                                                       : NULL;
    sqlite3_reset (stmt);
    return summary;
}

int workorder_emit (shr_call_t *call, const char *type, int64_t seq, cJSON *extra)
{
    cJSON *data = workorder_summary_json (call, seq);
    if (!data) {
        cJSON_Delete (extra);
        return shr_call_db_error (call);
    }
    //  The step's own fields follow the summary.
    while (extra && extra->child) {
        cJSON *item = cJSON_DetachItemViaPointer (extra, extra->child);
        cJSON_AddItemToObject (data, item->string, item);
    }
    cJSON_Delete (extra);
    const char *key = cJSON_GetStringValue (cJSON_GetObjectItem (data, "id"));
    int64_t rc = shr_call_emit (call, type, key, data);
    cJSON_Delete (data);
    return rc < 0 ? -1 : 0;
}

//  Parses a JSON array stored in a column; [] if it does not parse.
static cJSON *s_json_column (sqlite3_stmt *stmt, int column)
{
    cJSON *value = cJSON_Parse (shr_store_column_text (stmt, column));
    return value ? value : cJSON_CreateArray ();
}

static int s_add_history (shr_call_t *call, int64_t seq, cJSON *order)
{
    cJSON *steps = cJSON_AddArrayToObject (order, "steps");
    sqlite3_stmt *stmt = shr_store_stmt (call->store,
                                         "SELECT step, at_ms, status, technician_id, note FROM"
                                         " workorder_step WHERE workorder_seq = ? ORDER BY n");
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, seq);
    while (sqlite3_step (stmt) == SQLITE_ROW) {
        cJSON *step = cJSON_CreateObject ();
        cJSON_AddStringToObject (step, "step", shr_store_column_text (stmt, 0));
        shr_body_add_time (step, "at", sqlite3_column_int64 (stmt, 1));
        cJSON_AddStringToObject (step, "status", shr_store_column_text (stmt, 2));
        shr_body_add_string (step, "technician_id", shr_store_column_text (stmt, 3));
        shr_body_add_string (step, "note", shr_store_column_text (stmt, 4));
        cJSON_AddItemToArray (steps, step);
    }
    sqlite3_reset (stmt);

    cJSON *diagnoses = cJSON_AddArrayToObject (order, "diagnoses");
    stmt = shr_store_stmt (call->store, "SELECT at_ms, text, by, parts_needed FROM"
                                        " workorder_diagnosis WHERE workorder_seq = ? ORDER BY n");
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, seq);
    while (sqlite3_step (stmt) == SQLITE_ROW) {
        cJSON *diagnosis = cJSON_CreateObject ();
        shr_body_add_time (diagnosis, "at", sqlite3_column_int64 (stmt, 0));
        cJSON_AddStringToObject (diagnosis, "text", shr_store_column_text (stmt, 1));
        shr_body_add_string (diagnosis, "by", shr_store_column_text (stmt, 2));
        cJSON_AddItemToObject (diagnosis, "parts_needed", s_json_column (stmt, 3));
        cJSON_AddItemToArray (diagnoses, diagnosis);
    }
    sqlite3_reset (stmt);
    return 0;
}

cJSON *workorder_full_json (shr_call_t *call, int64_t seq)
{
    sqlite3_stmt *stmt = shr_store_stmt (
        call->store,
        "SELECT " SUMMARY_COLUMNS ", product_model, product_serial, address, description,"
        " assigned_at_ms, started_at_ms, accepted_at_ms, rejected_at_ms, cancelled_at_ms,"
        " at_risk_at_ms, parts_needed, parts_used, labour_minutes, labour_cost_cents,"
        " parts_cost_cents, labour_charge_cents, parts_charge_cents, fees_cents,"
        " total_charge_cents, currency, resolution, customer_score, reason, rework_id"
        " FROM workorder WHERE seq = ?");
    if (!stmt)
        return NULL;
    sqlite3_bind_int64 (stmt, 1, seq);
    if (sqlite3_step (stmt) != SQLITE_ROW) {
        sqlite3_reset (stmt);
        return NULL;
    }
    cJSON *order = s_summary_from_row (stmt, call->now_ms);
    shr_body_add_string (order, "product_model", shr_store_column_text (stmt, 15));
    shr_body_add_string (order, "product_serial", shr_store_column_text (stmt, 16));
    shr_body_add_string (order, "address", shr_store_column_text (stmt, 17));
    cJSON_AddStringToObject (order, "description", shr_store_column_text (stmt, 18));
    cJSON *times = cJSON_AddObjectToObject (order, "times");
    shr_body_add_time (times, "reported_at", sqlite3_column_int64 (stmt, 12));
    shr_body_add_time (times, "assigned_at", sqlite3_column_int64 (stmt, 19));
    shr_body_add_time (times, "started_at", sqlite3_column_int64 (stmt, 20));
    shr_body_add_time (times, "completed_at", sqlite3_column_int64 (stmt, 14));
    shr_body_add_time (times, "accepted_at", sqlite3_column_int64 (stmt, 21));
    shr_body_add_time (times, "rejected_at", sqlite3_column_int64 (stmt, 22));
    shr_body_add_time (times, "cancelled_at", sqlite3_column_int64 (stmt, 23));
    shr_body_add_time (times, "due_at", sqlite3_column_int64 (stmt, 13));
    shr_body_add_time (times, "at_risk_at", sqlite3_column_int64 (stmt, 24));
    cJSON_AddItemToObject (order, "parts_needed", s_json_column (stmt, 25));
    cJSON_AddItemToObject (order, "parts_used", s_json_column (stmt, 26));
    if (sqlite3_column_type (stmt, 27) == SQLITE_NULL)
        cJSON_AddNullToObject (order, "money");
    else {
        cJSON *money = cJSON_AddObjectToObject (order, "money");
        cJSON_AddStringToObject (money, "currency", shr_store_column_text (stmt, 34));
        static const char *names[] = {"labour_minutes",      "labour_cost_cents",
                                      "parts_cost_cents",    "labour_charge_cents",
                                      "parts_charge_cents",  "fees_cents",
                                      "total_charge_cents"};
        for (int i = 0; i < 7; i++)
            shr_body_add_int (money, names[i], sqlite3_column_int64 (stmt, 27 + i));
        shr_body_add_int (money, "margin_cents",
                          sqlite3_column_int64 (stmt, 33) - sqlite3_column_int64 (stmt, 28)
                              - sqlite3_column_int64 (stmt, 29));
    }
    shr_body_add_string (order, "resolution", shr_store_column_text (stmt, 35));
    if (sqlite3_column_type (stmt, 36) == SQLITE_NULL)
        cJSON_AddNullToObject (order, "customer_score");
    else
        shr_body_add_int (order, "customer_score", sqlite3_column_int64 (stmt, 36));
    shr_body_add_string (order, "reason", shr_store_column_text (stmt, 37));
    shr_body_add_string (order, "rework_id", shr_store_column_text (stmt, 38));
    sqlite3_reset (stmt);
    if (s_add_history (call, seq, order)) {
        cJSON_Delete (order);
        return NULL;
    }
    return order;
}

int workorder_create (shr_call_t *call, const cJSON *body, cJSON **reply_p)
{
    workorder_t order;
    if (workorder_insert (call, body, NULL, &order))
        return -1;
    *reply_p = workorder_full_json (call, order.seq);
    return *reply_p ? 0 : shr_call_db_error (call);
}

int workorder_get (shr_call_t *call, const cJSON *body, cJSON **reply_p)
{
    workorder_t order;
    if (workorder_load (call, shr_body_string (body, "id"), "/body/id", &order))
        return -1;
    *reply_p = workorder_full_json (call, order.seq);
    return *reply_p ? 0 : shr_call_db_error (call);
}

int workorder_list (shr_call_t *call, const cJSON *body, cJSON **reply_p)
{
    int64_t limit = shr_body_int (body, "limit", 50);
    const char *cursor = shr_body_string (body, "cursor");
    int64_t after = 0;
    if (cursor) {
        char *end;
        after = strtoll (cursor, &end, 10);
        if (*end || after < 0)
            return shr_call_fail (call, SHR_INVALID_ARGUMENT, "/body/cursor",
                                  "cursor %s is not one that workorder.list returned", cursor);
    }
    //  One statement for every combination of filters: a NULL filter matches all.
    sqlite3_stmt *stmt = shr_store_stmt (
        call->store,
        "SELECT " SUMMARY_COLUMNS ", seq FROM workorder WHERE seq > ?1"
        " AND (?2 IS NULL OR status IN (SELECT value FROM json_each(?2)))"
        " AND (?3 IS NULL OR technician_id = ?3) AND (?4 IS NULL OR region = ?4)"
        " AND (?5 IS NULL OR customer_id = ?5)"
        " AND (?6 IS NULL OR ?6 = (CASE WHEN completed_at_ms IS NOT NULL"
        "      THEN completed_at_ms > due_at_ms"
        "      ELSE cancelled_at_ms IS NULL AND ?7 > due_at_ms END))"
        " ORDER BY seq LIMIT ?8");
    if (!stmt)
        return shr_call_db_error (call);
    sqlite3_bind_int64 (stmt, 1, after);
    const cJSON *statuses = cJSON_GetObjectItem (body, "status");
    if (statuses) {
        char *text = shr_json_print (statuses);
        sqlite3_bind_text (stmt, 2, text, -1, SQLITE_TRANSIENT);
        free (text);
    }
    shr_store_bind_text (stmt, 3, shr_body_string (body, "technician_id"));
    shr_store_bind_text (stmt, 4, shr_body_string (body, "region"));
    shr_store_bind_text (stmt, 5, shr_body_string (body, "customer_id"));
    if (shr_body_has (body, "overdue"))
        sqlite3_bind_int (stmt, 6, shr_body_bool (body, "overdue", false));
    sqlite3_bind_int64 (stmt, 7, call->now_ms);
    sqlite3_bind_int64 (stmt, 8, limit + 1);
    cJSON *reply = cJSON_CreateObject ();
    cJSON *items = cJSON_AddArrayToObject (reply, "items");
    int64_t count = 0, last_seq = 0;
    int rc;
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW && count < limit) {
        cJSON_AddItemToArray (items, s_summary_from_row (stmt, call->now_ms));
        last_seq = sqlite3_column_int64 (stmt, 15);
        count++;
    }
    bool more = rc == SQLITE_ROW;
    sqlite3_reset (stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        cJSON_Delete (reply);
        return shr_call_db_error (call);
    }
    if (more) {
        char next[24];
        snprintf (next, sizeof next, "%lld", (long long) last_seq);
        cJSON_AddStringToObject (reply, "next_cursor", next);
    }
    else
        cJSON_AddNullToObject (reply, "next_cursor");
    *reply_p = reply;
    return 0;
}
