/*  Unit tests of shr_outbox: seq without gaps through rollbacks, publish after
    commit only, replay pages, heartbeats, data checked against its schema. */
#include "shared.h"
#include "testutil.h"

static shr_store_t *s_store;
static shr_schema_t *s_schemas;

static int64_t s_append (shr_outbox_t *outbox, const char *id)
{
    char item[160];
    snprintf (item, sizeof item, "{\"id\":\"%s\",\"value\":1,\"version\":1,\"closed\":false}", id);
    shr_error_t err;
    return shr_outbox_append (outbox, "item.created", id, "tester", 1795753437123LL, item, &err);
}

//  An outbox that publishes item.created.
static shr_outbox_t *s_outbox (void)
{
    char err[256];
    shr_outbox_t *outbox = shr_outbox_new ("fixture", s_store, s_schemas, err, sizeof err);
    if (outbox && shr_outbox_declare (outbox, "item.created", err, sizeof err))
        shr_outbox_destroy (&outbox);
    return outbox;
}

//  Receives one message from sub (topic, envelope), or returns false after 1 s.
static bool s_receive (zsock_t *sub, char **topic, cJSON **envelope)
{
    zsock_set_rcvtimeo (sub, 1000);
    zmsg_t *msg = zmsg_recv (sub);
    if (!msg)
        return false;
    *topic = zmsg_popstr (msg);
    char *text = zmsg_popstr (msg);
    *envelope = cJSON_Parse (text);
    zstr_free (&text);
    zmsg_destroy (&msg);
    return true;
}

static void test_seq_survives_rollbacks_and_publishes_after_commit (void)
{
    char err[256];
    shr_outbox_t *outbox = s_outbox ();
    CHECK (outbox);
    CHECK (shr_outbox_bind (outbox, "tcp://127.0.0.1:*", 1000, NULL, err, sizeof err) == 0);
    zsock_t *sub = zsock_new_sub (shr_outbox_endpoint (outbox), "");
    zclock_sleep (200);

    shr_store_begin (s_store);
    CHECK_INT (s_append (outbox, "a"), 1);
    size_t mark = shr_outbox_mark (outbox);
    shr_store_savepoint (s_store);
    CHECK_INT (s_append (outbox, "b"), 2);
    shr_store_rollback_to (s_store);
    shr_outbox_rewind (outbox, mark);
    CHECK_INT (s_append (outbox, "c"), 2);  //  b's seq is reused: it never existed
    CHECK_INT (shr_outbox_last_seq (outbox), 0);  //  nothing committed yet
    shr_store_commit (s_store);
    shr_outbox_publish (outbox);
    CHECK_INT (shr_outbox_last_seq (outbox), 2);
    CHECK_INT (shr_outbox_published (outbox), 2);

    char *topic;
    cJSON *envelope;
    CHECK (s_receive (sub, &topic, &envelope));
    CHECK_STR (topic, "item.created");
    CHECK_INT (shr_body_int (envelope, "seq", 0), 1);
    CHECK_STR (shr_body_string (envelope, "source"), "fixture");
    CHECK_STR (shr_body_string (envelope, "ts"), "2026-11-27T04:23:57.123Z");
    shr_schema_error_t schema_err;
    CHECK (shr_schema_validate (s_schemas, "envelope/event.json", envelope, "", &schema_err) == 0);
    zstr_free (&topic);
    cJSON_Delete (envelope);
    CHECK (s_receive (sub, &topic, &envelope));
    CHECK_STR (shr_body_string (envelope, "key"), "c");
    zstr_free (&topic);
    cJSON_Delete (envelope);

    //  A whole transaction rolled back publishes nothing and keeps no seq.
    shr_store_begin (s_store);
    s_append (outbox, "d");
    shr_store_rollback (s_store);
    shr_outbox_rewind (outbox, 0);
    shr_outbox_publish (outbox);
    CHECK_INT (shr_outbox_last_seq (outbox), 2);

    //  Quiet: a heartbeat with the last seq.
    zclock_sleep (60);
    shr_outbox_heartbeat (outbox, 50);
    CHECK (s_receive (sub, &topic, &envelope));
    CHECK_STR (topic, SHR_HEARTBEAT_TOPIC);
    CHECK_INT (shr_body_int (envelope, "last_seq", -1), 2);
    CHECK (shr_schema_validate (s_schemas, "envelope/heartbeat.json", envelope, "", &schema_err)
           == 0);
    zstr_free (&topic);
    cJSON_Delete (envelope);
    zsock_destroy (&sub);
    shr_outbox_destroy (&outbox);
    shr_outbox_destroy (&outbox);

    //  A new outbox over the same store continues from the stored seq.
    outbox = s_outbox ();
    CHECK_INT (shr_outbox_last_seq (outbox), 2);
    shr_outbox_destroy (&outbox);
}

static void test_data_must_match_its_schema (void)
{
    char err[256];
    shr_outbox_t *outbox = s_outbox ();
    const char *bad = "{\"id\":\"x\"}";
    shr_error_t error;
    CHECK_INT (shr_outbox_append (outbox, "item.created", "x", NULL, 0, bad, &error), -1);
    CHECK_INT (error.code, SHR_INTERNAL);
    CHECK (strstr (error.message, "/value") != NULL);
    CHECK_INT (shr_outbox_append (outbox, "item.created", "x", NULL, 0, "{not json", &error), -1);
    CHECK (strstr (error.message, "not JSON") != NULL);
    //  A type nobody declared is refused; declaring one without a schema names the file.
    CHECK_INT (shr_outbox_append (outbox, "item.closed", "x", NULL, 0, bad, &error), -1);
    CHECK (strstr (error.message, "not one that fixture declares") != NULL);
    CHECK_INT (shr_outbox_declare (outbox, "item.vanished", err, sizeof err), -1);
    CHECK (strstr (err, "events/item.vanished.json") != NULL);
    shr_outbox_destroy (&outbox);
}

static void test_replay_pages (void)
{
    shr_outbox_t *outbox = s_outbox ();
    shr_store_begin (s_store);
    for (int i = 0; i < 1500; i++) {
        char id[16];
        snprintf (id, sizeof id, "p%d", i);
        s_append (outbox, id);
    }
    shr_store_commit (s_store);
    shr_outbox_publish (outbox);
    shr_error_t error;
    cJSON *page = shr_outbox_replay (outbox, 1, 1000, &error);
    char *text = shr_json_print (page);
    cJSON *parsed = cJSON_Parse (text);  //  raw items print as JSON
    cJSON *events = cJSON_GetObjectItem (parsed, "events");
    CHECK_INT (cJSON_GetArraySize (events), 1000);
    CHECK_INT (shr_body_int (cJSON_GetArrayItem (events, 0), "seq", 0), 1);
    CHECK_INT (shr_body_int (cJSON_GetArrayItem (events, 999), "seq", 0), 1000);
    CHECK_INT (shr_body_int (parsed, "last_seq", 0), 1502);
    free (text);
    cJSON_Delete (parsed);
    cJSON_Delete (page);
    page = shr_outbox_replay (outbox, 1500, 1000, &error);
    text = shr_json_print (page);
    parsed = cJSON_Parse (text);
    CHECK_INT (cJSON_GetArraySize (cJSON_GetObjectItem (parsed, "events")), 3);
    free (text);
    cJSON_Delete (parsed);
    cJSON_Delete (page);
    shr_outbox_destroy (&outbox);
}

int main (void)
{
    char err[256];
    s_schemas = shr_schema_new ();
    s_store = shr_store_new (":memory:", SHR_SYNC_FULL, err, sizeof err);
    if (shr_schema_load_dir (s_schemas, "schemas", err, sizeof err) < 0
        || shr_schema_load_dir (s_schemas, "tests/fixtures/schemas", err, sizeof err) < 0
        || shr_store_migrate (s_store, "shared.outbox", shr_outbox_migrations, err, sizeof err)
               < 0) {
        fprintf (stderr, "setup: %s\n", err);
        return 1;
    }
    RUN (test_seq_survives_rollbacks_and_publishes_after_commit);
    RUN (test_data_must_match_its_schema);
    RUN (test_replay_pages);
    shr_store_destroy (&s_store);
    shr_schema_destroy (&s_schemas);
    return TEST_DONE ("test_outbox");
}
