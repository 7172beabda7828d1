/*  shrctl - the operator's command line for the platform's services.

    shrctl call <service|endpoint> <op> [body-json]   one request; prints the reply body
    shrctl tail <service|endpoint> [topic-prefix]     prints events as they come, one per line
    shrctl health                                     sys.health of every service, one line each

    A service name is looked up like the services do it (<SERVICE>_API and
    <SERVICE>_EVENTS, or the port table); an endpoint (tcp://...) is used as is.
*/
#include "shared.h"

#include <czmq.h>
#include <getopt.h>

static const char *s_services[] = {"dispatch", "complaints", "procurement", "inventory",
                                   "analytics", NULL};

static void s_usage (FILE *out)
{
    fprintf (out,
             "Usage: shrctl [options] call <service|endpoint> <op> [body-json]\n"
             "       shrctl [options] tail <service|endpoint> [topic-prefix]\n"
             "       shrctl [options] health\n\n"
             "Talks to the platform's services over ZeroMQ, as DESIGN.md describes.\n"
             "  call    sends one request and prints the reply's body (exit 0), or the\n"
             "          error as code, message and field on stderr (exit 1; 3 if no reply)\n"
             "  tail    prints each event (and, with -b, each heartbeat) as one JSON line\n"
             "  health  asks every service for sys.health; exit 1 if any is not ok\n\n"
             "Options:\n"
             "  -i, --idem KEY     idempotency key for call (kept across retries)\n"
             "  -t, --timeout MS   wait this long per attempt (default 3000)\n"
             "  -r, --retries N    send again this many times after a timeout (default 2)\n"
             "  -n, --count N      tail: stop after N events\n"
             "  -b, --heartbeats   tail: print heartbeats too\n"
             "  -h, --help         this text\n\n"
             "Environment: <SERVICE>_API, <SERVICE>_EVENTS as for the services.\n");
}

//  The endpoint of a service's API or events; target may be an endpoint already.
static const char *s_endpoint (shr_config_t *config, const char *target, bool events)
{
    if (strstr (target, "://"))
        return target;
    char err[256] = "";
    const char *endpoint = events ? shr_config_events_of (config, target, err, sizeof err)
                                  : shr_config_api_of (config, target, err, sizeof err);
    if (*err)
        fprintf (stderr, "shrctl: %s\n", err);
    return endpoint;
}

static int s_call (const char *endpoint, const char *op, const char *body_text, const char *idem,
                   int timeout_ms, int retries, bool quiet)
{
    //  cJSON would end a string at U+0000 and send it cut ("T-1\u0000x" as T-1),
    //  which the service could not tell: refused here, as the services refuse it.
    shr_error_t scan_err;
    if (body_text && shr_msg_scan (body_text, strlen (body_text), &scan_err) == 1) {
        fprintf (stderr, "shrctl: the body holds \\u0000; a string may not contain U+0000\n");
        return 2;
    }
    cJSON *body = body_text ? cJSON_Parse (body_text) : cJSON_CreateObject ();
    if (!cJSON_IsObject (body)) {
        fprintf (stderr, "shrctl: the body must be a JSON object: %s\n", body_text);
        cJSON_Delete (body);
        return 2;
    }
    char err_text[256];
    shr_client_t *client = shr_client_new (endpoint, err_text, sizeof err_text);
    if (!client) {
        fprintf (stderr, "shrctl: %s\n", err_text);
        cJSON_Delete (body);
        return 2;
    }
    shr_client_set_timeout (client, timeout_ms, retries);
    shr_error_t err;
    cJSON *reply = shr_client_call (client, op, body, idem, &err);
    int code = 0;
    if (reply) {
        if (!quiet) {
            char *text = cJSON_Print (reply);
            printf ("%s\n", text);
            free (text);
        }
    }
    else {
        fprintf (stderr, "%s: %s", shr_code_name (err.code), err.message);
        if (*err.field)
            fprintf (stderr, " (field %s)", err.field);
        fprintf (stderr, "\n");
        code = err.code == SHR_DEADLINE_EXCEEDED ? 3 : 1;
    }
    cJSON_Delete (reply);
    cJSON_Delete (body);
    shr_client_destroy (&client);
    return code;
}

static int s_tail (const char *endpoint, const char *prefix, long count, bool heartbeats)
{
    char err[256];
    zsock_t *sub = shr_socket_new (SHR_SOCKET_SUBSCRIBER, endpoint, 0, err, sizeof err);
    if (!sub) {
        fprintf (stderr, "shrctl: %s\n", err);
        return 2;
    }
    if (prefix && *prefix) {
        //  The socket comes subscribed to everything; narrow it to the prefix.
        zsock_set_unsubscribe (sub, "");
        zsock_set_subscribe (sub, prefix);
        if (heartbeats)
            zsock_set_subscribe (sub, SHR_HEARTBEAT_TOPIC);
    }
    long seen = 0;
    while (!zsys_interrupted && (count <= 0 || seen < count)) {
        zmsg_t *msg = zmsg_recv (sub);
        if (!msg)
            break;
        zframe_t *topic = zmsg_first (msg);
        zframe_t *event = zmsg_next (msg);
        bool is_heartbeat = zframe_streq (topic, SHR_HEARTBEAT_TOPIC);
        if (event && (heartbeats || !is_heartbeat)) {
            printf ("%.*s\n", (int) zframe_size (event), (const char *) zframe_data (event));
            fflush (stdout);
            if (!is_heartbeat)
                seen++;
        }
        zmsg_destroy (&msg);
    }
    zsock_destroy (&sub);
    return 0;
}

static int s_health (shr_config_t *config, int timeout_ms)
{
    int worst = 0;
    for (int i = 0; s_services[i]; i++) {
        const char *endpoint = s_endpoint (config, s_services[i], false);
        char err_text[256];
        shr_client_t *client = shr_client_new (endpoint, err_text, sizeof err_text);
        shr_client_set_timeout (client, timeout_ms, 0);
        shr_error_t err;
        cJSON *reply = shr_client_call (client, "sys.health", NULL, NULL, &err);
        const char *status
            = reply ? cJSON_GetStringValue (cJSON_GetObjectItem (reply, "status")) : NULL;
        printf ("%-12s %-9s %s\n", s_services[i], status ? status : "down",
                reply ? "" : err.message);
        if (!status || strcmp (status, "ok") != 0)
            worst = 1;
        cJSON_Delete (reply);
        shr_client_destroy (&client);
    }
    return worst;
}

int main (int argc, char **argv)
{
    static struct option options[] = {{"idem", required_argument, NULL, 'i'},
                                      {"timeout", required_argument, NULL, 't'},
                                      {"retries", required_argument, NULL, 'r'},
                                      {"count", required_argument, NULL, 'n'},
                                      {"heartbeats", no_argument, NULL, 'b'},
                                      {"quiet", no_argument, NULL, 'q'},
                                      {"help", no_argument, NULL, 'h'},
                                      {NULL, 0, NULL, 0}};
    const char *idem = NULL;
    int timeout_ms = 3000, retries = 2;
    long count = 0;
    bool heartbeats = false, quiet = false;
    int option;
    while ((option = getopt_long (argc, argv, "+i:t:r:n:bqh", options, NULL)) != -1) {
        switch (option) {
        case 'i': idem = optarg; break;
        case 't': timeout_ms = atoi (optarg); break;
        case 'r': retries = atoi (optarg); break;
        case 'n': count = atol (optarg); break;
        case 'b': heartbeats = true; break;
        case 'q': quiet = true; break;
        case 'h': s_usage (stdout); return 0;
        default: s_usage (stderr); return 2;
        }
    }
    if (timeout_ms <= 0 || retries < 0) {
        fprintf (stderr, "shrctl: --timeout must be positive and --retries not negative\n");
        return 2;
    }
    const char *command = optind < argc ? argv[optind] : NULL;
    if (!command) {
        s_usage (stderr);
        return 2;
    }
    zsys_init ();
    zsys_catch_interrupts ();
    //  Any name will do: shrctl only reads where the services are.
    setenv ("BIND_API", "tcp://127.0.0.1:*", 0);
    setenv ("BIND_EVENTS", "tcp://127.0.0.1:*", 0);
    char err[256];
    shr_config_t *config = shr_config_new ("shrctl", err, sizeof err);
    if (!config) {
        fprintf (stderr, "shrctl: %s\n", err);
        return 2;
    }
    int code = 2;
    int args = argc - optind - 1;
    const char *target = args >= 1 ? argv[optind + 1] : NULL;
    const char *endpoint = NULL;
    if (target && !(endpoint = s_endpoint (config, target, streq (command, "tail"))))
        fprintf (stderr, "shrctl: unknown service '%s'; give an endpoint or set %s's _API\n",
                 target, target);
    else if (streq (command, "call") && (args == 2 || args == 3))
        code = s_call (endpoint, argv[optind + 2], args == 3 ? argv[optind + 3] : NULL, idem,
                       timeout_ms, retries, quiet);
    else if (streq (command, "tail") && (args == 1 || args == 2))
        code = s_tail (endpoint, args == 2 ? argv[optind + 2] : NULL, count, heartbeats);
    else if (streq (command, "health") && args == 0)
        code = s_health (config, timeout_ms);
    else
        s_usage (stderr);
    shr_config_destroy (&config);
    return code;
}
