/*  bench_dispatch - the dispatch service's figures beside their raw limits.

    1. A work order's life in four requests (create, assign by the service,
       start, complete) with 16 clients: orders per second, and requests per
       second against the raw durable loop of the same durability, in
       interleaved rounds (bench_compare), for SHR_SYNC=full and normal.
    2. dispatch.run over 10,000 waiting orders and 1,000 technicians with
       locations (home bases, orders spread around ten cities) and, for half
       the orders, the customer's window (target at most 1 s), against the
       bare SQLite work of recording 10,000 assignments (an UPDATE and an
       INSERT each, one transaction); and the optimiser's plan cost against
       the greedy policy's on the same input (a dry run of each, first).

    Usage: bench_dispatch BIN_DIR [SECONDS_PER_ROUND [ROUNDS]]
*/
#include "benchkit.h"

#define RUN_ORDERS 10000
#define RUN_TECHNICIANS 1000
#define REGIONS 10

static const char *s_bin_dir;
static const char *s_work;
static int64_t s_now_ms;  //  when the orders were made, for their windows

//  A point near region r's city, spread over about 20 km by n.
static void s_point (int r, int n, double *lat, double *lon)
{
    *lat = 30.0 + r * 0.5 + ((n * 7919) % 200 - 100) * 0.001;
    *lon = 120.0 + r * 0.3 + ((n * 104729) % 200 - 100) * 0.001;
}

static pid_t s_start_dispatch (const char *name, const char *sync, char **api)
{
    return bench_start_service (s_bin_dir, "dispatch", name, sync, api);
}

static char *s_technician (int n)
{
    static const char *skills[] = {"hvac", "electrical", "refrigeration"};
    double lat, lon;
    s_point (n % REGIONS, n, &lat, &lon);
    return zsys_sprintf (
        "{\"v\":1,\"id\":\"t%d\",\"op\":\"technician.upsert\",\"body\":{\"id\":"
        "\"T-%04d\",\"name\":\"Tech %d\",\"region\":\"r%d\",\"skills\":[{\"skill\":"
        "\"%s\",\"level\":%d},{\"skill\":\"%s\",\"level\":2}],"
        "\"hourly_cost_cents\":%d,\"max_jobs\":20,\"home\":{\"lat\":%.6f,\"lon\":%.6f}}}",
        n, n, n, n % REGIONS, skills[n % 3], 1 + n % 5, skills[(n + 1) % 3],
        4000 + 1000 * (n % 5), lat, lon);
}

//  Half the orders carry a window of three hours, from now to 9 hours on.
static char *s_window (int n)
{
    if (n % 2)
        return strdup ("");
    int64_t start = s_now_ms + (int64_t) (n % 10) * 3600000;
    char from[32], to[32];
    time_t seconds = (time_t) (start / 1000), end = seconds + 3 * 3600;
    strftime (from, sizeof from, "%Y-%m-%dT%H:%M:%SZ", gmtime (&seconds));
    strftime (to, sizeof to, "%Y-%m-%dT%H:%M:%SZ", gmtime (&end));
    return zsys_sprintf (",\"window\":{\"start\":\"%s\",\"end\":\"%s\"}", from, to);
}

static char *s_order (int n)
{
    static const char *skills[] = {"hvac", "electrical", "refrigeration"};
    static const char *priorities[] = {"low", "normal", "high", "urgent"};
    double lat, lon;
    s_point (n % REGIONS, n * 31 + 17, &lat, &lon);
    char *window = s_window (n);
    char *request = zsys_sprintf (
        "{\"v\":1,\"id\":\"o%d\",\"op\":\"workorder.create\",\"body\":{"
        "\"customer_id\":\"C-%d\",\"type\":\"repair\",\"priority\":\"%s\","
        "\"channel\":\"phone\",\"region\":\"r%d\",\"description\":\"broken\","
        "\"required_skill\":\"%s\",\"required_level\":%d,"
        "\"location\":{\"lat\":%.6f,\"lon\":%.6f}%s}}",
        n, n % 997, priorities[n % 4], n % REGIONS, skills[n % 3], 1 + n % 3, lat, lon, window);
    free (window);
    return request;
}

//  One order's life: create, let the service assign it, start, complete.
static int s_lifecycle_unit (void *req, int client, size_t n, int64_t sent_us, void *arg)
{
    (void)arg;
    (void)sent_us;
    char request[512], reply[16384], id[16];
    snprintf (request, sizeof request,
              "{\"v\":1,\"id\":\"c%d-%zu\",\"op\":\"workorder.create\",\"body\":{\"customer_id\":"
              "\"C-%d\",\"type\":\"repair\",\"priority\":\"high\",\"channel\":\"phone\",\"region\":"
              "\"north\",\"description\":\"AC not cooling\",\"required_skill\":\"hvac\"}}",
              client, n, client);
    if (bench_request (req, request, reply, sizeof reply) < 0) return -1;
    const char *at = strstr (reply, "\"id\":\"WO-");
    if (!at || !strstr (reply, "\"ok\":true")) {
        fprintf (stderr, "bench: create failed: %.300s\n", reply);
        return -1;
    }
    snprintf (id, sizeof id, "%.*s", (int)(strchr (at + 6, '"') - (at + 6)), at + 6);
    const char *steps[] = {
        "{\"v\":1,\"id\":\"a\",\"op\":\"workorder.assign\",\"body\":{\"id\":\"%s\"}}",
        "{\"v\":1,\"id\":\"s\",\"op\":\"workorder.start\",\"body\":{\"id\":\"%s\"}}",
        "{\"v\":1,\"id\":\"c\",\"op\":\"workorder.complete\",\"body\":{\"id\":"
        "\"%s\",\"labour_minutes\":45}}"};
    for (int i = 0; i < 3; i++) {
        snprintf (request, sizeof request, steps[i], id);
        if (bench_request (req, request, reply, sizeof reply) < 0) return -1;
        if (!strstr (reply, "\"ok\":true")) {
            fprintf (stderr, "bench: %s failed: %.300s\n", id, reply);
            return -1;
        }
    }
    return 0;
}

//  The floor under dispatch.run: 10,000 assignments recorded in one transaction.
static double s_raw_assignments_ms (void)
{
    char path[300];
    snprintf (path, sizeof path, "%s/raw_run.db", s_work);
    sqlite3 *db;
    sqlite3_open (path, &db);
    sqlite3_exec (db,
                  "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                  "CREATE TABLE w (seq INTEGER PRIMARY KEY, status TEXT, technician TEXT);"
                  "CREATE TABLE step (n INTEGER PRIMARY KEY, seq INTEGER, at INTEGER);",
                  NULL, NULL, NULL);
    sqlite3_exec (db, "BEGIN", NULL, NULL, NULL);
    sqlite3_stmt *insert;
    sqlite3_prepare_v2 (db, "INSERT INTO w (seq, status) VALUES (?, 'reported')", -1, &insert,
                        NULL);
    for (int i = 1; i <= RUN_ORDERS; i++) {
        sqlite3_bind_int (insert, 1, i);
        sqlite3_step (insert);
        sqlite3_reset (insert);
    }
    sqlite3_finalize (insert);
    sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
    sqlite3_stmt *update, *step;
    sqlite3_prepare_v2 (db, "UPDATE w SET status = 'assigned', technician = ? WHERE seq = ?", -1,
                        &update, NULL);
    sqlite3_prepare_v2 (db, "INSERT INTO step (seq, at) VALUES (?, ?)", -1, &step, NULL);
    int64_t start = shr_time_mono_us ();
    sqlite3_exec (db, "BEGIN", NULL, NULL, NULL);
    for (int i = 1; i <= RUN_ORDERS; i++) {
        sqlite3_bind_text (update, 1, "T-0001", -1, SQLITE_STATIC);
        sqlite3_bind_int (update, 2, i);
        sqlite3_step (update);
        sqlite3_reset (update);
        sqlite3_bind_int (step, 1, i);
        sqlite3_bind_int64 (step, 2, start);
        sqlite3_step (step);
        sqlite3_reset (step);
    }
    sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
    double ms = (double)(shr_time_mono_us () - start) / 1000;
    sqlite3_finalize (update);
    sqlite3_finalize (step);
    sqlite3_close (db);
    return ms;
}

//  Fifty technicians of one region, so that lives never wait for one.
static void s_add_technicians (const char *api)
{
    for (int i = 0; i < 50; i++) {
        char *body = zsys_sprintf ("{\"id\":\"T-%02d\",\"name\":\"Tech\",\"region\":\"north\","
                                   "\"skills\":[{\"skill\":\"hvac\",\"level\":3}],"
                                   "\"hourly_cost_cents\":6000,\"max_jobs\":5}",
                                   i);
        cJSON_Delete (bench_call (api, "technician.upsert", body, 5000));
        free (body);
    }
}

int main (int argc, char **argv)
{
    bench_serve_if_asked (argc, argv);
    bench_load_if_asked (argc, argv, "--lives", s_lifecycle_unit, "lives");
    bench_compare_if_asked (argc, argv, "--compare-lives", s_lifecycle_unit);
    if (argc < 2 || streq (argv[1], "--help")) {
        fprintf (argc < 2 ? stderr : stdout,
                 "Usage: bench_dispatch BIN_DIR [SECONDS_PER_ROUND [ROUNDS]]\n"
                 "       bench_dispatch --lives ENDPOINT CLIENTS SECONDS [RATE]\n"
                 "       bench_dispatch --compare-lives BASE_ENDPOINT OURS_ENDPOINT CLIENTS "
                 "SECONDS ROUNDS\n"
                 "Prints dispatch's figures beside the raw limits of the same run.\n");
        return argc < 2 ? 2 : 0;
    }
    s_bin_dir = argv[1];
    double seconds = argc >= 3 ? atof (argv[2]) : 1.0;
    int rounds = argc >= 4 ? atoi (argv[3]) : 7;
    s_work = bench_init ("bench_dispatch");

    //  1. Whole lives, 16 clients, each durability against its raw loop.
    bench_server_t raw_full = bench_raw_start ("durable-full");
    bench_server_t raw_normal = bench_raw_start ("durable-normal");
    char *full_api, *normal_api;
    pid_t full = s_start_dispatch ("full", "full", &full_api);
    pid_t normal = s_start_dispatch ("normal", "normal", &normal_api);
    zclock_sleep (1500);
    long idle_rss_kb = bench_rss_kb (full); //  started, pinged, idle since
    s_add_technicians (full_api);
    s_add_technicians (normal_api);
    bench_side_t raw_full_side = {
        .name = "raw fsync-per-request", .endpoint = raw_full.endpoint, .unit = bench_raw_unit};
    bench_side_t raw_normal_side = {
        .name = "raw normal", .endpoint = raw_normal.endpoint, .unit = bench_raw_unit};
    bench_side_t full_side = {.name = "dispatch full",
                              .endpoint = full_api,
                              .unit = s_lifecycle_unit,
                              .requests_per_unit = 4};
    bench_side_t normal_side = {.name = "dispatch normal",
                                .endpoint = normal_api,
                                .unit = s_lifecycle_unit,
                                .requests_per_unit = 4};
    bench_compare_t full_cmp = bench_compare (&raw_full_side, &full_side, 16, rounds, seconds);
    bench_compare_t normal_cmp =
        bench_compare (&raw_normal_side, &normal_side, 16, rounds, seconds);
    bench_stop (full);
    bench_stop (normal);
    zstr_free (&full_api);
    zstr_free (&normal_api);
    bench_server_stop (&raw_full);
    bench_server_stop (&raw_normal);

    //  2. dispatch.run at scale, on a fresh database.
    char *api;
    pid_t dispatch = s_start_dispatch ("run", "full", &api);
    fprintf (stderr, "bench: %d technicians and %d orders...\n", RUN_TECHNICIANS, RUN_ORDERS);
    s_now_ms = zclock_time ();
    bench_pipeline (api, RUN_TECHNICIANS, s_technician);
    bench_pipeline (api, RUN_ORDERS, s_order);
    fprintf (stderr, "bench: dispatch.run, dry runs of the greedy policy and the optimiser...\n");
    cJSON *greedy = bench_call (api, "dispatch.run", "{\"dry_run\":true,\"policy\":\"greedy\"}", 60000);
    int64_t greedy_assigned = bench_number (greedy, "assigned"), greedy_cost = bench_number (greedy, "cost");
    cJSON_Delete (greedy);
    fprintf (stderr, "bench: dispatch.run...\n");
    int64_t start = shr_time_mono_us ();
    cJSON *run = bench_call (api, "dispatch.run", NULL, 60000);
    double run_ms = (double)(shr_time_mono_us () - start) / 1000;
    int64_t assigned = bench_number (run, "assigned");
    int64_t unassigned = bench_number (run, "unassigned");
    int64_t server_ms = bench_number (run, "elapsed_ms");
    int64_t cost = bench_number (run, "cost"), plan_ms = bench_number (run, "plan_ms");
    cJSON *bound = cJSON_GetObjectItem (run, "lower_bound");
    int64_t lower_bound = cJSON_IsNumber (bound) ? (int64_t) bound->valuedouble : -1;
    cJSON_Delete (run);
    bench_stop (dispatch);
    zstr_free (&api);
    double raw_ms = s_raw_assignments_ms ();

    printf ("bench_dispatch: %d interleaved rounds of %.1f s per comparison\n", rounds, seconds);
    printf ("\nOrder lives (create, assign, start, complete: 4 requests each), 16 clients, as"
            "\nrequests/s against the raw loop of the same durability; p50/p99 are per life:\n");
    bench_compare_row ("dispatch full", &full_cmp);
    bench_compare_row ("dispatch normal", &normal_cmp);
    char lives_full[32], lives_normal[32];
    printf ("  = %s lives/s (full), %s lives/s (normal)\n",
            bench_thousands (full_cmp.ours_rate.median / 4, lives_full, sizeof lives_full),
            bench_thousands (normal_cmp.ours_rate.median / 4, lives_normal, sizeof lives_normal));
    printf ("\nTargets and floors:\n");
    printf ("  dispatch full, 16 clients: %.2fx raw fsync-per-request (rounds %.2f-%.2fx, n=%d);"
            " normal: %.2fx raw normal (rounds %.2f-%.2fx)\n",
            full_cmp.ratio.median, full_cmp.ratio.min, full_cmp.ratio.max, full_cmp.rounds,
            normal_cmp.ratio.median, normal_cmp.ratio.min, normal_cmp.ratio.max);
    printf ("  dispatch.run: %lld assigned, %lld left waiting, %.0f ms round trip (%lld ms in"
            " the service, %lld of them planning)  [target <= 1000 ms]   %s   (%.1fx the raw SQLite floor"
            " of %.1f ms)\n",
            (long long)assigned, (long long)unassigned, run_ms, (long long)server_ms, (long long)plan_ms,
            run_ms <= 1000 ? "met" : "NOT MET", run_ms / raw_ms, raw_ms);
    printf ("  dispatch.run's plan: cost %lld for %lld orders assigned, the greedy policy's %lld for"
            " %lld: %.3fx greedy's cost (%s)",
            (long long) cost, (long long) assigned, (long long) greedy_cost,
            (long long) greedy_assigned, greedy_cost ? (double) cost / (double) greedy_cost : 0,
            assigned >= greedy_assigned ? "as many or more assigned" : "FEWER assigned");
    if (lower_bound >= 0)
        printf ("; Lagrangian bound %lld: within %.2f%% of the optimum", (long long) lower_bound,
                lower_bound ? 100.0 * (double) (cost - lower_bound) / (double) lower_bound : 0);
    printf ("\n");
    printf ("  idle dispatch resident memory: %.1f MB  [target <= 10 MB]   %s\n",
            idle_rss_kb / 1024.0, idle_rss_kb <= 10 * 1024 ? "met" : "NOT MET");
    return 0;
}
