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

//  DISPATCH_LEVEL_PERCENT: five percentages, a job's duration at levels 1 to 5.
static int s_read_levels (assign_settings_t *assign, char *err, size_t errlen)
{
    const char *text = getenv ("DISPATCH_LEVEL_PERCENT");
    if (!text || !*text)
        text = "130,115,100,90,80";
    const char *at = text;
    assign->level_percent[0] = 100;
    for (int level = 1; level <= 5; level++) {
        char *end;
        long percent = strtol (at, &end, 10);
        if (end == at || percent < 10 || percent > 1000 || *end != (level == 5 ? '\0' : ',')) {
            snprintf (err, errlen,
                      "DISPATCH_LEVEL_PERCENT=%s: expected five percentages 10-1000 for levels"
                      " 1 to 5, like 130,115,100,90,80",
                      text);
            return -1;
        }
        assign->level_percent[level] = percent;
        at = end + 1;
    }
    return 0;
}

//  The optimiser's weights and bounds (assign_plan.h).
static int s_read_assign (assign_settings_t *assign, char *err, size_t errlen)
{
    static const struct {
        const char *name;
        int fallback, max;
        size_t offset;
    } knobs[] = {{"DISPATCH_TRAVEL_KMH", 40, 1000, offsetof (assign_settings_t, travel_kmh)},
                 {"DISPATCH_WEIGHT_TRAVEL", 50, 100000, offsetof (assign_settings_t, weight_travel)},
                 {"DISPATCH_WEIGHT_LATENESS", 100, 100000,
                  offsetof (assign_settings_t, weight_lateness)},
                 {"DISPATCH_WEIGHT_LABOUR", 100, 1000, offsetof (assign_settings_t, weight_labour)},
                 {"DISPATCH_WEIGHT_OVERQUALIFIED", 500, 100000,
                  offsetof (assign_settings_t, weight_overqualified)},
                 {"DISPATCH_PLAN_WORK", 30000, 100000000, offsetof (assign_settings_t, plan_work)},
                 {"DISPATCH_PLAN_MS", 300, 60000, offsetof (assign_settings_t, plan_ms)},
                 {"DISPATCH_PLAN_ROUNDS", 50, 1000000, offsetof (assign_settings_t, plan_rounds)}};
    for (size_t i = 0; i < sizeof knobs / sizeof knobs[0]; i++) {
        int value;
        if (shr_config_int (knobs[i].name, knobs[i].fallback, 0, knobs[i].max, err, errlen, &value))
            return -1;
        *(int64_t *) ((char *) assign + knobs[i].offset) = value;
    }
    return s_read_levels (assign, err, errlen);
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
    return s_read_assign (&settings->assign, err, errlen);
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
               "(default 12000), DISPATCH_SLA_SCAN_MS (default 1000); the optimiser's\n"
               "DISPATCH_TRAVEL_KMH (40), DISPATCH_LEVEL_PERCENT (130,115,100,90,80),\n"
               "DISPATCH_WEIGHT_TRAVEL (50 cents a minute), _LATENESS (100 cents a minute),\n"
               "_LABOUR (100 %), _OVERQUALIFIED (500 cents a level), DISPATCH_PLAN_MS (300),\n"
               "DISPATCH_PLAN_ROUNDS (200). Consumes inventory's events (INVENTORY_EVENTS/_API)\n"
               "and contracts' coverage of product serials (CONTRACTS_EVENTS/_API).",
    .migrations = dispatch_migrations,
    .ops = dispatch_ops,
    .events = dispatch_events,
    .setup = s_setup,
};

int main (int argc, char **argv)
{
    return shr_service_main (&s_dispatch, argc, argv);
}
