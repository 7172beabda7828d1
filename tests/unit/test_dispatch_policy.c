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
    shr_call_t call = {0};
    cJSON *body = cJSON_Parse (
        "{\"labour_minutes\":45,\"fees_cents\":200,\"parts_used\":[{\"part_id\":\"p\",\"qty\":2,"
        "\"unit_price_cents\":150,\"unit_cost_cents\":100}]}");
    dispatch_money_t money;
    CHECK (dispatch_money_compute (&call, body, 5000, 8000, false, &money) == 0);
    CHECK_INT (money.labour_cost_cents, 3750);
    CHECK_INT (money.labour_charge_cents, 6000);
    CHECK_INT (money.parts_cost_cents, 200);
    CHECK_INT (money.parts_charge_cents, 300);
    CHECK_INT (money.total_charge_cents, 6500);
    CHECK_INT (money.margin_cents, 6500 - 3950);
    CHECK (dispatch_money_compute (&call, body, 5000, 8000, true, &money) == 0);
    CHECK_INT (money.total_charge_cents, 0);
    CHECK_INT (money.margin_cents, -3950);
    cJSON_Delete (body);
    //  One minute at 0.01/h rounds half up: 1/60 of a cent is 0; 30 minutes is 0.5 -> 1.
    body = cJSON_Parse ("{\"labour_minutes\":30}");
    CHECK (dispatch_money_compute (&call, body, 1, 1, false, &money) == 0);
    CHECK_INT (money.labour_cost_cents, 1);
    cJSON_Delete (body);
    body = cJSON_Parse ("{\"labour_minutes\":1,\"parts_used\":[{\"part_id\":\"p\",\"qty\":100000,"
                        "\"unit_price_cents\":1000000000000,\"unit_cost_cents\":1},{\"part_id\":"
                        "\"p\",\"qty\":100000,\"unit_price_cents\":1000000000000,"
                        "\"unit_cost_cents\":1}]}");
    cJSON *parts = cJSON_GetObjectItem (body, "parts_used");
    for (int i = 0; i < 98; i++)
        cJSON_AddItemToArray (parts, cJSON_Duplicate (cJSON_GetArrayItem (parts, 0), true));
    CHECK (dispatch_money_compute (&call, body, 1, 1, false, &money) == -1);
    CHECK_INT (call.error.code, SHR_INVALID_ARGUMENT);
    CHECK (strncmp (call.error.field, "/body/parts_used/", 17) == 0);
    cJSON_Delete (body);
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
