/*  shr_consumer - follows one source's events. See shr_consumer.h. */
#include "shr_consumer.h"
#include "shr_log.h"
#include "shr_socket.h"
#include "shr_time.h"
#include "shr_work.h"

#define REPLAY_PAGE 1000            //  events asked for per events.replay
#define REPLAY_TIMEOUT_MS 2000      //  then ask again
#define RETRY_AFTER_FAILURE_MS 1000 //  after an apply failed
#define PENDING_MAX 20000           //  live events held while a gap is filled
#define DRAIN_MAX 1000              //  live events taken per wake-up

const char *const shr_consumer_migrations[] = {
    "CREATE TABLE shr_checkpoint ("
    " source TEXT PRIMARY KEY,"
    " last_seq INTEGER NOT NULL,"
    " updated_ms INTEGER NOT NULL) WITHOUT ROWID",
    NULL};

typedef struct {
    int64_t seq;
    cJSON *event;
} s_pending_t;

struct _shr_consumer_t {
    char *source;
    char *api_endpoint;
    shr_apply_fn *apply;
    void *arg;
    char *actor;
    int heartbeat_ms;
    shr_store_t *store;
    shr_work_t *work;
    shr_stats_t *stats;
    shr_schema_t *schemas;
    shr_clock_fn *clock;
    void *clock_arg;
    zsock_t *sub;
    zsock_t *dealer;

    int64_t applied_seq;      //  the checkpoint
    int64_t source_seq;       //  the latest seq the source is known to have
    s_pending_t *pending;     //  live events above applied_seq + 1, sorted by seq
    size_t pending_count;

    bool replay_in_flight;
    int64_t catch_up_from;    //  seq where a long catch-up began (0 if none), for the logs
    int64_t catch_up_us;
    char replay_id[32];
    unsigned long replay_counter;
    int64_t replay_sent_us;
    int64_t last_heard_us;    //  anything from the source, on either socket
    int64_t retry_after_us;   //  0, or when to try again after a failed apply
    char last_error[256];
};

//  Reads the checkpoint of source, 0 if none. -1 on a database error.
static int64_t s_read_checkpoint (shr_store_t *store, const char *source)
{
    sqlite3_stmt *stmt
        = shr_store_stmt (store, "SELECT last_seq FROM shr_checkpoint WHERE source = ?");
    if (!stmt)
        return -1;
    sqlite3_bind_text (stmt, 1, source, -1, SQLITE_STATIC);
    int rc = sqlite3_step (stmt);
    int64_t seq = rc == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : rc == SQLITE_DONE ? 0 : -1;
    sqlite3_reset (stmt);
    return seq;
}

shr_consumer_t *shr_consumer_new (const shr_consumer_config_t *config, shr_store_t *store,
                                  shr_outbox_t *outbox, shr_stats_t *stats, shr_clock_fn *clock,
                                  void *clock_arg, char *err, size_t errlen)
{
    int64_t checkpoint = s_read_checkpoint (store, config->source);
    if (checkpoint < 0) {
        snprintf (err, errlen, "cannot read the checkpoint of %s: %s", config->source,
                  shr_store_errmsg (store));
        return NULL;
    }
    shr_consumer_t *self = (shr_consumer_t *) zmalloc (sizeof (shr_consumer_t));
    self->source = strdup (config->source);
    self->api_endpoint = strdup (config->api_endpoint);
    self->apply = config->apply;
    self->arg = config->arg;
    self->actor = strdup (config->actor ? config->actor : config->source);
    self->heartbeat_ms = config->heartbeat_ms > 0 ? config->heartbeat_ms : 1000;
    self->store = store;
    self->work = shr_work_new (store, outbox);
    self->stats = stats;
    self->clock = clock;
    self->clock_arg = clock_arg;
    self->schemas = config->schemas;
    self->applied_seq = checkpoint;
    self->source_seq = checkpoint;
    self->last_heard_us = shr_time_mono_us ();
    self->pending = (s_pending_t *) zmalloc (PENDING_MAX * sizeof (s_pending_t));
    self->sub = shr_socket_new (SHR_SOCKET_SUBSCRIBER, config->events_endpoint, config->hwm,
                                config->keys, config->source, err, errlen);
    self->dealer = self->sub ? shr_socket_new (SHR_SOCKET_CLIENT, config->api_endpoint, 0,
                                               config->keys, config->source, err, errlen)
                             : NULL;
    if (!self->dealer)
        shr_consumer_destroy (&self);
    else
        //  The service's loop must never wait on a source: a replay that cannot
        //  be sent now (no peer, or one that never finished its handshake) is
        //  asked again later.
        zsock_set_sndtimeo (self->dealer, 0);
    return self;
}

void shr_consumer_destroy (shr_consumer_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    shr_consumer_t *self = *self_p;
    for (size_t i = 0; i < self->pending_count; i++)
        cJSON_Delete (self->pending[i].event);
    free (self->pending);
    shr_work_destroy (&self->work);
    zsock_destroy (&self->sub);
    zsock_destroy (&self->dealer);
    free (self->source);
    free (self->actor);
    free (self->api_endpoint);
    free (self);
    *self_p = NULL;
}

zsock_t *shr_consumer_subscriber (shr_consumer_t *self) { return self->sub; }
zsock_t *shr_consumer_requester (shr_consumer_t *self) { return self->dealer; }
const char *shr_consumer_source (shr_consumer_t *self) { return self->source; }
int64_t shr_consumer_applied_seq (shr_consumer_t *self) { return self->applied_seq; }

static int64_t s_seq_of (const cJSON *event)
{
    const cJSON *seq = cJSON_GetObjectItemCaseSensitive (event, "seq");
    return cJSON_IsNumber (seq) ? (int64_t) seq->valuedouble : -1;
}

static void s_failed (shr_consumer_t *self, const char *format, ...)
    __attribute__ ((format (printf, 2, 3)));

static void s_failed (shr_consumer_t *self, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    vsnprintf (self->last_error, sizeof self->last_error, format, args);
    va_end (args);
    shr_log_error ("consumer of %s: %s", self->source, self->last_error);
    self->retry_after_us = shr_time_mono_us () + RETRY_AFTER_FAILURE_MS * 1000;
}

//  Checks an event against the contract: its envelope, and its data if the
//  type has a schema (a type this service does not know is still passed on).
//  Returns 0, or -1 after s_failed: a source that breaks the contract stops the
//  stream rather than have events skipped.
static int s_check (shr_consumer_t *self, const cJSON *event, const char *type, int64_t seq)
{
    if (!self->schemas)
        return 0;
    shr_schema_error_t err;
    if (shr_schema_validate (self->schemas, "envelope/event.json", event, "", &err)) {
        s_failed (self, "event seq %lld is not a valid envelope: %s %s", (long long) seq,
                  err.pointer, err.message);
        return -1;
    }
    char schema[160];
    snprintf (schema, sizeof schema, "events/%s.json", type);
    if (shr_schema_has (self->schemas, schema)
        && shr_schema_validate (self->schemas, schema,
                                cJSON_GetObjectItemCaseSensitive (event, "data"), "/data", &err)) {
        s_failed (self, "event %s seq %lld does not match %s: %s %s", type, (long long) seq,
                  schema, err.pointer, err.message);
        return -1;
    }
    return 0;
}

typedef struct {
    shr_consumer_t *self;
    const cJSON *event;
} s_piece_t;

static int s_apply_one (shr_call_t *call, void *arg)
{
    s_piece_t *piece = (s_piece_t *) arg;
    return piece->self->apply (call, piece->event);
}

//  Stores the checkpoint in the open transaction. Returns 0 or -1.
static int s_write_checkpoint (shr_consumer_t *self, int64_t seq)
{
    sqlite3_stmt *stmt = shr_store_stmt (
        self->store, "INSERT INTO shr_checkpoint (source, last_seq, updated_ms) VALUES (?, ?, ?)"
                     " ON CONFLICT (source) DO UPDATE SET last_seq = excluded.last_seq,"
                     " updated_ms = excluded.updated_ms");
    if (!stmt)
        return -1;
    sqlite3_bind_text (stmt, 1, self->source, -1, SQLITE_STATIC);
    sqlite3_bind_int64 (stmt, 2, seq);
    sqlite3_bind_int64 (stmt, 3, shr_time_now_ms ());
    return shr_store_step_done (stmt);
}

//  Applies events[0..count) that follow the checkpoint, in one unit of work
//  with the new checkpoint. Stops at a gap or a failure. Returns how many were
//  applied.
static size_t s_apply (shr_consumer_t *self, cJSON **events, size_t count)
{
    if (self->retry_after_us || count == 0)
        return 0;
    if (shr_work_begin (self->work)) {
        s_failed (self, "cannot begin: %s", shr_store_errmsg (self->store));
        return 0;
    }
    int64_t applied = self->applied_seq;
    size_t done = 0;
    for (size_t i = 0; i < count; i++) {
        int64_t seq = s_seq_of (events[i]);
        if (seq <= applied)
            continue;
        if (seq != applied + 1)
            break;
        const char *type
            = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (events[i], "type"));
        if (s_check (self, events[i], type, seq))
            break;
        shr_call_t call = {.arg = self->arg, .now_ms = self->clock (self->clock_arg),
                           .op = "apply", .actor = self->actor};
        s_piece_t piece = {self, events[i]};
        if (shr_work_run (self->work, &call, false, s_apply_one, &piece)) {
            s_failed (self, "applying %s seq %lld failed: %s: %s", type ? type : "?",
                      (long long) seq, shr_code_name (call.error.code), call.error.message);
            break;
        }
        applied = seq;
        done++;
    }
    char reason[512] = "";
    if (applied == self->applied_seq) {
        shr_work_rollback (self->work);
        return 0;
    }
    if (s_write_checkpoint (self, applied)) {
        s_failed (self, "cannot store the checkpoint: %s", shr_store_errmsg (self->store));
        shr_work_rollback (self->work);
        return 0;
    }
    if (shr_work_commit (self->work, reason, sizeof reason)) {
        s_failed (self, "cannot commit: %s", reason);
        return 0;
    }
    shr_work_publish (self->work);
    self->applied_seq = applied;
    shr_stats_add (self->stats, "events.applied", (int64_t) done);
    return done;
}

//  Long catch-ups say so in the log when they start and when they end, so that
//  an operator watching a restarted service knows what it is doing.
#define CATCH_UP_LOGGED 1000

static void s_note_catch_up (shr_consumer_t *self)
{
    if (!self->catch_up_from && self->source_seq - self->applied_seq >= CATCH_UP_LOGGED) {
        self->catch_up_from = self->applied_seq + 1;
        self->catch_up_us = shr_time_mono_us ();
        shr_log_info ("catching up on %s: %lld events, from seq %lld", self->source,
                      (long long) (self->source_seq - self->applied_seq),
                      (long long) self->catch_up_from);
    }
}

static void s_request_replay (shr_consumer_t *self)
{
    s_note_catch_up (self);
    snprintf (self->replay_id, sizeof self->replay_id, "replay-%lu", ++self->replay_counter);
    char request[160];
    snprintf (request, sizeof request,
              "{\"v\":1,\"id\":\"%s\",\"op\":\"events.replay\",\"body\":{\"from_seq\":%lld,"
              "\"limit\":%d}}",
              self->replay_id, (long long) self->applied_seq + 1, REPLAY_PAGE);
    zmsg_t *msg = zmsg_new ();
    zmsg_addmem (msg, NULL, 0);
    zmsg_addstr (msg, request);
    if (zmsg_send (&msg, self->dealer)) {
        zmsg_destroy (&msg);
        s_failed (self, "cannot ask %s for a replay now: %s", self->source,
                  zmq_strerror (zmq_errno ()));
        return;
    }
    self->replay_in_flight = true;
    self->replay_sent_us = shr_time_mono_us ();
    shr_stats_add (self->stats, "events.replay_requests", 1);
}

//  Applies what the pending list holds next, and asks for a replay if the
//  source is known to be further than what we can apply.
static void s_advance (shr_consumer_t *self)
{
    if (self->retry_after_us)
        return;
    size_t first = 0;
    while (first < self->pending_count && self->pending[first].seq <= self->applied_seq)
        first++;
    size_t run = 0;  //  contiguous events at the head that follow the checkpoint
    while (first + run < self->pending_count
           && self->pending[first + run].seq == self->applied_seq + 1 + (int64_t) run)
        run++;
    if (run) {
        cJSON *batch[DRAIN_MAX];
        size_t applied = 0;
        while (applied < run && !self->retry_after_us) {
            size_t take = run - applied < DRAIN_MAX ? run - applied : DRAIN_MAX;
            for (size_t i = 0; i < take; i++)
                batch[i] = self->pending[first + applied + i].event;
            size_t done = s_apply (self, batch, take);
            applied += done;
            if (done < take)
                break;
        }
    }
    //  Drop what is applied now (or was already).
    size_t drop = 0;
    while (drop < self->pending_count && self->pending[drop].seq <= self->applied_seq)
        cJSON_Delete (self->pending[drop++].event);
    if (drop) {
        memmove (self->pending, self->pending + drop,
                 (self->pending_count - drop) * sizeof (s_pending_t));
        self->pending_count -= drop;
    }
    if (!self->replay_in_flight && !self->retry_after_us && self->applied_seq < self->source_seq)
        s_request_replay (self);
}

//  Holds a live event that cannot be applied yet, in seq order, once.
static void s_hold (shr_consumer_t *self, int64_t seq, cJSON *event)
{
    size_t at = self->pending_count;
    while (at > 0 && self->pending[at - 1].seq > seq)
        at--;
    if ((at > 0 && self->pending[at - 1].seq == seq) || self->pending_count == PENDING_MAX) {
        //  A duplicate, or no room: replay will bring it again.
        cJSON_Delete (event);
        return;
    }
    memmove (self->pending + at + 1, self->pending + at,
             (self->pending_count - at) * sizeof (s_pending_t));
    self->pending[at].seq = seq;
    self->pending[at].event = event;
    self->pending_count++;
}

void shr_consumer_on_event (shr_consumer_t *self)
{
    for (int taken = 0; taken < DRAIN_MAX; taken++) {
        if (taken > 0 && !(zsock_events (self->sub) & ZMQ_POLLIN))
            break;
        zmsg_t *msg = zmsg_recv (self->sub);
        if (!msg)
            break;
        self->last_heard_us = shr_time_mono_us ();
        zframe_t *topic = zmsg_first (msg);
        zframe_t *body = zmsg_next (msg);
        cJSON *event = body ? cJSON_ParseWithLength ((const char *) zframe_data (body),
                                                     zframe_size (body))
                            : NULL;
        if (!event) {
            shr_log_warn ("consumer of %s: dropped a frame that is not a JSON event",
                          self->source);
            zmsg_destroy (&msg);
            continue;
        }
        if (zframe_streq (topic, SHR_HEARTBEAT_TOPIC)) {
            const cJSON *last = cJSON_GetObjectItemCaseSensitive (event, "last_seq");
            if (cJSON_IsNumber (last) && (int64_t) last->valuedouble > self->source_seq)
                self->source_seq = (int64_t) last->valuedouble;
            cJSON_Delete (event);
        }
        else {
            int64_t seq = s_seq_of (event);
            if (seq > self->source_seq)
                self->source_seq = seq;
            if (seq > self->applied_seq)
                s_hold (self, seq, event);
            else {
                shr_stats_add (self->stats, "events.duplicates", 1);
                cJSON_Delete (event);
            }
        }
        zmsg_destroy (&msg);
    }
    s_advance (self);
}

void shr_consumer_on_reply (shr_consumer_t *self)
{
    zmsg_t *msg = zmsg_recv (self->dealer);
    zframe_t *frame = msg ? zmsg_last (msg) : NULL;
    cJSON *reply = frame ? cJSON_ParseWithLength ((const char *) zframe_data (frame),
                                                  zframe_size (frame))
                         : NULL;
    zmsg_destroy (&msg);
    const char *id = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (reply, "id"));
    if (!id || !self->replay_in_flight || strcmp (id, self->replay_id) != 0) {
        cJSON_Delete (reply);  //  an answer to a request given up on
        return;
    }
    self->replay_in_flight = false;
    self->last_heard_us = shr_time_mono_us ();
    cJSON *body = cJSON_GetObjectItemCaseSensitive (reply, "body");
    if (!cJSON_IsTrue (cJSON_GetObjectItemCaseSensitive (reply, "ok")) || !body) {
        const cJSON *error = cJSON_GetObjectItemCaseSensitive (reply, "error");
        const char *message
            = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (error, "message"));
        s_failed (self, "events.replay failed: %s", message ? message : "not a reply envelope");
        cJSON_Delete (reply);
        return;
    }
    const cJSON *last = cJSON_GetObjectItemCaseSensitive (body, "last_seq");
    if (cJSON_IsNumber (last) && (int64_t) last->valuedouble > self->source_seq)
        self->source_seq = (int64_t) last->valuedouble;
    s_note_catch_up (self);
    cJSON *events = cJSON_GetObjectItemCaseSensitive (body, "events");
    size_t count = (size_t) cJSON_GetArraySize (events);
    if (count) {
        cJSON **batch = (cJSON **) malloc (count * sizeof (cJSON *));
        size_t i = 0;
        for (cJSON *event = events->child; event && i < count; event = event->next)
            batch[i++] = event;
        s_apply (self, batch, i);
        free (batch);
        shr_stats_add (self->stats, "events.replayed", (int64_t) count);
    }
    else if (self->applied_seq < self->source_seq && cJSON_IsNumber (last)
             && (int64_t) last->valuedouble <= self->applied_seq)
        //  The source says it has nothing more: what we thought it had was wrong
        //  (e.g. a heartbeat from before it lost its data). Believe the replay.
        self->source_seq = self->applied_seq;
    cJSON_Delete (reply);
    s_advance (self);
    if (self->catch_up_from && self->applied_seq >= self->source_seq) {
        int64_t events = self->applied_seq - self->catch_up_from + 1;
        double seconds = (double) (shr_time_mono_us () - self->catch_up_us) / 1e6;
        shr_log_info ("caught up with %s at seq %lld: %lld events in %.1f s", self->source,
                      (long long) self->applied_seq, (long long) events, seconds);
        self->catch_up_from = 0;
    }
}

void shr_consumer_tick (shr_consumer_t *self)
{
    int64_t now_us = shr_time_mono_us ();
    if (self->retry_after_us && now_us >= self->retry_after_us) {
        self->retry_after_us = 0;
        self->replay_in_flight = false;
        //  What was held may be stale by now; replay brings everything again.
        self->source_seq = self->source_seq > self->applied_seq + 1 ? self->source_seq
                                                                    : self->applied_seq + 1;
    }
    if (self->replay_in_flight && now_us - self->replay_sent_us > REPLAY_TIMEOUT_MS * 1000)
        self->replay_in_flight = false;  //  the source is down or lost it: ask again
    if (self->replay_counter == 0 && !self->replay_in_flight)
        //  At start, ask once even if we know of nothing new: the source may be ahead.
        self->source_seq = self->applied_seq + 1 > self->source_seq ? self->applied_seq + 1
                                                                    : self->source_seq;
    s_advance (self);
}

cJSON *shr_consumer_health (shr_consumer_t *self)
{
    int64_t now_us = shr_time_mono_us ();
    const char *state = "live";
    if (self->retry_after_us)
        state = "failing";
    else if ((self->replay_in_flight && now_us - self->replay_sent_us > REPLAY_TIMEOUT_MS * 1000)
             || now_us - self->last_heard_us > 3 * (int64_t) self->heartbeat_ms * 1000)
        state = "unreachable";
    else if (self->applied_seq < self->source_seq)
        state = "catching_up";
    cJSON *health = cJSON_CreateObject ();
    cJSON_AddStringToObject (health, "source", self->source);
    cJSON_AddNumberToObject (health, "applied_seq", (double) self->applied_seq);
    cJSON_AddNumberToObject (health, "source_seq", (double) self->source_seq);
    cJSON_AddNumberToObject (health, "lag", (double) (self->source_seq - self->applied_seq));
    cJSON_AddStringToObject (health, "state", state);
    if (*self->last_error)
        cJSON_AddStringToObject (health, "last_error", self->last_error);
    return health;
}
