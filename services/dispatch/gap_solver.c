/*  gap_solver - a good plan for a gap_problem. See gap_solver.h for the method.

    One plan is kept up to date move by move (loads, job counts, the jobs of
    each agent as a linked list, its value); the best plan seen is a copy of
    its assignment. Values are compared lexicographically: required jobs left
    unassigned first, then cost (s_value_t).
*/
#include "gap_solver.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NO_PAIR (-1)   //  a job's option "unassigned"
#define NO_CHOICE (-2) //  a job with no feasible option at all

//  Subgradient steps: as many as fit a budget of pair visits, within bounds,
//  so that the count depends only on the problem's size.
#define LAGRANGIAN_PAIR_VISITS 20000000
#define LAGRANGIAN_STEPS_MIN 30
#define LAGRANGIAN_STEPS_MAX 300
#define LAGRANGIAN_STALL 20 //  steps without a better bound before the step halves
//  Plans built from the prices along the way: one every 10 steps, but no more
//  than this budget of pair visits allows (a plan is a construction and a
//  local search: at dispatch's size about 70 ms, at OR-Library's well under 1).
#define LAGRANGIAN_PLAN_EVERY 10
#define LAGRANGIAN_PLAN_PAIR_VISITS 1000000
//  Iterated local search: prices are perturbed by up to this share of the
//  mean cost; a worse plan is kept if it is within this share of the best.
#define PERTURB_NOISE 0.3
#define ACCEPT_WORSE 0.002
#define PERTURB_AGENTS 2  //  agents emptied by one kind of perturbation
#define PERTURB_JOBS 20   //  at most this many jobs taken out by the other
#define RESTART_AFTER 200 //  rounds without a new best before going back to it
//  Local search: ejection chains are tried through this many full agents per job.
#define EJECTION_AGENTS 4
//  Tabu search: it runs where one iteration (every shift and swap) looks at no
//  more than this many moves, about p x (1 + n / 2m); else the iterated search.
#define TABU_MOVES_MAX 200000
//  A job may not go back to an agent for 3 + n/40 + a random 0..4 + n/20 iterations.
#define TABU_TENURE_MIN 3
#define TABU_TENURE_SPREAD 5
//  The penalties' factor per iteration, and how far they may stray from their
//  start (so that they stay normal doubles however long the search runs).
#define TABU_PENALTY_STEP 1.05
#define TABU_PENALTY_RANGE 1000.0

typedef struct {
    int64_t missing; //  required jobs unassigned
    int64_t cost;
} s_value_t;

static s_value_t s_value_plus (s_value_t a, s_value_t b)
{
    return (s_value_t){a.missing + b.missing, a.cost + b.cost};
}

static s_value_t s_value_minus (s_value_t a, s_value_t b)
{
    return (s_value_t){a.missing - b.missing, a.cost - b.cost};
}

static bool s_value_less (s_value_t a, s_value_t b)
{
    return a.missing != b.missing ? a.missing < b.missing : a.cost < b.cost;
}

static const s_value_t s_zero = {0, 0};

//  A plan being improved. Jobs of an agent: head[agent], then next[job].
typedef struct {
    int *agent_of;        //  per job: agent or -1
    int32_t *pair_of;     //  per job: index of its pair, or NO_PAIR
    int64_t *load, *jobs; //  per agent
    int32_t *head, *next, *prev;
    s_value_t value;
    int64_t over_load, over_jobs; //  sums over agents of load above capacity, jobs above limit
    int32_t *changed;             //  agents with room made since the local search looked
    int32_t changed_count;
    bool *agent_changed;
} s_plan_t;

//  A move found by the local search: job to pair, and optionally other to
//  other_pair (swap or ejection), changing the plan's value by delta.
typedef struct {
    int32_t job, pair, other, other_pair;
    s_value_t delta;
} s_move_t;

struct _gap_solver_t {
    gap_problem_t *problem;
    int32_t n, m;
    int32_t pair_count;
    const gap_pair_t *pairs;   //  the problem's, sorted by job then agent
    int32_t *first;            //  n + 1: a job's pairs are pairs[first[j]..first[j + 1])
    int64_t *capacity, *limit; //  per agent
    int64_t *penalty;          //  per job
    int32_t *agent_first;      //  m + 1: an agent's pairs in by_agent
    int32_t *by_agent;         //  pair indexes per agent, heaviest load first
    int32_t unplaceable;       //  required jobs without an eligible pair
    double mean_cost;          //  of |cost| over the pairs, the scale of the noise
    double mean_load;          //  of load over the pairs
    double max_cost;           //  of |cost| over the pairs
    int64_t *tabu_until;       //  per pair: the tabu search may not use it before this iteration

    s_plan_t plan;
    int *best_plan;
    s_value_t best_value;
    int *saved_plan; //  before a perturbation, to go back to

    //  Construction: an indexed max-heap of jobs by regret.
    double *price; //  per pair
    int32_t *heap, *heap_pos;
    int32_t heap_count;
    double *regret;
    int32_t *choice;       //  per job: best feasible pair, NO_PAIR or NO_CHOICE
    int32_t *second_agent; //  per job: agent of the second best, or -1
    int32_t *cursor;       //  per agent: pairs before it in by_agent are infeasible
    uint32_t *cursor_stamp, stamp;
    int32_t *to_place;
    int32_t *queue; //  the local search's jobs to look at, a ring
    bool *queued;

    //  Lagrangian multipliers of capacities (u) and job limits (v).
    double *u, *v, *best_u, *best_v, *gradient_u, *gradient_v;
    double bound; //  best Lagrangian value, -inf until one
    uint64_t random;
    int64_t deadline_us; //  0: none
    int64_t work_limit;  //  0: none
    gap_result_t result;
};

static int64_t s_now_us (void)
{
    struct timespec now;
    clock_gettime (CLOCK_MONOTONIC, &now);
    return (int64_t) now.tv_sec * 1000000 + now.tv_nsec / 1000;
}

//  Whether the wall-clock or the work limit is reached; each call is a unit of
//  work. Reading the clock costs about 20 ns (vDSO), far less than what runs
//  between two calls.
static bool s_out_of_time (gap_solver_t *self)
{
    gap_result_t *result = &self->result;
    if (result->stopped_by_time || result->stopped_by_work)
        return true;
    if (self->work_limit && ++result->work >= self->work_limit)
        result->stopped_by_work = true;
    else if (self->deadline_us && s_now_us () >= self->deadline_us)
        result->stopped_by_time = true;
    return result->stopped_by_time || result->stopped_by_work;
}

//  splitmix64 (Steele, Lea & Flood 2014): small, fast, and the same everywhere.
static uint64_t s_random (gap_solver_t *self)
{
    uint64_t z = (self->random += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

//  Uniform in [0, 1).
static double s_uniform (gap_solver_t *self)
{
    return (double) (s_random (self) >> 11) * (1.0 / 9007199254740992.0);
}

static void *s_alloc (size_t count, size_t size, bool *failed)
{
    void *block = calloc (count + 1, size);
    if (!block)
        *failed = true;
    return block;
}

static void s_plan_free (s_plan_t *plan)
{
    free (plan->agent_of);
    free (plan->pair_of);
    free (plan->load);
    free (plan->jobs);
    free (plan->head);
    free (plan->next);
    free (plan->prev);
    free (plan->changed);
    free (plan->agent_changed);
}

void gap_solver_destroy (gap_solver_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    gap_solver_t *self = *self_p;
    s_plan_free (&self->plan);
    // clang-format off
    void *blocks[] = {self->first, self->capacity, self->limit, self->penalty, self->agent_first,
                      self->by_agent, self->best_plan, self->saved_plan, self->price, self->heap,
                      self->heap_pos, self->regret, self->choice, self->second_agent, self->cursor,
                      self->cursor_stamp, self->to_place, self->queue, self->queued,
                      self->tabu_until, self->u, self->v, self->best_u, self->best_v,
                      self->gradient_u, self->gradient_v};
    // clang-format on
    for (size_t b = 0; b < sizeof blocks / sizeof blocks[0]; b++)
        free (blocks[b]);
    free (self);
    *self_p = NULL;
}

//  Orders an agent's pairs (indexes into pairs) by load, heaviest first, then by job.
static int s_compare_by_load (const void *a, const void *b, void *pairs)
{
    const gap_pair_t *x = &((const gap_pair_t *) pairs)[*(const int32_t *) a];
    const gap_pair_t *y = &((const gap_pair_t *) pairs)[*(const int32_t *) b];
    if (x->load != y->load)
        return x->load > y->load ? -1 : 1;
    return x->job < y->job ? -1 : x->job > y->job;
}

gap_solver_t *gap_solver_new (gap_problem_t *problem)
{
    size_t pair_count = gap_problem_pair_count (problem);
    if (pair_count > INT32_MAX)
        return NULL;
    gap_solver_t *self = (gap_solver_t *) calloc (1, sizeof (gap_solver_t));
    if (!self)
        return NULL;
    self->problem = problem;
    self->n = (int32_t) gap_problem_jobs (problem);
    self->m = (int32_t) gap_problem_agents (problem);
    self->pair_count = (int32_t) pair_count;
    size_t n = (size_t) self->n, m = (size_t) self->m, p = pair_count;
    bool failed = false;
    self->first = (int32_t *) s_alloc (n + 1, sizeof (int32_t), &failed);
    self->capacity = (int64_t *) s_alloc (m, sizeof (int64_t), &failed);
    self->limit = (int64_t *) s_alloc (m, sizeof (int64_t), &failed);
    self->penalty = (int64_t *) s_alloc (n, sizeof (int64_t), &failed);
    self->agent_first = (int32_t *) s_alloc (m + 1, sizeof (int32_t), &failed);
    self->by_agent = (int32_t *) s_alloc (p, sizeof (int32_t), &failed);
    self->plan.agent_of = (int *) s_alloc (n, sizeof (int), &failed);
    self->plan.pair_of = (int32_t *) s_alloc (n, sizeof (int32_t), &failed);
    self->plan.load = (int64_t *) s_alloc (m, sizeof (int64_t), &failed);
    self->plan.jobs = (int64_t *) s_alloc (m, sizeof (int64_t), &failed);
    self->plan.head = (int32_t *) s_alloc (m, sizeof (int32_t), &failed);
    self->plan.next = (int32_t *) s_alloc (n, sizeof (int32_t), &failed);
    self->plan.prev = (int32_t *) s_alloc (n, sizeof (int32_t), &failed);
    self->plan.changed = (int32_t *) s_alloc (m, sizeof (int32_t), &failed);
    self->plan.agent_changed = (bool *) s_alloc (m, sizeof (bool), &failed);
    self->queue = (int32_t *) s_alloc (n, sizeof (int32_t), &failed);
    self->queued = (bool *) s_alloc (n, sizeof (bool), &failed);
    self->best_plan = (int *) s_alloc (n, sizeof (int), &failed);
    self->saved_plan = (int *) s_alloc (n, sizeof (int), &failed);
    self->price = (double *) s_alloc (p, sizeof (double), &failed);
    self->heap = (int32_t *) s_alloc (n, sizeof (int32_t), &failed);
    self->heap_pos = (int32_t *) s_alloc (n, sizeof (int32_t), &failed);
    self->regret = (double *) s_alloc (n, sizeof (double), &failed);
    self->choice = (int32_t *) s_alloc (n, sizeof (int32_t), &failed);
    self->second_agent = (int32_t *) s_alloc (n, sizeof (int32_t), &failed);
    self->cursor = (int32_t *) s_alloc (m, sizeof (int32_t), &failed);
    self->cursor_stamp = (uint32_t *) s_alloc (m, sizeof (uint32_t), &failed);
    self->to_place = (int32_t *) s_alloc (n, sizeof (int32_t), &failed);
    self->tabu_until = (int64_t *) s_alloc (p, sizeof (int64_t), &failed);
    double **per_agent[]
        = {&self->u, &self->v, &self->best_u, &self->best_v, &self->gradient_u, &self->gradient_v};
    for (size_t k = 0; k < sizeof per_agent / sizeof per_agent[0]; k++)
        *per_agent[k] = (double *) s_alloc (m, sizeof (double), &failed);
    if (failed) {
        gap_solver_destroy (&self);
        return NULL;
    }
    size_t count;
    self->pairs = gap_problem_pairs (problem, 0, &count);
    double cost_sum = 0, load_sum = 0;
    for (int32_t j = 0; j < self->n; j++) {
        const gap_pair_t *pairs = gap_problem_pairs (problem, (size_t) j, &count);
        self->first[j] = (int32_t) (pairs - self->pairs);
        self->first[j + 1] = self->first[j] + (int32_t) count;
        self->penalty[j] = gap_problem_penalty (problem, (size_t) j);
        if (count == 0 && self->penalty[j] == GAP_REQUIRED)
            self->unplaceable++;
        for (size_t k = 0; k < count; k++) {
            self->agent_first[pairs[k].agent + 1]++;
            cost_sum += fabs ((double) pairs[k].cost);
            self->max_cost = fmax (self->max_cost, fabs ((double) pairs[k].cost));
            load_sum += (double) pairs[k].load;
        }
    }
    self->mean_cost = p ? cost_sum / (double) p : 1;
    if (self->mean_cost <= 0)
        self->mean_cost = 1;
    self->mean_load = p && load_sum > 0 ? load_sum / (double) p : 1;
    for (int32_t i = 0; i < self->m; i++) {
        self->capacity[i] = gap_problem_capacity (problem, (size_t) i);
        self->limit[i] = gap_problem_job_limit (problem, (size_t) i);
        self->agent_first[i + 1] += self->agent_first[i];
    }
    //  Pairs per agent, heaviest first (a counting sort by agent, then each sorted).
    int32_t *fill = self->cursor; //  borrowed as scratch before any construction
    for (int32_t i = 0; i < self->m; i++)
        fill[i] = self->agent_first[i];
    for (int32_t k = 0; k < self->pair_count; k++)
        self->by_agent[fill[self->pairs[k].agent]++] = k;
    for (int32_t i = 0; i < self->m; i++)
        qsort_r (self->by_agent + self->agent_first[i],
                 (size_t) (self->agent_first[i + 1] - self->agent_first[i]), sizeof (int32_t),
                 s_compare_by_load, (void *) self->pairs);
    return self;
}

//  The plan's value of giving job the option pair (NO_PAIR: unassigned).
static s_value_t s_option_value (gap_solver_t *self, int32_t job, int32_t pair)
{
    if (pair != NO_PAIR)
        return (s_value_t){0, self->pairs[pair].cost};
    return self->penalty[job] == GAP_REQUIRED ? (s_value_t){1, 0}
                                              : (s_value_t){0, self->penalty[job]};
}

//  Whether agent can take load_change more load and jobs_change more jobs.
static inline bool s_has_room (gap_solver_t *self, int32_t agent, int64_t load_change,
                               int64_t jobs_change)
{
    const s_plan_t *plan = &self->plan;
    return (self->capacity[agent] == GAP_UNLIMITED
            || plan->load[agent] + load_change <= self->capacity[agent])
           && (self->limit[agent] == GAP_UNLIMITED
               || plan->jobs[agent] + jobs_change <= self->limit[agent]);
}

//  The index of the pair (agent, job), or NO_PAIR: direct if every agent may
//  do the job (the pairs are sorted by agent), else by binary search.
static inline int32_t s_find_pair (gap_solver_t *self, int32_t job, int32_t agent)
{
    int32_t low = self->first[job], high = self->first[job + 1];
    if (high - low == self->m)
        return low + agent;
    while (low < high) {
        int32_t middle = low + (high - low) / 2;
        if (self->pairs[middle].agent < agent)
            low = middle + 1;
        else
            high = middle;
    }
    return low < self->first[job + 1] && self->pairs[low].agent == agent ? low : NO_PAIR;
}

//  How far load and jobs would be above agent's capacity and limit.
static inline int64_t s_over_load (gap_solver_t *self, int32_t agent, int64_t load)
{
    int64_t capacity = self->capacity[agent];
    return capacity == GAP_UNLIMITED || load <= capacity ? 0 : load - capacity;
}

static inline int64_t s_over_jobs (gap_solver_t *self, int32_t agent, int64_t jobs)
{
    int64_t limit = self->limit[agent];
    return limit == GAP_UNLIMITED || jobs <= limit ? 0 : jobs - limit;
}

//  Adds load and jobs to agent (negative: takes them away).
static void s_plan_charge (gap_solver_t *self, int32_t agent, int64_t load, int64_t jobs)
{
    s_plan_t *plan = &self->plan;
    plan->over_load += s_over_load (self, agent, plan->load[agent] + load)
                       - s_over_load (self, agent, plan->load[agent]);
    plan->over_jobs += s_over_jobs (self, agent, plan->jobs[agent] + jobs)
                       - s_over_jobs (self, agent, plan->jobs[agent]);
    plan->load[agent] += load;
    plan->jobs[agent] += jobs;
    //  Only room made can open a move the local search has not looked at.
    if ((load < 0 || jobs < 0) && !plan->agent_changed[agent]) {
        plan->agent_changed[agent] = true;
        plan->changed[plan->changed_count++] = agent;
    }
}

//  Gives job the option pair (NO_PAIR: unassigned), keeping everything in step.
static void s_plan_move (gap_solver_t *self, int32_t job, int32_t pair)
{
    s_plan_t *plan = &self->plan;
    int32_t old = plan->pair_of[job];
    plan->value = s_value_minus (plan->value, s_option_value (self, job, old));
    if (old != NO_PAIR) {
        int32_t agent = self->pairs[old].agent;
        s_plan_charge (self, agent, -self->pairs[old].load, -1);
        if (plan->prev[job] >= 0)
            plan->next[plan->prev[job]] = plan->next[job];
        else
            plan->head[agent] = plan->next[job];
        if (plan->next[job] >= 0)
            plan->prev[plan->next[job]] = plan->prev[job];
    }
    plan->pair_of[job] = pair;
    plan->agent_of[job] = pair == NO_PAIR ? -1 : self->pairs[pair].agent;
    plan->value = s_value_plus (plan->value, s_option_value (self, job, pair));
    if (pair != NO_PAIR) {
        int32_t agent = self->pairs[pair].agent;
        s_plan_charge (self, agent, self->pairs[pair].load, 1);
        plan->prev[job] = -1;
        plan->next[job] = plan->head[agent];
        if (plan->head[agent] >= 0)
            plan->prev[plan->head[agent]] = job;
        plan->head[agent] = job;
    }
}

//  Every job unassigned.
static void s_plan_clear (gap_solver_t *self)
{
    s_plan_t *plan = &self->plan;
    plan->value = s_zero;
    plan->over_load = plan->over_jobs = 0;
    for (int32_t j = 0; j < self->n; j++) {
        plan->agent_of[j] = -1;
        plan->pair_of[j] = NO_PAIR;
        plan->value = s_value_plus (plan->value, s_option_value (self, j, NO_PAIR));
    }
    plan->changed_count = 0;
    for (int32_t i = 0; i < self->m; i++) {
        plan->load[i] = plan->jobs[i] = 0;
        plan->head[i] = -1;
        plan->changed[plan->changed_count++] = i;
        plan->agent_changed[i] = true;
    }
}

//  The plan of agent_of (a copy this solver made: every pair eligible).
static void s_plan_set (gap_solver_t *self, const int *agent_of)
{
    s_plan_clear (self);
    for (int32_t j = 0; j < self->n; j++)
        if (agent_of[j] >= 0)
            s_plan_move (self, j, s_find_pair (self, j, agent_of[j]));
}

//  Keeps the plan if it is valid and better than the best so far.
static void s_keep_if_best (gap_solver_t *self)
{
    if (self->plan.over_load == 0 && self->plan.over_jobs == 0
        && s_value_less (self->plan.value, self->best_value)) {
        self->best_value = self->plan.value;
        memcpy (self->best_plan, self->plan.agent_of, (size_t) self->n * sizeof (int));
    }
}

//  ---------------------------------------------------------------------------
//  Regret construction (Martello & Toth): an indexed max-heap of the jobs to
//  place by regret, the price the job pays if it misses its best feasible
//  option for the second best. When an agent fills up, only the jobs for which
//  it was the best or the second best option are looked at again.

static bool s_heap_above (gap_solver_t *self, int32_t a, int32_t b)
{
    return self->regret[a] != self->regret[b] ? self->regret[a] > self->regret[b] : a < b;
}

static void s_heap_place (gap_solver_t *self, int32_t at, int32_t job)
{
    self->heap[at] = job;
    self->heap_pos[job] = at;
}

static void s_heap_sift (gap_solver_t *self, int32_t at)
{
    int32_t job = self->heap[at];
    while (at > 0 && s_heap_above (self, job, self->heap[(at - 1) / 2])) {
        s_heap_place (self, at, self->heap[(at - 1) / 2]);
        at = (at - 1) / 2;
    }
    for (;;) {
        int32_t child = 2 * at + 1;
        if (child >= self->heap_count)
            break;
        if (child + 1 < self->heap_count
            && s_heap_above (self, self->heap[child + 1], self->heap[child]))
            child++;
        if (!s_heap_above (self, self->heap[child], job))
            break;
        s_heap_place (self, at, self->heap[child]);
        at = child;
    }
    s_heap_place (self, at, job);
}

static void s_heap_remove (gap_solver_t *self, int32_t job)
{
    int32_t at = self->heap_pos[job];
    self->heap_pos[job] = -1;
    int32_t last = self->heap[--self->heap_count];
    if (last != job) {
        s_heap_place (self, at, last);
        s_heap_sift (self, at);
    }
}

//  Finds job's best and second best feasible options by price, and its regret;
//  puts it in the heap, moves it there, or takes it out if it has no option.
static void s_rank (gap_solver_t *self, int32_t job)
{
    double best = INFINITY, second = INFINITY;
    int32_t choice = NO_CHOICE, second_agent = -1;
    if (self->penalty[job] != GAP_REQUIRED) {
        best = (double) self->penalty[job];
        choice = NO_PAIR;
    }
    for (int32_t k = self->first[job]; k < self->first[job + 1]; k++) {
        const gap_pair_t *pair = &self->pairs[k];
        if (!s_has_room (self, pair->agent, pair->load, 1))
            continue;
        if (self->price[k] < best) {
            second = best;
            second_agent = choice >= 0 ? self->pairs[choice].agent : -1;
            best = self->price[k];
            choice = k;
        } else if (self->price[k] < second) {
            second = self->price[k];
            second_agent = pair->agent;
        }
    }
    self->choice[job] = choice;
    self->second_agent[job] = second_agent;
    if (choice == NO_CHOICE) {
        if (self->heap_pos[job] >= 0)
            s_heap_remove (self, job);
        return;
    }
    self->regret[job] = second - best;
    if (self->heap_pos[job] < 0) {
        self->heap_pos[job] = self->heap_count;
        self->heap[self->heap_count++] = job;
    }
    s_heap_sift (self, self->heap_pos[job]);
}

//  After agent took a job: its pairs that no longer fit are passed, and the
//  jobs in the heap that counted on them are ranked again.
static void s_close_pairs (gap_solver_t *self, int32_t agent)
{
    if (self->cursor_stamp[agent] != self->stamp) {
        self->cursor_stamp[agent] = self->stamp;
        self->cursor[agent] = self->agent_first[agent];
    }
    bool full = self->limit[agent] != GAP_UNLIMITED && self->plan.jobs[agent] >= self->limit[agent];
    int32_t end = self->agent_first[agent + 1];
    while (self->cursor[agent] < end) {
        const gap_pair_t *pair = &self->pairs[self->by_agent[self->cursor[agent]]];
        if (!full && s_has_room (self, agent, pair->load, 0))
            break; //  lighter ones after it fit too
        self->cursor[agent]++;
        int32_t job = pair->job;
        if (self->heap_pos[job] < 0)
            continue;
        int32_t choice = self->choice[job];
        if ((choice >= 0 && self->pairs[choice].agent == agent) || self->second_agent[job] == agent)
            s_rank (self, job);
    }
}

//  Places the count unassigned jobs of to_place by regret, at self->price.
static void s_construct (gap_solver_t *self, int32_t count)
{
    if (++self->stamp == 0) { //  wrapped: no agent may look current by accident
        memset (self->cursor_stamp, 0, (size_t) self->m * sizeof (uint32_t));
        self->stamp = 1;
    }
    self->heap_count = 0;
    for (int32_t k = 0; k < count; k++)
        s_rank (self, self->to_place[k]);
    while (self->heap_count > 0) {
        int32_t job = self->heap[0];
        s_heap_remove (self, job);
        int32_t choice = self->choice[job];
        if (choice == NO_PAIR)
            continue; //  leaving it is cheapest
        s_plan_move (self, job, choice);
        s_close_pairs (self, self->pairs[choice].agent);
    }
}

//  Prices for the construction: cost plus the multipliers' price of the load
//  and the job, plus noise (0 for none) in units of the mean cost, for the
//  pairs of the jobs in to_place.
static void s_set_prices (gap_solver_t *self, const double *u, const double *v, double noise,
                          int32_t count)
{
    for (int32_t t = 0; t < count; t++) {
        int32_t job = self->to_place[t];
        for (int32_t k = self->first[job]; k < self->first[job + 1]; k++) {
            const gap_pair_t *pair = &self->pairs[k];
            double price
                = (double) pair->cost + u[pair->agent] * (double) pair->load + v[pair->agent];
            if (noise > 0)
                price += noise * self->mean_cost * (2 * s_uniform (self) - 1);
            self->price[k] = price;
        }
    }
}

//  ---------------------------------------------------------------------------
//  Local search: for each job in turn, the best of its moves that makes the
//  job itself better off (any improving swap or ejection has one such job, and
//  an improving one where it is the other job is a plain shift of that job):
//  a shift to a cheaper agent with room, or, if that agent is full, a swap with
//  one of its jobs or an ejection chain passing one of its jobs on elsewhere.

static void s_consider (s_move_t *best, int32_t job, int32_t pair, int32_t other,
                        int32_t other_pair, s_value_t delta)
{
    if (s_value_less (delta, best->delta))
        *best = (s_move_t){job, pair, other, other_pair, delta};
}

//  Into best, the moves that put job on the full agent of pair, taking out one
//  of its jobs, which goes to job's agent (a swap), elsewhere, or unassigned.
static void s_consider_ejections (gap_solver_t *self, int32_t job, int32_t pair, s_value_t gain,
                                  s_move_t *best)
{
    const s_plan_t *plan = &self->plan;
    int32_t from = plan->agent_of[job], into = self->pairs[pair].agent;
    int64_t load = self->pairs[pair].load;
    int64_t from_load = from >= 0 ? self->pairs[plan->pair_of[job]].load : 0;
    for (int32_t other = plan->head[into]; other >= 0; other = plan->next[other]) {
        const gap_pair_t *leaving = &self->pairs[plan->pair_of[other]];
        if (!s_has_room (self, into, load - leaving->load, 0))
            continue;
        s_value_t delta = s_value_minus (gain, s_option_value (self, other, plan->pair_of[other]));
        if (from >= 0) {
            int32_t back = s_find_pair (self, other, from);
            if (back != NO_PAIR && s_has_room (self, from, self->pairs[back].load - from_load, 0))
                s_consider (best, job, pair, other, back,
                            s_value_plus (delta, s_option_value (self, other, back)));
        }
        s_consider (best, job, pair, other, NO_PAIR,
                    s_value_plus (delta, s_option_value (self, other, NO_PAIR)));
        for (int32_t k = self->first[other]; k < self->first[other + 1]; k++) {
            const gap_pair_t *onward = &self->pairs[k];
            if (onward->agent == from || onward->agent == into
                || !s_has_room (self, onward->agent, onward->load, 1))
                continue;
            s_consider (best, job, pair, other, k,
                        s_value_plus (delta, s_option_value (self, other, k)));
        }
    }
}

//  Applies the best move that makes job better off, if one improves the plan:
//  the best shift to an agent with room, and ejections through the few full
//  agents that would suit job best (all of them would cost d x jobs per agent
//  x d per job, too much at dispatch's size).
static bool s_improve_job (gap_solver_t *self, int32_t job)
{
    const s_plan_t *plan = &self->plan;
    int32_t now = plan->pair_of[job];
    s_value_t value = s_option_value (self, job, now);
    s_move_t best = {job, now, -1, NO_PAIR, s_zero};
    if (now != NO_PAIR)
        s_consider (&best, job, NO_PAIR, -1, NO_PAIR,
                    s_value_minus (s_option_value (self, job, NO_PAIR), value));
    //  The full agents that would suit job best, best first.
    int32_t full[EJECTION_AGENTS];
    s_value_t full_gain[EJECTION_AGENTS];
    int full_count = 0;
    for (int32_t k = self->first[job]; k < self->first[job + 1]; k++) {
        if (k == now)
            continue;
        s_value_t gain = s_value_minus (s_option_value (self, job, k), value);
        if (!s_value_less (gain, s_zero))
            continue;
        if (s_has_room (self, self->pairs[k].agent, self->pairs[k].load, 1)) {
            s_consider (&best, job, k, -1, NO_PAIR, gain);
            continue;
        }
        int at = full_count < EJECTION_AGENTS ? full_count++ : EJECTION_AGENTS;
        while (at > 0 && s_value_less (gain, full_gain[at - 1])) {
            if (at < EJECTION_AGENTS) {
                full[at] = full[at - 1];
                full_gain[at] = full_gain[at - 1];
            }
            at--;
        }
        if (at < EJECTION_AGENTS) {
            full[at] = k;
            full_gain[at] = gain;
        }
    }
    for (int t = 0; t < full_count; t++)
        s_consider_ejections (self, job, full[t], full_gain[t], &best);
    if (!s_value_less (best.delta, s_zero))
        return false;
    if (best.other >= 0)
        s_plan_move (self, best.other, best.other_pair);
    s_plan_move (self, job, best.pair);
    return true;
}

//  Improves the plan until no job can be made better off, or time is up. Jobs
//  wait in a queue, which a move refills with the jobs that could go to an
//  agent it made room on (Bentley's "don't look bits"): at first every agent
//  counts as such; after a perturbation only the few it emptied.
static void s_local_search (gap_solver_t *self)
{
    s_plan_t *plan = &self->plan;
    int32_t head = 0, count = 0;
    for (;;) {
        while (plan->changed_count > 0) {
            int32_t agent = plan->changed[--plan->changed_count];
            plan->agent_changed[agent] = false;
            for (int32_t k = self->agent_first[agent]; k < self->agent_first[agent + 1]; k++) {
                int32_t job = self->pairs[self->by_agent[k]].job;
                if (!self->queued[job]) {
                    self->queued[job] = true;
                    self->queue[(head + count++) % self->n] = job;
                }
            }
        }
        if (count == 0 || s_out_of_time (self))
            break;
        int32_t job = self->queue[head];
        head = head + 1 < self->n ? head + 1 : 0;
        count--;
        self->queued[job] = false;
        s_improve_job (self, job);
    }
    for (; count > 0; count--, head = head + 1 < self->n ? head + 1 : 0)
        self->queued[self->queue[head]] = false;
}

//  A whole plan from prices u, v: construct, search, keep if best.
static void s_plan_from_prices (gap_solver_t *self, const double *u, const double *v)
{
    s_plan_clear (self);
    for (int32_t j = 0; j < self->n; j++)
        self->to_place[j] = j;
    s_set_prices (self, u, v, 0, self->n);
    s_construct (self, self->n);
    s_local_search (self);
    s_keep_if_best (self);
}

//  ---------------------------------------------------------------------------
//  Lagrangian relaxation of capacities (u >= 0) and job limits (v >= 0):
//  L(u, v) = sum over jobs of min(penalty, min over pairs of cost + u load + v)
//            - sum over agents of u capacity + v limit,
//  a lower bound on the cost of every plan that assigns every required job
//  with an eligible pair (required jobs without one add nothing).

//  L at u, v, and its subgradient (load and jobs over capacity and limit).
static double s_relaxation (gap_solver_t *self, const double *u, const double *v)
{
    double value = 0;
    memset (self->gradient_u, 0, (size_t) self->m * sizeof (double));
    memset (self->gradient_v, 0, (size_t) self->m * sizeof (double));
    for (int32_t j = 0; j < self->n; j++) {
        double best = self->penalty[j] == GAP_REQUIRED ? INFINITY : (double) self->penalty[j];
        int32_t choice = NO_PAIR;
        for (int32_t k = self->first[j]; k < self->first[j + 1]; k++) {
            const gap_pair_t *pair = &self->pairs[k];
            double price
                = (double) pair->cost + u[pair->agent] * (double) pair->load + v[pair->agent];
            if (price < best) {
                best = price;
                choice = k;
            }
        }
        if (best == INFINITY)
            continue; //  required, no eligible pair
        value += best;
        if (choice != NO_PAIR) {
            self->gradient_u[self->pairs[choice].agent] += (double) self->pairs[choice].load;
            self->gradient_v[self->pairs[choice].agent] += 1;
        }
    }
    for (int32_t i = 0; i < self->m; i++) {
        if (self->capacity[i] == GAP_UNLIMITED)
            self->gradient_u[i] = 0;
        else {
            value -= u[i] * (double) self->capacity[i];
            self->gradient_u[i] -= (double) self->capacity[i];
        }
        if (self->limit[i] == GAP_UNLIMITED)
            self->gradient_v[i] = 0;
        else {
            value -= v[i] * (double) self->limit[i];
            self->gradient_v[i] -= (double) self->limit[i];
        }
        //  Projected: a multiplier at 0 that the gradient would push below stays.
        if (u[i] <= 0 && self->gradient_u[i] < 0)
            self->gradient_u[i] = 0;
        if (v[i] <= 0 && self->gradient_v[i] < 0)
            self->gradient_v[i] = 0;
    }
    return value;
}

//  Whether the best plan is one the bound speaks of (every required job with an
//  eligible pair assigned).
static bool s_bound_applies (gap_solver_t *self)
{
    return self->best_value.missing == self->unplaceable;
}

//  Costs are integers, so the bound rounds up, less a margin for the rounding
//  of the sum of doubles it is.
static int64_t s_integer_bound (gap_solver_t *self)
{
    return (int64_t) ceil (self->bound - 1e-9 * (1 + fabs (self->bound)));
}

static bool s_proven_optimal (gap_solver_t *self)
{
    return s_bound_applies (self) && self->bound > -INFINITY
           && self->best_value.cost <= s_integer_bound (self);
}

//  Subgradient optimisation with Polyak's step towards the best plan's cost,
//  halved when the bound stalls; a plan from the prices every few steps.
static void s_lagrangian (gap_solver_t *self)
{
    size_t m = (size_t) self->m;
    memset (self->u, 0, m * sizeof (double));
    memset (self->v, 0, m * sizeof (double));
    memset (self->best_u, 0, m * sizeof (double));
    memset (self->best_v, 0, m * sizeof (double));
    int64_t visits = (int64_t) self->pair_count + self->n + self->m;
    int64_t steps = LAGRANGIAN_PAIR_VISITS / (visits ? visits : 1);
    steps = steps < LAGRANGIAN_STEPS_MIN   ? LAGRANGIAN_STEPS_MIN
            : steps > LAGRANGIAN_STEPS_MAX ? LAGRANGIAN_STEPS_MAX
                                           : steps;
    int64_t plans = LAGRANGIAN_PLAN_PAIR_VISITS / (self->pair_count ? self->pair_count : 1);
    int64_t plan_every = plans > 0 ? steps / plans : steps;
    if (plan_every < LAGRANGIAN_PLAN_EVERY)
        plan_every = LAGRANGIAN_PLAN_EVERY;
    double step_scale = 2;
    int stall = 0;
    for (int64_t step = 0; step < steps && !s_out_of_time (self); step++) {
        double value = s_relaxation (self, self->u, self->v);
        self->result.lagrangian_steps++;
        if (value > self->bound) {
            self->bound = value;
            memcpy (self->best_u, self->u, m * sizeof (double));
            memcpy (self->best_v, self->v, m * sizeof (double));
            stall = 0;
        } else if (++stall >= LAGRANGIAN_STALL) {
            step_scale /= 2;
            stall = 0;
        }
        if (step > 0 && step % plan_every == 0) {
            s_plan_from_prices (self, self->u, self->v);
            if (s_out_of_time (self))
                break;
        }
        if (s_proven_optimal (self) || step_scale < 1e-3)
            break;
        double norm = 0;
        for (size_t i = 0; i < m; i++)
            norm += self->gradient_u[i] * self->gradient_u[i]
                    + self->gradient_v[i] * self->gradient_v[i];
        if (norm == 0)
            break; //  the relaxed plan keeps every capacity: the bound is as good as it gets
        double target = s_bound_applies (self) ? (double) self->best_value.cost
                                               : value + 0.05 * fabs (value) + 1;
        double gap = target - value;
        if (gap <= 0)
            gap = 0.01 * (fabs (value) + 1);
        double length = step_scale * gap / norm;
        for (size_t i = 0; i < m; i++) {
            self->u[i] = fmax (0, self->u[i] + length * self->gradient_u[i]);
            self->v[i] = fmax (0, self->v[i] + length * self->gradient_v[i]);
        }
    }
    //  One more plan from the best prices.
    if (!s_out_of_time (self) && !s_proven_optimal (self))
        s_plan_from_prices (self, self->best_u, self->best_v);
}

//  ---------------------------------------------------------------------------
//  Tabu search through infeasible plans (Diaz & Fernandez 2001, "A tabu search
//  heuristic for the generalized assignment problem", European J. of
//  Operational Research 132): each iteration makes the best shift or swap that
//  is not tabu, measured by cost plus alpha x the load above capacity plus
//  beta x the jobs above limit; alpha and beta grow while the plan is
//  infeasible and shrink while it is feasible, so that the search oscillates
//  about the boundary, where the optima of tight problems lie. A job may not
//  go back to the agent it left for a few iterations, unless that makes a new
//  best plan. Each iteration looks at every shift and swap: O(p + n^2 / m log d).

typedef struct {
    int32_t job, pair, other, other_pair;
    double delta; //  of the penalised cost
} s_tabu_move_t;

typedef struct {
    double alpha, beta;   //  price of a unit of load above capacity, of a job above limit
    double missing_price; //  of a required job unassigned: above any cost it could have
    int64_t iteration;
} s_tabu_t;

//  The penalty change of adding load and jobs to agent; *over gets the change
//  of load and jobs above capacity and limit.
static inline double s_penalty_change (gap_solver_t *self, const s_tabu_t *tabu, int32_t agent,
                                       int64_t load, int64_t jobs, int64_t *over)
{
    const s_plan_t *plan = &self->plan;
    int64_t over_load = s_over_load (self, agent, plan->load[agent] + load)
                        - s_over_load (self, agent, plan->load[agent]);
    int64_t over_jobs = s_over_jobs (self, agent, plan->jobs[agent] + jobs)
                        - s_over_jobs (self, agent, plan->jobs[agent]);
    *over += over_load + over_jobs;
    return tabu->alpha * (double) over_load + tabu->beta * (double) over_jobs;
}

//  Takes move into best if it is better and allowed: not tabu, or tabu but
//  leading to a valid plan better than the best.
static void s_tabu_consider (gap_solver_t *self, s_tabu_move_t *best, s_tabu_move_t move,
                             bool is_tabu, int64_t over, s_value_t change)
{
    if (!(move.delta < best->delta))
        return;
    if (is_tabu) {
        const s_plan_t *plan = &self->plan;
        if (plan->over_load + plan->over_jobs + over != 0
            || !s_value_less (s_value_plus (plan->value, change), self->best_value))
            return;
    }
    *best = move;
}

//  The penalised cost of a change of value: a required job left unassigned
//  counts as the tabu search's missing_price.
static double s_tabu_cost (const s_tabu_t *tabu, s_value_t change)
{
    return (double) change.cost + tabu->missing_price * (double) change.missing;
}

//  Into best, the best allowed shift of job: to another pair, or unassigned.
static void s_tabu_shifts (gap_solver_t *self, const s_tabu_t *tabu, int32_t job,
                           s_tabu_move_t *best)
{
    const s_plan_t *plan = &self->plan;
    int32_t now = plan->pair_of[job];
    s_value_t now_value = s_option_value (self, job, now);
    int64_t over_leaving = 0;
    double leaving = now == NO_PAIR ? 0
                                    : s_penalty_change (self, tabu, self->pairs[now].agent,
                                                        -self->pairs[now].load, -1, &over_leaving);
    for (int32_t k = self->first[job]; k <= self->first[job + 1]; k++) {
        int32_t pair = k < self->first[job + 1] ? k : NO_PAIR;
        if (pair == now)
            continue;
        int64_t over = over_leaving;
        double penalty = leaving;
        if (pair != NO_PAIR)
            penalty += s_penalty_change (self, tabu, self->pairs[pair].agent,
                                         self->pairs[pair].load, 1, &over);
        s_value_t change = s_value_minus (s_option_value (self, job, pair), now_value);
        bool is_tabu = pair != NO_PAIR && self->tabu_until[pair] > tabu->iteration;
        s_tabu_consider (
            self, best,
            (s_tabu_move_t){job, pair, -1, NO_PAIR, s_tabu_cost (tabu, change) + penalty}, is_tabu,
            over, change);
    }
}

//  Into best, the best allowed swap of job with another: if job is assigned,
//  with a job of a higher number on another agent; if not, with any job of an
//  agent it may go to, which is left unassigned in its place.
static void s_tabu_swaps (gap_solver_t *self, const s_tabu_t *tabu, int32_t job,
                          s_tabu_move_t *best)
{
    const s_plan_t *plan = &self->plan;
    int32_t now = plan->pair_of[job];
    int32_t from = now == NO_PAIR ? -1 : self->pairs[now].agent;
    s_value_t job_now = s_option_value (self, job, now);
    for (int32_t pair = self->first[job]; pair < self->first[job + 1]; pair++) {
        int32_t into = self->pairs[pair].agent;
        if (into == from)
            continue;
        s_value_t job_change = s_value_minus (s_option_value (self, job, pair), job_now);
        for (int32_t other = plan->head[into]; other >= 0; other = plan->next[other]) {
            if (from >= 0 && other < job)
                continue; //  found from the other side
            int32_t back = from >= 0 ? s_find_pair (self, other, from) : NO_PAIR;
            if (from >= 0 && back == NO_PAIR)
                continue;
            int32_t other_now = plan->pair_of[other];
            int64_t over = 0;
            double penalty = s_penalty_change (
                self, tabu, into, self->pairs[pair].load - self->pairs[other_now].load, 0, &over);
            if (from >= 0)
                penalty += s_penalty_change (
                    self, tabu, from, self->pairs[back].load - self->pairs[now].load, 0, &over);
            s_value_t change = s_value_plus (
                job_change, s_value_minus (s_option_value (self, other, back),
                                           s_option_value (self, other, other_now)));
            bool is_tabu = self->tabu_until[pair] > tabu->iteration
                           || (back != NO_PAIR && self->tabu_until[back] > tabu->iteration);
            s_tabu_consider (
                self, best,
                (s_tabu_move_t){job, pair, other, back, s_tabu_cost (tabu, change) + penalty},
                is_tabu, over, change);
        }
    }
}

//  Whether one iteration (every shift and swap) is cheap enough for the tabu search.
static bool s_tabu_fits (gap_solver_t *self)
{
    double swaps = (double) self->pair_count * (double) self->n / (2.0 * (self->m ? self->m : 1));
    return (double) self->pair_count + swaps <= TABU_MOVES_MAX;
}

//  Makes the best allowed move of the whole neighbourhood. Returns false if
//  there is none.
static bool s_tabu_step (gap_solver_t *self, s_tabu_t *tabu, int64_t tenure_min,
                         int64_t tenure_spread)
{
    s_plan_t *plan = &self->plan;
    s_tabu_move_t best = {-1, NO_PAIR, -1, NO_PAIR, INFINITY};
    for (int32_t j = 0; j < self->n; j++) {
        if (self->first[j] == self->first[j + 1])
            continue; //  no pair: nothing to move to
        s_tabu_shifts (self, tabu, j, &best);
        s_tabu_swaps (self, tabu, j, &best);
    }
    if (best.job < 0)
        return false;
    int64_t until
        = tabu->iteration + tenure_min + (int64_t) (s_random (self) % (uint64_t) tenure_spread);
    if (plan->pair_of[best.job] != NO_PAIR)
        self->tabu_until[plan->pair_of[best.job]] = until;
    if (best.other >= 0) {
        self->tabu_until[plan->pair_of[best.other]] = until;
        s_plan_move (self, best.other, best.other_pair);
    }
    s_plan_move (self, best.job, best.pair);
    return true;
}

static void s_tabu_search (gap_solver_t *self, int64_t iterations)
{
    s_plan_t *plan = &self->plan;
    //  Every required job that has a pair is placed, over capacity if need be.
    for (int32_t j = 0; j < self->n; j++)
        if (plan->pair_of[j] == NO_PAIR && self->penalty[j] == GAP_REQUIRED
            && self->first[j] < self->first[j + 1]) {
            int32_t cheapest = self->first[j];
            for (int32_t k = cheapest + 1; k < self->first[j + 1]; k++)
                if (self->pairs[k].cost < self->pairs[cheapest].cost)
                    cheapest = k;
            s_plan_move (self, j, cheapest);
        }
    memset (self->tabu_until, 0, (size_t) self->pair_count * sizeof (int64_t));
    //  The exchange rate of cost and load over the pairs is where alpha starts.
    const double alpha = self->mean_cost / self->mean_load, beta = self->mean_cost;
    s_tabu_t tabu = {alpha, beta, 2 * self->max_cost + self->mean_cost, 0};
    int64_t tenure_min = TABU_TENURE_MIN + self->n / 40,
            tenure_spread = TABU_TENURE_SPREAD + self->n / 20;
    for (; (iterations <= 0 || tabu.iteration < iterations) && !s_out_of_time (self)
           && !s_proven_optimal (self);
         tabu.iteration++) {
        if (!s_tabu_step (self, &tabu, tenure_min, tenure_spread))
            break;
        s_keep_if_best (self);
        double factor = plan->over_load == 0 && plan->over_jobs == 0 ? 1 / TABU_PENALTY_STEP
                                                                     : TABU_PENALTY_STEP;
        tabu.alpha = fmin (alpha * TABU_PENALTY_RANGE,
                           fmax (alpha / TABU_PENALTY_RANGE, tabu.alpha * factor));
        tabu.beta = fmin (beta * TABU_PENALTY_RANGE,
                          fmax (beta / TABU_PENALTY_RANGE, tabu.beta * factor));
    }
    self->result.iterations = tabu.iteration;
}

//  ---------------------------------------------------------------------------
//  Iterated local search: a round takes out the jobs of two random agents, or
//  a few random jobs, places them again (with every unassigned job) by regret
//  at noisy prices, and searches; a plan much worse than the one before is
//  dropped.

static int32_t s_perturb (gap_solver_t *self)
{
    s_plan_t *plan = &self->plan;
    int32_t count = 0;
    if (self->m >= 2 && s_random (self) % 2 == 0) {
        for (int t = 0; t < PERTURB_AGENTS; t++) {
            int32_t agent = (int32_t) (s_random (self) % (uint64_t) self->m);
            while (plan->head[agent] >= 0) {
                int32_t job = plan->head[agent];
                s_plan_move (self, job, NO_PAIR);
            }
        }
    } else {
        int32_t most = self->n / 5 > PERTURB_JOBS ? PERTURB_JOBS : self->n / 5 + 1;
        int32_t take = 2 + (int32_t) (s_random (self) % (uint64_t) most);
        for (int32_t t = 0; t < take; t++) {
            int32_t job = (int32_t) (s_random (self) % (uint64_t) self->n);
            if (plan->pair_of[job] != NO_PAIR)
                s_plan_move (self, job, NO_PAIR);
        }
    }
    for (int32_t j = 0; j < self->n; j++)
        if (plan->pair_of[j] == NO_PAIR)
            self->to_place[count++] = j;
    return count;
}

static void s_iterated_search (gap_solver_t *self, int64_t rounds)
{
    int64_t since_best = 0;
    for (int64_t round = 0;
         (rounds <= 0 || round < rounds) && !s_out_of_time (self) && !s_proven_optimal (self);
         round++) {
        s_value_t before = self->plan.value;
        memcpy (self->saved_plan, self->plan.agent_of, (size_t) self->n * sizeof (int));
        int32_t count = s_perturb (self);
        s_set_prices (self, self->best_u, self->best_v, PERTURB_NOISE, count);
        s_construct (self, count);
        s_local_search (self);
        self->result.iterations++;
        s_value_t best = self->best_value;
        s_keep_if_best (self);
        since_best = s_value_less (self->best_value, best) ? 0 : since_best + 1;
        s_value_t value = self->plan.value;
        bool keep = !s_value_less (before, value)
                    || (value.missing == before.missing
                        && (double) (value.cost - self->best_value.cost)
                               <= ACCEPT_WORSE * fabs ((double) self->best_value.cost));
        if (since_best >= RESTART_AFTER) {
            s_plan_set (self, self->best_plan);
            since_best = 0;
        } else if (!keep)
            s_plan_set (self, self->saved_plan);
    }
}

const gap_result_t *gap_solver_solve (gap_solver_t *self, const gap_limits_t *limits)
{
    int64_t started_us = s_now_us ();
    memset (&self->result, 0, sizeof self->result);
    self->deadline_us = limits->time_limit_ms > 0 ? started_us + limits->time_limit_ms * 1000 : 0;
    self->work_limit = limits->work_limit > 0 ? limits->work_limit : 0;
    self->random = limits->seed;
    self->bound = -INFINITY;
    for (int32_t j = 0; j < self->n; j++) {
        self->heap_pos[j] = -1;
        self->best_plan[j] = -1;
    }
    //  The first plan, by plain costs (no prices yet), so that there is always one.
    memset (self->u, 0, (size_t) self->m * sizeof (double));
    memset (self->v, 0, (size_t) self->m * sizeof (double));
    s_plan_clear (self);
    self->best_value = self->plan.value;
    s_plan_from_prices (self, self->u, self->v);
    s_lagrangian (self);
    s_plan_set (self, self->best_plan);
    int64_t iterations = limits->iterations > 0 || limits->time_limit_ms > 0 || self->work_limit
                             ? limits->iterations
                             : GAP_DEFAULT_ITERATIONS;
    if (s_tabu_fits (self)) {
        self->result.method = GAP_METHOD_TABU;
        s_tabu_search (self, iterations);
    } else {
        self->result.method = GAP_METHOD_ITERATED;
        s_iterated_search (self, iterations);
    }

    gap_result_t *result = &self->result;
    result->cost = self->best_value.cost;
    result->required_unassigned = (size_t) self->best_value.missing;
    for (int32_t j = 0; j < self->n; j++)
        result->unassigned += self->best_plan[j] < 0;
    if (s_bound_applies (self) && self->bound > -INFINITY) {
        result->has_lower_bound = true;
        result->lower_bound = s_integer_bound (self);
        result->optimal = result->lower_bound == result->cost;
    }
    result->elapsed_ms = (double) (s_now_us () - started_us) / 1000;
    return result;
}

const int *gap_solver_plan (gap_solver_t *self)
{
    return self->best_plan;
}
