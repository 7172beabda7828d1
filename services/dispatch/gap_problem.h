/*  gap_problem - an instance of the generalized assignment problem (GAP), as
    dispatch needs it.

    Agents (technicians) have a capacity (e.g. minutes left in the shift) and a
    job limit (how many more jobs they may take); jobs (waiting work orders)
    each go to one agent. A pair (agent, job) is eligible only if it was added,
    with its cost and its load (the capacity it uses); a pair never added is
    ineligible (no skill, off shift), i.e. infinitely costly. A job may stay
    unassigned: at the penalty it was given, or, if it is required (the
    default), at a cost above any other: plans are compared first by the
    required jobs they leave unassigned, then by cost. So the optimum is the
    textbook GAP's whenever a full assignment exists, and otherwise a plan
    that still assigns as many required jobs as can be.

    Sparse: memory is 24 bytes per eligible pair plus 24 per agent and job,
    never agents x jobs (dispatch's 10,000 orders over 1,000 technicians with
    ~35 eligible each is 350,000 pairs, 8 MB, where a dense matrix is 240 MB).
    Costs, loads and capacities are integers (cents, minutes), so totals and
    feasibility are exact.
*/
#ifndef GAP_PROBLEM_H_INCLUDED
#define GAP_PROBLEM_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

//  Capacity or job limit without a bound.
#define GAP_UNLIMITED INT64_MAX
//  The penalty of a required job (the default): see above.
#define GAP_REQUIRED INT64_MAX
//  Largest magnitude of a cost, load, capacity or penalty accepted, so that the
//  sum over a million jobs still fits in 63 bits.
#define GAP_VALUE_MAX 1000000000000LL

typedef struct _gap_problem_t gap_problem_t;

//  One eligible pair.
typedef struct {
    int32_t job;
    int32_t agent;
    int64_t cost;
    int64_t load;
} gap_pair_t;

//  A problem of agent_count agents (unlimited capacity and job limit until
//  set) and job_count jobs (required until given a penalty), no pair eligible.
//  Returns NULL if either count is above INT32_MAX or memory runs out.
gap_problem_t *gap_problem_new (size_t agent_count, size_t job_count);

//  Nulls *self_p. Safe twice.
void gap_problem_destroy (gap_problem_t **self_p);

//  Sets an agent's capacity and job limit (each >= 0, GAP_VALUE_MAX at most,
//  or GAP_UNLIMITED). Returns 0, or -1 if the agent or a value is out of range.
int gap_problem_set_agent (gap_problem_t *self, size_t agent, int64_t capacity, int64_t job_limit);

//  Sets what leaving job unassigned costs (0 to GAP_VALUE_MAX), or GAP_REQUIRED.
//  Returns 0, or -1 if the job or the value is out of range.
int gap_problem_set_penalty (gap_problem_t *self, size_t job, int64_t penalty);

//  Makes (agent, job) eligible with its cost (|cost| <= GAP_VALUE_MAX) and load
//  (0 to GAP_VALUE_MAX). Adding a pair again replaces it. Returns 0, or -1 if
//  an index or a value is out of range, or memory runs out.
int gap_problem_add_pair (gap_problem_t *self, size_t agent, size_t job, int64_t cost,
                          int64_t load);

size_t gap_problem_agents (gap_problem_t *self);
size_t gap_problem_jobs (gap_problem_t *self);
//  The number of eligible pairs.
size_t gap_problem_pair_count (gap_problem_t *self);
int64_t gap_problem_capacity (gap_problem_t *self, size_t agent);
int64_t gap_problem_job_limit (gap_problem_t *self, size_t agent);
//  What leaving job unassigned costs, or GAP_REQUIRED.
int64_t gap_problem_penalty (gap_problem_t *self, size_t job);

//  The eligible pairs of job, sorted by agent; *count is set (0 for a job out
//  of range). Borrowed, valid until the next gap_problem_add_pair (the first
//  read after an add sorts).
const gap_pair_t *gap_problem_pairs (gap_problem_t *self, size_t job, size_t *count);

//  The pair (agent, job), or NULL if it is ineligible. Borrowed, as above.
const gap_pair_t *gap_problem_pair (gap_problem_t *self, size_t agent, size_t job);

//  What a plan (agent_of[job]: an agent, or -1 for unassigned) amounts to.
typedef struct {
    int64_t cost;      //  the pairs' costs plus the penalties of unassigned jobs not required
    size_t unassigned; //  all of them
    size_t required_unassigned;
    bool valid;    //  every pair eligible, every capacity and job limit kept
    char why[160]; //  if not valid: the first rule broken, for a person
} gap_plan_check_t;

//  Checks and costs a plan. Cannot fail (an invalid plan is reported in check).
void gap_problem_check (gap_problem_t *self, const int *agent_of, gap_plan_check_t *check);

#endif
