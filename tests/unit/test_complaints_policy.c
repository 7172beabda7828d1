/*  Unit tests of complaints' pure rules: deadline arithmetic in business
    hours with holidays and pauses, who a case goes to, and how serious a
    recovery case is. */
#include "../../services/complaints/business_time.h"
#include "../../services/complaints/recovery_policy.h"
#include "../../services/complaints/routing_policy.h"
#include "testutil.h"

#define HOUR_MS (3600 * 1000LL)
#define DAY_MS (24 * HOUR_MS)

//  2026-11-27 is a Friday; 09:00 UTC is 17:00 at +08:00.
static const int64_t s_friday_1700_local = 1795770000000LL;

static int64_t s_christmas;  //  2026-12-25, a Friday
static business_calendar_t s_office = {
    .days_mask = (1 << 1) | (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5),
    .start_min = 9 * 60,
    .end_min = 18 * 60,
    .utc_offset_min = 8 * 60,
    .holidays = &s_christmas,
    .holiday_count = 1};

static void test_days_and_times_parse (void)
{
    int64_t day = -1;
    CHECK (business_time_day ("1970-01-01", &day) == 0 && day == 0);
    CHECK (business_time_day ("2026-11-27", &day) == 0);
    CHECK_INT (day * DAY_MS + 9 * HOUR_MS, s_friday_1700_local);
    CHECK (business_time_day ("2024-02-29", &day) == 0);
    CHECK (business_time_day ("2026-02-29", &day) == -1);
    CHECK (business_time_day ("2026-13-01", &day) == -1);
    CHECK (business_time_day ("2026-04-31", &day) == -1);
    CHECK (business_time_day ("2026-4-1", &day) == -1);
    CHECK (business_time_day ("1969-12-31", &day) == 0 && day == -1);
    CHECK_INT (business_time_minutes ("09:30"), 570);
    CHECK_INT (business_time_offset ("+08:00"), 480);
    CHECK_INT (business_time_offset ("-03:30"), -210);
}

static void test_without_a_calendar_every_moment_counts (void)
{
    CHECK_INT (business_time_add (NULL, s_friday_1700_local, 2 * HOUR_MS),
               s_friday_1700_local + 2 * HOUR_MS);
    CHECK_INT (business_time_between (NULL, 1000, 5000), 4000);
    CHECK_INT (business_time_between (NULL, 5000, 1000), 0);
    //  Paused 10 h with 3 h left: due 10 h later.
    CHECK_INT (business_time_shift (NULL, 13 * HOUR_MS, 10 * HOUR_MS, 20 * HOUR_MS), 23 * HOUR_MS);
    //  A calendar that works no day counts like none.
    business_calendar_t idle = s_office;
    idle.days_mask = 0;
    CHECK_INT (business_time_add (&idle, 0, HOUR_MS), HOUR_MS);
}

static void test_business_hours_skip_nights_and_weekends (void)
{
    //  Friday 17:00 local + 2 business hours: one hour on Friday, one on Monday.
    int64_t monday_1000 = s_friday_1700_local + 3 * DAY_MS - 7 * HOUR_MS;
    CHECK_INT (business_time_add (&s_office, s_friday_1700_local, 2 * HOUR_MS), monday_1000);
    CHECK_INT (business_time_between (&s_office, s_friday_1700_local, monday_1000), 2 * HOUR_MS);
    //  From Saturday noon: counting starts Monday 09:00.
    int64_t saturday_noon = s_friday_1700_local + DAY_MS - 5 * HOUR_MS;
    CHECK_INT (business_time_add (&s_office, saturday_noon, HOUR_MS), monday_1000);
    CHECK_INT (business_time_add (&s_office, saturday_noon, 0), monday_1000 - HOUR_MS);
    //  Exactly at closing time, nothing is left of Friday.
    int64_t friday_1800 = s_friday_1700_local + HOUR_MS;
    CHECK_INT (business_time_add (&s_office, friday_1800, 9 * HOUR_MS),
               monday_1000 + 8 * HOUR_MS);
    //  A week of business hours is 45 of them.
    CHECK_INT (business_time_between (&s_office, s_friday_1700_local,
                                      s_friday_1700_local + 7 * DAY_MS),
               45 * HOUR_MS);
}

static void test_holidays_count_nothing (void)
{
    //  Thursday 2026-12-24 17:00 local + 2 h: Friday is Christmas, so Monday 10:00.
    int64_t thursday_1700 = s_friday_1700_local + 27 * DAY_MS;
    int64_t monday_1000 = thursday_1700 + 4 * DAY_MS - 7 * HOUR_MS;
    CHECK_INT (business_time_add (&s_office, thursday_1700, 2 * HOUR_MS), monday_1000);
    CHECK_INT (business_time_between (&s_office, thursday_1700, monday_1000), 2 * HOUR_MS);
    //  Without the holiday, Friday counts.
    business_calendar_t no_holidays = s_office;
    no_holidays.holiday_count = 0;
    CHECK_INT (business_time_add (&no_holidays, thursday_1700, 2 * HOUR_MS),
               thursday_1700 + DAY_MS - 7 * HOUR_MS);
}

static void test_a_pause_moves_what_lies_ahead_of_it (void)
{
    //  Due Monday 17:00 local, paused Monday 10:00 (7 business hours ahead),
    //  resumed Tuesday 10:00: due Tuesday 17:00.
    int64_t monday_1000 = s_friday_1700_local + 3 * DAY_MS - 7 * HOUR_MS;
    int64_t monday_1700 = monday_1000 + 7 * HOUR_MS;
    int64_t tuesday_1000 = monday_1000 + DAY_MS;
    CHECK_INT (business_time_shift (&s_office, monday_1700, monday_1000, tuesday_1000),
               tuesday_1000 + 7 * HOUR_MS);
    //  Paused at night: what was ahead is what the next day held (3 h to
    //  noon); resumed on Wednesday at 08:00, before opening: noon on Wednesday.
    int64_t monday_2000 = monday_1000 + 10 * HOUR_MS;
    int64_t tuesday_noon = tuesday_1000 + 2 * HOUR_MS;
    int64_t wednesday_0800 = tuesday_1000 + DAY_MS - 2 * HOUR_MS;
    CHECK_INT (business_time_shift (&s_office, tuesday_noon, monday_2000, wednesday_0800),
               wednesday_0800 + 4 * HOUR_MS);
    //  A moment the pause came after stays: it was reached, or missed, already.
    CHECK_INT (business_time_shift (&s_office, monday_1000, monday_1700, tuesday_1000),
               monday_1000);
    //  A pause over a weekend and a holiday costs nothing of what is left.
    int64_t thursday_1700 = s_friday_1700_local + 27 * DAY_MS;
    int64_t due = business_time_add (&s_office, thursday_1700 - 4 * HOUR_MS, 5 * HOUR_MS);
    int64_t monday_0900 = thursday_1700 + 4 * DAY_MS - 8 * HOUR_MS;
    CHECK_INT (business_time_between (&s_office, thursday_1700, due), HOUR_MS);
    CHECK_INT (business_time_shift (&s_office, due, thursday_1700, monday_0900),
               monday_0900 + HOUR_MS);
}

static void test_a_case_goes_to_the_least_loaded_agent_who_covers_it (void)
{
    routing_candidate_t team[] = {
        {"A-busy", "agent", true, 5},
        {"A-free", "agent", true, 1},
        {"A-idle-other", "agent", false, 0},  //  idle, but does not cover the category
        {"A-also-free", "agent", true, 1},
        {"S-1", "supervisor", true, 0},
    };
    CHECK_INT (routing_choose (team, 5, 0), 3);  //  load 1, and "A-also-free" < "A-free"
    team[3].load = 2;
    CHECK_INT (routing_choose (team, 5, 0), 1);
}

static void test_without_an_agent_a_supervisor_then_a_manager (void)
{
    routing_candidate_t team[] = {
        {"A-other", "agent", false, 0},
        {"S-other", "supervisor", false, 0},
        {"S-covers", "supervisor", true, 3},
        {"M-1", "manager", false, 0},
    };
    //  A supervisor who covers it, however loaded, before one who does not.
    CHECK_INT (routing_choose (team, 4, 0), 2);
    team[2].level = "agent";
    team[2].covers = false;
    //  No supervisor covers it: any supervisor.
    CHECK_INT (routing_choose (team, 4, 0), 1);
    //  Escalated to manager level: only managers.
    CHECK_INT (routing_choose (team, 4, 2), 3);
    CHECK_INT (routing_choose (team, 3, 2), -1);
    CHECK_INT (routing_choose (team, 1, 0), -1);  //  the only agent covers nothing of it
    CHECK_INT (routing_choose (team, 0, 0), -1);
}

static void test_levels (void)
{
    CHECK_INT (routing_level_rank ("agent"), 0);
    CHECK_INT (routing_level_rank ("supervisor"), 1);
    CHECK_INT (routing_level_rank ("manager"), 2);
    CHECK_INT (routing_level_rank ("director"), -1);
    CHECK_INT (routing_level_rank (NULL), -1);
    CHECK_STR (routing_level_name (1), "supervisor");
    CHECK (routing_level_name (3) == NULL && routing_level_name (-1) == NULL);
}

static void test_recovery_severity_by_how_low_the_score_is (void)
{
    const char *expected[] = {"critical", "critical", "high", "high", "medium", "medium", "low"};
    for (int score = 0; score <= 6; score++)
        CHECK_STR (recovery_severity (score, 6), expected[score]);
    CHECK (recovery_severity (7, 6) == NULL);
    CHECK (recovery_severity (10, 6) == NULL);
    CHECK_STR (recovery_severity (8, 8), "low");
    CHECK (recovery_severity (9, 8) == NULL);
    CHECK_STR (recovery_severity (0, 0), "critical");
    CHECK (recovery_severity (1, 0) == NULL);
}

int main (void)
{
    business_time_day ("2026-12-25", &s_christmas);
    RUN (test_days_and_times_parse);
    RUN (test_without_a_calendar_every_moment_counts);
    RUN (test_business_hours_skip_nights_and_weekends);
    RUN (test_holidays_count_nothing);
    RUN (test_a_pause_moves_what_lies_ahead_of_it);
    RUN (test_a_case_goes_to_the_least_loaded_agent_who_covers_it);
    RUN (test_without_an_agent_a_supervisor_then_a_manager);
    RUN (test_levels);
    RUN (test_recovery_severity_by_how_low_the_score_is);
    return TEST_DONE ("test_complaints_policy");
}
