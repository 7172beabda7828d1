/*  complaint - feedback and complaints: intake from every channel, reading,
    listing.

    A channel's own reference (a message or call id) names what it sent: the
    same channel and reference again returns the complaint it created, so a
    gateway retrying an e-mail makes one complaint, whatever idempotency key
    it uses. Rows are read by column name into the generated structs, so each
    select list below is the only place a column is named for a reply.
*/
#include "complaints.h"
#include "routing_policy.h"

//  complaint_t is no message, but it reads like one: by a field table.
static const shr_field_t s_row_fields[] = {
    {.name = "seq", .kind = SHR_FIELD_INT, .offset = offsetof (complaint_t, seq), .has_offset = -1},
    {.name = "status_before_wait", .kind = SHR_FIELD_STRING,
     .offset = offsetof (complaint_t, status_before_wait), .has_offset = -1},
    {.name = "waiting_since_ms", .kind = SHR_FIELD_INT,
     .offset = offsetof (complaint_t, waiting_since_ms), .has_offset = -1},
    {.name = "summary", .kind = SHR_FIELD_EMBED, .offset = offsetof (complaint_t, summary),
     .has_offset = -1, .shape = &complaints_complaint_summary_shape},
};
const shr_shape_t complaint_row_shape = {"complaints' complaint row", sizeof (complaint_t),
                                         s_row_fields, 4};

int complaint_load (shr_call_t *call, const char *id, const char *field, complaint_t *complaint)
{
    int found = shr_call_get (call,
                              "SELECT " COMPLAINT_ROW_COLUMNS " FROM complaint WHERE id = :id",
                              NULL, NULL, &complaint_row_shape, complaint, SHR_TEXT (":id", id),
                              SHR_END);
    if (found == 0)
        return shr_call_fail (call, SHR_NOT_FOUND, field, "no complaint %s", id);
    return found < 0 ? -1 : 0;
}

int complaint_reload (shr_call_t *call, complaint_t *complaint)
{
    int found = shr_call_get (call,
                              "SELECT " COMPLAINT_ROW_COLUMNS " FROM complaint WHERE seq = :seq",
                              NULL, NULL, &complaint_row_shape, complaint,
                              SHR_INT (":seq", complaint->seq), SHR_END);
    return found == 1 ? 0 : found == 0 ? shr_call_db_error (call) : -1;
}

int complaint_read (shr_call_t *call, int64_t seq, complaints_complaint_t *out)
{
    int found = shr_call_get (
        call,
        "SELECT " COMPLAINT_SUMMARY_COLUMNS ", channel_ref, text, by, resolution,"
        " compensation_cents, currency, closed_by, received_at_ms AS \"times.received_at\","
        " acknowledged_at_ms AS \"times.acknowledged_at\", resolved_at_ms AS \"times.resolved_at\","
        " closed_at_ms AS \"times.closed_at\", reopened_at_ms AS \"times.reopened_at\""
        " FROM complaint WHERE seq = :seq",
        NULL, NULL, &complaints_complaint_shape, out, SHR_INT (":seq", seq), SHR_END);
    if (found != 1)
        return found == 0 ? shr_call_db_error (call) : -1;
    return deadline_read (call, seq, &out->deadlines) || audit_read (call, seq, &out->audit);
}

int complaint_insert (shr_call_t *call, const complaints_complaint_create_request_t *request,
                      const char *survey_id, complaint_t *complaint)
{
    const complaints_settings_t *settings = (const complaints_settings_t *) call->arg;
    complaints_customer_t customer;
    int found = customer_read (call, request->customer_id, &customer);
    if (found <= 0)
        return found < 0 ? -1
                         : shr_call_fail (call, SHR_NOT_FOUND, "/body/customer_id",
                                          "no customer %s in the file; customer.upsert adds one",
                                          request->customer_id);
    int64_t seq;
    const char *id;
    if (complaints_next_id (call, "SELECT coalesce (max (seq), 0) + 1 FROM complaint", "CP", &seq,
                            &id))
        return -1;
    const char *handler_id;
    if (team_choose (call, request->category, 0, &handler_id)
        || shr_call_exec (
            call,
            "INSERT INTO complaint (seq, id, customer_id, region, kind, channel, channel_ref,"
            " category, severity, workorder_id, survey_id, text, by, status, open, handler_id,"
            " level, currency, received_at_ms) VALUES (:seq, :id, :customer_id, :region, :kind,"
            " :channel, :channel_ref, :category, :severity, :workorder_id, :survey_id, :text, :by,"
            " :status, 1, :handler, :level, :currency, :now)",
            &complaints_complaint_create_request_shape, request, SHR_INT (":seq", seq),
            SHR_TEXT (":id", id), SHR_TEXT (":region", customer.region),
            SHR_TEXT (":survey_id", survey_id), SHR_TEXT (":status", lifecycle_first_status),
            SHR_TEXT (":handler", handler_id), SHR_TEXT (":level", routing_level_name (0)),
            SHR_TEXT (":currency", settings->currency), SHR_END)
        || deadline_start_both (call, seq, request->severity)
        || complaint_load (call, id, NULL, complaint))
        return -1;
    //  Taken in, then handed to its handler: two actions, two events.
    complaints_change_t received[] = {{"status", NULL, lifecycle_first_status}};
    complaints_change_t assigned[] = {{"handler_id", NULL, handler_id}};
    event_complaint_received_t event = {.complaint_summary = complaint->summary,
                                        .channel_ref = request->channel_ref,
                                        .text = request->text,
                                        .by = request->by};
    if (audit_record (call, seq, "received", request->by, NULL, received, 1)
        || event_complaint_received_emit (call, id, &event) < 0)
        return -1;
    if (!handler_id) {
        shr_log_warn ("%s (%s) waits for a handler: nobody active covers it", id,
                      request->category);
        return 0;
    }
    return lifecycle_record (call, complaint, "assign", request->by, NULL, assigned, 1)
           || complaint_assigned (call, complaint, NULL, "service", request->by);
}

int complaint_create (shr_call_t *call, const complaints_complaint_create_request_t *request,
                      complaints_complaint_t *reply)
{
    complaint_t complaint;
    if (request->channel_ref) {
        //  The channel sent this message before: the complaint it made stands.
        int found = shr_call_get (call,
                                  "SELECT seq FROM complaint WHERE channel = :channel"
                                  " AND channel_ref = :channel_ref",
                                  &complaints_complaint_create_request_shape, request,
                                  &complaint_row_shape, &complaint, SHR_END);
        if (found < 0)
            return -1;
        if (found)
            return complaint_read (call, complaint.seq, reply);
    }
    if (complaint_insert (call, request, NULL, &complaint))
        return -1;
    return complaint_read (call, complaint.seq, reply);
}

int complaint_get (shr_call_t *call, const complaints_complaint_get_request_t *request,
                   complaints_complaint_t *reply)
{
    //  Only its seq first: complaint_read reads the rest once.
    complaint_t complaint;
    int found = shr_call_get (call, "SELECT seq FROM complaint WHERE id = :id",
                              &complaints_complaint_get_request_shape, request,
                              &complaint_row_shape, &complaint, SHR_END);
    if (found == 0)
        return shr_call_fail (call, SHR_NOT_FOUND, "/body/id", "no complaint %s", request->id);
    return found < 0 ? -1 : complaint_read (call, complaint.seq, reply);
}

//  Every filter of complaint.list; a NULL one matches all.
#define LIST_FILTERS                                                                             \
    " AND (:status IS NULL OR status IN (SELECT value FROM json_each (:status)))"                \
    " AND (:open IS NULL OR open = :open)"                                                       \
    " AND (:handler_id IS NULL OR handler_id = :handler_id)"                                     \
    " AND (:category IS NULL OR category = :category)"                                           \
    " AND (:severity IS NULL OR severity = :severity)"                                           \
    " AND (:customer_id IS NULL OR customer_id = :customer_id)"                                  \
    " AND (:channel IS NULL OR channel = :channel)"                                              \
    " AND (:overdue IS NULL OR :overdue = " COMPLAINT_OVERDUE ")"
#define LIST(narrowest)                                                                          \
    "SELECT " COMPLAINT_SUMMARY_COLUMNS ", seq AS _cursor FROM complaint WHERE seq > :after"     \
    narrowest LIST_FILTERS " ORDER BY seq LIMIT :limit + 1"

int complaint_list (shr_call_t *call, const complaints_complaint_list_request_t *request,
                    complaints_complaint_list_reply_t *reply)
{
    int64_t after;
    if (complaints_cursor (call, request->cursor, "complaint.list", &after))
        return -1;
    //  One statement per index that narrows the search most, so that one
    //  handler's open cases are read from their own index however many cases
    //  there are; the other filters apply to what it yields.
    const char *sql;
    bool only_open = (request->has_open && request->open)
                     || (request->has_overdue && request->overdue);
    if (request->handler_id && request->has_open)
        sql = LIST (" AND handler_id = :handler_id AND open = :open");
    else if (request->handler_id)
        sql = LIST (" AND handler_id = :handler_id");
    else if (request->customer_id)
        sql = LIST (" AND customer_id = :customer_id");
    else if (only_open)
        sql = LIST (" AND open = 1");
    else
        sql = LIST ("");
    return shr_call_list (call, sql, &complaints_complaint_list_request_shape, request,
                          &complaints_complaint_summary_shape, &reply->items, request->limit,
                          &reply->next_cursor, SHR_INT (":after", after), SHR_END);
}
