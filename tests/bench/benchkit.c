/*  benchkit - raw limits, processes, load, interleaved comparisons. See benchkit.h. */
#include "benchkit.h"

#include <ctype.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <spawn.h>
#include <sys/statfs.h>
#include <sys/wait.h>

extern char **environ;

#define REQUEST_SIZE 4096
#define MAX_CHILDREN 32
#define WARMUP_SECONDS 0.3
//  Between two steps of a comparison: long enough for the server that just
//  ran to finish what it does after a burst (libshared's checkpointer wakes
//  every 200 ms), so that it does not run into the other side's step.
#define SETTLE_MS 250

static pid_t s_children[MAX_CHILDREN];
static int s_child_count;
static char s_work[512];
static char s_self[512];
static const char *s_fs_name = "?";
static double s_fsync_append_us, s_fsync_overwrite_us;

//  ---------------------------------------------------------------------------
//  Raw servers

static void s_serve_echo (const char *endpoint)
{
    void *ctx = zmq_ctx_new ();
    void *rep = zmq_socket (ctx, ZMQ_REP);
    zmq_bind (rep, endpoint);
    char buf[REQUEST_SIZE];
    while (true) {
        int size = zmq_recv (rep, buf, sizeof buf, 0);
        if (size < 0) break;
        zmq_send (rep, buf, (size_t)(size < (int)sizeof buf ? size : (int)sizeof buf), 0);
    }
}

//  A raw server's loop: each request (one frame after the delimiter) parsed
//  with cJSON, answered by answer into reply (its length returned), sent back.
typedef int (s_answer_fn) (const cJSON *request, char *reply, size_t size, void *state);
static void s_serve_router (const char *endpoint, s_answer_fn *answer, void *state)
{
    void *ctx = zmq_ctx_new ();
    void *router = zmq_socket (ctx, ZMQ_ROUTER);
    zmq_bind (router, endpoint);
    char identity[256], buf[REQUEST_SIZE], reply[512];
    while (true) {
        int id_size = zmq_recv (router, identity, sizeof identity, 0);
        zmq_recv (router, buf, sizeof buf, 0); //  the delimiter
        int size = zmq_recv (router, buf, sizeof buf - 1, 0);
        if (id_size < 0 || size < 0) break;
        cJSON *request = cJSON_ParseWithLength (buf, (size_t)size);
        int length = answer (request, reply, sizeof reply, state);
        cJSON_Delete (request);
        zmq_send (router, identity, (size_t)id_size, ZMQ_SNDMORE);
        zmq_send (router, "", 0, ZMQ_SNDMORE);
        zmq_send (router, reply, (size_t)length, 0);
    }
}

static const char *s_field (const cJSON *object, const char *name)
{
    return cJSON_GetStringValue (cJSON_GetObjectItem (object, name));
}

//  The bare durable command: what any service must at least do per request.
//  The two durabilities differ in the synchronous pragma alone, so that each
//  ratio compares like with like: with full, every COMMIT fsyncs the WAL (one
//  fsync per request); with normal, only checkpoints sync. Checkpoints are
//  SQLite's own (every 1000 WAL pages, in the committing call): the least a
//  service would write.
typedef struct {
    sqlite3_stmt *insert, *begin, *commit;
} s_durable_t;

static int s_answer_durable (const cJSON *request, char *reply, size_t size, void *state)
{
    s_durable_t *self = (s_durable_t *)state;
    const cJSON *body = cJSON_GetObjectItem (request, "body");
    sqlite3_step (self->begin);
    sqlite3_reset (self->begin);
    sqlite3_bind_text (self->insert, 1, s_field (body, "id"), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64 (self->insert, 2,
                        (int64_t)cJSON_GetNumberValue (cJSON_GetObjectItem (body, "value")));
    int rc = sqlite3_step (self->insert);
    sqlite3_reset (self->insert);
    int commit_rc = sqlite3_step (self->commit);
    sqlite3_reset (self->commit);
    return snprintf (reply, size, "{\"v\":1,\"id\":\"%s\",\"ok\":%s}", s_field (request, "id"),
                     rc == SQLITE_DONE && commit_rc == SQLITE_DONE ? "true" : "false");
}

static void s_serve_durable (const char *endpoint, const char *path, bool full)
{
    sqlite3 *db;
    sqlite3_open (path, &db);
    sqlite3_exec (db,
                  full ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                       : "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                  NULL, NULL, NULL);
    sqlite3_exec (db, "CREATE TABLE IF NOT EXISTS item (id TEXT PRIMARY KEY, value INTEGER)", NULL,
                  NULL, NULL);
    s_durable_t self;
    sqlite3_prepare_v2 (db, "INSERT INTO item (id, value) VALUES (?, ?)", -1, &self.insert, NULL);
    sqlite3_prepare_v2 (db, "BEGIN IMMEDIATE", -1, &self.begin, NULL);
    sqlite3_prepare_v2 (db, "COMMIT", -1, &self.commit, NULL);
    s_serve_router (endpoint, s_answer_durable, &self);
}

//  The bare read: what any service must at least do to answer a get. The
//  table is filled once at start (BENCH_READ_ROWS rows); then each request is
//  parsed with cJSON, one row is read by its primary key (autocommit, no
//  transaction of its own: a read takes no lock a writer waits for) and the
//  reply carries it as JSON.
static int s_answer_read (const cJSON *request, char *reply, size_t size, void *state)
{
    sqlite3_stmt *select = (sqlite3_stmt *)state;
    sqlite3_bind_text (select, 1, s_field (cJSON_GetObjectItem (request, "body"), "id"), -1,
                       SQLITE_TRANSIENT);
    int length;
    if (sqlite3_step (select) == SQLITE_ROW)
        length = snprintf (reply, size,
                           "{\"v\":1,\"id\":\"%s\",\"ok\":true,\"body\":{\"id\":\"%s\","
                           "\"value\":%d,\"note\":\"%s\"}}",
                           s_field (request, "id"), (const char *)sqlite3_column_text (select, 0),
                           sqlite3_column_int (select, 1),
                           (const char *)sqlite3_column_text (select, 2));
    else
        length = snprintf (reply, size, "{\"v\":1,\"id\":\"%s\",\"ok\":false}",
                           s_field (request, "id"));
    sqlite3_reset (select);
    return length;
}

static void s_serve_read (const char *endpoint, const char *path)
{
    sqlite3 *db;
    sqlite3_open (path, &db);
    sqlite3_exec (db,
                  "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                  "CREATE TABLE IF NOT EXISTS item (id TEXT PRIMARY KEY, value INTEGER, note TEXT);"
                  "BEGIN",
                  NULL, NULL, NULL);
    sqlite3_stmt *insert, *select;
    sqlite3_prepare_v2 (db, "INSERT OR REPLACE INTO item VALUES (?, ?, 'a row to read back')", -1,
                        &insert, NULL);
    for (int i = 0; i < BENCH_READ_ROWS; i++) {
        char id[32];
        snprintf (id, sizeof id, "item-%d", i);
        sqlite3_bind_text (insert, 1, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int (insert, 2, i);
        sqlite3_step (insert);
        sqlite3_reset (insert);
    }
    sqlite3_finalize (insert);
    sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
    sqlite3_prepare_v2 (db, "SELECT id, value, note FROM item WHERE id = ?", -1, &select, NULL);
    s_serve_router (endpoint, s_answer_read, select);
}

void bench_serve_if_asked (int argc, char **argv)
{
    if (argc >= 4 && streq (argv[1], "--serve-read")) {
        s_serve_read (argv[2], argv[3]);
        exit (0);
    }
    if (argc >= 3 && streq (argv[1], "--serve-echo")) {
        s_serve_echo (argv[2]);
        exit (0);
    }
    if (argc >= 4 && streq (argv[1], "--serve-durable")) {
        s_serve_durable (argv[2], argv[3], argc >= 5 && streq (argv[4], "full"));
        exit (0);
    }
}

//  ---------------------------------------------------------------------------
//  Processes and the scratch folder

static void s_cleanup (void)
{
    for (int i = 0; i < s_child_count; i++)
        if (s_children[i] > 0 && kill (s_children[i], SIGTERM) == 0)
            waitpid (s_children[i], NULL, 0);
    if (*s_work) {
        char *command = zsys_sprintf ("rm -rf '%s'", s_work);
        if (system (command) != 0) fprintf (stderr, "bench: cannot remove %s\n", s_work);
        zstr_free (&command);
    }
}

static const char *s_fs_type_name (long type)
{
    switch (type) {
    case 0xEF53:
        return "ext2/3/4";
    case 0x01021994:
        return "tmpfs";
    case 0x858458f6:
        return "ramfs";
    case 0x58465342:
        return "xfs";
    case 0x9123683e:
        return "btrfs";
    case 0x794c7630:
        return "overlayfs";
    case 0x6969:
        return "nfs";
    default:
        return "other";
    }
}

static bool s_in_memory (const char *dir, long *type)
{
    struct statfs fs;
    if (statfs (dir, &fs)) return false;
    *type = (long)fs.f_type;
    return fs.f_type == 0x01021994 || fs.f_type == 0x858458f6;
}

static int s_compare_double (const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

void bench_sort_doubles (double *values, size_t count)
{
    qsort (values, count, sizeof (double), s_compare_double);
}

//  Median microseconds of writing 4 KiB and fdatasync'ing it, either at the
//  end of the file (the size changes: the filesystem journals it, as when a
//  WAL grows) or over blocks already there (as when a WAL is reused).
static double s_sync_cost_us (const char *path, bool append)
{
    enum { SAMPLES = 40, BLOCK = 4096 };
    int fd = open (path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) return -1;
    char block[BLOCK];
    memset (block, 'x', sizeof block);
    if (!append) {
        for (int i = 0; i < SAMPLES; i++)
            if (pwrite (fd, block, sizeof block, (off_t)i * BLOCK) != BLOCK) break;
        fsync (fd);
    }
    double samples[SAMPLES];
    for (int i = 0; i < SAMPLES; i++) {
        int64_t start = shr_time_mono_us ();
        off_t at = (off_t)(append ? SAMPLES + i : i) * BLOCK;
        if (pwrite (fd, block, sizeof block, at) != BLOCK || fdatasync (fd)) {
            close (fd);
            return -1;
        }
        samples[i] = (double)(shr_time_mono_us () - start);
    }
    close (fd);
    unlink (path);
    qsort (samples, SAMPLES, sizeof (double), s_compare_double);
    return samples[SAMPLES / 2];
}

const char *bench_init (const char *name)
{
    ssize_t length = readlink ("/proc/self/exe", s_self, sizeof s_self - 1);
    s_self[length > 0 ? length : 0] = 0;
    //  The scratch folder must be on a real disk: on tmpfs an fsync costs
    //  nothing and the full-durability figures would mean nothing.
    char beside[512];
    snprintf (beside, sizeof beside, "%s", s_self);
    const char *candidates[] = {getenv ("BENCH_DIR"), "/tmp", dirname (beside)};
    long type = 0;
    const char *parent = NULL;
    for (size_t i = 0; i < sizeof candidates / sizeof *candidates && !parent; i++) {
        if (!candidates[i] || !*candidates[i] || zsys_dir_create ("%s", candidates[i])) continue;
        if (s_in_memory (candidates[i], &type))
            fprintf (stderr, "bench: %s is in memory (%s), not a disk: not there\n", candidates[i],
                     s_fs_type_name (type));
        else
            parent = candidates[i];
    }
    if (!parent) {
        fprintf (stderr, "bench: no scratch folder on a disk; set BENCH_DIR\n");
        exit (1);
    }
    snprintf (s_work, sizeof s_work, "%s/%s.%d", parent, name, getpid ());
    zsys_dir_create ("%s", s_work);
    s_in_memory (s_work, &type);
    s_fs_name = s_fs_type_name (type);
    atexit (s_cleanup);
    zsys_init ();
    shr_log_init ("bench", "warn");
    char probe[600];
    snprintf (probe, sizeof probe, "%s/sync-probe", s_work);
    s_fsync_append_us = s_sync_cost_us (probe, true);
    s_fsync_overwrite_us = s_sync_cost_us (probe, false);
    printf ("%s: scratch %s (%s); 4 KiB + fdatasync there: %.0f us appended, %.0f us "
            "overwritten; %ld cores\n",
            name, s_work, s_fs_name, s_fsync_append_us, s_fsync_overwrite_us,
            sysconf (_SC_NPROCESSORS_ONLN));
    fflush (stdout);
    return s_work;
}

const char *bench_scratch_fs (void)
{
    return s_fs_name;
}

double bench_fsync_us (void)
{
    return s_fsync_append_us;
}

pid_t bench_spawn (char *const argv[], char *const extra_env[])
{
    size_t ours = 0, extra = 0;
    while (environ[ours])
        ours++;
    while (extra_env && extra_env[extra])
        extra++;
    //  Extra first: getenv finds the first of two same names, so ours (e.g. an
    //  SHR_SYNC in the caller's shell) cannot override what the benchmark asks.
    //  Then plaintext unless asked: the raw loops are plaintext too, and the
    //  cost of CURVE is measured on its own (bench_platform).
    char **envp = (char **)calloc (ours + extra + 2, sizeof (char *));
    memcpy (envp, extra_env, extra * sizeof (char *));
    envp[extra] = (char *) "SHR_CURVE=off";
    memcpy (envp + extra + 1, environ, ours * sizeof (char *));
    pid_t pid;
    int rc = posix_spawn (&pid, argv[0], NULL, NULL, argv, envp);
    free (envp);
    if (rc != 0) {
        fprintf (stderr, "bench: cannot start %s: %s\n", argv[0], strerror (rc));
        exit (1);
    }
    if (s_child_count < MAX_CHILDREN) s_children[s_child_count++] = pid;
    return pid;
}

void bench_stop (pid_t pid)
{
    kill (pid, SIGTERM);
    waitpid (pid, NULL, 0);
    for (int i = 0; i < s_child_count; i++)
        if (s_children[i] == pid) s_children[i] = 0;
}

pid_t bench_start_service_at (const char *bin_dir, const char *service, const char *data_name,
                              const char *sync, const char *api, const char *events,
                              char *const *extra_env)
{
    //  The extra first: of two same names, getenv finds the first.
    char *env[64];
    int n = 0;
    for (int i = 0; extra_env && extra_env[i] && n < 32; i++)
        env[n++] = strdup (extra_env[i]);
    env[n++] = zsys_sprintf ("BIND_API=%s", api);
    env[n++] = zsys_sprintf ("BIND_EVENTS=%s", events);
    env[n++] = zsys_sprintf ("DATA_DIR=%s/%s", s_work, data_name);
    env[n++] = zsys_sprintf ("LOG_LEVEL=warn");
    env[n++] = zsys_sprintf ("SHR_SYNC=%s", sync);
    //  Every other service is somewhere nobody listens, not at its default
    //  port, where someone's may run: a consumer asks in vain and follows nothing.
    for (size_t i = 0; shr_config_known_service (i) && n < 61; i++) {
        const char *other = shr_config_known_service (i);
        if (streq (other, service))
            continue;
        char *upper = strdup (other);
        for (char *c = upper; *c; c++)
            *c = *c == '-' ? '_' : (char)toupper ((unsigned char)*c);
        char *nowhere = bench_endpoint ();
        env[n++] = zsys_sprintf ("%s_API=%s", upper, nowhere);
        env[n++] = zsys_sprintf ("%s_EVENTS=%s", upper, nowhere);
        zstr_free (&nowhere);
        free (upper);
    }
    env[n] = NULL;
    char *path = zsys_sprintf ("%s/%s", bin_dir, service);
    char *argv[] = {path, NULL};
    pid_t pid = bench_spawn (argv, env);
    for (int i = 0; i < n; i++)
        free (env[i]);
    free (path);
    bench_wait_ready (api, 20000);
    //  A figure is only worth its durability: check the service runs the one asked.
    cJSON *health = bench_call (api, "sys.health", NULL, 5000);
    const char *durability = cJSON_GetStringValue (cJSON_GetObjectItem (health, "durability"));
    if (!durability || !streq (durability, sync)) {
        fprintf (stderr, "bench: %s runs durability %s, not %s\n", service,
                 durability ? durability : "(not said)", sync);
        exit (1);
    }
    cJSON_Delete (health);
    return pid;
}

pid_t bench_start_service_env (const char *bin_dir, const char *service, const char *data_name,
                               const char *sync, char *const extra_env[], char **api)
{
    *api = bench_endpoint ();
    char *events = bench_endpoint ();
    pid_t pid = bench_start_service_at (bin_dir, service, data_name, sync, *api, events, extra_env);
    zstr_free (&events);
    return pid;
}

pid_t bench_start_service (const char *bin_dir, const char *service, const char *data_name,
                           const char *sync, char **api)
{
    return bench_start_service_env (bin_dir, service, data_name, sync, NULL, api);
}

void bench_sql (sqlite3 *db, const char *sql, const bench_param_t *params)
{
    sqlite3_stmt *stmt;
    if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK) {
        fprintf (stderr, "bench: %s\n  in: %.300s\n", sqlite3_errmsg (db), sql);
        exit (1);
    }
    for (size_t i = 0; params && params[i].name; i++) {
        int index = sqlite3_bind_parameter_index (stmt, params[i].name);
        if (index)
            sqlite3_bind_int64 (stmt, index, params[i].value);
    }
    int rc;
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        ;
    if (rc != SQLITE_DONE) {
        fprintf (stderr, "bench: %s\n  in: %.300s\n", sqlite3_errmsg (db), sql);
        exit (1);
    }
    sqlite3_finalize (stmt);
}

void bench_pipeline (const char *endpoint, int count, char *(*make) (int n))
{
    zsock_t *dealer = zsock_new_dealer (endpoint);
    int sent = 0, received = 0;
    while (received < count) {
        while (sent < count && sent - received < 100) {
            char *request = make (sent++);
            zmsg_t *msg = zmsg_new ();
            zmsg_addmem (msg, NULL, 0);
            zmsg_addstr (msg, request);
            zmsg_send (&msg, dealer);
            free (request);
        }
        zmsg_t *reply = zmsg_recv (dealer);
        char *text = reply ? zframe_strdup (zmsg_last (reply)) : NULL;
        if (!text || !strstr (text, "\"ok\":true")) {
            fprintf (stderr, "bench: request failed: %s\n", text ? text : "no reply");
            exit (1);
        }
        zstr_free (&text);
        zmsg_destroy (&reply);
        received++;
    }
    zsock_destroy (&dealer);
}

char *bench_endpoint (void)
{
    zsock_t *probe = zsock_new (ZMQ_PAIR);
    int port = zsock_bind (probe, "tcp://127.0.0.1:![20000-30000]");
    zsock_destroy (&probe);
    return zsys_sprintf ("tcp://127.0.0.1:%d", port);
}

//  ---------------------------------------------------------------------------
//  CURVE

#define MAX_SECURED 8

//  An endpoint whose service speaks CURVE, with what a client needs for it.
typedef struct {
    char *endpoint;
    char *service;
    char *dir;
    char server_key[41]; //  Z85 public keys and secret, as libzmq's options take them
    char public_key[41];
    char secret_key[41];
    shr_keys_t *keys; //  for shr_client, made on first use
} s_secured_t;

static s_secured_t s_secured[MAX_SECURED];
static int s_secured_count;

static zcert_t *s_cert_load (const char *path)
{
    zcert_t *cert = zcert_load (path);
    if (!cert) {
        fprintf (stderr, "bench: cannot load the certificate %s\n", path);
        exit (1);
    }
    return cert;
}

void bench_secure (const char *endpoint, const char *dir, const char *service)
{
    assert (s_secured_count < MAX_SECURED);
    s_secured_t *entry = &s_secured[s_secured_count++];
    *entry = (s_secured_t){
        .endpoint = strdup (endpoint), .service = strdup (service), .dir = strdup (dir)};
    char *server_path = zsys_sprintf ("%s/%s.key", dir, service);
    char *client_path = zsys_sprintf ("%s/clients/admin.key_secret", dir);
    zcert_t *server = s_cert_load (server_path);
    zcert_t *client = s_cert_load (client_path);
    snprintf (entry->server_key, sizeof entry->server_key, "%s", zcert_public_txt (server));
    snprintf (entry->public_key, sizeof entry->public_key, "%s", zcert_public_txt (client));
    snprintf (entry->secret_key, sizeof entry->secret_key, "%s", zcert_secret_txt (client));
    zcert_destroy (&server);
    zcert_destroy (&client);
    zstr_free (&server_path);
    zstr_free (&client_path);
}

static s_secured_t *s_secured_find (const char *endpoint)
{
    for (int i = 0; i < s_secured_count; i++)
        if (streq (s_secured[i].endpoint, endpoint)) return &s_secured[i];
    return NULL;
}

//  A REQ socket connected to endpoint, a CURVE client if it is secured.
static void *s_req_connect (const char *endpoint)
{
    void *req = zmq_socket (zsys_init (), ZMQ_REQ);
    zmq_setsockopt (req, ZMQ_LINGER, &(int){0}, sizeof (int));
    s_secured_t *secured = s_secured_find (endpoint);
    if (secured) {
        zmq_setsockopt (req, ZMQ_CURVE_SERVERKEY, secured->server_key, 40);
        zmq_setsockopt (req, ZMQ_CURVE_PUBLICKEY, secured->public_key, 40);
        zmq_setsockopt (req, ZMQ_CURVE_SECRETKEY, secured->secret_key, 40);
    }
    zmq_connect (req, endpoint);
    return req;
}

//  Their ZAP handler stops before czmq's own atexit shuts the context down.
static void s_secured_destroy (void)
{
    for (int i = 0; i < s_secured_count; i++)
        shr_keys_destroy (&s_secured[i].keys);
}

//  An shr_client of endpoint, with its keys if it is secured.
static shr_client_t *s_client_new (const char *endpoint)
{
    char err_text[256];
    s_secured_t *secured = s_secured_find (endpoint);
    if (secured && !secured->keys) {
        static bool registered;
        if (!registered) atexit (s_secured_destroy); //  after zsys_init's: runs first
        registered = true;
        char *path = zsys_sprintf ("%s/clients/admin.key_secret", secured->dir);
        secured->keys = shr_keys_new (secured->dir, path, err_text, sizeof err_text);
        zstr_free (&path);
        if (!secured->keys) {
            fprintf (stderr, "bench: %s\n", err_text);
            exit (1);
        }
    }
    shr_client_t *client = shr_client_new (endpoint, secured ? secured->keys : NULL,
                                           secured ? secured->service : NULL, err_text,
                                           sizeof err_text);
    if (!client) {
        fprintf (stderr, "bench: %s\n", err_text);
        exit (1);
    }
    return client;
}

double bench_first_reply_us (const char *endpoint, int times)
{
    double *spans = (double *)calloc ((size_t)times, sizeof (double));
    const char *ping = "{\"v\":1,\"id\":\"1\",\"op\":\"sys.ping\",\"body\":{}}";
    for (int i = 0; i < times; i++) {
        int64_t start = shr_time_mono_us ();
        void *req = s_req_connect (endpoint);
        zmq_setsockopt (req, ZMQ_RCVTIMEO, &(int){5000}, sizeof (int));
        char reply[512];
        bool answered =
            bench_request (req, ping, reply, sizeof reply) >= 0 && strstr (reply, "\"ok\":true");
        spans[i] = (double)(shr_time_mono_us () - start);
        zmq_close (req);
        if (!answered) {
            fprintf (stderr, "bench: a new client of %s got no answer to sys.ping\n", endpoint);
            exit (1);
        }
    }
    double median = bench_spread (spans, times).median;
    free (spans);
    return median;
}

cJSON *bench_call (const char *endpoint, const char *op, const char *body_text, int timeout_ms)
{
    shr_client_t *client = s_client_new (endpoint);
    shr_client_set_timeout (client, timeout_ms, 0);
    cJSON *body = body_text ? cJSON_Parse (body_text) : NULL;
    shr_error_t err;
    cJSON *reply = shr_client_call (client, op, body, NULL, &err);
    cJSON_Delete (body);
    shr_client_destroy (&client);
    if (!reply) {
        fprintf (stderr, "bench: %s on %s: %s: %s\n", op, endpoint, shr_code_name (err.code),
                 err.message);
        exit (1);
    }
    return reply;
}

void bench_wait_ready (const char *endpoint, int timeout_ms)
{
    shr_client_t *client = s_client_new (endpoint);
    shr_client_set_timeout (client, 200, timeout_ms / 200);
    shr_error_t err;
    cJSON *reply = shr_client_call (client, "sys.ping", NULL, NULL, &err);
    shr_client_destroy (&client);
    if (!reply) {
        fprintf (stderr, "bench: %s did not answer: %s\n", endpoint, err.message);
        exit (1);
    }
    cJSON_Delete (reply);
}

int64_t bench_number (const cJSON *body, const char *name)
{
    return (int64_t)cJSON_GetNumberValue (cJSON_GetObjectItem (body, name));
}

long bench_rss_kb (pid_t pid)
{
    char path[64], line[256];
    snprintf (path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *file = fopen (path, "r");
    long kb = -1;
    while (file && fgets (line, sizeof line, file))
        if (strncmp (line, "VmRSS:", 6) == 0) kb = atol (line + 6);
    if (file) fclose (file);
    return kb;
}

//  ---------------------------------------------------------------------------
//  Load

typedef struct {
    const char *endpoint;
    int client;
    double rate;
    int64_t until_us;
    bench_unit_fn *unit;
    void *arg;
    int64_t *latencies;
    size_t count;
    size_t capacity;
    bool failed;
} s_client_t;

int bench_request (void *req, const char *request, char *reply, size_t size)
{
    if (zmq_send (req, request, strlen (request), 0) < 0) return -1;
    int length = zmq_recv (req, reply, size - 1, 0);
    if (length < 0) return -1;
    if ((size_t)length >= size) length = (int)size - 1;
    reply[length] = 0;
    return length;
}

static void *s_client_thread (void *args)
{
    s_client_t *self = (s_client_t *)args;
    void *req = s_req_connect (self->endpoint);
    int64_t interval_us = self->rate > 0 ? (int64_t)(1e6 / self->rate) : 0;
    int64_t next_us = shr_time_mono_us ();
    for (size_t n = 0; shr_time_mono_us () < self->until_us; n++) {
        if (interval_us) {
            int64_t wait = next_us - shr_time_mono_us ();
            if (wait > 0) {
                struct timespec pause = {wait / 1000000, (wait % 1000000) * 1000};
                nanosleep (&pause, NULL);
            }
            next_us += interval_us;
        }
        int64_t start = shr_time_mono_us ();
        if (self->unit (req, self->client, n, start, self->arg)) {
            self->failed = true;
            break;
        }
        if (self->count == self->capacity) {
            self->capacity = self->capacity ? self->capacity * 2 : 65536;
            self->latencies =
                (int64_t *)realloc (self->latencies, self->capacity * sizeof (int64_t));
        }
        self->latencies[self->count++] = shr_time_mono_us () - start;
    }
    zmq_close (req);
    return NULL;
}

static int s_compare (const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

bench_result_t bench_load (const char *endpoint, int clients, double seconds, double total_rate,
                           bench_unit_fn *unit, void *arg)
{
    pthread_t threads[BENCH_MAX_CLIENTS];
    s_client_t state[BENCH_MAX_CLIENTS];
    int64_t start = shr_time_mono_us ();
    for (int i = 0; i < clients; i++) {
        state[i] = (s_client_t){.endpoint = endpoint,
                                .client = i,
                                .rate = total_rate / clients,
                                .until_us = start + (int64_t)(seconds * 1e6),
                                .unit = unit,
                                .arg = arg};
        pthread_create (&threads[i], NULL, s_client_thread, &state[i]);
    }
    size_t total = 0;
    bool failed = false;
    for (int i = 0; i < clients; i++) {
        pthread_join (threads[i], NULL);
        failed = failed || state[i].failed;
        total += state[i].count;
    }
    if (failed) {
        fprintf (stderr, "bench: a client of %s failed\n", endpoint);
        exit (1);
    }
    double elapsed = (double)(shr_time_mono_us () - start) / 1e6;
    int64_t *all = (int64_t *)malloc ((total ? total : 1) * sizeof (int64_t));
    size_t at = 0;
    for (int i = 0; i < clients; i++) {
        memcpy (all + at, state[i].latencies, state[i].count * sizeof (int64_t));
        at += state[i].count;
        free (state[i].latencies);
    }
    qsort (all, total, sizeof (int64_t), s_compare);
    bench_result_t result = {(double)total / elapsed, total ? (double)all[total / 2] : 0,
                             total ? (double)all[(size_t)((double)total * 0.99)] : 0, total};
    free (all);
    return result;
}

void bench_load_if_asked (int argc, char **argv, const char *flag, bench_unit_fn *unit,
                          const char *units)
{
    if (argc < 5 || !streq (argv[1], flag)) return;
    double rate = argc >= 6 ? atof (argv[5]) : 0;
    bench_result_t result = bench_load (argv[2], atoi (argv[3]), atof (argv[4]), rate, unit, NULL);
    printf ("%.0f %s/s p50 %.0f us p99 %.0f us\n", result.per_second, units, result.p50_us,
            result.p99_us);
    exit (0);
}

void bench_compare_if_asked (int argc, char **argv, const char *flag, bench_unit_fn *unit)
{
    if (argc < 7 || !streq (argv[1], flag)) return;
    bench_side_t base = {.name = "base", .endpoint = argv[2], .unit = unit};
    bench_side_t ours = {.name = "ours", .endpoint = argv[3], .unit = unit};
    bench_compare_t compare =
        bench_compare (&base, &ours, atoi (argv[4]), atoi (argv[6]), atof (argv[5]));
    bench_compare_row ("ours against base", &compare);
    exit (0);
}

int bench_raw_unit (void *req, int client, size_t n, int64_t sent_us, void *arg)
{
    (void)arg;
    char request[256], reply[256];
    snprintf (request, sizeof request,
              "{\"v\":1,\"id\":\"%zu\",\"op\":\"item.create\",\"body\":{\"id\":\"raw%d-%zu-%lld\","
              "\"value\":1}}",
              n, client, n, (long long)sent_us);
    return bench_request (req, request, reply, sizeof reply) < 0 ? -1 : 0;
}

int bench_raw_read_unit (void *req, int client, size_t n, int64_t sent_us, void *arg)
{
    (void)arg;
    (void)sent_us;
    char request[256], reply[512];
    snprintf (request, sizeof request,
              "{\"v\":1,\"id\":\"%zu\",\"op\":\"item.get\",\"body\":{\"id\":\"item-%zu\"}}", n,
              ((size_t)client * 7919 + n * 31) % BENCH_READ_ROWS);
    if (bench_request (req, request, reply, sizeof reply) < 0) return -1;
    if (!strstr (reply, "\"ok\":true")) {
        fprintf (stderr, "bench: the raw read found nothing: %.200s\n", reply);
        return -1;
    }
    return 0;
}

//  Sends one raw request until it is answered: the server is up.
static void s_wait_raw (const char *endpoint)
{
    void *req = zmq_socket (zsys_init (), ZMQ_REQ);
    zmq_setsockopt (req, ZMQ_LINGER, &(int){0}, sizeof (int));
    zmq_setsockopt (req, ZMQ_RCVTIMEO, &(int){10000}, sizeof (int));
    zmq_connect (req, endpoint);
    int rc = bench_raw_unit (req, 0, 0, shr_time_mono_us (), NULL);
    zmq_close (req); //  before any exit: an open socket holds the context's shutdown
    if (rc) {
        fprintf (stderr, "bench: the raw server on %s did not answer\n", endpoint);
        exit (1);
    }
}

bench_server_t bench_raw_start (const char *kind)
{
    bench_server_t server = {0, bench_endpoint ()};
    if (streq (kind, "echo")) {
        char *argv[] = {s_self, "--serve-echo", server.endpoint, NULL};
        server.pid = bench_spawn (argv, NULL);
    } else if (streq (kind, "read")) {
        char *db = zsys_sprintf ("%s/raw-read.db", s_work);
        char *argv[] = {s_self, "--serve-read", server.endpoint, db, NULL};
        server.pid = bench_spawn (argv, NULL);
        zstr_free (&db);
    } else {
        bool full = streq (kind, "durable-full");
        if (!full && !streq (kind, "durable-normal")) {
            fprintf (stderr, "bench: no raw server %s\n", kind);
            exit (1);
        }
        char *db = zsys_sprintf ("%s/raw-%s.db", s_work, full ? "full" : "normal");
        char *argv[] = {s_self, "--serve-durable",        server.endpoint,
                        db,     full ? "full" : "normal", NULL};
        server.pid = bench_spawn (argv, NULL);
        zstr_free (&db);
    }
    s_wait_raw (server.endpoint);
    return server;
}

void bench_server_stop (bench_server_t *server)
{
    if (server->pid > 0) bench_stop (server->pid);
    server->pid = 0;
    zstr_free (&server->endpoint);
}

//  ---------------------------------------------------------------------------
//  Interleaved comparisons

//  The q-quantile of n sorted values, interpolated between the closest ranks
//  (with 7 rounds the quartiles fall on the 2nd and 6th values).
static double s_quantile (const double *sorted, int n, double q)
{
    double rank = (n - 1) * q;
    int below = (int)rank;
    int above = below < n - 1 ? below + 1 : below;
    return sorted[below] + (rank - below) * (sorted[above] - sorted[below]);
}

bench_spread_t bench_spread (const double *values, int count)
{
    bench_spread_t spread = {0};
    if (count <= 0) return spread;
    if (count > BENCH_MAX_ROUNDS) count = BENCH_MAX_ROUNDS;
    double sorted[BENCH_MAX_ROUNDS];
    memcpy (sorted, values, (size_t)count * sizeof (double));
    qsort (sorted, (size_t)count, sizeof (double), s_compare_double);
    spread.median = s_quantile (sorted, count, 0.5);
    spread.q1 = s_quantile (sorted, count, 0.25);
    spread.q3 = s_quantile (sorted, count, 0.75);
    spread.min = sorted[0];
    spread.max = sorted[count - 1];
    return spread;
}

static int s_per_unit (const bench_side_t *side)
{
    return side->requests_per_unit > 0 ? side->requests_per_unit : 1;
}

bench_compare_t bench_compare (const bench_side_t *base, const bench_side_t *ours, int clients,
                               int rounds, double seconds)
{
    bench_compare_t compare = {0};
    rounds = rounds < 1 ? 1 : rounds > BENCH_MAX_ROUNDS ? BENCH_MAX_ROUNDS : rounds;
    compare.rounds = rounds;
    compare.clients = clients;
    compare.seconds = seconds;
    compare.base_name = base->name;
    compare.ours_name = ours->name;
    compare.base_per_unit = s_per_unit (base);
    compare.ours_per_unit = s_per_unit (ours);
    fprintf (stderr, "bench: %s vs %s, %d clients, %d rounds of %.1f s each...\n", ours->name,
             base->name, clients, rounds, seconds);
    //  Connections, first pages of the tables, the servers' caches: not measured.
    bench_load (base->endpoint, clients, WARMUP_SECONDS, base->rate, base->unit, base->arg);
    zclock_sleep (SETTLE_MS);
    bench_load (ours->endpoint, clients, WARMUP_SECONDS, ours->rate, ours->unit, ours->arg);
    double base_rate[BENCH_MAX_ROUNDS], ours_rate[BENCH_MAX_ROUNDS];
    double base_p50[BENCH_MAX_ROUNDS], ours_p50[BENCH_MAX_ROUNDS];
    double base_p99[BENCH_MAX_ROUNDS], ours_p99[BENCH_MAX_ROUNDS];
    for (int round = 0; round < rounds; round++) {
        for (int turn = 0; turn < 2; turn++) {
            bool base_turn = (turn == 0) == (round % 2 == 0);
            const bench_side_t *side = base_turn ? base : ours;
            zclock_sleep (SETTLE_MS);
            bench_result_t result =
                bench_load (side->endpoint, clients, seconds, side->rate, side->unit, side->arg);
            if (base_turn)
                compare.base[round] = result;
            else
                compare.ours[round] = result;
        }
        base_rate[round] = compare.base[round].per_second * s_per_unit (base);
        ours_rate[round] = compare.ours[round].per_second * s_per_unit (ours);
        base_p50[round] = compare.base[round].p50_us;
        ours_p50[round] = compare.ours[round].p50_us;
        base_p99[round] = compare.base[round].p99_us;
        ours_p99[round] = compare.ours[round].p99_us;
        compare.round_ratio[round] = base_rate[round] > 0 ? ours_rate[round] / base_rate[round] : 0;
        compare.round_p99_ratio[round] =
            base_p99[round] > 0 ? ours_p99[round] / base_p99[round] : 0;
    }
    compare.base_rate = bench_spread (base_rate, rounds);
    compare.ours_rate = bench_spread (ours_rate, rounds);
    compare.base_p50 = bench_spread (base_p50, rounds);
    compare.ours_p50 = bench_spread (ours_p50, rounds);
    compare.base_p99 = bench_spread (base_p99, rounds);
    compare.ours_p99 = bench_spread (ours_p99, rounds);
    compare.ratio = bench_spread (compare.round_ratio, rounds);
    compare.p99_ratio = bench_spread (compare.round_p99_ratio, rounds);
    return compare;
}

const char *bench_thousands (double value, char *buf, size_t size)
{
    char digits[32];
    int length = snprintf (digits, sizeof digits, "%.0f", value < 0 ? -value : value);
    size_t at = 0;
    if (value < 0 && at + 1 < size) buf[at++] = '-';
    for (int i = 0; i < length && at + 1 < size; i++) {
        if (i > 0 && (length - i) % 3 == 0 && at + 1 < size) buf[at++] = ',';
        if (at + 1 < size) buf[at++] = digits[i];
    }
    buf[at] = 0;
    return buf;
}

void bench_compare_row (const char *what, const bench_compare_t *compare)
{
    char ours[32], base[32];
    printf ("  %-28s %7s/s p50 %5.0f p99 %6.0f us | %-21s %7s/s p99 %6.0f us | %5.2fx (%.2f-%.2f)",
            what, bench_thousands (compare->ours_rate.median, ours, sizeof ours),
            compare->ours_p50.median, compare->ours_p99.median, compare->base_name,
            bench_thousands (compare->base_rate.median, base, sizeof base),
            compare->base_p99.median, compare->ratio.median, compare->ratio.min,
            compare->ratio.max);
    //  A p99 ratio of a 4-request unit to a 1-request one would mean nothing.
    if (compare->base_per_unit == compare->ours_per_unit)
        printf ("  p99 %.2fx (%.2f-%.2f)", compare->p99_ratio.median, compare->p99_ratio.min,
                compare->p99_ratio.max);
    printf ("\n");
}

bool bench_target_line (const char *what, const char *base_name, const bench_compare_t *compare,
                        double target)
{
    char ours[32], base[32];
    bool met = compare->ratio.median >= target;
    int rounds_met = 0;
    for (int i = 0; i < compare->rounds; i++)
        rounds_met += compare->round_ratio[i] >= target;
    printf ("  %s, %d clients: %s/s vs %s %s/s: %.2fx (rounds %.2f-%.2fx, IQR %.2f-%.2fx, n=%d),"
            " target >= %.1fx: %s (%d of %d rounds)\n",
            what, compare->clients, bench_thousands (compare->ours_rate.median, ours, sizeof ours),
            base_name, bench_thousands (compare->base_rate.median, base, sizeof base),
            compare->ratio.median, compare->ratio.min, compare->ratio.max, compare->ratio.q1,
            compare->ratio.q3, compare->rounds, target, met ? "MET" : "NOT MET", rounds_met,
            compare->rounds);
    return met;
}

void bench_row (const char *what, bench_result_t result, double limit_per_second,
                const char *against)
{
    printf ("  %-44s %9.0f/s  p50 %6.0f us  p99 %6.0f us", what, result.per_second, result.p50_us,
            result.p99_us);
    if (against)
        printf ("   %5.2fx %s", limit_per_second > 0 ? result.per_second / limit_per_second : 0,
                against);
    printf ("\n");
}
