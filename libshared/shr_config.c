/*  shr_config - a service's configuration from the environment. See shr_config.h. */
#include "shr_config.h"

#include <czmq.h>

//  DESIGN.md's port table: API port; the events port is the next one.
static const struct {
    const char *service;
    int api_port;
} s_ports[] = {
    {"dispatch", 7101},    {"complaints", 7111}, {"procurement", 7121},
    {"inventory", 7131},   {"analytics", 7141},  {"contracts", 7151},
};

struct _shr_config_t {
    char *service;
    char *bind_api;
    char *bind_events;
    char *data_dir;
    char *schemas_dir;
    char *log_level;
    int events_hwm;
    int heartbeat_ms;
    zhashx_t *endpoints;  //  "dispatch/API" -> endpoint, filled on first ask
};

static const char *s_env (const char *name, const char *fallback)
{
    const char *value = getenv (name);
    return value && *value ? value : fallback;
}

//  The environment variable name for a service and a kind: ("dispatch", "API") -> DISPATCH_API.
static void s_var_name (char *out, size_t size, const char *service, const char *kind)
{
    size_t i = 0;
    for (; service[i] && i + 1 < size; i++)
        out[i] = service[i] == '-' ? '_' : (char) toupper ((unsigned char) service[i]);
    snprintf (out + i, size - i, "_%s", kind);
}

static const char *s_endpoint_of (shr_config_t *self, const char *service, const char *kind)
{
    char key[128];
    snprintf (key, sizeof key, "%s/%s", service, kind);
    const char *known = (const char *) zhashx_lookup (self->endpoints, key);
    if (known)
        return known;

    char var[96];
    s_var_name (var, sizeof var, service, kind);
    char endpoint[256] = "";
    const char *value = getenv (var);
    if (value && *value)
        snprintf (endpoint, sizeof endpoint, "%s", value);
    else
        for (size_t i = 0; i < sizeof s_ports / sizeof s_ports[0]; i++)
            if (streq (s_ports[i].service, service))
                snprintf (endpoint, sizeof endpoint, "tcp://127.0.0.1:%d",
                          s_ports[i].api_port + (streq (kind, "EVENTS") ? 1 : 0));
    if (!*endpoint)
        return NULL;
    zhashx_insert (self->endpoints, key, endpoint);
    return (const char *) zhashx_lookup (self->endpoints, key);
}

int shr_config_int (const char *name, int fallback, int min, int max, char *err, size_t errlen,
                    int *value)
{
    const char *text = getenv (name);
    if (!text || !*text) {
        *value = fallback;
        return 0;
    }
    char *end;
    long parsed = strtol (text, &end, 10);
    if (*end || parsed < min || parsed > max) {
        snprintf (err, errlen, "%s=%s: expected an integer from %d to %d", name, text, min, max);
        return -1;
    }
    *value = (int) parsed;
    return 0;
}

shr_config_t *shr_config_new (const char *service, char *err, size_t errlen)
{
    shr_config_t *self = (shr_config_t *) zmalloc (sizeof (shr_config_t));
    self->service = strdup (service);
    self->endpoints = zhashx_new ();
    zhashx_set_destructor (self->endpoints, (zhashx_destructor_fn *) zstr_free);
    zhashx_set_duplicator (self->endpoints, (zhashx_duplicator_fn *) strdup);

    const char *api = s_endpoint_of (self, service, "API");
    const char *events = s_endpoint_of (self, service, "EVENTS");
    const char *bind_api = s_env ("BIND_API", api);
    const char *bind_events = s_env ("BIND_EVENTS", events);
    if (!bind_api || !bind_events) {
        snprintf (err, errlen,
                  "service '%s' has no default ports: set BIND_API and BIND_EVENTS", service);
        goto fail;
    }
    self->bind_api = strdup (bind_api);
    self->bind_events = strdup (bind_events);
    self->data_dir = strdup (s_env ("DATA_DIR", "var"));
    self->schemas_dir = strdup (s_env ("SCHEMAS_DIR", "schemas"));
    self->log_level = strdup (s_env ("LOG_LEVEL", "info"));
    if (shr_config_int ("EVENTS_HWM", 100000, 1, 100000000, err, errlen, &self->events_hwm)
        || shr_config_int ("HEARTBEAT_MS", 1000, 10, 3600000, err, errlen, &self->heartbeat_ms))
        goto fail;
    return self;
fail:
    shr_config_destroy (&self);
    return NULL;
}

void shr_config_destroy (shr_config_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    shr_config_t *self = *self_p;
    zhashx_destroy (&self->endpoints);
    free (self->service);
    free (self->bind_api);
    free (self->bind_events);
    free (self->data_dir);
    free (self->schemas_dir);
    free (self->log_level);
    free (self);
    *self_p = NULL;
}

const char *shr_config_service (shr_config_t *self) { return self->service; }
const char *shr_config_bind_api (shr_config_t *self) { return self->bind_api; }
const char *shr_config_bind_events (shr_config_t *self) { return self->bind_events; }
const char *shr_config_data_dir (shr_config_t *self) { return self->data_dir; }
const char *shr_config_schemas_dir (shr_config_t *self) { return self->schemas_dir; }
const char *shr_config_log_level (shr_config_t *self) { return self->log_level; }
int shr_config_events_hwm (shr_config_t *self) { return self->events_hwm; }
int shr_config_heartbeat_ms (shr_config_t *self) { return self->heartbeat_ms; }

const char *shr_config_api_of (shr_config_t *self, const char *service)
{
    return s_endpoint_of (self, service, "API");
}

const char *shr_config_events_of (shr_config_t *self, const char *service)
{
    return s_endpoint_of (self, service, "EVENTS");
}
