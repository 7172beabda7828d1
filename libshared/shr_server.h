/*  shr_server - the request/reply server on a ROUTER socket.

    For each request: decode and check the envelope, find the op, validate the
    body against schemas/<dir>/<op>.request.json, decode it into the op's
    request struct, then call the handler inside a unit of work (shr_work).
    Requests that arrive together share one transaction (group commit): each
    runs in its own savepoint, so one failing request rolls back only its own
    changes, and no reply leaves before the commit that makes it true is on
    disk; events are published after the replies have left. A request with an
    idempotency key stores its reply under (op, key) in the same transaction
    as its change, so a retry gets the first reply and changes nothing again.

    Clients use REQ, or DEALER with an empty delimiter frame; the reply is framed
    the same way. A frame without the delimiter is answered without one.
*/
#ifndef SHR_SERVER_H_INCLUDED
#define SHR_SERVER_H_INCLUDED

#include "shr_call.h"
#include "shr_keys.h"
#include "shr_outbox.h"
#include "shr_schema.h"
#include "shr_stats.h"
#include "shr_store.h"
#include "shr_time.h"

#include <cjson/cJSON.h>
#include <czmq.h>

#define SHR_SERVER_MAX_BATCH 128  //  most requests that share one transaction

typedef struct _shr_server_t shr_server_t;

//  The DDL of the idempotency table (component "shared.server").
extern const char *const shr_server_migrations[];

//  Creates a server over a store (migrated already), a schema registry, an outbox
//  (may be NULL) and stats; all four are borrowed. Returns NULL when out of memory.
shr_server_t *shr_server_new (shr_store_t *store, shr_schema_t *schemas, shr_outbox_t *outbox,
                              shr_stats_t *stats);

//  Nulls *self_p. Safe twice.
void shr_server_destroy (shr_server_t **self_p);

//  Registers a described op (generated: <service>_ops[]), its handler called
//  with call->arg = arg. Its schemas must be loaded and it must declare its
//  roles. Returns 0, or -1 with a message in err (missing schema or roles, op
//  already registered).
int shr_server_add_op (shr_server_t *self, const shr_op_def_t *def, void *arg, char *err,
                       size_t errlen);

//  Registers one of libshared's own ops, served by handler (JSON bodies) with
//  arg, to callers with one of roles (NULL: every known key). Its schemas are
//  <dir>/<op>.request.json and <dir>/<op>.reply.json, which must be loaded.
//  Returns 0, or -1 with a message in err.
int shr_server_add (shr_server_t *self, const char *op, const char *dir, shr_handler_fn *handler,
                    void *arg, int flags, const char *const *roles, char *err, size_t errlen);

//  Who may talk to it: with keys (borrowed; NULL for plaintext) the ROUTER is a
//  CURVE server, every request's caller is the trusted name of its key (the
//  actor of what it changes), and an op is served only to callers with one of
//  its roles (permission_denied otherwise). Per client: at most max_in_flight
//  requests waiting and rate a second (0 for no limit; resource_exhausted
//  beyond). Call before bind.
void shr_server_set_security (shr_server_t *self, shr_keys_t *keys, int max_in_flight, int rate);

//  Checks every reply body against its reply schema before it leaves, turning a
//  reply that breaks the contract into an internal error (default off: the tests
//  turn it on, so that what services send is proven against schemas/).
void shr_server_set_check_replies (shr_server_t *self, bool check);

//  Sets the clock handlers see as call->now_ms (default: the wall clock).
void shr_server_set_clock (shr_server_t *self, shr_clock_fn *clock, void *arg);

//  Binds the ROUTER socket. Returns 0, or -1 with a message in err.
int shr_server_bind (shr_server_t *self, const char *endpoint, char *err, size_t errlen);

//  The bound endpoint with its real port. Borrowed; NULL before bind.
const char *shr_server_endpoint (shr_server_t *self);

//  The ROUTER socket, to poll. Borrowed.
zsock_t *shr_server_socket (shr_server_t *self);

//  Receives the requests waiting on the socket (at least one; call it when the
//  socket is readable), handles them in one transaction, sends the replies, then
//  publishes the events. Returns how many requests were handled.
int shr_server_handle (shr_server_t *self);

//  The ops for sys.ops: [{"op","request","reply"}...] in registration order.
//  Returns a tree the caller owns.
cJSON *shr_server_ops_json (shr_server_t *self);

//  Deletes idempotency records older than before_ms. Returns how many, or -1.
int shr_server_expire_idempotency (shr_server_t *self, int64_t before_ms);

#endif
