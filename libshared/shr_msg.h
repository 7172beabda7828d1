/*  shr_msg - the wire envelopes of DESIGN.md: requests, replies, errors.

    A request is one JSON frame:
        {"v":1, "id":"c-17", "op":"workorder.create", "idem":"crm-8812", "body":{...}}
    and its reply
        {"v":1, "id":"c-17", "ok":true, "body":{...}}
        {"v":1, "id":"c-17", "ok":false, "error":{"code":"...", "message":"...", "field":"/body/x"}}

    Decoding checks, in this order, and stops at the first problem: the size
    limit (1 MiB), no 0x00 byte, UTF-8, nesting depth, JSON syntax, "is an
    object", no string (value or key, anywhere) that holds U+0000, and the
    envelope schema (schemas/envelope/request.json).

    Why U+0000 is refused: cJSON ends a C string at it, so "T-1\u0000x" would
    reach a handler as "T-1" and change another record than the caller named.
    The scan notices a \u0000 escape on its way, looking only at escapes (about
    1% more instructions for frames without one, by callgrind); only then a
    second walk finds which string holds it.
*/
#ifndef SHR_MSG_H_INCLUDED
#define SHR_MSG_H_INCLUDED

#include "shr_schema.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#define SHR_MSG_MAX_SIZE (1024 * 1024)  //  largest frame accepted, in bytes
#define SHR_MSG_MAX_DEPTH 64            //  deepest nesting of arrays and objects accepted

//  The error codes of DESIGN.md, in its order.
typedef enum {
    SHR_OK = 0,
    SHR_INVALID_ARGUMENT,
    SHR_NOT_FOUND,
    SHR_ALREADY_EXISTS,
    SHR_FAILED_PRECONDITION,
    SHR_ABORTED,
    SHR_PERMISSION_DENIED,
    SHR_UNAUTHENTICATED,
    SHR_RESOURCE_EXHAUSTED,
    SHR_UNAVAILABLE,
    SHR_DEADLINE_EXCEEDED,
    SHR_UNIMPLEMENTED,
    SHR_INTERNAL,
    SHR_CODE_COUNT
} shr_code_t;

//  An error to send back: the code, the JSON pointer of the field at fault ("" if
//  none), and a message that names the problem. A pointer through a key that
//  holds U+0000 has it as the bytes C0 80 (as in Java's modified UTF-8: a C
//  string cannot hold a 0, and C0 is never in valid UTF-8); the reply encodes
//  them as \u0000, so the client gets the exact pointer back.
typedef struct {
    shr_code_t code;
    char field[256];
    char message[512];
} shr_error_t;

//  A decoded request. Fields point into root, which the request owns.
typedef struct {
    cJSON *root;       //  the whole envelope, or NULL
    const char *id;    //  the caller's id, or NULL if none could be read
    const char *op;    //  the operation, or NULL
    const char *idem;  //  the idempotency key, or NULL
    cJSON *body;       //  the body object (never NULL after a successful decode)
} shr_request_t;

//  "invalid_argument" for SHR_INVALID_ARGUMENT, etc. Cannot fail ("internal" for
//  an out-of-range code).
const char *shr_code_name (shr_code_t code);

//  The code called name, or -1 if there is none.
int shr_code_from_name (const char *name);

//  Fills err; fmt is printf-style. field may be NULL. Always returns -1, so a
//  handler can `return shr_error_set (...)`.
int shr_error_set (shr_error_t *err, shr_code_t code, const char *field, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));

//  Checks that data has no 0x00 byte, is UTF-8 and nests at most
//  SHR_MSG_MAX_DEPTH deep, in one pass. Returns 0; 1 when it also holds a
//  \u0000 escape in a string, which is valid JSON but which shr_request_decode
//  refuses; or -1 with err filled (code invalid_argument).
int shr_msg_scan (const void *data, size_t size, shr_error_t *err);

//  Decodes one request frame into req (which must be zeroed or reset). envelope
//  names the envelope schema in schemas (usually "envelope/request.json").
//  Returns 0, or -1 with err filled; req->id is set whenever the id could be read,
//  so that even an error reply can echo it (never when it holds U+0000: a cut id
//  would name another request). A string that holds U+0000 is refused with
//  invalid_argument and its pointer in err->field (the first one in the text;
//  for a key, the pointer of its member). Call shr_request_reset afterwards in
//  both cases.
int shr_request_decode (shr_request_t *req, const void *data, size_t size, shr_schema_t *schemas,
                        const char *envelope, shr_error_t *err);

//  Frees what req holds and zeroes it. Safe on a zeroed request.
void shr_request_reset (shr_request_t *req);

//  Encodes a success reply; body is borrowed (NULL means {}). Returns a string the
//  caller frees, or NULL when out of memory.
char *shr_reply_encode_ok (const char *id, const cJSON *body);

//  Encodes a success reply whose body is JSON text already (borrowed; NULL means
//  {}). Returns a string the caller frees, or NULL when out of memory.
char *shr_reply_encode_ok_text (const char *id, const char *body);

//  Encodes an error reply. Returns a string the caller frees, or NULL when out of memory.
char *shr_reply_encode_error (const char *id, const shr_error_t *err);

//  Encodes a request (for clients); body is borrowed, idem may be NULL. Returns a
//  string the caller frees.
char *shr_request_encode (const char *id, const char *op, const char *idem, const cJSON *body);

#endif
