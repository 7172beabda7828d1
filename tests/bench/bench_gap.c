/*  bench_gap - the gapsolve tool's plans against known optima, as a gap %.

    1. OR-Library's c515-1 (gap1, problem 1; tests/fixtures/gap), maximised,
       against its published optimum, 336.
    2. Chu & Beasley's types C, D and E at OR-Library's smallest size (5 agents,
       15 jobs), seeds 1 to 4, against the optimum gapsolve --exact proves
       (branch and bound, tools/gap/gap_exact.c, no code shared with the
       optimiser but gap_problem).
    3. The same types at the sizes of OR-Library's gapa-gapd (20 x 200, 40 x
       400), where no optimum is known here: the gap to the optimiser's own
       Lagrangian lower bound, which the optimum's gap can only be below.
    Each plan: gapsolve -t 1000 (its default wall-clock limit); a plan that
    meets its bound stops early.

    Usage: bench_gap BIN_DIR [SECONDS_PER_ROUND [ROUNDS]] (the last two are
    make bench's and unused here)
*/
#include "../../tools/gap/gap_instance.h"
#include "benchkit.h"

typedef struct {
    int64_t cost;
    bool feasible, has_bound;
    int64_t bound;
    double ms;
} s_line_t;

//  Runs gapsolve with options on path; reads its one line. Returns 0 or -1.
static int s_gapsolve (const char *bin_dir, const char *options, const char *path, s_line_t *line)
{
    char command[1024];
    snprintf (command, sizeof command, "%s/gapsolve %s %s 2>/dev/null", bin_dir, options, path);
    FILE *pipe = popen (command, "r");
    char text[1024] = "";
    if (!pipe)
        return -1;
    if (!fgets (text, sizeof text, pipe))
        text[0] = 0;
    pclose (pipe);
    const char *cost = strstr (text, " cost="), *bound = strstr (text, " bound="),
               *ms = strstr (text, " time_ms=");
    if (!cost || !ms)
        return -1;
    *line = (s_line_t){atoll (cost + 6), strstr (text, "feasible=yes") != NULL, bound != NULL,
                       bound ? atoll (bound + 7) : 0, atof (ms + 9)};
    return 0;
}

//  Writes a generated instance to path. Returns 0 or -1.
static int s_write (char type, size_t agents, size_t jobs, uint64_t seed, const char *path)
{
    gap_instance_t *instance = gap_instance_generate (type, agents, jobs, seed);
    FILE *file = instance ? fopen (path, "w") : NULL;
    if (file) {
        gap_instance_write (instance, file);
        fclose (file);
    }
    gap_instance_destroy (&instance);
    return file ? 0 : -1;
}

static double s_gap (int64_t cost, int64_t optimum)
{
    return optimum ? 100.0 * (double) (cost - optimum) / (double) llabs (optimum) : 0;
}

int main (int argc, char **argv)
{
    if (argc < 2 || streq (argv[1], "--help")) {
        fprintf (argc < 2 ? stderr : stdout,
                 "Usage: bench_gap BIN_DIR [SECONDS_PER_ROUND [ROUNDS]]\n"
                 "Prints gapsolve's plans against known optima and its bounds, as gap %%.\n");
        return argc < 2 ? 2 : 0;
    }
    const char *bin_dir = argv[1];
    const char *work = bench_init ("bench_gap");
    printf ("bench_gap: gapsolve's plans (-t 1000 ms) against known optima\n\n");
    printf ("  %-24s %10s %10s %8s %9s\n", "instance", "optimum", "gapsolve", "gap", "ms");

    //  1. The published optimum.
    s_line_t line;
    double worst = 0;
    int proven = 0, met = 0;
    if (s_gapsolve (bin_dir, "-x", "tests/fixtures/gap/c515-1.txt", &line) == 0) {
        double gap = 100.0 * (double) (336 - line.cost) / 336;  //  maximised: short of it
        worst = gap > worst ? gap : worst;
        proven++;
        met += line.cost == 336;
        printf ("  %-24s %10d %10lld %7.2f%% %9.1f   (OR-Library, published)\n", "c515-1 (max)",
                336, (long long) line.cost, gap, line.ms);
    } else
        printf ("  c515-1: gapsolve failed\n");

    //  2. Proven by branch and bound.
    for (int seed = 1; seed <= 4; seed++)
        for (const char *type = "CDE"; *type; type++) {
            char path[300], name[64];
            snprintf (path, sizeof path, "%s/%c-5x15-%d.txt", work, *type, seed);
            snprintf (name, sizeof name, "%c 5x15 seed %d", *type, seed);
            if (s_write (*type, 5, 15, (uint64_t) seed, path))
                return 1;
            s_line_t exact;
            if (s_gapsolve (bin_dir, "-e -n 50000000", path, &exact) || !exact.feasible
                || s_gapsolve (bin_dir, "", path, &line)) {
                printf ("  %-24s not proven by --exact, left out\n", name);
                continue;
            }
            double gap = s_gap (line.cost, exact.cost);
            worst = gap > worst ? gap : worst;
            proven++;
            met += line.cost == exact.cost;
            printf ("  %-24s %10lld %10lld %7.2f%% %9.1f   (proven by --exact)\n", name,
                    (long long) exact.cost, (long long) line.cost, gap, line.ms);
        }

    //  3. Against the bound.
    printf ("\n  %-24s %10s %10s %8s %9s\n", "instance", "bound", "gapsolve", "above", "ms");
    double worst_bound = 0;
    static const size_t sizes[][2] = {{20, 200}, {40, 400}};
    for (size_t s = 0; s < 2; s++)
        for (const char *type = "CDE"; *type; type++) {
            char path[300], name[64];
            snprintf (path, sizeof path, "%s/%c-%zux%zu.txt", work, *type, sizes[s][0],
                      sizes[s][1]);
            snprintf (name, sizeof name, "%c %zux%zu seed 1", *type, sizes[s][0], sizes[s][1]);
            if (s_write (*type, sizes[s][0], sizes[s][1], 1, path))
                return 1;
            if (s_gapsolve (bin_dir, "", path, &line) || !line.has_bound) {
                printf ("  %-24s no plan or no bound\n", name);
                continue;
            }
            double gap = s_gap (line.cost, line.bound);
            worst_bound = gap > worst_bound ? gap : worst_bound;
            printf ("  %-24s %10lld %10lld %7.2f%% %9.1f   (%s)\n", name, (long long) line.bound,
                    (long long) line.cost, gap, line.ms,
                    line.feasible ? "feasible" : "NOT FEASIBLE");
        }
    printf ("\nTargets and floors:\n");
    printf ("  known optima: %d of %d met, worst gap %.2f%%  [target 0%%]   %s\n", met, proven,
            worst, worst == 0 ? "met" : "NOT MET");
    printf ("  Chu & Beasley sizes: at most %.2f%% above the Lagrangian bound (the optimum's gap is"
            " no larger)\n",
            worst_bound);
    return 0;
}
