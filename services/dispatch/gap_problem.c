/*  gap_problem - an instance of the generalized assignment problem. See gap_problem.h.

    Pairs are appended as they come and sorted by (job, agent) on the first
    read after an add, once: O(p log p) for p pairs. Then a job's pairs are a
    slice of one array (job_start), and a pair is found by binary search.
*/
#include "gap_problem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int64_t capacity;
    int64_t job_limit;
} s_agent_t;

struct _gap_problem_t {
    size_t agent_count, job_count;
    s_agent_t *agents;
    int64_t *penalties; //  per job
    gap_pair_t *pairs;
    size_t pair_count, pair_size;
    size_t *job_start; //  job_count + 1 offsets into pairs, once sorted
    bool sorted;
};

gap_problem_t *gap_problem_new (size_t agent_count, size_t job_count)
{
    if (agent_count > INT32_MAX || job_count > INT32_MAX)
        return NULL;
    gap_problem_t *self = (gap_problem_t *) calloc (1, sizeof (gap_problem_t));
    if (!self)
        return NULL;
    self->agent_count = agent_count;
    self->job_count = job_count;
    self->agents = (s_agent_t *) malloc ((agent_count + 1) * sizeof (s_agent_t));
    self->penalties = (int64_t *) malloc ((job_count + 1) * sizeof (int64_t));
    self->job_start = (size_t *) calloc (job_count + 1, sizeof (size_t));
    if (!self->agents || !self->penalties || !self->job_start) {
        gap_problem_destroy (&self);
        return NULL;
    }
    for (size_t i = 0; i < agent_count; i++)
        self->agents[i] = (s_agent_t){GAP_UNLIMITED, GAP_UNLIMITED};
    for (size_t j = 0; j < job_count; j++)
        self->penalties[j] = GAP_REQUIRED;
    self->sorted = true;
    return self;
}

void gap_problem_destroy (gap_problem_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    gap_problem_t *self = *self_p;
    free (self->agents);
    free (self->penalties);
    free (self->pairs);
    free (self->job_start);
    free (self);
    *self_p = NULL;
}

static bool s_in_range (int64_t value, int64_t low)
{
    return value == GAP_UNLIMITED || (value >= low && value <= GAP_VALUE_MAX);
}

int gap_problem_set_agent (gap_problem_t *self, size_t agent, int64_t capacity, int64_t job_limit)
{
    if (agent >= self->agent_count || !s_in_range (capacity, 0) || !s_in_range (job_limit, 0))
        return -1;
    self->agents[agent] = (s_agent_t){capacity, job_limit};
    return 0;
}

int gap_problem_set_penalty (gap_problem_t *self, size_t job, int64_t penalty)
{
    if (job >= self->job_count || !s_in_range (penalty, 0))
        return -1;
    self->penalties[job] = penalty;
    return 0;
}

int gap_problem_add_pair (gap_problem_t *self, size_t agent, size_t job, int64_t cost, int64_t load)
{
    if (agent >= self->agent_count || job >= self->job_count || cost < -GAP_VALUE_MAX
        || cost > GAP_VALUE_MAX || load < 0 || load > GAP_VALUE_MAX)
        return -1;
    if (self->pair_count == self->pair_size) {
        size_t size = self->pair_size ? self->pair_size * 2 : 1024;
        gap_pair_t *pairs = (gap_pair_t *) realloc (self->pairs, size * sizeof (gap_pair_t));
        if (!pairs)
            return -1;
        self->pairs = pairs;
        self->pair_size = size;
    }
    self->pairs[self->pair_count++] = (gap_pair_t){(int32_t) job, (int32_t) agent, cost, load};
    self->sorted = false;
    return 0;
}

//  Sorts pairs by job, then agent, then the order they were added, so that
//  of a pair added twice the last one is kept.
typedef struct {
    gap_pair_t pair;
    size_t added;
} s_ordered_pair_t;

static int s_compare_pairs (const void *a, const void *b)
{
    const s_ordered_pair_t *x = (const s_ordered_pair_t *) a, *y = (const s_ordered_pair_t *) b;
    if (x->pair.job != y->pair.job)
        return x->pair.job < y->pair.job ? -1 : 1;
    if (x->pair.agent != y->pair.agent)
        return x->pair.agent < y->pair.agent ? -1 : 1;
    return x->added < y->added ? -1 : x->added > y->added;
}

//  Sorts the pairs if an add came since the last sort. An allocation failure
//  here leaves them unsorted, which later reads would get wrong: abort, as for
//  any allocation the caller cannot act on.
static void s_sort (gap_problem_t *self)
{
    if (self->sorted)
        return;
    s_ordered_pair_t *ordered
        = (s_ordered_pair_t *) malloc ((self->pair_count + 1) * sizeof (s_ordered_pair_t));
    if (!ordered)
        abort ();
    //  By job first, by counting (stable, and linear: dispatch adds half a
    //  million pairs); then each job's few pairs by agent and order added.
    memset (self->job_start, 0, (self->job_count + 1) * sizeof (size_t));
    for (size_t p = 0; p < self->pair_count; p++)
        self->job_start[self->pairs[p].job + 1]++;
    for (size_t j = 0; j < self->job_count; j++)
        self->job_start[j + 1] += self->job_start[j];
    for (size_t p = 0; p < self->pair_count; p++)
        ordered[self->job_start[self->pairs[p].job]++] = (s_ordered_pair_t){self->pairs[p], p};
    for (size_t j = 0, first = 0; j < self->job_count; j++) {
        size_t end = self->job_start[j];  //  now where job j's pairs end
        if (end - first > 256)  //  else insertion: the pairs usually come by agent already
            qsort (ordered + first, end - first, sizeof *ordered, s_compare_pairs);
        else
            for (size_t p = first + 1; p < end; p++)
                for (size_t q = p; q > first && s_compare_pairs (&ordered[q - 1], &ordered[q]) > 0;
                     q--) {
                    s_ordered_pair_t moved = ordered[q];
                    ordered[q] = ordered[q - 1];
                    ordered[q - 1] = moved;
                }
        first = end;
    }
    size_t kept = 0;
    for (size_t p = 0; p < self->pair_count; p++) {
        bool replaced = p + 1 < self->pair_count && ordered[p + 1].pair.job == ordered[p].pair.job
                        && ordered[p + 1].pair.agent == ordered[p].pair.agent;
        if (!replaced)
            self->pairs[kept++] = ordered[p].pair;
    }
    free (ordered);
    self->pair_count = kept;
    memset (self->job_start, 0, (self->job_count + 1) * sizeof (size_t));
    for (size_t p = 0; p < kept; p++)
        self->job_start[self->pairs[p].job + 1]++;
    for (size_t j = 0; j < self->job_count; j++)
        self->job_start[j + 1] += self->job_start[j];
    self->sorted = true;
}

size_t gap_problem_agents (gap_problem_t *self)
{
    return self->agent_count;
}

size_t gap_problem_jobs (gap_problem_t *self)
{
    return self->job_count;
}

size_t gap_problem_pair_count (gap_problem_t *self)
{
    s_sort (self);
    return self->pair_count;
}

int64_t gap_problem_capacity (gap_problem_t *self, size_t agent)
{
    return self->agents[agent].capacity;
}

int64_t gap_problem_job_limit (gap_problem_t *self, size_t agent)
{
    return self->agents[agent].job_limit;
}

int64_t gap_problem_penalty (gap_problem_t *self, size_t job)
{
    return self->penalties[job];
}

const gap_pair_t *gap_problem_pairs (gap_problem_t *self, size_t job, size_t *count)
{
    s_sort (self);
    if (job >= self->job_count) {  //  e.g. job 0 of a problem without jobs
        *count = 0;
        return self->pairs;
    }
    *count = self->job_start[job + 1] - self->job_start[job];
    return self->pairs + self->job_start[job];
}

const gap_pair_t *gap_problem_pair (gap_problem_t *self, size_t agent, size_t job)
{
    size_t count;
    const gap_pair_t *pairs = gap_problem_pairs (self, job, &count);
    size_t low = 0, high = count;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        if ((size_t) pairs[middle].agent < agent)
            low = middle + 1;
        else
            high = middle;
    }
    return low < count && (size_t) pairs[low].agent == agent ? &pairs[low] : NULL;
}

void gap_problem_check (gap_problem_t *self, const int *agent_of, gap_plan_check_t *check)
{
    memset (check, 0, sizeof *check);
    check->valid = true;
    int64_t *load = (int64_t *) calloc (self->agent_count + 1, sizeof (int64_t));
    int64_t *jobs = (int64_t *) calloc (self->agent_count + 1, sizeof (int64_t));
    if (!load || !jobs)
        abort ();
    for (size_t j = 0; j < self->job_count; j++) {
        if (agent_of[j] < 0) {
            check->unassigned++;
            if (self->penalties[j] == GAP_REQUIRED)
                check->required_unassigned++;
            else
                check->cost += self->penalties[j];
            continue;
        }
        const gap_pair_t *pair = (size_t) agent_of[j] < self->agent_count
                                     ? gap_problem_pair (self, (size_t) agent_of[j], j)
                                     : NULL;
        if (!pair) {
            if (check->valid)
                snprintf (check->why, sizeof check->why,
                          "job %zu is given agent %d, who is not"
                          " eligible for it",
                          j, agent_of[j]);
            check->valid = false;
            continue;
        }
        check->cost += pair->cost;
        load[pair->agent] += pair->load;
        jobs[pair->agent]++;
    }
    for (size_t i = 0; i < self->agent_count && check->valid; i++) {
        if (self->agents[i].capacity != GAP_UNLIMITED && load[i] > self->agents[i].capacity) {
            snprintf (check->why, sizeof check->why,
                      "agent %zu is loaded %lld over its capacity"
                      " %lld",
                      i, (long long) load[i], (long long) self->agents[i].capacity);
            check->valid = false;
        } else if (self->agents[i].job_limit != GAP_UNLIMITED
                   && jobs[i] > self->agents[i].job_limit) {
            snprintf (check->why, sizeof check->why,
                      "agent %zu has %lld jobs, over its limit"
                      " %lld",
                      i, (long long) jobs[i], (long long) self->agents[i].job_limit);
            check->valid = false;
        }
    }
    free (load);
    free (jobs);
}
