/*  body - a request body from key=value operands, so that a person need
    not quote JSON: id=WO-000001 customer_score=9 parts_used='[...]'. */
#include "asctl.h"

#include <czmq.h>

cJSON *asctl_pairs (int count, const char *const *pairs, char *err, size_t errlen)
{
    cJSON *body = cJSON_CreateObject ();
    for (int i = 0; i < count; i++) {
        const char *equals = strchr (pairs[i], '=');
        if (!equals || equals == pairs[i] || *pairs[i] == '{') {
            snprintf (err, errlen, "'%s' is not key=value (or give the body as one JSON object)",
                      pairs[i]);
            cJSON_Delete (body);
            return NULL;
        }
        //  The value: JSON if it is JSON, else the text itself.
        const char *end = NULL;
        cJSON *value = cJSON_ParseWithOpts (equals + 1, &end, true);
        if (!value)
            value = cJSON_CreateString (equals + 1);
        //  The key: a.b.c nests, each part an object.
        char *key = strndup (pairs[i], (size_t) (equals - pairs[i]));
        cJSON *into = body;
        char *rest = key, *part;
        while ((part = strsep (&rest, "."))) {
            if (!*part) {
                snprintf (err, errlen, "'%s': a key's part is empty", pairs[i]);
                break;
            }
            if (!rest) {
                if (cJSON_GetObjectItemCaseSensitive (into, part)) {
                    snprintf (err, errlen, "'%s': the key is given twice", pairs[i]);
                    break;
                }
                cJSON_AddItemToObject (into, part, value);
                value = NULL;
                break;
            }
            cJSON *next = cJSON_GetObjectItemCaseSensitive (into, part);
            if (!next)
                next = cJSON_AddObjectToObject (into, part);
            if (!cJSON_IsObject (next)) {
                snprintf (err, errlen, "'%s': %s is not an object", pairs[i], part);
                break;
            }
            into = next;
        }
        free (key);
        if (value) {
            cJSON_Delete (value);
            cJSON_Delete (body);
            return NULL;
        }
    }
    return body;
}
