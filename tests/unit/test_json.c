/*  Unit tests of shr_json: same JSON as cJSON prints, integers without printf. */
#include "shr_json.h"
#include "testutil.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

static void s_same_as_cjson (const char *input)
{
    cJSON *tree = cJSON_Parse (input);
    CHECK (tree);
    char *ours = shr_json_print (tree);
    cJSON *back = cJSON_Parse (ours);
    if (!cJSON_Compare (tree, back, true)) {
        fprintf (stderr, "  %s printed as %s\n", input, ours);
        CHECK (0);
    }
    cJSON_Delete (back);
    free (ours);
    cJSON_Delete (tree);
}

static void test_prints_what_it_parses (void)
{
    s_same_as_cjson ("{}");
    s_same_as_cjson ("[]");
    s_same_as_cjson ("{\"a\":[1,2,{\"b\":null}],\"c\":true,\"d\":false,\"e\":\"x\"}");
    s_same_as_cjson ("[0,-0,1,-1,2147483648,-9007199254740991,9007199254740993,1e300]");
    s_same_as_cjson ("[0.1,-2.5,3.141592653589793,1e-7,123456.789]");
    s_same_as_cjson ("[\"quote\\\" backslash\\\\ nl\\n tab\\t ctl\\u0001 \\u00e9 \xe2\x82\xac\"]");
    s_same_as_cjson ("{\"k\\\"ey\":\"v\"}");
}

static void test_integers_are_exact (void)
{
    cJSON *tree = cJSON_Parse ("[12345678901,-42,0,9007199254740991]");
    char *text = shr_json_print (tree);
    CHECK_STR (text, "[12345678901,-42,0,9007199254740991]");
    free (text);
    cJSON_Delete (tree);
    shr_json_t *json = shr_json_new ();
    shr_json_int (json, INT64_MIN);
    shr_json_raw (json, ",");
    shr_json_int (json, INT64_MAX);
    CHECK_STR (shr_json_text (json), "-9223372036854775808,9223372036854775807");
    shr_json_destroy (&json);
    shr_json_destroy (&json);
    CHECK (json == NULL);
}

static void test_fractions_round_trip (void)
{
    double values[] = {0.1, 1.0 / 3, 2.5e-300, -123.456, 1e21 + 0.5};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        cJSON *number = cJSON_CreateNumber (values[i]);
        char *text = shr_json_print (number);
        CHECK (strtod (text, NULL) == values[i]);
        free (text);
        cJSON_Delete (number);
    }
    cJSON *nan = cJSON_CreateNumber (NAN);
    char *text = shr_json_print (nan);
    CHECK_STR (text, "null");
    free (text);
    cJSON_Delete (nan);
}

static void test_builder_composes_envelopes (void)
{
    shr_json_t *json = shr_json_new ();
    cJSON *body = cJSON_Parse ("{\"n\":5}");
    shr_json_raw (json, "{\"v\":1,\"id\":");
    shr_json_string (json, "c-\"1\"");
    shr_json_raw (json, ",\"body\":");
    shr_json_value (json, body);
    shr_json_raw (json, ",\"none\":");
    shr_json_string (json, NULL);
    shr_json_raw (json, "}");
    CHECK_STR (shr_json_text (json), "{\"v\":1,\"id\":\"c-\\\"1\\\"\",\"body\":{\"n\":5},\"none\":null}");
    CHECK_INT (shr_json_length (json), strlen (shr_json_text (json)));
    char *text = shr_json_take (json);
    CHECK_STR (shr_json_text (json), "");
    shr_json_raw (json, "[]");
    CHECK_STR (shr_json_text (json), "[]");
    shr_json_reset (json);
    CHECK_INT (shr_json_length (json), 0);
    free (text);
    cJSON_Delete (body);
    cJSON *raw = cJSON_CreateRaw ("{\"already\":\"json\"}");
    text = shr_json_print (raw);
    CHECK_STR (text, "{\"already\":\"json\"}");
    free (text);
    cJSON_Delete (raw);
    shr_json_destroy (&json);
}

static void test_string_with_length_keeps_zero_bytes (void)
{
    shr_json_t *json = shr_json_new ();
    shr_json_string_length (json, "a\0b\n\"", 5);
    shr_json_raw (json, ",");
    shr_json_string_length (json, "", 0);
    shr_json_raw (json, ",");
    shr_json_string (json, "a\0b");  //  a C string ends at its 0
    CHECK_STR (shr_json_text (json), "\"a\\u0000b\\n\\\"\",\"\",\"a\"");
    shr_json_destroy (&json);
}

static void test_random_trees (void)
{
    srand (7);
    for (int round = 0; round < 500; round++) {
        cJSON *tree = cJSON_CreateObject ();
        for (int i = 0; i < 8; i++) {
            char key[16];
            snprintf (key, sizeof key, "k%d", i);
            int kind = rand () % 4;
            if (kind == 0)
                cJSON_AddNumberToObject (tree, key, (double) (rand () - RAND_MAX / 2) * 1000);
            else if (kind == 1)
                cJSON_AddNumberToObject (tree, key, (double) rand () / 7.0);
            else if (kind == 2) {
                char text[8];
                for (int c = 0; c < 7; c++)
                    text[c] = (char) (1 + rand () % 126);
                text[7] = 0;
                cJSON_AddStringToObject (tree, key, text);
            }
            else
                cJSON_AddBoolToObject (tree, key, rand () % 2);
        }
        char *ours = shr_json_print (tree);
        cJSON *back = cJSON_Parse (ours);
        CHECK (cJSON_Compare (tree, back, true));
        cJSON_Delete (back);
        free (ours);
        cJSON_Delete (tree);
    }
}

int main (void)
{
    RUN (test_prints_what_it_parses);
    RUN (test_integers_are_exact);
    RUN (test_fractions_round_trip);
    RUN (test_builder_composes_envelopes);
    RUN (test_string_with_length_keeps_zero_bytes);
    RUN (test_random_trees);
    return TEST_DONE ("test_json");
}
