/*  Unit tests of shr_msg: decoding requests, encoding replies, error codes. */
#include "shr_msg.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static shr_schema_t *s_schemas;

//  Decodes text; returns 0 or -1 and leaves the error in err.
static int s_decode (const char *text, shr_request_t *req, shr_error_t *err)
{
    memset (req, 0, sizeof *req);
    memset (err, 0, sizeof *err);
    return shr_request_decode (req, text, strlen (text), s_schemas, "envelope/request.json", err);
}

static void s_expect_error (const char *text, const char *field, const char *words)
{
    shr_request_t req;
    shr_error_t err;
    int rc = s_decode (text, &req, &err);
    CHECK_INT (rc, -1);
    CHECK_INT (err.code, SHR_INVALID_ARGUMENT);
    if (field)
        CHECK_STR (err.field, field);
    if (!strstr (err.message, words)) {
        fprintf (stderr, "  message \"%s\" lacks \"%s\" (input %.60s)\n", err.message, words, text);
        CHECK (0);
    }
    shr_request_reset (&req);
}

static void test_decodes_a_request (void)
{
    shr_request_t req;
    shr_error_t err;
    CHECK (s_decode ("{\"v\":1,\"id\":\"c-17\",\"op\":\"workorder.create\",\"idem\":\"crm-8812\","
                     "\"body\":{\"priority\":\"high\"}}",
                     &req, &err)
           == 0);
    CHECK_STR (req.id, "c-17");
    CHECK_STR (req.op, "workorder.create");
    CHECK_STR (req.idem, "crm-8812");
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (req.body, "priority")), "high");
    shr_request_reset (&req);
    CHECK (req.root == NULL);

    CHECK (s_decode (" {\"v\":1,\"id\":\"x\",\"op\":\"sys.ping\"}\n", &req, &err) == 0);
    CHECK (cJSON_IsObject (req.body));
    CHECK (req.idem == NULL);
    shr_request_reset (&req);
}

static void test_rejects_what_is_not_a_request (void)
{
    s_expect_error ("", "", "empty frame");
    s_expect_error ("{\"v\":1,", "", "not valid JSON");
    s_expect_error ("nonsense", "", "not valid JSON");
    s_expect_error ("{} {}", "", "text after the value");
    s_expect_error ("[1,2]", "", "got an array");
    s_expect_error ("\"text\"", "", "got a string");
    s_expect_error ("42", "", "got a number");
    s_expect_error ("null", "", "got null");
    s_expect_error ("{\"v\":1,\"id\":\"\xff\xfe\",\"op\":\"a.b\"}", "", "UTF-8");
    s_expect_error ("{\"v\":1,\"id\":\"\xed\xa0\x80\",\"op\":\"a.b\"}", "", "UTF-8");  //  surrogate
    s_expect_error ("{\"v\":1,\"id\":\"\xc0\xaf\",\"op\":\"a.b\"}", "", "UTF-8");      //  overlong
}

static void test_envelope_fields_are_checked (void)
{
    s_expect_error ("{\"id\":\"a\",\"op\":\"a.b\"}", "/v", "required");
    s_expect_error ("{\"v\":2,\"id\":\"a\",\"op\":\"a.b\"}", "/v", "");
    s_expect_error ("{\"v\":1,\"id\":7,\"op\":\"a.b\"}", "/id", "string");
    s_expect_error ("{\"v\":1,\"id\":\"\",\"op\":\"a.b\"}", "/id", "");
    s_expect_error ("{\"v\":1,\"id\":\"a\"}", "/op", "required");
    s_expect_error ("{\"v\":1,\"id\":\"a\",\"op\":\"DROP TABLE\"}", "/op", "pattern");
    s_expect_error ("{\"v\":1,\"id\":\"a\",\"op\":\"a.b\",\"body\":[]}", "/body", "object");
    s_expect_error ("{\"v\":1,\"id\":\"a\",\"op\":\"a.b\",\"idem\":5}", "/idem", "string");
    s_expect_error ("{\"v\":1,\"id\":\"a\",\"op\":\"a.b\",\"extra\":1}", "/extra", "");
}

static void test_id_is_kept_for_the_error_reply (void)
{
    shr_request_t req;
    shr_error_t err;
    CHECK (s_decode ("{\"v\":1,\"id\":\"c-9\",\"op\":7}", &req, &err) == -1);
    CHECK_STR (req.id, "c-9");
    shr_request_reset (&req);
}

static void test_limits (void)
{
    //  Over 1 MiB: refused before parsing.
    size_t size = SHR_MSG_MAX_SIZE + 1;
    char *big = (char *) malloc (size + 1);
    memset (big, ' ', size);
    big[size] = 0;
    big[0] = '{';
    big[size - 1] = '}';
    s_expect_error (big, "", "limit");
    free (big);

    //  10,000 levels deep: refused by the scan, no recursion.
    size_t depth = 10000;
    char *deep = (char *) malloc (2 * depth + 1);
    memset (deep, '[', depth);
    memset (deep + depth, ']', depth);
    deep[2 * depth] = 0;
    s_expect_error (deep, "", "nests deeper");
    free (deep);

    //  Brackets inside strings do not count.
    char text[400] = "{\"v\":1,\"id\":\"";
    for (int i = 0; i < 100; i++)
        strcat (text, "[");
    strcat (text, "\",\"op\":\"a.b\"}");
    shr_request_t req;
    shr_error_t err;
    CHECK (s_decode (text, &req, &err) == 0);
    shr_request_reset (&req);
}

//  Decodes text, which must be refused for the U+0000 at field (a key's U+0000
//  in field as C0 80, written \300\200 below), with the reply echoing id (NULL: null).
static void s_expect_nul (const char *text, const char *field, const char *id)
{
    shr_request_t req;
    shr_error_t err;
    CHECK_INT (s_decode (text, &req, &err), -1);
    CHECK_INT (err.code, SHR_INVALID_ARGUMENT);
    CHECK_STR (err.field, field);
    if (!strstr (err.message, "a string may not contain U+0000")) {
        fprintf (stderr, "  message \"%s\" (input %.80s)\n", err.message, text);
        CHECK (0);
    }
    if (id)
        CHECK_STR (req.id, id);
    else if (req.id) {
        fprintf (stderr, "  id \"%s\" echoed (input %.80s)\n", req.id, text);
        CHECK (0);
    }
    shr_request_reset (&req);
}

#define S_ENV "{\"v\":1,\"id\":\"c-1\",\"op\":\"a.b\",\"body\":"

static void test_nul_in_a_string_is_refused_with_its_pointer (void)
{
    //  The example of the issue: stored as "AC not" before.
    s_expect_nul (S_ENV "{\"description\":\"AC not\\u0000 cooling\"}}", "/body/description", "c-1");
    //  Nested objects and arrays, arrays of arrays, the first U+0000 of several.
    s_expect_nul (S_ENV "{\"a\":{\"b\":{\"c\":\"x\\u0000\"}}}}", "/body/a/b/c", "c-1");
    s_expect_nul (S_ENV "{\"id\":\"WO-1\",\"parts_used\":[{\"part_id\":\"P-1\",\"qty\":1},"
                        "{\"qty\":2,\"part_id\":\"P\\u0000\"}]}}",
                  "/body/parts_used/1/part_id", "c-1");
    s_expect_nul (S_ENV "{\"tags\":[\"a\",\"b\",\"\\u0000\"]}}", "/body/tags/2", "c-1");
    s_expect_nul (S_ENV "{\"m\":[[1,\"x\",[]],[{},\"\\u0000\"]]}}", "/body/m/1/1", "c-1");
    s_expect_nul (S_ENV
                  "{\"a\":[true,null,-1.5e3,{\"k\":[]}],\"b\":\"\\u0000\",\"c\":\"\\u0000\"}}",
                  "/body/b", "c-1");
    s_expect_nul (S_ENV " { \"a\" : [ 1 , \"\\u0000\" ] } }", "/body/a/1", "c-1");
    //  Anywhere in the string, whatever the escapes around it.
    s_expect_nul (S_ENV "{\"x\":\"\\u0000\"}}", "/body/x", "c-1");
    s_expect_nul (S_ENV "{\"x\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\u0000\"}}", "/body/x", "c-1");
    s_expect_nul (S_ENV "{\"x\":\"\\ud83d\\ude00\\u0000\\ud83d\\ude00\"}}", "/body/x", "c-1");
    s_expect_nul (S_ENV "{\"x\":\"\\\\\\u0000\"}}", "/body/x", "c-1");  //  \\ then \u0000
}

static void test_nul_in_the_envelope (void)
{
    //  In the id: the reply's id is null, never the cut "T-1".
    s_expect_nul ("{\"v\":1,\"id\":\"T-1\\u0000x\",\"op\":\"a.b\"}", "/id", NULL);
    s_expect_nul ("{\"v\":1,\"id\":\"\\u0000\",\"op\":\"a.b\"}", "/id", NULL);
    //  Elsewhere, the id is echoed, even when it comes after the U+0000.
    s_expect_nul ("{\"v\":1,\"op\":\"a.b\\u0000\",\"id\":\"c-2\"}", "/op", "c-2");
    s_expect_nul ("{\"v\":1,\"id\":\"c-3\",\"op\":\"a.b\",\"idem\":\"k\\u0000\"}", "/idem", "c-3");
    //  The first U+0000 is named; a later one in the id still keeps the id out.
    s_expect_nul ("{\"v\":1,\"body\":{\"x\":\"\\u0000\"},\"op\":\"a.b\",\"id\":\"T\\u0000x\"}",
                  "/body/x", NULL);
    //  Before the envelope schema: an op that would fail its pattern is named for U+0000.
    s_expect_nul ("{\"v\":1,\"id\":\"c-4\",\"op\":\"\\u0000\"}", "/op", "c-4");
}

static void test_nul_in_a_key (void)
{
    //  The pointer of the member, with its U+0000 (C0 80 in the C string).
    s_expect_nul (S_ENV "{\"a\\u0000b\":1}}", "/body/a\300\200b", "c-1");
    s_expect_nul (S_ENV "{\"x\":{\"\\u0000\":\"v\"}}}", "/body/x/\300\200", "c-1");
    s_expect_nul ("{\"v\":1,\"id\":\"c-1\",\"op\":\"a.b\",\"body\\u0000\":{}}", "/body\300\200",
                  "c-1");
    //  A key cJSON would read as "id": that member's value is not echoed...
    s_expect_nul ("{\"v\":1,\"id\\u0000\":\"evil\",\"id\":\"c-1\",\"op\":\"a.b\"}", "/id\300\200",
                  NULL);
    s_expect_nul ("{\"v\":1,\"i\\u0064\\u0000zz\":\"evil\",\"op\":\"a.b\"}", "/id\300\200zz", NULL);
    //  ... but the real id, first, is.
    s_expect_nul ("{\"v\":1,\"id\":\"c-5\",\"op\":\"a.b\",\"id\\u0000\":\"evil\"}", "/id\300\200",
                  "c-5");
    s_expect_nul ("{\"v\":1,\"idx\":\"\\u0000\",\"id\":\"c-6\",\"op\":\"a.b\"}", "/idx", "c-6");

    //  The reply carries the exact pointer, U+0000 included.
    shr_request_t req;
    shr_error_t err;
    CHECK_INT (s_decode (S_ENV "{\"a\\u0000b\":1}}", &req, &err), -1);
    char *text = shr_reply_encode_error (req.id, &err);
    CHECK (text && strstr (text, "\"field\":\"/body/a\\u0000b\""));
    CHECK (text
           && strstr (text, "\"message\":\"/body/a\\\\u0000b: a string may not contain U+0000"));
    free (text);
    shr_request_reset (&req);
}

static void test_nul_pointer_escapes (void)
{
    //  ~ and / as ~0 and ~1, however the key spells them.
    s_expect_nul (S_ENV "{\"a~b/c\":{\"d\":\"\\u0000\"}}}", "/body/a~0b~1c/d", "c-1");
    s_expect_nul (S_ENV "{\"x\\/y\\u007e\":\"\\u0000\"}}", "/body/x~1y~0", "c-1");
    //  Other escapes decoded: quote, backslash, control characters, UTF-8.
    s_expect_nul (S_ENV "{\"a\\\"b\":\"\\u0000\"}}", "/body/a\"b", "c-1");
    s_expect_nul (S_ENV "{\"a\\\\b\":\"\\u0000\"}}", "/body/a\\b", "c-1");
    s_expect_nul (S_ENV "{\"t\\tn\\n\":\"\\u0000\"}}", "/body/t\tn\n", "c-1");
    s_expect_nul (S_ENV "{\"\\u00e9t\\u00C9\xe2\x82\xac\":\"\\u0000\"}}",
                  "/body/\xc3\xa9t\xc3\x89\xe2\x82\xac", "c-1");
    //  A surrogate pair is one code point, four bytes.
    s_expect_nul (S_ENV "{\"\\ud83d\\ude00\":[\"\\u0000\"]}}", "/body/\xf0\x9f\x98\x80/0", "c-1");
    s_expect_nul (S_ENV "{\"\\uD83D\\uDE00\\u0000\":1}}", "/body/\xf0\x9f\x98\x80\300\200", "c-1");
    //  A key that ends in a backslash, then a U+0000 in the value.
    s_expect_nul (S_ENV "{\"k\\\\\":\"\\u0000\"}}", "/body/k\\", "c-1");
}

static void test_what_is_not_a_nul (void)
{
    shr_request_t req;
    shr_error_t err;
    //  A literal backslash followed by u0000 is six characters, not U+0000.
    CHECK_INT (s_decode (S_ENV "{\"x\":\"a\\\\u0000\",\"\\\\u0000\":1}}", &req, &err), 0);
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (req.body, "x")), "a\\u0000");
    CHECK (cJSON_GetObjectItem (req.body, "\\u0000") != NULL);
    shr_request_reset (&req);
    //  Other escapes and characters pass, whole.
    CHECK_INT (s_decode (S_ENV "{\"x\":\"a\\u0001\\n\\u00e9\\ud83d\\ude00\\u0100z\"}}", &req, &err),
               0);
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (req.body, "x")),
               "a\x01\n\xc3\xa9\xf0\x9f\x98\x80\xc4\x80z");
    shr_request_reset (&req);
    //  The scan says 1 for a \u0000, 0 for what only looks like one.
    CHECK_INT (shr_msg_scan ("\"\\u0000\"", 8, &err), 1);
    CHECK_INT (shr_msg_scan ("\"\\\\u0000\"", 9, &err), 0);
    CHECK_INT (shr_msg_scan ("\"\\u00000\"", 9, &err), 1);
    CHECK_INT (shr_msg_scan ("\"\\u0001\"", 8, &err), 0);
    CHECK_INT (shr_msg_scan ("\"\\u000", 6, &err), 0);  //  cut short: the parse refuses it
    //  A \u0000 in a frame that is not JSON: the syntax error comes first.
    s_expect_error ("{\"v\":1,\"id\":\"\\u0000\",", "", "not valid JSON");
}

//  Decodes size bytes (which may hold 0x00); must be refused naming a 0x00 byte.
static void s_expect_zero_byte (const char *text, size_t size, size_t at)
{
    shr_request_t req;
    shr_error_t err;
    memset (&req, 0, sizeof req);
    CHECK_INT (shr_request_decode (&req, text, size, s_schemas, "envelope/request.json", &err), -1);
    CHECK_INT (err.code, SHR_INVALID_ARGUMENT);
    CHECK_STR (err.field, "");
    char words[64];
    snprintf (words, sizeof words, "0x00 byte (at byte %zu)", at);
    if (!strstr (err.message, words) || !strstr (err.message, "a string may not contain U+0000")) {
        fprintf (stderr, "  message \"%s\" lacks \"%s\"\n", err.message, words);
        CHECK (0);
    }
    CHECK (req.id == NULL);
    shr_request_reset (&req);
}

static void test_a_zero_byte_is_refused (void)
{
    //  cJSON would cut the string at it, or take it for white space.
    const char in_string[] = "{\"v\":1,\"id\":\"a\",\"op\":\"a.b\",\"body\":{\"x\":\"A\0B\"}}";
    s_expect_zero_byte (in_string, sizeof in_string - 1, 41);
    const char between[] = "{\"v\":1,\0\"id\":\"a\",\"op\":\"a.b\"}";
    s_expect_zero_byte (between, sizeof between - 1, 7);
    const char in_id[] = "{\"v\":1,\"id\":\"T-1\0x\",\"op\":\"a.b\"}";
    s_expect_zero_byte (in_id, sizeof in_id - 1, 16);
    //  A C string's terminator sent with it.
    const char after[] = "{\"v\":1,\"id\":\"a\",\"op\":\"a.b\"}";
    s_expect_zero_byte (after, sizeof after, sizeof after - 1);
    s_expect_zero_byte ("\0", 1, 0);
}

static void test_nul_pointer_limits (void)
{
    //  64 levels deep (the most the scan takes), U+0000 at the bottom.
    char text[1024] = "{\"v\":1,\"id\":\"c-1\",\"op\":\"a.b\",\"body\":{\"a\":";
    char field[512] = "/body/a";
    for (int i = 0; i < 62; i++) {
        strcat (text, "[");
        strcat (field, "/0");
    }
    strcat (text, "\"\\u0000\"");
    for (int i = 0; i < 62; i++)
        strcat (text, "]");
    strcat (text, "}}");
    s_expect_nul (text, field, "c-1");

    //  A pointer longer than err.field is cut whole (never in a UTF-8 sequence or
    //  an escape), and the message says so and still ends with its words.
    char *long_text = (char *) malloc (4000);
    strcpy (long_text, S_ENV "{\"");
    for (int i = 0; i < 200; i++)
        strcat (long_text, "\xc3\xa9~");
    strcat (long_text, "\":\"\\u0000\"}}");
    shr_request_t req;
    shr_error_t err;
    CHECK_INT (s_decode (long_text, &req, &err), -1);
    CHECK_STR (req.id, "c-1");
    size_t n = strlen (err.field);
    CHECK (n < sizeof err.field && n > 200);
    CHECK (strncmp (err.field, "/body/\xc3\xa9~0\xc3\xa9~0", 14) == 0);
    //  Ends after a whole unit: "é" or "~0".
    if (strcmp (err.field + n - 2, "~0") != 0 && strcmp (err.field + n - 2, "\xc3\xa9") != 0) {
        fprintf (stderr, "  field ends with %02x %02x\n", (unsigned char) err.field[n - 2],
                 (unsigned char) err.field[n - 1]);
        CHECK (0);
    }
    CHECK (strstr (err.message, "...: a string may not contain U+0000") != NULL);
    shr_request_reset (&req);
    free (long_text);
}

static void test_encodes_replies (void)
{
    cJSON *body = cJSON_Parse ("{\"id\":\"WO-000042\"}");
    char *text = shr_reply_encode_ok ("c-17", body);
    CHECK_STR (text, "{\"v\":1,\"id\":\"c-17\",\"ok\":true,\"body\":{\"id\":\"WO-000042\"}}");
    free (text);
    cJSON_Delete (body);

    shr_error_t err;
    CHECK (shr_error_set (&err, SHR_NOT_FOUND, "/body/id", "no work order %s", "WO-1") == -1);
    text = shr_reply_encode_error (NULL, &err);
    CHECK_STR (text, "{\"v\":1,\"id\":null,\"ok\":false,\"error\":{\"code\":\"not_found\","
                     "\"message\":\"no work order WO-1\",\"field\":\"/body/id\"}}");
    free (text);

    text = shr_request_encode ("r1", "sys.ping", NULL, NULL);
    CHECK_STR (text, "{\"v\":1,\"id\":\"r1\",\"op\":\"sys.ping\",\"body\":{}}");
    free (text);
}

//  A message cut to fit its buffer ends on a whole character: "故障" is 3 bytes
//  a character, and 511 bytes of room end inside one unless the cut backs up.
static void test_error_is_cut_at_a_character (void)
{
    char text[700] = "";
    for (int i = 0; i < 230; i++)
        strcat (text, i % 2 ? "\xe9\x9a\x9c" : "\xe6\x95\x85");   //  故障...
    shr_error_t err;
    for (int shift = 0; shift < 3; shift++) {
        char shifted[704];
        snprintf (shifted, sizeof shifted, "%.*s%s", shift, "ab", text);
        shr_error_set (&err, SHR_INVALID_ARGUMENT, shifted, "%s", shifted);
        size_t length = strlen (err.message);
        CHECK (length <= sizeof err.message - 1 && length >= sizeof err.message - 4);
        CHECK_INT ((int) ((length - (size_t) shift) % 3), 0);
        CHECK_INT ((int) ((strlen (err.field) - (size_t) shift) % 3), 0);
    }
    shr_error_set (&err, SHR_NOT_FOUND, "", "%s", "short \xe6\x95\x85");
    CHECK_STR (err.message, "short \xe6\x95\x85");
}

static void test_code_names (void)
{
    CHECK_STR (shr_code_name (SHR_INVALID_ARGUMENT), "invalid_argument");
    CHECK_STR (shr_code_name (SHR_INTERNAL), "internal");
    CHECK_STR (shr_code_name ((shr_code_t) 99), "internal");
    for (int code = 1; code < SHR_CODE_COUNT; code++)
        CHECK_INT (shr_code_from_name (shr_code_name ((shr_code_t) code)), code);
    CHECK_INT (shr_code_from_name ("nope"), -1);
    CHECK_INT (shr_code_from_name (NULL), -1);
}

int main (void)
{
    char err[256];
    s_schemas = shr_schema_new ();
    if (shr_schema_load_dir (s_schemas, "schemas", err, sizeof err) < 0) {
        fprintf (stderr, "cannot load schemas: %s\n", err);
        return 1;
    }
    RUN (test_decodes_a_request);
    RUN (test_rejects_what_is_not_a_request);
    RUN (test_envelope_fields_are_checked);
    RUN (test_id_is_kept_for_the_error_reply);
    RUN (test_limits);
    RUN (test_nul_in_a_string_is_refused_with_its_pointer);
    RUN (test_nul_in_the_envelope);
    RUN (test_nul_in_a_key);
    RUN (test_nul_pointer_escapes);
    RUN (test_what_is_not_a_nul);
    RUN (test_a_zero_byte_is_refused);
    RUN (test_nul_pointer_limits);
    RUN (test_encodes_replies);
    RUN (test_error_is_cut_at_a_character);
    RUN (test_code_names);
    shr_schema_destroy (&s_schemas);
    return TEST_DONE ("test_msg");
}
