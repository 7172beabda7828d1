/*  shr_client - a DEALER client with a timeout and bounded retries (Lazy Pirate).

    A call sends one request and waits for its reply. If none comes in time the
    client closes its socket (dropping anything queued), opens a new one and
    sends the same request again, with the same id and idempotency key, so that
    the server can tell the retry from a new request. After the last retry the
    call fails with deadline_exceeded; the caller cannot know whether the server
    acted, which is what the idempotency key is for.
*/
#ifndef SHR_CLIENT_H_INCLUDED
#define SHR_CLIENT_H_INCLUDED

#include "shr_keys.h"
#include "shr_msg.h"

#include <cjson/cJSON.h>

typedef struct _shr_client_t shr_client_t;

//  Creates a client of the service at endpoint: with keys (borrowed, NULL for
//  plaintext), a CURVE client of the service called peer. Connecting is lazy
//  (ZeroMQ), so this fails only on a malformed endpoint or a missing key: NULL
//  with a message in err.
shr_client_t *shr_client_new (const char *endpoint, shr_keys_t *keys, const char *peer, char *err,
                              size_t errlen);

//  Nulls *self_p. Safe twice.
void shr_client_destroy (shr_client_t **self_p);

//  Time to wait for each attempt and how many times to send again after the
//  first (default 3000 ms, 2 retries).
void shr_client_set_timeout (shr_client_t *self, int timeout_ms, int retries);

//  Calls op with body (borrowed; NULL for {}) and idem (NULL for none). On success
//  returns the reply's body, which the caller owns. On failure returns NULL with
//  err filled: the service's error as it sent it, or deadline_exceeded when no
//  reply came after every retry, or internal for a reply that is not an envelope.
cJSON *shr_client_call (shr_client_t *self, const char *op, const cJSON *body, const char *idem,
                        shr_error_t *err);

#endif
