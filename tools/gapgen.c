/*  gapgen - Chu & Beasley's GAP instances of type C, D or E, in OR-Library's format.

    gapgen TYPE AGENTS JOBS [SEED [COUNT]]

    The rules are in tools/gap/gap_instance.h; COUNT instances (default 1) of
    seeds SEED, SEED + 1, ... go to standard output behind their count, ready
    for gapsolve. The same arguments always give the same file.
*/
#include "gap/gap_instance.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int s_usage (FILE *out, int code)
{
    fprintf (out, "Usage: gapgen TYPE AGENTS JOBS [SEED [COUNT]]\n"
                  "Writes COUNT (default 1) generated GAP instances of TYPE C, D or E (Chu &\n"
                  "Beasley 1997; minimisation) with seeds SEED (default 1), SEED + 1, ... in\n"
                  "OR-Library's format to standard output.\n"
                  "Exit codes: 0 written; 2 usage.\n");
    return code;
}

static int s_number (const char *text, long long low, long long high, long long *value)
{
    char *end;
    errno = 0;
    *value = strtoll (text, &end, 10);
    return errno || end == text || *end || *value < low || *value > high ? -1 : 0;
}

int main (int argc, char **argv)
{
    if (argc == 2 && (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0))
        return s_usage (stdout, 0);
    long long agents, jobs, seed = 1, count = 1;
    char type = argc > 1 && strlen (argv[1]) == 1 ? argv[1][0] : 0;
    if (argc < 4 || argc > 6 || (type != 'C' && type != 'D' && type != 'E')
        || s_number (argv[2], 1, 100000, &agents) || s_number (argv[3], 1, 10000000, &jobs)
        || (argc > 4 && s_number (argv[4], 0, INT64_MAX, &seed))
        || (argc > 5 && s_number (argv[5], 1, 100000, &count))) {
        fprintf (stderr, "gapgen: bad arguments\n");
        return s_usage (stderr, 2);
    }
    printf ("%lld\n", count);
    for (long long k = 0; k < count; k++) {
        gap_instance_t *instance
            = gap_instance_generate (type, (size_t) agents, (size_t) jobs, (uint64_t) (seed + k));
        if (!instance) {
            fprintf (stderr, "gapgen: %lld x %lld is too large\n", agents, jobs);
            return 2;
        }
        gap_instance_write (instance, stdout);
        gap_instance_destroy (&instance);
    }
    return 0;
}
