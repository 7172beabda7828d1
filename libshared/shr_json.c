/*  shr_json - builds JSON text fast. See shr_json.h. */
#include "shr_json.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct _shr_json_t {
    char *data;
    size_t length;
    size_t size;
    bool failed;   //  an append ran out of memory; the text is unusable
};

shr_json_t *shr_json_new (void)
{
    return (shr_json_t *) calloc (1, sizeof (shr_json_t));
}

void shr_json_destroy (shr_json_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free ((*self_p)->data);
    free (*self_p);
    *self_p = NULL;
}

//  Makes room for extra more bytes plus a NUL. Returns false when out of memory.
static bool s_reserve (shr_json_t *self, size_t extra)
{
    if (self->failed)
        return false;
    if (self->length + extra + 1 <= self->size)
        return true;
    size_t size = self->size ? self->size : 256;
    while (size < self->length + extra + 1)
        size *= 2;
    char *data = (char *) realloc (self->data, size);
    if (!data) {
        self->failed = true;
        return false;
    }
    self->data = data;
    self->size = size;
    return true;
}

static void s_append (shr_json_t *self, const char *text, size_t length)
{
    if (!s_reserve (self, length))
        return;
    memcpy (self->data + self->length, text, length);
    self->length += length;
    self->data[self->length] = 0;
}

void shr_json_raw (shr_json_t *self, const char *text)
{
    s_append (self, text, strlen (text));
}

void shr_json_string (shr_json_t *self, const char *text)
{
    if (!text) {
        s_append (self, "null", 4);
        return;
    }
    shr_json_string_length (self, text, strlen (text));
}

void shr_json_string_length (shr_json_t *self, const char *text, size_t length)
{
    //  Worst case every byte becomes \u00XX.
    if (!s_reserve (self, length * 6 + 2))
        return;
    char *out = self->data + self->length;
    *out++ = '"';
    const unsigned char *end = (const unsigned char *) text + length;
    for (const unsigned char *p = (const unsigned char *) text; p < end; p++) {
        unsigned char c = *p;
        if (c >= 0x20 && c != '"' && c != '\\') {
            *out++ = (char) c;
            continue;
        }
        *out++ = '\\';
        switch (c) {
        case '"': *out++ = '"'; break;
        case '\\': *out++ = '\\'; break;
        case '\b': *out++ = 'b'; break;
        case '\f': *out++ = 'f'; break;
        case '\n': *out++ = 'n'; break;
        case '\r': *out++ = 'r'; break;
        case '\t': *out++ = 't'; break;
        default: out += sprintf (out, "u%04x", c); break;
        }
    }
    *out++ = '"';
    *out = 0;
    self->length = (size_t) (out - self->data);
}

void shr_json_int (shr_json_t *self, int64_t value)
{
    char digits[24];
    char *end = digits + sizeof digits, *p = end;
    uint64_t magnitude = value < 0 ? (uint64_t) 0 - (uint64_t) value : (uint64_t) value;
    do {
        *--p = (char) ('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude);
    if (value < 0)
        *--p = '-';
    s_append (self, p, (size_t) (end - p));
}

void shr_json_number (shr_json_t *self, double value)
{
    //  Integral and exactly representable: print as an integer, no printf.
    if (value == trunc (value) && fabs (value) < 9007199254740992.0) {
        shr_json_int (self, (int64_t) value);
        return;
    }
    if (!isfinite (value)) {
        s_append (self, "null", 4);  //  as cJSON: JSON has no NaN or infinity
        return;
    }
    char text[32];
    //  The shortest of 15 or 17 digits that reads back as the same double, as cJSON does.
    int length = snprintf (text, sizeof text, "%1.15g", value);
    if (strtod (text, NULL) != value)
        length = snprintf (text, sizeof text, "%1.17g", value);
    s_append (self, text, (size_t) length);
}

void shr_json_value (shr_json_t *self, const cJSON *item)
{
    if (!item) {
        s_append (self, "null", 4);
        return;
    }
    switch (item->type & 0xFF) {
    case cJSON_NULL: s_append (self, "null", 4); break;
    case cJSON_False: s_append (self, "false", 5); break;
    case cJSON_True: s_append (self, "true", 4); break;
    case cJSON_Number: shr_json_number (self, item->valuedouble); break;
    case cJSON_String: shr_json_string (self, item->valuestring); break;
    case cJSON_Raw: shr_json_raw (self, item->valuestring ? item->valuestring : "null"); break;
    case cJSON_Array:
        s_append (self, "[", 1);
        for (const cJSON *child = item->child; child; child = child->next) {
            shr_json_value (self, child);
            if (child->next)
                s_append (self, ",", 1);
        }
        s_append (self, "]", 1);
        break;
    case cJSON_Object:
        s_append (self, "{", 1);
        for (const cJSON *child = item->child; child; child = child->next) {
            shr_json_string (self, child->string);
            s_append (self, ":", 1);
            shr_json_value (self, child);
            if (child->next)
                s_append (self, ",", 1);
        }
        s_append (self, "}", 1);
        break;
    default: s_append (self, "null", 4); break;
    }
}

const char *shr_json_text (shr_json_t *self)
{
    if (self->failed)
        return NULL;
    return self->data ? self->data : "";
}

size_t shr_json_length (shr_json_t *self)
{
    return self->length;
}

void shr_json_reset (shr_json_t *self)
{
    self->length = 0;
    self->failed = false;
    if (self->data)
        self->data[0] = 0;
}

char *shr_json_take (shr_json_t *self)
{
    char *text = self->failed ? NULL : self->data ? self->data : strdup ("");
    if (self->failed)
        free (self->data);
    self->data = NULL;
    self->length = self->size = 0;
    self->failed = false;
    return text;
}

char *shr_json_print (const cJSON *item)
{
    shr_json_t json = {0};
    shr_json_value (&json, item);
    char *text = shr_json_take (&json);
    return text;
}
