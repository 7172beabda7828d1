/*  inventory - stock per warehouse, reservations for work orders, reorder control.

    The binary: settings from the environment, the consumers of dispatch's
    work orders and procurement's purchase orders, the daily re-evaluation of
    auto reorder policies, and libshared's runner for the rest. Its ops and
    events are generated from schemas/inventory/ and schemas/events/.
*/
#include "inventory.h"

static void s_settings_destroy (void **self_p)
{
    free (*self_p);
    *self_p = NULL;
}

static int s_read_settings (inventory_settings_t *settings, char *err, size_t errlen)
{
    const char *currency = getenv ("INVENTORY_CURRENCY");
    if (!currency || !*currency)
        currency = "CNY";
    if (strlen (currency) != 3 || !isupper ((unsigned char) currency[0])
        || !isupper ((unsigned char) currency[1]) || !isupper ((unsigned char) currency[2])) {
        snprintf (err, errlen, "INVENTORY_CURRENCY=%s: expected an ISO 4217 code like CNY",
                  currency);
        return -1;
    }
    snprintf (settings->currency, sizeof settings->currency, "%s", currency);
    return shr_config_number ("INVENTORY_SERVICE_LEVEL", 0.95, 0.5, 0.9999, err, errlen,
                            &settings->service_level)
           || shr_config_int ("INVENTORY_DEMAND_WINDOW_DAYS", 90, 7, 730, err, errlen,
                              &settings->window_days)
           || shr_config_int ("INVENTORY_COVER_DAYS", 30, 1, 365, err, errlen,
                              &settings->cover_days)
           || shr_config_int ("INVENTORY_OVERSTOCK_MARGIN_PCT", 50, 0, 10000, err, errlen,
                              &settings->overstock_margin_pct)
           || shr_config_int ("INVENTORY_REORDER_SCAN_MS", 60000, 10, 86400000, err, errlen,
                              &settings->reorder_scan_ms);
}

static int s_setup (shr_service_t *service, char *err, size_t errlen)
{
    inventory_settings_t *settings = (inventory_settings_t *) zmalloc (sizeof *settings);
    shr_service_set_state (service, settings, s_settings_destroy);
    if (s_read_settings (settings, err, errlen))
        return -1;
    shr_service_every (service, settings->reorder_scan_ms, reorder_scan, settings);
    //  Dispatch and procurement consume inventory's events too; each side
    //  waits for the other by itself (the consumer asks again until it answers).
    return shr_service_consume (service, "dispatch", workorder_parts_handlers, settings, err,
                                errlen)
           || shr_service_consume (service, "procurement", purchasing_handlers, settings, err,
                                   errlen);
}

static const shr_service_def_t s_inventory = {
    .name = "inventory",
    .summary = "Inventory: stock per warehouse, reservations for work orders, reorder control.\n"
               "Also: INVENTORY_CURRENCY (default CNY), INVENTORY_SERVICE_LEVEL (auto policies,\n"
               "default 0.95), INVENTORY_DEMAND_WINDOW_DAYS (default 90), INVENTORY_COVER_DAYS\n"
               "(default 30), INVENTORY_OVERSTOCK_MARGIN_PCT (default 50),\n"
               "INVENTORY_REORDER_SCAN_MS (default 60000). Consumes dispatch's and\n"
               "procurement's events (DISPATCH_EVENTS/_API, PROCUREMENT_EVENTS/_API).",
    .migrations = inventory_migrations,
    .ops = inventory_ops,
    .events = inventory_events,
    .setup = s_setup,
};

int main (int argc, char **argv)
{
    return shr_service_main (&s_inventory, argc, argv);
}
