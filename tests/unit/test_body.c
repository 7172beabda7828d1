/*  Unit tests of shr_body. */
#include "shr_body.h"
#include "testutil.h"

#include <stdlib.h>

static void test_readers_fall_back (void)
{
    cJSON *body = cJSON_Parse ("{\"s\":\"x\",\"n\":42,\"b\":true,\"z\":null}");
    CHECK_STR (shr_body_string (body, "s"), "x");
    CHECK (shr_body_string (body, "n") == NULL);
    CHECK (shr_body_string (body, "missing") == NULL);
    CHECK_INT (shr_body_int (body, "n", 7), 42);
    CHECK_INT (shr_body_int (body, "s", 7), 7);
    CHECK (shr_body_bool (body, "b", false));
    CHECK (shr_body_bool (body, "z", true));
    CHECK (shr_body_has (body, "z"));
    CHECK (!shr_body_has (body, "missing"));
    cJSON_Delete (body);
}

static void test_builders_follow_the_conventions (void)
{
    cJSON *body = cJSON_CreateObject ();
    shr_body_add_time (body, "at", 1795753437123LL);
    shr_body_add_time (body, "never", 0);
    shr_body_add_string (body, "name", "Li");
    shr_body_add_string (body, "empty", "");
    shr_body_add_string (body, "none", NULL);
    shr_body_add_int (body, "cents", 123456789012LL);
    char *text = cJSON_PrintUnformatted (body);
    CHECK_STR (text, "{\"at\":\"2026-11-27T04:23:57.123Z\",\"never\":null,\"name\":\"Li\","
                     "\"empty\":null,\"none\":null,\"cents\":123456789012}");
    free (text);
    cJSON_Delete (body);
}

int main (void)
{
    RUN (test_readers_fall_back);
    RUN (test_builders_follow_the_conventions);
    return TEST_DONE ("test_body");
}
