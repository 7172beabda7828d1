/*  shr_service - a whole service: configuration, store, schemas, server, outbox,
    consumers and timers, run as an actor.

    A service is a definition: its name, its migrations, the ops it serves and
    the events it publishes (both generated from schemas/ by tools/shapegen.py),
    and a setup function that reads its settings and registers its timers and
    consumers. shr_service_main (shr_main.c) turns a definition into a binary.
    Tests can instead run the same service in-process: shr_service_new with
    BIND_API=tcp://127.0.0.1:* and ask shr_service_api_endpoint which port it got.

    Every service also answers sys.ping, sys.health, sys.stats, sys.ops and
    events.replay (shr_sysops.c, schemas/sys/). With SHR_TEST_CLOCK=1 in the
    environment it answers test.clock.advance, which moves its clock forward,
    so that tests of deadlines never sleep; never set it in production. With
    SHR_CHECK_REPLIES=1 every reply is checked against its schema before it
    leaves (the tests do).
*/
#ifndef SHR_SERVICE_H_INCLUDED
#define SHR_SERVICE_H_INCLUDED

#include "shr_call.h"
#include "shr_client.h"
#include "shr_config.h"
#include "shr_consumer.h"
#include "shr_server.h"
#include "shr_stats.h"
#include "shr_store.h"

#define SHR_VERSION "0.2.0"

typedef struct _shr_service_t shr_service_t;

typedef struct {
    const char *name;                       //  "dispatch": names the database, the log, the source
    const char *summary;                    //  for --help: what it does, then its own settings
    const char *const *migrations;          //  the service's own, NULL-terminated; may be NULL
    const shr_op_def_t *ops;                //  what it serves (<name>_ops, ends with {NULL})
    const shr_event_def_t *const *events;   //  what it publishes (<name>_events, ends with NULL)
    //  Reads settings, keeps state (shr_service_set_state: the ops' call->arg),
    //  registers timers and consumers. May be NULL. Returns 0, or -1 with a
    //  message in err.
    int (*setup) (shr_service_t *service, char *err, size_t errlen);
} shr_service_def_t;

//  Work done on a timer, inside a unit of work like a request. Returns 0 to
//  commit, -1 (after shr_call_fail) to roll back.
typedef int (shr_tick_fn) (shr_call_t *call);

//  Opens the store (DATA_DIR/<name>.db), applies migrations, loads the schemas,
//  checks that every event it publishes has its schema, runs def->setup and
//  registers def->ops with the state as their argument. Takes over *config_p
//  (NULL means: read the environment). Returns NULL with a message in err.
shr_service_t *shr_service_new (const shr_service_def_t *def, shr_config_t **config_p, char *err,
                                 size_t errlen);

//  Stops the actor if it runs (the batch in hand finishes), then closes everything
//  in reverse order. Nulls *self_p. Safe twice.
void shr_service_destroy (shr_service_t **self_p);

//  Binds the sockets and starts serving in a background thread. Returns 0, or -1
//  with a message in err naming the variable whose endpoint failed.
int shr_service_start (shr_service_t *self, char *err, size_t errlen);

//  The bound endpoints with their real ports. Borrowed; NULL before start.
const char *shr_service_api_endpoint (shr_service_t *self);
const char *shr_service_events_endpoint (shr_service_t *self);

//  For setup: runs fn every interval_ms in its own unit of work; call->arg is arg.
void shr_service_every (shr_service_t *self, int interval_ms, shr_tick_fn *fn, void *arg);

//  For setup: follows the events of source (its endpoints from <SOURCE>_API and
//  <SOURCE>_EVENTS or the port table). Each event whose type is in handlers
//  (ends with {NULL}; see SHR_ON) is decoded into its struct and applied once,
//  in order, with call->arg = arg; other types only advance the checkpoint.
//  Returns 0, or -1 with a message in err (a bad endpoint, a missing schema).
int shr_service_consume (shr_service_t *self, const char *source,
                         const shr_event_handler_t *handlers, void *arg, char *err,
                         size_t errlen);

//  The same with one function for every event, as JSON (the whole envelope).
int shr_service_consume_raw (shr_service_t *self, const char *source, shr_apply_fn *apply,
                             void *arg, char *err, size_t errlen);

//  For setup: a client of peer's API (its endpoint from <PEER>_API or the port
//  table; CURVE with the service's own key pair and peer's public key), kept
//  and destroyed with the service. For the service's timers, which call the
//  peer from the service's thread inside their unit of work: its reply comes
//  before their commit, so a call made again after a crash must carry the
//  same idempotency key. Returns NULL with a message in err.
shr_client_t *shr_service_client (shr_service_t *self, const char *peer, char *err,
                                  size_t errlen);

//  For setup: keeps state for the service's lifetime (the ops' call->arg);
//  destructor runs at destroy.
void shr_service_set_state (shr_service_t *self, void *state, void (*destructor) (void **));

//  Borrowed parts.
const shr_service_def_t *shr_service_def (shr_service_t *self);
shr_store_t *shr_service_store (shr_service_t *self);
shr_config_t *shr_service_config (shr_service_t *self);
shr_schema_t *shr_service_schemas (shr_service_t *self);
shr_stats_t *shr_service_stats (shr_service_t *self);
shr_outbox_t *shr_service_outbox (shr_service_t *self);
shr_server_t *shr_service_server (shr_service_t *self);
shr_keys_t *shr_service_keys (shr_service_t *self);  //  NULL when SHR_CURVE=off

//  Reads the trusted keys again, in the service's thread (what SIGHUP does).
void shr_service_reload (shr_service_t *self);

//  The service's clock (wall clock, plus what test.clock.advance added).
int64_t shr_service_now (shr_service_t *self);

//  Moves the service's clock forward by ms (test.clock.advance).
void shr_service_advance_clock (shr_service_t *self, int64_t ms);

//  Seconds since the service was created.
int64_t shr_service_uptime_s (shr_service_t *self);

//  The consumers' health, as sys.health lists them; *degraded (if not NULL) is
//  set when one is failing or its source unreachable. Caller owns.
cJSON *shr_service_consumers_health (shr_service_t *self, bool *degraded);

//  A service binary's whole main: --help, --version, configuration, start, wait
//  for SIGTERM or SIGINT, clean stop. Returns the process exit code.
int shr_service_main (const shr_service_def_t *def, int argc, char **argv);

//  shr_sysops.c: registers the ops every service answers. Returns 0 or -1 (err).
int shr_sysops_register (shr_service_t *self, char *err, size_t errlen);

#endif
