/*  contracts - the installed base and its coverage, a priced catalogue of
    value-added services, and the contracts sold from it.

    The binary: settings from the environment, the expiry clock, the offer
    campaign's and the work order timer (with its client of dispatch), the
    consumers of complaints' customer file and of
    dispatch's completed orders, and libshared's runner for the rest
    (sockets, store, events, signals). Its ops and events are generated
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
    const char *region = getenv ("CONTRACTS_REGION");
    snprintf (settings->region, sizeof settings->region, "%s",
              region && *region ? region : "unknown");
    return shr_config_int ("CONTRACTS_SCAN_MS", 1000, 10, 3600000, err, errlen,
                           &settings->scan_ms)
           || shr_config_int ("CONTRACTS_OFFER_WITHIN_DAYS", 60, 1, 3650, err, errlen,
                              &settings->offer_within_days)
           || shr_config_int ("CONTRACTS_CAMPAIGN_MS", 3600000, 10, 86400000, err, errlen,
                              &settings->campaign_ms)
           || shr_config_int ("CONTRACTS_UPTAKE_DAYS", 90, 1, 3650, err, errlen,
                              &settings->uptake_days)
           || shr_config_int ("CONTRACTS_LATE_RATE_BP", 15000, 0, 100000, err, errlen,
                              &settings->late_rate_bp)
           || shr_config_int ("CONTRACTS_ORDERS_MS", 1000, 10, 3600000, err, errlen,
                              &settings->orders_ms)
           || shr_config_int ("CONTRACTS_VISIT_LEAD_DAYS", 14, 0, 365, err, errlen,
                              &settings->visit_lead_days)
           || shr_config_int ("CONTRACTS_DISPATCH_TIMEOUT_MS", 1000, 10, 60000, err, errlen,
                              &settings->dispatch_timeout_ms)
           || shr_config_int ("CONTRACTS_DISPATCH_RETRY_S", 30, 1, 86400, err, errlen,
                              &settings->dispatch_retry_s)
           || shr_config_int ("CONTRACTS_PART_COVER_DAYS", 90, 0, 3650, err, errlen,
                              &settings->part_cover_days)
               ? -1
               : 0;
}

static int s_setup (shr_service_t *service, char *err, size_t errlen)
{
    contracts_settings_t *settings = (contracts_settings_t *) zmalloc (sizeof *settings);
    shr_service_set_state (service, settings, s_settings_destroy);
    if (s_read_settings (settings, err, errlen))
        return -1;
    shr_service_every (service, settings->scan_ms, expiry_scan, settings);
    shr_service_every (service, settings->campaign_ms, offer_campaign_tick, settings);
    settings->dispatch = shr_service_client (service, "dispatch", err, errlen);
    if (!settings->dispatch)
        return -1;
    //  One try per tick: the timer holds the service's transaction while it waits.
    shr_client_set_timeout (settings->dispatch, settings->dispatch_timeout_ms, 0);
    shr_service_every (service, settings->orders_ms, visit_sender, settings);
    return shr_service_consume (service, "complaints", customer_feed, settings, err, errlen)
           || shr_service_consume (service, "dispatch", repair_feed, settings, err, errlen);
}

static const shr_service_def_t s_contracts = {
    .name = "contracts",
    .summary = "Contracts: the installed base with its coverage by date, a priced catalogue of\n"
               "value-added services, and contracts (extended warranties, installation,\n"
               "upgrades, consulting, maintenance plans) with renewal, pro-rata refunds and\n"
               "expiry; rentals; offers before a warranty ends. Consumes complaints' customer\n"
               "file (COMPLAINTS_API, COMPLAINTS_EVENTS) and dispatch's completed orders\n"
               "(DISPATCH_API, DISPATCH_EVENTS).\n"
               "Also: CONTRACTS_CURRENCY (default CNY), CONTRACTS_SCAN_MS (expiry clock,\n"
               "default 1000), CONTRACTS_OFFER_WITHIN_DAYS (offers this many days before a\n"
               "cover ends, default 60), CONTRACTS_CAMPAIGN_MS (the offer campaign's timer,\n"
               "default 3600000), CONTRACTS_UPTAKE_DAYS (the demand step's period, default 90),\n"
               "CONTRACTS_LATE_RATE_BP (a late rental day, in basis points of the daily rate,\n"
               "default 15000), CONTRACTS_ORDERS_MS (the work order timer, default 1000),\n"
               "CONTRACTS_VISIT_LEAD_DAYS (orders this many days ahead, default 14),\n"
               "CONTRACTS_DISPATCH_TIMEOUT_MS (one call to dispatch, default 1000),\n"
               "CONTRACTS_DISPATCH_RETRY_S (after a failed call, default 30), CONTRACTS_REGION\n"
               "(for a customer of no known region, default unknown), CONTRACTS_PART_COVER_DAYS\n"
               "(a part replaced under cover is covered this long, default 90; 0: not).",
    .migrations = contracts_migrations,
    .ops = contracts_ops,
    .events = contracts_events,
    .setup = s_setup,
};

int main (int argc, char **argv)
{
    return shr_service_main (&s_contracts, argc, argv);
}
