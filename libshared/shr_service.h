/*  shr_service - a whole service: configuration, store, schemas, server, outbox,
    consumers and timers, run as an actor.

    A service binary is a definition (name, migrations, a setup function that
    registers its ops, timers and consumers) handed to shr_service_main. Tests
    can instead run the same service in-process: shr_service_new with
    BIND_API=tcp://127.0.0.1:* and ask shr_service_api_endpoint which port it got.

    Every service answers sys.ping, sys.health, sys.stats, sys.ops and
    events.replay (schemas/sys/). With SHR_TEST_CLOCK=1 in the environment it also
    answers test.clock.advance, which moves its clock forward, so that tests of
    deadlines never sleep; never set it in production. With SHR_CHECK_REPLIES=1
    every reply is checked against its schema before it leaves (the tests do).
*/
#ifndef SHR_SERVICE_H_INCLUDED
#define SHR_SERVICE_H_INCLUDED

#include "shr_call.h"
#include "shr_config.h"
#include "shr_consumer.h"
#include "shr_server.h"
#include "shr_store.h"

#define SHR_VERSION "0.1.0"

typedef struct _shr_service_t shr_service_t;

typedef struct {
    const char *name;                //  "dispatch": names the database, the log, the source
    const char *schemas;             //  folder of its op schemas under schemas/ (default: name)
    const char *summary;             //  one line for --help
    const char *const *migrations;   //  the service's own, NULL-terminated; may be NULL
    const char *const *events;       //  the event types it publishes (sys.ops), NULL-terminated
    //  Registers ops, timers and consumers; may keep state with shr_service_set_state.
    //  Returns 0, or -1 with a message in err.
    int (*setup) (shr_service_t *service, char *err, size_t errlen);
} shr_service_def_t;

//  Work done on a timer, inside a transaction like a request. Returns 0 to commit,
//  -1 (after shr_call_fail) to roll back.
typedef int (shr_tick_fn) (shr_call_t *call);

//  Opens the store (DATA_DIR/<name>.db), applies migrations, loads the schemas and
//  runs def->setup. Takes over *config_p (NULL means: read the environment).
//  Returns NULL with a message in err.
shr_service_t *shr_service_new (const shr_service_def_t *def, shr_config_t **config_p, char *err,
                                 size_t errlen);

//  Stops the actor if it runs (the batch in hand finishes), then closes everything
//  in reverse order. Nulls *self_p. Safe twice.
void shr_service_destroy (shr_service_t **self_p);

//  Binds the sockets and starts serving in a background thread. Returns 0, or -1
//  with a message in err (e.g. the address is in use).
int shr_service_start (shr_service_t *self, char *err, size_t errlen);

//  The bound endpoints with their real ports. Borrowed; NULL before start.
const char *shr_service_api_endpoint (shr_service_t *self);
const char *shr_service_events_endpoint (shr_service_t *self);

//  For setup: registers an op whose schemas are in schemas/<service name>/.
//  Returns 0, or -1 with a message in err.
int shr_service_add_op (shr_service_t *self, const char *op, shr_handler_fn *handler, void *arg,
                        int flags, char *err, size_t errlen);

//  For setup: runs fn every interval_ms in its own transaction; call->arg is arg.
void shr_service_every (shr_service_t *self, int interval_ms, shr_tick_fn *fn, void *arg);

//  For setup: follows the events of source (its endpoints from <SOURCE>_API and
//  <SOURCE>_EVENTS or the port table), applying each once with apply(call, event),
//  call->arg being arg. Returns 0, or -1 with a message in err.
int shr_service_consume (shr_service_t *self, const char *source, shr_apply_fn *apply, void *arg,
                         char *err, size_t errlen);

//  For setup: keeps state for the service's lifetime; destructor runs at destroy.
void shr_service_set_state (shr_service_t *self, void *state, void (*destructor) (void **));

//  Borrowed parts, for setup.
shr_store_t *shr_service_store (shr_service_t *self);
shr_config_t *shr_service_config (shr_service_t *self);
shr_schema_t *shr_service_schemas (shr_service_t *self);

//  The service's clock (wall clock, plus what test.clock.advance added).
int64_t shr_service_now (shr_service_t *self);

//  A service binary's whole main: --help, --version, configuration, start, wait
//  for SIGTERM or SIGINT, clean stop. Returns the process exit code.
int shr_service_main (const shr_service_def_t *def, int argc, char **argv);

#endif
