/*  shr_config - a service's configuration, read from the environment.

    DESIGN.md lists the variables:
      <SERVICE>_API, <SERVICE>_EVENTS   where a service is reached
                                        (default tcp://127.0.0.1:<port from the table>)
      BIND_API, BIND_EVENTS             what this service binds (default: its own
                                        <SERVICE>_API / <SERVICE>_EVENTS)
      DATA_DIR                          folder of the SQLite file (default "var")
      SCHEMAS_DIR                       the contract (default: ./schemas, else the copy
                                        installed beside the binary in
                                        ../share/aftersales/schemas, else the source
                                        tree the binary sits in)
      LOG_LEVEL                         error, warn, info, debug (default info)
      SHR_SYNC                          full (default: fsync at every commit) or normal
      SHR_CURVE                         on (default: CURVE on every socket) or off
      KEYS_DIR                          the certificates (default "keys"; shr_keys.h)
      SHR_CLIENT_MAX_IN_FLIGHT          requests of one client key waiting at once (1000)
      SHR_CLIENT_RATE                   requests a second one client key may send (20000)
    and a few tuning knobs, each with a default that suits production:
      EVENTS_HWM                        PUB/SUB high-water mark (default 100000)
      HEARTBEAT_MS                      quiet-stream heartbeat period (default 1000)
*/
#ifndef SHR_CONFIG_H_INCLUDED
#define SHR_CONFIG_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

typedef struct _shr_config_t shr_config_t;

//  Reads the environment for the named service ("dispatch"). Returns NULL with a
//  message in err if a value is unusable (e.g. no endpoint for a service that is
//  not in the port table and has none in the environment).
shr_config_t *shr_config_new (const char *service, char *err, size_t errlen);

//  Destroys; nulls *self_p. Safe twice.
void shr_config_destroy (shr_config_t **self_p);

//  The service's name. Borrowed.
const char *shr_config_service (shr_config_t *self);

//  Endpoints this service binds, and the variable each came from (for errors).
//  Borrowed. Every endpoint is checked when read: tcp://host:port with a port
//  from 1 to 65535 (or *), ipc:// or inproc://; a bad one names its variable.
const char *shr_config_bind_api (shr_config_t *self);
const char *shr_config_bind_events (shr_config_t *self);
const char *shr_config_bind_api_var (shr_config_t *self);
const char *shr_config_bind_events_var (shr_config_t *self);

//  Where another service (or this one) is reached: <SERVICE>_API / _EVENTS or the
//  default from the port table. Returns NULL for an unknown service without an
//  environment entry (err empty), or for a malformed variable (err says which).
//  Borrowed; valid until the config is destroyed.
const char *shr_config_api_of (shr_config_t *self, const char *service, char *err, size_t errlen);
const char *shr_config_events_of (shr_config_t *self, const char *service, char *err,
                                  size_t errlen);

const char *shr_config_data_dir (shr_config_t *self);
const char *shr_config_schemas_dir (shr_config_t *self);
const char *shr_config_log_level (shr_config_t *self);
int shr_config_events_hwm (shr_config_t *self);
int shr_config_heartbeat_ms (shr_config_t *self);
//  True unless SHR_SYNC=normal: commits are fsynced before they are acknowledged.
bool shr_config_sync_full (shr_config_t *self);
//  True unless SHR_CURVE=off: every socket speaks CURVE with the keys of KEYS_DIR.
bool shr_config_curve (shr_config_t *self);
const char *shr_config_keys_dir (shr_config_t *self);
//  Per client key (0: no limit).
int shr_config_client_max_in_flight (shr_config_t *self);
int shr_config_client_rate (shr_config_t *self);

//  The name of the index-th service of the port table (services/list.txt), or
//  NULL past the end. Borrowed.
const char *shr_config_known_service (size_t index);

//  An integer from the environment, or fallback if unset; -1 with err if set but
//  not an integer in [min, max].
int shr_config_int (const char *name, int fallback, int min, int max, char *err, size_t errlen,
                    int *value);

//  A number from the environment (e.g. a rate or an amount of cents), or
//  fallback if unset; -1 with err if set but not a number in [min, max].
int shr_config_number (const char *name, double fallback, double min, double max, char *err,
                       size_t errlen, double *value);

#endif
