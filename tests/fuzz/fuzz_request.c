/*  fuzz_request - libFuzzer target: request decoding plus schema validation.

    Feeds each input to shr_request_decode (size limit, UTF-8, depth, JSON,
    envelope schema) and, when it decodes, validates the body against the
    request schema of every service folder that has the op, then encodes the
    reply, as the server does. Any crash, leak or sanitizer report is a finding.
*/
#include "shared.h"

#include <stdint.h>
#include <stdlib.h>

static shr_schema_t *s_schemas;
static const char *s_folders[] = {"sys", "dispatch", "complaints", "procurement", "inventory",
                                  "analytics", "fixture", NULL};

int LLVMFuzzerInitialize (int *argc, char ***argv)
{
    (void) argc;
    (void) argv;
    char err[512];
    s_schemas = shr_schema_new ();
    const char *dirs[] = {"schemas", "tests/fixtures/schemas", NULL};
    for (int i = 0; dirs[i]; i++)
        if (shr_schema_load_dir (s_schemas, dirs[i], err, sizeof err) < 0) {
            fprintf (stderr, "fuzz_request: %s (run from the repository root)\n", err);
            exit (1);
        }
    return 0;
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    shr_request_t req = {0};
    shr_error_t err;
    char *reply;
    if (shr_request_decode (&req, data, size, s_schemas, "envelope/request.json", &err) == 0) {
        for (int i = 0; s_folders[i]; i++) {
            char name[200];
            snprintf (name, sizeof name, "%s/%s.request.json", s_folders[i], req.op);
            shr_schema_error_t schema_err;
            if (shr_schema_validate (s_schemas, name, req.body, "/body", &schema_err) == 1)
                shr_error_set (&err, SHR_INVALID_ARGUMENT, schema_err.pointer, "%s",
                               schema_err.message);
        }
        reply = shr_reply_encode_ok (req.id, req.body);
    }
    else
        reply = shr_reply_encode_error (req.id, &err);
    free (reply);
    shr_request_reset (&req);
    return 0;
}
