/*  contracts - the installed base and its coverage, a priced catalogue of
    value-added services, and the contracts sold from it.

    The binary: settings from the environment, the expiry clock, the
    consumer of complaints' customer file, and libshared's runner for the
    rest (sockets, store, events, signals). Its ops and events are generated
    from schemas/contracts/ and schemas/events/.
*/
#include "contracts.h"

static void s_settings_destroy (void **self_p)
{
    free (*self_p);
    *self_p = NULL;
}

static int s_read_settings (contracts_settings_t *settings, char *err, size_t errlen)
{
    const char *currency = getenv ("CONTRACTS_CURRENCY");
    if (!currency || !*currency)
        currency = "CNY";
    if (strlen (currency) != 3 || !isupper ((unsigned char) currency[0])
        || !isupper ((unsigned char) currency[1]) || !isupper ((unsigned char) currency[2])) {
        snprintf (err, errlen, "CONTRACTS_CURRENCY=%s: expected an ISO 4217 code like CNY",
                  currency);
        return -1;
    }
    snprintf (settings->currency, sizeof settings->currency, "%s", currency);
    return shr_config_int ("CONTRACTS_SCAN_MS", 1000, 10, 3600000, err, errlen,
                           &settings->scan_ms);
}

static int s_setup (shr_service_t *service, char *err, size_t errlen)
{
    contracts_settings_t *settings = (contracts_settings_t *) zmalloc (sizeof *settings);
    shr_service_set_state (service, settings, s_settings_destroy);
    if (s_read_settings (settings, err, errlen))
        return -1;
    shr_service_every (service, settings->scan_ms, expiry_scan, settings);
    return shr_service_consume (service, "complaints", customer_feed, settings, err, errlen);
}

static const shr_service_def_t s_contracts = {
    .name = "contracts",
    .summary = "Contracts: the installed base with its coverage by date, a priced catalogue of\n"
               "value-added services, and contracts (extended warranties, installation,\n"
               "upgrades, consulting, maintenance plans) with renewal, pro-rata refunds and\n"
               "expiry. Consumes complaints' customer file (COMPLAINTS_API, COMPLAINTS_EVENTS).\n"
               "Also: CONTRACTS_CURRENCY (default CNY), CONTRACTS_SCAN_MS (expiry clock,\n"
               "default 1000).",
    .migrations = contracts_migrations,
    .ops = contracts_ops,
    .events = contracts_events,
    .setup = s_setup,
};

int main (int argc, char **argv)
{
    return shr_service_main (&s_contracts, argc, argv);
}
