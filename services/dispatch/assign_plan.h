/*  assign_plan - every waiting order and every eligible technician at once.

    Pure: no store, no clock of its own. dispatch_run gathers the orders and
    the technicians (roster) and this module turns them into a generalized
    assignment problem (gap_problem.h) and solves it (gap_solver.h), or, for
    comparison, places the orders one at a time by assign_policy_choose.

    A technician is an agent with a capacity (minutes left in the shift less
    the work of their open jobs; none without working hours) and a job limit
    (max_jobs less open jobs). An order is a required job: plans are compared
    first by how many orders they leave waiting, then by cost. An eligible
    pair (skill at the level, on shift, room, the customer's window reachable)
    has a load and a cost:
      travel    from the technician's home base to the order, from a supplied
                matrix if it has the pair, else great-circle distance at the
                configured speed (0 if either has no location);
      duration  the type's typical duration x the factor of the technician's
                level in the skill (faster experts);
      load      travel + duration (minutes);
      cost      weight_travel x travel + weight_lateness x expected lateness
                (against the due time and the window's end) + the labour
                (hourly cost x duration, x weight_labour %) + weight_overqualified
                x levels above the need.
    Expected finish: now + the technician's queued work + travel + any wait
    for the window to open + duration. Deterministic for the same input
    (gap_solver: a limit on units of work and rounds, the time limit only a
    guard that a slow machine may reach first).
*/
#ifndef ASSIGN_PLAN_H_INCLUDED
#define ASSIGN_PLAN_H_INCLUDED

#include "assign_policy.h"
#include "gap_problem.h"

typedef struct {
    int64_t travel_kmh;            //  DISPATCH_TRAVEL_KMH
    int64_t level_percent[6];      //  duration % by level; [0] for orders needing no skill
    int64_t weight_travel;         //  cents per minute travelled
    int64_t weight_lateness;       //  cents per minute late
    int64_t weight_labour;         //  % of the labour cost
    int64_t weight_overqualified;  //  cents per level above the need
    int64_t plan_work;             //  the optimiser's bound: units of work (gap_solver.h)
    int64_t plan_rounds;           //  its rounds after the Lagrangian phase, at most
    int64_t plan_ms;               //  a guard on its time, should the work take longer
} assign_settings_t;

typedef struct {
    const char *id;  //  borrowed
    bool on_shift;
    int64_t shift_left_min;  //  minutes to the end of the shift; < 0: no end
    int64_t queued_min;      //  work of the open jobs
    int64_t open_jobs, max_jobs;
    int64_t hourly_cost_cents;
    bool has_home;
    int64_t lat_e6, lon_e6;
} assign_technician_t;

typedef struct {
    int64_t due_ms;
    int64_t job_s;       //  assign_policy_job_seconds of its type
    int required_level;  //  0 when no skill is needed
    bool has_window;
    int64_t window_start_ms, window_end_ms;
    bool has_location;
    int64_t lat_e6, lon_e6;
} assign_order_t;

//  Why an order is left waiting.
typedef enum {
    ASSIGN_PLACED = 0,
    ASSIGN_NO_SKILL,       //  nobody of the region has the skill at the level
    ASSIGN_OFF_SHIFT,      //  all who have are off shift
    ASSIGN_AT_LIMIT,       //  those on shift have no room (jobs or time), or the plan gave it away
    ASSIGN_OUTSIDE_WINDOW  //  those with room cannot do it within the window
} assign_wait_t;

//  The reply's name of a reason ("no_skill", ...).
const char *assign_wait_name (assign_wait_t reason);

typedef struct _assign_plan_t assign_plan_t;

//  A plan over technicians (borrowed, count) for order_count orders, at now_ms.
//  Returns NULL if memory runs out.
assign_plan_t *assign_plan_new (const assign_settings_t *settings, int64_t now_ms,
                                const assign_technician_t *technicians, size_t count,
                                size_t order_count);

//  Nulls *self_p. Safe twice.
void assign_plan_destroy (assign_plan_t **self_p);

//  Order number order (0 .. order_count - 1, earliest due first for the greedy
//  policy) with the technicians of its region who have its skill (indexes and
//  levels; every technician of the region with level 0 when it needs none) and
//  the supplied travel minutes of each (NULL, or < 0 for an estimate).
//  Returns 0, or -1 if memory runs out.
int assign_plan_add_order (assign_plan_t *self, size_t order, const assign_order_t *facts,
                           const size_t *candidates, const int *levels, const int64_t *travel_min,
                           size_t count);

typedef struct {
    int64_t cost;
    bool has_lower_bound;
    int64_t lower_bound;
    size_t pairs;
    double solve_ms;
    int64_t work;
    bool stopped_by_time;  //  the guard, not the work, ended it: the plan may vary
} assign_result_t;

//  Solves, by the optimiser or (greedy) the former policy: technician_of[order]
//  is a technician's index or -1, reason_of[order] why it waits (ASSIGN_PLACED
//  if not). Returns 0, or -1 if memory runs out.
int assign_plan_solve (assign_plan_t *self, bool greedy, int *technician_of,
                       assign_wait_t *reason_of, assign_result_t *result);

//  The problem as built (for the benchmark's and the tests' checks). Borrowed.
gap_problem_t *assign_plan_problem (assign_plan_t *self);

#endif
