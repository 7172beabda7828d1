/*  gap_solver - a good plan for a gap_problem, fast, with a lower bound.

    The method, from the literature on the generalized assignment problem:
    1. Lagrangian relaxation of the capacities and job limits, optimised by
       subgradient steps (Held, Wolfe & Crowder 1974, "Validation of
       subgradient optimization", Math. Programming 6; the relaxation of
       Ross & Soland 1975, "A branch and bound algorithm for the generalized
       assignment problem", Math. Programming 8): each job alone takes its
       cheapest agent at the cost plus the multipliers' price of what it
       uses. Its best value is a lower bound on the optimum (the bound of the
       linear relaxation), and its prices guide step 2.
    2. Regret construction (Martello & Toth 1981, "An algorithm for the
       generalized assignment problem", Operational Research '81): the job
       that would lose most by missing its best feasible agent is placed
       first, with the Lagrangian prices as the measure (as in Fisher,
       Jaikumar & Van Wassenhove 1986, Management Science 32).
    3. Local search over shifts, swaps and ejection chains of length two (a
       job moves into a full agent, which passes one of its jobs on: Yagiura,
       Ibaraki & Glover 2004, "An ejection chain approach for the generalized
       assignment problem", INFORMS J. on Computing 16), to a local optimum.
    4. Until the limits, one of two searches:
       - where a whole neighbourhood is small (about p x (1 + n / 2m) <=
         200,000 moves, e.g. OR-Library's sizes): tabu search through
         infeasible plans (Diaz & Fernandez 2001, "A tabu search heuristic
         for the generalized assignment problem", European J. of Operational
         Research 132): the best shift or swap by cost plus an adaptive
         penalty on load above capacity, a job barred from going back to an
         agent for a few iterations. Tight problems have their optima on the
         edge of feasibility, which one-job moves among feasible plans cannot
         cross;
       - else (dispatch's size, or when not every required job fits):
         iterated local search (Lourenco, Martin & Stuetzle 2003, "Iterated
         local search", Handbook of Metaheuristics): take the jobs of two
         random agents or a few random jobs out, place them again by regret
         at noisy prices, search again, keep the result if it is not much
         worse.
    It stops early when the plan's cost meets the lower bound (proven optimal).

    Deterministic: for the same problem, limits and seed, the same plan, as
    long as the wall-clock limit does not stop it first (the clock decides
    nothing but the stop; a work limit stops it at the same point every time). The plan is valid at every moment: eligible pairs
    only, capacities and job limits kept; jobs are left unassigned only when
    that is better by the problem's order (gap_problem.h): fewer required
    jobs unassigned first, then less cost.

    Cost, with p eligible pairs, n jobs, m agents and d the most pairs of one
    job: a Lagrangian step O(p + m); a construction O(p log p); a pass of the
    local search O(sum over jobs of d x the jobs of a cheaper full agent x d)
    at worst, far less near a local optimum (only moves that help the moving
    job are looked at); a tabu iteration O(p x (1 + n / m)) (every shift and
    swap). Memory: 20 bytes per pair and about 100 per job and per agent, on
    top of the problem.

    Seam for dispatch (see services/dispatch/README.md): technicians are
    agents, waiting orders jobs, one pair per eligible (technician, order).
*/
#ifndef GAP_SOLVER_H_INCLUDED
#define GAP_SOLVER_H_INCLUDED

#include "gap_problem.h"

typedef struct _gap_solver_t gap_solver_t;

//  When to stop. Iterations of step 4 when neither limit is given.
#define GAP_DEFAULT_ITERATIONS 1000

typedef struct {
    int64_t time_limit_ms; //  wall clock from the start of the solve; <= 0: none
    int64_t iterations;    //  of step 4 (tabu iterations or rounds); <= 0: none
    uint64_t seed;         //  of the pseudo-random numbers (tenures, perturbations)
    //  Units of work: checks of the limits, about one per job the local search
    //  looks at, per Lagrangian step and per round of step 4; <= 0: none.
    //  Unlike the clock it stops every run at the same point, so a plan bounded
    //  by it is the same on any machine at any load.
    int64_t work_limit;
} gap_limits_t;

//  Which search step 4 ran.
typedef enum { GAP_METHOD_TABU, GAP_METHOD_ITERATED } gap_method_t;

typedef struct {
    int64_t cost; //  of the plan: pairs plus penalties (gap_plan_check_t)
    size_t unassigned;
    size_t required_unassigned;
    bool has_lower_bound; //  set when the plan leaves no required job
                          //  unassigned that has an eligible agent
    int64_t lower_bound;  //  no plan that does so costs less
    bool optimal;         //  cost == lower_bound
    bool stopped_by_time; //  the wall-clock limit ended the search
    bool stopped_by_work; //  the work limit did
    int64_t work;         //  units of work done
    int64_t lagrangian_steps;
    gap_method_t method;
    int64_t iterations; //  of step 4 done
    double elapsed_ms;
} gap_result_t;

//  A solver for problem, which it borrows: the problem must not change or go
//  away while the solver lives. Returns NULL if memory runs out.
gap_solver_t *gap_solver_new (gap_problem_t *problem);

//  Nulls *self_p. Safe twice.
void gap_solver_destroy (gap_solver_t **self_p);

//  Solves within limits; the result is borrowed, valid until the next solve
//  or destroy. A second solve starts afresh. Cannot fail.
const gap_result_t *gap_solver_solve (gap_solver_t *self, const gap_limits_t *limits);

//  The plan of the last solve: for each job its agent, or -1 if unassigned.
//  Borrowed, as the result.
const int *gap_solver_plan (gap_solver_t *self);

#endif
