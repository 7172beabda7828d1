/*  shr_service - a whole service run as an actor. See shr_service.h. */
#include "shr_service.h"
#include "shr_client.h"
#include "shr_consumer.h"
#include "shr_log.h"
#include "shr_outbox.h"
#include "shr_stats.h"
#include "shr_time.h"
#include "shr_work.h"

#include <czmq.h>
#include <pthread.h>
#include <sys/stat.h>
#include <signal.h>

#define CONSUMER_TICK_MS 100

typedef struct {
    shr_service_t *service;
    int interval_ms;
    shr_tick_fn *fn;
    void *arg;
} s_tick_t;

//  A typed consumer: which handler takes which event type.
typedef struct {
    const char *source;
    const shr_event_handler_t *handlers;
    void *arg;
} s_router_t;

struct _shr_service_t {
    const shr_service_def_t *def;
    shr_config_t *config;
    shr_store_t *store;
    shr_schema_t *schemas;
    shr_stats_t *stats;
    shr_outbox_t *outbox;
    shr_server_t *server;
    shr_work_t *work;       //  for timers
    shr_keys_t *keys;       //  NULL when SHR_CURVE=off
    zlistx_t *consumers;    //  shr_consumer_t, owned
    zlistx_t *routers;      //  s_router_t, owned
    zlistx_t *clients;      //  shr_client_t of the peers its timers call, owned
    zlistx_t *ticks;        //  s_tick_t, owned
    zactor_t *actor;
    void *state;
    void (*state_destructor) (void **);
    int64_t clock_offset_ms;
    int64_t started_us;
};

//  ---------------------------------------------------------------------------
//  Clock

int64_t shr_service_now (shr_service_t *self)
{
    return shr_time_now_ms () + self->clock_offset_ms;
}

void shr_service_advance_clock (shr_service_t *self, int64_t ms)
{
    self->clock_offset_ms += ms;
}

//  Services started together on one new DATA_DIR race to make it: czmq checks
//  each part of the path, then makes it, so a loser's mkdir fails on a part
//  another has just made. Trying again finds those parts there. 0 or -1.
static int s_make_dir (const char *path)
{
    struct stat made;
    for (int attempt = 0; attempt < 5; attempt++)
        if (zsys_dir_create ("%s", path) == 0
            || (stat (path, &made) == 0 && S_ISDIR (made.st_mode)))
            return 0;
    return -1;
}

static int64_t s_clock (void *arg)
{
    return shr_service_now ((shr_service_t *) arg);
}

int64_t shr_service_uptime_s (shr_service_t *self)
{
    return (shr_time_mono_us () - self->started_us) / 1000000;
}

cJSON *shr_service_consumers_health (shr_service_t *self, bool *degraded)
{
    cJSON *consumers = cJSON_CreateArray ();
    for (shr_consumer_t *consumer = (shr_consumer_t *) zlistx_first (self->consumers); consumer;
         consumer = (shr_consumer_t *) zlistx_next (self->consumers)) {
        cJSON *health = shr_consumer_health (consumer);
        const char *state = cJSON_GetStringValue (cJSON_GetObjectItem (health, "state"));
        if (degraded && state && (streq (state, "failing") || streq (state, "unreachable")))
            *degraded = true;
        cJSON_AddItemToArray (consumers, health);
    }
    return consumers;
}

//  ---------------------------------------------------------------------------
//  Work outside requests: timers

static int s_tick_piece (shr_call_t *call, void *arg)
{
    return ((s_tick_t *) arg)->fn (call);
}

static void s_run_tick (shr_service_t *self, s_tick_t *tick)
{
    if (shr_work_begin (self->work)) {
        shr_log_error ("tick: cannot begin: %s", shr_store_errmsg (self->store));
        return;
    }
    shr_call_t call = {.arg = tick->arg, .now_ms = shr_service_now (self), .op = "tick",
                       .actor = self->def->name};
    char reason[512];
    if (shr_work_run (self->work, &call, false, s_tick_piece, tick)) {
        shr_log_error ("tick: %s: %s", shr_code_name (call.error.code), call.error.message);
        shr_work_rollback (self->work);
    }
    else if (shr_work_commit (self->work, reason, sizeof reason))
        shr_log_error ("tick: cannot commit: %s", reason);
    shr_work_publish (self->work);
}

static int s_on_tick (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    s_tick_t *tick = (s_tick_t *) arg;
    s_run_tick (tick->service, tick);
    return 0;
}

//  ---------------------------------------------------------------------------
//  Typed consumers: decode an event's data into its struct, call its handler

static int s_route (shr_call_t *call, const cJSON *envelope)
{
    s_router_t *router = (s_router_t *) call->arg;
    const char *type = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (envelope, "type"));
    const shr_event_handler_t *entry = router->handlers;
    while (entry->event && !(type && streq (entry->event->type, type)))
        entry++;
    if (!entry->event)
        return 0;  //  not one this service follows: only the checkpoint moves
    shr_event_t event = {
        .source = router->source,
        .seq = (int64_t) cJSON_GetNumberValue (cJSON_GetObjectItemCaseSensitive (envelope, "seq")),
        .type = type,
        .key = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (envelope, "key"))};
    const char *ts = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (envelope, "ts"));
    if (ts)
        shr_time_parse (ts, &event.ts_ms);
    void *data = shr_call_alloc (call, entry->event->data->size);
    char err[256];
    if (!data
        || shr_shape_decode (entry->event->data,
                             cJSON_GetObjectItemCaseSensitive (envelope, "data"), data,
                             call->arena, err, sizeof err))
        return shr_call_fail (call, SHR_INTERNAL, NULL, "cannot decode %s: %s", type,
                              data ? err : "out of memory");
    call->arg = router->arg;
    return entry->handler (call, &event, data);
}

//  ---------------------------------------------------------------------------
//  The actor

//  Reads the trusted keys again (SIGHUP). A key that is no longer trusted is
//  refused at its next request; its subscriptions end too, since the PUB
//  socket is bound again and every subscriber shakes hands anew.
static void s_reload (shr_service_t *self)
{
    char err[512];
    if (!self->keys) {
        shr_log_info ("reload: SHR_CURVE=off, no keys to read");
        return;
    }
    int revoked = shr_keys_reload (self->keys, err, sizeof err);
    if (revoked < 0)
        shr_log_error ("reload: cannot read the keys: %s", err);
    else if (revoked > 0 && shr_outbox_rebind (self->outbox, err, sizeof err))
        shr_log_error ("reload: %d keys revoked, but the events socket could not be bound "
                       "again: %s", revoked, err);
    else
        shr_log_info ("reload: keys read again from %s; %d revoked",
                      shr_config_keys_dir (self->config), revoked);
}

static int s_on_pipe (zloop_t *loop, zsock_t *pipe, void *arg)
{
    (void) loop;
    char *command = zstr_recv (pipe);
    bool term = !command || streq (command, "$TERM");
    if (command && streq (command, "RELOAD"))
        s_reload ((shr_service_t *) arg);
    zstr_free (&command);
    return term ? -1 : 0;
}

static int s_on_request (zloop_t *loop, zsock_t *reader, void *arg)
{
    (void) loop;
    (void) reader;
    shr_server_handle (((shr_service_t *) arg)->server);
    return 0;
}

static int s_on_event (zloop_t *loop, zsock_t *reader, void *arg)
{
    (void) loop;
    (void) reader;
    shr_consumer_on_event ((shr_consumer_t *) arg);
    return 0;
}

static int s_on_replay_reply (zloop_t *loop, zsock_t *reader, void *arg)
{
    (void) loop;
    (void) reader;
    shr_consumer_on_reply ((shr_consumer_t *) arg);
    return 0;
}

static int s_on_consumer_tick (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    shr_service_t *self = (shr_service_t *) arg;
    for (shr_consumer_t *consumer = (shr_consumer_t *) zlistx_first (self->consumers); consumer;
         consumer = (shr_consumer_t *) zlistx_next (self->consumers))
        shr_consumer_tick (consumer);
    return 0;
}

static int s_on_heartbeat (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    shr_service_t *self = (shr_service_t *) arg;
    shr_outbox_heartbeat (self->outbox, shr_config_heartbeat_ms (self->config));
    return 0;
}

static void s_actor (zsock_t *pipe, void *args)
{
    shr_service_t *self = (shr_service_t *) args;
    //  Signals go to the main thread, which decides when to stop us.
    sigset_t signals;
    sigemptyset (&signals);
    sigaddset (&signals, SIGINT);
    sigaddset (&signals, SIGTERM);
    pthread_sigmask (SIG_BLOCK, &signals, NULL);

    zloop_t *loop = zloop_new ();
    zloop_set_nonstop (loop, true);
    zloop_reader (loop, pipe, s_on_pipe, self);
    zloop_reader (loop, shr_server_socket (self->server), s_on_request, self);
    for (shr_consumer_t *consumer = (shr_consumer_t *) zlistx_first (self->consumers); consumer;
         consumer = (shr_consumer_t *) zlistx_next (self->consumers)) {
        zloop_reader (loop, shr_consumer_subscriber (consumer), s_on_event, consumer);
        zloop_reader (loop, shr_consumer_requester (consumer), s_on_replay_reply, consumer);
    }
    if (zlistx_size (self->consumers))
        zloop_timer (loop, CONSUMER_TICK_MS, 0, s_on_consumer_tick, self);
    int heartbeat_ms = shr_config_heartbeat_ms (self->config);
    zloop_timer (loop, (size_t) (heartbeat_ms / 2 > 10 ? heartbeat_ms / 2 : 10), 0,
                 s_on_heartbeat, self);
    for (s_tick_t *tick = (s_tick_t *) zlistx_first (self->ticks); tick;
         tick = (s_tick_t *) zlistx_next (self->ticks))
        zloop_timer (loop, (size_t) tick->interval_ms, 0, s_on_tick, tick);

    zsock_signal (pipe, 0);
    //  A first round of consumer work right away: catch up before the first tick.
    s_on_consumer_tick (loop, 0, self);
    zloop_start (loop);
    zloop_destroy (&loop);
}

//  ---------------------------------------------------------------------------
//  Life cycle

static void s_free (void **item_p)
{
    free (*item_p);
    *item_p = NULL;
}

//  SCHEMAS_DIR may list several folders, separated by ':' (the contract, plus
//  an extension's or a test's own).
static int s_load_schemas (shr_schema_t *schemas, const char *dirs, char *err, size_t errlen)
{
    char *list = strdup (dirs), *saveptr = NULL;
    int rc = 0;
    for (char *dir = strtok_r (list, ":", &saveptr); dir && rc == 0;
         dir = strtok_r (NULL, ":", &saveptr))
        rc = shr_schema_load_dir (schemas, dir, err, errlen) < 0 ? -1 : 0;
    free (list);
    return rc;
}

static int s_migrate (shr_service_t *self, char *err, size_t errlen)
{
    if (shr_store_migrate (self->store, "shared.outbox", shr_outbox_migrations, err, errlen) < 0
        || shr_store_migrate (self->store, "shared.server", shr_server_migrations, err, errlen) < 0
        || shr_store_migrate (self->store, "shared.consumer", shr_consumer_migrations, err, errlen)
               < 0)
        return -1;
    if (self->def->migrations
        && shr_store_migrate (self->store, self->def->name, self->def->migrations, err, errlen)
               < 0)
        return -1;
    return 0;
}

//  What the definition publishes: each type declared to the outbox, which
//  checks that its schema is there and refuses to emit any other.
static int s_declare_events (shr_service_t *self, char *err, size_t errlen)
{
    for (const shr_event_def_t *const *event = self->def->events; event && *event; event++)
        if (shr_outbox_declare (self->outbox, (*event)->type, err, errlen))
            return -1;
    return 0;
}

static int s_add_ops (shr_service_t *self, char *err, size_t errlen)
{
    for (const shr_op_def_t *op = self->def->ops; op && op->name; op++)
        if (shr_server_add_op (self->server, op, self->state, err, errlen))
            return -1;
    return 0;
}

shr_service_t *shr_service_new (const shr_service_def_t *def, shr_config_t **config_p, char *err,
                                 size_t errlen)
{
    shr_service_t *self = (shr_service_t *) zmalloc (sizeof (shr_service_t));
    self->def = def;
    self->started_us = shr_time_mono_us ();
    self->consumers = zlistx_new ();
    zlistx_set_destructor (self->consumers, (zlistx_destructor_fn *) shr_consumer_destroy);
    self->routers = zlistx_new ();
    zlistx_set_destructor (self->routers, (zlistx_destructor_fn *) s_free);
    self->clients = zlistx_new ();
    zlistx_set_destructor (self->clients, (zlistx_destructor_fn *) shr_client_destroy);
    self->ticks = zlistx_new ();
    zlistx_set_destructor (self->ticks, (zlistx_destructor_fn *) s_free);
    if (config_p && *config_p) {
        self->config = *config_p;
        *config_p = NULL;
    }
    else if (!(self->config = shr_config_new (def->name, err, errlen)))
        goto fail;

    self->schemas = shr_schema_new ();
    if (s_load_schemas (self->schemas, shr_config_schemas_dir (self->config), err, errlen))
        goto fail;
    const char *data_dir = shr_config_data_dir (self->config);
    if (s_make_dir (data_dir)) {
        snprintf (err, errlen, "cannot create DATA_DIR %s: %s", data_dir, strerror (errno));
        goto fail;
    }
    char path[1024];
    snprintf (path, sizeof path, "%s/%s.db", data_dir, def->name);
    shr_sync_t sync = shr_config_sync_full (self->config) ? SHR_SYNC_FULL : SHR_SYNC_NORMAL;
    if (!(self->store = shr_store_new (path, sync, err, errlen)) || s_migrate (self, err, errlen))
        goto fail;
    self->stats = shr_stats_new ();
    if (!(self->outbox = shr_outbox_new (def->name, self->store, self->schemas, err, errlen))
        || s_declare_events (self, err, errlen))
        goto fail;
    if (shr_config_curve (self->config)) {
        char *secret = shr_keys_service_secret (shr_config_keys_dir (self->config), def->name);
        self->keys = shr_keys_new (shr_config_keys_dir (self->config), secret, err, errlen);
        zstr_free (&secret);
        if (!self->keys)
            goto fail;
    }
    self->work = shr_work_new (self->store, self->outbox);
    self->server = shr_server_new (self->store, self->schemas, self->outbox, self->stats);
    shr_server_set_security (self->server, self->keys,
                             shr_config_client_max_in_flight (self->config),
                             shr_config_client_rate (self->config));
    shr_server_set_clock (self->server, s_clock, self);
    const char *check = getenv ("SHR_CHECK_REPLIES");
    shr_server_set_check_replies (self->server, check && streq (check, "1"));
    if (shr_sysops_register (self, err, errlen))
        goto fail;
    if (def->setup && def->setup (self, err, errlen))
        goto fail;
    if (s_add_ops (self, err, errlen))
        goto fail;
    return self;
fail:
    shr_service_destroy (&self);
    return NULL;
}

void shr_service_destroy (shr_service_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    shr_service_t *self = *self_p;
    zactor_destroy (&self->actor);
    zlistx_destroy (&self->consumers);
    zlistx_destroy (&self->routers);
    zlistx_destroy (&self->clients);
    zlistx_destroy (&self->ticks);
    shr_server_destroy (&self->server);
    shr_work_destroy (&self->work);
    shr_outbox_destroy (&self->outbox);
    if (self->state_destructor)
        self->state_destructor (&self->state);
    shr_stats_destroy (&self->stats);
    shr_keys_destroy (&self->keys);
    shr_store_destroy (&self->store);
    shr_schema_destroy (&self->schemas);
    shr_config_destroy (&self->config);
    free (self);
    *self_p = NULL;
}

int shr_service_start (shr_service_t *self, char *err, size_t errlen)
{
    char reason[512] = "";
    const char *var = shr_config_bind_api_var (self->config);
    int rc = shr_server_bind (self->server, shr_config_bind_api (self->config), reason,
                              sizeof reason);
    if (rc == 0) {
        var = shr_config_bind_events_var (self->config);
        rc = shr_outbox_bind (self->outbox, shr_config_bind_events (self->config),
                              shr_config_events_hwm (self->config), self->keys, reason,
                              sizeof reason);
    }
    if (rc) {
        snprintf (err, errlen, "%s: %s", var, reason);
        return -1;
    }
    self->actor = zactor_new (s_actor, self);
    if (!self->actor) {
        snprintf (err, errlen, "cannot start the service thread");
        return -1;
    }
    return 0;
}

const char *shr_service_api_endpoint (shr_service_t *self)
{
    return shr_server_endpoint (self->server);
}

const char *shr_service_events_endpoint (shr_service_t *self)
{
    return shr_outbox_endpoint (self->outbox);
}

void shr_service_every (shr_service_t *self, int interval_ms, shr_tick_fn *fn, void *arg)
{
    s_tick_t *tick = (s_tick_t *) zmalloc (sizeof (s_tick_t));
    tick->service = self;
    tick->interval_ms = interval_ms;
    tick->fn = fn;
    tick->arg = arg;
    zlistx_add_end (self->ticks, tick);
}

int shr_service_consume_raw (shr_service_t *self, const char *source, shr_apply_fn *apply,
                             void *arg, char *err, size_t errlen)
{
    *err = 0;
    const char *events = shr_config_events_of (self->config, source, err, errlen);
    const char *api = events ? shr_config_api_of (self->config, source, err, errlen) : NULL;
    if (!events || !api) {
        if (!*err)
            snprintf (err, errlen, "no endpoints for source %s: set %s's _API and _EVENTS",
                      source, source);
        return -1;
    }
    shr_consumer_config_t config = {.source = source,
                                    .events_endpoint = events,
                                    .api_endpoint = api,
                                    .apply = apply,
                                    .arg = arg,
                                    .hwm = shr_config_events_hwm (self->config),
                                    .heartbeat_ms = shr_config_heartbeat_ms (self->config),
                                    .schemas = self->schemas,
                                    .keys = self->keys,
                                    .actor = self->def->name};
    shr_consumer_t *consumer = shr_consumer_new (&config, self->store, self->outbox, self->stats,
                                                 s_clock, self, err, errlen);
    if (!consumer)
        return -1;
    zlistx_add_end (self->consumers, consumer);
    return 0;
}

int shr_service_consume (shr_service_t *self, const char *source,
                         const shr_event_handler_t *handlers, void *arg, char *err,
                         size_t errlen)
{
    for (const shr_event_handler_t *entry = handlers; entry->event; entry++) {
        char schema[160];
        snprintf (schema, sizeof schema, "events/%s.json", entry->event->type);
        if (!shr_schema_has (self->schemas, schema)) {
            snprintf (err, errlen, "%s follows %s, but %s is not in the schemas folder",
                      self->def->name, entry->event->type, schema);
            return -1;
        }
    }
    s_router_t *router = (s_router_t *) zmalloc (sizeof (s_router_t));
    router->source = source;
    router->handlers = handlers;
    router->arg = arg;
    zlistx_add_end (self->routers, router);
    return shr_service_consume_raw (self, source, s_route, router, err, errlen);
}

shr_client_t *shr_service_client (shr_service_t *self, const char *peer, char *err,
                                  size_t errlen)
{
    *err = 0;
    const char *api = shr_config_api_of (self->config, peer, err, errlen);
    if (!api) {
        if (!*err)
            snprintf (err, errlen, "no endpoint for %s: set %s's _API", peer, peer);
        return NULL;
    }
    shr_client_t *client = shr_client_new (api, self->keys, peer, err, errlen);
    if (client)
        zlistx_add_end (self->clients, client);
    return client;
}

void shr_service_set_state (shr_service_t *self, void *state, void (*destructor) (void **))
{
    self->state = state;
    self->state_destructor = destructor;
}

const shr_service_def_t *shr_service_def (shr_service_t *self) { return self->def; }
shr_store_t *shr_service_store (shr_service_t *self) { return self->store; }
shr_config_t *shr_service_config (shr_service_t *self) { return self->config; }
shr_schema_t *shr_service_schemas (shr_service_t *self) { return self->schemas; }
shr_stats_t *shr_service_stats (shr_service_t *self) { return self->stats; }
shr_outbox_t *shr_service_outbox (shr_service_t *self) { return self->outbox; }
shr_server_t *shr_service_server (shr_service_t *self) { return self->server; }
shr_keys_t *shr_service_keys (shr_service_t *self) { return self->keys; }

void shr_service_reload (shr_service_t *self)
{
    if (self->actor)
        zstr_send (self->actor, "RELOAD");
}
