/*  shr_main - a service binary's main: --help, --version, configuration,
    start, wait for a signal, clean stop. */
#include "shr_log.h"
#include "shr_service.h"

#include <czmq.h>
#include <malloc.h>
#include <signal.h>
#include <stdlib.h>

//  SIGHUP asks for the keys to be read again; the main loop passes it on.
static volatile sig_atomic_t s_hangup;

static void s_on_hangup (int signal)
{
    (void) signal;
    s_hangup = 1;
}


static void s_usage (const shr_service_def_t *def, FILE *out)
{
    char api[80], events[96];
    size_t i = 0;
    for (; def->name[i] && i + 1 < 64; i++)
        api[i] = (char) toupper ((unsigned char) def->name[i]);
    api[i] = 0;
    snprintf (events, sizeof events, "%s_EVENTS", api);
    strcat (api, "_API");
    fprintf (out,
             "Usage: %s [--help] [--version]\n"
             "%s\n\n"
             "Serves requests on a ZeroMQ ROUTER socket and publishes events on a PUB socket,\n"
             "as docs/architecture.md and schemas/ describe. Logs one JSON object per line\n"
             "to stderr.\n"
             "Stops cleanly on SIGTERM or SIGINT.\n\n"
             "Environment:\n"
             "  %-22s endpoint of its API (default tcp://127.0.0.1:<port>)\n"
             "  %-22s endpoint of its events (default: the next port)\n"
             "  %-22s what to bind instead, e.g. tcp://*:<port> in a container\n"
             "  %-22s folder of its SQLite file %s.db (default var)\n"
             "  %-22s folders of the JSON Schemas, ':'-separated (default ./schemas, else\n"
             "  %-22s ../share/aftersales/schemas beside the binary, else the source tree)\n"
             "  %-22s full (default: fsync every commit before replying) or normal\n"
             "  %-22s error, warn, info or debug (default info)\n"
             "  %-22s high-water mark of event sockets (default 100000)\n"
             "  %-22s heartbeat period of a quiet event stream (default 1000)\n"
             "  %-22s where the services it consumes or calls are\n",
             def->name, def->summary, api, events, "BIND_API, BIND_EVENTS", "DATA_DIR", def->name,
             "SCHEMAS_DIR", "", "SHR_SYNC", "LOG_LEVEL", "EVENTS_HWM", "HEARTBEAT_MS",
             "<SOURCE>_API, _EVENTS");
}

int shr_service_main (const shr_service_def_t *def, int argc, char **argv)
{
    for (int arg = 1; arg < argc; arg++) {
        if (streq (argv[arg], "--help") || streq (argv[arg], "-h")) {
            s_usage (def, stdout);
            return 0;
        }
        if (streq (argv[arg], "--version") || streq (argv[arg], "-V")) {
            printf ("%s %s\n", def->name, SHR_VERSION);
            return 0;
        }
        fprintf (stderr, "%s: unknown argument '%s'; see --help\n", def->name, argv[arg]);
        return 2;
    }
    //  One malloc arena: a service's threads allocate little, and each extra arena
    //  keeps its own resident pages (idle memory is a target).
    mallopt (M_ARENA_MAX, 1);
    //  czmq's handler sets zsys_interrupted on SIGINT and SIGTERM.
    zsys_init ();
    zsys_catch_interrupts ();
    struct sigaction hangup = {.sa_handler = s_on_hangup};
    sigemptyset (&hangup.sa_mask);
    sigaction (SIGHUP, &hangup, NULL);

    char err[1024] = "";
    shr_config_t *config = shr_config_new (def->name, err, sizeof err);
    shr_log_init (def->name, config ? shr_config_log_level (config) : NULL);
    if (!config) {
        shr_log_error ("bad configuration: %s", err);
        return 1;
    }
    if (shr_log_init (def->name, shr_config_log_level (config)))
        shr_log_warn ("LOG_LEVEL=%s is not one of error, warn, info, debug; using info",
                      shr_config_log_level (config));
    shr_service_t *service = shr_service_new (def, &config, err, sizeof err);
    if (!service) {
        shr_config_destroy (&config);
        shr_log_error ("cannot start: %s", err);
        return 1;
    }
    if (shr_service_start (service, err, sizeof err)) {
        shr_log_error ("cannot start: %s", err);
        shr_service_destroy (&service);
        return 1;
    }
    malloc_trim (0);  //  give back what loading the schemas and migrating used for a while
    shr_config_t *used = shr_service_config (service);
    char *data = realpath (shr_config_data_dir (used), NULL);
    shr_log_info ("started %s: api %s, events %s, data %s/%s.db (durability %s), schemas %s, "
                  "security %s%s",
                  SHR_VERSION, shr_service_api_endpoint (service),
                  shr_service_events_endpoint (service), data ? data : shr_config_data_dir (used),
                  def->name, shr_config_sync_full (used) ? "full" : "normal",
                  shr_config_schemas_dir (used),
                  shr_config_curve (used) ? "curve, keys in " : "off",
                  shr_config_curve (used) ? shr_config_keys_dir (used) : "");
    free (data);
    if (!shr_config_curve (used))
        shr_log_warn ("SHR_CURVE=off: the bus is plaintext and open to anyone who reaches its "
                      "ports; for development only, never in production");
    while (!zsys_interrupted) {
        zclock_sleep (100);
        if (s_hangup) {
            s_hangup = 0;
            shr_service_reload (service);
        }
    }
    shr_log_info ("stopping on signal");
    shr_service_destroy (&service);
    shr_log_info ("stopped");
    return 0;
}
