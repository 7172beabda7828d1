/*  bench_platform - libshared's request/reply and event figures, each next to the
    raw limit it is compared with, all measured in the same run (benchkit.h says
    what the raw limits are). The platform side is the fixture service
    (build/bin/fixture): its item.create is a durable command (validate, handler
    insert, outbox append, commit, reply, publish); a second fixture process
    consumes its events.

    Usage: bench_platform BIN_DIR [SECONDS_PER_STEP]
*/
#include "benchkit.h"

static const char *s_bin_dir;
static const char *s_work;
static int64_t s_base_us;  //  item values are monotonic microseconds since this base

typedef struct {
    pid_t pid;
    char *api;
    char *events;
} s_service_t;

//  Starts a fixture process called name, optionally following a source.
static s_service_t s_fixture (const char *name, const s_service_t *follow)
{
    s_service_t service = {0, bench_endpoint (), bench_endpoint ()};
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
    char *path = zsys_sprintf ("%s/fixture", s_bin_dir);
    char *argv[] = {path, NULL};
    service.pid = bench_spawn (argv, env);
    for (int i = 0; i < n; i++)
        free (env[i]);
    free (path);
    bench_wait_ready (service.api, 10000);
    return service;
}

static void s_fixture_stop (s_service_t *service)
{
    bench_stop (service->pid);
    zstr_free (&service->api);
    zstr_free (&service->events);
}

//  One durable command: item.create whose value stamps when it was sent.
static int s_create_unit (void *req, int client, size_t n, int64_t sent_us, void *arg)
{
    (void) arg;
    char request[256], reply[512];
    snprintf (request, sizeof request,
              "{\"v\":1,\"id\":\"%zu\",\"op\":\"item.create\",\"body\":{\"id\":\"c%d-%zu-%lld\","
              "\"value\":%lld}}",
              n, client, n, (long long) sent_us, (long long) (sent_us - s_base_us));
    if (bench_request (req, request, reply, sizeof reply) < 0 || !strstr (reply, "\"ok\":true")) {
        fprintf (stderr, "bench: item.create failed: %s\n", reply);
        return -1;
    }
    return 0;
}

static int64_t s_last_seq (const s_service_t *producer)
{
    cJSON *stats = bench_call (producer->api, "sys.stats", NULL, 5000);
    int64_t seq = bench_number (cJSON_GetObjectItem (stats, "events"), "last_seq");
    cJSON_Delete (stats);
    return seq;
}

//  Waits until a fixture consumer has applied up to seq.
static void s_wait_applied (s_service_t *consumer, int64_t seq)
{
    for (int64_t last = 0; last < seq;) {
        cJSON *stats = bench_call (consumer->api, "applied.stats", NULL, 60000);
        last = bench_number (stats, "last_seq");
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
    bench_serve_if_asked (argc, argv);
    s_base_us = shr_time_mono_us ();
    bench_load_if_asked (argc, argv, "--load", s_create_unit, "requests");
    if (argc < 2 || streq (argv[1], "--help")) {
        fprintf (argc < 2 ? stderr : stdout,
                 "Usage: bench_platform BIN_DIR [SECONDS_PER_STEP]\n"
                 "       bench_platform --load ENDPOINT CLIENTS SECONDS\n"
                 "Prints libshared's figures beside the raw limits of the same run.\n");
        return argc < 2 ? 2 : 0;
    }
    s_bin_dir = argv[1];
    double seconds = argc >= 3 ? atof (argv[2]) : 3.0;
    s_work = bench_init ("bench_platform");
    bench_limits_t raw = bench_raw_limits (seconds);

    //  A producer alone for the closed-loop steps (the raw loops have no consumer
    //  either), then a consumer in another process.
    s_service_t producer = s_fixture ("producer", NULL);
    zclock_sleep (1500);
    long idle_rss_kb = bench_rss_kb (producer.pid);  //  started, pinged, idle since
    bench_result_t served[3];
    int client_counts[3] = {1, 4, 16};
    double best = 0;
    for (int i = 0; i < 3; i++) {
        fprintf (stderr, "bench: libshared durable command, %d clients...\n", client_counts[i]);
        served[i] = bench_load (producer.api, client_counts[i], seconds, 0, s_create_unit, NULL);
        best = served[i].per_second > best ? served[i].per_second : best;
    }
    //  The consumer catches up on all that first; restarted afterwards, its latency
    //  figures cover the paced step alone.
    s_service_t consumer = s_fixture ("consumer", &producer);
    s_wait_applied (&consumer, s_last_seq (&producer));
    s_fixture_stop (&consumer);
    consumer = s_fixture ("consumer", &producer);
    zclock_sleep (500);
    //  Half of the best throughput, paced: the latency an operator sees at a busy hour.
    fprintf (stderr, "bench: paced at half of %.0f/s with 16 clients...\n", best);
    bench_result_t paced = bench_load (producer.api, 16, seconds, best / 2, s_create_unit, NULL);
    s_wait_applied (&consumer, s_last_seq (&producer));
    cJSON *applied = bench_call (consumer.api, "applied.stats", NULL, 5000);
    double applied_p50 = (double) bench_number (applied, "latency_p50_us");
    double applied_p99 = (double) bench_number (applied, "latency_p99_us");
    cJSON_Delete (applied);
    s_fixture_stop (&consumer);

    //  Replay catch-up: a new consumer from seq 1 over everything written so far.
    int64_t written = s_last_seq (&producer);
    fprintf (stderr, "bench: replay catch-up of %lld events...\n", (long long) written);
    int64_t replay_start = shr_time_mono_us ();
    s_service_t late = s_fixture ("late", &producer);
    s_wait_applied (&late, written);
    double replay_rate = (double) written / ((double) (shr_time_mono_us () - replay_start) / 1e6);
    s_fixture_stop (&late);
    s_fixture_stop (&producer);
    double raw_inserts = s_raw_batched_inserts ((int) (written < 20000 ? 20000 : written));

    printf ("bench_platform: %.1f s per step, %ld cores\n", seconds,
            sysconf (_SC_NPROCESSORS_ONLN));
    printf ("\nRaw limits (same run):\n");
    bench_row ("libzmq REQ/REP echo, 1 client", raw.echo, 0, NULL);
    bench_row ("durable command (1 tx/request), 1 client", raw.durable_1, 0, NULL);
    bench_row ("durable command (1 tx/request), 16 clients", raw.durable_16, 0, NULL);
    printf ("  %-44s %9.0f/s\n", "SQLite inserts, 1000 per transaction", raw_inserts);
    printf ("\nlibshared (validate, insert, outbox, group commit, reply, publish):\n");
    bench_row ("durable command, 1 client", served[0], raw.durable_1.per_second,
               "of raw durable, 1 client");
    bench_row ("durable command, 4 clients", served[1], raw.durable_16.per_second,
               "of raw durable, 16 clients");
    bench_row ("durable command, 16 clients", served[2], raw.durable_16.per_second,
               "of raw durable, 16 clients");
    bench_row ("paced at half of best, 16 clients", paced, raw.durable_16.per_second,
               "of raw durable, 16 clients");
    double ratio = served[2].per_second / raw.durable_16.per_second;
    printf ("\nTargets:\n");
    printf ("  group commit at 16 clients: %.2fx the raw loop  [target >= 1.50x]   %s\n", ratio,
            ratio >= 1.5 ? "met" : "NOT MET");
    printf ("  p99 at half load: %.2f ms  [target <= 3 ms]   %s   (%.1fx the raw echo p99)\n",
            paced.p99_us / 1000, paced.p99_us <= 3000 ? "met" : "NOT MET",
            paced.p99_us / raw.echo.p99_us);
    printf ("  request-to-applied in a consumer process at half load: p50 %.0f us, p99 %.0f us"
            "  [target p99 <= 5 ms]   %s   (%.1fx the raw echo p99)\n",
            applied_p50, applied_p99, applied_p99 <= 5000 ? "met" : "NOT MET",
            applied_p99 / raw.echo.p99_us);
    printf ("  replay catch-up (fetch, parse, apply): %.0f events/s over %lld events"
            "  [target >= 50000/s]   %s   (%.2fx raw batched inserts)\n",
            replay_rate, (long long) written, replay_rate >= 50000 ? "met" : "NOT MET",
            replay_rate / raw_inserts);
    printf ("  idle service resident memory: %.1f MB  [target <= 10 MB]   %s\n",
            idle_rss_kb / 1024.0, idle_rss_kb <= 10 * 1024 ? "met" : "NOT MET");
    return 0;
}
