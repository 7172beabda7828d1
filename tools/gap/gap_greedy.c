/*  gap_greedy - dispatch's greedy policy over a gap_problem. See gap_greedy.h. */
#include "gap_greedy.h"

#include "../../services/dispatch/assign_policy.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

int gap_greedy_plan (gap_problem_t *problem, int *agent_of)
{
    size_t n = gap_problem_jobs (problem), m = gap_problem_agents (problem);
    int64_t *load = (int64_t *) calloc (m + 1, sizeof (int64_t));
    int *jobs = (int *) calloc (m + 1, sizeof (int));
    char (*names)[24] = (char (*)[24]) calloc (m + 1, sizeof *names);
    assign_candidate_t *candidates = (assign_candidate_t *) calloc (m + 1, sizeof *candidates);
    int rc = -1;
    if (!load || !jobs || !names || !candidates)
        goto out;
    //  Ids that sort as the agents' numbers do: the policy's last tie-break.
    for (size_t i = 0; i < m; i++)
        snprintf (names[i], sizeof names[i], "%010zu", i);
    const int no_limit = n < INT_MAX ? (int) n + 1 : INT_MAX;
    assign_job_t job = {0, INT64_MAX / 2, 3600, 0};
    for (size_t j = 0; j < n; j++) {
        size_t count;
        const gap_pair_t *pairs = gap_problem_pairs (problem, j, &count);
        for (size_t k = 0; k < count; k++) {
            size_t agent = (size_t) pairs[k].agent;
            int64_t capacity = gap_problem_capacity (problem, agent);
            int64_t limit = gap_problem_job_limit (problem, agent);
            int max_jobs = limit == GAP_UNLIMITED || limit >= no_limit ? no_limit : (int) limit;
            bool fits = capacity == GAP_UNLIMITED || load[agent] + pairs[k].load <= capacity;
            candidates[k] = (assign_candidate_t){names[agent], 0, fits ? jobs[agent] : max_jobs,
                                                 max_jobs, true};
        }
        int best = assign_policy_choose (&job, candidates, count, NULL);
        agent_of[j] = best < 0 ? -1 : pairs[best].agent;
        if (best >= 0) {
            load[pairs[best].agent] += pairs[best].load;
            jobs[pairs[best].agent]++;
        }
    }
    rc = 0;
out:
    free (load);
    free (jobs);
    free (names);
    free (candidates);
    return rc;
}
