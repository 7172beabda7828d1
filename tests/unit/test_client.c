/*  Unit tests of shr_client (and shr_socket): Lazy Pirate retries with the same
    id and idempotency key, deadline_exceeded, error replies. The server here is
    a bare ROUTER in the test, so it can misbehave on purpose. */
#include "shared.h"
#include "testutil.h"

#include <pthread.h>

typedef struct {
    zsock_t *router;
    int ignore_first;     //  requests to swallow without a reply
    int seen;
    char ids[4][64];
    char idems[4][64];
    const char *reply_body;  //  "ok" or an error envelope
} s_server_t;

static void *s_serve (void *args)
{
    s_server_t *self = (s_server_t *) args;
    zpoller_t *poller = zpoller_new (self->router, NULL);
    while (self->seen < 4 && zpoller_wait (poller, 3000)) {
        zmsg_t *msg = zmsg_recv (self->router);
        zframe_t *identity = zmsg_pop (msg);
        zframe_t *delimiter = zmsg_pop (msg);
        char *text = zmsg_popstr (msg);
        cJSON *request = cJSON_Parse (text);
        int n = self->seen++;
        snprintf (self->ids[n], 64, "%s", shr_body_string (request, "id"));
        snprintf (self->idems[n], 64, "%s",
                  shr_body_string (request, "idem") ? shr_body_string (request, "idem") : "");
        if (n >= self->ignore_first) {
            char reply[512];
            if (streq (self->reply_body, "ok"))
                snprintf (reply, sizeof reply,
                          "{\"v\":1,\"id\":\"%s\",\"ok\":true,\"body\":{\"n\":%d}}",
                          self->ids[n], n);
            else
                snprintf (reply, sizeof reply,
                          "{\"v\":1,\"id\":\"%s\",\"ok\":false,\"error\":{\"code\":\"not_found\","
                          "\"message\":\"no such thing\",\"field\":\"/body/x\"}}",
                          self->ids[n]);
            zmsg_t *out = zmsg_new ();
            zmsg_append (out, &identity);
            zmsg_append (out, &delimiter);
            zmsg_addstr (out, reply);
            zmsg_send (&out, self->router);
        }
        zframe_destroy (&identity);
        zframe_destroy (&delimiter);
        cJSON_Delete (request);
        zstr_free (&text);
        zmsg_destroy (&msg);
    }
    zpoller_destroy (&poller);
    return NULL;
}

static void s_run (s_server_t *server, int timeout_ms, int retries, const char *idem,
                   cJSON **reply, shr_error_t *err)
{
    char text[256];
    server->router = shr_socket_new (SHR_SOCKET_API, "tcp://127.0.0.1:*", 0, NULL, NULL, text, sizeof text);
    CHECK (server->router);
    pthread_t thread;
    pthread_create (&thread, NULL, s_serve, server);
    shr_client_t *client = shr_client_new (zsock_endpoint (server->router), NULL, NULL, text, sizeof text);
    CHECK (client);
    shr_client_set_timeout (client, timeout_ms, retries);
    cJSON *body = cJSON_Parse ("{\"x\":1}");
    *reply = shr_client_call (client, "thing.do", body, idem, err);
    cJSON_Delete (body);
    shr_client_destroy (&client);
    shr_client_destroy (&client);
    CHECK (client == NULL);
    pthread_join (thread, NULL);
    zsock_destroy (&server->router);
}

static void test_retry_keeps_id_and_key (void)
{
    s_server_t server = {.ignore_first = 1, .reply_body = "ok"};
    cJSON *reply;
    shr_error_t err;
    s_run (&server, 300, 2, "crm-1", &reply, &err);
    CHECK (reply);
    CHECK_INT (cJSON_GetNumberValue (cJSON_GetObjectItem (reply, "n")), 1);
    CHECK_INT (server.seen, 2);
    CHECK_STR (server.ids[0], server.ids[1]);
    CHECK_STR (server.idems[0], "crm-1");
    CHECK_STR (server.idems[1], "crm-1");
    cJSON_Delete (reply);
}

static void test_deadline_exceeded_after_every_attempt (void)
{
    s_server_t server = {.ignore_first = 99, .reply_body = "ok"};
    cJSON *reply;
    shr_error_t err;
    int64_t start = zclock_mono ();
    s_run (&server, 200, 2, NULL, &reply, &err);
    CHECK (reply == NULL);
    CHECK_INT (err.code, SHR_DEADLINE_EXCEEDED);
    CHECK (strstr (err.message, "after 3 attempts") != NULL);
    CHECK_INT (server.seen, 3);
    CHECK (zclock_mono () - start >= 600);
}

static void test_error_replies_come_back_as_errors (void)
{
    s_server_t server = {.ignore_first = 0, .reply_body = "error"};
    cJSON *reply;
    shr_error_t err;
    s_run (&server, 1000, 0, NULL, &reply, &err);
    CHECK (reply == NULL);
    CHECK_INT (err.code, SHR_NOT_FOUND);
    CHECK_STR (err.message, "no such thing");
    CHECK_STR (err.field, "/body/x");
}

static void test_bad_endpoint (void)
{
    char text[256] = "";
    CHECK (shr_client_new ("nonsense", NULL, NULL, text, sizeof text) == NULL);
    CHECK (strstr (text, "nonsense") != NULL);
    CHECK (shr_socket_new (SHR_SOCKET_API, "tcp://256.1.1.1:1", 0, NULL, NULL, text, sizeof text) == NULL);
    CHECK (strstr (text, "cannot bind") != NULL);
}

int main (void)
{
    RUN (test_retry_keeps_id_and_key);
    RUN (test_deadline_exceeded_after_every_attempt);
    RUN (test_error_replies_come_back_as_errors);
    RUN (test_bad_endpoint);
    return TEST_DONE ("test_client");
}
