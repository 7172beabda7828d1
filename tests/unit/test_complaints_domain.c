/*  Complaints' domain code driven directly over a store: no sockets, no
    threads, each op run in a unit of work as the server runs it. What the
    system tests prove over the wire, in miniature: every step leaves exactly
    its event and its audit row in the same transaction, a refused step
    leaves nothing, the audit trail cannot be changed, the clock announces
    each deadline once, and a pause moves the deadlines on. */
#include "../../services/complaints/complaints.h"
#include "testutil.h"
#include "domainutil.h"

#define HOUR_MS (3600 * 1000LL)

static domain_t s_domain;
static complaints_settings_t s_settings = {"CNY", 1000, 604800, 259200, 86400, 3, 172800, 6};
static int64_t s_now = 1795752000000LL;

//  Runs op on a body the way the server would (the body is valid by schema),
//  in one unit of work. Returns the reply body, or NULL with error filled.
static cJSON *s_call (const char *op, const char *json, shr_error_t *error)
{
    cJSON *reply;
    domain_call (&s_domain, complaints_ops, &s_settings, s_now, op, json, &reply, error);
    return reply;
}

static int s_tick (shr_call_t *call, void *arg)
{
    (void) arg;
    return deadline_scan (call);
}

static void s_scan (void)
{
    shr_call_t call = {.arg = &s_settings, .now_ms = s_now, .op = "tick", .actor = "complaints"};
    char reason[256];
    shr_work_begin (s_domain.work);
    CHECK (shr_work_run (s_domain.work, &call, false, s_tick, NULL) == 0);
    CHECK (shr_work_commit (s_domain.work, reason, sizeof reason) == 0);
    shr_work_publish (s_domain.work);
}

static int64_t s_count (const char *sql)
{
    sqlite3_stmt *stmt = shr_store_stmt (s_domain.store, sql);
    int64_t n = sqlite3_step (stmt) == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : -1;
    sqlite3_reset (stmt);
    return n;
}

static const char *s_text (cJSON *object, const char *name)
{
    return cJSON_GetStringValue (cJSON_GetObjectItem (object, name));
}

static void s_ok (const char *op, const char *json)
{
    shr_error_t error = {0};
    cJSON *reply = s_call (op, json, &error);
    if (!reply)
        fprintf (stderr, "  %s failed: %s\n", op, error.message);
    CHECK (reply);
    cJSON_Delete (reply);
}

static void test_a_case_leaves_one_event_and_one_audit_row_per_step (void)
{
    s_ok ("handler.upsert", "{\"id\":\"A-1\",\"name\":\"A\",\"level\":\"agent\","
                            "\"categories\":[\"billing\"]}");
    s_ok ("customer.upsert", "{\"id\":\"C-1\",\"name\":\"Wang\",\"region\":\"north\"}");
    cJSON *reply = s_call ("complaint.create",
                           "{\"customer_id\":\"C-1\",\"kind\":\"complaint\",\"channel\":\"email\","
                           "\"channel_ref\":\"msg-1\",\"category\":\"billing\",\"severity\":"
                           "\"high\",\"text\":\"overcharged\",\"by\":\"gateway\"}", NULL);
    CHECK_STR (s_text (reply, "id"), "CP-000001");
    CHECK_STR (s_text (reply, "handler_id"), "A-1");
    cJSON_Delete (reply);
    //  The gateway sends the same e-mail again: the same complaint, nothing new.
    int64_t events = s_count ("SELECT count(*) FROM shr_outbox");
    reply = s_call ("complaint.create",
                    "{\"customer_id\":\"C-1\",\"kind\":\"complaint\",\"channel\":\"email\","
                    "\"channel_ref\":\"msg-1\",\"category\":\"billing\",\"severity\":"
                    "\"high\",\"text\":\"overcharged\"}", NULL);
    CHECK_STR (s_text (reply, "id"), "CP-000001");
    cJSON_Delete (reply);
    CHECK_INT (s_count ("SELECT count(*) FROM complaint"), 1);
    CHECK_INT (s_count ("SELECT count(*) FROM shr_outbox"), events);
    const char *steps[][2] = {
        {"complaint.acknowledge", "{\"id\":\"CP-000001\"}"},
        {"complaint.investigate", "{\"id\":\"CP-000001\"}"},
        {"complaint.resolve", "{\"id\":\"CP-000001\",\"resolution\":\"refund\","
                              "\"compensation_cents\":1500}"},
        {"complaint.confirm", "{\"id\":\"CP-000001\"}"},
    };
    for (int i = 0; i < 4; i++)
        s_ok (steps[i][0], steps[i][1]);
    //  customer.updated, received, assigned, the four steps, and the survey.
    CHECK_INT (s_count ("SELECT count(*) FROM shr_outbox"), 8);
    CHECK_INT (s_count ("SELECT count(*) FROM shr_outbox WHERE type = 'survey.opened'"), 1);
    CHECK_INT (s_count ("SELECT count(*) FROM complaint_audit"), 6);
    CHECK_INT (s_count ("SELECT count(*) FROM complaint_audit WHERE actor = 'tester'"), 6);
    CHECK_INT (s_count ("SELECT compensation_cents FROM complaint"), 1500);
    CHECK_INT (s_count ("SELECT count(*) FROM complaint_deadline WHERE met_at_ms IS NOT NULL"), 2);
    CHECK_INT (s_count ("SELECT max(seq) FROM shr_outbox"), shr_outbox_last_seq (s_domain.outbox));
}

static void test_a_refused_step_changes_nothing (void)
{
    int64_t events = s_count ("SELECT count(*) FROM shr_outbox");
    int64_t audit = s_count ("SELECT count(*) FROM complaint_audit");
    shr_error_t error;
    cJSON *reply = s_call ("complaint.resolve", "{\"id\":\"CP-000001\",\"resolution\":\"x\"}",
                           &error);
    CHECK (reply == NULL);
    CHECK_INT (error.code, SHR_FAILED_PRECONDITION);
    CHECK (strstr (error.message, "it is closed") != NULL);
    reply = s_call ("complaint.create",
                    "{\"customer_id\":\"C-404\",\"kind\":\"praise\",\"channel\":\"web\","
                    "\"category\":\"other\",\"severity\":\"low\",\"text\":\"t\"}", &error);
    CHECK (reply == NULL);
    CHECK_INT (error.code, SHR_NOT_FOUND);
    CHECK_STR (error.field, "/body/customer_id");
    CHECK_INT (s_count ("SELECT count(*) FROM shr_outbox"), events);
    CHECK_INT (s_count ("SELECT count(*) FROM complaint_audit"), audit);
}

static void test_the_audit_trail_cannot_be_changed (void)
{
    int64_t audit = s_count ("SELECT count(*) FROM complaint_audit");
    CHECK (shr_store_exec (s_domain.store, "UPDATE complaint_audit SET note = 'forged'") != 0);
    CHECK (shr_store_exec (s_domain.store, "DELETE FROM complaint_audit") != 0);
    CHECK (shr_store_exec (s_domain.store, "DELETE FROM complaint") != 0);
    CHECK_INT (s_count ("SELECT count(*) FROM complaint_audit"), audit);
    CHECK_INT (s_count ("SELECT count(*) FROM complaint_audit WHERE note = 'forged'"), 0);
}

static void test_the_clock_announces_each_deadline_once (void)
{
    s_ok ("handler.upsert", "{\"id\":\"S-1\",\"name\":\"S\",\"level\":\"supervisor\"}");
    s_ok ("handler.upsert", "{\"id\":\"M-1\",\"name\":\"M\",\"level\":\"manager\"}");
    s_ok ("complaint.create", "{\"customer_id\":\"C-1\",\"kind\":\"complaint\",\"channel\":"
                              "\"phone\",\"category\":\"billing\",\"severity\":\"critical\","
                              "\"text\":\"no power\"}");
    s_now += 2 * HOUR_MS;  //  past the 1 h to acknowledge
    for (int round = 0; round < 3; round++)
        s_scan ();
    CHECK_INT (s_count ("SELECT count(*) FROM shr_outbox WHERE type = 'complaint.sla_at_risk'"), 1);
    CHECK_INT (s_count ("SELECT count(*) FROM shr_outbox WHERE type = 'complaint.sla_breached'"),
               1);
    CHECK_INT (s_count ("SELECT count(*) FROM shr_outbox WHERE type = 'complaint.escalated'"), 2);
    CHECK_INT (s_count ("SELECT count(*) FROM complaint WHERE id = 'CP-000002' AND level ="
                        " 'manager' AND handler_id = 'M-1'"),
               1);
}

static void test_waiting_on_the_customer_moves_the_deadlines_on (void)
{
    s_ok ("complaint.acknowledge", "{\"id\":\"CP-000002\"}");
    int64_t due =
        s_count ("SELECT due_at_ms FROM complaint_deadline d JOIN complaint c ON"
                 " c.seq = d.complaint_seq WHERE c.id = 'CP-000002' AND d.kind = 'resolve'");
    s_ok ("complaint.wait_customer", "{\"id\":\"CP-000002\",\"note\":\"which outlet?\"}");
    s_now += 30 * HOUR_MS;  //  beyond the 24 h to resolve: but the clock stood still
    s_scan ();
    CHECK_INT (s_count ("SELECT count(*) FROM shr_outbox WHERE type = 'complaint.sla_breached'"),
               1);
    s_ok ("complaint.customer_replied", "{\"id\":\"CP-000002\"}");
    CHECK_INT (s_count ("SELECT due_at_ms FROM complaint_deadline d JOIN complaint c ON"
                        " c.seq = d.complaint_seq WHERE c.id = 'CP-000002' AND d.kind = 'resolve'"),
               due + 30 * HOUR_MS);
    CHECK_INT (s_count ("SELECT count(*) FROM complaint WHERE id = 'CP-000002' AND status ="
                        " 'acknowledged'"),
               1);
}

int main (void)
{
    if (domain_open (&s_domain, "complaints", complaints_migrations, complaints_events))
        return 1;
    RUN (test_a_case_leaves_one_event_and_one_audit_row_per_step);
    RUN (test_a_refused_step_changes_nothing);
    RUN (test_the_audit_trail_cannot_be_changed);
    RUN (test_the_clock_announces_each_deadline_once);
    RUN (test_waiting_on_the_customer_moves_the_deadlines_on);
    domain_close (&s_domain);
    return TEST_DONE ("test_complaints_domain");
}
