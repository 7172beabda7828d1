/*  bench_procurement - the procurement service's figures beside their limits.

    1. procurement.run over 5,000 open requisitions (1,000 parts for each of 5
       warehouses) and 200 suppliers (target at most 200 ms): each part offered
       by 8 of them with three quantity breaks, each supplier with a history of
       received lines (some late, some rejected) so that every choice weighs a
       real scorecard. Timed round trip, SHR_SYNC=full; the requisitions are
       made again for each of RUNS runs and the median is the figure.
    2. The idle service's resident memory (target at most 10 MB, as the
       platform's other services).

    Usage: bench_procurement BIN_DIR [SECONDS_PER_ROUND [ROUNDS]]
    (the rounds are not used: procurement.run is compared with its limit.)
*/
#include "benchkit.h"

#define SUPPLIERS 200
#define PARTS 1000
#define WAREHOUSES 5        //  so PARTS x WAREHOUSES = 5,000 requisitions
#define OFFERS_PER_PART 8
#define HISTORY_ORDERS 2    //  received orders per supplier
#define HISTORY_LINES 5     //  lines per received order
#define RUNS 3

static char *s_supplier (int n)
{
    return zsys_sprintf ("{\"v\":1,\"id\":\"s%d\",\"op\":\"supplier.upsert\",\"body\":{\"id\":"
                         "\"S-%03d\",\"name\":\"Supplier %d\",\"lead_time_days\":%d}}",
                         n, n, n, 3 + n % 12);
}

//  The n-th offer: part n / OFFERS_PER_PART from one of its suppliers, spread
//  so that every supplier offers 40 parts; prices differ by supplier.
static char *s_price (int n)
{
    int part = n / OFFERS_PER_PART, k = n % OFFERS_PER_PART;
    int supplier = (part * 7 + k * (SUPPLIERS / OFFERS_PER_PART)) % SUPPLIERS;
    int base = 1000 + (part * 13 + supplier * 29) % 900;
    return zsys_sprintf ("{\"v\":1,\"id\":\"p%d\",\"op\":\"supplier.price.set\",\"body\":{"
                         "\"supplier_id\":\"S-%03d\",\"sku\":\"P-%04d\","
                         "\"valid_from\":\"2020-01-01T00:00:00Z\",\"breaks\":["
                         "{\"min_qty\":1,\"unit_price_cents\":%d},"
                         "{\"min_qty\":10,\"unit_price_cents\":%d},"
                         "{\"min_qty\":50,\"unit_price_cents\":%d}]}}",
                         n, supplier, part, base, base * 95 / 100, base * 90 / 100);
}

//  The supplier of history order n, and the part of its line (five
//  different parts an order; priced by the order, offered or not).
static int s_history_supplier (int n)
{
    return n % SUPPLIERS;
}

static int s_history_part (int n, int line)
{
    return (s_history_supplier (n) * 143 + line * 200 + (n / SUPPLIERS) * 40) % PARTS;
}

static char *s_history_order (int n)
{
    char lines[1024];
    int at = 0;
    for (int line = 0; line < HISTORY_LINES; line++)
        at += snprintf (lines + at, sizeof lines - at,
                        "%s{\"sku\":\"P-%04d\",\"qty\":20,\"unit_price_cents\":%d}",
                        line ? "," : "", s_history_part (n, line), 1000 + (n * 17 + line) % 800);
    return zsys_sprintf ("{\"v\":1,\"id\":\"h%d\",\"op\":\"po.create\",\"body\":{\"supplier_id\":"
                         "\"S-%03d\",\"warehouse_id\":\"WH-%d\",\"lines\":[%s]}}",
                         n, s_history_supplier (n), 1 + n % WAREHOUSES, lines);
}

//  Receipt of history order n (PO-n+1: they were the only orders made), with
//  rejects from some suppliers.
static char *s_history_receipt (int n)
{
    char lines[1024];
    int at = 0, rejected = s_history_supplier (n) % 4;
    for (int line = 0; line < HISTORY_LINES; line++)
        at += snprintf (lines + at, sizeof lines - at,
                        "%s{\"sku\":\"P-%04d\",\"accepted\":%d,\"rejected\":%d}", line ? "," : "",
                        s_history_part (n, line), 20 - rejected, rejected);
    return zsys_sprintf ("{\"v\":1,\"id\":\"r%d\",\"op\":\"po.receive\",\"body\":{\"id\":"
                         "\"PO-%06d\",\"lines\":[%s]}}",
                         n, n + 1, lines);
}

static int s_run_index;  //  which run the requisitions are for (their ids' prefix)

static char *s_requisition (int n)
{
    return zsys_sprintf ("{\"v\":1,\"id\":\"q%d-%d\",\"op\":\"requisition.create\",\"body\":{"
                         "\"sku\":\"P-%04d\",\"warehouse_id\":\"WH-%d\",\"qty\":%d}}",
                         s_run_index, n, n % PARTS, 1 + n / PARTS, 5 + (n * 7) % 60);
}

int main (int argc, char **argv)
{
    bench_serve_if_asked (argc, argv);
    if (argc < 2 || streq (argv[1], "--help")) {
        fprintf (argc < 2 ? stderr : stdout,
                 "Usage: bench_procurement BIN_DIR [SECONDS_PER_ROUND [ROUNDS]]\n"
                 "Prints procurement's figures beside their limits, measured in the same run.\n");
        return argc < 2 ? 2 : 0;
    }
    const char *bin_dir = argv[1];
    bench_init ("bench_procurement");

    //  The timer's pass would take the requisitions before the timed one.
    char *env[] = {"PROCUREMENT_RUN_MS=86400000", NULL};
    char *api;
    pid_t procurement
        = bench_start_service_env (bin_dir, "procurement", "run", "full", env, &api);
    zclock_sleep (1500);
    long idle_rss_kb = bench_rss_kb (procurement);  //  started, pinged, idle since

    fprintf (stderr, "bench: %d suppliers, %d offers, %d received orders...\n", SUPPLIERS,
             PARTS * OFFERS_PER_PART, SUPPLIERS * HISTORY_ORDERS);
    bench_pipeline (api, SUPPLIERS, s_supplier);
    bench_pipeline (api, PARTS * OFFERS_PER_PART, s_price);
    bench_pipeline (api, SUPPLIERS * HISTORY_ORDERS, s_history_order);
    //  Orders over the approval limit wait for a manager: approve them all.
    for (int n = 0; n < SUPPLIERS * HISTORY_ORDERS; n++) {
        char body[64];
        snprintf (body, sizeof body, "{\"id\":\"PO-%06d\"}", n + 1);
        cJSON *po = bench_call (api, "po.get", body, 5000);
        const char *status = cJSON_GetStringValue (cJSON_GetObjectItem (po, "status"));
        if (status && streq (status, "draft"))
            cJSON_Delete (bench_call (api, "po.approve", body, 5000));
        cJSON_Delete (po);
    }
    bench_pipeline (api, SUPPLIERS * HISTORY_ORDERS, s_history_receipt);

    double took_ms[RUNS], elapsed_ms[RUNS];
    int64_t lines = 0, orders = 0, still_open = 0;
    for (s_run_index = 0; s_run_index < RUNS; s_run_index++) {
        fprintf (stderr, "bench: %d requisitions, procurement.run %d of %d...\n",
                 PARTS * WAREHOUSES, s_run_index + 1, RUNS);
        bench_pipeline (api, PARTS * WAREHOUSES, s_requisition);
        int64_t sent_us = shr_time_mono_us ();
        cJSON *run = bench_call (api, "procurement.run", NULL, 60000);
        took_ms[s_run_index] = (double)(shr_time_mono_us () - sent_us) / 1000;
        elapsed_ms[s_run_index] = (double)bench_number (run, "elapsed_ms");
        lines = bench_number (run, "lines_ordered");
        still_open = bench_number (run, "still_open");
        orders = cJSON_GetArraySize (cJSON_GetObjectItem (run, "orders"));
        cJSON_Delete (run);
        if (lines != PARTS * WAREHOUSES) {
            fprintf (stderr, "bench: procurement.run ordered %lld lines of %d (%lld left open)\n",
                     (long long)lines, PARTS * WAREHOUSES, (long long)still_open);
            exit (1);
        }
    }
    bench_stop (procurement);
    zstr_free (&api);
    bench_sort_doubles (took_ms, RUNS);
    bench_sort_doubles (elapsed_ms, RUNS);

    double median_ms = took_ms[RUNS / 2];
    printf ("bench_procurement: procurement.run timed round trip, median of %d runs\n", RUNS);
    printf ("\nTargets and floors:\n");
    printf ("  procurement.run over %d open requisitions and %d suppliers (%d offers, %d received"
            " lines): %.1f ms round trip (runs %.1f-%.1f ms; in the service %.0f ms)  [target"
            " <= 200 ms]: %.2fx the limit   %s   (%lld lines into %lld orders)\n",
            PARTS * WAREHOUSES, SUPPLIERS, PARTS * OFFERS_PER_PART,
            SUPPLIERS * HISTORY_ORDERS * HISTORY_LINES, median_ms, took_ms[0], took_ms[RUNS - 1],
            elapsed_ms[RUNS / 2], median_ms / 200, median_ms <= 200 ? "met" : "NOT MET",
            (long long)lines, (long long)orders);
    printf ("  idle procurement resident memory: %.1f MB  [target <= 10 MB]: %.2fx the limit   %s\n",
            idle_rss_kb / 1024.0, idle_rss_kb / (10 * 1024.0),
            idle_rss_kb <= 10 * 1024 ? "met" : "NOT MET");
    return 0;
}
