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

//  A text cut to fit its buffer (written = what snprintf wanted to write) must
//  not end inside a UTF-8 sequence: the reply would not be valid JSON text to a
//  strict client. Backs up to the start of a sequence the cut left incomplete.
static void s_cut_at_character (char *text, size_t size, int written)
{
    if (written < 0 || (size_t) written < size || size < 2)
        return;
    size_t end = size - 1;              //  the terminating NUL's place
    size_t start = end;
    while (start > 0 && end - start < 4 && ((unsigned char) text[start - 1] & 0xC0) == 0x80)
        start--;                        //  over continuation bytes
    if (start == 0)
        return;
    unsigned char lead = (unsigned char) text[start - 1];
    size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (need > end - (start - 1))
        text[start - 1] = 0;
}

int shr_error_set (shr_error_t *err, shr_code_t code, const char *field, const char *fmt, ...)
{
    if (!err)
        return -1;
    err->code = code;
    int written = snprintf (err->field, sizeof err->field, "%s", field ? field : "");
    s_cut_at_character (err->field, sizeof err->field, written);
    va_list args;
    va_start (args, fmt);
    written = vsnprintf (err->message, sizeof err->message, fmt, args);
    va_end (args);
    s_cut_at_character (err->message, sizeof err->message, written);
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
    bool in_string = false, nul = false;
    while (p < end) {
        unsigned char c = *p;
        //  One test for both 0x00 and the bytes of a UTF-8 sequence (c - 1 wraps
        //  to 0xFF for 0x00), so that the common ASCII byte pays nothing more.
        if ((unsigned char) (c - 1) >= 0x7F) {
            //  A raw 0x00 is never JSON, but cJSON takes it for white space
            //  between tokens and copies it into a string, which then ends there.
            if (!c)
                return shr_error_set (err, SHR_INVALID_ARGUMENT, "",
                                      "frame is not valid JSON: a 0x00 byte (at byte %zu); a "
                                      "string may not contain U+0000, and JSON text never holds "
                                      "a raw 0x00",
                                      (size_t) (p - (const unsigned char *) data));
            size_t length = s_utf8_length (p, end);
            if (!length)
                return shr_error_set (err, SHR_INVALID_ARGUMENT, "",
                                      "frame is not valid UTF-8 (at byte %zu)",
                                      (size_t) (p - (const unsigned char *) data));
            p += length;
            continue;
        }
        if (in_string) {
            if (c == '\\') {
                //  Only here, on an escape, which is rare: "\u0000" is the one way
                //  to write U+0000 in valid JSON (no surrogate pair makes it).
                if (end - p >= 6 && p[1] == 'u' && memcmp (p + 2, "0000", 4) == 0)
                    nul = true;
                p++;  //  skip the escaped character, which is ASCII in valid JSON
            }
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
    return nul ? 1 : 0;
}

//  --------------------------------------------------------------------------
//  The walk that names the string holding U+0000. It runs only on a frame that
//  the scan saw a \u0000 in and that cJSON parsed, so it can read the text as
//  JSON without checking its grammar; it still never reads past end.

//  Bytes appended whole or not at all, so that a pointer or a message cut at the
//  size of its buffer never ends in half a UTF-8 sequence or half an escape.
typedef struct {
    char *buf;
    size_t size;
    size_t pos;
    bool full;
} s_out_t;

//  Appends n bytes, or, when they do not fit, nothing and marks out full.
static void s_put (s_out_t *out, const char *bytes, size_t n)
{
    if (out->full || out->pos + n >= out->size) {
        out->full = true;
        return;
    }
    memcpy (out->buf + out->pos, bytes, n);
    out->pos += n;
    out->buf[out->pos] = 0;
}

//  The value of the four hex digits at p, or -1 if they are not four hex digits.
static int s_hex4 (const char *p)
{
    int value = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        int digit = c >= '0' && c <= '9'   ? c - '0'
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                           : -1;
        if (digit < 0)
            return -1;
        value = value * 16 + digit;
    }
    return value;
}

//  Appends code point cp as UTF-8, and U+0000 as C0 80 (see shr_error_t).
static void s_put_code_point (s_out_t *out, unsigned cp)
{
    if (cp == 0) {
        s_put (out, "\xC0\x80", 2);
        return;
    }
    static const unsigned char lead[] = {0, 0, 0xC0, 0xE0, 0xF0};
    char bytes[4];
    size_t n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    for (size_t i = n - 1; i > 0; i--, cp >>= 6)
        bytes[i] = (char) (0x80 | (cp & 0x3F));
    bytes[0] = (char) (lead[n] | cp);
    s_put (out, bytes, n);
}

//  Appends the string whose text starts at p (after its opening quote) with its
//  escapes decoded; as a JSON pointer token (~ as ~0, / as ~1) if token. Stops
//  early when out is full, or at a malformed escape (cJSON refused those).
static void s_put_decoded (s_out_t *out, const char *p, const char *end, bool token)
{
    while (p < end && *p != '"' && !out->full) {
        if (*p != '\\') {
            //  A UTF-8 sequence goes whole (the scan checked it is well formed).
            size_t n = (unsigned char) *p < 0x80
                           ? 1
                           : s_utf8_length ((const unsigned char *) p, (const unsigned char *) end);
            n = n ? n : 1;
            if (token && *p == '~')
                s_put (out, "~0", 2);
            else if (token && *p == '/')
                s_put (out, "~1", 2);
            else
                s_put (out, p, n);
            p += n;
            continue;
        }
        if (end - p < 2)
            return;
        char c = p[1];
        p += 2;
        if (c != 'u') {
            const char *from = "bfnrt", *to = "\b\f\n\r\t";
            const char *at = strchr (from, c);
            char plain = at && c ? to[at - from] : c;  //  \" \\ \/ stand for themselves
            if (token && plain == '/')
                s_put (out, "~1", 2);
            else
                s_put (out, &plain, 1);
            continue;
        }
        int cp = end - p >= 4 ? s_hex4 (p) : -1;
        if (cp < 0)
            return;
        p += 4;
        //  A high surrogate and its low one make one code point; cJSON refused a
        //  lone surrogate already.
        if (cp >= 0xD800 && cp <= 0xDBFF && end - p >= 6 && p[0] == '\\' && p[1] == 'u') {
            int low = s_hex4 (p + 2);
            if (low >= 0xDC00 && low <= 0xDFFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                p += 6;
            }
        }
        if (token && (cp == '~' || cp == '/'))
            s_put (out, cp == '~' ? "~0" : "~1", 2);
        else
            s_put_code_point (out, (unsigned) cp);
    }
}

//  Skips the string whose text starts at p (after its opening quote). Returns
//  the byte after its closing quote (end at most); sets *nul if it holds \u0000.
static const char *s_skip_string (const char *p, const char *end, bool *nul)
{
    while (p < end && *p != '"') {
        if (*p == '\\') {
            if (end - p >= 6 && p[1] == 'u' && memcmp (p + 2, "0000", 4) == 0)
                *nul = true;
            p += end - p >= 2 ? 2 : 1;
        }
        else
            p++;
    }
    return p < end ? p + 1 : end;
}

//  True if the key at p, cut at its first U+0000 as cJSON cuts it, reads "id":
//  the member cJSON_GetObjectItemCaseSensitive (root, "id") may return.
static bool s_cut_is_id (const char *p, const char *end)
{
    char buf[16] = "";
    s_out_t out = {buf, sizeof buf, 0, false};
    s_put_decoded (&out, p, end, false);
    return strncmp (buf, "id", 2) == 0 && (buf[2] == 0 || (unsigned char) buf[2] == 0xC0);
}

//  One level of the walk: an object (the member being read) or an array.
typedef struct {
    bool object;
    bool want_key;    //  object: the next string is a key
    const char *key;  //  object: the current member's key, after its opening quote
    size_t index;     //  array: the current element
} s_level_t;

//  Fills err for the string found at levels[0..depth): its pointer in err->field
//  and a message that shows the pointer with each U+0000 as \u0000. Cannot fail;
//  a pointer too long for err->field is cut after a whole token part, and the
//  message then says "...".
static void s_nul_error (const s_level_t *levels, int depth, bool key, const char *end,
                         shr_error_t *err)
{
    err->code = SHR_INVALID_ARGUMENT;
    err->field[0] = 0;
    s_out_t field = {err->field, sizeof err->field, 0, false};
    for (int i = 0; i < depth; i++) {
        s_put (&field, "/", 1);
        if (levels[i].object && levels[i].key)
            s_put_decoded (&field, levels[i].key, end, true);
        else if (!levels[i].object) {
            char index[24];
            int n = snprintf (index, sizeof index, "%zu", levels[i].index);
            s_put (&field, index, (size_t) n);
        }
    }
    //  Room is kept for the words after the pointer, which must always be there.
    err->message[0] = 0;
    s_out_t message = {err->message, sizeof err->message - 80, 0, false};
    for (const char *p = err->field; *p; p++)
        if ((unsigned char) p[0] == 0xC0 && (unsigned char) p[1] == 0x80)
            s_put (&message, "\\u0000", 6), p++;
        else
            s_put (&message, p, 1);
    bool cut = message.full || field.full;
    message.size = sizeof err->message;
    message.full = false;
    if (cut)
        s_put (&message, "...", 3);
    const char *words = key ? ": a string may not contain U+0000 (here the member's key)"
                            : ": a string may not contain U+0000";
    s_put (&message, words, strlen (words));
}

//  Walks a parsed frame that holds a \u0000 escape. Fills err for the first string
//  (value or key) that holds U+0000, and returns true; false if none does (the
//  scan and the walk disagree, which they should not). Sets *id_cut when the
//  member cJSON reads as "id" has a U+0000 in its key or its string value, so
//  that the reply does not echo a cut id.
static bool s_find_nul (const char *p, const char *end, shr_error_t *err, bool *id_cut)
{
    s_level_t levels[SHR_MSG_MAX_DEPTH];
    int depth = 0;
    bool found = false, id_seen = false, id_value = false;
    *id_cut = false;
    while (p < end) {
        char c = *p++;
        s_level_t *top = depth ? &levels[depth - 1] : NULL;
        if (c == '"') {
            bool nul = false;
            const char *text = p;
            p = s_skip_string (p, end, &nul);
            bool key = top && top->object && top->want_key;
            if (key) {
                top->key = text;
                top->want_key = false;
            }
            if (depth == 1 && key && !id_seen && s_cut_is_id (text, end)) {
                id_seen = id_value = true;
                *id_cut = nul;
            }
            else if (depth == 1 && !key) {
                if (id_value && nul)
                    *id_cut = true;
                id_value = false;
            }
            if (nul && !found) {
                found = true;
                s_nul_error (levels, depth, key, end, err);
            }
        }
        else if (c == '{' || c == '[') {
            id_value = id_value && depth != 1;
            if (depth == SHR_MSG_MAX_DEPTH)
                break;  //  the scan refused deeper frames
            levels[depth++] = (s_level_t){.object = c == '{', .want_key = c == '{'};
        }
        else if (c == '}' || c == ']')
            depth -= depth > 0;
        else if (c == ',' && top) {
            if (top->object)
                top->want_key = true;
            else
                top->index++;
        }
        else if ((unsigned char) c > ' ' && c != ':' && depth == 1)
            id_value = false;  //  a number, true, false or null
    }
    return found;
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
    int scan = shr_msg_scan (data, size, err);
    if (scan < 0)
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

    //  cJSON ends a C string at U+0000, so each string that holds one would reach
    //  the handler cut ("T-1\u0000x" would be technician T-1): refused, naming it.
    bool nul = false, id_cut = false;
    if (scan == 1) {
        nul = true;
        if (!s_find_nul ((const char *) data, (const char *) data + size, err, &id_cut)) {
            id_cut = true;
            shr_error_set (err, SHR_INVALID_ARGUMENT, "",
                           "request holds \\u0000: a string may not contain U+0000");
        }
    }

    //  Read the id first, so that any later error can echo it; never a cut one.
    const cJSON *id = cJSON_GetObjectItemCaseSensitive (req->root, "id");
    if (!id_cut && cJSON_IsString (id) && strlen (id->valuestring) <= 128)
        req->id = id->valuestring;
    if (nul)
        return -1;

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

//  Appends field as a JSON string, each C0 80 in it as \u0000 (see shr_error_t).
//  Out of memory leaves json failed, as every shr_json append does.
static void s_field (shr_json_t *json, const char *field)
{
    if (!strstr (field, "\xC0\x80")) {
        shr_json_string (json, field);
        return;
    }
    char bytes[sizeof ((shr_error_t *) NULL)->field];
    size_t n = 0;
    for (const char *p = field; *p && n < sizeof bytes; p++)
        if ((unsigned char) p[0] == 0xC0 && (unsigned char) p[1] == 0x80)
            bytes[n++] = 0, p++;
        else
            bytes[n++] = *p;
    shr_json_string_length (json, bytes, n);
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
        s_field (json, err->field);
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
