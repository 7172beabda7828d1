/*  roster - the technicians who could take an order now, with their load.

    Reads the store: active technicians of a region, their level in a skill,
    their open jobs, and whether they are on shift at the call's time. The
    result feeds assign_policy.
*/
#ifndef ROSTER_H_INCLUDED
#define ROSTER_H_INCLUDED

#include "assign_plan.h"
#include "dispatch.h"

typedef struct _roster_t roster_t;

//  Loads the active technicians of region with their skills, for one order.
//  Returns NULL with the call failed on a database error.
roster_t *roster_of_region (shr_call_t *call, const char *region);

//  Loads every active technician with all their skills, for dispatch.run.
//  Returns NULL with the call failed on a database error.
roster_t *roster_all (shr_call_t *call);

//  Nulls *self_p. Safe twice.
void roster_destroy (roster_t **self_p);

//  The candidates for region and skill (NULL or "" for any), as an array the
//  roster owns, valid until the next call; *count is set.
const assign_candidate_t *roster_candidates (roster_t *self, const char *region,
                                             const char *skill, size_t *count);

//  Every technician loaded, as assign_plan takes them; *count is set. Owned
//  by the roster.
const assign_technician_t *roster_technicians (roster_t *self, size_t *count);

//  The technicians of region with skill (NULL or "" for any): indexes into
//  roster_technicians and their levels in it (0 for any); *count is set.
//  Owned by the roster.
const size_t *roster_members (roster_t *self, const char *region, const char *skill,
                              const int **levels, size_t *count);


#endif
