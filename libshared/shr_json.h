/*  shr_json - builds JSON text fast, from values and cJSON trees.

    Why not cJSON_PrintUnformatted: the cJSON of Debian 12 formats every number
    with sprintf("%1.15g") and reads it back with sscanf, which was 16 % of the
    instructions of a whole request in a service. Here integral numbers (ids,
    counts, cents, seq) print as integers without printf; other numbers print as
    cJSON would. Strings are escaped as cJSON escapes them; cJSON_Raw items are
    copied as they are. The builder also composes envelopes without a tree.
*/
#ifndef SHR_JSON_H_INCLUDED
#define SHR_JSON_H_INCLUDED

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

typedef struct _shr_json_t shr_json_t;

//  Creates an empty builder. Returns NULL only when out of memory.
shr_json_t *shr_json_new (void);

//  Nulls *self_p. Safe twice.
void shr_json_destroy (shr_json_t **self_p);

//  Appends text as it is (it must already be JSON, or punctuation like "{\"v\":1,").
void shr_json_raw (shr_json_t *self, const char *text);

//  Appends a quoted, escaped string; NULL appends null.
void shr_json_string (shr_json_t *self, const char *text);

//  Appends the length bytes at text as a quoted, escaped string; a 0 byte among
//  them is written \u0000 (a JSON string may hold U+0000; a C string cannot).
void shr_json_string_length (shr_json_t *self, const char *text, size_t length);

//  Appends an integer.
void shr_json_int (shr_json_t *self, int64_t value);

//  Appends a number: integral values as integers, others as cJSON prints them.
void shr_json_number (shr_json_t *self, double value);

//  Appends a value from a cJSON tree (borrowed); NULL appends null.
void shr_json_value (shr_json_t *self, const cJSON *item);

//  The text so far (borrowed; valid until the next append), or NULL if an append
//  ran out of memory.
const char *shr_json_text (shr_json_t *self);

//  The length of the text so far.
size_t shr_json_length (shr_json_t *self);

//  Empties the builder for reuse (keeps its memory).
void shr_json_reset (shr_json_t *self);

//  Returns the text, which the caller frees with free(), and empties the builder.
//  NULL if an append ran out of memory.
char *shr_json_take (shr_json_t *self);

//  Prints one cJSON tree (borrowed) like cJSON_PrintUnformatted. Returns a string
//  the caller frees with free(), or NULL when out of memory.
char *shr_json_print (const cJSON *item);

#endif
