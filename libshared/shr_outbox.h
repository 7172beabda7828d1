/*  shr_outbox - events that are never lost: append in the transaction, publish after commit.

    A handler appends an event inside the transaction of the change that caused
    it; the event row lands in the shr_outbox table with the next seq, or not at
    all if the transaction rolls back. After COMMIT the service publishes the
    pending events on its PUB socket: topic frame (the type), then the envelope
    (schemas/envelope/event.json). events.replay reads the same table, so what
    the wire drops a consumer fetches again. While the stream is quiet a
    heartbeat (schemas/envelope/heartbeat.json) tells consumers the latest seq.

    seq starts at 1 and rises by exactly one per event, with no gaps, forever:
    it is the count of committed events plus the place in the pending list.
*/
#ifndef SHR_OUTBOX_H_INCLUDED
#define SHR_OUTBOX_H_INCLUDED

#include "shr_keys.h"
#include "shr_msg.h"
#include "shr_schema.h"
#include "shr_store.h"

#include <cjson/cJSON.h>
#include <stdint.h>

#define SHR_REPLAY_MAX_LIMIT 1000      //  most events one events.replay returns
#define SHR_HEARTBEAT_TOPIC "sys.heartbeat"

typedef struct _shr_outbox_t shr_outbox_t;

//  The DDL of the outbox table, for shr_store_migrate (component "shared.outbox").
extern const char *const shr_outbox_migrations[];

//  Creates the outbox of source over store (migrated already); reads the last seq.
//  schemas is borrowed and checks each event's data against events/<type>.json.
//  Returns NULL with a message in err on a database error.
shr_outbox_t *shr_outbox_new (const char *source, shr_store_t *store, shr_schema_t *schemas,
                              char *err, size_t errlen);

//  Destroys (pending events are dropped: they were never committed). Nulls *self_p.
void shr_outbox_destroy (shr_outbox_t **self_p);

//  Binds the PUB socket, a CURVE server with keys (borrowed; NULL for
//  plaintext): only known keys may subscribe. Returns 0, or -1 with err.
int shr_outbox_bind (shr_outbox_t *self, const char *endpoint, int hwm, shr_keys_t *keys,
                     char *err, size_t errlen);

//  Closes the PUB socket and binds it again on the same port, so that every
//  subscriber shakes hands anew (after a key was revoked). Subscribers
//  reconnect by themselves and replay what they missed. Returns 0, or -1.
int shr_outbox_rebind (shr_outbox_t *self, char *err, size_t errlen);

//  The bound endpoint with its real port (after binding to port *). Borrowed; NULL before bind.
const char *shr_outbox_endpoint (shr_outbox_t *self);

//  Declares an event type the source publishes; its schema events/<type>.json
//  must be loaded. Returns 0, or -1 with err naming the missing file.
int shr_outbox_declare (shr_outbox_t *self, const char *type, char *err, size_t errlen);

//  The declared types, in declaration order, for sys.ops. Caller owns the array.
cJSON *shr_outbox_types_json (shr_outbox_t *self);

//  Appends an event inside the open transaction (actor: who caused it, NULL
//  for none; see the envelope's schema): checks that its type was
//  declared and that data (JSON text, borrowed) matches the type's schema,
//  stores the envelope and queues it for publishing. Returns the event's seq,
//  or -1 with err filled (internal: an undeclared type, data that does not
//  match, a database error).
int64_t shr_outbox_append (shr_outbox_t *self, const char *type, const char *key,
                           const char *actor, int64_t ts_ms, const char *data, shr_error_t *err);

//  A mark to rewind to if the changes after it are rolled back (a savepoint).
size_t shr_outbox_mark (shr_outbox_t *self);

//  Forgets the events appended after mark (a mark of the open transaction);
//  their rows went with the rollback.
void shr_outbox_rewind (shr_outbox_t *self, size_t mark);

//  After COMMIT: the events appended since the last commit belong to commit
//  (the store's commit number, shr_store_commits).
void shr_outbox_committed (shr_outbox_t *self, int64_t commit);

//  After a rollback of the whole transaction: forgets its events, keeps those
//  of earlier commits that wait to be published.
void shr_outbox_drop_uncommitted (shr_outbox_t *self);

//  Publishes, in seq order, the events of every commit up to durable (the
//  store's shr_store_durable: nothing leaves before it is on disk).
void shr_outbox_release (shr_outbox_t *self, int64_t durable);

//  The two at once, for a caller that commits without the store's numbers
//  (tests): every pending event counts as committed and is published.
void shr_outbox_publish (shr_outbox_t *self);

//  Publishes a heartbeat with the last seq if nothing was published in the last
//  period_ms. Cannot fail (a dropped heartbeat is harmless).
void shr_outbox_heartbeat (shr_outbox_t *self, int64_t period_ms);

//  The last committed seq (0 before the first event).
int64_t shr_outbox_last_seq (shr_outbox_t *self);

//  Events published on the wire since start.
int64_t shr_outbox_published (shr_outbox_t *self);

//  The reply body of events.replay: {"events":[...], "last_seq":N} with at most limit
//  events from from_seq on, in order, and at most about 512 KiB of them. Returns a
//  tree the caller owns, or NULL with err filled on a database error.
cJSON *shr_outbox_replay (shr_outbox_t *self, int64_t from_seq, int limit, shr_error_t *err);

#endif
