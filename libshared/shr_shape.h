/*  shr_shape - a message's C struct and its field table: decode, encode, bind, read.

    Each message shape (an op's request and reply, an event's data, and the
    definitions they share) is described once, in its JSON Schema under
    schemas/. tools/shapegen.py turns each into a C struct and a shr_shape_t
    that lists the struct's fields: name on the wire, kind, offset, whether it
    is required or nullable, and its default. This module is the one place that
    walks those tables, so no handler names a field as a string:

      decode   a validated JSON body into the struct (strings borrowed from the
               tree, arrays in the call's arena, schema defaults applied)
      encode   the struct as JSON text (a reply body, an event's data)
      bind     the struct's fields to a statement's named parameters (:name)
      read     a result row into the struct, by column name

    Representation: strings are const char * (NULL when absent or null); a
    date-time is int64_t ms since the epoch; integers are int64_t; numbers
    double; booleans bool; a free-form object is a borrowed const cJSON *;
    objects are nested structs; arrays are struct { size_t count; T *items; }.
    A field that is optional or nullable, and is not a string, has a bool
    has_<name> beside it: decode and read set it, encode obeys it (absent and
    nullable: null; absent and optional: left out). An embedded definition
    (SHR_FIELD_EMBED) is a nested struct whose fields sit on the wire at the
    level of the parent's own.

    Columns match fields by name; a date-time field also matches <name>_ms
    (times are stored as ms); "parent.child" reaches into a nested object,
    which is present when any of its columns is not NULL; a column whose name
    starts with "_" is no field (the caller reads it by index, e.g. a cursor).
    A text column read into an array, object or free-form field holds JSON (in
    which a date-time may be a number of ms, as SQL's json_object writes it).
*/
#ifndef SHR_SHAPE_H_INCLUDED
#define SHR_SHAPE_H_INCLUDED

#include "shr_arena.h"
#include "shr_json.h"

#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    SHR_FIELD_STRING,
    SHR_FIELD_TIME,
    SHR_FIELD_INT,
    SHR_FIELD_NUMBER,
    SHR_FIELD_BOOL,
    SHR_FIELD_OBJECT,
    SHR_FIELD_JSON,
    SHR_FIELD_ARRAY,
    SHR_FIELD_EMBED
} shr_field_kind_t;

#define SHR_FIELD_REQUIRED 1
#define SHR_FIELD_NULLABLE 2

typedef struct _shr_shape_t shr_shape_t;

typedef struct {
    const char *name;          //  on the wire and in SQL
    shr_field_kind_t kind;
    size_t offset;             //  of the value in the struct
    ptrdiff_t has_offset;      //  of its bool has_<name>, or -1
    int flags;                 //  SHR_FIELD_REQUIRED, SHR_FIELD_NULLABLE
    const shr_shape_t *shape;  //  objects, embeds, arrays of objects
    shr_field_kind_t item;     //  arrays: the kind of an item
    size_t item_size;          //  arrays: the size of an item
    bool has_default;          //  the schema's default, applied by decode
    int64_t def_int;
    double def_number;
    const char *def_string;
} shr_field_t;

struct _shr_shape_t {
    const char *schema;         //  where it is described: "dispatch/defs.json#/definitions/money"
    size_t size;                //  of the struct
    const shr_field_t *fields;
    size_t field_count;
};

//  Any array field, as decode and read fill it.
typedef struct {
    size_t count;
    void *items;
} shr_array_t;

//  Fills out (shape->size bytes, zeroed first) from object, a body already
//  validated against the shape's schema (borrowed: strings point into it).
//  Arrays are allocated in arena. Returns 0, or -1 with err filled when a value
//  has the wrong JSON type (the body was not validated) or memory runs out.
int shr_shape_decode (const shr_shape_t *shape, const cJSON *object, void *out, shr_arena_t *arena,
                      char *err, size_t errlen);

//  Appends value as a JSON object to json. Returns 0, or -1 with err naming the
//  field when a required value is missing (a string or free-form field NULL).
int shr_shape_encode (const shr_shape_t *shape, const void *value, shr_json_t *json, char *err,
                      size_t errlen);

//  Binds every named parameter of stmt (":name") that names a field of value;
//  parameters that name none are left for the caller. Absent values bind NULL
//  (but a field with a schema default binds it); arrays, objects and free-form
//  values bind their JSON text. Returns 0, or an
//  SQLite error code.
int shr_shape_bind (const shr_shape_t *shape, const void *value, sqlite3_stmt *stmt);

//  Reads the row stmt is on into out (zeroed first); texts are copied into
//  arena. Returns 0, or -1 with err filled when a column names no field or a
//  JSON column does not parse.
int shr_shape_read (const shr_shape_t *shape, sqlite3_stmt *stmt, void *out, shr_arena_t *arena,
                    char *err, size_t errlen);

//  Where each column of a statement goes in a shape's struct, worked out once
//  and kept with the statement (shr_store_stmt_slot), so that reading a row
//  matches no names. Returns NULL with err filled when a column names no
//  field. The caller owns it.
typedef struct _shr_shape_map_t shr_shape_map_t;
shr_shape_map_t *shr_shape_map_new (const shr_shape_t *shape, sqlite3_stmt *stmt, char *err,
                                    size_t errlen);
void shr_shape_map_destroy (shr_shape_map_t **self_p);
//  The shape a map was made for. Borrowed.
const shr_shape_t *shr_shape_map_shape (const shr_shape_map_t *self);
//  shr_shape_read by a map made for this statement.
int shr_shape_read_mapped (const shr_shape_map_t *map, sqlite3_stmt *stmt, void *out,
                           shr_arena_t *arena, char *err, size_t errlen);

//  The field called name (embedded definitions searched too), or NULL.
//  *base_offset receives the offset of the struct that holds it.
const shr_field_t *shr_shape_field (const shr_shape_t *shape, const char *name,
                                    size_t *base_offset);

#endif
