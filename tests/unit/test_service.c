/*  Unit tests of shr_service, shr_server, shr_call and shr_consumer together, in
    process: services run as actors on tcp://127.0.0.1:* and the test asks which
    ports they bound. "alpha" keeps items and publishes item.created; "beta"
    consumes alpha's events into its own table. */
#include "defs_shapes.h"
#include "events_shapes.h"
#include "fixture_shapes.h"
#include "shared.h"
#include "testutil.h"

static char s_dir[256];

static const char *const s_migrations[] = {
    "CREATE TABLE item (id TEXT PRIMARY KEY, value INTEGER NOT NULL);"
    "CREATE TABLE seen (n INTEGER PRIMARY KEY, seq INTEGER NOT NULL, key TEXT NOT NULL);",
    NULL};

static int s_item_create (shr_call_t *call, const fixture_item_create_request_t *request,
                          defs_item_t *reply)
{
    sqlite3_stmt *stmt = shr_store_stmt (call->store, "INSERT INTO item (id, value) VALUES"
                                                      " (:id, :value) ON CONFLICT DO NOTHING");
    if (!stmt || shr_shape_bind (&fixture_item_create_request_shape, request, stmt)
        || shr_store_step_done (stmt))
        return shr_call_db_error (call);
    if (sqlite3_changes (shr_store_db (call->store)) == 0)
        return shr_call_fail (call, SHR_ALREADY_EXISTS, "/body/id", "%s exists", request->id);
    *reply = (defs_item_t) {request->id, request->value, 1, false};
    return event_item_created_emit (call, request->id, reply) < 0 ? -1 : 0;
}

//  Records the seq and key of each item.created, decoded into its struct.
static int s_on_created (shr_call_t *call, const shr_event_t *event, const defs_item_t *item)
{
    sqlite3_stmt *stmt = shr_store_stmt (call->store, "INSERT INTO seen (seq, key) VALUES"
                                                      " (:seq, :key)");
    if (!stmt || shr_store_set_int (stmt, ":seq", event->seq)
        || shr_store_set_text (stmt, ":key", item->id) || shr_store_step_done (stmt))
        return shr_call_db_error (call);
    return 0;
}

static const char *const s_testers[] = {"tester", NULL};
static const shr_op_def_t s_alpha_ops[] = {
    {"item.create", "fixture/item.create.request.json", "fixture/item.create.reply.json",
     &fixture_item_create_request_shape, &defs_item_shape, (shr_op_fn *) s_item_create, 0,
     s_testers},
    {NULL}};
static const shr_event_def_t *const s_alpha_events[] = {&event_item_created, NULL};
static const shr_event_handler_t s_beta_handlers[] = {SHR_ON (event_item_created, s_on_created),
                                                      {NULL, NULL}};

static int s_setup_beta (shr_service_t *service, char *err, size_t errlen)
{
    return shr_service_consume (service, "alpha", s_beta_handlers, NULL, err, errlen);
}

static const shr_service_def_t s_alpha = {.name = "alpha", .summary = "test",
                                          .migrations = s_migrations, .ops = s_alpha_ops,
                                          .events = s_alpha_events};
static const shr_service_def_t s_beta = {.name = "beta", .summary = "test",
                                         .migrations = s_migrations, .setup = s_setup_beta};

static shr_service_t *s_start (const shr_service_def_t *def)
{
    char data[300], err[512];
    snprintf (data, sizeof data, "%s/%s", s_dir, def->name);
    setenv ("DATA_DIR", data, 1);
    setenv ("SCHEMAS_DIR", "schemas:tests/fixtures/schemas", 1);
    setenv ("BIND_API", "tcp://127.0.0.1:*", 1);
    setenv ("BIND_EVENTS", "tcp://127.0.0.1:*", 1);
    setenv ("HEARTBEAT_MS", "100", 1);
    setenv ("SHR_CURVE", "off", 1);  //  in process: the plaintext path; CURVE is tested over the wire
    shr_service_t *service = shr_service_new (def, NULL, err, sizeof err);
    if (!service || shr_service_start (service, err, sizeof err)) {
        fprintf (stderr, "  cannot start %s: %s\n", def->name, err);
        shr_service_destroy (&service);
    }
    return service;
}

//  Sends count item.create requests at once on one DEALER and collects the replies.
static int s_pipeline (const char *endpoint, int from, int count, const char *duplicate)
{
    zsock_t *dealer = zsock_new_dealer (endpoint);
    for (int i = 0; i < count; i++) {
        char request[200];
        snprintf (request, sizeof request,
                  "{\"v\":1,\"id\":\"r%d\",\"op\":\"item.create\",\"body\":{\"id\":\"%s%d\","
                  "\"value\":%d}}",
                  i, duplicate && i == 1 ? duplicate : "i", duplicate && i == 1 ? 0 : from + i, i);
        zstr_sendm (dealer, "");
        zstr_send (dealer, request);
    }
    int ok = 0;
    for (int i = 0; i < count; i++) {
        zsock_set_rcvtimeo (dealer, 5000);
        char *delimiter = zstr_recv (dealer);
        char *reply = zstr_recv (dealer);
        if (reply && strstr (reply, "\"ok\":true"))
            ok++;
        zstr_free (&delimiter);
        zstr_free (&reply);
    }
    zsock_destroy (&dealer);
    return ok;
}

static cJSON *s_call (const char *endpoint, const char *op)
{
    char err_text[128];
    shr_client_t *client = shr_client_new (endpoint, NULL, NULL, err_text, sizeof err_text);
    shr_error_t err;
    cJSON *reply = shr_client_call (client, op, NULL, NULL, &err);
    shr_client_destroy (&client);
    return reply;
}


//  Counts rows of the beta database through a second connection (WAL lets it read).
static int64_t s_rows (const char *name, const char *sql)
{
    char path[400], err[256];
    snprintf (path, sizeof path, "%s/%s/%s.db", s_dir, name, name);
    sqlite3 *db;
    if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        return -1;
    sqlite3_stmt *stmt;
    int64_t n = -1;
    if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK) {
        if (sqlite3_step (stmt) == SQLITE_ROW)
            n = sqlite3_column_int64 (stmt, 0);
        sqlite3_finalize (stmt);
    }
    sqlite3_close (db);
    (void) err;
    return n;
}

static bool s_wait_rows (const char *name, const char *sql, int64_t want)
{
    for (int i = 0; i < 500; i++) {
        if (s_rows (name, sql) == want)
            return true;
        zclock_sleep (10);
    }
    return false;
}

static void test_serve_publish_consume_replay (void)
{
    shr_service_t *alpha = s_start (&s_alpha);
    CHECK (alpha);
    if (!alpha)
        return;
    const char *api = shr_service_api_endpoint (alpha);
    CHECK (strncmp (api, "tcp://127.0.0.1:", 16) == 0 && !strstr (api, "*"));
    setenv ("ALPHA_API", api, 1);
    setenv ("ALPHA_EVENTS", shr_service_events_endpoint (alpha), 1);
    shr_service_t *beta = s_start (&s_beta);
    CHECK (beta);

    //  Requests that arrive together share transactions; each gets its reply.
    CHECK_INT (s_pipeline (api, 0, 100, NULL), 100);
    cJSON *stats = s_call (api, "sys.stats");
    int64_t batches = shr_body_int (cJSON_GetObjectItem (stats, "counters"), "batches", 0);
    CHECK (batches > 0 && batches < 100);
    cJSON_Delete (stats);
    CHECK (s_wait_rows ("beta", "SELECT count(*) FROM seen", 100));

    //  A failing request in a batch rolls back only itself.
    CHECK_INT (s_pipeline (api, 100, 3, "i5"), 2);
    CHECK (s_wait_rows ("alpha", "SELECT count(*) FROM shr_outbox", 102));

    //  The consumer was away: it replays what it missed, once each.
    shr_service_destroy (&beta);
    CHECK_INT (s_pipeline (api, 200, 50, NULL), 50);
    beta = s_start (&s_beta);
    CHECK (s_wait_rows ("beta", "SELECT count(*) FROM seen", 152));
    CHECK_INT (s_rows ("beta", "SELECT count(DISTINCT seq) FROM seen"), 152);
    CHECK_INT (s_rows ("beta", "SELECT max(seq) FROM seen"), 152);
    cJSON *health = s_call (shr_service_api_endpoint (beta), "sys.health");
    cJSON *consumer = cJSON_GetArrayItem (cJSON_GetObjectItem (health, "consumers"), 0);
    CHECK_STR (shr_body_string (consumer, "source"), "alpha");
    CHECK_INT (shr_body_int (consumer, "applied_seq", 0), 152);
    cJSON_Delete (health);
    shr_service_destroy (&beta);
    shr_service_destroy (&alpha);
    shr_service_destroy (&alpha);
    CHECK (alpha == NULL);
}

static void test_setup_errors_are_reported (void)
{
    char err[512] = "";
    setenv ("DATA_DIR", s_dir, 1);
    setenv ("SCHEMAS_DIR", "schemas", 1);  //  no fixture schemas: its event has none
    shr_service_t *service = shr_service_new (&s_alpha, NULL, err, sizeof err);
    CHECK (service == NULL);
    CHECK (strstr (err, "events/item.created.json") != NULL);
    //  An op without its schema stops the service too, naming the file.
    static const shr_service_def_t no_events = {.name = "alpha", .summary = "test",
                                                .migrations = s_migrations, .ops = s_alpha_ops};
    service = shr_service_new (&no_events, NULL, err, sizeof err);
    CHECK (service == NULL);
    CHECK (strstr (err, "fixture/item.create.request.json") != NULL);
}

//  An event the service did not declare is refused when emitted.
static int s_emit_undeclared (shr_call_t *call, const fixture_item_create_request_t *request,
                              defs_item_t *reply)
{
    *reply = (defs_item_t) {request->id, request->value, 1, false};
    return event_item_updated_emit (call, request->id, reply) < 0 ? -1 : 0;
}

static void test_undeclared_events_are_refused (void)
{
    static const shr_op_def_t ops[] = {
        {"item.create", "fixture/item.create.request.json", "fixture/item.create.reply.json",
         &fixture_item_create_request_shape, &defs_item_shape, (shr_op_fn *) s_emit_undeclared,
         0, s_testers},
        {NULL}};
    static const shr_service_def_t def = {.name = "gamma", .summary = "test",
                                          .migrations = s_migrations, .ops = ops,
                                          .events = s_alpha_events};
    shr_service_t *gamma = s_start (&def);
    CHECK (gamma);
    if (!gamma)
        return;
    char err_text[128];
    shr_client_t *client = shr_client_new (shr_service_api_endpoint (gamma), NULL, NULL, err_text,
                                           sizeof err_text);
    shr_error_t err;
    cJSON *body = cJSON_Parse ("{\"id\":\"u1\",\"value\":1}");
    cJSON *reply = shr_client_call (client, "item.create", body, NULL, &err);
    CHECK (reply == NULL);
    CHECK_INT (err.code, SHR_INTERNAL);
    CHECK (strstr (err.message, "item.updated is not one that gamma declares") != NULL);
    cJSON_Delete (body);
    cJSON_Delete (reply);
    shr_client_destroy (&client);
    shr_service_destroy (&gamma);
}

//  A client of a peer, as a service's setup gets it: the peer's endpoint from
//  <PEER>_API, kept and destroyed with the service; an unknown peer is refused.
static shr_client_t *s_peer;
static int s_setup_delta (shr_service_t *service, char *err, size_t errlen)
{
    char unknown[256];
    CHECK (shr_service_client (service, "nosuch", unknown, sizeof unknown) == NULL);
    CHECK (strstr (unknown, "nosuch") != NULL);
    s_peer = shr_service_client (service, "alpha", err, errlen);
    return s_peer ? 0 : -1;
}

static void test_a_peer_client_reaches_the_peer (void)
{
    shr_service_t *alpha = s_start (&s_alpha);
    CHECK (alpha);
    if (!alpha)
        return;
    setenv ("ALPHA_API", shr_service_api_endpoint (alpha), 1);
    static const shr_service_def_t delta = {.name = "delta", .summary = "test",
                                            .migrations = s_migrations, .setup = s_setup_delta};
    shr_service_t *service = s_start (&delta);
    CHECK (service && s_peer);
    if (service && s_peer) {
        shr_error_t err;
        cJSON *body = cJSON_Parse ("{\"id\":\"p1\",\"value\":7}");
        cJSON *first = shr_client_call (s_peer, "item.create", body, "peer-1", &err);
        cJSON *again = shr_client_call (s_peer, "item.create", body, "peer-1", &err);
        CHECK (first && again);
        //  The same key: the first reply, the item made once.
        if (first && again)
            CHECK_INT (cJSON_GetObjectItem (again, "version")->valueint,
                       cJSON_GetObjectItem (first, "version")->valueint);
        cJSON_Delete (first);
        cJSON_Delete (again);
        cJSON_Delete (body);
    }
    shr_service_destroy (&service);
    shr_service_destroy (&alpha);
    unsetenv ("ALPHA_API");
}

int main (void)
{
    snprintf (s_dir, sizeof s_dir, "/tmp/test_service.%d", getpid ());
    zsys_dir_create ("%s", s_dir);
    shr_log_init ("test", "warn");
    RUN (test_serve_publish_consume_replay);
    RUN (test_setup_errors_are_reported);
    RUN (test_undeclared_events_are_refused);
    RUN (test_a_peer_client_reaches_the_peer);
    char command[300];
    snprintf (command, sizeof command, "rm -rf %s", s_dir);
    if (system (command) != 0)
        fprintf (stderr, "could not remove %s\n", s_dir);
    return TEST_DONE ("test_service");
}
