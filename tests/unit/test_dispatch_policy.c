/*  Unit tests of dispatch's pure parts: the assignment policy, shifts, money. */
#include "../../services/dispatch/assign_policy.h"
#include "../../services/dispatch/dispatch.h"
#include "testutil.h"

#define HOUR_MS (3600 * 1000LL)

static void test_policy_prefers_on_time_then_least_loaded (void)
{
    assign_candidate_t candidates[] = {
        {"T-a", 3, 2, 3, true},  //  busy: finishes third
        {"T-b", 3, 0, 3, true},  //  free
        {"T-c", 3, 0, 3, true},  //  free too: ties go to the smaller id
    };
    assign_job_t job = {0, 10 * HOUR_MS, 7200, 2};
    CHECK_INT (assign_policy_choose (&job, candidates, 3, NULL), 1);
    //  A due time that only an idle technician can meet: still the idle one.
    job.due_ms = 2 * HOUR_MS;
    CHECK_INT (assign_policy_choose (&job, candidates, 3, NULL), 1);
    candidates[1].load = 1;
    candidates[2].load = 1;
    //  Everyone is late now; the least late wins (load 1 beats load 2).
    job.due_ms = HOUR_MS;
    CHECK_INT (assign_policy_choose (&job, candidates, 3, NULL), 1);
}

static void test_policy_balances_by_utilisation_and_keeps_experts_free (void)
{
    assign_candidate_t candidates[] = {
        {"T-expert", 5, 1, 4, true},  //  25 % used
        {"T-small", 3, 1, 2, true},   //  50 % used
        {"T-mid", 3, 1, 4, true},     //  25 % used, less over-qualified than the expert
    };
    assign_job_t job = {0, 100 * HOUR_MS, 3600, 3};
    CHECK_INT (assign_policy_choose (&job, candidates, 3, NULL), 2);
}

static void test_policy_refusals_are_counted (void)
{
    assign_candidate_t candidates[] = {
        {"T-low", 1, 0, 3, true},
        {"T-full", 4, 3, 3, true},
        {"T-away", 4, 0, 3, false},
    };
    assign_job_t job = {0, HOUR_MS, 3600, 2};
    assign_refusals_t refusals = {0, 0, 0};
    CHECK_INT (assign_policy_choose (&job, candidates, 3, &refusals), -1);
    CHECK_INT (refusals.under_level, 1);
    CHECK_INT (refusals.at_limit, 1);
    CHECK_INT (refusals.off_shift, 1);
    CHECK_INT (assign_policy_choose (&job, candidates, 0, NULL), -1);
    CHECK_INT (assign_policy_job_seconds ("installation"), 10800);
    CHECK_INT (assign_policy_job_seconds ("unknown"), 7200);
}

static void test_shifts (void)
{
    //  2026-11-27 is a Friday (ISO 5). 04:00 UTC is 12:00 at +08:00.
    int64_t friday_0400_utc = 1795752000000LL;
    int weekdays = (1 << 1) | (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5);
    CHECK (technician_on_shift (0, 0, 0, 0, friday_0400_utc));  //  no hours: always
    CHECK (technician_on_shift (weekdays, 8 * 60, 18 * 60, 480, friday_0400_utc));
    CHECK (!technician_on_shift (weekdays, 8 * 60, 18 * 60, 0, friday_0400_utc));  //  04:00 UTC
    CHECK (!technician_on_shift (1 << 6, 8 * 60, 18 * 60, 480, friday_0400_utc));  //  Saturdays
    //  A night shift 22:00-06:00 worked on Thursdays: Friday 04:00 is still Thursday's shift.
    CHECK (technician_on_shift (1 << 4, 22 * 60, 6 * 60, 0, friday_0400_utc));
    CHECK (!technician_on_shift (1 << 5, 22 * 60, 6 * 60, 0, friday_0400_utc));
    //  The end of a shift is not in it.
    CHECK (!technician_on_shift (weekdays, 0, 4 * 60, 0, friday_0400_utc));
    CHECK (technician_on_shift (weekdays, 4 * 60, 4 * 60 + 1, 0, friday_0400_utc));
    //  Before 1970, days still count right (1969-12-31 was a Wednesday).
    CHECK (technician_on_shift (1 << 3, 0, 0, 0, -1000));
    CHECK (!technician_on_shift (1 << 4, 0, 0, 0, -1000));
}

static void test_money (void)
{
    dispatch_part_used_t parts[100] = {{"p", 2, 150, 100}};
    dispatch_money_input_t input = {.labour_minutes = 45, .hourly_cost_cents = 5000,
                                    .labour_rate_cents = 8000, .fees_cents = 200,
                                    .parts = parts, .part_count = 1};
    dispatch_money_t money;
    char field[64], message[128];
    CHECK (dispatch_money_compute (&input, &money, field, sizeof field, message, sizeof message)
           == 0);
    CHECK_INT (money.labour_cost_cents, 3750);
    CHECK_INT (money.labour_charge_cents, 6000);
    CHECK_INT (money.parts_cost_cents, 200);
    CHECK_INT (money.parts_charge_cents, 300);
    CHECK_INT (money.total_charge_cents, 6500);
    CHECK_INT (money.margin_cents, 6500 - 3950);
    input.in_warranty = true;
    CHECK (dispatch_money_compute (&input, &money, field, sizeof field, message, sizeof message)
           == 0);
    CHECK_INT (money.total_charge_cents, 0);
    CHECK_INT (money.margin_cents, -3950);
    //  One minute at 0.01/h rounds half up: 1/60 of a cent is 0; 30 minutes is 0.5 -> 1.
    input = (dispatch_money_input_t) {.labour_minutes = 30, .hourly_cost_cents = 1,
                                      .labour_rate_cents = 1};
    CHECK (dispatch_money_compute (&input, &money, field, sizeof field, message, sizeof message)
           == 0);
    CHECK_INT (money.labour_cost_cents, 1);
    //  A given labour charge wins over the rate.
    input.has_labour_charge = true;
    input.labour_charge_cents = 777;
    CHECK (dispatch_money_compute (&input, &money, field, sizeof field, message, sizeof message)
           == 0);
    CHECK_INT (money.labour_charge_cents, 777);
    //  100 lines of 10^5 x 10^12 overflow 2^63 on some line, which is named.
    for (int i = 0; i < 100; i++)
        parts[i] = (dispatch_part_used_t) {"p", 100000, 1000000000000LL, 1};
    input = (dispatch_money_input_t) {.labour_minutes = 1, .hourly_cost_cents = 1,
                                      .labour_rate_cents = 1, .parts = parts, .part_count = 100};
    CHECK (dispatch_money_compute (&input, &money, field, sizeof field, message, sizeof message)
           == -1);
    CHECK (strncmp (field, "/body/parts_used/", 17) == 0);
    CHECK (strstr (message, "too large") != NULL);
}

int main (void)
{
    RUN (test_policy_prefers_on_time_then_least_loaded);
    RUN (test_policy_balances_by_utilisation_and_keeps_experts_free);
    RUN (test_policy_refusals_are_counted);
    RUN (test_shifts);
    RUN (test_money);
    return TEST_DONE ("test_dispatch_policy");
}
