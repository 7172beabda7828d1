/*  shr_service - a whole service run as an actor. See shr_service.h. */
#include "shr_service.h"
#include "shr_consumer.h"
#include "shr_log.h"
#include "shr_outbox.h"
#include "shr_stats.h"
#include "shr_time.h"

#include <czmq.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>

#define CONSUMER_TICK_MS 100
#define IDEMPOTENCY_SWEEP_MS (3600 * 1000)
#define IDEMPOTENCY_KEEP_MS ((int64_t) 7 * 24 * 3600 * 1000)  //  retries come within days

typedef struct {
    shr_service_t *service;
    int interval_ms;
    shr_tick_fn *fn;
    void *arg;
} s_tick_t;

struct _shr_service_t {
    const shr_service_def_t *def;
    shr_config_t *config;
    shr_store_t *store;
    shr_schema_t *schemas;
    shr_stats_t *stats;
    shr_outbox_t *outbox;
    shr_server_t *server;
    zlistx_t *consumers;    //  shr_consumer_t, owned
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

static int64_t s_clock (void *arg)
{
    return shr_service_now ((shr_service_t *) arg);
}

//  ---------------------------------------------------------------------------
//  The ops every service answers

static int s_sys_ping (shr_call_t *call, const cJSON *body, cJSON **reply_p)
{
    (void) body;
    shr_service_t *self = (shr_service_t *) call->arg;
    char now[SHR_TIME_LEN];
    shr_time_format (call->now_ms, now);
    cJSON *reply = cJSON_CreateObject ();
    cJSON_AddStringToObject (reply, "service", self->def->name);
    cJSON_AddStringToObject (reply, "version", SHR_VERSION);
    cJSON_AddStringToObject (reply, "ts", now);
    *reply_p = reply;
    return 0;
}

static cJSON *s_consumers_health (shr_service_t *self, bool *degraded)
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

static int s_sys_health (shr_call_t *call, const cJSON *body, cJSON **reply_p)
{
    (void) body;
    shr_service_t *self = (shr_service_t *) call->arg;
    bool db_ok = shr_store_check (self->store) == 0;
    bool degraded = false;
    cJSON *reply = cJSON_CreateObject ();
    cJSON_AddStringToObject (reply, "service", self->def->name);
    cJSON *consumers = s_consumers_health (self, &degraded);
    cJSON_AddStringToObject (reply, "status", !db_ok ? "failing" : degraded ? "degraded" : "ok");
    cJSON_AddStringToObject (reply, "db", db_ok ? "ok" : shr_store_errmsg (self->store));
    cJSON_AddItemToObject (reply, "consumers", consumers);
    cJSON_AddStringToObject (reply, "durability",
                             shr_config_sync_full (self->config) ? "full" : "normal");
    cJSON_AddNumberToObject (reply, "uptime_s",
                             (double) ((shr_time_mono_us () - self->started_us) / 1000000));
    *reply_p = reply;
    return 0;
}

//  Resident memory in KiB, from /proc (0 where there is none).
static int64_t s_rss_kb (void)
{
    long pages = 0, resident = 0;
    FILE *file = fopen ("/proc/self/statm", "r");
    if (file) {
        if (fscanf (file, "%ld %ld", &pages, &resident) != 2)
            resident = 0;
        fclose (file);
    }
    return (int64_t) resident * (sysconf (_SC_PAGESIZE) / 1024);
}

static int s_sys_stats (shr_call_t *call, const cJSON *body, cJSON **reply_p)
{
    (void) body;
    shr_service_t *self = (shr_service_t *) call->arg;
    cJSON *reply = shr_stats_json (self->stats);
    cJSON_AddStringToObject (reply, "service", self->def->name);
    cJSON_AddNumberToObject (reply, "uptime_s",
                             (double) ((shr_time_mono_us () - self->started_us) / 1000000));
    cJSON_AddNumberToObject (reply, "rss_kb", (double) s_rss_kb ());
    cJSON *events = cJSON_AddObjectToObject (reply, "events");
    cJSON_AddNumberToObject (events, "last_seq", (double) shr_outbox_last_seq (self->outbox));
    cJSON_AddNumberToObject (events, "published", (double) shr_outbox_published (self->outbox));
    cJSON_AddNumberToObject (events, "applied", (double) shr_stats_get (self->stats,
                                                                         "events.applied"));
    cJSON_AddItemToObject (reply, "consumers", s_consumers_health (self, NULL));
    *reply_p = reply;
    return 0;
}

static int s_sys_ops (shr_call_t *call, const cJSON *body, cJSON **reply_p)
{
    (void) body;
    shr_service_t *self = (shr_service_t *) call->arg;
    cJSON *reply = cJSON_CreateObject ();
    cJSON_AddItemToObject (reply, "ops", shr_server_ops_json (self->server));
    //  What it publishes, as its definition declares; each has schemas/events/<type>.json.
    cJSON *events = cJSON_AddArrayToObject (reply, "events");
    for (const char *const *type = self->def->events; type && *type; type++)
        cJSON_AddItemToArray (events, cJSON_CreateString (*type));
    *reply_p = reply;
    return 0;
}

static int s_events_replay (shr_call_t *call, const cJSON *body, cJSON **reply_p)
{
    shr_service_t *self = (shr_service_t *) call->arg;
    int64_t from_seq = (int64_t) cJSON_GetObjectItem (body, "from_seq")->valuedouble;
    const cJSON *limit = cJSON_GetObjectItem (body, "limit");
    *reply_p = shr_outbox_replay (self->outbox, from_seq,
                                  limit ? (int) limit->valuedouble : 100, &call->error);
    return *reply_p ? 0 : -1;
}

static int s_test_clock_advance (shr_call_t *call, const cJSON *body, cJSON **reply_p)
{
    shr_service_t *self = (shr_service_t *) call->arg;
    self->clock_offset_ms += (int64_t) cJSON_GetObjectItem (body, "by_ms")->valuedouble;
    char now[SHR_TIME_LEN];
    shr_time_format (shr_service_now (self), now);
    *reply_p = cJSON_CreateObject ();
    cJSON_AddStringToObject (*reply_p, "now", now);
    return 0;
}

//  ---------------------------------------------------------------------------
//  Work outside requests: timers

static void s_run_tick (shr_service_t *self, s_tick_t *tick)
{
    if (shr_store_begin (self->store)) {
        shr_log_error ("tick: cannot begin: %s", shr_store_errmsg (self->store));
        return;
    }
    shr_call_t call = {.store = self->store,
                       .outbox = self->outbox,
                       .arg = tick->arg,
                       .now_ms = shr_service_now (self),
                       .op = "tick"};
    shr_call_fail (&call, SHR_INTERNAL, NULL, "tick failed without saying why");
    if (tick->fn (&call) == 0 && shr_store_commit (self->store) == 0)
        shr_outbox_publish (self->outbox);
    else {
        shr_log_error ("tick: %s: %s", shr_code_name (call.error.code), call.error.message);
        shr_store_rollback (self->store);
        shr_outbox_rewind (self->outbox, 0);
    }
}

static int s_on_tick (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    s_tick_t *tick = (s_tick_t *) arg;
    s_run_tick (tick->service, tick);
    return 0;
}

static int s_expire_idempotency (shr_call_t *call)
{
    shr_service_t *self = (shr_service_t *) call->arg;
    int expired = shr_server_expire_idempotency (self->server, call->now_ms - IDEMPOTENCY_KEEP_MS);
    if (expired < 0)
        return shr_call_db_error (call);
    if (expired > 0)
        shr_log_info ("expired %d idempotency records", expired);
    return 0;
}

//  ---------------------------------------------------------------------------
//  The actor

static int s_on_pipe (zloop_t *loop, zsock_t *pipe, void *arg)
{
    (void) loop;
    (void) arg;
    char *command = zstr_recv (pipe);
    bool term = !command || streq (command, "$TERM");
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

static void s_tick_destroy (s_tick_t **tick_p)
{
    free (*tick_p);
    *tick_p = NULL;
}

static int s_add_sys_op (shr_service_t *self, const char *op, shr_handler_fn *handler, int flags,
                         char *err, size_t errlen)
{
    return shr_server_add (self->server, op, "sys", handler, self, flags, err, errlen);
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

shr_service_t *shr_service_new (const shr_service_def_t *def, shr_config_t **config_p, char *err,
                                 size_t errlen)
{
    shr_service_t *self = (shr_service_t *) zmalloc (sizeof (shr_service_t));
    self->def = def;
    self->started_us = shr_time_mono_us ();
    self->consumers = zlistx_new ();
    zlistx_set_destructor (self->consumers, (zlistx_destructor_fn *) shr_consumer_destroy);
    self->ticks = zlistx_new ();
    zlistx_set_destructor (self->ticks, (zlistx_destructor_fn *) s_tick_destroy);
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
    if (zsys_dir_create ("%s", data_dir)) {
        snprintf (err, errlen, "cannot create DATA_DIR %s: %s", data_dir, strerror (errno));
        goto fail;
    }
    char path[1024];
    snprintf (path, sizeof path, "%s/%s.db", data_dir, def->name);
    shr_sync_t sync = shr_config_sync_full (self->config) ? SHR_SYNC_FULL : SHR_SYNC_NORMAL;
    if (!(self->store = shr_store_new (path, sync, err, errlen)) || s_migrate (self, err, errlen))
        goto fail;
    self->stats = shr_stats_new ();
    if (!(self->outbox = shr_outbox_new (def->name, self->store, self->schemas, err, errlen)))
        goto fail;
    self->server = shr_server_new (self->store, self->schemas, self->outbox, self->stats);
    shr_server_set_clock (self->server, s_clock, self);
    const char *check = getenv ("SHR_CHECK_REPLIES");
    shr_server_set_check_replies (self->server, check && streq (check, "1"));
    if (s_add_sys_op (self, "sys.ping", s_sys_ping, SHR_OP_READ, err, errlen)
        || s_add_sys_op (self, "sys.health", s_sys_health, SHR_OP_READ, err, errlen)
        || s_add_sys_op (self, "sys.stats", s_sys_stats, SHR_OP_READ, err, errlen)
        || s_add_sys_op (self, "sys.ops", s_sys_ops, SHR_OP_READ, err, errlen)
        || s_add_sys_op (self, "events.replay", s_events_replay,
                         SHR_OP_READ | SHR_OP_RAW_REPLY, err, errlen))
        goto fail;
    const char *test_clock = getenv ("SHR_TEST_CLOCK");
    if (test_clock && streq (test_clock, "1")) {
        if (s_add_sys_op (self, "test.clock.advance", s_test_clock_advance, SHR_OP_READ, err,
                          errlen))
            goto fail;
        shr_log_warn ("SHR_TEST_CLOCK=1: test.clock.advance is served; never in production");
    }
    shr_service_every (self, IDEMPOTENCY_SWEEP_MS, s_expire_idempotency, self);
    if (def->setup && def->setup (self, err, errlen))
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
    zlistx_destroy (&self->ticks);
    shr_server_destroy (&self->server);
    shr_outbox_destroy (&self->outbox);
    if (self->state_destructor)
        self->state_destructor (&self->state);
    shr_stats_destroy (&self->stats);
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
                              shr_config_events_hwm (self->config), reason, sizeof reason);
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

int shr_service_add_op (shr_service_t *self, const char *op, shr_handler_fn *handler, void *arg,
                        int flags, char *err, size_t errlen)
{
    const char *dir = self->def->schemas ? self->def->schemas : self->def->name;
    return shr_server_add (self->server, op, dir, handler, arg, flags, err, errlen);
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

int shr_service_consume (shr_service_t *self, const char *source, shr_apply_fn *apply, void *arg,
                         char *err, size_t errlen)
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
                                    .schemas = self->schemas};
    shr_consumer_t *consumer = shr_consumer_new (&config, self->store, self->outbox, self->stats,
                                                 s_clock, self, err, errlen);
    if (!consumer)
        return -1;
    zlistx_add_end (self->consumers, consumer);
    return 0;
}

void shr_service_set_state (shr_service_t *self, void *state, void (*destructor) (void **))
{
    self->state = state;
    self->state_destructor = destructor;
}

shr_store_t *shr_service_store (shr_service_t *self) { return self->store; }
shr_config_t *shr_service_config (shr_service_t *self) { return self->config; }
shr_schema_t *shr_service_schemas (shr_service_t *self) { return self->schemas; }

//  ---------------------------------------------------------------------------
//  main

static void s_usage (const shr_service_def_t *def, FILE *out)
{
    char api[80], events[96];
    size_t i = 0;
    for (; def->name[i] && i + 1 < 64; i++)
        api[i] = (char) toupper ((unsigned char) def->name[i]);
    api[i] = 0;
    snprintf (events, sizeof events, "%s_EVENTS", api);
    strcat (api, "_API");
    fprintf (out,
             "Usage: %s [--help] [--version]\n"
             "%s\n\n"
             "Serves requests on a ZeroMQ ROUTER socket and publishes events on a PUB socket,\n"
             "as docs/architecture.md and schemas/ describe. Logs one JSON object per line\n"
             "to stderr.\n"
             "Stops cleanly on SIGTERM or SIGINT.\n\n"
             "Environment:\n"
             "  %-22s endpoint of its API (default tcp://127.0.0.1:<port>)\n"
             "  %-22s endpoint of its events (default: the next port)\n"
             "  %-22s what to bind instead, e.g. tcp://*:<port> in a container\n"
             "  %-22s folder of its SQLite file %s.db (default var)\n"
             "  %-22s folders of the JSON Schemas, ':'-separated (default ./schemas, else\n"
             "  %-22s ../share/aftersales/schemas beside the binary, else the source tree)\n"
             "  %-22s full (default: fsync every commit before replying) or normal\n"
             "  %-22s error, warn, info or debug (default info)\n"
             "  %-22s high-water mark of event sockets (default 100000)\n"
             "  %-22s heartbeat period of a quiet event stream (default 1000)\n"
             "  %-22s where the services it consumes or calls are\n",
             def->name, def->summary, api, events, "BIND_API, BIND_EVENTS", "DATA_DIR", def->name,
             "SCHEMAS_DIR", "", "SHR_SYNC", "LOG_LEVEL", "EVENTS_HWM", "HEARTBEAT_MS",
             "<SOURCE>_API, _EVENTS");
}

int shr_service_main (const shr_service_def_t *def, int argc, char **argv)
{
    for (int arg = 1; arg < argc; arg++) {
        if (streq (argv[arg], "--help") || streq (argv[arg], "-h")) {
            s_usage (def, stdout);
            return 0;
        }
        if (streq (argv[arg], "--version") || streq (argv[arg], "-V")) {
            printf ("%s %s\n", def->name, SHR_VERSION);
            return 0;
        }
        fprintf (stderr, "%s: unknown argument '%s'; see --help\n", def->name, argv[arg]);
        return 2;
    }
    //  One malloc arena: a service's threads allocate little, and each extra arena
    //  keeps its own resident pages (idle memory is a target).
    mallopt (M_ARENA_MAX, 1);
    //  czmq's handler sets zsys_interrupted on SIGINT and SIGTERM.
    zsys_init ();
    zsys_catch_interrupts ();

    char err[1024] = "";
    shr_config_t *config = shr_config_new (def->name, err, sizeof err);
    shr_log_init (def->name, config ? shr_config_log_level (config) : NULL);
    if (!config) {
        shr_log_error ("bad configuration: %s", err);
        return 1;
    }
    if (shr_log_init (def->name, shr_config_log_level (config)))
        shr_log_warn ("LOG_LEVEL=%s is not one of error, warn, info, debug; using info",
                      shr_config_log_level (config));
    shr_service_t *service = shr_service_new (def, &config, err, sizeof err);
    if (!service) {
        shr_config_destroy (&config);
        shr_log_error ("cannot start: %s", err);
        return 1;
    }
    if (shr_service_start (service, err, sizeof err)) {
        shr_log_error ("cannot start: %s", err);
        shr_service_destroy (&service);
        return 1;
    }
    malloc_trim (0);  //  give back what loading the schemas and migrating used for a while
    shr_config_t *used = shr_service_config (service);
    char *data = realpath (shr_config_data_dir (used), NULL);
    shr_log_info ("started %s: api %s, events %s, data %s/%s.db (durability %s), schemas %s",
                  SHR_VERSION, shr_service_api_endpoint (service),
                  shr_service_events_endpoint (service), data ? data : shr_config_data_dir (used),
                  def->name, shr_config_sync_full (used) ? "full" : "normal",
                  shr_config_schemas_dir (used));
    free (data);
    while (!zsys_interrupted)
        zclock_sleep (100);
    shr_log_info ("stopping on signal");
    shr_service_destroy (&service);
    shr_log_info ("stopped");
    return 0;
}
