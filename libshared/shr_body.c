/*  shr_body - reading and building bodies. See shr_body.h. */
#include "shr_body.h"
#include "shr_time.h"

const char *shr_body_string (const cJSON *object, const char *name)
{
    return cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (object, name));
}

int64_t shr_body_int (const cJSON *object, const char *name, int64_t fallback)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive (object, name);
    return cJSON_IsNumber (item) ? (int64_t) item->valuedouble : fallback;
}

bool shr_body_bool (const cJSON *object, const char *name, bool fallback)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive (object, name);
    return cJSON_IsBool (item) ? cJSON_IsTrue (item) : fallback;
}

bool shr_body_has (const cJSON *object, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive (object, name) != NULL;
}

cJSON *shr_body_add_time (cJSON *object, const char *name, int64_t ms)
{
    if (!ms)
        return cJSON_AddNullToObject (object, name);
    char text[SHR_TIME_LEN];
    shr_time_format (ms, text);
    return cJSON_AddStringToObject (object, name, text);
}

cJSON *shr_body_add_string (cJSON *object, const char *name, const char *text)
{
    if (!text || !*text)
        return cJSON_AddNullToObject (object, name);
    return cJSON_AddStringToObject (object, name, text);
}

cJSON *shr_body_add_int (cJSON *object, const char *name, int64_t value)
{
    return cJSON_AddNumberToObject (object, name, (double) value);
}
