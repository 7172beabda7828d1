/*  benchkit - what every benchmark here needs: raw limits, processes, load.

    Raw limits are measured in the same run as the figure they are compared
    with, by servers forked from the benchmark binary itself (so nothing of
    libshared is on their path):
      echo      a bare libzmq REQ/REP round trip over tcp loopback, no parsing
      durable   parse the JSON with cJSON, one SQLite insert in its own WAL
                transaction (synchronous=NORMAL), reply
    Load comes from client threads, each with its own REQ socket, closed loop
    or paced at a given rate; every unit of work is timed.
*/
#ifndef BENCHKIT_H_INCLUDED
#define BENCHKIT_H_INCLUDED

#include "shared.h"

#include <czmq.h>

#define BENCH_MAX_CLIENTS 16

typedef struct {
    double per_second;  //  units of work per second
    double p50_us;
    double p99_us;
    size_t count;
} bench_result_t;

typedef struct {
    bench_result_t echo;        //  1 client
    bench_result_t durable_1;   //  1 client
    bench_result_t durable_16;  //  16 clients
} bench_limits_t;

//  One unit of work on a connected REQ socket: client is the thread's number, n
//  counts its units, sent_us is when it started (monotonic). Returns 0, or -1 to
//  stop the load with an error.
typedef int (bench_unit_fn) (void *req, int client, size_t n, int64_t sent_us, void *arg);

//  In main first: if argv asks this binary to be a raw server, serves (never
//  returns). Otherwise returns.
void bench_serve_if_asked (int argc, char **argv);

//  In main, for profiling: if argv is "FLAG ENDPOINT CLIENTS SECONDS", runs that
//  load of units against a running service, prints the figures and exits.
//  Otherwise returns.
void bench_load_if_asked (int argc, char **argv, const char *flag, bench_unit_fn *unit,
                          const char *units);

//  Sets up a scratch folder and cleanup at exit. Returns the folder. Borrowed.
const char *bench_init (const char *name);

//  Measures the raw limits, seconds per step.
bench_limits_t bench_raw_limits (double seconds);

//  Runs clients threads for seconds, each doing units of work (paced so that all
//  together do total_rate units a second, or as fast as they can if 0).
//  Exits the process with a message if a unit fails.
bench_result_t bench_load (const char *endpoint, int clients, double seconds, double total_rate,
                           bench_unit_fn *unit, void *arg);

//  Sends one request frame and waits for its reply on a REQ socket; the reply,
//  NUL-terminated, goes to reply. Returns its length, or -1 if the socket failed.
//  Whether the reply says ok is the caller's to check.
int bench_request (void *req, const char *request, char *reply, size_t size);

//  Starts a program with extra environment (NAME=value, NULL-terminated); it is
//  stopped at exit if still running. Returns its pid.
pid_t bench_spawn (char *const argv[], char *const extra_env[]);

//  SIGTERM and wait.
void bench_stop (pid_t pid);

//  A free endpoint below the ephemeral port range. Caller frees.
char *bench_endpoint (void);

//  Calls op once with body (JSON text, NULL for {}), waiting at most timeout_ms;
//  returns the reply body (caller owns). Exits on an error or no reply.
cJSON *bench_call (const char *endpoint, const char *op, const char *body, int timeout_ms);

//  Pings the service until it answers, for at most timeout_ms. Exits if it never does.
void bench_wait_ready (const char *endpoint, int timeout_ms);

//  An integer field of a reply body.
int64_t bench_number (const cJSON *body, const char *name);

//  Resident memory of a process in KiB.
long bench_rss_kb (pid_t pid);

//  Prints a row: the figure, then its ratio to the limit, with a note.
void bench_row (const char *what, bench_result_t result, double limit_per_second,
                const char *against);

#endif
