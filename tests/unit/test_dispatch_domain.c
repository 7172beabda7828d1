/*  Dispatch's domain code driven directly over a store: no sockets, no threads,
    each op run in a unit of work as the server runs it. What the system tests
    prove over the wire, in miniature, plus the outbox: every step leaves
    exactly its event, in the same transaction. */
#include "../../services/dispatch/dispatch.h"
#include "testutil.h"
#include "domainutil.h"

static domain_t s_domain;
static dispatch_settings_t s_settings
    = {"CNY", 12000, 1000, {40, {100, 130, 115, 100, 90, 80}, 50, 100, 100, 500, 100000, 50, 300}};
static int64_t s_now = 1795752000000LL;

//  Runs op on a body the way the server would (the body is valid by schema),
//  in one unit of work. Returns the reply body, or NULL with error filled.
static cJSON *s_call (const char *op, const char *json, shr_error_t *error)
{
    cJSON *reply;
    domain_call (&s_domain, dispatch_ops, &s_settings, s_now, op, json, &reply, error);
    return reply;
}

static int s_tick (shr_call_t *call, void *arg)
{
    (void) arg;
    return sla_scan (call);
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

static void test_lifecycle_leaves_one_event_per_step (void)
{
    cJSON *reply = s_call ("technician.upsert",
                           "{\"id\":\"T-1\",\"name\":\"A\",\"region\":\"north\",\"skills\":"
                           "[{\"skill\":\"hvac\",\"level\":3}],\"hourly_cost_cents\":6000}", NULL);
    CHECK (reply);
    cJSON_Delete (reply);
    reply = s_call ("workorder.create",
                    "{\"customer_id\":\"C\",\"type\":\"repair\",\"priority\":\"urgent\","
                    "\"channel\":\"phone\",\"region\":\"north\",\"description\":\"d\","
                    "\"required_skill\":\"hvac\",\"required_level\":2}", NULL);
    CHECK_STR (s_text (reply, "id"), "WO-000001");
    cJSON_Delete (reply);
    const char *steps[][2] = {
        {"assign", "{\"id\":\"WO-000001\"}"},
        {"start", "{\"id\":\"WO-000001\"}"},
        {"complete", "{\"id\":\"WO-000001\",\"labour_minutes\":60}"},
        {"accept", "{\"id\":\"WO-000001\"}"},
    };
    for (int i = 0; i < 4; i++) {
        char op[32];
        snprintf (op, sizeof op, "workorder.%s", steps[i][0]);
        reply = s_call (op, steps[i][1], NULL);
        CHECK (reply);
        cJSON_Delete (reply);
    }
    CHECK_INT (s_count ("SELECT count(*) FROM shr_outbox"), 6);
    CHECK_INT (s_count ("SELECT count(*) FROM shr_outbox WHERE type = 'workorder.completed'"), 1);
    CHECK_INT (s_count ("SELECT count(*) FROM workorder_step"), 5);
    CHECK_INT (s_count ("SELECT labour_cost_cents FROM workorder"), 6000);
    CHECK_INT (s_count ("SELECT max(seq) FROM shr_outbox"), shr_outbox_last_seq (s_domain.outbox));
}

static void test_a_refused_step_changes_nothing (void)
{
    int64_t events = s_count ("SELECT count(*) FROM shr_outbox");
    shr_error_t error;
    cJSON *reply = s_call ("workorder.start", "{\"id\":\"WO-000001\"}", &error);
    CHECK (reply == NULL);
    CHECK_INT (error.code, SHR_FAILED_PRECONDITION);
    CHECK (strstr (error.message, "it is accepted") != NULL);
    reply = s_call ("workorder.get", "{\"id\":\"WO-000404\"}", &error);
    CHECK (reply == NULL);
    CHECK_INT (error.code, SHR_NOT_FOUND);
    CHECK_STR (error.field, "/body/id");
    CHECK_INT (s_count ("SELECT count(*) FROM shr_outbox"), events);
}

static void test_sla_scan_marks_once (void)
{
    cJSON *reply = s_call ("workorder.create",
                           "{\"customer_id\":\"C\",\"type\":\"repair\",\"priority\":\"urgent\","
                           "\"channel\":\"phone\",\"region\":\"north\",\"description\":\"d\"}",
                           NULL);
    cJSON_Delete (reply);
    s_now += 5 * 3600 * 1000LL;
    for (int round = 0; round < 3; round++) {
        shr_call_t call = {.arg = &s_settings, .now_ms = s_now, .op = "tick"};
        char reason[256];
        shr_work_begin (s_domain.work);
        CHECK (shr_work_run (s_domain.work, &call, false, s_tick, NULL) == 0);
        CHECK (shr_work_commit (s_domain.work, reason, sizeof reason) == 0);
        shr_work_publish (s_domain.work);
    }
    CHECK_INT (s_count ("SELECT count(*) FROM shr_outbox WHERE type = 'workorder.at_risk'"), 1);
    CHECK_INT (s_count ("SELECT count(*) FROM shr_outbox WHERE type = 'workorder.overdue'"), 1);
}

static void test_dispatch_run_places_many (void)
{
    char json[512];
    for (int i = 0; i < 40; i++) {
        snprintf (json, sizeof json,
                  "{\"id\":\"T-%02d\",\"name\":\"T\",\"region\":\"r%d\",\"skills\":[{\"skill\":"
                  "\"hvac\",\"level\":%d}],\"hourly_cost_cents\":5000,\"max_jobs\":2}",
                  i, i % 4, 1 + i % 5);
        cJSON_Delete (s_call ("technician.upsert", json, NULL));
    }
    for (int i = 0; i < 200; i++) {
        snprintf (json, sizeof json,
                  "{\"customer_id\":\"C\",\"type\":\"repair\",\"priority\":\"%s\",\"channel\":"
                  "\"phone\",\"region\":\"r%d\",\"description\":\"d\",\"required_skill\":\"hvac\","
                  "\"required_level\":%d}",
                  i % 2 ? "high" : "low", i % 4, 1 + i % 3);
        cJSON_Delete (s_call ("workorder.create", json, NULL));
    }
    cJSON *reply = s_call ("dispatch.run", "{}", NULL);
    CHECK (reply);
    //  40 technicians x 2 jobs = 80 places, every one fits some order; and T-1 in
    //  the north takes the order the SLA test left waiting.
    CHECK_INT (cJSON_GetNumberValue (cJSON_GetObjectItem (reply, "assigned")), 81);
    CHECK_INT (cJSON_GetNumberValue (cJSON_GetObjectItem (reply, "unassigned")), 120);
    cJSON_Delete (reply);
    //  Nobody over their limit, every assignment eligible by skill and region.
    CHECK_INT (s_count ("SELECT count(*) FROM (SELECT technician_id FROM workorder WHERE status ="
                        " 'assigned' GROUP BY technician_id HAVING count(*) > 2)"),
               0);
    CHECK_INT (s_count ("SELECT count(*) FROM workorder w JOIN technician t ON t.id ="
                        " w.technician_id JOIN technician_skill s ON s.technician_id = t.id"
                        " AND s.skill = 'hvac' WHERE w.status = 'assigned' AND"
                        " (t.region != w.region OR s.level < w.required_level)"),
               0);
}

int main (void)
{
    if (domain_open (&s_domain, "dispatch", dispatch_migrations, dispatch_events))
        return 1;
    RUN (test_lifecycle_leaves_one_event_per_step);
    RUN (test_a_refused_step_changes_nothing);
    RUN (test_sla_scan_marks_once);
    RUN (test_dispatch_run_places_many);
    domain_close (&s_domain);
    return TEST_DONE ("test_dispatch_domain");
}
