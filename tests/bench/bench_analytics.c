/*  bench_analytics - analytics' figures beside their limits.

    1. A rebuild from replay: dispatch's outbox holds ORDERS workorder.completed
       events (written into its table by SQL: a year of 50 technicians in 8
       regions, every type), and a fresh analytics follows it from seq 1, as
       one started on an empty volume does: events per second until its
       checkpoint reaches the last seq, against the raw batched-insert rate of
       the same run (the same envelopes inserted into a bare SQLite table,
       1000 to a transaction, synchronous=FULL, the durability analytics runs
       with).
    2. kpi.report over all of them, the whole year, by none, region and
       technician (target at most 100 ms), each asked 20 times over one
       connection: p50 and max.

    ORDERS is BENCH_ANALYTICS_ORDERS, default 1,000,000.

    Usage: bench_analytics BIN_DIR [SECONDS_PER_ROUND [ROUNDS]]
*/
#include "benchkit.h"

#define REPORT_CALLS 20
#define BATCH 1000

static const char *s_bin_dir;
static const char *s_work;

static void s_exec (sqlite3 *db, const char *sql, int64_t orders, int64_t t0)
{
    const bench_param_t params[] = {{":orders", orders}, {":t0", t0}, {NULL, 0}};
    bench_sql (db, sql, params);
}

//  ORDERS completed work orders in dispatch's outbox, as dispatch writes them
//  (the contract's envelope and workorder.completed data), a year from t0.
static void s_seed (const char *path, int64_t orders, int64_t t0)
{
    sqlite3 *db;
    if (sqlite3_open (path, &db) != SQLITE_OK) {
        fprintf (stderr, "bench: cannot open %s\n", path);
        exit (1);
    }
    static const char *const steps[] = {
        "PRAGMA journal_mode=WAL",
        "PRAGMA synchronous=OFF",
        "BEGIN",
        "CREATE TEMP TABLE n AS WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c"
        " WHERE i < :orders) SELECT i, :t0 + i * (365 * 86400000 / :orders) AS done,"
        " 1800 + (i * 7919) % 20000 AS took, 30 + (i * 31) % 150 AS minutes FROM c",
        "INSERT INTO shr_outbox (seq, type, key, ts, envelope) SELECT i, 'workorder.completed',"
        " printf ('WO-%07d', i), strftime ('%Y-%m-%dT%H:%M:%fZ', done / 1000.0, 'unixepoch'),"
        " json_object ('v', 1, 'source', 'dispatch', 'seq', i, 'type', 'workorder.completed',"
        "  'ts', strftime ('%Y-%m-%dT%H:%M:%fZ', done / 1000.0, 'unixepoch'),"
        "  'key', printf ('WO-%07d', i), 'actor', 'bench', 'data', json_object ("
        "  'id', printf ('WO-%07d', i), 'customer_id', 'C-' || (i % 5000),"
        "  'type', json_extract ('[\"repair\",\"maintenance\",\"installation\",\"upgrade\","
        "\"inspection\",\"consulting\"]', '$[' || (i % 6) || ']'),"
        "  'priority', 'normal', 'channel', 'phone', 'region', 'region-' || (i % 8),"
        "  'status', 'completed', 'technician_id', 'T-' || (i % 50), 'required_skill', 'hvac',"
        "  'required_level', 1, 'in_warranty', json ('false'), 'rework_of', NULL,"
        "  'reported_at', strftime ('%Y-%m-%dT%H:%M:%fZ', (done - took * 1000) / 1000.0,"
        "   'unixepoch'),"
        "  'due_at', strftime ('%Y-%m-%dT%H:%M:%fZ', (done + 3600000 - (i % 3) * 7200000)"
        "   / 1000.0, 'unixepoch'),"
        "  'overdue', json (CASE WHEN i % 3 = 2 THEN 'true' ELSE 'false' END),"
        "  'completed_at', strftime ('%Y-%m-%dT%H:%M:%fZ', done / 1000.0, 'unixepoch'),"
        "  'repair_duration_s', took, 'on_time', json (CASE WHEN i % 3 = 2 THEN 'false' ELSE"
        "   'true' END),"
        "  'money', json_object ('currency', 'CNY', 'labour_minutes', minutes,"
        "   'labour_cost_cents', minutes * 100, 'parts_cost_cents', 3000, 'labour_charge_cents',"
        "   minutes * 200, 'parts_charge_cents', 5000, 'fees_cents', 0, 'total_charge_cents',"
        "   minutes * 200 + 5000, 'margin_cents', minutes * 100 + 2000),"
        "  'parts_used', json_array (json_object ('part_id', 'P-' || (i % 40), 'qty', 1,"
        "   'unit_price_cents', 5000, 'unit_cost_cents', 3000)))) FROM n",
        "COMMIT",
        "PRAGMA wal_checkpoint(TRUNCATE)"};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        s_exec (db, steps[i], orders, t0);
    sqlite3_close (db);
}

//  The raw limit: the same envelopes inserted into a bare table, BATCH to a
//  transaction, synchronous=FULL. Returns rows per second.
static double s_raw_batched (const char *source_path, int64_t orders)
{
    sqlite3 *from, *to;
    char *path = zsys_sprintf ("%s/raw.db", s_work);
    if (sqlite3_open (source_path, &from) != SQLITE_OK || sqlite3_open (path, &to) != SQLITE_OK) {
        fprintf (stderr, "bench: cannot open the raw databases\n");
        exit (1);
    }
    zstr_free (&path);
    s_exec (to, "PRAGMA journal_mode=WAL", 0, 0);
    s_exec (to, "PRAGMA synchronous=FULL", 0, 0);
    s_exec (to, "CREATE TABLE event (seq INTEGER PRIMARY KEY, type TEXT, key TEXT,"
                " envelope TEXT)", 0, 0);
    sqlite3_stmt *read, *write;
    sqlite3_prepare_v2 (from, "SELECT seq, type, key, envelope FROM shr_outbox ORDER BY seq", -1,
                        &read, NULL);
    sqlite3_prepare_v2 (to, "INSERT INTO event VALUES (?, ?, ?, ?)", -1, &write, NULL);
    //  Read first: the limit is the insert, not the reading.
    char **texts = (char **) calloc ((size_t) orders, sizeof *texts);
    int64_t count = 0;
    while (sqlite3_step (read) == SQLITE_ROW && count < orders)
        texts[count++] = strdup ((const char *) sqlite3_column_text (read, 3));
    sqlite3_finalize (read);
    int64_t start = shr_time_mono_us ();
    for (int64_t i = 0; i < count; i++) {
        if (i % BATCH == 0)
            s_exec (to, "BEGIN", 0, 0);
        char key[32];
        snprintf (key, sizeof key, "WO-%07lld", (long long) i + 1);
        sqlite3_bind_int64 (write, 1, i + 1);
        sqlite3_bind_text (write, 2, "workorder.completed", -1, SQLITE_STATIC);
        sqlite3_bind_text (write, 3, key, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text (write, 4, texts[i], -1, SQLITE_STATIC);
        if (sqlite3_step (write) != SQLITE_DONE) {
            fprintf (stderr, "bench: raw insert: %s\n", sqlite3_errmsg (to));
            exit (1);
        }
        sqlite3_reset (write);
        if (i % BATCH == BATCH - 1 || i == count - 1)
            s_exec (to, "COMMIT", 0, 0);
    }
    double seconds = (double) (shr_time_mono_us () - start) / 1e6;
    sqlite3_finalize (write);
    sqlite3_close (to);
    sqlite3_close (from);
    for (int64_t i = 0; i < count; i++)
        free (texts[i]);
    free (texts);
    return (double) count / seconds;
}

//  The seq analytics has applied of dispatch's stream.
static int64_t s_applied (const char *api)
{
    cJSON *health = bench_call (api, "sys.health", NULL, 10000);
    int64_t applied = 0;
    const cJSON *consumer;
    cJSON_ArrayForEach (consumer, cJSON_GetObjectItem (health, "consumers"))
        if (streq (cJSON_GetStringValue (cJSON_GetObjectItem (consumer, "source")), "dispatch"))
            applied = bench_number (consumer, "applied_seq");
    cJSON_Delete (health);
    return applied;
}

static int s_compare_us (const void *a, const void *b)
{
    int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
    return x < y ? -1 : x > y;
}

//  p50 and max (ms) of kpi.report by over from..to, REPORT_CALLS times over one connection.
static void s_time_report (const char *api, const char *from, const char *to, const char *by,
                           double *p50_ms, double *max_ms, int64_t *jobs)
{
    zsock_t *req = zsock_new_req (api);
    zsock_set_rcvtimeo (req, 30000);
    int64_t took[REPORT_CALLS];
    char *reply = NULL;
    for (int i = 0; i < REPORT_CALLS; i++) {
        int64_t start = shr_time_mono_us ();
        zstr_sendf (req, "{\"v\":1,\"id\":\"r%d\",\"op\":\"kpi.report\",\"body\":{\"from\":"
                         "\"%s\",\"to\":\"%s\",\"by\":\"%s\"}}", i, from, to, by);
        zstr_free (&reply);
        reply = zstr_recv (req);
        took[i] = shr_time_mono_us () - start;
        if (!reply || !strstr (reply, "\"ok\":true")) {
            fprintf (stderr, "bench: kpi.report failed: %.300s\n", reply ? reply : "no reply");
            exit (1);
        }
    }
    //  The repair time's facts, summed over the groups: every completed order.
    *jobs = 0;
    cJSON *envelope = cJSON_Parse (reply);
    const cJSON *group;
    cJSON_ArrayForEach (group, cJSON_GetObjectItem (cJSON_GetObjectItem (envelope, "body"),
                                                    "groups")) {
        const cJSON *kpi;
        cJSON_ArrayForEach (kpi, cJSON_GetObjectItem (group, "kpis"))
            if (streq (cJSON_GetStringValue (cJSON_GetObjectItem (kpi, "kpi")),
                       "avg_repair_time"))
                *jobs += bench_number (kpi, "facts");
    }
    cJSON_Delete (envelope);
    zstr_free (&reply);
    zsock_destroy (&req);
    qsort (took, REPORT_CALLS, sizeof took[0], s_compare_us);
    *p50_ms = took[REPORT_CALLS / 2] / 1000.0;
    *max_ms = took[REPORT_CALLS - 1] / 1000.0;
}

int main (int argc, char **argv)
{
    bench_serve_if_asked (argc, argv);
    if (argc < 2 || streq (argv[1], "--help")) {
        fprintf (argc < 2 ? stderr : stdout,
                 "Usage: bench_analytics BIN_DIR [SECONDS_PER_ROUND [ROUNDS]]\n"
                 "Prints analytics' figures beside their limits (BENCH_ANALYTICS_ORDERS"
                 " completed orders, default 1000000).\n");
        return argc < 2 ? 2 : 0;
    }
    s_bin_dir = argv[1];
    const char *env = getenv ("BENCH_ANALYTICS_ORDERS");
    int64_t orders = env && atoll (env) > 0 ? atoll (env) : 1000000;
    s_work = bench_init ("bench_analytics");

    //  dispatch's database, made by dispatch, then its outbox filled.
    char *d_api = bench_endpoint (), *d_events = bench_endpoint ();
    pid_t dispatch = bench_start_service_at (s_bin_dir, "dispatch", "dispatch", "full", d_api,
                                             d_events, NULL);
    bench_stop (dispatch);
    //  A year ending yesterday, at a whole day.
    int64_t t0 = (shr_time_now_ms () / 86400000 - 366) * 86400000;
    char *path = zsys_sprintf ("%s/dispatch/dispatch.db", s_work);
    fprintf (stderr, "bench: writing %lld completed work orders into dispatch's outbox...\n",
             (long long) orders);
    int64_t seed_start = shr_time_mono_us ();
    s_seed (path, orders, t0);
    double seed_s = (double) (shr_time_mono_us () - seed_start) / 1e6;
    fprintf (stderr, "bench: the raw batched insert of the same envelopes...\n");
    double raw_rate = s_raw_batched (path, orders);
    zstr_free (&path);
    dispatch = bench_start_service_at (s_bin_dir, "dispatch", "dispatch", "full", d_api, d_events,
                                       NULL);

    //  1. A fresh analytics rebuilds from dispatch's replay (complaints is
    //  not there: its consumer waits, which costs the rebuild nothing).
    char *a_api = bench_endpoint (), *a_events = bench_endpoint ();
    char *c_api = bench_endpoint (), *c_events = bench_endpoint ();
    char *extra[] = {zsys_sprintf ("DISPATCH_API=%s", d_api),
                     zsys_sprintf ("DISPATCH_EVENTS=%s", d_events),
                     zsys_sprintf ("COMPLAINTS_API=%s", c_api),
                     zsys_sprintf ("COMPLAINTS_EVENTS=%s", c_events), NULL};
    fprintf (stderr, "bench: analytics rebuilding from replay...\n");
    int64_t start = shr_time_mono_us ();
    pid_t analytics = bench_start_service_at (s_bin_dir, "analytics", "analytics", "full", a_api,
                                              a_events, extra);
    while (s_applied (a_api) < orders)
        zclock_sleep (100);
    double rebuild_s = (double) (shr_time_mono_us () - start) / 1e6;
    double rebuild_rate = (double) orders / rebuild_s;

    //  2. The year's report, three ways.
    char from[16], to[16];
    time_t first = (time_t) (t0 / 1000), last = (time_t) (t0 / 1000 + 365 * 86400);
    strftime (from, sizeof from, "%Y-%m-%d", gmtime (&first));
    strftime (to, sizeof to, "%Y-%m-%d", gmtime (&last));
    const char *bys[] = {"none", "region", "technician"};
    double p50[3], max[3];
    int64_t jobs[3];
    for (int i = 0; i < 3; i++)
        s_time_report (a_api, from, to, bys[i], &p50[i], &max[i], &jobs[i]);
    bench_stop (analytics);
    bench_stop (dispatch);
    for (int i = 0; extra[i]; i++)
        free (extra[i]);

    char a[32], b[32];
    printf ("bench_analytics: %lld completed work orders in dispatch's outbox (written by SQL"
            " in %.0f s)\n", (long long) orders, seed_s);
    printf ("\n  rebuild from replay: %s events/s (%.1f s for %lld), against the raw batched"
            " insert of the same envelopes %s rows/s: %.2fx\n",
            bench_thousands (rebuild_rate, a, sizeof a), rebuild_s, (long long) orders,
            bench_thousands (raw_rate, b, sizeof b), rebuild_rate / raw_rate);
    for (int i = 0; i < 3; i++)
        printf ("  kpi.report, %s to %s, by %s, over %lld completed orders: p50 %.2f ms, max %.2f"
                " ms over %d calls  [target <= 100 ms]   %s\n",
                from, to, bys[i], (long long) jobs[i], p50[i], max[i], REPORT_CALLS,
                p50[i] <= 100 ? "met" : "NOT MET");
    return 0;
}
