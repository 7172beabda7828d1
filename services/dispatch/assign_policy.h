/*  assign_policy - which eligible technician should take an order.

    Pure functions: no store, no clock of their own; the roster gathers the
    candidates and this module ranks them. A later optimiser replaces this file
    and keeps its interface.

    Eligible: skill at the needed level, under the job limit, on shift (the
    roster already kept only active technicians of the order's region).
    Among them, the one that minimises the order's expected lateness; on a tie
    the least loaded (open jobs / limit), then the least over-qualified (keeps
    experts free for hard jobs), then the smallest id, so the choice is stable.
    Expected finish: now + (open jobs + 1) x the typical duration of the order's type.
*/
#ifndef ASSIGN_POLICY_H_INCLUDED
#define ASSIGN_POLICY_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *id;     //  borrowed
    int level;          //  level in the order's skill; 0 without it
    int load;           //  open jobs now
    int max_jobs;
    bool on_shift;
} assign_candidate_t;

typedef struct {
    int64_t now_ms;
    int64_t due_ms;
    int64_t job_s;          //  assign_policy_job_seconds of its type
    int required_level;     //  0 when the order needs no particular skill
} assign_job_t;

//  Why candidates were passed over, for an error that helps the dispatcher.
typedef struct {
    int off_shift;
    int at_limit;
    int under_level;
} assign_refusals_t;

//  The typical duration of a job of type (seconds). Unknown types: two hours.
int64_t assign_policy_job_seconds (const char *type);

//  The index of the best candidate, or -1 if none is eligible (refusals, if not
//  NULL, counts why). Cannot fail.
int assign_policy_choose (const assign_job_t *job, const assign_candidate_t *candidates,
                          size_t count, assign_refusals_t *refusals);

#endif
