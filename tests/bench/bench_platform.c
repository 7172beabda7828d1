/*  bench_platform - libshared's request/reply and event figures, each next to the
    raw limit it is compared with, all measured in the same run (benchkit.h says
    what the raw limits are). The platform side is the fixture service
    (build/bin/fixture): its item.create is a durable command (validate, handler
    insert, outbox append, commit, reply, publish); a second fixture process
    consumes its events.

    Each libshared figure is measured against the raw durable loop of the same
    durability (SHR_SYNC=full against one fsync per request, normal against
    normal) in interleaved rounds (bench_compare), with all four servers up
    from start to end; the ratio printed is the median of the per-round ratios.

    Usage: bench_platform BIN_DIR [SECONDS_PER_ROUND [ROUNDS]]
*/
#include "benchkit.h"

static const char *s_bin_dir;
static const char *s_work;
static int64_t s_base_us; //  item values are monotonic microseconds since this base

typedef struct {
    pid_t pid;
    char *api;
    char *events;
} s_service_t;

//  Starts a fixture process called name with SHR_SYNC=sync, optionally
//  following a source; plaintext, or with curve its keys in the scratch folder.
static s_service_t s_fixture_started (const char *name, const s_service_t *follow,
                                      const char *sync, bool curve)
{
    s_service_t service = {0, bench_endpoint (), bench_endpoint ()};
    char *env[14] = {0};
    int n = 0;
    env[n++] = zsys_sprintf ("FIXTURE_NAME=%s", name);
    env[n++] = zsys_sprintf ("BIND_API=%s", service.api);
    env[n++] = zsys_sprintf ("BIND_EVENTS=%s", service.events);
    env[n++] = zsys_sprintf ("DATA_DIR=%s/%s", s_work, name);
    env[n++] = zsys_sprintf ("SCHEMAS_DIR=schemas:tests/fixtures/schemas");
    env[n++] = zsys_sprintf ("LOG_LEVEL=warn");
    env[n++] = zsys_sprintf ("SHR_SYNC=%s", sync);
    env[n++] = zsys_sprintf ("FIXTURE_LATENCY_BASE_US=%lld", (long long)s_base_us);
    if (follow) {
        env[n++] = zsys_sprintf ("FIXTURE_FOLLOW=producer");
        env[n++] = zsys_sprintf ("PRODUCER_API=%s", follow->api);
        env[n++] = zsys_sprintf ("PRODUCER_EVENTS=%s", follow->events);
    }
    if (curve) {
        char keys[600], err[256];
        snprintf (keys, sizeof keys, "%s/keys", s_work);
        const char *services[] = {name, NULL};
        if (shr_keys_init (keys, services, err, sizeof err) < 0) {
            fprintf (stderr, "bench: %s\n", err);
            exit (1);
        }
        bench_secure (service.api, keys, name);
        env[n++] = zsys_sprintf ("SHR_CURVE=on");
        env[n++] = zsys_sprintf ("KEYS_DIR=%s", keys);
    }
    char *path = zsys_sprintf ("%s/fixture", s_bin_dir);
    char *argv[] = {path, NULL};
    service.pid = bench_spawn (argv, env);
    for (int i = 0; i < n; i++)
        free (env[i]);
    free (path);
    bench_wait_ready (service.api, 10000);
    //  A figure said to be "full" must be one: the service tells which it runs.
    cJSON *health = bench_call (service.api, "sys.health", NULL, 5000);
    const char *durability = cJSON_GetStringValue (cJSON_GetObjectItem (health, "durability"));
    if (!durability || !streq (durability, sync)) {
        fprintf (stderr, "bench: %s runs durability %s, not %s\n", name,
                 durability ? durability : "(not said)", sync);
        exit (1);
    }
    cJSON_Delete (health);
    return service;
}

static s_service_t s_fixture (const char *name, const s_service_t *follow, const char *sync)
{
    return s_fixture_started (name, follow, sync, false);
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
    (void)arg;
    char request[256], reply[512];
    snprintf (request, sizeof request,
              "{\"v\":1,\"id\":\"%zu\",\"op\":\"item.create\",\"body\":{\"id\":\"c%d-%zu-%lld\","
              "\"value\":%lld}}",
              n, client, n, (long long)sent_us, (long long)(sent_us - s_base_us));
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
        if (last < seq) zclock_sleep (5);
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
    sqlite3_exec (db,
                  "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                  "CREATE TABLE applied (n INTEGER PRIMARY KEY, seq INTEGER, type TEXT, key TEXT)",
                  NULL, NULL, NULL);
    sqlite3_stmt *insert;
    sqlite3_prepare_v2 (db, "INSERT INTO applied (seq, type, key) VALUES (?, 'item.created', ?)",
                        -1, &insert, NULL);
    int64_t start = shr_time_mono_us ();
    for (int i = 0; i < rows; i++) {
        if (i % 1000 == 0) sqlite3_exec (db, "BEGIN", NULL, NULL, NULL);
        char key[32];
        snprintf (key, sizeof key, "c0-%d", i);
        sqlite3_bind_int (insert, 1, i + 1);
        sqlite3_bind_text (insert, 2, key, -1, SQLITE_TRANSIENT);
        sqlite3_step (insert);
        sqlite3_reset (insert);
        if (i % 1000 == 999 || i == rows - 1) sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
    }
    double rate = rows / ((double)(shr_time_mono_us () - start) / 1e6);
    sqlite3_finalize (insert);
    sqlite3_close (db);
    return rate;
}

//  Requests served and transactions committed so far, from sys.stats (its
//  "batches" counter), to tell how many requests share a commit. Zeros when
//  the service does not say.
static void s_batches (const s_service_t *service, double *requests, double *batches)
{
    cJSON *stats = bench_call (service->api, "sys.stats", NULL, 5000);
    *requests = 0;
    cJSON *op;
    cJSON_ArrayForEach (op, cJSON_GetObjectItem (stats, "ops")) *requests +=
        cJSON_GetNumberValue (cJSON_GetObjectItem (op, "count"));
    *batches = (double)bench_number (cJSON_GetObjectItem (stats, "counters"), "batches");
    cJSON_Delete (stats);
}

//  bench_compare, and the mean number of requests per commit on our side.
static bench_compare_t s_compare (const bench_side_t *base, const bench_side_t *ours,
                                  const s_service_t *service, int clients, int rounds,
                                  double seconds, double *per_commit)
{
    double requests_before, batches_before, requests_after, batches_after;
    s_batches (service, &requests_before, &batches_before);
    bench_compare_t compare = bench_compare (base, ours, clients, rounds, seconds);
    s_batches (service, &requests_after, &batches_after);
    //  Less the sys.stats call itself, which is a batch of its own.
    double batches = batches_after - batches_before - 1;
    *per_commit = batches > 0 ? (requests_after - requests_before - 1) / batches : 0;
    return compare;
}

//  The latency line of a comparison: p99 against the raw loop's in the same rounds.
static void s_latency_line (const char *what, const char *base_name, const bench_compare_t *compare)
{
    printf ("  p99, %s, %d clients: %.2f ms vs %s %.2f ms: %.2fx (rounds %.2f-%.2fx, IQR "
            "%.2f-%.2fx, n=%d)\n",
            what, compare->clients, compare->ours_p99.median / 1000, base_name,
            compare->base_p99.median / 1000, compare->p99_ratio.median, compare->p99_ratio.min,
            compare->p99_ratio.max, compare->p99_ratio.q1, compare->p99_ratio.q3, compare->rounds);
}

#define CLIENT_COUNTS 3

int main (int argc, char **argv)
{
    bench_serve_if_asked (argc, argv);
    s_base_us = shr_time_mono_us ();
    bench_load_if_asked (argc, argv, "--load", s_create_unit, "requests");
    bench_compare_if_asked (argc, argv, "--compare", s_create_unit);
    if (argc < 2 || streq (argv[1], "--help")) {
        fprintf (
            argc < 2 ? stderr : stdout,
            "Usage: bench_platform BIN_DIR [SECONDS_PER_ROUND [ROUNDS]]\n"
            "       bench_platform --load ENDPOINT CLIENTS SECONDS [RATE]\n"
            "       bench_platform --compare BASE_ENDPOINT OURS_ENDPOINT CLIENTS SECONDS ROUNDS\n"
            "Prints libshared's figures beside the raw limits of the same run.\n");
        return argc < 2 ? 2 : 0;
    }
    s_bin_dir = argv[1];
    double seconds = argc >= 3 ? atof (argv[2]) : 1.0;
    int rounds = argc >= 4 ? atoi (argv[3]) : 7;
    s_work = bench_init ("bench_platform");

    //  Every server up before the first measure and until the last: start-up,
    //  first connections and empty caches are nobody's figure.
    bench_server_t echo = bench_raw_start ("echo");
    bench_server_t raw_full = bench_raw_start ("durable-full");
    bench_server_t raw_normal = bench_raw_start ("durable-normal");
    s_service_t full = s_fixture ("full", NULL, "full");
    s_service_t normal = s_fixture ("normal", NULL, "normal");
    //  A pair alike but for CURVE, both empty until their comparison.
    s_service_t curve = s_fixture_started ("curve", NULL, "full", true);
    s_service_t plain = s_fixture ("plain", NULL, "full");
    zclock_sleep (1500);
    long idle_rss_kb = bench_rss_kb (full.pid); //  started, pinged, idle since

    fprintf (stderr, "bench: raw echo round trip...\n");
    bench_result_t echo_1 = bench_load (echo.endpoint, 1, seconds, 0, bench_raw_unit, NULL);
    bench_side_t raw_full_side = {
        .name = "raw fsync-per-request", .endpoint = raw_full.endpoint, .unit = bench_raw_unit};
    bench_side_t raw_normal_side = {
        .name = "raw normal", .endpoint = raw_normal.endpoint, .unit = bench_raw_unit};
    bench_side_t full_side = {
        .name = "libshared full", .endpoint = full.api, .unit = s_create_unit};
    bench_side_t normal_side = {
        .name = "libshared normal", .endpoint = normal.api, .unit = s_create_unit};
    int client_counts[CLIENT_COUNTS] = {1, 4, 16};
    bench_compare_t full_cmp[CLIENT_COUNTS], normal_cmp[CLIENT_COUNTS];
    double full_per_commit[CLIENT_COUNTS], normal_per_commit[CLIENT_COUNTS];
    double best = 0; //  of the full producer, which the paced step loads
    //  The targets' 16 clients first: the more they are, the less a round's
    //  figure moves, and the sooner the line that matters is known.
    for (int i = CLIENT_COUNTS - 1; i >= 0; i--) {
        full_cmp[i] = s_compare (&raw_full_side, &full_side, &full, client_counts[i], rounds,
                                 seconds, &full_per_commit[i]);
        normal_cmp[i] = s_compare (&raw_normal_side, &normal_side, &normal, client_counts[i],
                                   rounds, seconds, &normal_per_commit[i]);
        best = full_cmp[i].ours_rate.median > best ? full_cmp[i].ours_rate.median : best;
    }
    bench_server_stop (&raw_full);
    bench_server_stop (&raw_normal);
    //  The cost of CURVE: the same durable command, encrypted and authenticated
    //  against plaintext, both under full; and what a new client waits for its
    //  first answer, handshake included.
    fprintf (stderr, "bench: CURVE against plaintext...\n");
    bench_side_t curve_side = {
        .name = "libshared full, CURVE", .endpoint = curve.api, .unit = s_create_unit};
    bench_side_t plain_side = {
        .name = "libshared full, plaintext", .endpoint = plain.api, .unit = s_create_unit};
    bench_compare_t curve_cmp = bench_compare (&plain_side, &curve_side, 16, rounds, seconds);
    double first_reply_curve_us = bench_first_reply_us (curve.api, 50);
    double first_reply_plain_us = bench_first_reply_us (plain.api, 50);
    s_fixture_stop (&curve);
    s_fixture_stop (&plain);
    //  Half of the best full throughput, paced: the latency an operator sees at a
    //  busy hour, in rounds against the bare echo at the same pace (the
    //  transport's own latency at that load). Normal at the same pace tells how
    //  much of the tail is the fsync.
    fprintf (stderr, "bench: paced at half of %.0f/s with 16 clients...\n", best);
    bench_side_t echo_paced = {.name = "raw echo, same pace",
                               .endpoint = echo.endpoint,
                               .unit = bench_raw_unit,
                               .rate = best / 2};
    bench_side_t normal_paced = {.name = "libshared normal",
                                 .endpoint = normal.api,
                                 .unit = s_create_unit,
                                 .rate = best / 2};
    bench_compare_t normal_paced_cmp =
        bench_compare (&echo_paced, &normal_paced, 16, rounds, seconds);
    s_fixture_stop (&normal);

    //  The consumer catches up on all that first; restarted afterwards, its latency
    //  figures cover the paced step alone.
    s_service_t producer = full;
    s_service_t consumer = s_fixture ("consumer", &producer, "full");
    s_wait_applied (&consumer, s_last_seq (&producer));
    s_fixture_stop (&consumer);
    consumer = s_fixture ("consumer", &producer, "full");
    zclock_sleep (500);
    bench_side_t full_paced = {.name = "libshared full",
                               .endpoint = producer.api,
                               .unit = s_create_unit,
                               .rate = best / 2};
    bench_compare_t paced = bench_compare (&echo_paced, &full_paced, 16, rounds, seconds);
    s_wait_applied (&consumer, s_last_seq (&producer));
    cJSON *applied = bench_call (consumer.api, "applied.stats", NULL, 5000);
    double applied_p50 = (double)bench_number (applied, "latency_p50_us");
    double applied_p99 = (double)bench_number (applied, "latency_p99_us");
    cJSON_Delete (applied);
    s_fixture_stop (&consumer);
    bench_server_stop (&echo);

    //  Replay catch-up: a new consumer from seq 1 over everything written so far.
    int64_t written = s_last_seq (&producer);
    fprintf (stderr, "bench: replay catch-up of %lld events...\n", (long long)written);
    int64_t replay_start = shr_time_mono_us ();
    s_service_t late = s_fixture ("late", &producer, "full");
    s_wait_applied (&late, written);
    double replay_rate = (double)written / ((double)(shr_time_mono_us () - replay_start) / 1e6);
    s_fixture_stop (&late);
    s_fixture_stop (&producer);
    double raw_inserts = s_raw_batched_inserts ((int)(written < 20000 ? 20000 : written));

    printf ("bench_platform: %d interleaved rounds of %.1f s per comparison\n", rounds, seconds);
    printf ("\nRaw limits (same run; servers forked from this binary):\n");
    bench_row ("libzmq REQ/REP echo, 1 client", echo_1, 0, NULL);
    printf ("  %-44s %9.0f/s\n", "SQLite inserts, 1000 per transaction", raw_inserts);
    printf ("\nlibshared durable command (validate, insert, outbox, group commit, reply, publish)"
            "\nagainst the raw loop (parse, insert, commit, reply) of the same durability;"
            "\nmedians over the rounds, ratio median (min-max):\n");
    for (int i = 0; i < CLIENT_COUNTS; i++) {
        char what[64];
        snprintf (what, sizeof what, "full, %d client%s", client_counts[i],
                  client_counts[i] > 1 ? "s" : "");
        bench_compare_row (what, &full_cmp[i]);
    }
    for (int i = 0; i < CLIENT_COUNTS; i++) {
        char what[64];
        snprintf (what, sizeof what, "normal, %d client%s", client_counts[i],
                  client_counts[i] > 1 ? "s" : "");
        bench_compare_row (what, &normal_cmp[i]);
    }
    bench_compare_row ("full, CURVE vs plaintext, 16", &curve_cmp);
    bench_compare_row ("full, paced, 16 clients", &paced);
    bench_compare_row ("normal, paced, 16 clients", &normal_paced_cmp);
    printf ("  requests per commit (libshared):");
    for (int i = 0; i < CLIENT_COUNTS; i++)
        printf ("  %d client%s: full %.1f, normal %.1f", client_counts[i],
                client_counts[i] > 1 ? "s" : "", full_per_commit[i], normal_per_commit[i]);
    printf ("\n");

    char pace[32];
    printf ("\nTargets:\n");
    bench_target_line ("libshared full", "raw fsync-per-request", &full_cmp[CLIENT_COUNTS - 1],
                       2.5);
    bench_target_line ("libshared normal", "raw normal", &normal_cmp[CLIENT_COUNTS - 1], 0.9);
    s_latency_line ("libshared full", "raw fsync-per-request", &full_cmp[CLIENT_COUNTS - 1]);
    s_latency_line ("libshared normal", "raw normal", &normal_cmp[CLIENT_COUNTS - 1]);
    printf ("  p99 at half load (full, %s/s), 16 clients: %.2f ms (rounds %.2f-%.2f ms, n=%d)"
            "  [target <= 3 ms]   %s   (%.1fx the raw echo's p99 at that pace)\n",
            bench_thousands (best / 2, pace, sizeof pace), paced.ours_p99.median / 1000,
            paced.ours_p99.min / 1000, paced.ours_p99.max / 1000, paced.rounds,
            paced.ours_p99.median <= 3000 ? "met" : "NOT MET", paced.p99_ratio.median);
    printf ("  p99 at the same pace under normal: %.2f ms (rounds %.2f-%.2f ms, n=%d)"
            "  [target <= 3 ms]   %s   (%.1fx the raw echo's)\n",
            normal_paced_cmp.ours_p99.median / 1000, normal_paced_cmp.ours_p99.min / 1000,
            normal_paced_cmp.ours_p99.max / 1000, normal_paced_cmp.rounds,
            normal_paced_cmp.ours_p99.median <= 3000 ? "met" : "NOT MET",
            normal_paced_cmp.p99_ratio.median);
    printf ("  request-to-applied in a consumer process over those rounds: p50 %.0f us, p99 %.0f"
            " us  [target p99 <= 5 ms]   %s   (%.1fx the raw echo's p99 at that pace)\n",
            applied_p50, applied_p99, applied_p99 <= 5000 ? "met" : "NOT MET",
            applied_p99 / paced.base_p99.median);
    printf ("  replay catch-up (fetch, parse, apply): %.0f events/s over %lld events"
            "  [target >= 50000/s]   %s   (%.2fx raw batched inserts)\n",
            replay_rate, (long long)written, replay_rate >= 50000 ? "met" : "NOT MET",
            replay_rate / raw_inserts);
    bench_target_line ("libshared full, CURVE", "plaintext", &curve_cmp, 0.8);
    printf ("  a new client's first reply (connect, handshake, sys.ping), median of 50: CURVE"
            " %.0f us, plaintext %.0f us: the handshake adds %.0f us (%.2fx)\n",
            first_reply_curve_us, first_reply_plain_us,
            first_reply_curve_us - first_reply_plain_us,
            first_reply_curve_us / first_reply_plain_us);
    printf ("  idle service resident memory: %.1f MB  [target <= 10 MB]   %s\n",
            idle_rss_kb / 1024.0, idle_rss_kb <= 10 * 1024 ? "met" : "NOT MET");
    return 0;
}
