/*  routing_policy - who should handle a case. See routing_policy.h. */
#include "routing_policy.h"

#include <string.h>

static const char *const s_levels[] = {"agent", "supervisor", "manager"};
#define LEVELS 3

int routing_level_rank (const char *level)
{
    for (int rank = 0; level && rank < LEVELS; rank++)
        if (strcmp (level, s_levels[rank]) == 0)
            return rank;
    return -1;
}

const char *routing_level_name (int rank)
{
    return rank >= 0 && rank < LEVELS ? s_levels[rank] : NULL;
}

//  The least loaded of rank (covering the category if asked), smallest id on a tie.
static int s_best (const routing_candidate_t *candidates, size_t count, int rank,
                   bool must_cover)
{
    int best = -1;
    for (size_t i = 0; i < count; i++) {
        const routing_candidate_t *candidate = &candidates[i];
        if (routing_level_rank (candidate->level) != rank || (must_cover && !candidate->covers))
            continue;
        if (best < 0 || candidate->load < candidates[best].load
            || (candidate->load == candidates[best].load
                && strcmp (candidate->id, candidates[best].id) < 0))
            best = (int) i;
    }
    return best;
}

int routing_choose (const routing_candidate_t *candidates, size_t count, int min_rank)
{
    for (int rank = min_rank < 0 ? 0 : min_rank; rank < LEVELS; rank++) {
        int best = s_best (candidates, count, rank, true);
        //  An agent handles only what they cover; above, anyone may take it.
        if (best < 0 && rank > 0)
            best = s_best (candidates, count, rank, false);
        if (best >= 0)
            return best;
    }
    return -1;
}
