/*  routing_policy - who should handle a case: pure.

    The team (team.c) gathers the active handlers with their level, whether
    they cover the case's category and how many open cases they have; this
    module picks one. A case goes to the least-loaded handler at its level:
    at agent level only an agent who covers its category; without one, a
    supervisor (one who covers it first), then a manager. An escalated case
    starts the search at its new level. Ties go to the smallest id, so the
    choice is stable.
*/
#ifndef ROUTING_POLICY_H_INCLUDED
#define ROUTING_POLICY_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *id;      //  borrowed
    const char *level;   //  "agent", "supervisor" or "manager"
    bool covers;         //  the handler covers the case's category
    int64_t load;        //  open cases now
} routing_candidate_t;

//  The rank of a level: agent 0, supervisor 1, manager 2; -1 for another text.
int routing_level_rank (const char *level);

//  The level of a rank, or NULL outside 0-2. Static text.
const char *routing_level_name (int rank);

//  The index of the handler a case should go to, searching from min_rank
//  up, or -1 if nobody fits. Cannot fail.
int routing_choose (const routing_candidate_t *candidates, size_t count, int min_rank);

#endif
