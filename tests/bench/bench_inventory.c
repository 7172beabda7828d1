/*  bench_inventory - the inventory service's figures beside their limits.

    1. stock.reserve with 16 clients (a work order's line of one unit each)
       against the raw durable loop (one fsync per request) in interleaved
       rounds (bench_compare), SHR_SYNC=full.
    2. inventory.turnover for a year over a million ledger rows (target at
       most 50 ms). The year is written by inventory's own domain code, linked
       into this binary and run in units of work as the server runs its
       requests (returns in the morning, issues all day: a million ledger
       entries with their value journal), faster than a million requests over
       the wire would be; then the service binary opens that database and
       answers inventory.turnover, timed round trip.
    3. The idle service's resident memory (target at most 10 MB, as the
       platform's other services).

    Usage: bench_inventory BIN_DIR [SECONDS_PER_ROUND [ROUNDS]]
*/
#include "../../services/inventory/inventory.h"
#include "benchkit.h"

#define PARTS 50             //  in the year's warehouse
#define DAYS 365
#define LINES_PER_ISSUE 10   //  parts per issue request
#define ISSUES_PER_DAY 269   //  so a day writes 50 + 2690 ledger entries: a year, 1,000,100
#define CALLS_PER_COMMIT 500
#define TURNOVER_TIMES 21    //  inventory.turnover calls; the median is the figure

static const char *s_bin_dir;
static const char *s_work;

//  One unit of work: a line of one unit for a work order of its own.
static int s_reserve_unit (void *req, int client, size_t n, int64_t sent_us, void *arg)
{
    (void)arg;
    (void)sent_us;
    char request[300], reply[2048];
    snprintf (request, sizeof request,
              "{\"v\":1,\"id\":\"r%zu\",\"op\":\"stock.reserve\",\"body\":{\"workorder_id\":"
              "\"WO-c%d-%zu\",\"warehouse_id\":\"WH-1\",\"lines\":[{\"sku\":\"P-1\",\"qty\":1}]}}",
              n, client, n);
    if (bench_request (req, request, reply, sizeof reply) < 0 || !strstr (reply, "\"ok\":true")) {
        fprintf (stderr, "bench: stock.reserve failed: %.300s\n", reply);
        return -1;
    }
    return 0;
}

//  ---------------------------------------------------------------------------
//  A year of movements, written in-process

typedef struct {
    shr_store_t *store;
    shr_outbox_t *outbox;
    shr_work_t *work;
    shr_schema_t *schemas;
    inventory_settings_t settings;
    int calls;            //  in the open transaction
} s_year_t;

typedef struct {
    const shr_op_def_t *op;
    cJSON *body;
    char *reply;
} s_piece_t;

static int s_run_piece (shr_call_t *call, void *arg)
{
    s_piece_t *piece = (s_piece_t *)arg;
    return shr_call_op (call, piece->op, piece->body, &piece->reply);
}

//  Runs op on json at moment now in the open unit of work, committing every
//  CALLS_PER_COMMIT. Exits on a failure: the year must be written whole.
static void s_year_call (s_year_t *year, const char *op, const char *json, int64_t now)
{
    s_piece_t piece = {inventory_ops, cJSON_Parse (json), NULL};
    while (piece.op->name && !streq (piece.op->name, op))
        piece.op++;
    shr_call_t call = {.arg = &year->settings, .now_ms = now, .op = op, .actor = "bench"};
    if (!shr_work_open (year->work) && shr_work_begin (year->work)) {
        fprintf (stderr, "bench: cannot begin: %s\n", shr_store_errmsg (year->store));
        exit (1);
    }
    if (shr_work_run (year->work, &call, false, s_run_piece, &piece)) {
        fprintf (stderr, "bench: %s %s: %s\n", op, json, call.error.message);
        exit (1);
    }
    free (piece.reply);
    cJSON_Delete (piece.body);
    char err[256];
    if (++year->calls == CALLS_PER_COMMIT) {
        year->calls = 0;
        if (shr_work_commit (year->work, err, sizeof err)) {
            fprintf (stderr, "bench: commit: %s\n", err);
            exit (1);
        }
        shr_work_publish (year->work);
    }
}

//  Writes a year from start_ms into the database of data_dir; returns the
//  number of ledger entries.
static int64_t s_write_year (const char *data_dir, int64_t start_ms)
{
    char err[256], path[600], json[1024];
    s_year_t year = {.settings = {"CNY", 0.95, 90, 30, 50, 60000}};
    zsys_dir_create ("%s", data_dir);
    snprintf (path, sizeof path, "%s/inventory.db", data_dir);
    year.schemas = shr_schema_new ();
    year.store = shr_store_new (path, SHR_SYNC_NORMAL, err, sizeof err);
    if (!year.store || shr_schema_load_dir (year.schemas, "schemas", err, sizeof err) < 0
        || shr_store_migrate (year.store, "shared.outbox", shr_outbox_migrations, err, sizeof err) < 0
        || shr_store_migrate (year.store, "shared.server", shr_server_migrations, err, sizeof err) < 0
        || shr_store_migrate (year.store, "shared.consumer", shr_consumer_migrations, err, sizeof err)
               < 0
        || shr_store_migrate (year.store, "inventory", inventory_migrations, err, sizeof err) < 0
        || !(year.outbox = shr_outbox_new ("inventory", year.store, year.schemas, err, sizeof err))) {
        fprintf (stderr, "bench: the year's store: %s\n", err);
        exit (1);
    }
    for (const shr_event_def_t *const *event = inventory_events; *event; event++)
        shr_outbox_declare (year.outbox, (*event)->type, err, sizeof err);
    year.work = shr_work_new (year.store, year.outbox);
    s_year_call (&year, "warehouse.upsert", "{\"id\":\"WH-1\",\"name\":\"one\",\"regions\":[\"r\"]}",
                 start_ms);
    for (int p = 0; p < PARTS; p++) {
        snprintf (json, sizeof json, "{\"sku\":\"P-%02d\",\"name\":\"part\"}", p);
        s_year_call (&year, "part.upsert", json, start_ms);
    }
    int64_t step_ms = DAY_MS / (ISSUES_PER_DAY + 2);
    for (int day = 0; day < DAYS; day++) {
        int64_t morning = start_ms + day * DAY_MS;
        //  Each part's day of demand comes in at the day's price...
        for (int p = 0; p < PARTS; p++) {
            snprintf (json, sizeof json,
                      "{\"sku\":\"P-%02d\",\"warehouse_id\":\"WH-1\",\"qty\":%d,"
                      "\"unit_cost_cents\":%d,\"reason\":\"delivery\"}",
                      p, ISSUES_PER_DAY * LINES_PER_ISSUE / PARTS + 1, 1000 + (day * 7 + p) % 300);
            s_year_call (&year, "stock.return", json, morning);
        }
        //  ... and goes out to work orders over the day, ten parts an order.
        for (int i = 0; i < ISSUES_PER_DAY; i++) {
            int at = snprintf (json, sizeof json,
                               "{\"workorder_id\":\"WO-%d-%d\",\"warehouse_id\":\"WH-1\",\"lines\":[",
                               day, i);
            for (int line = 0; line < LINES_PER_ISSUE; line++)
                at += snprintf (json + at, sizeof json - at, "%s{\"sku\":\"P-%02d\",\"qty\":1}",
                                line ? "," : "", (i * LINES_PER_ISSUE + line) % PARTS);
            snprintf (json + at, sizeof json - at, "]}");
            s_year_call (&year, "stock.issue", json, morning + (i + 1) * step_ms);
        }
        if (day % 73 == 72)
            fprintf (stderr, "bench: %d days of %d written\n", day + 1, DAYS);
    }
    if (shr_work_open (year.work)) {
        if (shr_work_commit (year.work, err, sizeof err)) {
            fprintf (stderr, "bench: commit: %s\n", err);
            exit (1);
        }
        shr_work_publish (year.work);
    }
    sqlite3_stmt *stmt = shr_store_stmt (year.store, "SELECT count(*) FROM ledger");
    int64_t rows = sqlite3_step (stmt) == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : -1;
    sqlite3_reset (stmt);
    shr_work_destroy (&year.work);
    shr_outbox_destroy (&year.outbox);
    shr_store_destroy (&year.store);
    shr_schema_destroy (&year.schemas);
    return rows;
}

int main (int argc, char **argv)
{
    bench_serve_if_asked (argc, argv);
    bench_load_if_asked (argc, argv, "--reservations", s_reserve_unit, "reservations");
    if (argc < 2 || streq (argv[1], "--help")) {
        fprintf (argc < 2 ? stderr : stdout,
                 "Usage: bench_inventory BIN_DIR [SECONDS_PER_ROUND [ROUNDS]]\n"
                 "       bench_inventory --reservations ENDPOINT CLIENTS SECONDS [RATE]\n"
                 "Prints inventory's figures beside their limits, measured in the same run.\n");
        return argc < 2 ? 2 : 0;
    }
    s_bin_dir = argv[1];
    double seconds = argc >= 3 ? atof (argv[2]) : 1.0;
    int rounds = argc >= 4 ? atoi (argv[3]) : 7;
    s_work = bench_init ("bench_inventory");
    shr_log_init ("bench", "warn");

    //  1. Reservations against the raw durable loop; the idle memory first.
    bench_server_t raw = bench_raw_start ("durable-full");
    char *api;
    pid_t inventory = bench_start_service (s_bin_dir, "inventory", "reserve", "full", &api);
    zclock_sleep (1500);
    long idle_rss_kb = bench_rss_kb (inventory);  //  started, pinged, idle since
    cJSON_Delete (bench_call (api, "warehouse.upsert",
                              "{\"id\":\"WH-1\",\"name\":\"one\",\"regions\":[\"r\"]}", 5000));
    cJSON_Delete (bench_call (api, "part.upsert", "{\"sku\":\"P-1\",\"name\":\"relay\"}", 5000));
    cJSON_Delete (bench_call (api, "stock.adjust",
                              "{\"sku\":\"P-1\",\"warehouse_id\":\"WH-1\",\"counted\":1000000000,"
                              "\"reason\":\"plenty\",\"unit_cost_cents\":100}",
                              5000));
    bench_side_t raw_side = {.name = "raw fsync-per-request", .endpoint = raw.endpoint,
                             .unit = bench_raw_unit};
    bench_side_t ours = {.name = "stock.reserve", .endpoint = api, .unit = s_reserve_unit};
    bench_compare_t reserve = bench_compare (&raw_side, &ours, 16, rounds, seconds);
    bench_stop (inventory);
    bench_server_stop (&raw);
    zstr_free (&api);

    //  2. A year over a million ledger rows, then inventory.turnover over it.
    int64_t start_ms = 1767225600000LL;  //  2026-01-01T00:00:00Z
    char *dir = zsys_sprintf ("%s/year", s_work);
    fprintf (stderr, "bench: writing a year of movements (about a million ledger rows)...\n");
    int64_t written_us = shr_time_mono_us ();
    int64_t rows = s_write_year (dir, start_ms);
    double written_s = (double)(shr_time_mono_us () - written_us) / 1e6;
    inventory = bench_start_service (s_bin_dir, "inventory", "year", "full", &api);
    char body[160], from[32], to[32];
    shr_time_format (start_ms, from);
    shr_time_format (start_ms + DAYS * DAY_MS, to);
    snprintf (body, sizeof body, "{\"from\":\"%s\",\"to\":\"%s\"}", from, to);
    double took_ms[TURNOVER_TIMES];
    cJSON *turnover = NULL;
    for (int i = 0; i < TURNOVER_TIMES; i++) {
        cJSON_Delete (turnover);
        int64_t sent_us = shr_time_mono_us ();
        turnover = bench_call (api, "inventory.turnover", body, 10000);
        took_ms[i] = (double)(shr_time_mono_us () - sent_us) / 1000;
    }
    bench_sort_doubles (took_ms, TURNOVER_TIMES);
    double median_ms = took_ms[TURNOVER_TIMES / 2];
    double ratio = cJSON_GetNumberValue (cJSON_GetObjectItem (turnover, "turnover"));
    int64_t cogs = bench_number (turnover, "cogs_cents");
    cJSON_Delete (turnover);
    //  The same answer by scanning the ledger, for the record: what running totals spare.
    int64_t scan_us = shr_time_mono_us ();
    snprintf (body, sizeof body, "{\"from\":\"%s\",\"to\":\"%s\",\"limit\":1000}", from, to);
    cJSON_Delete (bench_call (api, "stock.ledger", body, 10000));
    double page_ms = (double)(shr_time_mono_us () - scan_us) / 1000;
    bench_stop (inventory);
    zstr_free (&api);
    zstr_free (&dir);

    char rate[32], raw_rate[32];
    printf ("bench_inventory: %d interleaved rounds of %.1f s per comparison\n", rounds, seconds);
    printf ("\nReservations (stock.reserve, one line of one unit, a work order each), 16 clients:\n");
    bench_compare_row ("stock.reserve full", &reserve);
    printf ("\nTargets and floors:\n");
    printf ("  stock.reserve, 16 clients, full: %s/s vs raw fsync-per-request %s/s: %.2fx (rounds"
            " %.2f-%.2fx, IQR %.2f-%.2fx, n=%d)  [no target]\n",
            bench_thousands (reserve.ours_rate.median, rate, sizeof rate),
            bench_thousands (reserve.base_rate.median, raw_rate, sizeof raw_rate),
            reserve.ratio.median, reserve.ratio.min, reserve.ratio.max, reserve.ratio.q1,
            reserve.ratio.q3, reserve.rounds);
    printf ("  inventory.turnover for a year over %lld ledger rows: %.2f ms round trip (median of"
            " %d, max %.2f ms)  [target <= 50 ms]: %.3fx the limit   %s   (turnover %.2f, cost"
            " of goods %lld cents; the year written in-process in %.0f s; one page of 1000 ledger"
            " rows: %.1f ms)\n",
            (long long)rows, median_ms, TURNOVER_TIMES, took_ms[TURNOVER_TIMES - 1],
            median_ms / 50, median_ms <= 50 ? "met" : "NOT MET", ratio, (long long)cogs,
            written_s, page_ms);
    printf ("  idle inventory resident memory: %.1f MB  [target <= 10 MB]: %.2fx the limit   %s\n",
            idle_rss_kb / 1024.0, idle_rss_kb / (10 * 1024.0),
            idle_rss_kb <= 10 * 1024 ? "met" : "NOT MET");
    return 0;
}
