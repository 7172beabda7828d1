/*  shr_sysops - the ops every service answers: sys.ping, sys.health, sys.stats,
    sys.ops, events.replay, and test.clock.advance under SHR_TEST_CLOCK=1.
    Their schemas are in schemas/sys/. */
#include "shr_log.h"
#include "shr_service.h"
#include "shr_time.h"

#include <czmq.h>

#define IDEMPOTENCY_SWEEP_MS (3600 * 1000)
#define IDEMPOTENCY_KEEP_MS ((int64_t) 7 * 24 * 3600 * 1000)  //  retries come within days

static int s_sys_ping (shr_call_t *call, const cJSON *body, cJSON **reply_p)
{
    (void) body;
    shr_service_t *self = (shr_service_t *) call->arg;
    char now[SHR_TIME_LEN];
    shr_time_format (call->now_ms, now);
    cJSON *reply = cJSON_CreateObject ();
    cJSON_AddStringToObject (reply, "service", shr_service_def (self)->name);
    cJSON_AddStringToObject (reply, "version", SHR_VERSION);
    cJSON_AddStringToObject (reply, "ts", now);
    *reply_p = reply;
    return 0;
}

static int s_sys_health (shr_call_t *call, const cJSON *body, cJSON **reply_p)
{
    (void) body;
    shr_service_t *self = (shr_service_t *) call->arg;
    shr_store_t *store = shr_service_store (self);
    bool db_ok = shr_store_check (store) == 0;
    bool degraded = false;
    cJSON *reply = cJSON_CreateObject ();
    cJSON_AddStringToObject (reply, "service", shr_service_def (self)->name);
    cJSON *consumers = shr_service_consumers_health (self, &degraded);
    cJSON_AddStringToObject (reply, "status", !db_ok ? "failing" : degraded ? "degraded" : "ok");
    cJSON_AddStringToObject (reply, "db", db_ok ? "ok" : shr_store_errmsg (store));
    cJSON_AddItemToObject (reply, "consumers", consumers);
    cJSON_AddStringToObject (reply, "durability",
                             shr_config_sync_full (shr_service_config (self)) ? "full" : "normal");
    cJSON_AddStringToObject (reply, "security", shr_service_keys (self) ? "curve" : "off");
    cJSON_AddNumberToObject (reply, "uptime_s", (double) shr_service_uptime_s (self));
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
    shr_stats_t *stats = shr_service_stats (self);
    shr_outbox_t *outbox = shr_service_outbox (self);
    cJSON *reply = shr_stats_json (stats);
    cJSON_AddStringToObject (reply, "service", shr_service_def (self)->name);
    cJSON_AddNumberToObject (reply, "uptime_s", (double) shr_service_uptime_s (self));
    cJSON_AddNumberToObject (reply, "rss_kb", (double) s_rss_kb ());
    cJSON *events = cJSON_AddObjectToObject (reply, "events");
    cJSON_AddNumberToObject (events, "last_seq", (double) shr_outbox_last_seq (outbox));
    cJSON_AddNumberToObject (events, "published", (double) shr_outbox_published (outbox));
    cJSON_AddNumberToObject (events, "applied",
                             (double) shr_stats_get (stats, "events.applied"));
    cJSON_AddItemToObject (reply, "consumers", shr_service_consumers_health (self, NULL));
    *reply_p = reply;
    return 0;
}

static int s_sys_ops (shr_call_t *call, const cJSON *body, cJSON **reply_p)
{
    (void) body;
    shr_service_t *self = (shr_service_t *) call->arg;
    cJSON *reply = cJSON_CreateObject ();
    cJSON_AddItemToObject (reply, "ops", shr_server_ops_json (shr_service_server (self)));
    //  What it publishes, as declared; each has schemas/events/<type>.json.
    cJSON_AddItemToObject (reply, "events", shr_outbox_types_json (shr_service_outbox (self)));
    *reply_p = reply;
    return 0;
}

static int s_events_replay (shr_call_t *call, const cJSON *body, cJSON **reply_p)
{
    shr_service_t *self = (shr_service_t *) call->arg;
    int64_t from_seq = (int64_t) cJSON_GetObjectItem (body, "from_seq")->valuedouble;
    const cJSON *limit = cJSON_GetObjectItem (body, "limit");
    *reply_p = shr_outbox_replay (shr_service_outbox (self), from_seq,
                                  limit ? (int) limit->valuedouble : 100, &call->error);
    return *reply_p ? 0 : -1;
}

static int s_test_clock_advance (shr_call_t *call, const cJSON *body, cJSON **reply_p)
{
    shr_service_t *self = (shr_service_t *) call->arg;
    shr_service_advance_clock (self, (int64_t) cJSON_GetObjectItem (body, "by_ms")->valuedouble);
    char now[SHR_TIME_LEN];
    shr_time_format (shr_service_now (self), now);
    *reply_p = cJSON_CreateObject ();
    cJSON_AddStringToObject (*reply_p, "now", now);
    return 0;
}

static int s_expire_idempotency (shr_call_t *call)
{
    shr_service_t *self = (shr_service_t *) call->arg;
    int expired = shr_server_expire_idempotency (shr_service_server (self),
                                                 call->now_ms - IDEMPOTENCY_KEEP_MS);
    if (expired < 0)
        return shr_call_db_error (call);
    if (expired > 0)
        shr_log_info ("expired %d idempotency records", expired);
    return 0;
}

int shr_sysops_register (shr_service_t *self, char *err, size_t errlen)
{
    //  sys.ping and sys.health are for every known key (NULL); the rest say who.
    static const char *const watchers[] = {"reader", "manager", "integrator", "service", NULL};
    static const char *const followers[] = {"service", "integrator", "reader", NULL};
    static const char *const testers[] = {"tester", NULL};
    static const struct {
        const char *op;
        shr_handler_fn *handler;
        int flags;
        const char *const *roles;
    } ops[] = {
        {"sys.ping", s_sys_ping, SHR_OP_READ, NULL},
        {"sys.health", s_sys_health, SHR_OP_READ, NULL},
        {"sys.stats", s_sys_stats, SHR_OP_READ, watchers},
        {"sys.ops", s_sys_ops, SHR_OP_READ, watchers},
        {"events.replay", s_events_replay, SHR_OP_READ | SHR_OP_RAW_REPLY, followers},
    };
    shr_server_t *server = shr_service_server (self);
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (shr_server_add (server, ops[i].op, "sys", ops[i].handler, self, ops[i].flags,
                            ops[i].roles, err, errlen))
            return -1;
    const char *test_clock = getenv ("SHR_TEST_CLOCK");
    if (test_clock && streq (test_clock, "1")) {
        if (shr_server_add (server, "test.clock.advance", "sys", s_test_clock_advance, self,
                            SHR_OP_READ, testers, err, errlen))
            return -1;
        shr_log_warn ("SHR_TEST_CLOCK=1: test.clock.advance is served; never in production");
    }
    shr_service_every (self, IDEMPOTENCY_SWEEP_MS, s_expire_idempotency, self);
    return 0;
}
