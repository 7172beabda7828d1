/*  gap_exact - the proven optimum of a small gap_problem. See gap_exact.h. */
#include "gap_exact.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    int64_t missing, cost;
} s_value_t;

static bool s_less (s_value_t a, s_value_t b)
{
    return a.missing != b.missing ? a.missing < b.missing : a.cost < b.cost;
}

static s_value_t s_plus (s_value_t a, s_value_t b)
{
    return (s_value_t){a.missing + b.missing, a.cost + b.cost};
}

//  One way to place a job: an agent (with its load), or -1 for unassigned.
typedef struct {
    s_value_t value;
    int agent;
    int64_t load;
} s_option_t;

typedef struct {
    gap_problem_t *problem;
    size_t n;
    size_t *order;        //  the jobs, fewest options first
    s_option_t **options; //  per job, cheapest first
    size_t *option_count;
    s_value_t *rest;      //  rest[d]: the cheapest options of order[d..n) together
    int64_t *load, *jobs; //  per agent
    int *current, *best_plan;
    s_value_t best;
    bool found;
    int64_t nodes, node_limit;
} s_search_t;

static int s_compare_options (const void *a, const void *b)
{
    const s_option_t *x = (const s_option_t *) a, *y = (const s_option_t *) b;
    if (s_less (x->value, y->value))
        return -1;
    if (s_less (y->value, x->value))
        return 1;
    return x->agent < y->agent ? -1 : x->agent > y->agent;
}

static int s_compare_jobs (const void *a, const void *b, void *option_count)
{
    const size_t *counts = (const size_t *) option_count;
    size_t x = *(const size_t *) a, y = *(const size_t *) b;
    if (counts[x] != counts[y])
        return counts[x] < counts[y] ? -1 : 1;
    return x < y ? -1 : x > y;
}

static bool s_has_room (s_search_t *search, int agent, int64_t load)
{
    int64_t capacity = gap_problem_capacity (search->problem, (size_t) agent);
    int64_t limit = gap_problem_job_limit (search->problem, (size_t) agent);
    return (capacity == GAP_UNLIMITED || search->load[agent] + load <= capacity)
           && (limit == GAP_UNLIMITED || search->jobs[agent] + 1 <= limit);
}

static void s_branch (s_search_t *search, size_t depth, s_value_t value)
{
    if (search->nodes++ >= search->node_limit)
        return;
    if (depth == search->n) {
        search->best = value;
        search->found = true;
        memcpy (search->best_plan, search->current, search->n * sizeof (int));
        return;
    }
    size_t job = search->order[depth];
    for (size_t k = 0; k < search->option_count[job]; k++) {
        const s_option_t *option = &search->options[job][k];
        s_value_t reached = s_plus (value, option->value);
        //  Options come cheapest first: once one cannot win, none after it can.
        if (search->found && !s_less (s_plus (reached, search->rest[depth + 1]), search->best))
            break;
        if (option->agent < 0) {
            search->current[job] = -1;
            s_branch (search, depth + 1, reached);
            continue;
        }
        if (!s_has_room (search, option->agent, option->load))
            continue;
        search->load[option->agent] += option->load;
        search->jobs[option->agent]++;
        search->current[job] = option->agent;
        s_branch (search, depth + 1, reached);
        search->load[option->agent] -= option->load;
        search->jobs[option->agent]--;
    }
}

int gap_exact_solve (gap_problem_t *problem, int64_t node_limit, int *agent_of,
                     gap_exact_result_t *result)
{
    size_t n = gap_problem_jobs (problem), m = gap_problem_agents (problem);
    s_search_t search = {.problem = problem, .n = n, .node_limit = node_limit};
    search.order = (size_t *) calloc (n + 1, sizeof (size_t));
    search.options = (s_option_t **) calloc (n + 1, sizeof (s_option_t *));
    search.option_count = (size_t *) calloc (n + 1, sizeof (size_t));
    search.rest = (s_value_t *) calloc (n + 1, sizeof (s_value_t));
    search.load = (int64_t *) calloc (m + 1, sizeof (int64_t));
    search.jobs = (int64_t *) calloc (m + 1, sizeof (int64_t));
    search.current = (int *) calloc (n + 1, sizeof (int));
    search.best_plan = agent_of;
    int rc = -1;
    if (!search.order || !search.options || !search.option_count || !search.rest || !search.load
        || !search.jobs || !search.current)
        goto out;
    for (size_t j = 0; j < n; j++) {
        size_t count;
        const gap_pair_t *pairs = gap_problem_pairs (problem, j, &count);
        search.options[j] = (s_option_t *) calloc (count + 1, sizeof (s_option_t));
        if (!search.options[j])
            goto out;
        for (size_t k = 0; k < count; k++)
            search.options[j][k] = (s_option_t){{0, pairs[k].cost}, pairs[k].agent, pairs[k].load};
        int64_t penalty = gap_problem_penalty (problem, j);
        search.options[j][count] = (s_option_t){
            penalty == GAP_REQUIRED ? (s_value_t){1, 0} : (s_value_t){0, penalty}, -1, 0};
        search.option_count[j] = count + 1;
        qsort (search.options[j], count + 1, sizeof (s_option_t), s_compare_options);
        search.order[j] = j;
    }
    qsort_r (search.order, n, sizeof (size_t), s_compare_jobs, search.option_count);
    for (size_t d = n; d-- > 0;)
        search.rest[d] = s_plus (search.rest[d + 1], search.options[search.order[d]][0].value);
    s_branch (&search, 0, (s_value_t){0, 0});
    result->cost = search.best.cost;
    result->required_unassigned = (size_t) search.best.missing;
    result->nodes = search.nodes;
    rc = search.nodes > node_limit ? -1 : 0;
out:
    for (size_t j = 0; search.options && j < n; j++)
        free (search.options[j]);
    free (search.order);
    free (search.options);
    free (search.option_count);
    free (search.rest);
    free (search.load);
    free (search.jobs);
    free (search.current);
    return rc;
}
