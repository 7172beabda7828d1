/*  shr_outbox - append in the transaction, publish after commit. See shr_outbox.h. */
#include "shr_outbox.h"
#include "shr_json.h"
#include "shr_log.h"
#include "shr_socket.h"
#include "shr_time.h"

#include <czmq.h>

#define REPLAY_MAX_BYTES (512 * 1024)

const char *const shr_outbox_migrations[] = {
    "CREATE TABLE shr_outbox ("
    " seq INTEGER PRIMARY KEY,"
    " type TEXT NOT NULL,"
    " key TEXT NOT NULL,"
    " ts TEXT NOT NULL,"
    " envelope TEXT NOT NULL)",
    NULL};

typedef struct {
    char *type;
    char *envelope;
    int64_t commit;    //  the store's commit that made it, 0 while its transaction is open
} s_pending_t;

struct _shr_outbox_t {
    char *source;
    shr_store_t *store;      //  borrowed
    shr_schema_t *schemas;   //  borrowed
    zsock_t *pub;
    char *bound;             //  the endpoint with its real port, to bind again
    int hwm;
    shr_keys_t *keys;        //  borrowed
    int64_t last_seq;        //  last committed
    s_pending_t *pending;    //  appended in the open transaction, in seq order
    size_t pending_count;
    size_t pending_size;
    int64_t published;
    int64_t last_publish_us; //  monotonic time of the last frame sent
    zlistx_t *types;         //  declared event types (strings, owned)
};

shr_outbox_t *shr_outbox_new (const char *source, shr_store_t *store, shr_schema_t *schemas,
                              char *err, size_t errlen)
{
    sqlite3_stmt *stmt = shr_store_stmt (store, "SELECT coalesce(max(seq), 0) FROM shr_outbox");
    if (!stmt || sqlite3_step (stmt) != SQLITE_ROW) {
        snprintf (err, errlen, "cannot read the outbox: %s", shr_store_errmsg (store));
        if (stmt)
            sqlite3_reset (stmt);
        return NULL;
    }
    shr_outbox_t *self = (shr_outbox_t *) zmalloc (sizeof (shr_outbox_t));
    self->last_seq = sqlite3_column_int64 (stmt, 0);
    sqlite3_reset (stmt);
    self->source = strdup (source);
    self->store = store;
    self->schemas = schemas;
    self->types = zlistx_new ();
    zlistx_set_destructor (self->types, (zlistx_destructor_fn *) zstr_free);
    zlistx_set_duplicator (self->types, (zlistx_duplicator_fn *) strdup);
    zlistx_set_comparator (self->types, (zlistx_comparator_fn *) strcmp);
    return self;
}

void shr_outbox_destroy (shr_outbox_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    shr_outbox_t *self = *self_p;
    shr_outbox_rewind (self, 0);
    free (self->pending);
    zsock_destroy (&self->pub);
    free (self->bound);
    zlistx_destroy (&self->types);
    free (self->source);
    free (self);
    *self_p = NULL;
}

int shr_outbox_bind (shr_outbox_t *self, const char *endpoint, int hwm, shr_keys_t *keys,
                     char *err, size_t errlen)
{
    self->hwm = hwm;
    self->keys = keys;
    self->pub = shr_socket_new (SHR_SOCKET_EVENTS, endpoint, hwm, keys, NULL, err, errlen);
    if (!self->pub)
        return -1;
    free (self->bound);
    self->bound = strdup (zsock_endpoint (self->pub));
    return 0;
}

int shr_outbox_rebind (shr_outbox_t *self, char *err, size_t errlen)
{
    if (!self->pub)
        return 0;
    zsock_destroy (&self->pub);
    //  The old listener closes in ZeroMQ's own thread: try again for a moment.
    for (int attempt = 0; attempt < 50 && !self->pub; attempt++) {
        self->pub = shr_socket_new (SHR_SOCKET_EVENTS, self->bound, self->hwm, self->keys, NULL,
                                    err, errlen);
        if (!self->pub)
            zclock_sleep (20);
    }
    return self->pub ? 0 : -1;
}

const char *shr_outbox_endpoint (shr_outbox_t *self)
{
    return self->pub ? zsock_endpoint (self->pub) : NULL;
}

int shr_outbox_declare (shr_outbox_t *self, const char *type, char *err, size_t errlen)
{
    char schema[160];
    snprintf (schema, sizeof schema, "events/%s.json", type);
    if (!shr_schema_has (self->schemas, schema)) {
        snprintf (err, errlen, "%s publishes %s, but %s is not in the schemas folder",
                  self->source, type, schema);
        return -1;
    }
    if (!zlistx_find (self->types, (void *) type))
        zlistx_add_end (self->types, (void *) type);
    return 0;
}

cJSON *shr_outbox_types_json (shr_outbox_t *self)
{
    cJSON *types = cJSON_CreateArray ();
    for (const char *type = (const char *) zlistx_first (self->types); type;
         type = (const char *) zlistx_next (self->types))
        cJSON_AddItemToArray (types, cJSON_CreateString (type));
    return types;
}

int64_t shr_outbox_append (shr_outbox_t *self, const char *type, const char *key,
                           const char *actor, int64_t ts_ms, const char *data, shr_error_t *err)
{
    if (!zlistx_find (self->types, (void *) type)) {
        shr_log_error ("event %s is not one that %s declared", type, self->source);
        return shr_error_set (err, SHR_INTERNAL, "", "event %s is not one that %s declares",
                              type, self->source);
    }
    //  The contract holds for what leaves too: data is checked against its schema.
    char schema[160];
    snprintf (schema, sizeof schema, "events/%s.json", type);
    cJSON *tree = cJSON_Parse (data);
    shr_schema_error_t schema_err = {"", "data is not JSON"};
    int rc = tree ? shr_schema_validate (self->schemas, schema, tree, "", &schema_err) : -1;
    cJSON_Delete (tree);
    if (rc != 0) {
        shr_log_error ("event %s does not match its schema: %s %s", type, schema_err.pointer,
                       schema_err.message);
        return shr_error_set (err, SHR_INTERNAL, "", "event %s does not match %s: %s %s", type,
                              schema, schema_err.pointer, schema_err.message);
    }

    int64_t seq = self->last_seq + (int64_t) self->pending_count + 1;
    char ts[SHR_TIME_LEN];
    shr_time_format (ts_ms, ts);
    shr_json_t *json = shr_json_new ();
    shr_json_raw (json, "{\"v\":1,\"source\":");
    shr_json_string (json, self->source);
    shr_json_raw (json, ",\"seq\":");
    shr_json_int (json, seq);
    shr_json_raw (json, ",\"type\":");
    shr_json_string (json, type);
    shr_json_raw (json, ",\"ts\":");
    shr_json_string (json, ts);
    shr_json_raw (json, ",\"key\":");
    shr_json_string (json, key);
    if (actor) {
        shr_json_raw (json, ",\"actor\":");
        shr_json_string (json, actor);
    }
    shr_json_raw (json, ",\"data\":");
    shr_json_raw (json, data);
    shr_json_raw (json, "}");
    char *text = shr_json_take (json);
    shr_json_destroy (&json);
    if (!text)
        return shr_error_set (err, SHR_INTERNAL, "", "out of memory");

    sqlite3_stmt *stmt = shr_store_stmt (
        self->store, "INSERT INTO shr_outbox (seq, type, key, ts, envelope) VALUES (?, ?, ?, ?, ?)");
    if (!stmt) {
        free (text);
        return shr_error_set (err, SHR_INTERNAL, "", "outbox: %s", shr_store_errmsg (self->store));
    }
    sqlite3_bind_int64 (stmt, 1, seq);
    sqlite3_bind_text (stmt, 2, type, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 3, key, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 4, ts, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 5, text, -1, SQLITE_STATIC);
    if (shr_store_step_done (stmt)) {
        free (text);
        return shr_error_set (err, SHR_INTERNAL, "", "outbox: %s", shr_store_errmsg (self->store));
    }
    if (self->pending_count == self->pending_size) {
        self->pending_size = self->pending_size ? self->pending_size * 2 : 64;
        self->pending = (s_pending_t *) realloc (self->pending,
                                                 self->pending_size * sizeof (s_pending_t));
    }
    self->pending[self->pending_count].type = strdup (type);
    self->pending[self->pending_count].envelope = text;
    self->pending[self->pending_count].commit = 0;
    self->pending_count++;
    return seq;
}

size_t shr_outbox_mark (shr_outbox_t *self)
{
    return self->pending_count;
}

void shr_outbox_rewind (shr_outbox_t *self, size_t mark)
{
    while (self->pending_count > mark) {
        s_pending_t *event = &self->pending[--self->pending_count];
        free (event->type);
        free (event->envelope);
    }
}

void shr_outbox_committed (shr_outbox_t *self, int64_t commit)
{
    for (size_t i = 0; i < self->pending_count; i++)
        if (!self->pending[i].commit)
            self->pending[i].commit = commit;
}

void shr_outbox_drop_uncommitted (shr_outbox_t *self)
{
    size_t committed = 0;
    while (committed < self->pending_count && self->pending[committed].commit)
        committed++;
    shr_outbox_rewind (self, committed);
}

void shr_outbox_release (shr_outbox_t *self, int64_t durable)
{
    void *socket = self->pub ? zsock_resolve (self->pub) : NULL;
    size_t count = 0;
    while (count < self->pending_count && self->pending[count].commit
           && self->pending[count].commit <= durable) {
        s_pending_t *event = &self->pending[count++];
        //  PUB never blocks: at the high-water mark it drops, and replay makes up for it.
        if (socket) {
            zmq_send (socket, event->type, strlen (event->type), ZMQ_SNDMORE);
            zmq_send (socket, event->envelope, strlen (event->envelope), 0);
            self->published++;
        }
        free (event->type);
        free (event->envelope);
    }
    if (!count)
        return;
    self->last_publish_us = shr_time_mono_us ();
    self->last_seq += (int64_t) count;
    memmove (self->pending, self->pending + count,
             (self->pending_count - count) * sizeof (s_pending_t));
    self->pending_count -= count;
}

void shr_outbox_publish (shr_outbox_t *self)
{
    shr_outbox_committed (self, INT64_MAX);
    shr_outbox_release (self, INT64_MAX);
}

void shr_outbox_heartbeat (shr_outbox_t *self, int64_t period_ms)
{
    int64_t now_us = shr_time_mono_us ();
    if (!self->pub || now_us - self->last_publish_us < period_ms * 1000)
        return;
    char ts[SHR_TIME_LEN], text[256];
    shr_time_format (shr_time_now_ms (), ts);
    int length = snprintf (text, sizeof text,
                           "{\"v\":1,\"source\":\"%s\",\"type\":\"" SHR_HEARTBEAT_TOPIC
                           "\",\"ts\":\"%s\",\"last_seq\":%lld}",
                           self->source, ts, (long long) self->last_seq);
    void *socket = zsock_resolve (self->pub);
    zmq_send (socket, SHR_HEARTBEAT_TOPIC, strlen (SHR_HEARTBEAT_TOPIC), ZMQ_SNDMORE);
    zmq_send (socket, text, (size_t) length, 0);
    self->last_publish_us = now_us;
}

int64_t shr_outbox_last_seq (shr_outbox_t *self)
{
    return self->last_seq;
}

int64_t shr_outbox_published (shr_outbox_t *self)
{
    return self->published;
}

cJSON *shr_outbox_replay (shr_outbox_t *self, int64_t from_seq, int limit, shr_error_t *err)
{
    sqlite3_stmt *stmt = shr_store_stmt (
        self->store, "SELECT envelope FROM shr_outbox WHERE seq >= ? ORDER BY seq LIMIT ?");
    if (!stmt) {
        shr_error_set (err, SHR_INTERNAL, "", "replay: %s", shr_store_errmsg (self->store));
        return NULL;
    }
    sqlite3_bind_int64 (stmt, 1, from_seq);
    sqlite3_bind_int (stmt, 2, limit);
    cJSON *reply = cJSON_CreateObject ();
    cJSON *events = cJSON_AddArrayToObject (reply, "events");
    size_t bytes = 0;
    while (bytes < REPLAY_MAX_BYTES && sqlite3_step (stmt) == SQLITE_ROW) {
        //  The stored envelope is already JSON: insert it as is, no parse and print.
        const char *envelope = (const char *) sqlite3_column_text (stmt, 0);
        bytes += (size_t) sqlite3_column_bytes (stmt, 0);
        cJSON_AddItemToArray (events, cJSON_CreateRaw (envelope));
    }
    sqlite3_reset (stmt);
    //  Inside the batch's transaction the table also holds this batch's events;
    //  their replies leave only after the commit, so counting them is right.
    cJSON_AddNumberToObject (reply, "last_seq",
                             (double) (self->last_seq + (int64_t) self->pending_count));
    return reply;
}
