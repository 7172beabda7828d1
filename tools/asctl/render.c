/*  render - any reply for a person: its scalars as "name: value" lines
    (nested objects flattened to a.b), arrays of scalars joined, and each
    array of objects as a table whose columns are its items' members (their
    nested objects flattened too). Nothing is left out: what does not fit a
    cell is its compact JSON. */
#include "asctl.h"

#include <czmq.h>

char *asctl_cell (const cJSON *value)
{
    if (cJSON_IsString (value))
        return strdup (value->valuestring);
    if (cJSON_IsNumber (value)) {
        double number = value->valuedouble;
        if (number == (double) (long long) number && number > -9e15 && number < 9e15)
            return zsys_sprintf ("%lld", (long long) number);
        return zsys_sprintf ("%.6g", number);
    }
    if (cJSON_IsBool (value))
        return strdup (cJSON_IsTrue (value) ? "yes" : "no");
    if (!value || cJSON_IsNull (value))
        return strdup ("-");
    if (cJSON_IsArray (value) && !cJSON_GetArraySize (value))
        return strdup ("(none)");
    return cJSON_PrintUnformatted (value);
}

//  The columns of a row: scalar members and nested objects' members as a.b.
static void s_columns (const cJSON *item, const char *prefix, zlistx_t *columns)
{
    const cJSON *member;
    cJSON_ArrayForEach (member, item) {
        char *name = zsys_sprintf ("%s%s", prefix, member->string);
        if (cJSON_IsObject (member)) {
            char *nested = zsys_sprintf ("%s.", name);
            s_columns (member, nested, columns);
            zstr_free (&nested);
        }
        else if (!zlistx_find (columns, name))
            zlistx_add_end (columns, name);
        zstr_free (&name);
    }
}

//  The value at a dotted path ("money.currency") of item, or NULL.
static const cJSON *s_at (const cJSON *item, const char *path)
{
    char *copy = strdup (path), *rest = copy, *part;
    while (item && (part = strsep (&rest, ".")))
        item = cJSON_GetObjectItemCaseSensitive (item, part);
    free (copy);
    return item;
}

static void s_table (FILE *out, const cJSON *array)
{
    zlistx_t *columns = zlistx_new ();
    zlistx_set_duplicator (columns, (czmq_duplicator *) strdup);
    zlistx_set_destructor (columns, (czmq_destructor *) zstr_free);
    zlistx_set_comparator (columns, (czmq_comparator *) strcmp);
    const cJSON *item;
    cJSON_ArrayForEach (item, array)
        s_columns (item, "", columns);
    size_t count = zlistx_size (columns);
    const char **names = (const char **) zmalloc ((count + 1) * sizeof *names);
    size_t i = 0;
    for (const char *name = zlistx_first (columns); name; name = zlistx_next (columns))
        names[i++] = name;
    asctl_table_t *table = asctl_table_new (names, count);
    char **cells = (char **) zmalloc ((count + 1) * sizeof *cells);
    cJSON_ArrayForEach (item, array) {
        for (i = 0; i < count; i++)
            cells[i] = asctl_cell (s_at (item, names[i]));
        asctl_table_add (table, (const char *const *) cells);
        for (i = 0; i < count; i++)
            free (cells[i]);
    }
    asctl_table_print (table, out);
    asctl_table_destroy (&table);
    free (cells);
    free (names);
    zlistx_destroy (&columns);
}

static bool s_objects (const cJSON *array)
{
    const cJSON *item = cJSON_IsArray (array) ? array->child : NULL;
    return item && cJSON_IsObject (item);
}

static void s_scalars (FILE *out, const cJSON *object, const char *prefix)
{
    const cJSON *member;
    cJSON_ArrayForEach (member, object) {
        if (s_objects (member))
            continue;
        if (cJSON_IsObject (member) && member->child) {
            char *nested = zsys_sprintf ("%s%s.", prefix, member->string);
            s_scalars (out, member, nested);
            zstr_free (&nested);
            continue;
        }
        char *cell;
        if (cJSON_IsArray (member) && cJSON_GetArraySize (member)) {
            //  Scalars joined: "notes: a; b".
            size_t used = 0, size = 1;
            const cJSON *item;
            cJSON_ArrayForEach (item, member) {
                char *text = asctl_cell (item);
                size += strlen (text) + 2;
                free (text);
            }
            cell = (char *) zmalloc (size);
            cJSON_ArrayForEach (item, member) {
                char *text = asctl_cell (item);
                used += (size_t) snprintf (cell + used, size - used, "%s%s", used ? "; " : "",
                                           text);
                free (text);
            }
        }
        else
            cell = asctl_cell (member);
        fprintf (out, "%s%s: %s\n", prefix, member->string, cell);
        free (cell);
    }
}

void asctl_render (FILE *out, const cJSON *body)
{
    if (!cJSON_IsObject (body)) {
        char *cell = asctl_cell (body);
        fprintf (out, "%s\n", cell);
        free (cell);
        return;
    }
    s_scalars (out, body, "");
    const cJSON *member;
    bool first = true;
    cJSON_ArrayForEach (member, body) {
        if (!s_objects (member))
            continue;
        if (!first || member != body->child)
            fprintf (out, "\n");
        first = false;
        fprintf (out, "%s:\n", member->string);
        s_table (out, member);
    }
}
