/*  asctl - the operator's command line for the platform's services.

    asctl <service> <op> [JSON | key=value ...]      one request (also: asctl call ...)
    asctl watch <service|endpoint> [topic-prefix]    events as they come (also: tail)
    asctl health                                     every service in one table
    asctl kpi [--from --to --baseline-from --baseline-to --by]   the indicators, with targets
    asctl profit [--by type|region|product_model|technician]     the profit breakdown
    asctl keys init|new NAME --roles a,b|list|revoke NAME   the CURVE keys (shr_keys.h)

    A reply prints as a table or a summary (asctl/render.c), or as JSON with
    --json. Called by its old name, shrctl, it prints JSON as it always did
    and health one line per service, so that scripts written for it go on working.

    A service name is looked up like the services do it (<SERVICE>_API and
    <SERVICE>_EVENTS, or the port table); an endpoint (tcp://...) is used as is.
    Options may come before or after the command (GNU getopt permutes them);
    every refusal says what was wrong, because the bare usage text does not.
*/
#include "asctl/asctl.h"
#include "shared.h"

#include <ctype.h>
#include <czmq.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>

//  The name it was called by: asctl, or shrctl (the old behaviour).
static const char *s_prog = "asctl";
static bool s_legacy = false;

//  Says what went wrong on stderr, as "<name>: message". The messages name
//  the tool shrctl; it says the name it was called by.
static void s_say (const char *format, ...) __attribute__ ((format (printf, 1, 2)));
static void s_say (const char *format, ...)
{
    char text[1024];
    va_list args;
    va_start (args, format);
    vsnprintf (text, sizeof text, format, args);
    va_end (args);
    fprintf (stderr, "%s: ", s_prog);
    for (const char *at = text, *hit; *at; at = hit + 6) {
        hit = strstr (at, "shrctl");
        if (!hit) {
            fputs (at, stderr);
            break;
        }
        fprintf (stderr, "%.*s%s", (int) (hit - at), at, s_prog);
    }
}

//  The exit codes, as --help documents them.
enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2, EXIT_DEADLINE = 3 };

//  Which commands an option belongs to (a bit per command).
enum { FOR_CALL = 1, FOR_TAIL = 2, FOR_HEALTH = 4, FOR_KEYS = 8, FOR_KPI = 16, FOR_PROFIT = 32,
       FOR_ALL = 63 };
//  the commands that talk to services
#define FOR_TALK (FOR_CALL | FOR_TAIL | FOR_HEALTH | FOR_KPI | FOR_PROFIT)
#define FOR_REPORT (FOR_KPI | FOR_PROFIT)

//  A source that sends nothing for this many heartbeat periods is not there:
//  a live one sends a heartbeat about once a period while it is quiet.
#define SILENT_PERIODS 3

typedef struct {
    const char *name;  //  long form
    int letter;        //  short form, and getopt's value
    const char *arg;   //  name of its value; NULL for a flag
    unsigned commands; //  FOR_... bits
    const char *text;
} s_option_t;

static const s_option_t s_options[] = {
    {"timeout", 't', "MS", FOR_TALK, "wait this long for each reply (default 3000)"},
    {"retries", 'r', "N", FOR_CALL | FOR_TAIL | FOR_REPORT,
     "retries after a timeout (default 2)"},
    {"idem", 'i', "KEY", FOR_CALL, "idempotency key, the same on every retry"},
    {"quiet", 'q', NULL, FOR_CALL, "print nothing on success: the exit code tells"},
    {"count", 'n', "N", FOR_TAIL, "stop after printing N lines, heartbeats included"},
    {"heartbeats", 'b', NULL, FOR_TAIL, "print heartbeats too"},
    {"from-seq", 's', "SEQ", FOR_TAIL, "the stored events from SEQ first, then live ones"},
    {"api", 'a', "ENDPOINT", FOR_TAIL, "the API for events.replay (with an endpoint)"},
    {"exit-if-silent", 'x', NULL, FOR_TAIL, "exit 3 instead of waiting when nothing comes"},
    {"key", 'k', "FILE", FOR_TALK, "our secret certificate (default $SHR_KEY, else "
                                    "$KEYS_DIR/clients/admin.key_secret)"},
    {"service", 'S', "NAME", FOR_CALL | FOR_TAIL, "the service at an endpoint, for its key "
                                                  "(default: found by port)"},
    {"json", 'j', NULL, FOR_CALL | FOR_HEALTH | FOR_REPORT,
     "print the reply as JSON, not as a table (shrctl always does)"},
    {"from", 'F', "DAY", FOR_REPORT, "the period's first day, YYYY-MM-DD (default: 29 days "
                                     "before --to)"},
    {"to", 'T', "DAY", FOR_REPORT, "the period's last day (default: today, UTC)"},
    {"baseline-from", 'B', "DAY", FOR_KPI, "the baseline period's first day"},
    {"baseline-to", 'E', "DAY", FOR_KPI, "the baseline period's last day"},
    {"by", 'y', "GROUPING", FOR_REPORT, "kpi: none, region, technician, type, product_model; "
                                        "profit: type, region, product_model, technician"},
    {"roles", 'R', "A,B", FOR_KEYS, "keys new: the roles of the new key"},
    {"dir", 'd', "DIR", FOR_KEYS, "the keys' folder (default $KEYS_DIR, else keys)"},
    {"help", 'h', NULL, FOR_ALL, "this text (after a command: that command's)"},
};
#define OPTION_COUNT (sizeof s_options / sizeof s_options[0])

typedef struct {
    const char *name;
    unsigned bit;     //  FOR_...
    const char *args; //  what it takes, for usage and errors
    int min_args, max_args;
    const char *text; //  what it does, for its --help
} s_command_t;

static const s_command_t s_commands[] = {
    {"call", FOR_CALL, "<service|endpoint> <op> [body-json | key=value ...]", 2, 66,
     "Sends one request and prints the reply's body: as a summary and tables\n"
     "(asctl), or as JSON (--json; shrctl always). The body is a JSON object ({} if\n"
     "left out), or key=value pairs: each value JSON if it reads as JSON (7, true,\n"
     "null, [1,2], \"7\"), else a string; a dotted key (money.fees_cents=5) nests.\n"
     "'asctl <service> <op> ...' is the same without the word call.\n"
     "An error reply goes to stderr as 'code: message (field /pointer)'.\n"
     "Without a reply in --timeout the same request is sent again, with the same id\n"
     "and --idem key, --retries times.\n\n"
     "Exit codes: 0 the reply is ok; 1 an error reply; 2 usage, a body that is not a\n"
     "JSON object, a bad endpoint; 3 no reply after every attempt.\n"},
    {"tail", FOR_TAIL, "<service|endpoint> [topic-prefix]", 1, 2,
     "Prints each event the service publishes as one JSON line (the envelope), from\n"
     "now on; with --from-seq, first the stored ones from that seq (events.replay,\n"
     "page by page), then the live ones: every seq once, in order. A seq the wire\n"
     "dropped (a later event or a heartbeat shows the gap) is fetched by\n"
     "events.replay before anything after it is printed. With a topic-prefix\n"
     "(workorder.) only events whose type starts with it are printed.\n\n"
     "A live service sends a heartbeat about every second while it is quiet. If\n"
     "nothing comes for 3 heartbeat periods (HEARTBEAT_MS, default 1000), tail says\n"
     "so on stderr and goes on waiting, so that a service that starts or restarts\n"
     "later is followed from where it is; --exit-if-silent exits 3 instead.\n"
     "Replay needs the service's API: a service name gives it, with an endpoint\n"
     "give --api (without it, a gap is reported and skipped).\n\n"
     "Exit codes: 0 after --count lines or on Ctrl-C; 1 events.replay failed; 2 usage,\n"
     "a bad endpoint; 3 events.replay got no reply, or --exit-if-silent and silence.\n"},
    {"watch", FOR_TAIL, "<service|endpoint> [topic-prefix]", 1, 2,
     "The same as tail (see asctl tail --help): events live, one JSON line each,\n"
     "with --from-seq the stored ones first.\n\n"
     "Exit codes: as tail's.\n"},
    {"health", FOR_HEALTH, "", 0, 0,
     "Asks every service of the platform for sys.health, sys.ping and sys.stats and\n"
     "prints one table: service, status (ok, degraded, failing, or down when it does\n"
     "not answer), version, uptime, durability, each consumed source's lag, the\n"
     "outbox size (the last seq published), and why a service is down. As shrctl:\n"
     "one line each, name, status and why it is down.\n\n"
     "Exit codes: 0 every service is ok; 1 one is not; 2 usage.\n"},
    {"kpi", FOR_KPI, "", 0, 0,
     "The plan's indicators from analytics (kpi.report) for --from..--to, against\n"
     "--baseline-from..--baseline-to if given, --by a grouping: one table per group,\n"
     "each indicator with its value, baseline, change, target and whether it is met,\n"
     "or why it is unavailable.\n\n"
     "Exit codes: 0 the report came; 1 analytics refused it; 2 usage; 3 no reply.\n"},
    {"profit", FOR_PROFIT, "", 0, 0,
     "Where the after-sales profit points are (analytics' profit.breakdown): per\n"
     "--by group (default type) and currency, over --from..--to, the best margin\n"
     "first: jobs, revenue, parts and labour cost, margin, margin %, share.\n\n"
     "Exit codes: 0 the breakdown came; 1 analytics refused it; 2 usage; 3 no reply.\n"},
    {"keys", FOR_KEYS, "init [SERVICE...] | new NAME --roles A,B | list | revoke NAME", 1, 64,
     "Makes and lists the CURVE keys of KEYS_DIR (--dir), which every service and\n"
     "tool reads: a key pair per service, and the trusted public certificates of\n"
     "every client, each with a name and roles.\n"
     "  init [SERVICE...]  a key pair for each service of the platform (or those\n"
     "                     named) and a client 'admin' with role admin, where missing\n"
     "  new NAME           a client key pair with --roles: clients/NAME.key_secret\n"
     "                     (mode 0600, give it to the client) and trusted/NAME.key\n"
     "  list               the trusted keys: name, roles, public key\n"
     "  revoke NAME        removes NAME from trusted/; services refuse it after\n"
     "                     their next SIGHUP (or restart)\n"
     "Roles: reader, dispatcher, technician, agent, supervisor, procurement_officer,\n"
     "warehouse, manager, integrator, admin (may call everything), service (peers).\n"
     "sys.ops lists which roles each op needs.\n\n"
     "Exit codes: 0 done; 1 it could not be done (the reason is said); 2 usage.\n"},
};
#define COMMAND_COUNT (sizeof s_commands / sizeof s_commands[0])

//  The options of one command (or of all, for NULL), one line each.
static void s_print_options (FILE *out, const s_command_t *command)
{
    for (size_t i = 0; i < OPTION_COUNT; i++) {
        const s_option_t *option = &s_options[i];
        if (command && !(option->commands & command->bit)) continue;
        char form[48];
        snprintf (form, sizeof form, "-%c, --%s%s%s", option->letter, option->name,
                  option->arg ? " " : "", option->arg ? option->arg : "");
        fprintf (out, "  %-24s", form);
        if (!command && option->commands != FOR_ALL) {
            //  The full list says which command takes it.
            const char *sep = "";
            for (size_t c = 0; c < COMMAND_COUNT; c++)
                if (option->commands & s_commands[c].bit) {
                    fprintf (out, "%s%s", sep, s_commands[c].name);
                    sep = ", ";
                }
            fprintf (out, ": ");
        }
        fprintf (out, "%s\n", option->text);
    }
}

static void s_usage (FILE *out)
{
    for (size_t c = 0; c < COMMAND_COUNT; c++)
        fprintf (out, "%s %s [options] %s%s%s\n", c ? "      " : "Usage:", s_prog,
                 s_commands[c].name, *s_commands[c].args ? " " : "", s_commands[c].args);
    fprintf (out, "       %s [options] <service> <op> [body-json | key=value ...]\n"
                  "       %s <command> --help\n\n"
                  "Talks to the platform's services over ZeroMQ (README.md, 'The wire contract\n"
                  "in one minute'). Options may come before or after the command; -- ends them.\n"
                  "  call    sends one request and prints the reply's body\n"
                  "  tail    prints events as they are published, one JSON line each\n"
                  "  watch   the same as tail\n"
                  "  health  every service's health, version, uptime, lag, outbox, one table\n"
                  "  kpi     the indicators of analytics, with targets met or missed\n"
                  "  profit  the profit breakdown of analytics\n\n"
                  "Options:\n", s_prog, s_prog);
    s_print_options (out, NULL);
    fprintf (out, "\nA <service> is one of the platform's,\n ");
    //  The platform's services, from services/list.txt by way of libshared's port table.
    for (size_t i = 0; shr_config_known_service (i); i++)
        fprintf (out, " %s", shr_config_known_service (i));
    fprintf (out, "\n"
                  "or any other whose <SERVICE>_API / <SERVICE>_EVENTS is set; an endpoint\n"
                  "(tcp://host:port) is used as it is.\n\n"
                  "Exit codes:\n"
                  "  0  done: the reply is ok, every service is ok, tail printed --count lines\n"
                  "  1  the operation failed: an error reply, a service that is not ok\n"
                  "  2  usage: an unknown option, a bad value or argument, a bad endpoint\n"
                  "  3  deadline exceeded: no reply after every attempt (tail: see its --help)\n\n"
                  "Environment: <SERVICE>_API, <SERVICE>_EVENTS as for the services;\n"
                  "HEARTBEAT_MS (tail: silence is 3 periods, default 1000); EVENTS_HWM.\n");
}

static void s_command_usage (FILE *out, const s_command_t *command)
{
    fprintf (out, "Usage: %s %s [options]%s%s\n\n%s\nOptions:\n", s_prog, command->name,
             *command->args ? " " : "", command->args, command->text);
    s_print_options (out, command);
    fprintf (out, "\nEnvironment: <SERVICE>_API, <SERVICE>_EVENTS as for the services%s.\n",
             command->bit == FOR_TAIL ? "; HEARTBEAT_MS" : "");
}

static const s_option_t *s_option_of (int letter)
{
    for (size_t i = 0; i < OPTION_COUNT; i++)
        if (s_options[i].letter == letter) return &s_options[i];
    return NULL;
}

//  Whether name is one of the platform's services.
static bool s_known (const char *name)
{
    for (size_t i = 0; shr_config_known_service (i); i++)
        if (streq (shr_config_known_service (i), name))
            return true;
    return false;
}

static const s_command_t *s_command_of (const char *name)
{
    for (size_t c = 0; c < COMMAND_COUNT; c++)
        if (streq (s_commands[c].name, name)) return &s_commands[c];
    return NULL;
}

//  Reads an option's number into *value. Returns 0, or -1 after saying why.
static int s_number (const s_option_t *option, const char *text, long long min, long long max,
                     long long *value)
{
    char *end;
    errno = 0;
    long long parsed = strtoll (text, &end, 10);
    if (end == text || *end || errno || parsed < min || parsed > max) {
        s_say (
                 "--%s wants a whole number from %lld to %lld, not '%s'; see --help\n",
                 option->name, min, max, text);
        return -1;
    }
    *value = parsed;
    return 0;
}

typedef struct {
    const char *idem;
    long long timeout_ms, retries, count, from_seq;
    const char *api;
    const char *key, *service, *roles, *dir;
    shr_keys_t *keys;         //  NULL with SHR_CURVE=off
    const char *from, *to, *baseline_from, *baseline_to, *by;
    bool quiet, heartbeats, exit_if_silent, help, json;
    bool given[OPTION_COUNT]; //  to refuse an option on a command that ignores it
} s_settings_t;

//  Says why getopt refused a long option: not one of ours, or the start of several.
static void s_unknown_long (const char *text)
{
    int length = (int)strcspn (text, "=");
    char matches[256] = "";
    int count = 0;
    for (size_t i = 0; i < OPTION_COUNT; i++)
        if (length > 2 && strncmp (s_options[i].name, text + 2, (size_t)length - 2) == 0) {
            size_t used = strlen (matches);
            snprintf (matches + used, sizeof matches - used, "%s--%s", count ? ", " : "",
                      s_options[i].name);
            count++;
        }
    if (count > 1)
        s_say ("option '%.*s' is ambiguous: %s; see --help\n", length, text,
                 matches);
    else
        s_say ("unknown option '%.*s'; see --help\n", length, text);
}

//  Parses the options wherever they are; leaves the operands in argv from
//  optind on. Returns 0, or EXIT_USAGE after saying what was wrong.
static int s_parse (int argc, char **argv, s_settings_t *settings)
{
    struct option longs[OPTION_COUNT + 1];
    char shorts[2 * OPTION_COUNT + 2] = ":"; //  ':' first: a missing value is ours to report
    char *next = shorts + 1;
    for (size_t i = 0; i < OPTION_COUNT; i++) {
        longs[i] =
            (struct option){s_options[i].name, s_options[i].arg ? required_argument : no_argument,
                            NULL, s_options[i].letter};
        *next++ = (char)s_options[i].letter;
        if (s_options[i].arg) *next++ = ':';
    }
    *next = 0;
    longs[OPTION_COUNT] = (struct option){NULL, 0, NULL, 0};
    opterr = 0;
    int letter;
    while ((letter = getopt_long (argc, argv, shorts, longs, NULL)) != -1) {
        const s_option_t *option = s_option_of (letter == ':' || letter == '?' ? optopt : letter);
        if (letter == ':') {
            s_say ("option '--%s' needs a value (%s); see --help\n", option->name,
                     option->arg);
            return EXIT_USAGE;
        }
        if (letter == '?') {
            if (option) //  only a flag given a value (--quiet=1) gets here with its letter
                s_say ("option '--%s' takes no value; see --help\n",
                         option->name);
            else if (optopt)
                s_say ("unknown option '-%c'; see --help\n", optopt);
            else
                s_unknown_long (argv[optind - 1]);
            return EXIT_USAGE;
        }
        settings->given[option - s_options] = true;
        int rc = 0;
        switch (letter) {
        case 'i':
            settings->idem = optarg;
            break;
        case 't':
            rc = s_number (option, optarg, 1, INT_MAX, &settings->timeout_ms);
            break;
        case 'r':
            rc = s_number (option, optarg, 0, 100, &settings->retries);
            break;
        case 'n':
            rc = s_number (option, optarg, 1, LLONG_MAX, &settings->count);
            break;
        //  Beyond 2^53 a seq no longer survives JSON's doubles.
        case 's':
            rc = s_number (option, optarg, 1, 9007199254740992LL, &settings->from_seq);
            break;
        case 'a':
            settings->api = optarg;
            break;
        case 'k':
            settings->key = optarg;
            break;
        case 'S':
            settings->service = optarg;
            break;
        case 'R':
            settings->roles = optarg;
            break;
        case 'j':
            settings->json = true;
            break;
        case 'F':
            settings->from = optarg;
            break;
        case 'T':
            settings->to = optarg;
            break;
        case 'B':
            settings->baseline_from = optarg;
            break;
        case 'E':
            settings->baseline_to = optarg;
            break;
        case 'y':
            settings->by = optarg;
            break;
        case 'd':
            settings->dir = optarg;
            break;
        case 'b':
            settings->heartbeats = true;
            break;
        case 'q':
            settings->quiet = true;
            break;
        case 'x':
            settings->exit_if_silent = true;
            break;
        case 'h':
            settings->help = true;
            break;
        }
        if (rc) return EXIT_USAGE;
    }
    return 0;
}

//  Where a service's API or events are, or NULL with the reason in err.
static const char *s_lookup (shr_config_t *config, const char *target, bool events, char *err,
                             size_t errlen)
{
    if (strstr (target, "://")) return target;
    *err = 0;
    const char *endpoint = events ? shr_config_events_of (config, target, err, errlen)
                                  : shr_config_api_of (config, target, err, errlen);
    if (!endpoint && !*err) {
        char var[128];
        size_t i;
        for (i = 0; target[i] && i < sizeof var - 1; i++)
            var[i] = target[i] == '-' ? '_' : (char)toupper ((unsigned char)target[i]);
        var[i] = 0;
        snprintf (err, errlen,
                  "unknown service '%s': give an endpoint (tcp://host:port) or set %s_%s", target,
                  var, events ? "EVENTS" : "API");
    }
    return endpoint;
}

//  Which service a target is, for its public key: --service, the name given,
//  the service whose <SERVICE>_API or _EVENTS in the environment is that
//  endpoint, or the one of the port table on its port. NULL if none.
static const char *s_peer (shr_config_t *config, const char *target, const char *service)
{
    static char found[128];
    if (service)
        return service;
    if (!strstr (target, "://"))
        return target;
    extern char **environ;
    for (char **var = environ; *var; var++) {
        const char *equals = strchr (*var, '=');
        if (!equals || !streq (equals + 1, target))
            continue;
        size_t length = (size_t) (equals - *var);
        size_t suffix = length > 4 && strncmp (equals - 4, "_API", 4) == 0      ? 4
                        : length > 7 && strncmp (equals - 7, "_EVENTS", 7) == 0 ? 7
                                                                                 : 0;
        if (!suffix || strncmp (*var, "BIND_", 5) == 0 || length - suffix >= sizeof found)
            continue;
        for (size_t i = 0; i < length - suffix; i++)
            found[i] = (*var)[i] == '_' ? '-' : (char) tolower ((unsigned char) (*var)[i]);
        found[length - suffix] = 0;
        return found;
    }
    const char *port = strrchr (target, ':');
    char err[256];
    const char *name;
    for (size_t i = 0; port && (name = shr_config_known_service (i)); i++) {
        const char *api = shr_config_api_of (config, name, err, sizeof err);
        const char *events = shr_config_events_of (config, name, err, sizeof err);
        if ((api && streq (strrchr (api, ':'), port))
            || (events && streq (strrchr (events, ':'), port)))
            return name;
    }
    return NULL;
}

//  Whether an operand is a key=value pair rather than a JSON body.
static bool s_is_pair (const char *arg)
{
    const char *equals = strchr (arg, '=');
    return *arg != '{' && *arg != '[' && equals && equals > arg;
}

//  The body of a request from its operands: one JSON object, or key=value
//  pairs. Returns it, or NULL after saying why.
static cJSON *s_body (int count, char **args)
{
    if (count == 0)
        return cJSON_CreateObject ();
    //  cJSON would end a string at U+0000 and send it cut ("T-1\u0000x" as T-1),
    //  which the service could not tell: refused here, as the services refuse it.
    shr_error_t scan_err;
    for (int i = 0; i < count; i++)
        if (shr_msg_scan (args[i], strlen (args[i]), &scan_err) == 1) {
            s_say ("the body holds \\u0000; a string may not contain U+0000\n");
            return NULL;
        }
    if (count == 1 && !s_is_pair (args[0])) {
        cJSON *body = cJSON_Parse (args[0]);
        if (!cJSON_IsObject (body)) {
            s_say ("the body must be a JSON object, not: %s\n", args[0]);
            cJSON_Delete (body);
            return NULL;
        }
        return body;
    }
    char err[256];
    cJSON *body = asctl_pairs (count, (const char *const *) args, err, sizeof err);
    if (!body)
        s_say ("%s\n", err);
    return body;
}

//  How a command prints a reply for a person; NULL: the generic summary.
typedef void (s_print_fn) (FILE *out, const cJSON *body);

static int s_call (const char *endpoint, const char *peer, const char *op, cJSON *body,
                   const s_settings_t *settings, s_print_fn *print)
{
    if (!body)
        return EXIT_USAGE;
    char err_text[256];
    shr_client_t *client = shr_client_new (endpoint, settings->keys, peer, err_text,
                                           sizeof err_text);
    if (!client) {
        s_say ("%s\n", err_text);
        cJSON_Delete (body);
        return EXIT_USAGE;
    }
    shr_client_set_timeout (client, (int)settings->timeout_ms, (int)settings->retries);
    shr_error_t err;
    cJSON *reply = shr_client_call (client, op, body, settings->idem, &err);
    int code = EXIT_OK;
    if (reply) {
        if (settings->quiet)
            ;
        else if (settings->json || s_legacy) {
            char *text = cJSON_Print (reply);
            printf ("%s\n", text);
            free (text);
        }
        else
            (print ? print : asctl_render) (stdout, reply);
    } else {
        fprintf (stderr, "%s: %s", shr_code_name (err.code), err.message);
        if (*err.field) fprintf (stderr, " (field %s)", err.field);
        fprintf (stderr, "\n");
        code = err.code == SHR_DEADLINE_EXCEEDED ? EXIT_DEADLINE : EXIT_FAILED;
    }
    cJSON_Delete (reply);
    cJSON_Delete (body);
    shr_client_destroy (&client);
    return code;
}

//  tail: what has been printed, and where the source's stream is.
typedef struct {
    const char *endpoint;   //  the events endpoint, for messages
    const char *api;        //  the API endpoint; NULL when not known
    shr_client_t *replayer; //  events.replay on api; NULL when not known
    const char *prefix;     //  print only events whose type starts with it; NULL: all
    bool heartbeats;        //  print heartbeats too
    long long count;        //  stop after printing this many lines; 0: never
    long long printed;
    int64_t next_seq; //  the next seq to print; 0 until a first frame tells
    int64_t live_seq; //  the highest seq the live stream has shown
} s_tail_t;

static bool s_tail_done (s_tail_t *self)
{
    return self->count > 0 && self->printed >= self->count;
}

static int64_t s_seq_of (const cJSON *message, const char *name)
{
    const cJSON *seq = cJSON_GetObjectItemCaseSensitive (message, name);
    return cJSON_IsNumber (seq) && seq->valuedouble >= 0 ? (int64_t)seq->valuedouble : -1;
}

//  Prints a message as one line. Live and replayed events go through the same
//  cJSON printer, so that one event reads the same whichever way it came.
static void s_tail_print (s_tail_t *self, const cJSON *message)
{
    char *text = cJSON_PrintUnformatted (message);
    if (text) {
        printf ("%s\n", text);
        fflush (stdout);
        free (text);
    }
    self->printed++;
}

//  Prints the event at next_seq if its type passes the prefix; moves on past it.
static void s_tail_take (s_tail_t *self, const cJSON *event, int64_t seq)
{
    const char *type = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (event, "type"));
    if (!self->prefix || (type && strncmp (type, self->prefix, strlen (self->prefix)) == 0))
        s_tail_print (self, event);
    self->next_seq = seq + 1;
}

//  Fetches and prints the stored events from next_seq on, page by page, until
//  the source's last_seq (which may grow meanwhile). Returns 0, or the exit code.
static int s_tail_replay (s_tail_t *self)
{
    while (!s_tail_done (self) && !zsys_interrupted) {
        cJSON *body = cJSON_CreateObject ();
        cJSON_AddNumberToObject (body, "from_seq", (double)self->next_seq);
        cJSON_AddNumberToObject (body, "limit", SHR_REPLAY_MAX_LIMIT);
        shr_error_t err;
        cJSON *reply = shr_client_call (self->replayer, "events.replay", body, NULL, &err);
        cJSON_Delete (body);
        if (!reply) {
            s_say ("events.replay from seq %lld on %s: %s: %s\n",
                     (long long)self->next_seq, self->api, shr_code_name (err.code), err.message);
            return err.code == SHR_DEADLINE_EXCEEDED ? EXIT_DEADLINE : EXIT_FAILED;
        }
        int64_t last_seq = s_seq_of (reply, "last_seq"), first = self->next_seq;
        const cJSON *event;
        cJSON_ArrayForEach (event, cJSON_GetObjectItemCaseSensitive (reply, "events"))
        {
            int64_t seq = s_seq_of (event, "seq");
            if (seq < self->next_seq) continue;
            if (seq > self->next_seq)
                s_say ("seq %lld to %lld are not stored on %s any more\n",
                         (long long)self->next_seq, (long long)seq - 1, self->api);
            s_tail_take (self, event, seq);
            if (s_tail_done (self)) break;
        }
        cJSON_Delete (reply);
        if (self->next_seq > last_seq || s_tail_done (self)) break;
        if (self->next_seq == first) {
            //  The source is ahead but stores nothing from next_seq: do not ask for ever.
            s_say ("seq %lld to %lld are not stored on %s\n",
                     (long long)self->next_seq, (long long)last_seq, self->api);
            self->next_seq = last_seq + 1;
            break;
        }
    }
    return EXIT_OK;
}

//  The live stream shows that the source is at through while next_seq is not
//  printed yet: replay, or without an API say what is lost and go on.
static int s_tail_gap (s_tail_t *self, int64_t through)
{
    if (self->replayer) return s_tail_replay (self);
    s_say ("seq %lld to %lld of %s were missed; give --api to fetch them\n",
             (long long)self->next_seq, (long long)through, self->endpoint);
    self->next_seq = through + 1;
    return EXIT_OK;
}

static int s_tail_heartbeat (s_tail_t *self, const cJSON *heartbeat)
{
    int64_t last_seq = s_seq_of (heartbeat, "last_seq");
    if (last_seq < 0) return EXIT_OK;
    if (self->next_seq == 0)
        self->next_seq = last_seq + 1; //  from now on
    else if (last_seq < self->live_seq) {
        //  The stream went back: the service started over on another database.
        s_say (
                 "%s is at seq %lld, below the %lld it was at (a new database?): "
                 "following from %lld\n",
                 self->endpoint, (long long)last_seq, (long long)self->live_seq,
                 (long long)last_seq + 1);
        self->next_seq = last_seq + 1;
    }
    self->live_seq = last_seq;
    //  The events it counts were published before it: print them first.
    int code = last_seq >= self->next_seq ? s_tail_gap (self, last_seq) : EXIT_OK;
    if (!code && self->heartbeats && !s_tail_done (self)) s_tail_print (self, heartbeat);
    return code;
}

static int s_tail_event (s_tail_t *self, const cJSON *event)
{
    int64_t seq = s_seq_of (event, "seq");
    if (seq < 1) return EXIT_OK;
    if (self->next_seq == 0) self->next_seq = seq;
    if (seq > self->live_seq) self->live_seq = seq;
    int code = seq > self->next_seq ? s_tail_gap (self, seq - 1) : EXIT_OK;
    //  Below next_seq it was printed already (by replay, or it came twice).
    if (!code && seq == self->next_seq && !s_tail_done (self)) s_tail_take (self, event, seq);
    return code;
}

static int s_tail_frame (s_tail_t *self, zmsg_t *msg)
{
    zframe_t *topic = zmsg_first (msg);
    zframe_t *payload = zmsg_next (msg);
    cJSON *message =
        payload ? cJSON_ParseWithLength ((const char *)zframe_data (payload), zframe_size (payload))
                : NULL;
    int code = EXIT_OK;
    if (!cJSON_IsObject (message))
        s_say ("a frame from %s that is not an envelope; skipped\n",
                 self->endpoint);
    else if (zframe_streq (topic, SHR_HEARTBEAT_TOPIC))
        code = s_tail_heartbeat (self, message);
    else
        code = s_tail_event (self, message);
    cJSON_Delete (message);
    return code;
}

//  A duration for messages: "3 s", or "300 ms" when it is not whole seconds.
static void s_duration (char *out, size_t size, int64_t ms)
{
    if (ms % 1000 == 0)
        snprintf (out, size, "%lld s", (long long)(ms / 1000));
    else
        snprintf (out, size, "%lld ms", (long long)ms);
}

static int s_tail (shr_config_t *config, const char *endpoint, const char *peer, const char *api,
                   const char *prefix, const s_settings_t *settings)
{
    char err[256];
    //  Every topic, whatever the prefix: heartbeats tell that the source is
    //  there, and every seq is needed to see a gap. The prefix filters here.
    zsock_t *sub = shr_socket_new (SHR_SOCKET_SUBSCRIBER, endpoint, shr_config_events_hwm (config),
                                   settings->keys, peer, err, sizeof err);
    if (!sub) {
        s_say ("%s\n", err);
        return EXIT_USAGE;
    }
    s_tail_t self = {.endpoint = endpoint,
                     .api = api,
                     .prefix = prefix && *prefix ? prefix : NULL,
                     .heartbeats = settings->heartbeats,
                     .count = settings->count,
                     .next_seq = settings->from_seq};
    if (api) {
        self.replayer = shr_client_new (api, settings->keys, peer, err, sizeof err);
        if (!self.replayer) {
            s_say ("%s\n", err);
            zsock_destroy (&sub);
            return EXIT_USAGE;
        }
        shr_client_set_timeout (self.replayer, (int)settings->timeout_ms, (int)settings->retries);
    }
    //  Replay starts only when a first frame came: then the subscription is
    //  live, so nothing published after the replay can be missed unseen.
    int64_t silence_ms = (int64_t)SILENT_PERIODS * shr_config_heartbeat_ms (config);
    char silence[32];
    s_duration (silence, sizeof silence, silence_ms);
    zpoller_t *poller = zpoller_new (sub, NULL);
    int64_t last_frame = zclock_mono ();
    bool heard = false, silent = false;
    int code = EXIT_OK;
    while (!code && !s_tail_done (&self) && !zsys_interrupted) {
        int64_t wait = silent ? 1000 : last_frame + silence_ms - zclock_mono ();
        if (!zpoller_wait (poller, wait > 0 ? (int)wait : 0)) {
            if (zpoller_terminated (poller)) break;
            if (!silent && zclock_mono () - last_frame >= silence_ms) {
                if (heard)
                    s_say (
                             "no events or heartbeats from %s for %s: is the service "
                             "still running?\n",
                             endpoint, silence);
                else
                    s_say (
                             "no events or heartbeats from %s within %s: is the service "
                             "running?\n",
                             endpoint, silence);
                silent = true;
                if (settings->exit_if_silent) code = EXIT_DEADLINE;
            }
            continue;
        }
        zmsg_t *msg = zmsg_recv (sub);
        if (!msg) break;
        if (silent)
            s_say ("%s publishes %s\n", endpoint, heard ? "again" : "now");
        heard = true;
        silent = false;
        last_frame = zclock_mono ();
        code = s_tail_frame (&self, msg);
        zmsg_destroy (&msg);
        //  A replay may have taken a while, and the source answered it.
        last_frame = zclock_mono ();
    }
    zpoller_destroy (&poller);
    shr_client_destroy (&self.replayer);
    zsock_destroy (&sub);
    return code;
}

//  One service's row of asctl health: its health, version and outbox size.
static bool s_health_row (shr_client_t *client, const char *service, asctl_table_t *table,
                          cJSON *all)
{
    shr_error_t err;
    cJSON *health = shr_client_call (client, "sys.health", NULL, NULL, &err);
    cJSON *ping = health ? shr_client_call (client, "sys.ping", NULL, NULL, &err) : NULL;
    cJSON *stats = ping ? shr_client_call (client, "sys.stats", NULL, NULL, &err) : NULL;
    const char *status = cJSON_GetStringValue (cJSON_GetObjectItem (health, "status"));
    char uptime[32] = "-", lag[256] = "", outbox[32] = "-";
    const cJSON *consumer;
    cJSON_ArrayForEach (consumer, cJSON_GetObjectItem (health, "consumers")) {
        size_t used = strlen (lag);
        snprintf (lag + used, sizeof lag - used, "%s%s %d%s", used ? ", " : "",
                  cJSON_GetStringValue (cJSON_GetObjectItem (consumer, "source")),
                  (int) cJSON_GetNumberValue (cJSON_GetObjectItem (consumer, "lag")),
                  streq (cJSON_GetStringValue (cJSON_GetObjectItem (consumer, "state")), "live")
                      ? ""
                      : " (not live)");
    }
    if (health)
        asctl_duration (uptime, sizeof uptime,
                        (int64_t) cJSON_GetNumberValue (cJSON_GetObjectItem (health, "uptime_s")));
    cJSON *events = cJSON_GetObjectItem (stats, "events");
    if (events)
        snprintf (outbox, sizeof outbox, "%.0f",
                  cJSON_GetNumberValue (cJSON_GetObjectItem (events, "last_seq")));
    const char *version = cJSON_GetStringValue (cJSON_GetObjectItem (ping, "version"));
    const char *durability = cJSON_GetStringValue (cJSON_GetObjectItem (health, "durability"));
    const char *cells[] = {service, status ? status : "down", version ? version : "-", uptime,
                           durability ? durability : "-", *lag ? lag : "-", outbox,
                           stats ? "" : err.message};
    asctl_table_add (table, cells);
    cJSON *row = cJSON_AddObjectToObject (all, service);
    cJSON_AddItemToObject (row, "health", health ? health : cJSON_CreateNull ());
    cJSON_AddItemToObject (row, "ping", ping ? ping : cJSON_CreateNull ());
    cJSON_AddItemToObject (row, "stats", stats ? stats : cJSON_CreateNull ());
    if (!stats)
        cJSON_AddStringToObject (row, "error", err.message);
    return status && streq (status, "ok");
}

//  asctl health: every service in one table (or one JSON object with --json).
static int s_health_table (shr_config_t *config, const s_settings_t *settings)
{
    static const char *headers[] = {"service", "status", "version", "uptime", "durability",
                                    "consumer lag", "outbox", "problem"};
    asctl_table_t *table = asctl_table_new (headers, 8);
    cJSON *all = cJSON_CreateObject ();
    int worst = EXIT_OK;
    const char *service;
    for (size_t i = 0; (service = shr_config_known_service (i)); i++) {
        char err_text[256];
        const char *endpoint = s_lookup (config, service, false, err_text, sizeof err_text);
        shr_client_t *client =
            endpoint ? shr_client_new (endpoint, settings->keys, service, err_text, sizeof err_text)
                     : NULL;
        if (client) {
            shr_client_set_timeout (client, (int) settings->timeout_ms, 0);
            if (!s_health_row (client, service, table, all))
                worst = EXIT_FAILED;
        }
        else {
            const char *cells[] = {service, "down", "-", "-", "-", "-", "-", err_text};
            asctl_table_add (table, cells);
            cJSON *row = cJSON_AddObjectToObject (all, service);
            cJSON_AddNullToObject (row, "health");
            cJSON_AddStringToObject (row, "error", err_text);
            worst = EXIT_FAILED;
        }
        shr_client_destroy (&client);
    }
    if (settings->json) {
        char *text = cJSON_Print (all);
        printf ("%s\n", text);
        free (text);
    }
    else
        asctl_table_print (table, stdout);
    cJSON_Delete (all);
    asctl_table_destroy (&table);
    return worst;
}

//  asctl kpi and asctl profit: analytics' kpi.report and profit.breakdown.
static int s_report (shr_config_t *config, const s_command_t *command,
                     const s_settings_t *settings)
{
    char today[16], from[16], err[256];
    time_t now = time (NULL);
    strftime (today, sizeof today, "%Y-%m-%d", gmtime (&now));
    const char *to = settings->to ? settings->to : today;
    if (!settings->from && asctl_days_before (to, 29, from, sizeof from)) {
        s_say ("--to wants a day, YYYY-MM-DD, not '%s'; see --help\n", to);
        return EXIT_USAGE;
    }
    cJSON *body = cJSON_CreateObject ();
    cJSON_AddStringToObject (body, "from", settings->from ? settings->from : from);
    cJSON_AddStringToObject (body, "to", to);
    if (settings->by)
        cJSON_AddStringToObject (body, "by", settings->by);
    bool kpi = command->bit == FOR_KPI;
    if (kpi && settings->baseline_from)
        cJSON_AddStringToObject (body, "baseline_from", settings->baseline_from);
    if (kpi && settings->baseline_to)
        cJSON_AddStringToObject (body, "baseline_to", settings->baseline_to);
    const char *endpoint = s_lookup (config, "analytics", false, err, sizeof err);
    if (!endpoint) {
        s_say ("%s\n", err);
        cJSON_Delete (body);
        return EXIT_USAGE;
    }
    return s_call (endpoint, "analytics", kpi ? "kpi.report" : "profit.breakdown", body,
                   settings, kpi ? asctl_print_kpis : asctl_print_profit);
}

static int s_health (shr_config_t *config, const s_settings_t *settings)
{
    if (!s_legacy)
        return s_health_table (config, settings);
    int timeout_ms = (int) settings->timeout_ms;
    int worst = EXIT_OK;
    const char *service;
    for (size_t i = 0; (service = shr_config_known_service (i)); i++) {
        char err_text[sizeof ((shr_error_t *)0)->message];
        const char *endpoint = s_lookup (config, service, false, err_text, sizeof err_text);
        shr_client_t *client =
            endpoint ? shr_client_new (endpoint, settings->keys, service, err_text, sizeof err_text)
                     : NULL;
        cJSON *reply = NULL;
        if (client) {
            shr_client_set_timeout (client, timeout_ms, 0);
            shr_error_t err;
            reply = shr_client_call (client, "sys.health", NULL, NULL, &err);
            if (!reply) snprintf (err_text, sizeof err_text, "%s", err.message);
        }
        const char *status =
            reply ? cJSON_GetStringValue (cJSON_GetObjectItem (reply, "status")) : NULL;
        printf ("%-12s %-9s %s\n", service, status ? status : "down", reply ? "" : err_text);
        if (!status || strcmp (status, "ok") != 0) worst = EXIT_FAILED;
        cJSON_Delete (reply);
        shr_client_destroy (&client);
    }
    return worst;
}

static void s_unknown_peer (const char *target)
{
    s_say ("which service is at %s? say --service NAME (its public key is "
                     "NAME.key in the keys' folder)\n", target);
}

static void s_print_key (const char *name, const char *roles, const char *key, void *arg)
{
    (void) arg;
    printf ("%-24s %-40s %s\n", name, *roles ? roles : "-", key);
}

//  shrctl keys <init|new|list|revoke>.
static int s_keys (int args, char **arg, const s_settings_t *settings)
{
    const char *dir = settings->dir ? settings->dir : getenv ("KEYS_DIR");
    dir = dir && *dir ? dir : "keys";
    char err[512];
    const char *verb = arg[0];
    if (streq (verb, "init")) {
        const char *services[64];
        int count = 0;
        for (int i = 1; i < args && count < 63; i++)
            services[count++] = arg[i];
        for (size_t i = 0; args == 1 && shr_config_known_service (i) && count < 63; i++)
            services[count++] = shr_config_known_service (i);
        services[count] = NULL;
        int made = shr_keys_init (dir, services, err, sizeof err);
        if (made < 0) {
            s_say ("%s\n", err);
            return EXIT_FAILED;
        }
        printf ("%d key pairs made in %s (the others were there)\n", made, dir);
        return EXIT_OK;
    }
    if (streq (verb, "new") && args == 2) {
        if (!settings->roles) {
            s_say ("keys new %s needs --roles A,B (see shrctl keys --help)\n",
                     arg[1]);
            return EXIT_USAGE;
        }
        if (shr_keys_add (dir, arg[1], settings->roles, err, sizeof err)) {
            s_say ("%s\n", err);
            return EXIT_FAILED;
        }
        printf ("made %s (roles %s): give %s/clients/%s.key_secret to the client, then delete "
                "it here; services that read %s/trusted trust it at once\n",
                arg[1], settings->roles, dir, arg[1], dir);
        return EXIT_OK;
    }
    if (streq (verb, "list") && args == 1) {
        printf ("%-24s %-40s %s\n", "name", "roles", "public key");
        if (shr_keys_list (dir, s_print_key, NULL, err, sizeof err) < 0) {
            s_say ("%s\n", err);
            return EXIT_FAILED;
        }
        return EXIT_OK;
    }
    if (streq (verb, "revoke") && args == 2) {
        if (shr_keys_revoke (dir, arg[1], err, sizeof err)) {
            s_say ("%s\n", err);
            return EXIT_FAILED;
        }
        printf ("revoked %s: send the services SIGHUP (or restart them) to refuse it now\n",
                arg[1]);
        return EXIT_OK;
    }
    s_say ("keys takes init [SERVICE...], new NAME, list or revoke NAME, "
                     "not '%s'%s; see shrctl keys --help\n", verb, args > 2 ? " ..." : "");
    return EXIT_USAGE;
}

int main (int argc, char **argv)
{
    const char *base = strrchr (argv[0], '/');
    base = base ? base + 1 : argv[0];
    if (streq (base, "shrctl")) {
        s_prog = "shrctl";
        s_legacy = true;
    }
    s_settings_t settings = {.timeout_ms = 3000, .retries = 2};
    if (s_parse (argc, argv, &settings)) return EXIT_USAGE;
    const char *name = optind < argc ? argv[optind] : NULL;
    if (!name) {
        if (settings.help) {
            s_usage (stdout);
            return EXIT_OK;
        }
        s_say ("no command given: call, tail, watch, health, kpi, profit or keys, or"
               " <service> <op>; see --help\n");
        return EXIT_USAGE;
    }
    const s_command_t *command = s_command_of (name);
    //  asctl <service> <op> ...: a call without the word.
    if (!command && (strstr (name, "://") || s_known (name))) {
        command = s_command_of ("call");
        optind--;
    }
    if (!command) {
        s_say ("unknown command '%s': call, tail, watch, health, kpi, profit or keys, or a"
               " service; see --help\n", name);
        return EXIT_USAGE;
    }
    if (settings.help) {
        s_command_usage (stdout, command);
        return EXIT_OK;
    }
    for (size_t i = 0; i < OPTION_COUNT; i++)
        if (settings.given[i] && !(s_options[i].commands & command->bit)) {
            s_say ("%s does not take --%s; see shrctl %s --help\n", command->name,
                     s_options[i].name, command->name);
            return EXIT_USAGE;
        }
    int args = argc - optind - 1;
    char **arg = argv + optind + 1;
    //  More than one body operand is pairs, or a JSON body the shell cut.
    bool cut = false;
    for (int i = 2; command->bit == FOR_CALL && args > 3 && i < args; i++)
        cut |= !s_is_pair (arg[i]);
    if (args < command->min_args || args > command->max_args || cut) {
        if (command->max_args == 0)
            s_say ("%s takes no arguments, %d given; see shrctl %s --help\n",
                     command->name, args, command->name);
        else
            s_say ("%s takes %s, %d argument%s given%s; see shrctl %s --help\n",
                     command->name, command->args, args, args == 1 ? "" : "s",
                     command->bit == FOR_CALL && args > 3 ? " (quote the body: '{...}')"
                         : "",
                     command->name);
        return EXIT_USAGE;
    }
    zsys_init ();
    zsys_catch_interrupts ();
    //  Any name will do: the tool only reads where the services are.
    setenv ("BIND_API", "tcp://127.0.0.1:*", 0);
    setenv ("BIND_EVENTS", "tcp://127.0.0.1:*", 0);
    char err[256];
    shr_config_t *config = shr_config_new (s_prog, err, sizeof err);
    if (!config) {
        s_say ("%s\n", err);
        return EXIT_USAGE;
    }
    int code = EXIT_USAGE;
    if (command->bit == FOR_KEYS) {
        code = s_keys (args, arg, &settings);
        shr_config_destroy (&config);
        return code;
    }
    //  Our key, unless the bus is plaintext (SHR_CURVE=off).
    if (shr_config_curve (config)) {
        const char *dir = shr_config_keys_dir (config);
        char *fallback = zsys_sprintf ("%s/clients/admin.key_secret", dir);
        const char *key = settings.key ? settings.key : getenv ("SHR_KEY");
        settings.keys = shr_keys_new (dir, key && *key ? key : fallback, err, sizeof err);
        zstr_free (&fallback);
        if (!settings.keys) {
            s_say ("%s (or SHR_CURVE=off for a plaintext bus)\n", err);
            shr_config_destroy (&config);
            return EXIT_USAGE;
        }
    }
    //  Which service a target is, for its public key; the other checks first.
    const char *peer = command->bit & (FOR_CALL | FOR_TAIL)
                           ? s_peer (config, arg[0], settings.service)
                           : NULL;
    bool peer_known = !settings.keys || peer;
    if (command->bit == FOR_HEALTH)
        code = s_health (config, &settings);
    else if (command->bit & FOR_REPORT)
        code = s_report (config, command, &settings);
    else if (command->bit == FOR_CALL) {
        const char *endpoint = s_lookup (config, arg[0], false, err, sizeof err);
        if (!endpoint)
            s_say ("%s\n", err);
        else if (!peer_known)
            s_unknown_peer (arg[0]);
        else
            code = s_call (endpoint, peer, arg[1], s_body (args - 2, arg + 2), &settings, NULL);
    } else {
        const char *endpoint = s_lookup (config, arg[0], true, err, sizeof err);
        //  A service name gives its API too; an endpoint needs --api for replay.
        const char *api = settings.api;
        char api_err[256];
        if (!api && !strstr (arg[0], "://"))
            api = s_lookup (config, arg[0], false, api_err, sizeof api_err);
        if (!endpoint)
            s_say ("%s\n", err);
        else if (settings.from_seq && !api)
            s_say ("tail --from-seq needs the service's API for events.replay: "
                             "name the service or give --api\n");
        else if (!peer_known)
            s_unknown_peer (arg[0]);
        else
            code = s_tail (config, endpoint, peer, api, args == 2 ? arg[1] : NULL, &settings);
    }
    shr_keys_destroy (&settings.keys);
    shr_config_destroy (&config);
    return code;
}
