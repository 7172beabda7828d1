/*  shr_consumer - follows one source's events: each applied exactly once, in order.

    A SUB socket takes the live stream; a DEALER asks the source for
    events.replay. The last seq applied is stored in shr_checkpoint in the same
    transaction as the effect of applying it, so a crash at any point loses
    nothing and applies nothing twice. An event at or below the checkpoint is
    skipped; a gap (a seq that jumps, a heartbeat that says the source is ahead)
    is filled by replay before anything later is applied; at start the consumer
    replays from its checkpoint. A source that is down is asked again every
    REPLAY_TIMEOUT_MS until it answers.

    An apply function that fails rolls its event back and stops the stream there;
    the consumer tries again a second later (sys.health shows the error), so a
    transient fault never skips an event.

    The consumer runs in its owner's thread: the owner polls its two sockets and
    calls the on_ functions, and calls shr_consumer_tick about every 100 ms.
*/
#ifndef SHR_CONSUMER_H_INCLUDED
#define SHR_CONSUMER_H_INCLUDED

#include "shr_call.h"
#include "shr_keys.h"
#include "shr_schema.h"
#include "shr_stats.h"
#include "shr_time.h"

#include <czmq.h>

typedef struct _shr_consumer_t shr_consumer_t;

//  Applies one event (the whole envelope, borrowed) in the consumer's
//  transaction. Returns 0, or -1 after shr_call_fail to stop and retry later.
typedef int (shr_apply_fn) (shr_call_t *call, const cJSON *event);

//  The DDL of the checkpoint table (component "shared.consumer").
extern const char *const shr_consumer_migrations[];

//  Where to find the source and how to apply its events.
typedef struct {
    const char *source;           //  the source's name, as in its envelopes
    const char *events_endpoint;  //  its PUB socket
    const char *api_endpoint;     //  its ROUTER socket, for events.replay
    shr_apply_fn *apply;
    void *arg;                    //  call->arg of apply
    int hwm;                      //  SUB high-water mark
    int heartbeat_ms;             //  the source's heartbeat period, to judge staleness
    shr_schema_t *schemas;        //  borrowed; events are checked against the contract (may be NULL)
    shr_keys_t *keys;             //  borrowed; NULL for plaintext sockets
    const char *actor;            //  who applies (the consuming service), for call->actor
} shr_consumer_config_t;

//  Creates a consumer over store (migrated), outbox (may be NULL; events that
//  apply emits go there) and stats (borrowed). Reads the checkpoint and connects
//  both sockets. Returns NULL with a message in err.
shr_consumer_t *shr_consumer_new (const shr_consumer_config_t *config, shr_store_t *store,
                                  shr_outbox_t *outbox, shr_stats_t *stats, shr_clock_fn *clock,
                                  void *clock_arg, char *err, size_t errlen);

//  Nulls *self_p. Safe twice.
void shr_consumer_destroy (shr_consumer_t **self_p);

//  The sockets to poll. Borrowed.
zsock_t *shr_consumer_subscriber (shr_consumer_t *self);
zsock_t *shr_consumer_requester (shr_consumer_t *self);

//  Call when the subscriber is readable: takes what is waiting, applies what is next.
void shr_consumer_on_event (shr_consumer_t *self);

//  Call when the requester is readable: takes a replay page and applies it.
void shr_consumer_on_reply (shr_consumer_t *self);

//  Call about every 100 ms: starts the catch-up, resends a replay that got no
//  answer, retries after a failed apply.
void shr_consumer_tick (shr_consumer_t *self);

//  The source's name. Borrowed.
const char *shr_consumer_source (shr_consumer_t *self);

//  The last seq applied.
int64_t shr_consumer_applied_seq (shr_consumer_t *self);

//  {"source","applied_seq","source_seq","lag","state","last_error"} for sys.health.
//  state is "live", "catching_up", "unreachable" or "failing". Caller owns.
cJSON *shr_consumer_health (shr_consumer_t *self);

#endif
