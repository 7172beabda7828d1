/*  Unit tests of shr_stats. */
#include "shr_stats.h"
#include "testutil.h"

#include <stdlib.h>

static void test_quantiles_within_bucket_error (void)
{
    shr_stats_t *stats = shr_stats_new ();
    for (int i = 1; i <= 10000; i++)
        shr_stats_record (stats, "op.a", i, i % 10 == 0);
    int64_t p50 = shr_stats_quantile (stats, "op.a", 0.5);
    int64_t p99 = shr_stats_quantile (stats, "op.a", 0.99);
    CHECK (p50 >= 5000 * 0.875 && p50 <= 5000 * 1.125);
    CHECK (p99 >= 9900 * 0.875 && p99 <= 9900 * 1.125);
    CHECK_INT (shr_stats_quantile (stats, "op.a", 1.0), 10000);
    CHECK_INT (shr_stats_quantile (stats, "none", 0.5), 0);
    cJSON *json = shr_stats_json (stats);
    cJSON *op = cJSON_GetArrayItem (cJSON_GetObjectItem (json, "ops"), 0);
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (op, "op")), "op.a");
    CHECK_INT (cJSON_GetNumberValue (cJSON_GetObjectItem (op, "count")), 10000);
    CHECK_INT (cJSON_GetNumberValue (cJSON_GetObjectItem (op, "errors")), 1000);
    CHECK_INT (cJSON_GetNumberValue (cJSON_GetObjectItem (op, "max_us")), 10000);
    cJSON_Delete (json);
    shr_stats_destroy (&stats);
    shr_stats_destroy (&stats);
    CHECK (stats == NULL);
}

static void test_small_and_huge_values (void)
{
    shr_stats_t *stats = shr_stats_new ();
    shr_stats_record (stats, "x", 0, false);
    shr_stats_record (stats, "x", 3, false);
    shr_stats_record (stats, "x", (int64_t) 1 << 50, false);
    CHECK_INT (shr_stats_quantile (stats, "x", 0.34), 0);
    CHECK_INT (shr_stats_quantile (stats, "x", 0.5), 3);
    CHECK (shr_stats_quantile (stats, "x", 1.0) > 0);
    shr_stats_destroy (&stats);
}

static void test_counters (void)
{
    shr_stats_t *stats = shr_stats_new ();
    CHECK_INT (shr_stats_get (stats, "events.applied"), 0);
    shr_stats_add (stats, "events.applied", 5);
    shr_stats_add (stats, "events.applied", 7);
    CHECK_INT (shr_stats_get (stats, "events.applied"), 12);
    cJSON *json = shr_stats_json (stats);
    CHECK_INT (cJSON_GetNumberValue (
                   cJSON_GetObjectItem (cJSON_GetObjectItem (json, "counters"), "events.applied")),
               12);
    cJSON_Delete (json);
    shr_stats_destroy (&stats);
}

int main (void)
{
    RUN (test_quantiles_within_bucket_error);
    RUN (test_small_and_huge_values);
    RUN (test_counters);
    return TEST_DONE ("test_stats");
}
