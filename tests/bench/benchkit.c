/*  benchkit - raw limits, processes, load. See benchkit.h. */
#include "benchkit.h"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

extern char **environ;

#define REQUEST_SIZE 4096
#define MAX_CHILDREN 32

static pid_t s_children[MAX_CHILDREN];
static int s_child_count;
static char s_work[256];
static char s_self[512];

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
        if (size < 0)
            break;
        zmq_send (rep, buf, (size_t) (size < (int) sizeof buf ? size : (int) sizeof buf), 0);
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
    char identity[256], buf[REQUEST_SIZE], reply[256];
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

void bench_serve_if_asked (int argc, char **argv)
{
    if (argc >= 3 && streq (argv[1], "--serve-echo")) {
        s_serve_echo (argv[2]);
        exit (0);
    }
    if (argc >= 4 && streq (argv[1], "--serve-durable")) {
        s_serve_durable (argv[2], argv[3]);
        exit (0);
    }
}

//  ---------------------------------------------------------------------------
//  Processes

static void s_cleanup (void)
{
    for (int i = 0; i < s_child_count; i++)
        if (s_children[i] > 0 && kill (s_children[i], SIGTERM) == 0)
            waitpid (s_children[i], NULL, 0);
    if (*s_work) {
        char *command = zsys_sprintf ("rm -rf %s", s_work);
        if (system (command) != 0)
            fprintf (stderr, "bench: cannot remove %s\n", s_work);
        zstr_free (&command);
    }
}

const char *bench_init (const char *name)
{
    snprintf (s_work, sizeof s_work, "/tmp/%s.%d", name, getpid ());
    zsys_dir_create ("%s", s_work);
    ssize_t length = readlink ("/proc/self/exe", s_self, sizeof s_self - 1);
    s_self[length > 0 ? length : 0] = 0;
    atexit (s_cleanup);
    zsys_init ();
    shr_log_init ("bench", "warn");
    return s_work;
}

pid_t bench_spawn (char *const argv[], char *const extra_env[])
{
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
    if (s_child_count < MAX_CHILDREN)
        s_children[s_child_count++] = pid;
    return pid;
}

void bench_stop (pid_t pid)
{
    kill (pid, SIGTERM);
    waitpid (pid, NULL, 0);
    for (int i = 0; i < s_child_count; i++)
        if (s_children[i] == pid)
            s_children[i] = 0;
}

char *bench_endpoint (void)
{
    zsock_t *probe = zsock_new (ZMQ_PAIR);
    int port = zsock_bind (probe, "tcp://127.0.0.1:![20000-30000]");
    zsock_destroy (&probe);
    return zsys_sprintf ("tcp://127.0.0.1:%d", port);
}

cJSON *bench_call (const char *endpoint, const char *op, const char *body_text, int timeout_ms)
{
    char err_text[256];
    shr_client_t *client = shr_client_new (endpoint, err_text, sizeof err_text);
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
    char err_text[256];
    shr_client_t *client = shr_client_new (endpoint, err_text, sizeof err_text);
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
    return (int64_t) cJSON_GetNumberValue (cJSON_GetObjectItem (body, name));
}

long bench_rss_kb (pid_t pid)
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
    if (zmq_send (req, request, strlen (request), 0) < 0)
        return -1;
    int length = zmq_recv (req, reply, size - 1, 0);
    if (length < 0)
        return -1;
    if ((size_t) length >= size)
        length = (int) size - 1;
    reply[length] = 0;
    return length;
}

static void *s_client_thread (void *args)
{
    s_client_t *self = (s_client_t *) args;
    void *req = zmq_socket (zsys_init (), ZMQ_REQ);
    zmq_setsockopt (req, ZMQ_LINGER, &(int){0}, sizeof (int));
    zmq_connect (req, self->endpoint);
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
        if (self->unit (req, self->client, n, start, self->arg)) {
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

static int s_compare (const void *a, const void *b)
{
    int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
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
                                .until_us = start + (int64_t) (seconds * 1e6),
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
    double elapsed = (double) (shr_time_mono_us () - start) / 1e6;
    int64_t *all = (int64_t *) malloc ((total ? total : 1) * sizeof (int64_t));
    size_t at = 0;
    for (int i = 0; i < clients; i++) {
        memcpy (all + at, state[i].latencies, state[i].count * sizeof (int64_t));
        at += state[i].count;
        free (state[i].latencies);
    }
    qsort (all, total, sizeof (int64_t), s_compare);
    bench_result_t result = {(double) total / elapsed, total ? (double) all[total / 2] : 0,
                             total ? (double) all[(size_t) ((double) total * 0.99)] : 0, total};
    free (all);
    return result;
}

void bench_load_if_asked (int argc, char **argv, const char *flag, bench_unit_fn *unit,
                          const char *units)
{
    if (argc < 5 || !streq (argv[1], flag))
        return;
    bench_result_t result = bench_load (argv[2], atoi (argv[3]), atof (argv[4]), 0, unit, NULL);
    printf ("%.0f %s/s p50 %.0f us p99 %.0f us\n", result.per_second, units, result.p50_us,
            result.p99_us);
    exit (0);
}

//  The unit of the raw servers: a durable-command-shaped request.
static int s_raw_unit (void *req, int client, size_t n, int64_t sent_us, void *arg)
{
    (void) arg;
    char request[256], reply[256];
    snprintf (request, sizeof request,
              "{\"v\":1,\"id\":\"%zu\",\"op\":\"item.create\",\"body\":{\"id\":\"raw%d-%zu-%lld\","
              "\"value\":1}}",
              n, client, n, (long long) sent_us);
    return bench_request (req, request, reply, sizeof reply) < 0 ? -1 : 0;
}

bench_limits_t bench_raw_limits (double seconds)
{
    char *echo_endpoint = bench_endpoint (), *durable_endpoint = bench_endpoint ();
    char *durable_db = zsys_sprintf ("%s/raw.db", s_work);
    char *echo_argv[] = {s_self, "--serve-echo", echo_endpoint, NULL};
    char *durable_argv[] = {s_self, "--serve-durable", durable_endpoint, durable_db, NULL};
    pid_t echo_pid = bench_spawn (echo_argv, NULL);
    pid_t durable_pid = bench_spawn (durable_argv, NULL);
    zclock_sleep (300);
    bench_limits_t limits;
    fprintf (stderr, "bench: raw echo round trip...\n");
    limits.echo = bench_load (echo_endpoint, 1, seconds, 0, s_raw_unit, NULL);
    fprintf (stderr, "bench: raw durable command, 1 and 16 clients...\n");
    limits.durable_1 = bench_load (durable_endpoint, 1, seconds, 0, s_raw_unit, NULL);
    limits.durable_16 = bench_load (durable_endpoint, 16, seconds, 0, s_raw_unit, NULL);
    bench_stop (echo_pid);
    bench_stop (durable_pid);
    zstr_free (&echo_endpoint);
    zstr_free (&durable_endpoint);
    zstr_free (&durable_db);
    return limits;
}

void bench_row (const char *what, bench_result_t result, double limit_per_second,
                const char *against)
{
    printf ("  %-44s %9.0f/s  p50 %6.0f us  p99 %6.0f us", what, result.per_second,
            result.p50_us, result.p99_us);
    if (against)
        printf ("   %5.2fx %s", limit_per_second > 0 ? result.per_second / limit_per_second : 0,
                against);
    printf ("\n");
}
