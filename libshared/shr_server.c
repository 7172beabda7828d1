/*  shr_server - the request/reply server. See shr_server.h. */
#include "shr_server.h"
#include "shr_json.h"
#include "shr_log.h"
#include "shr_socket.h"
#include "shr_time.h"
#include "shr_work.h"

const char *const shr_server_migrations[] = {
    "CREATE TABLE shr_idempotency ("
    " op TEXT NOT NULL,"
    " key TEXT NOT NULL,"
    " request_hash INTEGER NOT NULL,"
    " reply TEXT NOT NULL,"
    " created_ms INTEGER NOT NULL,"
    " PRIMARY KEY (op, key)) WITHOUT ROWID;"
    "CREATE INDEX shr_idempotency_created ON shr_idempotency (created_ms);",
    NULL};

//  A registered op: described (def, decoded into structs) or libshared's own
//  (handler, JSON bodies).
typedef struct {
    char *name;
    char *request_schema;
    char *reply_schema;
    const shr_op_def_t *def;
    shr_handler_fn *handler;
    void *arg;
    int flags;
    const char *const *roles;  //  who may call it (admin always may); NULL: every known key
    char *roles_text;          //  the same, "a or b", for the refusal
} s_op_t;

//  One request of a batch, from receipt to reply.
typedef struct {
    zmsg_t *route;        //  identity frame, and the delimiter if the client sent one
    int64_t received_us;
    shr_request_t req;
    char *actor;          //  who asks: the certificate's name (or "anonymous" without CURVE)
    char *client;         //  what its limits are counted by: its public key, or its connection
    bool counted;         //  in its client's in-flight count
    s_op_t *op;           //  NULL until the op is known
    char *reply;          //  the encoded reply
    bool failed;
    bool in_transaction;  //  its reply depends on the batch's commit
} s_slot_t;

struct _shr_server_t {
    shr_store_t *store;
    shr_schema_t *schemas;
    shr_outbox_t *outbox;
    shr_stats_t *stats;
    shr_work_t *work;
    zsock_t *router;
    zhashx_t *ops;        //  name -> s_op_t
    zlistx_t *op_order;   //  s_op_t in registration order (not owning)
    shr_clock_fn *clock;
    void *clock_arg;
    bool check_replies;
    shr_keys_t *keys;     //  NULL: plaintext, everyone is "anonymous"
    int max_in_flight;    //  per client, 0 for no limit
    int rate;             //  requests a second per client, 0 for no limit
    zhashx_t *clients;    //  client -> s_client_t
    s_slot_t slots[SHR_SERVER_MAX_BATCH];
};

//  One client's share: requests waiting for their reply, and a token bucket
//  for its rate (SHR_CLIENT_MAX_IN_FLIGHT, SHR_CLIENT_RATE), so that one
//  runaway integrator cannot starve the others.
typedef struct {
    int in_flight;
    double tokens;
    int64_t refilled_us;
} s_client_t;

static void s_op_destroy (s_op_t **op_p)
{
    s_op_t *op = *op_p;
    free (op->name);
    free (op->request_schema);
    free (op->reply_schema);
    free (op->roles_text);
    free (op);
    *op_p = NULL;
}

static int64_t s_wall_clock (void *arg)
{
    (void) arg;
    return shr_time_now_ms ();
}

shr_server_t *shr_server_new (shr_store_t *store, shr_schema_t *schemas, shr_outbox_t *outbox,
                              shr_stats_t *stats)
{
    shr_server_t *self = (shr_server_t *) zmalloc (sizeof (shr_server_t));
    self->store = store;
    self->schemas = schemas;
    self->outbox = outbox;
    self->stats = stats;
    self->ops = zhashx_new ();
    zhashx_set_destructor (self->ops, (zhashx_destructor_fn *) s_op_destroy);
    self->op_order = zlistx_new ();
    self->clock = s_wall_clock;
    self->work = shr_work_new (store, outbox);
    self->clients = zhashx_new ();
    zhashx_set_destructor (self->clients, (zhashx_destructor_fn *) zstr_free);
    return self;
}

void shr_server_destroy (shr_server_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    shr_server_t *self = *self_p;
    zsock_destroy (&self->router);
    shr_work_destroy (&self->work);
    zhashx_destroy (&self->clients);
    zlistx_destroy (&self->op_order);
    zhashx_destroy (&self->ops);
    free (self);
    *self_p = NULL;
}

//  Registers op unless its name is taken or a schema is missing. Takes *op_p.
static int s_register (shr_server_t *self, s_op_t **op_p, char *err, size_t errlen)
{
    s_op_t *op = *op_p;
    *op_p = NULL;
    if (op->roles) {
        size_t length = 0;
        for (const char *const *role = op->roles; *role; role++)
            length += strlen (*role) + 4;
        op->roles_text = (char *) zmalloc (length + 1);
        for (const char *const *role = op->roles; *role; role++) {
            if (role != op->roles)
                strcat (op->roles_text, " or ");
            strcat (op->roles_text, *role);
        }
    }
    const char *missing = !shr_schema_has (self->schemas, op->request_schema) ? op->request_schema
                          : !shr_schema_has (self->schemas, op->reply_schema) ? op->reply_schema
                                                                              : NULL;
    if (zhashx_lookup (self->ops, op->name))
        snprintf (err, errlen, "op %s is registered twice", op->name);
    else if (missing)
        snprintf (err, errlen, "op %s: schema %s is not in the schemas folder", op->name, missing);
    else {
        zhashx_insert (self->ops, op->name, op);
        zlistx_add_end (self->op_order, op);
        return 0;
    }
    s_op_destroy (&op);
    return -1;
}

int shr_server_add (shr_server_t *self, const char *name, const char *dir, shr_handler_fn *handler,
                    void *arg, int flags, const char *const *roles, char *err, size_t errlen)
{
    s_op_t *op = (s_op_t *) zmalloc (sizeof (s_op_t));
    op->roles = roles;
    op->name = strdup (name);
    op->request_schema = zsys_sprintf ("%s/%s.request.json", dir, name);
    op->reply_schema = zsys_sprintf ("%s/%s.reply.json", dir, name);
    op->handler = handler;
    op->arg = arg;
    op->flags = flags;
    return s_register (self, &op, err, errlen);
}

int shr_server_add_op (shr_server_t *self, const shr_op_def_t *def, void *arg, char *err,
                       size_t errlen)
{
    if (!def->roles || !def->roles[0]) {
        snprintf (err, errlen, "op %s declares no roles: list who may call it in \"x-op\":"
                               " {\"roles\": [...]} of %s", def->name, def->request_schema);
        return -1;
    }
    s_op_t *op = (s_op_t *) zmalloc (sizeof (s_op_t));
    op->roles = def->roles;
    op->name = strdup (def->name);
    op->request_schema = strdup (def->request_schema);
    op->reply_schema = strdup (def->reply_schema);
    op->def = def;
    op->arg = arg;
    op->flags = def->flags;
    return s_register (self, &op, err, errlen);
}

void shr_server_set_security (shr_server_t *self, shr_keys_t *keys, int max_in_flight, int rate)
{
    self->keys = keys;
    self->max_in_flight = max_in_flight;
    self->rate = rate;
}

void shr_server_set_check_replies (shr_server_t *self, bool check)
{
    self->check_replies = check;
}

void shr_server_set_clock (shr_server_t *self, shr_clock_fn *clock, void *arg)
{
    self->clock = clock;
    self->clock_arg = arg;
}

int shr_server_bind (shr_server_t *self, const char *endpoint, char *err, size_t errlen)
{
    self->router = shr_socket_new (SHR_SOCKET_API, endpoint, 0, self->keys, NULL, err, errlen);
    if (!self->router)
        return -1;
    //  Receives never wait: the batch ends when nothing more is queued (cheaper
    //  than asking ZMQ_EVENTS before each message).
    zsock_set_rcvtimeo (self->router, 0);
    return 0;
}

const char *shr_server_endpoint (shr_server_t *self)
{
    return self->router ? zsock_endpoint (self->router) : NULL;
}

zsock_t *shr_server_socket (shr_server_t *self)
{
    return self->router;
}

cJSON *shr_server_ops_json (shr_server_t *self)
{
    cJSON *ops = cJSON_CreateArray ();
    for (s_op_t *op = (s_op_t *) zlistx_first (self->op_order); op;
         op = (s_op_t *) zlistx_next (self->op_order)) {
        cJSON *item = cJSON_CreateObject ();
        cJSON_AddStringToObject (item, "op", op->name);
        cJSON_AddStringToObject (item, "request", op->request_schema);
        cJSON_AddStringToObject (item, "reply", op->reply_schema);
        cJSON *roles = cJSON_AddArrayToObject (item, "roles");
        for (const char *const *role = op->roles; role && *role; role++)
            cJSON_AddItemToArray (roles, cJSON_CreateString (*role));
        cJSON_AddItemToArray (ops, item);
    }
    return ops;
}

int shr_server_expire_idempotency (shr_server_t *self, int64_t before_ms)
{
    sqlite3_stmt *stmt
        = shr_store_stmt (self->store, "DELETE FROM shr_idempotency WHERE created_ms < ?");
    if (!stmt)
        return -1;
    sqlite3_bind_int64 (stmt, 1, before_ms);
    if (shr_store_step_done (stmt))
        return -1;
    return sqlite3_changes (shr_store_db (self->store));
}

//  64-bit FNV-1a: tells a retry (same body) from a reuse of the key (other body).
static int64_t s_hash (const char *text)
{
    uint64_t hash = 14695981039346656037ULL;
    for (const unsigned char *p = (const unsigned char *) text; *p; p++)
        hash = (hash ^ *p) * 1099511628211ULL;
    return (int64_t) hash;
}

static void s_fail (s_slot_t *slot, const shr_error_t *err)
{
    free (slot->reply);
    slot->reply = shr_reply_encode_error (slot->req.id, err);
    slot->failed = true;
}

//  Who sent frame: with CURVE, the trusted name of the key that User-Id names
//  (a key revoked since its handshake is refused here); without, "anonymous"
//  on its connection. Returns 0, or -1 with err.
static int s_identify (shr_server_t *self, s_slot_t *slot, zframe_t *frame, zframe_t *identity,
                       shr_error_t *err)
{
    if (!self->keys) {
        slot->actor = strdup ("anonymous");
        slot->client = zframe_strhex (identity);
        return 0;
    }
    const char *key = frame ? zframe_meta (frame, "User-Id") : NULL;
    const char *name = shr_keys_lookup (self->keys, key, NULL);
    if (!name)
        return shr_error_set (err, SHR_UNAUTHENTICATED, "",
                              "this client's key is no longer trusted by the service");
    slot->actor = strdup (name);
    slot->client = strdup (key);
    return 0;
}

//  The roles of the slot's caller ("a,b"). Borrowed.
static const char *s_roles (shr_server_t *self, s_slot_t *slot)
{
    const char *roles = NULL;
    shr_keys_lookup (self->keys, slot->client, &roles);
    return roles ? roles : "";
}

//  The client's share of the service: at most max_in_flight requests waiting
//  and rate a second. Returns 0 and counts the request in, or -1 with err.
static int s_admit (shr_server_t *self, s_slot_t *slot, shr_error_t *err)
{
    s_client_t *client = (s_client_t *) zhashx_lookup (self->clients, slot->client);
    if (!client) {
        client = (s_client_t *) zmalloc (sizeof (s_client_t));
        client->tokens = self->rate;
        client->refilled_us = slot->received_us;
        zhashx_insert (self->clients, slot->client, client);
    }
    if (self->max_in_flight && client->in_flight >= self->max_in_flight)
        return shr_error_set (err, SHR_RESOURCE_EXHAUSTED, "",
                              "%s has %d requests waiting, the most one client may have "
                              "(SHR_CLIENT_MAX_IN_FLIGHT): wait for their replies",
                              slot->actor, client->in_flight);
    if (self->rate) {
        //  A bucket of one second's worth, refilled at the rate.
        double elapsed = (double) (slot->received_us - client->refilled_us) / 1e6;
        client->tokens = client->tokens + elapsed * self->rate;
        if (client->tokens > self->rate)
            client->tokens = self->rate;
        client->refilled_us = slot->received_us;
        if (client->tokens < 1)
            return shr_error_set (err, SHR_RESOURCE_EXHAUSTED, "",
                                  "%s sends more than %d requests a second (SHR_CLIENT_RATE): "
                                  "slow down and retry", slot->actor, self->rate);
        client->tokens -= 1;
    }
    client->in_flight++;
    slot->counted = true;
    return 0;
}

//  A reply left: the client has one request less waiting.
static void s_count_out (shr_server_t *self, const char *client_key)
{
    s_client_t *client = client_key ? (s_client_t *) zhashx_lookup (self->clients, client_key)
                                    : NULL;
    if (client && client->in_flight > 0)
        client->in_flight--;
    //  Forget a client with nothing waiting and a full bucket: it costs nothing.
    if (client && client->in_flight == 0 && client->tokens >= self->rate)
        zhashx_delete (self->clients, client_key);
}

//  Receives one message into slot: splits the routing envelope from the request
//  frame and decodes it. A problem becomes the slot's error reply.
static void s_receive (shr_server_t *self, zmsg_t *msg, s_slot_t *slot)
{
    memset (slot, 0, sizeof *slot);
    slot->received_us = shr_time_mono_us ();
    slot->route = zmsg_new ();
    zframe_t *identity = zmsg_pop (msg);
    zmsg_append (slot->route, &identity);
    zframe_t *first = zmsg_first (msg);
    if (first && zframe_size (first) == 0) {
        zframe_t *delimiter = zmsg_pop (msg);
        zmsg_append (slot->route, &delimiter);
    }
    shr_error_t err;
    size_t frames = zmsg_size (msg);
    if (frames != 1) {
        shr_error_set (&err, SHR_INVALID_ARGUMENT, "",
                       "a request is one JSON frame after an empty delimiter frame; got %zu frames",
                       frames);
        s_fail (slot, &err);
        return;
    }
    zframe_t *frame = zmsg_first (msg);
    //  Decoded first, so that even a refusal echoes the request's id.
    if (shr_request_decode (&slot->req, zframe_data (frame), zframe_size (frame), self->schemas,
                            "envelope/request.json", &err)
        || s_identify (self, slot, frame, zmsg_first (slot->route), &err)
        || s_admit (self, slot, &err)) {
        s_fail (slot, &err);
        return;
    }
    slot->op = (s_op_t *) zhashx_lookup (self->ops, slot->req.op);
    if (!slot->op) {
        shr_error_set (&err, SHR_UNIMPLEMENTED, "/op", "unknown op '%s'; sys.ops lists the ops",
                       slot->req.op);
        s_fail (slot, &err);
        return;
    }
    if (self->keys && slot->op->roles && !shr_keys_role_allows (s_roles (self, slot), slot->op->roles)) {
        shr_error_set (&err, SHR_PERMISSION_DENIED, "/op", "%s needs the role %s; %s has %s",
                       slot->req.op, slot->op->roles_text, slot->actor,
                       *s_roles (self, slot) ? s_roles (self, slot) : "no role");
        s_fail (slot, &err);
        return;
    }
    shr_schema_error_t schema_err;
    if (shr_schema_validate (self->schemas, slot->op->request_schema, slot->req.body, "/body",
                             &schema_err)) {
        shr_error_set (&err, SHR_INVALID_ARGUMENT, schema_err.pointer, "%s %s", schema_err.pointer,
                       schema_err.message);
        s_fail (slot, &err);
    }
}

//  Looks up an earlier request with the same (op, idem). Returns 1 and sets the
//  slot's reply if it is a retry (or a reuse of the key, as an error), 0 if new,
//  -1 on a database error (err set).
static int s_idempotent_replay (shr_server_t *self, s_slot_t *slot, int64_t hash, shr_error_t *err)
{
    sqlite3_stmt *stmt = shr_store_stmt (
        self->store, "SELECT request_hash, reply FROM shr_idempotency WHERE op = ? AND key = ?");
    if (!stmt)
        return shr_error_set (err, SHR_INTERNAL, "", "database error: %s",
                              shr_store_errmsg (self->store));
    sqlite3_bind_text (stmt, 1, slot->req.op, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 2, slot->req.idem, -1, SQLITE_STATIC);
    int rc = sqlite3_step (stmt);
    if (rc == SQLITE_DONE) {
        sqlite3_reset (stmt);
        return 0;
    }
    if (rc != SQLITE_ROW) {
        sqlite3_reset (stmt);
        return shr_error_set (err, SHR_INTERNAL, "", "database error: %s",
                              shr_store_errmsg (self->store));
    }
    if (sqlite3_column_int64 (stmt, 0) == hash)
        slot->reply
            = shr_reply_encode_ok_text (slot->req.id, (const char *) sqlite3_column_text (stmt, 1));
    else {
        shr_error_set (err, SHR_INVALID_ARGUMENT, "/idem",
                       "idempotency key '%s' was already used for a different %s request",
                       slot->req.idem, slot->req.op);
        s_fail (slot, err);
    }
    sqlite3_reset (stmt);
    return 1;
}

static int s_remember (shr_server_t *self, s_slot_t *slot, int64_t hash, const char *reply,
                       int64_t now_ms)
{
    sqlite3_stmt *stmt = shr_store_stmt (self->store,
                                         "INSERT INTO shr_idempotency (op, key, request_hash, "
                                         "reply, created_ms) VALUES (?, ?, ?, ?, ?)");
    if (!stmt)
        return -1;
    sqlite3_bind_text (stmt, 1, slot->req.op, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 2, slot->req.idem, -1, SQLITE_STATIC);
    sqlite3_bind_int64 (stmt, 3, hash);
    sqlite3_bind_text (stmt, 4, reply, -1, SQLITE_STATIC);
    sqlite3_bind_int64 (stmt, 5, now_ms);
    return shr_store_step_done (stmt);
}

//  Calls the op's handler; on success *reply_p is the reply body as JSON text
//  (caller frees). Returns 0, or -1 with the call failed.
static int s_call_handler (shr_call_t *call, s_op_t *op, const cJSON *body, char **reply_p)
{
    if (op->def)
        return shr_call_op (call, op->def, body, reply_p);
    cJSON *reply = NULL;
    if (op->handler (call, body, &reply))
        return -1;
    *reply_p = reply ? shr_json_print (reply) : strdup ("{}");
    cJSON_Delete (reply);
    return *reply_p ? 0 : shr_call_fail (call, SHR_INTERNAL, NULL, "out of memory");
}

//  What a request's piece of the unit of work needs.
typedef struct {
    shr_server_t *server;
    s_slot_t *slot;
    char *reply;      //  the reply body, JSON text
    bool replayed;    //  an idempotent retry: slot->reply is set already
} s_piece_t;

//  One request, inside its savepoint: an idempotent retry gets the first reply;
//  otherwise the handler runs, its reply is checked if asked, and remembered
//  under the idempotency key in the same transaction.
static int s_run_request (shr_call_t *call, void *arg)
{
    s_piece_t *piece = (s_piece_t *) arg;
    shr_server_t *self = piece->server;
    s_slot_t *slot = piece->slot;
    s_op_t *op = slot->op;
    bool writes = !(op->flags & SHR_OP_READ);
    int64_t hash = 0;
    if (writes && slot->req.idem) {
        char *body_text = shr_json_print (slot->req.body);
        hash = s_hash (body_text ? body_text : "");
        free (body_text);
        int found = s_idempotent_replay (self, slot, hash, &call->error);
        if (found)
            piece->replayed = found > 0 && !slot->failed;
        if (found < 0 || slot->failed)
            return -1;
        if (found)
            return 0;
    }
    if (s_call_handler (call, op, slot->req.body, &piece->reply))
        return -1;
    if (self->check_replies && !(op->flags & SHR_OP_RAW_REPLY)) {
        cJSON *reply = cJSON_Parse (piece->reply);
        shr_schema_error_t schema_err = {"", "the reply is not JSON"};
        int invalid = reply ? shr_schema_validate (self->schemas, op->reply_schema, reply, "/body",
                                                   &schema_err)
                            : 1;
        cJSON_Delete (reply);
        if (invalid) {
            shr_log_error ("%s: reply does not match %s: %s %s", op->name, op->reply_schema,
                           schema_err.pointer, schema_err.message);
            return shr_call_fail (call, SHR_INTERNAL, NULL, "reply does not match %s: %s %s",
                                  op->reply_schema, schema_err.pointer, schema_err.message);
        }
    }
    if (writes && slot->req.idem && s_remember (self, slot, hash, piece->reply, call->now_ms))
        return shr_call_db_error (call);
    return 0;
}

//  Runs a decoded request inside the open transaction.
static void s_execute (shr_server_t *self, s_slot_t *slot)
{
    s_op_t *op = slot->op;
    shr_call_t call = {.arg = op->arg,
                       .now_ms = self->clock (self->clock_arg),
                       .op = op->name,
                       .id = slot->req.id,
                       .actor = slot->actor};
    s_piece_t piece = {self, slot, NULL, false};
    slot->in_transaction = true;
    int rc = shr_work_run (self->work, &call, op->flags & SHR_OP_READ, s_run_request, &piece);
    if (rc == 0 && !piece.replayed)
        slot->reply = shr_reply_encode_ok_text (slot->req.id, piece.reply);
    else if (rc != 0 && !slot->failed) {
        if (call.error.code == SHR_INTERNAL)
            shr_log_error ("%s (id %s): %s", op->name, slot->req.id ? slot->req.id : "-",
                           call.error.message);
        s_fail (slot, &call.error);
    }
    free (piece.reply);
}

//  Sends the slot's reply: after the commit it depends on, which is on disk.
static void s_send (shr_server_t *self, s_slot_t *slot)
{
    zmsg_t *reply = slot->route;
    slot->route = NULL;
    if (slot->reply)
        zmsg_addstr (reply, slot->reply);
    else
        zmsg_addstr (reply, "{\"v\":1,\"id\":null,\"ok\":false,\"error\":{\"code\":\"internal\","
                            "\"message\":\"out of memory\"}}");
    zmsg_send (&reply, self->router);
    shr_stats_record (self->stats, slot->op ? slot->op->name : "(invalid)",
                      shr_time_mono_us () - slot->received_us, slot->failed);
    if (slot->counted)
        s_count_out (self, slot->client);
}

int shr_server_handle (shr_server_t *self)
{
    int count = 0;
    zmsg_t *msg;
    while (count < SHR_SERVER_MAX_BATCH && (msg = zmsg_recv (self->router))) {
        s_receive (self, msg, &self->slots[count++]);
        zmsg_destroy (&msg);
    }
    for (int i = 0; i < count; i++) {
        s_slot_t *slot = &self->slots[i];
        if (slot->failed)
            continue;
        if (!shr_work_open (self->work) && shr_work_begin (self->work)) {
            shr_error_t err;
            shr_error_set (&err, SHR_UNAVAILABLE, "", "cannot start a transaction: %s",
                           shr_store_errmsg (self->store));
            s_fail (slot, &err);
            continue;
        }
        s_execute (self, slot);
    }
    char reason[512];
    if (shr_work_commit (self->work, reason, sizeof reason)) {
        //  Nothing of this batch happened: every reply that depended on it says so.
        shr_error_t err;
        shr_error_set (&err, SHR_UNAVAILABLE, "", "the change could not be committed (%s); "
                       "nothing was changed, retry later", reason);
        shr_log_error ("commit failed: %s", reason);
        for (int i = 0; i < count; i++)
            if (self->slots[i].in_transaction)
                s_fail (&self->slots[i], &err);
    }
    for (int i = 0; i < count; i++) {
        s_send (self, &self->slots[i]);
        shr_request_reset (&self->slots[i].req);
        free (self->slots[i].reply);
        free (self->slots[i].actor);
        free (self->slots[i].client);
    }
    shr_work_publish (self->work);
    if (count)
        shr_stats_add (self->stats, "batches", 1);
    return count;
}
