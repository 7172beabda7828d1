/*  Unit tests of shr_msg: decoding requests, encoding replies, error codes. */
#include "shr_msg.h"
#include "testutil.h"

#include <stdlib.h>

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
    RUN (test_encodes_replies);
    RUN (test_code_names);
    shr_schema_destroy (&s_schemas);
    return TEST_DONE ("test_msg");
}
