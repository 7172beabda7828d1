/*  shr_client - Lazy Pirate DEALER client. See shr_client.h. */
#include "shr_client.h"
#include "shr_socket.h"

#include <czmq.h>

struct _shr_client_t {
    char *endpoint;
    shr_keys_t *keys;     //  borrowed
    char *peer;
    zsock_t *dealer;
    int timeout_ms;
    int retries;
    char id_prefix[16];   //  random per client, so ids differ between clients
    unsigned long next_id;
};

shr_client_t *shr_client_new (const char *endpoint, shr_keys_t *keys, const char *peer, char *err,
                              size_t errlen)
{
    shr_client_t *self = (shr_client_t *) zmalloc (sizeof (shr_client_t));
    self->endpoint = strdup (endpoint);
    self->keys = keys;
    self->peer = peer ? strdup (peer) : NULL;
    self->timeout_ms = 3000;
    self->retries = 2;
    snprintf (self->id_prefix, sizeof self->id_prefix, "%08x", (unsigned) randof (0x7fffffff));
    self->dealer = shr_socket_new (SHR_SOCKET_CLIENT, endpoint, 0, keys, peer, err, errlen);
    if (!self->dealer)
        shr_client_destroy (&self);
    return self;
}

void shr_client_destroy (shr_client_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    shr_client_t *self = *self_p;
    zsock_destroy (&self->dealer);
    free (self->endpoint);
    free (self->peer);
    free (self);
    *self_p = NULL;
}

void shr_client_set_timeout (shr_client_t *self, int timeout_ms, int retries)
{
    self->timeout_ms = timeout_ms;
    self->retries = retries;
}

//  Waits for the reply to id on the current socket. Returns the parsed envelope
//  (caller owns) or NULL on timeout. Replies to other ids (late answers to an
//  attempt given up on) are skipped.
static cJSON *s_wait_reply (shr_client_t *self, const char *id, int64_t deadline)
{
    zpoller_t *poller = zpoller_new (self->dealer, NULL);
    cJSON *envelope = NULL;
    while (!envelope) {
        int64_t left = deadline - zclock_mono ();
        if (left <= 0 || !zpoller_wait (poller, (int) left))
            break;
        zmsg_t *msg = zmsg_recv (self->dealer);
        zframe_t *delimiter = msg ? zmsg_pop (msg) : NULL;
        zframe_t *frame = msg ? zmsg_first (msg) : NULL;
        if (frame) {
            cJSON *parsed = cJSON_ParseWithLength ((const char *) zframe_data (frame),
                                                   zframe_size (frame));
            const cJSON *reply_id = cJSON_GetObjectItemCaseSensitive (parsed, "id");
            if (cJSON_IsString (reply_id) && streq (reply_id->valuestring, id))
                envelope = parsed;
            else
                cJSON_Delete (parsed);
        }
        zframe_destroy (&delimiter);
        zmsg_destroy (&msg);
    }
    zpoller_destroy (&poller);
    return envelope;
}

cJSON *shr_client_call (shr_client_t *self, const char *op, const cJSON *body, const char *idem,
                        shr_error_t *err)
{
    char id[48];
    snprintf (id, sizeof id, "%s-%lu", self->id_prefix, ++self->next_id);
    char *request = shr_request_encode (id, op, idem, body);
    if (!request) {
        shr_error_set (err, SHR_INTERNAL, "", "out of memory");
        return NULL;
    }
    cJSON *envelope = NULL;
    for (int attempt = 0; attempt <= self->retries && !envelope; attempt++) {
        if (attempt > 0 || !self->dealer) {
            //  Lazy Pirate: a fresh socket, so a stuck connection or a queued
            //  request of the last attempt cannot block this one.
            char socket_err[256];
            zsock_destroy (&self->dealer);
            self->dealer = shr_socket_new (SHR_SOCKET_CLIENT, self->endpoint, 0, self->keys,
                                           self->peer, socket_err,
                                           sizeof socket_err);
            if (!self->dealer)
                break;
        }
        zmsg_t *msg = zmsg_new ();
        zmsg_addmem (msg, NULL, 0);
        zmsg_addstr (msg, request);
        zmsg_send (&msg, self->dealer);
        envelope = s_wait_reply (self, id, zclock_mono () + self->timeout_ms);
    }
    free (request);
    if (!envelope) {
        shr_error_set (err, SHR_DEADLINE_EXCEEDED, "",
                       "no reply from %s to %s after %d attempts of %d ms", self->endpoint, op,
                       self->retries + 1, self->timeout_ms);
        return NULL;
    }
    cJSON *result = NULL;
    const cJSON *ok = cJSON_GetObjectItemCaseSensitive (envelope, "ok");
    if (cJSON_IsTrue (ok))
        result = cJSON_DetachItemFromObjectCaseSensitive (envelope, "body");
    else {
        const cJSON *error = cJSON_GetObjectItemCaseSensitive (envelope, "error");
        const char *code = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (error, "code"));
        const char *message
            = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (error, "message"));
        const char *field = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (error, "field"));
        int parsed = shr_code_from_name (code);
        shr_error_set (err, parsed > 0 ? (shr_code_t) parsed : SHR_INTERNAL, field, "%s",
                       message ? message : "reply is not a valid envelope");
    }
    if (cJSON_IsTrue (ok) && !result)
        result = cJSON_CreateObject ();
    cJSON_Delete (envelope);
    return result;
}
