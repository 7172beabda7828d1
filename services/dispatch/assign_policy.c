/*  assign_policy - which eligible technician should take an order. See assign_policy.h. */
#include "assign_policy.h"

#include <string.h>

int64_t assign_policy_job_seconds (const char *type)
{
    static const struct {
        const char *type;
        int64_t seconds;
    } typical[] = {{"repair", 7200},     {"maintenance", 5400}, {"installation", 10800},
                   {"upgrade", 3600},    {"inspection", 3600},  {"consulting", 3600}};
    for (size_t i = 0; type && i < sizeof typical / sizeof typical[0]; i++)
        if (strcmp (type, typical[i].type) == 0)
            return typical[i].seconds;
    return 7200;
}

//  Negative if a ranks before b for job.
static int s_compare (const assign_job_t *job, const assign_candidate_t *a,
                      const assign_candidate_t *b)
{
    int64_t finish_a = job->now_ms + (a->load + 1) * job->job_s * 1000;
    int64_t finish_b = job->now_ms + (b->load + 1) * job->job_s * 1000;
    int64_t late_a = finish_a > job->due_ms ? finish_a - job->due_ms : 0;
    int64_t late_b = finish_b > job->due_ms ? finish_b - job->due_ms : 0;
    if (late_a != late_b)
        return late_a < late_b ? -1 : 1;
    //  Utilisation compared without division: a.load / a.max vs b.load / b.max.
    int64_t use_a = (int64_t) a->load * b->max_jobs, use_b = (int64_t) b->load * a->max_jobs;
    if (use_a != use_b)
        return use_a < use_b ? -1 : 1;
    if (a->level != b->level)
        return a->level < b->level ? -1 : 1;
    return strcmp (a->id, b->id);
}

int assign_policy_choose (const assign_job_t *job, const assign_candidate_t *candidates,
                          size_t count, assign_refusals_t *refusals)
{
    int best = -1;
    for (size_t i = 0; i < count; i++) {
        const assign_candidate_t *candidate = &candidates[i];
        if (candidate->level < job->required_level) {
            if (refusals)
                refusals->under_level++;
            continue;
        }
        if (candidate->load >= candidate->max_jobs) {
            if (refusals)
                refusals->at_limit++;
            continue;
        }
        if (!candidate->on_shift) {
            if (refusals)
                refusals->off_shift++;
            continue;
        }
        if (best < 0 || s_compare (job, candidate, &candidates[best]) < 0)
            best = (int) i;
    }
    return best;
}
