/*  gap_exact - the proven optimum of a small gap_problem, by branch and bound.

    The oracle the optimiser is tested against: independent of it (no shared
    code but gap_problem), and simple enough to trust by reading. Depth-first
    over the jobs, fewest options first; each job tries its options cheapest
    first (its eligible agents with room, and unassigned); a branch is cut when
    its value plus each remaining job's cheapest option, capacities ignored,
    is no better than the best plan found. Values are compared as the solver
    compares them: required jobs unassigned, then cost.

    Exponential: meant for up to about 15 jobs, or more when capacities are
    loose; a node limit keeps it bounded. Memory O(jobs + agents).
*/
#ifndef GAP_EXACT_H_INCLUDED
#define GAP_EXACT_H_INCLUDED

#include "../../services/dispatch/gap_problem.h"

typedef struct {
    int64_t cost;
    size_t required_unassigned;
    int64_t nodes; //  branches visited
} gap_exact_result_t;

//  The optimum into agent_of (per job: agent or -1) and result. Returns 0, or
//  -1 if node_limit nodes did not suffice (agent_of then holds the best plan
//  found) or memory ran out.
int gap_exact_solve (gap_problem_t *problem, int64_t node_limit, int *agent_of,
                     gap_exact_result_t *result);

#endif
