/*  shr_config - a service's configuration from the environment. See shr_config.h. */
#include "shr_config.h"

#include <czmq.h>
#include <limits.h>

//  The port table: API port; the events port is the next one. Generated from
//  services/list.txt, the one list of the services.
static const struct {
    const char *service;
    int api_port;
} s_ports[] = {
#include "shr_ports.inc"
};

struct _shr_config_t {
    char *service;
    char *bind_api;
    char *bind_events;
    char *bind_api_var;      //  the variable that named bind_api ("BIND_API" or "DISPATCH_API")
    char *bind_events_var;
    char *data_dir;
    char *schemas_dir;
    char *log_level;
    int events_hwm;
    int heartbeat_ms;
    bool sync_full;
    bool curve;
    char *keys_dir;
    int client_max_in_flight;
    int client_rate;
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

//  An endpoint ZeroMQ can use, checked here so that a typo names its variable:
//  tcp://<host>:<port 1-65535 or *>, ipc://<path> or inproc://<name>. Returns 0,
//  or -1 with the reason in err.
static int s_check_endpoint (const char *var, const char *endpoint, char *err, size_t errlen)
{
    if (strncmp (endpoint, "ipc://", 6) == 0 || strncmp (endpoint, "inproc://", 9) == 0)
        return endpoint[strncmp (endpoint, "ipc://", 6) == 0 ? 6 : 9] ? 0 : -1;
    const char *colon = strrchr (endpoint, ':');
    bool ok = strncmp (endpoint, "tcp://", 6) == 0 && colon && colon > endpoint + 6;
    if (ok && !streq (colon + 1, "*")) {
        char *end;
        long port = strtol (colon + 1, &end, 10);
        ok = colon[1] && !*end && port >= 1 && port <= 65535;
    }
    if (ok)
        return 0;
    snprintf (err, errlen, "%s=%s: expected tcp://<host>:<port 1-65535 or *>, ipc://<path> or "
                           "inproc://<name>", var, endpoint);
    return -1;
}

//  The endpoint of service for kind ("API" or "EVENTS"): its variable, else the
//  port table. NULL if neither has one, or (with err set) if the variable is malformed.
static const char *s_endpoint_of (shr_config_t *self, const char *service, const char *kind,
                                  char *err, size_t errlen)
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
    if (value && *value) {
        if (s_check_endpoint (var, value, err, errlen))
            return NULL;
        snprintf (endpoint, sizeof endpoint, "%s", value);
    }
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

//  Whether dir holds the contract (its request envelope is the sign).
static bool s_has_schemas (const char *dir)
{
    char *path = zsys_sprintf ("%s/envelope/request.json", dir);
    bool found = path && access (path, R_OK) == 0;
    zstr_free (&path);
    return found;
}

//  Where the schemas are when SCHEMAS_DIR does not say: ./schemas, else the
//  installed copy beside the binary (<bin>/../share/aftersales/schemas), else
//  the source tree the binary was built in (build/bin -> schemas, up to four
//  levels up). Returns a string the caller frees, or NULL with err listing
//  where it looked.
static char *s_find_schemas (char *err, size_t errlen)
{
    if (s_has_schemas ("schemas"))
        return strdup ("schemas");
    char exe[PATH_MAX];
    ssize_t length = readlink ("/proc/self/exe", exe, sizeof exe - 1);
    if (length > 0) {
        exe[length] = 0;
        *strrchr (exe, '/') = 0;
        char candidate[PATH_MAX + 64];
        snprintf (candidate, sizeof candidate, "%s/../share/aftersales/schemas", exe);
        if (s_has_schemas (candidate))
            return realpath (candidate, NULL);
        for (int up = 0; up < 4; up++) {
            char *slash = strrchr (exe, '/');
            if (!slash)
                break;
            *slash = 0;
            snprintf (candidate, sizeof candidate, "%s/schemas", exe);
            if (s_has_schemas (candidate))
                return realpath (candidate, NULL);
        }
    }
    snprintf (err, errlen, "SCHEMAS_DIR is not set and no schemas were found in ./schemas, "
                           "beside the binary (../share/aftersales/schemas) or in the source "
                           "tree above it; set SCHEMAS_DIR");
    return NULL;
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

int shr_config_number (const char *name, double fallback, double min, double max, char *err,
                       size_t errlen, double *value)
{
    const char *text = getenv (name);
    if (!text || !*text) {
        *value = fallback;
        return 0;
    }
    char *end;
    double parsed = strtod (text, &end);
    if (*end || !(parsed >= min && parsed <= max)) {
        snprintf (err, errlen, "%s=%s: expected a number from %g to %g", name, text, min, max);
        return -1;
    }
    *value = parsed;
    return 0;
}

shr_config_t *shr_config_new (const char *service, char *err, size_t errlen)
{
    shr_config_t *self = (shr_config_t *) zmalloc (sizeof (shr_config_t));
    self->service = strdup (service);
    self->endpoints = zhashx_new ();
    zhashx_set_destructor (self->endpoints, (zhashx_destructor_fn *) zstr_free);
    zhashx_set_duplicator (self->endpoints, (zhashx_duplicator_fn *) strdup);

    char var[96];
    *err = 0;
    const char *api = s_endpoint_of (self, service, "API", err, errlen);
    const char *events = api ? s_endpoint_of (self, service, "EVENTS", err, errlen) : NULL;
    if (*err)
        goto fail;
    //  What this service binds, and which variable said so (for errors at bind time).
    const char *bind_api = s_env ("BIND_API", NULL), *bind_events = s_env ("BIND_EVENTS", NULL);
    if ((bind_api && s_check_endpoint ("BIND_API", bind_api, err, errlen))
        || (bind_events && s_check_endpoint ("BIND_EVENTS", bind_events, err, errlen)))
        goto fail;
    s_var_name (var, sizeof var, service, "API");
    self->bind_api_var = strdup (bind_api ? "BIND_API" : var);
    s_var_name (var, sizeof var, service, "EVENTS");
    self->bind_events_var = strdup (bind_events ? "BIND_EVENTS" : var);
    bind_api = bind_api ? bind_api : api;
    bind_events = bind_events ? bind_events : events;
    if (!bind_api || !bind_events) {
        snprintf (err, errlen,
                  "service '%s' has no default ports: set BIND_API and BIND_EVENTS", service);
        goto fail;
    }
    self->bind_api = strdup (bind_api);
    self->bind_events = strdup (bind_events);
    self->data_dir = strdup (s_env ("DATA_DIR", "var"));
    const char *schemas_dir = s_env ("SCHEMAS_DIR", NULL);
    self->schemas_dir = schemas_dir ? strdup (schemas_dir) : s_find_schemas (err, errlen);
    if (!self->schemas_dir)
        goto fail;
    self->log_level = strdup (s_env ("LOG_LEVEL", "info"));
    if (shr_config_int ("EVENTS_HWM", 100000, 1, 100000000, err, errlen, &self->events_hwm)
        || shr_config_int ("HEARTBEAT_MS", 1000, 10, 3600000, err, errlen, &self->heartbeat_ms))
        goto fail;
    const char *sync = s_env ("SHR_SYNC", "full");
    if (!streq (sync, "full") && !streq (sync, "normal")) {
        snprintf (err, errlen, "SHR_SYNC=%s: expected full (fsync at every commit) or normal", sync);
        goto fail;
    }
    self->sync_full = streq (sync, "full");
    const char *curve = s_env ("SHR_CURVE", "on");
    if (!streq (curve, "on") && !streq (curve, "off")) {
        snprintf (err, errlen, "SHR_CURVE=%s: expected on (the default: encrypted, every key "
                               "known) or off (plaintext, for development only)", curve);
        goto fail;
    }
    self->curve = streq (curve, "on");
    self->keys_dir = strdup (s_env ("KEYS_DIR", "keys"));
    if (shr_config_int ("SHR_CLIENT_MAX_IN_FLIGHT", 1000, 0, 1000000, err, errlen,
                        &self->client_max_in_flight)
        || shr_config_int ("SHR_CLIENT_RATE", 20000, 0, 100000000, err, errlen,
                           &self->client_rate))
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
    free (self->bind_api_var);
    free (self->bind_events_var);
    free (self->data_dir);
    free (self->schemas_dir);
    free (self->log_level);
    free (self->keys_dir);
    free (self);
    *self_p = NULL;
}

const char *shr_config_service (shr_config_t *self) { return self->service; }
const char *shr_config_bind_api (shr_config_t *self) { return self->bind_api; }
const char *shr_config_bind_events (shr_config_t *self) { return self->bind_events; }
const char *shr_config_bind_api_var (shr_config_t *self) { return self->bind_api_var; }
const char *shr_config_bind_events_var (shr_config_t *self) { return self->bind_events_var; }
const char *shr_config_data_dir (shr_config_t *self) { return self->data_dir; }
const char *shr_config_schemas_dir (shr_config_t *self) { return self->schemas_dir; }
const char *shr_config_log_level (shr_config_t *self) { return self->log_level; }
int shr_config_events_hwm (shr_config_t *self) { return self->events_hwm; }
int shr_config_heartbeat_ms (shr_config_t *self) { return self->heartbeat_ms; }
bool shr_config_sync_full (shr_config_t *self) { return self->sync_full; }
bool shr_config_curve (shr_config_t *self) { return self->curve; }
const char *shr_config_keys_dir (shr_config_t *self) { return self->keys_dir; }
int shr_config_client_max_in_flight (shr_config_t *self) { return self->client_max_in_flight; }
int shr_config_client_rate (shr_config_t *self) { return self->client_rate; }

const char *shr_config_known_service (size_t index)
{
    return index < sizeof s_ports / sizeof s_ports[0] ? s_ports[index].service : NULL;
}

const char *shr_config_api_of (shr_config_t *self, const char *service, char *err, size_t errlen)
{
    return s_endpoint_of (self, service, "API", err, errlen);
}

const char *shr_config_events_of (shr_config_t *self, const char *service, char *err,
                                  size_t errlen)
{
    return s_endpoint_of (self, service, "EVENTS", err, errlen);
}
