/*  shr_msg - the wire envelopes of DESIGN.md. See shr_msg.h. */
#include "shr_msg.h"
#include "shr_json.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *s_code_names[SHR_CODE_COUNT] = {
    "ok",
    "invalid_argument",
    "not_found",
    "already_exists",
    "failed_precondition",
    "aborted",
    "permission_denied",
    "unauthenticated",
    "resource_exhausted",
    "unavailable",
    "deadline_exceeded",
    "unimplemented",
    "internal",
};

const char *shr_code_name (shr_code_t code)
{
    return code >= 0 && code < SHR_CODE_COUNT ? s_code_names[code] : "internal";
}

int shr_code_from_name (const char *name)
{
    for (int i = 0; name && i < SHR_CODE_COUNT; i++)
        if (strcmp (name, s_code_names[i]) == 0)
            return i;
    return -1;
}

int shr_error_set (shr_error_t *err, shr_code_t code, const char *field, const char *fmt, ...)
{
    if (!err)
        return -1;
    err->code = code;
    snprintf (err->field, sizeof err->field, "%s", field ? field : "");
    va_list args;
    va_start (args, fmt);
    vsnprintf (err->message, sizeof err->message, fmt, args);
    va_end (args);
    return -1;
}

//  Length of the UTF-8 sequence at p (1-4), or 0 if it is not well formed
//  (overlong forms, surrogates and code points over U+10FFFF are not).
static size_t s_utf8_length (const unsigned char *p, const unsigned char *end)
{
    unsigned char c = p[0];
    if (c < 0x80)
        return 1;
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
        need = 1;
    else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        if (c == 0xE0)
            lo = 0xA0;
        if (c == 0xED)
            hi = 0x9F;
    }
    else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        if (c == 0xF0)
            lo = 0x90;
        if (c == 0xF4)
            hi = 0x8F;
    }
    else
        return 0;
    if ((size_t) (end - p) <= need)
        return 0;
    if (p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i <= need; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    return need + 1;
}

int shr_msg_scan (const void *data, size_t size, shr_error_t *err)
{
    const unsigned char *p = (const unsigned char *) data, *end = p + size;
    int depth = 0;
    bool in_string = false;
    while (p < end) {
        unsigned char c = *p;
        if (c >= 0x80) {
            size_t length = s_utf8_length (p, end);
            if (!length)
                return shr_error_set (err, SHR_INVALID_ARGUMENT, "",
                                      "frame is not valid UTF-8 (at byte %zu)",
                                      (size_t) (p - (const unsigned char *) data));
            p += length;
            continue;
        }
        if (in_string) {
            if (c == '\\')
                p++;  //  skip the escaped character, which is ASCII in valid JSON
            else if (c == '"')
                in_string = false;
        }
        else if (c == '"')
            in_string = true;
        else if (c == '{' || c == '[') {
            if (++depth > SHR_MSG_MAX_DEPTH)
                return shr_error_set (err, SHR_INVALID_ARGUMENT, "",
                                      "JSON nests deeper than %d levels (at byte %zu)",
                                      SHR_MSG_MAX_DEPTH,
                                      (size_t) (p - (const unsigned char *) data));
        }
        else if (c == '}' || c == ']')
            depth--;
        p++;
    }
    return 0;
}

static const char *s_json_type (const cJSON *item)
{
    if (cJSON_IsArray (item))
        return "an array";
    if (cJSON_IsString (item))
        return "a string";
    if (cJSON_IsNumber (item))
        return "a number";
    if (cJSON_IsBool (item))
        return "a boolean";
    if (cJSON_IsNull (item))
        return "null";
    return "an object";
}

int shr_request_decode (shr_request_t *req, const void *data, size_t size, shr_schema_t *schemas,
                        const char *envelope, shr_error_t *err)
{
    if (size > SHR_MSG_MAX_SIZE)
        return shr_error_set (err, SHR_INVALID_ARGUMENT, "",
                              "request is %zu bytes; the limit is %d bytes", size,
                              SHR_MSG_MAX_SIZE);
    if (size == 0)
        return shr_error_set (err, SHR_INVALID_ARGUMENT, "",
                              "empty frame; expected one JSON object");
    if (shr_msg_scan (data, size, err))
        return -1;

    const char *end = NULL;
    req->root = cJSON_ParseWithLengthOpts ((const char *) data, size, &end, false);
    if (!req->root) {
        size_t at = end ? (size_t) (end - (const char *) data) : 0;
        if (!end && cJSON_GetErrorPtr ())
            at = (size_t) (cJSON_GetErrorPtr () - (const char *) data);
        return shr_error_set (err, SHR_INVALID_ARGUMENT, "", "frame is not valid JSON (at byte %zu)",
                              at < size ? at : size);
    }
    //  Anything after the value but white space is an error too ("{}x", "{}{}").
    for (const char *p = end; p && p < (const char *) data + size; p++)
        if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
            return shr_error_set (err, SHR_INVALID_ARGUMENT, "",
                                  "frame is not valid JSON: text after the value (at byte %zu)",
                                  (size_t) (p - (const char *) data));
    if (!cJSON_IsObject (req->root))
        return shr_error_set (err, SHR_INVALID_ARGUMENT, "", "request must be a JSON object, got %s",
                              s_json_type (req->root));

    //  Read the id first, so that any later error can echo it.
    const cJSON *id = cJSON_GetObjectItemCaseSensitive (req->root, "id");
    if (cJSON_IsString (id) && strlen (id->valuestring) <= 128)
        req->id = id->valuestring;

    shr_schema_error_t schema_err;
    int rc = shr_schema_validate (schemas, envelope, req->root, "", &schema_err);
    if (rc != 0) {
        if (rc < 0)
            return shr_error_set (err, SHR_INTERNAL, "", "%s", schema_err.message);
        return shr_error_set (err, SHR_INVALID_ARGUMENT, schema_err.pointer, "%s %s",
                              *schema_err.pointer ? schema_err.pointer : "request",
                              schema_err.message);
    }
    req->op = cJSON_GetObjectItemCaseSensitive (req->root, "op")->valuestring;
    const cJSON *idem = cJSON_GetObjectItemCaseSensitive (req->root, "idem");
    req->idem = cJSON_IsString (idem) ? idem->valuestring : NULL;
    req->body = cJSON_GetObjectItemCaseSensitive (req->root, "body");
    if (!req->body) {
        //  A body is optional on the wire; handlers always get an object.
        req->body = cJSON_AddObjectToObject (req->root, "body");
        if (!req->body)
            return shr_error_set (err, SHR_INTERNAL, "", "out of memory");
    }
    return 0;
}

void shr_request_reset (shr_request_t *req)
{
    cJSON_Delete (req->root);
    memset (req, 0, sizeof *req);
}

//  Starts an envelope: {"v":1,"id":<id or null>,
static shr_json_t *s_envelope (const char *id)
{
    shr_json_t *json = shr_json_new ();
    if (!json)
        return NULL;
    shr_json_raw (json, "{\"v\":1,\"id\":");
    shr_json_string (json, id);
    return json;
}

//  Closes the envelope and hands over its text.
static char *s_finish (shr_json_t *json)
{
    shr_json_raw (json, "}");
    char *text = shr_json_take (json);
    shr_json_destroy (&json);
    return text;
}

char *shr_reply_encode_ok (const char *id, const cJSON *body)
{
    shr_json_t *json = s_envelope (id);
    if (!json)
        return NULL;
    shr_json_raw (json, ",\"ok\":true,\"body\":");
    if (body)
        shr_json_value (json, body);
    else
        shr_json_raw (json, "{}");
    return s_finish (json);
}

char *shr_reply_encode_ok_text (const char *id, const char *body)
{
    shr_json_t *json = s_envelope (id);
    if (!json)
        return NULL;
    shr_json_raw (json, ",\"ok\":true,\"body\":");
    shr_json_raw (json, body ? body : "{}");
    return s_finish (json);
}

char *shr_reply_encode_error (const char *id, const shr_error_t *err)
{
    shr_json_t *json = s_envelope (id);
    if (!json)
        return NULL;
    shr_json_raw (json, ",\"ok\":false,\"error\":{\"code\":");
    shr_json_string (json, shr_code_name (err->code));
    shr_json_raw (json, ",\"message\":");
    shr_json_string (json, *err->message ? err->message : shr_code_name (err->code));
    if (*err->field) {
        shr_json_raw (json, ",\"field\":");
        shr_json_string (json, err->field);
    }
    shr_json_raw (json, "}");
    return s_finish (json);
}

char *shr_request_encode (const char *id, const char *op, const char *idem, const cJSON *body)
{
    shr_json_t *json = s_envelope (id);
    if (!json)
        return NULL;
    shr_json_raw (json, ",\"op\":");
    shr_json_string (json, op);
    if (idem) {
        shr_json_raw (json, ",\"idem\":");
        shr_json_string (json, idem);
    }
    shr_json_raw (json, ",\"body\":");
    if (body)
        shr_json_value (json, body);
    else
        shr_json_raw (json, "{}");
    return s_finish (json);
}
