/*  procurement - centralised purchasing, purchase orders and supplier evaluation.

    The binary: settings from the environment, the consumer of inventory's
    reorder alerts, procurement.run on a timer, and libshared's runner for
    the rest. Its ops and events are generated from schemas/procurement/ and
    schemas/events/.
*/
#include "procurement.h"

#include <math.h>

static void s_settings_destroy (void **self_p)
{
    free (*self_p);
    *self_p = NULL;
}

//  PROCUREMENT_WEIGHTS: price, on-time and quality weights, non-negative,
//  adding up to 1.
static int s_read_weights (procurement_weights_t *weights, char *err, size_t errlen)
{
    const char *text = getenv ("PROCUREMENT_WEIGHTS");
    *weights = (procurement_weights_t) {0.4, 0.3, 0.3};
    if (!text || !*text)
        return 0;
    char tail;
    if (sscanf (text, "%lf,%lf,%lf%c", &weights->price, &weights->on_time, &weights->quality,
                &tail)
            != 3
        || weights->price < 0 || weights->on_time < 0 || weights->quality < 0
        || fabs (weights->price + weights->on_time + weights->quality - 1) > 1e-9) {
        snprintf (err, errlen,
                  "PROCUREMENT_WEIGHTS=%s: expected price,on_time,quality weights adding up"
                  " to 1, like 0.4,0.3,0.3",
                  text);
        return -1;
    }
    return 0;
}

static int s_read_settings (procurement_settings_t *settings, char *err, size_t errlen)
{
    const char *currency = getenv ("PROCUREMENT_CURRENCY");
    if (!currency || !*currency)
        currency = "CNY";
    if (strlen (currency) != 3 || !isupper ((unsigned char) currency[0])
        || !isupper ((unsigned char) currency[1]) || !isupper ((unsigned char) currency[2])) {
        snprintf (err, errlen, "PROCUREMENT_CURRENCY=%s: expected an ISO 4217 code like CNY",
                  currency);
        return -1;
    }
    snprintf (settings->currency, sizeof settings->currency, "%s", currency);
    double limit;
    if (shr_config_number ("PROCUREMENT_APPROVAL_LIMIT_CENTS", 1000000, 0, 1e15, err, errlen,
                           &limit)
        || s_read_weights (&settings->weights, err, errlen)
        || shr_config_number ("PROCUREMENT_UNRATED_RATE", 0.8, 0, 1, err, errlen,
                              &settings->unrated_rate)
        || shr_config_int ("PROCUREMENT_SCORE_DAYS", 180, 1, 3650, err, errlen,
                           &settings->score_days)
        || shr_config_int ("PROCUREMENT_RUN_MS", 3600000, 100, 86400000, err, errlen,
                           &settings->run_ms))
        return -1;
    settings->approval_limit_cents = (int64_t) limit;
    return 0;
}

static int s_setup (shr_service_t *service, char *err, size_t errlen)
{
    procurement_settings_t *settings = (procurement_settings_t *) zmalloc (sizeof *settings);
    shr_service_set_state (service, settings, s_settings_destroy);
    if (s_read_settings (settings, err, errlen))
        return -1;
    shr_service_every (service, settings->run_ms, procurement_run_tick, settings);
    //  Inventory consumes procurement's events too; each waits for the other
    //  by itself (the consumer asks again until it answers).
    return shr_service_consume (service, "inventory", requisition_handlers, settings, err, errlen);
}

static const shr_service_def_t s_procurement = {
    .name = "procurement",
    .summary = "Procurement: centralised purchasing, purchase orders and supplier evaluation.\n"
               "Also: PROCUREMENT_CURRENCY (default CNY), PROCUREMENT_APPROVAL_LIMIT_CENTS (orders\n"
               "under it are approved at once; default 1000000), PROCUREMENT_WEIGHTS (price,\n"
               "on-time, quality; default 0.4,0.3,0.3), PROCUREMENT_UNRATED_RATE (default 0.8),\n"
               "PROCUREMENT_SCORE_DAYS (default 180), PROCUREMENT_RUN_MS (default 3600000).\n"
               "Consumes inventory's events (INVENTORY_EVENTS/_API).",
    .migrations = procurement_migrations,
    .ops = procurement_ops,
    .events = procurement_events,
    .setup = s_setup,
};

int main (int argc, char **argv)
{
    return shr_service_main (&s_procurement, argc, argv);
}
