/*  bench_contracts - the contracts service's figures beside their limits.

    1. asset.get with 16 clients (an asset and its covers on a day: the
       manufacturer's warranty, and an extended warranty on half of them),
       against the raw read loop (one row read by its primary key, as JSON),
       in interleaved rounds (bench_compare).
    2. offer.campaign.run over 100,000 assets (target at most 1 s): the
       assets and their customers' consent are written into the service's
       tables by SQL (their warranties ending evenly over the next 1,000
       days, so about 6 % end within the 60-day window), the service started
       on them, one run timed from request to reply (each due asset gets an
       offer and its offer.made), then a second run that finds nothing new.
    3. Idle resident memory of the service (target at most 10 MB).

    Usage: bench_contracts BIN_DIR [SECONDS_PER_ROUND [ROUNDS]]
*/
#include "benchkit.h"

#define GET_SPREAD 2000       //  asset.get reads AS-000001 ... AS-002000
#define CAMPAIGN_ASSETS 100000
#define SPREAD_DAYS 1000      //  their warranties end over the next 1,000 days

static const char *s_bin_dir;
static const char *s_work;

static pid_t s_start_contracts (const char *name, const char *sync, char **api)
{
    return bench_start_service (s_bin_dir, "contracts", name, sync, api);
}

static char *s_register (int n)
{
    return zsys_sprintf ("{\"v\":1,\"id\":\"r%d\",\"op\":\"asset.register\",\"body\":{\"serial\":"
                         "\"SN-%d\",\"model\":\"AC-300\",\"customer_id\":\"C-%d\","
                         "\"installed_on\":\"2025-03-01\",\"warranty\":{\"ends_on\":"
                         "\"2027-02-28\",\"parts\":true,\"labour\":true}}}",
                         n, n, n % 16);
}

//  An extended warranty on every other asset, after the manufacturer's.
static char *s_sell (int n)
{
    return zsys_sprintf ("{\"v\":1,\"id\":\"s%d\",\"op\":\"contract.create\",\"body\":{"
                         "\"customer_id\":\"C-%d\",\"asset_id\":\"AS-%06d\",\"offering_id\":"
                         "\"EW-AC300-24\",\"starts_on\":\"2027-03-01\"}}",
                         n, (2 * n) % 16, 2 * n + 1);
}

//  One asset's cover on a day, spread over the first GET_SPREAD.
static int s_get_unit (void *req, int client, size_t n, int64_t sent_us, void *arg)
{
    (void)arg;
    (void)sent_us;
    char request[256], reply[16384];
    snprintf (request, sizeof request,
              "{\"v\":1,\"id\":\"g%d-%zu\",\"op\":\"asset.get\",\"body\":"
              "{\"id\":\"AS-%06zu\",\"on\":\"2027-06-01\"}}",
              client, n, 1 + ((size_t)client * 7919 + n * 31) % GET_SPREAD);
    if (bench_request (req, request, reply, sizeof reply) < 0) return -1;
    if (!strstr (reply, "\"ok\":true")) {
        fprintf (stderr, "bench: asset.get failed: %.300s\n", reply);
        return -1;
    }
    return 0;
}

//  100,000 assets of one model in the service's own tables (migrations.c's),
//  of 10,000 customers who consent to be contacted, each installed two years
//  before its warranty ends, the ends spread evenly over SPREAD_DAYS from today.
static void s_seed_assets (const char *path)
{
    sqlite3 *db;
    if (sqlite3_open (path, &db) != SQLITE_OK) {
        fprintf (stderr, "bench: cannot open %s\n", path);
        exit (1);
    }
    int64_t today = shr_time_now_ms () / 86400000;
    const char *const steps[] = {
        "PRAGMA journal_mode=WAL",
        "PRAGMA synchronous=OFF",
        "BEGIN",
        "CREATE TEMP TABLE n AS WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c"
        " WHERE i < :count) SELECT i, date ((:today + i % :spread) * 86400, 'unixepoch') AS ends"
        " FROM c",
        "INSERT INTO customer (id, consent, region, updated_at_ms) SELECT DISTINCT"
        " 'C-' || (i % 10000), 1, 'north', 0 FROM n",
        "INSERT INTO asset (seq, id, serial, model, customer_id, installed_on, warranty_ends_on,"
        " warranty_parts, warranty_labour, covered_until, registered_at_ms, updated_at_ms)"
        " SELECT i, printf ('AS-%06d', i), 'SN-' || i, 'AC-300', 'C-' || (i % 10000),"
        " date (ends, '-2 years'), ends, 1, 1, ends, 0, 0 FROM n",
        "COMMIT",
        "PRAGMA wal_checkpoint(TRUNCATE)"};
    const bench_param_t params[] = {
        {":count", CAMPAIGN_ASSETS}, {":today", today}, {":spread", SPREAD_DAYS}, {NULL, 0}};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        bench_sql (db, steps[i], params);
    sqlite3_close (db);
}

static const char *s_offering = "{\"id\":\"EW-AC300-24\",\"kind\":\"extended_warranty\",\"name\":"
                                "\"AC-300 two more years\",\"model\":\"AC-300\",\"term_months\":"
                                "24,\"cost_cents\":20000,\"price_cents\":36500}";

//  One offer.campaign.run, timed from request to reply; *made its offers.
static double s_campaign_ms (const char *api, int64_t *made)
{
    int64_t start = shr_time_mono_us ();
    cJSON *reply = bench_call (api, "offer.campaign.run", NULL, 60000);
    double took = (double)(shr_time_mono_us () - start) / 1000.0;
    *made = bench_number (reply, "offers_made");
    cJSON_Delete (reply);
    return took;
}

int main (int argc, char **argv)
{
    bench_serve_if_asked (argc, argv);
    bench_load_if_asked (argc, argv, "--gets", s_get_unit, "gets");
    if (argc < 2 || streq (argv[1], "--help")) {
        fprintf (argc < 2 ? stderr : stdout,
                 "Usage: bench_contracts BIN_DIR [SECONDS_PER_ROUND [ROUNDS]]\n"
                 "       bench_contracts --gets ENDPOINT CLIENTS SECONDS [RATE]\n"
                 "Prints contracts' figures beside the limits of the same run.\n");
        return argc < 2 ? 2 : 0;
    }
    s_bin_dir = argv[1];
    double seconds = argc >= 3 ? atof (argv[2]) : 1.0;
    int rounds = argc >= 4 ? atoi (argv[3]) : 7;
    s_work = bench_init ("bench_contracts");

    //  1. Coverage lookups against the read loop; 3. idle memory first.
    bench_server_t raw_read = bench_raw_start ("read");
    char *api;
    pid_t contracts = s_start_contracts ("gets", "full", &api);
    zclock_sleep (1500);
    long idle_rss_kb = bench_rss_kb (contracts);  //  started, pinged, idle since
    fprintf (stderr, "bench: %d assets and %d extended warranties to read...\n", GET_SPREAD,
             GET_SPREAD / 2);
    cJSON_Delete (bench_call (api, "offering.upsert", s_offering, 5000));
    bench_pipeline (api, GET_SPREAD, s_register);
    bench_pipeline (api, GET_SPREAD / 2, s_sell);
    bench_side_t raw_read_side = {
        .name = "raw read", .endpoint = raw_read.endpoint, .unit = bench_raw_read_unit};
    bench_side_t get_side = {.name = "asset.get", .endpoint = api, .unit = s_get_unit};
    bench_compare_t get_cmp = bench_compare (&raw_read_side, &get_side, 16, rounds, seconds);
    bench_stop (contracts);
    zstr_free (&api);
    bench_server_stop (&raw_read);

    //  2. The campaign over 100,000 assets.
    contracts = s_start_contracts ("campaign", "full", &api);
    cJSON_Delete (bench_call (api, "offering.upsert", s_offering, 5000));
    bench_stop (contracts);
    zstr_free (&api);
    fprintf (stderr, "bench: writing %d assets into the tables...\n", CAMPAIGN_ASSETS);
    char *path = zsys_sprintf ("%s/campaign/contracts.db", s_work);
    s_seed_assets (path);
    zstr_free (&path);
    contracts = s_start_contracts ("campaign", "full", &api);
    int64_t made, again;
    double first_ms = s_campaign_ms (api, &made);
    double second_ms = s_campaign_ms (api, &again);
    bench_stop (contracts);
    zstr_free (&api);

    printf ("bench_contracts: %d interleaved rounds of %.1f s per comparison\n", rounds, seconds);
    printf ("\nasset.get, 16 clients, requests/s against the raw read loop:\n");
    bench_compare_row ("asset.get", &get_cmp);
    printf ("\nTargets and floors:\n");
    char ours[32], base[32];
    printf ("  asset.get (an asset's covers on a day), 16 clients: %s/s, %.2fx the raw read loop"
            " %s/s (rounds %.2f-%.2fx, n=%d)\n",
            bench_thousands (get_cmp.ours_rate.median, ours, sizeof ours), get_cmp.ratio.median,
            bench_thousands (get_cmp.base_rate.median, base, sizeof base), get_cmp.ratio.min,
            get_cmp.ratio.max, get_cmp.rounds);
    printf ("  offer.campaign.run over %d assets: %.0f ms, %lld offers made  [target <= 1 s]"
            "   %s; run again: %.0f ms, %lld made\n",
            CAMPAIGN_ASSETS, first_ms, (long long)made, first_ms <= 1000 ? "met" : "NOT MET",
            second_ms, (long long)again);
    printf ("  idle contracts resident memory: %.1f MB  [target <= 10 MB]   %s\n",
            idle_rss_kb / 1024.0, idle_rss_kb <= 10 * 1024 ? "met" : "NOT MET");
    return 0;
}
