/*  test_schema - shr_schema against the official JSON-Schema-Test-Suite (draft-07)
    plus the registry behaviour the services rely on: folders of files that $ref
    each other, error pointers and messages, load failures, the project schemas.

    The suite comes from Debian's json-schema-test-suite package; set
    JSON_SCHEMA_TEST_SUITE to use another checkout. Run from the repo root.
*/
#include "shr_schema.h"
#include "testutil.h"

#include <czmq.h>

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define METASCHEMA_FILE "/usr/lib/python3/dist-packages/jsonschema/schemas/draft7.json"
#define METASCHEMA_URI "http://json-schema.org/draft-07/schema"

static const char *s_suite_files [] = {
    "additionalItems.json", "additionalProperties.json", "allOf.json", "anyOf.json",
    "boolean_schema.json", "const.json", "contains.json", "default.json", "definitions.json",
    "dependencies.json", "enum.json", "exclusiveMaximum.json", "exclusiveMinimum.json",
    "if-then-else.json", "items.json", "maxItems.json", "maxLength.json", "maxProperties.json",
    "maximum.json", "minItems.json", "minLength.json", "minProperties.json", "minimum.json",
    "multipleOf.json", "not.json", "oneOf.json", "pattern.json", "patternProperties.json",
    "properties.json", "propertyNames.json", "ref.json", "refRemote.json", "required.json",
    "type.json", "uniqueItems.json", "optional/format/date-time.json",
};

//  --------------------------------------------------------------------------
//  Helpers

static cJSON *s_read_json (const char *path)
{
    zchunk_t *chunk = zchunk_slurp (path, 0);
    if (!chunk)
        return NULL;
    cJSON *json = cJSON_ParseWithLength ((const char *) zchunk_data (chunk), zchunk_size (chunk));
    zchunk_destroy (&chunk);
    return json;
}

static void s_write_file (const char *dir, const char *rel, const char *text)
{
    char path [1024];
    snprintf (path, sizeof (path), "%s/%s", dir, rel);
    //  Create the folders on the way.
    for (char *slash = strchr (path + strlen (dir) + 1, '/'); slash; slash = strchr (slash + 1, '/')) {
        *slash = '\0';
        mkdir (path, 0700);
        *slash = '/';
    }
    FILE *file = fopen (path, "wb");
    CHECK (file != NULL);
    if (file) {
        fputs (text, file);
        fclose (file);
    }
}

static void s_remove_tree (const char *path)
{
    struct stat st;
    if (lstat (path, &st))
        return;
    if (S_ISDIR (st.st_mode)) {
        DIR *dir = opendir (path);
        struct dirent *entry;
        while (dir && (entry = readdir (dir))) {
            if (strcmp (entry->d_name, ".") == 0 || strcmp (entry->d_name, "..") == 0)
                continue;
            char sub [1400];
            snprintf (sub, sizeof (sub), "%s/%s", path, entry->d_name);
            s_remove_tree (sub);
        }
        if (dir)
            closedir (dir);
        rmdir (path);
    }
    else
        unlink (path);
}

static char *s_temp_dir (void)
{
    char templ [] = "/tmp/test_schema.XXXXXX";
    char *dir = mkdtemp (templ);
    return dir ? strdup (dir) : NULL;
}

//  Adds a schema given as text; returns shr_schema_add's result.
static int s_add_text (shr_schema_t *self, const char *uri, const char *text)
{
    cJSON *doc = cJSON_Parse (text);
    CHECK (doc != NULL);
    char err [512] = "";
    int rc = shr_schema_add (self, uri, &doc, err, sizeof (err));
    CHECK (doc == NULL);
    if (rc)
        fprintf (stderr, "  add %s: %s\n", uri, err);
    return rc;
}

//  Validates instance text; returns the validator's result, err filled.
static int s_check (shr_schema_t *self, const char *name, const char *text, const char *prefix,
                    shr_schema_error_t *err)
{
    cJSON *inst = cJSON_Parse (text);
    CHECK (inst != NULL);
    if (!inst)
        return -2;
    int rc = shr_schema_validate (self, name, inst, prefix, err);
    cJSON_Delete (inst);
    return rc;
}

//  --------------------------------------------------------------------------
//  The official suite

static const char *s_suite_root (void)
{
    const char *root = getenv ("JSON_SCHEMA_TEST_SUITE");
    return root && *root ? root : "/usr/share/json-schema-test-suite";
}

//  Registers every file below remotes/ as http://localhost:1234/<relpath>.
static int s_add_remotes (shr_schema_t *self, const char *root, const char *rel)
{
    char dir [1024];
    snprintf (dir, sizeof (dir), "%s%s%s", root, *rel ? "/" : "", rel);
    struct dirent **entries;
    int count = scandir (dir, &entries, NULL, alphasort);
    if (count < 0) {
        fprintf (stderr, "  cannot read %s: %s\n", dir, strerror (errno));
        return -1;
    }
    int added = 0;
    for (int i = 0; i < count; i++) {
        const char *name = entries [i]->d_name;
        char path [1400], sub [1400];
        snprintf (path, sizeof (path), "%s/%s", dir, name);
        snprintf (sub, sizeof (sub), "%s%s%s", rel, *rel ? "/" : "", name);
        struct stat st;
        if (name [0] != '.' && stat (path, &st) == 0) {
            if (S_ISDIR (st.st_mode))
                added += s_add_remotes (self, root, sub);
            else {
                char uri [1500];
                snprintf (uri, sizeof (uri), "http://localhost:1234/%s", sub);
                cJSON *doc = s_read_json (path);
                char err [512] = "";
                if (!doc || shr_schema_add (self, uri, &doc, err, sizeof (err)))
                    fprintf (stderr, "  remote %s: %s\n", path, doc ? err : "unreadable JSON");
                else
                    added++;
                cJSON_Delete (doc);
            }
        }
        free (entries [i]);
    }
    free (entries);
    return added;
}

static void s_run_suite_file (shr_schema_t *self, const char *root, const char *name,
                              int *total_passed, int *total_failed)
{
    char path [1024];
    snprintf (path, sizeof (path), "%s/tests/draft7/%s", root, name);
    cJSON *groups = s_read_json (path);
    int passed = 0, failed = 0;
    if (!cJSON_IsArray (groups)) {
        fprintf (stderr, "SUITE %s: cannot read\n", path);
        COUNT (false);
        failed++;
    }
    int index = 0;
    for (const cJSON *group = groups ? groups->child : NULL; group; group = group->next, index++) {
        const char *gdesc = cJSON_GetStringValue (cJSON_GetObjectItem (group, "description"));
        const cJSON *tests = cJSON_GetObjectItem (group, "tests");
        char uri [1200], err [512] = "";
        snprintf (uri, sizeof (uri), "schema:/suite/%s/%d.json", name, index);
        cJSON *schema = cJSON_Duplicate (cJSON_GetObjectItem (group, "schema"), true);
        int added = shr_schema_add (self, uri, &schema, err, sizeof (err));
        for (const cJSON *test = tests ? tests->child : NULL; test; test = test->next) {
            const char *tdesc = cJSON_GetStringValue (cJSON_GetObjectItem (test, "description"));
            bool expect = cJSON_IsTrue (cJSON_GetObjectItem (test, "valid"));
            shr_schema_error_t verr;
            int rc = added ? -1 : shr_schema_validate (self, uri, cJSON_GetObjectItem (test, "data"),
                                                       NULL, &verr);
            bool ok = rc >= 0 && (rc == 0) == expect;
            COUNT (ok);
            if (ok)
                passed++;
            else {
                failed++;
                fprintf (stderr, "SUITE FAIL %s | %s | %s: expected %s, got %s (%s%s%s)\n", name,
                         gdesc ? gdesc : "?", tdesc ? tdesc : "?", expect ? "valid" : "invalid",
                         rc == 0 ? "valid" : rc == 1 ? "invalid" : "error",
                         added ? err : verr.pointer, added ? "" : " ", added ? "" : verr.message);
            }
        }
    }
    cJSON_Delete (groups);
    printf ("  suite %-32s %4d passed, %d failed\n", name, passed, failed);
    *total_passed += passed;
    *total_failed += failed;
}

static void s_run_suite (void)
{
    const char *root = s_suite_root ();
    shr_schema_t *self = shr_schema_new ();
    if (!self) {
        COUNT (false);
        return;
    }
    char remotes [1024], err [512] = "";
    snprintf (remotes, sizeof (remotes), "%s/remotes", root);
    if (s_add_remotes (self, remotes, "") <= 0) {
        fprintf (stderr, "SUITE: no remotes in %s\n", remotes);
        COUNT (false);
    }
    cJSON *meta = s_read_json (METASCHEMA_FILE);
    if (!meta || shr_schema_add (self, METASCHEMA_URI, &meta, err, sizeof (err))) {
        fprintf (stderr, "SUITE: metaschema %s: %s\n", METASCHEMA_FILE, meta ? err : "unreadable");
        cJSON_Delete (meta);
        COUNT (false);
    }
    int passed = 0, failed = 0;
    for (size_t i = 0; i < sizeof (s_suite_files) / sizeof (s_suite_files [0]); i++)
        s_run_suite_file (self, root, s_suite_files [i], &passed, &failed);
    printf ("  suite total: %d passed, %d failed\n", passed, failed);
    shr_schema_destroy (&self);
}

//  --------------------------------------------------------------------------
//  Focused tests

static void test_destroy_twice (void)
{
    shr_schema_t *self = shr_schema_new ();
    CHECK (self != NULL);
    shr_schema_destroy (&self);
    CHECK (self == NULL);
    shr_schema_destroy (&self);
    CHECK (self == NULL);
}

static void test_unknown_name (void)
{
    shr_schema_t *self = shr_schema_new ();
    CHECK (!shr_schema_has (self, "nope.json"));
    shr_schema_error_t err;
    CHECK_INT (s_check (self, "nope.json", "{}", "/body", &err), -1);
    CHECK (strstr (err.message, "nope.json") != NULL);
    CHECK_INT (s_check (self, "schema:/nope.json#/definitions/x", "{}", NULL, &err), -1);
    CHECK_INT (s_add_text (self, "schema:/a.json", "{\"definitions\": {\"x\": {\"type\": \"string\"}}}"), 0);
    CHECK (shr_schema_has (self, "a.json"));
    CHECK (shr_schema_has (self, "/a.json"));
    CHECK (shr_schema_has (self, "schema:/a.json"));
    CHECK (shr_schema_has (self, "a.json#/definitions/x"));
    CHECK (!shr_schema_has (self, "a.json#/definitions/y"));
    CHECK_INT (s_check (self, "a.json#/definitions/x", "\"s\"", NULL, &err), 0);
    CHECK_INT (s_check (self, "a.json#/definitions/x", "1", NULL, &err), 1);
    //  NULL error sink is allowed.
    cJSON *one = cJSON_CreateNumber (1);
    CHECK_INT (shr_schema_validate (self, "a.json#/definitions/x", one, NULL, NULL), 1);
    CHECK_INT (shr_schema_validate (self, "missing.json", one, NULL, NULL), -1);
    cJSON_Delete (one);
    shr_schema_destroy (&self);
}

static void test_add_errors (void)
{
    shr_schema_t *self = shr_schema_new ();
    char err [512] = "";
    cJSON *doc = cJSON_Parse ("{\"type\": 5}");
    CHECK_INT (shr_schema_add (self, "schema:/bad.json", &doc, err, sizeof (err)), -1);
    CHECK (doc == NULL);
    CHECK (strstr (err, "type") != NULL);
    CHECK (!shr_schema_has (self, "bad.json"));

    doc = cJSON_Parse ("{\"properties\": {\"a\": {\"pattern\": \"(unclosed\"}}}");
    CHECK_INT (shr_schema_add (self, "schema:/re.json", &doc, err, sizeof (err)), -1);
    CHECK (strstr (err, "bad regex") != NULL);
    CHECK (strstr (err, "/properties/a") != NULL);

    doc = cJSON_Parse ("[1, 2]");
    CHECK_INT (shr_schema_add (self, "schema:/arr.json", &doc, err, sizeof (err)), -1);
    CHECK (strstr (err, "object or a boolean") != NULL);

    doc = cJSON_Parse ("true");
    CHECK_INT (shr_schema_add (self, "schema:/t.json", &doc, err, sizeof (err)), 0);
    doc = cJSON_Parse ("true");
    CHECK_INT (shr_schema_add (self, "schema:/t.json", &doc, err, sizeof (err)), -1);
    CHECK (strstr (err, "already registered") != NULL);
    CHECK (doc == NULL);

    doc = cJSON_Parse ("{}");
    CHECK_INT (shr_schema_add (self, "relative.json", &doc, err, sizeof (err)), -1);
    CHECK (doc == NULL);
    shr_schema_destroy (&self);
}

//  A typical request body, as services validate it.
static const char *s_workorder_schema =
    "{\"type\": \"object\","
    " \"required\": [\"id\", \"customer_id\", \"priority\"],"
    " \"additionalProperties\": false,"
    " \"properties\": {"
    "   \"v\": {\"const\": 1},"
    "   \"id\": {\"type\": \"string\", \"pattern\": \"^WO-[0-9]+$\"},"
    "   \"customer_id\": {\"type\": \"integer\", \"minimum\": 1},"
    "   \"priority\": {\"enum\": [\"low\", \"normal\", \"high\", \"urgent\"]},"
    "   \"title\": {\"type\": \"string\", \"minLength\": 1, \"maxLength\": 64},"
    "   \"due\": {\"type\": \"string\", \"format\": \"date-time\"},"
    "   \"a/b~c\": {\"type\": \"integer\"},"
    "   \"contact\": {\"oneOf\": [{\"type\": \"string\"}, {\"type\": \"string\", \"minLength\": 3}]},"
    "   \"customer\": {\"type\": \"object\", \"properties\": {"
    "       \"address\": {\"type\": \"object\", \"properties\": {\"zip\": {\"type\": \"string\"}}}}},"
    "   \"lines\": {\"type\": \"array\", \"items\": {\"type\": \"object\", \"required\": [\"sku\"],"
    "       \"properties\": {\"sku\": {\"type\": \"string\"}, \"qty\": {\"type\": \"integer\", \"minimum\": 1}}}}"
    " }}";

static void s_expect (shr_schema_t *self, const char *text, const char *pointer, const char *message)
{
    shr_schema_error_t err;
    int rc = s_check (self, "wo.json", text, "/body", &err);
    CHECK_INT (rc, 1);
    if (rc == 1) {
        CHECK_STR (err.pointer, pointer);
        CHECK_STR (err.message, message);
    }
}

static void test_errors (void)
{
    shr_schema_t *self = shr_schema_new ();
    CHECK_INT (s_add_text (self, "schema:/wo.json", s_workorder_schema), 0);
    shr_schema_error_t err;
    CHECK_INT (s_check (self, "wo.json",
                        "{\"id\": \"WO-1\", \"customer_id\": 7, \"priority\": \"low\","
                        " \"lines\": [{\"sku\": \"A\", \"qty\": 1.0}], \"due\": \"2024-02-29T23:59:60Z\"}",
                        "/body", &err), 0);
    s_expect (self, "{\"id\": \"WO-1\", \"priority\": \"low\"}", "/body/customer_id", "is required");
    s_expect (self, "{\"id\": \"WO-1\", \"customer_id\": 7, \"priority\": \"low\", \"bogus\": 1}",
              "/body/bogus", "is not allowed (additionalProperties is false)");
    s_expect (self, "{\"id\": \"WO-1\", \"customer_id\": 7, \"priority\": \"asap\"}", "/body/priority",
              "must be one of \"low\", \"normal\", \"high\", \"urgent\"");
    s_expect (self, "{\"id\": \"WO-1\", \"customer_id\": \"7\", \"priority\": \"low\"}",
              "/body/customer_id", "must be of type integer, got string");
    s_expect (self, "{\"id\": \"WO-1\", \"customer_id\": 0, \"priority\": \"low\"}",
              "/body/customer_id", "must be at least 1");
    s_expect (self, "{\"id\": \"WO-x\", \"customer_id\": 1, \"priority\": \"low\"}", "/body/id",
              "must match pattern ^WO-[0-9]+$");
    s_expect (self, "{\"id\": \"WO-1\", \"customer_id\": 1, \"priority\": \"low\", \"title\": \"\"}",
              "/body/title", "must be at least 1 characters long");
    s_expect (self,
              "{\"id\": \"WO-1\", \"customer_id\": 1, \"priority\": \"low\", \"title\":"
              " \"0123456789012345678901234567890123456789012345678901234567890123x\"}",
              "/body/title", "must be at most 64 characters long");
    //  64 two-byte characters are 64 characters, not 128.
    char title [400];
    strcpy (title, "{\"id\": \"WO-1\", \"customer_id\": 1, \"priority\": \"low\", \"title\": \"");
    for (int i = 0; i < 64; i++)
        strcat (title, "\xc3\xa9");
    strcat (title, "\"}");
    CHECK_INT (s_check (self, "wo.json", title, "/body", &err), 0);
    s_expect (self, "{\"id\": \"WO-1\", \"customer_id\": 1, \"priority\": \"low\", \"due\": \"2024-02-30T10:00:00Z\"}",
              "/body/due", "must be an RFC 3339 date-time");
    s_expect (self, "{\"id\": \"WO-1\", \"customer_id\": 1, \"priority\": \"low\", \"due\": \"2024-01-01T10:00:00\"}",
              "/body/due", "must be an RFC 3339 date-time");
    s_expect (self, "{\"id\": \"WO-1\", \"customer_id\": 1, \"priority\": \"low\", \"v\": 2}", "/body/v",
              "must be equal to 1");
    s_expect (self, "{\"id\": \"WO-1\", \"customer_id\": 1, \"priority\": \"low\", \"a/b~c\": \"x\"}",
              "/body/a~1b~0c", "must be of type integer, got string");
    s_expect (self,
              "{\"id\": \"WO-1\", \"customer_id\": 1, \"priority\": \"low\","
              " \"customer\": {\"address\": {\"zip\": 12345}}}",
              "/body/customer/address/zip", "must be of type string, got integer");
    s_expect (self,
              "{\"id\": \"WO-1\", \"customer_id\": 1, \"priority\": \"low\","
              " \"lines\": [{\"sku\": \"A\"}, {\"qty\": 2}]}",
              "/body/lines/1/sku", "is required");
    s_expect (self,
              "{\"id\": \"WO-1\", \"customer_id\": 1, \"priority\": \"low\","
              " \"lines\": [{\"sku\": \"A\"}, {\"sku\": \"B\", \"qty\": 0.5}]}",
              "/body/lines/1/qty", "must be of type integer, got number");
    s_expect (self, "{\"id\": \"WO-1\", \"customer_id\": 1, \"priority\": \"low\", \"contact\": \"abcd\"}",
              "/body/contact", "must match exactly one of the oneOf schemas (matched 2)");
    //  No prefix: the pointer is the instance's own.
    CHECK_INT (s_check (self, "wo.json", "{\"id\": 5, \"customer_id\": 1, \"priority\": \"low\"}", NULL, &err), 1);
    CHECK_STR (err.pointer, "/id");
    CHECK_INT (s_check (self, "wo.json", "[]", "", &err), 1);
    CHECK_STR (err.pointer, "");
    CHECK_STR (err.message, "must be of type object, got array");
    shr_schema_destroy (&self);
}

static void test_any_of_message (void)
{
    shr_schema_t *self = shr_schema_new ();
    CHECK_INT (s_add_text (self, "schema:/any.json",
                           "{\"anyOf\": [{\"type\": \"null\"},"
                           " {\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"object\","
                           "  \"properties\": {\"b\": {\"maximum\": 3}}}}}]}"), 0);
    shr_schema_error_t err;
    CHECK_INT (s_check (self, "any.json", "{\"a\": {\"b\": 4}}", "/body", &err), 1);
    CHECK_STR (err.pointer, "/body/a/b");
    CHECK_STR (err.message, "must be at most 3");
    CHECK_INT (s_check (self, "any.json", "5", "/body", &err), 1);
    CHECK_STR (err.pointer, "/body");
    CHECK (strstr (err.message, "anyOf") != NULL);
    CHECK_INT (s_check (self, "any.json", "null", "/body", &err), 0);
    shr_schema_destroy (&self);
}

static void test_ref_cycles (void)
{
    shr_schema_t *self = shr_schema_new ();
    //  Refs that never reach a keyword must fail cleanly, not loop.
    CHECK_INT (s_add_text (self, "schema:/self.json", "{\"$ref\": \"#\"}"), 0);
    CHECK_INT (s_add_text (self, "schema:/pair.json",
                           "{\"definitions\": {\"a\": {\"$ref\": \"#/definitions/b\"},"
                           " \"b\": {\"$ref\": \"#/definitions/a\"}}, \"$ref\": \"#/definitions/a\"}"), 0);
    shr_schema_error_t err;
    CHECK_INT (s_check (self, "self.json", "1", NULL, &err), 1);
    CHECK_INT (s_check (self, "pair.json", "1", NULL, &err), 1);
    //  A recursive schema over a deep instance works.
    CHECK_INT (s_add_text (self, "schema:/tree.json",
                           "{\"type\": \"object\", \"properties\": {\"kids\": {\"type\": \"array\","
                           " \"items\": {\"$ref\": \"#\"}}}}"), 0);
    CHECK_INT (s_check (self, "tree.json", "{\"kids\": [{\"kids\": [{\"kids\": []}, {}]}]}", NULL, &err), 0);
    CHECK_INT (s_check (self, "tree.json", "{\"kids\": [{\"kids\": [{\"kids\": [1]}]}]}", NULL, &err), 1);
    CHECK_STR (err.pointer, "/kids/0/kids/0/kids/0");
    //  A ref to a document added later resolves on first use.
    CHECK_INT (s_add_text (self, "http://example.com/a/b/c.json", "{\"$ref\": \"../d.json#/definitions/n\"}"), 0);
    CHECK_INT (s_check (self, "http://example.com/a/b/c.json", "1", NULL, &err), 1);
    CHECK (strstr (err.message, "unresolvable") != NULL);
    CHECK_INT (s_add_text (self, "http://example.com/a/d.json",
                           "{\"definitions\": {\"n\": {\"type\": \"integer\"}}}"), 0);
    CHECK_INT (s_check (self, "http://example.com/a/b/c.json", "1", NULL, &err), 0);
    CHECK_INT (s_check (self, "http://example.com/a/b/c.json", "\"1\"", NULL, &err), 1);
    shr_schema_destroy (&self);
}

//  One node with a keyword of every group, and repeated keywords (cJSON keeps
//  both members), which fill one array together.
static void test_keyword_groups (void)
{
    shr_schema_t *self = shr_schema_new ();
    CHECK_INT (s_add_text (self, "schema:/all.json",
                           "{\"minimum\": 2, \"multipleOf\": 2,"
                           " \"maxLength\": 3, \"pattern\": \"^a\","
                           " \"minItems\": 1, \"items\": [{\"type\": \"integer\"}], \"additionalItems\": false,"
                           " \"contains\": {\"const\": 1}, \"uniqueItems\": true,"
                           " \"required\": [\"a\"], \"properties\": {\"a\": {\"type\": \"integer\"}},"
                           " \"patternProperties\": {\"^x\": {\"type\": \"string\"}},"
                           " \"dependencies\": {\"a\": [\"b\"], \"c\": {\"required\": [\"d\"]}},"
                           " \"propertyNames\": {\"maxLength\": 3}, \"minProperties\": 1,"
                           " \"allOf\": [{}], \"anyOf\": [true], \"oneOf\": [true, false],"
                           " \"not\": {\"type\": \"null\"},"
                           " \"if\": {\"type\": \"string\"}, \"then\": {\"minLength\": 2}, \"else\": true}"), 0);
    shr_schema_error_t err;
    CHECK_INT (s_check (self, "all.json", "4", NULL, &err), 0);
    CHECK_INT (s_check (self, "all.json", "3", NULL, &err), 1);
    CHECK_STR (err.message, "must be a multiple of 2");
    CHECK_INT (s_check (self, "all.json", "1", NULL, &err), 1);
    CHECK_INT (s_check (self, "all.json", "\"ab\"", NULL, &err), 0);
    CHECK_INT (s_check (self, "all.json", "\"a\"", NULL, &err), 1);
    CHECK_STR (err.message, "must be at least 2 characters long");
    CHECK_INT (s_check (self, "all.json", "\"abcd\"", NULL, &err), 1);
    CHECK_INT (s_check (self, "all.json", "\"ba\"", NULL, &err), 1);
    CHECK_INT (s_check (self, "all.json", "[1]", NULL, &err), 0);
    CHECK_INT (s_check (self, "all.json", "[1, 2]", NULL, &err), 1);
    CHECK_STR (err.pointer, "/1");
    CHECK_INT (s_check (self, "all.json", "[]", NULL, &err), 1);
    CHECK_INT (s_check (self, "all.json", "[2]", NULL, &err), 1);
    CHECK_INT (s_check (self, "all.json", "{\"a\": 1, \"b\": 2, \"xy\": \"s\"}", NULL, &err), 0);
    CHECK_INT (s_check (self, "all.json", "{\"a\": 1}", NULL, &err), 1);
    CHECK_STR (err.pointer, "/b");
    CHECK_INT (s_check (self, "all.json", "{\"a\": 1, \"b\": 2, \"xy\": 5}", NULL, &err), 1);
    CHECK_STR (err.pointer, "/xy");
    CHECK_INT (s_check (self, "all.json", "{\"a\": 1, \"b\": 2, \"long\": 1}", NULL, &err), 1);
    CHECK_INT (s_check (self, "all.json", "{\"b\": 2}", NULL, &err), 1);
    CHECK_STR (err.pointer, "/a");
    CHECK_INT (s_check (self, "all.json", "{\"a\": 1, \"b\": 2, \"c\": 3}", NULL, &err), 1);
    CHECK_STR (err.pointer, "/d");
    CHECK_INT (s_check (self, "all.json", "null", NULL, &err), 1);
    CHECK_INT (s_add_text (self, "schema:/twice.json",
                           "{\"properties\": {\"a\": {\"type\": \"integer\"}},"
                           " \"properties\": {\"b\": {\"type\": \"string\"}, \"a\": {\"type\": \"string\"}},"
                           " \"allOf\": [{\"minProperties\": 1}], \"allOf\": [{\"maxProperties\": 2}]}"), 0);
    CHECK_INT (s_check (self, "twice.json", "{\"a\": 1, \"b\": \"x\"}", NULL, &err), 0);
    CHECK_INT (s_check (self, "twice.json", "{\"b\": 1}", NULL, &err), 1);
    CHECK_INT (s_check (self, "twice.json", "{}", NULL, &err), 1);
    CHECK_INT (s_check (self, "twice.json", "{\"a\": 1, \"b\": \"x\", \"c\": 3}", NULL, &err), 1);
    shr_schema_destroy (&self);
}

//  Schemas compiled on first use by a #fragment name: a failed one leaves
//  nothing behind and fails again the same way, and what is compiled out of
//  enum values leaves them as they were.
static void test_late_compile (void)
{
    shr_schema_t *self = shr_schema_new ();
    CHECK_INT (s_add_text (self, "schema:/late.json",
                           "{\"x\": {\"bad\": {\"type\": 5}, \"good\": {\"type\": \"string\"},"
                           "        \"mixed\": {\"properties\": {\"a\": {\"type\": \"integer\"},"
                           "                                  \"b\": {\"minimum\": \"no\"}}}},"
                           " \"definitions\": {\"n\": {\"enum\": [5, 2.5, \"s\", {\"type\": \"string\"}]}}}"), 0);
    shr_schema_error_t err;
    for (int round = 0; round < 2; round++) {
        CHECK_INT (s_check (self, "late.json#/x/bad", "1", NULL, &err), -1);
        CHECK (strstr (err.message, "type") != NULL);
        CHECK_INT (s_check (self, "late.json#/x/mixed", "{}", NULL, &err), -1);
        CHECK (strstr (err.message, "minimum") != NULL);
    }
    CHECK_INT (s_check (self, "late.json#/x/good", "\"s\"", NULL, &err), 0);
    CHECK_INT (s_check (self, "late.json#/x/mixed/properties/a", "1", NULL, &err), 0);
    CHECK_INT (s_check (self, "late.json#/x/mixed/properties/a", "\"1\"", NULL, &err), 1);
    CHECK_INT (s_check (self, "late.json#/definitions/n/enum/0", "5", NULL, &err), -1);
    CHECK (strstr (err.message, "object or a boolean") != NULL);
    CHECK_INT (s_check (self, "late.json#/definitions/n/enum/3", "\"s\"", NULL, &err), 0);
    CHECK_INT (s_check (self, "late.json#/definitions/n/enum/3", "1", NULL, &err), 1);
    CHECK_INT (s_check (self, "late.json#/definitions/n", "{\"type\": \"string\"}", NULL, &err), 0);
    CHECK_INT (s_check (self, "late.json#/definitions/n", "7", NULL, &err), 1);
    CHECK_STR (err.message, "must be one of 5, 2.5, \"s\", {\"type\":\"string\"}");
    //  A document that fails to add takes the targets it offered with it.
    CHECK_INT (s_add_text (self, "schema:/a.json", "{\"properties\": {\"p\": {\"$ref\": \"b.json#/definitions/x\"}}}"), 0);
    cJSON *doc = cJSON_Parse ("{\"definitions\": {\"x\": {\"type\": \"integer\"}}, \"properties\": {\"q\": {\"type\": 5}}}");
    char msg [512] = "";
    CHECK_INT (shr_schema_add (self, "schema:/b.json", &doc, msg, sizeof (msg)), -1);
    CHECK_INT (s_check (self, "a.json", "{\"p\": 1}", NULL, &err), 1);
    CHECK (strstr (err.message, "unresolvable") != NULL);
    CHECK_INT (s_add_text (self, "schema:/b.json", "{\"definitions\": {\"x\": {\"type\": \"integer\"}}}"), 0);
    CHECK_INT (s_check (self, "a.json", "{\"p\": 1}", NULL, &err), 0);
    CHECK_INT (s_check (self, "a.json", "{\"p\": \"1\"}", NULL, &err), 1);
    shr_schema_destroy (&self);
}

//  A failed load_dir unlinks the refs it had resolved into its own files.
static void test_load_dir_rollback (void)
{
    char *dir = s_temp_dir ();
    CHECK (dir != NULL);
    if (!dir)
        return;
    shr_schema_t *self = shr_schema_new ();
    CHECK_INT (s_add_text (self, "schema:/c.json", "{\"$ref\": \"svc/later.json\"}"), 0);
    s_write_file (dir, "svc/later.json", "{\"type\": \"integer\"}");
    s_write_file (dir, "svc/zz.json", "{\"$ref\": \"nowhere.json\"}");
    char err [512] = "";
    CHECK_INT (shr_schema_load_dir (self, dir, err, sizeof (err)), -1);
    CHECK (strstr (err, "nowhere.json") != NULL);
    shr_schema_error_t verr;
    CHECK_INT (s_check (self, "c.json", "1", NULL, &verr), 1);
    CHECK (strstr (verr.message, "unresolvable") != NULL);
    s_write_file (dir, "svc/zz.json", "{\"$ref\": \"later.json\"}");
    CHECK_INT (shr_schema_load_dir (self, dir, err, sizeof (err)), 2);
    CHECK_INT (s_check (self, "c.json", "1", NULL, &verr), 0);
    CHECK_INT (s_check (self, "c.json", "\"1\"", NULL, &verr), 1);
    CHECK_INT (s_check (self, "svc/zz.json", "\"1\"", NULL, &verr), 1);
    shr_schema_destroy (&self);
    s_remove_tree (dir);
    free (dir);
}

static void test_regex_dialect (void)
{
    shr_schema_t *self = shr_schema_new ();
    //  ECMA escapes become POSIX classes; (?:...) is a plain group; searches are unanchored.
    CHECK_INT (s_add_text (self, "schema:/re.json",
                           "{\"properties\": {"
                           " \"a\": {\"pattern\": \"^\\\\d{3}-\\\\w+$\"},"
                           " \"b\": {\"pattern\": \"^[\\\\d.]+$\"},"
                           " \"c\": {\"pattern\": \"^(?:ab)+\\\\s\\\\S$\"},"
                           " \"d\": {\"pattern\": \"x\\\\.y\"},"
                           " \"e\": {\"pattern\": \"^\\\\D\\\\W$\"}}}"), 0);
    shr_schema_error_t err;
    CHECK_INT (s_check (self, "re.json", "{\"a\": \"123-ab_9\"}", NULL, &err), 0);
    CHECK_INT (s_check (self, "re.json", "{\"a\": \"12-ab\"}", NULL, &err), 1);
    CHECK_INT (s_check (self, "re.json", "{\"a\": \"123-a b\"}", NULL, &err), 1);
    CHECK_INT (s_check (self, "re.json", "{\"b\": \"1.5\"}", NULL, &err), 0);
    CHECK_INT (s_check (self, "re.json", "{\"b\": \"1,5\"}", NULL, &err), 1);
    CHECK_INT (s_check (self, "re.json", "{\"c\": \"abab x\"}", NULL, &err), 0);
    CHECK_INT (s_check (self, "re.json", "{\"c\": \"abab  \"}", NULL, &err), 1);
    CHECK_INT (s_check (self, "re.json", "{\"d\": \"--x.y--\"}", NULL, &err), 0);
    CHECK_INT (s_check (self, "re.json", "{\"d\": \"xzy\"}", NULL, &err), 1);
    CHECK_INT (s_check (self, "re.json", "{\"e\": \"a-\"}", NULL, &err), 0);
    CHECK_INT (s_check (self, "re.json", "{\"e\": \"1-\"}", NULL, &err), 1);
    //  What POSIX cannot do fails at load time, not at validation.
    cJSON *doc = cJSON_Parse ("{\"pattern\": \"^(?!x)\"}");
    char msg [512] = "";
    CHECK_INT (shr_schema_add (self, "schema:/look.json", &doc, msg, sizeof (msg)), -1);
    CHECK (strstr (msg, "not supported") != NULL);
    shr_schema_destroy (&self);
}

//  Patterns on the DFA and on regexec behave alike through both keywords;
//  tests/unit/test_pattern.c compares the two engines in depth.
static void test_pattern_engines (void)
{
    shr_schema_t *self = shr_schema_new ();
    CHECK_INT (s_add_text (self, "schema:/pe.json",
                           "{\"properties\": {"
                           " \"op\": {\"pattern\": \"^[a-z][a-z0-9_]*(\\\\.[a-z][a-z0-9_]*)+$\"},"
                           " \"id\": {\"pattern\": \"^WO-[0-9]{6,}$\"},"
                           " \"lazy\": {\"pattern\": \"^x+?y$\"},"
                           " \"word\": {\"pattern\": \"\\\\bab\"}},"
                           " \"patternProperties\": {"
                           "  \"^n_[0-9]+$\": {\"type\": \"integer\"},"
                           "  \"^s_\\\\w*?$\": {\"type\": \"string\"}}}"), 0);
    shr_schema_error_t err;
    CHECK_INT (s_check (self, "pe.json", "{\"op\": \"workorder.create\", \"id\": \"WO-123456\"}", NULL, &err), 0);
    CHECK_INT (s_check (self, "pe.json", "{\"op\": \"workorder\"}", NULL, &err), 1);
    CHECK_STR (err.message, "must match pattern ^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+$");
    CHECK_INT (s_check (self, "pe.json", "{\"id\": \"WO-12345\"}", NULL, &err), 1);
    CHECK_STR (err.pointer, "/id");
    CHECK_INT (s_check (self, "pe.json", "{\"lazy\": \"xxy\", \"word\": \"x ab\"}", NULL, &err), 0);
    CHECK_INT (s_check (self, "pe.json", "{\"lazy\": \"xx\"}", NULL, &err), 1);
    CHECK_INT (s_check (self, "pe.json", "{\"word\": \"xab\"}", NULL, &err), 1);
    CHECK_INT (s_check (self, "pe.json", "{\"n_12\": 1, \"s_a\": \"x\", \"n_x\": \"free\"}", NULL, &err), 0);
    CHECK_INT (s_check (self, "pe.json", "{\"n_12\": \"1\"}", NULL, &err), 1);
    CHECK_STR (err.pointer, "/n_12");
    CHECK_INT (s_check (self, "pe.json", "{\"s_a\": 1}", NULL, &err), 1);
    CHECK_STR (err.pointer, "/s_a");
    shr_schema_destroy (&self);
}

static void test_load_dir (void)
{
    char *dir = s_temp_dir ();
    CHECK (dir != NULL);
    if (!dir)
        return;
    s_write_file (dir, "common/defs.json",
                  "{\"definitions\": {\"money\": {\"type\": \"object\", \"required\": [\"amount\", \"currency\"],"
                  " \"properties\": {\"amount\": {\"type\": \"integer\"},"
                  " \"currency\": {\"type\": \"string\", \"pattern\": \"^[A-Z]{3}$\"}}}}}");
    s_write_file (dir, "orders/defs.json",
                  "{\"definitions\": {\"x\": {\"type\": \"string\", \"minLength\": 1}}}");
    s_write_file (dir, "orders/create.request.json",
                  "{\"type\": \"object\", \"required\": [\"total\"], \"properties\": {"
                  " \"total\": {\"$ref\": \"../common/defs.json#/definitions/money\"},"
                  " \"note\": {\"$ref\": \"defs.json#/definitions/x\"}}}");
    s_write_file (dir, "orders/README.txt", "not a schema");
    shr_schema_t *self = shr_schema_new ();
    char err [512] = "";
    CHECK_INT (shr_schema_load_dir (self, dir, err, sizeof (err)), 3);
    if (*err)
        fprintf (stderr, "  %s\n", err);
    CHECK (shr_schema_has (self, "orders/create.request.json"));
    CHECK (shr_schema_has (self, "schema:/orders/create.request.json"));
    CHECK (shr_schema_has (self, "common/defs.json#/definitions/money"));
    CHECK (!shr_schema_has (self, "orders/README.txt"));
    shr_schema_error_t verr;
    CHECK_INT (s_check (self, "orders/create.request.json",
                        "{\"total\": {\"amount\": 5, \"currency\": \"EUR\"}, \"note\": \"n\"}", "/body", &verr), 0);
    CHECK_INT (s_check (self, "orders/create.request.json",
                        "{\"total\": {\"amount\": 5, \"currency\": \"eur\"}}", "/body", &verr), 1);
    CHECK_STR (verr.pointer, "/body/total/currency");
    CHECK_STR (verr.message, "must match pattern ^[A-Z]{3}$");
    CHECK_INT (s_check (self, "orders/create.request.json",
                        "{\"total\": {\"amount\": 5, \"currency\": \"EUR\"}, \"note\": \"\"}", "/body", &verr), 1);
    CHECK_STR (verr.pointer, "/body/note");
    //  Loading the same folder again registers the same names twice.
    CHECK_INT (shr_schema_load_dir (self, dir, err, sizeof (err)), -1);
    CHECK (strstr (err, "already registered") != NULL);
    CHECK (strstr (err, "common/defs.json") != NULL);
    CHECK (shr_schema_has (self, "orders/create.request.json"));
    shr_schema_destroy (&self);
    s_remove_tree (dir);
    free (dir);
}

static void test_two_folders (void)
{
    char *one = s_temp_dir (), *two = s_temp_dir ();
    CHECK (one && two);
    if (one && two) {
        s_write_file (one, "common/money.json",
                      "{\"type\": \"object\", \"required\": [\"amount\"],"
                      " \"properties\": {\"amount\": {\"type\": \"integer\"}}}");
        s_write_file (two, "billing/invoice.request.json",
                      "{\"type\": \"object\", \"properties\": {\"total\": {\"$ref\": \"../common/money.json\"}}}");
        shr_schema_t *self = shr_schema_new ();
        char err [512] = "";
        CHECK_INT (shr_schema_load_dir (self, one, err, sizeof (err)), 1);
        CHECK_INT (shr_schema_load_dir (self, two, err, sizeof (err)), 1);
        if (*err)
            fprintf (stderr, "  %s\n", err);
        shr_schema_error_t verr;
        CHECK_INT (s_check (self, "billing/invoice.request.json", "{\"total\": {\"amount\": 1}}", "/body", &verr), 0);
        CHECK_INT (s_check (self, "billing/invoice.request.json", "{\"total\": {}}", "/body", &verr), 1);
        CHECK_STR (verr.pointer, "/body/total/amount");
        CHECK_STR (verr.message, "is required");
        shr_schema_destroy (&self);
        //  The other order: the ref is unresolvable when its folder is loaded first.
        self = shr_schema_new ();
        CHECK_INT (shr_schema_load_dir (self, two, err, sizeof (err)), -1);
        CHECK (strstr (err, "billing/invoice.request.json") != NULL);
        CHECK (strstr (err, "../common/money.json") != NULL);
        CHECK (!shr_schema_has (self, "billing/invoice.request.json"));
        shr_schema_destroy (&self);
    }
    if (one)
        s_remove_tree (one);
    if (two)
        s_remove_tree (two);
    free (one);
    free (two);
}

//  Loads a folder holding one file with the given text; returns err.
static int s_load_one (const char *rel, const char *text, char *err, size_t errlen)
{
    char *dir = s_temp_dir ();
    CHECK (dir != NULL);
    if (!dir)
        return -2;
    s_write_file (dir, "ok.json", "{\"type\": \"string\"}");
    s_write_file (dir, rel, text);
    shr_schema_t *self = shr_schema_new ();
    int rc = shr_schema_load_dir (self, dir, err, errlen);
    //  A failed load leaves nothing behind.
    if (rc < 0)
        CHECK (!shr_schema_has (self, "ok.json"));
    shr_schema_destroy (&self);
    s_remove_tree (dir);
    free (dir);
    return rc;
}

static void test_load_dir_errors (void)
{
    char err [512] = "";
    CHECK_INT (s_load_one ("svc/broken.json", "{\"type\": \"string\",\n \"minLength\": }", err, sizeof (err)), -1);
    if (getenv ("TEST_SCHEMA_VERBOSE"))
        printf ("  e.g. %s\n", err);
    CHECK (strstr (err, "svc/broken.json") != NULL);
    CHECK (strstr (err, "invalid JSON") != NULL);
    CHECK (strstr (err, "line 2") != NULL);

    CHECK_INT (s_load_one ("svc/dangling.json",
                           "{\"properties\": {\"a\": {\"$ref\": \"common.json#/definitions/nope\"}}}",
                           err, sizeof (err)), -1);
    if (getenv ("TEST_SCHEMA_VERBOSE"))
        printf ("  e.g. %s\n", err);
    CHECK (strstr (err, "svc/dangling.json") != NULL);
    CHECK (strstr (err, "common.json#/definitions/nope") != NULL);

    CHECK_INT (s_load_one ("svc/pointer.json",
                           "{\"definitions\": {}, \"properties\": {\"a\": {\"$ref\": \"#/definitions/nope\"}}}",
                           err, sizeof (err)), -1);
    if (getenv ("TEST_SCHEMA_VERBOSE"))
        printf ("  e.g. %s\n", err);
    CHECK (strstr (err, "svc/pointer.json") != NULL);
    CHECK (strstr (err, "#/definitions/nope") != NULL);

    CHECK_INT (s_load_one ("svc/regex.json", "{\"pattern\": \"a(b\"}", err, sizeof (err)), -1);
    if (getenv ("TEST_SCHEMA_VERBOSE"))
        printf ("  e.g. %s\n", err);
    CHECK (strstr (err, "svc/regex.json") != NULL);
    CHECK (strstr (err, "bad regex") != NULL);

    CHECK_INT (s_load_one ("svc/number.json", "42", err, sizeof (err)), -1);
    if (getenv ("TEST_SCHEMA_VERBOSE"))
        printf ("  e.g. %s\n", err);
    CHECK (strstr (err, "svc/number.json") != NULL);
    CHECK (strstr (err, "object or a boolean") != NULL);

    //  A dangling link stands for a file that cannot be read.
    char *dir = s_temp_dir ();
    CHECK (dir != NULL);
    if (dir) {
        char link [1024];
        snprintf (link, sizeof (link), "%s/gone.json", dir);
        CHECK_INT (symlink ("/nonexistent/target.json", link), 0);
        shr_schema_t *self = shr_schema_new ();
        CHECK_INT (shr_schema_load_dir (self, dir, err, sizeof (err)), -1);
        CHECK (strstr (err, "gone.json") != NULL);
        CHECK (strstr (err, "cannot read") != NULL);
        shr_schema_destroy (&self);
        s_remove_tree (dir);
        free (dir);
    }

    CHECK_INT (s_load_one ("svc/fine.json", "{\"$ref\": \"../ok.json\"}", err, sizeof (err)), 2);

    shr_schema_t *self = shr_schema_new ();
    CHECK_INT (shr_schema_load_dir (self, "/nonexistent/schemas", err, sizeof (err)), -1);
    CHECK (strstr (err, "/nonexistent/schemas") != NULL);
    shr_schema_destroy (&self);
}

static void test_project_schemas (void)
{
    shr_schema_t *self = shr_schema_new ();
    char err [512] = "";
    int loaded = shr_schema_load_dir (self, "schemas", err, sizeof (err));
    CHECK (loaded > 0);
    if (loaded < 0)
        fprintf (stderr, "  %s\n", err);
    shr_schema_error_t verr;
    CHECK_INT (s_check (self, "envelope/request.json", "{\"v\":1,\"id\":\"a\",\"op\":\"sys.ping\"}", NULL, &verr), 0);
    CHECK_INT (s_check (self, "envelope/request.json", "{\"v\":1,\"id\":\"a\",\"op\":\"sys.ping\",\"x\":1}", NULL, &verr), 1);
    CHECK_STR (verr.pointer, "/x");
    CHECK_INT (s_check (self, "envelope/request.json", "{\"v\":1,\"id\":\"a\",\"op\":\"Ping\"}", NULL, &verr), 1);
    CHECK_STR (verr.pointer, "/op");
    shr_schema_destroy (&self);
}

int main (void)
{
    s_run_suite ();
    RUN (test_destroy_twice);
    RUN (test_unknown_name);
    RUN (test_add_errors);
    RUN (test_errors);
    RUN (test_any_of_message);
    RUN (test_ref_cycles);
    RUN (test_keyword_groups);
    RUN (test_late_compile);
    RUN (test_regex_dialect);
    RUN (test_pattern_engines);
    RUN (test_load_dir);
    RUN (test_two_folders);
    RUN (test_load_dir_errors);
    RUN (test_load_dir_rollback);
    RUN (test_project_schemas);
    return TEST_DONE ("test_schema");
}
