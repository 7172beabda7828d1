/*  gap_greedy - dispatch's greedy policy (assign_policy_choose) over a gap_problem.

    What dispatch.run does today, on GAP input, to compare the optimiser with:
    jobs in order (dispatch: earliest due first), each to the candidate that
    assign_policy_choose picks among its eligible agents, then that agent's load
    grows. An agent whose capacity left cannot hold the job, or at its job
    limit, is a candidate at its limit (dispatch's roster will say so once it
    knows capacities). Due times are far off and levels equal, so the policy
    ranks by utilisation (jobs / limit; no limit counts as the number of jobs),
    then by agent number. It never looks at costs; a job nobody can take is
    left unassigned.
*/
#ifndef GAP_GREEDY_H_INCLUDED
#define GAP_GREEDY_H_INCLUDED

#include "../../services/dispatch/gap_problem.h"

//  The greedy plan into agent_of (per job: agent or -1). Returns 0, or -1 if
//  memory runs out.
int gap_greedy_plan (gap_problem_t *problem, int *agent_of);

#endif
