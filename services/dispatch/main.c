/*  dispatch - technicians, repair work orders, SLA clocks and assignment.

    The binary: settings from the environment, the SLA timer, the consumers
    of inventory's events and of contracts' coverage, and libshared's runner
    for the rest (sockets, store, events, signals). Its ops and events
    are generated from schemas/dispatch/ and schemas/events/.
*/
#include "dispatch.h"

static void s_settings_destroy (void **self_p)
{
    free (*self_p);
    *self_p = NULL;
}

static int s_read_settings (dispatch_settings_t *settings, char *err, size_t errlen)
{
    const char *currency = getenv ("DISPATCH_CURRENCY");
    if (!currency || !*currency)
        currency = "CNY";
    if (strlen (currency) != 3 || !isupper ((unsigned char) currency[0])
        || !isupper ((unsigned char) currency[1]) || !isupper ((unsigned char) currency[2])) {
        snprintf (err, errlen, "DISPATCH_CURRENCY=%s: expected an ISO 4217 code like CNY",
                  currency);
        return -1;
    }
    snprintf (settings->currency, sizeof settings->currency, "%s", currency);
    int rate;
    if (shr_config_int ("DISPATCH_LABOUR_RATE_CENTS", 12000, 0, 100000000, err, errlen, &rate)
        || shr_config_int ("DISPATCH_SLA_SCAN_MS", 1000, 10, 3600000, err, errlen,
                           &settings->sla_scan_ms))
        return -1;
    settings->labour_rate_cents = rate;
    return 0;
}

static int s_setup (shr_service_t *service, char *err, size_t errlen)
{
    dispatch_settings_t *settings = (dispatch_settings_t *) zmalloc (sizeof *settings);
    shr_service_set_state (service, settings, s_settings_destroy);
    if (s_read_settings (settings, err, errlen))
        return -1;
    shr_service_every (service, settings->sla_scan_ms, sla_scan, settings);
    //  Inventory and contracts consume dispatch's events too; each waits for
    //  the other by itself (the consumer asks again until it answers).
    return shr_service_consume (service, "inventory", parts_loop_handlers, settings, err, errlen)
           || shr_service_consume (service, "contracts", coverage_feed, settings, err, errlen);
}

static const shr_service_def_t s_dispatch = {
    .name = "dispatch",
    .summary = "Dispatch: technicians, repair work orders, SLA clocks and assignment.\n"
               "Also: DISPATCH_CURRENCY (default CNY), DISPATCH_LABOUR_RATE_CENTS per hour\n"
               "(default 12000), DISPATCH_SLA_SCAN_MS (default 1000). Consumes inventory's events\n"
               "(INVENTORY_EVENTS/_API) and contracts' coverage of product serials\n"
               "(CONTRACTS_EVENTS/_API).",
    .migrations = dispatch_migrations,
    .ops = dispatch_ops,
    .events = dispatch_events,
    .setup = s_setup,
};

int main (int argc, char **argv)
{
    return shr_service_main (&s_dispatch, argc, argv);
}
