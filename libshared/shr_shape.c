/*  shr_shape - decode, encode, bind and read messages by their field tables.
    See shr_shape.h. */
#include "shr_shape.h"
#include "shr_time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AT(base, offset) ((char *) (base) + (offset))

static bool s_has (const shr_field_t *field, const void *base)
{
    return field->has_offset < 0 || *(const bool *) AT (base, field->has_offset);
}

static void s_set_has (const shr_field_t *field, void *base, bool has)
{
    if (field->has_offset >= 0)
        *(bool *) AT (base, field->has_offset) = has;
}

//  ---------------------------------------------------------------------------
//  decode

static int s_decode_fields (const shr_shape_t *shape, const cJSON *object, void *out,
                            shr_arena_t *arena, char *err, size_t errlen);

//  One value of kind into slot (an item of an array, or a field's value).
static int s_decode_value (shr_field_kind_t kind, const shr_shape_t *shape, const cJSON *item,
                           void *slot, shr_arena_t *arena, const char *name, char *err,
                           size_t errlen)
{
    switch (kind) {
    case SHR_FIELD_STRING:
        if (!cJSON_IsString (item))
            break;
        *(const char **) slot = item->valuestring;
        return 0;
    case SHR_FIELD_TIME:
        //  ms since the epoch in our own JSON columns; RFC 3339 on the wire.
        if (cJSON_IsNumber (item)) {
            *(int64_t *) slot = (int64_t) item->valuedouble;
            return 0;
        }
        if (!cJSON_IsString (item) || shr_time_parse (item->valuestring, (int64_t *) slot))
            break;
        return 0;
    case SHR_FIELD_INT:
        if (!cJSON_IsNumber (item))
            break;
        *(int64_t *) slot = (int64_t) item->valuedouble;
        return 0;
    case SHR_FIELD_NUMBER:
        if (!cJSON_IsNumber (item))
            break;
        *(double *) slot = item->valuedouble;
        return 0;
    case SHR_FIELD_BOOL:
        if (!cJSON_IsBool (item))
            break;
        *(bool *) slot = cJSON_IsTrue (item);
        return 0;
    case SHR_FIELD_JSON:
        *(const cJSON **) slot = item;
        return 0;
    case SHR_FIELD_OBJECT:
        if (!cJSON_IsObject (item))
            break;
        return s_decode_fields (shape, item, slot, arena, err, errlen);
    default:
        break;
    }
    snprintf (err, errlen, "%s has the wrong type for %s", name,
              shape ? shape->schema : "its field");
    return -1;
}

static int s_decode_array (const shr_field_t *field, const cJSON *array, void *slot,
                           shr_arena_t *arena, char *err, size_t errlen)
{
    if (!cJSON_IsArray (array)) {
        snprintf (err, errlen, "%s is not an array", field->name);
        return -1;
    }
    shr_array_t *out = (shr_array_t *) slot;
    out->count = (size_t) cJSON_GetArraySize (array);
    out->items = out->count ? shr_arena_alloc (arena, out->count * field->item_size) : NULL;
    if (out->count && !out->items) {
        snprintf (err, errlen, "out of memory");
        return -1;
    }
    size_t i = 0;
    for (const cJSON *item = array->child; item; item = item->next, i++) {
        void *target = AT (out->items, i * field->item_size);
        if (field->item == SHR_FIELD_OBJECT)
            memset (target, 0, field->item_size);
        if (s_decode_value (field->item, field->shape, item, target, arena, field->name, err,
                            errlen))
            return -1;
    }
    return 0;
}

static void s_default (const shr_field_t *field, void *slot)
{
    switch (field->kind) {
    case SHR_FIELD_STRING: *(const char **) slot = field->def_string; break;
    case SHR_FIELD_INT:
    case SHR_FIELD_TIME: *(int64_t *) slot = field->def_int; break;
    case SHR_FIELD_NUMBER: *(double *) slot = field->def_number; break;
    case SHR_FIELD_BOOL: *(bool *) slot = field->def_int != 0; break;
    default: break;
    }
}

static int s_decode_fields (const shr_shape_t *shape, const cJSON *object, void *out,
                            shr_arena_t *arena, char *err, size_t errlen)
{
    for (size_t i = 0; i < shape->field_count; i++) {
        const shr_field_t *field = &shape->fields[i];
        void *slot = AT (out, field->offset);
        if (field->kind == SHR_FIELD_EMBED) {
            if (s_decode_fields (field->shape, object, slot, arena, err, errlen))
                return -1;
            continue;
        }
        const cJSON *item = cJSON_GetObjectItemCaseSensitive (object, field->name);
        if (!item || cJSON_IsNull (item)) {
            if (!item && field->has_default)
                s_default (field, slot);
            continue;
        }
        int rc = field->kind == SHR_FIELD_ARRAY
                     ? s_decode_array (field, item, slot, arena, err, errlen)
                     : s_decode_value (field->kind, field->shape, item, slot, arena, field->name,
                                       err, errlen);
        if (rc)
            return -1;
        s_set_has (field, out, true);
    }
    return 0;
}

int shr_shape_decode (const shr_shape_t *shape, const cJSON *object, void *out, shr_arena_t *arena,
                      char *err, size_t errlen)
{
    memset (out, 0, shape->size);
    if (!cJSON_IsObject (object)) {
        snprintf (err, errlen, "%s: not an object", shape->schema);
        return -1;
    }
    return s_decode_fields (shape, object, out, arena, err, errlen);
}

//  ---------------------------------------------------------------------------
//  encode

static int s_encode_fields (const shr_shape_t *shape, const void *value, shr_json_t *json,
                            bool *first, char *err, size_t errlen);

static int s_encode_object (const shr_shape_t *shape, const void *value, shr_json_t *json,
                            char *err, size_t errlen)
{
    bool first = true;
    shr_json_raw (json, "{");
    int rc = s_encode_fields (shape, value, json, &first, err, errlen);
    shr_json_raw (json, "}");
    return rc;
}

static int s_encode_value (shr_field_kind_t kind, const shr_shape_t *shape, const void *slot,
                           shr_json_t *json, char *err, size_t errlen)
{
    switch (kind) {
    case SHR_FIELD_STRING: shr_json_string (json, *(const char *const *) slot); break;
    case SHR_FIELD_TIME: {
        char text[SHR_TIME_LEN];
        shr_time_format (*(const int64_t *) slot, text);
        shr_json_string (json, text);
        break;
    }
    case SHR_FIELD_INT: shr_json_int (json, *(const int64_t *) slot); break;
    case SHR_FIELD_NUMBER: shr_json_number (json, *(const double *) slot); break;
    case SHR_FIELD_BOOL: shr_json_raw (json, *(const bool *) slot ? "true" : "false"); break;
    case SHR_FIELD_JSON: shr_json_value (json, *(const cJSON *const *) slot); break;
    case SHR_FIELD_OBJECT: return s_encode_object (shape, slot, json, err, errlen);
    default: break;
    }
    return 0;
}

static int s_encode_fields (const shr_shape_t *shape, const void *value, shr_json_t *json,
                            bool *first, char *err, size_t errlen)
{
    for (size_t i = 0; i < shape->field_count; i++) {
        const shr_field_t *field = &shape->fields[i];
        const void *slot = AT (value, field->offset);
        if (field->kind == SHR_FIELD_EMBED) {
            if (s_encode_fields (field->shape, slot, json, first, err, errlen))
                return -1;
            continue;
        }
        bool present = s_has (field, value);
        if (field->kind == SHR_FIELD_STRING || field->kind == SHR_FIELD_JSON)
            present = *(const void *const *) slot != NULL;
        if (!present && !(field->flags & SHR_FIELD_NULLABLE)) {
            if (!(field->flags & SHR_FIELD_REQUIRED))
                continue;
            snprintf (err, errlen, "%s: required field %s is not set", shape->schema,
                      field->name);
            return -1;
        }
        if (!*first)
            shr_json_raw (json, ",");
        *first = false;
        shr_json_string (json, field->name);
        shr_json_raw (json, ":");
        if (!present)
            shr_json_raw (json, "null");
        else if (field->kind == SHR_FIELD_ARRAY) {
            const shr_array_t *array = (const shr_array_t *) slot;
            shr_json_raw (json, "[");
            for (size_t j = 0; j < array->count; j++) {
                if (j)
                    shr_json_raw (json, ",");
                if (s_encode_value (field->item, field->shape,
                                    AT (array->items, j * field->item_size), json, err, errlen))
                    return -1;
            }
            shr_json_raw (json, "]");
        }
        else if (s_encode_value (field->kind, field->shape, slot, json, err, errlen))
            return -1;
    }
    return 0;
}

int shr_shape_encode (const shr_shape_t *shape, const void *value, shr_json_t *json, char *err,
                      size_t errlen)
{
    return s_encode_object (shape, value, json, err, errlen);
}

//  ---------------------------------------------------------------------------
//  fields by name

//  Matches a column or parameter name to a field: its name, or <name>_ms for a
//  date-time (times are stored as ms).
static bool s_names (const shr_field_t *field, const char *name, size_t length)
{
    if (field->name[0] != name[0])
        return false;  //  most fields differ at once: no strlen for them
    size_t own = strlen (field->name);
    if (own == length && memcmp (field->name, name, length) == 0)
        return true;
    return field->kind == SHR_FIELD_TIME && length == own + 3
           && memcmp (field->name, name, own) == 0 && memcmp (name + own, "_ms", 3) == 0;
}

static const shr_field_t *s_find (const shr_shape_t *shape, const char *name, size_t length,
                                  size_t *base_offset)
{
    for (size_t i = 0; i < shape->field_count; i++) {
        const shr_field_t *field = &shape->fields[i];
        if (field->kind == SHR_FIELD_EMBED) {
            size_t inner = 0;
            const shr_field_t *found = s_find (field->shape, name, length, &inner);
            if (found) {
                *base_offset += field->offset + inner;
                return found;
            }
        }
        else if (s_names (field, name, length))
            return field;
    }
    return NULL;
}

const shr_field_t *shr_shape_field (const shr_shape_t *shape, const char *name,
                                    size_t *base_offset)
{
    *base_offset = 0;
    return s_find (shape, name, strlen (name), base_offset);
}

//  ---------------------------------------------------------------------------
//  bind

static int s_bind_json (sqlite3_stmt *stmt, int index, const shr_field_t *field,
                        const void *slot)
{
    shr_json_t *json = shr_json_new ();
    char err[128];
    int rc;
    if (field->kind == SHR_FIELD_ARRAY) {
        const shr_array_t *array = (const shr_array_t *) slot;
        shr_json_raw (json, "[");
        for (size_t j = 0; j < array->count; j++) {
            if (j)
                shr_json_raw (json, ",");
            s_encode_value (field->item, field->shape, AT (array->items, j * field->item_size),
                            json, err, sizeof err);
        }
        shr_json_raw (json, "]");
    }
    else
        s_encode_value (field->kind, field->shape, slot, json, err, sizeof err);
    const char *text = shr_json_text (json);
    rc = text ? sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT) : SQLITE_NOMEM;
    shr_json_destroy (&json);
    return rc;
}

int shr_shape_bind (const shr_shape_t *shape, const void *value, sqlite3_stmt *stmt)
{
    int count = sqlite3_bind_parameter_count (stmt);
    for (int index = 1; index <= count; index++) {
        const char *name = sqlite3_bind_parameter_name (stmt, index);
        if (!name || name[0] != ':')
            continue;
        size_t base = 0;
        const shr_field_t *field = s_find (shape, name + 1, strlen (name + 1), &base);
        if (!field)
            continue;
        const void *holder = AT (value, base);
        const void *slot = AT (holder, field->offset);
        int rc = SQLITE_OK;
        //  A field left out but with a default binds the default decode put there.
        bool present = s_has (field, holder) || field->has_default;
        if (field->kind == SHR_FIELD_STRING || field->kind == SHR_FIELD_JSON)
            present = *(const void *const *) slot != NULL;
        if (!present)
            rc = sqlite3_bind_null (stmt, index);
        else
            switch (field->kind) {
            case SHR_FIELD_STRING:
                rc = sqlite3_bind_text (stmt, index, *(const char *const *) slot, -1,
                                        SQLITE_TRANSIENT);
                break;
            case SHR_FIELD_TIME:
            case SHR_FIELD_INT:
                rc = sqlite3_bind_int64 (stmt, index, *(const int64_t *) slot);
                break;
            case SHR_FIELD_NUMBER:
                rc = sqlite3_bind_double (stmt, index, *(const double *) slot);
                break;
            case SHR_FIELD_BOOL: rc = sqlite3_bind_int (stmt, index, *(const bool *) slot); break;
            default: rc = s_bind_json (stmt, index, field, slot); break;
            }
        if (rc != SQLITE_OK)
            return rc;
    }
    return SQLITE_OK;
}

//  ---------------------------------------------------------------------------
//  read

//  Reads column into the field's slot. Returns 0, or -1 with err filled.
static int s_read_column (const shr_field_t *field, void *holder, sqlite3_stmt *stmt, int column,
                          shr_arena_t *arena, char *err, size_t errlen)
{
    void *slot = AT (holder, field->offset);
    if (sqlite3_column_type (stmt, column) == SQLITE_NULL) {
        s_set_has (field, holder, false);
        return 0;
    }
    switch (field->kind) {
    case SHR_FIELD_STRING:
        *(const char **) slot
            = shr_arena_strdup (arena, (const char *) sqlite3_column_text (stmt, column));
        break;
    case SHR_FIELD_TIME:
    case SHR_FIELD_INT: *(int64_t *) slot = sqlite3_column_int64 (stmt, column); break;
    case SHR_FIELD_NUMBER: *(double *) slot = sqlite3_column_double (stmt, column); break;
    case SHR_FIELD_BOOL: *(bool *) slot = sqlite3_column_int (stmt, column) != 0; break;
    default: {
        //  JSON text: parsed, kept in the arena (decoded strings point into it).
        const char *text = (const char *) sqlite3_column_text (stmt, column);
        cJSON *tree = cJSON_Parse (text ? text : "");
        if (!tree) {
            snprintf (err, errlen, "column %s does not hold JSON", sqlite3_column_name (stmt, column));
            return -1;
        }
        const cJSON *kept = shr_arena_keep (arena, &tree);
        int rc = 0;
        if (!kept) {
            snprintf (err, errlen, "out of memory");
            return -1;
        }
        if (field->kind == SHR_FIELD_ARRAY)
            rc = s_decode_array (field, kept, slot, arena, err, errlen);
        else if (field->kind == SHR_FIELD_JSON)
            *(const cJSON **) slot = kept;
        else
            rc = s_decode_value (field->kind, field->shape, kept, slot, arena, field->name, err,
                                 errlen);
        if (rc)
            return -1;
        break;
    }
    }
    s_set_has (field, holder, true);
    return 0;
}

//  Where one column goes: the field, the offset of the struct that holds it,
//  and the nested objects on the way ("parent.child"), present when it is not NULL.
#define MAP_DEPTH 4
typedef struct {
    int column;
    const shr_field_t *field;
    size_t holder;                            //  offset of the holding struct in out
    int depth;
    const shr_field_t *parents[MAP_DEPTH];
    size_t parent_holders[MAP_DEPTH];
} s_column_t;

struct _shr_shape_map_t {
    const shr_shape_t *shape;
    size_t count;
    s_column_t columns[];
};

shr_shape_map_t *shr_shape_map_new (const shr_shape_t *shape, sqlite3_stmt *stmt, char *err,
                                    size_t errlen)
{
    int columns = sqlite3_column_count (stmt);
    shr_shape_map_t *self = (shr_shape_map_t *) calloc (
        1, sizeof (shr_shape_map_t) + (size_t) columns * sizeof (s_column_t));
    if (!self) {
        snprintf (err, errlen, "out of memory");
        return NULL;
    }
    self->shape = shape;
    for (int column = 0; column < columns; column++) {
        const char *name = sqlite3_column_name (stmt, column);
        if (name[0] == '_')
            continue;
        s_column_t *entry = &self->columns[self->count];
        entry->column = column;
        const shr_shape_t *within = shape;
        size_t holder = 0;
        const char *dot;
        while ((dot = strchr (name, '.'))) {
            size_t base = 0;
            const shr_field_t *parent = s_find (within, name, (size_t) (dot - name), &base);
            if (!parent || parent->kind != SHR_FIELD_OBJECT || entry->depth == MAP_DEPTH) {
                snprintf (err, errlen, "column %s names no object of %s", name, shape->schema);
                free (self);
                return NULL;
            }
            holder += base;
            entry->parents[entry->depth] = parent;
            entry->parent_holders[entry->depth++] = holder;
            holder += parent->offset;
            within = parent->shape;
            name = dot + 1;
        }
        size_t base = 0;
        entry->field = s_find (within, name, strlen (name), &base);
        if (!entry->field) {
            snprintf (err, errlen, "column %s names no field of %s", name, within->schema);
            free (self);
            return NULL;
        }
        entry->holder = holder + base;
        self->count++;
    }
    return self;
}

void shr_shape_map_destroy (shr_shape_map_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free (*self_p);
    *self_p = NULL;
}

const shr_shape_t *shr_shape_map_shape (const shr_shape_map_t *self)
{
    return self->shape;
}

int shr_shape_read_mapped (const shr_shape_map_t *map, sqlite3_stmt *stmt, void *out,
                           shr_arena_t *arena, char *err, size_t errlen)
{
    memset (out, 0, map->shape->size);
    for (size_t i = 0; i < map->count; i++) {
        const s_column_t *entry = &map->columns[i];
        if (entry->depth && sqlite3_column_type (stmt, entry->column) != SQLITE_NULL)
            for (int level = 0; level < entry->depth; level++)
                s_set_has (entry->parents[level], AT (out, entry->parent_holders[level]), true);
        if (s_read_column (entry->field, AT (out, entry->holder), stmt, entry->column, arena, err,
                           errlen))
            return -1;
    }
    return 0;
}

int shr_shape_read (const shr_shape_t *shape, sqlite3_stmt *stmt, void *out, shr_arena_t *arena,
                    char *err, size_t errlen)
{
    shr_shape_map_t *map = shr_shape_map_new (shape, stmt, err, errlen);
    if (!map)
        return -1;
    int rc = shr_shape_read_mapped (map, stmt, out, arena, err, errlen);
    shr_shape_map_destroy (&map);
    return rc;
}
