/*  shr_body - reading request bodies and building reply and event bodies.

    Bodies reach handlers validated against their schema, so these readers need
    no error paths: a missing optional field gives the fallback. The builders
    write the platform's conventions: times as RFC 3339 (or null when unset,
    which is 0 inside), optional strings as null.
*/
#ifndef SHR_BODY_H_INCLUDED
#define SHR_BODY_H_INCLUDED

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

//  The string field name of object, or NULL if absent or not a string. Borrowed.
const char *shr_body_string (const cJSON *object, const char *name);

//  The integer field name, or fallback if absent or not a number.
int64_t shr_body_int (const cJSON *object, const char *name, int64_t fallback);

//  The boolean field name, or fallback if absent or not a boolean.
bool shr_body_bool (const cJSON *object, const char *name, bool fallback);

//  True if object has a field called name.
bool shr_body_has (const cJSON *object, const char *name);

//  Adds name: the time ms as RFC 3339, or null if ms is 0. Returns the item.
cJSON *shr_body_add_time (cJSON *object, const char *name, int64_t ms);

//  Adds name: text, or null if text is NULL or empty. Returns the item.
cJSON *shr_body_add_string (cJSON *object, const char *name, const char *text);

//  Adds name: value as a JSON number (exact up to 2^53). Returns the item.
cJSON *shr_body_add_int (cJSON *object, const char *name, int64_t value);

#endif
