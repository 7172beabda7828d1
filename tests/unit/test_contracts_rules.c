/*  Unit tests of contracts' pure rules: calendar days (parsing, leap years,
    adding months) and the pro-rata refund of a cancelled contract. */
#include "../../services/contracts/contracts.h"
#include "testutil.h"

static int64_t s_day (const char *text)
{
    int64_t day = INT64_MIN;
    CHECK (day_parse (text, &day) == 0);
    return day;
}

static const char *s_text (int64_t day)
{
    static char text[DAY_LEN];
    day_format (day, text);
    return text;
}

static void test_days_parse_and_format (void)
{
    int64_t day;
    CHECK_INT (s_day ("1970-01-01"), 0);
    CHECK_INT (s_day ("1969-12-31"), -1);
    CHECK_INT (s_day ("2000-03-01") - s_day ("2000-02-28"), 2);   //  2000 was a leap year
    CHECK_INT (s_day ("2100-03-01") - s_day ("2100-02-28"), 1);   //  2100 will not be
    CHECK (day_parse ("2027-02-29", &day) == -1);
    CHECK (day_parse ("2028-02-29", &day) == 0);
    CHECK (day_parse ("2027-04-31", &day) == -1);
    CHECK (day_parse ("2027-13-01", &day) == -1);
    CHECK (day_parse ("2027-00-10", &day) == -1);
    CHECK (day_parse ("2027-1-10", &day) == -1);
    CHECK (day_parse ("2027-01-1a", &day) == -1);
    CHECK (day_parse (NULL, &day) == -1);
    CHECK_STR (s_text (s_day ("2029-02-28")), "2029-02-28");
    CHECK_STR (s_text (0), "1970-01-01");
    CHECK_STR (s_text (-1), "1969-12-31");
    CHECK_INT (day_of_ms (0), 0);
    CHECK_INT (day_of_ms (86400000LL - 1), 0);
    CHECK_INT (day_of_ms (-1), -1);
    CHECK_INT (day_of_ms (1795770000000LL), s_day ("2026-11-27"));
}

static void test_months_keep_the_day_or_the_months_last (void)
{
    CHECK_STR (s_text (day_add_months (s_day ("2027-03-01"), 24)), "2029-03-01");
    CHECK_STR (s_text (day_add_months (s_day ("2027-01-31"), 1)), "2027-02-28");
    CHECK_STR (s_text (day_add_months (s_day ("2028-01-31"), 1)), "2028-02-29");
    CHECK_STR (s_text (day_add_months (s_day ("2027-12-15"), 1)), "2028-01-15");
    CHECK_STR (s_text (day_add_months (s_day ("2027-03-31"), -1)), "2027-02-28");
    CHECK_STR (s_text (day_add_months (s_day ("2027-01-15"), -13)), "2025-12-15");
    CHECK_STR (s_text (day_add_months (s_day ("2027-05-31"), 120)), "2037-05-31");
}

static void test_the_refund_is_pro_rata_by_days_rounded_down (void)
{
    int64_t starts = s_day ("2027-03-01"), ends = s_day ("2028-02-29");  //  366 days
    //  Cancelled on the 100th day: 266 days left; 36,500 x 266 / 366 = 26,527.32.
    CHECK_INT (refund_pro_rata (36500, starts, ends, s_day ("2027-06-08")), 26527);
    CHECK_INT (refund_pro_rata (36500, starts, ends, starts), 36500 * 365 / 366);
    CHECK_INT (refund_pro_rata (36500, starts, ends, starts - 1), 36500);
    CHECK_INT (refund_pro_rata (36500, starts, ends, ends), 0);
    CHECK_INT (refund_pro_rata (36500, starts, ends, ends - 1), 99);  //  36,500 / 366
    CHECK_INT (refund_pro_rata (0, starts, ends, starts), 0);
    //  A one-day contract: before it, all; on it, nothing.
    CHECK_INT (refund_pro_rata (999, starts, starts, starts - 1), 999);
    CHECK_INT (refund_pro_rata (999, starts, starts, starts), 0);
    //  The largest price the schema allows, over ten years: no overflow.
    int64_t decade = day_add_months (starts, 120) - 1;
    CHECK_INT (refund_pro_rata (1000000000000LL, starts, decade, starts + 3652 / 2),
               1000000000000LL * (decade - starts - 3652 / 2) / (decade - starts + 1));
}

int main (void)
{
    RUN (test_days_parse_and_format);
    RUN (test_months_keep_the_day_or_the_months_last);
    RUN (test_the_refund_is_pro_rata_by_days_rounded_down);
    return TEST_DONE ("test_contracts_rules");
}
