/*  bench_complaints - the complaints service's figures beside their raw limits.

    1. complaint.create with 16 clients (a complaint from one of 16 customers,
       with its channel reference, routed among 20 handlers, two deadlines,
       an audit row, two events), SHR_SYNC=full, against the raw durable loop
       of the same durability (an insert and an fsync per request), in
       interleaved rounds (bench_compare).
    2. complaint.get with 16 clients (summary, times, deadlines, audit trail),
       against the raw read loop (one row read by its primary key, as JSON),
       in interleaved rounds.
    3. complaint.list of one handler's open cases among a million complaints
       (target at most 5 ms): the million are written into the service's
       tables by SQL (10 minutes of requests otherwise), the service started
       on them, the first page asked 200 times over one connection.
    4. Idle resident memory of the service (target at most 10 MB).

    Usage: bench_complaints BIN_DIR [SECONDS_PER_ROUND [ROUNDS]]
*/
#include "benchkit.h"

#define HANDLERS 20
#define CUSTOMERS 16
#define MILLION 1000000
#define LIST_CALLS 200
#define GET_SPREAD 2000  //  complaint.get reads CP-000001 ... CP-002000
#define LIST_EXTRA 100   //  cases taken in by requests beside the million

static const char *s_bin_dir;
static const char *s_work;

static pid_t s_start_complaints (const char *name, const char *sync, char **api)
{
    return bench_start_service (s_bin_dir, "complaints", name, sync, api);
}

//  Twenty agents covering billing, a supervisor, a manager; sixteen customers.
static void s_add_team_and_customers (const char *api)
{
    for (int i = 0; i < HANDLERS; i++) {
        char *body = zsys_sprintf ("{\"id\":\"A-%02d\",\"name\":\"Agent %d\",\"level\":\"agent\","
                                   "\"categories\":[\"billing\",\"repair_delay\"]}",
                                   i, i);
        cJSON_Delete (bench_call (api, "handler.upsert", body, 5000));
        free (body);
    }
    cJSON_Delete (bench_call (api, "handler.upsert",
                              "{\"id\":\"S-1\",\"name\":\"Sup\",\"level\":\"supervisor\"}", 5000));
    cJSON_Delete (bench_call (api, "handler.upsert",
                              "{\"id\":\"M-1\",\"name\":\"Man\",\"level\":\"manager\"}", 5000));
    for (int i = 0; i < CUSTOMERS; i++) {
        char *body = zsys_sprintf ("{\"id\":\"C-%d\",\"name\":\"Customer %d\",\"region\":\"north\","
                                   "\"consent\":true}",
                                   i, i);
        cJSON_Delete (bench_call (api, "customer.upsert", body, 5000));
        free (body);
    }
}

//  One complaint, each with its own channel reference.
static int s_create_unit (void *req, int client, size_t n, int64_t sent_us, void *arg)
{
    (void)arg;
    char request[512], reply[16384];
    snprintf (request, sizeof request,
              "{\"v\":1,\"id\":\"c%d-%zu\",\"op\":\"complaint.create\",\"body\":{\"customer_id\":"
              "\"C-%d\",\"kind\":\"complaint\",\"channel\":\"email\",\"channel_ref\":"
              "\"m%d-%zu-%lld\",\"category\":\"billing\",\"severity\":\"medium\",\"text\":"
              "\"charged twice for one repair\"}}",
              client, n, client % CUSTOMERS, client, n, (long long)sent_us);
    if (bench_request (req, request, reply, sizeof reply) < 0) return -1;
    if (!strstr (reply, "\"ok\":true")) {
        fprintf (stderr, "bench: complaint.create failed: %.300s\n", reply);
        return -1;
    }
    return 0;
}

//  One whole case read back, spread over the first GET_SPREAD.
static int s_get_unit (void *req, int client, size_t n, int64_t sent_us, void *arg)
{
    (void)arg;
    (void)sent_us;
    char request[256], reply[16384];
    snprintf (request, sizeof request,
              "{\"v\":1,\"id\":\"g%d-%zu\",\"op\":\"complaint.get\",\"body\":"
              "{\"id\":\"CP-%06zu\"}}",
              client, n, 1 + ((size_t)client * 7919 + n * 31) % GET_SPREAD);
    if (bench_request (req, request, reply, sizeof reply) < 0) return -1;
    if (!strstr (reply, "\"ok\":true")) {
        fprintf (stderr, "bench: complaint.get failed: %.300s\n", reply);
        return -1;
    }
    return 0;
}

//  An inquiry from one of the customers, for bench_pipeline.
static char *s_inquiry (int n)
{
    return zsys_sprintf ("{\"v\":1,\"id\":\"p%d\",\"op\":\"complaint.create\",\"body\":{"
                         "\"customer_id\":\"C-%d\",\"kind\":\"inquiry\",\"channel\":\"web\","
                         "\"category\":\"repair_delay\",\"severity\":\"low\",\"text\":"
                         "\"when does the technician come?\"}}",
                         n, n % CUSTOMERS);
}

//  Runs one statement of the seeding, binding :t0 (400 days ago), :later (20
//  days on) and the sizes where it names them. Exits on an error.
static void s_seed_step (sqlite3 *db, const char *sql, int64_t t0, int64_t later)
{
    const bench_param_t params[] = {{":t0", t0}, {":later", later}, {":count", MILLION},
                                    {":handlers", HANDLERS}, {":customers", CUSTOMERS},
                                    {NULL, 0}};
    bench_sql (db, sql, params);
}

//  A million complaints in the service's own tables (migrations.c's), spread
//  over the 20 agents: one in 500 of each agent's still open (its resolve
//  deadline weeks away, so that the clock has nothing to do), the rest closed
//  long ago, each with its two deadlines. Seqs follow those the service has,
//  so its own ids go on from there.
static void s_seed_million (const char *path)
{
    sqlite3 *db;
    if (sqlite3_open (path, &db) != SQLITE_OK) {
        fprintf (stderr, "bench: cannot open %s\n", path);
        exit (1);
    }
    int64_t t0 = shr_time_now_ms () - 400LL * 86400 * 1000;
    int64_t later = shr_time_now_ms () + 20LL * 86400 * 1000;
    const char *const steps[] = {
        "PRAGMA journal_mode=WAL",
        "PRAGMA synchronous=OFF",
        "BEGIN",
        "CREATE TEMP TABLE n AS WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c"
        " WHERE i < :count) SELECT i, (SELECT coalesce (max (seq), 0) FROM main.complaint) + i"
        " AS seq, (i / :handlers) % 500 = 0 AS open, :t0 + i * 30 AS at FROM c",
        "INSERT INTO complaint (seq, id, customer_id, region, kind, channel, category, severity,"
        " text, status, open, handler_id, level, currency, received_at_ms, acknowledged_at_ms,"
        " resolved_at_ms, closed_at_ms, closed_by) SELECT seq, printf ('CP-%07d', seq),"
        " 'C-' || (i % :customers), 'north', 'complaint', 'phone', 'billing', 'medium', 'seeded',"
        " CASE WHEN open THEN 'investigating' ELSE 'closed' END, open,"
        " printf ('A-%02d', i % :handlers), 'agent', 'CNY', at, at + 60000,"
        " CASE WHEN open THEN NULL ELSE at + 3600000 END,"
        " CASE WHEN open THEN NULL ELSE at + 7200000 END,"
        " CASE WHEN open THEN NULL ELSE 'customer' END FROM n",
        "INSERT INTO complaint_deadline (complaint_seq, kind, round, started_at_ms, due_at_ms,"
        " at_risk_at_ms, business_hours, met_at_ms) SELECT seq, 'acknowledge', 1, at,"
        " at + 86400000, at + 64800000, 0, at + 60000 FROM n",
        "INSERT INTO complaint_deadline (complaint_seq, kind, round, started_at_ms, due_at_ms,"
        " at_risk_at_ms, business_hours, met_at_ms) SELECT seq, 'resolve', 1, at,"
        " CASE WHEN open THEN :later + 864000000 ELSE at + 604800000 END,"
        " CASE WHEN open THEN :later ELSE at + 453600000 END, 0,"
        " CASE WHEN open THEN NULL ELSE at + 3600000 END FROM n",
        "COMMIT",
        "PRAGMA wal_checkpoint(TRUNCATE)"};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        s_seed_step (db, steps[i], t0, later);
    sqlite3_close (db);
}

static int s_compare_us (const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

//  p50 and p99 (ms) of one page of a handler's open cases, over one connection.
static void s_time_list (const char *api, double *p50_ms, double *p99_ms, int *items)
{
    zsock_t *req = zsock_new_req (api);
    zsock_set_rcvtimeo (req, 30000);
    int64_t took[LIST_CALLS];
    char *reply = NULL;
    for (int i = 0; i < LIST_CALLS; i++) {
        int64_t start = shr_time_mono_us ();
        zstr_sendf (req, "{\"v\":1,\"id\":\"l%d\",\"op\":\"complaint.list\",\"body\":"
                         "{\"handler_id\":\"A-07\",\"open\":true}}",
                    i);
        zstr_free (&reply);
        reply = zstr_recv (req);
        took[i] = shr_time_mono_us () - start;
        if (!reply || !strstr (reply, "\"ok\":true")) {
            fprintf (stderr, "bench: complaint.list failed: %.300s\n", reply ? reply : "no reply");
            exit (1);
        }
    }
    *items = 0;
    for (const char *at = reply; (at = strstr (at, "\"id\":\"CP-")); at++)
        (*items)++;
    zstr_free (&reply);
    zsock_destroy (&req);
    qsort (took, LIST_CALLS, sizeof took[0], s_compare_us);
    *p50_ms = took[LIST_CALLS / 2] / 1000.0;
    *p99_ms = took[LIST_CALLS * 99 / 100] / 1000.0;
}

int main (int argc, char **argv)
{
    bench_serve_if_asked (argc, argv);
    bench_load_if_asked (argc, argv, "--creates", s_create_unit, "creates");
    bench_load_if_asked (argc, argv, "--gets", s_get_unit, "gets");
    if (argc < 2 || streq (argv[1], "--help")) {
        fprintf (argc < 2 ? stderr : stdout,
                 "Usage: bench_complaints BIN_DIR [SECONDS_PER_ROUND [ROUNDS]]\n"
                 "       bench_complaints --creates|--gets ENDPOINT CLIENTS SECONDS [RATE]\n"
                 "Prints complaints' figures beside the raw limits of the same run.\n");
        return argc < 2 ? 2 : 0;
    }
    s_bin_dir = argv[1];
    double seconds = argc >= 3 ? atof (argv[2]) : 1.0;
    int rounds = argc >= 4 ? atoi (argv[3]) : 7;
    s_work = bench_init ("bench_complaints");

    //  1, 2. Creates against the durable loop, gets against the read loop.
    bench_server_t raw_full = bench_raw_start ("durable-full");
    bench_server_t raw_read = bench_raw_start ("read");
    char *api;
    pid_t complaints = s_start_complaints ("full", "full", &api);
    zclock_sleep (1500);
    long idle_rss_kb = bench_rss_kb (complaints); //  started, pinged, idle since
    s_add_team_and_customers (api);
    fprintf (stderr, "bench: %d complaints to read back...\n", GET_SPREAD);
    bench_pipeline (api, GET_SPREAD, s_inquiry);
    bench_side_t raw_full_side = {
        .name = "raw fsync-per-request", .endpoint = raw_full.endpoint, .unit = bench_raw_unit};
    bench_side_t raw_read_side = {
        .name = "raw read", .endpoint = raw_read.endpoint, .unit = bench_raw_read_unit};
    bench_side_t create_side = {
        .name = "complaint.create full", .endpoint = api, .unit = s_create_unit};
    bench_side_t get_side = {.name = "complaint.get", .endpoint = api, .unit = s_get_unit};
    bench_compare_t create_cmp = bench_compare (&raw_full_side, &create_side, 16, rounds, seconds);
    bench_compare_t get_cmp = bench_compare (&raw_read_side, &get_side, 16, rounds, seconds);
    bench_stop (complaints);
    zstr_free (&api);
    bench_server_stop (&raw_full);
    bench_server_stop (&raw_read);

    //  3. A handler's open cases among a million.
    complaints = s_start_complaints ("million", "normal", &api);
    s_add_team_and_customers (api);
    bench_stop (complaints);
    zstr_free (&api);
    fprintf (stderr, "bench: writing %d complaints into the tables...\n", MILLION);
    char *path = zsys_sprintf ("%s/million/complaints.db", s_work);
    int64_t seed_start = shr_time_mono_us ();
    s_seed_million (path);
    double seed_s = (double)(shr_time_mono_us () - seed_start) / 1e6;
    zstr_free (&path);
    complaints = s_start_complaints ("million", "normal", &api);
    //  A few cases taken in the usual way too, for A-07 among others.
    bench_pipeline (api, LIST_EXTRA, s_inquiry);
    double p50_ms, p99_ms;
    int items;
    s_time_list (api, &p50_ms, &p99_ms, &items);
    bench_stop (complaints);
    zstr_free (&api);

    printf ("bench_complaints: %d interleaved rounds of %.1f s per comparison\n", rounds, seconds);
    printf ("\ncomplaint.create and complaint.get, 16 clients, requests/s against the raw"
            " loops:\n");
    bench_compare_row ("complaint.create full", &create_cmp);
    bench_compare_row ("complaint.get", &get_cmp);
    printf ("\nTargets and floors:\n");
    char ours[32], base[32];
    printf ("  complaint.create, 16 clients, full: %s/s, %.2fx raw fsync-per-request %s/s"
            " (rounds %.2f-%.2fx, n=%d)\n",
            bench_thousands (create_cmp.ours_rate.median, ours, sizeof ours),
            create_cmp.ratio.median,
            bench_thousands (create_cmp.base_rate.median, base, sizeof base),
            create_cmp.ratio.min, create_cmp.ratio.max, create_cmp.rounds);
    printf ("  complaint.get, 16 clients: %s/s, %.2fx the raw read loop %s/s (rounds %.2f-%.2fx,"
            " n=%d)\n",
            bench_thousands (get_cmp.ours_rate.median, ours, sizeof ours), get_cmp.ratio.median,
            bench_thousands (get_cmp.base_rate.median, base, sizeof base), get_cmp.ratio.min,
            get_cmp.ratio.max, get_cmp.rounds);
    printf ("  complaint.list of one handler's open cases (a page of %d) among %d complaints:"
            " p50 %.2f ms, p99 %.2f ms over %d calls  [target <= 5 ms]   %s   (tables filled"
            " by SQL in %.0f s)\n",
            items, MILLION + LIST_EXTRA, p50_ms, p99_ms, LIST_CALLS,
            p50_ms <= 5 ? "met" : "NOT MET", seed_s);
    printf ("  idle complaints resident memory: %.1f MB  [target <= 10 MB]   %s\n",
            idle_rss_kb / 1024.0, idle_rss_kb <= 10 * 1024 ? "met" : "NOT MET");
    return 0;
}
