/*  assign_plan - every waiting order and every eligible technician at once. See assign_plan.h. */
#include "assign_plan.h"
#include "gap_solver.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define EARTH_KM 6371.0

//  One eligible pair as the greedy policy needs it (the GAP keeps cost and load).
typedef struct {
    int32_t technician;
    int level;
    int64_t load;
} s_option_t;

struct _assign_plan_t {
    assign_settings_t settings;
    int64_t now_ms;
    const assign_technician_t *technicians;
    size_t technician_count, order_count;
    gap_problem_t *problem;
    assign_order_t *orders;
    assign_wait_t *reason;  //  for an order without any eligible pair
    s_option_t *options;
    size_t *first_option;  //  per order, into options; order_count + 1
    size_t option_count, option_size;
};

const char *assign_wait_name (assign_wait_t reason)
{
    static const char *names[] = {"placed", "no_skill", "off_shift", "at_limit", "outside_window"};
    return reason <= ASSIGN_OUTSIDE_WINDOW ? names[reason] : "at_limit";
}

assign_plan_t *assign_plan_new (const assign_settings_t *settings, int64_t now_ms,
                                const assign_technician_t *technicians, size_t count,
                                size_t order_count)
{
    assign_plan_t *self = (assign_plan_t *) calloc (1, sizeof (assign_plan_t));
    if (!self)
        return NULL;
    self->settings = *settings;
    self->now_ms = now_ms;
    self->technicians = technicians;
    self->technician_count = count;
    self->order_count = order_count;
    self->problem = gap_problem_new (count, order_count);
    self->orders = (assign_order_t *) calloc (order_count + 1, sizeof (assign_order_t));
    self->reason = (assign_wait_t *) calloc (order_count + 1, sizeof (assign_wait_t));
    self->first_option = (size_t *) calloc (order_count + 1, sizeof (size_t));
    if (!self->problem || !self->orders || !self->reason || !self->first_option) {
        assign_plan_destroy (&self);
        return NULL;
    }
    for (size_t i = 0; i < count; i++) {
        const assign_technician_t *technician = &technicians[i];
        int64_t room = technician->max_jobs - technician->open_jobs;
        int64_t time = technician->shift_left_min < 0
                           ? GAP_UNLIMITED
                           : technician->shift_left_min - technician->queued_min;
        gap_problem_set_agent (self->problem, i, time < 0 ? 0 : time, room < 0 ? 0 : room);
    }
    return self;
}

void assign_plan_destroy (assign_plan_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    assign_plan_t *self = *self_p;
    gap_problem_destroy (&self->problem);
    free (self->orders);
    free (self->reason);
    free (self->options);
    free (self->first_option);
    free (self);
    *self_p = NULL;
}

//  Great-circle minutes at the configured speed, rounded up.
static int64_t s_travel_estimate (const assign_plan_t *self, const assign_technician_t *technician,
                                  const assign_order_t *order)
{
    if (!technician->has_home || !order->has_location || self->settings.travel_kmh <= 0)
        return 0;
    double to_radians = M_PI / 180e6;
    double lat1 = (double) technician->lat_e6 * to_radians,
           lat2 = (double) order->lat_e6 * to_radians;
    double dlat = lat2 - lat1, dlon = (double) (order->lon_e6 - technician->lon_e6) * to_radians;
    double h = sin (dlat / 2) * sin (dlat / 2)
               + cos (lat1) * cos (lat2) * sin (dlon / 2) * sin (dlon / 2);
    double km = 2 * EARTH_KM * asin (sqrt (fmin (1, h)));
    return (int64_t) ceil (km * 60 / (double) self->settings.travel_kmh - 1e-9);
}

//  Minutes from a to b, rounded up (0 if b is not after a).
static int64_t s_minutes_after (int64_t a_ms, int64_t b_ms)
{
    return b_ms > a_ms ? (b_ms - a_ms + 59999) / 60000 : 0;
}

int assign_plan_add_order (assign_plan_t *self, size_t order, const assign_order_t *facts,
                           const size_t *candidates, const int *levels, const int64_t *travel_min,
                           size_t count)
{
    const assign_settings_t *settings = &self->settings;
    self->orders[order] = *facts;
    if (self->option_count + count > self->option_size) {
        size_t size = self->option_size ? self->option_size * 2 : 4096;
        while (size < self->option_count + count)
            size *= 2;
        s_option_t *options = (s_option_t *) realloc (self->options, size * sizeof (s_option_t));
        if (!options)
            return -1;
        self->options = options;
        self->option_size = size;
    }
    self->first_option[order] = self->option_count;
    //  How far the candidates got, for the reason an order without a pair waits.
    size_t skilled = 0, on_shift = 0, with_room = 0;
    for (size_t k = 0; k < count; k++) {
        const assign_technician_t *technician = &self->technicians[candidates[k]];
        int level = levels[k];
        if (level < facts->required_level)
            continue;
        skilled++;
        if (!technician->on_shift)
            continue;
        on_shift++;
        int64_t travel = travel_min && travel_min[k] >= 0
                             ? travel_min[k]
                             : s_travel_estimate (self, technician, facts);
        int64_t percent = settings->level_percent[level >= 0 && level <= 5 ? level : 0];
        int64_t duration = (facts->job_s * percent + 5999) / 6000;
        int64_t load = travel + duration;
        int64_t time_left = technician->shift_left_min < 0
                                ? GAP_UNLIMITED
                                : technician->shift_left_min - technician->queued_min;
        if (technician->open_jobs >= technician->max_jobs || load > time_left)
            continue;
        with_room++;
        //  The earliest this technician could be done, and when they are expected to be.
        int64_t arrive_ms = self->now_ms + travel * 60000;
        int64_t wait = facts->has_window ? s_minutes_after (arrive_ms, facts->window_start_ms) : 0;
        if (facts->has_window
            && (arrive_ms + (wait + duration) * 60000 > facts->window_end_ms
                || wait + load > time_left))
            continue;
        int64_t finish_ms
            = self->now_ms + (technician->queued_min + travel + wait + duration) * 60000;
        int64_t late = s_minutes_after (facts->due_ms, finish_ms);
        if (facts->has_window)
            late += s_minutes_after (facts->window_end_ms, finish_ms);
        int64_t labour = (technician->hourly_cost_cents * duration + 30) / 60;
        int64_t cost = settings->weight_travel * travel + settings->weight_lateness * late
                       + labour * settings->weight_labour / 100
                       + settings->weight_overqualified * (level - facts->required_level);
        if (cost > GAP_VALUE_MAX)
            cost = GAP_VALUE_MAX;
        if (gap_problem_add_pair (self->problem, candidates[k], order, cost, load))
            return -1;
        self->options[self->option_count++] = (s_option_t){(int32_t) candidates[k], level, load};
    }
    self->first_option[order + 1] = self->option_count;
    self->reason[order] = !skilled                                          ? ASSIGN_NO_SKILL
                          : !on_shift                                       ? ASSIGN_OFF_SHIFT
                          : !with_room                                      ? ASSIGN_AT_LIMIT
                          : self->first_option[order] == self->option_count ? ASSIGN_OUTSIDE_WINDOW
                                                                            : ASSIGN_AT_LIMIT;
    return 0;
}

//  The former policy: each order in turn, earliest due first, takes the
//  technician assign_policy_choose ranks best among those it still fits.
static int s_greedy (assign_plan_t *self, int *technician_of)
{
    size_t m = self->technician_count;
    int64_t *jobs = (int64_t *) calloc (m + 1, sizeof (int64_t));
    int64_t *used = (int64_t *) calloc (m + 1, sizeof (int64_t));
    size_t most = 0;
    for (size_t j = 0; j < self->order_count; j++) {
        size_t count = self->first_option[j + 1] - self->first_option[j];
        most = count > most ? count : most;
    }
    assign_candidate_t *candidates = (assign_candidate_t *) calloc (most + 1, sizeof *candidates);
    if (!jobs || !used || !candidates) {
        free (jobs);
        free (used);
        free (candidates);
        return -1;
    }
    for (size_t j = 0; j < self->order_count; j++) {
        const assign_order_t *order = &self->orders[j];
        const s_option_t *options = &self->options[self->first_option[j]];
        size_t count = self->first_option[j + 1] - self->first_option[j];
        for (size_t k = 0; k < count; k++) {
            size_t agent = (size_t) options[k].technician;
            const assign_technician_t *technician = &self->technicians[agent];
            int64_t capacity = gap_problem_capacity (self->problem, agent);
            bool fits = capacity == GAP_UNLIMITED || used[agent] + options[k].load <= capacity;
            int max_jobs = (int) technician->max_jobs;
            int load = (int) (technician->open_jobs + jobs[agent]);
            candidates[k] = (assign_candidate_t){technician->id, options[k].level,
                                                 fits ? load : max_jobs, max_jobs, true};
        }
        assign_job_t job = {self->now_ms, order->due_ms, order->job_s, order->required_level};
        int best = assign_policy_choose (&job, candidates, count, NULL);
        technician_of[j] = best < 0 ? -1 : options[best].technician;
        if (best >= 0) {
            jobs[options[best].technician]++;
            used[options[best].technician] += options[best].load;
        }
    }
    free (jobs);
    free (used);
    free (candidates);
    return 0;
}

int assign_plan_solve (assign_plan_t *self, bool greedy, int *technician_of,
                       assign_wait_t *reason_of, assign_result_t *result)
{
    memset (result, 0, sizeof *result);
    result->pairs = gap_problem_pair_count (self->problem);
    if (greedy) {
        if (s_greedy (self, technician_of))
            return -1;
    } else {
        gap_solver_t *solver = gap_solver_new (self->problem);
        if (!solver)
            return -1;
        gap_limits_t limits
            = {self->settings.plan_ms, self->settings.plan_rounds, 1, self->settings.plan_work};
        const gap_result_t *solved = gap_solver_solve (solver, &limits);
        memcpy (technician_of, gap_solver_plan (solver), self->order_count * sizeof (int));
        result->has_lower_bound = solved->has_lower_bound;
        result->lower_bound = solved->lower_bound;
        result->solve_ms = solved->elapsed_ms;
        result->work = solved->work;
        result->stopped_by_time = solved->stopped_by_time;
        gap_solver_destroy (&solver);
    }
    gap_plan_check_t check;
    gap_problem_check (self->problem, technician_of, &check);
    result->cost = check.cost;
    for (size_t j = 0; j < self->order_count; j++)
        reason_of[j] = technician_of[j] >= 0 ? ASSIGN_PLACED : self->reason[j];
    return 0;
}

gap_problem_t *assign_plan_problem (assign_plan_t *self)
{
    return self->problem;
}
