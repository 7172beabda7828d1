/*  bench_platform - libshared's request/reply and event figures, each next to the
    raw limit it is compared with, all measured in the same run.

    Raw limits (servers forked from this binary, so no libshared on their path):
      echo      a bare libzmq REQ/REP round trip over tcp loopback, no parsing
      durable   parse the JSON with cJSON, one SQLite insert in its own WAL
                transaction (synchronous=NORMAL), reply
      insert    SQLite inserts in transactions of 1000 rows (for the replay rate)
    The platform: the fixture service (build/bin/fixture), whose item.create is a
    durable command (validate, handler insert, outbox append, commit, reply,
    publish), and a second fixture process consuming its events.

    Usage: bench_platform BIN_DIR [SECONDS_PER_STEP]
*/
#include "shared.h"

#include <czmq.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

extern char **environ;

#define MAX_CLIENTS 16
#define REQUEST_SIZE 256

static double s_seconds = 3.0;
static const char *s_bin_dir;
static char s_work[256];
static int64_t s_base_us;  //  item values are monotonic microseconds since this base

//  ---------------------------------------------------------------------------
//  Raw servers, run in a child process of this binary

static void s_serve_echo (const char *endpoint)
{
    void *ctx = zmq_ctx_new ();
    void *rep = zmq_socket (ctx, ZMQ_REP);
    zmq_bind (rep, endpoint);
    char buf[REQUEST_SIZE * 4];
    while (true) {
        int size = zmq_recv (rep, buf, sizeof buf, 0);
        if (size < 0)
            break;
        zmq_send (rep, buf, (size_t) size, 0);
    }
}

//  The bare durable command: what any service must at least do per request.
static void s_serve_durable (const char *endpoint, const char *path)
{
    sqlite3 *db;
    sqlite3_open (path, &db);
    sqlite3_exec (db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                      "CREATE TABLE IF NOT EXISTS item (id TEXT PRIMARY KEY, value INTEGER)",
                  NULL, NULL, NULL);
    sqlite3_stmt *insert, *begin, *commit;
    sqlite3_prepare_v2 (db, "INSERT INTO item (id, value) VALUES (?, ?)", -1, &insert, NULL);
    sqlite3_prepare_v2 (db, "BEGIN IMMEDIATE", -1, &begin, NULL);
    sqlite3_prepare_v2 (db, "COMMIT", -1, &commit, NULL);
    void *ctx = zmq_ctx_new ();
    void *router = zmq_socket (ctx, ZMQ_ROUTER);
    zmq_bind (router, endpoint);
    char identity[256], buf[REQUEST_SIZE * 4], reply[REQUEST_SIZE];
    while (true) {
        int id_size = zmq_recv (router, identity, sizeof identity, 0);
        zmq_recv (router, buf, sizeof buf, 0);  //  the delimiter
        int size = zmq_recv (router, buf, sizeof buf - 1, 0);
        if (id_size < 0 || size < 0)
            break;
        cJSON *request = cJSON_ParseWithLength (buf, (size_t) size);
        cJSON *body = cJSON_GetObjectItem (request, "body");
        sqlite3_step (begin);
        sqlite3_reset (begin);
        sqlite3_bind_text (insert, 1, cJSON_GetStringValue (cJSON_GetObjectItem (body, "id")), -1,
                           SQLITE_TRANSIENT);
        sqlite3_bind_int64 (insert, 2,
                            (int64_t) cJSON_GetNumberValue (cJSON_GetObjectItem (body, "value")));
        int rc = sqlite3_step (insert);
        sqlite3_reset (insert);
        sqlite3_step (commit);
        sqlite3_reset (commit);
        int length = snprintf (reply, sizeof reply, "{\"v\":1,\"id\":\"%s\",\"ok\":%s}",
                               cJSON_GetStringValue (cJSON_GetObjectItem (request, "id")),
                               rc == SQLITE_DONE ? "true" : "false");
        cJSON_Delete (request);
        zmq_send (router, identity, (size_t) id_size, ZMQ_SNDMORE);
        zmq_send (router, "", 0, ZMQ_SNDMORE);
        zmq_send (router, reply, (size_t) length, 0);
    }
}

//  ---------------------------------------------------------------------------
//  Processes

static pid_t s_children[16];
static int s_child_count;

//  On any exit, no process of ours is left behind.
static void s_stop_children (void)
{
    for (int i = 0; i < s_child_count; i++)
        if (s_children[i] > 0 && kill (s_children[i], SIGTERM) == 0)
            waitpid (s_children[i], NULL, 0);
}

static pid_t s_spawn (char *const argv[], char *const extra_env[])
{
    //  The child's environment: ours plus extra_env.
    size_t ours = 0, extra = 0;
    while (environ[ours])
        ours++;
    while (extra_env && extra_env[extra])
        extra++;
    char **envp = (char **) calloc (ours + extra + 1, sizeof (char *));
    memcpy (envp, environ, ours * sizeof (char *));
    memcpy (envp + ours, extra_env, extra * sizeof (char *));
    pid_t pid;
    int rc = posix_spawn (&pid, argv[0], NULL, NULL, argv, envp);
    free (envp);
    if (rc != 0) {
        fprintf (stderr, "bench: cannot start %s: %s\n", argv[0], strerror (rc));
        exit (1);
    }
    if (s_child_count < 16)
        s_children[s_child_count++] = pid;
    return pid;
}

static void s_stop (pid_t pid)
{
    kill (pid, SIGTERM);
    waitpid (pid, NULL, 0);
    for (int i = 0; i < s_child_count; i++)
        if (s_children[i] == pid)
            s_children[i] = 0;
}

static char *s_endpoint (void)
{
    //  A free port below the ephemeral range, where the clients' own
    //  connections cannot take it between now and the bind.
    zsock_t *probe = zsock_new (ZMQ_PAIR);
    int port = zsock_bind (probe, "tcp://127.0.0.1:![20000-30000]");
    zsock_destroy (&probe);
    return zsys_sprintf ("tcp://127.0.0.1:%d", port);
}

//  Calls op on endpoint until it answers (the service is up); returns the body.
static cJSON *s_call (const char *endpoint, const char *op, int timeout_ms)
{
    char err_text[256];
    shr_client_t *client = shr_client_new (endpoint, err_text, sizeof err_text);
    shr_client_set_timeout (client, 500, timeout_ms / 500);
    shr_error_t err;
    cJSON *body = shr_client_call (client, op, NULL, NULL, &err);
    shr_client_destroy (&client);
    if (!body) {
        fprintf (stderr, "bench: %s on %s: %s\n", op, endpoint, err.message);
        exit (1);
    }
    return body;
}

typedef struct {
    pid_t pid;
    char *api;
    char *events;
} s_service_t;

//  Starts a fixture process called name (optionally following a source).
static s_service_t s_fixture (const char *name, const s_service_t *follow, const char *extra)
{
    s_service_t service = {0, s_endpoint (), s_endpoint ()};
    char *env[12] = {0};
    int n = 0;
    env[n++] = zsys_sprintf ("FIXTURE_NAME=%s", name);
    env[n++] = zsys_sprintf ("BIND_API=%s", service.api);
    env[n++] = zsys_sprintf ("BIND_EVENTS=%s", service.events);
    env[n++] = zsys_sprintf ("DATA_DIR=%s/%s", s_work, name);
    env[n++] = zsys_sprintf ("SCHEMAS_DIR=schemas:tests/fixtures/schemas");
    env[n++] = zsys_sprintf ("LOG_LEVEL=warn");
    env[n++] = zsys_sprintf ("FIXTURE_LATENCY_BASE_US=%lld", (long long) s_base_us);
    if (follow) {
        env[n++] = zsys_sprintf ("FIXTURE_FOLLOW=producer");
        env[n++] = zsys_sprintf ("PRODUCER_API=%s", follow->api);
        env[n++] = zsys_sprintf ("PRODUCER_EVENTS=%s", follow->events);
    }
    if (extra)
        env[n++] = strdup (extra);
    char *path = zsys_sprintf ("%s/fixture", s_bin_dir);
    char *argv[] = {path, NULL};
    service.pid = s_spawn (argv, env);
    for (int i = 0; i < n; i++)
        free (env[i]);
    free (path);
    cJSON_Delete (s_call (service.api, "sys.ping", 10000));
    return service;
}

static void s_fixture_stop (s_service_t *service)
{
    s_stop (service->pid);
    zstr_free (&service->api);
    zstr_free (&service->events);
}

//  ---------------------------------------------------------------------------
//  Load: N client threads, each with a REQ socket, closed loop or paced

typedef struct {
    const char *endpoint;
    int client;
    double rate;           //  requests/s for this client, 0 = as fast as it can
    int64_t until_us;
    int64_t *latencies;    //  one per request, microseconds
    size_t count;
    size_t capacity;
    bool failed;
} s_client_t;

static void *s_client_thread (void *args)
{
    s_client_t *self = (s_client_t *) args;
    void *req = zmq_socket (zsys_init (), ZMQ_REQ);
    zmq_setsockopt (req, ZMQ_LINGER, &(int){0}, sizeof (int));
    zmq_connect (req, self->endpoint);
    char request[REQUEST_SIZE], reply[REQUEST_SIZE * 4];
    int64_t interval_us = self->rate > 0 ? (int64_t) (1e6 / self->rate) : 0;
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
        int length = snprintf (request, sizeof request,
                               "{\"v\":1,\"id\":\"%zu\",\"op\":\"item.create\",\"body\":{\"id\":"
                               "\"c%d-%zu-%lld\",\"value\":%lld}}",
                               n, self->client, n, (long long) start,
                               (long long) (start - s_base_us));
        if (zmq_send (req, request, (size_t) length, 0) < 0
            || zmq_recv (req, reply, sizeof reply, 0) < 0) {
            self->failed = true;
            break;
        }
        if (self->count == self->capacity) {
            self->capacity = self->capacity ? self->capacity * 2 : 65536;
            self->latencies
                = (int64_t *) realloc (self->latencies, self->capacity * sizeof (int64_t));
        }
        self->latencies[self->count++] = shr_time_mono_us () - start;
    }
    zmq_close (req);
    return NULL;
}

typedef struct {
    double per_second;
    double p50_us;
    double p99_us;
    size_t count;
} s_result_t;

static int s_compare (const void *a, const void *b)
{
    int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
    return x < y ? -1 : x > y;
}

static s_result_t s_load (const char *endpoint, int clients, double total_rate)
{
    pthread_t threads[MAX_CLIENTS];
    s_client_t state[MAX_CLIENTS];
    int64_t start = shr_time_mono_us ();
    for (int i = 0; i < clients; i++) {
        state[i] = (s_client_t){.endpoint = endpoint,
                                .client = i,
                                .rate = total_rate / clients,
                                .until_us = start + (int64_t) (s_seconds * 1e6)};
        pthread_create (&threads[i], NULL, s_client_thread, &state[i]);
    }
    size_t total = 0;
    for (int i = 0; i < clients; i++) {
        pthread_join (threads[i], NULL);
        if (state[i].failed) {
            fprintf (stderr, "bench: a client of %s failed\n", endpoint);
            exit (1);
        }
        total += state[i].count;
    }
    double elapsed = (double) (shr_time_mono_us () - start) / 1e6;
    int64_t *all = (int64_t *) malloc ((total ? total : 1) * sizeof (int64_t));
    size_t at = 0;
    for (int i = 0; i < clients; i++) {
        memcpy (all + at, state[i].latencies, state[i].count * sizeof (int64_t));
        at += state[i].count;
        free (state[i].latencies);
    }
    qsort (all, total, sizeof (int64_t), s_compare);
    s_result_t result = {(double) total / elapsed, total ? (double) all[total / 2] : 0,
                         total ? (double) all[(size_t) ((double) total * 0.99)] : 0, total};
    free (all);
    return result;
}

//  ---------------------------------------------------------------------------
//  Report

static void s_row (const char *what, s_result_t r, const char *against, s_result_t limit)
{
    printf ("  %-44s %9.0f/s  p50 %6.0f us  p99 %6.0f us   %5.2fx %s\n", what, r.per_second,
            r.p50_us, r.p99_us, limit.per_second > 0 ? r.per_second / limit.per_second : 0,
            against);
}

static long s_rss_kb (pid_t pid)
{
    char path[64], line[256];
    snprintf (path, sizeof path, "/proc/%d/status", (int) pid);
    FILE *file = fopen (path, "r");
    long kb = -1;
    while (file && fgets (line, sizeof line, file))
        if (strncmp (line, "VmRSS:", 6) == 0)
            kb = atol (line + 6);
    if (file)
        fclose (file);
    return kb;
}

static int64_t s_number (cJSON *body, const char *name)
{
    return (int64_t) cJSON_GetNumberValue (cJSON_GetObjectItem (body, name));
}

//  Waits until a fixture consumer has applied up to seq.
static void s_wait_applied (s_service_t *consumer, int64_t seq)
{
    for (int64_t last = 0; last < seq;) {
        cJSON *stats = s_call (consumer->api, "applied.stats", 60000);
        last = s_number (stats, "last_seq");
        cJSON_Delete (stats);
        if (last < seq)
            zclock_sleep (5);
    }
}

//  Rows per second of SQLite inserts in transactions of 1000: what applying a
//  replay page costs at the very least.
static double s_raw_batched_inserts (int rows)
{
    char path[300];
    snprintf (path, sizeof path, "%s/batched.db", s_work);
    sqlite3 *db;
    sqlite3_open (path, &db);
    sqlite3_exec (db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                      "CREATE TABLE applied (n INTEGER PRIMARY KEY, seq INTEGER, type TEXT, key TEXT)",
                  NULL, NULL, NULL);
    sqlite3_stmt *insert;
    sqlite3_prepare_v2 (db, "INSERT INTO applied (seq, type, key) VALUES (?, 'item.created', ?)",
                        -1, &insert, NULL);
    int64_t start = shr_time_mono_us ();
    for (int i = 0; i < rows; i++) {
        if (i % 1000 == 0)
            sqlite3_exec (db, "BEGIN", NULL, NULL, NULL);
        char key[32];
        snprintf (key, sizeof key, "c0-%d", i);
        sqlite3_bind_int (insert, 1, i + 1);
        sqlite3_bind_text (insert, 2, key, -1, SQLITE_TRANSIENT);
        sqlite3_step (insert);
        sqlite3_reset (insert);
        if (i % 1000 == 999 || i == rows - 1)
            sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
    }
    double rate = rows / ((double) (shr_time_mono_us () - start) / 1e6);
    sqlite3_finalize (insert);
    sqlite3_close (db);
    return rate;
}

int main (int argc, char **argv)
{
    if (argc >= 3 && streq (argv[1], "--serve-echo")) {
        s_serve_echo (argv[2]);
        return 0;
    }
    if (argc >= 4 && streq (argv[1], "--serve-durable")) {
        s_serve_durable (argv[2], argv[3]);
        return 0;
    }
    if (argc >= 5 && streq (argv[1], "--load")) {
        //  Load alone, e.g. to profile a service: --load ENDPOINT CLIENTS SECONDS
        s_seconds = atof (argv[4]);
        s_base_us = shr_time_mono_us ();
        s_result_t result = s_load (argv[2], atoi (argv[3]), 0);
        printf ("%.0f/s p50 %.0f us p99 %.0f us\n", result.per_second, result.p50_us,
                result.p99_us);
        return 0;
    }
    if (argc < 2 || streq (argv[1], "--help")) {
        fprintf (argc < 2 ? stderr : stdout, "Usage: bench_platform BIN_DIR [SECONDS_PER_STEP]\n"
                                             "Prints libshared's figures beside the raw limits.\n");
        return argc < 2 ? 2 : 0;
    }
    s_bin_dir = argv[1];
    if (argc >= 3)
        s_seconds = atof (argv[2]);
    snprintf (s_work, sizeof s_work, "/tmp/bench_platform.%d", getpid ());
    zsys_dir_create ("%s", s_work);
    s_base_us = shr_time_mono_us ();
    atexit (s_stop_children);
    zsys_init ();
    shr_log_init ("bench", "warn");

    printf ("bench_platform: %.1f s per step, %ld cores\n", s_seconds, sysconf (_SC_NPROCESSORS_ONLN));
    char self[512];
    ssize_t length = readlink ("/proc/self/exe", self, sizeof self - 1);
    self[length > 0 ? length : 0] = 0;

    //  Raw limits.
    char *echo_endpoint = s_endpoint (), *durable_endpoint = s_endpoint ();
    char *durable_db = zsys_sprintf ("%s/raw.db", s_work);
    char *echo_argv[] = {self, "--serve-echo", echo_endpoint, NULL};
    char *durable_argv[] = {self, "--serve-durable", durable_endpoint, durable_db, NULL};
    pid_t echo_pid = s_spawn (echo_argv, NULL);
    pid_t durable_pid = s_spawn (durable_argv, NULL);
    zclock_sleep (300);
    fprintf (stderr, "bench: raw echo round trip...\n");
    s_result_t echo = s_load (echo_endpoint, 1, 0);
    fprintf (stderr, "bench: raw durable command, 1 and 16 clients...\n");
    s_result_t durable_1 = s_load (durable_endpoint, 1, 0);
    s_result_t durable_16 = s_load (durable_endpoint, 16, 0);
    s_stop (echo_pid);
    s_stop (durable_pid);

    //  The platform: a producer alone for the closed-loop steps (the raw loops
    //  have no consumer either), then a consumer in another process.
    s_service_t producer = s_fixture ("producer", NULL, NULL);
    zclock_sleep (1500);
    //  An idle service: started, answered a ping, nothing to do since.
    long idle_rss_kb = s_rss_kb (producer.pid);
    s_result_t served[3];
    int client_counts[3] = {1, 4, 16};
    for (int i = 0; i < 3; i++) {
        fprintf (stderr, "bench: libshared durable command, %d clients...\n", client_counts[i]);
        served[i] = s_load (producer.api, client_counts[i], 0);
    }
    s_service_t consumer = s_fixture ("consumer", &producer, NULL);
    //  Half of the best throughput, paced: the latency an operator sees at a busy hour.
    double best = 0;
    for (int i = 0; i < 3; i++)
        best = served[i].per_second > best ? served[i].per_second : best;
    //  Let the consumer finish what the steps above wrote, then restart it, so
    //  that its latency histogram covers the paced step alone.
    cJSON *producer_stats = s_call (producer.api, "sys.stats", 5000);
    int64_t written = s_number (cJSON_GetObjectItem (producer_stats, "events"), "last_seq");
    cJSON_Delete (producer_stats);
    s_wait_applied (&consumer, written);
    s_fixture_stop (&consumer);
    consumer = s_fixture ("consumer", &producer, NULL);
    zclock_sleep (500);
    fprintf (stderr, "bench: paced at half of %.0f/s with 16 clients...\n", best);
    s_result_t paced = s_load (producer.api, 16, best / 2);
    producer_stats = s_call (producer.api, "sys.stats", 5000);
    written = s_number (cJSON_GetObjectItem (producer_stats, "events"), "last_seq");
    cJSON_Delete (producer_stats);
    s_wait_applied (&consumer, written);
    cJSON *applied = s_call (consumer.api, "applied.stats", 5000);
    double applied_p50 = (double) s_number (applied, "latency_p50_us");
    double applied_p99 = (double) s_number (applied, "latency_p99_us");
    cJSON_Delete (applied);
    s_fixture_stop (&consumer);

    //  Replay catch-up: a new consumer from seq 1 over everything written so far.
    fprintf (stderr, "bench: replay catch-up of %lld events...\n", (long long) written);
    char *fresh_dir = zsys_sprintf ("rm -rf %s/late", s_work);
    if (system (fresh_dir) != 0)
        fprintf (stderr, "bench: cannot clear %s/late\n", s_work);
    zstr_free (&fresh_dir);
    int64_t replay_start = shr_time_mono_us ();
    s_service_t late = s_fixture ("late", &producer, NULL);
    s_wait_applied (&late, written);
    double replay_rate = (double) written / ((double) (shr_time_mono_us () - replay_start) / 1e6);
    s_fixture_stop (&late);
    s_fixture_stop (&producer);
    double raw_inserts = s_raw_batched_inserts ((int) (written < 20000 ? 20000 : written));

    printf ("\nRaw limits (same run):\n");
    printf ("  %-44s %9.0f/s  p50 %6.0f us  p99 %6.0f us\n", "libzmq REQ/REP echo, 1 client",
            echo.per_second, echo.p50_us, echo.p99_us);
    printf ("  %-44s %9.0f/s  p50 %6.0f us  p99 %6.0f us\n", "durable command (1 tx/request), 1 client",
            durable_1.per_second, durable_1.p50_us, durable_1.p99_us);
    printf ("  %-44s %9.0f/s  p50 %6.0f us  p99 %6.0f us\n",
            "durable command (1 tx/request), 16 clients", durable_16.per_second, durable_16.p50_us,
            durable_16.p99_us);
    printf ("  %-44s %9.0f/s\n", "SQLite inserts, 1000 per transaction", raw_inserts);
    printf ("\nlibshared (validate, insert, outbox, group commit, reply, publish):\n");
    s_row ("durable command, 1 client", served[0], "of raw durable, 1 client", durable_1);
    s_row ("durable command, 4 clients", served[1], "of raw durable, 16 clients", durable_16);
    s_row ("durable command, 16 clients", served[2], "of raw durable, 16 clients  [target >= 1.50x]",
           durable_16);
    s_row ("paced at half of best, 16 clients", paced, "of raw durable, 16 clients", durable_16);
    printf ("    p99 at half load: %.2f ms  [target <= 3 ms]   %s\n", paced.p99_us / 1000,
            paced.p99_us <= 3000 ? "met" : "NOT MET");
    printf ("    round trip vs raw echo: p50 %.2fx, p99 %.2fx\n", paced.p50_us / echo.p50_us,
            paced.p99_us / echo.p99_us);
    printf ("  request-to-applied in a consumer process, under that load:\n");
    printf ("    p50 %.0f us, p99 %.0f us  [target p99 <= 5 ms]   %s   (%.1fx the echo p99)\n",
            applied_p50, applied_p99, applied_p99 <= 5000 ? "met" : "NOT MET",
            applied_p99 / echo.p99_us);
    printf ("  replay catch-up (fetch, parse, apply): %.0f events/s over %lld events"
            "  [target >= 50000/s]   %s   (%.2fx raw batched inserts)\n",
            replay_rate, (long long) written, replay_rate >= 50000 ? "met" : "NOT MET",
            replay_rate / raw_inserts);
    printf ("  idle service resident memory: %.1f MB  [target <= 10 MB]   %s\n",
            idle_rss_kb / 1024.0, idle_rss_kb <= 10 * 1024 ? "met" : "NOT MET");
    double ratio = served[2].per_second / durable_16.per_second;
    printf ("  group commit: %.2fx the raw durable loop at 16 clients  [target >= 1.50x]   %s\n",
            ratio, ratio >= 1.5 ? "met" : "NOT MET");

    char *cleanup = zsys_sprintf ("rm -rf %s", s_work);
    if (system (cleanup) != 0)
        fprintf (stderr, "bench: cannot remove %s\n", s_work);
    zstr_free (&cleanup);
    zstr_free (&echo_endpoint);
    zstr_free (&durable_endpoint);
    zstr_free (&durable_db);
    return 0;
}
