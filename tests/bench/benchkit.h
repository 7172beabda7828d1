/*  benchkit - what every benchmark here needs: raw limits, processes, load, and
    interleaved comparisons.

    Raw limits are measured in the same run as the figure they are compared
    with, by servers forked from the benchmark binary itself (so nothing of
    libshared is on their path):
      echo      a bare libzmq REQ/REP round trip over tcp loopback, no parsing
      durable   parse the JSON with cJSON, one SQLite insert in its own WAL
                transaction, reply; with synchronous=FULL (the WAL is fsynced at
                every commit, so one fsync per request) or synchronous=NORMAL
                (synced at checkpoints only)
      read      parse the JSON with cJSON, read one row of BENCH_READ_ROWS by
                its primary key, reply with it as JSON: the floor under a get
    Load comes from client threads, each with its own REQ socket, closed loop
    or paced at a given rate; every unit of work is timed.

    On a shared machine figures move by a factor of two from one second to the
    next, so a ratio is never the quotient of two figures taken minutes apart:
    bench_compare runs the two sides in alternating rounds against servers that
    stay up throughout, and reports the median of the per-round ratios with
    their spread.
*/
#ifndef BENCHKIT_H_INCLUDED
#define BENCHKIT_H_INCLUDED

#include "shared.h"

#include <czmq.h>

#define BENCH_MAX_CLIENTS 16
#define BENCH_MAX_ROUNDS 64
#define BENCH_READ_ROWS 10000  //  rows of the raw read server's table

typedef struct {
    double per_second; //  units of work per second
    double p50_us;
    double p99_us;
    size_t count;
} bench_result_t;

//  One unit of work on a connected REQ socket: client is the thread's number, n
//  counts its units, sent_us is when it started (monotonic). Returns 0, or -1 to
//  stop the load with an error.
typedef int (bench_unit_fn) (void *req, int client, size_t n, int64_t sent_us, void *arg);

//  A server that bench_compare loads: where it is and what one unit of work is.
typedef struct {
    const char *name; //  for the rows, e.g. "raw fsync-per-request"
    const char *endpoint;
    bench_unit_fn *unit;
    void *arg;
    int requests_per_unit; //  0 or 1 for one request; ratios compare requests/s
    double rate;           //  units a second from all clients together; 0: closed loop
} bench_side_t;

//  Where a set of per-round values lies.
typedef struct {
    double median, min, max, q1, q3;
} bench_spread_t;

//  Two sides measured in the same rounds. Rates are requests per second.
typedef struct {
    int rounds;
    int clients;
    double seconds;                        //  per side per round
    const char *base_name, *ours_name;     //  the sides' (borrowed)
    int base_per_unit, ours_per_unit;      //  requests per unit of each side
    bench_result_t base[BENCH_MAX_ROUNDS]; //  per round, units (not requests)
    bench_result_t ours[BENCH_MAX_ROUNDS];
    bench_spread_t base_rate, ours_rate; //  requests/s
    bench_spread_t base_p50, ours_p50;   //  us, per unit
    bench_spread_t base_p99, ours_p99;
    double round_ratio[BENCH_MAX_ROUNDS];     //  ours / base throughput
    double round_p99_ratio[BENCH_MAX_ROUNDS]; //  ours p99 / base p99
    bench_spread_t ratio;                     //  ours / base throughput, per round
    bench_spread_t p99_ratio;                 //  ours p99 / base p99, per round (per unit of each)
} bench_compare_t;

//  A server forked from this binary (see bench_raw_start), or any spawned one.
typedef struct {
    pid_t pid;
    char *endpoint;
} bench_server_t;

//  In main first: if argv asks this binary to be a raw server, serves (never
//  returns). Otherwise returns.
//    --serve-echo ENDPOINT
//    --serve-durable ENDPOINT DB_PATH [full|normal]   (default normal)
//    --serve-read ENDPOINT DB_PATH
void bench_serve_if_asked (int argc, char **argv);

//  In main, for profiling: if argv is "FLAG ENDPOINT CLIENTS SECONDS [RATE]",
//  runs that load of units (closed loop, or RATE units a second from all clients)
//  against a running service, prints the figures and exits. Otherwise returns.
void bench_load_if_asked (int argc, char **argv, const char *flag, bench_unit_fn *unit,
                          const char *units);

//  In main, for A/B experiments (two builds of a service, two settings): if argv
//  is "FLAG BASE_ENDPOINT OURS_ENDPOINT CLIENTS SECONDS ROUNDS", runs
//  bench_compare of the two running services with the same unit, prints the
//  row and exits. Otherwise returns.
void bench_compare_if_asked (int argc, char **argv, const char *flag, bench_unit_fn *unit);

//  Sets up a scratch folder on a disk (BENCH_DIR, else /tmp, else beside the
//  binary: never tmpfs, where fsync costs nothing) and cleanup at exit. Prints
//  where it is and what one 4 KiB append + fdatasync costs there. Returns the
//  folder. Borrowed.
const char *bench_init (const char *name);

//  The filesystem of the scratch folder ("ext2/3/4", "tmpfs", ...) and the
//  median cost in microseconds of appending 4 KiB and fdatasync'ing it there,
//  as measured by bench_init.
const char *bench_scratch_fs (void);
double bench_fsync_us (void);

//  Starts a raw server: "echo", "durable-full", "durable-normal" or "read".
//  Its database is in the scratch folder. Waits until it answers.
bench_server_t bench_raw_start (const char *kind);

//  Stops a server started by bench_raw_start or filled in by the caller.
void bench_server_stop (bench_server_t *server);

//  The unit of the raw servers: one durable-command-shaped request
//  (op item.create, body {id, value}), its reply not checked.
int bench_raw_unit (void *req, int client, size_t n, int64_t sent_us, void *arg);

//  The unit of the raw read server: item.get of one of its rows, spread over
//  the table; fails if the row is not found.
int bench_raw_read_unit (void *req, int client, size_t n, int64_t sent_us, void *arg);

//  Runs clients threads for seconds, each doing units of work (paced so that all
//  together do total_rate units a second, or as fast as they can if 0).
//  Exits the process with a message if a unit fails.
bench_result_t bench_load (const char *endpoint, int clients, double seconds, double total_rate,
                           bench_unit_fn *unit, void *arg);

//  Measures ours against base in rounds of seconds per side, clients each: a
//  short warm-up of both, then rounds in which the two go one after the other,
//  the first of a round alternating (base-ours, ours-base, ...) so that a drift
//  of the machine's load over the run weighs on both alike. Both servers must
//  be up throughout. rounds is clamped to 1..BENCH_MAX_ROUNDS.
bench_compare_t bench_compare (const bench_side_t *base, const bench_side_t *ours, int clients,
                               int rounds, double seconds);

//  The median, quartiles and extremes of count values.
bench_spread_t bench_spread (const double *values, int count);

//  Prints a comparison as one row: ours (median rate, p50, p99), base, the
//  median ratio with its min-max over the rounds, and the p99 ratio when both
//  units are one request.
void bench_compare_row (const char *what, const bench_compare_t *compare);

//  Prints a target line, e.g.
//    libshared full, 16 clients: 21,400/s vs raw fsync-per-request 4,950/s:
//    4.32x (rounds 3.90-4.60x, IQR 4.10-4.40x, n=7), target >= 2.5x: MET (7 of 7 rounds)
//  Returns whether the median ratio meets the target.
bool bench_target_line (const char *what, const char *base_name, const bench_compare_t *compare,
                        double target);

//  A rate with thousands separators ("21,400") into buf.
const char *bench_thousands (double value, char *buf, size_t size);

//  Sends one request frame and waits for its reply on a REQ socket; the reply,
//  NUL-terminated, goes to reply. Returns its length, or -1 if the socket failed.
//  Whether the reply says ok is the caller's to check.
int bench_request (void *req, const char *request, char *reply, size_t size);

//  Starts a program with extra environment (NAME=value, NULL-terminated; these
//  win over the same names in ours); it is stopped at exit if still running.
//  Returns its pid.
pid_t bench_spawn (char *const argv[], char *const extra_env[]);

//  SIGTERM and wait.
void bench_stop (pid_t pid);

//  Starts the service bin_dir/service on fresh endpoints, its data in the
//  scratch folder's data_name, SHR_SYNC=sync, LOG_LEVEL=warn (plaintext, as
//  bench_spawn), and waits until it answers. *api is its API endpoint (the
//  caller frees it). The services it may consume are pointed at endpoints
//  nobody binds, so it follows nothing. Returns its pid. Exits if it never
//  answers or runs another durability than sync.
pid_t bench_start_service (const char *bin_dir, const char *service, const char *data_name,
                           const char *sync, char **api);

//  The same with extra environment (NAME=value, NULL-terminated; may be NULL).
pid_t bench_start_service_env (const char *bin_dir, const char *service, const char *data_name,
                               const char *sync, char *const extra_env[], char **api);

//  The same on endpoints of the caller's (api and events). Every other
//  service of the platform is at an endpoint nobody listens on unless
//  extra_env says where it is.
pid_t bench_start_service_at (const char *bin_dir, const char *service, const char *data_name,
                              const char *sync, const char *api, const char *events,
                              char *const *extra_env);

//  A named parameter of bench_sql.
typedef struct {
    const char *name;  //  ":orders"; NULL ends a list
    int64_t value;
} bench_param_t;

//  Runs one statement of a seeding on db, through its rows, binding the
//  params (a NULL-terminated list, may be NULL) it names. Exits on an error.
void bench_sql (sqlite3 *db, const char *sql, const bench_param_t *params);

//  Sends count requests made by make (n -> JSON text the caller frees), 100
//  in flight at a time, and checks every reply is ok. Exits on a failure.
void bench_pipeline (const char *endpoint, int count, char *(*make) (int n));

//  Sorts values rising (for a median of timings).
void bench_sort_doubles (double *values, size_t count);

//  A free endpoint below the ephemeral port range. Caller frees.
char *bench_endpoint (void);

//  Calls op once with body (JSON text, NULL for {}), waiting at most timeout_ms;
//  returns the reply body (caller owns). Exits on an error or no reply.
cJSON *bench_call (const char *endpoint, const char *op, const char *body, int timeout_ms);

//  Pings the service until it answers, for at most timeout_ms. Exits if it never does.
void bench_wait_ready (const char *endpoint, int timeout_ms);

//  From now on, calls (bench_call, bench_wait_ready), load and handshakes to
//  endpoint speak CURVE to the service called service, whose keys are in dir
//  (as shr_keys_init makes them), as the client "admin" of that folder.
void bench_secure (const char *endpoint, const char *dir, const char *service);

//  The median time in microseconds, over times attempts, of what a new client
//  pays before its first answer: a new REQ socket connects (TCP, the ZMTP
//  greeting, and the CURVE handshake with its ZAP check if endpoint is
//  secured), sends sys.ping and gets the reply.
double bench_first_reply_us (const char *endpoint, int times);

//  An integer field of a reply body.
int64_t bench_number (const cJSON *body, const char *name);

//  Resident memory of a process in KiB.
long bench_rss_kb (pid_t pid);

//  Prints a row: the figure, then its ratio to the limit, with a note.
void bench_row (const char *what, bench_result_t result, double limit_per_second,
                const char *against);

#endif
