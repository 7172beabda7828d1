/*  Unit tests of shr_time. */
#include "shr_time.h"
#include "testutil.h"

static void test_format_epoch (void)
{
    char buf[SHR_TIME_LEN];
    shr_time_format (0, buf);
    CHECK_STR (buf, "1970-01-01T00:00:00.000Z");
    shr_time_format (1795753437123LL, buf);
    CHECK_STR (buf, "2026-11-27T04:23:57.123Z");
    shr_time_format (-1, buf);
    CHECK_STR (buf, "1969-12-31T23:59:59.999Z");
}

static void test_parse_round_trip (void)
{
    char buf[SHR_TIME_LEN];
    for (int64_t ms = -86400000LL * 400; ms < 86400000LL * 365 * 200; ms += 86400000LL * 7 + 3601017)
    {
        shr_time_format (ms, buf);
        int64_t back = 0;
        CHECK (shr_time_parse (buf, &back) == 0);
        CHECK_INT (back, ms);
    }
}

static void test_parse_offsets (void)
{
    int64_t a, b;
    CHECK (shr_time_parse ("2026-11-27T12:00:00+08:00", &a) == 0);
    CHECK (shr_time_parse ("2026-11-27T04:00:00Z", &b) == 0);
    CHECK_INT (a, b);
    CHECK (shr_time_parse ("2026-11-27t04:00:00.5z", &a) == 0);
    CHECK_INT (a, b + 500);
    CHECK (shr_time_parse ("2016-12-31T23:59:60Z", &a) == 0);  //  a leap second
}

static void test_parse_rejects (void)
{
    int64_t ms;
    const char *bad[] = {"", "2026-11-27", "2026-11-27T04:00:00", "2026-13-01T00:00:00Z",
                         "2026-02-29T00:00:00Z", "2026-11-31T00:00:00Z", "2026-11-27T24:00:00Z",
                         "2026-11-27T04:00:00.Z", "2026-11-27T04:00:00+0800",
                         "2026-11-27T04:00:00Zjunk", "26-11-27T04:00:00Z", NULL};
    for (int i = 0; bad[i]; i++)
        if (shr_time_parse (bad[i], &ms) != -1) {
            fprintf (stderr, "  accepted \"%s\"\n", bad[i]);
            CHECK (0);
        }
    CHECK (shr_time_parse ("2024-02-29T00:00:00Z", &ms) == 0);
}

static void test_clocks_move (void)
{
    int64_t wall = shr_time_now_ms ();
    CHECK (wall > 1700000000000LL);
    int64_t a = shr_time_mono_us (), b = shr_time_mono_us ();
    CHECK (b >= a);
}

int main (void)
{
    RUN (test_format_epoch);
    RUN (test_parse_round_trip);
    RUN (test_parse_offsets);
    RUN (test_parse_rejects);
    RUN (test_clocks_move);
    return TEST_DONE ("test_time");
}
