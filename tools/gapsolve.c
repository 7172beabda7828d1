/*  gapsolve - solves generalized assignment problems in OR-Library's format.

    gapsolve [options] [FILE...]    (no FILE or "-": standard input)

    The optimiser of dispatch (services/dispatch/gap_solver.h) on the files of
    OR-Library (gap1..gap12, gapa..gapd) or Yagiura's (one problem, no count),
    so that its quality can be checked against published optima; --greedy runs
    dispatch's greedy policy instead, --exact the branch and bound of the tests.
    One line per problem, key=value, then its assignment if asked.
*/
#include "gap/gap_exact.h"
#include "gap/gap_greedy.h"
#include "gap/gap_instance.h"

#include "../services/dispatch/gap_solver.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

//  The exit codes, as --help documents them.
enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2 };

typedef enum { WITH_OPTIMISER, WITH_GREEDY, WITH_EXACT } s_method_t;

typedef struct {
    bool maximize, assignment;
    s_method_t method;
    gap_limits_t limits;
    int64_t nodes;
} s_options_t;

static void s_usage (FILE *out)
{
    fprintf (
        out,
        "Usage: gapsolve [options] [FILE...]\n"
        "Solves the generalized assignment problems of each FILE (or standard input)\n"
        "in OR-Library's format: the number of problems, then for each: m n, the\n"
        "m x n costs, the m x n resources, the m capacities (whitespace-separated\n"
        "integers, line breaks anywhere). A file of one problem without the count\n"
        "(Yagiura's) is read too. Minimises the total cost unless --maximize.\n"
        "\n"
        "Options:\n"
        "  -x, --maximize        maximise instead (OR-Library's gap1-12 are published so)\n"
        "  -t, --time-limit MS   wall-clock limit per problem (default 1000)\n"
        "  -i, --iterations N    stop after N iterations of the search too (tabu\n"
        "                        iterations or rounds; default: none, the time stops it)\n"
        "  -s, --seed N          seed of the search's pseudo-random numbers (default 1)\n"
        "  -a, --assignment      print the agent of each job (1-based; 0 if unassigned)\n"
        "  -g, --greedy          dispatch's greedy policy instead of the optimiser\n"
        "  -e, --exact           prove the optimum by branch and bound (small problems)\n"
        "  -n, --nodes N         node limit of --exact (default 100000000)\n"
        "  -h, --help            this text\n"
        "\n"
        "For each problem one line:\n"
        "  problem=1 agents=5 jobs=15 cost=261 feasible=yes bound=258 optimal=no time_ms=1000.1\n"
        "cost: the total of the plan (with --maximize, the profit); feasible: every job\n"
        "assigned within the capacities (if not, unassigned=K and cost is that of the\n"
        "jobs assigned); bound: the optimiser's Lagrangian bound (no plan costs less;\n"
        "with --maximize none earns more), when it has one; optimal: proven (cost meets\n"
        "the bound, or --exact finished). With --assignment a line 'assignment=3 1 ...'.\n"
        "\n"
        "Exit codes: 0 every problem solved feasibly; 1 one has no feasible plan found\n"
        "(or --exact ran out of nodes); 2 usage, or a file that cannot be read or is\n"
        "not in the format (the message names the line and the token).\n");
}

static int s_parse_number (const char *text, int64_t low, int64_t *value)
{
    char *end;
    errno = 0;
    long long number = strtoll (text, &end, 10);
    if (errno || end == text || *end || number < low)
        return -1;
    *value = number;
    return 0;
}

//  The whole of a file ("-": standard input), NUL-terminated; caller frees.
//  NULL with errno set if it cannot be read.
static char *s_read_file (const char *path)
{
    FILE *file = strcmp (path, "-") == 0 ? stdin : fopen (path, "r");
    if (!file)
        return NULL;
    size_t size = 0, room = 1 << 16;
    char *text = (char *) malloc (room);
    while (text) {
        size += fread (text + size, 1, room - size - 1, file);
        if (size + 1 < room)
            break;
        char *bigger = (char *) realloc (text, room *= 2);
        if (!bigger)
            free (text);
        text = bigger;
    }
    bool failed = ferror (file) || !text;
    if (file != stdin)
        fclose (file);
    if (failed) {
        free (text);
        errno = errno ? errno : EIO;
        return NULL;
    }
    text[size] = 0;
    return text;
}

static double s_now_ms (void)
{
    struct timespec now;
    clock_gettime (CLOCK_MONOTONIC, &now);
    return (double) now.tv_sec * 1000 + (double) now.tv_nsec / 1e6;
}

//  Solves one problem, prints its line(s). Returns an exit code.
static int s_solve (const gap_instance_t *instance, int number, const s_options_t *options)
{
    gap_problem_t *problem = gap_instance_problem (instance, options->maximize);
    int *agent_of = (int *) calloc (instance->jobs, sizeof (int));
    gap_solver_t *solver = NULL;
    const gap_result_t *result = NULL;
    int rc = EXIT_FAILED;
    if (!problem || !agent_of) {
        fprintf (stderr, "gapsolve: problem %d: out of memory\n", number);
        goto out;
    }
    double started = s_now_ms ();
    bool proven = false;
    if (options->method == WITH_OPTIMISER) {
        solver = gap_solver_new (problem);
        if (!solver) {
            fprintf (stderr, "gapsolve: problem %d: out of memory\n", number);
            goto out;
        }
        result = gap_solver_solve (solver, &options->limits);
        memcpy (agent_of, gap_solver_plan (solver), instance->jobs * sizeof (int));
        proven = result->optimal;
    } else if (options->method == WITH_GREEDY) {
        if (gap_greedy_plan (problem, agent_of)) {
            fprintf (stderr, "gapsolve: problem %d: out of memory\n", number);
            goto out;
        }
    } else {
        gap_exact_result_t exact;
        proven = gap_exact_solve (problem, options->nodes, agent_of, &exact) == 0;
        if (!proven)
            fprintf (stderr,
                     "gapsolve: problem %d: not proven within %lld nodes; the best plan"
                     " found follows\n",
                     number, (long long) options->nodes);
    }
    double elapsed = s_now_ms () - started;
    gap_plan_check_t check;
    gap_problem_check (problem, agent_of, &check);
    if (!check.valid) {
        fprintf (stderr, "gapsolve: problem %d: internal error, the plan breaks a rule: %s\n",
                 number, check.why);
        goto out;
    }
    int64_t sign = options->maximize ? -1 : 1;
    printf ("problem=%d agents=%zu jobs=%zu cost=%lld feasible=%s", number, instance->agents,
            instance->jobs, (long long) (sign * check.cost), check.unassigned ? "no" : "yes");
    if (check.unassigned)
        printf (" unassigned=%zu", check.unassigned);
    if (result && result->has_lower_bound)
        printf (" bound=%lld", (long long) (sign * result->lower_bound));
    printf (" optimal=%s time_ms=%.1f\n", proven && !check.unassigned ? "yes" : "no", elapsed);
    if (options->assignment) {
        printf ("assignment=");
        for (size_t j = 0; j < instance->jobs; j++)
            printf ("%d%c", agent_of[j] + 1, j + 1 == instance->jobs ? '\n' : ' ');
    }
    rc = check.unassigned || (options->method == WITH_EXACT && !proven) ? EXIT_FAILED : EXIT_OK;
out:
    gap_solver_destroy (&solver);
    gap_problem_destroy (&problem);
    free (agent_of);
    return rc;
}

//  Reads and solves every problem of path. Returns an exit code.
static int s_solve_file (const char *path, const s_options_t *options)
{
    const char *name = strcmp (path, "-") == 0 ? "standard input" : path;
    char *text = s_read_file (path);
    if (!text) {
        fprintf (stderr, "gapsolve: %s: %s\n", name, strerror (errno));
        return EXIT_USAGE;
    }
    gap_instance_t **instances = NULL;
    char error[320];
    int count = gap_instance_parse (text, &instances, error, sizeof error);
    free (text);
    if (count < 0) {
        fprintf (stderr, "gapsolve: %s: %s\n", name, error);
        return EXIT_USAGE;
    }
    int rc = EXIT_OK;
    for (int k = 0; k < count; k++) {
        int solved = s_solve (instances[k], k + 1, options);
        if (solved > rc)
            rc = solved;
        fflush (stdout);
        gap_instance_destroy (&instances[k]);
    }
    free (instances);
    return rc;
}

int main (int argc, char **argv)
{
    s_options_t options = {.limits = {.time_limit_ms = 1000, .seed = 1}, .nodes = 100000000};
    static const struct option long_options[] = {{"maximize", no_argument, NULL, 'x'},
                                                 {"time-limit", required_argument, NULL, 't'},
                                                 {"iterations", required_argument, NULL, 'i'},
                                                 {"seed", required_argument, NULL, 's'},
                                                 {"assignment", no_argument, NULL, 'a'},
                                                 {"greedy", no_argument, NULL, 'g'},
                                                 {"exact", no_argument, NULL, 'e'},
                                                 {"nodes", required_argument, NULL, 'n'},
                                                 {"help", no_argument, NULL, 'h'},
                                                 {NULL, 0, NULL, 0}};
    int letter;
    int64_t value;
    opterr = 0;
    while ((letter = getopt_long (argc, argv, ":xt:i:s:agen:h", long_options, NULL)) != -1) {
        switch (letter) {
        case 'x':
            options.maximize = true;
            break;
        case 'a':
            options.assignment = true;
            break;
        case 'g':
            options.method = WITH_GREEDY;
            break;
        case 'e':
            options.method = WITH_EXACT;
            break;
        case 'h':
            s_usage (stdout);
            return EXIT_OK;
        case 't':
        case 'i':
        case 's':
        case 'n':
            if (s_parse_number (optarg, letter == 'n' || letter == 't' ? 1 : 0, &value)) {
                fprintf (stderr, "gapsolve: --%s wants a whole number%s, not '%s'\n",
                         letter == 't'   ? "time-limit"
                         : letter == 'i' ? "iterations"
                         : letter == 's' ? "seed"
                                         : "nodes",
                         letter == 'n' || letter == 't' ? " above 0" : "", optarg);
                return EXIT_USAGE;
            }
            if (letter == 't')
                options.limits.time_limit_ms = value;
            else if (letter == 'i')
                options.limits.iterations = value;
            else if (letter == 's')
                options.limits.seed = (uint64_t) value;
            else
                options.nodes = value;
            break;
        case ':':
            fprintf (stderr, "gapsolve: %s wants a value (gapsolve --help)\n", argv[optind - 1]);
            return EXIT_USAGE;
        default:
            fprintf (stderr, "gapsolve: unknown option %s (gapsolve --help)\n", argv[optind - 1]);
            return EXIT_USAGE;
        }
    }
    if (optind == argc)
        return s_solve_file ("-", &options);
    int rc = EXIT_OK;
    for (int k = optind; k < argc; k++) {
        int solved = s_solve_file (argv[k], &options);
        if (solved > rc)
            rc = solved;
    }
    return rc;
}
