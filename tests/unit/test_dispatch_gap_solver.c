/*  The assignment optimiser against proven optima, and the plans dispatch
    builds with it: valid plans only, the same plan for the same input under a
    work limit, and assign_plan's eligibility and reasons. */
#include "../../services/dispatch/assign_plan.h"
#include "../../services/dispatch/gap_solver.h"
#include "../../tools/gap/gap_exact.h"
#include "../../tools/gap/gap_instance.h"
#include "testutil.h"

#include <stdlib.h>

static const assign_settings_t s_settings
    = {40, {100, 130, 115, 100, 90, 80}, 50, 100, 100, 500, 30000, 50, 10000};

//  Small Chu & Beasley instances: the solver's plan costs what branch and bound proves.
static void test_solver_meets_proven_optima (void)
{
    for (int seed = 1; seed <= 3; seed++)
        for (const char *type = "CDE"; *type; type++) {
            gap_instance_t *instance = gap_instance_generate (*type, 4, 12, (uint64_t) seed);
            gap_problem_t *problem = gap_instance_problem (instance, false);
            int exact_plan[12];
            gap_exact_result_t exact;
            CHECK (gap_exact_solve (problem, 10000000, exact_plan, &exact) == 0);
            gap_solver_t *solver = gap_solver_new (problem);
            gap_limits_t limits = {0, 300, 1, 0};
            const gap_result_t *result = gap_solver_solve (solver, &limits);
            gap_plan_check_t check;
            gap_problem_check (problem, gap_solver_plan (solver), &check);
            CHECK (check.valid);
            CHECK_INT (result->required_unassigned, exact.required_unassigned);
            CHECK_INT (result->cost, exact.cost);
            CHECK (!result->has_lower_bound || result->lower_bound <= exact.cost);
            gap_solver_destroy (&solver);
            gap_problem_destroy (&problem);
            gap_instance_destroy (&instance);
        }
}

//  A work limit stops every run at the same point: the same plan twice.
static void test_work_limit_is_deterministic (void)
{
    gap_instance_t *instance = gap_instance_generate ('D', 20, 200, 5);
    gap_problem_t *problem = gap_instance_problem (instance, false);
    int first[200];
    for (int run = 0; run < 2; run++) {
        gap_solver_t *solver = gap_solver_new (problem);
        gap_limits_t limits = {0, 0, 1, 2000};
        const gap_result_t *result = gap_solver_solve (solver, &limits);
        CHECK (result->stopped_by_work && !result->stopped_by_time);
        CHECK_INT (result->work, 2000);
        if (run == 0)
            memcpy (first, gap_solver_plan (solver), sizeof first);
        else
            CHECK (memcmp (first, gap_solver_plan (solver), sizeof first) == 0);
        gap_solver_destroy (&solver);
    }
    gap_problem_destroy (&problem);
    gap_instance_destroy (&instance);
}

//  assign_plan: what makes a pair eligible, and why an order without one waits.
static void test_plan_reasons_and_loads (void)
{
    int64_t now = 1795752000000LL;
    assign_technician_t technicians[] = {
        //  id, on shift, minutes left, queued, open, max, cost, home
        {"T-1", true, 180, 0, 0, 3, 6000, true, 31000000, 121000000},
        {"T-2", false, 0, 0, 0, 3, 6000, false, 0, 0},
        {"T-3", true, -1, 0, 2, 2, 6000, false, 0, 0},
    };
    assign_plan_t *plan = assign_plan_new (&s_settings, now, technicians, 3, 5);
    size_t one = 0, two = 1, three = 2, all[] = {0, 1, 2};
    int level3[] = {3, 3, 3};
    assign_order_t repair = {.due_ms = now + 4 * 3600000LL, .job_s = 7200, .required_level = 2};
    //  0: T-1 can; 1: nobody has the level; 2: only T-2, off shift; 3: only T-3, at its limit.
    CHECK (assign_plan_add_order (plan, 0, &repair, &one, level3, NULL, 1) == 0);
    int level1[] = {1};
    CHECK (assign_plan_add_order (plan, 1, &repair, &one, level1, NULL, 1) == 0);
    CHECK (assign_plan_add_order (plan, 2, &repair, &two, level3, NULL, 1) == 0);
    CHECK (assign_plan_add_order (plan, 3, &repair, &three, level3, NULL, 1) == 0);
    //  4: 30 km away (45 minutes at 40 km/h) in a window that closes in two hours.
    assign_order_t far = repair;
    far.has_location = true;
    far.lat_e6 = 31270000;
    far.lon_e6 = 121000000;
    far.has_window = true;
    far.window_start_ms = now;
    far.window_end_ms = now + 2 * 3600000LL;
    CHECK (assign_plan_add_order (plan, 4, &far, all, level3, NULL, 3) == 0);
    int technician_of[5];
    assign_wait_t reason_of[5];
    assign_result_t result;
    CHECK (assign_plan_solve (plan, false, technician_of, reason_of, &result) == 0);
    CHECK_INT (technician_of[0], 0);
    CHECK_INT (reason_of[1], ASSIGN_NO_SKILL);
    CHECK_INT (reason_of[2], ASSIGN_OFF_SHIFT);
    CHECK_INT (reason_of[3], ASSIGN_AT_LIMIT);
    CHECK_INT (reason_of[4], ASSIGN_OUTSIDE_WINDOW);
    //  Order 0 alone: 120 minutes of load, labour 120 x 6000 / 60, a level above the need.
    const gap_pair_t *pair = gap_problem_pair (assign_plan_problem (plan), 0, 0);
    CHECK (pair && pair->load == 120);
    CHECK (pair && pair->cost == 12000 + 500);
    CHECK_INT (result.cost, 12500);
    assign_plan_destroy (&plan);
    CHECK (plan == NULL);
    //  With the supplied travel time the far order fits its window.
    plan = assign_plan_new (&s_settings, now, technicians, 3, 1);
    int64_t travel[] = {0, -1, -1};
    CHECK (assign_plan_add_order (plan, 0, &far, all, level3, travel, 3) == 0);
    CHECK (assign_plan_solve (plan, false, technician_of, reason_of, &result) == 0);
    CHECK_INT (technician_of[0], 0);
    assign_plan_destroy (&plan);
}

//  Nothing to plan (dispatch.run with no order waiting): an empty plan, no read past the end.
static void test_no_jobs (void)
{
    assign_technician_t technician = {"T-1", true, -1, 0, 0, 3, 6000, false, 0, 0};
    assign_plan_t *plan = assign_plan_new (&s_settings, 0, &technician, 1, 0);
    int technician_of[1];
    assign_wait_t reason_of[1];
    assign_result_t result;
    CHECK (plan && assign_plan_solve (plan, false, technician_of, reason_of, &result) == 0);
    CHECK_INT (result.cost, 0);
    CHECK (assign_plan_solve (plan, true, technician_of, reason_of, &result) == 0);
    assign_plan_destroy (&plan);
}

int main (void)
{
    RUN (test_no_jobs);
    RUN (test_solver_meets_proven_optima);
    RUN (test_work_limit_is_deterministic);
    RUN (test_plan_reasons_and_loads);
    return TEST_DONE ("test_dispatch_gap_solver");
}
